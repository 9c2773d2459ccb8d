//! The readable spec of NetworkPolicy (networking.k8s.io/v1), one flow at a
//! time, straight from the API reference and the concept page
//! <https://kubernetes.io/docs/concepts/services-networking/network-policies/>:
//!
//! * A pod is isolated for a direction when a NetworkPolicy selects it
//!   (`podSelector` in the policy's namespace) and has that direction in
//!   its `policyTypes`. Otherwise everything is allowed in that direction.
//! * An isolated pod allows what at least one rule of one of those policies
//!   allows: policies add up, no order, no deny.
//! * A rule allows traffic from/to a peer matching one of its `from`/`to`
//!   entries (none means any) on one of its `ports` (none means all).
//! * A connection is allowed when the source's egress and the destination's
//!   ingress both allow it.
//! * Host-network pods are never selected by pod or namespace selectors
//!   (the common behaviour the docs allow); ipBlocks match them by address.
//!   Under [`podnet_model::HostNetworkMode::Pod`] they are selected like
//!   any pod instead.
//! * Three-valued verdicts: where a rule's peer meets what the input does
//!   not say (an ipBlock against an address podnet assumed, a
//!   `namespaceSelector` on the labels of a namespace without a Namespace
//!   object), the rule is undecided and the connections it would change
//!   are `unknown` ([`Verdict::unknown`]).
//! * Named ports asked of a workload ([`evaluate_workloads`]): when the
//!   destination's workload has pods that do not all define a rule's named
//!   port alike, the connections only some of them give are `unknown`.
//! * Traffic from a pod's own node (a host-network pod on it, under
//!   [`podnet_model::HostNetworkMode::Node`]) is always allowed into the
//!   pod.
//!
//! This module favours clarity over speed; the engine's fast path must agree
//! with it on every flow.

use podnet_model::cluster::NAMESPACE_NAME_LABEL;
use podnet_model::policy::{IpBlock, PeerKind};
use podnet_model::{
    Cluster, Conns, Direction, IpSet, NamespaceScope, NetworkPolicy, Peer, Pod, PodId, PolicyId,
    PortSpec, PortTableId, Requirement,
};

use crate::ports::{RulePorts, named_port};
use crate::tiers::evaluate_tiers;
use crate::verdict::{
    Endpoint, Isolation, PeerMiss, Reason, RuleOutcome, Side, Undecided, Unknown, Verdict,
};

/// What the destination of a flow stands for when its named ports are
/// resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum View {
    /// The pod itself: its own container ports decide.
    Pod,
    /// Its workload: a named port its pods do not all define alike is
    /// undecided ([`Unknown::NamedPort`]).
    Workload,
}

/// The verdict for traffic from `src` to `dst`, the destination pod's own
/// container ports resolving named ports.
pub fn evaluate(cluster: &Cluster, src: Endpoint, dst: Endpoint) -> Verdict {
    evaluate_in(cluster, src, dst, View::Pod)
}

/// The verdict for traffic from `src` to `dst` where `dst` stands for its
/// workload (`connlist`, `explain` between workloads, `verify`): API
/// reference, NetworkPolicyPort, `port` "can be either a numerical or named
/// port on a pod", so a named port means what each destination pod
/// defines. When the pods of `dst`'s workload do not all define it alike
/// (a live dump during a rollout; pods from one template always do), the
/// connections some of them give and others not are undecided
/// ([`Unknown::NamedPort`]), even for a pod that defines them.
pub fn evaluate_workloads(cluster: &Cluster, src: Endpoint, dst: Endpoint) -> Verdict {
    evaluate_in(cluster, src, dst, View::Workload)
}

