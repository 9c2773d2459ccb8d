//! HTTP exposure through an ingress controller: networking.k8s.io/v1
//! `Ingress` and OpenShift `Route` (route.openshift.io/v1), normalised into
//! host and path rules that route to Service ports.

use crate::ids::NsId;
use crate::source::Meta;

/// How a path matches (API reference, HTTPIngressPath `pathType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PathType {
    /// The whole path, case-sensitive.
    Exact,
    /// Element-wise prefix on `/`-separated segments (`/foo` matches
    /// `/foo` and `/foo/bar`, not `/foobar`).
    Prefix,
    /// Up to the IngressClass; podnet treats it as `Prefix` and says so.
    ImplementationSpecific,
}

/// A Service port named by number or by name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ServicePortRef {
    /// `port.number`.
    Number(u16),
    /// `port.name`.
    Name(String),
}

/// A backend: a Service port in the exposure's namespace, with a weight
/// when the exposure splits traffic (Route `alternateBackends`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backend {
    /// The Service's name.
    pub service: String,
    /// Its port; `None` for a Route without `spec.port` (every port).
    pub port: Option<ServicePortRef>,
    /// Relative weight (100 when not said; 0 receives nothing).
    pub weight: u32,
}

/// One path of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpPath {
    /// The path (`/` when omitted).
    pub path: String,
    /// How it matches.
    pub path_type: PathType,
    /// Where it routes.
    pub backends: Vec<Backend>,
    /// Line of the path in its file.
    pub line: Option<u32>,
}

/// A host rule; `host: None` matches every host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRule {
    /// `host`, possibly a wildcard (`*.example.com`).
    pub host: Option<String>,
    /// Its paths.
    pub paths: Vec<HttpPath>,
}

/// Which object an exposure came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExposureKind {
    /// networking.k8s.io/v1 Ingress.
    Ingress,
    /// route.openshift.io/v1 Route.
    Route,
}

/// An Ingress or Route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exposure {
    /// Identity and provenance.
    pub meta: Meta,
    /// Its namespace (its backends' too).
    pub namespace: NsId,
    /// Ingress or Route.
    pub kind: ExposureKind,
    /// `ingressClassName` (or the deprecated annotation).
    pub class: Option<String>,
    /// Host rules.
    pub rules: Vec<HttpRule>,
    /// `defaultBackend`.
    pub default_backend: Option<Backend>,
    /// Hosts with TLS (`tls[].hosts`, a Route's host when `tls` is set).
    pub tls_hosts: Vec<String>,
}

/// Whether `rule_host` (exact or `*.suffix`) matches `host` (API reference,
/// IngressRule `host`: a wildcard matches one DNS label only).
pub fn host_matches(rule_host: Option<&str>, host: &str) -> bool {
    match rule_host {
        None => true,
        Some(h) => match h.strip_prefix("*.") {
            Some(suffix) => host
                .split_once('.')
                .is_some_and(|(first, rest)| !first.is_empty() && rest == suffix),
            None => h == host,
        },
    }
}

/// Whether `path` matches a request path (API reference, HTTPIngressPath:
/// Prefix matching is element-wise on `/`-split segments, a trailing `/` is
/// ignored; Exact is the whole path).
pub fn path_matches(path: &str, path_type: PathType, request: &str) -> bool {
    match path_type {
        PathType::Exact => path == request,
        PathType::Prefix | PathType::ImplementationSpecific => {
            let elements = |p: &str| -> Vec<String> {
                p.split('/')
                    .filter(|e| !e.is_empty())
                    .map(str::to_owned)
                    .collect()
            };
            let want = elements(path);
            let have = elements(request);
            have.len() >= want.len() && want.iter().zip(&have).all(|(a, b)| a == b)
        }
    }
}

impl Exposure {
    /// The backends a request for `host` and `path` goes to: the longest
    /// matching path of the matching rules (Exact before Prefix at equal
    /// length), else the default backend.
    pub fn route(&self, host: &str, path: &str) -> Option<(&[Backend], Option<&HttpPath>)> {
        let mut best: Option<(&HttpPath, usize, bool)> = None;
        for rule in self
            .rules
            .iter()
            .filter(|r| host_matches(r.host.as_deref(), host))
        {
            for p in &rule.paths {
                if !path_matches(&p.path, p.path_type, path) {
                    continue;
                }
                let len = p.path.trim_end_matches('/').len();
                let exact = p.path_type == PathType::Exact;
                let better = match best {
                    None => true,
                    Some((_, l, e)) => len > l || (len == l && exact && !e),
                };
                if better {
                    best = Some((p, len, exact));
                }
            }
        }
        match best {
            Some((p, _, _)) => Some((&p.backends, Some(p))),
            None => self
                .default_backend
                .as_ref()
                .map(|b| (std::slice::from_ref(b), None)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_matching_is_element_wise() {
        // API reference, HTTPIngressPath: "/foo/bar" matches "/foo/bar/baz"
        // but not "/foo/barbaz"; "/" matches everything.
        assert!(path_matches("/foo/bar", PathType::Prefix, "/foo/bar/baz"));
        assert!(path_matches("/foo/bar", PathType::Prefix, "/foo/bar"));
        assert!(path_matches("/foo/bar/", PathType::Prefix, "/foo/bar"));
        assert!(!path_matches("/foo/bar", PathType::Prefix, "/foo/barbaz"));
        assert!(path_matches("/", PathType::Prefix, "/anything"));
        assert!(!path_matches("/foo", PathType::Exact, "/foo/"));
        assert!(path_matches("/foo", PathType::Exact, "/foo"));
    }

    #[test]
    fn a_wildcard_host_matches_one_label() {
        assert!(host_matches(Some("*.foo.com"), "bar.foo.com"));
        assert!(!host_matches(Some("*.foo.com"), "baz.bar.foo.com"));
        assert!(!host_matches(Some("*.foo.com"), "foo.com"));
        assert!(host_matches(None, "any.host"));
    }
}
