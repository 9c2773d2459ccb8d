//! Workload connectivity: identity rows aggregated to the workloads people
//! deploy, plus outside address ranges, streamed in a stable order.
//!
//! A workload's connection to another is the union over their pods' (a
//! workload whose pods have different labels is reported as one: "some pod
//! of A reaches some pod of B on these ports"). Self connections are
//! omitted. Outside addresses are grouped by what they may do and merged
//! into the fewest ranges.
//!
//! The order is by source, then destination, workloads first (in cluster
//! order), then outside ranges; the connections are produced in that order
//! in batches ([`FlowSource`]), source workload by source workload, so that
//! memory follows the model and not the number of connections.

use std::collections::HashMap;
use std::io;
use std::sync::Mutex;

use fixedbitset::FixedBitSet;
use podnet_model::{Conns, IpSet, WorkloadId};
use rayon::prelude::*;

use crate::conns_table::{ConnsId, ConnsOps, ConnsTable};
use crate::identity::IdentityId;
use crate::matrix::{Engine, ExternalGroups, group_atoms};

/// One end of a reported connection.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PeerRef {
    /// A workload.
    Workload(WorkloadId),
    /// Addresses outside the cluster's workloads.
    External(IpSet),
    /// The ingress controller, as the source of traffic that enters
    /// through an Ingress or Route (added by the dataplane's fronts).
    IngressController,
    /// A Gateway (Gateway API), as the source of traffic its routes carry.
    Gateway {
        /// The Gateway's namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
}

/// An allowed connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    /// Source.
    pub src: PeerRef,
    /// Destination.
    pub dst: PeerRef,
    /// What is allowed.
    pub conns: Conns,
    /// The network it is on: `None` for the pod network, else a Multus
    /// attachment as `namespace/name`.
    pub network: Option<String>,
}

/// Every allowed connection, workloads first (in cluster order), then
/// outside ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnList {
    /// The connections, sorted by source then destination.
    pub connections: Vec<Connection>,
}

impl ConnList {
    /// Puts the connections back in their order after additions.
    pub fn sort(&mut self) {
        self.connections
            .sort_by(|a, b| (&a.network, &a.src, &a.dst).cmp(&(&b.network, &b.src, &b.dst)));
    }

    /// Keeps only connections for which `keep` is true of an end.
    pub fn retain_ends(&mut self, keep: impl Fn(&PeerRef) -> bool) {
        self.connections.retain(|c| keep(&c.src) || keep(&c.dst));
    }
}

/// A connection of a stream: what is allowed is an id of the batch's table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// Source.
    pub src: PeerRef,
    /// Destination.
    pub dst: PeerRef,
    /// What is allowed, in the batch's [`ConnsTable`].
    pub conns: ConnsId,
}

/// Consecutive connections of a stream, all on one network.
#[derive(Clone, Copy, Debug)]
pub struct FlowBatch<'a> {
    /// The table the connections' ids refer to.
    pub table: &'a ConnsTable,
    /// `None` for the pod network, else a Multus attachment `namespace/name`.
    pub network: Option<&'a str>,
    /// The connections, in order.
    pub flows: &'a [Flow],
}