fn evaluate_in(cluster: &Cluster, src: Endpoint, dst: Endpoint, view: View) -> Verdict {
    let egress = side(cluster, Direction::Egress, src, dst, view);
    let mut ingress = side(cluster, Direction::Ingress, dst, src, view);
    if from_own_node(cluster, src, dst) {
        ingress.allowed = Conns::all();
        ingress.from_own_node = true;
        ingress.undecided.clear();
    }
    let conns = egress.allowed.intersection(&ingress.allowed);
    let sure = egress
        .surely_allowed()
        .intersection(&ingress.surely_allowed());
    let unknown = egress
        .possibly_allowed()
        .intersection(&ingress.possibly_allowed())
        .difference(&sure);
    Verdict {
        egress,
        ingress,
        conns,
        unknown,
    }
}

/// Whether `src` is a host-network pod on the node `dst` runs on: the
/// concept page, "The two sorts of pod isolation": "When a pod is isolated
/// for ingress, the only allowed connections into the pod are those from
/// the pod's node and those allowed by the ingress list of some
/// NetworkPolicy", so such traffic is always allowed, whatever the
/// destination's policies say.
pub fn from_own_node(cluster: &Cluster, src: Endpoint, dst: Endpoint) -> bool {
    let (Endpoint::Pod(s), Endpoint::Pod(d)) = (src, dst) else {
        return false;
    };
    let (s, d) = (cluster.pod(s), cluster.pod(d));
    cluster.is_node_traffic(s) && s.node_name.is_some() && s.node_name == d.node_name
}

/// The policies that select `subject` and affect `dir`.
pub fn isolating_policies(cluster: &Cluster, dir: Direction, subject: Endpoint) -> Isolation {
    let Endpoint::Pod(pod_id) = subject else {
        return Isolation::OutsideCluster;
    };
    let pod = cluster.pod(pod_id);
    if cluster.is_node_traffic(pod) {
        return Isolation::HostNetwork;
    }
    let labels = cluster.pod_labels(pod_id);
    let policies: Vec<PolicyId> = cluster
        .policies
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            p.namespace == pod.namespace && p.affects(dir) && p.pod_selector.matches(labels)
        })
        .map(|(i, _)| PolicyId::from_index(i))
        .collect();
    if policies.is_empty() {
        Isolation::NotSelected
    } else {
        Isolation::Isolated(policies)
    }
}

/// One direction: the cluster-scoped tiers and `subject`'s NetworkPolicies
/// judging traffic with `peer` (see [`crate::tiers`] for the layering).
fn side(cluster: &Cluster, dir: Direction, subject: Endpoint, peer: Endpoint, view: View) -> Side {
    let mut side = np_side(cluster, dir, subject, peer, view);
    if cluster.admin_policies.is_empty() {
        return side;
    }
    let np_isolated = matches!(side.isolation, Isolation::Isolated(_));
    if let Some((tiers, allowed)) =
        evaluate_tiers(cluster, dir, subject, peer, np_isolated, &side.allowed)
    {
        side.allowed = allowed;
        side.tiers = Some(tiers);
        // What the tiers make of an undecided rule is not modelled.
        side.undecided.clear();
    }
    side
}

