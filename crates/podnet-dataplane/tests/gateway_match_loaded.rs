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

/// The reader's test fixture, lowered here and matched against.
const GATEWAY: &str = include_str!("../../podnet-manifest/tests/data/gateway.yaml");

#[test]
fn a_request_on_443_reaches_the_wildcard_https_listener() {
    let c = cluster(GATEWAY);
    let g = &c.gateways[0];
    let on_443 = select_listener(&g.listeners, 443, "shop.example.com");
    assert_eq!(on_443.map(|l| l.name.as_str()), Some("https"));
}

/// The reader's test fixture, lowered here and matched against.
const HTTP_ROUTE: &str = include_str!("../../podnet-manifest/tests/data/http_route.yaml");

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
