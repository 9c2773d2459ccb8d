//! Services (v1), as read from manifests: what the dataplane turns into
//! virtual IPs, node ports, load balancers and DNS names.

use std::net::IpAddr;

use ipnet::IpNet;

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
    /// `spec.externalName`, for type ExternalName.
    pub external_name: Option<String>,
    /// `spec.externalTrafficPolicy` (Cluster when omitted).
    pub external_traffic_policy: TrafficPolicy,
    /// `spec.internalTrafficPolicy` (Cluster when omitted).
    pub internal_traffic_policy: TrafficPolicy,
    /// `spec.sessionAffinity: ClientIP` with its timeout in seconds.
    pub session_affinity: Option<u32>,
    /// `spec.publishNotReadyAddresses`.
    pub publish_not_ready: bool,
    /// `spec.externalIPs`.
    pub external_ips: Vec<IpAddr>,
    /// The load-balancer fields.
    pub load_balancer: LoadBalancerSpec,
}

/// `externalTrafficPolicy` / `internalTrafficPolicy` (API reference,
/// ServiceSpec; docs "Service Traffic Policy").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TrafficPolicy {
    /// Any ready endpoint in the cluster.
    #[default]
    Cluster,
    /// Only endpoints on the node the traffic arrived at.
    Local,
}

/// What a LoadBalancer Service asks of its controller, and what the
/// controller reported.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadBalancerSpec {
    /// `spec.loadBalancerClass`.
    pub class: Option<String>,
    /// `spec.loadBalancerSourceRanges` (or the
    /// `service.beta.kubernetes.io/load-balancer-source-ranges` annotation).
    pub source_ranges: Vec<IpNet>,
    /// `spec.loadBalancerIP` or the `metallb.universe.tf/loadBalancerIPs`
    /// annotation.
    pub requested_ips: Vec<IpAddr>,
    /// `metallb.universe.tf/address-pool`.
    pub address_pool: Option<String>,
    /// `status.loadBalancer.ingress[].ip`.
    pub status_ips: Vec<IpAddr>,
    /// The `status.loadBalancer.ingress[].ip` whose `ipMode` is `Proxy`:
    /// kube-proxy does not catch traffic to them on the node.
    pub proxy_ips: Vec<IpAddr>,
    /// `status.loadBalancer.ingress[].hostname`.
    pub status_hostnames: Vec<String>,
    /// `service.beta.kubernetes.io/aws-load-balancer-type` (`nlb`,
    /// `external`...).
    pub aws_type: Option<String>,
    /// `service.beta.kubernetes.io/aws-load-balancer-nlb-target-type`
    /// (`instance` or `ip`).
    pub aws_target_type: Option<String>,
    /// `spec.allocateLoadBalancerNodePorts` (true when omitted).
    pub no_node_ports: bool,
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
