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
    /// `spec.trafficDistribution`, when set.
    pub traffic_distribution: Option<TrafficDistribution>,
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

/// `spec.trafficDistribution` (API reference, ServiceSpec; KEP-4444, and
/// KEP-3015 for `PreferSameZone`, `PreferSameNode` and `PreferClose` as the
/// deprecated alias of `PreferSameZone`). The EndpointSlice controller turns
/// it into hints on ready endpoints (`forZones`: the endpoint's zone; with
/// `PreferSameNode` also `forNodes`: its node); kube-proxy reads the hints
/// only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrafficDistribution {
    /// `PreferClose`: the deprecated name of `PreferSameZone`.
    PreferClose,
    /// `PreferSameZone`: endpoints in the client's zone.
    PreferSameZone,
    /// `PreferSameNode`: endpoints on the client's node, else its zone.
    PreferSameNode,
}

impl TrafficDistribution {
    /// Every value with its API spelling.
    pub const ALL: [(&'static str, TrafficDistribution); 3] = [
        ("PreferClose", TrafficDistribution::PreferClose),
        ("PreferSameNode", TrafficDistribution::PreferSameNode),
        ("PreferSameZone", TrafficDistribution::PreferSameZone),
    ];

    /// The value the API spells `name`.
    pub fn parse(name: &str) -> Option<TrafficDistribution> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
    }

    /// Its API spelling.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, t)| *t == self)
            .map_or("PreferSameZone", |(n, _)| n)
    }

    /// Whether the EndpointSlice controller adds node hints
    /// (`trafficdist.go`: only for `PreferSameNode`).
    pub fn node_hints(self) -> bool {
        self == TrafficDistribution::PreferSameNode
    }
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

/// The name of the ServiceCIDR the API server creates from its
/// `--service-cluster-ip-range` (KEP-1880).
pub const DEFAULT_SERVICE_CIDR: &str = "kubernetes";

/// A `ServiceCIDR` (networking.k8s.io/v1, KEP-1880 "Multiple Service
/// CIDRs"): a range the API server allocates ClusterIPs from, besides
/// (or, for the one named `kubernetes`, as) its flag's range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceCidr {
    /// Identity and provenance.
    pub meta: Meta,
    /// `spec.cidrs`: at most one per family.
    pub cidrs: Vec<IpNet>,
}
