//! [`crate::diff`] without either connection list in memory: flows are
//! compared source by source, in the order of their keys, each source's
//! rows computed on both sides when its turn comes. Workloads are ranked
//! once by their key (namespace or `*`, name, kind), so that most flows
//! are compared as numbers; only the flows reported get their keys.
//!
//! Memory follows the workloads and the reported changes (and the kept
//! flows, when they are listed), not the number of flows.
//!
//! When workload keys are unique on each side (namespaces not ignored),
//! a source's flows to workloads are compared as (rank, interned
//! connections) pairs, each side's connections read from its own table
//! without copying: only a flow that changed gets its key and its
//! connection sets. Merging by key ([`side_row`]) is kept for everything
//! else; both give the same [`Diff`] (`fast_equals_spec`).

use std::collections::BTreeMap;

use podnet_model::{Cluster, Conns, WorkloadId};
use rayon::prelude::*;

use crate::connlist::{Connection, Flow, PeerRef};
use crate::conns_table::{ConnsId, ConnsTable};
use crate::diff::{ANY_NAMESPACE, Change, Diff, DiffOptions, FlowKey, PeerKey, compare_into};

/// One side of a comparison.
pub struct DiffSide<'a> {
    /// The cluster.
    pub cluster: &'a Cluster,
    /// The workloads listed (with pods, not podnet's own), ascending.
    pub workloads: Vec<WorkloadId>,
    /// The pod network's connections from one listed workload, their
    /// connections ids of [`DiffSide::conns`].
    pub rows: &'a (dyn Fn(WorkloadId) -> Vec<Flow> + Sync),
    /// The table the ids of [`DiffSide::rows`] index.
    pub conns: &'a ConnsTable,
    /// Every other connection: from outside ranges and pseudo-peers on the
    /// pod network, and every connection of the secondary networks.
    pub rest: Vec<Connection>,
}

/// A destination, ranked: workloads by rank, others by key (workloads
/// first, as [`PeerKey`] orders them).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Dst {
    Workload(u32),
    Other(PeerKey),
}

type Row = Vec<(Dst, Option<String>, Conns)>;

fn workload_key(cluster: &Cluster, w: WorkloadId, options: DiffOptions) -> PeerKey {
    let mut key = PeerKey::of(cluster, &PeerRef::Workload(w));
    if let (true, PeerKey::Workload { namespace, .. }) = (options.ignore_namespace, &mut key) {
        ANY_NAMESPACE.clone_into(namespace);
    }
    key
}

/// Ranks of every workload key of both sides.
struct Ranks {
    keys: Vec<PeerKey>,
    old: Vec<u32>,
    new: Vec<u32>,
    /// Per rank: the listed workloads of each side with that key.
    members: Vec<(Vec<WorkloadId>, Vec<WorkloadId>)>,
}

fn ranks(old: &DiffSide<'_>, new: &DiffSide<'_>, options: DiffOptions) -> Ranks {
    let keys_of = |side: &DiffSide<'_>| -> Vec<PeerKey> {
        (0..side.cluster.workloads.len())
            .map(|i| workload_key(side.cluster, WorkloadId::from_index(i), options))
            .collect()
    };
    let (old_keys, new_keys) = (keys_of(old), keys_of(new));
    let mut keys: Vec<PeerKey> = old_keys.iter().chain(&new_keys).cloned().collect();
    keys.sort_unstable();
    keys.dedup();
    let rank = |k: &PeerKey| u32::try_from(keys.binary_search(k).unwrap_or(0)).unwrap_or(0);
    let old_ranks: Vec<u32> = old_keys.iter().map(rank).collect();
    let new_ranks: Vec<u32> = new_keys.iter().map(rank).collect();
    let mut members = vec![(Vec::new(), Vec::new()); keys.len()];
    for &w in &old.workloads {
        members[old_ranks[w.index()] as usize].0.push(w);
    }
    for &w in &new.workloads {
        members[new_ranks[w.index()] as usize].1.push(w);
    }
    Ranks {
        keys,
        old: old_ranks,
        new: new_ranks,
        members,
    }
}

/// The flows of one source key on one side, merged by destination key.
fn side_row(
    side: &DiffSide<'_>,
    workloads: &[WorkloadId],
    ranks: &[u32],
    rest: Option<&Row>,
) -> Row {
    let mut row: Row = Vec::new();
    for &w in workloads {
        for flow in (side.rows)(w) {
            let d = match &flow.dst {
                PeerRef::Workload(v) => Dst::Workload(ranks[v.index()]),
                other => Dst::Other(PeerKey::of(side.cluster, other)),
            };
            row.push((d, None, side.conns.get(flow.conns).clone()));
        }
    }
    row.extend(rest.into_iter().flatten().cloned());
    merged(row)
}

/// `row` sorted by destination and network, equal keys merged.
fn merged(mut row: Row) -> Row {
    row.sort_unstable_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    row.dedup_by(|later, earlier| {
        if (&later.0, &later.1) == (&earlier.0, &earlier.1) {
            earlier.2.add(&later.2);
            true
        } else {
            false
        }
    });
    row
}

