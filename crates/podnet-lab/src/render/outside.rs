//! Clients outside the cluster: namespaces on the underlay that probe every
//! node's NodePorts and every load-balancer address, each probe expected as
//! `podnet_dataplane::trace` answers for `external:<client>`, with the
//! source address the endpoint sees (the node's when masqueraded). A
//! Service with `loadBalancerSourceRanges` gets a client inside its ranges
//! and one outside them when the cluster's addresses leave room.

use super::nodeports::expectation;
use super::*;
use podnet_dataplane::trace::Place;

/// The outside client (TEST-NET-3, RFC 5737; the address `podnet trace`
/// starts URL traces from).
const DEFAULT_CLIENT: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 10);
/// A second outside client (TEST-NET-2, RFC 5737), for Services whose
/// `loadBalancerSourceRanges` hold [`DEFAULT_CLIENT`].
const OTHER_CLIENT: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 10);

/// The outside clients and their probes.
pub(super) struct Outside {
    /// The clients' namespaces.
    pub clients: Vec<ClientPlan>,
    /// Their probes.
    pub probes: Vec<ProbeSpec>,
}

/// Clients and probes for the NodePorts and load-balancer addresses of
/// `services`; none when there are none.
pub(super) fn outside(
    dp: &Dataplane,
    nodes: &[NodePlan],
    pods: &[PodPlan],
    services: &[Service],
    prefix: &str,
    excluded: &mut Vec<Exclusion>,
) -> Outside {
    let mut out = Outside {
        clients: Vec::new(),
        probes: Vec::new(),
    };
    let exposed = services
        .iter()
        .any(|s| !s.load_balancer_ips.is_empty() || s.ports.iter().any(|p| p.node_port.is_some()));
    if !exposed {
        return out;
    }
    let addresses = client_addresses(dp, services, excluded);
    // Load-balancer address -> the node the model hands it to.
    let mut entry: Vec<(Ipv4Addr, usize)> = Vec::new();
    for (k, &client) in addresses.iter().enumerate() {
        let from = Source::Client(k);
        for s in services {
            for sp in &s.ports {
                let Some(proto) = podnet_model::Protocol::parse(&sp.protocol.to_uppercase()) else {
                    continue;
                };
                if let Some(np) = sp.node_port {
                    for (ni, node) in nodes.iter().enumerate() {
                        if dp.node_ip(&node.name) != Some(node.address.into()) {
                            continue;
                        }
                        let subject = format!(
                            "external {client} -> node {} {}/{np} ({} NodePort)",
                            node.name, sp.protocol, s.name
                        );
                        let probe = |expected, expected_source| ProbeSpec {
                            from,
                            to: Target::Node(ni),
                            ip: node.address.into(),
                            protocol: sp.protocol.clone(),
                            port: np,
                            expected,
                            expected_source,
                        };
                        match external_trace(dp, client, node.address, np, proto) {
                            Ok(t) => match expectation(&t, pods, None, None) {
                                Ok((e, src)) => out.probes.push(probe(e, src)),
                                Err(why) => excluded.push(Exclusion {
                                    subject,
                                    reason: why.to_string(),
                                }),
                            },
                            Err(e) => excluded.push(Exclusion {
                                subject,
                                reason: e.to_string(),
                            }),
                        }
                    }
                }
                for &lb in &s.load_balancer_ips {
                    let si = services.iter().position(|x| x.name == s.name).unwrap_or(0);
                    let subject = format!(
                        "external {client} -> {lb} {}/{} ({} LoadBalancer)",
                        sp.protocol, sp.port, s.name
                    );
                    let t = match external_trace(dp, client, lb, sp.port, proto) {
                        Ok(t) => t,
                        Err(e) => {
                            excluded.push(Exclusion {
                                subject,
                                reason: e.to_string(),
                            });
                            continue;
                        }
                    };
                    let Some(node) = entry_node(&t, lb, nodes) else {
                        excluded.push(Exclusion {
                            subject,
                            reason: "the model does not hand the packet to kube-proxy on a node at this address (a cloud load balancer forwarding to NodePorts or pods, or an eBPF dataplane); the lab builds no load balancer; not probed".to_owned(),
                        });
                        continue;
                    };
                    match entry.iter().find(|(ip, _)| *ip == lb) {
                        Some(&(_, n)) if n != node => {
                            excluded.push(Exclusion {
                                subject,
                                reason: format!(
                                    "the model hands this address to node {} here and to node {} for another port or client; the lab routes it to one node; not probed",
                                    nodes[node].name, nodes[n].name
                                ),
                            });
                            continue;
                        }
                        Some(_) => {}
                        None => entry.push((lb, node)),
                    }
                    match expectation(&t, pods, None, None) {
                        Ok((expected, expected_source)) => out.probes.push(ProbeSpec {
                            from,
                            to: Target::LoadBalancer(si),
                            ip: lb.into(),
                            protocol: sp.protocol.clone(),
                            port: sp.port,
                            expected,
                            expected_source,
                        }),
                        Err(why) => excluded.push(Exclusion {
                            subject,
                            reason: why.to_string(),
                        }),
                    }
                }
            }
        }
    }
    for (k, &address) in addresses.iter().enumerate() {
        let mut routes: Vec<Route> = nodes
            .iter()
            .map(|n| Route {
                dst: host(n.address),
                via: None,
                dev: "eth0".to_owned(),
                onlink: false,
            })
            .collect();
        routes.extend(entry.iter().map(|&(lb, n)| Route {
            dst: host(lb),
            via: Some(nodes[n].address),
            dev: "eth0".to_owned(),
            onlink: false,
        }));
        out.clients.push(ClientPlan {
            netns: format!("{prefix}x{k}"),
            underlay_port: format!("x{k}"),
            interface: "eth0".to_owned(),
            address,
            routes,
        });
    }
    out
}

