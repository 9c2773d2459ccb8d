//! Ingress (networking.k8s.io/v1): host and path rules to Service ports,
//! checked as `ValidateIngress` does. `ingressClassName` (or the deprecated
//! `kubernetes.io/ingress.class` annotation) names the controller; a
//! `resource` backend (a custom object, not a Service) is not modelled: a
//! warning, and the path (or default) routes nowhere podnet knows.

use std::net::IpAddr;

use k8s_openapi::api::networking::v1 as net;
use podnet_model::{
    Backend, Exposure, ExposureKind, HttpPath, HttpRule, Meta, NsId, PathType, ServicePortRef,
    Source,
};

use super::meta::{NameRule, object_meta};
use super::netpol::LineOf;
use super::records::PendingExposure;
use crate::path::FieldPath;
use crate::validate::{Checker, names, unsupported};

/// The deprecated annotation naming an Ingress's class.
pub const CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";

/// The weight of an Ingress backend (an Ingress does not split traffic).
const INGRESS_WEIGHT: u32 = 100;

/// Sequences an Exact or Prefix path must not contain.
const INVALID_PATH_SEQUENCES: [&str; 5] = ["//", "/./", "/../", "%2f", "%2F"];
/// Suffixes an Exact or Prefix path must not end with.
const INVALID_PATH_SUFFIXES: [&str; 2] = ["/..", "/."];

/// Checks and lowers one Ingress.
pub fn ingress(
    ing: &net::Ingress,
    base: &FieldPath,
    source: Source,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> PendingExposure {
    let info = object_meta(&ing.metadata, NameRule::Subdomain, true, base, c);
    let namespace = info.namespace.unwrap_or_default();
    let at = base.key("spec");
    let default_spec = net::IngressSpec::default();
    let spec = ing.spec.as_ref().unwrap_or(&default_spec);

    let class = class(ing, spec, base, c);
    let rules_list = spec.rules.as_deref().unwrap_or_default();
    if rules_list.is_empty() && spec.default_backend.is_none() {
        c.error(
            at.clone(),
            "either defaultBackend or rules must be specified",
        );
    }
    let default_backend = spec
        .default_backend
        .as_ref()
        .and_then(|b| backend(b, &at.key("defaultBackend"), c));
    let rules = rules_list
        .iter()
        .enumerate()
        .map(|(i, r)| rule(r, &at.key("rules").index(i), line_of, c))
        .collect();
    let mut tls_hosts: Vec<String> = Vec::new();
    for (i, tls) in spec.tls.iter().flatten().enumerate() {
        for (j, h) in tls.hosts.iter().flatten().enumerate() {
            let path = at.key("tls").index(i).key("hosts").index(j);
            check_host_name(h, &path, c);
            if !tls_hosts.contains(h) {
                tls_hosts.push(h.clone());
            }
        }
    }
    PendingExposure {
        namespace: namespace.clone(),
        exposure: Exposure {
            meta: Meta {
                kind: "Ingress".to_owned(),
                namespace: Some(namespace),
                name: info.name,
                source,
            },
            namespace: NsId(u32::MAX),
            kind: ExposureKind::Ingress,
            class,
            rules,
            default_backend,
            tls_hosts,
        },
    }
}

/// `ingressClassName` (an RFC 1123 subdomain), else the deprecated
/// annotation; both set must agree (`ValidateIngressCreate`).
fn class(
    ing: &net::Ingress,
    spec: &net::IngressSpec,
    base: &FieldPath,
    c: &mut Checker,
) -> Option<String> {
    let annotation = ing
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(CLASS_ANNOTATION))
        .filter(|v| !v.is_empty());
    let name = spec.ingress_class_name.as_ref();
    if let Some(n) = name {
        c.check(
            &base.key("spec").key("ingressClassName"),
            n,
            names::dns1123_subdomain(n),
        );
    }
    if let (Some(a), Some(n)) = (annotation, name)
        && a != n
    {
        c.error(
            base.key("metadata")
                .key("annotations")
                .map_key(CLASS_ANNOTATION),
            format!("invalid value `{a}`: must match `ingressClassName` when both are specified"),
        );
    }
    name.or(annotation).cloned()
}

