//! Pod IPAM: per-node blocks carved from the cluster CIDRs as the node-range
//! allocator does (`nodeipam` CIDR set: blocks of the node mask size handed
//! out in order, `spec.podCIDR` honoured), then per-node addresses as the
//! host-local plugin hands them out (the gateway takes the first address,
//! pods get the next free ones), static pools (Calico and Robin IPPools,
//! requested by annotation) and VPC-native addresses for ENI-mode CNIs.
//! Known addresses (`status.podIP`) are kept and never handed out again.
//!
//! Allocation, node blocks and host-local live here; the static pools are
//! in `pools`, the VPC-native addresses in `vpc`.

mod block_index;
mod pools;
mod vpc;

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use ipnet::IpNet;
use podnet_model::{AddressRequest, Cluster, PodId, Profile};

use crate::addr::{block_count, nth, nth_block, offset, same_family, size};
use crate::issue::{Found, Issue};
use crate::nodes::{NodeInfo, NodeOrigin};
use crate::schedule::origin_source;

use block_index::BlockIndex;
use pools::Pools;
pub use pools::reserved_in;
use vpc::Vpc;

/// Where a pod's address came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddressOrigin {
    /// `status.podIPs` in the input.
    Status,
    /// The node's block, as host-local would allocate.
    NodeBlock,
    /// A static pool (index into `Cluster::pools`).
    Pool(usize),
    /// A VPC subnet (ENI secondary address).
    VpcSubnet(String),
    /// The node's own address (`hostNetwork: true`).
    HostNetwork,
    /// None: not scheduled, or allocation failed.
    Unassigned,
    /// `--pod-addresses=declared`: the pod runs on a node, so it has an
    /// address, but the input does not state it; podnet gives it none
    /// (it matches no ipBlock) and still counts it as running (a Service
    /// backend, a peer of selectors).
    Undeclared,
}

/// Which pod addresses exist: a choice where the input gives none
/// (docs/semantics.md, "Choices podnet makes").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PodAddresses {
    /// Pods without `status.podIP(s)` get the address their node's IPAM
    /// (or their static pool) would hand out.
    #[default]
    Assigned,
    /// Only what the input states: `status.podIP(s)`, the exact addresses
    /// of a static-address annotation, and a host-network pod's Node
    /// object addresses. Other pods have none (and match no ipBlock).
    Declared,
}

/// One node's pod block and how full it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockUse {
    /// Node index.
    pub node: usize,
    /// The block.
    pub cidr: IpNet,
    /// Whether the node declared it (`spec.podCIDR`) or the allocator chose it.
    pub declared: bool,
    /// Addresses handed to pods.
    pub used: u128,
    /// Addresses pods can get (the block minus network, gateway and
    /// broadcast).
    pub capacity: u128,
}

/// One static pool's use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolUse {
    /// Index into `Cluster::pools`.
    pub pool: usize,
    /// Addresses handed out, with their pods.
    pub used: Vec<(IpAddr, PodId)>,
    /// Addresses it can hand out.
    pub capacity: u128,
}

/// The result of pod IPAM.
#[derive(Clone, Debug, Default)]
pub struct PodIpam {
    /// Per node, its pod blocks.
    pub node_blocks: Vec<Vec<IpNet>>,
    /// Every block with its use.
    pub blocks: Vec<BlockUse>,
    /// Per static pool, its use.
    pub pools: Vec<PoolUse>,
    /// Per pod, its addresses.
    pub pod_ips: Vec<Vec<IpAddr>>,
    /// Per pod, where they came from.
    pub origins: Vec<AddressOrigin>,
}

