//! Multus secondary networks: NetworkAttachmentDefinitions (`k8s.cni.cncf.io/v1`)
//! with the parts of their CNI configuration that decide addressing and
//! attachment, the networks pods select by annotation, and
//! MultiNetworkPolicies (`k8s.cni.cncf.io/v1beta1`), which are
//! NetworkPolicies bound to secondary networks by `policy-for`.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

use crate::ids::NsId;
use crate::policy::NetworkPolicy;
use crate::source::Meta;

/// The pod annotation selecting secondary networks.
pub const NETWORKS_ANNOTATION: &str = "k8s.v1.cni.cncf.io/networks";
/// The MultiNetworkPolicy annotation naming the networks it applies to.
pub const POLICY_FOR_ANNOTATION: &str = "k8s.v1.cni.cncf.io/policy-for";

/// A NetworkAttachmentDefinition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkAttachment {
    /// Identity and provenance.
    pub meta: Meta,
    /// Its namespace.
    pub namespace: NsId,
    /// `metadata.name`, the name pods select it by.
    pub name: String,
    /// `spec.config`, parsed (the first plugin of a conflist).
    pub config: CniConfig,
}

/// The main plugin of a CNI configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CniConfig {
    /// `type`.
    pub cni_type: CniType,
    /// `vlan` (sriov, ovs, bridge, macvlan/ipvlan via their master).
    pub vlan: Option<u16>,
    /// `master` (macvlan, ipvlan) or `device` (host-device).
    pub master: Option<String>,
    /// `bridge` (bridge, ovs).
    pub bridge: Option<String>,
    /// `ipam`, when set.
    pub ipam: Option<CniIpam>,
}

/// A CNI plugin type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum CniType {
    /// `sriov`.
    Sriov,
    /// `ovs`.
    Ovs,
    /// `macvlan`.
    Macvlan,
    /// `ipvlan`.
    Ipvlan,
    /// `bridge`.
    #[default]
    Bridge,
    /// `host-device`.
    HostDevice,
    /// Another plugin.
    Other(String),
}

impl CniType {
    /// The type for a `type` string.
    pub fn from_name(name: &str) -> CniType {
        match name {
            "sriov" => CniType::Sriov,
            "ovs" => CniType::Ovs,
            "macvlan" => CniType::Macvlan,
            "ipvlan" => CniType::Ipvlan,
            "bridge" => CniType::Bridge,
            "host-device" => CniType::HostDevice,
            other => CniType::Other(other.to_owned()),
        }
    }

    /// The type as CNI configurations spell it.
    pub fn as_str(&self) -> &str {
        match self {
            CniType::Sriov => "sriov",
            CniType::Ovs => "ovs",
            CniType::Macvlan => "macvlan",
            CniType::Ipvlan => "ipvlan",
            CniType::Bridge => "bridge",
            CniType::HostDevice => "host-device",
            CniType::Other(s) => s,
        }
    }
}

/// An IPAM plugin type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum IpamKind {
    /// `static`: fixed addresses, from the config or the pod's request.
    #[default]
    Static,
    /// `host-local`: ranges, allocated by each node on its own.
    HostLocal,
    /// `whereabouts`: ranges, allocated cluster-wide.
    Whereabouts,
    /// `dhcp`: a DHCP server outside the cluster.
    Dhcp,
    /// Another plugin.
    Other(String),
}

impl IpamKind {
    /// The kind for an ipam `type` string.
    pub fn from_name(name: &str) -> IpamKind {
        match name {
            "static" => IpamKind::Static,
            "host-local" => IpamKind::HostLocal,
            "whereabouts" => IpamKind::Whereabouts,
            "dhcp" => IpamKind::Dhcp,
            other => IpamKind::Other(other.to_owned()),
        }
    }

