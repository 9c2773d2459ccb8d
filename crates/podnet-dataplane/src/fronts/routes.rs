//! Exposure routes resolved to pods: every path (and default backend) of
//! every Ingress and Route, each backend Service port, and the pods behind
//! it on their target ports (a named targetPort resolved per pod, as the
//! EndpointSlice controller does). Ingress backends name the Service port
//! by number or name (API reference, IngressServiceBackend); a Route's
//! `spec.port.targetPort` names the Service port by name or the target port
//! by number, and without it every port is exposed (OpenShift Route API).

use podnet_model::{
    Backend as ExposureBackend, Cluster, Exposure, ExposureKind, NsId, PathType, PodId, Protocol,
    RouteKind, ServiceId, ServicePort, ServicePortRef, Source, TargetPort,
};

use super::grants::backend_permitted;
use crate::Dataplane;
use crate::issue::{Found, FrontFound, Issue, Unresolved, WantedPort};

/// The object a route comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteSource {
    /// An Ingress or Route: its index in `cluster.exposures`.
    Exposure(usize),
    /// A rule of a Gateway API route.
    Gateway {
        /// Index in `cluster.gateway_routes`.
        route: usize,
        /// Index of the rule.
        rule: usize,
    },
}

/// Where a request matched: the object, its host and path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteVia {
    /// The Ingress, Route or Gateway API route rule.
    pub source: RouteSource,
    /// The rule's host (`None`: every host, or a Gateway API route).
    pub host: Option<String>,
    /// The path and how it matches; `None` for the default backend and for
    /// Gateway API rules (their matches are richer).
    pub path: Option<(String, PathType)>,
}

/// One Service port an exposure routes to, with the pods behind it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// Index of the front serving it (see [`super::fronts`]).
    pub front: usize,
    /// How requests get here.
    pub via: RouteVia,
    /// The Service.
    pub service: ServiceId,
    /// Index of the port in the Service's `ports`.
    pub port: usize,
    /// Relative weight (0 receives nothing).
    pub weight: u32,
    /// The transport the front opens to the pods (UDP for a UDPRoute).
    pub protocol: Protocol,
    /// Serving pods and the port each listens on.
    pub pods: Vec<(PodId, u16)>,
}

/// Every route of every exposure, with warnings for backends that lead
/// nowhere (a missing Service or port, an ExternalName Service).
pub fn routes(dp: &Dataplane) -> (Vec<Route>, Vec<Issue>) {
    let cluster = &dp.cluster;
    let mut out = Vec::new();
    let mut issues = Vec::new();
    for (index, exposure) in cluster.exposures.iter().enumerate() {
        let mut add = |via: RouteVia, backend: &ExposureBackend| match resolve_exposure(
            dp, exposure, backend,
        ) {
            Ok(ports) => {
                out.extend(ports.into_iter().map(|(service, port, pods)| Route {
                    front: super::front_of(exposure, &dp.profile),
                    via: via.clone(),
                    service,
                    port,
                    weight: backend.weight,
                    protocol: Protocol::Tcp,
                    pods,
                }));
            }
            Err(why) => issues.push(
                Issue::warning(Found::Front(FrontFound::Unresolved(why))).at(
                    format!("{} {}", exposure.meta.kind, exposure.meta.qualified_name()),
                    Some(&exposure.meta.source),
                ),
            ),
        };
        for rule in &exposure.rules {
            for path in &rule.paths {
                for backend in &path.backends {
                    let via = RouteVia {
                        source: RouteSource::Exposure(index),
                        host: rule.host.clone(),
                        path: Some((path.path.clone(), path.path_type)),
                    };
                    add(via, backend);
                }
            }
        }
        if let Some(backend) = &exposure.default_backend {
            let via = RouteVia {
                source: RouteSource::Exposure(index),
                host: None,
                path: None,
            };
            add(via, backend);
        }
    }
    gateway_routes(dp, &mut out, &mut issues);
    (out, issues)
}

