//! What HTTPRoute and GRPCRoute share (gateway.networking.k8s.io/v1
//! `CommonRouteSpec`, `hostnames`, `backendRefs`, header matches, rule
//! limits), checked as the CRD's OpenAPI schema and CEL rules are. Only
//! parents that are Gateways and backends that are Services are modelled;
//! others are warnings and skipped. A backendRef's `filters` are read by
//! type; an HTTPRoute backendRef's `RequestRedirect` is lowered.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use podnet_model::{
    BackendRef, GatewayRoute, HeaderMatch, Meta, NsId, ParentKind, ParentRef, RouteKind, Source,
    ValueMatchKind,
};
use serde::Deserialize;

use super::gateway::{GROUP, check_hostname, port, too_many};
use super::http_redirect::{HttpRouteFilter, check_filters, request_redirect};
use super::meta::{NameRule, object_meta};
use super::netpol::LineOf;
use super::records::PendingGatewayRoute;
use crate::path::FieldPath;
use crate::validate::{Checker, names, unsupported};

/// Most `parentRefs`.
const MAX_PARENTS: usize = 32;
/// Most `hostnames`.
const MAX_HOSTNAMES: usize = 16;
/// Most `rules`.
pub const MAX_RULES: usize = 16;
/// Most matches over all rules.
pub const MAX_TOTAL_MATCHES: usize = 128;
/// Most `backendRefs` of a rule.
const MAX_BACKENDS: usize = 16;
/// Most header (or query parameter) matches of a match.
const MAX_HEADERS: usize = 16;
/// The largest backend weight.
const MAX_WEIGHT: i64 = 1_000_000;

/// A `parentRefs` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParentReference {
    /// `group` (the Gateway API group when omitted).
    pub group: Option<String>,
    /// `kind` (Gateway when omitted).
    pub kind: Option<String>,
    /// `namespace` (the route's when omitted).
    pub namespace: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `sectionName`.
    pub section_name: Option<String>,
    /// `port`.
    pub port: Option<i64>,
}

/// A `backendRefs` entry.
#[derive(Debug, Default, Deserialize)]
pub struct BackendRefSpec {
    /// `group` (the core group when omitted).
    pub group: Option<String>,
    /// `kind` (Service when omitted).
    pub kind: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `namespace` (the route's when omitted).
    pub namespace: Option<String>,
    /// `port`.
    pub port: Option<i64>,
    /// `weight` (1 when omitted).
    pub weight: Option<i64>,
    /// `filters` (HTTPBackendRef, GRPCBackendRef; none on TLS, TCP and
    /// UDP routes).
    #[serde(default)]
    pub filters: Vec<HttpRouteFilter>,
}

/// A header or query parameter match.
#[derive(Debug, Default, Deserialize)]
pub struct HeaderMatchSpec {
    /// `type` (Exact when omitted).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `value`.
    pub value: Option<String>,
}

/// The route's metadata, `parentRefs` and `hostnames`, with no rules yet.
pub fn route_head(
    metadata: &ObjectMeta,
    kind: RouteKind,
    parent_refs: &[ParentReference],
    hostnames: &[String],
    base: &FieldPath,
    source: Source,
    c: &mut Checker,
) -> PendingGatewayRoute {
    let info = object_meta(metadata, NameRule::Subdomain, true, base, c);
    let namespace = info.namespace.unwrap_or_default();
    let at = base.key("spec");
    too_many(hostnames.len(), MAX_HOSTNAMES, &at.key("hostnames"), c);
    for (i, h) in hostnames.iter().enumerate() {
        check_hostname(h, &at.key("hostnames").index(i), c);
    }
    let parents = parents(parent_refs, &namespace, &at.key("parentRefs"), c);
    PendingGatewayRoute {
        namespace: namespace.clone(),
        route: GatewayRoute {
            meta: Meta {
                kind: kind.as_str().to_owned(),
                namespace: Some(namespace),
                name: info.name,
                source,
            },
            namespace: NsId(u32::MAX),
            kind,
            created: metadata
                .creation_timestamp
                .as_ref()
                .map(|t| t.0.as_second()),
            parents,
            hostnames: hostnames.to_vec(),
            rules: Vec::new(),
        },
    }
}

fn parents(
    list: &[ParentReference],
    route_ns: &str,
    at: &FieldPath,
    c: &mut Checker,
) -> Vec<ParentRef> {
    too_many(list.len(), MAX_PARENTS, at, c);
    // The CEL rules: references to the same parent all set `sectionName`
    // or none does, and their section names differ.
    let key = |p: &ParentReference| {
        (
            p.group.clone().unwrap_or_else(|| GROUP.to_owned()),
            p.kind.clone().unwrap_or_else(|| "Gateway".to_owned()),
            p.name.clone(),
            p.namespace.clone().filter(|n| !n.is_empty()),
        )
    };
    let section = |p: &ParentReference| p.section_name.clone().filter(|s| !s.is_empty());
    for (i, p) in list.iter().enumerate() {
        for q in list[..i].iter().filter(|q| key(q) == key(p)) {
            if section(q).is_some() != section(p).is_some() {
                c.error(at.clone(), "sectionName must be specified when parentRefs includes 2 or more references to the same parent");
            } else if section(q) == section(p) {
                c.error(at.clone(), "sectionName must be unique when parentRefs includes 2 or more references to the same parent");
            }
        }
    }
    let mut out = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let at = at.index(i);
        let name = p.name.clone().unwrap_or_default();
        if name.is_empty() {
            c.error(at.key("name"), "name is required");
        }
        if let Some(ns) = &p.namespace {
            c.check(&at.key("namespace"), ns, names::dns1123_label(ns));
        }
        if let Some(s) = &p.section_name {
            c.check(&at.key("sectionName"), s, names::dns1123_subdomain(s));
        }
        let port = port(p.port, false, &at.key("port"), c);
        let group = p.group.as_deref().unwrap_or(GROUP);
        let kind = match (group, p.kind.as_deref().unwrap_or("Gateway")) {
            (GROUP, "Gateway") => ParentKind::Gateway,
            (GROUP, "ListenerSet") => ParentKind::ListenerSet,
            (_, kind) => {
                c.warn(
                    at.clone(),
                    format!("a parent of kind `{kind}` (group `{group}`) is not modelled: podnet attaches routes to Gateways and ListenerSets only"),
                );
                continue;
            }
        };
        out.push(ParentRef {
            kind,
            namespace: p
                .namespace
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| route_ns.to_owned()),
            name,
            section_name: section(p),
            port,
        });
    }
    out
}

