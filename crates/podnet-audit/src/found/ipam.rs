//! What the IPAM checks find (PN4001-PN4007).

use std::net::IpAddr;

use ipnet::IpNet;
use podnet_dataplane::issue::PoolReserved;
use podnet_model::IpSet;

/// What an IPAM check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IpamFound {
    /// PN4001: an IPPool's addresses are all held.
    PoolFull {
        /// The pool's name.
        pool: String,
        /// Its CIDR.
        cidr: IpNet,
        /// How many addresses it hands out.
        capacity: u128,
        /// The workloads (`ns/name`) holding them, with how many each.
        holders: Vec<(String, usize)>,
    },
    /// PN4001: more pods draw from an IPPool than it has addresses.
    PoolExhausted {
        /// The pool's name.
        pool: String,
        /// Its CIDR.
        cidr: IpNet,
        /// How many addresses it hands out.
        capacity: u128,
        /// How many pods draw from it.
        demand: u128,
        /// The workloads (`ns/name`) drawing, with how many pods each.
        holders: Vec<(String, usize)>,
        /// The pods (`ns/name`) that get no address.
        unserved: Vec<String>,
    },
    /// PN4002: a node's block is smaller than its maxPods.
    BlockTooSmall {
        /// The node.
        node: String,
        /// Its maxPods.
        max_pods: u32,
        /// Its block.
        block: IpNet,
        /// Addresses the block gives pods.
        capacity: u128,
        /// Addresses in use.
        used: u128,
        /// The longest node mask that would fit maxPods.
        mask: u8,
    },
    /// PN4003: the cluster CIDR holds fewer node blocks than nodes.
    ClusterCidrTooSmall {
        /// The cluster CIDR.
        cidr: IpNet,
        /// How many node blocks it holds.
        blocks: u128,
        /// The node mask.
        mask: u8,
        /// How many nodes there are.
        nodes: u128,
        /// The nodes left without a block.
        without: Vec<String>,
        /// Whether the CIDR is IPv4.
        v4: bool,
        /// The longest prefix that would hold every node's block.
        widen_to: u8,
    },
    /// PN4004: two address ranges overlap.
    Overlap {
        /// The range the finding is on.
        this: RangeName,
        /// The range it overlaps.
        other: RangeName,
        /// The addresses in both.
        common: IpSet,
        /// The nodes with addresses in both, when one range is the nodes'.
        nodes: Option<Vec<String>>,
    },
    /// PN4005: one static address asked for by several pods.
    DuplicateStatic {
        /// The address.
        ip: IpAddr,
        /// The secondary network, if not the pod network.
        network: Option<String>,
        /// The pods (`ns/name`).
        pods: Vec<String>,
        /// The workload (`ns/name`) whose template gives all of them the
        /// address, when they are its replicas.
        template: Option<String>,
    },
    /// PN4006: a pod given an address its range keeps back.
    ReservedAssigned {
        /// The pod (`ns/name`).
        pod: String,
        /// The address.
        ip: IpAddr,
        /// The secondary network, if not the pod network.
        network: Option<String>,
        /// Why the address is kept back.
        why: Reserved,
    },
    /// PN4007: one VLAN carries two subnets.
    VlanSubnets {
        /// The VLAN id.
        vlan: u16,
        /// The subnet the finding is on.
        subnet: IpNet,
        /// Whose subnet it is.
        what: Tagged,
        /// The other subnet.
        other_subnet: IpNet,
        /// Whose that is.
        other: Tagged,
    },
}

/// An address range IPAM compares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RangeName {
    /// A cluster range, as the dataplane describes it.
    Cluster(String),
    /// A secondary network (`ns/name`) and the addresses it hands out.
    Network(String, IpSet),
    /// The nodes' addresses.
    Nodes,
}

/// What declares a VLAN's subnet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tagged {
    /// An IPPool (its name).
    Pool(String),
    /// A secondary network (`ns/name`).
    Network(String),
}

/// Why an address is never handed out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reserved {
    /// An IPPool keeps it back: what it is there, and the pool's name.
    Pool(PoolReserved, String),
    /// It is a node's own address.
    Node(String),
    /// A secondary network (`ns/name`) keeps it back.
    Network(NetworkReserved, String),
}

/// Why a secondary network keeps an address back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetworkReserved {
    /// It is a gateway.
    Gateway,
    /// An `exclude` range holds it.
    Excluded(IpNet),
    /// It is its subnet's network address.
    NetworkAddress,
    /// It is its subnet's broadcast address.
    Broadcast,
}