/// One direction under NetworkPolicy alone: `subject`'s `dir` policies
/// judging traffic with `peer`. For ingress the subject is the
/// destination; for egress the source.
fn np_side(
    cluster: &Cluster,
    dir: Direction,
    subject: Endpoint,
    peer: Endpoint,
    view: View,
) -> Side {
    let isolation = isolating_policies(cluster, dir, subject);
    let Isolation::Isolated(policies) = &isolation else {
        return Side {
            direction: dir,
            isolation,
            reasons: Vec::new(),
            allowed: Conns::all(),
            tiers: None,
            from_own_node: false,
            undecided: Vec::new(),
        };
    };
    // Ports are always resolved on the destination of the flow.
    let destination = match dir {
        Direction::Ingress => subject,
        Direction::Egress => peer,
    };
    let mut reasons = Vec::new();
    let mut allowed = Conns::none();
    let mut decided = Conns::none();
    let mut undecided = Vec::new();
    for &pid in policies {
        let policy = &cluster.policies[pid.index()];
        let rules = policy.rules(dir);
        if rules.is_empty() {
            reasons.push(Reason {
                policy: pid,
                rule: None,
                outcome: None,
            });
        }
        for (r, rule) in rules.iter().enumerate() {
            let outcome =
                rule_outcome(cluster, policy, &rule.peers, &rule.ports, peer, destination);
            let open = undecided_peer(cluster, policy, &rule.peers, peer);
            let gaps = match (view, destination) {
                (View::Workload, Endpoint::Pod(d)) => named_port_gaps(cluster, &rule.ports, d),
                _ => Vec::new(),
            };
            let mut gap_conns = Conns::none();
            for (_, c) in &gaps {
                gap_conns.add(c);
            }
            if let RuleOutcome::Allows { conns, .. } = &outcome {
                allowed.add(conns);
                if open.is_none() {
                    decided.add(&conns.difference(&gap_conns));
                }
            }
            match (open, &outcome) {
                (Some((index, reason)), _) => {
                    let mut conns = rule_conns(&rule.ports, destination, cluster);
                    conns.add(&gap_conns);
                    undecided.push(Undecided {
                        policy: pid,
                        rule: r,
                        peer: Some(index),
                        reason,
                        conns,
                    });
                }
                (
                    None,
                    RuleOutcome::Allows { peer: matched, .. }
                    | RuleOutcome::NoPorts { peer: matched },
                ) => {
                    for (reason, conns) in gaps {
                        undecided.push(Undecided {
                            policy: pid,
                            rule: r,
                            peer: *matched,
                            reason,
                            conns,
                        });
                    }
                }
                (None, RuleOutcome::NoPeer(_)) => {}
            }
            reasons.push(Reason {
                policy: pid,
                rule: Some(r),
                outcome: Some(outcome),
            });
        }
    }
    for u in &mut undecided {
        u.conns = u.conns.difference(&decided);
    }
    undecided.retain(|u| !u.conns.is_empty());
    Side {
        direction: dir,
        isolation,
        reasons,
        allowed,
        tiers: None,
        from_own_node: false,
        undecided,
    }
}

/// What a rule's `ports` allow to `destination`.
fn rule_conns(ports: &[PortSpec], destination: Endpoint, cluster: &Cluster) -> Conns {
    let rule_ports = RulePorts::new(ports);
    match destination {
        Endpoint::Pod(p) => rule_ports.on_pod(cluster.pod_ports(p)),
        Endpoint::External(_) => rule_ports.off_cluster().clone(),
    }
}

/// The named ports of a rule's `ports` that the pods of `dst`'s workload
/// do not all define alike, each with the connections some of its pods
/// give and others not (beyond the rule's numbered ports). Empty for a
/// workload of one pod, or whose pods share one port table.
pub fn named_port_gaps(cluster: &Cluster, ports: &[PortSpec], dst: PodId) -> Vec<(Unknown, Conns)> {
    let rule_ports = RulePorts::new(ports);
    if rule_ports.named.is_empty() {
        return Vec::new();
    }
    let workload = cluster.pod(dst).workload;
    let pods = &cluster.workload(workload).pods;
    // Pods share port tables: a handful of distinct ones, with counts.
    let mut tables: Vec<(PortTableId, usize)> = Vec::new();
    for &p in pods {
        let id = cluster.pod(p).ports;
        match tables.iter_mut().find(|(t, _)| *t == id) {
            Some((_, n)) => *n += 1,
            None => tables.push((id, 1)),
        }
    }
    if tables.len() < 2 {
        return Vec::new();
    }
    let mut gaps: Vec<(Unknown, Conns)> = Vec::new();
    for (protocol, name) in &rule_ports.named {
        let mut some = Conns::none();
        let mut every: Option<Conns> = None;
        let mut defined_by = 0;
        for (table, n) in &tables {
            let conns = named_port(&cluster.port_tables[table.index()], *protocol, name);
            if !conns.is_empty() {
                defined_by += n;
            }
            some.add(&conns);
            every = Some(match every {
                None => conns,
                Some(e) => e.intersection(&conns),
            });
        }
        let open = some
            .difference(&every.unwrap_or_else(Conns::none))
            .difference(&rule_ports.fixed);
        let reason = Unknown::NamedPort {
            protocol: *protocol,
            name: name.clone(),
            workload,
            defined_by,
            pods: pods.len(),
        };
        if !open.is_empty() && !gaps.iter().any(|(r, _)| *r == reason) {
            gaps.push((reason, open));
        }
    }
    gaps
}

