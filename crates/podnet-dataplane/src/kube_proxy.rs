//! What kube-proxy on one node does with one packet: which Service address
//! it matches, which endpoints it may DNAT to, whether it rejects or drops
//! the packet instead, and whether it marks it for masquerade; with the
//! chains that decided, as kube-proxy names them.
//!
//! The rules are those kube-proxy generates (kubernetes/kubernetes
//! `pkg/proxy/iptables/proxier.go`, `pkg/proxy/nftables/proxier.go`,
//! endpoint choice in `pkg/proxy/topology.go` `CategorizeEndpoints`), and
//! are checked row by row against kube-proxy's own packet-flow tests
//! (`tests/kube_proxy_upstream.rs`). IPVS mode follows the iptables rules
//! (its masquerade and REJECT rules are iptables rules too).
//!
//! * Endpoints: ready ones; when none is ready, serving-but-terminating
//!   ones (KEP-1669). `internalTrafficPolicy: Local` (ClusterIP) and
//!   `externalTrafficPolicy: Local` (NodePort, external IP, load balancer)
//!   use the endpoints on this node.
//! * Topology-aware routing (`topologyModeFromHints`, KEP-2433, KEP-4444,
//!   KEP-3015): for the cluster-wide endpoints, when every ready endpoint
//!   has a node hint and one is for this node, only endpoints hinted for
//!   this node; else when every ready endpoint has a zone hint and one is
//!   for this node's zone (`topology.kubernetes.io/zone`), only those;
//!   else every endpoint. Local traffic policies ignore hints, and the
//!   terminating fallback ignores them too.
//! * No usable endpoint anywhere: REJECT. Endpoints exist, but none for
//!   this traffic policy: DROP.
//! * `externalTrafficPolicy: Local` short-circuits in-cluster clients: a
//!   pod (by the local-traffic detector) or the node itself reaching a
//!   NodePort, external IP or load-balancer IP gets every endpoint; the
//!   node's own traffic is masqueraded, the pod's is not.
//! * Masquerade: traffic to a ClusterIP from outside the pod network
//!   (`masqueradeAll`: all of it); all external traffic with
//!   `externalTrafficPolicy: Cluster`; hairpin (an endpoint reaching
//!   itself).
//! * `loadBalancerSourceRanges`: a client outside them is dropped (the
//!   load-balancer IP itself is let through when a range holds the node's
//!   address).
//! * A ClusterIP port no Service port matches: iptables and IPVS leave the
//!   packet untranslated; nftables rejects it, and drops packets to
//!   addresses of the service CIDRs no Service holds.
//! * NodePorts answer on every local address in iptables and IPVS mode
//!   (127.0.0.1 too for IPv4 unless `localhostNodePorts: false`), on the
//!   node's primary addresses in nftables mode; `nodePortAddresses`
//!   narrows both.

use std::net::IpAddr;

use ipnet::IpNet;
use podnet_model::{ProxyMode, ServiceId, TrafficPolicy};

use crate::Dataplane;
use crate::services::Backend;

/// A chain or map of kube-proxy's ruleset that took part in a decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProxyChain {
    /// iptables `KUBE-SERVICES` (nat): ClusterIP, external IP and LB
    /// matches.
    KubeServices,
    /// iptables `KUBE-NODEPORTS`.
    KubeNodePorts,
    /// iptables `KUBE-SVC-*`: the cluster-wide endpoints.
    KubeSvc,
    /// iptables `KUBE-SVL-*`: this node's endpoints (traffic policy Local).
    KubeSvl,
    /// iptables `KUBE-EXT-*`: external traffic (NodePort, external IP, LB).
    KubeExt,
    /// iptables `KUBE-FW-*`: `loadBalancerSourceRanges`.
    KubeFw,
    /// iptables `KUBE-MARK-MASQ`: marked for masquerade.
    KubeMarkMasq,
    /// iptables `KUBE-SEP-*`: one endpoint's DNAT.
    KubeSep,
    /// iptables filter `KUBE-SERVICES`: REJECT/DROP of ClusterIPs without
    /// endpoints.
    KubeServicesFilter,
    /// iptables filter `KUBE-EXTERNAL-SERVICES`: REJECT/DROP of external
    /// addresses without endpoints.
    KubeExternalServices,
    /// iptables filter `KUBE-PROXY-FIREWALL`: DROP of what `KUBE-FW` did
    /// not accept.
    KubeProxyFirewall,
    /// nftables map `service-ips`.
    NftServiceIps,
    /// nftables map `service-nodeports` (and the `nodeport-ips` set).
    NftServiceNodePorts,
    /// nftables chain `service-*`: the cluster-wide endpoints.
    NftServiceChain,
    /// nftables chain `local-*`: this node's endpoints.
    NftLocalChain,
    /// nftables chain `external-*`.
    NftExternalChain,
    /// nftables chain `firewall-*` (via the `firewall-ips` map).
    NftFirewall,
    /// nftables chain `mark-for-masquerade`.
    NftMarkForMasquerade,
    /// nftables chain `endpoint-*`.
    NftEndpointChain,
    /// nftables maps `no-endpoint-services` / `no-endpoint-nodeports`.
    NftNoEndpoint,
    /// nftables chain `cluster-ips-check`: unknown ports of ClusterIPs and
    /// unallocated service-CIDR addresses.
    NftClusterIpsCheck,
}

