//! `trace`: one connection followed hop by hop, from a DNS name as typed in
//! the source pod to the pod that answers: DNS, kube-proxy's DNAT (one
//! branch per endpoint it may pick), routing per CNI, SNAT, and the policy
//! checks, whose verdicts come from the engine's readable spec.
//!
//! Policy is evaluated on the addresses the destination sees: after DNAT
//! (implementations enforce NetworkPolicy on the chosen endpoint, not the
//! Service VIP) and after SNAT (a NodePort with `externalTrafficPolicy:
//! Cluster` hides the client behind the node's address). Traffic from the
//! destination pod's own node is always allowed (NetworkPolicy concept page:
//! "traffic to and from the node where a Pod is running is always allowed").

use std::net::IpAddr;

use podnet_engine::semantics::evaluate;
use podnet_engine::{Endpoint, Side};
use podnet_model::{Direction, PodId, Protocol, ProxyMode, ServiceId, TrafficPolicy};

use crate::Dataplane;
use crate::dns::{Answer, Resolution};
use crate::services::Backend;

/// Where a hop happens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// Inside a pod's network namespace.
    Pod(PodId),
    /// On a node (its root network namespace).
    Node(String),
    /// The network between nodes.
    Underlay,
    /// A cloud component (VPC, load balancer).
    Cloud(String),
    /// Outside the cluster.
    Outside,
}

/// The outer header of an encapsulated packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outer {
    /// Outer source (the sending node).
    pub src: IpAddr,
    /// Outer destination (the receiving node).
    pub dst: IpAddr,
    /// What carries it (`UDP 8472 (VXLAN)`).
    pub carrier: String,
}

/// A packet's addresses at one point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Destination port.
    pub port: u16,
    /// Protocol.
    pub protocol: Protocol,
    /// The outer header while encapsulated.
    pub outer: Option<Outer>,
    /// The destination's name when it has no address podnet knows (a cloud
    /// load balancer's DNS name).
    pub dst_name: Option<String>,
}

impl Packet {
    /// The packet wrapped in an outer header.
    pub fn encapsulated(&self, src: IpAddr, dst: IpAddr, carrier: String) -> Packet {
        Packet {
            outer: Some(Outer { src, dst, carrier }),
            ..self.clone()
        }
    }
}

/// What happened at a hop.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A DNS lookup through the pod's resolver.
    Dns(Resolution),
    /// The packet leaves the pod.
    Send {
        /// How.
        via: String,
    },
    /// kube-proxy (or its replacement) rewrote the destination.
    Dnat {
        /// The Service.
        service: ServiceId,
        /// What matched (`ClusterIP`, `NodePort`, `LoadBalancer`).
        matched: String,
        /// How many endpoints it chooses among.
        choices: usize,
        /// Which rule set did it.
        by: String,
        /// `sessionAffinity: ClientIP` timeout, when set.
        affinity: Option<u32>,
    },
    /// The source was rewritten.
    Snat {
        /// Why.
        why: String,
    },
    /// A routing decision.
    Route {
        /// The route used.
        route: String,
    },
    /// Forwarded without change.
    Forward {
        /// Through what.
        via: String,
    },
    /// Wrapped in an outer header.
    Encapsulate {
        /// How.
        kind: String,
    },
    /// The outer header removed.
    Decapsulate {
        /// By what.
        kind: String,
    },
    /// A cloud or MetalLB load balancer took the packet.
    LoadBalancer {
        /// What it did.
        what: String,
    },
    /// A NetworkPolicy check.
    Policy {
        /// Egress of the source or ingress of the destination.
        direction: Direction,
        /// Whether it passes.
        allowed: bool,
        /// The engine's verdict for the direction.
        side: Box<Side>,
        /// Allowed because the source is the destination pod's own node.
        node_local: bool,
    },
    /// Arrived.
    Deliver {
        /// Whether a container declares the port and protocol.
        declared: bool,
    },
    /// Dropped.
    Drop {
        /// Why.
        why: String,
    },
}