    /// The kind as CNI configurations spell it.
    pub fn as_str(&self) -> &str {
        match self {
            IpamKind::Static => "static",
            IpamKind::HostLocal => "host-local",
            IpamKind::Whereabouts => "whereabouts",
            IpamKind::Dhcp => "dhcp",
            IpamKind::Other(s) => s,
        }
    }
}

/// The `ipam` section of a CNI configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CniIpam {
    /// `type`.
    pub kind: IpamKind,
    /// Range sets: one address is allocated from each set, from its first
    /// range with a free address. host-local's `ranges` (or its flat
    /// `subnet`), whereabouts' `range` (or each of its `ipRanges`).
    pub ranges: Vec<Vec<IpamRange>>,
    /// The top-level `gateway`.
    pub gateway: Option<IpAddr>,
    /// `routes`.
    pub routes: Vec<CniRoute>,
    /// static's `addresses`.
    pub addresses: Vec<StaticAddress>,
}

/// One address range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpamRange {
    /// The subnet (`subnet`, whereabouts' `range`), masked.
    pub subnet: IpNet,
    /// First address handed out (`rangeStart`, `range_start`).
    pub range_start: Option<IpAddr>,
    /// Last address handed out (`rangeEnd`, `range_end`).
    pub range_end: Option<IpAddr>,
    /// The range's gateway, never handed out.
    pub gateway: Option<IpAddr>,
    /// whereabouts' `exclude`: CIDRs never handed out.
    pub exclude: Vec<IpNet>,
}

/// One entry of `routes`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CniRoute {
    /// `dst`.
    pub dst: IpNet,
    /// `gw`, when set.
    pub gw: Option<IpAddr>,
}

/// One entry of static's `addresses`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaticAddress {
    /// `address`: the address with its prefix length (`10.1.1.5/24`).
    pub address: IpNet,
    /// `gateway`, when set.
    pub gateway: Option<IpAddr>,
}

/// A network, as `namespace/name` of its NetworkAttachmentDefinition.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NetworkRef {
    /// The NAD's namespace.
    pub namespace: String,
    /// The NAD's name.
    pub name: String,
}

impl NetworkRef {
    /// `namespace/name`.
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        NetworkRef {
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    /// Whether `nad` is this network.
    pub fn is(&self, nad: &NetworkAttachment) -> bool {
        nad.meta.namespace.as_deref() == Some(self.namespace.as_str()) && nad.name == self.name
    }
}

impl fmt::Display for NetworkRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// One network a pod selects with `k8s.v1.cni.cncf.io/networks`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkSelection {
    /// The NAD's namespace; `None` is the pod's own.
    pub namespace: Option<String>,
    /// The NAD's name.
    pub name: String,
    /// The interface name requested (`net1`, `net2`... otherwise).
    pub interface: Option<String>,
    /// Requested addresses (`ips`); a bare address has a full-length prefix.
    pub ips: Vec<IpNet>,
    /// Requested MAC address.
    pub mac: Option<String>,
    /// The line of the annotation, when known.
    pub line: Option<u32>,
}

impl NetworkSelection {
    /// The network selected by a pod of namespace `pod_namespace`.
    pub fn network(&self, pod_namespace: &str) -> NetworkRef {
        NetworkRef::new(
            self.namespace.as_deref().unwrap_or(pod_namespace),
            self.name.clone(),
        )
    }
}

/// A MultiNetworkPolicy: a NetworkPolicy (same spec, same semantics) that
/// applies on the secondary networks it is for, and not on the pod network.
#[derive(Clone, Debug)]
pub struct MultiNetworkPolicy {
    /// The policy, with `meta.kind` `MultiNetworkPolicy`.
    pub policy: NetworkPolicy,
    /// `k8s.v1.cni.cncf.io/policy-for`; empty when the annotation is
    /// missing (the policy then applies nowhere).
    pub policy_for: Vec<NetworkRef>,
}

