//! What the lab probes and serves: every pod's listeners, the Services it
//! translates (IPv4 ClusterIPs with ready endpoints among the lab's pods),
//! and the pod-to-pod and pod-to-Service probes with the engine's
//! expectations.

use super::*;

/// The probes and their expectations.
pub(super) fn probes(
    verdicts: &Verdicts,
    pods: &[PodPlan],
    services: &[Service],
    excluded: &mut Vec<Exclusion>,
) -> Vec<ProbeSpec> {
    let mut out = Vec::new();
    for s in 0..pods.len() {
        for (d, dst) in pods.iter().enumerate().filter(|&(d, _)| d != s) {
            let expected = &verdicts.expected[verdicts.at(s, d)];
            for (proto, ports) in protocols(&dst.listeners) {
                for &port in ports {
                    out.push(ProbeSpec {
                        from: Source::Pod(s),
                        to: Target::Pod(d),
                        ip: dst.address.addr.into(),
                        protocol: proto_name(proto).to_owned(),
                        port,
                        expected: expected.allows(proto, port),
                        expected_source: None,
                    });
                }
            }
        }
    }
    for (si, svc) in services.iter().enumerate() {
        for sp in &svc.ports {
            let Some(proto) = podnet_model::Protocol::parse(&sp.protocol.to_uppercase()) else {
                continue;
            };
            for (s, src) in pods.iter().enumerate() {
                if sp.endpoints.iter().any(|(e, _)| *e == s) {
                    excluded.push(Exclusion {
                        subject: format!(
                            "{} -> {} {}/{}",
                            src.pod, svc.name, sp.protocol, sp.port
                        ),
                        reason: "the source is one of the Service's endpoints: reaching itself through the ClusterIP needs hairpin NAT, which kube-proxy and the bridge handle differently per CNI; not probed".to_owned(),
                    });
                    continue;
                }
                let answers: BTreeSet<bool> = sp
                    .endpoints
                    .iter()
                    .map(|&(e, port)| verdicts.expected[verdicts.at(s, e)].allows(proto, port))
                    .collect();
                if answers.len() != 1 {
                    excluded.push(Exclusion {
                        subject: format!(
                            "{} -> {} {}/{}",
                            src.pod, svc.name, sp.protocol, sp.port
                        ),
                        reason: "policy allows some endpoints and not others: the outcome depends on kube-proxy's random choice; not probed".to_owned(),
                    });
                    continue;
                }
                out.push(ProbeSpec {
                    from: Source::Pod(s),
                    to: Target::Service(si),
                    ip: svc.cluster_ip.into(),
                    protocol: sp.protocol.clone(),
                    port: sp.port,
                    expected: answers.contains(&true),
                    expected_source: None,
                });
            }
        }
    }
    out
}

/// The Services the lab translates: IPv4 ClusterIPs, ports with ready
/// endpoints among the lab's pods (on a port the endpoint listens on).
pub(super) fn services(
    dp: &Dataplane,
    verdicts: &Verdicts,
    excluded: &mut Vec<Exclusion>,
) -> Vec<Service> {
    let mut out = Vec::new();
    for (i, svc) in dp.cluster.services.iter().enumerate() {
        let id = podnet_model::ServiceId::from_index(i);
        let name = format!(
            "{}/{}",
            dp.cluster.namespace(svc.namespace).name,
            svc.meta.name
        );
        if svc.internal_traffic_policy == podnet_model::TrafficPolicy::Local {
            excluded.push(Exclusion {
                subject: format!("service {name}"),
                reason: "internalTrafficPolicy: Local is not built in the lab yet; not probed"
                    .to_owned(),
            });
            continue;
        }
        let Some(cluster_ip) = dp.services.cluster_ips.get(i).and_then(|ips| {
            ips.iter().find_map(|ip| match ip {
                std::net::IpAddr::V4(v4) => Some(*v4),
                std::net::IpAddr::V6(_) => None,
            })
        }) else {
            excluded.push(Exclusion {
                subject: format!("service {name}"),
                reason: "no IPv4 ClusterIP (headless, ExternalName or IPv6 only)".to_owned(),
            });
            continue;
        };
        let mut ports = Vec::new();
        let node_ports = dp.services.node_ports.get(i);
        for (k, (port, backends)) in svc.ports.iter().zip(dp.backends(id)).enumerate() {
            let mut endpoints = Vec::new();
            for b in backends.iter().filter(|b| b.serving) {
                if let Some(lab) = verdicts.pods.iter().position(|&p| Some(p) == b.pod) {
                    endpoints.push((lab, b.port));
                }
            }
            let protocol = proto_name(port.protocol).to_owned();
            if endpoints.is_empty() {
                excluded.push(Exclusion {
                    subject: format!("service {name} {protocol}/{}", port.port),
                    reason: "no ready endpoint in the lab".to_owned(),
                });
                continue;
            }
            ports.push(ServicePort {
                protocol,
                port: port.port,
                endpoints,
                node_port: node_ports.and_then(|n| n.get(k).copied().flatten()),
            });
        }
        let (load_balancer_ips, source_ranges) = load_balancer(svc, &name, excluded);
        out.push(Service {
            name,
            cluster_ip,
            ports,
            external_local: svc.external_traffic_policy == podnet_model::TrafficPolicy::Local,
            load_balancer_ips,
            source_ranges,
        });
    }
    out
}

