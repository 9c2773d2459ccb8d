//! Ingress and Route exposure rules (docs/dataplane.md, "Ingress"): the
//! ingress controller reaches each backend Service's pods on the resolved
//! targetPort, subject to its own egress and the backends' ingress
//! policies; an ALB connects from its subnets.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::{build, delivered, front_tcp_ports, pod, trace_url};
use podnet_dataplane::Dataplane;
use podnet_dataplane::fronts::{self, FrontKind};
use podnet_dataplane::trace::{
    Action, ExposureDecision, LbDecision, PathLabel, Scheme, TlsHandling, TraceEnd,
};
use podnet_engine::Engine;
use podnet_model::{PathType, WorkloadId};

/// The TCP ports the ingress controller may open to `workload` (ns/name).
fn ports_to(dp: &Dataplane, workload: &str) -> Vec<u16> {
    front_tcp_ports(dp, &FrontKind::IngressController, workload)
}

/// The dataplane's problems, as `{:?}` prints their details.
fn warnings(dp: &Dataplane) -> Vec<String> {
    dp.issues
        .iter()
        .map(|i| format!("{:?}", i.detail))
        .collect()
}

/// Two pods whose named port `http` is 8080 and 9090, behind Service `web`.
const WEB: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: web-a, namespace: shop, labels: {app: web}}
spec:
  containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: web-b, namespace: shop, labels: {app: web}}
spec:
  containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 9090}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}, {name: admin, port: 81, targetPort: 7000}]
---
"#;

const INGRESS: &str = r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
---
"#;

#[test]
fn the_controller_reaches_each_pod_on_its_named_target_port() {
    // API reference, ServicePort targetPort: a name is looked up in each
    // pod's container ports, so one Service port may land on different
    // numbers per pod; the Ingress routes to Service port 80 only.
    let dp = build(&format!("{WEB}{INGRESS}"));
    assert_eq!(ports_to(&dp, "shop/web-a"), vec![8080]);
    assert_eq!(ports_to(&dp, "shop/web-b"), vec![9090]);
}

#[test]
fn a_controller_is_added_in_the_profile_namespace_when_the_input_has_none() {
    let dp = build(&format!("{WEB}{INGRESS}"));
    let front = &dp.fronts[fronts::CONTROLLER];
    let added = front.synthesised.expect("controller added");
    assert_eq!(
        dp.cluster.workload_name(added),
        "ingress-nginx/ingress-nginx-controller"
    );
    assert_eq!(front.pods.len(), 1);
    assert!(!dp.cluster.pod(front.pods[0]).ips.is_empty());
}

#[test]
fn no_controller_is_added_without_exposures() {
    let dp = build(WEB);
    assert!(dp.fronts.iter().all(|f| f.synthesised.is_none()));
    assert!(dp.cluster.namespace_by_name("ingress-nginx").is_none());
}

#[test]
fn the_profile_names_the_controller_namespace_and_its_pods_are_used() {
    let yaml = format!(
        "{WEB}{INGRESS}{}",
        r#"
apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {name: p}
spec: {ingressNamespace: edge}
---
apiVersion: v1
kind: Pod
metadata: {name: router, namespace: edge, labels: {app: router}}
spec:
  containers: [{name: r, image: haproxy}]
"#
    );
    let dp = build(&yaml);
    let front = &dp.fronts[fronts::CONTROLLER];
    assert_eq!(front.synthesised, None);
    assert_eq!(front.pods, vec![pod(&dp, "edge/router")]);
    assert_eq!(ports_to(&dp, "shop/web-a"), vec![8080]);
}

#[test]
fn backend_ingress_policy_decides_by_the_controller_namespace() {
    // NetworkPolicy applies to the controller's connection like to any pod's.
    let deny = r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-monitoring, namespace: shop}
spec:
  podSelector: {}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]
---
"#;
    let dp = build(&format!("{WEB}{INGRESS}{deny}"));
    assert!(ports_to(&dp, "shop/web-a").is_empty());
    let allow = r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-ingress, namespace: shop}
spec:
  podSelector: {}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]
    ports: [{port: 8080}]
---
"#;
    let dp = build(&format!("{WEB}{INGRESS}{deny}{allow}"));
    assert_eq!(ports_to(&dp, "shop/web-a"), vec![8080]);
    // web-b listens on 9090, which the rule does not allow.
    assert!(ports_to(&dp, "shop/web-b").is_empty());
}