impl ProxyChain {
    /// The chain's name in kube-proxy's ruleset (per Service chains without
    /// their hash suffix).
    pub fn name(self) -> &'static str {
        match self {
            ProxyChain::KubeServices => "KUBE-SERVICES",
            ProxyChain::KubeNodePorts => "KUBE-NODEPORTS",
            ProxyChain::KubeSvc => "KUBE-SVC",
            ProxyChain::KubeSvl => "KUBE-SVL",
            ProxyChain::KubeExt => "KUBE-EXT",
            ProxyChain::KubeFw => "KUBE-FW",
            ProxyChain::KubeMarkMasq => "KUBE-MARK-MASQ",
            ProxyChain::KubeSep => "KUBE-SEP",
            ProxyChain::KubeServicesFilter => "KUBE-SERVICES (filter)",
            ProxyChain::KubeExternalServices => "KUBE-EXTERNAL-SERVICES",
            ProxyChain::KubeProxyFirewall => "KUBE-PROXY-FIREWALL",
            ProxyChain::NftServiceIps => "service-ips",
            ProxyChain::NftServiceNodePorts => "service-nodeports",
            ProxyChain::NftServiceChain => "service",
            ProxyChain::NftLocalChain => "local",
            ProxyChain::NftExternalChain => "external",
            ProxyChain::NftFirewall => "firewall",
            ProxyChain::NftMarkForMasquerade => "mark-for-masquerade",
            ProxyChain::NftEndpointChain => "endpoint",
            ProxyChain::NftNoEndpoint => "no-endpoint-services",
            ProxyChain::NftClusterIpsCheck => "cluster-ips-check",
        }
    }
}

/// Which kind of Service address a packet matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProxyMatch {
    /// A ClusterIP.
    ClusterIp,
    /// `spec.externalIPs`.
    ExternalIp,
    /// A load-balancer ingress IP (`ipMode: VIP`).
    LoadBalancer,
    /// A NodePort on one of the node's addresses.
    NodePort,
}

/// How topology hints shaped the cluster-wide endpoints
/// (`pkg/proxy/topology.go`, `topologyModeFromHints`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Topology {
    /// Every ready endpoint has a node hint and one is for this node: the
    /// endpoints hinted for it (`PreferSameNode`).
    SameNode,
    /// Every ready endpoint has a zone hint and one is for this node's
    /// zone: the endpoints hinted for it (`PreferSameZone`).
    SameZone(String),
    /// Ready endpoints carry hints, but kube-proxy uses every endpoint.
    Ignored(HintsIgnored),
}

/// Why kube-proxy ignored topology hints (its log messages in
/// `topologyModeFromHints`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HintsIgnored {
    /// One or more ready endpoints have no zone hint.
    MissingZoneHint,
    /// The node has no `topology.kubernetes.io/zone` label.
    NodeWithoutZone,
    /// No ready endpoint is hinted for the node's zone.
    NoEndpointForZone,
}

/// What kube-proxy does with the packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProxyResult {
    /// DNAT to one of these endpoints (indexes into the port's backends).
    Dnat(Vec<usize>),
    /// REJECT (ICMP unreachable / TCP reset): no usable endpoint at all,
    /// or (nftables) an unknown port of a ClusterIP.
    Reject,
    /// DROP: endpoints exist but none for this traffic policy, a client
    /// outside `loadBalancerSourceRanges`, or (nftables) an unallocated
    /// service-CIDR address.
    Drop,
    /// Not translated: no rule matches (iptables: an unknown port of a
    /// ClusterIP).
    Untranslated,
}

/// kube-proxy's decision for one packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyVerdict {
    /// The proxy mode whose rules decided.
    pub mode: ProxyMode,
    /// The Service and its port index, when a Service address matched.
    pub service: Option<(ServiceId, usize)>,
    /// What matched.
    pub matched: Option<ProxyMatch>,
    /// What it does.
    pub result: ProxyResult,
    /// Whether the packet is marked for masquerade (SNAT to the node's
    /// address when it leaves).
    pub masquerade: bool,
    /// The chains that decided, in the order the packet passed them.
    pub chains: Vec<ProxyChain>,
    /// How topology hints chose the cluster-wide endpoints, when the
    /// packet went to them and ready endpoints carry hints.
    pub topology: Option<Topology>,
    /// `externalTrafficPolicy: Local` short-circuited an in-cluster client
    /// (a pod, or the node itself) to every endpoint instead of this
    /// node's.
    pub short_circuit: bool,
    /// Set by the trace on one path: a pod on another node was
    /// short-circuited without masquerade to an endpoint that is not on
    /// this node, so the endpoint's reply goes straight back to the pod's
    /// node and never passes this node's connection tracking; the pod gets
    /// an answer from the endpoint's address, not the one it connected to,
    /// unless the CNI routes the reply back through this node.
    pub reply_bypasses: bool,
}

