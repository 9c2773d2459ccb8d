//! The readable spec of the cluster-scoped tiers (sig-network policy API:
//! AdminNetworkPolicy/BaselineAdminNetworkPolicy v1alpha1, and
//! ClusterNetworkPolicy v1alpha2), for one direction of one flow:
//!
//! 1. Admin tier: policies whose `subject` selects the pod (never a
//!    host-network pod), by `priority` (lower first; equal priorities in
//!    input order, which the API leaves undefined), rules in order. The
//!    first rule whose peer matches decides each connection: Allow/Accept
//!    and Deny are final, Pass hands it to NetworkPolicy.
//! 2. NetworkPolicy decides what the Admin tier passed or left: if a
//!    NetworkPolicy selects the pod for the direction, it allows what its
//!    rules allow and denies the rest (no further tier).
//! 3. Baseline tier, only for pods no NetworkPolicy selects: the same
//!    first-match walk (a v1alpha2 Baseline Pass skips to the default).
//! 4. The default: allowed.
//!
//! Networks peers match pod addresses too (API: "cluster-internal traffic
//! will be checked against the rule as well"); nodes peers match the
//! addresses of the selected nodes (so host-network pods on them too).

use std::net::IpAddr;

use podnet_model::{
    AdminAction, AdminPeer, AdminPolicy, AdminSubject, Cluster, Conns, Direction, PodId, Tier,
};

use crate::admin_ports::admin_rule_ports;
use crate::verdict::{Endpoint, TierReason, Tiers};

/// Whether `subject` selects pod `p`.
pub fn subject_matches(cluster: &Cluster, subject: &AdminSubject, p: PodId) -> bool {
    match subject {
        AdminSubject::Namespaces(ns) => selects_pod(cluster, ns, None, p),
        AdminSubject::Pods(np) => selects_pod(cluster, &np.namespaces, Some(&np.pods), p),
    }
}

/// Whether pod `p` (never a host-network one) is in a namespace `ns`
/// selects and, when given, matches `pods`.
fn selects_pod(
    cluster: &Cluster,
    ns: &podnet_model::LabelSelector,
    pods: Option<&podnet_model::LabelSelector>,
    p: PodId,
) -> bool {
    let pod = cluster.pod(p);
    !cluster.is_node_traffic(pod)
        && ns.matches(&cluster.namespace(pod.namespace).labels)
        && pods.is_none_or(|sel| sel.matches(cluster.pod_labels(p)))
}

/// The addresses of the nodes `sel` selects.
pub fn node_addresses(cluster: &Cluster, sel: &podnet_model::LabelSelector) -> Vec<IpAddr> {
    cluster
        .nodes
        .iter()
        .filter(|n| sel.matches(&n.labels))
        .flat_map(|n| n.internal_ips.iter().chain(&n.external_ips).copied())
        .collect()
}

/// Whether a rule's peer matches the other end of the flow.
pub fn peer_matches(cluster: &Cluster, peer: &AdminPeer, other: Endpoint) -> bool {
    let addresses = || match other {
        Endpoint::External(ip) => vec![ip],
        Endpoint::Pod(p) => cluster.pod(p).ips.clone(),
    };
    match peer {
        AdminPeer::Namespaces(ns) => {
            matches!(other, Endpoint::Pod(p) if selects_pod(cluster, ns, None, p))
        }
        AdminPeer::Pods(np) => {
            matches!(other, Endpoint::Pod(p) if selects_pod(cluster, &np.namespaces, Some(&np.pods), p))
        }
        AdminPeer::Networks(set) => addresses().iter().any(|&a| set.contains(a)),
        AdminPeer::Nodes(sel) => {
            let nodes = node_addresses(cluster, sel);
            addresses().iter().any(|a| nodes.contains(a))
        }
    }
}

