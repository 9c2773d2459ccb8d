//! The words of the IPAM findings (PN4001-PN4007).

use podnet_audit::checks::ipam::{DUPLICATE_STATIC, RESERVED_ASSIGNED};
use podnet_audit::found::{IpamFound, NetworkReserved, RangeName, Reserved, Tagged};
use podnet_model::IpSet;

use super::first_five as list;

/// What is wrong.
pub(super) fn message(found: &IpamFound) -> String {
    match found {
        IpamFound::PoolFull {
            pool,
            cidr,
            capacity,
            holders,
        } => format!(
            "IPPool {pool} ({cidr}) is full: its {capacity} addresses are held by {}; a rolling update's surge pod or one more replica gets no address",
            counted(holders)
        ),
        IpamFound::PoolExhausted {
            pool,
            cidr,
            capacity,
            demand,
            holders,
            unserved,
        } => format!(
            "IPPool {pool} ({cidr}) hands out {capacity} addresses and {demand} pods draw from it ({}): {} {} none",
            counted(holders),
            list(unserved),
            if unserved.len() == 1 { "gets" } else { "get" }
        ),
        IpamFound::BlockTooSmall {
            node,
            max_pods,
            block,
            capacity,
            used,
            ..
        } => format!(
            "node `{node}` may run {max_pods} pods (maxPods) but its block {block} gives pods {capacity} addresses ({used} in use)"
        ),
        IpamFound::ClusterCidrTooSmall {
            cidr,
            blocks,
            mask,
            nodes,
            without,
            v4,
            ..
        } => format!(
            "cluster CIDR {cidr} holds {blocks} /{mask} node blocks for {nodes} nodes: {} {} none, and {} pods no {} address",
            list(without),
            if without.len() == 1 { "gets" } else { "get" },
            if without.len() == 1 { "its" } else { "their" },
            if *v4 { "IPv4" } else { "IPv6" }
        ),
        IpamFound::Overlap {
            this,
            other,
            common,
            nodes,
        } => {
            let nodes = nodes
                .as_ref()
                .map(|n| format!(" (nodes {})", list(n)))
                .unwrap_or_default();
            format!(
                "{} overlaps {}: {} in both{nodes}",
                range(this),
                range(other),
                ranges(common)
            )
        }
        IpamFound::DuplicateStatic {
            ip,
            network,
            pods,
            template,
        } => {
            let whose = on_network(network.as_deref());
            match template {
                Some(workload) => format!(
                    "static address {ip}{whose} is asked for by {} pods of {workload}: its pod template gives every replica the same address",
                    pods.len()
                ),
                None => format!(
                    "static address {ip}{whose} is held by {} pods: {}",
                    pods.len(),
                    list(pods)
                ),
            }
        }
        IpamFound::ReservedAssigned {
            pod,
            ip,
            network,
            why,
        } => {
            let why = match why {
                Reserved::Pool(what, pool) => {
                    format!(
                        "{} of IPPool {pool}",
                        crate::placement::pool_reserved(*what)
                    )
                }
                Reserved::Node(node) => format!("node `{node}`'s own address"),
                Reserved::Network(what, network) => {
                    let what = match what {
                        NetworkReserved::Gateway => "a gateway".to_owned(),
                        NetworkReserved::Excluded(x) => format!("excluded ({x})"),
                        NetworkReserved::NetworkAddress => {
                            "the network address of its subnet".to_owned()
                        }
                        NetworkReserved::Broadcast => {
                            "the broadcast address of its subnet".to_owned()
                        }
                    };
                    format!("{what} of network {network}")
                }
            };
            format!(
                "pod {pod} is given {ip}{}, which is {why}",
                on_network(network.as_deref())
            )
        }
        IpamFound::VlanSubnets {
            vlan,
            subnet,
            what,
            other_subnet,
            other,
        } => format!(
            "VLAN {vlan} carries {subnet} ({}) and {other_subnet} ({})",
            tagged(what),
            tagged(other)
        ),
    }
}

/// How to fix it.
pub(super) fn help(found: &IpamFound) -> String {
    match found {
        IpamFound::PoolFull { .. } => {
            "add a range to the pool before scaling or rolling out".to_owned()
        }
        IpamFound::PoolExhausted { unserved, .. } => format!(
            "add at least {} {} to the pool's ranges, or lower the replicas drawing from it",
            unserved.len(),
            if unserved.len() == 1 {
                "address"
            } else {
                "addresses"
            }
        ),
        IpamFound::BlockTooSmall { capacity, mask, .. } => {
            format!("use a node mask of /{mask} or shorter, or set maxPods to {capacity} at most")
        }
        IpamFound::ClusterCidrTooSmall { widen_to, .. } => {
            format!("widen the cluster CIDR to /{widen_to} or shorter, or lengthen the node mask")
        }
        IpamFound::Overlap { this, other, .. } => format!(
            "keep {} and {} disjoint: move or shrink one of them",
            range(this),
            range(other)
        ),
        IpamFound::DuplicateStatic { .. } => DUPLICATE_STATIC.help.to_owned(),
        IpamFound::ReservedAssigned { network, .. } => match network {
            None => RESERVED_ASSIGNED.help.to_owned(),
            Some(n) => format!(
                "pick an address of network {n}'s subnet that is not a gateway, excluded, nor its network or broadcast address"
            ),
        },
        IpamFound::VlanSubnets { what, .. } => format!(
            "give {} its own VLAN id, or correct the VLAN id or subnet of one of them",
            tagged(what)
        ),
    }
}

/// ` on network ns/name`, or nothing for the pod network.
fn on_network(network: Option<&str>) -> String {
    network
        .map(|n| format!(" on network {n}"))
        .unwrap_or_default()
}

/// `ns/web: 3, ns/api: 2`.
fn counted(holders: &[(String, usize)]) -> String {
    let items: Vec<String> = holders.iter().map(|(w, n)| format!("{w}: {n}")).collect();
    list(&items)
}

/// At most three ranges of `set`.
fn ranges(set: &IpSet) -> String {
    let ranges: Vec<String> = set.ranges().map(|r| r.to_string()).collect();
    if ranges.len() > 3 {
        format!(
            "{} and {} more ranges",
            ranges[..3].join(", "),
            ranges.len() - 3
        )
    } else {
        ranges.join(", ")
    }
}

/// A compared range.
fn range(r: &RangeName) -> String {
    match r {
        RangeName::Cluster(what) => what.clone(),
        RangeName::Network(network, set) => format!("network {network} ({})", ranges(set)),
        RangeName::Nodes => "the nodes' addresses".to_owned(),
    }
}

/// What declares a VLAN's subnet.
fn tagged(t: &Tagged) -> String {
    match t {
        Tagged::Pool(name) => format!("IPPool {name}"),
        Tagged::Network(network) => format!("network {network}"),
    }
}
