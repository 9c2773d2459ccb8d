//! Gateway API rules of the dataplane model (docs/dataplane.md, "Gateway
//! API"): routes attach to listeners by parentRef, allowedRoutes and
//! hostnames; the Gateway's proxy pods reach the backends' pods on their
//! target ports under NetworkPolicy; `trace` walks a URL through the rule
//! the API's precedence selects.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::{answers, build, delivered, front_tcp_ports, trace_url};
use podnet_dataplane::fronts::{self, FrontKind};
use podnet_dataplane::issue::FrontFound;
use podnet_dataplane::trace::FrontAnswer;
use podnet_dataplane::{Dataplane, Found};

/// TCP ports Gateway `infra/web` may open to workload `ns/name`.
fn gateway_ports(dp: &Dataplane, workload: &str) -> Vec<u16> {
    let gw = FrontKind::Gateway {
        namespace: "infra".into(),
        name: "web".into(),
    };
    front_tcp_ports(dp, &gw, workload)
}

/// The pods a request for `url` from outside reaches.
fn delivered_to(dp: &Dataplane, url: &str) -> Vec<String> {
    delivered(dp, &trace_url(dp, url))
}

const APPS: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {gateway-access: "true"}}
---
apiVersion: v1
kind: Pod
metadata: {name: store, namespace: shop, labels: {app: store}}
spec:
  containers: [{name: s, image: nginx, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: store-v2, namespace: shop, labels: {app: store-v2}}
spec:
  containers: [{name: s, image: nginx, ports: [{name: http, containerPort: 8081}]}]
---
apiVersion: v1
kind: Service
metadata: {name: store, namespace: shop}
spec:
  selector: {app: store}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: store-v2, namespace: shop}
spec:
  selector: {app: store-v2}
  ports: [{port: 80, targetPort: http}]
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
    hostname: "*.example.com"
    allowedRoutes:
      namespaces:
        from: Selector
        selector: {matchLabels: {gateway-access: "true"}}
---
"#;

const ROUTE: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: store, namespace: shop}
spec:
  parentRefs: [{name: web, namespace: infra}]
  hostnames: [store.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRefs: [{name: store, port: 80, weight: 90}, {name: store-v2, port: 80, weight: 10}]
  - matches: [{path: {type: Exact, value: /v2}}]
    backendRefs: [{name: store-v2, port: 80}]
---
"#;

#[test]
fn the_gateway_reaches_each_backend_on_its_target_port() {
    let dp = build(&format!("{APPS}{ROUTE}"));
    assert_eq!(gateway_ports(&dp, "shop/store"), vec![8080]);
    assert_eq!(gateway_ports(&dp, "shop/store-v2"), vec![8081]);
}

#[test]
fn a_proxy_pod_is_added_with_the_gateway_name_label() {
    let dp = build(&format!("{APPS}{ROUTE}"));
    let front = &dp.fronts[fronts::GATEWAYS];
    let added = front.synthesised.expect("proxy added");
    assert_eq!(dp.cluster.workload_name(added), "infra/web-proxy");
    let pod = front.pods[0];
    assert_eq!(
        dp.cluster
            .pod_labels(pod)
            .get("gateway.networking.k8s.io/gateway-name"),
        Some("web")
    );
}

#[test]
fn allowed_routes_from_a_namespace_selector_decides_attachment() {
    // API reference, AllowedRoutes: `from: Selector` admits routes only from
    // namespaces whose labels match.
    let closed = APPS.replace(
        "gateway-access: \"true\"}}\n---\napiVersion: v1\nkind: Pod",
        "gateway-access: \"no\"}}\n---\napiVersion: v1\nkind: Pod",
    );
    let dp = build(&format!("{closed}{ROUTE}"));
    assert!(gateway_ports(&dp, "shop/store").is_empty());
    assert!(
        dp.issues
            .iter()
            .any(|i| matches!(i.detail, Found::Front(FrontFound::Unattached))),
        "{:?}",
        dp.issues
    );
}

#[test]
fn disjoint_hostnames_and_a_wrong_section_name_do_not_attach() {
    // HTTPRouteSpec hostnames: no intersection with the listener's
    // hostname means the route is not accepted there.
    let other_host = ROUTE.replace("store.example.com", "store.example.org");
    let dp = build(&format!("{APPS}{other_host}"));
    assert!(gateway_ports(&dp, "shop/store").is_empty());
    let section = ROUTE.replace(
        "namespace: infra}]",
        "namespace: infra, sectionName: https}]",
    );
    let dp = build(&format!("{APPS}{section}"));
    assert!(gateway_ports(&dp, "shop/store").is_empty());
}

#[test]
fn a_zero_weight_backend_gets_no_traffic() {
    let zero = ROUTE
        .replace("{name: store-v2, port: 80, weight: 10}", "{name: store-v2, port: 80, weight: 0}")
        .replace("  - matches: [{path: {type: Exact, value: /v2}}]\n    backendRefs: [{name: store-v2, port: 80}]\n", "");
    let dp = build(&format!("{APPS}{zero}"));
    assert_eq!(gateway_ports(&dp, "shop/store"), vec![8080]);
    assert!(gateway_ports(&dp, "shop/store-v2").is_empty());
}

#[test]
fn backend_policy_sees_the_proxy_pods() {
    let policy = r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-gateway, namespace: shop}
spec:
  podSelector: {matchLabels: {app: store}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: infra}}
      podSelector: {matchLabels: {gateway.networking.k8s.io/gateway-name: web}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec:
  podSelector: {matchLabels: {app: store-v2}}
  policyTypes: [Ingress]
"#;
    let dp = build(&format!("{APPS}{ROUTE}{policy}"));
    assert_eq!(gateway_ports(&dp, "shop/store"), vec![8080]);
    assert!(gateway_ports(&dp, "shop/store-v2").is_empty());
}

