//! Which rule of the Gateway API routes attached to a listener receives a
//! request: the precedence of the API reference's HTTPRouteRule and
//! GRPCRouteRule `matches` (<https://gateway-api.sigs.k8s.io/reference/spec/>),
//! with the tie-breaks podnet implements.

use std::cmp::Ordering;

use crate::gateway_match::{Request, hostname_matches, matches_request, strip_port};
use podnet_model::gateway::{GatewayRoute, PathMatchKind, RouteKind, RouteMatch, RouteRule};

/// The rule chosen for a request.
#[derive(Clone, Copy, Debug)]
pub struct Selected<'a> {
    /// The route.
    pub route: &'a GatewayRoute,
    /// Index of the rule in the route.
    pub rule_index: usize,
    /// The rule.
    pub rule: &'a RouteRule,
    /// Index of the match that decided in the rule.
    pub match_index: usize,
}

/// How specific a matching (route, rule, match) is; greater wins.
type Specificity = (
    usize,
    usize,
    (u8, usize),
    (usize, usize),
    bool,
    usize,
    usize,
);

/// Chooses the rule of `routes` (of `kind`, attached to a listener with
/// `listener_hostname`) that receives `req`, following the API reference's
/// precedence (HTTPRouteRule and GRPCRouteRule `matches`), continuing on
/// ties:
///
/// 1. characters in the matching non-wildcard route hostname, then in the
///    matching hostname (the route's own hostnames, as the spec's SHOULD
///    asks, not the intersection with the listener's);
/// 2. HTTPRoute: an `Exact` path, then a `RegularExpression` path (longer
///    pattern first: its precedence is implementation-specific, podnet
///    follows Envoy Gateway), then the `PathPrefix` with the most
///    characters; a `method` match; the most header matches; the most
///    query parameter matches;
/// 3. GRPCRoute: characters in the matching service, then method; the most
///    header matches;
/// 4. the oldest route by `creationTimestamp` (a route without one counts
///    as newest); then `{namespace}/{name}` alphabetically; then the first
///    rule, then the first match within it.
///
/// HTTPRoutes and GRPCRoutes are never merged: routes of the other kind are
/// ignored. `None`: no rule matches (HTTP 404, gRPC Unimplemented).
pub fn select_rule<'a>(
    routes: impl IntoIterator<Item = &'a GatewayRoute>,
    kind: RouteKind,
    listener_hostname: Option<&str>,
    req: &Request<'_>,
) -> Option<Selected<'a>> {
    let host = strip_port(req.host);
    if listener_hostname.is_some_and(|l| !hostname_matches(l, host)) {
        return None;
    }
    let mut best: Option<(Selected<'a>, Specificity)> = None;
    for route in routes.into_iter().filter(|r| r.kind == kind) {
        let Some(host_rank) = host_rank(&route.hostnames, host) else {
            continue;
        };
        for (rule_index, rule) in route.rules.iter().enumerate() {
            for (match_index, m) in rule.matches.iter().enumerate() {
                if !matches_request(m, req) {
                    continue;
                }
                let spec = specificity(host_rank, m);
                let candidate = Selected {
                    route,
                    rule_index,
                    rule,
                    match_index,
                };
                let better = match &best {
                    None => true,
                    Some((b, s)) => match spec.cmp(s) {
                        Ordering::Greater => true,
                        Ordering::Less => false,
                        Ordering::Equal => route_order(route, b.route) == Ordering::Less,
                    },
                };
                if better {
                    best = Some((candidate, spec));
                }
            }
        }
    }
    best.map(|(s, _)| s)
}

/// `(non-wildcard characters, characters)` of the best route hostname that
/// matches `host`; `(0, 0)` for a route without hostnames; `None` when
/// none matches.
fn host_rank(hostnames: &[String], host: &str) -> Option<(usize, usize)> {
    if hostnames.is_empty() {
        return Some((0, 0));
    }
    hostnames
        .iter()
        .filter(|h| hostname_matches(h, host))
        .map(|h| (if h.starts_with("*.") { 0 } else { h.len() }, h.len()))
        .max()
}

