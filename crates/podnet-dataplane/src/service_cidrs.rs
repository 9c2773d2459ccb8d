//! ServiceCIDR objects (networking.k8s.io/v1, KEP-1880 "Multiple Service
//! CIDRs"): the ranges ClusterIPs come from, besides the profile's
//! `serviceCIDRs` (the API server's `--service-cluster-ip-range`).
//!
//! * The ServiceCIDR named `kubernetes` is the one the API server creates
//!   from its flag: when the profile does not write `serviceCIDRs`, it
//!   replaces the preset's assumed ranges; when it does and they differ,
//!   the profile wins with a warning.
//! * Every other ServiceCIDR adds its ranges: a fixed `clusterIP` inside
//!   one is valid, kube-proxy (nftables) treats its unallocated addresses
//!   as service addresses, and `ipam` lists it.
//!
//! Dynamic ClusterIPs come from the first (primary) range, then from the
//! other ranges of its family in input order once it is full; the API
//! server's allocator tries every range of the family, in an order it
//! leaves open (`MetaAllocator.AllocateNextService`).

use podnet_model::{Cluster, DEFAULT_SERVICE_CIDR, Profile, ServiceCidr};

use crate::issue::{Found, Issue, ServiceFound};

/// Puts the ServiceCIDR objects' ranges into `profile.service_cidrs`
/// (the `kubernetes` one first, then the others in input order); `written`
/// says whether the profile wrote its own `serviceCIDRs`.
pub fn merge(cluster: &Cluster, written: bool, profile: &mut Profile, issues: &mut Vec<Issue>) {
    let (default, extra): (Vec<&ServiceCidr>, Vec<&ServiceCidr>) = cluster
        .service_cidrs
        .iter()
        .filter(|s| !s.cidrs.is_empty())
        .partition(|s| s.meta.name == DEFAULT_SERVICE_CIDR);
    for s in default {
        if !written {
            profile.service_cidrs.clone_from(&s.cidrs);
        } else if profile.service_cidrs != s.cidrs {
            issues.push(
                Issue::warning(Found::Service(ServiceFound::CidrsDiffer {
                    declared: s.cidrs.clone(),
                    profile: profile.service_cidrs.clone(),
                }))
                .at(format!("ServiceCIDR {}", s.meta.name), Some(&s.meta.source)),
            );
        }
    }
    for s in extra {
        for c in &s.cidrs {
            if let Some(pods) = profile
                .cluster_cidrs
                .iter()
                .find(|p| p.contains(&c.network()) || c.contains(&p.network()))
            {
                issues.push(
                    Issue::warning(Found::Service(ServiceFound::CidrOverlapsPods {
                        cidr: *c,
                        name: s.meta.name.clone(),
                        pods: *pods,
                    }))
                    .at(format!("ServiceCIDR {}", s.meta.name), Some(&s.meta.source)),
                );
            }
            if !profile.service_cidrs.contains(c) {
                profile.service_cidrs.push(*c);
            }
        }
    }
}
