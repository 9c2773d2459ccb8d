//! The words of the exposure findings (PN3001-PN3008).

use std::collections::BTreeSet;
use std::net::IpAddr;

use podnet_audit::checks::exposure::{
    EXTERNAL_IPS, HTTP_EXPOSURE, LOAD_BALANCER_RESTRICTED, NODE_PORT,
};
use podnet_audit::found::{ExposureFound, FrontName, PortView, Referent, RouteBackend, RouteMatch};
use podnet_dataplane::lb::LbAddress;
use podnet_model::{Conns, RouteKind};

use super::addresses::describe_addresses;
use super::{object, short_list};

/// What is wrong.
pub(super) fn message(found: &ExposureFound) -> String {
    match found {
        ExposureFound::PodReachable {
            host_network,
            groups,
            ..
        } => {
            let parts: Vec<String> = groups
                .iter()
                .map(|(set, conns)| format!("from {} on {}", describe_addresses(set), on(conns)))
                .collect();
            let parts = if parts.len() > 3 {
                format!("{} and {} more", parts[..3].join("; "), parts.len() - 3)
            } else {
                parts.join("; ")
            };
            format!(
                "{} accept connections {parts}",
                if *host_network {
                    "pods on the host network (their nodes' addresses)"
                } else {
                    "pod addresses"
                }
            )
        }
        ExposureFound::NodePort { nodes: at, ports } => {
            let opened: Vec<String> = ports.iter().map(|v| describe(v, true)).collect();
            format!("open on {}: {}", nodes(at), opened.join("; "))
        }
        ExposureFound::LoadBalancer {
            addresses,
            open,
            ranges,
            ports,
            node_ports,
            nodes: at,
            ..
        } => {
            let address = if addresses.is_empty() {
                "<pending>".to_owned()
            } else {
                let list: Vec<String> = addresses
                    .iter()
                    .map(|x| match x {
                        LbAddress::Ip(ip) => ip.to_string(),
                        LbAddress::Hostname(h) => h.clone(),
                    })
                    .collect();
                list.join(", ")
            };
            let listed: Vec<String> = ports.iter().map(|v| describe(v, false)).collect();
            let mut message = format!(
                "load balancer {address} {}: {}",
                if *open {
                    "accepts every address".to_owned()
                } else {
                    format!("accepts {}", describe_addresses(ranges))
                },
                listed.join("; ")
            );
            let opened: Vec<String> = ports
                .iter()
                .filter_map(|v| {
                    v.node_port
                        .map(|n| format!("{} {} on {n}", v.protocol, v.port))
                })
                .collect();
            if *node_ports && !opened.is_empty() {
                message.push_str(&format!(
                    "; node ports open on {}: {}",
                    nodes(at),
                    opened.join(", ")
                ));
            }
            message
        }
        ExposureFound::HttpExposure { route, fronts, to } => format!(
            "publishes {} through {} to {}",
            route_match(route),
            via(fronts),
            backends(to)
        ),
        ExposureFound::HttpRouteBlocked { route, fronts, to } => format!(
            "routes {} to {}, but policy does not let {} connect there: requests fail",
            route_match(route),
            backends(to),
            via(fronts)
        ),
        ExposureFound::ExternalIps { ips, ports } => {
            let ips: Vec<String> = ips.iter().map(ToString::to_string).collect();
            let listed: Vec<String> = ports.iter().map(|v| describe(v, false)).collect();
            format!(
                "every node accepts traffic for {}: {}",
                ips.join(", "),
                listed.join("; ")
            )
        }
        ExposureFound::BackendRefused {
            target,
            rule,
            route_kind,
            from_namespace,
            all_refused,
        } => {
            let effect = match (all_refused, route_kind) {
                (true, RouteKind::Grpc) => {
                    "every backend of the rule is refused: its requests get UNAVAILABLE"
                }
                (true, _) => "every backend of the rule is refused: its requests get HTTP 500",
                (false, _) => "this backend gets no traffic",
            };
            format!(
                "rule {} backendRef to {} crosses from namespace `{from_namespace}` without a ReferenceGrant: refused, {effect}",
                rule + 1,
                referent(target)
            )
        }
        ExposureFound::CertificateRefused {
            target,
            listener,
            from_namespace,
            none_left,
            ..
        } => format!(
            "listener `{listener}` certificateRef to {} crosses from namespace `{from_namespace}` without a ReferenceGrant: refused{}",
            referent(target),
            if *none_left {
                ", the listener has no certificate and TLS handshakes fail"
            } else {
                ""
            }
        ),
    }
}

