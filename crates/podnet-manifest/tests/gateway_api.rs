//! Loading Gateway API objects (gateway.networking.k8s.io/v1 Gateway,
//! HTTPRoute and GRPCRoute) end to end with `load_files`: the gateways and
//! routes they lower to, and each validation error with its field path and
//! line.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers: a failure is a test failure

use podnet_model::{
    BackendRef, GrpcMethodMatch, HeaderMatch, ListenerProtocol, ParentKind, ParentRef, PathMatch,
    PathMatchKind, RouteKind, RouteNamespaces, TlsMode, ValueMatchKind,
};

mod common;
use common::{errors, load, only_error, warnings};

fn one_error(text: &str, path: &str, line: u32) -> String {
    let (l, message) = only_error(text, path, line);
    assert!(l.cluster.gateways.is_empty() && l.cluster.gateway_routes.is_empty());
    message
}

fn backend(ns: &str, name: &str, port: u16, weight: u32, line: u32) -> BackendRef {
    BackendRef {
        namespace: ns.into(),
        name: name.into(),
        port: Some(port),
        weight,
        filters: Vec::new(),
        redirect: None,
        line: Some(line),
    }
}

/// A Gateway with HTTP, HTTPS and TLS listeners (shared with the
/// dataplane's request-matching tests).
const GATEWAY: &str = include_str!("data/gateway.yaml");

#[test]
fn a_gateway_is_lowered() {
    let l = load(GATEWAY);
    assert!(l.diagnostics.is_empty(), "{:#?}", l.diagnostics);
    let [g] = &l.cluster.gateways[..] else {
        panic!("{:#?}", l.cluster.gateways)
    };
    assert_eq!(g.meta.kind, "Gateway");
    assert_eq!(l.cluster.namespaces[g.namespace.index()].name, "infra");
    assert_eq!(g.class, "envoy");
    assert_eq!(g.addresses, ["203.0.113.10", "edge.example.com"]);
    let [http, https, tls] = &g.listeners[..] else {
        panic!("{:#?}", g.listeners)
    };
    assert_eq!(
        (http.name.as_str(), http.port, &http.protocol, http.tls),
        ("http", 80, &ListenerProtocol::Http, None)
    );
    assert_eq!(http.allowed_routes.from, RouteNamespaces::All);
    assert_eq!(http.line, Some(13));
    assert!(http.allows_kind(RouteKind::Grpc));
    assert_eq!(https.hostname.as_deref(), Some("*.example.com"));
    assert_eq!(https.tls, Some(TlsMode::Terminate));
    assert!(matches!(
        &https.allowed_routes.from,
        RouteNamespaces::Selector(s) if s.to_string() == "gateway-access=true"
    ));
    assert!(https.allows_kind(RouteKind::Http) && !https.allows_kind(RouteKind::Grpc));
    assert_eq!(tls.protocol, ListenerProtocol::Tls);
    assert_eq!(tls.tls, Some(TlsMode::Passthrough));
    assert!(!tls.allows_kind(RouteKind::Http));
}

/// An HTTPRoute with matches of every kind (shared with the dataplane's
/// request-matching tests).
const HTTP_ROUTE: &str = include_str!("data/http_route.yaml");