/// One step.
#[derive(Clone, Debug, PartialEq)]
pub struct Hop {
    /// Where.
    pub place: Place,
    /// What.
    pub action: Action,
    /// The packet before.
    pub before: Packet,
    /// The packet after.
    pub after: Packet,
}

impl Hop {
    /// A hop changing the packet.
    pub fn new(place: Place, action: Action, before: &Packet, after: &Packet) -> Hop {
        Hop {
            place,
            action,
            before: before.clone(),
            after: after.clone(),
        }
    }

    /// A hop leaving the packet as it is.
    pub fn same(place: Place, action: Action, packet: &Packet) -> Hop {
        Hop::new(place, action, packet, packet)
    }
}

/// How a branch ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Delivered to a pod.
    Delivered(PodId),
    /// Delivered to a node's own network namespace.
    ReachedNode(String),
    /// Left the cluster.
    LeftCluster,
    /// Denied by NetworkPolicy in this direction.
    Denied(Direction),
    /// Dropped by the dataplane.
    Dropped(String),
}

/// One possible path (kube-proxy picks one endpoint per connection).
#[derive(Clone, Debug, PartialEq)]
pub struct Branch {
    /// What this branch stands for (`endpoint default/web-1 10.244.1.2:8080`).
    pub label: String,
    /// Its hops.
    pub hops: Vec<Hop>,
    /// Its end.
    pub outcome: Outcome,
}

/// Where a trace starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceFrom {
    /// A pod.
    Pod(PodId),
    /// A node's host network.
    Node(String),
    /// An address outside the cluster.
    External(IpAddr),
}

/// Where a trace goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceTo {
    /// A pod's address.
    Pod(PodId),
    /// A DNS name, as typed inside the source.
    Name(String),
    /// An address (pod, ClusterIP, node, load balancer, outside).
    Address(IpAddr),
}

/// A trace request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceRequest {
    /// Source.
    pub from: TraceFrom,
    /// Destination.
    pub to: TraceTo,
    /// Destination port; inferred when the target has exactly one.
    pub port: Option<u16>,
    /// Protocol.
    pub protocol: Protocol,
}

/// A trace.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// The request.
    pub request: TraceRequest,
    /// The source address.
    pub src: IpAddr,
    /// The port used.
    pub port: u16,
    /// Hops before the paths split.
    pub hops: Vec<Hop>,
    /// The possible paths.
    pub branches: Vec<Branch>,
    /// Why there is no branch, when there is none.
    pub end: Option<String>,
}

impl Trace {
    /// Whether some branch delivers the packet.
    pub fn reachable(&self) -> bool {
        self.branches.iter().any(|b| {
            matches!(
                b.outcome,
                Outcome::Delivered(_) | Outcome::ReachedNode(_) | Outcome::LeftCluster
            )
        })
    }
}

/// Why a trace cannot start.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TraceError {
    /// The source pod has no address.
    #[error("pod `{0}` has no address (it is not scheduled or its pool is exhausted)")]
    NoAddress(String),
    /// The node is unknown.
    #[error("no node is called `{0}`")]
    UnknownNode(String),
    /// No port given and none can be inferred.
    #[error("{0} has {1} ports; say which with --port")]
    NeedPort(String, usize),
}

/// Traces one connection.
pub fn trace(dp: &Dataplane, req: &TraceRequest) -> Result<Trace, TraceError> {
    Tracer { dp, req }.run()
}

struct Tracer<'a> {
    dp: &'a Dataplane,
    req: &'a TraceRequest,
}

/// The source: its address, its node and its place.
struct Origin {
    ip: IpAddr,
    node: Option<String>,
    pod: Option<PodId>,
    place: Place,
}

