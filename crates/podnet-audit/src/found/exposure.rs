//! What the exposure checks find (PN3001-PN3008).

use std::net::IpAddr;

use podnet_dataplane::lb::LbAddress;
use podnet_model::{Conns, IpSet, Protocol, RouteKind};

use super::Object;

/// What an exposure check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExposureFound {
    /// PN3001: a workload's pods accept connections from outside.
    PodReachable {
        /// Whether the pods are on the host network.
        host_network: bool,
        /// Address ranges and what each may open.
        groups: Vec<(IpSet, Conns)>,
        /// Whether the ranges together are as wide as the internet.
        internet_wide: bool,
    },
    /// PN3002: a NodePort Service's open node ports.
    NodePort {
        /// One address per node (external, else internal).
        nodes: Vec<IpAddr>,
        /// The ports with a node port.
        ports: Vec<PortView>,
    },
    /// PN3003/PN3004: a LoadBalancer Service and whom it accepts.
    LoadBalancer {
        /// Its addresses; empty while pending.
        addresses: Vec<LbAddress>,
        /// Whether it accepts every address.
        open: bool,
        /// Its loadBalancerSourceRanges.
        ranges: IpSet,
        /// Whether it declares loadBalancerSourceRanges.
        declares_ranges: bool,
        /// Its ports.
        ports: Vec<PortView>,
        /// Whether it allocates node ports.
        node_ports: bool,
        /// One address per node (external, else internal).
        nodes: Vec<IpAddr>,
    },
    /// PN3005: a host and path published to workloads.
    HttpExposure {
        /// The host and path.
        route: RouteMatch,
        /// The fronts it is published through.
        fronts: Vec<FrontName>,
        /// The workloads and ports it reaches.
        to: Vec<RouteBackend>,
    },
    /// PN3006: a host and path routed to pods the fronts may not reach.
    HttpRouteBlocked {
        /// The host and path.
        route: RouteMatch,
        /// The fronts it is published through.
        fronts: Vec<FrontName>,
        /// The workloads and ports policy keeps the fronts from.
        to: Vec<RouteBackend>,
    },
    /// PN3007: a Service's externalIPs.
    ExternalIps {
        /// The addresses.
        ips: Vec<IpAddr>,
        /// Its ports.
        ports: Vec<PortView>,
    },
    /// PN3008: a route's backendRef refused for want of a ReferenceGrant.
    BackendRefused {
        /// The referent.
        target: Referent,
        /// The rule's index.
        rule: usize,
        /// The route's kind.
        route_kind: RouteKind,
        /// The route's namespace.
        from_namespace: String,
        /// Whether every backend of the rule is refused.
        all_refused: bool,
    },
    /// PN3008: a listener's certificateRef refused.
    CertificateRefused {
        /// The referent.
        target: Referent,
        /// The listener's name.
        listener: String,
        /// Whether a ListenerSet (not the Gateway) declares the listener.
        listener_set: bool,
        /// Its namespace.
        from_namespace: String,
        /// Whether the listener is left with no certificate.
        none_left: bool,
    },
}

/// A Service port and where it leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortView {
    /// Its protocol.
    pub protocol: Protocol,
    /// Its port.
    pub port: u16,
    /// Its node port.
    pub node_port: Option<u16>,
    /// Its ready backends per workload, with their target ports.
    pub backends: Vec<(Object, Vec<u16>)>,
    /// How many of those workloads admit outside addresses there.
    pub admitted: usize,
}

/// A host and path of an exposure or Gateway route rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteMatch {
    /// An Ingress or Route path.
    Path {
        /// Its host; `None` for every host.
        host: Option<String>,
        /// The path.
        path: String,
        /// The pathType.
        kind: String,
    },
    /// An Ingress default backend.
    DefaultBackend,
    /// A Gateway route's rule.
    GatewayRule {
        /// The rule's index.
        rule: usize,
        /// The route's hostnames; empty for every host.
        hostnames: Vec<String>,
        /// The rule's path matches: kind and value.
        paths: Vec<(String, String)>,
    },
    /// A route the input no longer has.
    Unknown,
}

/// What opens connections for a route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrontName {
    /// A Gateway's proxy.
    Gateway {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
    /// The AWS Application Load Balancer.
    Alb,
    /// The ingress controller.
    IngressController,
}

/// A workload a route reaches, with the ports of one protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteBackend {
    /// The workload.
    pub workload: Object,
    /// The protocol.
    pub protocol: Protocol,
    /// The target ports.
    pub ports: Vec<u16>,
}

/// The object a Gateway API reference names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Referent {
    /// Its kind.
    pub kind: String,
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
}
