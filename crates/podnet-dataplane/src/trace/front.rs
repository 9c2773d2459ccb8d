//! Traces of a URL (`https://host/path`): the request reaches the front
//! (the ingress controller's pod or an ALB), which picks the route the way
//! the Ingress API describes (the longest matching path of the rules whose
//! host matches, Exact before Prefix at equal length, else the default
//! backend), terminates HTTP and opens a new TCP connection to one of the
//! Service's pods on its target port — one branch per pod, each with the
//! policy checks of that new connection.

use podnet_model::exposure::host_matches;
use podnet_model::{
    Cloud, GatewayRoute, PathType, Protocol, Request, RouteKind, select_listener, select_rule,
};

use super::deliver::drop_branch;
use super::tracer::{Origin, Tracer};
use super::{Action, Branch, Hop, Packet, Place, Trace, TraceError, hoist_common_prefix};
use crate::fronts::{self, Route, RouteSource, gateways};

/// A parsed `http(s)://host[:port]/path` destination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    /// `https` (true) or `http`.
    pub https: bool,
    /// The host, lowercased.
    pub host: String,
    /// The port the client connects to (443 or 80 unless given).
    pub port: u16,
    /// The path (`/` when empty), without query or fragment.
    pub path: String,
}

impl Url {
    /// Parses an `http://` or `https://` URL; `None` for anything else.
    pub fn parse(text: &str) -> Option<Url> {
        let (https, rest) = if let Some(r) = text.strip_prefix("https://") {
            (true, r)
        } else {
            (false, text.strip_prefix("http://")?)
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let path = path.split(['?', '#']).next().unwrap_or("/");
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().ok()?),
            None => (authority, if https { 443 } else { 80 }),
        };
        if host.is_empty() || port == 0 {
            return None;
        }
        Some(Url {
            https,
            host: host.to_ascii_lowercase(),
            port,
            path: if path.is_empty() { "/" } else { path }.to_owned(),
        })
    }
}

/// The exposure and path a request selects.
struct Selected {
    exposure: usize,
    path: Option<(String, PathType)>,
}

/// The front serving a request, the routes it may use, and why.
struct Choice<'d> {
    front: usize,
    routes: Vec<&'d Route>,
    what: String,
    /// The rule's backendRefs refused for want of a ReferenceGrant, and
    /// whether they are all its backends.
    refused: (Vec<String>, bool),
}

/// The Services behind `routes`, for the description.
fn services(dp: &crate::Dataplane, routes: &[&Route]) -> String {
    let list: Vec<String> = routes
        .iter()
        .map(|r| {
            let s = &dp.cluster.services[r.service.index()];
            format!(
                "Service {} port {}",
                s.meta.qualified_name(),
                s.ports[r.port].port
            )
        })
        .collect();
    if list.is_empty() {
        "no Service".to_owned()
    } else {
        list.join(", ")
    }
}

/// What happens to TLS for `url` given whether the front has TLS for it.
fn tls_note(url: &Url, covered: bool) -> String {
    if !url.https {
        String::new()
    } else if covered {
        format!("; TLS for `{}` terminated here", url.host)
    } else {
        format!(
            "; no TLS configuration covers `{}`: the front answers with its default certificate",
            url.host
        )
    }
}

