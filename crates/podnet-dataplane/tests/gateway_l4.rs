//! Gateway API beyond HTTP: TLSRoute (SNI, passthrough), TCPRoute and
//! UDPRoute listeners, ListenerSet listeners on a parent Gateway, and
//! BackendTLSPolicy on the Gateway-to-backend hop. Manifests and requests
//! transcribe the conformance tests of kubernetes-sigs/gateway-api at
//! commit 4564255ac2c35d582249b3cdf261bdf51c8bca32 (file, blob and lines at
//! each), shortened to what routing needs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::{answers, build, delivered, front_tcp_ports, trace_request};
use podnet_dataplane::fronts::FrontKind;
use podnet_dataplane::issue::FrontFound;
use podnet_dataplane::trace::{Action, FrontAnswer, GatewayStep, LbDecision, Url};
use podnet_dataplane::{Dataplane, Found};
use podnet_model::{Protocol, RouteKind, Severity};

/// Namespace `gateway-conformance-infra` and one Deployment `name` with a
/// Service of `port` to `target` over `protocol`.
fn backend(name: &str, port: u16, target: u16, protocol: &str) -> String {
    format!(
        r#"
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: gateway-conformance-infra}}
spec:
  selector: {{app: {name}}}
  ports: [{{name: main, protocol: {protocol}, port: {port}, targetPort: {target}}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: gateway-conformance-infra}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers: [{{name: c, image: echo, ports: [{{containerPort: {target}, protocol: {protocol}}}]}}]
---
"#
    )
}

const NS: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: gateway-conformance-infra}
---
"#;

/// The deployments a request reaches.
fn reached(dp: &Dataplane, url: &str) -> Vec<String> {
    let t = trace_request(dp, Url::parse(url).expect("url"));
    delivered(dp, &t)
        .iter()
        .map(|p| p.rsplit_once('-').map_or(p.as_str(), |(d, _)| d).to_owned())
        .collect()
}

/// conformance/tests/tlsroute-simple-same-namespace.yaml (blob
/// 27bcf5503408d3820e944042bbecf2dc60d18aee) lines 1-15, and the base's
/// Gateway `gateway-tlsroute` (conformance/base/manifests.yaml): a TLS
/// listener `*.example.com` in Passthrough mode, a TLSRoute for
/// `abc.example.com` to `tcp-backend:8443`.
const TLS_ROUTE: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gateway-tlsroute, namespace: gateway-conformance-infra}
spec:
  gatewayClassName: example
  listeners:
  - name: https
    port: 443
    protocol: TLS
    hostname: "*.example.com"
    allowedRoutes:
      namespaces: {from: Same}
      kinds: [{kind: TLSRoute}]
    tls: {mode: Passthrough}
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: gateway-conformance-infra-test, namespace: gateway-conformance-infra}
spec:
  parentRefs: [{name: gateway-tlsroute, namespace: gateway-conformance-infra}]
  hostnames: [abc.example.com]
  rules:
  - backendRefs: [{name: tcp-backend, port: 8443}]
---
"#;

// tlsroute-simple-same-namespace.go: a TLS session with SNI
// `abc.example.com` reaches `tcp-backend`, which sees the TLS (passthrough);
// the API reference, TLSRoute `hostnames`: the SNI selects the route, so
// another name under the listener's wildcard is rejected.
#[test]
fn a_tls_route_takes_sessions_by_sni_and_passes_tls_through() {
    let dp = build(&format!(
        "{NS}{TLS_ROUTE}{}",
        backend("tcp-backend", 8443, 8443, "TCP")
    ));
    assert_eq!(
        reached(&dp, "tls://abc.example.com"),
        ["gateway-conformance-infra/tcp-backend"]
    );
    // An HTTPS client reaches the same TLS listener (TLS to port 443).
    assert_eq!(
        reached(&dp, "https://abc.example.com/x"),
        ["gateway-conformance-infra/tcp-backend"]
    );
    let t = trace_request(&dp, Url::parse("tls://other.example.com").expect("url"));
    assert_eq!(answers(&t), [FrontAnswer::ConnectionRejected]);
    let first = t.hops.first().map(|h| &h.action);
    assert!(
        matches!(
            first,
            Some(Action::LoadBalancer { what: LbDecision::Gateway(g) })
                if g.step == GatewayStep::NoRoute(RouteKind::Tls)
        ),
        "{first:?}"
    );
    // The proxy opens TCP to the target port (connlist's gateway row).
    let gw = FrontKind::Gateway {
        namespace: "gateway-conformance-infra".into(),
        name: "gateway-tlsroute".into(),
    };
    assert_eq!(
        front_tcp_ports(&dp, &gw, "gateway-conformance-infra/tcp-backend"),
        [8443]
    );
}

