//! PN3005 (a host and path published through an Ingress, Route or Gateway
//! route) and PN3006 (one whose backends the front may not connect to):
//! the dataplane's routes resolved to pods and target ports, and what the
//! front may open there (`podnet_dataplane::fronts::connections`, the
//! engine's verdicts for the front's pods or the ALB's addresses).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use podnet_dataplane::fronts::{self, FrontKind, Route, RouteSource};
use podnet_model::{Conns, PathMatchKind, PathType, Protocol, WorkloadId};

use super::{HTTP_EXPOSURE, HTTP_ROUTE_BLOCKED};
use crate::checks::support::at_line;
use crate::context::Context;
use crate::finding::{Finding, Rule, Subject};
use crate::found::{ExposureFound, Found, FrontName, Object, RouteBackend, RouteMatch};
use crate::registry::Check;

/// PN3005 and PN3006.
pub struct HttpRoutes;

/// Routes that share an object, host and path.
type Key = (RouteKey, Option<String>, Option<(String, String)>);

/// An orderable [`RouteSource`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum RouteKey {
    Exposure(usize),
    Gateway(usize, usize),
}

/// Backends of one host and path, split by what policy lets the front open.
#[derive(Default)]
struct Reach {
    fronts: Vec<FrontName>,
    allowed: BTreeMap<WorkloadId, BTreeSet<(Protocol, u16)>>,
    blocked: BTreeMap<WorkloadId, BTreeSet<(Protocol, u16)>>,
    routes: Vec<usize>,
}

impl Check for HttpRoutes {
    fn rules(&self) -> &'static [Rule] {
        &[HTTP_EXPOSURE, HTTP_ROUTE_BLOCKED]
    }

    fn run(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let dp = ctx.dp;
        if dp.routes.is_empty() {
            return;
        }
        let reached = fronts::connections(ctx.engine, &dp.fronts, &dp.routes);
        let allowed: HashMap<(&FrontKind, WorkloadId), &Conns> = reached
            .iter()
            .map(|r| ((&r.front, r.dst), &r.conns))
            .collect();
        let mut groups: BTreeMap<Key, Reach> = BTreeMap::new();
        for (index, route) in dp.routes.iter().enumerate() {
            if route.weight == 0 {
                continue;
            }
            let Some(front) = dp.fronts.get(route.front) else {
                continue;
            };
            let reach = groups.entry(key(route)).or_default();
            reach.routes.push(index);
            let name = front_name(route.front, &front.kind);
            if !reach.fronts.contains(&name) {
                reach.fronts.push(name);
            }
            for &(pod, port) in &route.pods {
                let w = ctx.cluster().pod(pod).workload;
                let ok = allowed
                    .get(&(&front.kind, w))
                    .is_some_and(|c| c.allows(route.protocol, port));
                let side = if ok {
                    &mut reach.allowed
                } else {
                    &mut reach.blocked
                };
                side.entry(w).or_default().insert((route.protocol, port));
            }
        }
        for (key, reach) in groups {
            let Some(&first) = reach.routes.first() else {
                continue;
            };
            let subject = subject(ctx, &dp.routes[first]);
            let what = route_match(ctx, &key);
            if !reach.allowed.is_empty() {
                out.push(Finding::new(
                    &HTTP_EXPOSURE,
                    subject.clone(),
                    Found::Exposure(ExposureFound::HttpExposure {
                        route: what.clone(),
                        fronts: reach.fronts.clone(),
                        to: list(ctx, &reach.allowed),
                    }),
                ));
            }
            if !reach.blocked.is_empty() {
                out.push(Finding::new(
                    &HTTP_ROUTE_BLOCKED,
                    subject,
                    Found::Exposure(ExposureFound::HttpRouteBlocked {
                        route: what,
                        fronts: reach.fronts,
                        to: list(ctx, &reach.blocked),
                    }),
                ));
            }
        }
    }
}

