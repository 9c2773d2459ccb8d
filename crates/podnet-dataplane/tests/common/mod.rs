//! Shared helpers of the dataplane rule tests: load inline YAML, build the
//! dataplane, find pods and Services by name, summarise trace hops.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    dead_code,
    unused_macros,
    unused_imports
)]

use std::net::IpAddr;

use podnet_dataplane::trace::{Action, Branch, Hop, Outcome};
use podnet_dataplane::{Dataplane, Issue, Trace, TraceFrom, TraceRequest, TraceTo, trace};
use podnet_model::{Direction, PodId, Protocol, ServiceId, Severity};

/// A Pod `default/$name` on node `$node`, labelled `app: web`, serving TCP
/// 8080 (one nginx container): one YAML document and the `---` after it.
macro_rules! web_pod {
    ($name:literal, $node:literal) => {
        concat!(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: ",
            $name,
            ", namespace: default, labels: {app: web}}\nspec:\n  nodeName: ",
            $node,
            "\n  containers: [{name: web, image: nginx, ports: [{containerPort: 8080}]}]\n---\n"
        )
    };
}
pub(crate) use web_pod;

/// A Pod `default/$name` on node `$node` with one busybox container and no
/// port, unlabelled (a client): one YAML document and the `---` after it.
macro_rules! client_pod {
    ($name:literal, $node:literal) => {
        concat!(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: ",
            $name,
            ", namespace: default}\nspec:\n  nodeName: ",
            $node,
            "\n  containers: [{name: c, image: busybox}]\n---\n"
        )
    };
}
pub(crate) use client_pod;

/// Loads `yaml` as one file; panics on any error diagnostic.
pub fn cluster(yaml: &str) -> podnet_model::Cluster {
    let loaded = podnet_manifest::load_files(
        &[podnet_manifest::SourceFile {
            name: "t.yaml".into(),
            text: yaml.into(),
        }],
        Vec::new(),
        podnet_manifest::LoadOptions::default(),
    );
    let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "manifest errors: {errors:#?}");
    loaded.cluster
}

/// Loads `yaml` and builds its dataplane.
pub fn build(yaml: &str) -> Dataplane {
    Dataplane::build(&cluster(yaml), None)
}

/// An address.
pub fn ip(s: &str) -> IpAddr {
    s.parse().unwrap_or_else(|e| panic!("bad address {s}: {e}"))
}

/// Addresses.
pub fn ips(list: &[&str]) -> Vec<IpAddr> {
    list.iter().map(|s| ip(s)).collect()
}

/// The pod `ns/name`.
pub fn pod(dp: &Dataplane, name: &str) -> PodId {
    dp.cluster
        .pod_ids()
        .find(|&p| dp.cluster.pod_name(p) == name)
        .unwrap_or_else(|| {
            let all: Vec<String> = dp
                .cluster
                .pod_ids()
                .map(|p| dp.cluster.pod_name(p))
                .collect();
            panic!("no pod {name}; pods: {all:?}")
        })
}

/// The addresses of pod `ns/name`.
pub fn pod_ips(dp: &Dataplane, name: &str) -> Vec<IpAddr> {
    dp.cluster.pod(pod(dp, name)).ips.clone()
}

/// The node of pod `ns/name`.
pub fn pod_node(dp: &Dataplane, name: &str) -> Option<String> {
    dp.cluster.pod(pod(dp, name)).node_name.clone()
}

/// The Service `ns/name`.
pub fn service(dp: &Dataplane, name: &str) -> ServiceId {
    dp.cluster
        .services
        .iter()
        .position(|s| s.meta.qualified_name() == name)
        .map(ServiceId::from_index)
        .unwrap_or_else(|| panic!("no Service {name}"))
}

/// The ClusterIPs of Service `ns/name`.
pub fn cluster_ips(dp: &Dataplane, name: &str) -> Vec<IpAddr> {
    dp.services.cluster_ips[service(dp, name).index()].clone()
}

/// The NodePorts of Service `ns/name`, per port.
pub fn node_ports(dp: &Dataplane, name: &str) -> Vec<Option<u16>> {
    dp.services.node_ports[service(dp, name).index()].clone()
}

/// Error issues.
pub fn errors(dp: &Dataplane) -> Vec<&Issue> {
    dp.issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .collect()
}

/// Error issues whose detail, as `{:?}` prints it (variant names,
/// addresses, quoted names), contains every one of `parts`.
pub fn errors_with<'d>(dp: &'d Dataplane, parts: &[&str]) -> Vec<&'d Issue> {
    errors(dp)
        .into_iter()
        .filter(|i| {
            let detail = format!("{:?}", i.detail);
            parts.iter().all(|p| detail.contains(p))
        })
        .collect()
}

/// Asserts no error issue.
pub fn assert_no_errors(dp: &Dataplane) {
    let e = errors(dp);
    assert!(e.is_empty(), "unexpected errors: {e:#?}");
}