/// Allocates node blocks and pod addresses. `cluster` is scheduled.
pub fn allocate(
    cluster: &Cluster,
    profile: &Profile,
    nodes: &[NodeInfo],
    addresses: PodAddresses,
    issues: &mut Vec<Issue>,
) -> PodIpam {
    let declared_only = addresses == PodAddresses::Declared;
    let mut out = PodIpam {
        node_blocks: vec![Vec::new(); nodes.len()],
        pod_ips: vec![Vec::new(); cluster.pods.len()],
        origins: vec![AddressOrigin::Unassigned; cluster.pods.len()],
        ..PodIpam::default()
    };
    let vpc_native = profile.cni.vpc_native();
    if !vpc_native {
        allocate_blocks(profile, nodes, &mut out, issues);
    }
    let mut taken: HashMap<IpAddr, PodId> = HashMap::new();
    for id in cluster.pod_ids() {
        let pod = cluster.pod(id);
        if !pod.ips.is_empty() && !pod.host_network {
            for ip in &pod.ips {
                if let Some(other) = taken.insert(*ip, id) {
                    issues.push(
                        Issue::warning(Found::SameStatusAddress {
                            ip: *ip,
                            first: cluster.pod_name(other),
                            second: cluster.pod_name(id),
                        })
                        .at(
                            format!("Pod {}", cluster.pod_name(id)),
                            origin_source(cluster, pod),
                        ),
                    );
                }
            }
        }
    }
    let mut pools = Pools::new(cluster, nodes);
    let mut cursors: Vec<u128> = vec![2; out.blocks.len()];
    let mut by_node: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (b, block) in out.blocks.iter().enumerate() {
        by_node[block.node].push(b);
    }
    let block_index = BlockIndex::new(out.blocks.iter().map(|b| b.cidr));
    let mut vpc = Vpc::new(profile, nodes);
    let node_index: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.name.as_str(), i))
        .collect();
    for id in cluster.pod_ids() {
        let pod = cluster.pod(id);
        let node = pod
            .node_name
            .as_deref()
            .and_then(|n| node_index.get(n).copied());
        let (ips, origin) = if pod.host_network && pod.ips.is_empty() {
            let ips = node
                .filter(|&n| !declared_only || nodes[n].origin == NodeOrigin::Object)
                .map(|n| nodes[n].internal_ips.clone())
                .unwrap_or_default();
            if ips.is_empty() {
                let origin = if declared_only && node.is_some() {
                    AddressOrigin::Undeclared
                } else {
                    AddressOrigin::Unassigned
                };
                (ips, origin)
            } else {
                (ips, AddressOrigin::HostNetwork)
            }
        } else if pod.host_network {
            // The kubelet reports a host-network pod's `status.podIPs` as
            // its node's addresses (`generateAPIPodStatus` in
            // pkg/kubelet/kubelet_pods.go): an input fact, kept whatever
            // node podnet assumed for the pod.
            (pod.ips.clone(), AddressOrigin::Status)
        } else if !pod.ips.is_empty() {
            for ip in &pod.ips {
                if let Some(b) = block_index.find(*ip) {
                    out.blocks[b].used += 1;
                }
                pools.note_used(*ip, id);
            }
            (pod.ips.clone(), AddressOrigin::Status)
        } else if declared_only
            && !matches!(pod.net.address_request, Some(AddressRequest::Static(_)))
        {
            let origin = if node.is_some() {
                AddressOrigin::Undeclared
            } else {
                AddressOrigin::Unassigned
            };
            (Vec::new(), origin)
        } else if let Some(request) = &pod.net.address_request {
            match pools.assign(cluster, id, request, &mut taken) {
                Ok((ip, pool)) => (vec![ip], AddressOrigin::Pool(pool)),
                Err(issue) => {
                    issues.push(*issue);
                    (Vec::new(), AddressOrigin::Unassigned)
                }
            }
        } else if let Some(n) = node {
            if vpc_native {
                vpc.address(cluster, id, &nodes[n], &mut taken, issues)
            } else {
                block_addresses(
                    cluster,
                    id,
                    &by_node[n],
                    &mut out,
                    &mut cursors,
                    &mut taken,
                    issues,
                )
            }
        } else {
            (Vec::new(), AddressOrigin::Unassigned)
        };
        out.pod_ips[id.index()] = ips;
        out.origins[id.index()] = origin;
    }
    out.pools = pools.finish();
    out
}