#[test]
fn an_http_route_is_lowered() {
    let l = load(HTTP_ROUTE);
    assert!(l.diagnostics.is_empty(), "{:#?}", l.diagnostics);
    let [r] = &l.cluster.gateway_routes[..] else {
        panic!("{:#?}", l.cluster.gateway_routes)
    };
    assert_eq!(r.kind, RouteKind::Http);
    assert_eq!(r.meta.kind, "HTTPRoute");
    assert_eq!(l.cluster.namespaces[r.namespace.index()].name, "web");
    assert_eq!(r.created, Some(1_704_164_645));
    assert_eq!(
        r.parents,
        [
            ParentRef {
                kind: ParentKind::Gateway,
                namespace: "infra".into(),
                name: "edge".into(),
                section_name: Some("https".into()),
                port: None
            },
            ParentRef {
                kind: ParentKind::Gateway,
                namespace: "infra".into(),
                name: "edge".into(),
                section_name: Some("http".into()),
                port: Some(80)
            }
        ]
    );
    assert_eq!(r.hostnames, ["shop.example.com", "*.shop.example.com"]);
    let [api, default, images] = &r.rules[..] else {
        panic!("{:#?}", r.rules)
    };
    assert_eq!(api.name.as_deref(), Some("api"));
    assert_eq!(api.line, Some(20));
    let [m0, m1] = &api.matches[..] else {
        panic!("{:#?}", api.matches)
    };
    assert_eq!(
        m0.path,
        Some(PathMatch {
            kind: PathMatchKind::PathPrefix,
            value: "/api".into()
        })
    );
    assert_eq!(
        m0.headers,
        [
            HeaderMatch {
                name: "X-Version".into(),
                value: "2".into(),
                kind: ValueMatchKind::Exact
            },
            HeaderMatch {
                name: "x-user".into(),
                value: "[a-z]+".into(),
                kind: ValueMatchKind::RegularExpression
            }
        ]
    );
    assert_eq!(m0.query_params[0].name, "debug");
    assert_eq!(m0.method.as_deref(), Some("GET"));
    assert_eq!(m1.path.as_ref().map(|p| p.kind), Some(PathMatchKind::Exact));
    assert_eq!(
        api.backends,
        [
            backend("web", "api-v2", 8080, 90, 39),
            backend("legacy", "api-v1", 8080, 10, 42)
        ]
    );
    // A rule without matches matches `PathPrefix /`; weight defaults to 1.
    assert_eq!(
        default.matches[0].path,
        Some(PathMatch {
            kind: PathMatchKind::PathPrefix,
            value: "/".into()
        })
    );
    assert_eq!(default.backends, [backend("web", "web", 80, 1, 47)]);
    assert_eq!(
        images.matches[0].path.as_ref().map(|p| p.kind),
        Some(PathMatchKind::RegularExpression)
    );
    assert!(images.backends.is_empty());
    // Requests against these rules: podnet-dataplane's
    // tests/gateway_match_loaded.rs.
}

#[test]
fn a_route_without_rules_matches_everything_and_v1beta1_is_read() {
    let l = load(
        r#"apiVersion: gateway.networking.k8s.io/v1beta1
kind: HTTPRoute
metadata:
  name: all
spec:
  parentRefs:
  - name: edge
"#,
    );
    assert!(l.diagnostics.is_empty(), "{:#?}", l.diagnostics);
    let r = &l.cluster.gateway_routes[0];
    assert_eq!(r.meta.namespace.as_deref(), Some("default"));
    assert_eq!(r.parents[0].namespace, "default");
    assert_eq!(r.created, None);
    let [rule] = &r.rules[..] else { panic!() };
    assert_eq!(
        rule.matches[0].path.as_ref().map(|p| p.value.as_str()),
        Some("/")
    );
    assert!(rule.backends.is_empty());
}

#[test]
fn a_grpc_route_is_lowered() {
    let l = load(
        r#"apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata:
  name: rpc
  namespace: web
spec:
  parentRefs:
  - name: edge
    namespace: infra
  hostnames: ["grpc.example.com"]
  rules:
  - matches:
    - method:
        service: shop.v1.Cart
        method: Add
      headers:
      - name: tenant
        value: a
    backendRefs:
    - name: cart
      port: 9090
  - matches:
    - method:
        type: RegularExpression
        service: "shop\\.v1\\..*"
    backendRefs:
    - name: shop
      port: 9090
  - backendRefs:
    - name: fallback
      port: 9090
"#,
    );
    assert!(l.diagnostics.is_empty(), "{:#?}", l.diagnostics);
    let r = &l.cluster.gateway_routes[0];
    assert_eq!(r.kind, RouteKind::Grpc);
    assert_eq!(r.meta.kind, "GRPCRoute");
    assert_eq!(r.rules.len(), 3);
    assert_eq!(
        r.rules[0].matches[0].grpc,
        Some(GrpcMethodMatch {
            kind: ValueMatchKind::Exact,
            service: Some("shop.v1.Cart".into()),
            method: Some("Add".into())
        })
    );
    assert_eq!(r.rules[0].matches[0].headers[0].name, "tenant");
    assert_eq!(r.rules[0].matches[0].path, None);
    assert_eq!(
        r.rules[1].matches[0].grpc.as_ref().map(|g| g.kind),
        Some(ValueMatchKind::RegularExpression)
    );
    assert_eq!(r.rules[2].matches, [podnet_model::RouteMatch::default()]);
    assert_eq!(r.rules[2].line, Some(29));
    // Calls against these rules: podnet-dataplane's
    // tests/gateway_match_loaded.rs.
}

