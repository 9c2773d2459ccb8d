//! Handing out addresses from a CNI IPAM configuration's range sets, as
//! host-local and whereabouts do on a fresh store: the lowest address of
//! the set's first range with one free, never the network, broadcast or
//! gateway address nor an excluded one. Excluded CIDRs are skipped whole,
//! so a large IPv6 range costs no more than the addresses already taken.

use std::collections::HashSet;
use std::net::IpAddr;

use ipnet::IpNet;
use podnet_model::IpamRange;
use podnet_model::multus::{ip_to_u128, u128_to_ip};

/// The lowest address of `set` that `range.allocatable` admits and `used`
/// does not hold, with the prefix length of its range.
pub fn next_free(set: &[IpamRange], used: &HashSet<IpAddr>) -> Option<IpNet> {
    set.iter().find_map(|r| in_range(r, used))
}

fn in_range(r: &IpamRange, used: &HashSet<IpAddr>) -> Option<IpNet> {
    let (start, end) = r.bounds();
    if start.is_ipv4() != r.subnet.addr().is_ipv4() {
        return None;
    }
    let (mut n, last) = (ip_to_u128(start), ip_to_u128(end));
    while n <= last {
        let ip = u128_to_ip(n, start)?;
        if let Some(x) = r.exclude.iter().find(|x| x.contains(&ip)) {
            n = ip_to_u128(x.broadcast()).checked_add(1)?;
            continue;
        }
        if r.allocatable(ip) && !used.contains(&ip) {
            return IpNet::new(ip, r.subnet.prefix_len()).ok();
        }
        n = n.checked_add(1)?;
    }
    None
}

/// Whether some range of `sets` holds `ip` (host-local only hands out, and
/// only honours requests for, addresses of its ranges).
pub fn in_sets(sets: &[Vec<IpamRange>], ip: IpAddr) -> Option<u8> {
    sets.iter()
        .flatten()
        .find(|r| r.subnet.contains(&ip))
        .map(|r| r.subnet.prefix_len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse()
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
    }

    fn range(subnet: &str, exclude: &[&str]) -> IpamRange {
        IpamRange {
            subnet: subnet.parse().unwrap_or_default(),
            range_start: None,
            range_end: None,
            gateway: Some(ip("10.0.0.1")),
            exclude: exclude.iter().filter_map(|s| s.parse().ok()).collect(),
        }
    }

    #[test]
    fn lowest_free_skipping_gateway_used_and_excluded() {
        let set = [range("10.0.0.0/29", &["10.0.0.2/31"])];
        let mut used = HashSet::new();
        let got = next_free(&set, &used).map(|n| n.to_string());
        assert_eq!(got.as_deref(), Some("10.0.0.4/29"));
        used.insert(ip("10.0.0.4"));
        used.insert(ip("10.0.0.5"));
        let got = next_free(&set, &used).map(|n| n.to_string());
        assert_eq!(got.as_deref(), Some("10.0.0.6/29"));
        used.insert(ip("10.0.0.6"));
        assert_eq!(
            next_free(&set, &used),
            None,
            "broadcast is never handed out"
        );
    }

    #[test]
    fn later_ranges_of_a_set_when_the_first_is_full() {
        let set = [range("10.0.0.0/30", &[]), range("10.0.1.0/30", &[])];
        let used = HashSet::from([ip("10.0.0.2")]);
        let got = next_free(&set, &used).map(|n| n.to_string());
        assert_eq!(got.as_deref(), Some("10.0.1.1/30"));
    }

    #[test]
    fn huge_exclusions_are_skipped_whole() {
        let mut r = range("fd00::/64", &["fd00::/65"]);
        r.gateway = None;
        let got = next_free(&[r], &HashSet::new()).map(|n| n.to_string());
        assert_eq!(got.as_deref(), Some("fd00::8000:0:0:0/64"));
    }
}
