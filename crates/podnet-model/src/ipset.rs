//! Sets of IPv4 and IPv6 addresses, for ipBlock peers and external ranges.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

use crate::range_set::RangeSet;

/// A set of addresses of both families.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IpSet {
    v4: RangeSet<u32>,
    v6: RangeSet<u128>,
}

impl IpSet {
    /// No address.
    pub fn empty() -> Self {
        IpSet::default()
    }

    /// Every IPv4 and IPv6 address.
    pub fn full() -> Self {
        IpSet {
            v4: RangeSet::full(),
            v6: RangeSet::full(),
        }
    }

    /// The addresses of a CIDR (its network address and prefix length; host
    /// bits are ignored).
    pub fn from_net(net: &IpNet) -> Self {
        match net {
            IpNet::V4(n) => IpSet {
                v4: RangeSet::range(u32::from(n.network()), u32::from(n.broadcast())),
                v6: RangeSet::empty(),
            },
            IpNet::V6(n) => IpSet {
                v4: RangeSet::empty(),
                v6: RangeSet::range(u128::from(n.network()), u128::from(n.broadcast())),
            },
        }
    }

    /// The addresses of many CIDRs, sorted and merged at once: linear after
    /// sorting, where unions one by one would be quadratic (an ipBlock may
    /// list 100k `except` entries).
    pub fn from_nets<'a>(nets: impl IntoIterator<Item = &'a IpNet>) -> Self {
        Self::from_ranges(nets.into_iter().map(|net| match net {
            IpNet::V4(n) => IpRange::V4(u32::from(n.network()), u32::from(n.broadcast())),
            IpNet::V6(n) => IpRange::V6(u128::from(n.network()), u128::from(n.broadcast())),
        }))
    }

    /// One address.
    pub fn single(addr: IpAddr) -> Self {
        Self::from_range(IpRange::single(addr))
    }

    /// The addresses of one range.
    pub fn from_range(r: IpRange) -> Self {
        match r {
            IpRange::V4(lo, hi) => IpSet {
                v4: RangeSet::range(lo, hi),
                v6: RangeSet::empty(),
            },
            IpRange::V6(lo, hi) => IpSet {
                v4: RangeSet::empty(),
                v6: RangeSet::range(lo, hi),
            },
        }
    }

    /// The union of many ranges, built at once (sorting, then merging).
    pub fn from_ranges(ranges: impl IntoIterator<Item = IpRange>) -> Self {
        let (mut v4, mut v6) = (Vec::new(), Vec::new());
        for r in ranges {
            match r {
                IpRange::V4(lo, hi) => v4.push((lo, hi)),
                IpRange::V6(lo, hi) => v6.push((lo, hi)),
            }
        }
        IpSet {
            v4: RangeSet::from_ranges(v4),
            v6: RangeSet::from_ranges(v6),
        }
    }

    /// The IPv4 part as integer ranges.
    pub fn v4(&self) -> &RangeSet<u32> {
        &self.v4
    }

    /// The IPv6 part as integer ranges.
    pub fn v6(&self) -> &RangeSet<u128> {
        &self.v6
    }

    /// Whether the set holds no address.
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    /// Whether `addr` is in the set.
    pub fn contains(&self, addr: IpAddr) -> bool {
        match addr {
            IpAddr::V4(a) => self.v4.contains(u32::from(a)),
            IpAddr::V6(a) => self.v6.contains(u128::from(a)),
        }
    }

    /// `self ∪ other`.
    pub fn union(&self, other: &Self) -> Self {
        IpSet {
            v4: self.v4.union(&other.v4),
            v6: self.v6.union(&other.v6),
        }
    }

    /// `self ∩ other`.
    pub fn intersection(&self, other: &Self) -> Self {
        IpSet {
            v4: self.v4.intersection(&other.v4),
            v6: self.v6.intersection(&other.v6),
        }
    }

    /// `self \ other`.
    pub fn difference(&self, other: &Self) -> Self {
        IpSet {
            v4: self.v4.difference(&other.v4),
            v6: self.v6.difference(&other.v6),
        }
    }

    /// Whether every address of `self` is in `other`.
    pub fn is_subset(&self, other: &Self) -> bool {
        self.v4.is_subset(&other.v4) && self.v6.is_subset(&other.v6)
    }

    /// The maximal ranges of the set, IPv4 first.
    pub fn ranges(&self) -> impl Iterator<Item = IpRange> + '_ {
        self.v4
            .ranges()
            .iter()
            .map(|&(lo, hi)| IpRange::V4(lo, hi))
            .chain(self.v6.ranges().iter().map(|&(lo, hi)| IpRange::V6(lo, hi)))
    }
}