/// An address as a number, for range arithmetic.
pub fn ip_to_u128(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

/// The address `n` of the family of `like` (`None` when out of range).
pub fn u128_to_ip(n: u128, like: IpAddr) -> Option<IpAddr> {
    match like {
        IpAddr::V4(_) => u32::try_from(n)
            .ok()
            .map(|v| IpAddr::V4(std::net::Ipv4Addr::from(v))),
        IpAddr::V6(_) => Some(IpAddr::V6(std::net::Ipv6Addr::from(n))),
    }
}

impl IpamRange {
    /// The first and last address the range may hand out: `range_start` and
    /// `range_end` when set, else the subnet's first and last addresses
    /// after the network address and before the last (broadcast) one.
    pub fn bounds(&self) -> (IpAddr, IpAddr) {
        let first = ip_to_u128(self.subnet.network()).saturating_add(1);
        let last = ip_to_u128(self.subnet.broadcast()).saturating_sub(1);
        let like = self.subnet.addr();
        let start = self
            .range_start
            .or_else(|| u128_to_ip(first, like))
            .unwrap_or(like);
        let end = self
            .range_end
            .or_else(|| u128_to_ip(last, like))
            .unwrap_or(like);
        (start, end)
    }

    /// Whether the range may hand `ip` out (inside its bounds, not the
    /// network, broadcast or gateway address, not excluded).
    pub fn allocatable(&self, ip: IpAddr) -> bool {
        let (start, end) = self.bounds();
        let n = ip_to_u128(ip);
        self.subnet.contains(&ip)
            && ip_to_u128(start) <= n
            && n <= ip_to_u128(end)
            && ip != self.subnet.network()
            && !(self.subnet.addr().is_ipv4() && ip == self.subnet.broadcast())
            && self.gateway != Some(ip)
            && !self.exclude.iter().any(|x| x.contains(&ip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(subnet: &str, start: Option<&str>, end: Option<&str>) -> IpamRange {
        IpamRange {
            subnet: subnet.parse().unwrap_or_else(|_| IpNet::default()),
            range_start: start.and_then(|s| s.parse().ok()),
            range_end: end.and_then(|s| s.parse().ok()),
            gateway: None,
            exclude: Vec::new(),
        }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse()
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
    }

    #[test]
    fn bounds_default_to_the_host_addresses() {
        let r = range("10.1.0.0/24", None, None);
        assert_eq!(r.bounds(), (ip("10.1.0.1"), ip("10.1.0.254")));
        let r = range("10.1.0.0/24", Some("10.1.0.10"), Some("10.1.0.20"));
        assert_eq!(r.bounds(), (ip("10.1.0.10"), ip("10.1.0.20")));
        let r = range("fd00::/120", None, None);
        assert_eq!(r.bounds(), (ip("fd00::1"), ip("fd00::fe")));
    }

    #[test]
    fn allocatable_skips_reserved_addresses() {
        let mut r = range("10.1.0.0/24", Some("10.1.0.0"), Some("10.1.0.255"));
        r.gateway = Some(ip("10.1.0.1"));
        r.exclude = vec!["10.1.0.8/30".parse().unwrap_or_default()];
        assert!(!r.allocatable(ip("10.1.0.0")));
        assert!(!r.allocatable(ip("10.1.0.1")));
        assert!(r.allocatable(ip("10.1.0.2")));
        assert!(!r.allocatable(ip("10.1.0.9")));
        assert!(!r.allocatable(ip("10.1.0.255")));
        assert!(!r.allocatable(ip("10.2.0.5")));
    }

    #[test]
    fn network_refs_and_selections() {
        let s = NetworkSelection {
            namespace: None,
            name: "net1".into(),
            interface: None,
            ips: Vec::new(),
            mac: None,
            line: None,
        };
        assert_eq!(s.network("tel"), NetworkRef::new("tel", "net1"));
        assert_eq!(NetworkRef::new("a", "b").to_string(), "a/b");
        assert_eq!(CniType::from_name("host-device").as_str(), "host-device");
        assert_eq!(IpamKind::from_name("whereabouts"), IpamKind::Whereabouts);
    }
}