/// Something that produces connections in order, batch by batch. It may be
/// asked more than once (a printer needing two passes asks twice).
pub trait FlowSource {
    /// Calls `sink` with every batch, in order, stopping at its first error.
    fn for_each_batch(
        &self,
        sink: &mut dyn FnMut(FlowBatch<'_>) -> io::Result<()>,
    ) -> io::Result<()>;
}

impl FlowSource for ConnList {
    fn for_each_batch(
        &self,
        sink: &mut dyn FnMut(FlowBatch<'_>) -> io::Result<()>,
    ) -> io::Result<()> {
        let table = ConnsTable::new();
        for run in self.connections.chunk_by(|a, b| a.network == b.network) {
            let flows: Vec<Flow> = run
                .iter()
                .map(|c| Flow {
                    src: c.src.clone(),
                    dst: c.dst.clone(),
                    conns: table.intern(c.conns.clone()),
                })
                .collect();
            sink(FlowBatch {
                table: &table,
                network: run.first().and_then(|c| c.network.as_deref()),
                flows: &flows,
            })?;
        }
        Ok(())
    }
}

/// The connections of a stream for which `keep` holds.
pub struct Filtered<'s, F> {
    /// The stream.
    pub source: &'s dyn FlowSource,
    /// Whether a connection (source, destination) is kept.
    pub keep: F,
}

impl<F: Fn(&PeerRef, &PeerRef) -> bool> FlowSource for Filtered<'_, F> {
    fn for_each_batch(
        &self,
        sink: &mut dyn FnMut(FlowBatch<'_>) -> io::Result<()>,
    ) -> io::Result<()> {
        self.source.for_each_batch(&mut |batch| {
            let flows: Vec<Flow> = batch
                .flows
                .iter()
                .filter(|f| (self.keep)(&f.src, &f.dst))
                .cloned()
                .collect();
            if flows.is_empty() {
                return Ok(());
            }
            sink(FlowBatch {
                flows: &flows,
                ..batch
            })
        })
    }
}

/// Collects a stream into a list (for small inputs and tests).
pub fn collect(source: &dyn FlowSource) -> ConnList {
    let mut connections = Vec::new();
    let result = source.for_each_batch(&mut |batch| {
        connections.extend(batch.flows.iter().map(|f| Connection {
            src: f.src.clone(),
            dst: f.dst.clone(),
            conns: batch.table.get(f.conns).clone(),
            network: batch.network.map(str::to_owned),
        }));
        Ok(())
    });
    debug_assert!(result.is_ok(), "collecting never fails");
    ConnList { connections }
}

/// Which connections a stream holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    /// Only connections with one of these workloads at an end (sorted);
    /// `None` for every connection.
    pub focus: Option<Vec<WorkloadId>>,
    /// Workloads left out, as sources and destinations (podnet's own
    /// additions, which the dataplane reports otherwise).
    pub hidden: Vec<WorkloadId>,
}

impl Scope {
    /// Every connection.
    pub fn all() -> Self {
        Scope::default()
    }

    /// Connections with `workloads` at an end.
    pub fn focus(mut workloads: Vec<WorkloadId>) -> Self {
        workloads.sort_unstable();
        workloads.dedup();
        Scope {
            focus: Some(workloads),
            hidden: Vec::new(),
        }
    }

    /// Whether `w` is in focus (every workload when there is no focus).
    pub fn in_focus(&self, w: WorkloadId) -> bool {
        self.focus
            .as_ref()
            .is_none_or(|f| f.binary_search(&w).is_ok())
    }

    /// Whether the connection is kept.
    pub fn keeps(&self, src: &PeerRef, dst: &PeerRef) -> bool {
        let hidden = |p: &PeerRef| matches!(p, PeerRef::Workload(w) if self.hidden.contains(w));
        if hidden(src) || hidden(dst) {
            return false;
        }
        let Some(focus) = &self.focus else {
            return true;
        };
        let focused =
            |p: &PeerRef| matches!(p, PeerRef::Workload(w) if focus.binary_search(w).is_ok());
        focused(src) || focused(dst)
    }
}

/// Connections of every workload (materialized; prefer [`rows`] for
/// large clusters).
pub fn connlist(engine: &Engine<'_>) -> ConnList {
    collect(&rows(engine, Scope::all()))
}

/// The workload connections of `engine` within `scope`, as a stream.
pub fn rows<'e, 'c>(engine: &'e Engine<'c>, scope: Scope) -> WorkloadRows<'e, 'c> {
    WorkloadRows::new(engine, scope, true)
}

/// Only the connections of `engine` within `scope` with an outside range
/// at one end (what [`rows`] holds besides workload pairs).
pub fn outside_rows<'e, 'c>(engine: &'e Engine<'c>, scope: Scope) -> WorkloadRows<'e, 'c> {
    WorkloadRows::new(engine, scope, false)
}