impl fmt::Display for IpSet {
    /// The ranges joined by `, `; `none` when empty.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        for (i, r) in self.ranges().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

/// An inclusive range of addresses of one family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IpRange {
    /// IPv4 `first..=last` as integers.
    V4(u32, u32),
    /// IPv6 `first..=last` as integers.
    V6(u128, u128),
}

impl IpRange {
    /// The range holding only `addr`.
    pub fn single(addr: IpAddr) -> Self {
        match addr {
            IpAddr::V4(a) => IpRange::V4(u32::from(a), u32::from(a)),
            IpAddr::V6(a) => IpRange::V6(u128::from(a), u128::from(a)),
        }
    }

    /// The first address.
    pub fn first(&self) -> IpAddr {
        match *self {
            IpRange::V4(lo, _) => IpAddr::V4(Ipv4Addr::from(lo)),
            IpRange::V6(lo, _) => IpAddr::V6(Ipv6Addr::from(lo)),
        }
    }

    /// The last address.
    pub fn last(&self) -> IpAddr {
        match *self {
            IpRange::V4(_, hi) => IpAddr::V4(Ipv4Addr::from(hi)),
            IpRange::V6(_, hi) => IpAddr::V6(Ipv6Addr::from(hi)),
        }
    }

    /// The prefix length if the range is exactly one CIDR block.
    pub fn as_prefix_len(&self) -> Option<u8> {
        match *self {
            IpRange::V4(lo, hi) => prefix_len(u128::from(lo), u128::from(hi), 32),
            IpRange::V6(lo, hi) => prefix_len(lo, hi, 128),
        }
    }
}

/// The prefix length of `lo..=hi` in a `bits`-wide space, if it is one block.
fn prefix_len(lo: u128, hi: u128, bits: u32) -> Option<u8> {
    // The block's host part: the bits where lo and hi may differ.
    let host = lo ^ hi;
    let host_bits = u128::BITS - host.leading_zeros();
    let mask = if host_bits == 128 {
        u128::MAX
    } else {
        (1u128 << host_bits) - 1
    };
    // A block: every host bit is 0 in lo and 1 in hi.
    if host != mask || lo & mask != 0 || hi & mask != mask {
        return None;
    }
    u8::try_from(bits - host_bits).ok()
}

