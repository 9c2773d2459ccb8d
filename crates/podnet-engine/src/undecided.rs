//! Connections the input cannot decide, workload by workload (for
//! `connlist`): every pair of pods where a NetworkPolicy rule's peer meets
//! what the input does not say ([`peer_unknown`]), or its named port meets
//! a destination workload whose pods do not all define it alike
//! ([`named_port_gaps`]), is judged by the readable spec for workloads
//! ([`evaluate_workloads`]), and its
//! [`Verdict::unknown`](crate::Verdict::unknown) is reported with the rules
//! behind it. One pod stands for each identity of each workload.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use podnet_model::policy::PeerKind;
use podnet_model::{Conns, Direction, NsId, PodId, WorkloadId};

use crate::matrix::Engine;
use crate::semantics::{evaluate_workloads, named_port_gaps, peer_unknown, peers_may_match};
use crate::verdict::{Endpoint, Undecided};

/// At most this many pairs of pods are judged; past it the list is cut
/// ([`UndecidedFlows::truncated`]).
pub const MAX_PAIRS: usize = 100_000;

/// The readable spec judges a pair by looking at every NetworkPolicy, so
/// the pairs judged are also bounded by this many policy looks in all: a
/// cluster with 40,000 policies has 1,250 pairs judged, and the list says
/// it is cut. This keeps `connlist -o json` within the model's time on
/// 100k-pod clusters.
pub const POLICY_LOOKS: usize = 50_000_000;

/// How many pairs of pods may be judged in a cluster of `policies`
/// NetworkPolicies.
fn pair_budget(policies: usize) -> usize {
    MAX_PAIRS.min(POLICY_LOOKS / policies.max(1))
}

/// Connections between two workloads that the input cannot decide for
/// some pair of their pods.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UndecidedFlow {
    /// The source workload.
    pub src: WorkloadId,
    /// The destination workload.
    pub dst: WorkloadId,
    /// The connections unknown for some pair of their pods (another pair
    /// may allow some of them for sure).
    pub conns: Conns,
    /// The rules whose verdict is open, by direction.
    pub rules: Vec<(Direction, Undecided)>,
}

/// Every undecided connection between workloads of the pod network.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UndecidedFlows {
    /// By source, then destination workload.
    pub flows: Vec<UndecidedFlow>,
    /// Whether more than [`MAX_PAIRS`] pairs of pods were candidates, so
    /// that some were not judged.
    pub truncated: bool,
}