/// `backendRefs`: Services (group `""`, kind `Service`, a port required),
/// weight 0-1000000 (default 1); other kinds are warnings, returned apart
/// (`Kind` or `Kind.group`). Each backendRef's `filters` are kept by type;
/// on an HTTPRoute (`route_kind`) they are checked and a `RequestRedirect`
/// is lowered.
pub fn backends(
    list: &[BackendRefSpec],
    route_kind: RouteKind,
    route_ns: &str,
    at: &FieldPath,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> (Vec<BackendRef>, Vec<String>) {
    too_many(list.len(), MAX_BACKENDS, at, c);
    let mut out = Vec::new();
    let mut unsupported = Vec::new();
    for (i, b) in list.iter().enumerate() {
        let at = at.index(i);
        let name = b.name.clone().unwrap_or_default();
        if name.is_empty() {
            c.error(at.key("name"), "name is required");
        }
        if let Some(ns) = &b.namespace {
            c.check(&at.key("namespace"), ns, names::dns1123_label(ns));
        }
        let weight = b.weight.unwrap_or(1);
        if !(0..=MAX_WEIGHT).contains(&weight) {
            c.error(
                at.key("weight"),
                format!("invalid value `{weight}`: must be between 0 and {MAX_WEIGHT}, inclusive"),
            );
        }
        let group = b.group.as_deref().unwrap_or_default();
        let kind = b.kind.as_deref().unwrap_or("Service");
        let service = group.is_empty() && kind == "Service";
        if service && b.port.is_none() {
            c.error(at.clone(), "Must have port for Service reference");
        }
        let port = port(b.port, false, &at.key("port"), c);
        if !service {
            let what = if group.is_empty() {
                kind.to_owned()
            } else {
                format!("{kind}.{group}")
            };
            c.warn(
                at.clone(),
                format!(
                    "a backend of kind `{what}` is not modelled: podnet sees no traffic through it"
                ),
            );
            unsupported.push(what);
            continue;
        }
        let filters_at = at.key("filters");
        let redirect = if route_kind == RouteKind::Http {
            check_filters(&b.filters, &filters_at, c);
            request_redirect(&b.filters, &filters_at, c)
        } else {
            None
        };
        out.push(BackendRef {
            namespace: b
                .namespace
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| route_ns.to_owned()),
            name,
            port,
            weight: u32::try_from(weight.clamp(0, MAX_WEIGHT)).unwrap_or_default(),
            filters: b.filters.iter().filter_map(|f| f.kind.clone()).collect(),
            redirect,
            line: line_of(&at),
        });
    }
    (out, unsupported)
}

/// `HeaderName`: `[A-Za-z0-9!#$%&'*+-.^_`|~]+`, at most 256 characters.
fn valid_header_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 256
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// A match `type`: Exact (the default) or RegularExpression, whose pattern
/// podnet must be able to read (else a warning: it matches nothing).
pub fn value_kind(
    written: Option<&str>,
    pattern: &str,
    at: &FieldPath,
    c: &mut Checker,
) -> ValueMatchKind {
    match written {
        None | Some("Exact") => ValueMatchKind::Exact,
        Some("RegularExpression") => {
            if let Err(e) = regex::Regex::new(pattern) {
                c.warn(
                    at.clone(),
                    format!("`{pattern}` is not an RE2 regular expression podnet reads ({e}): it matches nothing"),
                );
            }
            ValueMatchKind::RegularExpression
        }
        Some(other) => {
            unsupported(&at.key("type"), other, &["Exact", "RegularExpression"], c);
            ValueMatchKind::Exact
        }
    }
}