/// The load-balancer addresses of `svc` kube-proxy catches on the nodes
/// (IPv4 `status.loadBalancer.ingress[].ip` without `ipMode: Proxy`) and
/// its IPv4 `loadBalancerSourceRanges`; no address when the ranges hold
/// no IPv4 range (kube-proxy would let no IPv4 client through).
fn load_balancer(
    svc: &podnet_model::Service,
    name: &str,
    excluded: &mut Vec<Exclusion>,
) -> (Vec<Ipv4Addr>, Vec<Cidr>) {
    let lb = &svc.load_balancer;
    let ips: Vec<Ipv4Addr> = lb
        .status_ips
        .iter()
        .filter(|ip| !lb.proxy_ips.contains(ip))
        .filter_map(|ip| match ip {
            IpAddr::V4(v4) => Some(*v4),
            IpAddr::V6(_) => None,
        })
        .collect();
    if lb.status_ips.iter().any(|ip| lb.proxy_ips.contains(ip)) {
        excluded.push(Exclusion {
            subject: format!("service {name} load-balancer addresses with ipMode: Proxy"),
            reason: "the load balancer proxies them to a NodePort itself; the lab builds no load balancer; not probed".to_owned(),
        });
    }
    let ranges: Vec<Cidr> = lb
        .source_ranges
        .iter()
        .filter_map(|r| match r {
            IpNet::V4(v4) => Some(Cidr {
                addr: v4.trunc().network(),
                prefix: v4.prefix_len(),
            }),
            IpNet::V6(_) => None,
        })
        .collect();
    if !ips.is_empty() && !lb.source_ranges.is_empty() && ranges.is_empty() {
        excluded.push(Exclusion {
            subject: format!("service {name} load-balancer addresses"),
            reason:
                "loadBalancerSourceRanges holds IPv6 ranges only; the lab builds IPv4; not probed"
                    .to_owned(),
        });
        return (Vec::new(), Vec::new());
    }
    (ips, ranges)
}

/// A pod's declared container ports by protocol, sorted, without repeats.
pub(super) fn listeners(dp: &Dataplane, pod: podnet_model::PodId) -> Listeners {
    let mut l = Listeners::default();
    for cp in dp.cluster.pod_ports(pod) {
        let list = match cp.protocol {
            podnet_model::Protocol::Tcp => &mut l.tcp,
            podnet_model::Protocol::Udp => &mut l.udp,
            podnet_model::Protocol::Sctp => &mut l.sctp,
        };
        list.push(cp.port);
    }
    for list in [&mut l.tcp, &mut l.udp, &mut l.sctp] {
        list.sort_unstable();
        list.dedup();
    }
    l
}

fn protocols(l: &Listeners) -> [(podnet_model::Protocol, &Vec<u16>); 3] {
    [
        (podnet_model::Protocol::Tcp, &l.tcp),
        (podnet_model::Protocol::Udp, &l.udp),
        (podnet_model::Protocol::Sctp, &l.sctp),
    ]
}
