//! Grouped connectivity: the same connections as the pair list, stated in
//! the fewest lines a simple exact method finds. A line says "every
//! workload of SRC reaches every workload of DST on CONNS" (a workload's
//! connection to itself excepted, as in the pair list); its ends are
//! unions of whole namespaces, namespaces picked by a label selector,
//! workloads of namespaces picked by a pod label selector, and named
//! workloads ([`Term`]), or one outside range or pseudo-peer.
//!
//! Exactness: every listed pair is in exactly one line, with exactly its
//! connections, and a line holds no other pair (property-tested by
//! expanding the lines of random clusters).
//!
//! The method:
//!
//! 1. Workloads whose pods fall in the same identities have the same
//!    connections (but to themselves): they form one *unit*. Each unit's
//!    row (what it may open to every unit, its own included) comes from the
//!    identity rows, never from the pair list.
//! 2. Units whose rows give the same destination units for the same
//!    connections share a line: one line per distinct (connections,
//!    destination set).
//! 3. Each end's workloads are described by [`describe`].
//!
//! The same grouping runs on any stream of connections ([`group_flows`]),
//! one workload per unit, for the outside ranges, the fronts, secondary
//! networks and focused lists.

mod describe;

use rustc_hash::FxHashMap as HashMap;

use podnet_model::{Cluster, Conns, LabelSelector, NsId, WorkloadId};
use rayon::prelude::*;

use crate::connlist::{FlowSource, PeerRef};
use crate::conns_table::{ConnsId, ConnsOps, ConnsTable};
use crate::matrix::Engine;

pub use describe::{Describer, describe_lines};

/// One part of a line's end: a set of workloads.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Term {
    /// Every workload of these namespaces (sorted).
    Namespaces(Vec<NsId>),
    /// Every workload of the namespaces whose labels match.
    NamespaceSelector(LabelSelector),
    /// The workloads of these namespaces whose pods match `selector`:
    /// every pod of each such workload matches, no pod of the others does.
    Pods {
        /// The namespaces (sorted).
        namespaces: Vec<NsId>,
        /// The pod label selector.
        selector: LabelSelector,
    },
    /// These workloads (sorted).
    Workloads(Vec<WorkloadId>),
}

/// One end of a line.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupEnd {
    /// The union of the terms' workloads.
    Workloads(Vec<Term>),
    /// An outside range or a pseudo-peer (never a workload).
    Peer(PeerRef),
}

/// One line of the grouped view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupLine {
    /// Sources.
    pub src: GroupEnd,
    /// Destinations.
    pub dst: GroupEnd,
    /// What every pair of the line allows.
    pub conns: Conns,
    /// `None` for the pod network, else a Multus network `namespace/name`.
    pub network: Option<String>,
    /// How many connections of the pair list the line states.
    pub pairs: u64,
}

/// A line before its ends are described: explicit workload sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawLine {
    /// Sources: workloads (sorted) or one peer.
    pub src: RawEnd,
    /// Destinations.
    pub dst: RawEnd,
    /// What is allowed.
    pub conns: Conns,
    /// The network.
    pub network: Option<String>,
}

/// One end of a raw line.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RawEnd {
    /// These workloads (sorted, distinct).
    Workloads(Vec<WorkloadId>),
    /// One outside range or pseudo-peer.
    Peer(PeerRef),
}

impl RawEnd {
    fn workloads(&self) -> &[WorkloadId] {
        match self {
            RawEnd::Workloads(w) => w,
            RawEnd::Peer(_) => &[],
        }
    }
}