/// conformance/tests/tcproute-multiple-routes-attachment.yaml (blob
/// d36517036a564695d4c3959d777fd56c9df35c30): Gateway
/// `tcp-multi-route-attach-gateway` (TCP 9310, TCPRoute only) and the older
/// TCPRoute (lines 112-138); the newer one is what the test creates a second
/// later (tcproute-multiple-routes-attachment.go lines 67-89).
const TCP_ROUTES: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: tcp-multi-route-attach-gateway, namespace: gateway-conformance-infra}
spec:
  gatewayClassName: example
  listeners:
  - name: tcp
    protocol: TCP
    port: 9310
    allowedRoutes:
      kinds: [{kind: TCPRoute, group: gateway.networking.k8s.io}]
      namespaces: {from: Same}
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: tcproute-attach-newer, namespace: gateway-conformance-infra, creationTimestamp: "2026-01-01T00:00:01Z"}
spec:
  parentRefs: [{name: tcp-multi-route-attach-gateway, sectionName: tcp}]
  rules:
  - backendRefs: [{name: tcp-attach-backend-2, port: 3000}]
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: tcproute-attach-older, namespace: gateway-conformance-infra, creationTimestamp: "2026-01-01T00:00:00Z"}
spec:
  parentRefs: [{name: tcp-multi-route-attach-gateway, sectionName: tcp}]
  rules:
  - backendRefs: [{name: tcp-attach-backend-1, port: 3000}]
---
"#;

// tcproute-multiple-routes-attachment.go line 128: "Only the oldest
// TCPRoute should receive traffic".
#[test]
fn the_oldest_tcp_route_on_a_listener_takes_the_connection() {
    let dp = build(&format!(
        "{NS}{TCP_ROUTES}{}{}",
        backend("tcp-attach-backend-1", 3000, 3000, "TCP"),
        backend("tcp-attach-backend-2", 3000, 3000, "TCP")
    ));
    assert_eq!(
        reached(&dp, "tcp://gw.example:9310"),
        ["gateway-conformance-infra/tcp-attach-backend-1"]
    );
    // Nothing listens on another port of the Gateway.
    let t = trace_request(&dp, Url::parse("tcp://gw.example:9311").expect("url"));
    assert!(t.branches.is_empty() && t.end.is_some(), "{t:#?}");
}

/// conformance/tests/udproute-simple.yaml (blob
/// bd4bcd7c779b5000198daafe6e9e6bf6d2bff1cf), shortened: a UDP listener on
/// 5300 and a UDPRoute to a DNS backend on UDP 53.
const UDP_ROUTE: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: udp-gateway, namespace: gateway-conformance-infra}
spec:
  gatewayClassName: example
  listeners:
  - {name: coredns, protocol: UDP, port: 5300, allowedRoutes: {kinds: [{kind: UDPRoute}]}}
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: UDPRoute
metadata: {name: udp-coredns, namespace: gateway-conformance-infra}
spec:
  parentRefs: [{name: udp-gateway, sectionName: coredns}]
  rules:
  - backendRefs: [{name: coredns, port: 53}]
---
"#;

// udproute-simple.go: a DNS question over UDP to the Gateway's UDP
// listener reaches the CoreDNS backend; the proxy sends UDP (connlist's
// gateway row is UDP 53, not TCP).
#[test]
fn a_udp_route_carries_udp_to_the_backend() {
    let dp = build(&format!(
        "{NS}{UDP_ROUTE}{}",
        backend("coredns", 53, 53, "UDP")
    ));
    let t = trace_request(&dp, Url::parse("udp://gw.example:5300").expect("url"));
    let reached = delivered(&dp, &t);
    assert_eq!(reached, ["gateway-conformance-infra/coredns-0"], "{t:#?}");
    let last = t.branches[0].hops.last().expect("a hop");
    assert_eq!(last.after.protocol, Protocol::Udp);
    let route = dp.routes.iter().find(|r| r.protocol == Protocol::Udp);
    assert!(route.is_some(), "{:#?}", dp.routes);
    let gw = FrontKind::Gateway {
        namespace: "gateway-conformance-infra".into(),
        name: "udp-gateway".into(),
    };
    assert!(front_tcp_ports(&dp, &gw, "gateway-conformance-infra/coredns").is_empty());
}

