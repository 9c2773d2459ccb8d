//! Workload connectivity: identity results aggregated to the workloads
//! people deploy, plus outside address ranges, in a stable order.
//!
//! A workload's connection to another is the union over their pods' (a
//! workload whose pods have different labels is reported as one: "some pod
//! of A reaches some pod of B on these ports"). Self connections are
//! omitted. Outside addresses are grouped by what they may do and merged
//! into the fewest ranges.

use std::collections::HashMap;

use podnet_model::{Conns, IpSet, WorkloadId};
use rayon::prelude::*;

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

/// Computes the connectivity of every workload.
pub fn connlist(engine: &Engine<'_>) -> ConnList {
    let mut pairs: HashMap<(WorkloadId, WorkloadId), Conns> = HashMap::new();
    for p in engine.identity_pairs() {
        let srcs = &engine.identities.list[p.src].workloads;
        let dsts = &engine.identities.list[p.dst].workloads;
        for &s in srcs {
            for &d in dsts {
                if s != d {
                    pairs.entry((s, d)).or_default().add(&p.conns);
                }
            }
        }
    }
    let mut connections: Vec<Connection> = pairs
        .into_iter()
        .map(|((s, d), conns)| Connection {
            src: PeerRef::Workload(s),
            dst: PeerRef::Workload(d),
            conns,
            network: None,
        })
        .collect();
    connections.extend(external(engine));
    connections.sort_by(|a, b| (&a.src, &a.dst).cmp(&(&b.src, &b.dst)));
    ConnList { connections }
}

/// Connections between workloads and outside addresses.
fn external(engine: &Engine<'_>) -> Vec<Connection> {
    let cluster = engine.cluster;
    cluster
        .workload_ids()
        .collect::<Vec<_>>()
        .into_par_iter()
        .flat_map_iter(|w| {
            let identities: Vec<usize> = {
                let mut ids: Vec<usize> = cluster
                    .workload(w)
                    .pods
                    .iter()
                    .map(|p| engine.identities.of_pod[p.index()])
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                ids
            };
            let ingress = merge_groups(
                identities.iter().map(|&i| engine.external_ingress(i)),
                engine.atoms.len(),
            );
            let egress = merge_groups(
                identities.iter().map(|&i| engine.external_egress(i)),
                engine.atoms.len(),
            );
            let into = ingress.into_iter().map(move |(atoms, conns)| Connection {
                src: PeerRef::External(engine.atoms_to_ipset(&atoms)),
                dst: PeerRef::Workload(w),
                conns,
                network: None,
            });
            let out = egress.into_iter().map(move |(atoms, conns)| Connection {
                src: PeerRef::Workload(w),
                dst: PeerRef::External(engine.atoms_to_ipset(&atoms)),
                conns,
                network: None,
            });
            into.chain(out).collect::<Vec<_>>()
        })
        .collect()
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