#[test]
fn a_url_follows_the_rule_the_precedence_picks() {
    // HTTPRouteRule matches: an Exact path beats a PathPrefix.
    let dp = build(&format!("{APPS}{ROUTE}"));
    assert_eq!(
        delivered_to(&dp, "http://store.example.com/v2"),
        vec!["shop/store-v2"]
    );
    assert_eq!(
        delivered_to(&dp, "http://store.example.com/cart"),
        vec!["shop/store", "shop/store-v2"]
    );
    // No listener on 443.
    assert!(delivered_to(&dp, "https://store.example.com/").is_empty());
}

#[test]
fn a_grpc_route_attaches_and_reaches_its_backend() {
    let grpc = APPS.to_owned()
        + r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: store-grpc, namespace: shop}
spec:
  parentRefs: [{name: web, namespace: infra}]
  hostnames: [grpc.example.com]
  rules:
  - matches: [{method: {service: store.Store}}]
    backendRefs: [{name: store-v2, port: 80}]
"#;
    let dp = build(&grpc);
    assert_eq!(gateway_ports(&dp, "shop/store-v2"), vec![8081]);
}

/// An HTTPRoute in `shop` whose rules point at Services in `shop` and in
/// `other`: the cross-namespace one needs a ReferenceGrant in `other`.
const CROSS: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: ledger, namespace: other, labels: {app: ledger}}
spec:
  containers: [{name: s, image: nginx, ports: [{name: http, containerPort: 9090}]}]
---
apiVersion: v1
kind: Service
metadata: {name: ledger, namespace: other}
spec:
  selector: {app: ledger}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: mixed, namespace: shop}
spec:
  parentRefs: [{name: web, namespace: infra}]
  hostnames: [pay.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /ledger}}]
    backendRefs: [{name: ledger, namespace: other, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRefs: [{name: store, port: 80}, {name: ledger, namespace: other, port: 80}]
---
"#;

const GRANT: &str = r#"
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: shop-to-ledger, namespace: other}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}]
  to: [{group: "", kind: Service, name: ledger}]
---
"#;

// Gateway API, ReferenceGrant (GEP-709): implementations "MUST NOT permit
// cross-namespace references which have no grant"; HTTPRouteRule
// backendRefs: when every backendRef of a rule is invalid, matching
// requests "MUST receive a 500 status code".
#[test]
fn cross_namespace_backends_need_a_reference_grant() {
    let dp = build(&format!("{APPS}{CROSS}"));
    let t = trace_url(&dp, "http://pay.example.com/ledger");
    assert!(delivered(&dp, &t).is_empty());
    assert_eq!(answers(&t), [FrontAnswer::Http(500)], "{t:#?}");
    // A rule with one refused and one valid backend keeps the valid one.
    assert_eq!(
        delivered_to(&dp, "http://pay.example.com/"),
        vec!["shop/store"]
    );
    assert!(gateway_ports(&dp, "other/ledger").is_empty());
    assert!(
        dp.issues
            .iter()
            .any(|i| matches!(i.detail, Found::Front(FrontFound::BackendRefused { .. }))),
        "{:?}",
        dp.issues
    );

    let dp = build(&format!("{APPS}{CROSS}{GRANT}"));
    assert_eq!(
        delivered_to(&dp, "http://pay.example.com/ledger"),
        vec!["other/ledger"]
    );
    assert_eq!(gateway_ports(&dp, "other/ledger"), vec![9090]);
}

// A grant names the route kind: one for GRPCRoute does not admit an
// HTTPRoute, and one in the route's own namespace grants nothing.
#[test]
fn a_reference_grant_must_match_kind_and_target_namespace() {
    for grant in [
        GRANT.replace("kind: HTTPRoute", "kind: GRPCRoute"),
        GRANT.replace("namespace: other}", "namespace: shop}"),
        GRANT.replace("name: ledger}", "name: books}"),
    ] {
        let dp = build(&format!("{APPS}{CROSS}{grant}"));
        assert!(
            delivered_to(&dp, "http://pay.example.com/ledger").is_empty(),
            "{grant}"
        );
    }
}