/// The packet as kube-proxy sees it on `node`.
#[derive(Clone, Copy, Debug)]
pub struct ProxyPacket<'a> {
    /// The node kube-proxy runs on.
    pub node: &'a str,
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Destination port.
    pub port: u16,
    /// Protocol.
    pub protocol: podnet_model::Protocol,
}

/// The endpoints kube-proxy uses for one Service port (`CategorizeEndpoints`).
struct Categorized {
    cluster: Vec<usize>,
    local: Vec<usize>,
    any: bool,
    topology: Option<Topology>,
}

/// `topologyModeFromHints` over the ready endpoints of one family: `None`
/// when no ready endpoint has a hint (kube-proxy's default distribution).
pub fn topology_mode<'a>(
    ready: impl Iterator<Item = &'a Backend>,
    node: &str,
    zone: Option<&str>,
) -> Option<Topology> {
    let mut any_ready = false;
    let (mut all_node_hints, mut for_node) = (true, false);
    let (mut all_zone_hints, mut for_zone, mut any_hint) = (true, false, false);
    for b in ready {
        any_ready = true;
        let h = &b.hints;
        any_hint |= !h.for_zones.is_empty() || !h.for_nodes.is_empty();
        if h.for_nodes.is_empty() {
            all_node_hints = false;
        } else if h.for_nodes.iter().any(|n| n == node) {
            for_node = true;
        }
        if h.for_zones.is_empty() {
            all_zone_hints = false;
        } else if zone.is_some_and(|z| h.for_zones.iter().any(|hz| hz == z)) {
            for_zone = true;
        }
    }
    if !any_ready || !any_hint {
        return None;
    }
    if all_node_hints && for_node {
        return Some(Topology::SameNode);
    }
    Some(match zone {
        _ if !all_zone_hints => Topology::Ignored(HintsIgnored::MissingZoneHint),
        Some(z) if for_zone => Topology::SameZone(z.to_owned()),
        None => Topology::Ignored(HintsIgnored::NodeWithoutZone),
        Some(_) => Topology::Ignored(HintsIgnored::NoEndpointForZone),
    })
}

/// `availableForTopology`: whether `b` serves this node under `mode`.
fn available(b: &Backend, mode: Option<&Topology>, node: &str) -> bool {
    match mode {
        Some(Topology::SameNode) => b.hints.for_nodes.iter().any(|n| n == node),
        Some(Topology::SameZone(z)) => b.hints.for_zones.iter().any(|hz| hz == z),
        _ => true,
    }
}

fn categorize(
    backends: &[Backend],
    node: &str,
    zone: Option<&str>,
    family_v4: bool,
    local_policy: bool,
) -> Categorized {
    let fam: Vec<(usize, &Backend)> = backends
        .iter()
        .enumerate()
        .filter(|(_, b)| b.ip.is_ipv4() == family_v4)
        .collect();
    let pick = |f: &dyn Fn(&Backend) -> bool| -> Vec<usize> {
        fam.iter().filter(|(_, b)| f(b)).map(|(i, _)| *i).collect()
    };
    let is_local = |b: &Backend| b.node.as_deref() == Some(node);
    let topology = topology_mode(
        fam.iter().map(|(_, b)| *b).filter(|b| b.serving),
        node,
        zone,
    );
    let mut cluster = pick(&|b| b.serving && available(b, topology.as_ref(), node));
    if cluster.is_empty() {
        cluster = pick(&|b| b.fallback);
    }
    let mut local = pick(&|b| b.serving && is_local(b));
    if local.is_empty() {
        local = pick(&|b| b.fallback && is_local(b));
    }
    let any = !cluster.is_empty() || (local_policy && !local.is_empty());
    Categorized {
        cluster,
        local,
        any,
        topology,
    }
}

impl Dataplane {
    /// Node addresses NodePorts answer on, for `node`, in this proxy mode.
    fn node_port_address(&self, node: &str, dst: IpAddr) -> bool {
        let Some(info) = self.node(node) else {
            return false;
        };
        let opts = &self.profile.kube_proxy;
        let nft = self.profile.proxy == ProxyMode::Nftables;
        let own = info.internal_ips.contains(&dst) || info.external_ips.contains(&dst);
        let localhost = dst.is_loopback();
        match &opts.node_port_addresses {
            Some(cidrs) => {
                let listed = cidrs.iter().any(|c| c.contains(&dst));
                if localhost {
                    // nftables never accepts 127.0.0.1; iptables only for
                    // IPv4 with localhostNodePorts.
                    listed && !nft && dst.is_ipv4() && opts.localhost_node_ports
                } else {
                    listed && own
                }
            }
            None if nft => {
                // `--nodeport-addresses primary`: the first address of
                // each family.
                let v4 = dst.is_ipv4();
                info.internal_ips.iter().find(|ip| ip.is_ipv4() == v4) == Some(&dst)
            }
            None if localhost => dst.is_ipv4() && opts.localhost_node_ports,
            None => own,
        }
    }

