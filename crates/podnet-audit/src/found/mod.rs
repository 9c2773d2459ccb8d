//! What a check found, as typed data: the objects, ports, address ranges
//! and counts a finding's message and help are made of. Each variant is
//! one kind of finding, grouped by area; podnet-report words them
//! (`podnet_report::audit`).

mod exposure;
mod hygiene;
mod ipam;
mod lb;
mod namespace;
mod placement;

pub use exposure::{ExposureFound, FrontName, PortView, Referent, RouteBackend, RouteMatch};
pub use hygiene::{HygieneFound, LabelHint, NamedPortPods, PeerMiss, RuleRef};
pub use ipam::{IpamFound, NetworkReserved, RangeName, Reserved, Tagged};
pub use lb::{AwsFacts, LbFound, LbPlatform, TargetPath};
pub use namespace::{ContainerGap, GrantScope, NamespaceFound};
pub use placement::PlacementFound;

use podnet_model::{Cluster, IpSet, Meta, WorkloadId};

/// What a check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// Namespace strategy (PN1xxx).
    Namespace(NamespaceFound),
    /// Policy hygiene (PN2xxx).
    Hygiene(HygieneFound),
    /// Exposure (PN3xxx).
    Exposure(ExposureFound),
    /// IPAM (PN4xxx).
    Ipam(IpamFound),
    /// Load balancers (PN5xxx).
    Lb(LbFound),
    /// Placement (PN6xxx).
    Placement(PlacementFound),
}

/// An object a finding names: its kind and `namespace/name` (or `name`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Object {
    /// Kind (`Deployment`, `ClusterRoleBinding`...).
    pub kind: String,
    /// `namespace/name`, or `name` for cluster-scoped objects.
    pub name: String,
}

impl Object {
    /// The object of a model object's provenance.
    pub fn of(meta: &Meta) -> Object {
        Object {
            kind: meta.kind.clone(),
            name: meta.qualified_name(),
        }
    }

    /// A workload.
    pub fn workload(cluster: &Cluster, id: WorkloadId) -> Object {
        Object {
            kind: cluster.workload(id).kind.as_str().to_owned(),
            name: cluster.workload_name(id),
        }
    }
}

/// Whether `set` holds at least half of the IPv4 and of the IPv6 address
/// space: the internet, give or take private ranges carved out.
pub fn wide_families(set: &IpSet) -> [bool; 2] {
    [v4_count(set) >= 1u64 << 31, v6_count(set) >= 1u128 << 127]
}

/// Number of IPv4 addresses in a set.
fn v4_count(set: &IpSet) -> u64 {
    set.v4()
        .ranges()
        .iter()
        .map(|&(lo, hi)| u64::from(hi - lo) + 1)
        .sum()
}

/// Number of IPv6 addresses in a set, saturating at `u128::MAX`.
fn v6_count(set: &IpSet) -> u128 {
    set.v6().ranges().iter().fold(0u128, |acc, &(lo, hi)| {
        acc.saturating_add(hi - lo).saturating_add(1)
    })
}
