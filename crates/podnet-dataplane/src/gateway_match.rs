//! How a request is matched against Gateway API listeners and routes: host
//! names (with the Gateway API's wildcards), listener/route hostname
//! intersection, path, header, query and method matches; which rule wins is
//! in [`crate::gateway_select`]. Each function cites the part of the Gateway
//! API reference (<https://gateway-api.sigs.k8s.io/reference/spec/>) it
//! follows.

use std::cell::RefCell;
use std::collections::HashMap;

use podnet_model::exposure::{PathType, path_matches};
use podnet_model::gateway::{
    GrpcMethodMatch, HeaderMatch, Listener, PathMatch, PathMatchKind, RouteMatch, ValueMatchKind,
};
use regex::Regex;

/// Whether `pattern` (a Listener or route hostname) matches `host` (API
/// reference, Listener `hostname` and HTTPRouteSpec `hostnames`): a name
/// prefixed with `*.` is a suffix match, so `*.example.com` matches
/// `test.example.com` and `foo.test.example.com` (one or more labels,
/// unlike Ingress's single label) but not `example.com`. DNS names compare
/// case-insensitively. `host` may itself be a wildcard (`*.foo.example.com`
/// is within `*.example.com`).
pub fn hostname_matches(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(suffix) => {
            host.len() > suffix.len() + 1
                && host.is_char_boundary(host.len() - suffix.len() - 1)
                && host[host.len() - suffix.len() - 1..].eq_ignore_ascii_case(&format!(".{suffix}"))
        }
        None => pattern.eq_ignore_ascii_case(host),
    }
}

/// The intersection of two hostnames, each exact or a wildcard: the more
/// specific of the two when one is within the other, else `None`.
pub fn hostname_intersection(a: &str, b: &str) -> Option<String> {
    if hostname_matches(a, b) {
        Some(b.to_owned())
    } else if hostname_matches(b, a) {
        Some(a.to_owned())
    } else {
        None
    }
}

/// The hosts a route serves on a listener.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostnameIntersection {
    /// Neither names a host: every host.
    Any,
    /// These hosts (exact or wildcards).
    Hosts(Vec<String>),
    /// Both name hosts and none intersect: the route is not accepted on
    /// this listener (`NoMatchingListenerHostname`).
    Disjoint,
}

/// The hosts a route with `route` hostnames serves on a listener with
/// `listener` hostname (API reference, HTTPRouteSpec `hostnames`: route
/// hostnames that do not match the Listener hostname are ignored; a
/// listener `test.example.com` accepts routes without hostnames or with
/// `test.example.com` or `*.example.com`; a listener `*.example.com`
/// accepts `*.example.com`, `test.example.com` and `foo.test.example.com`).
pub fn intersect_hostnames(listener: Option<&str>, route: &[String]) -> HostnameIntersection {
    match (listener, route.is_empty()) {
        (None, true) => HostnameIntersection::Any,
        (Some(l), true) => HostnameIntersection::Hosts(vec![l.to_owned()]),
        (None, false) => HostnameIntersection::Hosts(route.to_vec()),
        (Some(l), false) => {
            let mut hosts: Vec<String> = Vec::new();
            for h in route.iter().filter_map(|r| hostname_intersection(l, r)) {
                if !hosts.contains(&h) {
                    hosts.push(h);
                }
            }
            if hosts.is_empty() {
                HostnameIntersection::Disjoint
            } else {
                HostnameIntersection::Hosts(hosts)
            }
        }
    }
}