/// The other connections of a side: those from workloads by source rank
/// (ranked destinations), the rest by flow key.
#[allow(clippy::type_complexity)]
fn split_rest(
    side: &DiffSide<'_>,
    ranks: &[u32],
    options: DiffOptions,
) -> (BTreeMap<u32, Row>, BTreeMap<FlowKey, Conns>) {
    let mut by_source: BTreeMap<u32, Row> = BTreeMap::new();
    let mut others: BTreeMap<FlowKey, Conns> = BTreeMap::new();
    let key = |p: &PeerRef| match p {
        PeerRef::Workload(w) => workload_key(side.cluster, *w, options),
        other => PeerKey::of(side.cluster, other),
    };
    for c in &side.rest {
        match &c.src {
            PeerRef::Workload(s) => {
                let d = match &c.dst {
                    PeerRef::Workload(v) => Dst::Workload(ranks[v.index()]),
                    other => Dst::Other(PeerKey::of(side.cluster, other)),
                };
                by_source.entry(ranks[s.index()]).or_default().push((
                    d,
                    c.network.clone(),
                    c.conns.clone(),
                ));
            }
            src => {
                others
                    .entry(FlowKey {
                        src: key(src),
                        dst: key(&c.dst),
                        network: c.network.clone(),
                    })
                    .or_insert_with(Conns::none)
                    .add(&c.conns);
            }
        }
    }
    (by_source, others)
}

/// What a source key's flows became: changes, and kept flows (counted,
/// listed when asked).
struct Outcome {
    changes: Vec<(FlowKey, Change)>,
    kept: Vec<(FlowKey, Conns)>,
    unchanged: usize,
}

fn compare_rows(
    src: &PeerKey,
    keys: &[PeerKey],
    old: Row,
    new: Row,
    options: DiffOptions,
) -> Outcome {
    let flow_key = |d: &Dst, network: &Option<String>| FlowKey {
        src: src.clone(),
        dst: match d {
            Dst::Workload(r) => keys[*r as usize].clone(),
            Dst::Other(k) => k.clone(),
        },
        network: network.clone(),
    };
    let mut out = Outcome {
        changes: Vec::new(),
        kept: Vec::new(),
        unchanged: 0,
    };
    let (mut a, mut b) = (old.into_iter().peekable(), new.into_iter().peekable());
    loop {
        let order = match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => (&x.0, &x.1).cmp(&(&y.0, &y.1)),
        };
        match order {
            std::cmp::Ordering::Less => {
                if let Some((d, n, c)) = a.next() {
                    out.changes.push((flow_key(&d, &n), Change::Removed(c)));
                }
            }
            std::cmp::Ordering::Greater => {
                if let Some((d, n, c)) = b.next() {
                    out.changes.push((flow_key(&d, &n), Change::Added(c)));
                }
            }
            std::cmp::Ordering::Equal => {
                if let (Some((d, n, old)), Some((_, _, new))) = (a.next(), b.next()) {
                    if old == new {
                        out.unchanged += 1;
                        if options.list_unchanged {
                            out.kept.push((flow_key(&d, &n), new));
                        }
                    } else {
                        out.changes
                            .push((flow_key(&d, &n), Change::Changed { old, new }));
                    }
                }
            }
        }
    }
    out
}

/// One source's flows on one side, split: to workloads as (destination
/// rank, connections id), sorted by rank; to everything else as a row.
fn split_source(
    side: &DiffSide<'_>,
    member: Option<WorkloadId>,
    ranks: &[u32],
) -> (Vec<(u32, ConnsId)>, Row) {
    let mut to_workloads = Vec::new();
    let mut others: Row = Vec::new();
    for flow in member.map(|w| (side.rows)(w)).unwrap_or_default() {
        match &flow.dst {
            PeerRef::Workload(v) => to_workloads.push((ranks[v.index()], flow.conns)),
            other => others.push((
                Dst::Other(PeerKey::of(side.cluster, other)),
                None,
                side.conns.get(flow.conns).clone(),
            )),
        }
    }
    to_workloads.sort_unstable_by_key(|&(rank, _)| rank);
    (to_workloads, others)
}