#[test]
fn unmodelled_backends_and_parents_are_warnings() {
    let l = load(
        r#"apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: mixed
spec:
  parentRefs:
  - name: edge
  - group: ""
    kind: Service
    name: mesh-svc
  rules:
  - backendRefs:
    - group: multicluster.x-k8s.io
      kind: ServiceImport
      name: remote
      port: 80
    - kind: Service
      name: local
      port: 80
"#,
    );
    assert!(errors(&l).is_empty(), "{:#?}", l.diagnostics);
    let w = warnings(&l);
    assert_eq!(w.len(), 2, "{w:#?}");
    assert!(
        w[0].contains("spec.parentRefs[1]") && w[0].contains("Gateways and ListenerSets only"),
        "{w:#?}"
    );
    assert!(w[0].contains("test.yaml:8"), "{w:#?}");
    assert!(
        w[1].contains("spec.rules[0].backendRefs[0]")
            && w[1].contains("ServiceImport.multicluster.x-k8s.io")
            && w[1].contains("not modelled"),
        "{w:#?}"
    );
    assert!(w[1].contains("test.yaml:13"), "{w:#?}");
    let r = &l.cluster.gateway_routes[0];
    assert_eq!(r.parents.len(), 1);
    assert_eq!(
        r.rules[0].backends,
        [backend("default", "local", 80, 1, 17)]
    );
}

#[test]
fn gateway_objects_keep_input_order_and_a_redefinition_replaces() {
    let l = load(
        r#"apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: a}
spec: {hostnames: [one.example.com]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: a}
spec: {}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: a}
spec: {hostnames: [two.example.com]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: envoy}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: istio-gw}
spec: {selector: {istio: ingressgateway}}
"#,
    );
    assert!(errors(&l).is_empty(), "{:#?}", l.diagnostics);
    let w = warnings(&l);
    assert!(
        w.iter()
            .any(|w| w.contains("HTTPRoute default/a is defined twice")),
        "{w:#?}"
    );
    assert!(w.iter().any(|w| w.contains("GatewayClass")), "{w:#?}");
    assert!(
        w.iter().any(|w| w.contains("networking.istio.io")),
        "{w:#?}"
    );
    assert!(l.cluster.gateways.is_empty());
    let got: Vec<(RouteKind, &[String])> = l
        .cluster
        .gateway_routes
        .iter()
        .map(|r| (r.kind, r.hostnames.as_slice()))
        .collect();
    assert_eq!(
        got,
        [
            (RouteKind::Grpc, &[][..]),
            (RouteKind::Http, &["two.example.com".to_owned()][..])
        ]
    );
}

// ---------------------------------------------------------------------------
// Gateway errors
// ---------------------------------------------------------------------------

/// A Gateway in namespace `infra` whose listeners are `listeners` (indented
/// by two; the first listener is on line 8).
fn gateway(listeners: &str) -> String {
    format!(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: g\n  namespace: infra\nspec:\n  gatewayClassName: c\n  listeners:\n{listeners}"
    )
}

#[test]
fn gateway_class_and_listeners_are_required() {
    let m = one_error(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec:\n  listeners: [{name: a, port: 80, protocol: HTTP}]\n",
        "spec.gatewayClassName",
        4,
    );
    assert_eq!(m, "gatewayClassName is required");
    let m = one_error(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec:\n  gatewayClassName: c\n  listeners: []\n",
        "spec.listeners",
        6,
    );
    assert_eq!(m, "at least one listener is required");
    let many: String = (0..65)
        .map(|i| format!("  - {{name: l{i}, port: {}, protocol: HTTP}}\n", 1000 + i))
        .collect();
    let m = one_error(&gateway(&many), "spec.listeners", 8);
    assert_eq!(m, "too many: 65: must have at most 64 items");
}