#[test]
fn the_controllers_own_egress_policy_applies() {
    let yaml = format!(
        "{WEB}{INGRESS}{}",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: controller, namespace: ingress-nginx, labels: {app: nginx}}
spec:
  containers: [{name: c, image: nginx}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress, namespace: ingress-nginx}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - ports: [{port: 9090}]
"#
    );
    let dp = build(&yaml);
    assert!(ports_to(&dp, "shop/web-a").is_empty());
    assert_eq!(ports_to(&dp, "shop/web-b"), vec![9090]);
}

#[test]
fn a_missing_service_or_port_is_a_warning_and_routes_nowhere() {
    let ingress = r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: broken, namespace: shop}
spec:
  defaultBackend: {service: {name: nothere, port: {number: 80}}}
  rules:
  - http:
      paths:
      - {path: /a, pathType: Exact, backend: {service: {name: web, port: {name: nope}}}}
"#;
    let dp = build(&format!("{WEB}{ingress}"));
    let w = warnings(&dp);
    assert!(
        w.iter().any(|m| m.contains("NoService(\"nothere\")")),
        "{w:?}"
    );
    assert!(w.iter().any(|m| m.contains("Name(\"nope\")")), "{w:?}");
    assert!(dp.routes.is_empty());
}

#[test]
fn the_default_backend_routes_every_request() {
    // API reference, IngressSpec defaultBackend: requests that match no rule.
    let ingress = r#"
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: default, namespace: shop}
spec:
  defaultBackend: {service: {name: web, port: {name: admin}}}
"#;
    let dp = build(&format!("{WEB}{ingress}"));
    assert_eq!(ports_to(&dp, "shop/web-a"), vec![7000]);
    assert_eq!(dp.routes[0].via.path, None);
}

#[test]
fn a_route_names_the_target_port_by_number_and_weight_zero_gets_nothing() {
    // OpenShift Route API: spec.port.targetPort is the target port on the
    // pods; an alternate backend with weight 0 receives no traffic.
    let yaml = format!(
        "{WEB}{}",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: old, namespace: shop, labels: {app: old}}
spec:
  containers: [{name: o, image: nginx, ports: [{containerPort: 7000}]}]
---
apiVersion: v1
kind: Service
metadata: {name: old, namespace: shop}
spec:
  selector: {app: old}
  ports: [{port: 81, targetPort: 7000}]
---
apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: web, namespace: shop}
spec:
  host: shop.apps.example.com
  to: {kind: Service, name: web, weight: 100}
  alternateBackends: [{kind: Service, name: old, weight: 0}]
  port: {targetPort: 7000}
"#
    );
    let dp = build(&yaml);
    assert_eq!(ports_to(&dp, "shop/web-a"), vec![7000]);
    assert!(ports_to(&dp, "shop/old").is_empty());
}

#[test]
fn an_alb_connects_from_the_subnets_without_nodes() {
    // AWS Load Balancer Controller, class `alb`: the ALB, not a pod, opens
    // the connection, from an address of its (public) subnets.
    let profile = r#"
apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {name: aws}
spec:
  preset: kubeadm-flannel
  nodes:
  - {name: node-1, internalIP: 10.0.16.10}
  cloud:
    provider: aws
    aws:
      vpcCIDR: 10.0.0.0/16
      subnets:
      - {name: public-a, cidr: 10.0.1.0/24}
      - {name: private-a, cidr: 10.0.16.0/21}
      loadBalancerController: aws-lbc
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-alb, namespace: shop}
spec:
  podSelector: {}
  ingress:
  - from: [{ipBlock: {cidr: 10.0.1.0/24}}]
---
"#;
    let alb = INGRESS.replace(
        "spec:\n  rules:",
        "spec:\n  ingressClassName: alb\n  rules:",
    );
    let dp = build(&format!("{WEB}{profile}{alb}"));
    let front = &dp.fronts[fronts::ALB];
    assert_eq!(front.subnets, vec!["10.0.1.0/24".parse().unwrap()]);
    assert!(dp.fronts.iter().all(|f| f.synthesised.is_none()));
    assert_eq!(ports_to(&dp, "shop/web-a"), vec![8080]);
    // Without the ipBlock rule the ALB is denied.
    let denied = profile.replace("10.0.1.0/24}}]", "10.9.0.0/16}}]");
    let dp = build(&format!("{WEB}{denied}{alb}"));
    assert!(ports_to(&dp, "shop/web-a").is_empty());
}

