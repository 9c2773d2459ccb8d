//! Nodes (v1 `Node` objects): where pods run, the addresses packets leave
//! from, and what cloud load balancers register.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::labels::Labels;
use crate::source::Meta;

/// The zone label (`topology.kubernetes.io/zone`, Well-Known Labels).
pub const ZONE_LABEL: &str = "topology.kubernetes.io/zone";
/// The instance-type label (`node.kubernetes.io/instance-type`).
pub const INSTANCE_TYPE_LABEL: &str = "node.kubernetes.io/instance-type";
/// The hostname label every node carries (`kubernetes.io/hostname`).
pub const HOSTNAME_LABEL: &str = "kubernetes.io/hostname";

/// A node, from a `Node` object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Identity and provenance.
    pub meta: Meta,
    /// Labels (zone, instance type, hostname...).
    pub labels: Labels,
    /// `spec.podCIDRs` (or `podCIDR`).
    pub pod_cidrs: Vec<IpNet>,
    /// `status.addresses` of type InternalIP.
    pub internal_ips: Vec<IpAddr>,
    /// `status.addresses` of type ExternalIP.
    pub external_ips: Vec<IpAddr>,
    /// `spec.providerID` (`aws:///<zone>/<instance-id>`), when set.
    pub provider_id: Option<String>,
    /// `status.capacity.pods`.
    pub max_pods: Option<u32>,
    /// `spec.unschedulable` (cordoned).
    pub unschedulable: bool,
    /// `spec.taints`.
    pub taints: Vec<crate::placement::Taint>,
}
