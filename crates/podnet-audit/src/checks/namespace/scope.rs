//! What the namespace-strategy checks and the summary share: which
//! namespaces are system namespaces, which workloads came from the input
//! (not the ingress controller or Gateway proxies podnet adds), and
//! whether a workload's pods are isolated per direction.
//!
//! System namespaces (`kube-*`, `*-system`, `openshift*`) hold the
//! platform's own components, which users do not govern like their
//! applications: findings there are at most `info`, and the rules about
//! what every application namespace should have (quota, limit range,
//! disruption budgets, cross-namespace flows) skip them.

use std::collections::{BTreeMap, HashMap, HashSet};

use podnet_engine::Engine;
use podnet_engine::tiers::subject_matches;
use podnet_model::{
    AdminAction, AdminPeer, AdminPolicy, Cluster, Direction, IpSet, NsId, PodId, WorkloadId,
    WorkloadKind,
};

use crate::checks::support::synthesised;
use crate::context::Context;
use crate::finding::Severity;

/// Whether `name` is a system namespace.
pub fn is_system_namespace(name: &str) -> bool {
    name.starts_with("kube-") || name.ends_with("-system") || name.starts_with("openshift")
}

/// A severity, lowered to `info` in a system namespace.
pub fn in_namespace(severity: Severity, system: bool) -> Severity {
    if system { Severity::Info } else { severity }
}

/// Whether a workload's pods are isolated for one direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cover {
    /// Every pod is isolated.
    Isolated,
    /// Some pod is not.
    Open,
    /// Every pod is on the host network: no policy selects it.
    HostNetwork,
    /// No pods (`replicas: 0`).
    NoPods,
}

/// The workloads of the input and their isolation.
pub struct Scope<'c> {
    /// The running cluster.
    pub cluster: &'c Cluster,
    /// Workloads from the input, by namespace, in cluster order.
    pub by_namespace: BTreeMap<NsId, Vec<WorkloadId>>,
    /// Per workload index: ingress and egress isolation (input workloads).
    isolation: HashMap<WorkloadId, [Cover; 2]>,
}

impl<'c> Scope<'c> {
    /// Computes the scope of `ctx`.
    pub fn new(ctx: &Context<'c>) -> Scope<'c> {
        let cluster = ctx.cluster();
        let added: HashSet<WorkloadId> = synthesised(ctx).into_iter().collect();
        let mut by_namespace: BTreeMap<NsId, Vec<WorkloadId>> = BTreeMap::new();
        for w in cluster.workload_ids().filter(|w| !added.contains(w)) {
            by_namespace
                .entry(cluster.workload(w).namespace)
                .or_default()
                .push(w);
        }
        // Per identity, once: pods of one identity are alike to policies.
        let ids = ctx.engine.identities();
        let mut per_identity: HashMap<usize, [bool; 2]> = HashMap::new();
        let mut isolation = HashMap::new();
        for list in by_namespace.values() {
            for &w in list {
                let mut cover = [Cover::NoPods; 2];
                for &p in &cluster.workload(w).pods {
                    let identity = ids.of_pod[p.index()];
                    let host = cluster.pod(p).host_network;
                    let isolated = *per_identity.entry(identity).or_insert_with(|| {
                        [Direction::Ingress, Direction::Egress]
                            .map(|d| pod_isolated(ctx.engine, p, d))
                    });
                    for (i, c) in cover.iter_mut().enumerate() {
                        let this = if host {
                            Cover::HostNetwork
                        } else if isolated[i] {
                            Cover::Isolated
                        } else {
                            Cover::Open
                        };
                        *c = combine(*c, this);
                    }
                }
                isolation.insert(w, cover);
            }
        }
        Scope {
            cluster,
            by_namespace,
            isolation,
        }
    }

    /// The input's workloads.
    pub fn workloads(&self) -> impl Iterator<Item = WorkloadId> + '_ {
        self.by_namespace.values().flatten().copied()
    }

    /// Whether workload `w` is in a system namespace.
    pub fn system(&self, w: WorkloadId) -> bool {
        let ns = self.cluster.workload(w).namespace;
        is_system_namespace(&self.cluster.namespace(ns).name)
    }

    /// Ingress and egress isolation of an input workload.
    pub fn isolation(&self, w: WorkloadId) -> [Cover; 2] {
        self.isolation
            .get(&w)
            .copied()
            .unwrap_or([Cover::NoPods; 2])
    }

    /// The replica count a workload runs: declared, else its pods; `None`
    /// for kinds a disruption budget does not protect (DaemonSets, Jobs,
    /// CronJobs, bare Pods).
    pub fn replicas(&self, w: WorkloadId) -> Option<u32> {
        let wl = self.cluster.workload(w);
        match wl.kind {
            WorkloadKind::Deployment
            | WorkloadKind::StatefulSet
            | WorkloadKind::ReplicaSet
            | WorkloadKind::ReplicationController
            | WorkloadKind::Other(_) => Some(
                wl.replicas
                    .unwrap_or_else(|| u32::try_from(wl.pods.len()).unwrap_or(u32::MAX)),
            ),
            _ => None,
        }
    }
}

/// Pods of mixed isolation are open; host-network pods only count when
/// every pod is.
fn combine(acc: Cover, this: Cover) -> Cover {
    match (acc, this) {
        (Cover::NoPods, t) => t,
        (Cover::Open, _) | (_, Cover::Open) => Cover::Open,
        (Cover::HostNetwork, Cover::HostNetwork) => Cover::HostNetwork,
        _ => Cover::Isolated,
    }
}

/// Whether pod `p` is isolated for `dir`: a NetworkPolicy selects it for
/// that direction, or an admin or baseline policy selecting it denies by
/// default (a Deny rule whose peer is every pod or every address).
pub fn pod_isolated(engine: &Engine<'_>, p: PodId, dir: Direction) -> bool {
    // NetworkPolicy's isolation is the engine's, per identity (the same
    // answer as `semantics::isolating_policies` for every pod of it).
    if engine.compiled().direction(dir).isolated[engine.identity_of(p)] {
        return true;
    }
    let cluster = engine.cluster();
    cluster
        .admin_policies
        .iter()
        .any(|a| subject_matches(cluster, &a.subject, p) && denies_by_default(a, dir))
}

fn denies_by_default(a: &AdminPolicy, dir: Direction) -> bool {
    let everywhere = |set: &IpSet| {
        ["0.0.0.0/0", "::/0"].iter().any(|n| {
            n.parse::<ipnet::IpNet>()
                .is_ok_and(|net| IpSet::from_net(&net).is_subset(set))
        })
    };
    a.rules(dir).iter().any(|r| {
        r.action == AdminAction::Deny
            && r.peers.iter().any(|peer| match peer {
                AdminPeer::Namespaces(ns) => ns.is_empty(),
                AdminPeer::Pods(np) => np.namespaces.is_empty() && np.pods.is_empty(),
                AdminPeer::Networks(set) => everywhere(set),
                AdminPeer::Nodes(_) => false,
            })
    })
}
