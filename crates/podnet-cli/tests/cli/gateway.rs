//! Gateway API through the real binary: `trace --to URL` with `--method`,
//! `--header`, the query string, `--grpc` and `--gateway`; ReferenceGrant
//! enforced in `trace`, `connlist` and `audit` (PN3008) for backendRefs and
//! listener certificateRefs (docs/dataplane.md, "Gateway API").

use crate::support::{json, podnet, temp_dir};

/// A Gateway `infra/web` (HTTP 80, HTTPS 443 with a certificate in `certs`),
/// an HTTPRoute in `shop` with method/header/query rules, one rule to a
/// Service in `ledger` (a cross-namespace backendRef), and a GRPCRoute.
const SHOP: &str = r#"apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: ledger}
---
apiVersion: v1
kind: Namespace
metadata: {name: certs}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: infra}
spec:
  gatewayClassName: example
  listeners:
  - name: http
    port: 80
    protocol: HTTP
    allowedRoutes: {namespaces: {from: All}}
  - name: https
    port: 443
    protocol: HTTPS
    allowedRoutes: {namespaces: {from: All}}
    tls:
      certificateRefs:
      - name: shop-cert
        namespace: certs
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  template:
    metadata: {labels: {app: cart}}
    spec:
      containers: [{name: c, image: cart, ports: [{containerPort: 8080}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: canary, namespace: shop}
spec:
  selector: {matchLabels: {app: canary}}
  template:
    metadata: {labels: {app: canary}}
    spec:
      containers: [{name: c, image: cart, ports: [{containerPort: 8080}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: books, namespace: ledger}
spec:
  selector: {matchLabels: {app: books}}
  template:
    metadata: {labels: {app: books}}
    spec:
      containers: [{name: c, image: books, ports: [{containerPort: 9090}]}]
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec:
  selector: {app: cart}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: canary, namespace: shop}
spec:
  selector: {app: canary}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: books, namespace: ledger}
spec:
  selector: {app: books}
  ports: [{port: 80, targetPort: 9090}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: shop}
spec:
  parentRefs: [{name: web, namespace: infra}]
  hostnames: [shop.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /cart}}]
    backendRefs: [{name: cart, port: 80}]
  - matches:
    - path: {type: PathPrefix, value: /cart}
      method: POST
      headers: [{name: x-canary, value: "yes"}]
    backendRefs: [{name: canary, port: 80}]
  - matches:
    - path: {type: PathPrefix, value: /cart}
      queryParams: [{name: debug, type: RegularExpression, value: "[0-9]+"}]
    backendRefs: [{name: canary, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /books}}]
    backendRefs:
    - name: books
      namespace: ledger
      port: 80
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: store, namespace: shop}
spec:
  parentRefs: [{name: web, namespace: infra}]
  hostnames: [grpc.example.com]
  rules:
  - matches: [{method: {service: store.Store, method: Get}}]
    backendRefs: [{name: cart, port: 80}]
"#;

/// Grants for the backendRef to `ledger/books` and the certificate in
/// `certs`.
const GRANTS: &str = r#"apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: shop-to-books, namespace: ledger}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]
  to: [{group: "", kind: Service, name: books}]
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: web-cert, namespace: certs}
spec:
  from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: infra}]
  to: [{group: "", kind: Secret}]
"#;

/// The deployments the JSON trace's delivered paths reach, sorted.
fn reached(v: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = v["paths"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["outcome"] == "delivered")
        .filter_map(|p| p["detail"].as_str())
        .filter_map(|d| d.strip_prefix("delivered to pod "))
        .map(|d| {
            let pod = d.split(' ').next().unwrap_or_default();
            pod.rsplit_once('-').map_or(pod, |(w, _)| w).to_owned()
        })
        .collect();
    out.sort();
    out
}

fn trace(dir: &std::path::Path, to: &str, extra: &[&str]) -> crate::support::Run {
    let path = dir.to_string_lossy().into_owned();
    let mut args = vec!["trace", path.as_str(), "--to", to, "-o", "json", "-q"];
    args.extend_from_slice(extra);
    podnet(&args)
}