/// conformance/tests/listenerset-http-routing.yaml (blob
/// 5c5e98a6011848882b0798e923e7cf8a035599a0), shortened: the Gateway with
/// one listener and `allowedListeners: All`, a ListenerSet with one, a route
/// on the Gateway only, one on the ListenerSet only, one on both.
const LISTENER_SETS: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gateway-with-listener-sets-http-routing, namespace: gateway-conformance-infra}
spec:
  gatewayClassName: example
  listeners:
  - {name: gateway-listener-1, port: 80, protocol: HTTP, hostname: gateway-listener-1.com, allowedRoutes: {namespaces: {from: All}}}
  allowedListeners: {namespaces: {from: All}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: listener-set-http-routing-1, namespace: gateway-conformance-infra}
spec:
  parentRef: {kind: Gateway, group: gateway.networking.k8s.io, name: gateway-with-listener-sets-http-routing, namespace: gateway-conformance-infra}
  listeners:
  - {name: listener-set-http-routing-1-listener-1, port: 80, protocol: HTTP, hostname: listener-set-http-routing-1-listener-1.com, allowedRoutes: {namespaces: {from: All}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: attaches-to-all-listeners, namespace: gateway-conformance-infra}
spec:
  parentRefs:
  - {name: gateway-with-listener-sets-http-routing, namespace: gateway-conformance-infra}
  - {kind: ListenerSet, group: gateway.networking.k8s.io, name: listener-set-http-routing-1, namespace: gateway-conformance-infra}
  rules:
  - matches: [{path: {type: PathPrefix, value: /route}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: gateway-route, namespace: gateway-conformance-infra}
spec:
  parentRefs: [{name: gateway-with-listener-sets-http-routing, namespace: gateway-conformance-infra}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /gateway-route}}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: listener-set-http-routing-1-route, namespace: gateway-conformance-infra}
spec:
  parentRefs: [{kind: ListenerSet, group: gateway.networking.k8s.io, name: listener-set-http-routing-1, namespace: gateway-conformance-infra}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /listener-set-http-routing-1-route}}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
---
"#;

// listenerset-http-routing.go (the rows from line 137): a route attached
// to the Gateway and the ListenerSet serves both hosts; one attached to the
// Gateway only does not serve the ListenerSet's host (404) and vice versa.
#[test]
fn listener_set_listeners_serve_the_routes_attached_to_the_set() {
    let backends = format!(
        "{}{}",
        backend("infra-backend-v1", 8080, 3000, "TCP"),
        backend("infra-backend-v2", 8080, 3000, "TCP")
    );
    let dp = build(&format!("{NS}{LISTENER_SETS}{backends}"));
    let v1 = ["gateway-conformance-infra/infra-backend-v1"];
    let v2 = ["gateway-conformance-infra/infra-backend-v2"];
    assert_eq!(reached(&dp, "http://gateway-listener-1.com/route"), v1);
    assert_eq!(
        reached(
            &dp,
            "http://listener-set-http-routing-1-listener-1.com/route"
        ),
        v1
    );
    assert_eq!(
        reached(&dp, "http://gateway-listener-1.com/gateway-route"),
        v2
    );
    assert_eq!(
        reached(
            &dp,
            "http://listener-set-http-routing-1-listener-1.com/listener-set-http-routing-1-route"
        ),
        v2
    );
    let t = trace_request(
        &dp,
        Url::parse("http://listener-set-http-routing-1-listener-1.com/gateway-route").expect("url"),
    );
    assert_eq!(answers(&t), [FrontAnswer::Http(404)]);
    let t = trace_request(
        &dp,
        Url::parse("http://gateway-listener-1.com/listener-set-http-routing-1-route").expect("url"),
    );
    assert_eq!(answers(&t), [FrontAnswer::Http(404)]);

    // AllowedListeners `from` defaults to None: no ListenerSet attaches.
    let closed = LISTENER_SETS.replace("  allowedListeners: {namespaces: {from: All}}\n", "");
    let dp = build(&format!("{NS}{closed}{backends}"));
    let t = trace_request(
        &dp,
        Url::parse("http://listener-set-http-routing-1-listener-1.com/route").expect("url"),
    );
    assert!(t.branches.is_empty(), "{t:#?}");
    assert!(
        dp.issues.iter().any(|i| i.severity == Severity::Warning
            && matches!(i.detail, Found::Front(FrontFound::NotAdmitted { .. }))),
        "{:#?}",
        dp.issues
    );
}

