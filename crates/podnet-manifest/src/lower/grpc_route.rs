//! Gateway API `GRPCRoute` (gateway.networking.k8s.io/v1): rules of gRPC
//! service/method and header matches to weighted Service backends, checked
//! as the CRD's OpenAPI schema and CEL rules are. A rule without matches
//! matches every request.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use podnet_model::{GrpcMethodMatch, RouteKind, RouteMatch, RouteRule, Source, ValueMatchKind};
use serde::Deserialize;

use super::gateway_route::{
    BackendRefSpec, HeaderMatchSpec, ParentReference, backends, check_rules, header_matches,
    route_head, value_kind,
};
use super::netpol::LineOf;
use super::records::PendingGatewayRoute;
use crate::path::FieldPath;
use crate::validate::Checker;

/// Most matches of a rule.
const MAX_MATCHES: usize = 8;

/// A `GRPCRoute`.
#[derive(Debug, Default, Deserialize)]
pub struct GrpcRouteObject {
    /// Metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Spec.
    #[serde(default)]
    pub spec: GrpcRouteSpec,
}

/// The fields of a GRPCRoute spec podnet reads.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrpcRouteSpec {
    /// `parentRefs`.
    #[serde(default)]
    pub parent_refs: Vec<ParentReference>,
    /// `hostnames`.
    #[serde(default)]
    pub hostnames: Vec<String>,
    /// `rules`.
    #[serde(default)]
    pub rules: Vec<GrpcRouteRule>,
}

/// One `rules` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrpcRouteRule {
    /// `name`.
    pub name: Option<String>,
    /// `matches`.
    #[serde(default)]
    pub matches: Vec<GrpcRouteMatchSpec>,
    /// `backendRefs`.
    #[serde(default)]
    pub backend_refs: Vec<BackendRefSpec>,
    /// `filters` (counted, not read).
    #[serde(default)]
    pub filters: Vec<serde::de::IgnoredAny>,
}

/// One `matches` entry.
#[derive(Debug, Default, Deserialize)]
pub struct GrpcRouteMatchSpec {
    /// `method`.
    pub method: Option<GrpcMethodMatchSpec>,
    /// `headers`.
    #[serde(default)]
    pub headers: Vec<HeaderMatchSpec>,
}

/// `method`.
#[derive(Debug, Default, Deserialize)]
pub struct GrpcMethodMatchSpec {
    /// `type` (Exact when omitted).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `service`.
    pub service: Option<String>,
    /// `method`.
    pub method: Option<String>,
}

/// Checks and lowers one GRPCRoute.
pub fn grpc_route(
    r: &GrpcRouteObject,
    base: &FieldPath,
    source: Source,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> PendingGatewayRoute {
    let spec = &r.spec;
    let mut pending = route_head(
        &r.metadata,
        RouteKind::Grpc,
        &spec.parent_refs,
        &spec.hostnames,
        base,
        source,
        c,
    );
    let at = base.key("spec").key("rules");
    let rule_names: Vec<Option<&str>> = spec.rules.iter().map(|r| r.name.as_deref()).collect();
    let counts: Vec<usize> = spec.rules.iter().map(|r| r.matches.len()).collect();
    check_rules(&rule_names, &counts, &at, c);
    for (i, rule) in spec.rules.iter().enumerate() {
        let at = at.index(i);
        let m_at = at.key("matches");
        super::gateway::too_many(rule.matches.len(), MAX_MATCHES, &m_at, c);
        let mut matches: Vec<RouteMatch> = rule
            .matches
            .iter()
            .enumerate()
            .map(|(j, m)| RouteMatch {
                grpc: m
                    .method
                    .as_ref()
                    .map(|x| method_match(x, &m_at.index(j).key("method"), c)),
                headers: header_matches(&m.headers, false, &m_at.index(j).key("headers"), c),
                ..RouteMatch::default()
            })
            .collect();
        if matches.is_empty() {
            matches.push(RouteMatch::default());
        }
        let (backends, unsupported) = backends(
            &rule.backend_refs,
            RouteKind::Grpc,
            &pending.namespace,
            &at.key("backendRefs"),
            line_of,
            c,
        );
        pending.route.rules.push(RouteRule {
            name: rule.name.clone(),
            matches,
            backends,
            unsupported,
            filters: rule.filters.len(),
            redirect: None,
            line: line_of(&at),
        });
    }
    pending
}

/// `^(?i)\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$`.
fn valid_service(s: &str) -> bool {
    let s = s.strip_prefix('.').unwrap_or(s);
    !s.is_empty() && s.split('.').all(valid_identifier)
}

/// `^[A-Za-z_][A-Za-z_0-9]*$`.
fn valid_identifier(s: &str) -> bool {
    let b = s.as_bytes();
    b.first()
        .is_some_and(|f| f.is_ascii_alphabetic() || *f == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// `GRPCMethodMatch` and its CEL rules.
fn method_match(m: &GrpcMethodMatchSpec, at: &FieldPath, c: &mut Checker) -> GrpcMethodMatch {
    let service = m.service.clone().filter(|s| !s.is_empty());
    let method = m.method.clone().filter(|s| !s.is_empty());
    if m.service.is_none() && m.method.is_none() {
        c.error(
            at.clone(),
            "One or both of 'service' or 'method' must be specified",
        );
    }
    let kind = match m.kind.as_deref() {
        Some("RegularExpression") => {
            for p in service.iter().chain(method.iter()) {
                value_kind(Some("RegularExpression"), p, at, c);
            }
            ValueMatchKind::RegularExpression
        }
        other => value_kind(other, "", at, c),
    };
    if kind == ValueMatchKind::Exact {
        if let Some(s) = &m.service
            && !valid_service(s)
        {
            c.error(
                at.key("service"),
                format!("invalid value `{s}`: service must only contain valid characters (matching ^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$)"),
            );
        }
        if let Some(x) = &m.method
            && !valid_identifier(x)
        {
            c.error(
                at.key("method"),
                format!("invalid value `{x}`: method must only contain valid characters (matching ^[A-Za-z_][A-Za-z_0-9]*$)"),
            );
        }
    }
    GrpcMethodMatch {
        kind,
        service,
        method,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_and_method_names() {
        assert!(valid_service("grpc.health.v1.Health") && valid_service(".pkg.Svc"));
        assert!(!valid_service("pkg..Svc") && !valid_service("1pkg"));
        assert!(valid_identifier("Check") && !valid_identifier("Check-1"));
    }
}
