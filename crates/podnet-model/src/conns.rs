//! The connections allowed between two endpoints: ports per protocol, plus
//! whether protocols NetworkPolicy cannot name (ICMP...) pass too.

use std::fmt;

use crate::ports::{PortSet, Protocol};

/// A set of allowed connections.
///
/// NetworkPolicy rules can only name TCP, UDP and SCTP ports; traffic of any
/// other protocol is allowed exactly when a direction is not isolated or a
/// rule allows all ports ("ports" empty or missing), so [`Conns::all`] is more
/// than "every port of the three protocols".
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Conns {
    ports: [PortSet; 3],
    other_protocols: bool,
}

impl Conns {
    /// Nothing allowed.
    pub fn none() -> Self {
        Conns::default()
    }

    /// Everything allowed: all ports of all protocols, and other protocols.
    pub fn all() -> Self {
        Conns {
            ports: [PortSet::full(), PortSet::full(), PortSet::full()],
            other_protocols: true,
        }
    }

    /// The given ports of one protocol.
    pub fn ports_of(protocol: Protocol, ports: PortSet) -> Self {
        let mut c = Conns::none();
        c.ports[protocol.index()] = ports;
        c
    }

    /// The allowed ports of `protocol`.
    pub fn ports(&self, protocol: Protocol) -> &PortSet {
        &self.ports[protocol.index()]
    }

    /// Whether protocols other than TCP, UDP and SCTP are allowed.
    pub fn other_protocols(&self) -> bool {
        self.other_protocols
    }

    /// Whether everything is allowed.
    pub fn is_all(&self) -> bool {
        self.other_protocols && self.ports.iter().all(PortSet::is_full)
    }

    /// Whether nothing is allowed.
    pub fn is_empty(&self) -> bool {
        !self.other_protocols && self.ports.iter().all(PortSet::is_empty)
    }

    /// Whether `port` of `protocol` is allowed.
    pub fn allows(&self, protocol: Protocol, port: u16) -> bool {
        self.ports[protocol.index()].contains(port)
    }

    /// `self ∪ other`.
    pub fn union(&self, other: &Self) -> Self {
        Conns {
            ports: std::array::from_fn(|i| self.ports[i].union(&other.ports[i])),
            other_protocols: self.other_protocols || other.other_protocols,
        }
    }

    /// Adds `other` to `self`.
    pub fn add(&mut self, other: &Self) {
        if other.is_empty() {
            return;
        }
        *self = self.union(other);
    }

    /// `self ∩ other`.
    pub fn intersection(&self, other: &Self) -> Self {
        if self.is_all() {
            return other.clone();
        }
        if other.is_all() {
            return self.clone();
        }
        Conns {
            ports: std::array::from_fn(|i| self.ports[i].intersection(&other.ports[i])),
            other_protocols: self.other_protocols && other.other_protocols,
        }
    }

    /// `self \ other`.
    pub fn difference(&self, other: &Self) -> Self {
        Conns {
            ports: std::array::from_fn(|i| self.ports[i].difference(&other.ports[i])),
            other_protocols: self.other_protocols && !other.other_protocols,
        }
    }

    /// The protocols with at least one allowed port, with their ports.
    pub fn by_protocol(&self) -> impl Iterator<Item = (Protocol, &PortSet)> {
        Protocol::ALL
            .into_iter()
            .map(|p| (p, &self.ports[p.index()]))
            .filter(|(_, s)| !s.is_empty())
    }
}

impl fmt::Display for Conns {
    /// `All Connections`, `No Connections`, or `TCP 80,443; UDP 53`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("All Connections");
        }
        if self.is_empty() {
            return f.write_str("No Connections");
        }
        let mut first = true;
        for (p, set) in self.by_protocol() {
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            write!(f, "{p} {set}")?;
        }
        if self.other_protocols {
            if !first {
                f.write_str("; ")?;
            }
            f.write_str("other protocols")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_intersect_ports_is_ports() {
        let p = Conns::ports_of(Protocol::Tcp, PortSet::single(80));
        assert_eq!(Conns::all().intersection(&p), p);
        assert_eq!(p.intersection(&Conns::all()), p);
        assert!(
            p.intersection(&Conns::ports_of(Protocol::Udp, PortSet::single(80)))
                .is_empty()
        );
    }

    #[test]
    fn every_port_of_every_protocol_is_not_all() {
        let mut c = Conns::none();
        for p in Protocol::ALL {
            c.add(&Conns::ports_of(p, PortSet::full()));
        }
        assert!(!c.is_all());
        assert_eq!(
            c.to_string(),
            "TCP all ports; UDP all ports; SCTP all ports"
        );
    }

    #[test]
    fn display() {
        let c = Conns::ports_of(Protocol::Tcp, PortSet::single(80))
            .union(&Conns::ports_of(Protocol::Udp, PortSet::single(53)));
        assert_eq!(c.to_string(), "TCP 80; UDP 53");
        assert_eq!(Conns::all().to_string(), "All Connections");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn conns() -> impl Strategy<Value = Conns> {
        prop_oneof![
            Just(Conns::all()),
            Just(Conns::none()),
            prop::collection::vec((0..3usize, 1u16..200, 0u16..50), 0..4).prop_map(|parts| {
                parts.into_iter().fold(Conns::none(), |acc, (p, lo, w)| {
                    acc.union(&Conns::ports_of(
                        Protocol::ALL[p],
                        PortSet::range(lo, lo + w),
                    ))
                })
            }),
        ]
    }

    proptest! {
        #[test]
        fn union_and_intersection_agree_with_allows(a in conns(), b in conns(), p in 0..3usize, port in 1u16..260) {
            let proto = Protocol::ALL[p];
            prop_assert_eq!(a.union(&b).allows(proto, port), a.allows(proto, port) || b.allows(proto, port));
            prop_assert_eq!(a.intersection(&b).allows(proto, port), a.allows(proto, port) && b.allows(proto, port));
            prop_assert_eq!(a.difference(&b).allows(proto, port), a.allows(proto, port) && !b.allows(proto, port));
            prop_assert_eq!(a.intersection(&b), b.intersection(&a));
            prop_assert!(a.intersection(&Conns::all()) == a && a.union(&Conns::none()) == a);
        }
    }
}
