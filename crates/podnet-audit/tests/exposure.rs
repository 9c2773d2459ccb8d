//! Exposure checks (PN30xx): each one triggered and each one quiet on a
//! correct setup. Test names cite the section of the Kubernetes concept
//! page the rule rests on: NetworkPolicy ("The two sorts of pod isolation",
//! "Default deny all ingress traffic"), Service ("Type NodePort", "Type
//! LoadBalancer", "External IPs"), "Restrict Access For LoadBalancer
//! Service" (task "Configure Your Cloud Provider's Firewalls"), Ingress
//! ("Ingress rules") and Gateway API ("HTTPRoute").

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::with_code;
use podnet_audit::Severity;
use podnet_report::audit::Worded as Finding;

/// Namespace shop with Deployment web (named port `http` = 8080).
const WEB: &str = r#"apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]
---
"#;

const DENY_INGRESS: &str = r#"apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-ingress, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
"#;

fn service(spec: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Service\nmetadata: {{name: web, namespace: shop}}\nspec:\n  selector: {{app: web}}\n{spec}---\n"
    )
}

fn subjects(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(|f| f.subject.display()).collect()
}

// ------------------------------------------------------------------ PN3001

// "The two sorts of pod isolation": by default a pod is non-isolated for
// ingress and all inbound connections are allowed, from any address.
#[test]
fn pn3001_two_sorts_of_pod_isolation_a_non_isolated_pod_accepts_the_internet() {
    let f = with_code(WEB, "PN3001");
    assert_eq!(subjects(&f), ["Deployment shop/web"]);
    assert_eq!(f[0].severity, Severity::Warning);
    assert_eq!(
        f[0].message,
        "pod addresses accept connections from 0.0.0.0/0, ::/0 on every port"
    );
    assert!(f[0].subject.source.as_ref().unwrap().line.is_some());
}

// IPBlock: a narrow range admitted from outside is information, with the
// range and the port.
#[test]
fn pn3001_ipblock_from_a_narrow_range_is_information() {
    let yaml = format!(
        "{WEB}{DENY_INGRESS}{}",
        r#"apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: partner, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{ipBlock: {cidr: 203.0.113.0/24}}]
    ports: [{port: http}]
---
"#
    );
    let f = with_code(&yaml, "PN3001");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Info);
    assert_eq!(
        f[0].message,
        "pod addresses accept connections from 203.0.113.0/24 on TCP 8080"
    );
}

// "Default deny all ingress traffic": nothing from outside reaches the pods.
#[test]
fn pn3001_quiet_under_default_deny_all_ingress_traffic() {
    assert!(with_code(&format!("{WEB}{DENY_INGRESS}"), "PN3001").is_empty());
}

// ------------------------------------------------------------------ PN3002

// Service "Type NodePort": every node proxies the nodePort to the backends.
#[test]
fn pn3002_service_type_nodeport_opens_a_port_on_every_node() {
    let yaml = format!(
        "{WEB}{}",
        service("  type: NodePort\n  ports: [{port: 80, targetPort: http, nodePort: 30080}]\n")
    );
    let f = with_code(&yaml, "PN3002");
    assert_eq!(subjects(&f), ["Service shop/web"]);
    assert_eq!(f[0].severity, Severity::Warning);
    assert!(
        f[0].message
            .contains("TCP 80 (nodePort 30080) -> Deployment shop/web TCP 8080"),
        "{}",
        f[0].message
    );
    assert!(f[0].message.starts_with("open on every node"));
}

#[test]
fn pn3002_quiet_for_a_clusterip_service() {
    let yaml = format!(
        "{WEB}{}",
        service("  ports: [{port: 80, targetPort: http}]\n")
    );
    assert!(with_code(&yaml, "PN3002").is_empty());
}

// ------------------------------------------------------------ PN3003/PN3004

fn load_balancer(ranges: &str) -> String {
    format!(
        "{WEB}{}",
        service(&format!(
            "  type: LoadBalancer\n{ranges}  ports: [{{port: 443, targetPort: 8080}}]\n"
        ))
    )
}

// Service "Type LoadBalancer": without loadBalancerSourceRanges the load
// balancer accepts every client, and its NodePorts are open too.
#[test]
fn pn3003_service_type_loadbalancer_without_source_ranges_accepts_every_address() {
    let f = with_code(&load_balancer(""), "PN3003");
    assert_eq!(subjects(&f), ["Service shop/web"]);
    assert_eq!(f[0].severity, Severity::Warning);
    assert!(
        f[0].message
            .contains("accepts every address: TCP 443 -> Deployment shop/web TCP 8080"),
        "{}",
        f[0].message
    );
    assert!(
        f[0].message.contains("node ports open on every node"),
        "{}",
        f[0].message
    );
    assert!(with_code(&load_balancer(""), "PN3004").is_empty());
}

#[test]
fn pn3003_quiet_with_restrict_access_for_loadbalancer_service_source_ranges() {
    let yaml = load_balancer("  loadBalancerSourceRanges: [203.0.113.0/24]\n");
    assert!(with_code(&yaml, "PN3003").is_empty());
}

