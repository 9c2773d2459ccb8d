//! Static pools (Calico and Robin IPPools, requested by annotation): static
//! addresses checked against their pool, and the next free address of a
//! named pool, with each pool's use and capacity.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use podnet_model::{AddressRequest, Cluster, IpPool, PodId};

use super::PoolUse;
use crate::addr::{offset, same_family, size, to_int};
use crate::issue::{Found, Issue, PoolReserved, StaticFound};
use crate::nodes::NodeInfo;
use crate::schedule::origin_source;

/// Why `ip`, inside `pool`'s subnet, is never handed out from it: the
/// gateway, a reserved address, or the IPv4 network or broadcast address;
/// `None` when it may be (or is outside the subnet).
pub fn reserved_in(pool: &IpPool, ip: IpAddr) -> Option<PoolReserved> {
    let off = offset(&pool.cidr, ip)?;
    if pool.gateway == Some(ip) {
        return Some(PoolReserved::Gateway);
    }
    if pool.reserved.contains(&ip) {
        return Some(PoolReserved::Listed);
    }
    if ip.is_ipv4() && (off == 0 || off + 1 == size(&pool.cidr)) && pool.cidr.prefix_len() < 31 {
        return Some(if off == 0 {
            PoolReserved::Network
        } else {
            PoolReserved::Broadcast
        });
    }
    None
}

/// Static pools and their cursors.
pub(super) struct Pools<'c> {
    pools: &'c [IpPool],
    cursors: Vec<usize>,
    used: Vec<Vec<(IpAddr, PodId)>>,
    node_ips: HashSet<IpAddr>,
}

impl<'c> Pools<'c> {
    pub(super) fn new(cluster: &'c Cluster, nodes: &[NodeInfo]) -> Self {
        Pools {
            pools: &cluster.pools,
            cursors: vec![0; cluster.pools.len()],
            used: vec![Vec::new(); cluster.pools.len()],
            node_ips: nodes
                .iter()
                .flat_map(|n| n.internal_ips.iter().copied())
                .collect(),
        }
    }

    pub(super) fn note_used(&mut self, ip: IpAddr, pod: PodId) {
        if let Some(i) = self.pools.iter().position(|p| p.cidr.contains(&ip)) {
            self.used[i].push((ip, pod));
        }
    }

    fn by_name(&self, name: &str) -> Option<usize> {
        self.pools
            .iter()
            .position(|p| p.meta.name == name || p.cidr.to_string() == name)
    }

    pub(super) fn assign(
        &mut self,
        cluster: &Cluster,
        id: PodId,
        request: &AddressRequest,
        taken: &mut HashMap<IpAddr, PodId>,
    ) -> Result<(IpAddr, usize), Box<Issue>> {
        let pod = cluster.pod(id);
        let who = cluster.pod_name(id);
        let at = |i: Issue| Box::new(i.at(format!("Pod {who}"), origin_source(cluster, pod)));
        match request {
            AddressRequest::Static(ips) => {
                let Some(&ip) = ips.first() else {
                    return Err(at(Issue::error(Found::Static(StaticFound::EmptyList {
                        pod: who.clone(),
                    }))));
                };
                let Some(pool) = self.pools.iter().position(|p| p.cidr.contains(&ip)) else {
                    return Err(at(Issue::error(Found::Static(StaticFound::OutsidePools {
                        ip,
                        pod: who.clone(),
                        pools: self
                            .pools
                            .iter()
                            .map(|p| (p.meta.name.clone(), p.cidr))
                            .collect(),
                    }))));
                };
                if let Some(why) = self.unusable(pool, ip) {
                    return Err(at(Issue::error(Found::Static(StaticFound::Unusable {
                        ip,
                        pod: who.clone(),
                        why,
                        pool: self.pools[pool].meta.name.clone(),
                    }))));
                }
                if let Some(other) = taken.get(&ip) {
                    return Err(at(Issue::error(Found::Static(StaticFound::Taken {
                        ip,
                        pod: who.clone(),
                        other: cluster.pod_name(*other),
                    }))));
                }
                taken.insert(ip, id);
                self.used[pool].push((ip, id));
                Ok((ip, pool))
            }
            AddressRequest::FromPools(names) => {
                let mut last_err = None;
                for name in names {
                    let Some(pool) = self.by_name(name) else {
                        last_err =
                            Some(at(Issue::error(Found::Static(StaticFound::UnknownPool {
                                pod: who.clone(),
                                pool: name.clone(),
                            }))));
                        continue;
                    };
                    if self.pools[pool].disabled {
                        last_err =
                            Some(at(Issue::error(Found::Static(StaticFound::DisabledPool {
                                pod: who.clone(),
                                pool: name.clone(),
                            }))));
                        continue;
                    }
                    if let Some(ip) = self.next_free(pool, taken) {
                        taken.insert(ip, id);
                        self.used[pool].push((ip, id));
                        return Ok((ip, pool));
                    }
                    last_err = Some(at(Issue::error(Found::Static(
                        StaticFound::PoolExhausted {
                            pool: self.pools[pool].meta.name.clone(),
                            capacity: self.capacity(pool),
                            pod: who.clone(),
                        },
                    ))));
                }
                Err(last_err.unwrap_or_else(|| {
                    at(Issue::error(Found::Static(StaticFound::NoPool {
                        pod: who.clone(),
                    })))
                }))
            }
        }
    }