impl RawLine {
    /// Number of pairs: sources × destinations, minus a workload's pairs
    /// with itself.
    pub fn pairs(&self) -> u64 {
        let count = |e: &RawEnd| match e {
            RawEnd::Workloads(w) => w.len() as u64,
            RawEnd::Peer(_) => 1,
        };
        let (s, d) = (self.src.workloads(), self.dst.workloads());
        let mut both = 0u64;
        let (mut i, mut j) = (0, 0);
        while i < s.len() && j < d.len() {
            match s[i].cmp(&d[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    both += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        count(&self.src) * count(&self.dst) - both
    }
}

/// The workloads `connlist` can list: shown, with pods.
#[derive(Clone, Debug)]
pub struct Universe {
    /// Per namespace, its listable workloads (sorted).
    pub by_namespace: Vec<Vec<WorkloadId>>,
    /// Whether each workload is listable.
    pub listed: Vec<bool>,
}

impl Universe {
    /// The workloads of `cluster` with pods, but `hidden`.
    pub fn new(cluster: &Cluster, hidden: &[WorkloadId]) -> Self {
        let mut by_namespace = vec![Vec::new(); cluster.namespaces.len()];
        let mut listed = vec![false; cluster.workloads.len()];
        for (i, w) in cluster.workloads.iter().enumerate() {
            let id = WorkloadId::from_index(i);
            if w.pods.is_empty() || hidden.contains(&id) {
                continue;
            }
            listed[i] = true;
            by_namespace[w.namespace.index()].push(id);
        }
        Universe {
            by_namespace,
            listed,
        }
    }

    /// The workloads of a term, sorted.
    pub fn term(&self, cluster: &Cluster, term: &Term) -> Vec<WorkloadId> {
        let mut out: Vec<WorkloadId> = match term {
            Term::Namespaces(list) => list
                .iter()
                .flat_map(|n| self.by_namespace[n.index()].iter().copied())
                .collect(),
            Term::NamespaceSelector(sel) => cluster
                .namespaces
                .iter()
                .enumerate()
                .filter(|(_, n)| sel.matches(&n.labels))
                .flat_map(|(i, _)| self.by_namespace[i].iter().copied())
                .collect(),
            Term::Pods {
                namespaces,
                selector,
            } => namespaces
                .iter()
                .flat_map(|n| self.by_namespace[n.index()].iter().copied())
                .filter(|&w| {
                    cluster
                        .workload(w)
                        .pods
                        .iter()
                        .all(|&p| selector.matches(cluster.pod_labels(p)))
                })
                .collect(),
            Term::Workloads(list) => list
                .iter()
                .copied()
                .filter(|w| self.listed[w.index()])
                .collect(),
        };
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The workloads of an end, sorted; empty for a peer.
    pub fn end(&self, cluster: &Cluster, end: &GroupEnd) -> Vec<WorkloadId> {
        let mut out: Vec<WorkloadId> = match end {
            GroupEnd::Workloads(terms) => {
                terms.iter().flat_map(|t| self.term(cluster, t)).collect()
            }
            GroupEnd::Peer(_) => Vec::new(),
        };
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Every connection a line states: (source, destination), a
    /// workload's pair with itself left out.
    pub fn expand(&self, cluster: &Cluster, line: &GroupLine) -> Vec<(PeerRef, PeerRef)> {
        let side = |end: &GroupEnd| -> Vec<PeerRef> {
            match end {
                GroupEnd::Peer(p) => vec![p.clone()],
                GroupEnd::Workloads(_) => self
                    .end(cluster, end)
                    .into_iter()
                    .map(PeerRef::Workload)
                    .collect(),
            }
        };
        let (srcs, dsts) = (side(&line.src), side(&line.dst));
        let mut out = Vec::new();
        for s in &srcs {
            for d in &dsts {
                if s != d {
                    out.push((s.clone(), d.clone()));
                }
            }
        }
        out
    }
}

/// Groups of equal workload sets, interned.
#[derive(Default)]
struct Sets {
    index: HashMap<Vec<u32>, u32>,
    list: Vec<Vec<u32>>,
}

impl Sets {
    fn intern(&mut self, set: &[u32]) -> u32 {
        if let Some(&id) = self.index.get(set) {
            return id;
        }
        let id = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
        self.list.push(set.to_vec());
        self.index.insert(set.to_vec(), id);
        id
    }
}

fn to_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// The workload pairs of the pod network, grouped (steps 1 and 2), with
/// the workloads of `hidden` left out.
pub fn group_pairs(engine: &Engine<'_>, hidden: &[WorkloadId]) -> Vec<RawLine> {
    let cluster = engine.cluster;
    let universe = Universe::new(cluster, hidden);
    let identities = &engine.identities;
    // Units: listed workloads with equal identity sets and equal nodes
    // among those hosting a host-network pod (traffic from that pod into
    // its node's pods is always allowed).
    let mut unit_of_key: HashMap<(Vec<u32>, Vec<u32>), u32> = HashMap::default();
    let mut units: Vec<(Vec<u32>, Vec<WorkloadId>)> = Vec::new();
    let mut units_on_node: Vec<Vec<u32>> = vec![Vec::new(); identities.host_sources_on_node.len()];
    for (i, w) in cluster.workloads.iter().enumerate() {
        if !universe.listed[i] {
            continue;
        }
        let mut classes: Vec<u32> = w
            .pods
            .iter()
            .map(|p| to_u32(identities.of_pod[p.index()]))
            .collect();
        classes.sort_unstable();
        classes.dedup();
        let mut nodes: Vec<u32> = w
            .pods
            .iter()
            .filter_map(|p| identities.members.host_node_of_pod[p.index()])
            .collect();
        nodes.sort_unstable();
        nodes.dedup();
        let u = match unit_of_key.entry((classes, nodes)) {
            std::collections::hash_map::Entry::Occupied(e) => *e.get(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let u = to_u32(units.len());
                for &n in &e.key().1 {
                    units_on_node[n as usize].push(u);
                }
                units.push((e.key().0.clone(), Vec::new()));
                e.insert(u);
                u
            }
        };
        units[u as usize].1.push(WorkloadId::from_index(i));
    }
    // The units each identity belongs to.
    let mut units_of_class: Vec<Vec<u32>> = vec![Vec::new(); identities.len()];
    for (u, (classes, _)) in units.iter().enumerate() {
        for &c in classes {
            units_of_class[c as usize].push(to_u32(u));
        }
    }
    let table = &engine.conns;
    // Units whose identities have equal rows have equal rows: one of them
    // stands for all.
    let row_class = engine.row_classes();
    let mut rep_of_key: HashMap<Vec<u32>, u32> = HashMap::default();
    let mut reps: Vec<usize> = Vec::new();
    let rep_of_unit: Vec<u32> = units
        .iter()
        .enumerate()
        .map(|(u, (classes, _))| {
            let mut key: Vec<u32> = classes.iter().map(|&c| row_class[c as usize]).collect();
            key.sort_unstable();
            key.dedup();
            *rep_of_key.entry(key).or_insert_with(|| {
                reps.push(u);
                to_u32(reps.len() - 1)
            })
        })
        .collect();
    // Step 1: each standing unit's row as (connections, destination
    // units) runs.
    let rows: Vec<Vec<(ConnsId, Vec<u32>)>> = reps
        .into_par_iter()
        .map_init(
            || {
                (
                    engine.take_scratch(),
                    vec![ConnsTable::NONE; units.len()],
                    Vec::<u32>::new(),
                    ConnsOps::new(),
                )
            },
            |(scratch, acc, touched, ops), u| {
                for &c in &units[u].0 {
                    for (d, conns) in engine.row_with(c as usize, None, scratch) {
                        for &du in &units_of_class[d as usize] {
                            let old = acc[du as usize];
                            if old == ConnsTable::NONE {
                                touched.push(du);
                            }
                            acc[du as usize] = ops.union(table, old, conns);
                        }
                    }
                    // Traffic from a host-network pod into its node's pods.
                    let own = identities.list[c as usize]
                        .node
                        .filter(|_| identities.list[c as usize].host_network);
                    if let Some(n) = own {
                        for &du in &units_on_node[n as usize] {
                            if acc[du as usize] == ConnsTable::NONE {
                                touched.push(du);
                            }
                            acc[du as usize] = ConnsTable::ALL;
                        }
                    }
                }
                let mut entries: Vec<(ConnsId, u32)> = touched
                    .drain(..)
                    .map(|du| {
                        let c = std::mem::replace(&mut acc[du as usize], ConnsTable::NONE);
                        (c, du)
                    })
                    .collect();
                entries.sort_unstable();
                entries
                    .chunk_by(|a, b| a.0 == b.0)
                    .map(|run| (run[0].0, run.iter().map(|e| e.1).collect()))
                    .collect()
            },
        )
        .collect();
    // Step 2: one line per (connections, destination set).
    let mut sets = Sets::default();
    let rows: Vec<Vec<(ConnsId, u32)>> = rows
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|(conns, dests)| (conns, sets.intern(&dests)))
                .collect()
        })
        .collect();
    let mut lines: HashMap<(ConnsId, u32), Vec<u32>> = HashMap::default();
    for (u, &r) in rep_of_unit.iter().enumerate() {
        for &key in &rows[r as usize] {
            lines.entry(key).or_default().push(to_u32(u));
        }
    }
    let workloads_of = |set: &[u32]| -> Vec<WorkloadId> {
        let mut w: Vec<WorkloadId> = set
            .iter()
            .flat_map(|&u| units[u as usize].1.iter().copied())
            .collect();
        w.sort_unstable();
        w
    };
    lines
        .into_iter()
        .map(|((conns, set), sources)| RawLine {
            src: RawEnd::Workloads(workloads_of(&sources)),
            dst: RawEnd::Workloads(workloads_of(&sets.list[set as usize])),
            conns: table.get(conns).clone(),
            network: None,
        })
        .filter(|l| l.pairs() > 0)
        .collect()
}

/// Key of a line on the generic path: the peer end (if any) and what the
/// workload end's members share.
#[derive(Clone, PartialEq, Eq, Hash)]
enum FlowKey {
    /// Workload to workload: the connections and destination set.
    Pairs(Conns, u32),
    /// Workloads to a peer.
    To(PeerRef, Conns),
    /// A peer to workloads.
    From(PeerRef, Conns),
    /// A peer to a peer (never produced by podnet, kept for exactness).
    Peers(PeerRef, PeerRef, Conns),
}

/// Any stream of connections grouped, one workload per unit (exact, but
/// it reads every connection).
pub fn group_flows(source: &dyn FlowSource) -> Vec<RawLine> {
    let mut sets = Sets::default();
    let mut lines: HashMap<(Option<String>, FlowKey), Vec<u32>> = HashMap::default();
    // The current source workload's row.
    let mut row: Vec<(Conns, u32)> = Vec::new();
    let mut current: Option<(Option<String>, WorkloadId)> = None;
    let flush = |current: &Option<(Option<String>, WorkloadId)>,
                 row: &mut Vec<(Conns, u32)>,
                 lines: &mut HashMap<(Option<String>, FlowKey), Vec<u32>>,
                 sets: &mut Sets| {
        let Some((network, w)) = current else {
            row.clear();
            return;
        };
        row.sort_unstable();
        for run in row.chunk_by(|a, b| a.0 == b.0) {
            let dests: Vec<u32> = run.iter().map(|e| e.1).collect();
            let set = sets.intern(&dests);
            lines
                .entry((network.clone(), FlowKey::Pairs(run[0].0.clone(), set)))
                .or_default()
                .push(to_u32(w.index()));
        }
        row.clear();
    };
    let result = source.for_each_batch(&mut |batch| {
        let network = batch.network.map(str::to_owned);
        for f in batch.flows {
            let conns = batch.table.get(f.conns).clone();
            match (&f.src, &f.dst) {
                (PeerRef::Workload(s), PeerRef::Workload(d)) => {
                    let here = Some((network.clone(), *s));
                    if current != here {
                        flush(&current, &mut row, &mut lines, &mut sets);
                        current = here;
                    }
                    row.push((conns, to_u32(d.index())));
                }
                (PeerRef::Workload(s), peer) => {
                    lines
                        .entry((network.clone(), FlowKey::To(peer.clone(), conns)))
                        .or_default()
                        .push(to_u32(s.index()));
                }
                (peer, PeerRef::Workload(d)) => {
                    lines
                        .entry((network.clone(), FlowKey::From(peer.clone(), conns)))
                        .or_default()
                        .push(to_u32(d.index()));
                }
                (a, b) => {
                    lines
                        .entry((network.clone(), FlowKey::Peers(a.clone(), b.clone(), conns)))
                        .or_default();
                }
            }
        }
        Ok(())
    });
    debug_assert!(result.is_ok(), "grouping never fails");
    flush(&current, &mut row, &mut lines, &mut sets);
    let workloads = |list: &[u32]| -> Vec<WorkloadId> {
        let mut w: Vec<WorkloadId> = list
            .iter()
            .map(|&i| WorkloadId::from_index(i as usize))
            .collect();
        w.sort_unstable();
        w.dedup();
        w
    };
    lines
        .into_iter()
        .map(|((network, key), members)| match key {
            FlowKey::Pairs(conns, set) => RawLine {
                src: RawEnd::Workloads(workloads(&members)),
                dst: RawEnd::Workloads(workloads(&sets.list[set as usize])),
                conns,
                network,
            },
            FlowKey::To(peer, conns) => RawLine {
                src: RawEnd::Workloads(workloads(&members)),
                dst: RawEnd::Peer(peer),
                conns,
                network,
            },
            FlowKey::From(peer, conns) => RawLine {
                src: RawEnd::Peer(peer),
                dst: RawEnd::Workloads(workloads(&members)),
                conns,
                network,
            },
            FlowKey::Peers(a, b, conns) => RawLine {
                src: RawEnd::Peer(a),
                dst: RawEnd::Peer(b),
                conns,
                network,
            },
        })
        .collect()
}

/// Puts lines in their order: by network, then source, then destination
/// (a workload end by its first workload; workload ends before peers),
/// then connections.
pub fn sort_lines(lines: &mut [RawLine]) {
    // Compared by reference (nothing cloned), on both cores; the sort is
    // stable, so equal lines keep their order as before.
    fn key(e: &RawEnd) -> (u8, Option<WorkloadId>, Option<&PeerRef>) {
        match e {
            RawEnd::Workloads(w) => (0, w.first().copied(), None),
            RawEnd::Peer(p) => (1, None, Some(p)),
        }
    }
    lines.par_sort_by(|a, b| {
        a.network
            .cmp(&b.network)
            .then_with(|| key(&a.src).cmp(&key(&b.src)))
            .then_with(|| key(&a.dst).cmp(&key(&b.dst)))
            .then_with(|| a.src.cmp(&b.src))
            .then_with(|| a.dst.cmp(&b.dst))
            .then_with(|| a.conns.cmp(&b.conns))
    });
}
