//! Gateway API `HTTPRoute` (gateway.networking.k8s.io/v1, and v1beta1 which
//! shares the schema): rules of path, header, query and method matches to
//! weighted Service backends, with the CRD's defaults (a route without
//! rules, a rule without matches and a match without path all match
//! `PathPrefix /`) and checked as its OpenAPI schema and CEL rules are.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use podnet_model::{PathMatch, PathMatchKind, RouteKind, RouteMatch, RouteRule, Source};
use serde::Deserialize;

use super::gateway_route::{
    BackendRefSpec, HeaderMatchSpec, ParentReference, backends, check_rules, header_matches,
    route_head,
};
use super::http_redirect::{HttpRouteFilter, check_filters, request_redirect};
use super::netpol::LineOf;
use super::records::PendingGatewayRoute;
use crate::path::FieldPath;
use crate::validate::{Checker, unsupported};

/// Most matches of a rule.
const MAX_MATCHES: usize = 64;
/// The longest path value.
const MAX_PATH: usize = 1024;
/// The methods `method` may name.
const METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];
/// Sequences an Exact or PathPrefix value must not contain.
const INVALID_SEQUENCES: [&str; 6] = ["//", "/./", "/../", "%2f", "%2F", "#"];
/// Suffixes an Exact or PathPrefix value must not end with.
const INVALID_SUFFIXES: [&str; 2] = ["/..", "/."];

/// An `HTTPRoute`.
#[derive(Debug, Default, Deserialize)]
pub struct HttpRouteObject {
    /// Metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Spec.
    #[serde(default)]
    pub spec: HttpRouteSpec,
}

/// The fields of an HTTPRoute spec podnet reads.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteSpec {
    /// `parentRefs`.
    #[serde(default)]
    pub parent_refs: Vec<ParentReference>,
    /// `hostnames`.
    #[serde(default)]
    pub hostnames: Vec<String>,
    /// `rules` (one matching `PathPrefix /` when omitted).
    pub rules: Option<Vec<HttpRouteRule>>,
}

/// One `rules` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteRule {
    /// `name`.
    pub name: Option<String>,
    /// `matches`.
    #[serde(default)]
    pub matches: Vec<HttpRouteMatch>,
    /// `backendRefs`.
    #[serde(default)]
    pub backend_refs: Vec<BackendRefSpec>,
    /// `filters` (counted; `RequestRedirect` is read).
    #[serde(default)]
    pub filters: Vec<HttpRouteFilter>,
}

/// One `matches` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteMatch {
    /// `path`.
    pub path: Option<HttpPathMatch>,
    /// `headers`.
    #[serde(default)]
    pub headers: Vec<HeaderMatchSpec>,
    /// `queryParams`.
    #[serde(default)]
    pub query_params: Vec<HeaderMatchSpec>,
    /// `method`.
    pub method: Option<String>,
}

/// `path`.
#[derive(Debug, Default, Deserialize)]
pub struct HttpPathMatch {
    /// `type` (PathPrefix when omitted).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `value` (`/` when omitted).
    pub value: Option<String>,
}

/// The match every request satisfies: `PathPrefix /`.
fn match_all() -> RouteMatch {
    RouteMatch {
        path: Some(PathMatch {
            kind: PathMatchKind::PathPrefix,
            value: "/".to_owned(),
        }),
        ..RouteMatch::default()
    }
}

/// Checks and lowers one HTTPRoute.
pub fn http_route(
    r: &HttpRouteObject,
    base: &FieldPath,
    source: Source,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> PendingGatewayRoute {
    let spec = &r.spec;
    let mut pending = route_head(
        &r.metadata,
        RouteKind::Http,
        &spec.parent_refs,
        &spec.hostnames,
        base,
        source,
        c,
    );
    let at = base.key("spec").key("rules");
    let Some(rules) = &spec.rules else {
        pending.route.rules.push(RouteRule {
            name: None,
            matches: vec![match_all()],
            backends: Vec::new(),
            unsupported: Vec::new(),
            filters: 0,
            redirect: None,
            line: line_of(&base.key("spec")),
        });
        return pending;
    };
    let rule_names: Vec<Option<&str>> = rules.iter().map(|r| r.name.as_deref()).collect();
    let counts: Vec<usize> = rules.iter().map(|r| r.matches.len()).collect();
    check_rules(&rule_names, &counts, &at, c);
    for (i, rule) in rules.iter().enumerate() {
        let at = at.index(i);
        let m_at = at.key("matches");
        super::gateway::too_many(rule.matches.len(), MAX_MATCHES, &m_at, c);
        let mut matches: Vec<RouteMatch> = rule
            .matches
            .iter()
            .enumerate()
            .map(|(j, m)| route_match(m, &m_at.index(j), c))
            .collect();
        if matches.is_empty() {
            matches.push(match_all());
        }
        let (backends, unsupported) = backends(
            &rule.backend_refs,
            RouteKind::Http,
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
            redirect: {
                check_filters(&rule.filters, &at.key("filters"), c);
                request_redirect(&rule.filters, &at.key("filters"), c)
            },
            line: line_of(&at),
        });
    }
    pending
}