impl Tracer<'_> {
    /// Follows a URL through the front that serves it.
    pub(super) fn via_front(&self, client: &Origin, url: &Url) -> Result<Trace, TraceError> {
        let dp = self.dp;
        let c = &dp.cluster;
        let packet = Packet {
            src: client.ip,
            dst: client.ip,
            port: url.port,
            protocol: Protocol::Tcp,
            outer: None,
            dst_name: Some(url.host.clone()),
        };
        let mut trace = Trace {
            request: self.req.clone(),
            src: client.ip,
            port: url.port,
            hops: Vec::new(),
            branches: Vec::new(),
            end: None,
        };
        let Some(choice) = self.via_gateway(url).or_else(|| self.via_exposure(url)) else {
            trace.end = Some(format!(
                "no HTTPRoute, Ingress or Route matches host `{}` and path `{}`",
                url.host, url.path
            ));
            return Ok(trace);
        };
        let Choice {
            front: front_index,
            routes,
            what,
            refused,
        } = choice;
        if refused.1 {
            // Gateway API, HTTPRouteRule backendRefs: "If all entries in
            // BackendRefs are invalid, and there are also no filters
            // specified in this route rule, all traffic which matches this
            // rule MUST receive a 500 status code."
            trace.hops.push(Hop::same(
                client.place.clone(),
                Action::LoadBalancer { what },
                &packet,
            ));
            trace.end = Some(format!(
                "HTTP 500: every backendRef of the rule is refused ({}: cross-namespace without a ReferenceGrant)",
                refused.0.join(", ")
            ));
            return Ok(trace);
        }
        let front = &dp.fronts[front_index];
        let (origin, place) = if front_index == fronts::ALB {
            let ip = front
                .subnets
                .first()
                .and_then(fronts::reach::representative);
            let Some(ip) = ip else {
                trace.end = Some(
                    "the ALB has no subnet: the profile's AWS subnets all hold nodes".to_owned(),
                );
                return Ok(trace);
            };
            let place = Place::Cloud("ALB".to_owned());
            let origin = Origin {
                ip,
                node: None,
                pod: None,
                host_pod: None,
                place: place.clone(),
            };
            (origin, place)
        } else {
            let Some(&pod) = front.pods.iter().find(|&&p| !c.pod(p).ips.is_empty()) else {
                trace.end = Some(match &front.kind {
                    fronts::FrontKind::Gateway { namespace, name } => {
                        format!("Gateway {namespace}/{name} has no proxy pod with an address")
                    }
                    fronts::FrontKind::IngressController => format!(
                        "no ingress controller pod with an address in namespace `{}`",
                        dp.profile.ingress_namespace
                    ),
                });
                return Ok(trace);
            };
            let p = c.pod(pod);
            let origin = Origin {
                ip: p.ips[0],
                node: p.node_name.clone(),
                pod: Some(pod),
                host_pod: None,
                place: Place::Pod(pod),
            };
            (origin, Place::Pod(pod))
        };
        trace
            .hops
            .push(Hop::same(place, Action::LoadBalancer { what }, &packet));
        for route in routes {
            let svc = &c.services[route.service.index()];
            for &(pod, port) in &route.pods {
                let Some(&ip) = c.pod(pod).ips.first() else {
                    continue;
                };
                let label = format!(
                    "Service {} endpoint {} {ip}:{port}",
                    svc.meta.qualified_name(),
                    c.pod_name(pod)
                );
                let leg = Packet {
                    src: origin.ip,
                    dst: ip,
                    port,
                    protocol: Protocol::Tcp,
                    outer: None,
                    dst_name: None,
                };
                let branch = if let (Cloud::Aws(aws), true) =
                    (&dp.profile.cloud, front_index == fronts::ALB)
                {
                    let problems = dp.ip_target_problems(aws, ip);
                    if problems.is_empty() {
                        self.to_pod(&origin, None, leg, pod, Vec::new(), label)
                    } else {
                        Branch {
                            label,
                            ..drop_branch(&origin, &leg, &problems.join("; "))
                        }
                    }
                } else {
                    let mut hops = Vec::new();
                    self.leave_pod(&origin, &leg, &mut hops);
                    self.to_pod(&origin, None, leg, pod, hops, label)
                };
                trace.branches.push(branch);
            }
        }
        if trace.branches.is_empty() {
            trace.end = Some("the route's Service has no serving pod".to_owned());
        }
        hoist_common_prefix(&mut trace.hops, &mut trace.branches);
        Ok(trace)
    }

    /// The Gateway rule a request for `url` selects: a listener of some
    /// Gateway on the URL's port and host (Gateways in input order), then
    /// the rule of its attached HTTPRoutes by the API's precedence.
    fn via_gateway(&self, url: &Url) -> Option<Choice<'_>> {
        let dp = self.dp;
        let c = &dp.cluster;
        let req = Request {
            host: &url.host,
            path: &url.path,
            method: "GET",
            headers: &[],
            query: &[],
        };
        for (g, gateway) in c.gateways.iter().enumerate() {
            let Some(listener) = select_listener(&gateway.listeners, url.port, &url.host) else {
                continue;
            };
            let Some(li) = gateway
                .listeners
                .iter()
                .position(|l| std::ptr::eq(l, listener))
            else {
                continue;
            };
            let attached: Vec<&GatewayRoute> = c
                .gateway_routes
                .iter()
                .filter(|r| gateways::attached_listeners(c, g, r).contains(&li))
                .collect();
            let Some(sel) = select_rule(
                attached,
                RouteKind::Http,
                listener.hostname.as_deref(),
                &req,
            ) else {
                continue;
            };
            let ri = c
                .gateway_routes
                .iter()
                .position(|r| std::ptr::eq(r, sel.route))?;
            let source = RouteSource::Gateway {
                route: ri,
                rule: sel.rule_index,
            };
            let front = fronts::GATEWAYS + g;
            let routes: Vec<&Route> = dp
                .routes
                .iter()
                .filter(|r| r.via.source == source && r.front == front && r.weight > 0)
                .collect();
            let what = format!(
                "Gateway {} listener `{}` ({:?} port {}): {} {} rule {} matches `{}{}`{} -> {}; a new connection goes to the pod",
                gateway.meta.qualified_name(),
                listener.name,
                listener.protocol,
                listener.port,
                sel.route.meta.kind,
                sel.route.meta.qualified_name(),
                sel.rule_index + 1,
                url.host,
                url.path,
                tls_note(url, listener.tls.is_some()),
                services(dp, &routes)
            );
            let rule = &sel.route.rules[sel.rule_index];
            let refused: Vec<String> = rule
                .backends
                .iter()
                .filter(|b| !fronts::routes::backend_permitted(c, sel.route, b))
                .map(|b| format!("Service {}/{}", b.namespace, b.name))
                .collect();
            let all = !refused.is_empty() && refused.len() == rule.backends.len();
            let what = if refused.is_empty() || all {
                what
            } else {
                format!(
                    "{what} (refused without a ReferenceGrant: {})",
                    refused.join(", ")
                )
            };
            return Some(Choice {
                front,
                routes,
                what,
                refused: (refused, all),
            });
        }
        None
    }

    /// The Ingress or Route a request for `url` selects.
    fn via_exposure(&self, url: &Url) -> Option<Choice<'_>> {
        let dp = self.dp;
        let selected = self.select(url)?;
        let exposure = &dp.cluster.exposures[selected.exposure];
        let routes: Vec<&Route> = dp
            .routes
            .iter()
            .filter(|r| {
                r.via.source == RouteSource::Exposure(selected.exposure)
                    && r.via.path == selected.path
                    && host_matches(r.via.host.as_deref(), &url.host)
                    && r.weight > 0
            })
            .collect();
        let what = describe(dp, selected.exposure, &selected.path, url, &routes);
        Some(Choice {
            front: fronts::front_of(exposure, &dp.profile),
            routes,
            what,
            refused: (Vec::new(), false),
        })
    }

    /// The exposure and path a request for `url` selects.
    fn select(&self, url: &Url) -> Option<Selected> {
        let mut best: Option<(Selected, (bool, usize, bool))> = None;
        for (i, e) in self.dp.cluster.exposures.iter().enumerate() {
            let Some((_, path)) = e.route(&url.host, &url.path) else {
                continue;
            };
            // Rule paths beat default backends; then longer paths; then Exact.
            let rank = match path {
                Some(p) => (
                    true,
                    p.path.trim_end_matches('/').len(),
                    p.path_type == PathType::Exact,
                ),
                None => (false, 0, false),
            };
            if best.as_ref().is_none_or(|(_, r)| rank > *r) {
                let selected = Selected {
                    exposure: i,
                    path: path.map(|p| (p.path.clone(), p.path_type)),
                };
                best = Some((selected, rank));
            }
        }
        best.map(|(s, _)| s)
    }
}

/// The front's decision for an Ingress or Route, in words.
fn describe(
    dp: &crate::Dataplane,
    exposure: usize,
    path: &Option<(String, PathType)>,
    url: &Url,
    routes: &[&Route],
) -> String {
    let e = &dp.cluster.exposures[exposure];
    let matched = match path {
        Some((p, PathType::ImplementationSpecific)) => {
            format!("path `{p}` (ImplementationSpecific, matched as Prefix)")
        }
        Some((p, t)) => format!("path `{p}` ({t:?})"),
        None => "the default backend".to_owned(),
    };
    let covered = e.tls_hosts.iter().any(|h| host_matches(Some(h), &url.host));
    format!(
        "{} {} selects {matched} for host `{}` -> {}{}; a new connection goes to the pod",
        e.meta.kind,
        e.meta.qualified_name(),
        url.host,
        services(dp, routes),
        tls_note(url, covered)
    )
}