/// Node blocks: declared ones first, then the rest in node-name order from
/// the lowest free block (the CIDR set allocator's `AllocateNext`).
fn allocate_blocks(
    profile: &Profile,
    nodes: &[NodeInfo],
    out: &mut PodIpam,
    issues: &mut Vec<Issue>,
) {
    for cluster_cidr in &profile.cluster_cidrs {
        let mask = if cluster_cidr.network().is_ipv4() {
            profile.node_mask_v4
        } else {
            profile.node_mask_v6
        };
        let count = block_count(cluster_cidr, mask);
        let mut used: HashSet<u128> = HashSet::new();
        let mut needs = Vec::new();
        for (i, node) in nodes.iter().enumerate() {
            let declared = node
                .declared_pod_cidrs
                .iter()
                .find(|c| same_family(c.network(), cluster_cidr.network()));
            match declared {
                Some(c) => {
                    if cluster_cidr.contains(c) {
                        if let Some(off) = offset(cluster_cidr, c.network()) {
                            let host_bits = u32::from(c.max_prefix_len() - mask);
                            used.insert(off >> host_bits);
                        }
                    } else {
                        issues.push(
                            Issue::warning(Found::PodCidrOutside {
                                node: node.name.clone(),
                                pod_cidr: *c,
                                cluster_cidr: *cluster_cidr,
                            })
                            .at(format!("Node {}", node.name), node.source.as_ref()),
                        );
                    }
                    out.node_blocks[i].push(*c);
                    out.blocks.push(block_use(i, *c, true));
                }
                None => needs.push(i),
            }
        }
        let mut next = 0u128;
        for i in needs {
            while next < count && used.contains(&next) {
                next += 1;
            }
            match nth_block(cluster_cidr, mask, next) {
                Some(block) => {
                    used.insert(next);
                    out.node_blocks[i].push(block);
                    out.blocks.push(block_use(i, block, false));
                }
                None => {
                    let found = Found::NoNodeBlock {
                        cluster_cidr: *cluster_cidr,
                        blocks: count,
                        mask,
                        node: nodes[i].name.clone(),
                    };
                    // A node podnet assumed is no fault of the input.
                    issues.push(if nodes[i].origin == NodeOrigin::Assumed {
                        Issue::warning(found)
                    } else {
                        Issue::error(found)
                    });
                }
            }
        }
    }
}

fn block_use(node: usize, cidr: IpNet, declared: bool) -> BlockUse {
    // Network address, gateway (the bridge) and, for IPv4, broadcast.
    let reserved = if cidr.network().is_ipv4() { 3 } else { 2 };
    BlockUse {
        node,
        cidr,
        declared,
        used: 0,
        capacity: size(&cidr).saturating_sub(reserved),
    }
}

/// host-local: the first free address from `.2` on, per family.
fn block_addresses(
    cluster: &Cluster,
    id: PodId,
    node_blocks: &[usize],
    out: &mut PodIpam,
    cursors: &mut [u128],
    taken: &mut HashMap<IpAddr, PodId>,
    issues: &mut Vec<Issue>,
) -> (Vec<IpAddr>, AddressOrigin) {
    let mut ips = Vec::new();
    for &b in node_blocks {
        let block = &mut out.blocks[b];
        let last = if block.cidr.network().is_ipv4() {
            size(&block.cidr).saturating_sub(2)
        } else {
            size(&block.cidr).saturating_sub(1)
        };
        let mut found = None;
        while cursors[b] <= last {
            let candidate = nth(&block.cidr, cursors[b]);
            cursors[b] += 1;
            if let Some(ip) = candidate
                && !taken.contains_key(&ip)
            {
                found = Some(ip);
                break;
            }
        }
        match found {
            Some(ip) => {
                taken.insert(ip, id);
                block.used += 1;
                ips.push(ip);
            }
            None => {
                let pod = cluster.pod(id);
                issues.push(
                    Issue::error(Found::NodeBlockExhausted {
                        block: block.cidr,
                        node: pod.node_name.clone(),
                        capacity: block.capacity,
                        pod: cluster.pod_name(id),
                    })
                    .at(
                        format!("Pod {}", cluster.pod_name(id)),
                        origin_source(cluster, pod),
                    ),
                );
            }
        }
    }
    let origin = if ips.is_empty() {
        AddressOrigin::Unassigned
    } else {
        AddressOrigin::NodeBlock
    };
    (ips, origin)
}
