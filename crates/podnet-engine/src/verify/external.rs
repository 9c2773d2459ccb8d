//! Intents about addresses outside the cluster's pods (`ipBlock`
//! endpoints): the engine's per-identity groups of address atoms, cut by
//! the intent's ranges, give a concrete offending address.

use std::net::IpAddr;

use podnet_model::{Conns, IpSet};

use super::select::pick_address;
use crate::matrix::{Engine, ExternalGroups};

/// What an intent needs of the addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Need {
    /// `allow`: every address reaches (or is reached) on the ports; `any`:
    /// on some connection.
    Reach {
        /// No ports listed.
        any: bool,
    },
    /// `deny`: no address on the ports.
    Avoid,
}

/// The engine's groups as address sets.
pub(crate) fn groups(engine: &Engine<'_>, groups: ExternalGroups) -> Vec<(IpSet, Conns)> {
    groups
        .into_iter()
        .map(|(atoms, conns)| (engine.atoms_to_ipset(&atoms), conns))
        .collect()
}

/// Offending addresses of `ips` with what offends: at most one for
/// `Reach` (the first address lacking something), one per group for
/// `Avoid`.
pub(crate) fn check(
    groups: &[(IpSet, Conns)],
    ips: &IpSet,
    ports: &Conns,
    need: Need,
) -> Vec<(IpAddr, Conns)> {
    match need {
        Need::Reach { any } => {
            let required = if any { Conns::all() } else { ports.clone() };
            if required.is_empty() {
                // Only named ports, which name nothing outside the cluster.
                return pick_address(ips)
                    .map(|ip| (ip, Conns::none()))
                    .into_iter()
                    .collect();
            }
            let mut covered = IpSet::empty();
            for (set, conns) in groups {
                if any || required.difference(conns).is_empty() {
                    covered = covered.union(set);
                }
            }
            let missing = ips.difference(&covered);
            let Some(ip) = pick_address(&missing) else {
                return Vec::new();
            };
            let none = Conns::none();
            let at = groups
                .iter()
                .find(|(set, _)| set.contains(ip))
                .map_or(&none, |(_, c)| c);
            let offending = if any {
                Conns::all()
            } else {
                required.difference(at)
            };
            vec![(ip, offending)]
        }
        Need::Avoid => groups
            .iter()
            .filter_map(|(set, conns)| {
                let forbidden = conns.intersection(ports);
                if forbidden.is_empty() {
                    return None;
                }
                let ip = pick_address(&set.intersection(ips))?;
                Some((ip, forbidden))
            })
            .collect(),
    }
}

/// For `only`: addresses whose allowed connections go beyond what the
/// listed address ranges permit (`blocks`: each range with its permitted
/// connections), one per group and class of ranges.
pub(crate) fn unpermitted(
    groups: &[(IpSet, Conns)],
    blocks: &[(&IpSet, Conns)],
) -> Vec<(IpAddr, Conns)> {
    let mut classes: Vec<(IpSet, Conns)> = vec![(IpSet::full(), Conns::none())];
    for (block, permitted) in blocks {
        let mut next = Vec::with_capacity(classes.len() + 1);
        for (set, perm) in classes {
            let inside = set.intersection(block);
            let outside = set.difference(block);
            if !inside.is_empty() {
                next.push((inside, perm.union(permitted)));
            }
            if !outside.is_empty() {
                next.push((outside, perm));
            }
        }
        classes = next;
    }
    let mut out = Vec::new();
    for (set, conns) in groups {
        for (class, perm) in &classes {
            let forbidden = conns.difference(perm);
            if forbidden.is_empty() {
                continue;
            }
            if let Some(ip) = pick_address(&set.intersection(class)) {
                out.push((ip, forbidden));
            }
        }
    }
    out
}