/// The engine's workload and outside-range connections, streamed.
pub struct WorkloadRows<'e, 'c> {
    pub(crate) engine: &'e Engine<'c>,
    /// Whether workload pairs are listed (else only outside ranges).
    pub(crate) pairs: bool,
    /// The identities of each workload, ascending.
    pub(crate) classes_of: Vec<Vec<u32>>,
    /// Workloads not hidden.
    pub(crate) shown: FixedBitSet,
    /// With a focus: the focused workloads.
    pub(crate) focus: Option<FixedBitSet>,
    /// With a focus: per source identity, what it may open to the focused
    /// workloads' identities (their columns, transposed).
    restricted: Vec<Vec<(u32, ConnsId)>>,
    /// With a focus: the focused workloads of each identity that has some.
    focused_of: HashMap<u32, Vec<WorkloadId>>,
    pool: Mutex<Vec<Assembly>>,
}

/// Working space to merge identity rows into a workload row.
struct Assembly {
    acc: Vec<ConnsId>,
    touched: Vec<u32>,
    ops: ConnsOps,
}

/// Connections each batch aims at.
const BATCH_FLOWS: usize = 1 << 16;

fn to_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

impl<'e, 'c> WorkloadRows<'e, 'c> {
    fn new(engine: &'e Engine<'c>, scope: Scope, pairs: bool) -> Self {
        let cluster = engine.cluster;
        let w = cluster.workloads.len();
        let classes_of: Vec<Vec<u32>> = cluster
            .workloads
            .iter()
            .map(|wl| {
                let mut ids: Vec<u32> = wl
                    .pods
                    .iter()
                    .map(|p| to_u32(engine.identities.of_pod[p.index()]))
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                ids
            })
            .collect();
        let mut shown = FixedBitSet::with_capacity(w);
        shown.insert_range(..);
        for h in &scope.hidden {
            shown.set(h.index(), false);
        }
        let mut restricted: Vec<Vec<(u32, ConnsId)>> = Vec::new();
        let mut focused_of: HashMap<u32, Vec<WorkloadId>> = HashMap::new();
        let focus = scope.focus.as_ref().map(|list| {
            let mut workloads = FixedBitSet::with_capacity(w);
            let mut classes: Vec<u32> = Vec::new();
            for f in list {
                if shown.contains(f.index()) {
                    workloads.insert(f.index());
                    classes.extend(&classes_of[f.index()]);
                    for &c in &classes_of[f.index()] {
                        focused_of.entry(c).or_default().push(*f);
                    }
                }
            }
            classes.sort_unstable();
            classes.dedup();
            if !pairs {
                classes.clear();
            }
            let columns: Vec<(u32, Vec<(u32, ConnsId)>)> = classes
                .into_par_iter()
                .map_init(
                    || ScratchGuard::new(engine),
                    |guard, d| (d, engine.column_with(d as usize, None, guard.get())),
                )
                .collect();
            restricted = vec![Vec::new(); engine.identities.len()];
            for (d, column) in columns {
                for (s, conns) in column {
                    restricted[s as usize].push((d, conns));
                }
            }
            workloads
        });
        WorkloadRows {
            engine,
            pairs,
            classes_of,
            shown,
            focus,
            restricted,
            focused_of,
            pool: Mutex::new(Vec::new()),
        }
    }

    fn take(&self) -> Assembly {
        let pooled = self
            .pool
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop();
        pooled.unwrap_or_else(|| Assembly {
            acc: vec![ConnsTable::NONE; self.engine.cluster.workloads.len()],
            touched: Vec::new(),
            ops: ConnsOps::new(),
        })
    }

    fn give(&self, a: Assembly) {
        self.pool
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(a);
    }

    /// Whether source `w` gets its whole row (else only its connections
    /// to focused workloads).
    fn full(&self, w: usize) -> bool {
        self.focus.as_ref().is_none_or(|f| f.contains(w))
    }

    /// The identity rows of a batch of sources that get their whole row.
    fn class_rows(&self, sources: &[usize]) -> HashMap<u32, Vec<(u32, ConnsId)>> {
        if !self.pairs {
            return HashMap::new();
        }
        let mut wanted: Vec<u32> = sources
            .iter()
            .filter(|&&w| self.full(w))
            .flat_map(|&w| self.classes_of[w].iter().copied())
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let engine = self.engine;
        wanted
            .into_par_iter()
            .map_init(
                || ScratchGuard::new(engine),
                |guard, c| (c, engine.row_with(c as usize, None, guard.get())),
            )
            .collect()
    }

