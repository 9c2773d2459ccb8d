//! Gateway API request matching on routes as the reader lowers them: the
//! listener a request reaches and the rule that takes it (API reference,
//! GatewaySpec `listeners`, HTTPRouteRule and GRPCRouteRule `matches`,
//! <https://gateway-api.sigs.k8s.io/reference/spec/>), through
//! `podnet_dataplane::gateway_select`, which moved here from the model
//! crate with these assertions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::cluster;
use podnet_dataplane::gateway_match::{Request, select_listener};
use podnet_dataplane::gateway_select::select_rule;
use podnet_model::RouteKind;

const GATEWAY: &str = r#"apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: edge
  namespace: infra
spec:
  gatewayClassName: envoy
  addresses:
  - value: 203.0.113.10
  - type: Hostname
    value: edge.example.com
  listeners:
  - name: http
    port: 80
    protocol: HTTP
    allowedRoutes:
      namespaces:
        from: All
  - name: https
    hostname: "*.example.com"
    port: 443
    protocol: HTTPS
    tls:
      mode: Terminate
      certificateRefs:
      - name: wildcard-cert
    allowedRoutes:
      namespaces:
        from: Selector
        selector:
          matchLabels:
            gateway-access: "true"
      kinds:
      - kind: HTTPRoute
  - name: tls
    port: 8443
    protocol: TLS
    tls:
      mode: Passthrough
"#;

#[test]
fn a_request_on_443_reaches_the_wildcard_https_listener() {
    let c = cluster(GATEWAY);
    let g = &c.gateways[0];
    let on_443 = select_listener(&g.listeners, 443, "shop.example.com");
    assert_eq!(on_443.map(|l| l.name.as_str()), Some("https"));
}

const HTTP_ROUTE: &str = r#"apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: shop
  namespace: web
  creationTimestamp: "2024-01-02T03:04:05Z"
spec:
  parentRefs:
  - name: edge
    namespace: infra
    sectionName: https
  - name: edge
    namespace: infra
    sectionName: http
    port: 80
  hostnames:
  - shop.example.com
  - "*.shop.example.com"
  rules:
  - name: api
    matches:
    - path:
        type: PathPrefix
        value: /api
      headers:
      - name: X-Version
        value: "2"
      - type: RegularExpression
        name: x-user
        value: "[a-z]+"
      queryParams:
      - name: debug
        value: "1"
      method: GET
    - path:
        type: Exact
        value: /api/health
    backendRefs:
    - name: api-v2
      port: 8080
      weight: 90
    - name: api-v1
      namespace: legacy
      port: 8080
      weight: 10
  - backendRefs:
    - name: web
      port: 80
  - matches:
    - path:
        type: RegularExpression
        value: "/img/.*\\.png"
"#;

#[test]
fn http_requests_pick_rules_by_path_method_headers_and_query() {
    let c = cluster(HTTP_ROUTE);
    let pick = |host: &str, path: &str, method: &str, headers: &[(&str, &str)]| {
        let req = Request {
            host,
            path,
            method,
            headers,
            query: &[("debug", "1")],
        };
        select_rule(&c.gateway_routes, RouteKind::Http, None, &req).map(|s| s.rule_index)
    };
    let user = [("x-version", "2"), ("X-User", "ann")];
    assert_eq!(pick("a.shop.example.com", "/api/x", "GET", &user), Some(0));
    assert_eq!(pick("shop.example.com", "/api/x", "POST", &user), Some(1));
    assert_eq!(
        pick("shop.example.com", "/api/health", "POST", &[]),
        Some(0)
    );
    assert_eq!(pick("shop.example.com", "/img/a.png", "GET", &[]), Some(2));
    assert_eq!(pick("other.example.com", "/", "GET", &[]), None);
}

const GRPC_ROUTE: &str = r#"apiVersion: gateway.networking.k8s.io/v1
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
"#;

#[test]
fn grpc_calls_pick_rules_by_service_method_and_headers() {
    let c = cluster(GRPC_ROUTE);
    let pick = |path: &str, headers: &[(&str, &str)]| {
        let req = Request {
            host: "grpc.example.com:443",
            path,
            method: "POST",
            headers,
            query: &[],
        };
        select_rule(&c.gateway_routes, RouteKind::Grpc, None, &req).map(|s| s.rule_index)
    };
    assert_eq!(pick("/shop.v1.Cart/Add", &[("Tenant", "a")]), Some(0));
    assert_eq!(pick("/shop.v1.Cart/Add", &[]), Some(1));
    assert_eq!(pick("/other.Svc/Get", &[]), Some(2));
}