/// conformance/tests/backendtlspolicy.yaml (blob
/// bd17f118835697f96f4d4bba9cd8d07123a87ba5): the HTTPRoute rule to
/// `backendtlspolicy-test:443` (lines 1-20) and the policy
/// `normative-test` (lines 131-149) on its port `btls`.
const BACKEND_TLS: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: same-namespace, namespace: gateway-conformance-infra}
spec:
  gatewayClassName: example
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: backendtlspolicy, namespace: gateway-conformance-infra}
spec:
  parentRefs: [{name: same-namespace, namespace: gateway-conformance-infra}]
  hostnames: [abc.example.com]
  rules:
  - backendRefs: [{group: "", kind: Service, name: backendtlspolicy-test, port: 443}]
    matches: [{path: {type: Exact, value: /backendtlspolicy}}]
---
apiVersion: v1
kind: Service
metadata: {name: backendtlspolicy-test, namespace: gateway-conformance-infra}
spec:
  selector: {app: tls-backend}
  ports: [{name: btls, protocol: TCP, port: 443, targetPort: 8443}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: tls-backend, namespace: gateway-conformance-infra}
spec:
  selector: {matchLabels: {app: tls-backend}}
  template:
    metadata: {labels: {app: tls-backend}}
    spec:
      containers: [{name: c, image: echo, ports: [{containerPort: 8443}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: normative-test, namespace: gateway-conformance-infra}
spec:
  targetRefs: [{group: "", kind: Service, name: backendtlspolicy-test, sectionName: btls}]
  validation:
    caCertificateRefs: [{group: "", kind: ConfigMap, name: tls-checks-ca-certificate}]
    hostname: abc.example.com
---
"#;

// API reference, BackendTLSPolicy: the Gateway connects to the target
// Service port with TLS, SNI `validation.hostname`, the certificate
// validated against `caCertificateRefs`; a policy naming another port
// (`sectionName`) does not apply.
#[test]
fn backend_tls_policy_shows_on_the_gateway_to_backend_hop() {
    let dp = build(&format!("{NS}{BACKEND_TLS}"));
    let t = trace_request(
        &dp,
        Url::parse("http://abc.example.com/backendtlspolicy").expect("url"),
    );
    assert_eq!(
        delivered(&dp, &t),
        ["gateway-conformance-infra/tls-backend-0"]
    );
    let hop = t
        .hops
        .iter()
        .chain(t.branches.iter().flat_map(|b| &b.hops))
        .find_map(|h| match &h.action {
            Action::BackendTls {
                policy,
                hostname,
                ca_certificates,
                system_ca,
            } => Some((
                policy.clone(),
                hostname.clone(),
                ca_certificates.clone(),
                *system_ca,
            )),
            _ => None,
        });
    assert_eq!(
        hop,
        Some((
            "gateway-conformance-infra/normative-test".to_owned(),
            "abc.example.com".to_owned(),
            vec!["ConfigMap/tls-checks-ca-certificate".to_owned()],
            false
        ))
    );
    let other_port = BACKEND_TLS.replace("sectionName: btls", "sectionName: other");
    let dp = build(&format!("{NS}{other_port}"));
    let t = trace_request(
        &dp,
        Url::parse("http://abc.example.com/backendtlspolicy").expect("url"),
    );
    assert!(
        !t.hops
            .iter()
            .chain(t.branches.iter().flat_map(|b| &b.hops))
            .any(|h| matches!(h.action, Action::BackendTls { .. }))
    );
}