/// How to fix it.
pub(super) fn help(found: &ExposureFound) -> String {
    match found {
        ExposureFound::PodReachable { internet_wide, .. } => if *internet_wide {
            "isolate the pods for ingress (a default-deny NetworkPolicy) and admit only the ranges that need them"
        } else {
            "keep the admitted ranges to the clients that need them"
        }
        .to_owned(),
        ExposureFound::NodePort { .. } => NODE_PORT.help.to_owned(),
        ExposureFound::LoadBalancer {
            open,
            declares_ranges,
            ..
        } => match (open, declares_ranges) {
            (true, false) => "set spec.loadBalancerSourceRanges to the client ranges, or make the load balancer internal".to_owned(),
            (true, true) => "narrow spec.loadBalancerSourceRanges to the client ranges".to_owned(),
            (false, _) => LOAD_BALANCER_RESTRICTED.help.to_owned(),
        },
        ExposureFound::HttpExposure { .. } => HTTP_EXPOSURE.help.to_owned(),
        ExposureFound::HttpRouteBlocked { fronts, .. } => format!(
            "allow ingress to those pods from {} on the target ports (and egress from it, if it is isolated)",
            via(fronts)
        ),
        ExposureFound::ExternalIps { .. } => EXTERNAL_IPS.help.to_owned(),
        ExposureFound::BackendRefused {
            target,
            route_kind,
            from_namespace,
            ..
        } => format!(
            "add {} and `from` kind `{}` namespace `{from_namespace}`",
            grant(target),
            route_kind.as_str()
        ),
        ExposureFound::CertificateRefused {
            target,
            listener_set,
            from_namespace,
            ..
        } => format!(
            "add {} and `from` kind `{}` namespace `{from_namespace}`",
            grant(target),
            if *listener_set { "ListenerSet" } else { "Gateway" }
        ),
    }
}

/// `every port` or the connections.
fn on(conns: &Conns) -> String {
    if conns.is_all() {
        "every port".to_owned()
    } else {
        conns.to_string()
    }
}

/// `TCP 80 (nodePort 30080) -> Deployment ns/web TCP 8080`.
fn describe(view: &PortView, with_node_port: bool) -> String {
    let mut s = format!("{} {}", view.protocol, view.port);
    if with_node_port && let Some(np) = view.node_port {
        s.push_str(&format!(" (nodePort {np})"));
    }
    if view.backends.is_empty() {
        s.push_str(" -> no ready backend");
    } else {
        let backends: Vec<String> = view
            .backends
            .iter()
            .map(|(w, targets)| {
                let targets: Vec<String> = targets.iter().map(u16::to_string).collect();
                format!("{} {} {}", object(w), view.protocol, targets.join(","))
            })
            .collect();
        s.push_str(&format!(" -> {}", short_list(&backends, 3)));
        if view.admitted == 0 {
            s.push_str(" (whose ingress policies admit no outside address there)");
        }
    }
    s
}

/// `every node (a, b, c and 2 more)`.
fn nodes(addresses: &[IpAddr]) -> String {
    if addresses.is_empty() {
        return "every node".to_owned();
    }
    let list: Vec<String> = addresses.iter().map(ToString::to_string).collect();
    format!("every node ({})", short_list(&list, 3))
}

/// The fronts, sorted by name.
fn via(fronts: &[FrontName]) -> String {
    let names: BTreeSet<String> = fronts
        .iter()
        .map(|f| match f {
            FrontName::Gateway { namespace, name } => format!("Gateway {namespace}/{name}"),
            FrontName::Alb => "the ALB".to_owned(),
            FrontName::IngressController => "the ingress controller".to_owned(),
        })
        .collect();
    let names: Vec<String> = names.into_iter().collect();
    names.join(", ")
}

/// `Deployment ns/web TCP 8080,8443`, the first four.
fn backends(to: &[RouteBackend]) -> String {
    let items: Vec<String> = to
        .iter()
        .map(|b| {
            let ports: Vec<String> = b.ports.iter().map(u16::to_string).collect();
            format!(
                "{} {} {}",
                object(&b.workload),
                b.protocol.as_str(),
                ports.join(",")
            )
        })
        .collect();
    short_list(&items, 4)
}

/// `host a.example, path /api (Prefix)`, or a Gateway rule.
fn route_match(m: &RouteMatch) -> String {
    match m {
        RouteMatch::Path { host, path, kind } => format!(
            "host {}, path {path} ({kind})",
            host.as_deref().unwrap_or("*")
        ),
        RouteMatch::DefaultBackend => "the default backend (every other host and path)".to_owned(),
        RouteMatch::GatewayRule {
            rule,
            hostnames,
            paths,
        } => {
            let hosts = if hostnames.is_empty() {
                "*".to_owned()
            } else {
                hostnames.join(", ")
            };
            let matches: Vec<String> = paths.iter().map(|(k, v)| format!("{k} {v}")).collect();
            let paths = if matches.is_empty() {
                String::new()
            } else {
                format!(", {}", short_list(&matches, 3))
            };
            format!("spec.rules[{rule}] (hosts {hosts}{paths})")
        }
        RouteMatch::Unknown => String::new(),
    }
}

/// `Service ns/name`.
fn referent(r: &Referent) -> String {
    format!("{} {}/{}", r.kind, r.namespace, r.name)
}

/// The grant that would permit a reference.
fn grant(r: &Referent) -> String {
    format!(
        "a ReferenceGrant in namespace `{}` with `to` kind `{}`",
        r.namespace, r.kind
    )
}