// HTTPRouteRule `matches` precedence (API reference): on equal paths a
// method match beats header and query matches; the RegularExpression query
// match needs a value of digits.
#[test]
fn trace_sends_method_headers_and_query_as_given() {
    let dir = temp_dir("gw-requests", &[("shop.yaml", SHOP)]);
    let cases: &[(&str, &[&str], &[&str])] = &[
        ("http://shop.example.com/cart", &[], &["shop/cart"]),
        (
            "http://shop.example.com/cart",
            &["--method", "post", "--header", "X-Canary: yes"],
            &["shop/canary"],
        ),
        (
            "http://shop.example.com/cart",
            &["--header", "x-canary:yes"],
            &["shop/cart"],
        ),
        (
            "http://shop.example.com/cart?debug=12",
            &[],
            &["shop/canary"],
        ),
        ("http://shop.example.com/cart?debug=x", &[], &["shop/cart"]),
    ];
    for (url, extra, want) in cases {
        let run = trace(&dir, url, extra);
        assert_eq!(run.code, 0, "{url} {extra:?}: {}", run.stderr);
        let v = json(&run);
        assert_eq!(reached(&v), *want, "{url} {extra:?}: {v:#}");
    }
    let run = trace(
        &dir,
        "http://shop.example.com/cart?debug=1",
        &["--method", "POST", "--header", "x-canary: yes"],
    );
    let v = json(&run);
    let r = &v["http_request"];
    assert_eq!(r["method"], "POST");
    assert_eq!(r["query"], serde_json::json!([["debug", "1"]]));
    assert_eq!(r["headers"], serde_json::json!([["x-canary", "yes"]]));
    assert_eq!(
        v["to"],
        "http://shop.example.com/cart?debug=1 [POST; x-canary: yes]"
    );
}

