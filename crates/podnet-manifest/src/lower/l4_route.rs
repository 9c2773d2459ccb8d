//! Gateway API `TLSRoute` (gateway.networking.k8s.io/v1alpha2, v1alpha3,
//! v1), `TCPRoute` and `UDPRoute` (v1alpha2, v1): rules without matches, each
//! to weighted Service backends; a TLSRoute's `hostnames` select by SNI.
//! Checked as the CRDs' OpenAPI schemas are (`rules` 1 to 16, names
//! unique, at most 16 backendRefs each).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use podnet_model::{RouteKind, RouteMatch, RouteRule, Source};
use serde::Deserialize;

use super::gateway_route::{
    BackendRefSpec, MAX_RULES, ParentReference, backends, check_rules, route_head,
};
use super::netpol::LineOf;
use super::records::PendingGatewayRoute;
use crate::path::FieldPath;
use crate::validate::Checker;

/// A `TLSRoute`, `TCPRoute` or `UDPRoute`.
#[derive(Debug, Default, Deserialize)]
pub struct L4RouteObject {
    /// Metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Spec.
    #[serde(default)]
    pub spec: L4RouteSpec,
}

/// The fields of the spec podnet reads.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct L4RouteSpec {
    /// `parentRefs`.
    #[serde(default)]
    pub parent_refs: Vec<ParentReference>,
    /// `hostnames` (TLSRoute only).
    #[serde(default)]
    pub hostnames: Vec<String>,
    /// `rules`.
    #[serde(default)]
    pub rules: Vec<L4RouteRule>,
}

/// One `rules` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct L4RouteRule {
    /// `name`.
    pub name: Option<String>,
    /// `backendRefs`.
    #[serde(default)]
    pub backend_refs: Vec<BackendRefSpec>,
}

/// Checks and lowers one TLSRoute, TCPRoute or UDPRoute.
pub fn l4_route(
    r: &L4RouteObject,
    kind: RouteKind,
    base: &FieldPath,
    source: Source,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> PendingGatewayRoute {
    let spec = &r.spec;
    let at = base.key("spec");
    if kind != RouteKind::Tls && !spec.hostnames.is_empty() {
        c.warn(
            at.key("hostnames"),
            format!("{} has no `hostnames`: ignored", kind.as_str()),
        );
    }
    let hostnames: &[String] = if kind == RouteKind::Tls {
        &spec.hostnames
    } else {
        &[]
    };
    let mut pending = route_head(
        &r.metadata,
        kind,
        &spec.parent_refs,
        hostnames,
        base,
        source,
        c,
    );
    let rules_at = at.key("rules");
    if spec.rules.is_empty() {
        c.error(rules_at.clone(), "rules: at least 1 item is required");
    }
    let names: Vec<Option<&str>> = spec.rules.iter().map(|r| r.name.as_deref()).collect();
    let counts = vec![1; spec.rules.len().min(MAX_RULES + 1)];
    check_rules(&names, &counts, &rules_at, c);
    for (i, rule) in spec.rules.iter().enumerate() {
        let at = rules_at.index(i);
        let (backends, unsupported) = backends(
            &rule.backend_refs,
            pending.route.kind,
            &pending.namespace,
            &at.key("backendRefs"),
            line_of,
            c,
        );
        pending.route.rules.push(RouteRule {
            name: rule.name.clone(),
            matches: vec![RouteMatch::default()],
            backends,
            unsupported,
            filters: 0,
            redirect: None,
            line: line_of(&at),
        });
    }
    pending
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::testing::source;

    fn lower(kind: RouteKind, json: serde_json::Value) -> (PendingGatewayRoute, Checker) {
        let r: L4RouteObject = serde_json::from_value(json).unwrap_or_default();
        let mut c = Checker::default();
        let p = l4_route(&r, kind, &FieldPath::root(), source(), &|_| Some(4), &mut c);
        (p, c)
    }

    #[test]
    fn tls_routes_keep_hostnames_tcp_routes_ignore_them() {
        let spec = serde_json::json!({
            "metadata": {"name": "r", "namespace": "ns"},
            "spec": {"parentRefs": [{"name": "gw"}], "hostnames": ["a.example.com"],
                "rules": [{"backendRefs": [{"name": "s", "port": 443}]}]}
        });
        let (p, c) = lower(RouteKind::Tls, spec.clone());
        assert!(c.errors.is_empty() && c.warnings.is_empty());
        assert_eq!(p.route.hostnames, ["a.example.com"]);
        assert_eq!(p.route.kind, RouteKind::Tls);
        assert_eq!(p.route.rules[0].backends[0].port, Some(443));
        assert_eq!(p.route.rules[0].matches, [RouteMatch::default()]);
        let (p, c) = lower(RouteKind::Tcp, spec);
        assert!(p.route.hostnames.is_empty());
        assert_eq!(c.warnings.len(), 1);
    }

    #[test]
    fn rules_are_required() {
        let (_, c) = lower(
            RouteKind::Udp,
            serde_json::json!({"metadata": {"name": "r"}, "spec": {"parentRefs": [{"name": "gw"}]}}),
        );
        assert_eq!(c.errors.len(), 1);
        assert_eq!(c.errors[0].0.to_string(), "spec.rules");
    }
}
