//! sig-network's policy API (policy.networking.k8s.io): AdminNetworkPolicy
//! and BaselineAdminNetworkPolicy (v1alpha1, [`v1alpha1`]) and
//! ClusterNetworkPolicy (v1alpha2, [`v1alpha2`]), lowered into
//! [`AdminPolicy`](podnet_model::AdminPolicy).
//!
//! The kinds are CRDs, read with podnet's own serde types that deny unknown
//! fields (kubectl validates fields strictly: a typo is an error with its
//! path and line). Validation is the CRD's OpenAPI schema and CEL rules, as
//! the kubebuilder markers of the upstream Go types generate them: required
//! fields, `minItems`/`maxItems`, `maxLength`, `minimum`/`maximum`, enums,
//! "exactly one field" (`minProperties`/`maxProperties` 1), `listType=set`
//! (no duplicates), `isCIDR`, the domain-name pattern and the rule-level CEL
//! rules. This module holds what the kinds share: subjects, peers, CIDRs,
//! counts, rule names, actions and priorities.

pub mod v1alpha1;
pub mod v1alpha2;

use std::collections::HashSet;
use std::net::IpAddr;

use ipnet::IpNet;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use podnet_model::{
    AdminAction, AdminApi, AdminPeer, AdminSubject, IpSet, Meta, NamespacedPods, Protocol, Source,
};
use serde::Deserialize;

use super::meta::{NameRule, object_meta};
use crate::path::FieldPath;
use crate::validate::selector::label_selector;
use crate::validate::{Checker, names, unsupported};

/// The version AdminNetworkPolicy and BaselineAdminNetworkPolicy are read in.
pub const V1ALPHA1: &str = "policy.networking.k8s.io/v1alpha1";
/// The version ClusterNetworkPolicy is read in.
pub const V1ALPHA2: &str = "policy.networking.k8s.io/v1alpha2";

/// The lowest and highest `priority`.
pub const PRIORITY_RANGE: (i64, i64) = (0, 1000);
/// `maxLength` of a rule's `name`.
pub const MAX_RULE_NAME: usize = 100;
/// `maxItems` of `networks` and `domainNames`.
pub const MAX_NETWORKS: usize = 25;
/// `maxLength` of one `networks` CIDR.
pub const MAX_CIDR_LENGTH: usize = 43;

/// An object of one of the kinds: `spec` is the kind's.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PolicyObject<S> {
    /// `apiVersion` (checked by the decoder).
    pub api_version: String,
    /// `kind` (checked by the decoder).
    pub kind: String,
    /// Metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The spec (required).
    pub spec: Option<S>,
    /// Status, written by implementations; not read.
    pub status: Option<serde_json::Value>,
}

/// `subject`, and the ingress peers (the same two fields).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SelectorsDef {
    /// `namespaces`: every pod of the namespaces selected.
    pub namespaces: Option<LabelSelector>,
    /// `pods`: pods by namespace and pod labels.
    pub pods: Option<NamespacedPodDef>,
}

/// `NamespacedPod`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NamespacedPodDef {
    /// `namespaceSelector` (required in v1alpha1, optional in v1alpha2).
    pub namespace_selector: Option<LabelSelector>,
    /// `podSelector` (required).
    pub pod_selector: Option<LabelSelector>,
}

/// An egress peer (`AdminNetworkPolicyEgressPeer`,
/// `BaselineAdminNetworkPolicyEgressPeer`, `ClusterNetworkPolicyEgressPeer`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EgressPeerDef {
    /// `namespaces`.
    pub namespaces: Option<LabelSelector>,
    /// `pods`.
    pub pods: Option<NamespacedPodDef>,
    /// `nodes` (experimental).
    pub nodes: Option<LabelSelector>,
    /// `networks`: CIDRs.
    pub networks: Option<Vec<String>>,
    /// `domainNames` (experimental; not in BaselineAdminNetworkPolicy).
    pub domain_names: Option<Vec<String>>,
}

