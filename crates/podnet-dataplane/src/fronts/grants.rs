//! Cross-namespace references of Gateway API objects that no ReferenceGrant
//! permits (Gateway API reference, ReferenceGrant; GEP-709: implementations
//! "MUST NOT permit cross-namespace references which have no grant"): the
//! `backendRefs` of every route kind, and the `tls.certificateRefs` of
//! Gateway listeners. A refused backendRef carries no traffic (see
//! [`super::routes`]); a listener whose every certificate is refused has
//! none to present.

use podnet_model::{
    BackendRef, CertificateRef, Cluster, GATEWAY_GROUP, Gateway, GatewayRoute, Listener, ObjectKey,
    Source, reference_permitted,
};

use crate::issue::{Found, FrontFound, Issue};

/// Who makes a refused reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Referrer {
    /// `spec.rules[rule].backendRefs[backend]` of a route.
    RouteBackend {
        /// Index in `cluster.gateway_routes`.
        route: usize,
        /// Index of the rule.
        rule: usize,
        /// Index of the backendRef among the rule's modelled backends.
        backend: usize,
    },
    /// `spec.listeners[listener].tls.certificateRefs[certificate]` of a
    /// Gateway.
    ListenerCertificate {
        /// Index in `cluster.gateways`.
        gateway: usize,
        /// Index of the listener.
        listener: usize,
        /// Index of the certificateRef.
        certificate: usize,
    },
}

/// A cross-namespace reference without a ReferenceGrant that permits it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefusedReference {
    /// Who refers.
    pub from: Referrer,
    /// The referent's group (`""`: core).
    pub group: String,
    /// The referent's kind (`Service`, `Secret`).
    pub kind: String,
    /// The referent's namespace.
    pub namespace: String,
    /// The referent's name.
    pub name: String,
    /// Line of the reference in its file.
    pub line: Option<u32>,
}

/// Whether a route may use `backend`: in its own namespace always; in
/// another only with a ReferenceGrant there from this route kind and
/// namespace to Services.
pub fn backend_permitted(cluster: &Cluster, route: &GatewayRoute, backend: &BackendRef) -> bool {
    reference_permitted(
        &cluster.reference_grants,
        ObjectKey {
            group: GATEWAY_GROUP,
            kind: route.kind.as_str(),
            namespace: route.meta.namespace.as_deref().unwrap_or_default(),
            name: &route.meta.name,
        },
        ObjectKey {
            group: "",
            kind: "Service",
            namespace: &backend.namespace,
            name: &backend.name,
        },
    )
}

/// Whether a Gateway may use the certificate `cert` of its listener
/// `listener`: in the listener's own namespace always; in another only with
/// a ReferenceGrant there from Gateways (or, for a ListenerSet's listener,
/// ListenerSets) of that namespace to the referent (GatewayTLSConfig
/// `certificateRefs`).
pub fn certificate_permitted(
    gateway: &Gateway,
    listener: &Listener,
    cert: &CertificateRef,
    cluster: &Cluster,
) -> bool {
    let (kind, namespace, name) = match &listener.set {
        Some(s) => ("ListenerSet", s.namespace_name.as_str(), s.name.as_str()),
        None => (
            "Gateway",
            gateway.meta.namespace.as_deref().unwrap_or_default(),
            gateway.meta.name.as_str(),
        ),
    };
    reference_permitted(
        &cluster.reference_grants,
        ObjectKey {
            group: GATEWAY_GROUP,
            kind,
            namespace,
            name,
        },
        ObjectKey {
            group: &cert.group,
            kind: &cert.kind,
            namespace: &cert.namespace,
            name: &cert.name,
        },
    )
}

/// Every refused reference of the cluster, routes first (in input order),
/// then listeners.
pub fn refused(cluster: &Cluster) -> Vec<RefusedReference> {
    let mut out = Vec::new();
    for (ri, route) in cluster.gateway_routes.iter().enumerate() {
        for (rule_index, rule) in route.rules.iter().enumerate() {
            for (bi, b) in rule.backends.iter().enumerate() {
                if !backend_permitted(cluster, route, b) {
                    out.push(RefusedReference {
                        from: Referrer::RouteBackend {
                            route: ri,
                            rule: rule_index,
                            backend: bi,
                        },
                        group: String::new(),
                        kind: "Service".to_owned(),
                        namespace: b.namespace.clone(),
                        name: b.name.clone(),
                        line: b.line,
                    });
                }
            }
        }
    }
    for (gi, gateway) in cluster.gateways.iter().enumerate() {
        for (li, listener) in gateway.listeners.iter().enumerate() {
            for (ci, cert) in listener.certificate_refs.iter().enumerate() {
                if !certificate_permitted(gateway, listener, cert, cluster) {
                    out.push(RefusedReference {
                        from: Referrer::ListenerCertificate {
                            gateway: gi,
                            listener: li,
                            certificate: ci,
                        },
                        group: cert.group.clone(),
                        kind: cert.kind.clone(),
                        namespace: cert.namespace.clone(),
                        name: cert.name.clone(),
                        line: cert.line,
                    });
                }
            }
        }
    }
    out
}

/// Whether every certificateRef of listener `listener` of gateway `gateway`
/// is refused (and it has some): it has no certificate to present, so TLS
/// handshakes fail.
pub fn listener_without_certificate(
    refused: &[RefusedReference],
    cluster: &Cluster,
    gateway: usize,
    listener: usize,
) -> bool {
    let total = cluster.gateways[gateway].listeners[listener]
        .certificate_refs
        .len();
    let count = refused
        .iter()
        .filter(|r| {
            matches!(r.from, Referrer::ListenerCertificate { gateway: g, listener: l, .. } if g == gateway && l == listener)
        })
        .count();
    total > 0 && count == total
}

/// A warning per refused certificateRef, at its line (the route backendRefs'
/// warnings come with their routes, [`super::routes`]).
pub fn certificate_issues(cluster: &Cluster, refused: &[RefusedReference]) -> Vec<Issue> {
    refused
        .iter()
        .filter_map(|r| match r.from {
            Referrer::ListenerCertificate {
                gateway, listener, ..
            } => {
                let g = &cluster.gateways[gateway];
                let l = &g.listeners[listener];
                let g_ns = l
                    .set
                    .as_ref()
                    .map_or(g.meta.namespace.as_deref().unwrap_or_default(), |s| {
                        s.namespace_name.as_str()
                    });
                let none_left = listener_without_certificate(refused, cluster, gateway, listener);
                Some(
                    Issue::warning(Found::Front(FrontFound::CertificateRefused {
                        listener: l.name.clone(),
                        kind: r.kind.to_string(),
                        namespace: r.namespace.clone(),
                        name: r.name.clone(),
                        from: g_ns.to_owned(),
                        none_left,
                    }))
                    .at(
                        format!("Gateway {}", g.meta.qualified_name()),
                        Some(&Source {
                            line: r.line.or(g.meta.source.line),
                            ..g.meta.source.clone()
                        }),
                    ),
                )
            }
            Referrer::RouteBackend { .. } => None,
        })
        .collect()
}
