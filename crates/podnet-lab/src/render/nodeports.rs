//! NodePorts in the lab: what each endpoint's ingress allows from the node
//! addresses that masquerade (`externalTrafficPolicy: Cluster`), and the
//! probes from every pod to every node's NodePorts with their expectations
//! from the model's trace.

use super::*;
use podnet_dataplane::trace::TraceEnd;

/// For each lab pod, what its ingress allows from each node's address:
/// the source NodePort traffic with `externalTrafficPolicy: Cluster` has
/// after the node masquerades it (the readable spec, as the trace uses).
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
        for p in s.ports.iter().filter(|p| p.node_port.is_some()) {
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
                    match node_port_expectation(&t, pods, si, short_circuit) {
                        Ok(expected) => out.push(ProbeSpec {
                            from: si,
                            to: Target::Node(ni),
                            ip: node.address.into(),
                            protocol: sp.protocol.clone(),
                            port: np,
                            expected,
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

/// Why a NodePort probe is left out.
#[derive(Debug, thiserror::Error)]
enum NotProbed {
    /// An endpoint of the model's trace has no pod in the lab.
    #[error("the model's endpoint {0} is not built in the lab; not probed")]
    EndpointNotBuilt(IpAddr),
    /// The source may be its own endpoint.
    #[error(
        "the source is one of the endpoints kube-proxy may pick: reaching itself through a NodePort needs hairpin NAT, which kube-proxy and the bridge handle differently per CNI; not probed"
    )]
    Hairpin,
    /// A short-circuited packet's endpoint is on the source's node, not
    /// on the node that translated it: unmasqueraded, the reply returns
    /// from the endpoint straight to the source and misses that node's
    /// connection tracking.
    #[error(
        "kube-proxy short-circuits a pod's packet to an externalTrafficPolicy Local NodePort to an endpoint on the pod's own node without masquerade, so the reply bypasses the node that translated it; whether that connects depends on the CNI's reply routing; not probed"
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

/// Whether the trace of pod `src` to a NodePort connects: `Ok` when every
/// branch agrees, else why the probe is left out. `short_circuit` is the
/// NodePort's node when the Service is `externalTrafficPolicy: Local`.
fn node_port_expectation(
    t: &Trace,
    pods: &[PodPlan],
    src: usize,
    short_circuit: Option<usize>,
) -> Result<bool, NotProbed> {
    let mut answers = BTreeSet::new();
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
                Some(e) if e == src => {
                    return Err(NotProbed::Hairpin);
                }
                Some(e)
                    if short_circuit.is_some_and(|node| {
                        pods[e].node == pods[src].node && pods[src].node != node
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
    }
    match (answers.len(), t.reachable()) {
        (1, reachable) => Ok(reachable),
        (0, _) => Err(match t.end {
            Some(TraceEnd::NoAddressOfFamily) => NotProbed::NoAddressOfFamily,
            _ => NotProbed::NoBranch,
        }),
        _ => Err(NotProbed::BranchesDisagree),
    }
}