impl EgressPeerDef {
    /// The field of a peer that has no named ports (`networks`, `nodes`,
    /// `domainNames`), for the rule-level CEL rule.
    pub fn without_named_ports(&self) -> Option<&'static str> {
        if self.networks.is_some() {
            Some("networks")
        } else if self.nodes.is_some() {
            Some("nodes")
        } else if self.domain_names.is_some() {
            Some("domainNames")
        } else {
            None
        }
    }
}

/// What differs between the kinds' shared parts.
#[derive(Clone, Copy, Debug)]
pub struct Flavor {
    /// The kind.
    pub api: AdminApi,
    /// Whether `pods.namespaceSelector` is required (v1alpha1).
    pub namespace_selector_required: bool,
    /// Whether egress peers may have `domainNames`.
    pub domain_names: bool,
    /// Whether the domain-name pattern has v1alpha1's `A-z` first-character
    /// class (which also admits `[`, `\`, `]`, `^`, `_` and a backquote).
    pub lax_domain_pattern: bool,
    /// `maxItems` of `ingress` and `egress`.
    pub max_rules: usize,
    /// `maxItems` of `from` and `to`.
    pub max_peers: usize,
    /// `maxItems` of `ports` / `protocols`.
    pub max_ports: usize,
    /// The actions of its rules, as spelled, with their meaning.
    pub actions: &'static [(&'static str, AdminAction)],
}

/// Checks `metadata` of a cluster-scoped object and makes the model's
/// [`Meta`] (a `namespace` is ignored with a warning).
pub fn meta(
    metadata: &ObjectMeta,
    api: AdminApi,
    base: &FieldPath,
    source: Source,
    c: &mut Checker,
) -> Meta {
    let info = object_meta(metadata, NameRule::Subdomain, false, base, c);
    Meta {
        kind: api.kind().to_owned(),
        namespace: None,
        name: info.name,
        source,
    }
}

/// Checks the length of a list field: `None` when absent is an error when
/// `required`; present, it must have `min..=max` items. Returns the items.
pub fn sized<'a, T>(
    list: Option<&'a [T]>,
    required: bool,
    max: usize,
    path: &FieldPath,
    c: &mut Checker,
) -> &'a [T] {
    let field = last_key(path);
    match list {
        None if required => c.error(path.clone(), format!("`{field}` is required")),
        Some([]) => c.error(
            path.clone(),
            format!("`{field}` must not be empty: the CRD requires at least 1 item"),
        ),
        Some(items) if items.len() > max => c.error(
            path.clone(),
            format!(
                "too many items: {}, `{field}` may have at most {max}",
                items.len()
            ),
        ),
        _ => {}
    }
    list.unwrap_or_default()
}

