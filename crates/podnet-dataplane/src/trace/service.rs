//! Service stages of a trace: kube-proxy's DNAT (one branch per endpoint
//! it may pick, honouring the traffic policies), the SNATs around it, and
//! load balancers in front of a Service (IP targets, instance targets,
//! MetalLB announcements).

use std::net::IpAddr;

use podnet_model::{ProxyMode, ServiceId, TrafficPolicy};

use crate::kube_proxy::{ProxyChain, ProxyResult, ProxyVerdict};

use super::deliver::drop_branch;
use super::tracer::{Origin, Tracer};
use super::{
    Action, Branch, CloudPart, DnatMatch, DropReason, Hop, LbDecision, Outcome, Packet, PathLabel,
    Place, PortMiss, SnatReason,
};
use crate::services::Backend;

/// How a packet reached a Service.
pub(super) enum Entry {
    ClusterIp,
    NodePort(String),
    /// Caught by kube-proxy on this node (MetalLB announces the address,
    /// or the sender is on this node).
    LoadBalancer(String),
    /// One of `spec.externalIPs`, caught by kube-proxy on this node.
    ExternalIp(String),
}

impl Tracer<'_> {
    pub(super) fn via_service(
        &self,
        origin: &Origin,
        packet: &Packet,
        id: ServiceId,
        entry: Entry,
    ) -> Vec<Branch> {
        let dp = self.dp;
        let svc = &dp.cluster.services[id.index()];
        let mut hops = Vec::new();
        let ebpf = dp.profile.proxy == ProxyMode::Ebpf;
        // Which Service port, and where kube-proxy acts.
        let (k, node, matched) = match &entry {
            Entry::ClusterIp => {
                if origin.pod.is_none() && origin.node.is_none() {
                    return vec![drop_branch(
                        origin,
                        packet,
                        DropReason::ClusterIpFromOutside,
                    )];
                }
                let k = svc
                    .ports
                    .iter()
                    .position(|p| p.port == packet.port && p.protocol == packet.protocol);
                (k, origin.node.clone(), DnatMatch::ClusterIp)
            }
            Entry::NodePort(node) => {
                let k = dp.services.node_ports[id.index()]
                    .iter()
                    .zip(&svc.ports)
                    .position(|(np, p)| *np == Some(packet.port) && p.protocol == packet.protocol);
                (
                    k,
                    Some(node.clone()),
                    DnatMatch::NodePort {
                        port: packet.port,
                        node: node.clone(),
                    },
                )
            }
            Entry::LoadBalancer(node) | Entry::ExternalIp(node) => {
                let k = svc
                    .ports
                    .iter()
                    .position(|p| p.port == packet.port && p.protocol == packet.protocol);
                let what = if matches!(entry, Entry::ExternalIp(_)) {
                    DnatMatch::ExternalIp
                } else {
                    DnatMatch::LoadBalancer
                };
                (k, Some(node.clone()), what)
            }
        };
        let here = node.clone().unwrap_or_default();
        let no_local_endpoint = || DropReason::NoLocalEndpoint {
            internal: matches!(entry, Entry::ClusterIp),
            node: here.clone(),
        };
        let no_port = |then| DropReason::NoServicePort {
            service: id,
            protocol: packet.protocol,
            port: packet.port,
            then,
        };
        let verdict = if ebpf || node.is_none() {
            None
        } else {
            dp.kube_proxy(&crate::kube_proxy::ProxyPacket {
                node: &here,
                src: packet.src,
                dst: packet.dst,
                port: packet.port,
                protocol: packet.protocol,
            })
            .filter(|v| v.matched.is_some())
        };
        if let Some(v) = &verdict
            && !matches!(v.result, ProxyResult::Dnat(_))
        {
            let why = match (&v.result, k) {
                (ProxyResult::Untranslated, _) => no_port(Some(PortMiss::Untranslated)),
                (_, None) => no_port(Some(PortMiss::Reject)),
                (ProxyResult::Reject, _) => DropReason::NoServingEndpoint(id),
                _ if v.chains.iter().any(|c| {
                    matches!(c, ProxyChain::KubeProxyFirewall | ProxyChain::NftFirewall)
                }) =>
                {
                    DropReason::OutsideSourceRanges(id)
                }
                _ => no_local_endpoint(),
            };
            let mut hops = Vec::new();
            self.leave_pod(origin, packet, &mut hops);
            let end = self.proxy_end(packet, &here, v.clone(), why);
            hops.extend(end.hops);
            return vec![Branch { hops, ..end }];
        }
        let Some(k) = k else {
            return vec![drop_branch(origin, packet, no_port(None))];
        };
        if !ebpf || !matches!(entry, Entry::ClusterIp) {
            self.leave_pod(origin, packet, &mut hops);
        }
        let backends = dp.backends(id).swap_remove(k);
        let chosen: Option<Vec<usize>> = match verdict.as_ref().map(|v| &v.result) {
            Some(ProxyResult::Dnat(idx)) => Some(idx.clone()),
            _ => None,
        };
        let external = !matches!(entry, Entry::ClusterIp)
            && origin.pod.is_none()
            && origin.node.as_ref() != node.as_ref();
        let local_only = match entry {
            Entry::ClusterIp => svc.internal_traffic_policy == TrafficPolicy::Local,
            _ => svc.external_traffic_policy == TrafficPolicy::Local,
        };
        let serving: Vec<&Backend> = match &chosen {
            Some(idx) => idx.iter().filter_map(|&i| backends.get(i)).collect(),
            None => backends
                .iter()
                .filter(|b| b.serving && b.ip.is_ipv4() == packet.dst.is_ipv4())
                .filter(|b| !local_only || b.node.as_deref() == Some(here.as_str()))
                .collect(),
        };
        if let Some(v) = &verdict {
            hops.push(Hop::same(
                Place::Node(here.clone()),
                Action::KubeProxy(Box::new(v.clone())),
                packet,
            ));
        }
        let masquerade = verdict.as_ref().map(|v| v.masquerade);
        let place = if ebpf && matches!(entry, Entry::ClusterIp) {
            origin.place.clone()
        } else {
            Place::Node(here.clone())
        };
        if serving.is_empty() {
            let why = if backends.iter().any(|b| b.serving) && local_only {
                no_local_endpoint()
            } else if backends.is_empty() {
                DropReason::NoEndpoints(id)
            } else {
                DropReason::NoReadyEndpoint(id)
            };
            hops.push(Hop::same(place, Action::Drop { why: why.clone() }, packet));
            return vec![Branch {
                label: PathLabel::NoEndpoint,
                hops,
                outcome: Outcome::Dropped(why),
            }];
        }
        let mut out = Vec::new();
        // The pod's own node, when the pod is on another node than `here`.
        let pod_elsewhere = origin
            .pod
            .and_then(|p| dp.cluster.pod(p).node_name.clone())
            .filter(|n| *n != here);
        for b in &serving {
            let mut hops = hops.clone();
            // A short-circuited pod on another node, unmasqueraded, to an
            // endpoint off this node: the reply bypasses this node.
            if pod_elsewhere.is_some() && b.node.as_deref() != Some(here.as_str()) {
                for h in &mut hops {
                    if let Action::KubeProxy(v) = &mut h.action
                        && v.short_circuit
                        && !v.masquerade
                    {
                        v.reply_bypasses = true;
                    }
                }
            }
            let mut after = Packet {
                dst: b.ip,
                port: b.port,
                ..packet.clone()
            };
            hops.push(Hop::new(
                place.clone(),
                Action::Dnat {
                    service: id,
                    matched: matched.clone(),
                    choices: serving.len(),
                    by: dp.profile.proxy,
                    affinity: svc.session_affinity,
                },
                packet,
                &after,
            ));
            if ebpf && matches!(entry, Entry::ClusterIp) {
                self.leave_pod(origin, &after, &mut hops);
            }
            if let Some(masq) = masquerade {
                if masq && let Some(ip) = dp.node_ip(&here) {
                    let before = after.clone();
                    after.src = ip;
                    hops.push(Hop::new(
                        Place::Node(here.clone()),
                        Action::Snat {
                            why: SnatReason::KubeProxyMark,
                        },
                        &before,
                        &after,
                    ));
                }
            } else if !matches!(entry, Entry::ClusterIp)
                && (external || origin.pod.is_some())
                && svc.external_traffic_policy == TrafficPolicy::Cluster
            {
                if let Some(ip) = dp.node_ip(&here) {
                    let before = after.clone();
                    after.src = ip;
                    hops.push(Hop::new(
                        Place::Node(here.clone()),
                        Action::Snat {
                            why: SnatReason::ExternalTrafficCluster,
                        },
                        &before,
                        &after,
                    ));
                }
            } else if Some(b.ip)
                == origin
                    .pod
                    .and_then(|p| dp.cluster.pod(p).ips.first().copied())
            {
                let before = after.clone();
                if let Some(ip) = dp.node_ip(&here) {
                    after.src = ip;
                }
                hops.push(Hop::new(
                    Place::Node(here.clone()),
                    Action::Snat {
                        why: SnatReason::Hairpin,
                    },
                    &before,
                    &after,
                ));
            }
            let label = PathLabel::Endpoint {
                pod: b.pod,
                ip: b.ip,
                port: b.port,
            };
            match b.pod {
                Some(p) => out.push(self.to_pod(origin, Some(&here), after, p, hops, label)),
                None => {
                    // A selector-less Service's endpoint outside the pods:
                    // the source's egress and masquerade still apply.
                    let o = Origin {
                        ip: after.src,
                        node: Some(here.clone()),
                        pod: origin.pod,
                        host_pod: origin.host_pod,
                        place: Place::Node(here.clone()),
                    };
                    let mut br = self.to_outside(&o, &after, false);
                    let mut all = hops;
                    all.append(&mut br.hops);
                    br.hops = all;
                    br.label = label;
                    out.push(br);
                }
            }
        }
        out
    }

    /// A branch kube-proxy ends on `node` (REJECT, DROP, or nothing
    /// answers the untranslated packet).
    pub(super) fn proxy_end(
        &self,
        packet: &Packet,
        node: &str,
        verdict: ProxyVerdict,
        why: DropReason,
    ) -> Branch {
        let place = Place::Node(node.to_owned());
        let outcome = match verdict.result {
            ProxyResult::Reject => Outcome::Rejected(why.clone()),
            _ => Outcome::Dropped(why.clone()),
        };
        Branch {
            label: PathLabel::NoEndpoint,
            hops: vec![
                Hop::same(place.clone(), Action::KubeProxy(Box::new(verdict)), packet),
                Hop::same(place, Action::Drop { why }, packet),
            ],
            outcome,
        }
    }

    /// Into a LoadBalancer Service from its address or name.
    pub(super) fn via_lb(&self, origin: &Origin, packet: &Packet, id: ServiceId) -> Vec<Branch> {
        let dp = self.dp;
        let targets = dp.lb_targets(id);
        let healthy: Vec<&crate::lb::LbTarget> = targets.iter().filter(|t| t.healthy).collect();
        let name = packet
            .dst_name
            .clone()
            .unwrap_or_else(|| packet.dst.to_string());
        let cloud = matches!(dp.profile.cloud, podnet_model::Cloud::Aws(_));
        if healthy.is_empty()
            && !cloud
            && dp.profile.proxy != ProxyMode::Ebpf
            && let Some(node) = dp.nodes.first().map(|n| n.name.clone())
        {
            // An announced address (MetalLB, or routed to the nodes)
            // still reaches a node; kube-proxy there rejects or drops,
            // or falls back to serving-but-terminating endpoints.
            return self.via_service(origin, packet, id, Entry::LoadBalancer(node));
        }
        if healthy.is_empty() {
            let why = match targets.first() {
                None => DropReason::NoLoadBalancerTarget,
                Some(first) => DropReason::NoHealthyTarget {
                    targets: targets.len(),
                    first: first.target.clone(),
                    problems: first.problems.clone(),
                },
            };
            return vec![Branch {
                label: PathLabel::LoadBalancer(name),
                hops: vec![Hop::same(
                    Place::Cloud(CloudPart::LoadBalancer),
                    Action::Drop { why: why.clone() },
                    packet,
                )],
                outcome: Outcome::Dropped(why),
            }];
        }
        let ip_mode = matches!(
            dp.lb.get(id.index()),
            Some(Some(a)) if a.target_type == Some(podnet_model::TargetType::Ip)
        );
        if ip_mode {
            let mut out = Vec::new();
            for t in &healthy {
                let Ok(ip) = t.target.parse::<IpAddr>() else {
                    continue;
                };
                let Some(pod) = dp.pod_by_ip(ip) else {
                    continue;
                };
                let after = Packet {
                    dst: ip,
                    port: t.port,
                    dst_name: None,
                    ..packet.clone()
                };
                let hops = vec![Hop::new(
                    Place::Cloud(CloudPart::LoadBalancer),
                    Action::LoadBalancer {
                        what: LbDecision::IpTarget {
                            lb: name.clone(),
                            ip,
                            port: t.port,
                            of: healthy.len(),
                        },
                    },
                    packet,
                    &after,
                )];
                let node = dp.cluster.pod(pod).node_name.clone();
                let label = PathLabel::IpTarget {
                    pod,
                    ip,
                    port: t.port,
                };
                out.push(self.to_pod(origin, node.as_deref(), after, pod, hops, label));
            }
            return out;
        }
        // Instance targets or a MetalLB announcement: one node takes it and
        // kube-proxy balances from there.
        let Some(t) = healthy.first() else {
            return Vec::new();
        };
        let node = t.target.clone();
        let node_ip = dp.node_ip(&node).unwrap_or(packet.dst);
        // KEP-1860, `ipMode: Proxy`: the load balancer proxies the
        // connection itself (kube-proxy holds no rule for the address), to
        // the Service's NodePort on the node it picked.
        let proxy_node_port = dp.cluster.services[id.index()]
            .load_balancer
            .proxy_ips
            .contains(&packet.dst)
            .then(|| {
                let svc = &dp.cluster.services[id.index()];
                let k = svc
                    .ports
                    .iter()
                    .position(|p| p.port == packet.port && p.protocol == packet.protocol)?;
                dp.services.node_ports[id.index()].get(k).copied().flatten()
            })
            .flatten();
        let (after, what, entry) = if let Some(np) = proxy_node_port.filter(|_| !cloud) {
            (
                Packet {
                    dst: node_ip,
                    port: np,
                    dst_name: None,
                    ..packet.clone()
                },
                LbDecision::ProxyToNodePort {
                    lb: name.clone(),
                    node: node.clone(),
                    node_port: np,
                },
                Entry::NodePort(node.clone()),
            )
        } else if cloud {
            let np = t.port;
            (
                Packet {
                    dst: node_ip,
                    port: np,
                    dst_name: None,
                    ..packet.clone()
                },
                LbDecision::InstanceTarget {
                    lb: name.clone(),
                    node: node.clone(),
                    node_port: np,
                    of: healthy.len(),
                },
                Entry::NodePort(node.clone()),
            )
        } else {
            (
                packet.clone(),
                LbDecision::MetalLb {
                    lb: name.clone(),
                    node: node.clone(),
                },
                Entry::LoadBalancer(node.clone()),
            )
        };
        let lb_hop = Hop::new(
            Place::Cloud(CloudPart::LoadBalancer),
            Action::LoadBalancer { what },
            packet,
            &after,
        );
        let mut branches = self.via_service(origin, &after, id, entry);
        for b in &mut branches {
            b.hops.insert(0, lb_hop.clone());
        }
        branches
    }
}