impl fmt::Display for IpRange {
    /// A CIDR when the range is one block, otherwise `first-last`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_prefix_len() {
            Some(len) => write!(f, "{}/{}", self.first(), len),
            None => write!(f, "{}-{}", self.first(), self.last()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> IpSet {
        IpSet::from_net(&s.parse().unwrap())
    }

    #[test]
    fn cidr_ranges_print_as_cidrs() {
        assert_eq!(net("10.0.0.0/8").to_string(), "10.0.0.0/8");
        assert_eq!(net("0.0.0.0/0").to_string(), "0.0.0.0/0");
        assert_eq!(net("::/0").to_string(), "::/0");
        assert_eq!(net("192.168.1.7/32").to_string(), "192.168.1.7/32");
        assert_eq!(net("2001:db8::/32").to_string(), "2001:db8::/32");
    }

    #[test]
    fn other_ranges_print_as_first_last() {
        let s = net("0.0.0.0/0").difference(&net("10.0.0.0/8"));
        assert_eq!(
            s.to_string(),
            "0.0.0.0-9.255.255.255, 11.0.0.0-255.255.255.255"
        );
    }

    #[test]
    fn except_is_removed() {
        let s = net("172.16.0.0/12").difference(&net("172.17.0.0/16"));
        assert!(s.contains("172.16.1.1".parse().unwrap()));
        assert!(!s.contains("172.17.1.1".parse().unwrap()));
        assert!(!s.contains("::1".parse().unwrap()));
    }

    #[test]
    fn families_are_separate() {
        let s = net("0.0.0.0/0");
        assert!(!s.contains("::".parse().unwrap()));
        assert!(IpSet::full().contains("::".parse().unwrap()));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;
    use std::net::Ipv4Addr;

    /// CIDRs inside 10.0.0.0/16 so random sets overlap often.
    fn cidr() -> impl Strategy<Value = IpNet> {
        (any::<u16>(), 16u8..=32).prop_map(|(host, len)| {
            let addr = Ipv4Addr::from(0x0a00_0000u32 | u32::from(host));
            IpNet::new(IpAddr::V4(addr), len).unwrap().trunc()
        })
    }

    fn addr() -> impl Strategy<Value = IpAddr> {
        any::<u16>().prop_map(|h| IpAddr::V4(Ipv4Addr::from(0x0a00_0000u32 | u32::from(h))))
    }

    fn parse_range(s: &str) -> IpSet {
        match s.split_once('-') {
            Some((a, b)) => {
                let (a, b): (IpAddr, IpAddr) = (a.parse().unwrap(), b.parse().unwrap());
                match (a, b) {
                    (IpAddr::V4(a), IpAddr::V4(b)) => {
                        IpSet::from_range(IpRange::V4(a.into(), b.into()))
                    }
                    (IpAddr::V6(a), IpAddr::V6(b)) => {
                        IpSet::from_range(IpRange::V6(a.into(), b.into()))
                    }
                    _ => panic!("mixed families in {s}"),
                }
            }
            None => IpSet::from_net(&s.parse().unwrap()),
        }
    }

    proptest! {
        #[test]
        fn cidr_minus_excepts_matches_membership(c in cidr(), excepts in prop::collection::vec(cidr(), 0..4), probes in prop::collection::vec(addr(), 1..20)) {
            let mut set = IpSet::from_net(&c);
            for e in &excepts {
                set = set.difference(&IpSet::from_net(e));
            }
            for a in probes {
                let want = c.contains(&a) && !excepts.iter().any(|e| e.contains(&a));
                prop_assert_eq!(set.contains(a), want, "{}", a);
            }
        }

        #[test]
        fn from_ranges_is_the_union_of_the_ranges(nets in prop::collection::vec(cidr(), 0..8)) {
            let ranges: Vec<IpRange> = nets.iter().flat_map(|n| IpSet::from_net(n).ranges().collect::<Vec<_>>()).collect();
            let want = nets.iter().fold(IpSet::empty(), |s, n| s.union(&IpSet::from_net(n)));
            prop_assert_eq!(IpSet::from_ranges(ranges), want);
        }

        #[test]
        fn from_nets_is_the_union_of_each(nets in prop::collection::vec(cidr(), 0..12)) {
            let one_by_one = nets.iter().fold(IpSet::empty(), |s, n| s.union(&IpSet::from_net(n)));
            prop_assert_eq!(IpSet::from_nets(&nets), one_by_one);
        }

        #[test]
        fn printed_ranges_read_back_to_the_same_set(nets in prop::collection::vec(cidr(), 0..5), holes in prop::collection::vec(cidr(), 0..3)) {
            let mut set = nets.iter().fold(IpSet::empty(), |s, n| s.union(&IpSet::from_net(n)));
            for h in &holes {
                set = set.difference(&IpSet::from_net(h));
            }
            let back = set.ranges().map(|r| parse_range(&r.to_string())).fold(IpSet::empty(), |s, r| s.union(&r));
            prop_assert_eq!(back, set.clone());
            // Maximal ranges: no two printed ranges touch.
            let rs: Vec<IpRange> = set.ranges().collect();
            for w in rs.windows(2) {
                if let (IpRange::V4(_, hi), IpRange::V4(lo, _)) = (w[0], w[1]) {
                    prop_assert!(hi + 1 < lo);
                }
            }
        }
    }
}
