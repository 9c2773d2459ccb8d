//! Address ranges as MetalLB writes them (`IPAddressPool.spec.addresses`):
//! a CIDR or `first-last`, both ends of one family, first not after last.

use std::net::IpAddr;

use ipnet::IpNet;

use super::Checker;
use super::addresses::masked;
use crate::path::FieldPath;

/// The first and last address of a network.
pub fn net_bounds(net: IpNet) -> (IpAddr, IpAddr) {
    (net.network(), net.broadcast())
}

/// Parses `first-last` or a CIDR into an inclusive range. A CIDR with host
/// bits set is read as its network (as MetalLB's `net.ParseCIDR` does), with
/// a warning.
pub fn address_range(value: &str, path: &FieldPath, c: &mut Checker) -> Option<(IpAddr, IpAddr)> {
    let value = value.trim();
    if value.contains('/') {
        let Ok(net) = value.parse::<IpNet>() else {
            c.error(path.clone(), format!("`{value}` is not a valid CIDR"));
            return None;
        };
        return Some(net_bounds(masked(net, value, "it is read", path, c)));
    }
    let Some((first, last)) = value.split_once('-') else {
        c.error(
            path.clone(),
            format!("`{value}` is neither a CIDR nor a range `first-last`"),
        );
        return None;
    };
    let parse = |s: &str| s.trim().parse::<IpAddr>().ok();
    let (Some(first), Some(last)) = (parse(first), parse(last)) else {
        c.error(
            path.clone(),
            format!("`{value}` is not a valid range: both ends must be IP addresses"),
        );
        return None;
    };
    if first.is_ipv4() != last.is_ipv4() {
        c.error(
            path.clone(),
            format!("`{value}` mixes IPv4 and IPv6 addresses"),
        );
        return None;
    }
    if first > last {
        c.error(
            path.clone(),
            format!("`{value}` is not a valid range: `{first}` is after `{last}`"),
        );
        return None;
    }
    Some((first, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> (Option<(IpAddr, IpAddr)>, Checker) {
        let mut c = Checker::default();
        (address_range(s, &FieldPath::root(), &mut c), c)
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    #[test]
    fn cidrs_and_ranges() {
        assert_eq!(
            parse("192.168.10.0/24").0,
            Some((ip("192.168.10.0"), ip("192.168.10.255")))
        );
        assert_eq!(
            parse("192.168.9.1 - 192.168.9.5").0,
            Some((ip("192.168.9.1"), ip("192.168.9.5")))
        );
        assert_eq!(parse("fc00::/126").0, Some((ip("fc00::"), ip("fc00::3"))));
        let (r, c) = parse("10.0.0.1/24");
        assert_eq!(r, Some((ip("10.0.0.0"), ip("10.0.0.255"))));
        assert_eq!(c.warnings.len(), 1);
    }

    #[test]
    fn bad_ranges_are_errors() {
        for s in [
            "10.0.0.5-10.0.0.1",
            "10.0.0.1-fc00::1",
            "10.0.0.1",
            "10.0.0.0/33",
            "a-b",
            "",
        ] {
            let (r, c) = parse(s);
            assert!(r.is_none() && c.has_errors(), "{s}");
        }
    }
}
