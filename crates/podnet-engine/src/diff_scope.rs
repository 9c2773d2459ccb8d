//! Which workloads a change can touch: `diff` compares only the flows with
//! one of them at an end, and counts the others as unchanged.
//!
//! A pod-network flow between two workloads is decided by the two
//! workloads' pods (labels, ports, addresses, host network, node), their
//! namespaces' labels, the policies that select either of them (API
//! reference, NetworkPolicySpec: a policy applies to the pods its
//! `podSelector` selects, in its direction) and what applies to the whole
//! cluster (admin policies, nodes, pools, the profile, the host-network
//! choice). So a workload is touched when its pods or namespace differ,
//! or when a NetworkPolicy that differs (added, removed or edited) selects
//! it on either side; a flow between two untouched workloads is the same
//! on both sides. When anything cluster-wide differs, every workload is
//! touched (`None`).

use std::collections::{HashMap, HashSet};

use podnet_model::{Cluster, NetworkPolicy, PolicyRule, WorkloadId};

use crate::connlist::{Connection, Scope, rows};
use crate::diff::{Diff, DiffOptions};
use crate::diff_rows::{DiffSide, Untouched, diff_rows};
use crate::flow_count::FlowCounter;
use crate::matrix::Engine;

/// One side of [`diff_engines`].
pub struct EngineSide<'a, 'c> {
    /// The engine, on the side's cluster.
    pub engine: &'a Engine<'c>,
    /// Workloads left out (podnet's own additions).
    pub hidden: Vec<WorkloadId>,
    /// The workloads listed (with pods, not podnet's own), ascending.
    pub workloads: Vec<WorkloadId>,
    /// Every connection but those between workloads on the pod network
    /// ([`DiffSide::rest`]).
    pub rest: Vec<Connection>,
}

/// What changed from `old` to `new`, source by source: flows with a
/// touched workload at an end are compared; the others are counted as
/// unchanged from the new side. Listing kept flows, matching workloads
/// across namespaces, or a cluster-wide change compares every flow.
pub fn diff_engines(
    old: EngineSide<'_, '_>,
    new: EngineSide<'_, '_>,
    options: DiffOptions,
) -> Diff {
    let touched = (!options.list_unchanged && !options.ignore_namespace)
        .then(|| touched_workloads(old.engine, new.engine))
        .flatten();
    let (old_focus, new_focus) = match &touched {
        Some(t) => (Some(t.old.clone()), Some(t.new.clone())),
        None => (None, None),
    };
    let stream = |engine, focus, hidden: &[WorkloadId]| {
        rows(
            engine,
            Scope {
                focus,
                hidden: hidden.to_vec(),
            },
        )
    };
    let old_stream = stream(old.engine, old_focus, &old.hidden);
    let new_stream = stream(new.engine, new_focus, &new.hidden);
    let new_whole = stream(new.engine, None, &new.hidden);
    let touched_new: &[WorkloadId] = touched.as_ref().map_or(&[], |t| &t.new);
    let counter = FlowCounter::excluding(&new_whole, touched_new);
    let untouched = |w: WorkloadId| counter.is_counted(w).then(|| counter.count(w));
    let old_rows = |w: WorkloadId| old_stream.source_flows(w);
    let new_rows = |w: WorkloadId| new_stream.source_flows(w);
    diff_rows(
        &DiffSide {
            cluster: old.engine.cluster(),
            workloads: old.workloads,
            rows: &old_rows,
            conns: old.engine.conns(),
            rest: old.rest,
        },
        &DiffSide {
            cluster: new.engine.cluster(),
            workloads: new.workloads,
            rows: &new_rows,
            conns: new.engine.conns(),
            rest: new.rest,
        },
        options,
        touched.is_some().then_some(&untouched as Untouched<'_>),
    )
}

/// An admin policy's name and what it says.
type AdminContent<'a> = (
    &'a String,
    (
        &'a podnet_model::admin::AdminApi,
        &'a podnet_model::admin::Tier,
        &'a Option<u32>,
        &'a podnet_model::admin::AdminSubject,
        &'a Vec<podnet_model::admin::AdminRule>,
        &'a Vec<podnet_model::admin::AdminRule>,
    ),
);

/// A workload by namespace, name and kind, the same on both sides.
type Key<'a> = (&'a str, &'a str, &'a str);

/// The touched workloads of each side, ascending.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Touched {
    /// Of the old cluster.
    pub old: Vec<WorkloadId>,
    /// Of the new cluster.
    pub new: Vec<WorkloadId>,
}

/// The workloads a change from `old` to `new` can touch; `None` when
/// something cluster-wide changed, so that every flow may have.
pub fn touched_workloads(old: &Engine<'_>, new: &Engine<'_>) -> Option<Touched> {
    let (a, b) = (old.cluster(), new.cluster());
    if !same_cluster_wide(a, b) {
        return None;
    }
    let (facts_a, facts_b) = (workload_facts(a), workload_facts(b));
    let mut touched: HashSet<Key<'_>> = HashSet::new();
    for (key, facts) in &facts_a {
        if facts_b.get(key) != Some(facts) {
            touched.insert(*key);
        }
    }
    touched.extend(facts_b.keys().filter(|k| !facts_a.contains_key(*k)));
    let (policies_a, policies_b) = (policies_by_key(a), policies_by_key(b));
    for (key, policy) in &policies_a {
        if policies_b
            .get(key)
            .is_none_or(|other| !same_policy(policy, other))
        {
            touched.extend(subject_keys(old, policy));
        }
    }
    for (key, policy) in &policies_b {
        if policies_a
            .get(key)
            .is_none_or(|other| !same_policy(policy, other))
        {
            touched.extend(subject_keys(new, policy));
        }
    }
    let ids = |c: &Cluster| -> Vec<WorkloadId> {
        c.workload_ids()
            .filter(|&w| touched.contains(&key_of(c, w)))
            .collect()
    };
    Some(Touched {
        old: ids(a),
        new: ids(b),
    })
}