/// Whether a rule with `peers` may match `other`: it has no peers, or one
/// matches it or the input cannot decide whether it does.
pub fn peers_may_match(
    cluster: &Cluster,
    policy: &NetworkPolicy,
    peers: &[Peer],
    other: Endpoint,
) -> bool {
    peers.is_empty()
        || peers.iter().any(|p| {
            peer_matches(cluster, policy, &p.kind, other).is_ok()
                || peer_unknown(cluster, &p.kind, other).is_some()
        })
}

/// The first peer of a rule whose match with `other` the input cannot
/// decide, when no peer matches it for sure; `None` when the rule's
/// verdict on `other` is decided.
fn undecided_peer(
    cluster: &Cluster,
    policy: &NetworkPolicy,
    peers: &[Peer],
    other: Endpoint,
) -> Option<(usize, Unknown)> {
    let mut first = None;
    for (i, p) in peers.iter().enumerate() {
        match peer_unknown(cluster, &p.kind, other) {
            Some(reason) => {
                first = first.or(Some((i, reason)));
            }
            None if peer_matches(cluster, policy, &p.kind, other).is_ok() => return None,
            None => {}
        }
    }
    first
}

/// Why the input cannot decide whether `peer` matches `other`, if it
/// cannot: an ipBlock against a pod whose address podnet assumed (unless
/// the block holds every address), or a `namespaceSelector` on labels of a
/// namespace the input does not declare (when the pod's labels match, so
/// that the namespace decides).
pub fn peer_unknown(cluster: &Cluster, peer: &PeerKind, other: Endpoint) -> Option<Unknown> {
    let Endpoint::Pod(p) = other else {
        return None;
    };
    let pod = cluster.pod(p);
    match peer {
        PeerKind::IpBlock(block) => {
            let everything = block.except.is_empty() && block.cidr.prefix_len() == 0;
            (pod.ips_assumed
                && !pod.ips.is_empty()
                && !everything
                && !decided_by_pod_cidrs(cluster, pod, block))
            .then_some(Unknown::AssumedAddress { cidr: block.cidr })
        }
        PeerKind::Pods {
            namespaces: NamespaceScope::Selected(sel),
            pods,
        } => {
            let namespace = cluster.namespace(pod.namespace);
            if cluster.is_node_traffic(pod)
                || namespace.declared.is_some()
                || !pods.matches(cluster.pod_labels(p))
            {
                return None;
            }
            let requirements: Vec<Requirement> = sel
                .requirements()
                .iter()
                .filter(|r| r.key != NAMESPACE_NAME_LABEL)
                .cloned()
                .collect();
            (!requirements.is_empty()).then_some(Unknown::UndeclaredNamespace { requirements })
        }
        PeerKind::Pods { .. } => None,
    }
}

