//! `render`: the dataplane model and the engine's verdicts become a
//! [`LabPlan`]. Pure and deterministic (golden-tested): the same cluster,
//! verdicts and run id give the same plan, byte for byte.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};

use ipnet::{IpNet, Ipv4Net};
use podnet_dataplane::trace::{Action, Outcome as TraceOutcome};
use podnet_dataplane::{Dataplane, Trace, TraceFrom, TraceRequest, TraceTo, trace};
use podnet_engine::Endpoint;
use podnet_engine::semantics::evaluate;
use podnet_model::{Conns, Transport as ModelTransport};

use crate::nft::{NodePortRules, PodRules, node_ruleset, proto_name};
use crate::plan::{
    Cidr, ClientPlan, Exclusion, LabPlan, Listeners, NodePlan, PodPlan, ProbeSpec, Route, Service,
    ServicePort, Source, Target, Transport, VxlanPlan,
};
use crate::verdicts::{Verdicts, lab_address};

mod nodeports;
mod outside;
mod probes;

use nodeports::{node_port_ingress, node_port_probes};
use outside::outside;
use probes::{listeners, probes, services};

/// The gateway of pods outside their node's blocks (Calico's choice).
const LINK_LOCAL_GATEWAY: Ipv4Addr = Ipv4Addr::new(169, 254, 1, 1);

/// How cross-node traffic is carried.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TransportChoice {
    /// VXLAN when the profile's CNI encapsulates in VXLAN, else routes.
    #[default]
    Profile,
    /// Plain routes over the underlay, whatever the profile says.
    Routes,
}

/// Options of [`render`].
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    /// How cross-node traffic is carried.
    pub transport: TransportChoice,
    /// Probe Service ClusterIPs too (kube-proxy's DNAT in the nodes).
    pub services: bool,
}