    /// Whether `ip` is one of `node`'s own addresses (iptables
    /// `--src-type LOCAL` also counts loopback; nftables `fib saddr type
    /// local` as kube-proxy's tests read it does not).
    fn local_source(&self, node: &str, ip: IpAddr) -> bool {
        if ip.is_loopback() {
            return self.profile.proxy != ProxyMode::Nftables;
        }
        self.node(node)
            .is_some_and(|n| n.internal_ips.contains(&ip) || n.external_ips.contains(&ip))
    }

    /// Whether kube-proxy's local-traffic detector calls `ip` pod traffic.
    fn pod_source(&self, ip: IpAddr) -> bool {
        self.profile.kube_proxy.detect_local
            && self.profile.cluster_cidrs.iter().any(|c| c.contains(&ip))
    }

    /// The Service address `dst:port/protocol` is, for kube-proxy on
    /// `node`: the Service, port index and kind.
    pub fn proxy_match(
        &self,
        p: &ProxyPacket<'_>,
    ) -> Option<(ServiceId, Option<usize>, ProxyMatch)> {
        let port_of = |id: ServiceId| {
            self.cluster.services[id.index()]
                .ports
                .iter()
                .position(|sp| sp.port == p.port && sp.protocol == p.protocol)
        };
        if let Some(id) = self.service_by_ip(p.dst) {
            return Some((id, port_of(id), ProxyMatch::ClusterIp));
        }
        for (i, svc) in self.cluster.services.iter().enumerate() {
            let id = ServiceId::from_index(i);
            if svc.external_ips.contains(&p.dst)
                && let Some(k) = port_of(id)
            {
                return Some((id, Some(k), ProxyMatch::ExternalIp));
            }
        }
        for (i, svc) in self.cluster.services.iter().enumerate() {
            let id = ServiceId::from_index(i);
            if svc.load_balancer.status_ips.contains(&p.dst)
                && !svc.load_balancer.proxy_ips.contains(&p.dst)
                && let Some(k) = port_of(id)
            {
                return Some((id, Some(k), ProxyMatch::LoadBalancer));
            }
        }
        if self.node_port_address(p.node, p.dst) {
            for (i, ports) in self.services.node_ports.iter().enumerate() {
                let svc = &self.cluster.services[i];
                if let Some(k) = ports
                    .iter()
                    .zip(&svc.ports)
                    .position(|(np, sp)| *np == Some(p.port) && sp.protocol == p.protocol)
                {
                    return Some((ServiceId::from_index(i), Some(k), ProxyMatch::NodePort));
                }
            }
        }
        None
    }