fn route_match(m: &HttpRouteMatch, at: &FieldPath, c: &mut Checker) -> RouteMatch {
    let path = match &m.path {
        None => match_all().path,
        Some(p) => Some(path_match(p, &at.key("path"), c)),
    };
    let method = m.method.clone();
    if let Some(x) = &method
        && !METHODS.contains(&x.as_str())
    {
        unsupported(&at.key("method"), x, &METHODS, c);
    }
    RouteMatch {
        path,
        headers: header_matches(&m.headers, false, &at.key("headers"), c),
        query_params: header_matches(&m.query_params, true, &at.key("queryParams"), c),
        method,
        grpc: None,
    }
}

/// `HTTPPathMatch` and its CEL rules.
fn path_match(p: &HttpPathMatch, at: &FieldPath, c: &mut Checker) -> PathMatch {
    let value = p.value.clone().unwrap_or_else(|| "/".to_owned());
    let value_at = at.key("value");
    if value.len() > MAX_PATH {
        c.error(
            value_at.clone(),
            format!("must be no more than {MAX_PATH} characters"),
        );
    }
    let kind = match p.kind.as_deref() {
        None | Some("PathPrefix") => PathMatchKind::PathPrefix,
        Some("Exact") => PathMatchKind::Exact,
        Some("RegularExpression") => PathMatchKind::RegularExpression,
        Some(other) => {
            unsupported(
                &at.key("type"),
                other,
                &["Exact", "PathPrefix", "RegularExpression"],
                c,
            );
            PathMatchKind::PathPrefix
        }
    };
    match kind {
        PathMatchKind::RegularExpression => {
            super::gateway_route::value_kind(Some("RegularExpression"), &value, at, c);
        }
        PathMatchKind::Exact | PathMatchKind::PathPrefix => {
            check_absolute_path(&value, &value_at, c);
        }
    }
    PathMatch { kind, value }
}

/// The CEL rules of an Exact or PathPrefix value.
fn check_absolute_path(value: &str, at: &FieldPath, c: &mut Checker) {
    const TYPES: &str = "when type one of ['Exact', 'PathPrefix']";
    if !value.starts_with('/') {
        c.error(
            at.clone(),
            format!(
                "invalid value `{value}`: value must be an absolute path and start with '/' {TYPES}"
            ),
        );
    }
    for seq in INVALID_SEQUENCES {
        if value.contains(seq) {
            c.error(
                at.clone(),
                format!("invalid value `{value}`: must not contain '{seq}' {TYPES}"),
            );
        }
    }
    for suffix in INVALID_SUFFIXES {
        if value.ends_with(suffix) {
            c.error(
                at.clone(),
                format!("invalid value `{value}`: must not end with '{suffix}' {TYPES}"),
            );
        }
    }
    if !valid_path_chars(value) {
        c.error(
            at.clone(),
            format!("invalid value `{value}`: must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{{2}})+$) for types ['Exact', 'PathPrefix']"),
        );
    }
}

/// `^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$`.
fn valid_path_chars(value: &str) -> bool {
    let b = value.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if !(i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit()) {
                return false;
            }
            i += 3;
        } else if b[i].is_ascii_alphanumeric() || b"-/._~!$&'()*+,;=:@".contains(&b[i]) {
            i += 1;
        } else {
            return false;
        }
    }
    !b.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_characters() {
        assert!(valid_path_chars("/a-b/c%2Ad~"));
        assert!(!valid_path_chars("/a b") && !valid_path_chars("/x%2") && !valid_path_chars(""));
    }

    #[test]
    fn path_rules() {
        let errs = |v: &str| {
            let mut c = Checker::default();
            check_absolute_path(v, &FieldPath::root(), &mut c);
            c.errors.len()
        };
        assert_eq!(errs("/api/v1"), 0);
        assert_eq!(errs("api"), 1);
        assert_eq!(errs("/a//b"), 1);
        assert_eq!(errs("/a/.."), 1);
        assert_eq!(errs("/a#b"), 2);
    }
}