/// Whether `block` gives the same answer for every address `pod` can have:
/// the pod is not host-network, the profile writes its pod CIDRs, and for
/// each of the pod's (assumed) addresses the written CIDRs of its family
/// lie wholly outside the block's addresses or wholly inside them. The
/// real address is in those CIDRs as much as the assumed one (the node
/// IPAM hands out nothing else), so it is on the same side of the block.
fn decided_by_pod_cidrs(cluster: &Cluster, pod: &Pod, block: &IpBlock) -> bool {
    if pod.host_network || cluster.pod_cidrs.is_empty() {
        return false;
    }
    pod.ips.iter().all(|ip| {
        let family = IpSet::from_nets(
            cluster
                .pod_cidrs
                .iter()
                .filter(|c| c.addr().is_ipv4() == ip.is_ipv4()),
        );
        family.contains(*ip)
            && (family.intersection(&block.addresses).is_empty()
                || family.is_subset(&block.addresses))
    })
}

fn rule_outcome(
    cluster: &Cluster,
    policy: &NetworkPolicy,
    peers: &[Peer],
    ports: &[PortSpec],
    other: Endpoint,
    destination: Endpoint,
) -> RuleOutcome {
    let matched = if peers.is_empty() {
        Ok(None)
    } else {
        let mut misses = Vec::new();
        let mut hit = None;
        for (i, p) in peers.iter().enumerate() {
            match peer_matches(cluster, policy, &p.kind, other) {
                Ok(()) => {
                    hit = Some(i);
                    break;
                }
                Err(m) => misses.push(m),
            }
        }
        hit.map(Some).ok_or(misses)
    };
    let peer = match matched {
        Ok(peer) => peer,
        Err(misses) => return RuleOutcome::NoPeer(misses),
    };
    let rule_ports = RulePorts::new(ports);
    let conns = match destination {
        Endpoint::Pod(p) => rule_ports.on_pod(cluster.pod_ports(p)),
        Endpoint::External(_) => rule_ports.off_cluster().clone(),
    };
    if conns.is_empty() {
        RuleOutcome::NoPorts { peer }
    } else {
        RuleOutcome::Allows { peer, conns }
    }
}

/// Whether a peer entry matches the other end of the flow.
fn peer_matches(
    cluster: &Cluster,
    policy: &NetworkPolicy,
    peer: &PeerKind,
    other: Endpoint,
) -> Result<(), PeerMiss> {
    match (peer, other) {
        (PeerKind::Pods { .. }, Endpoint::External(_)) => Err(PeerMiss::NotAPod),
        (PeerKind::Pods { namespaces, pods }, Endpoint::Pod(p)) => {
            let pod = cluster.pod(p);
            if cluster.is_node_traffic(pod) {
                return Err(PeerMiss::HostNetwork);
            }
            match namespaces {
                NamespaceScope::PolicyNamespace if pod.namespace != policy.namespace => {
                    return Err(PeerMiss::OtherNamespace);
                }
                NamespaceScope::Selected(sel) => {
                    let ns_labels = &cluster.namespace(pod.namespace).labels;
                    let unmet: Vec<_> = sel.unmet(ns_labels).cloned().collect();
                    if !unmet.is_empty() {
                        return Err(PeerMiss::NamespaceUnmatched(unmet));
                    }
                }
                NamespaceScope::PolicyNamespace => {}
            }
            let unmet: Vec<_> = pods.unmet(cluster.pod_labels(p)).cloned().collect();
            if unmet.is_empty() {
                Ok(())
            } else {
                Err(PeerMiss::PodUnmatched(unmet))
            }
        }
        (PeerKind::IpBlock(block), endpoint) => {
            let addrs = match endpoint {
                Endpoint::External(ip) => vec![ip],
                Endpoint::Pod(p) => cluster.pod(p).ips.clone(),
            };
            if addrs.is_empty() {
                return Err(PeerMiss::NoAddress);
            }
            if addrs.iter().any(|&a| block.addresses.contains(a)) {
                return Ok(());
            }
            let excepted = block
                .except
                .iter()
                .find(|e| addrs.iter().any(|a| e.contains(a)));
            match excepted {
                Some(e) if addrs.iter().any(|a| block.cidr.contains(a)) => {
                    Err(PeerMiss::Excepted(*e))
                }
                _ => Err(PeerMiss::OutsideCidr),
            }
        }
    }
}
