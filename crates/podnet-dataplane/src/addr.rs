//! Address arithmetic on CIDRs: the n-th address of a block, the n-th
//! sub-block, sizes, all family-agnostic via 128-bit integers.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// An address as an integer, with its family's width in bits.
pub fn to_int(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

/// The address of family `like` with integer value `n` (truncated to the
/// family's width).
pub fn from_int(like: IpAddr, n: u128) -> IpAddr {
    match like {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(
            u32::try_from(n & u128::from(u32::MAX)).unwrap_or(u32::MAX),
        )),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(n)),
    }
}

/// Number of addresses in `net`, saturating at `u128::MAX`.
pub fn size(net: &IpNet) -> u128 {
    let host_bits = u32::from(net.max_prefix_len() - net.prefix_len());
    1u128.checked_shl(host_bits).unwrap_or(u128::MAX)
}

/// The `n`-th address of `net` (0 is the network address), if inside.
pub fn nth(net: &IpNet, n: u128) -> Option<IpAddr> {
    if n >= size(net) {
        return None;
    }
    let base = to_int(net.network());
    Some(from_int(net.network(), base.checked_add(n)?))
}

/// The offset of `ip` in `net`, if inside.
pub fn offset(net: &IpNet, ip: IpAddr) -> Option<u128> {
    net.contains(&ip)
        .then(|| to_int(ip) - to_int(net.network()))
}

/// How many blocks of prefix `mask` `net` splits into, saturating.
pub fn block_count(net: &IpNet, mask: u8) -> u128 {
    if mask < net.prefix_len() || mask > net.max_prefix_len() {
        return 0;
    }
    1u128
        .checked_shl(u32::from(mask - net.prefix_len()))
        .unwrap_or(u128::MAX)
}

/// The `n`-th block of prefix `mask` inside `net`.
pub fn nth_block(net: &IpNet, mask: u8, n: u128) -> Option<IpNet> {
    if n >= block_count(net, mask) {
        return None;
    }
    let host_bits = u32::from(net.max_prefix_len() - mask);
    let start = to_int(net.network()).checked_add(n.checked_shl(host_bits)?)?;
    let first = from_int(net.network(), start);
    match first {
        IpAddr::V4(a) => Ipv4Net::new(a, mask).ok().map(IpNet::V4),
        IpAddr::V6(a) => Ipv6Net::new(a, mask).ok().map(IpNet::V6),
    }
}

/// Whether two CIDRs share an address.
pub fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// Whether `a` and `b` are of the same family.
pub fn same_family(a: IpAddr, b: IpAddr) -> bool {
    a.is_ipv4() == b.is_ipv4()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> IpNet {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn blocks_split_a_cluster_cidr_in_order() {
        let c = n("10.244.0.0/16");
        assert_eq!(block_count(&c, 24), 256);
        assert_eq!(nth_block(&c, 24, 0), Some(n("10.244.0.0/24")));
        assert_eq!(nth_block(&c, 24, 3), Some(n("10.244.3.0/24")));
        assert_eq!(nth_block(&c, 24, 256), None);
        assert_eq!(block_count(&c, 8), 0);
        let v6 = n("fd00:10:244::/56");
        assert_eq!(nth_block(&v6, 64, 1), Some(n("fd00:10:244:1::/64")));
    }

    #[test]
    fn nth_and_offset_are_inverse() {
        let b = n("10.244.3.0/24");
        let ip = nth(&b, 2).unwrap_or(IpAddr::from([0, 0, 0, 0]));
        assert_eq!(ip, IpAddr::from([10, 244, 3, 2]));
        assert_eq!(offset(&b, ip), Some(2));
        assert_eq!(nth(&b, 256), None);
        assert!(overlaps(&n("10.0.0.0/8"), &n("10.43.0.0/16")));
        assert!(!overlaps(&n("10.42.0.0/16"), &n("10.43.0.0/16")));
    }
}