/// The Listener that receives a request for `host` on `port` (API
/// reference, GatewaySpec `listeners`, "Listeners that are distinct only
/// by Hostname"): exact hostnames before wildcards, a wildcard with more
/// dots right of the `*` before one with fewer, and wildcards before a
/// Listener without hostname; the first in order on a tie.
pub fn select_listener<'a>(
    listeners: impl IntoIterator<Item = &'a Listener>,
    port: u16,
    host: &str,
) -> Option<&'a Listener> {
    let host = strip_port(host);
    let mut best: Option<(&Listener, (u8, usize))> = None;
    for l in listeners.into_iter().filter(|l| l.port == port) {
        let rank = match l.hostname.as_deref() {
            None => (0, 0),
            Some(h) if !hostname_matches(h, host) => continue,
            Some(h) if h.starts_with("*.") => (1, h.matches('.').count()),
            Some(_) => (2, 0),
        };
        if best.is_none_or(|(_, r)| rank > r) {
            best = Some((l, rank));
        }
    }
    best.map(|(l, _)| l)
}

thread_local! {
    /// Each pattern anchored and compiled once per thread (`None`: it does
    /// not compile): a trace matches the same few route patterns against
    /// every request and every rule it considers.
    static COMPILED: RefCell<HashMap<String, Option<Regex>>> = RefCell::new(HashMap::new());
}

/// Whether `pattern` matches the whole of `value` as an RE2 regular
/// expression (the `regex` crate's dialect). The Gateway API leaves the
/// dialect of `RegularExpression` matches implementation-specific; podnet
/// anchors them as Envoy's `safe_regex` does. An invalid pattern matches
/// nothing (the reader warns about it).
pub fn regex_full_match(pattern: &str, value: &str) -> bool {
    COMPILED.with_borrow_mut(|compiled| {
        if let Some(re) = compiled.get(pattern) {
            return re.as_ref().is_some_and(|re| re.is_match(value));
        }
        let re = Regex::new(&format!("^(?:{pattern})$")).ok();
        let matched = re.as_ref().is_some_and(|re| re.is_match(value));
        compiled.insert(pattern.to_owned(), re);
        matched
    })
}

fn value_matches(kind: ValueMatchKind, want: &str, have: &str) -> bool {
    match kind {
        ValueMatchKind::Exact => want == have,
        ValueMatchKind::RegularExpression => regex_full_match(want, have),
    }
}

/// Whether the request path (without the query) matches `m` (API
/// reference, PathMatchType): `Exact` is the whole path, case-sensitive
/// (`/abc` matches neither `/abc/` nor `/abcd`); `PathPrefix` is
/// element-wise on `/`-split segments with a trailing `/` ignored (`/abc`
/// matches `/abc`, `/abc/` and `/abc/def`, not `/abcd`), as Ingress's
/// `Prefix`.
pub fn matches_path(m: &PathMatch, path: &str) -> bool {
    match m.kind {
        PathMatchKind::Exact => m.value == path,
        PathMatchKind::PathPrefix => path_matches(&m.value, PathType::Prefix, path),
        PathMatchKind::RegularExpression => regex_full_match(&m.value, path),
    }
}

/// Whether a header of the request matches `m` (API reference,
/// HTTPHeaderMatch: names are case-insensitive). A repeated header
/// matches when any of its values does (implementation-specific).
pub fn matches_header(m: &HeaderMatch, headers: &[(&str, &str)]) -> bool {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(&m.name))
        .any(|(_, v)| value_matches(m.kind, &m.value, v))
}

/// Whether a query parameter matches `m` (API reference,
/// HTTPQueryParamMatch: names are exact; a repeated parameter is
/// matched on its first value, as recommended).
pub fn matches_query(m: &HeaderMatch, query: &[(&str, &str)]) -> bool {
    query
        .iter()
        .find(|(n, _)| *n == m.name)
        .is_some_and(|(_, v)| value_matches(m.kind, &m.value, v))
}

/// Whether a gRPC request path `/{service}/{method}` matches `m` (API
/// reference, GRPCMethodMatch: an omitted service or method matches
/// any).
pub fn matches_grpc_method(m: &GrpcMethodMatch, path: &str) -> bool {
    let Some((service, method)) = path.strip_prefix('/').and_then(|p| p.split_once('/')) else {
        return false;
    };
    m.service
        .as_deref()
        .is_none_or(|s| value_matches(m.kind, s, service))
        && m.method
            .as_deref()
            .is_none_or(|me| value_matches(m.kind, me, method))
}

