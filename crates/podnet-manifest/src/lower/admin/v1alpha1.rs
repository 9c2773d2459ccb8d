//! `AdminNetworkPolicy` and `BaselineAdminNetworkPolicy`
//! (policy.networking.k8s.io/v1alpha1), cluster-scoped.
//!
//! An AdminNetworkPolicy has a `priority` (0..=1000) and `Allow`, `Deny`
//! or `Pass` rules; the BaselineAdminNetworkPolicy is a singleton that must
//! be named `default` (a CEL rule on the object), has no priority and only
//! `Allow` and `Deny`. Both have up to 100 ingress and 100 egress rules,
//! each with 1..=100 peers and optionally 1..=100 `ports`, each port exactly
//! one of `portNumber`, `namedPort` or `portRange`.

use podnet_model::{AdminAction, AdminApi, AdminPolicy, AdminPort, Source, Tier};
use serde::Deserialize;

use super::fields::{exactly_one, priority};
use super::ports::{named_port, port_number, range_ends};
use super::rules::{self, rule_defs};
use super::subject::SelectorsDef;
use super::{Flavor, PolicyObject, meta};
use crate::lower::netpol::LineOf;
use crate::path::FieldPath;
use crate::validate::UnknownProtocol::MatchesNothing;
use crate::validate::{Checker, protocol};

/// The only name a BaselineAdminNetworkPolicy may have.
pub const BANP_NAME: &str = "default";

/// `spec` of both kinds (`priority` is the AdminNetworkPolicy's only).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Spec {
    /// `priority` (AdminNetworkPolicy: required).
    pub priority: Option<i64>,
    /// `subject` (required).
    pub subject: Option<SelectorsDef>,
    /// `ingress` rules.
    pub ingress: Option<Vec<IngressRuleDef>>,
    /// `egress` rules.
    pub egress: Option<Vec<EgressRuleDef>>,
}

rule_defs!(ports: PortDef, "1..=100 peers, 1..=100 ports when present");

/// `AdminNetworkPolicyPort`: exactly one field.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PortDef {
    /// `portNumber`.
    pub port_number: Option<PortNumberDef>,
    /// `namedPort` (experimental).
    pub named_port: Option<String>,
    /// `portRange`.
    pub port_range: Option<PortRangeDef>,
}

/// `Port`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PortNumberDef {
    /// `protocol` (default TCP).
    pub protocol: Option<String>,
    /// `port` (required, 1..=65535).
    pub port: Option<i64>,
}

/// `PortRange`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PortRangeDef {
    /// `protocol` (default TCP).
    pub protocol: Option<String>,
    /// `start` (required, 1..=65535).
    pub start: Option<i64>,
    /// `end` (required, 1..=65535).
    pub end: Option<i64>,
}

/// An AdminNetworkPolicy or BaselineAdminNetworkPolicy object.
pub type Object = PolicyObject<Spec>;

const ANP: Flavor = Flavor {
    api: AdminApi::AdminNetworkPolicy,
    namespace_selector_required: true,
    domain_names: true,
    lax_domain_pattern: true,
    max_rules: 100,
    max_peers: 100,
    max_ports: 100,
    actions: &[
        ("Allow", AdminAction::Allow),
        ("Deny", AdminAction::Deny),
        ("Pass", AdminAction::Pass),
    ],
};

const BANP: Flavor = Flavor {
    api: AdminApi::BaselineAdminNetworkPolicy,
    domain_names: false,
    actions: &[("Allow", AdminAction::Allow), ("Deny", AdminAction::Deny)],
    ..ANP
};

