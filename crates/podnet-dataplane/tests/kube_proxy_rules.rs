//! kube-proxy rules of the dataplane model beyond kube-proxy's own packet
//! flow tests (those run in `kube_proxy_upstream.rs`): `ipMode`, slices of
//! Services with a selector, the typed decision in the trace
//! (docs/dataplane.md, "kube-proxy").

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::{build, client_pod, ip, pod, to_address, web_pod};
use podnet_dataplane::TraceFrom;
use podnet_dataplane::trace::{Action, Outcome, Place, ProxyChain, ProxyMatch, ProxyResult};

const LB: &str = concat!(
    web_pod!("web-1", "node-1"),
    client_pod!("client", "node-3"),
    r#"apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
status:
  loadBalancer:
    ingress: [{ip: 192.0.2.10, ipMode: MODE}]
"#
);

fn first_proxy_hop(t: &podnet_dataplane::Trace) -> Option<(Place, ProxyMatch)> {
    t.hops
        .iter()
        .chain(t.branches.iter().flat_map(|b| &b.hops))
        .find_map(|h| match &h.action {
            Action::KubeProxy(v) => Some((h.place.clone(), v.matched.clone()?)),
            _ => None,
        })
}

// API reference, LoadBalancerIngress.ipMode: "VIP" means traffic is
// delivered to the node with the destination set to the load-balancer's
// IP; kube-proxy catches a pod's packet to it on the pod's own node.
// "Proxy" means the load balancer handles it: the packet leaves for it.
#[test]
fn pod_to_load_balancer_ip_is_caught_on_its_node_unless_ip_mode_proxy() {
    let dp = build(&LB.replace("MODE", "VIP"));
    let client = pod(&dp, "default/client");
    let t = to_address(&dp, TraceFrom::Pod(client), "192.0.2.10", 80);
    assert_eq!(
        first_proxy_hop(&t),
        Some((Place::Node("node-3".into()), ProxyMatch::LoadBalancer)),
        "{t:#?}"
    );

    let dp = build(&LB.replace("MODE", "Proxy"));
    let client = pod(&dp, "default/client");
    let t = to_address(&dp, TraceFrom::Pod(client), "192.0.2.10", 80);
    let caught_on_client_node = first_proxy_hop(&t).is_some_and(|(place, m)| {
        place == Place::Node("node-3".into()) && m == ProxyMatch::LoadBalancer
    });
    assert!(!caught_on_client_node, "{t:#?}");
}

// API reference, EndpointSlice: kube-proxy reads the slices labelled
// `kubernetes.io/service-name`, also for a Service with a selector (a
// `kubectl get -A` dump holds them).
#[test]
fn endpoint_slices_of_a_service_with_a_selector_are_its_endpoints() {
    let yaml = concat!(
        client_pod!("client", "node-3"),
        r#"apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  clusterIP: 10.96.0.50
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: web-abc
  namespace: default
  labels: {kubernetes.io/service-name: web}
addressType: IPv4
endpoints:
- addresses: [10.244.9.9]
  conditions: {ready: false, serving: true, terminating: true}
  nodeName: node-1
ports: [{name: http, port: 8080, protocol: TCP}]
"#
    );
    let dp = build(yaml);
    let t = to_address(
        &dp,
        TraceFrom::Pod(pod(&dp, "default/client")),
        "10.96.0.50",
        80,
    );
    // The only endpoint is serving but terminating: used as the fallback
    // when none is ready (KEP-1669).
    let dnat: Vec<_> = t
        .branches
        .iter()
        .flat_map(|b| &b.hops)
        .filter(|h| matches!(h.action, Action::Dnat { .. }))
        .map(|h| (h.after.dst, h.after.port))
        .collect();
    assert_eq!(dnat, vec![(ip("10.244.9.9"), 8080)], "{t:#?}");
}

// kube-proxy (iptables) REJECTs traffic to a Service without endpoints
// (pkg/proxy/iptables/proxier.go, "has no endpoints"); the trace says
// `rejected`, not `dropped`, and names the filter chain.
#[test]
fn no_endpoints_is_a_typed_reject_with_its_chain() {
    let yaml = concat!(
        client_pod!("client", "node-3"),
        r#"apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  clusterIP: 10.96.0.50
  selector: {app: web}
  ports: [{port: 80}]
"#
    );
    let dp = build(yaml);
    let t = to_address(
        &dp,
        TraceFrom::Pod(pod(&dp, "default/client")),
        "10.96.0.50",
        80,
    );
    let b = &t.branches[0];
    assert!(matches!(b.outcome, Outcome::Rejected(_)), "{:?}", b.outcome);
    let verdict = b
        .hops
        .iter()
        .find_map(|h| match &h.action {
            Action::KubeProxy(v) => Some(v),
            _ => None,
        })
        .expect("a kube_proxy hop");
    assert_eq!(verdict.result, ProxyResult::Reject);
    assert_eq!(
        verdict.chains,
        [ProxyChain::KubeServices, ProxyChain::KubeServicesFilter]
    );
}
