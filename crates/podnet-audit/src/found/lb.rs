//! What the load-balancer checks find (PN5001-PN5006): each a chain of
//! causes from the Service to its symptom.

use std::collections::BTreeSet;
use std::net::IpAddr;

use ipnet::IpNet;
use podnet_dataplane::lb::RouteGap;
use podnet_model::CniMode;

/// What a load-balancer check found. `service` is `ns/name`;
/// `controller` the load-balancer controller, when the input names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LbFound {
    /// PN5001: no address assigned; the steps the dataplane gives.
    Pending {
        /// The Service.
        service: String,
        /// Why no controller assigned an address, step by step.
        steps: Vec<String>,
        /// What runs load balancers here.
        platform: LbPlatform,
    },
    /// PN5002: instance targets cannot be registered.
    InstanceUnregistrable {
        /// The Service.
        service: String,
        /// The controller.
        controller: Option<String>,
        /// The controller's own target type, or the alternative.
        path: TargetPath,
        /// The target port (the NodePort), when known.
        port: Option<u16>,
        /// Nodes without spec.providerID.
        missing: Vec<String>,
        /// Nodes in all.
        total: usize,
        /// Whether no target is left.
        all: bool,
        /// What the profile says of AWS.
        aws: AwsFacts,
    },
    /// PN5003: IP targets are unreachable from the VPC.
    IpUnreachable {
        /// The Service.
        service: String,
        /// The controller.
        controller: Option<String>,
        /// The controller's own target type, or the alternative.
        path: TargetPath,
        /// The CNI.
        cni: CniMode,
        /// Pod addresses outside the VPC.
        outside: Vec<IpAddr>,
        /// The cluster CIDRs.
        cluster_cidrs: Vec<IpNet>,
        /// The VPC's CIDR.
        vpc_cidr: IpNet,
        /// Pod addresses inside the VPC range but not routed.
        unrouted: Vec<IpAddr>,
        /// Why no VPC route bypasses the overlay.
        gap: Option<RouteGap>,
        /// Whether instance targets would register instead.
        instance_would_register: bool,
    },
    /// PN5004: externalTrafficPolicy Local with endpoints on few nodes.
    LocalWithoutEndpoint {
        /// The Service.
        service: String,
        /// The controller.
        controller: Option<String>,
        /// Nodes with a ready endpoint.
        with: BTreeSet<String>,
        /// Targets (nodes) without one.
        without: Vec<String>,
        /// Targets in all.
        targets: usize,
        /// Whether MetalLB announces the address.
        metallb: bool,
    },
    /// PN5005: no ready endpoint.
    NoReadyEndpoint {
        /// The Service.
        service: String,
        /// The controller.
        controller: Option<String>,
    },
    /// PN5006: instance targets without node ports.
    NoNodePort {
        /// The Service.
        service: String,
        /// The controller.
        controller: Option<String>,
    },
}

/// Which target type a finding is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetPath {
    /// The one the controller uses.
    Chosen,
    /// The other one, which would fail too.
    Alternative,
}

/// What runs load balancers for a pending Service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LbPlatform {
    /// AWS.
    Aws,
    /// No cloud, with a controller (MetalLB) named.
    MetalLb,
    /// No cloud and no controller.
    Nothing,
}

/// What the profile says of the AWS account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AwsFacts {
    /// Whether the instances carry the cluster tag.
    pub cluster_tagged: bool,
    /// Whether a cloud controller manager runs.
    pub ccm: bool,
    /// Whether the CNI gives pods VPC addresses.
    pub vpc_native: bool,
}
