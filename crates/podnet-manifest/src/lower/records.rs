//! Records: what one document contributes to the cluster, before namespaces
//! get ids and pods are grouped under their top owners.

use std::net::IpAddr;

use podnet_model::{
    AddressPool, AdminPolicy, ContainerPort, EndpointSet, Exposure, IpPool, Labels, NetworkPolicy,
    Node, PodNet, ProfileSpec, Service, Source, WorkloadKind,
};

/// The network-relevant part of a pod spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodShape {
    /// Pod labels.
    pub labels: Labels,
    /// Container ports (containers and restartable init containers).
    pub ports: Vec<ContainerPort>,
    /// `spec.hostNetwork`.
    pub host_network: bool,
    /// `spec.nodeName`.
    pub node_name: Option<String>,
    /// Node selector, DNS identity, address request and (for Pod objects)
    /// readiness and host address.
    pub net: PodNet,
    /// ServiceAccount and container requests and limits.
    pub admission: podnet_model::PodAdmission,
}

/// The controlling owner named by `metadata.ownerReferences`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnerRef {
    /// Owner kind.
    pub kind: String,
    /// Owner name (same namespace).
    pub name: String,
}

/// What a controller sets per pod it creates: labels, and for a
/// StatefulSet the pod's DNS identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PerPodLabels {
    /// None podnet can predict (Deployment's `pod-template-hash` is a hash).
    None,
    /// StatefulSet: `statefulset.kubernetes.io/pod-name` and
    /// `apps.kubernetes.io/pod-index`, ordinals from `first`; `hostname` is
    /// the pod's name and `subdomain` the set's `serviceName`.
    StatefulSet {
        /// `spec.ordinals.start`.
        first: u32,
        /// `spec.serviceName`, when not empty.
        service_name: Option<String>,
    },
    /// Job: `batch.kubernetes.io/job-name` and `job-name`.
    Job,
}

/// A Namespace object.
#[derive(Clone, Debug)]
pub struct RawNamespace {
    /// Name.
    pub name: String,
    /// Labels, including `kubernetes.io/metadata.name`.
    pub labels: Labels,
    /// Where it was declared.
    pub source: Source,
}

/// A pod controller (Deployment, ReplicaSet, StatefulSet, DaemonSet,
/// ReplicationController, Job, CronJob).
#[derive(Clone, Debug)]
pub struct RawController {
    /// Kind.
    pub kind: WorkloadKind,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Where it was declared.
    pub source: Source,
    /// Its pod template.
    pub template: PodShape,
    /// How many pods the template makes.
    pub pod_count: u32,
    /// `spec.replicas` as written.
    pub declared_replicas: Option<u32>,
    /// Its controlling owner.
    pub owner: Option<OwnerRef>,
    /// Labels it adds per pod.
    pub per_pod: PerPodLabels,
}

/// A Pod object.
#[derive(Clone, Debug)]
pub struct RawPod {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Labels, ports, host network.
    pub shape: PodShape,
    /// `status.podIPs`/`podIP`.
    pub ips: Vec<IpAddr>,
    /// Its controlling owner.
    pub owner: Option<OwnerRef>,
    /// Where it was read.
    pub source: Source,
    /// Whether it has terminated (phase Succeeded or Failed).
    pub terminated: bool,
}

/// A NetworkPolicy whose namespace id is not known yet.
#[derive(Clone, Debug)]
pub struct PendingPolicy {
    /// Namespace name.
    pub namespace: String,
    /// The policy; its `namespace` id is set on assembly.
    pub policy: NetworkPolicy,
}

/// A Service whose namespace id is not known yet.
#[derive(Clone, Debug)]
pub struct PendingService {
    /// Namespace name.
    pub namespace: String,
    /// The service; its `namespace` id is set on assembly.
    pub service: Service,
}

/// An Ingress or Route whose namespace id is not known yet.
#[derive(Clone, Debug)]
pub struct PendingExposure {
    /// Namespace name.
    pub namespace: String,
    /// The exposure; its `namespace` id is set on assembly.
    pub exposure: Exposure,
}

/// A ListenerSet whose namespace id is not known yet.
#[derive(Clone, Debug)]
pub struct PendingListenerSet {
    /// Its namespace's name.
    pub namespace: String,
    /// The ListenerSet; its `namespace` id is set on assembly.
    pub set: podnet_model::ListenerSet,
}

/// A Gateway whose namespace id is not known yet.
#[derive(Clone, Debug)]
pub struct PendingGateway {
    /// Namespace name.
    pub namespace: String,
    /// The Gateway; its `namespace` id is set on assembly.
    pub gateway: podnet_model::Gateway,
}

/// An HTTPRoute or GRPCRoute whose namespace id is not known yet.
#[derive(Clone, Debug)]
pub struct PendingGatewayRoute {
    /// Namespace name.
    pub namespace: String,
    /// The route; its `namespace` id is set on assembly.
    pub route: podnet_model::GatewayRoute,
}

/// The endpoint sets of one `Endpoints` object (one per subset) or one
/// `EndpointSlice`.
#[derive(Clone, Debug)]
pub struct RawEndpoints {
    /// `Endpoints` or `EndpointSlice`.
    pub kind: &'static str,
    /// Namespace.
    pub namespace: String,
    /// Object name.
    pub name: String,
    /// Where it was read.
    pub source: Source,
    /// The sets, in order.
    pub sets: Vec<EndpointSet>,
}

/// What one object contributes.
#[derive(Clone, Debug)]
pub enum Record {
    /// A Namespace.
    Namespace(RawNamespace),
    /// A pod controller.
    Controller(RawController),
    /// A Pod.
    Pod(RawPod),
    /// A NetworkPolicy.
    Policy(PendingPolicy),
    /// A Service.
    Service(PendingService),
    /// An Ingress or Route.
    Exposure(PendingExposure),
    /// A Gateway API Gateway.
    Gateway(PendingGateway),
    /// A Gateway API HTTPRoute or GRPCRoute.
    GatewayRoute(PendingGatewayRoute),
    /// A Gateway API ListenerSet.
    ListenerSet(PendingListenerSet),
    /// A Gateway API BackendTLSPolicy.
    BackendTlsPolicy(podnet_model::BackendTlsPolicy),
    /// A Gateway API ReferenceGrant.
    ReferenceGrant(podnet_model::ReferenceGrant),
    /// A Node.
    Node(Node),
    /// An Endpoints object or an EndpointSlice.
    Endpoints(RawEndpoints),
    /// A `ServiceCIDR`.
    ServiceCidr(podnet_model::ServiceCidr),
    /// A Calico or Robin `IPPool`.
    Pool(IpPool),
    /// A MetalLB `IPAddressPool`.
    AddressPool(AddressPool),
    /// A podnet `ClusterProfile`.
    Profile(ProfileSpec),
    /// A podnet `ConnectivityIntent`.
    Intent(podnet_model::Intent),
    /// An AdminNetworkPolicy, BaselineAdminNetworkPolicy or
    /// ClusterNetworkPolicy.
    Admin(AdminPolicy),
    /// A Multus NetworkAttachmentDefinition.
    Network(super::multus::PendingNetwork),
    /// A MultiNetworkPolicy.
    MultiPolicy(super::multus::PendingMultiPolicy),
    /// A ResourceQuota, LimitRange, PodDisruptionBudget, ServiceAccount or
    /// RBAC object.
    Governance(super::governance::GovernanceRecord),
}
