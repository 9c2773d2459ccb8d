//! `trace` in text (numbered hops, one section per branch) and JSON
//! (`podnet.trace/v1`, documented in docs/trace-json.md).

mod decision;
mod step;
mod why;

use std::io::{self, Write};

use podnet_dataplane::Dataplane;
use podnet_dataplane::dns::{Answer, Resolution};
use podnet_dataplane::trace::{
    Action, AnswerReason, BackendRedirect, Branch, FrontAnswer, GrpcStatus, HintsIgnored, Hop,
    Outcome, Packet, Place, ProxyMatch, ProxyResult, ProxyVerdict, Topology, Trace, TraceFrom,
    TraceTo, Url,
};
use podnet_engine::Endpoint;
use podnet_model::{Cluster, Direction};
use serde::Serialize;

use crate::explain::{SideJson, side_json, write_side};
use decision::decision_text;
use step::{
    carrier_text, cloud_text, dnat_by_text, dnat_match_text, encapsulation_name,
    encapsulation_text, forward_text, route_text, snat_text,
};
use why::{answer_reason_text, drop_text, end_text, label_text, outcome_reason_text};

/// The JSON schema id.
pub const TRACE_SCHEMA: &str = "podnet.trace/v1";

fn place_text(c: &Cluster, p: &Place) -> String {
    match p {
        Place::Pod(id) => format!("pod {}", c.pod_name(*id)),
        Place::Node(n) => format!("node {n}"),
        Place::Underlay => "underlay".into(),
        Place::Cloud(what) => format!("cloud: {}", cloud_text(*what)),
        Place::Outside => "outside".into(),
    }
}

fn packet_text(p: &Packet) -> String {
    let dst = p.dst_name.clone().unwrap_or_else(|| p.dst.to_string());
    let inner = format!("{} -> {dst}:{}/{}", p.src, p.port, p.protocol);
    match &p.outer {
        Some(o) => format!(
            "[{} -> {} {}] {inner}",
            o.src,
            o.dst,
            carrier_text(o.carrier)
        ),
        None => inner,
    }
}