/// The lab of run `id` for `dp`, built on `verdicts` (computed for `dp`).
pub fn render(dp: &Dataplane, verdicts: &Verdicts, id: &str, options: &RenderOptions) -> LabPlan {
    let prefix = format!("pnl{id}-");
    let mut excluded = Vec::new();
    let transport = match (options.transport, dp.profile.cni.transport()) {
        (TransportChoice::Profile, ModelTransport::Vxlan { port }) => Transport::Vxlan { port },
        _ => Transport::Routes,
    };

    // Nodes: an address on the underlay and the IPv4 pod block.
    let mut nodes = Vec::with_capacity(dp.nodes.len());
    let mut blocks: Vec<Option<Ipv4Net>> = Vec::with_capacity(dp.nodes.len());
    for (i, n) in dp.nodes.iter().enumerate() {
        let address = n
            .internal_ips
            .iter()
            .find_map(|ip| match ip {
                std::net::IpAddr::V4(v4) => Some(*v4),
                std::net::IpAddr::V6(_) => None,
            })
            .unwrap_or_else(|| {
                let [_, _, hi, lo] = (u32::try_from(i).unwrap_or(0) + 1).to_be_bytes();
                let synthetic = Ipv4Addr::new(100, 64, hi, lo);
                excluded.push(Exclusion {
                    subject: format!("node {}", n.name),
                    reason: format!(
                        "has no IPv4 InternalIP; the lab gives it {synthetic} on the underlay"
                    ),
                });
                synthetic
            });
        let block = dp
            .ipam
            .node_blocks
            .get(i)
            .into_iter()
            .flatten()
            .find_map(|b| match b {
                IpNet::V4(v4) => Some(*v4),
                IpNet::V6(_) => None,
            });
        blocks.push(block);
        nodes.push(NodePlan {
            name: n.name.clone(),
            netns: format!("{prefix}n{i}"),
            underlay_port: format!("n{i}"),
            uplink: "eth0".to_owned(),
            address,
            bridge: "cni0".to_owned(),
            bridge_addresses: block
                .map(|b| Cidr {
                    addr: gateway_of(b),
                    prefix: b.prefix_len(),
                })
                .into_iter()
                .collect(),
            vxlan: None,
            routes: Vec::new(),
            nftables: String::new(),
        });
    }

    // Pods: a namespace each, on their node's bridge.
    let lab: BTreeSet<usize> = verdicts.pods.iter().map(|p| p.index()).collect();
    for id in dp.cluster.pod_ids() {
        if lab.contains(&id.index()) {
            continue;
        }
        let p = dp.cluster.pod(id);
        let reason = if p.host_network {
            "host-network pod: it shares its node's namespace, the lab probes pods only"
        } else if p.node_name.is_none() {
            "not scheduled (Pending): no node, no address"
        } else {
            "no IPv4 address (the lab builds IPv4 only)"
        };
        excluded.push(Exclusion {
            subject: pod_name(dp, id),
            reason: reason.to_owned(),
        });
    }
    let mut pods = Vec::with_capacity(verdicts.pods.len());
    for (i, &id) in verdicts.pods.iter().enumerate() {
        let p = dp.cluster.pod(id);
        let node = p
            .node_name
            .as_deref()
            .and_then(|n| dp.nodes.iter().position(|x| x.name == n))
            .unwrap_or(0);
        let ip = lab_address(dp, id).unwrap_or(Ipv4Addr::UNSPECIFIED);
        let (address, gateway, onlink) = match blocks.get(node).copied().flatten() {
            Some(b) if b.contains(&ip) => (
                Cidr {
                    addr: ip,
                    prefix: b.prefix_len(),
                },
                gateway_of(b),
                false,
            ),
            block => {
                let gw = block.map_or(LINK_LOCAL_GATEWAY, gateway_of);
                let bridge = &mut nodes[node].bridge_addresses;
                let link_local = Cidr {
                    addr: LINK_LOCAL_GATEWAY,
                    prefix: 32,
                };
                if block.is_none() && !bridge.contains(&link_local) {
                    bridge.push(link_local);
                }
                (
                    Cidr {
                        addr: ip,
                        prefix: 32,
                    },
                    gw,
                    true,
                )
            }
        };
        pods.push(PodPlan {
            pod: pod_name(dp, id),
            netns: format!("{prefix}p{i}"),
            node,
            host_veth: format!("p{i}"),
            interface: "eth0".to_owned(),
            address,
            gateway,
            onlink,
            mac: {
                let [_, _, hi, lo] = u32::try_from(i).unwrap_or(0).to_be_bytes();
                format!("02:70:6e:01:{hi:02x}:{lo:02x}")
            },
            neighbors: Vec::new(),
            routes: Vec::new(),
            listeners: listeners(dp, id),
        });
    }
    // Pods of one node's block know each other's MAC addresses.
    for i in 0..pods.len() {
        let (node, onlink) = (pods[i].node, pods[i].onlink);
        if onlink {
            continue;
        }
        let neighbors: Vec<(Ipv4Addr, String)> = pods
            .iter()
            .enumerate()
            .filter(|&(j, p)| j != i && p.node == node && !p.onlink)
            .map(|(_, p)| (p.address.addr, p.mac.clone()))
            .collect();
        pods[i].neighbors = neighbors;
        // Pods inside this prefix that are not on this bridge.
        let own = pods[i].address;
        let elsewhere: Vec<Cidr> = pods
            .iter()
            .filter(|p| p.onlink && in_prefix(own, p.address.addr))
            .map(|p| host(p.address.addr))
            .collect();
        pods[i].routes = elsewhere;
    }

    // Routes: each node reaches the others' blocks and outside pods.
    let vxlan_mac = |i: usize| {
        let [_, _, hi, lo] = u32::try_from(i).unwrap_or(0).to_be_bytes();
        format!("02:70:6e:00:{hi:02x}:{lo:02x}")
    };
    let vteps: Vec<Ipv4Addr> = blocks
        .iter()
        .enumerate()
        .map(|(i, b)| {
            b.map_or_else(
                || {
                    let [_, _, hi, lo] = (u32::try_from(i).unwrap_or(0) + 1).to_be_bytes();
                    Ipv4Addr::new(100, 127, hi, lo)
                },
                |b| b.network(),
            )
        })
        .collect();
    for i in 0..nodes.len() {
        let mut routes = Vec::new();
        for pod in pods.iter().filter(|p| p.node == i && p.onlink) {
            routes.push(Route {
                dst: host(pod.address.addr),
                via: None,
                dev: nodes[i].bridge.clone(),
                onlink: false,
            });
        }
        let mut peers = Vec::new();
        for j in (0..nodes.len()).filter(|&j| j != i) {
            let other = nodes[j].address;
            let (via, dev, onlink) = match transport {
                Transport::Routes => {
                    routes.push(Route {
                        dst: host(other),
                        via: None,
                        dev: nodes[i].uplink.clone(),
                        onlink: false,
                    });
                    (other, nodes[i].uplink.clone(), false)
                }
                Transport::Vxlan { .. } => {
                    peers.push((vxlan_mac(j), vteps[j], other));
                    (vteps[j], "vxlan0".to_owned(), true)
                }
            };
            if let Some(b) = blocks[j] {
                routes.push(Route {
                    dst: Cidr {
                        addr: b.network(),
                        prefix: b.prefix_len(),
                    },
                    via: Some(via),
                    dev: dev.clone(),
                    onlink,
                });
            }
            for pod in pods.iter().filter(|p| p.node == j && p.onlink) {
                routes.push(Route {
                    dst: host(pod.address.addr),
                    via: Some(via),
                    dev: dev.clone(),
                    onlink,
                });
            }
        }
        if matches!(transport, Transport::Vxlan { .. }) {
            // The other nodes' underlay addresses are on the uplink.
            let underlay = (0..nodes.len()).filter(|&j| j != i).map(|j| Route {
                dst: host(nodes[j].address),
                via: None,
                dev: nodes[i].uplink.clone(),
                onlink: false,
            });
            routes.splice(0..0, underlay.collect::<Vec<_>>());
            nodes[i].vxlan = Some(VxlanPlan {
                device: "vxlan0".to_owned(),
                address: vteps[i],
                mac: vxlan_mac(i),
                peers,
            });
        }
        nodes[i].routes = routes;
    }

    // Services: ClusterIP DNAT to ready endpoints among the lab's pods.
    let services = if options.services {
        services(dp, verdicts, &mut excluded)
    } else {
        Vec::new()
    };

    // Probes: every pod to every other pod's ports, then to Services, then
    // to every node's NodePorts.
    let mut probes = probes(verdicts, &pods, &services, &mut excluded);
    probes.extend(node_port_probes(
        dp,
        verdicts,
        &nodes,
        &pods,
        &services,
        &mut excluded,
    ));
    // Outside clients: every node's NodePorts, every load-balancer address.
    let outside = outside(dp, &nodes, &pods, &services, &prefix, &mut excluded);
    probes.extend(outside.probes);
    let clients = outside.clients;
    for node in &mut nodes {
        let uplink = node.uplink.clone();
        node.routes.extend(clients.iter().map(|c| Route {
            dst: host(c.address),
            via: None,
            dev: uplink.clone(),
            onlink: false,
        }));
    }
    if pods.len() > 1 {
        excluded.push(Exclusion {
            subject: "every pod -> its own address".to_owned(),
            reason: "the packet never leaves the pod's namespace (loopback), so no policy applies; not probed"
                .to_owned(),
        });
    }

    // nftables: policy for this node's pods, DNAT for every Service.
    let table = format!("pnl{}", id);
    let n = pods.len();
    let node_addresses: Vec<Ipv4Addr> = nodes.iter().map(|n| n.address).collect();
    let from_nodes = node_port_ingress(dp, verdicts, &pods, &nodes, &services);
    // What each pod's ingress allows from each outside client (it sees
    // them unmasqueraded under externalTrafficPolicy: Local).
    let from_clients: Vec<Vec<(Ipv4Addr, Conns)>> = verdicts
        .pods
        .iter()
        .map(|&pod| {
            clients
                .iter()
                .map(|c| {
                    let v = evaluate(
                        &dp.cluster,
                        Endpoint::External(c.address.into()),
                        Endpoint::Pod(pod),
                    );
                    (c.address, v.ingress.allowed)
                })
                .collect()
        })
        .collect();
    let has_node_ports = services
        .iter()
        .any(|s| !s.load_balancer_ips.is_empty() || s.ports.iter().any(|p| p.node_port.is_some()));
    // Egress of every pod, for the NodePorts of other nodes (checked after
    // their DNAT there).
    let mut remote_egress: Vec<PodRules<'_>> = Vec::new();
    if has_node_ports {
        for (s, plan) in pods.iter().enumerate() {
            let peers: Vec<(Ipv4Addr, &Conns)> = (0..n)
                .filter(|&d| d != s)
                .map(|d| (pods[d].address.addr, &verdicts.egress[verdicts.at(s, d)]))
                .collect();
            if peers.iter().any(|(_, c)| !c.is_all()) {
                remote_egress.push(PodRules {
                    pod: s,
                    plan,
                    peers,
                });
            }
        }
    }
    for (i, node) in nodes.iter_mut().enumerate() {
        let mut egress = Vec::new();
        let mut ingress = Vec::new();
        for (s, plan) in pods.iter().enumerate().filter(|(_, p)| p.node == i) {
            let peers = |side: &'static str| {
                (0..n)
                    .filter(|&d| d != s)
                    .map(|d| {
                        let conns = if side == "egress" {
                            &verdicts.egress[verdicts.at(s, d)]
                        } else {
                            &verdicts.ingress[verdicts.at(d, s)]
                        };
                        (pods[d].address.addr, conns)
                    })
                    .collect::<Vec<_>>()
            };
            let out = peers("egress");
            if out.iter().any(|(_, c)| !c.is_all()) {
                egress.push(PodRules {
                    pod: s,
                    plan,
                    peers: out,
                });
            }
            let mut inc = peers("ingress");
            // NodePort traffic masqueraded by another node.
            inc.extend(
                from_nodes[s]
                    .iter()
                    .filter(|(ip, _)| *ip != node_addresses[i])
                    .map(|(ip, c)| (*ip, c)),
            );
            inc.extend(from_clients[s].iter().map(|(ip, c)| (*ip, c)));
            if inc.iter().any(|(_, c)| !c.is_all()) {
                ingress.push(PodRules {
                    pod: s,
                    plan,
                    peers: inc,
                });
            }
        }
        let remote: Vec<&PodRules<'_>> =
            remote_egress.iter().filter(|r| r.plan.node != i).collect();
        let node_ports = NodePortRules {
            node: i,
            address: node_addresses[i],
            node_addresses: &node_addresses,
            remote_egress: &remote,
        };
        node.nftables = node_ruleset(&table, &egress, &ingress, &services, &pods, &node_ports);
    }

    LabPlan {
        id: id.to_owned(),
        prefix: prefix.clone(),
        table,
        transport,
        underlay: format!("{prefix}u"),
        underlay_bridge: "br0".to_owned(),
        nodes,
        pods,
        clients,
        services,
        probes,
        excluded,
    }
}

fn pod_name(dp: &Dataplane, id: podnet_model::PodId) -> String {
    let p = dp.cluster.pod(id);
    format!("{}/{}", dp.cluster.namespace(p.namespace).name, p.name)
}

fn gateway_of(block: Ipv4Net) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(block.network()).saturating_add(1))
}

/// Whether `addr` is inside `net`'s prefix.
fn in_prefix(net: Cidr, addr: Ipv4Addr) -> bool {
    let mask = u32::MAX
        .checked_shl(32 - u32::from(net.prefix))
        .unwrap_or(0);
    u32::from(net.addr) & mask == u32::from(addr) & mask
}

fn host(addr: Ipv4Addr) -> Cidr {
    Cidr { addr, prefix: 32 }
}
