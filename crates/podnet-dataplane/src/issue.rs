//! Problems the dataplane model finds (exhausted pools, addresses outside
//! their ranges, pods no node can hold...), and what it assumed: a
//! [`Problem`] whose detail is a [`Found`], typed data that podnet-report
//! words (`podnet_report::placement`).

use std::net::IpAddr;

use ipnet::IpNet;
use podnet_model::{CniMode, NetworkRef, Problem, Protocol};

use crate::assumed::AssumedNodes;
use crate::placement::PlacementFailure;

/// One problem placing, addressing or routing to the pods.
pub type Issue = Problem<Found>;

/// What the dataplane found. Pods, Services and Gateways are named
/// `namespace/name`; nodes, pools and networks by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// Nodes that pods name in `nodeName` and nothing declares.
    UndeclaredNodes {
        /// Each node with the first pod (`ns/name`) naming it.
        nodes: Vec<(String, String)>,
    },
    /// The nodes (and wider cluster CIDRs) podnet assumed.
    Assumed(Assumed),
    /// A node holds more pods than its maxPods.
    Overloaded {
        /// The node.
        node: String,
        /// Pods it runs.
        pods: u32,
        /// Its maxPods.
        max_pods: u32,
    },
    /// Pods no node takes, for one cause.
    Unplaced(Unplaced),
    /// Two pods' status reports one address.
    SameStatusAddress {
        /// The address.
        ip: IpAddr,
        /// The pod seen first.
        first: String,
        /// The pod seen second.
        second: String,
    },
    /// A node's declared podCIDR lies outside the cluster CIDR.
    PodCidrOutside {
        /// The node.
        node: String,
        /// Its podCIDR.
        pod_cidr: IpNet,
        /// The cluster CIDR of that family.
        cluster_cidr: IpNet,
    },
    /// The cluster CIDR has no block left for a node.
    NoNodeBlock {
        /// The cluster CIDR.
        cluster_cidr: IpNet,
        /// How many blocks it has.
        blocks: u128,
        /// The node mask.
        mask: u8,
        /// The node left without one.
        node: String,
    },
    /// A node's pod block is full.
    NodeBlockExhausted {
        /// The block.
        block: IpNet,
        /// The node, when the pod has one.
        node: Option<String>,
        /// Addresses it holds.
        capacity: u128,
        /// The pod left without an address.
        pod: String,
    },
    /// A node has no address in any VPC subnet.
    NodeOutsideVpc {
        /// The node.
        node: String,
        /// The VPC CNI.
        cni: CniMode,
    },
    /// A VPC subnet has no address left.
    SubnetExhausted {
        /// The subnet's name.
        subnet: String,
        /// Its range.
        cidr: IpNet,
        /// The pod left without an address.
        pod: String,
    },
    /// A pod's static address request cannot be met.
    Static(StaticFound),
    /// A Multus network problem.
    Network(NetworkFound),
    /// A Service address or port problem.
    Service(ServiceFound),
    /// Two address ranges share addresses.
    RangesOverlap {
        /// The first range's description (`overlap::ranges`).
        first: String,
        /// The second's.
        second: String,
    },
    /// A Gateway API or Ingress problem.
    Front(FrontFound),
}

/// What podnet assumed where the inputs say nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assumed {
    /// The nodes, when the inputs declare none.
    pub nodes: Option<AssumedNodes>,
    /// The preset whose nodes they are.
    pub preset: &'static str,
    /// The kubelet's labels every assumed node carries (the first two are
    /// named).
    pub labels: Vec<(&'static str, &'static str)>,
    /// Each assumed node's maxPods.
    pub max_pods: usize,
    /// Cluster CIDRs widened: the preset's, the one used and the node mask
    /// of its family.
    pub widened: Vec<(IpNet, IpNet, u8)>,
}