fn answer_text(c: &Cluster, a: &Option<Answer>) -> String {
    let ips = |v: &[std::net::IpAddr]| {
        v.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match a {
        None => "NXDOMAIN".into(),
        Some(Answer::ClusterIp { service, ips: v }) => format!(
            "A {} (ClusterIP of Service {})",
            ips(v),
            c.services[service.index()].meta.qualified_name()
        ),
        Some(Answer::Headless { service, ips: v }) => format!(
            "A {} (headless Service {}: its ready pods)",
            if v.is_empty() {
                "(none)".to_owned()
            } else {
                ips(v)
            },
            c.services[service.index()].meta.qualified_name()
        ),
        Some(Answer::PodHostname { pod, ips: v }) => {
            format!("A {} (pod {})", ips(v), c.pod_name(*pod))
        }
        Some(Answer::Cname { target, .. }) => format!("CNAME {target} (ExternalName)"),
        Some(Answer::Srv { records, .. }) => format!(
            "SRV {}",
            records
                .iter()
                .map(|(t, p)| format!("{t}:{p}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Some(Answer::PodIp(ip)) => format!("A {ip} (pod address from the name)"),
        Some(Answer::NoData) => "NOERROR, no data (the name exists without an address)".into(),
        Some(Answer::Endpoints { service, ips: v }) => format!(
            "A {} (endpoints of headless Service {})",
            ips(v),
            c.services[service.index()].meta.qualified_name()
        ),
        Some(Answer::Upstream) => "forwarded to the upstream resolver (outside the model)".into(),
    }
}

fn dns_lines(c: &Cluster, r: &Resolution) -> Vec<String> {
    let mut out = vec![format!(
        "DNS `{}` asked of {}",
        r.typed,
        r.nameserver
            .map_or("the node's resolver".to_owned(), |ip| format!(
                "the cluster DNS {ip}"
            ))
    )];
    for q in &r.queries {
        out.push(format!("{}  {}", q.name, answer_text(c, &q.answer)));
    }
    out
}

/// One line (plus detail lines) for an action.
fn action_lines(c: &Cluster, a: &Action) -> Vec<String> {
    match a {
        Action::Dns(r) => dns_lines(c, r),
        Action::Send { node } => vec![format!("send via eth0 -> veth peer on node `{node}`")],
        Action::Dnat {
            service,
            matched,
            choices,
            by,
            affinity,
        } => {
            let mut l = vec![format!(
                "DNAT by {}: {} of Service {}, one of {choices} ready endpoint{}",
                dnat_by_text(*by),
                dnat_match_text(matched),
                c.services[service.index()].meta.qualified_name(),
                if *choices == 1 { "" } else { "s" }
            )];
            if let Some(t) = affinity {
                l.push(format!(
                    "sessionAffinity ClientIP: the same client keeps its endpoint for {t}s"
                ));
            }
            l
        }
        Action::Snat { why } => vec![format!("SNAT: {}", snat_text(*why))],
        Action::Route { route } => vec![format!("route {}", route_text(route))],
        Action::Forward { via } => vec![format!("forward: {}", forward_text(via))],
        Action::Encapsulate { kind } => {
            vec![format!("encapsulate: {}", encapsulation_text(*kind))]
        }
        Action::Decapsulate { dev, kind } => vec![format!(
            "decapsulate: {dev} ({})",
            encapsulation_name(*kind)
        )],
        Action::LoadBalancer { what } => vec![decision_text(c, what)],
        Action::BackendTls {
            policy,
            hostname,
            ca_certificates,
            system_ca,
        } => {
            let ca = if *system_ca {
                "the system's CA certificates".to_owned()
            } else {
                ca_certificates.join(", ")
            };
            vec![format!(
                "TLS to the backend (BackendTLSPolicy {policy}): SNI `{hostname}`, certificate for `{hostname}` validated against {ca}"
            )]
        }
        Action::Policy {
            direction,
            allowed,
            node_local,
            ..
        } => vec![format!(
            "{direction} policy: {}{}",
            if *allowed { "allowed" } else { "DENIED" },
            if *node_local {
                " (traffic from the pod's own node is always allowed)"
            } else {
                ""
            }
        )],
        Action::Deliver { declared } => vec![if *declared {
            "delivered".to_owned()
        } else {
            "delivered, but no container declares this port (the application may still listen)"
                .to_owned()
        }],
        Action::Drop { why } => vec![format!("DROPPED: {}", drop_text(c, why))],
        Action::KubeProxy(v) => vec![kube_proxy_text(c, v)],
    }
}

/// kube-proxy's decision in words: what matched, what it did, the chains.
fn kube_proxy_text(c: &Cluster, v: &ProxyVerdict) -> String {
    let what = match &v.matched {
        Some(ProxyMatch::ClusterIp) => "ClusterIP",
        Some(ProxyMatch::ExternalIp) => "external IP",
        Some(ProxyMatch::LoadBalancer) => "load-balancer IP",
        Some(ProxyMatch::NodePort) => "NodePort",
        None => "service CIDR address",
    };
    let service = v
        .service
        .map(|(id, _)| {
            format!(
                " of Service {}",
                c.services[id.index()].meta.qualified_name()
            )
        })
        .unwrap_or_default();
    let result = match &v.result {
        ProxyResult::Dnat(e) => format!(
            "DNAT to one of {} endpoint{}",
            e.len(),
            if e.len() == 1 { "" } else { "s" }
        ),
        ProxyResult::Reject => "REJECT".to_owned(),
        ProxyResult::Drop => "DROP".to_owned(),
        ProxyResult::Untranslated => "no rule matches: not translated".to_owned(),
    };
    let chains: Vec<&str> = v.chains.iter().map(|ch| ch.name()).collect();
    let topology = v
        .topology
        .as_ref()
        .map(|t| format!("; topology: {}", topology_text(t)))
        .unwrap_or_default();
    let short_circuit = if v.short_circuit {
        "; externalTrafficPolicy Local, but the client is in the cluster: every endpoint, not only this node's"
    } else {
        ""
    };
    let bypass = if v.reply_bypasses {
        "; caveat: not masqueraded and the endpoint is on another node, so its reply goes straight back to the pod's node and bypasses this node's connection tracking: the pod gets an answer from the endpoint's address and the connection fails unless the CNI routes the reply back through this node"
    } else {
        ""
    };
    format!(
        "kube-proxy ({}): {what}{service}: {result}{}{topology}{short_circuit}{bypass} [{}]",
        v.mode.name(),
        if v.masquerade {
            ", marked for masquerade"
        } else {
            ""
        },
        chains.join(" -> ")
    )
}

/// Which topology rule of kube-proxy's chose the endpoints.
fn topology_text(t: &Topology) -> String {
    match t {
        Topology::SameNode => "PreferSameNode: only endpoints hinted for this node".to_owned(),
        Topology::SameZone(z) => {
            format!("PreferSameZone: only endpoints hinted for zone `{z}`")
        }
        Topology::Ignored(why) => format!(
            "hints ignored, every endpoint used: {}",
            match why {
                HintsIgnored::MissingZoneHint => "a ready endpoint has no zone hint",
                HintsIgnored::NodeWithoutZone => {
                    "the node has no topology.kubernetes.io/zone label"
                }
                HintsIgnored::NoEndpointForZone => "no endpoint is hinted for the node's zone",
            }
        ),
    }
}

/// The `topology` object of a `kube_proxy` hop.
#[derive(Serialize)]
struct TopologyJson {
    mode: &'static str,
    zone: Option<String>,
    ignored: Option<&'static str>,
}

fn topology_json(t: &Topology) -> TopologyJson {
    match t {
        Topology::SameNode => TopologyJson {
            mode: "prefer_same_node",
            zone: None,
            ignored: None,
        },
        Topology::SameZone(z) => TopologyJson {
            mode: "prefer_same_zone",
            zone: Some(z.clone()),
            ignored: None,
        },
        Topology::Ignored(why) => TopologyJson {
            mode: "cluster_wide",
            zone: None,
            ignored: Some(match why {
                HintsIgnored::MissingZoneHint => "missing_zone_hint",
                HintsIgnored::NodeWithoutZone => "node_without_zone",
                HintsIgnored::NoEndpointForZone => "no_endpoint_for_zone",
            }),
        },
    }
}

fn write_hop(out: &mut dyn Write, c: &Cluster, n: usize, hop: &Hop) -> io::Result<()> {
    let lines = action_lines(c, &hop.action);
    let mut first = true;
    for l in &lines {
        if first {
            writeln!(out, "{n:>3}. [{}] {l}", place_text(c, &hop.place))?;
            first = false;
        } else {
            writeln!(out, "       {l}")?;
        }
    }
    if !matches!(hop.action, Action::Dns(_)) {
        if hop.before == hop.after {
            writeln!(out, "       {}", packet_text(&hop.after))?;
        } else {
            writeln!(
                out,
                "       {}  =>  {}",
                packet_text(&hop.before),
                packet_text(&hop.after)
            )?;
        }
    }
    if let Action::Policy { side, subject, .. } = &hop.action {
        let mut buf = Vec::new();
        write_side(&mut buf, c, side, &Endpoint::Pod(*subject))?;
        for line in String::from_utf8_lossy(&buf).lines() {
            writeln!(out, "     {line}")?;
        }
    }
    Ok(())
}

fn outcome_text(c: &Cluster, o: &Outcome, port: u16, proto: &str) -> String {
    match o {
        Outcome::Delivered(p) => format!("delivered to pod {} on {port}/{proto}", c.pod_name(*p)),
        Outcome::ReachedNode(n) => format!("reached node {n}"),
        Outcome::LeftCluster => "left the cluster".into(),
        Outcome::Denied(d) => format!("denied by {d} policy"),
        Outcome::Dropped(why) => format!("dropped: {}", outcome_reason_text(c, why)),
        Outcome::Rejected(why) => format!("rejected: {}", outcome_reason_text(c, why)),
        Outcome::Answered(answer, why) => format!(
            "answered {}: {}",
            answer_status(answer),
            answer_reason_text(why)
        ),
        Outcome::Unaddressed {
            pod,
            port: target,
            allowed,
        } => format!(
            "not followed: pod {} runs but the input gives it no address (--pod-addresses=declared); policy {} {target}/{proto} from the front to the backend, as connlist counts it",
            c.pod_name(*pod),
            if *allowed { "allows" } else { "denies" }
        ),
    }
}

/// A front's answer as a client sees it.
fn answer_status(a: &FrontAnswer) -> String {
    match a {
        FrontAnswer::Http(code) => format!("HTTP {code}"),
        FrontAnswer::Grpc(s) => format!("gRPC {}", grpc_status(*s)),
        FrontAnswer::TlsHandshakeFailure => "with a failed TLS handshake".to_owned(),
        FrontAnswer::ConnectionRejected => "by rejecting the connection".to_owned(),
    }
}

/// The gRPC status code's name (grpc/grpc doc/statuscodes.md).
fn grpc_status(s: GrpcStatus) -> &'static str {
    match s {
        GrpcStatus::Unimplemented => "UNIMPLEMENTED",
        GrpcStatus::Unavailable => "UNAVAILABLE",
    }
}

/// The URL as asked: scheme, host, path and query.
fn url_text(u: &Url) -> String {
    let query: Vec<String> = u.query.iter().map(|(n, v)| format!("{n}={v}")).collect();
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{}", query.join("&"))
    };
    format!("{}://{}{}{query}", u.scheme.as_str(), u.host, u.path)
}

/// How a URL request is sent, when not a plain GET: method, gRPC call,
/// headers, the Gateway asked.
fn request_note(u: &Url) -> String {
    let r = &u.request;
    let mut parts = Vec::new();
    match &r.grpc {
        Some(call) => parts.push(format!("gRPC {}/{}", call.service, call.method)),
        None if r.method != "GET" => parts.push(r.method.clone()),
        None => {}
    }
    parts.extend(r.headers.iter().map(|(n, v)| format!("{n}: {v}")));
    if let Some((ns, name)) = &r.gateway {
        parts.push(format!("via Gateway {ns}/{name}"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" [{}]", parts.join("; "))
    }
}

fn from_text(c: &Cluster, f: &TraceFrom) -> String {
    match f {
        TraceFrom::Pod(p) => format!("pod {}", c.pod_name(*p)),
        TraceFrom::Node(n) => format!("node {n}"),
        TraceFrom::External(ip) => format!("external {ip}"),
        TraceFrom::NodeAddress { node, ip } => format!("node {node} ({ip})"),
    }
}

fn to_text(c: &Cluster, t: &TraceTo) -> String {
    match t {
        TraceTo::Pod(p) => format!("pod {}", c.pod_name(*p)),
        TraceTo::Name(n) => format!("`{n}`"),
        TraceTo::Address(ip) => ip.to_string(),
        TraceTo::Url(u) => format!("{}{}", url_text(u), request_note(u)),
    }
}

/// Writes a trace for people.
pub fn write_text(out: &mut dyn Write, dp: &Dataplane, t: &Trace) -> io::Result<()> {
    let c = &dp.cluster;
    let proto = t.request.protocol.as_str();
    let port = if t.port == 0 {
        String::new()
    } else {
        format!(" port {}/{proto}", t.port)
    };
    writeln!(
        out,
        "trace {} -> {}{port} (profile {}: {}, kube-proxy {})",
        from_text(c, &t.request.from),
        to_text(c, &t.request.to),
        dp.profile.label(),
        dp.profile.cni,
        dp.profile.proxy.name()
    )?;
    for (n, hop) in (1..).zip(&t.hops) {
        write_hop(out, c, n, hop)?;
    }
    let n = t.hops.len() + 1;
    let total = t.branches.len();
    for (i, b) in t.branches.iter().enumerate() {
        writeln!(out, "path {}/{total}: {}", i + 1, label_text(c, &b.label))?;
        for (m, hop) in (n..).zip(&b.hops) {
            write_hop(out, c, m, hop)?;
        }
        writeln!(
            out,
            "  => {}",
            outcome_text(c, &b.outcome, last_port(b, t.port), proto)
        )?;
    }
    if let Some(end) = &t.end {
        writeln!(out, "  => {}", end_text(end))?;
    }
    let ok = t.branches.iter().filter(|b| reachable(&b.outcome)).count();
    if total == 0 {
        return writeln!(out, "verdict: not reachable");
    }
    writeln!(
        out,
        "verdict: {} ({ok}/{total} paths succeed)",
        if ok > 0 { "reachable" } else { "not reachable" }
    )
}

fn last_port(b: &Branch, default: u16) -> u16 {
    b.hops.last().map_or(default, |h| h.after.port)
}

fn reachable(o: &Outcome) -> bool {
    matches!(
        o,
        Outcome::Delivered(_) | Outcome::ReachedNode(_) | Outcome::LeftCluster
    )
}

#[derive(Serialize)]
struct TraceJson {
    schema: &'static str,
    profile: String,
    cni: &'static str,
    kube_proxy: &'static str,
    from: String,
    to: String,
    source_ip: String,
    port: u16,
    protocol: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    http_request: Option<HttpRequestJson>,
    hops: Vec<HopJson>,
    paths: Vec<PathJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<String>,
    reachable: bool,
}

/// The request of a URL trace, as matched by the fronts.
#[derive(Serialize)]
struct HttpRequestJson {
    method: String,
    host: String,
    authority: String,
    path: String,
    query: Vec<[String; 2]>,
    headers: Vec<[String; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    grpc: Option<GrpcJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gateway: Option<String>,
}

#[derive(Serialize)]
struct GrpcJson {
    service: String,
    method: String,
}

fn http_request_json(to: &TraceTo) -> Option<HttpRequestJson> {
    let TraceTo::Url(u) = to else {
        return None;
    };
    let pairs = |l: &[(String, String)]| -> Vec<[String; 2]> {
        l.iter().map(|(n, v)| [n.clone(), v.clone()]).collect()
    };
    Some(HttpRequestJson {
        method: u.request.method.clone(),
        host: u.host.clone(),
        authority: u.authority(),
        path: u.path.clone(),
        query: pairs(&u.query),
        headers: pairs(&u.request.headers),
        grpc: u.request.grpc.as_ref().map(|c| GrpcJson {
            service: c.service.clone(),
            method: c.method.clone(),
        }),
        gateway: u
            .request
            .gateway
            .as_ref()
            .map(|(ns, name)| format!("{ns}/{name}")),
    })
}

#[derive(Serialize)]
struct PacketJson {
    src: String,
    dst: String,
    port: u16,
    protocol: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    outer: Option<OuterJson>,
}

#[derive(Serialize)]
struct OuterJson {
    src: String,
    dst: String,
    carrier: String,
}

#[derive(Serialize)]
struct HopJson {
    place: String,
    action: &'static str,
    detail: Vec<String>,
    before: PacketJson,
    after: PacketJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    allowed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<SideJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kube_proxy: Option<KubeProxyJson>,
}

/// kube-proxy's decision on a `kube_proxy` hop.
#[derive(Serialize)]
struct KubeProxyJson {
    mode: &'static str,
    matched: Option<&'static str>,
    service: Option<String>,
    result: &'static str,
    endpoints: usize,
    masquerade: bool,
    chains: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    topology: Option<TopologyJson>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    short_circuit: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    reply_bypasses: bool,
}

fn kube_proxy_json(c: &Cluster, v: &ProxyVerdict) -> KubeProxyJson {
    KubeProxyJson {
        mode: v.mode.name(),
        matched: v.matched.as_ref().map(|m| match m {
            ProxyMatch::ClusterIp => "cluster_ip",
            ProxyMatch::ExternalIp => "external_ip",
            ProxyMatch::LoadBalancer => "load_balancer",
            ProxyMatch::NodePort => "node_port",
        }),
        service: v
            .service
            .map(|(id, _)| c.services[id.index()].meta.qualified_name()),
        result: match v.result {
            ProxyResult::Dnat(_) => "dnat",
            ProxyResult::Reject => "reject",
            ProxyResult::Drop => "drop",
            ProxyResult::Untranslated => "untranslated",
        },
        endpoints: match &v.result {
            ProxyResult::Dnat(e) => e.len(),
            _ => 0,
        },
        masquerade: v.masquerade,
        chains: v.chains.iter().map(|ch| ch.name()).collect(),
        topology: v.topology.as_ref().map(topology_json),
        short_circuit: v.short_circuit,
        reply_bypasses: v.reply_bypasses,
    }
}

#[derive(Serialize)]
struct PathJson {
    label: String,
    hops: Vec<HopJson>,
    outcome: &'static str,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    http_status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    grpc_status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redirect: Option<RedirectJson>,
}

/// Where a `RequestRedirect` filter sends the client.
#[derive(Serialize)]
struct RedirectJson {
    location: String,
    scheme: String,
    host: String,
    port: u16,
    path: String,
}

fn packet_json(p: &Packet) -> PacketJson {
    PacketJson {
        src: p.src.to_string(),
        dst: p.dst_name.clone().unwrap_or_else(|| p.dst.to_string()),
        port: p.port,
        protocol: p.protocol.as_str(),
        outer: p.outer.as_ref().map(|o| OuterJson {
            src: o.src.to_string(),
            dst: o.dst.to_string(),
            carrier: carrier_text(o.carrier),
        }),
    }
}

fn action_kind(a: &Action) -> &'static str {
    match a {
        Action::Dns(_) => "dns",
        Action::Send { .. } => "send",
        Action::Dnat { .. } => "dnat",
        Action::Snat { .. } => "snat",
        Action::Route { .. } => "route",
        Action::Forward { .. } => "forward",
        Action::Encapsulate { .. } => "encapsulate",
        Action::Decapsulate { .. } => "decapsulate",
        Action::LoadBalancer { .. } => "load_balancer",
        Action::BackendTls { .. } => "backend_tls",
        Action::Policy {
            direction: Direction::Egress,
            ..
        } => "egress_policy",
        Action::Policy { .. } => "ingress_policy",
        Action::Deliver { .. } => "deliver",
        Action::Drop { .. } => "drop",
        Action::KubeProxy(_) => "kube_proxy",
    }
}

fn hop_json(c: &Cluster, h: &Hop) -> HopJson {
    let (allowed, policy) = match &h.action {
        Action::Policy { allowed, side, .. } => (Some(*allowed), Some(side_json(c, side))),
        _ => (None, None),
    };
    HopJson {
        place: place_text(c, &h.place),
        action: action_kind(&h.action),
        detail: action_lines(c, &h.action),
        before: packet_json(&h.before),
        after: packet_json(&h.after),
        allowed,
        policy,
        kube_proxy: match &h.action {
            Action::KubeProxy(v) => Some(kube_proxy_json(c, v)),
            _ => None,
        },
    }
}

/// Writes `podnet.trace/v1`.
pub fn write_json(out: &mut dyn Write, dp: &Dataplane, t: &Trace) -> io::Result<()> {
    let c = &dp.cluster;
    let proto = t.request.protocol.as_str();
    let doc = TraceJson {
        schema: TRACE_SCHEMA,
        profile: dp.profile.label(),
        cni: dp.profile.cni.name(),
        kube_proxy: dp.profile.proxy.name(),
        from: from_text(c, &t.request.from),
        to: to_text(c, &t.request.to),
        source_ip: t.src.to_string(),
        port: t.port,
        protocol: proto,
        http_request: http_request_json(&t.request.to),
        hops: t.hops.iter().map(|h| hop_json(c, h)).collect(),
        paths: t
            .branches
            .iter()
            .map(|b| PathJson {
                label: label_text(c, &b.label),
                hops: b.hops.iter().map(|h| hop_json(c, h)).collect(),
                outcome: match b.outcome {
                    Outcome::Delivered(_) => "delivered",
                    Outcome::ReachedNode(_) => "reached_node",
                    Outcome::LeftCluster => "left_cluster",
                    Outcome::Denied(_) => "denied",
                    Outcome::Dropped(_) => "dropped",
                    Outcome::Rejected(_) => "rejected",
                    Outcome::Answered(..) => "answered",
                    Outcome::Unaddressed { .. } => "unaddressed",
                },
                http_status: match b.outcome {
                    Outcome::Answered(FrontAnswer::Http(code), _) => Some(code),
                    _ => None,
                },
                grpc_status: match b.outcome {
                    Outcome::Answered(FrontAnswer::Grpc(s), _) => Some(grpc_status(s)),
                    _ => None,
                },
                redirect: match &b.outcome {
                    Outcome::Answered(
                        _,
                        AnswerReason::Redirect(to)
                        | AnswerReason::BackendRedirect(BackendRedirect { to, .. }),
                    ) => Some(RedirectJson {
                        location: why::location_text(to),
                        scheme: to.scheme.clone(),
                        host: to.host.clone(),
                        port: to.port,
                        path: to.path.clone(),
                    }),
                    _ => None,
                },
                detail: outcome_text(c, &b.outcome, last_port(b, t.port), proto),
            })
            .collect(),
        end: t.end.as_ref().map(end_text),
        reachable: t.reachable(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}
