//! The lab as data: what [`crate::render`] decides and [`crate::apply`]
//! builds, [`crate::probe`] checks and [`crate::teardown`] removes. It is
//! also the state file's content, so a later `probe` or `down` needs no
//! manifests.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use serde::{Deserialize, Serialize};

/// An address with its prefix length (`192.168.0.1/24`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cidr {
    /// The address.
    pub addr: Ipv4Addr,
    /// The prefix length.
    pub prefix: u8,
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// The whole lab of one run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabPlan {
    /// The run id (four hex digits).
    pub id: String,
    /// The prefix of every namespace name of the run: `pnl<id>-`.
    pub prefix: String,
    /// The nftables table name used in every node namespace.
    pub table: String,
    /// How nodes reach each other's pods: `routes` (plain routing over the
    /// underlay) or `vxlan` (a VXLAN device per node, as the profile says).
    pub transport: Transport,
    /// The underlay namespace: one bridge joining every node.
    pub underlay: String,
    /// The underlay bridge (inside `underlay`).
    pub underlay_bridge: String,
    /// Nodes, in the dataplane's order.
    pub nodes: Vec<NodePlan>,
    /// Pods that get a namespace.
    pub pods: Vec<PodPlan>,
    /// Clients outside the cluster, on the underlay (they probe NodePorts
    /// and load-balancer addresses).
    #[serde(default)]
    pub clients: Vec<ClientPlan>,
    /// Services whose ClusterIPs the node namespaces translate.
    pub services: Vec<Service>,
    /// What `probe` tries, with what the engine expects.
    pub probes: Vec<ProbeSpec>,
    /// What the lab leaves out, and why (never silently).
    pub excluded: Vec<Exclusion>,
}

/// How pod traffic crosses nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// Routes to each other node's pod blocks via its address.
    Routes,
    /// A VXLAN device per node (VNI 1, the profile's UDP port), with a
    /// forwarding entry per other node.
    Vxlan {
        /// The UDP port.
        port: u16,
    },
}

/// One node namespace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodePlan {
    /// The Kubernetes node's name.
    pub name: String,
    /// Its network namespace.
    pub netns: String,
    /// The underlay side of its uplink veth (in the underlay namespace).
    pub underlay_port: String,
    /// Its uplink (in the node namespace).
    pub uplink: String,
    /// Its address on the underlay (the node's InternalIP), as /32.
    pub address: Ipv4Addr,
    /// The pod bridge.
    pub bridge: String,
    /// The bridge's addresses: the gateway of each pod block (and the
    /// link-local gateway of pods outside the blocks).
    pub bridge_addresses: Vec<Cidr>,
    /// The VXLAN device and its address, for [`Transport::Vxlan`].
    pub vxlan: Option<VxlanPlan>,
    /// Routes of the node namespace.
    pub routes: Vec<Route>,
    /// The nftables ruleset (`nft -f`), policy and Services.
    pub nftables: String,
}

/// A node's VXLAN device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VxlanPlan {
    /// Its name.
    pub device: String,
    /// Its address (the network address of the node's block, /32, as
    /// flannel gives `flannel.1`).
    pub address: Ipv4Addr,
    /// Its MAC address (derived from the node's index).
    pub mac: String,
    /// The other nodes' devices: (their MAC, their VXLAN address, their
    /// underlay address).
    pub peers: Vec<(String, Ipv4Addr, Ipv4Addr)>,
}

/// A route (`ip route add`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// The destination.
    pub dst: Cidr,
    /// The next hop, if any.
    pub via: Option<Ipv4Addr>,
    /// The device.
    pub dev: String,
    /// Whether the next hop is on the link without a covering prefix.
    pub onlink: bool,
}

impl Route {
    /// The arguments after `ip route add`.
    pub fn args(&self) -> Vec<String> {
        let mut a = vec![self.dst.to_string()];
        if let Some(via) = self.via {
            a.push("via".into());
            a.push(via.to_string());
        }
        a.push("dev".into());
        a.push(self.dev.clone());
        if self.onlink {
            a.push("onlink".into());
        }
        a
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.args().join(" "))
    }
}

/// A client outside the cluster: a namespace on the underlay with an
/// address no part of the cluster holds, host routes to every node and a
/// route to each load-balancer address through the node the model says
/// takes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientPlan {
    /// Its network namespace.
    pub netns: String,
    /// The underlay side of its veth (in the underlay namespace).
    pub underlay_port: String,
    /// Its interface.
    pub interface: String,
    /// Its address (/32).
    pub address: Ipv4Addr,
    /// Its routes (every node's address on the link, load-balancer
    /// addresses through a node).
    pub routes: Vec<Route>,
}