fn last_key(path: &FieldPath) -> String {
    path.segments()
        .iter()
        .rev()
        .find_map(|s| match s {
            crate::path::Seg::Key(k) => Some(k.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

/// `priority`: required, `minimum` 0, `maximum` 1000.
pub fn priority(value: Option<i64>, path: &FieldPath, c: &mut Checker) -> Option<u32> {
    let Some(p) = value else {
        c.error(path.clone(), "`priority` is required");
        return None;
    };
    let (lo, hi) = PRIORITY_RANGE;
    if !(lo..=hi).contains(&p) {
        c.error(
            path.clone(),
            format!("invalid value `{p}`: must be between {lo} and {hi}, inclusive"),
        );
        return None;
    }
    u32::try_from(p).ok()
}

/// A rule's `name`: optional, at most 100 characters; empty is absent.
pub fn rule_name(name: Option<&str>, path: &FieldPath, c: &mut Checker) -> Option<String> {
    let name = name.filter(|n| !n.is_empty())?;
    let len = name.chars().count();
    if len > MAX_RULE_NAME {
        c.error(
            path.clone(),
            format!(
                "invalid value: must be no more than {MAX_RULE_NAME} characters (it has {len})"
            ),
        );
    }
    Some(name.to_owned())
}

/// A rule's `action`: required, one of the kind's actions.
pub fn action(
    value: Option<&str>,
    flavor: &Flavor,
    path: &FieldPath,
    c: &mut Checker,
) -> Option<AdminAction> {
    let Some(v) = value else {
        c.error(path.clone(), "`action` is required");
        return None;
    };
    let found = flavor.actions.iter().find(|(name, _)| *name == v);
    if found.is_none() {
        let names: Vec<&str> = flavor.actions.iter().map(|(n, _)| *n).collect();
        unsupported(path, v, &names, c);
    }
    found.map(|(_, a)| *a)
}

/// `NamespacedPod`: `podSelector` required, `namespaceSelector` required in
/// v1alpha1 (absent in v1alpha2: every namespace).
fn namespaced_pods(
    def: &NamespacedPodDef,
    flavor: &Flavor,
    path: &FieldPath,
    c: &mut Checker,
) -> Option<NamespacedPods> {
    let ns_path = path.key("namespaceSelector");
    let pod_path = path.key("podSelector");
    if def.namespace_selector.is_none() && flavor.namespace_selector_required {
        c.error(
            ns_path.clone(),
            "`namespaceSelector` is required (`{}` selects every namespace)",
        );
    }
    let Some(pods) = def.pod_selector.as_ref() else {
        c.error(
            pod_path,
            "`podSelector` is required (`{}` selects every pod)",
        );
        return None;
    };
    Some(NamespacedPods {
        namespaces: label_selector(def.namespace_selector.as_ref(), &ns_path, c),
        pods: label_selector(Some(pods), &pod_path, c),
    })
}

/// Reports a peer or subject that does not set exactly one field
/// (`minProperties`/`maxProperties` 1).
fn exactly_one(set: &[&str], all: &[&str], what: &str, path: &FieldPath, c: &mut Checker) -> bool {
    let fields = |list: &[&str]| {
        list.iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match set.len() {
        1 => true,
        0 => {
            c.error(
                path.clone(),
                format!("{what} must set exactly one of {}", fields(all)),
            );
            false
        }
        _ => {
            c.error(
                path.clone(),
                format!(
                    "{what} must set exactly one of {}; it sets {}",
                    fields(all),
                    fields(set)
                ),
            );
            false
        }
    }
}

fn present<'a>(fields: &[(&'a str, bool)]) -> Vec<&'a str> {
    fields.iter().filter(|(_, p)| *p).map(|(n, _)| *n).collect()
}

/// `subject`: required, exactly one of `namespaces` or `pods`.
pub fn subject(
    def: Option<&SelectorsDef>,
    flavor: &Flavor,
    path: &FieldPath,
    c: &mut Checker,
) -> Option<AdminSubject> {
    let Some(def) = def else {
        c.error(path.clone(), "`subject` is required");
        return None;
    };
    match selectors(def, flavor, "subject", path, c)? {
        AdminPeer::Namespaces(s) => Some(AdminSubject::Namespaces(s)),
        AdminPeer::Pods(p) => Some(AdminSubject::Pods(p)),
        AdminPeer::Nodes(_) | AdminPeer::Networks(_) => None,
    }
}

/// An ingress peer: exactly one of `namespaces` or `pods`.
pub fn ingress_peer(
    def: &SelectorsDef,
    flavor: &Flavor,
    path: &FieldPath,
    c: &mut Checker,
) -> Option<AdminPeer> {
    selectors(def, flavor, "a peer", path, c)
}

fn selectors(
    def: &SelectorsDef,
    flavor: &Flavor,
    what: &str,
    path: &FieldPath,
    c: &mut Checker,
) -> Option<AdminPeer> {
    let set = present(&[
        ("namespaces", def.namespaces.is_some()),
        ("pods", def.pods.is_some()),
    ]);
    if !exactly_one(&set, &["namespaces", "pods"], what, path, c) {
        return None;
    }
    match (&def.namespaces, &def.pods) {
        (Some(ns), _) => Some(AdminPeer::Namespaces(label_selector(
            Some(ns),
            &path.key("namespaces"),
            c,
        ))),
        (_, Some(p)) => namespaced_pods(p, flavor, &path.key("pods"), c).map(AdminPeer::Pods),
        (None, None) => None,
    }
}

/// An egress peer: exactly one of `namespaces`, `pods`, `nodes`, `networks`
/// (and `domainNames` where the kind has it).
pub fn egress_peer(
    def: &EgressPeerDef,
    flavor: &Flavor,
    path: &FieldPath,
    c: &mut Checker,
) -> Option<AdminPeer> {
    if def.domain_names.is_some() && !flavor.domain_names {
        c.error(
            path.key("domainNames"),
            format!(
                "unknown field `domainNames`: {} egress peers have `namespaces`, `pods`, `nodes` or `networks`",
                flavor.api.kind()
            ),
        );
        return None;
    }
    let all: &[&str] = if flavor.domain_names {
        &["namespaces", "pods", "nodes", "networks", "domainNames"]
    } else {
        &["namespaces", "pods", "nodes", "networks"]
    };
    let set = present(&[
        ("namespaces", def.namespaces.is_some()),
        ("pods", def.pods.is_some()),
        ("nodes", def.nodes.is_some()),
        ("networks", def.networks.is_some()),
        ("domainNames", def.domain_names.is_some()),
    ]);
    if !exactly_one(&set, all, "a peer", path, c) {
        return None;
    }
    if let Some(ns) = &def.namespaces {
        return Some(AdminPeer::Namespaces(label_selector(
            Some(ns),
            &path.key("namespaces"),
            c,
        )));
    }
    if let Some(p) = &def.pods {
        return namespaced_pods(p, flavor, &path.key("pods"), c).map(AdminPeer::Pods);
    }
    if let Some(n) = &def.nodes {
        return Some(AdminPeer::Nodes(label_selector(
            Some(n),
            &path.key("nodes"),
            c,
        )));
    }
    if let Some(list) = &def.networks {
        return networks(list, &path.key("networks"), c).map(AdminPeer::Networks);
    }
    let list = def.domain_names.as_deref().unwrap_or_default();
    domain_names(list, flavor, &path.key("domainNames"), c);
    Some(AdminPeer::Networks(IpSet::empty()))
}

/// Reports repeated items of a `listType=set` list.
fn no_duplicates(items: &[String], path: &FieldPath, c: &mut Checker) {
    let mut seen = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        if !seen.insert(item.as_str()) {
            c.error(
                path.index(i),
                format!("duplicate value `{item}`: `{}` is a set", last_key(path)),
            );
        }
    }
}