    /// Why `ip` may not be handed out from `pool`, if it may not.
    fn unusable(&self, pool: usize, ip: IpAddr) -> Option<PoolReserved> {
        let p = &self.pools[pool];
        offset(&p.cidr, ip)?;
        if let Some(why) = reserved_in(p, ip) {
            return Some(why);
        }
        if self.node_ips.contains(&ip) {
            return Some(PoolReserved::NodeAddress);
        }
        None
    }

    /// The ranges handed out from: `ranges`, else the subnet.
    fn ranges(&self, pool: usize) -> Vec<(u128, u128)> {
        let p = &self.pools[pool];
        if p.ranges.is_empty() {
            let first = to_int(p.cidr.network());
            vec![(first, first + size(&p.cidr).saturating_sub(1))]
        } else {
            p.ranges
                .iter()
                .map(|(a, b)| (to_int(*a), to_int(*b)))
                .collect()
        }
    }

    /// Addresses the ranges hold, minus those never handed out.
    fn capacity(&self, pool: usize) -> u128 {
        let p = &self.pools[pool];
        let ranges = self.ranges(pool);
        let total: u128 = ranges
            .iter()
            .map(|(lo, hi)| hi.saturating_sub(*lo).saturating_add(1))
            .sum();
        let mut excluded: HashSet<IpAddr> = p.reserved.iter().copied().collect();
        excluded.extend(p.gateway);
        excluded.extend(
            self.node_ips
                .iter()
                .copied()
                .filter(|ip| p.cidr.contains(ip)),
        );
        if p.cidr.network().is_ipv4() && p.cidr.prefix_len() < 31 {
            excluded.insert(p.cidr.network());
            excluded.insert(p.cidr.broadcast());
        }
        let inside = excluded
            .iter()
            .filter(|ip| {
                let v = to_int(**ip);
                same_family(**ip, p.cidr.network())
                    && ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&v))
            })
            .count();
        total.saturating_sub(inside as u128)
    }

    fn next_free(&mut self, pool: usize, taken: &HashMap<IpAddr, PodId>) -> Option<IpAddr> {
        let net = self.pools[pool].cidr.network();
        let ranges = self.ranges(pool);
        // The cursor counts addresses tried across the ranges.
        let mut skipped = 0usize;
        for (lo, hi) in ranges {
            let len =
                usize::try_from(hi.saturating_sub(lo).saturating_add(1)).unwrap_or(usize::MAX);
            if self.cursors[pool] >= skipped + len {
                skipped += len;
                continue;
            }
            let mut k = self.cursors[pool] - skipped;
            while k < len {
                let ip = crate::addr::from_int(net, lo + k as u128);
                k += 1;
                self.cursors[pool] = skipped + k;
                if self.unusable(pool, ip).is_none() && !taken.contains_key(&ip) {
                    return Some(ip);
                }
            }
            skipped += len;
        }
        None
    }

    pub(super) fn finish(self) -> Vec<PoolUse> {
        let capacities: Vec<u128> = (0..self.pools.len()).map(|i| self.capacity(i)).collect();
        self.used
            .into_iter()
            .enumerate()
            .map(|(pool, used)| PoolUse {
                pool,
                used,
                capacity: capacities[pool],
            })
            .collect()
    }
}
