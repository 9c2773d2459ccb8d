//! NetworkPolicy (networking.k8s.io/v1), normalised: defaults applied,
//! selectors parsed, CIDRs turned into address sets, with provenance.

use std::fmt;

use ipnet::IpNet;

use crate::ids::NsId;
use crate::ipset::IpSet;
use crate::ports::Protocol;
use crate::selector::LabelSelector;
use crate::source::Meta;

/// A traffic direction relative to the pod a policy selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// Traffic into the selected pod.
    Ingress,
    /// Traffic out of the selected pod.
    Egress,
}

impl Direction {
    /// Both directions, egress first (the order a connection meets them).
    pub const BOTH: [Direction; 2] = [Direction::Egress, Direction::Ingress];

    /// `Ingress` or `Egress`, as `policyTypes` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }

    /// `ingress` or `egress`, as the spec field is named.
    pub fn field(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.field())
    }
}

/// A NetworkPolicy after API-server defaulting.
#[derive(Clone, Debug)]
pub struct NetworkPolicy {
    /// Identity and provenance.
    pub meta: Meta,
    /// The namespace the policy lives in (and whose pods it selects).
    pub namespace: NsId,
    /// `spec.podSelector`; empty selects every pod of the namespace.
    pub pod_selector: LabelSelector,
    /// Whether the policy isolates selected pods for ingress.
    pub affects_ingress: bool,
    /// Whether the policy isolates selected pods for egress.
    pub affects_egress: bool,
    /// Whether `policyTypes` was written (otherwise it was inferred: Ingress
    /// always, Egress when there are egress rules).
    pub explicit_policy_types: bool,
    /// `spec.ingress` rules.
    pub ingress: Vec<PolicyRule>,
    /// `spec.egress` rules.
    pub egress: Vec<PolicyRule>,
}

impl NetworkPolicy {
    /// Whether the policy isolates its pods in `dir`.
    pub fn affects(&self, dir: Direction) -> bool {
        match dir {
            Direction::Ingress => self.affects_ingress,
            Direction::Egress => self.affects_egress,
        }
    }

    /// The rules of `dir` (which only count when [`Self::affects`] `dir`).
    pub fn rules(&self, dir: Direction) -> &[PolicyRule] {
        match dir {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }
}

/// One ingress or egress rule: traffic matching one of the peers and one of
/// the ports is allowed.
#[derive(Clone, Debug, Default)]
pub struct PolicyRule {
    /// Line of the rule in its file.
    pub line: Option<u32>,
    /// `from`/`to`; empty means every source/destination.
    pub peers: Vec<Peer>,
    /// `ports`; empty means every port of every protocol.
    pub ports: Vec<PortSpec>,
}

/// One `from`/`to` entry.
#[derive(Clone, Debug)]
pub struct Peer {
    /// Line of the peer in its file.
    pub line: Option<u32>,
    /// What it matches.
    pub kind: PeerKind,
}

/// What a peer matches.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PeerKind {
    /// Pods: `podSelector` and/or `namespaceSelector` (ANDed when both).
    Pods {
        /// Which namespaces: the policy's own when `namespaceSelector` is absent.
        namespaces: NamespaceScope,
        /// Which pods in them; empty (or absent `podSelector`) is all.
        pods: LabelSelector,
    },
    /// `ipBlock`: addresses, including in-cluster pod IPs.
    IpBlock(IpBlock),
}

/// The namespaces a pod peer draws from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NamespaceScope {
    /// The policy's own namespace (no `namespaceSelector`).
    PolicyNamespace,
    /// Namespaces whose labels match (`namespaceSelector`; empty = all).
    Selected(LabelSelector),
}

/// An `ipBlock` peer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IpBlock {
    /// `cidr`, masked to its network address.
    pub cidr: IpNet,
    /// `except`, masked.
    pub except: Vec<IpNet>,
    /// The addresses matched: `cidr` minus every `except`.
    pub addresses: IpSet,
}

impl IpBlock {
    /// Builds the block and its address set: the CIDR minus the union of
    /// the exceptions, built at once (linear in their number after sorting).
    pub fn new(cidr: IpNet, except: Vec<IpNet>) -> Self {
        let addresses = IpSet::from_net(&cidr).difference(&IpSet::from_nets(&except));
        IpBlock {
            cidr,
            except,
            addresses,
        }
    }
}

impl fmt::Display for IpBlock {
    /// `10.0.0.0/8 except 10.1.0.0/16, 10.2.0.0/16`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.cidr)?;
        if !self.except.is_empty() {
            let except: Vec<String> = self.except.iter().map(ToString::to_string).collect();
            write!(f, " except {}", except.join(", "))?;
        }
        Ok(())
    }
}

/// One `ports` entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PortSpec {
    /// Line of the entry in its file.
    pub line: Option<u32>,
    /// `protocol`, TCP when omitted.
    pub protocol: Protocol,
    /// `port`/`endPort`.
    pub port: PortMatch,
}

/// Which ports of the protocol a [`PortSpec`] allows.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PortMatch {
    /// No `port`: every port of the protocol.
    All,
    /// A number, or `port..=endPort`.
    Range(u16, u16),
    /// A named container port, resolved on the destination pod.
    Named(String),
}

impl fmt::Display for PortSpec {
    /// `TCP 80`, `UDP 1000-2000`, `TCP all ports`, `TCP named "http"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.port {
            PortMatch::All => write!(f, "{} all ports", self.protocol),
            PortMatch::Range(lo, hi) if lo == hi => write!(f, "{} {lo}", self.protocol),
            PortMatch::Range(lo, hi) => write!(f, "{} {lo}-{hi}", self.protocol),
            PortMatch::Named(n) => write!(f, "{} named port `{n}`", self.protocol),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};

    use proptest::prelude::*;

    use super::*;

    fn cidr() -> impl Strategy<Value = IpNet> {
        (any::<u16>(), 8u8..=32).prop_map(|(host, len)| {
            let addr = Ipv4Addr::from(0x0a00_0000u32 | (u32::from(host) << 4));
            IpNet::new(IpAddr::V4(addr), len)
                .unwrap_or_default()
                .trunc()
        })
    }

    proptest! {
        /// The block's addresses built at once equal the readable
        /// definition: the CIDR minus each exception in turn.
        #[test]
        fn addresses_are_the_cidr_minus_each_except(c in cidr(), excepts in prop::collection::vec(cidr(), 0..10)) {
            let spec = excepts
                .iter()
                .fold(IpSet::from_net(&c), |s, e| s.difference(&IpSet::from_net(e)));
            prop_assert_eq!(IpBlock::new(c, excepts).addresses, spec);
        }
    }
}
