//! Egress peers of the admin policy kinds: `namespaces`, `pods`, `nodes`,
//! `networks` (CIDRs) and `domainNames`.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use podnet_model::{AdminPeer, IpSet};
use serde::Deserialize;

use super::Flavor;
use super::fields::{exactly_one, no_duplicates, sized};
use super::rules::PeerItem;
use super::subject::{NamespacedPodDef, selected};
use crate::path::FieldPath;
use crate::validate::Checker;
use crate::validate::addresses::is_cidr;
use crate::validate::selector::label_selector;

/// `maxItems` of `networks` and `domainNames`.
pub const MAX_NETWORKS: usize = 25;

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

impl PeerItem for EgressPeerDef {
    fn lower(&self, flavor: &Flavor, path: &FieldPath, c: &mut Checker) -> Option<AdminPeer> {
        egress_peer(self, flavor, path, c)
    }

    fn without_named_ports(&self) -> Option<&'static str> {
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

/// An egress peer: exactly one of `namespaces`, `pods`, `nodes`, `networks`
/// (and `domainNames` where the kind has it).
fn egress_peer(
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
    let fields = [
        ("namespaces", def.namespaces.is_some()),
        ("pods", def.pods.is_some()),
        ("nodes", def.nodes.is_some()),
        ("networks", def.networks.is_some()),
        ("domainNames", def.domain_names.is_some()),
    ];
    let kinds = if flavor.domain_names { 5 } else { 4 };
    if !exactly_one(&fields[..kinds], "a peer", path, c) {
        return None;
    }
    if def.namespaces.is_some() || def.pods.is_some() {
        return selected(def.namespaces.as_ref(), def.pods.as_ref(), flavor, path, c);
    }
    if let Some(n) = &def.nodes {
        return Some(AdminPeer::Nodes(label_selector(
            Some(n),
            &path.key("nodes"),
            c,
        )));
    }
    if let Some(list) = &def.networks {
        return Some(AdminPeer::Networks(networks(
            list,
            &path.key("networks"),
            c,
        )));
    }
    let list = def.domain_names.as_deref().unwrap_or_default();
    domain_names(list, flavor, &path.key("domainNames"), c);
    Some(AdminPeer::Networks(IpSet::empty()))
}

/// `networks`: 1 to 25 distinct CIDRs; their union.
fn networks(list: &[String], path: &FieldPath, c: &mut Checker) -> IpSet {
    sized(Some(list), true, MAX_NETWORKS, path, c);
    no_duplicates(list, path, c);
    let mut set = IpSet::empty();
    for (i, s) in list.iter().enumerate() {
        if let Some(net) = is_cidr(s, &path.index(i), c) {
            set = set.union(&IpSet::from_net(&net));
        }
    }
    set
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
