//! Loading Ingresses (networking.k8s.io/v1) and OpenShift Routes
//! (route.openshift.io/v1) end to end with `load_files`: the exposures they
//! lower to, and each validation error with its field path and line.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is a test failure

use podnet_model::{Backend, ExposureKind, PathType, ServicePortRef};

mod common;
use common::{errors, load, only_error, warnings};

fn one_error(text: &str, path: &str, line: u32) -> String {
    let (l, message) = only_error(text, path, line);
    assert!(l.cluster.exposures.is_empty());
    message
}

fn backend(service: &str, port: Option<ServicePortRef>, weight: u32) -> Backend {
    Backend {
        service: service.into(),
        port,
        weight,
    }
}

const INGRESS: &str = r#"apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: web
spec:
  ingressClassName: nginx
  defaultBackend:
    service:
      name: fallback
      port:
        number: 80
  tls:
  - hosts: ["shop.example.com", "*.shop.example.com"]
    secretName: shop-tls
  rules:
  - host: "*.shop.example.com"
    http:
      paths:
      - path: /api
        pathType: Prefix
        backend:
          service:
            name: api
            port:
              name: http
      - path: /api/health
        pathType: Exact
        backend:
          service:
            name: api
            port:
              number: 8080
  - host: shop.example.com
    http:
      paths:
      - pathType: ImplementationSpecific
        backend:
          service:
            name: web
            port:
              number: 80
"#;

#[test]
fn an_ingress_is_lowered() {
    let l = load(INGRESS);
    assert!(l.diagnostics.is_empty(), "{:#?}", l.diagnostics);
    let [e] = &l.cluster.exposures[..] else {
        panic!("{:#?}", l.cluster.exposures)
    };
    assert_eq!(e.kind, ExposureKind::Ingress);
    assert_eq!(e.meta.kind, "Ingress");
    assert_eq!(e.meta.namespace.as_deref(), Some("web"));
    assert_eq!(l.cluster.namespaces[e.namespace.index()].name, "web");
    assert_eq!(e.class.as_deref(), Some("nginx"));
    assert_eq!(
        e.default_backend,
        Some(backend("fallback", Some(ServicePortRef::Number(80)), 100))
    );
    assert_eq!(e.tls_hosts, ["shop.example.com", "*.shop.example.com"]);
    assert_eq!(e.rules.len(), 2);
    assert_eq!(e.rules[0].host.as_deref(), Some("*.shop.example.com"));
    let got: Vec<(&str, PathType, Option<u32>)> = e.rules[0]
        .paths
        .iter()
        .map(|p| (p.path.as_str(), p.path_type, p.line))
        .collect();
    assert_eq!(
        got,
        [
            ("/api", PathType::Prefix, Some(20)),
            ("/api/health", PathType::Exact, Some(27))
        ]
    );
    assert_eq!(
        e.rules[0].paths[0].backends,
        [backend(
            "api",
            Some(ServicePortRef::Name("http".into())),
            100
        )]
    );
    assert_eq!(
        e.rules[0].paths[1].backends,
        [backend("api", Some(ServicePortRef::Number(8080)), 100)]
    );
    let p = &e.rules[1].paths[0];
    assert_eq!(e.rules[1].host.as_deref(), Some("shop.example.com"));
    assert_eq!(
        (p.path.as_str(), p.path_type, p.line),
        ("/", PathType::ImplementationSpecific, Some(37))
    );
    // Routing: a wildcard matches one label; other hosts get the default.
    let (to, _) = e.route("a.shop.example.com", "/api/x").unwrap();
    assert_eq!(to[0].service, "api");
    let (to, path) = e.route("other.example.com", "/").unwrap();
    assert!(path.is_none());
    assert_eq!(to[0].service, "fallback");
}

#[test]
fn the_class_annotation_is_read_and_a_resource_backend_is_ignored() {
    let l = load(
        r#"apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: legacy
  annotations:
    kubernetes.io/ingress.class: traefik
spec:
  defaultBackend:
    resource:
      apiGroup: k8s.example.com
      kind: StorageBucket
      name: static-assets
"#,
    );
    assert!(errors(&l).is_empty(), "{:#?}", l.diagnostics);
    let w = warnings(&l);
    assert_eq!(w.len(), 1, "{w:#?}");
    assert!(
        w[0].contains("spec.defaultBackend.resource") && w[0].contains("not modelled"),
        "{w:#?}"
    );
    assert!(w[0].contains("test.yaml:9"), "{w:#?}");
    let e = &l.cluster.exposures[0];
    assert_eq!(e.class.as_deref(), Some("traefik"));
    assert_eq!(e.meta.namespace.as_deref(), Some("default"));
    assert_eq!(e.default_backend, None);
}