/// Pods no node takes, for one cause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unplaced {
    /// DaemonSets that fit no node, kept as one stand-in pod each.
    pub stand_in: bool,
    /// Why no node takes them.
    pub failure: PlacementFailure,
    /// What the pods require of a node, when node affinity is the cause.
    pub requires: Option<String>,
    /// The first workloads (`Kind ns/name`).
    pub workloads: Vec<String>,
    /// How many workloads in all.
    pub workload_count: usize,
    /// How many pods in all.
    pub pods: usize,
}

/// A pod's static address or pool request that cannot be met.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StaticFound {
    /// The pod lists no address.
    EmptyList {
        /// The pod.
        pod: String,
    },
    /// The address is in no IPPool.
    OutsidePools {
        /// The address.
        ip: IpAddr,
        /// The pod.
        pod: String,
        /// Every pool with its subnet.
        pools: Vec<(String, IpNet)>,
    },
    /// The address is one a pool never hands out.
    Unusable {
        /// The address.
        ip: IpAddr,
        /// The pod.
        pod: String,
        /// Why.
        why: PoolReserved,
        /// The pool.
        pool: String,
    },
    /// Another pod already holds the address.
    Taken {
        /// The address.
        ip: IpAddr,
        /// The pod.
        pod: String,
        /// The pod holding it.
        other: String,
    },
    /// The pod names a pool that is not in the input.
    UnknownPool {
        /// The pod.
        pod: String,
        /// The pool.
        pool: String,
    },
    /// The pod names a disabled pool.
    DisabledPool {
        /// The pod.
        pod: String,
        /// The pool.
        pool: String,
    },
    /// The pool has no address left.
    PoolExhausted {
        /// The pool.
        pool: String,
        /// Addresses it hands out.
        capacity: u128,
        /// The pod left without one.
        pod: String,
    },
    /// The pod names no pool.
    NoPool {
        /// The pod.
        pod: String,
    },
}

/// Why a pool never hands out an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PoolReserved {
    /// The pool's gateway.
    Gateway,
    /// Listed in the pool's reserved addresses.
    Listed,
    /// The subnet's network address (IPv4).
    Network,
    /// The subnet's broadcast address (IPv4).
    Broadcast,
    /// A node's address inside the subnet.
    NodeAddress,
}

/// A Multus network problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetworkFound {
    /// A host-network pod selects a network.
    HostNetwork {
        /// The network.
        network: NetworkRef,
    },
    /// The network's NetworkAttachmentDefinition is not in the input.
    Missing {
        /// The network.
        network: NetworkRef,
    },
    /// The network takes its addresses from DHCP.
    Dhcp {
        /// The network.
        network: NetworkRef,
    },
    /// Static IPAM with no addresses, and the pod requests none.
    StaticEmpty {
        /// The NetworkAttachmentDefinition (`ns/name`).
        network: String,
    },
    /// whereabouts ignores the pod's requested `ips`.
    WhereaboutsIgnoresIps {
        /// The network (`ns/name`).
        network: String,
    },
    /// A requested address is outside the network's ranges.
    RequestedOutside {
        /// The address.
        ip: IpAddr,
        /// The network (`ns/name`).
        network: String,
    },
    /// A range set has no address left.
    Exhausted {
        /// The network (`ns/name`).
        network: String,
        /// The range set's index.
        range_set: usize,
    },
    /// Several pods hold one address.
    SharedAddress {
        /// The address.
        ip: IpAddr,
        /// The network.
        network: NetworkRef,
        /// The pods.
        pods: Vec<String>,
        /// host-local on several nodes: each node's store hands the
        /// address out again (a warning, not an error).
        per_node: bool,
    },
}

