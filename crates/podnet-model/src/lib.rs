//! podnet's data model: what a cluster *is*, with no I/O and no analysis.
//!
//! The manifest reader builds a [`Cluster`] once; the engine and printers only
//! read it (house rule 1 of docs/architecture.md: the model is immutable once built).

pub mod admin;
pub mod cluster;
pub mod conns;
pub mod endpoints;
pub mod exposure;
pub mod gateway;
pub mod governance;
pub mod ids;
pub mod intent;
pub mod ipset;
pub mod labels;
pub mod limits;
pub mod multus;
pub mod node;
pub mod path;
pub mod placement;
pub mod policy;
pub mod pool;
pub mod ports;
pub mod problem;
pub mod profile;
pub mod range_set;
pub mod selector;
pub mod service;
pub mod source;
pub mod synthesis;

pub use admin::{
    AdminAction, AdminApi, AdminPeer, AdminPolicy, AdminPort, AdminRule, AdminSubject,
    NamespacedPods, Tier,
};
pub use cluster::{
    Cluster, ContainerPort, DnsPolicy, HostNetworkMode, Namespace, Pod, PodNet, PodOrigin,
    Workload, WorkloadKind,
};
pub use conns::Conns;
pub use endpoints::{EndpointAddress, EndpointHints, EndpointPort, EndpointSet};
pub use exposure::{Backend, Exposure, ExposureKind, HttpPath, HttpRule, PathType, ServicePortRef};
pub use gateway::{
    AllowedRoutes, BackendRef, BackendTlsPolicy, CertificateRef, GATEWAY_GROUP, Gateway,
    GatewayRoute, GrantFrom, GrantTo, GrpcMethodMatch, HeaderMatch, Listener, ListenerProtocol,
    ListenerSet, ListenerSetRef, ObjectKey, ParentKind, ParentRef, PathMatch, PathMatchKind,
    PathModifier, PolicyTarget, ReferenceGrant, RequestRedirect, RouteKind, RouteMatch,
    RouteNamespaces, RouteRule, TlsMode, ValueMatchKind, reference_permitted,
};
pub use governance::{
    Budget, ContainerResources, CpuMemory, DisruptionBudget, Governance, IntOrPercent, LimitRange,
    PodAdmission, RbacRule, RbacSubject, ResourceQuota, Role, RoleBinding, RoleRef, ServiceAccount,
};
pub use ids::{LabelSetId, NsId, PodId, PolicyId, PortTableId, ServiceId, WorkloadId};
pub use intent::{
    EndpointSelector, Flows, Intent, IntentRule, IsolateRule, OnlyRule, OnlySource, SelectorKind,
};
pub use ipset::{IpRange, IpSet};
pub use labels::Labels;
pub use multus::{
    CniConfig, CniIpam, CniRoute, CniType, IpamKind, IpamRange, MultiNetworkPolicy,
    NetworkAttachment, NetworkRef, NetworkSelection, StaticAddress,
};
pub use node::Node;
pub use placement::{
    NodeRequirements, NodeSelectorOperator, NodeSelectorRequirement, NodeSelectorTerm, Taint,
    TaintEffect, Toleration, TolerationOperator,
};
pub use policy::{
    Direction, IpBlock, NamespaceScope, NetworkPolicy, Peer, PolicyRule, PortMatch, PortSpec,
};
pub use pool::{AddressRequest, IpPool, PoolFlavor, PoolRoute};
pub use ports::{PortSet, Protocol};
pub use problem::{Diagnostic, Location, Message, Problem, Severity};
pub use profile::{
    AddressPool, AwsCloud, Cloud, CniMode, DnsPodsMode, KubeProxyOptions, LbController, Preset,
    Profile, ProfileNode, ProfileSpec, ProxyMode, Subnet, TargetType, Transport,
};
pub use range_set::RangeSet;
pub use selector::{LabelSelector, Operator, Requirement};
pub use service::{
    DEFAULT_SERVICE_CIDR, LoadBalancerSpec, Service, ServiceCidr, ServicePort, ServiceType,
    TargetPort, TrafficDistribution, TrafficPolicy,
};
pub use source::{Meta, Source};
