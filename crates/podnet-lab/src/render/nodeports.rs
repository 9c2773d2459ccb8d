//! NodePorts in the lab: what each endpoint's ingress allows from the node
//! addresses that masquerade (`externalTrafficPolicy: Cluster`), and the
//! probes from every pod to every node's NodePorts with their expectations
//! from the model's trace.

use super::*;
use podnet_dataplane::trace::TraceEnd;

/// For each lab pod, what its ingress allows from each node's address:
/// the source NodePort and load-balancer traffic with
/// `externalTrafficPolicy: Cluster` has after the node masquerades it (the
/// readable spec, as the trace uses).
/// Empty for pods that are no such endpoint.
pub(super) fn node_port_ingress(
    dp: &Dataplane,
    verdicts: &Verdicts,
    pods: &[PodPlan],
    nodes: &[NodePlan],
    services: &[Service],
) -> Vec<Vec<(Ipv4Addr, Conns)>> {
    let mut out = vec![Vec::new(); pods.len()];
    let mut endpoints = BTreeSet::new();
    for s in services.iter().filter(|s| !s.external_local) {
        let lb = !s.load_balancer_ips.is_empty();
        for p in s.ports.iter().filter(|p| p.node_port.is_some() || lb) {
            endpoints.extend(p.endpoints.iter().map(|(e, _)| *e));
        }
    }
    for e in endpoints {
        let Some(&pod) = verdicts.pods.get(e) else {
            continue;
        };
        for n in nodes {
            let verdict = evaluate(
                &dp.cluster,
                Endpoint::External(n.address.into()),
                Endpoint::Pod(pod),
            );
            out[e].push((n.address, verdict.ingress.allowed));
        }
    }
    out
}

/// Probes from every pod to every node's address on every NodePort, each
/// expected as `podnet_dataplane::trace` answers; a probe whose branches
/// (one per endpoint kube-proxy may pick) disagree is excluded.
pub(super) fn node_port_probes(
    dp: &Dataplane,
    verdicts: &Verdicts,
    nodes: &[NodePlan],
    pods: &[PodPlan],
    services: &[Service],
    excluded: &mut Vec<Exclusion>,
) -> Vec<ProbeSpec> {
    let mut out = Vec::new();
    for s in services {
        for sp in &s.ports {
            let Some(np) = sp.node_port else { continue };
            let Some(proto) = podnet_model::Protocol::parse(&sp.protocol.to_uppercase()) else {
                continue;
            };
            for (ni, node) in nodes.iter().enumerate() {
                if dp.node_ip(&node.name) != Some(node.address.into()) {
                    excluded.push(Exclusion {
                        subject: format!(
                            "every pod -> node {} {}/{np} ({})",
                            node.name, sp.protocol, s.name
                        ),
                        reason: "the node has no IPv4 InternalIP the model knows; not probed"
                            .to_owned(),
                    });
                    continue;
                }
                for (si, src) in pods.iter().enumerate() {
                    let subject = || {
                        format!(
                            "{} -> node {} {}/{np} ({} NodePort)",
                            src.pod, node.name, sp.protocol, s.name
                        )
                    };
                    let request = TraceRequest {
                        from: TraceFrom::Pod(verdicts.pods[si]),
                        to: TraceTo::Address(node.address.into()),
                        port: Some(np),
                        protocol: proto,
                    };
                    let t = match trace(dp, &request) {
                        Ok(t) => t,
                        Err(e) => {
                            excluded.push(Exclusion {
                                subject: subject(),
                                reason: format!("the model cannot trace it ({e}); not probed"),
                            });
                            continue;
                        }
                    };
                    let short_circuit = s.external_local.then_some(ni);
                    match expectation(&t, pods, Some(si), short_circuit) {
                        Ok((expected, expected_source)) => out.push(ProbeSpec {
                            from: Source::Pod(si),
                            to: Target::Node(ni),
                            ip: node.address.into(),
                            protocol: sp.protocol.clone(),
                            port: np,
                            expected,
                            expected_source,
                        }),
                        Err(reason) => excluded.push(Exclusion {
                            subject: subject(),
                            reason: reason.to_string(),
                        }),
                    }
                }
            }
        }
    }
    out
}