    /// The connections from workload `w` (shown, in focus), in order:
    /// one source's rows computed alone.
    pub fn source_flows(&self, w: WorkloadId) -> Vec<Flow> {
        let w = w.index();
        if !self.shown.contains(w) {
            return Vec::new();
        }
        let rows = self.class_rows(&[w]);
        let mut a = self.take();
        let out = self.workload_flows(w, &rows, &mut a);
        self.give(a);
        out
    }

    /// The engine whose connections these are.
    pub fn engine(&self) -> &'e Engine<'c> {
        self.engine
    }

    /// The connections of source workload `w`.
    fn workload_flows(
        &self,
        w: usize,
        rows: &HashMap<u32, Vec<(u32, ConnsId)>>,
        a: &mut Assembly,
    ) -> Vec<Flow> {
        let engine = self.engine;
        let table = &engine.conns;
        let full = self.full(w);
        let classes: &[u32] = if self.pairs { &self.classes_of[w] } else { &[] };
        for &c in classes {
            let row = if full {
                rows.get(&c)
            } else {
                self.restricted.get(c as usize)
            };
            for &(d, conns) in row.map_or(&[][..], Vec::as_slice) {
                // A restricted row only reaches the focused workloads.
                let dests: &[WorkloadId] = if full {
                    &engine.identities.list[d as usize].workloads
                } else {
                    self.focused_of.get(&d).map_or(&[], Vec::as_slice)
                };
                for &dw in dests {
                    let dw = dw.index();
                    if dw == w || !self.shown.contains(dw) {
                        continue;
                    }
                    let old = a.acc[dw];
                    if old == ConnsTable::NONE {
                        a.touched.push(to_u32(dw));
                    }
                    a.acc[dw] = a.ops.union(table, old, conns);
                }
            }
            // Traffic from a host-network pod into its node's pods
            // ([`crate::semantics::from_own_node`]).
            for &dw in engine.identities.own_node_workloads(c as IdentityId) {
                let dw = dw.index();
                let in_focus = full || self.focus.as_ref().is_some_and(|f| f.contains(dw));
                if dw == w || !self.shown.contains(dw) || !in_focus {
                    continue;
                }
                if a.acc[dw] == ConnsTable::NONE {
                    a.touched.push(to_u32(dw));
                }
                a.acc[dw] = ConnsTable::ALL;
            }
        }
        a.touched.sort_unstable();
        let src = WorkloadId::from_index(w);
        let mut flows: Vec<Flow> = a
            .touched
            .iter()
            .map(|&dw| {
                let conns = std::mem::replace(&mut a.acc[dw as usize], ConnsTable::NONE);
                Flow {
                    src: PeerRef::Workload(src),
                    dst: PeerRef::Workload(WorkloadId::from_index(dw as usize)),
                    conns,
                }
            })
            .collect();
        a.touched.clear();
        if full {
            let ids = self.classes_of[w].iter().map(|&c| c as IdentityId);
            let mut outside: Vec<(IpSet, ConnsId)> =
                merge_groups(ids.map(|i| engine.external_egress(i)), engine.atoms.len())
                    .into_iter()
                    .map(|(atoms, conns)| (engine.atoms_to_ipset(&atoms), table.intern(conns)))
                    .collect();
            outside.sort();
            flows.extend(outside.into_iter().map(|(set, conns)| Flow {
                src: PeerRef::Workload(src),
                dst: PeerRef::External(set),
                conns,
            }));
        }
        flows
    }