// "Restrict Access For LoadBalancer Service": with source ranges the load
// balancer accepts only them.
#[test]
fn pn3004_restrict_access_for_loadbalancer_service_accepts_its_source_ranges() {
    let yaml = load_balancer("  loadBalancerSourceRanges: [203.0.113.0/24, 198.51.100.0/24]\n");
    let f = with_code(&yaml, "PN3004");
    assert_eq!(subjects(&f), ["Service shop/web"]);
    assert_eq!(f[0].severity, Severity::Info);
    assert!(
        f[0].message
            .contains("accepts 198.51.100.0/24, 203.0.113.0/24: TCP 443"),
        "{}",
        f[0].message
    );
}

// A source range of 0.0.0.0/0 restricts nothing: PN3003, not PN3004.
#[test]
fn pn3004_quiet_when_the_source_ranges_are_the_whole_internet() {
    let yaml = load_balancer("  loadBalancerSourceRanges: [0.0.0.0/0]\n");
    assert!(with_code(&yaml, "PN3004").is_empty());
    let f = with_code(&yaml, "PN3003");
    assert_eq!(f.len(), 1);
    assert!(f[0].help.contains("narrow"));
}

// ------------------------------------------------------------ PN3005/PN3006

fn ingress() -> String {
    format!(
        "{WEB}{}{}",
        service("  ports: [{name: http, port: 80, targetPort: http}]\n"),
        r#"apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /api
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
---
"#
    )
}

// Ingress "Ingress rules": a host and a path route to a Service port, and
// the ingress controller connects to its pods on the target port.
#[test]
fn pn3005_ingress_rules_publish_a_host_and_path() {
    let f = with_code(&ingress(), "PN3005");
    assert_eq!(subjects(&f), ["Ingress shop/web"]);
    assert_eq!(f[0].severity, Severity::Info);
    assert_eq!(
        f[0].message,
        "publishes host shop.example.com, path /api (Prefix) through the ingress controller to Deployment shop/web TCP 8080"
    );
    // The subject points at the path's line.
    let line = f[0].subject.source.as_ref().unwrap().line.unwrap();
    let text = ingress();
    assert_eq!(
        text.lines().nth(line as usize - 1).map(str::trim),
        Some("- path: /api")
    );
}

// Gateway API "HTTPRoute": routes attach to a Gateway, whose proxy
// connects to the backends.
#[test]
fn pn3005_httproute_publishes_through_its_gateway() {
    let yaml = format!(
        "{WEB}{}{}",
        service("  ports: [{name: http, port: 80, targetPort: http}]\n"),
        r#"apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: shop}
spec:
  gatewayClassName: example
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: gw}]
  hostnames: [shop.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRefs: [{name: web, port: 80}]
---
"#
    );
    let f = with_code(&yaml, "PN3005");
    assert_eq!(subjects(&f), ["HTTPRoute shop/web"]);
    assert_eq!(
        f[0].message,
        "publishes spec.rules[0] (hosts shop.example.com, PathPrefix /) through Gateway shop/gw to Deployment shop/web TCP 8080"
    );
}

#[test]
fn pn3005_quiet_without_ingress_or_routes() {
    let yaml = format!(
        "{WEB}{}",
        service("  ports: [{port: 80, targetPort: http}]\n")
    );
    assert!(with_code(&yaml, "PN3005").is_empty());
}

// "Default deny all ingress traffic" applies to the ingress controller's
// connections too: the route leads to pods it may not open.
#[test]
fn pn3006_default_deny_all_ingress_traffic_blocks_the_ingress_controller() {
    let yaml = format!("{}{DENY_INGRESS}", ingress());
    let f = with_code(&yaml, "PN3006");
    assert_eq!(subjects(&f), ["Ingress shop/web"]);
    assert_eq!(f[0].severity, Severity::Warning);
    assert_eq!(
        f[0].message,
        "routes host shop.example.com, path /api (Prefix) to Deployment shop/web TCP 8080, but policy does not let the ingress controller connect there: requests fail"
    );
    assert!(with_code(&yaml, "PN3005").is_empty());
}

// "Behavior of to and from selectors": admitting the controller's namespace
// by name fixes it.
#[test]
fn pn3006_quiet_when_the_controller_namespace_is_admitted() {
    let yaml = format!(
        "{}{DENY_INGRESS}{}",
        ingress(),
        r#"apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}]
    ports: [{port: http}]
---
"#
    );
    assert!(with_code(&yaml, "PN3006").is_empty());
    assert_eq!(with_code(&yaml, "PN3005").len(), 1);
}

// ------------------------------------------------------------------ PN3007

// Service "External IPs": every node accepts traffic for them.
#[test]
fn pn3007_service_external_ips_are_accepted_on_every_node() {
    let yaml = format!(
        "{WEB}{}",
        service("  externalIPs: [198.51.100.7]\n  ports: [{port: 80, targetPort: http}]\n")
    );
    let f = with_code(&yaml, "PN3007");
    assert_eq!(subjects(&f), ["Service shop/web"]);
    assert_eq!(
        f[0].message,
        "every node accepts traffic for 198.51.100.7: TCP 80 -> Deployment shop/web TCP 8080"
    );
}

#[test]
fn pn3007_quiet_without_external_ips() {
    let yaml = format!(
        "{WEB}{}",
        service("  ports: [{port: 80, targetPort: http}]\n")
    );
    assert!(with_code(&yaml, "PN3007").is_empty());
}