/// `networks`: 1 to 25 distinct CIDRs; their union.
fn networks(list: &[String], path: &FieldPath, c: &mut Checker) -> Option<IpSet> {
    sized(Some(list), true, MAX_NETWORKS, path, c);
    no_duplicates(list, path, c);
    let mut set = IpSet::empty();
    for (i, s) in list.iter().enumerate() {
        if let Some(net) = cidr(s, &path.index(i), c) {
            set = set.union(&IpSet::from_net(&net));
        }
    }
    Some(set)
}

/// `domainNames`: 1 to 25 distinct names matching the CRD's pattern. podnet
/// does not resolve names: the peer matches nothing (warning).
fn domain_names(list: &[String], flavor: &Flavor, path: &FieldPath, c: &mut Checker) {
    sized(Some(list), true, MAX_NETWORKS, path, c);
    no_duplicates(list, path, c);
    for (i, name) in list.iter().enumerate() {
        if !is_domain_name(name, flavor.lax_domain_pattern) {
            c.error(
                path.index(i),
                format!("invalid value `{name}`: must be a domain name, optionally starting with `*.` (e.g. `kubernetes.io`, `*.example.com`)"),
            );
        }
    }
    c.warn(
        path.clone(),
        "podnet does not resolve domain names (an experimental field): this peer matches nothing",
    );
}