fn key(route: &Route) -> Key {
    let source = match route.via.source {
        RouteSource::Exposure(i) => RouteKey::Exposure(i),
        RouteSource::Gateway { route, rule } => RouteKey::Gateway(route, rule),
    };
    let path = route.via.path.as_ref().map(|(p, t)| {
        let t = match t {
            PathType::Exact => "Exact",
            PathType::Prefix => "Prefix",
            PathType::ImplementationSpecific => "ImplementationSpecific",
        };
        (p.clone(), t.to_owned())
    });
    (source, route.via.host.clone(), path)
}

fn front_name(index: usize, kind: &FrontKind) -> FrontName {
    match kind {
        FrontKind::Gateway { namespace, name } => FrontName::Gateway {
            namespace: namespace.clone(),
            name: name.clone(),
        },
        FrontKind::IngressController if index == fronts::ALB => FrontName::Alb,
        FrontKind::IngressController => FrontName::IngressController,
    }
}

/// `Deployment ns/api TCP 8080`, `Deployment ns/dns UDP 53`, ...
fn list(
    ctx: &Context<'_>,
    workloads: &BTreeMap<WorkloadId, BTreeSet<(Protocol, u16)>>,
) -> Vec<RouteBackend> {
    workloads
        .iter()
        .flat_map(|(&w, ports)| {
            let mut by_protocol: BTreeMap<Protocol, Vec<u16>> = BTreeMap::new();
            for (p, port) in ports {
                by_protocol.entry(*p).or_default().push(*port);
            }
            by_protocol
                .into_iter()
                .map(move |(protocol, ports)| RouteBackend {
                    workload: Object::workload(ctx.cluster(), w),
                    protocol,
                    ports,
                })
        })
        .collect()
}

/// The host and path (or Gateway rule) of a group of routes.
fn route_match(ctx: &Context<'_>, key: &Key) -> RouteMatch {
    let cluster = ctx.cluster();
    match key {
        (RouteKey::Exposure(_), host, Some((path, kind))) => RouteMatch::Path {
            host: host.clone(),
            path: path.clone(),
            kind: kind.clone(),
        },
        (RouteKey::Exposure(_), _, None) => RouteMatch::DefaultBackend,
        (RouteKey::Gateway(r, rule), _, _) => {
            let Some(route) = cluster.gateway_routes.get(*r) else {
                return RouteMatch::Unknown;
            };
            let paths: Vec<(String, String)> = route
                .rules
                .get(*rule)
                .map(|x| x.matches.as_slice())
                .unwrap_or_default()
                .iter()
                .filter_map(|m| m.path.as_ref())
                .map(|p| {
                    let kind = match p.kind {
                        PathMatchKind::Exact => "Exact",
                        PathMatchKind::PathPrefix => "PathPrefix",
                        PathMatchKind::RegularExpression => "RegularExpression",
                    };
                    (kind.to_owned(), p.value.clone())
                })
                .collect();
            RouteMatch::GatewayRule {
                rule: *rule,
                hostnames: route.hostnames.clone(),
                paths,
            }
        }
    }
}

/// The Ingress or Route (at the path's line) or the HTTPRoute/GRPCRoute
/// (at the rule's line).
fn subject(ctx: &Context<'_>, route: &Route) -> Subject {
    let cluster = ctx.cluster();
    match route.via.source {
        RouteSource::Exposure(i) => {
            let Some(exposure) = cluster.exposures.get(i) else {
                return Subject::named("Ingress", None, "?");
            };
            let line = route.via.path.as_ref().and_then(|(p, t)| {
                exposure
                    .rules
                    .iter()
                    .filter(|r| r.host == route.via.host)
                    .flat_map(|r| &r.paths)
                    .find(|x| &x.path == p && x.path_type == *t)
                    .and_then(|x| x.line)
            });
            at_line(&exposure.meta, line)
        }
        RouteSource::Gateway { route: r, rule } => {
            let Some(gr) = cluster.gateway_routes.get(r) else {
                return Subject::named("HTTPRoute", None, "?");
            };
            at_line(&gr.meta, gr.rules.get(rule).and_then(|x| x.line))
        }
    }
}