    /// kube-proxy's decision for `p`; `None` when no rule of kube-proxy's
    /// touches it.
    pub fn kube_proxy(&self, p: &ProxyPacket<'_>) -> Option<ProxyVerdict> {
        let mode = self.profile.proxy;
        let nft = mode == ProxyMode::Nftables;
        let Some((id, k, matched)) = self.proxy_match(p) else {
            // nftables: addresses of the service CIDRs no Service holds.
            if nft
                && self
                    .profile
                    .service_cidrs
                    .iter()
                    .any(|c: &IpNet| c.contains(&p.dst))
            {
                return Some(ProxyVerdict {
                    mode,
                    service: None,
                    matched: None,
                    result: ProxyResult::Drop,
                    masquerade: false,
                    chains: vec![ProxyChain::NftClusterIpsCheck],
                    topology: None,
                    short_circuit: false,
                    reply_bypasses: false,
                });
            }
            return None;
        };
        let Some(k) = k else {
            // A ClusterIP, but no port of the Service matches.
            let (result, chains) = if nft {
                (ProxyResult::Reject, vec![ProxyChain::NftClusterIpsCheck])
            } else {
                (ProxyResult::Untranslated, vec![ProxyChain::KubeServices])
            };
            return Some(ProxyVerdict {
                mode,
                service: None,
                matched: Some(matched),
                result,
                masquerade: false,
                chains,
                topology: None,
                short_circuit: false,
                reply_bypasses: false,
            });
        };
        let svc = &self.cluster.services[id.index()];
        let backends = self.backends(id).swap_remove(k);
        let internal = matched == ProxyMatch::ClusterIp;
        let local_policy = if internal {
            svc.internal_traffic_policy == TrafficPolicy::Local
        } else {
            svc.external_traffic_policy == TrafficPolicy::Local
        };
        let zone = self.node(p.node).and_then(|n| n.zone.as_deref());
        let eps = categorize(&backends, p.node, zone, p.dst.is_ipv4(), local_policy);
        let names = Names::of(mode);
        let mut v = ProxyVerdict {
            mode,
            service: Some((id, k)),
            matched: Some(matched.clone()),
            result: ProxyResult::Untranslated,
            masquerade: false,
            chains: vec![match matched {
                ProxyMatch::NodePort => names.node_ports,
                _ => names.services,
            }],
            topology: None,
            short_circuit: false,
            reply_bypasses: false,
        };
        // loadBalancerSourceRanges, before any DNAT.
        if matched == ProxyMatch::LoadBalancer
            && !svc.load_balancer.source_ranges.is_empty()
            && eps.any
        {
            let ranges = &svc.load_balancer.source_ranges;
            let node_ip = self.node_ip(p.node);
            let allow_from_node = node_ip.is_some_and(|ip| ranges.iter().any(|r| r.contains(&ip)));
            let allowed = ranges.iter().any(|r| r.contains(&p.src))
                || (allow_from_node && svc.load_balancer.status_ips.contains(&p.src));
            v.chains.push(names.firewall);
            if !allowed {
                v.chains.push(names.firewall_drop);
                v.result = ProxyResult::Drop;
                return Some(v);
            }
        }
        if !eps.any {
            v.chains.push(if internal {
                names.no_endpoints
            } else {
                names.no_external_endpoints
            });
            v.result = ProxyResult::Reject;
            return Some(v);
        }
        // Topology hints shape the cluster-wide endpoints only.
        let cluster_topology = eps.topology.clone();
        let mut to_cluster = !local_policy;
        let chosen = if internal {
            let target = if local_policy {
                &eps.local
            } else {
                &eps.cluster
            };
            if !target.is_empty() {
                v.chains.push(if local_policy {
                    names.local
                } else {
                    names.cluster
                });
                v.masquerade = self.profile.kube_proxy.masquerade_all
                    || (self.profile.kube_proxy.detect_local && !self.pod_source(p.src));
            }
            target.clone()
        } else {
            v.chains.push(names.external);
            if !local_policy {
                v.masquerade = true;
                v.chains.push(names.cluster);
                eps.cluster.clone()
            } else if self.pod_source(p.src) {
                to_cluster = true;
                v.short_circuit = true;
                v.chains.push(names.cluster);
                eps.cluster.clone()
            } else if self.local_source(p.node, p.src) {
                to_cluster = true;
                v.short_circuit = true;
                v.masquerade = true;
                v.chains.push(names.cluster);
                eps.cluster.clone()
            } else {
                if !eps.local.is_empty() {
                    v.chains.push(names.local);
                }
                eps.local.clone()
            }
        };
        if chosen.is_empty() {
            v.masquerade = false;
            v.chains.push(if internal {
                names.no_endpoints
            } else {
                names.no_external_endpoints
            });
            v.result = ProxyResult::Drop;
            return Some(v);
        }
        // Hairpin: an endpoint reaching itself through the Service.
        if chosen.iter().any(|&i| backends[i].ip == p.src) {
            v.masquerade = true;
        }
        if v.masquerade {
            v.chains.push(names.mark_masq);
        }
        if to_cluster {
            v.topology = cluster_topology;
        }
        v.chains.push(names.endpoint);
        v.result = ProxyResult::Dnat(chosen);
        Some(v)
    }
}

/// The chains of one mode by role.
struct Names {
    services: ProxyChain,
    node_ports: ProxyChain,
    cluster: ProxyChain,
    local: ProxyChain,
    external: ProxyChain,
    firewall: ProxyChain,
    firewall_drop: ProxyChain,
    no_endpoints: ProxyChain,
    no_external_endpoints: ProxyChain,
    mark_masq: ProxyChain,
    endpoint: ProxyChain,
}

