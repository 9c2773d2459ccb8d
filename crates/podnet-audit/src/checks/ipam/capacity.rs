//! PN4002 (static pool exhausted), PN4003 (node block smaller than
//! maxPods), PN4004 (cluster CIDR with fewer blocks than nodes): sizes the
//! dataplane's allocation (`PodIpam`) already measured, compared with what
//! draws from them.

use std::collections::{BTreeMap, BTreeSet};

use podnet_dataplane::addr::block_count;
use podnet_dataplane::{AddressOrigin, Dataplane};
use podnet_model::{AddressRequest, IpPool, PodId};

use super::{
    BLOCK_TOO_SMALL, CLUSTER_CIDR_TOO_SMALL, POOL_EXHAUSTED, node_subject, profile_subject,
};
use crate::finding::{Finding, Severity, Subject};
use crate::found::{Found, IpamFound};

/// Whether `name` (a pool name or CIDR, as pods' annotations give it)
/// names `pool`.
fn names(pool: &IpPool, name: &str) -> bool {
    pool.meta.name == name || pool.cidr.to_string() == name
}

/// PN4002: per pool, the pods holding one of its addresses plus those that
/// asked it for one and got none, against its capacity.
pub(super) fn pools(dp: &Dataplane, out: &mut Vec<Finding>) {
    let cluster = &dp.cluster;
    for usage in &dp.ipam.pools {
        let Some(pool) = cluster.pools.get(usage.pool) else {
            continue;
        };
        let mut drawing: Vec<PodId> = usage.used.iter().map(|(_, p)| *p).collect();
        let unserved: Vec<PodId> = cluster
            .pod_ids()
            .filter(|&id| {
                let p = cluster.pod(id);
                p.node_name.is_some()
                    && dp.ipam.origins[id.index()] == AddressOrigin::Unassigned
                    && matches!(&p.net.address_request,
                        Some(AddressRequest::FromPools(list)) if list.iter().any(|n| names(pool, n)))
            })
            .collect();
        drawing.extend(&unserved);
        let demand = drawing.len() as u128;
        if demand < usage.capacity || (demand == 0 && usage.capacity == 0) {
            continue;
        }
        let mut by_workload: BTreeMap<String, usize> = BTreeMap::new();
        for p in &drawing {
            *by_workload
                .entry(cluster.workload_name(cluster.pod(*p).workload))
                .or_default() += 1;
        }
        let holders: Vec<(String, usize)> = by_workload.into_iter().collect();
        let subject = Subject::of(&pool.meta);
        let finding = if unserved.is_empty() {
            Finding::new(
                &POOL_EXHAUSTED,
                subject,
                Found::Ipam(IpamFound::PoolFull {
                    pool: pool.meta.name.clone(),
                    cidr: pool.cidr,
                    capacity: usage.capacity,
                    holders,
                }),
            )
            .with_severity(Severity::Warning)
        } else {
            Finding::new(
                &POOL_EXHAUSTED,
                subject,
                Found::Ipam(IpamFound::PoolExhausted {
                    pool: pool.meta.name.clone(),
                    cidr: pool.cidr,
                    capacity: usage.capacity,
                    demand,
                    holders,
                    unserved: unserved.iter().map(|p| cluster.pod_name(*p)).collect(),
                }),
            )
        };
        out.push(finding);
    }
}

/// PN4003: blocks that hold fewer addresses than their node's maxPods.
pub(super) fn node_blocks(dp: &Dataplane, out: &mut Vec<Finding>) {
    // Nodes with a pod left without a block address.
    let starved: BTreeSet<&str> = dp
        .cluster
        .pod_ids()
        .filter(|id| dp.ipam.origins[id.index()] == AddressOrigin::Unassigned)
        .map(|id| dp.cluster.pod(id))
        .filter(|p| !p.host_network && p.net.address_request.is_none())
        .filter_map(|p| p.node_name.as_deref())
        .collect();
    for b in &dp.ipam.blocks {
        let Some(node) = dp.nodes.get(b.node) else {
            continue;
        };
        let max = u128::from(node.max_pods);
        if b.capacity >= max {
            continue;
        }
        let starved = starved.contains(node.name.as_str());
        let finding = Finding::new(
            &BLOCK_TOO_SMALL,
            node_subject(dp, b.node),
            Found::Ipam(IpamFound::BlockTooSmall {
                node: node.name.clone(),
                max_pods: node.max_pods,
                block: b.cidr,
                capacity: b.capacity,
                used: b.used,
                mask: shortest_mask(b.cidr.max_prefix_len(), max, b.cidr.network().is_ipv4()),
            }),
        );
        out.push(if starved {
            finding.with_severity(Severity::Error)
        } else {
            finding
        });
    }
}

/// The longest prefix whose block gives at least `pods` addresses
/// (network, gateway and, for IPv4, broadcast kept back).
fn shortest_mask(max_len: u8, pods: u128, v4: bool) -> u8 {
    let kept = if v4 { 3 } else { 2 };
    let mut len = max_len;
    while len > 0 && (1u128 << u32::from(max_len - len)) < pods + kept {
        len -= 1;
    }
    len
}

/// PN4004: cluster CIDRs cut into fewer blocks than there are nodes.
pub(super) fn cluster_cidrs(dp: &Dataplane, out: &mut Vec<Finding>) {
    if dp.profile.cni.vpc_native() {
        return;
    }
    for cidr in &dp.profile.cluster_cidrs {
        let v4 = cidr.network().is_ipv4();
        let mask = if v4 {
            dp.profile.node_mask_v4
        } else {
            dp.profile.node_mask_v6
        };
        let without: Vec<String> = dp
            .nodes
            .iter()
            .zip(&dp.ipam.node_blocks)
            .filter(|(_, blocks)| !blocks.iter().any(|b| b.network().is_ipv4() == v4))
            .map(|(n, _)| n.name.clone())
            .collect();
        if without.is_empty() {
            continue;
        }
        let count = block_count(cidr, mask);
        let nodes = dp.nodes.len() as u128;
        let bits = (u128::BITS - nodes.saturating_sub(1).leading_zeros()) as u8;
        out.push(Finding::new(
            &CLUSTER_CIDR_TOO_SMALL,
            profile_subject(dp),
            Found::Ipam(IpamFound::ClusterCidrTooSmall {
                cidr: *cidr,
                blocks: count,
                mask,
                nodes,
                without,
                v4,
                widen_to: mask.saturating_sub(bits),
            }),
        ));
    }
}
