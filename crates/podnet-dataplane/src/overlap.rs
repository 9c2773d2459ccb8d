//! Address ranges that must not share addresses: pod (cluster) CIDRs,
//! service CIDRs, static pools, MetalLB pools and, for overlay CNIs, the
//! VPC. Overlaps are warnings; pod and Service ranges overlapping is the
//! profile reader's error (kube-proxy could not tell a VIP from a pod).

use std::net::IpAddr;

use podnet_model::{Cloud, Cluster, IpRange, IpSet, Profile};

use crate::issue::Issue;

/// One named range.
struct Named {
    what: String,
    set: IpSet,
}

/// Every overlap between the cluster's address ranges.
pub fn check(cluster: &Cluster, profile: &Profile) -> Vec<Issue> {
    let mut ranges: Vec<Named> = Vec::new();
    if !profile.cni.vpc_native() {
        for c in &profile.cluster_cidrs {
            ranges.push(Named {
                what: format!("cluster CIDR {c}"),
                set: IpSet::from_net(c),
            });
        }
    }
    for s in &profile.service_cidrs {
        ranges.push(Named {
            what: format!("service CIDR {s}"),
            set: IpSet::from_net(s),
        });
    }
    for p in &cluster.pools {
        ranges.push(Named {
            what: format!("IPPool {} ({})", p.meta.name, p.cidr),
            set: IpSet::from_net(&p.cidr),
        });
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
        ranges.push(Named {
            what: format!("MetalLB pool {}", p.name),
            set,
        });
    }
    if let (Cloud::Aws(aws), false) = (&profile.cloud, profile.cni.vpc_native()) {
        ranges.push(Named {
            what: format!("VPC {}", aws.vpc_cidr),
            set: IpSet::from_net(&aws.vpc_cidr),
        });
    }
    let mut issues = Vec::new();
    for (i, a) in ranges.iter().enumerate() {
        for b in &ranges[i + 1..] {
            // The profile reader already reports pod and Service ranges
            // overlapping, as a located error.
            let pod_vs_service =
                a.what.starts_with("cluster CIDR") && b.what.starts_with("service CIDR");
            if pod_vs_service || a.set.intersection(&b.set).is_empty() {
                continue;
            }
            issues.push(
                Issue::warning(format!("{} overlaps {}", a.what, b.what))
                    .help("addresses in both ranges would be ambiguous; keep the ranges disjoint"),
            );
        }
    }
    issues
}