fn specificity(host: (usize, usize), m: &RouteMatch) -> Specificity {
    let path = match &m.path {
        Some(p) => match p.kind {
            PathMatchKind::Exact => (3, p.value.len()),
            PathMatchKind::RegularExpression => (2, p.value.len()),
            PathMatchKind::PathPrefix => (1, p.value.len()),
        },
        None => (0, 0),
    };
    let grpc = m.grpc.as_ref().map_or((0, 0), |g| {
        (
            g.service.as_ref().map_or(0, String::len),
            g.method.as_ref().map_or(0, String::len),
        )
    });
    // For HTTPRoutes service and method are 0; for GRPCRoutes the path is
    // (0, 0) and the method and query are unset, so one tuple orders both.
    (
        host.0,
        host.1,
        path,
        grpc,
        m.method.is_some(),
        m.headers.len(),
        m.query_params.len(),
    )
}

/// Route order on equal specificity: oldest first, then `namespace/name`.
fn route_order(a: &GatewayRoute, b: &GatewayRoute) -> Ordering {
    let age = match (a.created, b.created) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    age.then_with(|| {
        (a.meta.namespace.as_deref(), a.meta.name.as_str())
            .cmp(&(b.meta.namespace.as_deref(), b.meta.name.as_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use podnet_model::gateway::{
        BackendRef, GrpcMethodMatch, HeaderMatch, PathMatch, ValueMatchKind,
    };
    use podnet_model::ids::NsId;
    use podnet_model::source::{Meta, Source};

    fn path(kind: PathMatchKind, value: &str) -> RouteMatch {
        RouteMatch {
            path: Some(PathMatch {
                kind,
                value: value.into(),
            }),
            ..RouteMatch::default()
        }
    }

    fn header(name: &str, value: &str) -> HeaderMatch {
        HeaderMatch {
            name: name.into(),
            value: value.into(),
            kind: ValueMatchKind::Exact,
        }
    }

    fn route(name: &str, hostnames: &[&str], rules: Vec<Vec<RouteMatch>>) -> GatewayRoute {
        GatewayRoute {
            meta: Meta {
                kind: "HTTPRoute".into(),
                namespace: Some("ns".into()),
                name: name.into(),
                source: Source {
                    file: "t".into(),
                    document: 1,
                    line: None,
                    item: None,
                },
            },
            namespace: NsId(0),
            kind: RouteKind::Http,
            created: None,
            parents: Vec::new(),
            hostnames: hostnames.iter().map(|h| (*h).to_owned()).collect(),
            rules: rules
                .into_iter()
                .enumerate()
                .map(|(i, matches)| RouteRule {
                    name: None,
                    matches,
                    unsupported: Vec::new(),
                    filters: 0,
                    redirect: None,
                    backends: vec![BackendRef {
                        namespace: "ns".into(),
                        name: format!("{name}-{i}"),
                        port: Some(80),
                        weight: 1,
                        filters: Vec::new(),
                        redirect: None,
                        line: None,
                    }],
                    line: None,
                })
                .collect(),
        }
    }

    fn req<'a>(host: &'a str, path: &'a str) -> Request<'a> {
        Request {
            host,
            path,
            method: "GET",
            ..Request::default()
        }
    }

    /// Which backend the selected rule routes to.
    fn chosen(routes: &[GatewayRoute], r: &Request<'_>) -> Option<String> {
        select_rule(routes, RouteKind::Http, None, r).map(|s| s.rule.backends[0].name.clone())
    }

    #[test]
    fn exact_path_beats_longest_prefix() {
        // HTTPRouteRule `matches`: "Exact" path match first, then the
        // "Prefix" path match with the largest number of characters.
        let routes = [route(
            "r",
            &[],
            vec![
                vec![path(PathMatchKind::PathPrefix, "/")],
                vec![path(PathMatchKind::PathPrefix, "/api/v1")],
                vec![path(PathMatchKind::Exact, "/api/v1/x")],
                vec![path(PathMatchKind::PathPrefix, "/api")],
            ],
        )];
        assert_eq!(
            chosen(&routes, &req("h", "/api/v1/x")).as_deref(),
            Some("r-2")
        );
        assert_eq!(
            chosen(&routes, &req("h", "/api/v1/y")).as_deref(),
            Some("r-1")
        );
        assert_eq!(chosen(&routes, &req("h", "/apix")).as_deref(), Some("r-0"));
    }

    #[test]
    fn then_method_then_most_headers_then_most_query_params() {
        let with = |method: Option<&str>, headers: usize, query: usize| RouteMatch {
            method: method.map(str::to_owned),
            headers: (0..headers)
                .map(|i| header(&format!("h{i}"), "x"))
                .collect(),
            query_params: (0..query).map(|i| header(&format!("q{i}"), "x")).collect(),
            ..path(PathMatchKind::PathPrefix, "/")
        };
        let routes = [route(
            "r",
            &[],
            vec![
                vec![with(None, 0, 2)],
                vec![with(None, 2, 0)],
                vec![with(Some("GET"), 0, 0)],
            ],
        )];
        let headers = [("h0", "x"), ("h1", "x")];
        let query = [("q0", "x"), ("q1", "x")];
        let all = Request {
            headers: &headers,
            query: &query,
            ..req("h", "/")
        };
        assert_eq!(chosen(&routes, &all).as_deref(), Some("r-2"));
        let post = Request {
            method: "POST",
            ..all
        };
        assert_eq!(chosen(&routes, &post).as_deref(), Some("r-1"));
        let no_headers = Request {
            headers: &[],
            ..post
        };
        assert_eq!(chosen(&routes, &no_headers).as_deref(), Some("r-0"));
    }

    #[test]
    fn longest_non_wildcard_hostname_wins_across_routes() {
        // HTTPRouteSpec `hostnames`: precedence to the route with the most
        // characters in a matching non-wildcard hostname, then hostname.
        let any = || vec![vec![path(PathMatchKind::PathPrefix, "/")]];
        let routes = [
            route("a-none", &[], any()),
            route("b-wild", &["*.example.com"], any()),
            route("c-wild-long", &["*.foo.example.com"], any()),
            route("d-exact", &["x.foo.example.com"], any()),
        ];
        let pick = |h: &str| chosen(&routes, &req(h, "/"));
        assert_eq!(pick("x.foo.example.com").as_deref(), Some("d-exact-0"));
        assert_eq!(pick("y.foo.example.com").as_deref(), Some("c-wild-long-0"));
        assert_eq!(pick("y.example.com").as_deref(), Some("b-wild-0"));
        assert_eq!(pick("other.org").as_deref(), Some("a-none-0"));
        // The listener's hostname filters the request first.
        let on = |l: &str, h: &str| select_rule(&routes, RouteKind::Http, Some(l), &req(h, "/"));
        assert!(on("*.example.com", "other.org").is_none());
    }

    #[test]
    fn ties_go_to_the_oldest_route_then_alphabetical_then_first_rule() {
        let any = || vec![vec![path(PathMatchKind::PathPrefix, "/")]];
        let mut newer = route("a", &[], any());
        newer.created = Some(200);
        let mut older = route("b", &[], any());
        older.created = Some(100);
        let routes = [newer.clone(), older];
        assert_eq!(chosen(&routes, &req("h", "/")).as_deref(), Some("b-0"));
        newer.created = None;
        let routes = [route("z", &[], any()), newer];
        assert_eq!(chosen(&routes, &req("h", "/")).as_deref(), Some("a-0"));
        let twice = [route("r", &[], vec![any().remove(0), any().remove(0)])];
        let s = select_rule(&twice, RouteKind::Http, None, &req("h", "/"));
        assert_eq!(s.map(|s| s.rule_index), Some(0));
        assert!(select_rule(&twice, RouteKind::Grpc, None, &req("h", "/")).is_none());
    }

    #[test]
    fn grpc_precedence_is_service_then_method_characters() {
        let m = |service: Option<&str>, method: Option<&str>| RouteMatch {
            grpc: Some(GrpcMethodMatch {
                kind: ValueMatchKind::Exact,
                service: service.map(str::to_owned),
                method: method.map(str::to_owned),
            }),
            ..RouteMatch::default()
        };
        let mut r = route(
            "g",
            &[],
            vec![
                vec![RouteMatch::default()],
                vec![m(None, Some("Get"))],
                vec![m(Some("pkg.Svc"), None)],
                vec![m(Some("pkg.Svc"), Some("Get"))],
            ],
        );
        r.kind = RouteKind::Grpc;
        let routes = [r];
        let pick = |p: &str| {
            select_rule(
                &routes,
                RouteKind::Grpc,
                None,
                &Request {
                    method: "POST",
                    ..req("h", p)
                },
            )
            .map(|s| s.rule_index)
        };
        assert_eq!(pick("/pkg.Svc/Get"), Some(3));
        assert_eq!(pick("/pkg.Svc/Put"), Some(2));
        assert_eq!(pick("/other.Svc/Get"), Some(1));
        assert_eq!(pick("/other.Svc/Put"), Some(0));
    }
}
