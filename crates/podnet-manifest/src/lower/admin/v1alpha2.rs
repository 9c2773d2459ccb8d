//! `ClusterNetworkPolicy` (policy.networking.k8s.io/v1alpha2), the merged
//! API, cluster-scoped: `tier` `Admin` or `Baseline`, `priority` 0..=1000
//! in both tiers, up to 25 ingress and 25 egress rules with `Accept`
//! (podnet's [`AdminAction::Allow`]), `Deny` or `Pass`, 1..=25 peers and
//! optionally 1..=25 `protocols`, each exactly one of `tcp`, `udp`, `sctp`
//! (each with a `destinationPort`: a `number` or a `range` with
//! `start < end`) or `destinationNamedPort`.

use podnet_model::{AdminAction, AdminApi, AdminPolicy, AdminPort, Protocol, Source, Tier};
use serde::Deserialize;

use super::fields::{exactly_one, priority, required};
use super::ports::{named_port, port_number, range_ends};
use super::rules::{self, rule_defs};
use super::subject::SelectorsDef;
use super::{Flavor, PolicyObject, meta};
use crate::lower::netpol::LineOf;
use crate::path::FieldPath;
use crate::validate::{Checker, unsupported};

/// `spec` of a ClusterNetworkPolicy.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Spec {
    /// `tier` (required): `Admin` or `Baseline`.
    pub tier: Option<String>,
    /// `priority` (required, 0..=1000).
    pub priority: Option<i64>,
    /// `subject` (required).
    pub subject: Option<SelectorsDef>,
    /// `ingress` rules.
    pub ingress: Option<Vec<IngressRuleDef>>,
    /// `egress` rules.
    pub egress: Option<Vec<EgressRuleDef>>,
}

rule_defs!(protocols: ProtocolDef, "1..=25 peers, 1..=25 protocols when present");

/// `ClusterNetworkPolicyProtocol`: exactly one field.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProtocolDef {
    /// `tcp`.
    pub tcp: Option<ProtocolPortDef>,
    /// `udp`.
    pub udp: Option<ProtocolPortDef>,
    /// `sctp`.
    pub sctp: Option<ProtocolPortDef>,
    /// `destinationNamedPort` (experimental).
    pub destination_named_port: Option<String>,
}

/// `ClusterNetworkPolicyProtocolTCP` (and UDP, SCTP): `minProperties` 1,
/// so `destinationPort` is in effect required.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProtocolPortDef {
    /// `destinationPort`.
    pub destination_port: Option<PortDef>,
}

/// `Port`: exactly one of `number` or `range`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PortDef {
    /// `number` (1..=65535).
    pub number: Option<i64>,
    /// `range`.
    pub range: Option<RangeDef>,
}

/// `PortRange`: `start` and `end` required, `start < end` (CEL).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RangeDef {
    /// `start`.
    pub start: Option<i64>,
    /// `end`.
    pub end: Option<i64>,
}

/// A ClusterNetworkPolicy object.
pub type Object = PolicyObject<Spec>;

const CNP: Flavor = Flavor {
    api: AdminApi::ClusterNetworkPolicy,
    namespace_selector_required: false,
    domain_names: true,
    lax_domain_pattern: false,
    max_rules: 25,
    max_peers: 25,
    max_ports: 25,
    actions: &[
        ("Accept", AdminAction::Allow),
        ("Deny", AdminAction::Deny),
        ("Pass", AdminAction::Pass),
    ],
};

