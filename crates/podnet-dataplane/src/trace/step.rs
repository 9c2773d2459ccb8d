//! What a hop does, as data: which route, which forwarding, which SNAT,
//! which encapsulation. The printers (`podnet-report`) word them.

use std::net::IpAddr;

use podnet_model::CniMode;

/// A cloud component a hop happens in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloudPart {
    /// A cloud or MetalLB load balancer.
    LoadBalancer,
    /// The AWS Application Load Balancer.
    Alb,
    /// The VPC's route table.
    VpcRouteTable,
    /// The VPC.
    Vpc,
}

/// What a kube-proxy DNAT matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DnatMatch {
    /// The ClusterIP.
    ClusterIp,
    /// A NodePort on a node.
    NodePort {
        /// The port.
        port: u16,
        /// The node.
        node: String,
    },
    /// One of `spec.externalIPs`.
    ExternalIp,
    /// A load-balancer address.
    LoadBalancer,
}

/// Why the source address was rewritten.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SnatReason {
    /// The destination is outside the pod network and the non-masquerade
    /// ranges.
    Masquerade,
    /// kube-proxy marked the packet for masquerade.
    KubeProxyMark,
    /// `externalTrafficPolicy: Cluster` hides the client behind the node.
    ExternalTrafficCluster,
    /// A pod reached itself through its Service (hairpin).
    Hairpin,
}

/// A routing decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteStep {
    /// The destination is on this node: the CNI's local path.
    Local {
        /// The destination.
        dst: IpAddr,
        /// The node.
        node: String,
        /// The CNI, whose local path it is.
        cni: CniMode,
    },
    /// Into a tunnel device: `block via next dev device onlink`.
    Tunnel {
        /// The destination node's block.
        block: String,
        /// The destination node's address.
        via: IpAddr,
        /// The device (`flannel.1`, `tunl0`...).
        dev: &'static str,
    },
    /// A route learnt over BGP (bird).
    Bgp {
        /// The destination node's block.
        block: String,
        /// The destination node's address.
        via: IpAddr,
    },
    /// A direct route on a shared segment.
    Direct {
        /// The destination node's block.
        block: String,
        /// The destination node's address.
        via: IpAddr,
    },
    /// The default route to the network's gateway: the block is not local.
    DefaultGateway {
        /// The destination node's block.
        block: String,
    },
    /// The VPC route table's route to a node's instance (added by the
    /// route controller).
    VpcRouteTable {
        /// The destination node's block.
        block: String,
        /// The node.
        node: String,
    },
    /// Through the VPC to a node's ENI secondary address.
    VpcNative {
        /// The destination.
        dst: IpAddr,
        /// The node.
        node: String,
    },
}

/// How a packet is forwarded unchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ForwardVia {
    /// To the destination pod's veth on its node.
    Veth(String),
    /// Out of the cluster through the node's eth0.
    NodeEth0,
    /// Out of the cluster unchanged.
    Unchanged,
    /// Across the underlay between two node addresses (encapsulated).
    Underlay {
        /// The outer source.
        src: IpAddr,
        /// The outer destination.
        dst: IpAddr,
    },
    /// Across the underlay unencapsulated (BGP routes).
    Unencapsulated(IpAddr),
    /// Across a shared segment unencapsulated (direct routes).
    SharedSegment(IpAddr),
    /// The network's static route for a block (kubenet).
    StaticRoute {
        /// The block.
        block: String,
        /// The node address it goes to.
        via: IpAddr,
    },
    /// The VPC delivers the address to a node's ENI.
    VpcToEni {
        /// The destination.
        dst: IpAddr,
        /// The node's address.
        node_ip: IpAddr,
    },
}

/// An encapsulation between nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encapsulation {
    /// VXLAN on a UDP port.
    Vxlan(u16),
    /// IP-in-IP (IP protocol 4).
    IpInIp,
}