/// Traces `from` to `to`.
pub fn run(dp: &Dataplane, from: TraceFrom, to: TraceTo, port: Option<u16>) -> Trace {
    trace(
        dp,
        &TraceRequest {
            from,
            to,
            port,
            protocol: Protocol::Tcp,
        },
    )
    .unwrap_or_else(|e| panic!("trace failed: {e}"))
}

/// Traces `from` to address `addr` on TCP `port`.
pub fn to_address(dp: &Dataplane, from: TraceFrom, addr: &str, port: u16) -> Trace {
    run(dp, from, TraceTo::Address(ip(addr)), Some(port))
}

/// The kind of a hop, as a short word (`Policy` with its direction).
pub fn kind(hop: &Hop) -> String {
    match &hop.action {
        Action::Dns(_) => "Dns".into(),
        Action::Send { .. } => "Send".into(),
        Action::Dnat { .. } => "Dnat".into(),
        Action::Snat { .. } => "Snat".into(),
        Action::Route { .. } => "Route".into(),
        Action::Forward { .. } => "Forward".into(),
        Action::Encapsulate { .. } => "Encapsulate".into(),
        Action::Decapsulate { .. } => "Decapsulate".into(),
        Action::LoadBalancer { .. } => "LoadBalancer".into(),
        Action::BackendTls { .. } => "BackendTls".into(),
        Action::Policy { direction, .. } => match direction {
            Direction::Ingress => "Policy(Ingress)".into(),
            Direction::Egress => "Policy(Egress)".into(),
        },
        Action::Deliver { .. } => "Deliver".into(),
        Action::Drop { .. } => "Drop".into(),
        Action::KubeProxy(_) => "KubeProxy".into(),
    }
}

/// The kinds of the trace's shared hops followed by a branch's.
pub fn kinds(t: &Trace, b: &Branch) -> Vec<String> {
    t.hops.iter().chain(&b.hops).map(kind).collect()
}

/// The only branch of a trace.
pub fn only_branch(t: &Trace) -> &Branch {
    assert_eq!(
        t.branches.len(),
        1,
        "expected one branch: {:#?}",
        t.branches
    );
    &t.branches[0]
}

/// The whole path of a branch: the trace's shared hops (those every branch
/// starts with), then the branch's own.
pub fn path<'t>(t: &'t Trace, b: &'t Branch) -> Vec<&'t Hop> {
    t.hops.iter().chain(&b.hops).collect()
}

/// Whether any hop of the branch's path is a SNAT.
pub fn has_snat(t: &Trace, b: &Branch) -> bool {
    path(t, b)
        .iter()
        .any(|h| matches!(h.action, Action::Snat { .. }))
}

/// The outcomes of every branch.
pub fn outcomes(t: &Trace) -> Vec<Outcome> {
    t.branches.iter().map(|b| b.outcome.clone()).collect()
}

/// The TCP ports `front` may open to workload `ns/name` (what connlist's
/// pseudo-peer rows show), sorted.
pub fn front_tcp_ports(
    dp: &Dataplane,
    front: &podnet_dataplane::fronts::FrontKind,
    workload: &str,
) -> Vec<u16> {
    let engine = podnet_engine::Engine::new(&dp.cluster);
    let mut out: Vec<u16> = podnet_dataplane::fronts::connections(&engine, &dp.fronts, &dp.routes)
        .into_iter()
        .filter(|c| c.front == *front && dp.cluster.workload_name(c.dst) == workload)
        .flat_map(|c| {
            c.conns
                .ports(Protocol::Tcp)
                .ranges()
                .iter()
                .flat_map(|&(a, b)| a..=b)
                .collect::<Vec<_>>()
        })
        .collect();
    out.sort_unstable();
    out
}

/// A trace of `url` from an outside client.
pub fn trace_url(dp: &Dataplane, url: &str) -> Trace {
    trace_request(dp, podnet_dataplane::trace::Url::parse(url).expect("a URL"))
}

/// A trace of a request (a URL with method, headers...) from an outside
/// client.
pub fn trace_request(dp: &Dataplane, url: podnet_dataplane::trace::Url) -> Trace {
    run(
        dp,
        TraceFrom::External(ip("203.0.113.10")),
        TraceTo::Url(url),
        None,
    )
}

/// What the fronts answer themselves on the branches of `t`.
pub fn answers(t: &Trace) -> Vec<podnet_dataplane::trace::FrontAnswer> {
    t.branches
        .iter()
        .filter_map(|b| match &b.outcome {
            Outcome::Answered(a, _) => Some(*a),
            _ => None,
        })
        .collect()
}

/// The pods the branches of `t` deliver to, sorted by name.
pub fn delivered(dp: &Dataplane, t: &Trace) -> Vec<String> {
    let mut v: Vec<String> = t
        .branches
        .iter()
        .filter_map(|b| match b.outcome {
            Outcome::Delivered(p) => Some(dp.cluster.pod_name(p)),
            _ => None,
        })
        .collect();
    v.sort();
    v
}
