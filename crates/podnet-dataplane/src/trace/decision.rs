//! What a load balancer or a front (Ingress, Route, Gateway) decided, as
//! data for the `LoadBalancer` hop; the printers (`podnet-report`) word it.

use std::net::IpAddr;

use podnet_model::{ListenerProtocol, PathType, RouteKind, ServiceId};

use super::Url;

/// What a load balancer or front does with the packet or request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LbDecision {
    /// A load balancer with IP targets forwards to a pod address through
    /// the VPC.
    IpTarget {
        /// The load balancer, by address or DNS name.
        lb: String,
        /// The target's address.
        ip: IpAddr,
        /// Its port.
        port: u16,
        /// How many healthy targets it chooses among.
        of: usize,
    },
    /// `ipMode: Proxy`: the load balancer proxies to a node's NodePort.
    ProxyToNodePort {
        /// The load balancer.
        lb: String,
        /// The node.
        node: String,
        /// The NodePort.
        node_port: u16,
    },
    /// A load balancer with instance targets forwards to a node's NodePort.
    InstanceTarget {
        /// The load balancer.
        lb: String,
        /// The node.
        node: String,
        /// The NodePort.
        node_port: u16,
        /// How many healthy targets it chooses among.
        of: usize,
    },
    /// MetalLB: a node answers for the address (L2 announcement).
    MetalLb {
        /// The load balancer's address.
        lb: String,
        /// The node.
        node: String,
    },
    /// An Ingress or Route selects a path.
    Exposure(Box<ExposureDecision>),
    /// A Gateway listener takes the request.
    Gateway(Box<GatewayDecision>),
}

/// The path an Ingress or Route selects for a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExposureDecision {
    /// The Ingress or Route (index into `Cluster::exposures`).
    pub exposure: usize,
    /// The path that matched, `None` for the default backend.
    pub path: Option<(String, PathType)>,
    /// The request's host.
    pub host: String,
    /// The Service ports it forwards to.
    pub services: Vec<(ServiceId, u16)>,
    /// What happens to TLS.
    pub tls: TlsHandling,
}

/// What a front does with TLS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlsHandling {
    /// No TLS is asked for.
    None,
    /// Terminated at the front for the host.
    Terminated(String),
    /// No TLS configuration covers the host: the default certificate.
    DefaultCertificate(String),
    /// Passed through to the backend (SNI).
    Passthrough(String),
}

/// A Gateway listener taking a request, and what it does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayDecision {
    /// The Gateway, `namespace/name`.
    pub gateway: String,
    /// The listener's name.
    pub listener: String,
    /// Its protocol.
    pub protocol: ListenerProtocol,
    /// Its port.
    pub port: u16,
    /// The request as sent.
    pub request: Url,
    /// What it does.
    pub step: GatewayStep,
}

/// What a Gateway listener does with a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GatewayStep {
    /// Every certificateRef of the listener is refused.
    CertificatesRefused,
    /// No route of this kind attached to the listener takes the request.
    NoRoute(RouteKind),
    /// The request reached the Gateway's address, but no listener on its
    /// port has a hostname matching the request's host (`listener` is
    /// empty).
    NoListenerForHost,
    /// The TLS server name selected this HTTPS listener, but the request's
    /// Host is another's: the listener the Host selects on the port
    /// (`None`: no listener's hostname matches the Host).
    Misdirected {
        /// The listener the Host selects.
        host_listener: Option<String>,
    },
    /// A route rule takes it.
    Rule {
        /// The route's kind (`HTTPRoute`...).
        route_kind: String,
        /// The route, `namespace/name`.
        route: String,
        /// The rule, from 1.
        rule: usize,
        /// The match, from 1.
        matched: usize,
        /// Where it forwards, unless every backendRef is refused.
        forward: Option<GatewayForward>,
    },
}

/// Where a Gateway rule forwards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayForward {
    /// What happens to TLS.
    pub tls: TlsHandling,
    /// The Service ports.
    pub services: Vec<(ServiceId, u16)>,
    /// The backendRefs refused without a ReferenceGrant (namespace, name).
    pub refused: Vec<(String, String)>,
    /// The route kind (what the refused share gets).
    pub kind: RouteKind,
}
