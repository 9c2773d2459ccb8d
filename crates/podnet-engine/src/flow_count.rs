//! How many connections a source has, without listing them: `diff` counts
//! the flows a change cannot touch as unchanged without comparing them.
//!
//! The count is the number of flows [`WorkloadRows::source_flows`] lists
//! from the source to the counted workloads and to outside ranges. For a
//! source with one identity and no own-node exemption (not host-network),
//! it is read off the identity's row: each destination identity stands for
//! its counted workloads. Anything else counts the listed flows; both
//! agree (`fast_equals_spec`).

use fixedbitset::FixedBitSet;
use podnet_model::WorkloadId;

use crate::connlist::{PeerRef, WorkloadRows};
use crate::conns_table::ConnsTable;

/// Counts connections of sources of one stream to a set of workloads.
pub struct FlowCounter<'r, 'e, 'c> {
    rows: &'r WorkloadRows<'e, 'c>,
    /// The counted workloads that are shown.
    counted: FixedBitSet,
    /// Per identity: its counted workloads that have only that identity.
    single: Vec<u32>,
    /// Counted workloads with several identities, with their identities.
    several: Vec<(usize, Vec<u32>)>,
}

impl<'r, 'e, 'c> FlowCounter<'r, 'e, 'c> {
    /// A counter of the flows of `rows` to every shown workload but the
    /// `excluded` ones, and to outside ranges.
    pub fn excluding(rows: &'r WorkloadRows<'e, 'c>, excluded: &[WorkloadId]) -> Self {
        let mut shown_counted = rows.shown.clone();
        for w in excluded {
            shown_counted.set(w.index(), false);
        }
        let mut single = vec![0u32; rows.engine.identities().len()];
        let mut several = Vec::new();
        for w in shown_counted.ones() {
            match rows.classes_of[w].as_slice() {
                [c] => single[*c as usize] += 1,
                [] => {}
                classes => several.push((w, classes.to_vec())),
            }
        }
        FlowCounter {
            rows,
            counted: shown_counted,
            single,
            several,
        }
    }

    /// Whether flows to `w` are counted.
    pub fn is_counted(&self, w: WorkloadId) -> bool {
        self.counted.contains(w.index())
    }

    /// The number of flows from `w` to the counted workloads and to
    /// outside ranges.
    pub fn count(&self, w: WorkloadId) -> usize {
        let rows = self.rows;
        let engine = rows.engine;
        let wi = w.index();
        if !rows.shown.contains(wi) {
            return 0;
        }
        match rows.classes_of[wi].as_slice() {
            &[c] if rows.pairs
                && rows.focus.is_none()
                && engine
                    .identities()
                    .own_node_workloads(c as usize)
                    .is_empty() =>
            {
                let row = engine.row(c as usize, None);
                let mut reached = FixedBitSet::with_capacity(engine.identities().len());
                let mut n = 0usize;
                for &(d, conns) in &row {
                    if conns != ConnsTable::NONE {
                        reached.insert(d as usize);
                        n += self.single[d as usize] as usize;
                    }
                }
                // A workload is not its own destination.
                if self.counted.contains(wi) && reached.contains(c as usize) {
                    n -= 1;
                }
                n += self
                    .several
                    .iter()
                    .filter(|(dw, classes)| {
                        *dw != wi && classes.iter().any(|&k| reached.contains(k as usize))
                    })
                    .count();
                n + engine.external_egress(c as usize).len()
            }
            _ => rows
                .source_flows(w)
                .iter()
                .filter(|f| match &f.dst {
                    PeerRef::Workload(d) => self.counted.contains(d.index()),
                    PeerRef::External(_) => true,
                    _ => false,
                })
                .count(),
        }
    }
}
