//! PN3005 (a host and path published through an Ingress, Route or Gateway
//! route) and PN3006 (one whose backends the front may not connect to):
//! the dataplane's routes resolved to pods and target ports, and what the
//! front may open there (`podnet_dataplane::fronts::connections`, the
//! engine's verdicts for the front's pods or the ALB's addresses).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use podnet_dataplane::fronts::{self, FrontKind, Route, RouteSource};
use podnet_model::{Conns, PathMatchKind, PathType, Protocol, WorkloadId};

use super::{HTTP_EXPOSURE, HTTP_ROUTE_BLOCKED};
use crate::checks::support::{at_line, short_list, workload_display};
use crate::context::Context;
use crate::finding::{Finding, Rule, Subject};
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
    fronts: BTreeSet<String>,
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
            reach.fronts.insert(front_name(route.front, &front.kind));
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
            let what = describe_key(ctx, &key);
            let via: Vec<String> = reach.fronts.into_iter().collect();
            let via = via.join(", ");
            if !reach.allowed.is_empty() {
                out.push(Finding::worded(
                    &HTTP_EXPOSURE,
                    subject.clone(),
                    format!(
                        "publishes {what} through {via} to {}",
                        list(ctx, &reach.allowed)
                    ),
                    HTTP_EXPOSURE.help,
                ));
            }
            if !reach.blocked.is_empty() {
                out.push(Finding::worded(
                    &HTTP_ROUTE_BLOCKED,
                    subject,
                    format!(
                        "routes {what} to {}, but policy does not let {via} connect there: requests fail",
                        list(ctx, &reach.blocked)
                    ),
                    format!(
                        "allow ingress to those pods from {via} on the target ports (and egress from it, if it is isolated)"
                    ),
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

fn front_name(index: usize, kind: &FrontKind) -> String {
    match kind {
        FrontKind::Gateway { namespace, name } => format!("Gateway {namespace}/{name}"),
        FrontKind::IngressController if index == fronts::ALB => "the ALB".to_owned(),
        FrontKind::IngressController => "the ingress controller".to_owned(),
    }
}

/// `Deployment ns/api TCP 8080`, `Deployment ns/dns UDP 53`, ...
fn list(ctx: &Context<'_>, workloads: &BTreeMap<WorkloadId, BTreeSet<(Protocol, u16)>>) -> String {
    let items: Vec<String> = workloads
        .iter()
        .flat_map(|(&w, ports)| {
            let mut by_protocol: BTreeMap<Protocol, Vec<String>> = BTreeMap::new();
            for (p, port) in ports {
                by_protocol.entry(*p).or_default().push(port.to_string());
            }
            by_protocol.into_iter().map(move |(p, ports)| {
                format!(
                    "{} {} {}",
                    workload_display(ctx.cluster(), w),
                    p.as_str(),
                    ports.join(",")
                )
            })
        })
        .collect();
    short_list(&items, 4)
}

/// `host shop.example.com, path /api (Prefix)`, `the default backend`,
/// `HTTPRoute rule 0 (hosts ..., PathPrefix /api)`.
fn describe_key(ctx: &Context<'_>, key: &Key) -> String {
    let cluster = ctx.cluster();
    match key {
        (RouteKey::Exposure(_), host, Some((path, kind))) => format!(
            "host {}, path {path} ({kind})",
            host.as_deref().unwrap_or("*")
        ),
        (RouteKey::Exposure(_), _, None) => {
            "the default backend (every other host and path)".to_owned()
        }
        (RouteKey::Gateway(r, rule), _, _) => {
            let Some(route) = cluster.gateway_routes.get(*r) else {
                return String::new();
            };
            let hosts = if route.hostnames.is_empty() {
                "*".to_owned()
            } else {
                route.hostnames.join(", ")
            };
            let matches: Vec<String> = route
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
                    format!("{kind} {}", p.value)
                })
                .collect();
            let paths = if matches.is_empty() {
                String::new()
            } else {
                format!(", {}", short_list(&matches, 3))
            };
            format!("spec.rules[{rule}] (hosts {hosts}{paths})")
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