/// The policies of `tier` with `dir` rules selecting `subject`, in
/// evaluation order (a policy without rules for a direction does not
/// affect it).
pub fn ordered(cluster: &Cluster, tier: Tier, dir: Direction, subject: PodId) -> Vec<usize> {
    let mut out: Vec<usize> = cluster
        .admin_policies
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            p.tier == tier
                && !p.rules(dir).is_empty()
                && subject_matches(cluster, &p.subject, subject)
        })
        .map(|(i, _)| i)
        .collect();
    out.sort_by_key(|&i| (priority_key(&cluster.admin_policies[i]), i));
    out
}

/// Lower first; the BANP, without priority, after every Baseline CNP.
pub fn priority_key(p: &AdminPolicy) -> u32 {
    p.priority.unwrap_or(u32::MAX)
}

/// One tier's first-match walk over `scope`: what each matching rule
/// decided, and what it left undecided.
fn walk(
    cluster: &Cluster,
    policies: &[usize],
    dir: Direction,
    peer: Endpoint,
    destination: Endpoint,
    mut scope: Conns,
) -> (Vec<TierReason>, Conns) {
    let mut reasons = Vec::new();
    for &i in policies {
        let policy = &cluster.admin_policies[i];
        for (r, rule) in policy.rules(dir).iter().enumerate() {
            if scope.is_empty() {
                return (reasons, scope);
            }
            if !rule.peers.iter().any(|p| peer_matches(cluster, p, peer)) {
                continue;
            }
            let ports = admin_rule_ports(rule.ports.as_deref());
            let conns = match destination {
                Endpoint::Pod(p) => ports.on_pod(cluster.pod_ports(p)),
                Endpoint::External(_) => ports.off_cluster().clone(),
            };
            let decided = conns.intersection(&scope);
            if decided.is_empty() {
                continue;
            }
            scope = scope.difference(&decided);
            reasons.push(TierReason {
                policy: i,
                rule: r,
                action: rule.action,
                conns: decided,
            });
        }
    }
    (reasons, scope)
}

/// The tiers for one direction of a flow. `np_isolated` and `np_allowed`
/// are NetworkPolicy's verdict for the direction. `None` when no admin or
/// baseline policy selects the subject (NetworkPolicy alone decides).
pub fn evaluate_tiers(
    cluster: &Cluster,
    dir: Direction,
    subject: Endpoint,
    peer: Endpoint,
    np_isolated: bool,
    np_allowed: &Conns,
) -> Option<(Tiers, Conns)> {
    let Endpoint::Pod(s) = subject else {
        return None;
    };
    let admin = ordered(cluster, Tier::Admin, dir, s);
    let baseline = ordered(cluster, Tier::Baseline, dir, s);
    if admin.is_empty() && baseline.is_empty() {
        return None;
    }
    let destination = match dir {
        Direction::Ingress => subject,
        Direction::Egress => peer,
    };
    let (admin_reasons, left) = walk(cluster, &admin, dir, peer, destination, Conns::all());
    let mut allowed = Conns::none();
    let mut np_scope = left;
    for r in &admin_reasons {
        match r.action {
            AdminAction::Allow => allowed.add(&r.conns),
            AdminAction::Pass => np_scope.add(&r.conns),
            AdminAction::Deny => {}
        }
    }
    let (baseline_reasons, default) = if np_isolated {
        allowed.add(&np_scope.intersection(np_allowed));
        (Vec::new(), Conns::none())
    } else {
        let (reasons, left) = walk(cluster, &baseline, dir, peer, destination, np_scope.clone());
        for r in &reasons {
            // A Baseline Pass (v1alpha2) skips to the default: allowed.
            if matches!(r.action, AdminAction::Allow | AdminAction::Pass) {
                allowed.add(&r.conns);
            }
        }
        allowed.add(&left);
        (reasons, left)
    };
    Some((
        Tiers {
            admin: admin_reasons,
            np_scope,
            np_applies: np_isolated,
            baseline: baseline_reasons,
            default,
        },
        allowed,
    ))
}
