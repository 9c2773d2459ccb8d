//! The Host a request carries beside the URL's host (`--header Host:`),
//! misdirected requests (421), backendRef `RequestRedirect` filters and
//! `--to IP:PORT` to a Gateway's `spec.addresses`, through the real binary
//! (docs/dataplane.md, "Gateway API").

use serde_json::Value;

use crate::support::{json, podnet, temp_dir};

/// Gateway `infra/edge` at 198.51.100.7: HTTP on 80; on 443 an HTTPS
/// listener without hostname, one for `a.example.org` and one for
/// `*.example.org`; on 8443 only one for `b.example.org`. Routes: `plain`
/// (HTTP, any host) to `one`; `secure` (`example.org` on the catch-all
/// HTTPS listener) to `one`; `a` to `two`; `wild` to `three`, whose
/// backendRef redirects, and to `two`; `b` to `two`.
const EDGE: &str = r#"apiVersion: v1
kind: Namespace
metadata: {name: infra}
---
apiVersion: v1
kind: Secret
metadata: {name: edge-cert, namespace: infra}
type: kubernetes.io/tls
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: infra}
spec:
  gatewayClassName: example
  addresses: [{type: IPAddress, value: 198.51.100.7}]
  listeners:
  - {name: http, port: 80, protocol: HTTP}
  - name: https
    port: 443
    protocol: HTTPS
    tls: {certificateRefs: [{name: edge-cert}]}
  - name: https-a
    port: 443
    hostname: a.example.org
    protocol: HTTPS
    tls: {certificateRefs: [{name: edge-cert}]}
  - name: https-wild
    port: 443
    hostname: "*.example.org"
    protocol: HTTPS
    tls: {certificateRefs: [{name: edge-cert}]}
  - name: https-b
    port: 8443
    hostname: b.example.org
    protocol: HTTPS
    tls: {certificateRefs: [{name: edge-cert}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: one, namespace: infra}
spec:
  selector: {matchLabels: {app: one}}
  template:
    metadata: {labels: {app: one}}
    spec:
      containers: [{name: c, image: one, ports: [{containerPort: 8080}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: two, namespace: infra}
spec:
  selector: {matchLabels: {app: two}}
  template:
    metadata: {labels: {app: two}}
    spec:
      containers: [{name: c, image: two, ports: [{containerPort: 8080}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: three, namespace: infra}
spec:
  selector: {matchLabels: {app: three}}
  template:
    metadata: {labels: {app: three}}
    spec:
      containers: [{name: c, image: three, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: three, namespace: infra}
spec:
  selector: {app: three}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: one, namespace: infra}
spec:
  selector: {app: one}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: two, namespace: infra}
spec:
  selector: {app: two}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: plain, namespace: infra}
spec:
  parentRefs: [{name: edge, sectionName: http}]
  rules: [{backendRefs: [{name: one, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: secure, namespace: infra}
spec:
  parentRefs: [{name: edge, sectionName: https}]
  hostnames: [example.org]
  rules: [{backendRefs: [{name: one, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: a, namespace: infra}
spec:
  parentRefs: [{name: edge, sectionName: https-a}]
  rules: [{backendRefs: [{name: two, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: wild, namespace: infra}
spec:
  parentRefs: [{name: edge, sectionName: https-wild}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /old}}]
    backendRefs:
    - name: three
      port: 80
      weight: 1
      filters:
      - type: RequestRedirect
        requestRedirect:
          statusCode: 301
          path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}
      - type: ResponseHeaderModifier
        responseHeaderModifier: {add: [{name: x-from, value: one}]}
    - {name: two, port: 80, weight: 3}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: b, namespace: infra}
spec:
  parentRefs: [{name: edge, sectionName: https-b}]
  rules: [{backendRefs: [{name: two, port: 80}]}]
"#;

/// What one path ends in: `pod:DEPLOYMENT`, `HTTP CODE`, or the outcome.
fn ends(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v["paths"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| match p["outcome"].as_str() {
            Some("delivered") => {
                let d = p["detail"].as_str().unwrap_or_default();
                let pod = d
                    .strip_prefix("delivered to pod infra/")
                    .and_then(|d| d.split(' ').next())
                    .unwrap_or(d);
                let deployment = pod.split('-').next().unwrap_or(pod);
                format!("pod:{deployment}")
            }
            Some("answered") => format!("HTTP {}", p["http_status"]),
            other => format!("{other:?}"),
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

// Listener `hostname` (kubernetes-sigs/gateway-api apis/v1/gateway_types.go
// lines 377-405 at 4564255ac2c35d582249b3cdf261bdf51c8bca32): over HTTPS
// the server name picks the listener; a Host that selects another HTTPS
// listener on the port gets 421, a Host no listener matches 404; over HTTP
// the Host picks the listener and the route.
#[test]
fn the_host_header_routes_and_a_misdirected_https_request_gets_421() {
    let dir = temp_dir("gw-hosts", &[("edge.yaml", EDGE)]);
    let cases: &[(&str, &[&str], &[&str])] = &[
        ("https://example.org/", &[], &["pod:one"]),
        ("https://a.example.org/", &[], &["pod:two"]),
        // The Host selects `https-a`, the server name `https`.
        (
            "https://example.org/",
            &["--header", "Host:a.example.org"],
            &["HTTP 421"],
        ),
        // The Host (the catch-all listener's) is not `https-a`'s.
        (
            "https://a.example.org/",
            &["--header", "host: example.org:443"],
            &["HTTP 421"],
        ),
        // Both select `https-wild`: its route answers (a backendRef's
        // redirect, and `two`).
        (
            "https://x.example.org/old/a",
            &["--header", "Host:y.example.org"],
            &["HTTP 301", "pod:two"],
        ),
        // The Host selects `https`, as the server name did; no route for it.
        (
            "https://example.org/",
            &["--header", "Host:other.net"],
            &["HTTP 404"],
        ),
        // On 8443 no listener matches the Host: "MUST return a 404".
        (
            "https://b.example.org:8443/",
            &["--header", "Host:c.other.net"],
            &["HTTP 404"],
        ),
        (
            "https://b.example.org:8443/",
            &["--header", "Host:b.example.org"],
            &["pod:two"],
        ),
        // Over HTTP the Host alone decides.
        (
            "http://198.51.100.7/",
            &["--header", "Host:anything.example"],
            &["pod:one"],
        ),
    ];
    for (url, extra, want) in cases {
        let run = trace(&dir, url, extra);
        assert!(run.code <= 1, "{url} {extra:?}: {}", run.stderr);
        let v = json(&run);
        assert_eq!(ends(&v), *want, "{url} {extra:?}: {v:#}");
    }
    let v = json(&trace(
        &dir,
        "https://example.org/p",
        &["--header", "Host:a.example.org"],
    ));
    assert_eq!(v["http_request"]["host"], "example.org");
    assert_eq!(v["http_request"]["authority"], "a.example.org");
    let detail = v["paths"][0]["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("misdirected request"), "{detail}");
    let v = json(&trace(
        &dir,
        "https://b.example.org:8443/",
        &["--header", "Host:c.other.net"],
    ));
    let detail = v["paths"][0]["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("matches no listener"), "{detail}");
    let run = trace(
        &dir,
        "https://example.org/",
        &[
            "--header",
            "Host:a.example.org",
            "--header",
            "host:b.example.org",
        ],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("give one non-empty Host"),
        "{}",
        run.stderr
    );
}

// HTTPBackendRef `filters` (apis/v1/httproute_types.go lines 1872-1873 at
// 4564255a): "executed if and only if the request is being forwarded to the
// backend defined here": the backendRef's weight share is redirected, the
// rest forwarded; connlist has no Gateway row to the redirecting Service.
#[test]
fn a_backend_ref_redirect_answers_its_share_of_the_requests() {
    let dir = temp_dir("gw-backend-redirect", &[("edge.yaml", EDGE)]);
    // `hostname` omitted: "the hostname in the `Host` header of the
    // request is used".
    let cases: &[(&[&str], &str)] = &[
        (&[], "https://x.example.org/new/cart"),
        (
            &["--header", "Host:y.example.org"],
            "https://y.example.org/new/cart",
        ),
    ];
    for (extra, location) in cases {
        let v = json(&trace(&dir, "https://x.example.org/old/cart", extra));
        assert_eq!(ends(&v), ["HTTP 301", "pod:two"], "{v:#}");
        let answered = v["paths"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["outcome"] == "answered")
            .cloned()
            .unwrap_or_default();
        assert_eq!(answered["redirect"]["location"], *location, "{extra:?}");
        let detail = answered["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("Service infra/three (weight 1 of 4)"),
            "{detail}"
        );
    }
    let path = dir.to_string_lossy().into_owned();
    let run = podnet(&["connlist", &path, "-o", "json", "-q"]);
    let v = json(&run);
    let mut to: Vec<String> = v["connections"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["src"]["gateway"]["name"] == "edge")
        .map(|c| c["dst"].to_string())
        .collect();
    to.sort();
    to.dedup();
    assert!(to.iter().any(|d| d.contains("two")), "{to:?}");
    assert!(!to.iter().any(|d| d.contains("three")), "{to:?}");
}

// A rule-level RequestRedirect answers every request the rule takes, so its
// backendRefs receive nothing: `trace` answers with the redirect and
// `connlist` lists no Gateway connection to them (HTTPRouteFilter
// `RequestRedirect`; the same rule as a backendRef's redirect above).
#[test]
fn a_rule_redirect_sends_nothing_to_the_rules_backends() {
    // Beside EDGE (where `three` is reached only through a backendRef's
    // redirect): a route whose rule redirects every request to HTTPS.
    const UPGRADE: &str = r#"apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: upgrade, namespace: infra}
spec:
  parentRefs: [{name: edge, sectionName: http}]
  hostnames: [upgrade.example.org]
  rules:
  - filters:
    - type: RequestRedirect
      requestRedirect: {scheme: https, statusCode: 301}
    backendRefs: [{name: three, port: 80}]
"#;
    let dir = temp_dir(
        "gw-rule-redirect",
        &[("edge.yaml", EDGE), ("upgrade.yaml", UPGRADE)],
    );
    let v = json(&trace(&dir, "http://upgrade.example.org/", &[]));
    assert_eq!(ends(&v), ["HTTP 301"], "{v:#}");
    let path = dir.to_string_lossy().into_owned();
    let v = json(&podnet(&["connlist", &path, "-o", "json", "-q"]));
    let to_three: Vec<String> = v["connections"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["src"]["gateway"]["name"] == "edge")
        .map(|c| c["dst"].to_string())
        .filter(|d| d.contains("three"))
        .collect();
    assert!(to_three.is_empty(), "{to_three:?}");
}

// GatewaySpec `addresses`: "The implementation MUST bind all Listeners to
// every GatewayAddress": `--to IP:PORT` asks the Gateway's listener there.
#[test]
fn an_address_of_a_gateway_reaches_its_listener_on_the_port() {
    let dir = temp_dir("gw-address", &[("edge.yaml", EDGE)]);
    let from = ["--from", "203.0.113.10"];
    let v = json(&trace(&dir, "198.51.100.7:80", &from));
    assert_eq!(ends(&v), ["pod:one"], "{v:#}");
    let label = v["paths"][0]["label"].as_str().unwrap_or_default();
    let hops = v["hops"].to_string();
    assert!(
        hops.contains("infra/edge") || label.contains("infra/edge"),
        "{v:#}"
    );
    // No Host names a route on the HTTPS listeners: 404 from the Gateway.
    let v = json(&trace(&dir, "198.51.100.7:443", &from));
    assert_eq!(ends(&v), ["HTTP 404"], "{v:#}");
    // Two ports: which one must be said.
    let run = trace(&dir, "198.51.100.7", &from);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("has 3 ports"), "{}", run.stderr);
}