impl Tracer<'_> {
    fn run(&self) -> Result<Trace, TraceError> {
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
                    place: Place::Node(n.clone()),
                }
            }
            TraceFrom::External(ip) => Origin {
                ip: *ip,
                node: None,
                pod: None,
                place: Place::Outside,
            },
        };
        let mut hops = Vec::new();
        let mut port = self.req.port;
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
                let end = |why: String| {
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
                    None => return end(format!("`{name}` does not resolve (NXDOMAIN)")),
                    Some(Answer::Upstream) => {
                        return end(format!(
                            "`{name}` is outside the cluster domain; the upstream resolver answers, which podnet does not model"
                        ));
                    }
                    Some(Answer::Cname { target, .. }) => {
                        return end(format!(
                            "CNAME to `{target}`, resolved outside the cluster; trace its address with --to IP:PORT"
                        ));
                    }
                    Some(Answer::Srv { records, .. }) => {
                        return end(format!(
                            "SRV records point at {}; trace one of them",
                            records
                                .iter()
                                .map(|(t, p)| format!("{t}:{p}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                    }
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
                            return end(
                                "the headless Service has no ready endpoint: the answer is empty"
                                    .into(),
                            );
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
                    b.label = format!("A record {dst}: {}", b.label);
                }
            }
            branches.extend(sub);
        }
        hoist_common_prefix(&mut hops, &mut branches);
        let end = branches
            .is_empty()
            .then(|| "no address of the source's family".to_owned());
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
        if let Some(svc) = dp.service_by_lb_ip(dst) {
            return self.via_lb(origin, packet, svc);
        }
        if let Some(node) = dp.node_by_ip(dst).map(|n| n.name.clone()) {
            if let Some(svc) = self.node_port_service(packet) {
                return self.via_service(origin, packet, svc, Entry::NodePort(node));
            }
            return vec![self.to_node(origin, packet, &node)];
        }
        if dst.is_loopback()
            && matches!(origin.place, Place::Node(_))
            && let Some(svc) = self.node_port_service(packet)
        {
            if dp.profile.proxy == ProxyMode::Nftables {
                return vec![Branch {
                    label: "localhost NodePort".into(),
                    hops: vec![Hop::same(origin.place.clone(), Action::Drop {
                        why: "kube-proxy in nftables mode serves NodePorts only on node addresses, not 127.0.0.1".into(),
                    }, packet)],
                    outcome: Outcome::Dropped("NodePort on 127.0.0.1 not served in nftables mode".into()),
                }];
            }
            let node = origin.node.clone().unwrap_or_default();
            return self.via_service(origin, packet, svc, Entry::NodePort(node));
        }
        if let Some(pod) = dp.pod_by_ip(dst) {
            let mut hops = Vec::new();
            self.leave_pod(origin, packet, &mut hops);
            let label = format!("pod {} {}:{}", dp.cluster.pod_name(pod), dst, packet.port);
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
    fn leave_pod(&self, origin: &Origin, packet: &Packet, hops: &mut Vec<Hop>) {
        if let Some(p) = origin.pod {
            let node = origin.node.clone().unwrap_or_default();
            hops.push(Hop::same(
                Place::Pod(p),
                Action::Send {
                    via: format!("eth0 -> veth peer on node `{node}`"),
                },
                packet,
            ));
        }
    }

    fn via_service(
        &self,
        origin: &Origin,
        packet: &Packet,
        id: ServiceId,
        entry: Entry,
    ) -> Vec<Branch> {
        let dp = self.dp;
        let svc = &dp.cluster.services[id.index()];
        let name = svc.meta.qualified_name();
        let mut hops = Vec::new();
        let ebpf = dp.profile.proxy == ProxyMode::Ebpf;
        let proxy = match dp.profile.proxy {
            ProxyMode::Iptables => {
                "kube-proxy (iptables: KUBE-SERVICES -> KUBE-SVC chain, random choice)"
            }
            ProxyMode::Ipvs => "kube-proxy (IPVS virtual server, round robin)",
            ProxyMode::Nftables => "kube-proxy (nftables service map, random choice)",
            ProxyMode::Ebpf => "eBPF service map (kube-proxy replacement)",
        };
        // Which Service port, and where kube-proxy acts.
        let (k, node, matched) = match &entry {
            Entry::ClusterIp => {
                if origin.pod.is_none() && origin.node.is_none() {
                    return vec![drop_branch(
                        origin,
                        packet,
                        "ClusterIPs answer only inside the cluster; from outside nothing routes to the service CIDR",
                    )];
                }
                let k = svc
                    .ports
                    .iter()
                    .position(|p| p.port == packet.port && p.protocol == packet.protocol);
                (k, origin.node.clone(), "ClusterIP".to_owned())
            }
            Entry::NodePort(node) => {
                let k = dp.services.node_ports[id.index()]
                    .iter()
                    .zip(&svc.ports)
                    .position(|(np, p)| *np == Some(packet.port) && p.protocol == packet.protocol);
                (
                    k,
                    Some(node.clone()),
                    format!("NodePort {} on node `{node}`", packet.port),
                )
            }
            Entry::LoadBalancer(node) => {
                let k = svc
                    .ports
                    .iter()
                    .position(|p| p.port == packet.port && p.protocol == packet.protocol);
                (k, Some(node.clone()), "LoadBalancer address".to_owned())
            }
        };
        let Some(k) = k else {
            return vec![drop_branch(
                origin,
                packet,
                &format!(
                    "Service {name} has no {} port {}",
                    packet.protocol, packet.port
                ),
            )];
        };
        if !ebpf || !matches!(entry, Entry::ClusterIp) {
            self.leave_pod(origin, packet, &mut hops);
        }
        let backends = dp.backends(id).swap_remove(k);
        let external = !matches!(entry, Entry::ClusterIp)
            && origin.pod.is_none()
            && origin.node.as_ref() != node.as_ref();
        let local_only = match entry {
            Entry::ClusterIp => svc.internal_traffic_policy == TrafficPolicy::Local,
            _ => svc.external_traffic_policy == TrafficPolicy::Local,
        };
        let here = node.clone().unwrap_or_default();
        let serving: Vec<&Backend> = backends
            .iter()
            .filter(|b| b.serving && b.ip.is_ipv4() == packet.dst.is_ipv4())
            .filter(|b| !local_only || b.node.as_deref() == Some(here.as_str()))
            .collect();
        let place = if ebpf && matches!(entry, Entry::ClusterIp) {
            origin.place.clone()
        } else {
            Place::Node(here.clone())
        };
        if serving.is_empty() {
            let why = if backends.iter().any(|b| b.serving) && local_only {
                format!(
                    "{}TrafficPolicy: Local and no ready endpoint on node `{here}`: dropped",
                    if matches!(entry, Entry::ClusterIp) {
                        "internal"
                    } else {
                        "external"
                    }
                )
            } else if backends.is_empty() {
                format!(
                    "Service {name} has no endpoints (no pod matches its selector, or none has the target port): kube-proxy rejects"
                )
            } else {
                format!("Service {name} has no ready endpoint: kube-proxy rejects")
            };
            hops.push(Hop::same(place, Action::Drop { why: why.clone() }, packet));
            return vec![Branch {
                label: "no endpoint".into(),
                hops,
                outcome: Outcome::Dropped(why),
            }];
        }
        let mut out = Vec::new();
        for b in &serving {
            let mut hops = hops.clone();
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
                    by: proxy.to_owned(),
                    affinity: svc.session_affinity,
                },
                packet,
                &after,
            ));
            if ebpf && matches!(entry, Entry::ClusterIp) {
                self.leave_pod(origin, &after, &mut hops);
            }
            // NodePort/LB with externalTrafficPolicy: Cluster: the node
            // masquerades so replies come back through it.
            if !matches!(entry, Entry::ClusterIp)
                && (external || origin.pod.is_some())
                && svc.external_traffic_policy == TrafficPolicy::Cluster
            {
                if let Some(ip) = dp.node_ip(&here) {
                    let before = after.clone();
                    after.src = ip;
                    hops.push(Hop::new(Place::Node(here.clone()), Action::Snat {
                        why: "externalTrafficPolicy: Cluster: masquerade to the node's address (the client address is lost)".into(),
                    }, &before, &after));
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
                hops.push(Hop::new(Place::Node(here.clone()), Action::Snat {
                    why: "hairpin: the pod reached itself through its Service; masqueraded so the reply returns through the node".into(),
                }, &before, &after));
            }
            let label = match b.pod {
                Some(p) => format!("endpoint {} {}:{}", dp.cluster.pod_name(p), b.ip, b.port),
                None => format!("endpoint {}:{}", b.ip, b.port),
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

    /// Into a LoadBalancer Service from its address or name.
    fn via_lb(&self, origin: &Origin, packet: &Packet, id: ServiceId) -> Vec<Branch> {
        let dp = self.dp;
        let targets = dp.lb_targets(id);
        let healthy: Vec<&crate::lb::LbTarget> = targets.iter().filter(|t| t.healthy).collect();
        let name = packet
            .dst_name
            .clone()
            .unwrap_or_else(|| packet.dst.to_string());
        if healthy.is_empty() {
            let why = match targets.first() {
                None => "the load balancer has no target".to_owned(),
                Some(first) => format!(
                    "none of its {} targets is healthy; {}: {}",
                    targets.len(),
                    first.target,
                    first.why.join("; ")
                ),
            };
            return vec![Branch {
                label: format!("load balancer {name}"),
                hops: vec![Hop::same(
                    Place::Cloud("load balancer".into()),
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
                    Place::Cloud("load balancer".into()),
                    Action::LoadBalancer {
                        what: format!(
                            "{name} forwards to IP target {ip}:{} (one of {}), through the VPC",
                            t.port,
                            healthy.len()
                        ),
                    },
                    packet,
                    &after,
                )];
                let node = dp.cluster.pod(pod).node_name.clone();
                let label = format!("IP target {} {ip}:{}", dp.cluster.pod_name(pod), t.port);
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
        let cloud = matches!(dp.profile.cloud, podnet_model::Cloud::Aws(_));
        let (after, what, entry) = if cloud {
            let np = t.port;
            (
                Packet {
                    dst: node_ip,
                    port: np,
                    dst_name: None,
                    ..packet.clone()
                },
                format!(
                    "{name} forwards to instance target `{node}` NodePort {np} (one of {} healthy)",
                    healthy.len()
                ),
                Entry::NodePort(node.clone()),
            )
        } else {
            (
                packet.clone(),
                format!("MetalLB: node `{node}` answers for {name} (L2 announcement)"),
                Entry::LoadBalancer(node.clone()),
            )
        };
        let lb_hop = Hop::new(
            Place::Cloud("load balancer".into()),
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

    /// From `at` (a node, where the packet is now) to pod `dst`.
    fn to_pod(
        &self,
        origin: &Origin,
        at: Option<&str>,
        packet: Packet,
        dst: PodId,
        mut hops: Vec<Hop>,
        label: String,
    ) -> Branch {
        let dp = self.dp;
        let c = &dp.cluster;
        let dst_pod = c.pod(dst);
        let dst_node = dst_pod.node_name.clone().unwrap_or_default();
        // Ingress sees the packet's source after any SNAT; the source pod's
        // egress is checked on its node before the SNAT.
        let src_ep = match origin.pod {
            Some(p) if packet.src == origin.ip => Endpoint::Pod(p),
            _ => Endpoint::External(packet.src),
        };
        let verdict = evaluate(c, src_ep, Endpoint::Pod(dst));
        let egress = match origin.pod {
            Some(p) if src_ep != Endpoint::Pod(p) => {
                Some(evaluate(c, Endpoint::Pod(p), Endpoint::Pod(dst)).egress)
            }
            Some(_) => Some(verdict.egress.clone()),
            None => None,
        };
        let proto = packet.protocol;
        let here = at
            .map(str::to_owned)
            .or_else(|| origin.node.clone())
            .unwrap_or_default();
        // Egress of the source pod, enforced on its node.
        if let Some(egress) = egress {
            let allowed = egress.allowed.allows(proto, packet.port);
            hops.push(Hop::same(
                Place::Node(origin.node.clone().unwrap_or_default()),
                Action::Policy {
                    direction: Direction::Egress,
                    allowed,
                    side: Box::new(egress),
                    node_local: false,
                },
                &packet,
            ));
            if !allowed {
                return Branch {
                    label,
                    hops,
                    outcome: Outcome::Denied(Direction::Egress),
                };
            }
        }
        if origin.place == Place::Outside && at.is_none() {
            return Branch {
                label,
                hops: vec![Hop::same(
                    Place::Outside,
                    Action::Drop {
                        why: "pod addresses are not routed from outside the cluster".into(),
                    },
                    &packet,
                )],
                outcome: Outcome::Dropped("pod addresses are not reachable from outside".into()),
            };
        }
        if here != dst_node && !here.is_empty() {
            let (mut route, fail) = dp.cross_nodes(&here, &dst_node, &packet);
            hops.append(&mut route);
            if let Some(why) = fail {
                hops.push(Hop::same(
                    Place::Underlay,
                    Action::Drop { why: why.clone() },
                    &packet,
                ));
                return Branch {
                    label,
                    hops,
                    outcome: Outcome::Dropped(why),
                };
            }
        }
        let last_leg = if here == dst_node {
            Action::Route {
                route: format!(
                    "{} is local to `{dst_node}`: {}",
                    packet.dst,
                    dp.local_path()
                ),
            }
        } else {
            Action::Forward {
                via: format!("to the destination's veth on `{dst_node}`"),
            }
        };
        hops.push(Hop::same(Place::Node(dst_node.clone()), last_leg, &packet));
        let node_local = dp.node_ip(&dst_node) == Some(packet.src);
        let allowed = node_local || verdict.ingress.allowed.allows(proto, packet.port);
        hops.push(Hop::same(
            Place::Node(dst_node.clone()),
            Action::Policy {
                direction: Direction::Ingress,
                allowed,
                side: Box::new(verdict.ingress.clone()),
                node_local,
            },
            &packet,
        ));
        if !allowed {
            return Branch {
                label,
                hops,
                outcome: Outcome::Denied(Direction::Ingress),
            };
        }
        let declared = dst_pod.host_network
            || c.pod_ports(dst)
                .iter()
                .any(|p| p.port == packet.port && p.protocol == proto);
        hops.push(Hop::same(
            Place::Pod(dst),
            Action::Deliver { declared },
            &packet,
        ));
        Branch {
            label,
            hops,
            outcome: Outcome::Delivered(dst),
        }
    }

    fn to_node(&self, origin: &Origin, packet: &Packet, node: &str) -> Branch {
        let mut hops = Vec::new();
        self.leave_pod(origin, packet, &mut hops);
        let own = origin.node.as_deref() == Some(node);
        if !self.egress_off_pods(origin, packet, own, &mut hops) {
            return Branch {
                label: format!("node `{node}`"),
                hops,
                outcome: Outcome::Denied(Direction::Egress),
            };
        }
        hops.push(Hop::same(
            Place::Node(node.to_owned()),
            Action::Deliver { declared: true },
            packet,
        ));
        Branch {
            label: format!(
                "node `{node}` host network (no NodePort {}/{} there)",
                packet.port, packet.protocol
            ),
            hops,
            outcome: Outcome::ReachedNode(node.to_owned()),
        }
    }

    /// The source pod's egress check for an address no pod holds (a node,
    /// outside); `node_local` when it is the pod's own node. Whether it
    /// passes (trivially when the source is no pod).
    fn egress_off_pods(
        &self,
        origin: &Origin,
        packet: &Packet,
        node_local: bool,
        hops: &mut Vec<Hop>,
    ) -> bool {
        let Some(p) = origin.pod else { return true };
        let verdict = evaluate(
            &self.dp.cluster,
            Endpoint::Pod(p),
            Endpoint::External(packet.dst),
        );
        let allowed = node_local || verdict.egress.allowed.allows(packet.protocol, packet.port);
        hops.push(Hop::same(
            Place::Node(origin.node.clone().unwrap_or_default()),
            Action::Policy {
                direction: Direction::Egress,
                allowed,
                side: Box::new(verdict.egress),
                node_local,
            },
            packet,
        ));
        allowed
    }

    /// To an address outside the pods; `send` when the packet still has to
    /// leave the source pod.
    fn to_outside(&self, origin: &Origin, packet: &Packet, send: bool) -> Branch {
        let dp = self.dp;
        let mut hops = Vec::new();
        if send {
            self.leave_pod(origin, packet, &mut hops);
        }
        let label = format!("{} outside the cluster", packet.dst);
        if origin.pod.is_some() {
            if !self.egress_off_pods(origin, packet, false, &mut hops) {
                return Branch {
                    label,
                    hops,
                    outcome: Outcome::Denied(Direction::Egress),
                };
            }
            if dp.in_pod_network(packet.dst) {
                let why = format!("{} is in the cluster CIDR but no pod holds it", packet.dst);
                hops.push(Hop::same(
                    Place::Node(origin.node.clone().unwrap_or_default()),
                    Action::Drop { why: why.clone() },
                    packet,
                ));
                return Branch {
                    label,
                    hops,
                    outcome: Outcome::Dropped(why),
                };
            }
            if dp.masquerades(packet.dst)
                && let Some(ip) = origin.node.as_deref().and_then(|n| dp.node_ip(n))
            {
                let after = Packet {
                    src: ip,
                    ..packet.clone()
                };
                hops.push(Hop::new(Place::Node(origin.node.clone().unwrap_or_default()), Action::Snat {
                    why: "masquerade: the destination is outside the pod network and the non-masquerade ranges".into(),
                }, packet, &after));
                hops.push(Hop::same(
                    Place::Outside,
                    Action::Forward {
                        via: "leaves through the node's eth0".into(),
                    },
                    &after,
                ));
                return Branch {
                    label,
                    hops,
                    outcome: Outcome::LeftCluster,
                };
            }
        }
        hops.push(Hop::same(
            Place::Outside,
            Action::Forward {
                via: "leaves the cluster unchanged".into(),
            },
            packet,
        ));
        Branch {
            label,
            hops,
            outcome: Outcome::LeftCluster,
        }
    }
}

/// How a packet reached a Service.
enum Entry {
    ClusterIp,
    NodePort(String),
    /// Caught by kube-proxy on this node (MetalLB announces the address).
    LoadBalancer(String),
}

/// Moves the hops every branch starts with (the pod sending, a load
/// balancer) before the split, so each path shows only where it differs.
fn hoist_common_prefix(hops: &mut Vec<Hop>, branches: &mut [Branch]) {
    if branches.len() < 2 {
        return;
    }
    let Some(first) = branches.first() else {
        return;
    };
    let mut n = first.hops.len();
    for b in branches.iter().skip(1) {
        n = n.min(
            b.hops
                .iter()
                .zip(&first.hops)
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    // Keep at least one hop per branch.
    let shortest = branches.iter().map(|b| b.hops.len()).min().unwrap_or(0);
    n = n.min(shortest.saturating_sub(1));
    if n == 0 {
        return;
    }
    hops.extend(first.hops[..n].iter().cloned());
    for b in branches.iter_mut() {
        b.hops.drain(..n);
    }
}

fn drop_branch(origin: &Origin, packet: &Packet, why: &str) -> Branch {
    Branch {
        label: "dropped".into(),
        hops: vec![Hop::same(
            origin.place.clone(),
            Action::Drop {
                why: why.to_owned(),
            },
            packet,
        )],
        outcome: Outcome::Dropped(why.to_owned()),
    }
}

fn single_port(ports: impl Iterator<Item = u16>, what: &str) -> Result<u16, TraceError> {
    let mut ports: Vec<u16> = ports.collect();
    ports.sort_unstable();
    ports.dedup();
    match ports.as_slice() {
        [one] => Ok(*one),
        _ => Err(TraceError::NeedPort(what.to_owned(), ports.len())),
    }
}