/// The CRD's `DomainName` pattern:
/// `^(\*\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$`
/// (`lax`: each label's first character class is v1alpha1's `[a-zA-z0-9]`).
pub fn is_domain_name(name: &str, lax: bool) -> bool {
    let rest = name.strip_prefix("*.").unwrap_or(name);
    let rest = rest.strip_suffix('.').unwrap_or(rest);
    let first_ok = |b: u8| b.is_ascii_alphanumeric() || (lax && (b'Z'..=b'z').contains(&b));
    let label_ok = |l: &str| {
        let b = l.as_bytes();
        match b {
            [] => false,
            [one] => first_ok(*one),
            [first, middle @ .., last] => {
                first_ok(*first)
                    && last.is_ascii_alphanumeric()
                    && middle
                        .iter()
                        .all(|&m| m.is_ascii_alphanumeric() || m == b'-' || m == b'_')
            }
        }
    };
    let labels: Vec<&str> = rest.split('.').collect();
    labels.len() >= 2 && labels.iter().all(|l| label_ok(l))
}

/// One `networks` item: the CRD's `isCIDR` (Go's `netip.ParsePrefix`: no
/// leading zeros in IPv4 octets or in the prefix length, no zone) and no
/// IPv4-mapped IPv6 address, at most 43 characters. `isCIDR` accepts host
/// bits set: the CIDR is read as its network, with a warning.
pub fn cidr(value: &str, path: &FieldPath, c: &mut Checker) -> Option<IpNet> {
    let len = value.chars().count();
    if len > MAX_CIDR_LENGTH {
        c.error(
            path.clone(),
            format!(
                "invalid value: must be no more than {MAX_CIDR_LENGTH} characters (it has {len})"
            ),
        );
        return None;
    }
    let invalid = |c: &mut Checker, why: &str| {
        c.error(
            path.clone(),
            format!("`{value}` is not a valid CIDR: {why}"),
        );
    };
    let Some((addr, bits)) = value.rsplit_once('/') else {
        invalid(c, "it needs a prefix length, e.g. `/32`");
        return None;
    };
    let Ok(ip) = addr.parse::<IpAddr>() else {
        invalid(
            c,
            "the address is not an IPv4 or IPv6 address (IPv4 octets may not have leading zeros)",
        );
        return None;
    };
    if let IpAddr::V6(v6) = ip
        && v6.to_ipv4_mapped().is_some()
    {
        invalid(c, "IPv4-mapped IPv6 addresses are not allowed");
        return None;
    }
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let digits = !bits.is_empty() && bits.bytes().all(|b| b.is_ascii_digit());
    let leading_zero = bits.len() > 1 && bits.starts_with('0');
    let prefix = bits
        .parse::<u8>()
        .ok()
        .filter(|&p| digits && !leading_zero && p <= max);
    let Some(prefix) = prefix else {
        invalid(
            c,
            &format!("the prefix length must be a number from 0 to {max}, without leading zeros"),
        );
        return None;
    };
    let net = IpNet::new(ip, prefix).ok()?;
    if net.trunc() != net {
        c.warn(
            path.clone(),
            format!(
                "`{value}` has host bits set; it is read as `{}`",
                net.trunc()
            ),
        );
    }
    Some(net.trunc())
}

/// The rule-level CEL rule of egress rules: a named port cannot be used
/// with a peer that has no named ports (`networks`, `nodes`,
/// `domainNames`). `named` are the paths and names of the rule's named
/// ports.
pub fn named_ports_need_pods(
    peers: &[EgressPeerDef],
    named: &[(FieldPath, &str)],
    c: &mut Checker,
) {
    let Some((i, field)) = peers
        .iter()
        .enumerate()
        .find_map(|(i, p)| p.without_named_ports().map(|f| (i, f)))
    else {
        return;
    };
    for (path, name) in named {
        c.error(
            path.clone(),
            format!("named port `{name}` cannot be used in this rule: its peer `to[{i}]` is `{field}`, and networks/nodes/domainNames peers have no named ports"),
        );
    }
}

/// A named port: kept as written; a name no container port can have
/// (`IANA_SVC_NAME`) matches nothing (warning).
pub fn named_port(name: &str, path: &FieldPath, c: &mut Checker) -> String {
    let problems = names::port_name(name);
    if let Some(p) = problems.first() {
        c.warn(
            path.clone(),
            format!("`{name}` is not a valid container port name ({p}): it matches no port"),
        );
    }
    name.to_owned()
}