impl Names {
    fn of(mode: ProxyMode) -> Names {
        if mode == ProxyMode::Nftables {
            Names {
                services: ProxyChain::NftServiceIps,
                node_ports: ProxyChain::NftServiceNodePorts,
                cluster: ProxyChain::NftServiceChain,
                local: ProxyChain::NftLocalChain,
                external: ProxyChain::NftExternalChain,
                firewall: ProxyChain::NftFirewall,
                firewall_drop: ProxyChain::NftFirewall,
                no_endpoints: ProxyChain::NftNoEndpoint,
                no_external_endpoints: ProxyChain::NftNoEndpoint,
                mark_masq: ProxyChain::NftMarkForMasquerade,
                endpoint: ProxyChain::NftEndpointChain,
            }
        } else {
            Names {
                services: ProxyChain::KubeServices,
                node_ports: ProxyChain::KubeNodePorts,
                cluster: ProxyChain::KubeSvc,
                local: ProxyChain::KubeSvl,
                external: ProxyChain::KubeExt,
                firewall: ProxyChain::KubeFw,
                firewall_drop: ProxyChain::KubeProxyFirewall,
                no_endpoints: ProxyChain::KubeServicesFilter,
                no_external_endpoints: ProxyChain::KubeExternalServices,
                mark_masq: ProxyChain::KubeMarkMasq,
                endpoint: ProxyChain::KubeSep,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! kube-proxy's `TestCategorizeEndpoints` (kubernetes/kubernetes
    //! `pkg/proxy/topology_test.go` at commit 6c039d9075ef), one row per
    //! upstream case, named as upstream names it; then rows for
    //! `PreferSameNode` written from `topologyModeFromHints`'s contract
    //! (`pkg/proxy/topology.go` at commit 008b3652959c).

    use super::*;
    use podnet_model::EndpointHints;

    const NODE: &str = "this-node";

    /// One upstream `BaseEndpointInfo`.
    struct Ep {
        last_octet: u8,
        zones: &'static [&'static str],
        nodes: &'static [&'static str],
        ready: bool,
        serving: bool,
        terminating: bool,
        local: bool,
    }

    const fn ready(last_octet: u8, zones: &'static [&'static str], local: bool) -> Ep {
        Ep {
            last_octet,
            zones,
            nodes: &[],
            ready: true,
            serving: true,
            terminating: false,
            local,
        }
    }