#[test]
fn exposures_keep_input_order_and_a_redefinition_replaces() {
    let l = load(
        r#"apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: a}
spec: {defaultBackend: {service: {name: one, port: {number: 80}}}}
---
apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: a}
spec: {to: {name: r}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: b}
spec: {defaultBackend: {service: {name: two, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: a}
spec: {defaultBackend: {service: {name: three, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
"#,
    );
    assert!(errors(&l).is_empty(), "{:#?}", l.diagnostics);
    let w = warnings(&l);
    assert!(
        w.iter()
            .any(|w| w.contains("Ingress default/a is defined twice")),
        "{w:#?}"
    );
    assert!(w.iter().any(|w| w.contains("IngressClass")), "{w:#?}");
    let got: Vec<(ExposureKind, &str, Option<&str>)> = l
        .cluster
        .exposures
        .iter()
        .map(|e| {
            (
                e.kind,
                e.meta.name.as_str(),
                e.default_backend.as_ref().map(|b| b.service.as_str()),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (ExposureKind::Route, "a", None),
            (ExposureKind::Ingress, "b", Some("two")),
            (ExposureKind::Ingress, "a", Some("three")),
        ]
    );
}

#[test]
fn a_route_is_lowered() {
    let l = load(
        r#"apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: cart
  namespace: shop
spec:
  host: cart.apps.example.com
  path: /cart
  to:
    kind: Service
    name: cart-v1
    weight: 90
  alternateBackends:
  - kind: Service
    name: cart-v2
    weight: 10
  - name: cart-v3
    weight: 0
  port:
    targetPort: web
  tls:
    termination: edge
    insecureEdgeTerminationPolicy: Redirect
"#,
    );
    assert!(l.diagnostics.is_empty(), "{:#?}", l.diagnostics);
    let e = &l.cluster.exposures[0];
    assert_eq!(e.kind, ExposureKind::Route);
    assert_eq!(e.meta.kind, "Route");
    assert_eq!(l.cluster.namespaces[e.namespace.index()].name, "shop");
    assert_eq!(e.tls_hosts, ["cart.apps.example.com"]);
    assert_eq!(e.default_backend, None);
    let [rule] = &e.rules[..] else { panic!() };
    assert_eq!(rule.host.as_deref(), Some("cart.apps.example.com"));
    let [p] = &rule.paths[..] else { panic!() };
    assert_eq!(
        (p.path.as_str(), p.path_type, p.line),
        ("/cart", PathType::Prefix, Some(8))
    );
    let web = || Some(ServicePortRef::Name("web".into()));
    assert_eq!(
        p.backends,
        [
            backend("cart-v1", web(), 90),
            backend("cart-v2", web(), 10),
            backend("cart-v3", web(), 0)
        ]
    );
}

#[test]
fn a_minimal_route_has_defaults() {
    let l = load(
        r#"apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: api
spec:
  to:
    name: api
  port:
    targetPort: 8443
"#,
    );
    assert!(l.diagnostics.is_empty(), "{:#?}", l.diagnostics);
    let e = &l.cluster.exposures[0];
    assert!(e.tls_hosts.is_empty());
    assert_eq!(e.rules[0].host, None);
    let p = &e.rules[0].paths[0];
    assert_eq!(p.path, "/");
    assert_eq!(p.line, Some(5));
    assert_eq!(
        p.backends,
        [backend("api", Some(ServicePortRef::Number(8443)), 100)]
    );
}

// ---------------------------------------------------------------------------
// Ingress errors
// ---------------------------------------------------------------------------

/// An Ingress in namespace `web` whose spec is `spec` (indented by two).
fn ingress(spec: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i\n  namespace: web\nspec:\n{spec}"
    )
}

/// One rule with `host` and one path; lines: host 7, path entry 10.
fn rule(host: &str, path: &str, path_type: &str, port: &str) -> String {
    ingress(&format!(
        "  rules:\n  - host: {host}\n    http:\n      paths:\n      - path: {path}\n        pathType: {path_type}\n        backend:\n          service:\n            name: svc\n            port: {port}\n"
    ))
}

#[test]
fn an_ingress_needs_rules_or_a_default_backend() {
    let m = one_error(&ingress("  ingressClassName: nginx\n"), "spec", 6);
    assert_eq!(m, "either defaultBackend or rules must be specified");
}

#[test]
fn ingress_hosts_are_dns_names() {
    let m = one_error(
        &rule("10.0.0.1", "/", "Prefix", "{number: 80}"),
        "spec.rules[0].host",
        8,
    );
    assert_eq!(
        m,
        "invalid value `10.0.0.1`: must be a DNS name, not an IP address"
    );
    let m = one_error(
        &rule("foo.*.example.com", "/", "Prefix", "{number: 80}"),
        "spec.rules[0].host",
        8,
    );
    assert!(m.contains("wildcard DNS-1123 subdomain"), "{m}");
    let m = one_error(
        &rule("Shop.example.com", "/", "Prefix", "{number: 80}"),
        "spec.rules[0].host",
        8,
    );
    assert!(m.contains("RFC 1123 subdomain"), "{m}");
    let m = one_error(
        &ingress(
            "  defaultBackend: {service: {name: s, port: {number: 80}}}\n  tls:\n  - hosts:\n    - ok.example.com\n    - \"*.*.example.com\"\n",
        ),
        "spec.tls[0].hosts[1]",
        11,
    );
    assert!(m.contains("wildcard DNS-1123 subdomain"), "{m}");
}

#[test]
fn ingress_path_types() {
    let m = one_error(
        &rule("a.example.com", "/", "Regex", "{number: 80}"),
        "spec.rules[0].http.paths[0].pathType",
        12,
    );
    assert_eq!(
        m,
        "unsupported value `Regex`: supported values are \"Exact\", \"ImplementationSpecific\", \"Prefix\""
    );
    let m = one_error(
        &ingress(
            "  rules:\n  - http:\n      paths:\n      - path: /\n        backend: {service: {name: s, port: {number: 80}}}\n",
        ),
        "spec.rules[0].http.paths[0].pathType",
        10,
    );
    assert_eq!(m, "pathType must be specified");
}

#[test]
fn exact_and_prefix_paths_are_absolute() {
    for t in ["Exact", "Prefix"] {
        let m = one_error(
            &rule("a.example.com", "api", t, "{number: 80}"),
            "spec.rules[0].http.paths[0].path",
            11,
        );
        assert_eq!(m, "invalid value `api`: must be an absolute path");
    }
    let m = one_error(
        &ingress(
            "  rules:\n  - http:\n      paths:\n      - pathType: Exact\n        backend: {service: {name: s, port: {number: 80}}}\n",
        ),
        "spec.rules[0].http.paths[0].path",
        10,
    );
    assert_eq!(m, "invalid value ``: must be an absolute path");
    let m = one_error(
        &rule("a.example.com", "/a/../b", "Prefix", "{number: 80}"),
        "spec.rules[0].http.paths[0].path",
        11,
    );
    assert_eq!(m, "invalid value `/a/../b`: must not contain '/../'");
    let m = one_error(
        &rule(
            "a.example.com",
            "x",
            "ImplementationSpecific",
            "{number: 80}",
        ),
        "spec.rules[0].http.paths[0].path",
        11,
    );
    assert_eq!(m, "invalid value `x`: must be an absolute path");
}

#[test]
fn ingress_backend_ports() {
    let m = one_error(
        &rule("a.example.com", "/", "Prefix", "{number: 80, name: http}"),
        "spec.rules[0].http.paths[0].backend",
        13,
    );
    assert_eq!(m, "cannot set both port name & port number");
    let m = one_error(
        &rule("a.example.com", "/", "Prefix", "{}"),
        "spec.rules[0].http.paths[0].backend",
        13,
    );
    assert_eq!(m, "port name or number is required");
    let m = one_error(
        &rule("a.example.com", "/", "Prefix", "{number: 70000}"),
        "spec.rules[0].http.paths[0].backend.service.port.number",
        16,
    );
    assert_eq!(
        m,
        "invalid value `70000`: must be between 1 and 65535, inclusive"
    );
    let m = one_error(
        &rule("a.example.com", "/", "Prefix", "{name: a--b}"),
        "spec.rules[0].http.paths[0].backend.service.port.name",
        16,
    );
    assert!(
        m == "invalid value `a--b`: must not contain consecutive hyphens",
        "{m}"
    );
}

#[test]
fn ingress_backend_services() {
    let m = one_error(
        &ingress("  defaultBackend:\n    service:\n      name: 1svc\n      port: {number: 80}\n"),
        "spec.defaultBackend.service.name",
        9,
    );
    assert!(m.contains("DNS-1035 label"), "{m}");
    let m = one_error(
        &ingress(
            "  defaultBackend:\n    resource: {kind: Bucket, name: b}\n    service: {name: s, port: {number: 80}}\n",
        ),
        "spec.defaultBackend",
        7,
    );
    assert_eq!(m, "cannot set both resource and service backends");
    let m = one_error(
        &ingress("  rules:\n  - http:\n      paths:\n      - path: /\n        pathType: Prefix\n"),
        "spec.rules[0].http.paths[0].backend",
        10,
    );
    assert_eq!(m, "resource or service backend is required");
    let m = one_error(
        &ingress("  rules:\n  - host: a.example.com\n    http:\n      paths: []\n"),
        "spec.rules[0].http.paths",
        10,
    );
    assert_eq!(m, "at least one path is required");
}

#[test]
fn ingress_class() {
    let m = one_error(
        &ingress(
            "  ingressClassName: Nginx_1\n  defaultBackend: {service: {name: s, port: {number: 80}}}\n",
        ),
        "spec.ingressClassName",
        7,
    );
    assert!(m.starts_with("invalid value `Nginx_1`"), "{m}");
    let m = one_error(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i\n  annotations:\n    kubernetes.io/ingress.class: traefik\nspec:\n  ingressClassName: nginx\n  defaultBackend: {service: {name: s, port: {number: 80}}}\n",
        "metadata.annotations[kubernetes.io/ingress.class]",
        6,
    );
    assert_eq!(
        m,
        "invalid value `traefik`: must match `ingressClassName` when both are specified"
    );
}

#[test]
fn an_old_ingress_version_is_an_error() {
    let m = one_error(
        "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: old\nspec: {}\n",
        "apiVersion",
        1,
    );
    assert!(m.contains("networking.k8s.io/v1"), "{m}");
}

// ---------------------------------------------------------------------------
// Route errors
// ---------------------------------------------------------------------------

/// A Route whose spec is `spec` (indented by two); `spec:` is line 5.
fn route(spec: &str) -> String {
    format!("apiVersion: route.openshift.io/v1\nkind: Route\nmetadata:\n  name: r\nspec:\n{spec}")
}

#[test]
fn route_host_and_path() {
    let m = one_error(
        &route("  host: Shop_1.example.com\n  to: {name: s}\n"),
        "spec.host",
        6,
    );
    assert!(m.contains("RFC 1123 subdomain"), "{m}");
    let m = one_error(&route("  path: cart\n  to: {name: s}\n"), "spec.path", 6);
    assert_eq!(m, "invalid value `cart`: path must begin with /");
    let m = one_error(
        &route("  path: /cart\n  to: {name: s}\n  tls: {termination: passthrough}\n"),
        "spec.path",
        6,
    );
    assert_eq!(m, "passthrough termination does not support paths");
    let m = one_error(
        &route("  to: {name: s}\n  tls:\n    termination: Edge\n"),
        "spec.tls.termination",
        8,
    );
    assert_eq!(
        m,
        "unsupported value `Edge`: supported values are \"edge\", \"passthrough\", \"reencrypt\""
    );
}

#[test]
fn route_backends() {
    let m = one_error(
        &route("  to:\n    kind: Deployment\n    name: s\n"),
        "spec.to.kind",
        7,
    );
    assert_eq!(m, "invalid value `Deployment`: must reference a Service");
    let m = one_error(&route("  to:\n    kind: Service\n"), "spec.to.name", 6);
    assert_eq!(m, "name is required");
    let m = one_error(
        &route("  to: {name: s}\n  alternateBackends:\n  - name: b\n    weight: 257\n"),
        "spec.alternateBackends[0].weight",
        9,
    );
    assert_eq!(
        m,
        "invalid value `257`: weight must be an integer between 0 and 256"
    );
    let m = one_error(
        &route(
            "  to: {name: s}\n  alternateBackends:\n  - name: a\n  - name: b\n  - name: c\n  - name: d\n",
        ),
        "spec.alternateBackends",
        7,
    );
    assert_eq!(m, "cannot specify more than 3 alternate backends");
}

#[test]
fn route_ports() {
    let m = one_error(
        &route("  to: {name: s}\n  port:\n    targetPort: 70000\n"),
        "spec.port.targetPort",
        8,
    );
    assert_eq!(
        m,
        "invalid value `70000`: must be between 1 and 65535, inclusive"
    );
    let m = one_error(
        &route("  to: {name: s}\n  port: {}\n"),
        "spec.port.targetPort",
        7,
    );
    assert_eq!(m, "targetPort is required");
}
