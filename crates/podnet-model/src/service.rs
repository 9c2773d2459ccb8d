//! Services (v1), as read from manifests. Connectivity analysis does not use
//! them yet; `explain` resolves a Service name to the pods it selects.

use std::net::IpAddr;

use crate::ids::NsId;
use crate::labels::Labels;
use crate::ports::Protocol;
use crate::source::Meta;

/// `spec.type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceType {
    /// A virtual IP inside the cluster (the default).
    ClusterIp,
    /// ClusterIP plus a port on every node.
    NodePort,
    /// NodePort plus an external load balancer.
    LoadBalancer,
    /// A DNS CNAME to `spec.externalName`.
    ExternalName,
}

/// A Service.
#[derive(Clone, Debug)]
pub struct Service {
    /// Identity and provenance.
    pub meta: Meta,
    /// Its namespace.
    pub namespace: NsId,
    /// `spec.type`.
    pub service_type: ServiceType,
    /// `spec.selector`; `None` for selector-less Services.
    pub selector: Option<Labels>,
    /// `spec.clusterIPs` (or `clusterIP`), when set; empty for headless.
    pub cluster_ips: Vec<IpAddr>,
    /// Whether `clusterIP: None` makes it headless.
    pub headless: bool,
    /// `spec.ports`.
    pub ports: Vec<ServicePort>,
}

/// One `spec.ports` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServicePort {
    /// `name`.
    pub name: Option<String>,
    /// `protocol` (TCP when omitted).
    pub protocol: Protocol,
    /// `port`.
    pub port: u16,
    /// `targetPort` (defaults to `port`).
    pub target_port: TargetPort,
    /// `nodePort`, when set.
    pub node_port: Option<u16>,
}

/// Where a Service port sends traffic on the pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetPort {
    /// A port number.
    Number(u16),
    /// A named container port, resolved per pod.
    Named(String),
}