/// `podnet trace --from external:<client> --to <dst>:<port>`.
fn external_trace(
    dp: &Dataplane,
    client: Ipv4Addr,
    dst: Ipv4Addr,
    port: u16,
    protocol: podnet_model::Protocol,
) -> crate::Result<Trace> {
    let request = TraceRequest {
        from: TraceFrom::External(client.into()),
        to: TraceTo::Address(dst.into()),
        port: Some(port),
        protocol,
    };
    Ok(trace(dp, &request)?)
}

/// The node whose kube-proxy takes the packet to `lb` in the trace, when
/// it arrives there still addressed to `lb` (kube-proxy catches the
/// load-balancer address itself, as with MetalLB or routed addresses).
fn entry_node(t: &Trace, lb: Ipv4Addr, nodes: &[NodePlan]) -> Option<usize> {
    let hops = t.hops.iter().chain(t.branches.iter().flat_map(|b| &b.hops));
    hops.filter(|h| matches!(h.action, Action::KubeProxy(_)))
        .find_map(|h| match &h.place {
            Place::Node(name) if h.before.dst == IpAddr::from(lb) => {
                nodes.iter().position(|n| &n.name == name)
            }
            _ => None,
        })
}

/// The outside clients' addresses: [`DEFAULT_CLIENT`], then for each
/// Service with `loadBalancerSourceRanges` an address inside them and one
/// outside them when no client is yet; never an address of the cluster.
fn client_addresses(
    dp: &Dataplane,
    services: &[Service],
    excluded: &mut Vec<Exclusion>,
) -> Vec<Ipv4Addr> {
    let taken =
        |ip: Ipv4Addr| {
            let ip = IpAddr::V4(ip);
            let p = &dp.profile;
            p.cluster_cidrs
                .iter()
                .chain(&p.service_cidrs)
                .any(|c| c.contains(&ip))
                || dp
                    .nodes
                    .iter()
                    .any(|n| n.internal_ips.contains(&ip) || n.external_ips.contains(&ip))
                || dp.pod_by_ip(ip).is_some()
                || dp.cluster.services.iter().any(|s| {
                    s.load_balancer.status_ips.contains(&ip) || s.external_ips.contains(&ip)
                })
        };
    let mut out = Vec::new();
    if !taken(DEFAULT_CLIENT) {
        out.push(DEFAULT_CLIENT);
    }
    for s in services.iter().filter(|s| !s.load_balancer_ips.is_empty()) {
        if s.source_ranges.is_empty() {
            continue;
        }
        let inside = |ip: Ipv4Addr| s.source_ranges.iter().any(|r| in_prefix(*r, ip));
        if !out.iter().any(|&c| inside(c)) {
            let found = s
                .source_ranges
                .iter()
                .flat_map(|r| candidates(*r))
                .find(|&c| !taken(c));
            match found {
                Some(c) => out.push(c),
                None => excluded.push(Exclusion {
                    subject: format!("service {} loadBalancerSourceRanges", s.name),
                    reason: "every address tried inside the ranges belongs to the cluster; no client inside them is probed".to_owned(),
                }),
            }
        }
        if !out.iter().any(|&c| !inside(c)) {
            if !inside(OTHER_CLIENT) && !taken(OTHER_CLIENT) {
                out.push(OTHER_CLIENT);
            } else {
                excluded.push(Exclusion {
                    subject: format!("service {} loadBalancerSourceRanges", s.name),
                    reason: format!("the ranges hold {DEFAULT_CLIENT} and {OTHER_CLIENT}; no client outside them is probed"),
                });
            }
        }
    }
    out
}

/// Addresses of `range` a client may take: the highest few below the
/// broadcast address (the range itself for /31 and /32).
fn candidates(range: Cidr) -> impl Iterator<Item = Ipv4Addr> {
    let size = 1u64 << (32 - u32::from(range.prefix));
    let first = u64::from(u32::from(range.addr));
    let last = first + size - 1;
    let (lo, hi) = if size <= 2 {
        (first, last)
    } else {
        (last.saturating_sub(8).max(first + 1), last - 1)
    };
    (lo..=hi)
        .rev()
        .filter_map(|a| u32::try_from(a).ok().map(Ipv4Addr::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_stay_inside_the_range_and_avoid_its_ends() {
        let c = |a: [u8; 4], prefix| {
            candidates(Cidr {
                addr: Ipv4Addr::from(a),
                prefix,
            })
            .collect::<Vec<_>>()
        };
        assert_eq!(c([192, 0, 2, 7], 32), vec![Ipv4Addr::new(192, 0, 2, 7)]);
        assert_eq!(
            c([192, 0, 2, 6], 31),
            vec![Ipv4Addr::new(192, 0, 2, 7), Ipv4Addr::new(192, 0, 2, 6)]
        );
        assert_eq!(
            c([192, 0, 2, 0], 30),
            vec![Ipv4Addr::new(192, 0, 2, 2), Ipv4Addr::new(192, 0, 2, 1)]
        );
        let wide = c([10, 0, 0, 0], 8);
        assert_eq!(wide.first(), Some(&Ipv4Addr::new(10, 255, 255, 254)));
        assert_eq!(wide.len(), 8);
        assert_eq!(
            c([0, 0, 0, 0], 0).first(),
            Some(&Ipv4Addr::new(255, 255, 255, 254))
        );
    }
}