/// Checks and lowers an AdminNetworkPolicy.
pub fn admin_network_policy(
    obj: &Object,
    base: &FieldPath,
    source: Source,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> Option<AdminPolicy> {
    lower(obj, &ANP, base, source, line_of, c)
}

/// Checks and lowers the BaselineAdminNetworkPolicy.
pub fn baseline_admin_network_policy(
    obj: &Object,
    base: &FieldPath,
    source: Source,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> Option<AdminPolicy> {
    lower(obj, &BANP, base, source, line_of, c)
}

fn lower(
    obj: &Object,
    flavor: &Flavor,
    base: &FieldPath,
    source: Source,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> Option<AdminPolicy> {
    let meta = meta(&obj.metadata, flavor.api, base, source, c);
    let baseline = flavor.api == AdminApi::BaselineAdminNetworkPolicy;
    if baseline && obj.metadata.name.as_deref() != Some(BANP_NAME) {
        let rule = format!(
            "only one BaselineAdminNetworkPolicy, with metadata.name \"{BANP_NAME}\", can be created in the cluster"
        );
        let message = match obj.metadata.name.as_deref().filter(|n| !n.is_empty()) {
            Some(written) => format!("invalid value `{written}`: {rule}"),
            None => format!("`name` must be \"{BANP_NAME}\": {rule}"),
        };
        c.error(base.key("metadata").key("name"), message);
    }
    let (spec, at) = obj.spec_at(base, c)?;
    let priority = if baseline {
        if spec.priority.is_some() {
            c.error(
                at.key("priority"),
                "unknown field `priority`: a BaselineAdminNetworkPolicy has no priority",
            );
        }
        None
    } else {
        priority(spec.priority, &at.key("priority"), c)
    };
    let tier = if baseline {
        Tier::Baseline
    } else {
        Tier::Admin
    };
    rules::body(
        spec.subject.as_ref(),
        spec.ingress.as_deref(),
        spec.egress.as_deref(),
        flavor,
        &at,
        line_of,
        c,
    )
    .policy(meta, flavor, tier, priority)
}

impl rules::PortItem for PortDef {
    fn lower(&self, at: &FieldPath, c: &mut Checker) -> Option<AdminPort> {
        port(self, at, c)
    }

    fn named(&self) -> Option<(&'static str, &str)> {
        Some(("namedPort", self.named_port.as_deref()?))
    }
}

fn port(p: &PortDef, at: &FieldPath, c: &mut Checker) -> Option<AdminPort> {
    let fields = [
        ("portNumber", p.port_number.is_some()),
        ("namedPort", p.named_port.is_some()),
        ("portRange", p.port_range.is_some()),
    ];
    if !exactly_one(&fields, "a port", at, c) {
        return None;
    }
    if let Some(n) = &p.port_number {
        let at = at.key("portNumber");
        let protocol = protocol(
            n.protocol.as_deref(),
            MatchesNothing,
            &at.key("protocol"),
            c,
        );
        let port = port_number(n.port, &at.key("port"), c);
        return Some(AdminPort::Number {
            protocol: protocol?,
            port: port?,
        });
    }
    if let Some(name) = &p.named_port {
        return Some(AdminPort::Named(named_port(name, &at.key("namedPort"), c)));
    }
    let r = p.port_range.as_ref()?;
    let at = at.key("portRange");
    let protocol = protocol(
        r.protocol.as_deref(),
        MatchesNothing,
        &at.key("protocol"),
        c,
    );
    let (start, end) = range_ends(r.start, r.end, &at, c)?;
    // The types document "Start must be less than End", but v1alpha1 has no
    // CEL rule for it (v1alpha2 does): the API server accepts the object.
    if start == end {
        c.warn(
            at.clone(),
            format!("`start` ({start}) is not less than `end` as documented; the API server accepts it (v1alpha1 has no rule for it): the range is the single port {start}"),
        );
    } else if start > end {
        c.warn(
            at.clone(),
            format!("`start` ({start}) is after `end` ({end}); the API server accepts it (v1alpha1 has no rule for it), but the range holds no port: it matches no traffic"),
        );
        return None;
    }
    Some(AdminPort::Range {
        protocol: protocol?,
        start,
        end,
    })
}

#[cfg(test)]
mod tests {
    use podnet_model::{AdminPeer, AdminSubject, IpSet, Protocol};

    use super::*;
    use crate::lower::testing::source;

    fn anp(json: serde_json::Value) -> (Option<AdminPolicy>, Checker) {
        run(json, admin_network_policy)
    }

    fn banp(json: serde_json::Value) -> (Option<AdminPolicy>, Checker) {
        run(json, baseline_admin_network_policy)
    }

    type Lower = fn(&Object, &FieldPath, Source, LineOf<'_>, &mut Checker) -> Option<AdminPolicy>;

    fn run(json: serde_json::Value, f: Lower) -> (Option<AdminPolicy>, Checker) {
        let mut c = Checker::default();
        let obj: Object = match serde_json::from_value(json) {
            Ok(o) => o,
            Err(e) => {
                c.error(FieldPath::root(), e.to_string());
                return (None, c);
            }
        };
        let line_of = |_: &FieldPath| Some(7);
        let p = f(&obj, &FieldPath::root(), source(), &line_of, &mut c);
        (p, c)
    }

    fn errors(c: &Checker) -> Vec<String> {
        c.errors.iter().map(|e| e.0.to_string()).collect()
    }

    #[test]
    fn admin_network_policy_lowers() {
        let (p, c) = anp(serde_json::json!({
            "apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy",
            "metadata": {"name": "a"},
            "spec": {"priority": 10, "subject": {"namespaces": {"matchLabels": {"x": "y"}}},
                "ingress": [{"name": "in", "action": "Pass", "from": [{"namespaces": {}}]}],
                "egress": [{"action": "Deny", "to": [{"networks": ["10.0.0.0/8", "10.1.0.0/16"]}],
                    "ports": [{"portNumber": {"port": 53, "protocol": "UDP"}},
                              {"portRange": {"start": 80, "end": 90}}]}]}
        }));
        assert!(!c.has_errors(), "{:?}", c.errors);
        let p = p.unwrap();
        assert_eq!(p.priority, Some(10));
        assert_eq!(p.tier, Tier::Admin);
        assert!(matches!(p.subject, AdminSubject::Namespaces(_)));
        assert_eq!(p.ingress[0].action, AdminAction::Pass);
        assert_eq!(p.ingress[0].name.as_deref(), Some("in"));
        assert_eq!(p.ingress[0].line, Some(7));
        assert_eq!(p.ingress[0].ports, None);
        let net: ipnet::IpNet = "10.0.0.0/8".parse().unwrap();
        assert_eq!(
            p.egress[0].peers,
            vec![AdminPeer::Networks(IpSet::from_net(&net))]
        );
        assert_eq!(
            p.egress[0].ports,
            Some(vec![
                AdminPort::Number {
                    protocol: Protocol::Udp,
                    port: 53
                },
                AdminPort::Range {
                    protocol: Protocol::Tcp,
                    start: 80,
                    end: 90
                },
            ])
        );
    }

    #[test]
    fn baseline_is_the_default_singleton_without_pass() {
        let spec = serde_json::json!({"subject": {"pods": {"namespaceSelector": {}, "podSelector": {}}},
            "egress": [{"action": "Pass", "to": [{"nodes": {}}]}]});
        let (_, c) = banp(serde_json::json!({
            "apiVersion": "v", "kind": "k", "metadata": {"name": "other"}, "spec": spec
        }));
        assert_eq!(errors(&c), ["metadata.name", "spec.egress[0].action"]);
        let (p, c) = banp(serde_json::json!({
            "apiVersion": "v", "kind": "k", "metadata": {"name": "default"},
            "spec": {"subject": {"namespaces": {}}, "priority": 3}
        }));
        assert_eq!(errors(&c), ["spec.priority"]);
        assert_eq!(
            p.map(|p| (p.tier, p.priority)),
            Some((Tier::Baseline, None))
        );
    }

    #[test]
    fn v1alpha1_port_ranges_are_not_checked_by_the_api_server() {
        let (p, c) = anp(serde_json::json!({
            "apiVersion": "v", "kind": "k", "metadata": {"name": "a"},
            "spec": {"priority": 1, "subject": {"namespaces": {}},
                "ingress": [{"action": "Allow", "from": [{"namespaces": {}}],
                    "ports": [{"portRange": {"start": 90, "end": 80}},
                              {"portRange": {"start": 80, "end": 80, "protocol": "SCTP"}},
                              {"portNumber": {"port": 1, "protocol": "ICMP"}}]}]}
        }));
        assert!(!c.has_errors(), "{:?}", c.errors);
        assert_eq!(c.warnings.len(), 3, "{:?}", c.warnings);
        assert_eq!(
            p.unwrap().ingress[0].ports,
            Some(vec![AdminPort::Range {
                protocol: Protocol::Sctp,
                start: 80,
                end: 80
            }])
        );
    }

    #[test]
    fn field_errors() {
        let base = |spec: serde_json::Value| serde_json::json!({"apiVersion": "v", "kind": "k", "metadata": {"name": "a"}, "spec": spec});
        let peer = serde_json::json!([{"namespaces": {}}]);
        for (spec, path) in [
            (
                serde_json::json!({"subject": {"namespaces": {}}}),
                "spec.priority",
            ),
            (
                serde_json::json!({"priority": 1001, "subject": {"namespaces": {}}}),
                "spec.priority",
            ),
            (serde_json::json!({"priority": 1}), "spec.subject"),
            (
                serde_json::json!({"priority": 1, "subject": {}}),
                "spec.subject",
            ),
            (
                serde_json::json!({"priority": 1, "subject": {"pods": {"podSelector": {}}}}),
                "spec.subject.pods.namespaceSelector",
            ),
            (
                serde_json::json!({"priority": 1, "subject": {"namespaces": {}},
                    "ingress": [{"action": "Allow", "from": []}]}),
                "spec.ingress[0].from",
            ),
            (
                serde_json::json!({"priority": 1, "subject": {"namespaces": {}},
                    "ingress": [{"action": "Allow", "from": peer, "ports": []}]}),
                "spec.ingress[0].ports",
            ),
            (
                serde_json::json!({"priority": 1, "subject": {"namespaces": {}},
                    "ingress": [{"action": "Allow", "from": peer,
                        "ports": [{"namedPort": "http", "portNumber": {"port": 80}}]}]}),
                "spec.ingress[0].ports[0]",
            ),
            (
                serde_json::json!({"priority": 1, "subject": {"namespaces": {}},
                    "egress": [{"action": "Allow", "to": [{"networks": ["10.0.0.0/8"]}],
                        "ports": [{"namedPort": "http"}]}]}),
                "spec.egress[0].ports[0].namedPort",
            ),
            (
                serde_json::json!({"priority": 1, "subject": {"namespaces": {}},
                    "egress": [{"action": "Allow", "to": [{"networks": ["10.0.0.0/8", "10.0.0.0/8"]}]}]}),
                "spec.egress[0].to[0].networks[1]",
            ),
            (
                serde_json::json!({"priority": 1, "subject": {"namespaces": {}},
                    "egress": [{"action": "Allow", "to": [{"networks": []}]}]}),
                "spec.egress[0].to[0].networks",
            ),
            (
                serde_json::json!({"priority": 1, "subject": {"namespaces": {}},
                    "ingress": [{"action": "Allow", "from": peer,
                        "ports": [{"portNumber": {"port": 0}}]}]}),
                "spec.ingress[0].ports[0].portNumber.port",
            ),
        ] {
            let (_, c) = anp(base(spec));
            assert_eq!(errors(&c), [path]);
        }
    }

    #[test]
    fn too_many_rules_and_long_names() {
        let rule = serde_json::json!({"action": "Allow", "from": [{"namespaces": {}}]});
        let rules: Vec<serde_json::Value> = (0..101).map(|_| rule.clone()).collect();
        let (_, c) = anp(serde_json::json!({
            "apiVersion": "v", "kind": "k", "metadata": {"name": "a"},
            "spec": {"priority": 1, "subject": {"namespaces": {}}, "ingress": rules}
        }));
        assert_eq!(errors(&c), ["spec.ingress"]);
        let (_, c) = anp(serde_json::json!({
            "apiVersion": "v", "kind": "k", "metadata": {"name": "a"},
            "spec": {"priority": 1, "subject": {"namespaces": {}},
                "ingress": [{"name": "x".repeat(101), "action": "Allow", "from": [{"namespaces": {}}]}]}
        }));
        assert_eq!(errors(&c), ["spec.ingress[0].name"]);
    }
}