// GRPCRoute method matches; an unmatched method is UNIMPLEMENTED (the
// conformance test GRPCExactMethodMatching expects `Unimplemented`).
#[test]
fn trace_sends_grpc_calls_to_grpc_routes() {
    let dir = temp_dir("gw-grpc", &[("shop.yaml", SHOP)]);
    let run = trace(
        &dir,
        "http://grpc.example.com",
        &["--grpc", "store.Store/Get"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v = json(&run);
    assert_eq!(reached(&v), ["shop/cart"]);
    assert_eq!(v["http_request"]["path"], "/store.Store/Get");
    let run = trace(
        &dir,
        "http://grpc.example.com",
        &["--grpc", "store.Store/Put"],
    );
    let v = json(&run);
    assert_eq!(v["paths"][0]["outcome"], "answered");
    assert_eq!(v["paths"][0]["grpc_status"], "UNIMPLEMENTED");
    assert_eq!(v["reachable"], false);
    let run = trace(
        &dir,
        "http://grpc.example.com/x",
        &["--grpc", "store.Store/Get"],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--grpc: the URL has a path"),
        "{}",
        run.stderr
    );
}

#[test]
fn request_options_need_a_url_and_gateway_must_exist() {
    let dir = temp_dir("gw-options", &[("shop.yaml", SHOP)]);
    let path = dir.to_string_lossy().into_owned();
    let run = podnet(&[
        "trace",
        &path,
        "--from",
        "shop/cart",
        "--to",
        "books.ledger",
        "--method",
        "POST",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("apply to a URL destination"),
        "{}",
        run.stderr
    );
    let run = trace(
        &dir,
        "http://shop.example.com/cart",
        &["--gateway", "infra/nope"],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no Gateway is called `infra/nope`"),
        "{}",
        run.stderr
    );
    let run = trace(
        &dir,
        "http://shop.example.com/cart",
        &["--header", "bad header:x"],
    );
    assert_eq!(run.code, 2);
    let run = trace(
        &dir,
        "http://shop.example.com/cart",
        &["--gateway", "infra/web"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(reached(&json(&run)), ["shop/cart"]);
}

// ReferenceGrant: implementations "MUST NOT permit cross-namespace
// references which have no grant"; HTTPRouteRule backendRefs: a rule whose
// every backendRef is invalid answers 500. GatewayTLSConfig
// certificateRefs: a Secret in another namespace needs a grant from
// Gateways. Without grants: trace answers 500 and fails the TLS handshake,
// connlist has no gateway row to `ledger/books`, audit reports PN3008 at the
// backendRef's and the certificateRef's lines; with grants all three change.
#[test]
fn reference_grants_govern_trace_connlist_and_audit() {
    let dir = temp_dir("gw-grants", &[("shop.yaml", SHOP)]);
    let path = dir.to_string_lossy().into_owned();
    let v = json(&trace(&dir, "http://shop.example.com/books", &[]));
    assert_eq!(v["paths"][0]["outcome"], "answered", "{v:#}");
    assert_eq!(v["paths"][0]["http_status"], 500);
    let v = json(&trace(&dir, "https://shop.example.com/cart", &[]));
    assert_eq!(v["paths"][0]["outcome"], "answered", "{v:#}");
    assert!(
        v["paths"][0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("failed TLS handshake")),
        "{v:#}"
    );

    let gateway_rows = |path: &str| -> Vec<String> {
        let run = podnet(&["connlist", path, "-o", "json", "-q"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let v = json(&run);
        let mut rows: Vec<String> = v["connections"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["src"]["gateway"]["name"] == "web")
            .map(|c| c["dst"].to_string())
            .collect();
        rows.sort();
        rows
    };
    let rows = gateway_rows(&path);
    assert!(!rows.iter().any(|r| r.contains("books")), "{rows:#?}");
    assert!(rows.iter().any(|r| r.contains("cart")), "{rows:#?}");

    let run = podnet(&["audit", &path, "-o", "json", "--only", "PN3008", "-q"]);
    let v = json(&run);
    let found: Vec<(String, u64)> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["subject"]["kind"].as_str().unwrap_or_default().to_owned(),
                f["subject"]["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    let line_of = |needle: &str| {
        SHOP.lines()
            .position(|l| l.contains(needle))
            .map_or(0, |i| i as u64 + 1)
    };
    let mut want = vec![
        ("Gateway".to_owned(), line_of("- name: shop-cert")),
        ("HTTPRoute".to_owned(), line_of("- name: books")),
    ];
    want.sort();
    let mut found = found;
    found.sort();
    assert_eq!(found, want, "{v:#}");

    let dir = temp_dir(
        "gw-granted",
        &[("shop.yaml", SHOP), ("grants.yaml", GRANTS)],
    );
    let path = dir.to_string_lossy().into_owned();
    assert_eq!(
        reached(&json(&trace(&dir, "http://shop.example.com/books", &[]))),
        ["ledger/books"]
    );
    assert_eq!(
        reached(&json(&trace(&dir, "https://shop.example.com/cart", &[]))),
        ["shop/cart"]
    );
    assert!(gateway_rows(&path).iter().any(|r| r.contains("books")));
    let run = podnet(&["audit", &path, "-o", "json", "--only", "PN3008", "-q"]);
    assert_eq!(json(&run)["findings"], serde_json::json!([]));
}

/// The trace's words for what a Gateway decides, pinned as text: a rule
/// that forwards, a rule whose every backendRef is refused (HTTP 500), a
/// request no rule matches (404, and gRPC's UNIMPLEMENTED), a listener
/// whose certificateRefs are refused (failed TLS handshake), and a URL no
/// front takes.
#[test]
fn trace_text_words_gateway_decisions() {
    let dir = temp_dir("gw-words", &[("shop.yaml", SHOP)]);
    let path = dir.to_string_lossy().into_owned();
    let cases: [(&str, &[&str]); 6] = [
        ("http://shop.example.com/cart", &[]),
        ("http://shop.example.com/books", &[]),
        ("http://shop.example.com/none", &[]),
        ("http://grpc.example.com", &["--grpc", "store.Store/Put"]),
        ("https://shop.example.com/cart", &[]),
        ("tcp://shop.example.com:9000", &[]),
    ];
    let mut out = String::new();
    for (to, extra) in cases {
        let mut args = vec!["trace", path.as_str(), "--to", to, "-q"];
        args.extend_from_slice(extra);
        let run = podnet(&args);
        assert_eq!(run.code, 0, "{to}: {}", run.stderr);
        out.push_str(&run.stdout);
    }
    insta::assert_snapshot!("trace_gateway_decisions_txt", out);
}