/// A host of a rule or a TLS entry: not an IP address; an RFC 1123
/// subdomain, or `*.` and one when it has a `*`.
fn check_host_name(host: &str, path: &FieldPath, c: &mut Checker) {
    if host.parse::<IpAddr>().is_ok() {
        c.error(
            path.clone(),
            format!("invalid value `{host}`: must be a DNS name, not an IP address"),
        );
    }
    let problems = if host.contains('*') {
        names::wildcard_dns1123_subdomain(host)
    } else {
        names::dns1123_subdomain(host)
    };
    c.check(path, host, problems);
}

fn rule(r: &net::IngressRule, at: &FieldPath, line_of: LineOf<'_>, c: &mut Checker) -> HttpRule {
    let host = r.host.clone().filter(|h| !h.is_empty());
    if let Some(h) = &host {
        check_host_name(h, &at.key("host"), c);
    }
    let mut paths = Vec::new();
    if let Some(http) = &r.http {
        let at = at.key("http");
        if http.paths.is_empty() {
            c.error(at.key("paths"), "at least one path is required");
        }
        for (j, p) in http.paths.iter().enumerate() {
            paths.extend(path(p, &at.key("paths").index(j), line_of, c));
        }
    }
    HttpRule { host, paths }
}

/// `validateHTTPIngressPath`: `pathType` is required; Exact and Prefix
/// paths are absolute and normalised, an ImplementationSpecific path is
/// absolute when given.
fn path(
    p: &net::HTTPIngressPath,
    at: &FieldPath,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> Option<HttpPath> {
    let written = p.path.as_deref().unwrap_or_default();
    let path_at = at.key("path");
    let path_type = match p.path_type.as_str() {
        "" => {
            c.error(at.key("pathType"), "pathType must be specified");
            None
        }
        "Exact" | "Prefix" => {
            if !written.starts_with('/') {
                c.error(
                    path_at.clone(),
                    format!("invalid value `{written}`: must be an absolute path"),
                );
            }
            for seq in INVALID_PATH_SEQUENCES {
                if written.contains(seq) {
                    c.error(
                        path_at.clone(),
                        format!("invalid value `{written}`: must not contain '{seq}'"),
                    );
                }
            }
            for suffix in INVALID_PATH_SUFFIXES {
                if written.ends_with(suffix) {
                    c.error(
                        path_at.clone(),
                        format!("invalid value `{written}`: cannot end with '{suffix}'"),
                    );
                }
            }
            Some(if p.path_type == "Exact" {
                PathType::Exact
            } else {
                PathType::Prefix
            })
        }
        "ImplementationSpecific" => {
            if !written.is_empty() && !written.starts_with('/') {
                c.error(
                    path_at.clone(),
                    format!("invalid value `{written}`: must be an absolute path"),
                );
            }
            Some(PathType::ImplementationSpecific)
        }
        other => {
            unsupported(
                &at.key("pathType"),
                other,
                &["Exact", "ImplementationSpecific", "Prefix"],
                c,
            );
            None
        }
    };
    let backend = backend(&p.backend, &at.key("backend"), c);
    Some(HttpPath {
        path: if written.is_empty() { "/" } else { written }.to_owned(),
        path_type: path_type?,
        backends: backend.into_iter().collect(),
        line: line_of(at),
    })
}

/// `validateIngressBackend`: a Service (a DNS-1035 name, and a port by
/// exactly one of number and name) or a resource, not both. A resource
/// backend is a warning and gives `None`.
fn backend(b: &net::IngressBackend, at: &FieldPath, c: &mut Checker) -> Option<Backend> {
    let svc = match (&b.resource, &b.service) {
        (Some(_), Some(_)) => {
            c.error(at.clone(), "cannot set both resource and service backends");
            return None;
        }
        (Some(r), None) => {
            c.warn(
                at.key("resource"),
                format!(
                    "a resource backend ({} {}) is not modelled: podnet sees no traffic through it",
                    r.kind, r.name
                ),
            );
            return None;
        }
        (None, None) => {
            c.error(at.clone(), "resource or service backend is required");
            return None;
        }
        (None, Some(s)) => s,
    };
    let svc_at = at.key("service");
    if svc.name.is_empty() {
        c.error(svc_at.key("name"), "service name is required");
    } else {
        c.check(
            &svc_at.key("name"),
            &svc.name,
            names::dns1035_label(&svc.name),
        );
    }
    let port_at = svc_at.key("port");
    let name = svc
        .port
        .as_ref()
        .and_then(|p| p.name.as_deref())
        .filter(|n| !n.is_empty());
    let number = svc.port.as_ref().and_then(|p| p.number).filter(|&n| n != 0);
    let port = match (name, number) {
        (Some(_), Some(_)) => {
            c.error(at.clone(), "cannot set both port name & port number");
            None
        }
        (Some(n), None) => {
            let problems = names::port_name(n);
            let ok = problems.is_empty();
            c.check(&port_at.key("name"), n, problems);
            ok.then(|| ServicePortRef::Name(n.to_owned()))
        }
        (None, Some(n)) => names::port_number(i64::from(n))
            .map_err(|m| c.error(port_at.key("number"), format!("invalid value `{n}`: {m}")))
            .ok()
            .map(ServicePortRef::Number),
        (None, None) => {
            c.error(at.clone(), "port name or number is required");
            None
        }
    };
    Some(Backend {
        service: svc.name.clone(),
        port: Some(port?),
        weight: INGRESS_WEIGHT,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::testing::source;

    fn lower(json: serde_json::Value) -> (Exposure, Checker) {
        let ing: net::Ingress = serde_json::from_value(json).unwrap_or_default();
        let mut c = Checker::default();
        let p = ingress(&ing, &FieldPath::root(), source(), &|_| Some(7), &mut c);
        assert_eq!(
            p.namespace,
            p.exposure.meta.namespace.clone().unwrap_or_default()
        );
        (p.exposure, c)
    }

    fn messages(c: &Checker) -> Vec<(String, String)> {
        c.errors
            .iter()
            .map(|(p, m)| (p.to_string(), m.clone()))
            .collect()
    }

    #[test]
    fn rules_paths_and_backends() {
        let (e, c) = lower(serde_json::json!({
            "metadata": {"name": "web", "namespace": "shop",
                "annotations": {"kubernetes.io/ingress.class": "nginx"}},
            "spec": {
                "defaultBackend": {"service": {"name": "fallback", "port": {"number": 80}}},
                "rules": [
                    {"host": "*.example.com", "http": {"paths": [
                        {"path": "/api", "pathType": "Prefix",
                         "backend": {"service": {"name": "api", "port": {"name": "http"}}}},
                        {"pathType": "ImplementationSpecific",
                         "backend": {"service": {"name": "web", "port": {"number": 8080}}}}]}},
                    {"host": "shop.example.com"}],
                "tls": [{"hosts": ["shop.example.com", "*.example.com"]}, {"hosts": ["shop.example.com"]}]}
        }));
        assert!(!c.has_errors(), "{:?}", c.errors);
        assert_eq!(e.kind, ExposureKind::Ingress);
        assert_eq!(e.class.as_deref(), Some("nginx"));
        assert_eq!(
            e.default_backend,
            Some(Backend {
                service: "fallback".into(),
                port: Some(ServicePortRef::Number(80)),
                weight: 100
            })
        );
        assert_eq!(e.rules.len(), 2);
        assert_eq!(e.rules[0].host.as_deref(), Some("*.example.com"));
        let p = &e.rules[0].paths;
        assert_eq!(
            (p[0].path.as_str(), p[0].path_type),
            ("/api", PathType::Prefix)
        );
        assert_eq!(
            p[0].backends[0].port,
            Some(ServicePortRef::Name("http".into()))
        );
        assert_eq!(p[0].line, Some(7));
        assert_eq!(
            (p[1].path.as_str(), p[1].path_type),
            ("/", PathType::ImplementationSpecific)
        );
        assert!(e.rules[1].paths.is_empty());
        assert_eq!(e.tls_hosts, ["shop.example.com", "*.example.com"]);
    }

    #[test]
    fn class_name_wins_and_must_match_the_annotation() {
        let (e, c) = lower(serde_json::json!({
            "metadata": {"name": "a"},
            "spec": {"ingressClassName": "nginx",
                "defaultBackend": {"service": {"name": "s", "port": {"number": 80}}}}
        }));
        assert!(!c.has_errors());
        assert_eq!(e.class.as_deref(), Some("nginx"));
        let (_, c) = lower(serde_json::json!({
            "metadata": {"name": "a", "annotations": {"kubernetes.io/ingress.class": "haproxy"}},
            "spec": {"ingressClassName": "nginx",
                "defaultBackend": {"service": {"name": "s", "port": {"number": 80}}}}
        }));
        assert_eq!(
            messages(&c),
            [(
                "metadata.annotations[kubernetes.io/ingress.class]".to_owned(),
                "invalid value `haproxy`: must match `ingressClassName` when both are specified"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn hosts() {
        let check = |h: &str| {
            let mut c = Checker::default();
            check_host_name(h, &FieldPath::root(), &mut c);
            c.errors.len()
        };
        assert_eq!(check("example.com"), 0);
        assert_eq!(check("*.example.com"), 0);
        assert_eq!(check("foo.*.example.com"), 1);
        assert_eq!(check("*"), 1);
        assert_eq!(check("10.0.0.1"), 1);
        assert_eq!(check("Example.com"), 1);
    }

    #[test]
    fn paths() {
        let one = |written: Option<&str>, path_type: &str| {
            let p = net::HTTPIngressPath {
                path: written.map(str::to_owned),
                path_type: path_type.to_owned(),
                backend: net::IngressBackend {
                    service: Some(net::IngressServiceBackend {
                        name: "s".into(),
                        port: Some(net::ServiceBackendPort {
                            number: Some(80),
                            name: None,
                        }),
                    }),
                    resource: None,
                },
            };
            let mut c = Checker::default();
            let out = path(&p, &FieldPath::root(), &|_| None, &mut c);
            (out.map(|p| p.path_type), messages(&c))
        };
        assert_eq!(one(Some("/x"), "Exact").0, Some(PathType::Exact));
        assert_eq!(
            one(None, "Prefix").1[0].1,
            "invalid value ``: must be an absolute path"
        );
        assert_eq!(
            one(Some("/a//b"), "Prefix").1[0].1,
            "invalid value `/a//b`: must not contain '//'"
        );
        assert_eq!(
            one(Some("/a/.."), "Exact").1[0].1,
            "invalid value `/a/..`: cannot end with '/..'"
        );
        assert!(one(None, "ImplementationSpecific").1.is_empty());
        assert_eq!(one(Some("x"), "ImplementationSpecific").1.len(), 1);
        assert_eq!(
            one(None, "").1[0],
            (
                "pathType".to_owned(),
                "pathType must be specified".to_owned()
            )
        );
        assert_eq!(
            one(Some("/"), "Regex").1[0].1,
            "unsupported value `Regex`: supported values are \"Exact\", \"ImplementationSpecific\", \"Prefix\""
        );
    }

    #[test]
    fn backends() {
        let one = |b: serde_json::Value| {
            let b: net::IngressBackend = serde_json::from_value(b).unwrap_or_default();
            let mut c = Checker::default();
            let out = backend(&b, &FieldPath::fields("backend"), &mut c);
            (out, messages(&c), c.warnings.len())
        };
        let (b, e, _) = one(serde_json::json!({"service": {"name": "s", "port": {"name": "web"}}}));
        assert!(e.is_empty() && b.is_some());
        let (_, e, _) = one(
            serde_json::json!({"service": {"name": "s", "port": {"name": "web", "number": 80}}}),
        );
        assert_eq!(
            e,
            [(
                "backend".to_owned(),
                "cannot set both port name & port number".to_owned()
            )]
        );
        let (_, e, _) = one(serde_json::json!({"service": {"name": "s"}}));
        assert_eq!(
            e,
            [(
                "backend".to_owned(),
                "port name or number is required".to_owned()
            )]
        );
        let (_, e, _) =
            one(serde_json::json!({"service": {"name": "1s", "port": {"number": 70000}}}));
        assert_eq!(e.len(), 2);
        assert_eq!(e[1].0, "backend.service.port.number");
        let (b, e, w) =
            one(serde_json::json!({"resource": {"kind": "Bucket", "name": "b", "apiGroup": "x"}}));
        assert!(b.is_none() && e.is_empty());
        assert_eq!(w, 1);
        let (_, e, _) = one(serde_json::json!({}));
        assert_eq!(
            e,
            [(
                "backend".to_owned(),
                "resource or service backend is required".to_owned()
            )]
        );
    }
}