#[test]
fn connlist_rows_replace_the_added_controller() {
    let dp = build(&format!("{WEB}{INGRESS}"));
    let engine = Engine::new(&dp.cluster);
    let raw = podnet_engine::connlist(&engine);
    let added: WorkloadId = dp.fronts[fronts::CONTROLLER].synthesised.unwrap();
    assert!(
        raw.connections
            .iter()
            .any(|c| c.src == podnet_engine::PeerRef::Workload(added))
    );
    let list = dp.connlist(&engine, &podnet_dataplane::Networks::PodNetwork);
    assert!(list.connections.iter().all(|c| {
        c.src != podnet_engine::PeerRef::Workload(added)
            && c.dst != podnet_engine::PeerRef::Workload(added)
    }));
    let rows = list
        .connections
        .iter()
        .filter(|c| c.src == podnet_engine::PeerRef::IngressController)
        .count();
    assert_eq!(rows, 2);
}

// ---------------------------------------------------------------- trace URL

const PATHS: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec:
  containers: [{name: api, image: nginx, ports: [{name: http, containerPort: 8000}]}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: paths, namespace: shop}
spec:
  tls: [{hosts: [shop.example.com]}]
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {name: http}}}}
      - {path: /api/v1/exact, pathType: Exact, backend: {service: {name: web, port: {name: admin}}}}
      - {path: /legacy, pathType: ImplementationSpecific, backend: {service: {name: api, port: {number: 80}}}}
---
"#;

#[test]
fn a_url_takes_the_longest_element_wise_prefix() {
    // API reference, HTTPIngressPath: Prefix matches element-wise, the
    // longest matching path wins.
    let dp = build(&format!("{WEB}{PATHS}"));
    let t = trace_url(&dp, "https://shop.example.com/api/orders");
    assert_eq!(delivered(&dp, &t), vec!["shop/api"]);
    // `/apiary` does not match `/api` element-wise: it falls to `/`.
    let t = trace_url(&dp, "https://shop.example.com/apiary");
    assert_eq!(delivered(&dp, &t), vec!["shop/web-a", "shop/web-b"]);
}

#[test]
fn an_exact_path_matches_only_itself_and_reaches_the_named_port() {
    let dp = build(&format!("{WEB}{PATHS}"));
    let t = trace_url(&dp, "http://shop.example.com/api/v1/exact");
    assert_eq!(delivered(&dp, &t), vec!["shop/web-a", "shop/web-b"]);
    assert!(
        t.branches
            .iter()
            .all(|b| matches!(b.label, PathLabel::ServiceEndpoint { port: 7000, .. }))
    );
    let t = trace_url(&dp, "http://shop.example.com/api/v1/exact/more");
    assert_eq!(delivered(&dp, &t), vec!["shop/api"]);
}

#[test]
fn implementation_specific_is_matched_as_prefix_and_the_decision_names_its_type() {
    let dp = build(&format!("{WEB}{PATHS}"));
    let t = trace_url(&dp, "https://shop.example.com/legacy/x");
    assert_eq!(delivered(&dp, &t), vec!["shop/api"]);
    let decision = exposure_decision(&t);
    assert!(
        matches!(&decision.path, Some((_, PathType::ImplementationSpecific))),
        "{decision:?}"
    );
}

/// The Ingress or Route decision of a URL trace's first hop.
fn exposure_decision(t: &podnet_dataplane::Trace) -> &ExposureDecision {
    match &t.hops[0].action {
        Action::LoadBalancer {
            what: LbDecision::Exposure(d),
        } => d,
        other => panic!("not an Ingress or Route decision: {other:?}"),
    }
}

#[test]
fn tls_hosts_and_unknown_hosts_are_reported() {
    let dp = build(&format!("{WEB}{PATHS}"));
    let t = trace_url(&dp, "https://shop.example.com/");
    assert_eq!(
        exposure_decision(&t).tls,
        TlsHandling::Terminated("shop.example.com".into())
    );
    let t = trace_url(&dp, "https://other.example.com/");
    assert!(t.branches.is_empty());
    assert!(
        matches!(&t.end, Some(TraceEnd::NoFront { scheme: Scheme::Https, host, .. }) if host == "other.example.com"),
        "{:?}",
        t.end
    );
}

#[test]
fn a_url_trace_checks_the_controllers_connection_against_policy() {
    let deny = r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress]
"#;
    let dp = build(&format!("{WEB}{PATHS}{deny}"));
    let t = trace_url(&dp, "https://shop.example.com/api");
    assert_eq!(t.branches.len(), 1);
    assert_eq!(
        t.branches[0].outcome,
        podnet_dataplane::trace::Outcome::Denied(podnet_model::Direction::Ingress)
    );
}