#[test]
fn listener_fields() {
    let m = one_error(
        &gateway("  - name: a\n    port: 0\n    protocol: HTTP\n"),
        "spec.listeners[0].port",
        10,
    );
    assert_eq!(
        m,
        "invalid value `0`: must be between 1 and 65535, inclusive"
    );
    let m = one_error(
        &gateway("  - name: a\n    port: 80\n"),
        "spec.listeners[0].protocol",
        9,
    );
    assert_eq!(m, "protocol is required");
    let m = one_error(
        &gateway("  - name: a\n    port: 80\n    protocol: example.com\n"),
        "spec.listeners[0].protocol",
        11,
    );
    assert!(m.contains("domain-prefixed path"), "{m}");
    let m = one_error(
        &gateway("  - name: Bad_Name\n    port: 80\n    protocol: HTTP\n"),
        "spec.listeners[0].name",
        9,
    );
    assert!(m.contains("RFC 1123 subdomain"), "{m}");
    let m = one_error(
        &gateway("  - name: a\n    port: 80\n    protocol: HTTP\n    hostname: 10.1.2.3\n"),
        "spec.listeners[0].hostname",
        12,
    );
    assert_eq!(
        m,
        "invalid value `10.1.2.3`: must be a DNS name, not an IP address"
    );
    let m = one_error(
        &gateway(
            "  - name: a\n    port: 80\n    protocol: HTTP\n    hostname: \"a.*.example.com\"\n",
        ),
        "spec.listeners[0].hostname",
        12,
    );
    assert!(m.contains("wildcard DNS-1123 subdomain"), "{m}");
    let m = one_error(
        &gateway("  - name: a\n    port: 53\n    protocol: UDP\n    hostname: dns.example.com\n"),
        "spec.listeners[0].hostname",
        12,
    );
    assert_eq!(
        m,
        "hostname must not be specified for protocols ['TCP', 'UDP']"
    );
    let m = one_error(
        &gateway(
            "  - name: a\n    port: 80\n    protocol: HTTP\n    allowedRoutes:\n      namespaces:\n        from: None\n",
        ),
        "spec.listeners[0].allowedRoutes.namespaces.from",
        14,
    );
    assert_eq!(
        m,
        "unsupported value `None`: supported values are \"All\", \"Selector\", \"Same\""
    );
}

#[test]
fn listener_names_and_port_protocol_hostname_are_unique() {
    let m = one_error(
        &gateway(
            "  - name: a\n    port: 80\n    protocol: HTTP\n  - name: a\n    port: 81\n    protocol: HTTP\n",
        ),
        "spec.listeners[1].name",
        12,
    );
    assert_eq!(m, "Listener name must be unique within the Gateway");
    let m = one_error(
        &gateway(
            "  - name: a\n    port: 80\n    protocol: HTTP\n  - name: b\n    port: 80\n    protocol: HTTP\n",
        ),
        "spec.listeners[1]",
        12,
    );
    assert_eq!(
        m,
        "Combination of port, protocol and hostname must be unique for each listener"
    );
}

#[test]
fn listener_tls_follows_the_protocol() {
    let m = one_error(
        &gateway(
            "  - name: a\n    port: 80\n    protocol: HTTP\n    tls:\n      certificateRefs: [{name: c}]\n",
        ),
        "spec.listeners[0].tls",
        12,
    );
    assert_eq!(
        m,
        "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']"
    );
    let m = one_error(
        &gateway(
            "  - name: a\n    port: 443\n    protocol: HTTPS\n    tls:\n      mode: Passthrough\n",
        ),
        "spec.listeners[0].tls",
        12,
    );
    assert_eq!(m, "tls mode must be Terminate for protocol HTTPS");
    let m = one_error(
        &gateway("  - name: a\n    port: 443\n    protocol: TLS\n"),
        "spec.listeners[0]",
        9,
    );
    assert_eq!(m, "tls mode must be set for protocol TLS");
    let m = one_error(
        &gateway(
            "  - name: a\n    port: 443\n    protocol: HTTPS\n    tls:\n      mode: Terminate\n",
        ),
        "spec.listeners[0].tls",
        12,
    );
    assert_eq!(
        m,
        "certificateRefs or options must be specified when mode is Terminate"
    );
    // HTTPS without `tls` is accepted by the API server: a warning.
    let l = load(&gateway(
        "  - name: a\n    port: 443\n    protocol: HTTPS\n",
    ));
    assert!(errors(&l).is_empty());
    assert_eq!(warnings(&l).len(), 1);
}

