//! The tracer's start: who sends (pod, node or outside), what the
//! destination resolves to, and which kind of address each packet goes to
//! (Service VIP, load balancer, node, pod, outside).

use std::net::IpAddr;

use podnet_model::{PodId, Protocol, ProxyMode, ServiceId};

use super::service::Entry;
use super::{
    Action, Branch, DropReason, Hop, Outcome, Packet, PathLabel, Place, Trace, TraceEnd,
    TraceError, TraceFrom, TraceRequest, TraceTo, hoist_common_prefix,
};
use crate::Dataplane;
use crate::dns::Answer;

/// One trace in progress.
pub(super) struct Tracer<'a> {
    pub(super) dp: &'a Dataplane,
    pub(super) req: &'a TraceRequest,
}

/// The source: its address, its node and its place.
pub(super) struct Origin {
    pub(super) ip: IpAddr,
    pub(super) node: Option<String>,
    pub(super) pod: Option<PodId>,
    /// The host-network pod the trace starts from (`pod` is then `None`:
    /// its packets leave from the node).
    pub(super) host_pod: Option<PodId>,
    pub(super) place: Place,
}

impl Origin {
    /// The pod whose egress policies apply: a pod-network source, or a
    /// host-network one when policies select those like any pod
    /// (`HostNetworkMode::Pod`).
    pub(super) fn policy_pod(&self, cluster: &podnet_model::Cluster) -> Option<PodId> {
        self.pod.or(self
            .host_pod
            .filter(|&p| !cluster.is_node_traffic(cluster.pod(p))))
    }
}

