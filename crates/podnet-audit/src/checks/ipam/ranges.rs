//! PN4001 (ranges that overlap) and PN4007 (one VLAN on two subnets). The
//! cluster's own ranges come from the dataplane's `overlap::ranges`; this
//! adds what only the audit compares: the nodes' addresses and the ranges
//! Multus secondary networks hand out.

use std::net::IpAddr;

use ipnet::IpNet;
use podnet_dataplane::Dataplane;
use podnet_dataplane::networks::SecondaryAddresses;
use podnet_dataplane::overlap::{self, RangeKind};
use podnet_model::{IpRange, IpSet, IpamKind, NetworkAttachment, NetworkRef};

use super::{OVERLAP, VLAN_SUBNETS, profile_subject};
use crate::finding::{Finding, Subject};
use crate::found::{Found, IpamFound, RangeName, Tagged as TaggedBy};

/// What a compared range is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// One of the dataplane's ranges.
    Cluster(RangeKind),
    /// A Multus network's addresses.
    Network,
    /// The nodes' own addresses.
    Nodes,
}

/// A range to compare.
struct Compared {
    kind: Kind,
    what: RangeName,
    /// Its extent (a subnet).
    set: IpSet,
    /// What it hands out (a pool's ranges); its extent for the others.
    handed_out: IpSet,
    subject: Subject,
}

/// The addresses `first..=last`.
fn span(first: IpAddr, last: IpAddr) -> IpSet {
    match (first, last) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            IpSet::from_range(IpRange::V4(u32::from(a), u32::from(b)))
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            IpSet::from_range(IpRange::V6(u128::from(a), u128::from(b)))
        }
        _ => IpSet::empty(),
    }
}

/// The network of `nad`.
fn network_of(dp: &Dataplane, nad: &NetworkAttachment) -> NetworkRef {
    NetworkRef::new(
        dp.cluster.namespace(nad.namespace).name.clone(),
        nad.name.clone(),
    )
}

/// The addresses the dataplane allocated on `nad`'s network.
fn secondary_of<'d>(dp: &'d Dataplane, nad: &NetworkAttachment) -> Option<&'d SecondaryAddresses> {
    let network = network_of(dp, nad);
    dp.secondary.iter().find(|s| s.network == network)
}

/// The addresses a secondary network hands out: its ranges (host-local,
/// whereabouts) or the static addresses its pods hold.
fn network_addresses(dp: &Dataplane, nad: &NetworkAttachment) -> IpSet {
    let Some(ipam) = &nad.config.ipam else {
        return IpSet::empty();
    };
    let mut set = IpSet::empty();
    match ipam.kind {
        IpamKind::HostLocal | IpamKind::Whereabouts => {
            for r in ipam.ranges.iter().flatten() {
                let (first, last) = r.bounds();
                let mut range = span(first, last);
                for x in &r.exclude {
                    range = range.difference(&IpSet::from_net(x));
                }
                set = set.union(&range);
            }
        }
        IpamKind::Static => {
            let Some(held) = secondary_of(dp, nad) else {
                return set;
            };
            // All at once: one union per address is quadratic.
            set = IpSet::from_ranges(
                held.attachments
                    .iter()
                    .flat_map(|a| &a.addresses)
                    .map(|a| IpRange::single(a.addr())),
            );
        }
        IpamKind::Dhcp | IpamKind::Other(_) => {}
    }
    set
}

/// Every range to compare, in a fixed order.
fn compared(dp: &Dataplane) -> Vec<Compared> {
    let profile = profile_subject(dp);
    let mut out: Vec<Compared> = overlap::ranges(&dp.cluster, &dp.profile)
        .into_iter()
        .map(|r| Compared {
            kind: Kind::Cluster(r.kind),
            handed_out: r.set.clone(),
            what: RangeName::Cluster(r.what),
            set: r.set,
            subject: r.meta.as_ref().map_or_else(|| profile.clone(), Subject::of),
        })
        .collect();
    // A Robin pool hands out its ranges only.
    for (c, pool) in out
        .iter_mut()
        .filter(|c| c.kind == Kind::Cluster(RangeKind::IpPool))
        .zip(&dp.cluster.pools)
    {
        if !pool.ranges.is_empty() {
            c.handed_out = pool
                .ranges
                .iter()
                .fold(IpSet::empty(), |s, (a, b)| s.union(&span(*a, *b)));
        }
    }
    for nad in &dp.cluster.networks {
        let set = network_addresses(dp, nad);
        if set.is_empty() {
            continue;
        }
        out.push(Compared {
            kind: Kind::Network,
            what: RangeName::Network(network_of(dp, nad).to_string(), set.clone()),
            handed_out: set.clone(),
            set,
            subject: Subject::of(&nad.meta),
        });
    }
    let nodes = dp
        .nodes
        .iter()
        .flat_map(|n| n.internal_ips.iter().chain(&n.external_ips))
        .map(|ip| IpRange::single(*ip))
        .collect::<Vec<_>>();
    let nodes = IpSet::from_ranges(nodes);
    if !nodes.is_empty() {
        out.push(Compared {
            kind: Kind::Nodes,
            what: RangeName::Nodes,
            handed_out: nodes.clone(),
            set: nodes,
            subject: profile,
        });
    }
    out
}