    /// Connections from outside addresses into each shown workload in
    /// focus, in order.
    fn outside_sources(&self) -> Vec<Flow> {
        let engine = self.engine;
        let wanted: Vec<usize> = self.shown.ones().filter(|&w| self.full(w)).collect();
        let mut classes: Vec<u32> = wanted
            .iter()
            .flat_map(|&w| self.classes_of[w].iter().copied())
            .collect();
        classes.sort_unstable();
        classes.dedup();
        let per_class: HashMap<u32, ExternalGroups> = classes
            .into_par_iter()
            .map(|c| (c, engine.external_ingress(c as usize)))
            .collect();
        let mut flows: Vec<(IpSet, usize, ConnsId)> = wanted
            .into_par_iter()
            .flat_map_iter(|w| {
                let groups = merge_groups(
                    self.classes_of[w]
                        .iter()
                        .filter_map(|c| per_class.get(c).cloned()),
                    engine.atoms.len(),
                );
                groups
                    .into_iter()
                    .map(move |(atoms, conns)| {
                        (engine.atoms_to_ipset(&atoms), w, engine.conns.intern(conns))
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        flows.sort();
        flows
            .into_iter()
            .map(|(set, w, conns)| Flow {
                src: PeerRef::External(set),
                dst: PeerRef::Workload(WorkloadId::from_index(w)),
                conns,
            })
            .collect()
    }
}

/// A scratch space taken from the engine's pool and given back on drop.
struct ScratchGuard<'e, 'c> {
    engine: &'e Engine<'c>,
    scratch: Option<crate::rows::Scratch>,
}

impl<'e, 'c> ScratchGuard<'e, 'c> {
    fn new(engine: &'e Engine<'c>) -> Self {
        ScratchGuard {
            engine,
            scratch: Some(engine.take_scratch()),
        }
    }

    fn get(&mut self) -> &mut crate::rows::Scratch {
        self.scratch
            .get_or_insert_with(|| self.engine.take_scratch())
    }
}

impl Drop for ScratchGuard<'_, '_> {
    fn drop(&mut self) {
        if let Some(s) = self.scratch.take() {
            self.engine.give_scratch(s);
        }
    }
}

impl FlowSource for WorkloadRows<'_, '_> {
    fn for_each_batch(
        &self,
        sink: &mut dyn FnMut(FlowBatch<'_>) -> io::Result<()>,
    ) -> io::Result<()> {
        let table = &self.engine.conns;
        let sources: Vec<usize> = self.shown.ones().collect();
        let mut start = 0;
        let mut per_batch = 16usize;
        // Reused: allocating afresh for every batch costs more than the rows.
        let mut flat: Vec<Flow> = Vec::new();
        while start < sources.len() {
            let end = (start + per_batch).min(sources.len());
            let batch = &sources[start..end];
            let rows = self.class_rows(batch);
            let flows: Vec<Vec<Flow>> = batch
                .par_iter()
                .map(|&w| {
                    let mut a = self.take();
                    let out = self.workload_flows(w, &rows, &mut a);
                    self.give(a);
                    out
                })
                .collect();
            drop(rows);
            let count: usize = flows.iter().map(Vec::len).sum();
            let largest = flows.iter().map(Vec::len).max().unwrap_or(0);
            flat.clear();
            flat.reserve(count);
            for f in flows {
                flat.extend(f);
            }
            if !flat.is_empty() {
                sink(FlowBatch {
                    table,
                    network: None,
                    flows: &flat,
                })?;
            }
            // Aim the next batch at BATCH_FLOWS connections, judging by the
            // largest row and growing at most twofold: neighbouring
            // workloads' rows are alike, but not always.
            per_batch = (BATCH_FLOWS / largest.max(1)).clamp(1, (2 * per_batch).min(4096));
            start = end;
        }
        let outside = self.outside_sources();
        if !outside.is_empty() {
            sink(FlowBatch {
                table,
                network: None,
                flows: &outside,
            })?;
        }
        Ok(())
    }
}

/// The union of several identities' groups, regrouped.
fn merge_groups(groups: impl Iterator<Item = ExternalGroups>, n_atoms: usize) -> ExternalGroups {
    let all: Vec<ExternalGroups> = groups.collect();
    if all.len() == 1 {
        return all.into_iter().next().unwrap_or_default();
    }
    let mut per_atom: HashMap<usize, Conns> = HashMap::new();
    for groups in &all {
        for (atoms, conns) in groups {
            for a in atoms.ones() {
                per_atom.entry(a).or_default().add(conns);
            }
        }
    }
    group_atoms(per_atom, n_atoms)
}