/// A request as a Gateway sees it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Request<'a> {
    /// The `Host` header (or `:authority`); a port is ignored.
    pub host: &'a str,
    /// The path without the query (`/pkg.Service/Method` for gRPC).
    pub path: &'a str,
    /// The method, upper case (`POST` for gRPC).
    pub method: &'a str,
    /// Headers, in order.
    pub headers: &'a [(&'a str, &'a str)],
    /// Query parameters, in order.
    pub query: &'a [(&'a str, &'a str)],
}

/// Whether every condition of `m` holds for `req` (API reference,
/// HTTPRouteMatch and GRPCRouteMatch: conditions are ANDed).
pub fn matches_request(m: &RouteMatch, req: &Request<'_>) -> bool {
    m.path.as_ref().is_none_or(|p| matches_path(p, req.path))
        && m.method.as_deref().is_none_or(|me| me == req.method)
        && m.grpc
            .as_ref()
            .is_none_or(|g| matches_grpc_method(g, req.path))
        && m.headers.iter().all(|h| matches_header(h, req.headers))
        && m.query_params.iter().all(|q| matches_query(q, req.query))
}

/// `host` without a `:port` suffix (API reference, HTTPRouteSpec
/// `hostnames`: the port of the Host header is ignored).
pub(crate) fn strip_port(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((name, port))
            if !name.contains(':')
                && !port.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit()) =>
        {
            name
        }
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use podnet_model::gateway::{AllowedRoutes, ListenerProtocol};

    fn header(name: &str, value: &str) -> HeaderMatch {
        HeaderMatch {
            name: name.into(),
            value: value.into(),
            kind: ValueMatchKind::Exact,
        }
    }

    #[test]
    fn wildcard_hostname_is_a_suffix_match_of_one_or_more_labels() {
        // Listener `hostname`: `*.example.com` matches `test.example.com`
        // and `foo.test.example.com` but not `example.com`.
        assert!(hostname_matches("*.example.com", "test.example.com"));
        assert!(hostname_matches("*.example.com", "foo.test.example.com"));
        assert!(!hostname_matches("*.example.com", "example.com"));
        assert!(!hostname_matches("*.example.com", "badexample.com"));
        assert!(hostname_matches("foo.example.com", "FOO.example.com"));
        assert!(!hostname_matches("foo.example.com", "bar.example.com"));
    }

    #[test]
    fn route_hostnames_not_matching_the_listener_hostname_are_ignored() {
        // HTTPRouteSpec `hostnames`: listener `*.example.com`, route
        // `test.example.com` and `test.example.net`: only the first counts.
        let route = ["test.example.com".to_owned(), "test.example.net".to_owned()];
        assert_eq!(
            intersect_hostnames(Some("*.example.com"), &route),
            HostnameIntersection::Hosts(vec!["test.example.com".into()])
        );
        // Listener `test.example.com` accepts `*.example.com`.
        assert_eq!(
            intersect_hostnames(Some("test.example.com"), &["*.example.com".to_owned()]),
            HostnameIntersection::Hosts(vec!["test.example.com".into()])
        );
        // Two wildcards intersect in the more specific one.
        assert_eq!(
            intersect_hostnames(Some("*.example.com"), &["*.foo.example.com".to_owned()]),
            HostnameIntersection::Hosts(vec!["*.foo.example.com".into()])
        );
        assert_eq!(
            intersect_hostnames(Some("*.example.com"), &["example.com".to_owned()]),
            HostnameIntersection::Disjoint
        );
        assert_eq!(intersect_hostnames(None, &[]), HostnameIntersection::Any);
        assert_eq!(
            intersect_hostnames(Some("a.b"), &[]),
            HostnameIntersection::Hosts(vec!["a.b".into()])
        );
    }

    #[test]
    fn listeners_distinct_by_hostname_match_most_specific_first() {
        let l = |name: &str, hostname: Option<&str>| Listener {
            name: name.into(),
            hostname: hostname.map(str::to_owned),
            port: 80,
            protocol: ListenerProtocol::Http,
            tls: None,
            certificate_refs: Vec::new(),
            allowed_routes: AllowedRoutes::default(),
            line: None,
            set: None,
        };
        let ls = [
            l("empty", None),
            l("wild", Some("*.example.com")),
            l("wild-foo", Some("*.foo.example.com")),
            l("exact", Some("abc.foo.example.com")),
        ];
        let pick = |host: &str| select_listener(&ls, 80, host).map(|l| l.name.as_str());
        assert_eq!(pick("abc.foo.example.com"), Some("exact"));
        assert_eq!(pick("def.foo.example.com:80"), Some("wild-foo"));
        assert_eq!(pick("bar.example.com"), Some("wild"));
        assert_eq!(pick("other.org"), Some("empty"));
        assert_eq!(select_listener(&ls, 443, "bar.example.com"), None);
    }

    #[test]
    fn path_prefix_is_element_wise_and_exact_is_whole() {
        // PathMatchType: `/abc` matches `/abc`, `/abc/`, `/abc/def`, not
        // `/abcd`; Exact `/abc` matches neither `/abc/` nor `/Abc`.
        let prefix = PathMatch {
            kind: PathMatchKind::PathPrefix,
            value: "/abc".into(),
        };
        assert!(
            matches_path(&prefix, "/abc")
                && matches_path(&prefix, "/abc/")
                && matches_path(&prefix, "/abc/def")
        );
        assert!(!matches_path(&prefix, "/abcd"));
        let exact = PathMatch {
            kind: PathMatchKind::Exact,
            value: "/abc".into(),
        };
        assert!(matches_path(&exact, "/abc"));
        assert!(
            !matches_path(&exact, "/abc/")
                && !matches_path(&exact, "/Abc")
                && !matches_path(&exact, "/abcd")
        );
        let re = PathMatch {
            kind: PathMatchKind::RegularExpression,
            value: "/v[0-9]+/.*".into(),
        };
        assert!(matches_path(&re, "/v2/users") && !matches_path(&re, "/x/v2/users"));
        assert!(!regex_full_match("(", "("));
    }

    #[test]
    fn a_compiled_pattern_is_reused_and_still_anchored() {
        // The second and later calls answer from the compiled pattern: the
        // same answers as the first, the whole value still required.
        for _ in 0..3 {
            assert!(regex_full_match("[a-z]+", "abc"));
            assert!(!regex_full_match("[a-z]+", "abc1"));
            assert!(!regex_full_match("(", "("));
        }
        COMPILED.with_borrow(|compiled| {
            assert!(compiled.get("[a-z]+").is_some_and(Option::is_some));
            assert!(compiled.get("(").is_some_and(Option::is_none));
        });
    }

    #[test]
    fn header_names_are_case_insensitive_query_names_are_not() {
        let h = header("Version", "v2");
        assert!(matches_header(&h, &[("version", "v2")]));
        assert!(!matches_header(&h, &[("version", "V2")]));
        assert!(matches_query(&h, &[("Version", "v2")]));
        assert!(!matches_query(&h, &[("version", "v2")]));
        // A repeated query parameter matches on its first value.
        assert!(!matches_query(&h, &[("Version", "v1"), ("Version", "v2")]));
    }

    #[test]
    fn grpc_method_match_omitted_fields_match_any() {
        let m = GrpcMethodMatch {
            kind: ValueMatchKind::Exact,
            service: Some("foo.Bar".into()),
            method: None,
        };
        assert!(matches_grpc_method(&m, "/foo.Bar/Get") && matches_grpc_method(&m, "/foo.Bar/Put"));
        assert!(!matches_grpc_method(&m, "/foo.Baz/Get") && !matches_grpc_method(&m, "foo.Bar"));
    }
}