/// The routes of every HTTPRoute and GRPCRoute rule, per Gateway it
/// attaches to.
fn gateway_routes(dp: &Dataplane, out: &mut Vec<Route>, issues: &mut Vec<Issue>) {
    let cluster = &dp.cluster;
    for (ri, route) in cluster.gateway_routes.iter().enumerate() {
        let parents: Vec<usize> = (0..cluster.gateways.len())
            .filter(|&g| !super::gateways::attached_listeners(cluster, g, route).is_empty())
            .collect();
        if parents.is_empty() {
            issues.push(Issue::warning(Found::Front(FrontFound::Unattached)).at(
                format!("{} {}", route.meta.kind, route.meta.qualified_name()),
                Some(&route.meta.source),
            ));
            continue;
        }
        let route_ns = route.meta.namespace.as_deref().unwrap_or_default();
        for (rule_index, rule) in route.rules.iter().enumerate() {
            for backend in &rule.backends {
                if !backend_permitted(cluster, route, backend) {
                    issues.push(
                        Issue::warning(Found::Front(FrontFound::BackendRefused {
                            namespace: backend.namespace.clone(),
                            name: backend.name.clone(),
                            from: route_ns.to_owned(),
                        }))
                        .at(
                            format!("{} {}", route.meta.kind, route.meta.qualified_name()),
                            Some(&at_line(&route.meta.source, backend.line)),
                        ),
                    );
                    continue;
                }
                // A RequestRedirect answers the requests it applies to, so
                // the Gateway connects to no pod for them: the rule's own
                // (HTTPRouteFilter: the Gateway "responds with a redirect"
                // instead of forwarding; the rule's backendRefs then receive
                // nothing), or a backendRef's (HTTPBackendRef `filters`).
                if route.kind == RouteKind::Http
                    && (rule.redirect.is_some() || backend.redirect.is_some())
                {
                    continue;
                }
                let resolved = match cluster.namespace_by_name(&backend.namespace) {
                    Some(ns) => resolve_service(
                        dp,
                        ns,
                        &backend.name,
                        |p| backend.port.is_some_and(|n| p.port == n),
                        backend.port.map_or(WantedPort::Missing, WantedPort::Number),
                    ),
                    None => Err(Unresolved::NoNamespace(backend.namespace.clone())),
                };
                match resolved {
                    Ok(ports) => {
                        for (service, port, pods) in ports {
                            for &g in &parents {
                                out.push(Route {
                                    front: super::GATEWAYS + g,
                                    via: RouteVia {
                                        source: RouteSource::Gateway {
                                            route: ri,
                                            rule: rule_index,
                                        },
                                        host: None,
                                        path: None,
                                    },
                                    service,
                                    port,
                                    weight: backend.weight,
                                    protocol: route.kind.transport(),
                                    pods: pods.clone(),
                                });
                            }
                        }
                    }
                    Err(why) => issues.push(
                        Issue::warning(Found::Front(FrontFound::Unresolved(why))).at(
                            format!("{} {}", route.meta.kind, route.meta.qualified_name()),
                            Some(&route.meta.source),
                        ),
                    ),
                }
            }
        }
    }
}

/// `source` pointing at `line` when known (a field inside the object).
fn at_line(source: &Source, line: Option<u32>) -> Source {
    Source {
        line: line.or(source.line),
        ..source.clone()
    }
}

/// A resolved Service port: the Service, the port's index, its pods.
type ResolvedPort = (ServiceId, usize, Vec<(PodId, u16)>);

fn resolve_exposure(
    dp: &Dataplane,
    exposure: &Exposure,
    backend: &ExposureBackend,
) -> Result<Vec<ResolvedPort>, Unresolved> {
    let wanted = match &backend.port {
        Some(ServicePortRef::Name(n)) => WantedPort::Name(n.clone()),
        Some(ServicePortRef::Number(n)) => WantedPort::Number(*n),
        None => WantedPort::Any,
    };
    resolve_service(
        dp,
        exposure.namespace,
        &backend.service,
        |p| match (&backend.port, exposure.kind) {
            (None, _) => true,
            (Some(ServicePortRef::Name(n)), _) => p.name.as_deref() == Some(n.as_str()),
            (Some(ServicePortRef::Number(n)), ExposureKind::Ingress) => p.port == *n,
            (Some(ServicePortRef::Number(n)), ExposureKind::Route) => {
                p.target_port == TargetPort::Number(*n)
            }
        },
        wanted,
    )
}

/// The ports of Service `name` in `namespace` that `port_fits`, with their
/// serving pods; `wanted` is the port asked for, for the warning.
fn resolve_service(
    dp: &Dataplane,
    namespace: NsId,
    name: &str,
    port_fits: impl Fn(&ServicePort) -> bool,
    wanted: WantedPort,
) -> Result<Vec<ResolvedPort>, Unresolved> {
    let cluster = &dp.cluster;
    let Some(service) = find_service(cluster, namespace, name) else {
        return Err(Unresolved::NoService(name.to_owned()));
    };
    let svc = &cluster.services[service.index()];
    if let Some(target) = &svc.external_name {
        return Err(Unresolved::ExternalName(name.to_owned(), target.clone()));
    }
    let ports: Vec<usize> = svc
        .ports
        .iter()
        .enumerate()
        .filter(|(_, p)| port_fits(p))
        .map(|(i, _)| i)
        .collect();
    if ports.is_empty() {
        return Err(Unresolved::NoPort(name.to_owned(), wanted));
    }
    let mut per_port = dp.serving_pods(service);
    Ok(ports
        .into_iter()
        .map(|i| (service, i, std::mem::take(&mut per_port[i])))
        .collect())
}

/// The Service `name` in `namespace`, if the input has it.
pub(crate) fn find_service(cluster: &Cluster, namespace: NsId, name: &str) -> Option<ServiceId> {
    cluster
        .services
        .iter()
        .position(|s| s.namespace == namespace && s.meta.name == name)
        .map(ServiceId::from_index)
}