/// A Service address or port problem. Services are `ns/name`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServiceFound {
    /// A declared clusterIP outside every service CIDR.
    ClusterIpOutside {
        /// The address.
        ip: IpAddr,
        /// The Service.
        service: String,
        /// The service CIDRs.
        cidrs: Vec<IpNet>,
    },
    /// A declared clusterIP that is a network address.
    ClusterIpNetwork {
        /// The address.
        ip: IpAddr,
        /// The Service.
        service: String,
        /// The service CIDR.
        cidr: IpNet,
    },
    /// A declared clusterIP another Service holds.
    ClusterIpTaken {
        /// The address.
        ip: IpAddr,
        /// The Service.
        service: String,
        /// The Service holding it.
        other: String,
    },
    /// The service CIDRs of the family are full.
    CidrsExhausted {
        /// The ranges tried.
        cidrs: Vec<IpNet>,
        /// The Service left without a ClusterIP.
        service: String,
    },
    /// A Service other than the cluster DNS holds the DNS address.
    DnsAddressHeld {
        /// The Service.
        service: String,
        /// The address.
        dns: IpAddr,
    },
    /// A declared nodePort outside the default range.
    NodePortOutside {
        /// The port.
        port: u16,
        /// The Service.
        service: String,
        /// The range.
        range: (u16, u16),
    },
    /// A declared nodePort another Service holds.
    NodePortTaken {
        /// The port.
        port: u16,
        /// Its protocol.
        protocol: Protocol,
        /// The Service.
        service: String,
        /// The Service holding it.
        other: String,
    },
    /// The NodePort range is full.
    NodePortsExhausted {
        /// The range.
        range: (u16, u16),
        /// The Service.
        service: String,
        /// The Service port left without one.
        port: u16,
    },
    /// A LoadBalancer address another Service holds (MetalLB).
    SharedLoadBalancerIp {
        /// The Service.
        service: String,
        /// The address.
        ip: IpAddr,
    },
    /// The API server's ServiceCIDR `kubernetes` differs from the profile.
    CidrsDiffer {
        /// What the ServiceCIDR holds.
        declared: Vec<IpNet>,
        /// The profile's.
        profile: Vec<IpNet>,
    },
    /// A ServiceCIDR's range overlaps a cluster CIDR.
    CidrOverlapsPods {
        /// The range.
        cidr: IpNet,
        /// The ServiceCIDR.
        name: String,
        /// The cluster CIDR.
        pods: IpNet,
    },
}

/// A Gateway API or Ingress problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrontFound {
    /// A backend leads nowhere.
    Unresolved(Unresolved),
    /// A route attaches to no listener.
    Unattached,
    /// A backendRef crosses namespaces without a ReferenceGrant.
    BackendRefused {
        /// The Service's namespace.
        namespace: String,
        /// The Service.
        name: String,
        /// The route's namespace.
        from: String,
    },
    /// A certificateRef crosses namespaces without a ReferenceGrant.
    CertificateRefused {
        /// The listener.
        listener: String,
        /// The referenced kind.
        kind: String,
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
        /// The Gateway's namespace.
        from: String,
        /// Whether the listener is left with no certificate.
        none_left: bool,
    },
    /// A ListenerSet's parent Gateway is not in the input.
    ParentMissing {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
    /// The parent Gateway does not admit the ListenerSet's namespace.
    NotAdmitted {
        /// The Gateway (`ns/name`).
        gateway: String,
        /// The ListenerSet's namespace.
        from: String,
    },
    /// A ListenerSet listener clashes with one the Gateway has.
    ListenerClash {
        /// The listener.
        listener: String,
        /// The Gateway (`ns/name`).
        gateway: String,
    },
}

/// Why a backend leads nowhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unresolved {
    /// The backend's namespace is not in the input.
    NoNamespace(String),
    /// The Service is not in the input.
    NoService(String),
    /// An ExternalName Service: its name and target.
    ExternalName(String, String),
    /// The Service has no such port: its name and the port asked for.
    NoPort(String, WantedPort),
}

/// The Service port a backend asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WantedPort {
    /// By name.
    Name(String),
    /// By number.
    Number(u16),
    /// Any port (an Ingress backend naming none).
    Any,
    /// None given (a Gateway backendRef without a port).
    Missing,
}
