//! Address ranges that must not share addresses: pod (cluster) CIDRs,
//! service CIDRs, static pools, MetalLB pools and, for overlay CNIs, the
//! VPC. Overlaps are warnings; pod and Service ranges overlapping is the
//! profile reader's error (kube-proxy could not tell a VIP from a pod).
//! [`ranges`] lists them with their provenance for the audit's checks.

use std::net::IpAddr;

use podnet_model::{Cloud, Cluster, IpRange, IpSet, Meta, Profile};

use crate::issue::{Found, Issue};

/// What an address range is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RangeKind {
    /// A cluster (pod) CIDR of an overlay or routed CNI.
    ClusterCidr,
    /// A service CIDR.
    ServiceCidr,
    /// A static pool's subnet (Calico or Robin IPPool).
    IpPool,
    /// A MetalLB address pool.
    MetalLb,
    /// The cloud VPC, when pods do not hold VPC addresses.
    Vpc,
}

/// One named range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressRange {
    /// What it is.
    pub kind: RangeKind,
    /// How to name it (`IPPool pool-iot (172.21.0.0/16)`).
    pub what: String,
    /// Its addresses.
    pub set: IpSet,
    /// Where it was declared (the object, or the profile), when known.
    pub meta: Option<Meta>,
}

/// Every address range of the cluster and its profile, in a fixed order:
/// cluster CIDRs (not for VPC-native CNIs), service CIDRs, IPPools,
/// MetalLB pools, the VPC (for non-VPC-native CNIs).
pub fn ranges(cluster: &Cluster, profile: &Profile) -> Vec<AddressRange> {
    let mut ranges: Vec<AddressRange> = Vec::new();
    let named = |kind, what: String, set: IpSet, meta: Option<&Meta>| AddressRange {
        kind,
        what,
        set,
        meta: meta.cloned(),
    };
    if !profile.cni.vpc_native() {
        for c in &profile.cluster_cidrs {
            ranges.push(named(
                RangeKind::ClusterCidr,
                format!("cluster CIDR {c}"),
                IpSet::from_net(c),
                profile.meta.as_ref(),
            ));
        }
    }
    for s in &profile.service_cidrs {
        ranges.push(named(
            RangeKind::ServiceCidr,
            format!("service CIDR {s}"),
            IpSet::from_net(s),
            profile.meta.as_ref(),
        ));
    }
    for p in &cluster.pools {
        ranges.push(named(
            RangeKind::IpPool,
            format!("IPPool {} ({})", p.meta.name, p.cidr),
            IpSet::from_net(&p.cidr),
            Some(&p.meta),
        ));
    }
    for p in &profile.metallb {
        let mut set = IpSet::empty();
        for (a, b) in &p.ranges {
            let range = match (a, b) {
                (IpAddr::V4(x), IpAddr::V4(y)) => IpRange::V4(u32::from(*x), u32::from(*y)),
                (IpAddr::V6(x), IpAddr::V6(y)) => IpRange::V6(u128::from(*x), u128::from(*y)),
                _ => continue,
            };
            set = set.union(&IpSet::from_range(range));
        }
        ranges.push(named(
            RangeKind::MetalLb,
            format!("MetalLB pool {}", p.name),
            set,
            p.meta.as_ref().or(profile.meta.as_ref()),
        ));
    }
    if let (Cloud::Aws(aws), false) = (&profile.cloud, profile.cni.vpc_native()) {
        ranges.push(named(
            RangeKind::Vpc,
            format!("VPC {}", aws.vpc_cidr),
            IpSet::from_net(&aws.vpc_cidr),
            profile.meta.as_ref(),
        ));
    }
    ranges
}

/// Every overlap between the cluster's address ranges.
pub fn check(cluster: &Cluster, profile: &Profile) -> Vec<Issue> {
    let ranges = ranges(cluster, profile);
    let mut issues = Vec::new();
    for (i, a) in ranges.iter().enumerate() {
        for b in &ranges[i + 1..] {
            // The profile reader already reports pod and Service ranges
            // overlapping, as a located error.
            let pod_vs_service =
                a.kind == RangeKind::ClusterCidr && b.kind == RangeKind::ServiceCidr;
            if pod_vs_service || a.set.intersection(&b.set).is_empty() {
                continue;
            }
            issues.push(Issue::warning(Found::RangesOverlap {
                first: a.what.clone(),
                second: b.what.clone(),
            }));
        }
    }
    issues
}