#[test]
fn gateway_addresses() {
    let m = one_error(
        &(gateway("  - {name: a, port: 80, protocol: HTTP}\n")
            + "  addresses:\n  - value: not-an-ip\n"),
        "spec.addresses[0].value",
        11,
    );
    assert_eq!(m, "invalid value `not-an-ip`: must be an IP address");
    let m = one_error(
        &(gateway("  - {name: a, port: 80, protocol: HTTP}\n")
            + "  addresses:\n  - value: 10.0.0.1\n  - type: IPAddress\n    value: 10.0.0.1\n"),
        "spec.addresses",
        10,
    );
    assert_eq!(m, "IPAddress values must be unique");
}

// ---------------------------------------------------------------------------
// Route errors
// ---------------------------------------------------------------------------

/// An HTTPRoute in namespace `web` whose spec is `spec` (indented by two;
/// its first line is line 7).
fn http_route(spec: &str) -> String {
    format!(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r\n  namespace: web\nspec:\n{spec}"
    )
}

/// One rule with one match whose path is `path` (type, value); the value
/// is on line 11.
fn path_rule(kind: &str, value: &str) -> String {
    http_route(&format!(
        "  rules:\n  - matches:\n    - path:\n        type: {kind}\n        value: \"{value}\"\n"
    ))
}

#[test]
fn path_values_follow_the_cel_rules() {
    let m = one_error(
        &path_rule("PathPrefix", "api"),
        "spec.rules[0].matches[0].path.value",
        11,
    );
    assert_eq!(
        m,
        "invalid value `api`: value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']"
    );
    let m = one_error(
        &path_rule("Exact", "/a//b"),
        "spec.rules[0].matches[0].path.value",
        11,
    );
    assert_eq!(
        m,
        "invalid value `/a//b`: must not contain '//' when type one of ['Exact', 'PathPrefix']"
    );
    let m = one_error(
        &path_rule("Exact", "/a/.."),
        "spec.rules[0].matches[0].path.value",
        11,
    );
    assert!(m.contains("must not end with '/..'"), "{m}");
    let m = one_error(
        &path_rule("Exact", "/a b"),
        "spec.rules[0].matches[0].path.value",
        11,
    );
    assert!(m.contains("must only contain valid characters"), "{m}");
    let m = one_error(
        &path_rule("Regex", "/"),
        "spec.rules[0].matches[0].path.type",
        10,
    );
    assert_eq!(
        m,
        "unsupported value `Regex`: supported values are \"Exact\", \"PathPrefix\", \"RegularExpression\""
    );
    // A regular expression is not checked by the API server: a pattern
    // podnet cannot read is a warning.
    let l = load(&path_rule("RegularExpression", "/(a"));
    assert!(errors(&l).is_empty());
    let w = warnings(&l);
    assert!(w.len() == 1 && w[0].contains("matches nothing"), "{w:#?}");
}

#[test]
fn route_hostnames_methods_and_headers() {
    let m = one_error(
        &http_route("  hostnames:\n  - ok.example.com\n  - \"*\"\n"),
        "spec.hostnames[1]",
        9,
    );
    assert!(m.contains("wildcard DNS-1123 subdomain"), "{m}");
    let m = one_error(
        &http_route("  rules:\n  - matches:\n    - method: get\n"),
        "spec.rules[0].matches[0].method",
        9,
    );
    assert!(m.starts_with("unsupported value `get`"), "{m}");
    let m = one_error(
        &http_route(
            "  rules:\n  - matches:\n    - headers:\n      - name: \":authority\"\n        value: x\n",
        ),
        "spec.rules[0].matches[0].headers[0].name",
        10,
    );
    assert!(m.contains("HTTP header name"), "{m}");
    let m = one_error(
        &http_route(
            "  rules:\n  - matches:\n    - queryParams:\n      - name: q\n        value: \"\"\n",
        ),
        "spec.rules[0].matches[0].queryParams[0].value",
        11,
    );
    assert_eq!(m, "value is required");
}