/// One pod namespace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodPlan {
    /// `namespace/name` of the Kubernetes pod.
    pub pod: String,
    /// Its network namespace.
    pub netns: String,
    /// Index of its node in [`LabPlan::nodes`].
    pub node: usize,
    /// The node side of its veth (in the node namespace, on the bridge).
    pub host_veth: String,
    /// The pod side of its veth.
    pub interface: String,
    /// Its address (the IPAM address with the block's prefix, or /32 when
    /// outside its node's block).
    pub address: Cidr,
    /// Its default gateway.
    pub gateway: Ipv4Addr,
    /// Whether the gateway is reached `onlink` (no covering prefix).
    pub onlink: bool,
    /// The MAC address of its interface (derived from its index).
    pub mac: String,
    /// Permanent neighbour entries for the pods of its node's block (IP,
    /// MAC): probing every pod at once would otherwise flood each bridge
    /// with ARP broadcasts, which on a small machine overflow the kernel's
    /// backlog and lose resolutions (no policy applies to ARP either way).
    pub neighbors: Vec<(Ipv4Addr, String)>,
    /// Addresses inside its own prefix that live on other nodes (pods with
    /// a static or pool address outside their node's block): routed through
    /// the gateway instead of looked up on the bridge.
    #[serde(default)]
    pub routes: Vec<Cidr>,
    /// What it listens on.
    pub listeners: Listeners,
}

/// The ports a pod's listener serves.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listeners {
    /// TCP ports: accept, close.
    pub tcp: Vec<u16>,
    /// UDP ports: echo.
    pub udp: Vec<u16>,
    /// SCTP ports: accept, close.
    pub sctp: Vec<u16>,
}

impl Listeners {
    /// Whether there is nothing to listen on.
    pub fn is_empty(&self) -> bool {
        self.tcp.is_empty() && self.udp.is_empty() && self.sctp.is_empty()
    }

    /// The arguments of `podnet lab-listen`.
    pub fn args(&self) -> Vec<String> {
        let mut a = Vec::new();
        for (flag, ports) in [
            ("--tcp", &self.tcp),
            ("--udp", &self.udp),
            ("--sctp", &self.sctp),
        ] {
            if !ports.is_empty() {
                a.push(flag.to_owned());
                a.push(
                    ports
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(","),
                );
            }
        }
        a
    }
}

/// A Service the node namespaces translate (kube-proxy's ClusterIP DNAT).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// `namespace/name`.
    pub name: String,
    /// Its ClusterIP.
    pub cluster_ip: Ipv4Addr,
    /// Its ports.
    pub ports: Vec<ServicePort>,
    /// `externalTrafficPolicy: Local`: a NodePort goes only to the node's
    /// own endpoints, without masquerade (nodes without one drop).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub external_local: bool,
    /// Its load-balancer addresses kube-proxy catches on the nodes
    /// (`status.loadBalancer.ingress[].ip`, `ipMode: VIP`, IPv4).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load_balancer_ips: Vec<Ipv4Addr>,
    /// `loadBalancerSourceRanges` (IPv4): only these clients get through
    /// the load-balancer addresses; empty lets everyone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_ranges: Vec<Cidr>,
}

/// One Service port and the endpoints it is translated to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServicePort {
    /// The protocol (`tcp`, `udp`, `sctp`).
    pub protocol: String,
    /// The Service port.
    pub port: u16,
    /// Ready endpoints: (lab pod index, target port).
    pub endpoints: Vec<(usize, u16)>,
    /// Its NodePort, served on every node's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_port: Option<u16>,
}

/// One probe: from a pod or an outside client to an address, port and
/// protocol.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeSpec {
    /// Who sends it.
    pub from: Source,
    /// The destination pod, or for a Service the Service's index.
    pub to: Target,
    /// The address connected to.
    pub ip: IpAddr,
    /// `tcp`, `udp` or `sctp`.
    pub protocol: String,
    /// The port.
    pub port: u16,
    /// Whether the engine allows it.
    pub expected: bool,
    /// The source address the endpoint sees, as `podnet trace` predicts it
    /// (the node's address when masqueraded, else the client's): checked
    /// against what the listener reports when the probe connects. `None`
    /// when not predicted (pod-to-pod and ClusterIP probes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_source: Option<Ipv4Addr>,
}

/// Who sends a probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A pod (index in [`LabPlan::pods`]).
    Pod(usize),
    /// A client outside the cluster (index in [`LabPlan::clients`]).
    Client(usize),
}

impl LabPlan {
    /// The network namespace a probe source sends from.
    pub fn source_netns(&self, from: Source) -> Option<&str> {
        match from {
            Source::Pod(i) => self.pods.get(i).map(|p| p.netns.as_str()),
            Source::Client(i) => self.clients.get(i).map(|c| c.netns.as_str()),
        }
    }
}

/// What a probe is aimed at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// A pod (index in [`LabPlan::pods`]).
    Pod(usize),
    /// A Service (index in [`LabPlan::services`]).
    Service(usize),
    /// A node's address, on a NodePort (index in [`LabPlan::nodes`]).
    Node(usize),
    /// A Service's load-balancer address (index in [`LabPlan::services`]).
    LoadBalancer(usize),
}

/// Something of the cluster the lab leaves out, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    /// What (`ns/pod`, `ns/pod -> ns/pod`, a Service...).
    pub subject: String,
    /// Why.
    pub reason: String,
}