/// Why a NodePort or load-balancer probe is left out.
#[derive(Debug, thiserror::Error)]
pub(super) enum NotProbed {
    /// An endpoint of the model's trace has no pod in the lab.
    #[error("the model's endpoint {0} is not built in the lab; not probed")]
    EndpointNotBuilt(IpAddr),
    /// The source may be its own endpoint.
    #[error(
        "the source is one of the endpoints kube-proxy may pick: reaching itself through a NodePort needs hairpin NAT, which kube-proxy and the bridge handle differently per CNI; not probed"
    )]
    Hairpin,
    /// A short-circuited packet from a pod on another node goes to an
    /// endpoint that is not on the node that translated it: unmasqueraded,
    /// the reply returns from the endpoint's node straight to the source's
    /// and misses the translating node's connection tracking.
    #[error(
        "kube-proxy short-circuits a pod's packet to an externalTrafficPolicy Local NodePort of another node to an endpoint off that node without masquerade, so the reply bypasses the node that translated it; whether that connects depends on the CNI's reply routing (in the lab it does not); not probed"
    )]
    AsymmetricReply,
    /// The trace ends without a branch: the node has no address of the
    /// source's family.
    #[error("the model gives no path (no address of the source's family); not probed")]
    NoAddressOfFamily,
    /// The trace ends without a branch.
    #[error("the model gives no path (no branch); not probed")]
    NoBranch,
    /// The branches end differently.
    #[error(
        "the trace's branches disagree: policy allows some endpoints and not others (after masquerade it sees the node's address on some paths), so the outcome depends on kube-proxy's random choice; not probed"
    )]
    BranchesDisagree,
}

/// Whether the trace from pod `src` (or, `None`, a client outside the
/// cluster) to a NodePort or load-balancer address connects, and the source
/// address the endpoint sees when every connecting branch agrees on it:
/// `Ok` when every branch agrees on connecting, else why the probe is left
/// out. `short_circuit` is the NodePort's node when the Service is
/// `externalTrafficPolicy: Local`.
pub(super) fn expectation(
    t: &Trace,
    pods: &[PodPlan],
    src: Option<usize>,
    short_circuit: Option<usize>,
) -> Result<(bool, Option<Ipv4Addr>), NotProbed> {
    let mut answers = BTreeSet::new();
    let mut sources = BTreeSet::new();
    for b in &t.branches {
        let endpoint = b.hops.iter().chain(&t.hops).find_map(|h| match h.action {
            Action::Dnat { .. } => Some(h.after.dst),
            _ => None,
        });
        if let Some(ip) = endpoint {
            let lab = pods.iter().position(|p| IpAddr::from(p.address.addr) == ip);
            match lab {
                None => {
                    return Err(NotProbed::EndpointNotBuilt(ip));
                }
                Some(e) if Some(e) == src => {
                    return Err(NotProbed::Hairpin);
                }
                Some(e)
                    if src.zip(short_circuit).is_some_and(|(src, node)| {
                        pods[src].node != node && pods[e].node != node
                    }) =>
                {
                    return Err(NotProbed::AsymmetricReply);
                }
                Some(_) => {}
            }
        }
        answers.insert(matches!(
            b.outcome,
            TraceOutcome::Delivered(_) | TraceOutcome::ReachedNode(_) | TraceOutcome::LeftCluster
        ));
        // The source the endpoint sees: the packet as delivered.
        if let TraceOutcome::Delivered(_) = b.outcome {
            sources.insert(b.hops.iter().chain(&t.hops).find_map(|h| {
                match (&h.action, h.before.src) {
                    (Action::Deliver { .. }, IpAddr::V4(v4)) => Some(v4),
                    _ => None,
                }
            }));
        }
    }
    let source = match sources.len() {
        1 => sources.into_iter().next().flatten(),
        _ => None,
    };
    match (answers.len(), t.reachable()) {
        (1, reachable) => Ok((reachable, source)),
        (0, _) => Err(match t.end {
            Some(TraceEnd::NoAddressOfFamily) => NotProbed::NoAddressOfFamily,
            _ => NotProbed::NoBranch,
        }),
        _ => Err(NotProbed::BranchesDisagree),
    }
}