#[test]
fn rules_and_backends() {
    let m = one_error(
        &http_route("  rules:\n  - name: a\n  - name: a\n"),
        "spec.rules",
        7,
    );
    assert_eq!(m, "Rule name must be unique within the route");
    let many: String = (0..17).map(|_| "  - {}\n".to_owned()).collect();
    let m = one_error(&http_route(&format!("  rules:\n{many}")), "spec.rules", 7);
    assert_eq!(m, "too many: 17: must have at most 16 items");
    let m = one_error(
        &http_route(
            "  rules:\n  - backendRefs:\n    - name: s\n      port: 80\n      weight: 1000001\n",
        ),
        "spec.rules[0].backendRefs[0].weight",
        11,
    );
    assert_eq!(
        m,
        "invalid value `1000001`: must be between 0 and 1000000, inclusive"
    );
    let m = one_error(
        &http_route("  rules:\n  - backendRefs:\n    - name: s\n"),
        "spec.rules[0].backendRefs[0]",
        9,
    );
    assert_eq!(m, "Must have port for Service reference");
    let refs: String = (0..17)
        .map(|i| format!("    - {{name: s{i}, port: 80}}\n"))
        .collect();
    let m = one_error(
        &http_route(&format!("  rules:\n  - backendRefs:\n{refs}")),
        "spec.rules[0].backendRefs",
        8,
    );
    assert_eq!(m, "too many: 17: must have at most 16 items");
}

#[test]
fn parent_refs() {
    let m = one_error(
        &http_route("  parentRefs:\n  - name: edge\n  - name: edge\n    sectionName: http\n"),
        "spec.parentRefs",
        7,
    );
    assert_eq!(
        m,
        "sectionName must be specified when parentRefs includes 2 or more references to the same parent"
    );
    let m = one_error(
        &http_route(
            "  parentRefs:\n  - name: edge\n    sectionName: http\n  - name: edge\n    sectionName: http\n",
        ),
        "spec.parentRefs",
        7,
    );
    assert!(m.starts_with("sectionName must be unique"), "{m}");
    let m = one_error(
        &http_route("  parentRefs:\n  - name: edge\n    namespace: Infra\n"),
        "spec.parentRefs[0].namespace",
        9,
    );
    assert!(m.contains("RFC 1123 label"), "{m}");
}

#[test]
fn grpc_method_matches() {
    let grpc = |method: &str| {
        format!(
            "apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\nmetadata:\n  name: g\nspec:\n  rules:\n  - matches:\n    - method:\n{method}"
        )
    };
    let m = one_error(
        &grpc("        type: Exact\n"),
        "spec.rules[0].matches[0].method",
        8,
    );
    assert_eq!(m, "One or both of 'service' or 'method' must be specified");
    let m = one_error(
        &grpc("        service: shop/v1\n"),
        "spec.rules[0].matches[0].method.service",
        9,
    );
    assert!(
        m.starts_with("invalid value `shop/v1`: service must only contain"),
        "{m}"
    );
    let m = one_error(
        &grpc("        method: Get-1\n"),
        "spec.rules[0].matches[0].method.method",
        9,
    );
    assert!(
        m.contains("method must only contain valid characters"),
        "{m}"
    );
    let m = one_error(
        &grpc("        type: Prefix\n        service: a.B\n"),
        "spec.rules[0].matches[0].method.type",
        9,
    );
    assert!(m.starts_with("unsupported value `Prefix`"), "{m}");
    let nine: String = (0..9)
        .map(|_| "    - method: {service: a.B}\n".to_owned())
        .collect();
    let m = one_error(
        &format!(
            "apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\nmetadata:\n  name: g\nspec:\n  rules:\n  - matches:\n{nine}"
        ),
        "spec.rules[0].matches",
        7,
    );
    assert_eq!(m, "too many: 9: must have at most 8 items");
}

#[test]
fn wrong_versions_are_errors() {
    let l = load(
        "apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: GRPCRoute\nmetadata: {name: g}\nspec: {}\n",
    );
    assert_eq!(errors(&l).len(), 1, "{:#?}", l.diagnostics);
    assert!(l.cluster.gateway_routes.is_empty());
}
