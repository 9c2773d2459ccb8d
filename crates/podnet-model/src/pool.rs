//! Static address pools that pods draw from instead of their node's block:
//! Calico `IPPool` (crd.projectcalico.org/v1, projectcalico.org/v3) and the
//! Robin `IPPool` of a telecom cloud (robin.io/v1).

use std::net::IpAddr;

use ipnet::IpNet;

use crate::labels::Labels;
use crate::source::Meta;

/// Which product a pool belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PoolFlavor {
    /// Calico `IPPool`: a CIDR carved into blocks.
    Calico,
    /// Robin `IPPool`: a subnet with ranges, gateway, reserved addresses,
    /// VLAN and routes.
    Robin,
}

/// A static route a pool hands to its pods.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolRoute {
    /// Destination.
    pub dst: IpNet,
    /// Next hop.
    pub gw: IpAddr,
}

/// An address pool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpPool {
    /// Identity and provenance.
    pub meta: Meta,
    /// Calico or Robin.
    pub flavor: PoolFlavor,
    /// The subnet (`cidr` or `subnet`).
    pub cidr: IpNet,
    /// Ranges addresses are handed out from, first..=last; empty means the
    /// whole subnet but its network and broadcast addresses.
    pub ranges: Vec<(IpAddr, IpAddr)>,
    /// The gateway, never handed out.
    pub gateway: Option<IpAddr>,
    /// Addresses never handed out.
    pub reserved: Vec<IpAddr>,
    /// The VLAN id.
    pub vlan: Option<u16>,
    /// Routes given to pods.
    pub routes: Vec<PoolRoute>,
    /// Calico `blockSize`.
    pub block_size: Option<u8>,
    /// Calico `natOutgoing`.
    pub nat_outgoing: bool,
    /// Calico `disabled`: no automatic allocation.
    pub disabled: bool,
    /// Calico `nodeSelector` as `key == value` pairs podnet understands
    /// (`all()` is empty).
    pub node_selector: Labels,
}

/// A pod's request for addresses from a pool, from its annotations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddressRequest {
    /// Exact addresses: Calico `cni.projectcalico.org/ipAddrs`, or a Robin
    /// `staticip`.
    Static(Vec<IpAddr>),
    /// Any free address from these pools, in order: Calico
    /// `cni.projectcalico.org/ipv4pools`/`ipv6pools` (names or CIDRs) or
    /// Robin `robin.io/networks` `ippool`.
    FromPools(Vec<String>),
}