/// Whether `a` and `b` are compared at all.
fn compare(a: Kind, b: Kind) -> bool {
    use RangeKind::{IpPool, Vpc};
    !matches!(
        (a, b),
        // Nodes live in the VPC, and pools may hold node addresses (they
        // are never handed out).
        (Kind::Cluster(Vpc | IpPool), Kind::Nodes) | (Kind::Nodes, Kind::Cluster(Vpc | IpPool))
    )
}

/// PN4001.
pub(super) fn overlaps(dp: &Dataplane, out: &mut Vec<Finding>) {
    let ranges = compared(dp);
    for (i, a) in ranges.iter().enumerate() {
        for b in &ranges[i + 1..] {
            if !compare(a.kind, b.kind) {
                continue;
            }
            // A secondary network may live inside a pool's subnet (its own
            // VLAN's); it must not hand out what the pool does.
            let secondary = a.kind == Kind::Network || b.kind == Kind::Network;
            let common = if secondary {
                a.handed_out.intersection(&b.handed_out)
            } else {
                a.set.intersection(&b.set)
            };
            if common.is_empty() {
                continue;
            }
            let nodes = if a.kind == Kind::Nodes || b.kind == Kind::Nodes {
                let names = dp.nodes.iter().filter(|n| {
                    n.internal_ips
                        .iter()
                        .chain(&n.external_ips)
                        .any(|ip| common.contains(*ip))
                });
                Some(names.map(|n| n.name.clone()).collect())
            } else {
                None
            };
            // The finding is on the later range (the one a typo most
            // likely made), never on the nodes.
            let (this, other) = if b.kind == Kind::Nodes {
                (a, b)
            } else {
                (b, a)
            };
            out.push(Finding::new(
                &OVERLAP,
                this.subject.clone(),
                Found::Ipam(IpamFound::Overlap {
                    this: this.what.clone(),
                    other: other.what.clone(),
                    common,
                    nodes,
                }),
            ));
        }
    }
}

/// One subnet a VLAN carries.
struct Tagged {
    vlan: u16,
    subnet: IpNet,
    what: TaggedBy,
    subject: Subject,
}

/// Every (VLAN, subnet) that pools and secondary networks declare.
fn tagged(dp: &Dataplane) -> Vec<Tagged> {
    let mut out = Vec::new();
    for p in &dp.cluster.pools {
        if let Some(vlan) = p.vlan {
            out.push(Tagged {
                vlan,
                subnet: p.cidr,
                what: TaggedBy::Pool(p.meta.name.clone()),
                subject: Subject::of(&p.meta),
            });
        }
    }
    for nad in &dp.cluster.networks {
        let Some(vlan) = nad.config.vlan else {
            continue;
        };
        let mut subnets: Vec<IpNet> = Vec::new();
        if let Some(ipam) = &nad.config.ipam {
            subnets.extend(ipam.ranges.iter().flatten().map(|r| r.subnet));
            subnets.extend(ipam.addresses.iter().map(|a| a.address.trunc()));
        }
        let Some(held) = secondary_of(dp, nad) else {
            continue;
        };
        subnets.extend(
            held.attachments
                .iter()
                .flat_map(|a| &a.addresses)
                .filter(|a| a.prefix_len() < a.max_prefix_len())
                .map(IpNet::trunc),
        );
        subnets.sort();
        subnets.dedup();
        for subnet in subnets {
            out.push(Tagged {
                vlan,
                subnet,
                what: TaggedBy::Network(network_of(dp, nad).to_string()),
                subject: Subject::of(&nad.meta),
            });
        }
    }
    out
}

/// PN4007: a VLAN whose subnets are disjoint (nested subnets are one
/// segment seen at two prefix lengths).
pub(super) fn vlans(dp: &Dataplane, out: &mut Vec<Finding>) {
    let all = tagged(dp);
    for (i, b) in all.iter().enumerate() {
        let Some(a) = all[..i].iter().find(|a| {
            a.vlan == b.vlan && !a.subnet.contains(&b.subnet) && !b.subnet.contains(&a.subnet)
        }) else {
            continue;
        };
        out.push(Finding::new(
            &VLAN_SUBNETS,
            b.subject.clone(),
            Found::Ipam(IpamFound::VlanSubnets {
                vlan: b.vlan,
                subnet: b.subnet,
                what: b.what.clone(),
                other_subnet: a.subnet,
                other: a.what.clone(),
            }),
        ));
    }
}