impl Tracer<'_> {
    pub(super) fn run(&self) -> Result<Trace, TraceError> {
        let dp = self.dp;
        let c = &dp.cluster;
        let origin = match &self.req.from {
            TraceFrom::Pod(p) => {
                let pod = c.pod(*p);
                let ip = *pod
                    .ips
                    .first()
                    .ok_or_else(|| TraceError::NoAddress(c.pod_name(*p)))?;
                Origin {
                    ip,
                    node: pod.node_name.clone(),
                    pod: (!pod.host_network).then_some(*p),
                    host_pod: pod.host_network.then_some(*p),
                    place: if pod.host_network {
                        Place::Node(pod.node_name.clone().unwrap_or_default())
                    } else {
                        Place::Pod(*p)
                    },
                }
            }
            TraceFrom::Node(n) => {
                let ip = dp
                    .node_ip(n)
                    .ok_or_else(|| TraceError::UnknownNode(n.clone()))?;
                Origin {
                    ip,
                    node: Some(n.clone()),
                    pod: None,
                    host_pod: None,
                    place: Place::Node(n.clone()),
                }
            }
            TraceFrom::NodeAddress { node, ip } => {
                if dp.node(node).is_none() {
                    return Err(TraceError::UnknownNode(node.clone()));
                }
                Origin {
                    ip: *ip,
                    node: Some(node.clone()),
                    pod: None,
                    host_pod: None,
                    place: Place::Node(node.clone()),
                }
            }
            TraceFrom::External(ip) => Origin {
                ip: *ip,
                node: None,
                pod: None,
                host_pod: None,
                place: Place::Outside,
            },
        };
        let mut hops = Vec::new();
        let mut port = self.req.port;
        if let TraceTo::Address(ip) = &self.req.to
            && let Some(url) = self.gateway_address_url(*ip, port)?
        {
            return self.via_front(&origin, &url);
        }
        let dst_ips: Vec<IpAddr> = match &self.req.to {
            TraceTo::Pod(p) => {
                if port.is_none() {
                    port = Some(single_port(
                        c.pod_ports(*p).iter().map(|x| x.port),
                        &c.pod_name(*p),
                    )?);
                }
                c.pod(*p).ips.clone()
            }
            TraceTo::Address(ip) => vec![*ip],
            TraceTo::Url(url) => return self.via_front(&origin, url),
            TraceTo::Name(name) if dp.service_by_lb_name(name.trim_end_matches('.')).is_some() => {
                let Some(id) = dp.service_by_lb_name(name.trim_end_matches('.')) else {
                    return Err(TraceError::NeedPort(name.clone(), 0));
                };
                let s = &c.services[id.index()];
                let port = match port {
                    Some(p) => p,
                    None => single_port(
                        s.ports.iter().map(|p| p.port),
                        &format!("Service {}", s.meta.qualified_name()),
                    )?,
                };
                let packet = Packet {
                    src: origin.ip,
                    dst: origin.ip,
                    port,
                    protocol: self.req.protocol,
                    outer: None,
                    dst_name: Some(name.trim_end_matches('.').to_owned()),
                };
                let branches = self.via_lb(&origin, &packet, id);
                return Ok(Trace {
                    request: self.req.clone(),
                    src: origin.ip,
                    port,
                    hops,
                    branches,
                    end: None,
                });
            }
            TraceTo::Name(name) => {
                let res = dp.resolve_name(name, origin.pod);
                let placeholder = Packet {
                    src: origin.ip,
                    dst: res.nameserver.unwrap_or(origin.ip),
                    port: 53,
                    protocol: Protocol::Udp,
                    outer: None,
                    dst_name: None,
                };
                let answer = res.answer().cloned();
                hops.push(Hop::same(
                    origin.place.clone(),
                    Action::Dns(res),
                    &placeholder,
                ));
                let end = |why: TraceEnd| {
                    Ok(Trace {
                        request: self.req.clone(),
                        src: origin.ip,
                        port: self.req.port.unwrap_or(0),
                        hops: hops.clone(),
                        branches: Vec::new(),
                        end: Some(why),
                    })
                };
                match answer {
                    None => return end(TraceEnd::NxDomain(name.clone())),
                    Some(Answer::NoData) => return end(TraceEnd::NoData(name.clone())),
                    Some(Answer::Upstream) => return end(TraceEnd::Upstream(name.clone())),
                    Some(Answer::Cname { target, .. }) => return end(TraceEnd::Cname(target)),
                    Some(Answer::Srv { records, .. }) => return end(TraceEnd::Srv(records)),
                    Some(Answer::ClusterIp { service, ips }) => {
                        if port.is_none() {
                            let s = &c.services[service.index()];
                            port = Some(single_port(
                                s.ports.iter().map(|p| p.port),
                                &format!("Service {}", s.meta.qualified_name()),
                            )?);
                        }
                        ips
                    }
                    Some(Answer::Headless { service, ips }) => {
                        if port.is_none() {
                            let s = &c.services[service.index()];
                            port = Some(single_port(
                                s.ports.iter().map(|p| p.port),
                                &format!("Service {}", s.meta.qualified_name()),
                            )?);
                        }
                        if ips.is_empty() {
                            return end(TraceEnd::EmptyHeadless);
                        }
                        ips
                    }
                    Some(Answer::PodHostname { pod, ips }) => {
                        if port.is_none() {
                            port = Some(single_port(
                                c.pod_ports(pod).iter().map(|x| x.port),
                                &c.pod_name(pod),
                            )?);
                        }
                        ips
                    }
                    Some(Answer::PodIp(ip)) => vec![ip],
                    Some(Answer::Endpoints { service, ips }) => {
                        if port.is_none() {
                            let s = &c.services[service.index()];
                            port = Some(single_port(
                                s.ports.iter().map(|p| p.port),
                                &format!("Service {}", s.meta.qualified_name()),
                            )?);
                        }
                        ips
                    }
                }
            }
        };
        let port = match port {
            Some(p) => p,
            None => return Err(TraceError::NeedPort("the destination".into(), 0)),
        };
        // One address per family at most; take the source's family.
        let mut dst_ips: Vec<IpAddr> = dst_ips
            .into_iter()
            .filter(|d| d.is_ipv4() == origin.ip.is_ipv4())
            .collect();
        dst_ips.dedup();
        let mut branches = Vec::new();
        let several = dst_ips.len() > 1;
        for dst in dst_ips {
            let packet = Packet {
                src: origin.ip,
                dst,
                port,
                protocol: self.req.protocol,
                outer: None,
                dst_name: None,
            };
            let mut sub = self.to_address(&origin, &packet);
            if several {
                for b in &mut sub {
                    let label = std::mem::replace(&mut b.label, PathLabel::Dropped);
                    b.label = PathLabel::ARecord(dst, Box::new(label));
                }
            }
            branches.extend(sub);
        }
        hoist_common_prefix(&mut hops, &mut branches);
        let end = branches.is_empty().then_some(TraceEnd::NoAddressOfFamily);
        Ok(Trace {
            request: self.req.clone(),
            src: origin.ip,
            port,
            hops,
            branches,
            end,
        })
    }

    /// Branches for a packet sent to `packet.dst`.
    fn to_address(&self, origin: &Origin, packet: &Packet) -> Vec<Branch> {
        let dp = self.dp;
        let dst = packet.dst;
        if let Some(svc) = dp.service_by_ip(dst) {
            return self.via_service(origin, packet, svc, Entry::ClusterIp);
        }
        let kube = dp.profile.proxy != ProxyMode::Ebpf;
        if kube && let Some(branches) = self.kube_proxy_address(origin, packet) {
            return branches;
        }
        if let Some(svc) = dp.service_by_lb_ip(dst) {
            return self.via_lb(origin, packet, svc);
        }
        if let Some(node) = dp.node_by_ip(dst).map(|n| n.name.clone()) {
            if !kube && let Some(svc) = self.node_port_service(packet) {
                return self.via_service(origin, packet, svc, Entry::NodePort(node));
            }
            return vec![self.to_node(origin, packet, &node)];
        }
        if dst.is_loopback()
            && matches!(origin.place, Place::Node(_))
            && let Some(svc) = self.node_port_service(packet)
        {
            if kube {
                // kube_proxy_address found no NodePort on this address.
                return vec![Branch {
                    label: PathLabel::LocalhostNodePort,
                    hops: vec![Hop::same(
                        origin.place.clone(),
                        Action::Drop {
                            why: DropReason::LocalhostNodePort,
                        },
                        packet,
                    )],
                    outcome: Outcome::Dropped(DropReason::LocalhostNodePort),
                }];
            }
            let node = origin.node.clone().unwrap_or_default();
            return self.via_service(origin, packet, svc, Entry::NodePort(node));
        }
        if let Some(pod) = dp.pod_by_ip(dst) {
            let mut hops = Vec::new();
            self.leave_pod(origin, packet, &mut hops);
            let label = PathLabel::Pod {
                pod,
                ip: dst,
                port: packet.port,
            };
            return vec![self.to_pod(
                origin,
                origin.node.as_deref(),
                packet.clone(),
                pod,
                hops,
                label,
            )];
        }
        vec![self.to_outside(origin, packet, true)]
    }

    /// kube-proxy's addresses besides ClusterIPs: a load-balancer IP or
    /// external IP caught on the sender's own node (a pod's or the node's
    /// packet never reaches the cloud load balancer unless the IP has
    /// `ipMode: Proxy`), a NodePort on the node holding the address, and
    /// (nftables) addresses of the service CIDRs no Service holds.
    fn kube_proxy_address(&self, origin: &Origin, packet: &Packet) -> Option<Vec<Branch>> {
        let dp = self.dp;
        let dst = packet.dst;
        let owner = dp.node_by_ip(dst).map(|n| n.name.clone());
        let at = match &origin.node {
            Some(n) if dst.is_loopback() || owner.is_none() => n.clone(),
            _ => owner.clone().or_else(|| origin.node.clone())?,
        };
        let pp = crate::kube_proxy::ProxyPacket {
            node: &at,
            src: packet.src,
            dst,
            port: packet.port,
            protocol: packet.protocol,
        };
        let Some((id, _, matched)) = dp.proxy_match(&pp) else {
            // nftables drops what is sent to an unallocated service address.
            let v = dp.kube_proxy(&pp)?;
            return Some(vec![self.proxy_end(
                packet,
                &at,
                v,
                DropReason::UnallocatedServiceAddress,
            )]);
        };
        let entry = match matched {
            crate::kube_proxy::ProxyMatch::ClusterIp => Entry::ClusterIp,
            crate::kube_proxy::ProxyMatch::NodePort => Entry::NodePort(at),
            crate::kube_proxy::ProxyMatch::ExternalIp => Entry::ExternalIp(at),
            crate::kube_proxy::ProxyMatch::LoadBalancer => {
                // From outside, the load balancer picks the node.
                origin.node.as_ref()?;
                Entry::LoadBalancer(at)
            }
        };
        Some(self.via_service(origin, packet, id, entry))
    }

    fn node_port_service(&self, packet: &Packet) -> Option<ServiceId> {
        let dp = self.dp;
        dp.services
            .node_ports
            .iter()
            .enumerate()
            .find_map(|(i, ports)| {
                let svc = &dp.cluster.services[i];
                ports
                    .iter()
                    .zip(&svc.ports)
                    .any(|(np, p)| *np == Some(packet.port) && p.protocol == packet.protocol)
                    .then(|| ServiceId::from_index(i))
            })
    }

    /// The first hop out of a pod.
    pub(super) fn leave_pod(&self, origin: &Origin, packet: &Packet, hops: &mut Vec<Hop>) {
        if let Some(p) = origin.pod {
            let node = origin.node.clone().unwrap_or_default();
            hops.push(Hop::same(Place::Pod(p), Action::Send { node }, packet));
        }
    }
}

/// The one port of `ports`, else an error naming `what`.
pub(super) fn single_port(ports: impl Iterator<Item = u16>, what: &str) -> Result<u16, TraceError> {
    let mut ports: Vec<u16> = ports.collect();
    ports.sort_unstable();
    ports.dedup();
    match ports.as_slice() {
        [one] => Ok(*one),
        _ => Err(TraceError::NeedPort(what.to_owned(), ports.len())),
    }
}