/// The pairs of pods (one per identity and workload) that a rule with an
/// undecidable peer may judge: the policy's subjects with the peer's
/// undecidable pods. Gathering stops past `limit` pairs; the flag says so.
fn candidates(engine: &Engine<'_>, limit: usize) -> (BTreeSet<(PodId, PodId)>, bool) {
    let cluster = engine.cluster;
    let mut seen = BTreeSet::new();
    let reps: Vec<PodId> = cluster
        .pod_ids()
        .filter(|p| {
            seen.insert((
                engine.identities.of_pod[p.index()],
                cluster.pod(*p).workload,
            ))
        })
        .collect();
    // Only pods with assumed addresses can leave an ipBlock open, only pods
    // of undeclared namespaces a namespaceSelector (see [`peer_unknown`]).
    let assumed: Vec<PodId> = reps
        .iter()
        .copied()
        .filter(|&p| {
            let pod = cluster.pod(p);
            pod.ips_assumed && !pod.ips.is_empty()
        })
        .collect();
    let undeclared: Vec<PodId> = reps
        .iter()
        .copied()
        .filter(|&p| {
            cluster
                .namespace(cluster.pod(p).namespace)
                .declared
                .is_none()
        })
        .collect();
    // Only workloads whose pods have different container ports can leave
    // a named port open (see [`named_port_gaps`]).
    let varied: HashSet<WorkloadId> = cluster
        .workload_ids()
        .filter(|&w| {
            let pods = &cluster.workload(w).pods;
            pods.iter()
                .any(|&p| cluster.pod(p).ports != cluster.pod(pods[0]).ports)
        })
        .collect();
    let mut pairs = BTreeSet::new();
    if assumed.is_empty() && undeclared.is_empty() && varied.is_empty() {
        return (pairs, false);
    }
    let mut by_namespace: HashMap<NsId, Vec<PodId>> = HashMap::new();
    for &p in &reps {
        by_namespace
            .entry(cluster.pod(p).namespace)
            .or_default()
            .push(p);
    }
    for policy in &cluster.policies {
        let subjects: Vec<PodId> = by_namespace
            .get(&policy.namespace)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&s| {
                let pod = cluster.pod(s);
                !cluster.is_node_traffic(pod) && policy.pod_selector.matches(cluster.pod_labels(s))
            })
            .collect();
        if subjects.is_empty() {
            continue;
        }
        for dir in [Direction::Ingress, Direction::Egress] {
            if !policy.affects(dir) {
                continue;
            }
            for rule in policy.rules(dir) {
                if !varied.is_empty()
                    && named_port_pairs(
                        engine, &reps, &varied, policy, rule, dir, &subjects, &mut pairs, limit,
                    )
                {
                    return (pairs, true);
                }
                for peer in &rule.peers {
                    let pool = match &peer.kind {
                        PeerKind::IpBlock(_) => &assumed,
                        PeerKind::Pods { .. } => &undeclared,
                    };
                    let others = pool
                        .iter()
                        .copied()
                        .filter(|&o| peer_unknown(cluster, &peer.kind, Endpoint::Pod(o)).is_some());
                    for o in others {
                        for &s in &subjects {
                            let pair = match dir {
                                Direction::Ingress => (o, s),
                                Direction::Egress => (s, o),
                            };
                            if pair.0 != pair.1 {
                                pairs.insert(pair);
                                if pairs.len() > limit {
                                    return (pairs, true);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    (pairs, false)
}

/// Adds the pairs of pods where `rule` of `policy` (selecting `subjects`
/// for `dir`) may allow a named port that the destination's workload (in
/// `varied`) does not define alike on all its pods; `true` once past
/// `limit` pairs.
#[allow(clippy::too_many_arguments)]
fn named_port_pairs(
    engine: &Engine<'_>,
    reps: &[PodId],
    varied: &HashSet<WorkloadId>,
    policy: &podnet_model::NetworkPolicy,
    rule: &podnet_model::PolicyRule,
    dir: Direction,
    subjects: &[PodId],
    pairs: &mut BTreeSet<(PodId, PodId)>,
    limit: usize,
) -> bool {
    let cluster = engine.cluster;
    let open = |d: PodId| {
        varied.contains(&cluster.pod(d).workload)
            && !named_port_gaps(cluster, &rule.ports, d).is_empty()
    };
    let may_match = |o: PodId| peers_may_match(cluster, policy, &rule.peers, Endpoint::Pod(o));
    let mut add = |pair: (PodId, PodId)| {
        if pair.0 != pair.1 {
            pairs.insert(pair);
        }
        pairs.len() > limit
    };
    match dir {
        Direction::Ingress => {
            for &d in subjects.iter().filter(|&&d| open(d)) {
                for &s in reps.iter().filter(|&&s| may_match(s)) {
                    if add((s, d)) {
                        return true;
                    }
                }
            }
        }
        Direction::Egress => {
            for &d in reps.iter().filter(|&&d| open(d) && may_match(d)) {
                for &s in subjects {
                    if add((s, d)) {
                        return true;
                    }
                }
            }
        }
    }
    false
}

/// The undecided connections between workloads.
pub fn undecided_flows(engine: &Engine<'_>) -> UndecidedFlows {
    let cluster = engine.cluster;
    let limit = pair_budget(cluster.policies.len());
    let (pairs, truncated) = candidates(engine, limit);
    let mut by_workloads: BTreeMap<(WorkloadId, WorkloadId), UndecidedFlow> = BTreeMap::new();
    for (s, d) in pairs.into_iter().take(limit) {
        let v = evaluate_workloads(cluster, Endpoint::Pod(s), Endpoint::Pod(d));
        if v.unknown.is_empty() {
            continue;
        }
        let key = (cluster.pod(s).workload, cluster.pod(d).workload);
        if key.0 == key.1 {
            continue;
        }
        let flow = by_workloads.entry(key).or_insert_with(|| UndecidedFlow {
            src: key.0,
            dst: key.1,
            conns: Conns::none(),
            rules: Vec::new(),
        });
        flow.conns.add(&v.unknown);
        let open = [
            (Direction::Egress, v.egress.undecided),
            (Direction::Ingress, v.ingress.undecided),
        ];
        for (dir, undecided) in open {
            for u in undecided {
                let known = flow.rules.iter().any(|(d, r)| {
                    *d == dir
                        && r.policy == u.policy
                        && r.rule == u.rule
                        && r.peer == u.peer
                        && r.reason == u.reason
                });
                if !known {
                    flow.rules.push((dir, u));
                }
            }
        }
    }
    UndecidedFlows {
        flows: by_workloads.into_values().collect(),
        truncated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pairs_judged_follow_the_policy_count() {
        // Each judged pair looks at every policy: the product stays within
        // POLICY_LOOKS, and small clusters keep MAX_PAIRS.
        for (policies, pairs) in [
            (0, MAX_PAIRS),
            (400, MAX_PAIRS),
            (4_000, 12_500),
            (40_000, 1_250),
        ] {
            assert_eq!(pair_budget(policies), pairs, "{policies} policies");
            assert!(pair_budget(policies) * policies <= POLICY_LOOKS);
        }
    }
}