/// Compares one source's flows to workloads, each destination rank on at
/// most one entry per side, into `out`.
fn compare_workload_flows(
    src: &PeerKey,
    keys: &[PeerKey],
    old: (&[(u32, ConnsId)], &ConnsTable),
    new: (&[(u32, ConnsId)], &ConnsTable),
    options: DiffOptions,
    out: &mut Outcome,
) {
    let flow_key = |rank: u32| FlowKey {
        src: src.clone(),
        dst: keys[rank as usize].clone(),
        network: None,
    };
    let (old_table, new_table) = (old.1, new.1);
    let (mut a, mut b) = (old.0.iter().peekable(), new.0.iter().peekable());
    loop {
        let order = match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => x.0.cmp(&y.0),
        };
        match order {
            std::cmp::Ordering::Less => {
                if let Some(&(d, c)) = a.next() {
                    let removed = Change::Removed(old_table.get(c).clone());
                    out.changes.push((flow_key(d), removed));
                }
            }
            std::cmp::Ordering::Greater => {
                if let Some(&(d, c)) = b.next() {
                    let added = Change::Added(new_table.get(c).clone());
                    out.changes.push((flow_key(d), added));
                }
            }
            std::cmp::Ordering::Equal => {
                if let (Some(&(d, x)), Some(&(_, y))) = (a.next(), b.next()) {
                    let (before, after) = (old_table.get(x), new_table.get(y));
                    if before == after {
                        out.unchanged += 1;
                        if options.list_unchanged {
                            out.kept.push((flow_key(d), after.clone()));
                        }
                    } else {
                        out.changes.push((
                            flow_key(d),
                            Change::Changed {
                                old: before.clone(),
                                new: after.clone(),
                            },
                        ));
                    }
                }
            }
        }
    }
}

/// What the flows of source key `rank` became, when its key names at most
/// one workload per side and destinations' keys are unique: flows to
/// workloads compared by rank and connections id, the rest merged by key.
/// `None` when the other connections hold flows to workloads on the pod
/// network, which the merging path must add in.
fn unique_key_outcome(
    (old, new): (&DiffSide<'_>, &DiffSide<'_>),
    r: &Ranks,
    rank: usize,
    (old_rest, new_rest): (Option<&Row>, Option<&Row>),
    options: DiffOptions,
) -> Option<Outcome> {
    let (old_members, new_members) = &r.members[rank];
    let pod_network_to_workload = |row: Option<&Row>| {
        row.into_iter()
            .flatten()
            .any(|(d, n, _)| matches!(d, Dst::Workload(_)) && n.is_none())
    };
    if options.ignore_namespace
        || old_members.len() > 1
        || new_members.len() > 1
        || pod_network_to_workload(old_rest)
        || pod_network_to_workload(new_rest)
    {
        return None;
    }
    let (old_to_workloads, mut old_others) =
        split_source(old, old_members.first().copied(), &r.old);
    let (new_to_workloads, mut new_others) =
        split_source(new, new_members.first().copied(), &r.new);
    old_others.extend(old_rest.into_iter().flatten().cloned());
    new_others.extend(new_rest.into_iter().flatten().cloned());
    let src = &r.keys[rank];
    let mut out = compare_rows(
        src,
        &r.keys,
        merged(old_others),
        merged(new_others),
        options,
    );
    compare_workload_flows(
        src,
        &r.keys,
        (&old_to_workloads, old.conns),
        (&new_to_workloads, new.conns),
        options,
        &mut out,
    );
    Some(out)
}

/// How many of a new-side source's flows its rows leave out because the
/// change cannot touch them (`Some`), for sources whose rows are
/// restricted to the touched workloads ([`crate::diff_scope`]).
pub type Untouched<'a> = &'a (dyn Fn(WorkloadId) -> Option<usize> + Sync);

/// Compares the connections of two clusters, source by source. With
/// `untouched`, the flows it counts are added to the unchanged ones.
pub fn diff_rows(
    old: &DiffSide<'_>,
    new: &DiffSide<'_>,
    options: DiffOptions,
    untouched: Option<Untouched<'_>>,
) -> Diff {
    let r = ranks(old, new, options);
    let (old_rest, old_others) = split_rest(old, &r.old, options);
    let (new_rest, new_others) = split_rest(new, &r.new, options);
    // Workload sources, in key order; in parallel, in chunks.
    let outcomes: Vec<Outcome> = (0..r.keys.len())
        .into_par_iter()
        .with_min_len(16)
        .map(|rank| {
            let rank32 = u32::try_from(rank).unwrap_or(u32::MAX);
            let (old_members, new_members) = &r.members[rank];
            let old_rest_row = old_rest.get(&rank32);
            let new_rest_row = new_rest.get(&rank32);
            if old_members.is_empty()
                && new_members.is_empty()
                && old_rest_row.is_none()
                && new_rest_row.is_none()
            {
                return Outcome {
                    changes: Vec::new(),
                    kept: Vec::new(),
                    unchanged: 0,
                };
            }
            let left_out: usize = untouched.map_or(0, |count| {
                new_members.iter().filter_map(|&w| count(w)).sum()
            });
            let mut outcome =
                unique_key_outcome((old, new), &r, rank, (old_rest_row, new_rest_row), options)
                    .unwrap_or_else(|| {
                        let old_row = side_row(old, old_members, &r.old, old_rest_row);
                        let new_row = side_row(new, new_members, &r.new, new_rest_row);
                        compare_rows(&r.keys[rank], &r.keys, old_row, new_row, options)
                    });
            outcome.unchanged += left_out;
            outcome
        })
        .collect();
    let mut out = Diff::default();
    for o in outcomes {
        out.changes.extend(o.changes);
        out.kept.extend(o.kept);
        out.unchanged += o.unchanged;
    }
    // Outside ranges and pseudo-peers as sources come after workloads.
    compare_into(&mut out, old_others, new_others, options);
    out
}
