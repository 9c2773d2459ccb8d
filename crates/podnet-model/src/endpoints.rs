//! Endpoints written by hand or dumped from a cluster (v1 `Endpoints`,
//! discovery.k8s.io/v1 `EndpointSlice`): the backends of selector-less
//! Services, and the live backends of any Service.

use std::net::IpAddr;

use crate::ports::Protocol;
use crate::source::Meta;

/// One backend address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointAddress {
    /// Its address.
    pub ip: IpAddr,
    /// Whether it is ready (`addresses` vs `notReadyAddresses`, or
    /// `conditions.ready`, which defaults to true).
    pub ready: bool,
    /// `conditions.serving` of an EndpointSlice endpoint (as `ready` when
    /// nil, API reference EndpointConditions); `ready` for Endpoints.
    pub serving: bool,
    /// `conditions.terminating` (false when nil).
    pub terminating: bool,
    /// `nodeName`, when given.
    pub node_name: Option<String>,
    /// `zone` of an EndpointSlice endpoint, when given.
    pub zone: Option<String>,
    /// `hints` of an EndpointSlice endpoint.
    pub hints: EndpointHints,
    /// `targetRef` of kind Pod: the pod's name.
    pub pod: Option<String>,
    /// `hostname`: the endpoint's own DNS label under a headless Service
    /// (DNS specification 2.4.1).
    pub hostname: Option<String>,
}

/// `hints` of an EndpointSlice endpoint (API reference, EndpointHints):
/// where kube-proxy may use it under topology-aware routing. Empty lists
/// are no hint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndpointHints {
    /// `forZones[].name`.
    pub for_zones: Vec<String>,
    /// `forNodes[].name`.
    pub for_nodes: Vec<String>,
}

/// One port of an endpoint set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointPort {
    /// `name`, matching the Service port's name.
    pub name: Option<String>,
    /// `port`.
    pub port: u16,
    /// `protocol`.
    pub protocol: Protocol,
}

/// An `Endpoints` object or an `EndpointSlice`, for one Service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointSet {
    /// Identity and provenance.
    pub meta: Meta,
    /// The Service it belongs to (the Endpoints' name, or the slice's
    /// `kubernetes.io/service-name` label).
    pub service: String,
    /// Backend addresses.
    pub addresses: Vec<EndpointAddress>,
    /// Ports.
    pub ports: Vec<EndpointPort>,
}
