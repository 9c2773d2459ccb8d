//! podnet's data model: what a cluster *is*, with no I/O and no analysis.
//!
//! The manifest reader builds a [`Cluster`] once; the engine and printers only
//! read it (house rule 1 of DESIGN.md: the model is immutable once built).

pub mod cluster;
pub mod conns;
pub mod ids;
pub mod ipset;
pub mod labels;
pub mod policy;
pub mod ports;
pub mod range_set;
pub mod selector;
pub mod service;
pub mod source;

pub use cluster::{Cluster, ContainerPort, Namespace, Pod, PodOrigin, Workload, WorkloadKind};
pub use conns::Conns;
pub use ids::{LabelSetId, NsId, PodId, PolicyId, PortTableId, ServiceId, WorkloadId};
pub use ipset::{IpRange, IpSet};
pub use labels::Labels;
pub use policy::{
    Direction, IpBlock, NamespaceScope, NetworkPolicy, Peer, PolicyRule, PortMatch, PortSpec,
};
pub use ports::{PortSet, Protocol};
pub use range_set::RangeSet;
pub use selector::{LabelSelector, Operator, Requirement};
pub use service::{Service, ServicePort, ServiceType, TargetPort};
pub use source::{Meta, Source};