    const fn unready(last_octet: u8, zones: &'static [&'static str]) -> Ep {
        Ep {
            ready: false,
            serving: false,
            ..ready(last_octet, zones, false)
        }
    }

    const fn terminating(last_octet: u8, local: bool) -> Ep {
        Ep {
            ready: false,
            serving: true,
            terminating: true,
            ..ready(last_octet, &[], local)
        }
    }

    const fn with_nodes(
        last_octet: u8,
        zones: &'static [&'static str],
        nodes: &'static [&'static str],
    ) -> Ep {
        Ep {
            nodes,
            ..ready(last_octet, zones, false)
        }
    }

    /// One upstream case: `cluster`/`local` `None` where upstream expects
    /// nil (the Service does not use that kind of endpoints).
    struct Row {
        name: &'static str,
        zone: Option<&'static str>,
        endpoints: &'static [Ep],
        cluster: Option<&'static [u8]>,
        local: Option<&'static [u8]>,
        any: bool,
    }

    fn backend(e: &Ep) -> Backend {
        Backend {
            pod: None,
            ip: IpAddr::from([10, 1, 2, e.last_octet]),
            port: 80,
            node: Some(if e.local { NODE } else { "other-node" }.to_owned()),
            serving: e.ready,
            fallback: !e.ready && e.serving && e.terminating,
            hints: EndpointHints {
                for_zones: e.zones.iter().map(|z| (*z).to_owned()).collect(),
                for_nodes: e.nodes.iter().map(|n| (*n).to_owned()).collect(),
            },
        }
    }

    const A: &[&str] = &["zone-a"];
    const B: &[&str] = &["zone-b"];
    const C: &[&str] = &["zone-c"];
    const NONE: &[&str] = &[];

    const ROWS: &[Row] = &[
        Row {
            name: "should use topology since all endpoints have hints, node has a zone label and and there are endpoints for the node's zone",
            zone: Some("zone-a"),
            endpoints: &[
                ready(3, A, false),
                ready(4, B, false),
                ready(5, C, false),
                ready(6, A, false),
            ],
            cluster: Some(&[3, 6]),
            local: None,
            any: true,
        },
        Row {
            name: "externalTrafficPolicy: Local, topology ignored for Local endpoints",
            zone: Some("zone-a"),
            endpoints: &[
                ready(3, A, true),
                ready(4, B, true),
                ready(5, C, false),
                ready(6, A, false),
            ],
            cluster: Some(&[3, 6]),
            local: Some(&[3, 4]),
            any: true,
        },
        Row {
            name: "internalTrafficPolicy: Local, topology ignored for Local endpoints",
            zone: Some("zone-a"),
            endpoints: &[
                ready(3, A, true),
                ready(4, B, true),
                ready(5, C, false),
                ready(6, A, false),
            ],
            cluster: Some(&[3, 6]),
            local: Some(&[3, 4]),
            any: true,
        },
        Row {
            name: "empty node labels",
            zone: None,
            endpoints: &[ready(3, A, false)],
            cluster: Some(&[3]),
            local: None,
            any: true,
        },
        Row {
            name: "empty zone label",
            zone: Some(""),
            endpoints: &[ready(3, A, false)],
            cluster: Some(&[3]),
            local: None,
            any: true,
        },
        Row {
            name: "node in different zone, no endpoint filtering",
            zone: Some("zone-b"),
            endpoints: &[ready(3, A, false)],
            cluster: Some(&[3]),
            local: None,
            any: true,
        },
        Row {
            name: "unready endpoint",
            zone: Some("zone-a"),
            endpoints: &[
                ready(3, A, false),
                ready(4, B, false),
                ready(5, C, false),
                unready(6, A),
            ],
            cluster: Some(&[3]),
            local: None,
            any: true,
        },
        Row {
            name: "only unready endpoints in same zone (should not filter)",
            zone: Some("zone-a"),
            endpoints: &[
                unready(3, A),
                ready(4, B, false),
                ready(5, C, false),
                unready(6, A),
            ],
            cluster: Some(&[4, 5]),
            local: None,
            any: true,
        },
        Row {
            name: "missing hints, no filtering applied",
            zone: Some("zone-a"),
            endpoints: &[
                ready(3, A, false),
                ready(4, B, false),
                ready(5, NONE, false),
                ready(6, A, false),
            ],
            cluster: Some(&[3, 4, 5, 6]),
            local: None,
            any: true,
        },
        Row {
            name: "multiple hints per endpoint, filtering includes any endpoint with zone included",
            zone: Some("zone-c"),
            endpoints: &[
                ready(3, &["zone-a", "zone-b", "zone-c"], false),
                ready(4, &["zone-b", "zone-c"], false),
                ready(5, &["zone-b", "zone-d"], false),
                ready(6, C, false),
            ],
            cluster: Some(&[3, 4, 6]),
            local: None,
            any: true,
        },
        Row {
            name: "conflicting topology and localness require merging allEndpoints",
            zone: Some("zone-a"),
            endpoints: &[
                ready(0, A, true),
                ready(1, B, true),
                ready(2, A, false),
                ready(3, B, false),
            ],
            cluster: Some(&[0, 2]),
            local: Some(&[0, 1]),
            any: true,
        },
        Row {
            name: "internalTrafficPolicy: Local, with empty endpoints",
            zone: None,
            endpoints: &[],
            cluster: None,
            local: Some(&[]),
            any: false,
        },
        Row {
            name: "internalTrafficPolicy: Local, but all endpoints are remote",
            zone: None,
            endpoints: &[ready(0, NONE, false), ready(1, NONE, false)],
            cluster: None,
            local: Some(&[]),
            any: true,
        },
        Row {
            name: "internalTrafficPolicy: Local, all endpoints are local",
            zone: None,
            endpoints: &[ready(0, NONE, true), ready(1, NONE, true)],
            cluster: None,
            local: Some(&[0, 1]),
            any: true,
        },
        Row {
            name: "internalTrafficPolicy: Local, some endpoints are local",
            zone: None,
            endpoints: &[ready(0, NONE, true), ready(1, NONE, false)],
            cluster: None,
            local: Some(&[0]),
            any: true,
        },
        Row {
            name: "Cluster traffic policy, endpoints not Ready",
            zone: None,
            endpoints: &[unready(0, NONE), unready(1, NONE)],
            cluster: Some(&[]),
            local: None,
            any: false,
        },
        Row {
            name: "Cluster traffic policy, some endpoints are Ready",
            zone: None,
            endpoints: &[unready(0, NONE), ready(1, NONE, false)],
            cluster: Some(&[1]),
            local: None,
            any: true,
        },
        Row {
            name: "Cluster traffic policy, all endpoints are terminating",
            zone: None,
            endpoints: &[terminating(0, true), terminating(1, false)],
            cluster: Some(&[0, 1]),
            local: None,
            any: true,
        },
        Row {
            name: "iTP: Local, eTP: Cluster, some endpoints local",
            zone: None,
            endpoints: &[ready(0, NONE, true), ready(1, NONE, false)],
            cluster: Some(&[0, 1]),
            local: Some(&[0]),
            any: true,
        },
        Row {
            name: "iTP: Cluster, eTP: Local, some endpoints local",
            zone: None,
            endpoints: &[ready(0, NONE, true), ready(1, NONE, false)],
            cluster: Some(&[0, 1]),
            local: Some(&[0]),
            any: true,
        },
        Row {
            name: "iTP: Local, eTP: Local, some endpoints local",
            zone: None,
            endpoints: &[ready(0, NONE, true), ready(1, NONE, false)],
            cluster: Some(&[0, 1]),
            local: Some(&[0]),
            any: true,
        },
        Row {
            name: "iTP: Local, eTP: Local, all endpoints remote",
            zone: None,
            endpoints: &[ready(0, NONE, false), ready(1, NONE, false)],
            cluster: Some(&[0, 1]),
            local: Some(&[]),
            any: true,
        },
        Row {
            name: "iTP: Local, eTP: Local, all endpoints remote and terminating",
            zone: None,
            endpoints: &[terminating(0, false), terminating(1, false)],
            cluster: Some(&[0, 1]),
            local: Some(&[]),
            any: true,
        },
        Row {
            name: "iTP: Cluster, eTP: Local, with terminating endpoints",
            zone: None,
            endpoints: &[
                ready(0, NONE, false),
                Ep {
                    ready: false,
                    serving: false,
                    ..ready(1, NONE, true)
                },
                terminating(2, true),
                terminating(3, false),
            ],
            cluster: Some(&[0]),
            local: Some(&[2]),
            any: true,
        },
        Row {
            name: "externalTrafficPolicy ignored if not externally accessible",
            zone: None,
            endpoints: &[ready(0, NONE, false), ready(1, NONE, true)],
            cluster: Some(&[0, 1]),
            local: None,
            any: true,
        },
        Row {
            name: "no cluster endpoints for iTP:Local internal-only service",
            zone: None,
            endpoints: &[ready(0, NONE, false), ready(1, NONE, true)],
            cluster: None,
            local: Some(&[1]),
            any: true,
        },
        // topology.go, topologyModeFromHints: "If ... every ready endpoint
        // has a node hint, and at least one endpoint is hinted for this
        // node, then it returns PreferSameNode."
        Row {
            name: "PreferSameNode: every ready endpoint has a node hint, one for this node",
            zone: Some("zone-a"),
            endpoints: &[
                with_nodes(0, A, &[NODE]),
                with_nodes(1, A, &["other-node"]),
                with_nodes(2, B, &["node-b"]),
            ],
            cluster: Some(&[0]),
            local: None,
            any: true,
        },
        // "Otherwise, if every ready endpoint has a zone hint, and at least
        // one endpoint is hinted for this node's zone": PreferSameZone.
        Row {
            name: "PreferSameNode: no node hint for this node, zone hints apply",
            zone: Some("zone-a"),
            endpoints: &[
                with_nodes(0, A, &["other-node"]),
                with_nodes(1, B, &["node-b"]),
            ],
            cluster: Some(&[0]),
            local: None,
            any: true,
        },
        Row {
            name: "PreferSameNode: one ready endpoint without a node hint, zone hints apply",
            zone: Some("zone-a"),
            endpoints: &[
                with_nodes(0, A, &[NODE]),
                ready(1, A, false),
                with_nodes(2, B, &["node-b"]),
            ],
            cluster: Some(&[0, 1]),
            local: None,
            any: true,
        },
        // "Otherwise it returns "" (no topology)"; the terminating fallback
        // ("try again using terminating endpoints") ignores hints.
        Row {
            name: "no ready endpoint: serving-terminating fallback ignores hints",
            zone: Some("zone-a"),
            endpoints: &[
                Ep {
                    ready: false,
                    serving: true,
                    terminating: true,
                    ..with_nodes(0, B, &["node-b"])
                },
                terminating(1, false),
            ],
            cluster: Some(&[0, 1]),
            local: None,
            any: true,
        },
    ];

    fn octets(backends: &[Backend], idx: &[usize]) -> Vec<u8> {
        let mut out: Vec<u8> = idx
            .iter()
            .map(|&i| match backends[i].ip {
                IpAddr::V4(a) => a.octets()[3],
                IpAddr::V6(_) => 0,
            })
            .collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn categorize_endpoints_as_upstream() {
        for row in ROWS {
            let backends: Vec<Backend> = row.endpoints.iter().map(backend).collect();
            // A Service that uses only Local endpoints asks for them.
            let local_policy = row.cluster.is_none();
            let got = categorize(&backends, NODE, row.zone, true, local_policy);
            if let Some(want) = row.cluster {
                assert_eq!(
                    octets(&backends, &got.cluster),
                    want,
                    "cluster: {}",
                    row.name
                );
            }
            if let Some(want) = row.local {
                assert_eq!(octets(&backends, &got.local), want, "local: {}", row.name);
            }
            assert_eq!(got.any, row.any, "hasAnyEndpoints: {}", row.name);
        }
    }

    // The reason kube-proxy logs when it ignores hints (topology.go,
    // topologyModeFromHints) is the one the trace shows.
    #[test]
    fn topology_mode_says_why() {
        let b = |zones: &'static [&'static str], nodes: &'static [&'static str]| {
            backend(&with_nodes(1, zones, nodes))
        };
        let mode = |list: &[Backend], zone: Option<&str>| topology_mode(list.iter(), NODE, zone);
        assert_eq!(mode(&[b(NONE, NONE)], Some("zone-a")), None);
        assert_eq!(
            mode(&[b(A, &[NODE])], Some("zone-a")),
            Some(Topology::SameNode)
        );
        assert_eq!(
            mode(&[b(A, NONE), b(B, NONE)], Some("zone-a")),
            Some(Topology::SameZone("zone-a".into()))
        );
        assert_eq!(
            mode(&[b(A, NONE), b(NONE, NONE)], Some("zone-a")),
            Some(Topology::Ignored(HintsIgnored::MissingZoneHint))
        );
        assert_eq!(
            mode(&[b(A, NONE)], None),
            Some(Topology::Ignored(HintsIgnored::NodeWithoutZone))
        );
        assert_eq!(
            mode(&[b(A, NONE)], Some("zone-c")),
            Some(Topology::Ignored(HintsIgnored::NoEndpointForZone))
        );
    }
}