fn key_of(c: &Cluster, w: WorkloadId) -> Key<'_> {
    let wl = c.workload(w);
    (
        c.namespace(wl.namespace).name.as_str(),
        wl.name.as_str(),
        wl.kind.as_str(),
    )
}

/// Whether what applies to every workload is the same: admin policies
/// (their content; where they were read does not count), nodes, pools,
/// the profile, the host-network choice and the written pod CIDRs.
fn same_cluster_wide(a: &Cluster, b: &Cluster) -> bool {
    fn admin(c: &Cluster) -> Vec<AdminContent<'_>> {
        let mut list: Vec<AdminContent<'_>> = c
            .admin_policies
            .iter()
            .map(|p| {
                (
                    &p.meta.name,
                    (
                        &p.api,
                        &p.tier,
                        &p.priority,
                        &p.subject,
                        &p.ingress,
                        &p.egress,
                    ),
                )
            })
            .collect();
        list.sort_by(|x, y| x.0.cmp(y.0));
        list
    }
    let nodes = |c: &Cluster| format!("{:?}", (&c.nodes, &c.pools, &c.profile));
    admin(a) == admin(b)
        && a.host_network_mode == b.host_network_mode
        && a.pod_cidrs == b.pod_cidrs
        && nodes(a) == nodes(b)
}

/// What decides a workload's flows on its side: its namespace (labels,
/// whether declared) and its pods by name (labels, ports, addresses,
/// host network, node).
#[derive(PartialEq)]
struct Facts<'a> {
    namespace_labels: &'a podnet_model::Labels,
    namespace_declared: bool,
    pods: Vec<PodFacts<'a>>,
}

#[derive(PartialEq)]
struct PodFacts<'a> {
    name: &'a str,
    labels: &'a podnet_model::Labels,
    ports: &'a [podnet_model::ContainerPort],
    ips: &'a [std::net::IpAddr],
    ips_assumed: bool,
    host_network: bool,
    node: Option<&'a str>,
    net: &'a podnet_model::PodNet,
}

fn workload_facts(c: &Cluster) -> HashMap<Key<'_>, Facts<'_>> {
    c.workload_ids()
        .map(|w| {
            let wl = c.workload(w);
            let ns = c.namespace(wl.namespace);
            let mut pods: Vec<PodFacts<'_>> = wl
                .pods
                .iter()
                .map(|&p| {
                    let pod = c.pod(p);
                    PodFacts {
                        name: &pod.name,
                        labels: &c.label_sets[pod.labels.index()],
                        ports: &c.port_tables[pod.ports.index()],
                        ips: &pod.ips,
                        ips_assumed: pod.ips_assumed,
                        host_network: pod.host_network,
                        node: pod.node_name.as_deref(),
                        net: &pod.net,
                    }
                })
                .collect();
            pods.sort_by(|x, y| x.name.cmp(y.name));
            let facts = Facts {
                namespace_labels: &ns.labels,
                namespace_declared: ns.declared.is_some(),
                pods,
            };
            (key_of(c, w), facts)
        })
        .collect()
}

fn policies_by_key(c: &Cluster) -> HashMap<(&str, &str), &NetworkPolicy> {
    c.policies
        .iter()
        .map(|p| {
            (
                (c.namespace(p.namespace).name.as_str(), p.meta.name.as_str()),
                p,
            )
        })
        .collect()
}

/// Whether two policies of one namespace and name mean the same (where
/// their rules were read does not count).
fn same_policy(a: &NetworkPolicy, b: &NetworkPolicy) -> bool {
    let rules = |x: &[PolicyRule], y: &[PolicyRule]| {
        x.len() == y.len()
            && x.iter().zip(y).all(|(r, s)| {
                r.ports == s.ports
                    && r.peers.len() == s.peers.len()
                    && r.peers.iter().zip(&s.peers).all(|(p, q)| p.kind == q.kind)
            })
    };
    a.pod_selector == b.pod_selector
        && a.affects_ingress == b.affects_ingress
        && a.affects_egress == b.affects_egress
        && rules(&a.ingress, &b.ingress)
        && rules(&a.egress, &b.egress)
}

/// The workloads `policy` selects in `engine`'s cluster.
fn subject_keys<'c>(engine: &Engine<'c>, policy: &NetworkPolicy) -> Vec<Key<'c>> {
    let cluster = engine.cluster();
    engine
        .policy_subjects(policy)
        .into_iter()
        .flat_map(|i| engine.identities().list[i].workloads.iter().copied())
        .map(|w| key_of(cluster, w))
        .collect()
}
