//! What a load balancer or front decided, in words (the `LoadBalancer`
//! hop).

use podnet_dataplane::trace::{
    ExposureDecision, GatewayDecision, GatewayForward, GatewayStep, LbDecision, Scheme,
    TlsHandling, Url,
};
use podnet_model::{Cluster, PathType, RouteKind, ServiceId};

/// The decision as one line.
pub(super) fn decision_text(c: &Cluster, d: &LbDecision) -> String {
    match d {
        LbDecision::IpTarget { lb, ip, port, of } => {
            format!("{lb} forwards to IP target {ip}:{port} (one of {of}), through the VPC")
        }
        LbDecision::ProxyToNodePort {
            lb,
            node,
            node_port,
        } => format!(
            "{lb} has ipMode: Proxy: the load balancer proxies to node `{node}` NodePort {node_port} (kube-proxy does not catch the address)"
        ),
        LbDecision::InstanceTarget {
            lb,
            node,
            node_port,
            of,
        } => format!(
            "{lb} forwards to instance target `{node}` NodePort {node_port} (one of {of} healthy)"
        ),
        LbDecision::MetalLb { lb, node } => {
            format!("MetalLB: node `{node}` answers for {lb} (L2 announcement)")
        }
        LbDecision::Exposure(e) => exposure_text(c, e),
        LbDecision::Gateway(g) => gateway_text(c, g),
    }
}

fn exposure_text(c: &Cluster, d: &ExposureDecision) -> String {
    let e = &c.exposures[d.exposure];
    let matched = match &d.path {
        Some((p, PathType::ImplementationSpecific)) => {
            format!("path `{p}` (ImplementationSpecific, matched as Prefix)")
        }
        Some((p, t)) => format!("path `{p}` ({t:?})"),
        None => "the default backend".to_owned(),
    };
    format!(
        "{} {} selects {matched} for host `{}` -> {}{}; a new connection goes to the pod",
        e.meta.kind,
        e.meta.qualified_name(),
        d.host,
        services_text(c, &d.services),
        tls_text(&d.tls)
    )
}

fn gateway_text(c: &Cluster, d: &GatewayDecision) -> String {
    if d.step == GatewayStep::NoListenerForHost {
        return format!(
            "Gateway {} ({:?} port {}): no listener's hostname matches {}",
            d.gateway,
            d.protocol,
            d.port,
            request_text(&d.request)
        );
    }
    let head = format!(
        "Gateway {} listener `{}` ({:?} port {})",
        d.gateway, d.listener, d.protocol, d.port
    );
    let asked = request_text(&d.request);
    match &d.step {
        GatewayStep::CertificatesRefused => format!("{head}: every certificateRef is refused"),
        GatewayStep::NoListenerForHost => format!("{head}: no listener's hostname matches {asked}"),
        GatewayStep::Misdirected { host_listener } => match host_listener {
            Some(l) => format!(
                "{head}: its TLS server name takes {asked}, but its Host selects listener `{l}`"
            ),
            None => format!(
                "{head}: its TLS server name takes {asked}, but no listener's hostname matches its Host"
            ),
        },
        GatewayStep::NoRoute(kind) => format!(
            "{head}: no {} attached to the listener takes {asked}",
            kind.as_str()
        ),
        GatewayStep::Rule {
            route_kind,
            route,
            rule,
            matched,
            forward,
        } => {
            let matched =
                format!("{head}: {route_kind} {route} rule {rule} (match {matched}) takes {asked}");
            match forward {
                None => matched,
                Some(f) => format!("{matched}{}", forward_text(c, f)),
            }
        }
    }
}

fn forward_text(c: &Cluster, f: &GatewayForward) -> String {
    let partly = if f.refused.is_empty() {
        String::new()
    } else {
        let refused: Vec<String> = f
            .refused
            .iter()
            .map(|(ns, name)| format!("Service {ns}/{name}"))
            .collect();
        format!(
            " (refused without a ReferenceGrant: {}; their share of requests gets {})",
            refused.join(", "),
            match f.kind {
                RouteKind::Grpc => "UNAVAILABLE",
                RouteKind::Http => "HTTP 500",
                _ => "a rejected connection",
            }
        )
    };
    format!(
        "{} -> {}{partly}; a new connection goes to the pod",
        tls_text(&f.tls),
        services_text(c, &f.services)
    )
}

/// The Service ports a front forwards to.
fn services_text(c: &Cluster, services: &[(ServiceId, u16)]) -> String {
    if services.is_empty() {
        return "no Service".to_owned();
    }
    services
        .iter()
        .map(|(s, port)| {
            format!(
                "Service {} port {port}",
                c.services[s.index()].meta.qualified_name()
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What happens to TLS, as a clause after the decision.
fn tls_text(t: &TlsHandling) -> String {
    match t {
        TlsHandling::None => String::new(),
        TlsHandling::Terminated(host) => format!("; TLS for `{host}` terminated here"),
        TlsHandling::DefaultCertificate(host) => format!(
            "; no TLS configuration covers `{host}`: the front answers with its default certificate"
        ),
        TlsHandling::Passthrough(host) => {
            format!("; TLS for `{host}` passes through to the backend (SNI)")
        }
    }
}

/// The request as matched: method, host and path, query, headers, gRPC call;
/// a TLS session's SNI; a TCP or UDP port.
fn request_text(url: &Url) -> String {
    match url.scheme {
        Scheme::Tls => return format!("a TLS session with SNI `{}`", url.host),
        Scheme::Tcp => return format!("a TCP connection to port {}", url.port),
        Scheme::Udp => return format!("UDP datagrams to port {}", url.port),
        Scheme::Http | Scheme::Https => {}
    }
    let r = &url.request;
    let mut text = match &r.grpc {
        Some(call) => format!(
            "gRPC `{}/{}` for `{}`",
            call.service,
            call.method,
            url.authority()
        ),
        None => {
            let query: Vec<String> = url.query.iter().map(|(n, v)| format!("{n}={v}")).collect();
            let query = if query.is_empty() {
                String::new()
            } else {
                format!("?{}", query.join("&"))
            };
            format!("`{} {}{}{query}`", r.method, url.authority(), url.path)
        }
    };
    if url.scheme == Scheme::Https && url.authority() != url.host {
        text.push_str(&format!(" (TLS server name `{}`)", url.host));
    }
    if !r.headers.is_empty() {
        let h: Vec<String> = r.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
        text.push_str(&format!(" with headers `{}`", h.join("`, `")));
    }
    text
}