/// A port number field (`port`, `start`, `end`, `number`): required,
/// 1..=65535.
pub fn port_number(value: Option<i64>, path: &FieldPath, c: &mut Checker) -> Option<u16> {
    let Some(n) = value else {
        c.error(path.clone(), format!("`{}` is required", last_key(path)));
        return None;
    };
    names::port_number(n)
        .map_err(|m| c.error(path.clone(), format!("invalid value `{n}`: {m}")))
        .ok()
}

/// A v1alpha1 `protocol`: `TCP` when absent (the CRD's default). The CRD
/// types it as a plain string, so the API server accepts any value; one
/// that is not `TCP`, `UDP` or `SCTP` matches no traffic (warning).
pub fn protocol(value: Option<&str>, path: &FieldPath, c: &mut Checker) -> Option<Protocol> {
    let Some(s) = value else {
        return Some(Protocol::Tcp);
    };
    let p = Protocol::parse(s);
    if p.is_none() {
        c.warn(
            path.clone(),
            format!("`{s}` is not `TCP`, `UDP` or `SCTP` (the API server accepts any string here): this port matches no traffic"),
        );
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> (Option<IpNet>, Checker) {
        let mut c = Checker::default();
        (cidr(s, &FieldPath::root(), &mut c), c)
    }

    #[test]
    fn cidrs_follow_is_cidr() {
        for (s, net) in [
            ("10.0.0.0/8", "10.0.0.0/8"),
            ("0.0.0.0/0", "0.0.0.0/0"),
            ("fd00::/8", "fd00::/8"),
            ("64:ff9b::1.2.3.0/120", "64:ff9b::102:300/120"),
        ] {
            let (n, c) = parse(s);
            assert_eq!(n.map(|n| n.to_string()).as_deref(), Some(net), "{s}");
            assert!(c.errors.is_empty() && c.warnings.is_empty(), "{s}: {c:?}");
        }
        for s in [
            "10.0.0.0",
            "10.0.0.0/33",
            "::/129",
            "010.0.0.0/8",
            "10.0.0.0/08",
            "10.0.0.0/+8",
            "10.0.0.0/",
            "::ffff:10.0.0.0/104",
            "fe80::%eth0/64",
            "x/8",
            "",
            "1234:5678:9abc:def0:1234:5678:9abc:def0/128x",
        ] {
            let (n, c) = parse(s);
            assert!(n.is_none() && c.has_errors(), "{s}");
        }
    }

    #[test]
    fn host_bits_are_accepted_with_a_warning() {
        let (n, c) = parse("10.1.2.3/8");
        assert_eq!(n.map(|n| n.to_string()).as_deref(), Some("10.0.0.0/8"));
        assert!(c.errors.is_empty());
        assert_eq!(c.warnings.len(), 1);
    }

    #[test]
    fn domain_name_pattern() {
        for s in [
            "kubernetes.io",
            "*.kubernetes.io",
            "blog.kubernetes.io.",
            "a_b.c",
            "x.y",
        ] {
            assert!(is_domain_name(s, false), "{s}");
        }
        for s in [
            "kubernetes",
            "*kubernetes.io",
            "kubernetes..io",
            "-a.io",
            "a-.io",
            "_a.io",
            "a.*.io",
            "",
        ] {
            assert!(!is_domain_name(s, false), "{s}");
        }
        // v1alpha1's `A-z` class admits `_` first.
        assert!(is_domain_name("_a.io", true));
    }

    #[test]
    fn list_sizes() {
        let mut c = Checker::default();
        let p = FieldPath::root().key("from");
        sized::<u8>(None, true, 2, &p, &mut c);
        sized::<u8>(Some(&[]), false, 2, &p, &mut c);
        sized(Some(&[1, 2, 3]), false, 2, &p, &mut c);
        sized(Some(&[1, 2]), true, 2, &p, &mut c);
        sized::<u8>(None, false, 2, &p, &mut c);
        let messages: Vec<&str> = c.errors.iter().map(|e| e.1.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("required"));
        assert!(messages[1].contains("must not be empty"));
        assert!(messages[2].contains("at most 2"));
    }
}
