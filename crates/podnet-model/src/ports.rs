//! Protocols and port sets as NetworkPolicy speaks of them.

use std::fmt;

use crate::range_set::RangeSet;

/// The L4 protocols a NetworkPolicy port can name (API reference,
/// "NetworkPolicyPort": TCP, UDP or SCTP; TCP when omitted).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    /// TCP, the default.
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
    Sctp,
}

impl Protocol {
    /// All protocols, in output order.
    pub const ALL: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];

    /// The name as manifests spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }

    /// Parses the exact manifest spelling (`TCP`, `UDP`, `SCTP`); the API
    /// server is case-sensitive here.
    pub fn parse(s: &str) -> Option<Protocol> {
        match s {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            _ => None,
        }
    }

    /// Position in [`Protocol::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The lowest valid port number.
pub const MIN_PORT: u16 = 1;
/// The highest valid port number.
pub const MAX_PORT: u16 = 65535;

/// A set of port numbers within `1..=65535`.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortSet(RangeSet<u16>);

impl PortSet {
    /// No port.
    pub fn empty() -> Self {
        PortSet(RangeSet::empty())
    }

    /// Every port, `1..=65535`.
    pub fn full() -> Self {
        PortSet(RangeSet::range(MIN_PORT, MAX_PORT))
    }

    /// `lo..=hi`, clamped to the valid port range.
    pub fn range(lo: u16, hi: u16) -> Self {
        PortSet(RangeSet::range(lo.max(MIN_PORT), hi))
    }

    /// One port.
    pub fn single(port: u16) -> Self {
        Self::range(port, port)
    }

    /// The ranges, sorted and disjoint.
    pub fn ranges(&self) -> &[(u16, u16)] {
        self.0.ranges()
    }

    /// Whether no port is in the set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether every port is in the set.
    pub fn is_full(&self) -> bool {
        self.0.ranges() == [(MIN_PORT, MAX_PORT)]
    }

    /// Whether `port` is in the set.
    pub fn contains(&self, port: u16) -> bool {
        self.0.contains(port)
    }

    /// `self ∪ other`.
    pub fn union(&self, other: &Self) -> Self {
        PortSet(self.0.union(&other.0))
    }

    /// `self ∩ other`.
    pub fn intersection(&self, other: &Self) -> Self {
        PortSet(self.0.intersection(&other.0))
    }

    /// `self \ other`.
    pub fn difference(&self, other: &Self) -> Self {
        PortSet(self.0.difference(&other.0))
    }

    /// Whether every port of `self` is in `other`.
    pub fn is_subset(&self, other: &Self) -> bool {
        self.0.is_subset(&other.0)
    }
}

impl fmt::Display for PortSet {
    /// `80,443,8000-8080`; `all ports` when full; `none` when empty.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        if self.is_full() {
            return f.write_str("all ports");
        }
        for (i, (lo, hi)) in self.ranges().iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if lo == hi {
                write!(f, "{lo}")?;
            } else {
                write!(f, "{lo}-{hi}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_zero_is_never_in_a_set() {
        assert!(!PortSet::full().contains(0));
        assert_eq!(PortSet::range(0, 10), PortSet::range(1, 10));
    }

    #[test]
    fn protocol_parse_is_case_sensitive_like_the_api_server() {
        assert_eq!(Protocol::parse("TCP"), Some(Protocol::Tcp));
        assert_eq!(Protocol::parse("tcp"), None);
        assert_eq!(Protocol::parse("ICMP"), None);
    }

    #[test]
    fn display_lists_ranges() {
        let s = PortSet::single(80).union(&PortSet::range(8000, 8080));
        assert_eq!(s.to_string(), "80,8000-8080");
        assert_eq!(PortSet::full().to_string(), "all ports");
    }
}