/// `headers` (names case-insensitive: a later equivalent name is ignored,
/// with a warning) or `queryParams` (exact names); a repeated name is a
/// duplicate list-map key.
pub fn header_matches(
    list: &[HeaderMatchSpec],
    query: bool,
    at: &FieldPath,
    c: &mut Checker,
) -> Vec<HeaderMatch> {
    too_many(list.len(), MAX_HEADERS, at, c);
    let max_value = if query { 1024 } else { 4096 };
    let mut out: Vec<HeaderMatch> = Vec::new();
    for (i, h) in list.iter().enumerate() {
        let at = at.index(i);
        let name = h.name.clone().unwrap_or_default();
        let value = h.value.clone().unwrap_or_default();
        if name.is_empty() {
            c.error(at.key("name"), "name is required");
        } else if !valid_header_name(&name) {
            c.error(
                at.key("name"),
                format!("invalid value `{name}`: must consist of characters allowed in an HTTP header name (RFC 7230 tchar)"),
            );
        }
        if value.is_empty() {
            c.error(at.key("value"), "value is required");
        } else if value.len() > max_value {
            c.error(
                at.key("value"),
                format!("must be no more than {max_value} characters"),
            );
        }
        let kind = value_kind(h.kind.as_deref(), &value, &at, c);
        if !name.is_empty() && list[..i].iter().any(|e| e.name == h.name) {
            c.error(at.key("name"), format!("duplicate value `{name}`"));
            continue;
        }
        if !query && out.iter().any(|e| e.name.eq_ignore_ascii_case(&name)) {
            c.warn(
                at.key("name"),
                format!("`{name}` repeats an earlier header name (names are case-insensitive): this match is ignored"),
            );
            continue;
        }
        out.push(HeaderMatch { name, value, kind });
    }
    out
}

/// The CEL rules over `rules`: at most 16, names unique, and at most 128
/// matches in all (`counts` is each rule's number of matches).
pub fn check_rules(rule_names: &[Option<&str>], counts: &[usize], at: &FieldPath, c: &mut Checker) {
    too_many(rule_names.len(), MAX_RULES, at, c);
    for (i, n) in rule_names.iter().enumerate() {
        if let Some(n) = n {
            c.check(&at.index(i).key("name"), n, names::dns1123_subdomain(n));
            if rule_names[..i].contains(&Some(n)) {
                c.error(at.clone(), "Rule name must be unique within the route");
            }
        }
    }
    if counts.iter().sum::<usize>() > MAX_TOTAL_MATCHES {
        c.error(at.clone(), "While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_kinds_weights_and_ports() {
        let list: Vec<BackendRefSpec> = serde_json::from_value(serde_json::json!([
            {"name": "a", "port": 80},
            {"name": "b", "port": 8080, "weight": 3, "namespace": "other"},
            {"group": "example.com", "kind": "Bucket", "name": "c"},
            {"name": "d"},
            {"name": "e", "port": 80, "weight": 1000001}
        ]))
        .unwrap_or_default();
        let mut c = Checker::default();
        let (out, unsupported) = backends(
            &list,
            RouteKind::Http,
            "ns",
            &FieldPath::fields("b"),
            &|_| Some(7),
            &mut c,
        );
        assert_eq!(unsupported, ["Bucket.example.com"]);
        let got: Vec<(&str, &str, Option<u16>, u32)> = out
            .iter()
            .map(|b| (b.namespace.as_str(), b.name.as_str(), b.port, b.weight))
            .collect();
        assert_eq!(
            got,
            [
                ("ns", "a", Some(80), 1),
                ("other", "b", Some(8080), 3),
                ("ns", "d", None, 1),
                ("ns", "e", Some(80), 1_000_000)
            ]
        );
        let errors: Vec<String> = c.errors.iter().map(|(p, _)| p.to_string()).collect();
        assert_eq!(errors, ["b[3]", "b[4].weight"]);
        assert_eq!(c.warnings.len(), 1);
    }

    #[test]
    fn header_names() {
        assert!(valid_header_name("X-Version") && !valid_header_name(":method"));
        let list: Vec<HeaderMatchSpec> = serde_json::from_value(serde_json::json!([
            {"name": "Version", "value": "2"},
            {"name": "version", "value": "3"},
            {"name": "Version", "value": "4"}
        ]))
        .unwrap_or_default();
        let mut c = Checker::default();
        let out = header_matches(&list, false, &FieldPath::fields("h"), &mut c);
        assert_eq!(out.len(), 1);
        assert_eq!(c.warnings.len(), 1);
        assert_eq!(c.errors[0].1, "duplicate value `Version`");
    }
}