/// Checks and lowers a ClusterNetworkPolicy.
pub fn cluster_network_policy(
    obj: &Object,
    base: &FieldPath,
    source: Source,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> Option<AdminPolicy> {
    let flavor = &CNP;
    let meta = meta(&obj.metadata, flavor.api, base, source, c);
    let (spec, at) = obj.spec_at(base, c)?;
    let tier = tier(spec.tier.as_deref(), &at.key("tier"), c);
    let priority = priority(spec.priority, &at.key("priority"), c);
    let body = rules::body(
        spec.subject.as_ref(),
        spec.ingress.as_deref(),
        spec.egress.as_deref(),
        flavor,
        &at,
        line_of,
        c,
    );
    body.policy(meta, flavor, tier?, priority)
}

/// `tier`: required, `Admin` or `Baseline`.
fn tier(value: Option<&str>, path: &FieldPath, c: &mut Checker) -> Option<Tier> {
    match required(value, path, c)? {
        "Admin" => Some(Tier::Admin),
        "Baseline" => Some(Tier::Baseline),
        other => {
            unsupported(path, other, &["Admin", "Baseline"], c);
            None
        }
    }
}

impl rules::PortItem for ProtocolDef {
    fn lower(&self, at: &FieldPath, c: &mut Checker) -> Option<AdminPort> {
        protocol_port(self, at, c)
    }

    fn named(&self) -> Option<(&'static str, &str)> {
        Some((
            "destinationNamedPort",
            self.destination_named_port.as_deref()?,
        ))
    }
}

fn protocol_port(p: &ProtocolDef, at: &FieldPath, c: &mut Checker) -> Option<AdminPort> {
    let fields = [
        ("tcp", p.tcp.is_some()),
        ("udp", p.udp.is_some()),
        ("sctp", p.sctp.is_some()),
        ("destinationNamedPort", p.destination_named_port.is_some()),
    ];
    if !exactly_one(&fields, "a protocol", at, c) {
        return None;
    }
    if let Some(name) = &p.destination_named_port {
        return Some(AdminPort::Named(named_port(
            name,
            &at.key("destinationNamedPort"),
            c,
        )));
    }
    let (field, protocol, def) = match (&p.tcp, &p.udp, &p.sctp) {
        (Some(d), _, _) => ("tcp", Protocol::Tcp, d),
        (_, Some(d), _) => ("udp", Protocol::Udp, d),
        (_, _, Some(d)) => ("sctp", Protocol::Sctp, d),
        _ => return None,
    };
    let at = at.key(field);
    let Some(port) = &def.destination_port else {
        c.error(
            at,
            format!("`{field}` must set `destinationPort` (the CRD requires at least 1 field); for every {protocol} port, write `destinationPort: {{range: {{start: 1, end: 65535}}}}`"),
        );
        return None;
    };
    let at = at.key("destinationPort");
    let fields = [
        ("number", port.number.is_some()),
        ("range", port.range.is_some()),
    ];
    if !exactly_one(&fields, "`destinationPort`", &at, c) {
        return None;
    }
    if port.number.is_some() {
        let port = port_number(port.number, &at.key("number"), c)?;
        return Some(AdminPort::Number { protocol, port });
    }
    let r = port.range.as_ref()?;
    let at = at.key("range");
    let (start, end) = range_ends(r.start, r.end, &at, c)?;
    if start >= end {
        c.error(
            at,
            format!("invalid range {start}-{end}: `start` must be less than `end`"),
        );
        return None;
    }
    Some(AdminPort::Range {
        protocol,
        start,
        end,
    })
}

#[cfg(test)]
mod tests {
    use podnet_model::{AdminPeer, AdminSubject, IpSet};

    use super::*;
    use crate::lower::testing::source;

    fn cnp(spec: serde_json::Value) -> (Option<AdminPolicy>, Checker) {
        let mut c = Checker::default();
        let json = serde_json::json!({
            "apiVersion": "policy.networking.k8s.io/v1alpha2", "kind": "ClusterNetworkPolicy",
            "metadata": {"name": "c"}, "spec": spec
        });
        let obj: Object = match serde_json::from_value(json) {
            Ok(o) => o,
            Err(e) => {
                c.error(FieldPath::root(), e.to_string());
                return (None, c);
            }
        };
        let line_of = |_: &FieldPath| Some(3);
        let p = cluster_network_policy(&obj, &FieldPath::root(), source(), &line_of, &mut c);
        (p, c)
    }

    fn errors(c: &Checker) -> Vec<String> {
        c.errors.iter().map(|e| e.0.to_string()).collect()
    }

    #[test]
    fn cluster_network_policy_lowers() {
        let (p, c) = cnp(serde_json::json!({
            "tier": "Baseline", "priority": 0,
            "subject": {"pods": {"podSelector": {"matchLabels": {"app": "a"}}}},
            "ingress": [{"action": "Accept", "from": [{"pods": {"podSelector": {}}}],
                "protocols": [{"tcp": {"destinationPort": {"number": 80}}},
                              {"udp": {"destinationPort": {"range": {"start": 1, "end": 65535}}}},
                              {"destinationNamedPort": "dns"}]}],
            "egress": [{"action": "Pass", "to": [{"domainNames": ["*.example.com"]}]}]
        }));
        assert!(!c.has_errors(), "{:?}", c.errors);
        assert_eq!(c.warnings.len(), 1, "domainNames: {:?}", c.warnings);
        let p = p.unwrap();
        assert_eq!((p.tier, p.priority), (Tier::Baseline, Some(0)));
        let AdminSubject::Pods(pods) = &p.subject else {
            panic!("{:?}", p.subject)
        };
        assert!(
            pods.namespaces.is_empty(),
            "namespaceSelector is optional in v1alpha2"
        );
        assert_eq!(p.ingress[0].action, AdminAction::Allow);
        assert_eq!(
            p.ingress[0].ports,
            Some(vec![
                AdminPort::Number {
                    protocol: Protocol::Tcp,
                    port: 80
                },
                AdminPort::Range {
                    protocol: Protocol::Udp,
                    start: 1,
                    end: 65535
                },
                AdminPort::Named("dns".into()),
            ])
        );
        assert_eq!(p.egress[0].action, AdminAction::Pass);
        assert_eq!(p.egress[0].peers, vec![AdminPeer::Networks(IpSet::empty())]);
    }

    #[test]
    fn field_errors() {
        let subject = serde_json::json!({"namespaces": {}});
        let from = serde_json::json!([{"namespaces": {}}]);
        let rule = |protocols: serde_json::Value| {
            serde_json::json!({"tier": "Admin", "priority": 1, "subject": subject,
                "ingress": [{"action": "Accept", "from": from, "protocols": protocols}]})
        };
        for (spec, path) in [
            (
                serde_json::json!({"priority": 1, "subject": subject}),
                "spec.tier",
            ),
            (
                serde_json::json!({"tier": "Developer", "priority": 1, "subject": subject}),
                "spec.tier",
            ),
            (
                serde_json::json!({"tier": "Admin", "priority": -1, "subject": subject}),
                "spec.priority",
            ),
            (
                serde_json::json!({"tier": "Admin", "priority": 1, "subject": subject,
                    "ingress": [{"action": "Allow", "from": from}]}),
                "spec.ingress[0].action",
            ),
            (
                rule(serde_json::json!([{"tcp": {}}])),
                "spec.ingress[0].protocols[0].tcp",
            ),
            (
                rule(serde_json::json!([{}])),
                "spec.ingress[0].protocols[0]",
            ),
            (
                rule(
                    serde_json::json!([{"udp": {"destinationPort": {"range": {"start": 80, "end": 80}}}}]),
                ),
                "spec.ingress[0].protocols[0].udp.destinationPort.range",
            ),
            (
                rule(
                    serde_json::json!([{"udp": {"destinationPort": {"number": 53, "range": {"start": 1, "end": 2}}}}]),
                ),
                "spec.ingress[0].protocols[0].udp.destinationPort",
            ),
            (
                rule(serde_json::json!([{"sctp": {"destinationPort": {"number": 65536}}}])),
                "spec.ingress[0].protocols[0].sctp.destinationPort.number",
            ),
            (
                serde_json::json!({"tier": "Admin", "priority": 1, "subject": subject,
                    "egress": [{"action": "Deny", "to": [{"nodes": {}}],
                        "protocols": [{"destinationNamedPort": "http"}]}]}),
                "spec.egress[0].protocols[0].destinationNamedPort",
            ),
            (
                serde_json::json!({"tier": "Admin", "priority": 1, "subject": subject,
                    "egress": [{"action": "Deny", "to": [{"domainNames": ["not a name"]}]}]}),
                "spec.egress[0].to[0].domainNames[0]",
            ),
        ] {
            let (_, c) = cnp(spec);
            assert_eq!(errors(&c), [path]);
        }
    }

    #[test]
    fn rule_and_peer_limits_are_25() {
        let peer = serde_json::json!({"namespaces": {}});
        let peers: Vec<serde_json::Value> = (0..26).map(|_| peer.clone()).collect();
        let (_, c) = cnp(
            serde_json::json!({"tier": "Admin", "priority": 1, "subject": {"namespaces": {}},
            "ingress": [{"action": "Deny", "from": peers}]}),
        );
        assert_eq!(errors(&c), ["spec.ingress[0].from"]);
        let rule = serde_json::json!({"action": "Deny", "to": [peer]});
        let rules: Vec<serde_json::Value> = (0..26).map(|_| rule.clone()).collect();
        let (_, c) = cnp(
            serde_json::json!({"tier": "Admin", "priority": 1, "subject": {"namespaces": {}},
            "egress": rules}),
        );
        assert_eq!(errors(&c), ["spec.egress"]);
    }
}
