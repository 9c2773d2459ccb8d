//! `podnet trace`: one connection, hop by hop.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use podnet_dataplane::trace::Url;
use podnet_dataplane::{Dataplane, TraceFrom, TraceRequest, TraceTo, trace};
use podnet_engine::{Target, resolve};
use podnet_model::{PodId, Protocol, WorkloadId};
use podnet_report::trace::{write_json, write_text};

use crate::args::{ProtocolArg, TextOrJson, TraceArgs};
use crate::session::{Session, Status, status_after};

/// Runs the command.
pub fn run(session: &Session, args: &TraceArgs) -> Status {
    let Some(loaded) = session.load(&args.paths) else {
        return Status::Error;
    };
    let Some(running) = session.running(&loaded) else {
        return Status::Error;
    };
    let dp = &running.dp;
    if args.port == Some(0) {
        return session.error("--port must be between 1 and 65535");
    }
    let (to, port) = match destination(dp, &args.to) {
        Ok(t) => t,
        Err(e) => return session.error(&format!("--to: {e}")),
    };
    let from = match (&args.from, &to) {
        (Some(text), _) => source(dp, text),
        (None, TraceTo::Url(_)) => Ok(TraceFrom::External(URL_CLIENT)),
        (None, _) => Err("required unless --to is a URL".to_owned()),
    };
    let from = match from {
        Ok(f) => f,
        Err(e) => return session.error(&format!("--from: {e}")),
    };
    let request = TraceRequest {
        from,
        to,
        port: args.port.or(port),
        protocol: match args.protocol {
            ProtocolArg::Tcp => Protocol::Tcp,
            ProtocolArg::Udp => Protocol::Udp,
            ProtocolArg::Sctp => Protocol::Sctp,
        },
    };
    let t = match trace(dp, &request) {
        Ok(t) => t,
        Err(e) => return session.error(&e.to_string()),
    };
    let printed = session.write_stdout(|out| match args.output {
        TextOrJson::Txt => write_text(out, dp, &t),
        TextOrJson::Json => write_json(out, dp, &t),
    });
    status_after(&loaded, &running, printed)
}

/// `node:NAME`, `external:IP`, an address, or a workload/pod name.
fn source(dp: &Dataplane, text: &str) -> Result<TraceFrom, String> {
    if let Some(name) = text.strip_prefix("node:") {
        return dp
            .node(name)
            .map(|n| TraceFrom::Node(n.name.clone()))
            .ok_or_else(|| {
                let names: Vec<&str> = dp.nodes.iter().map(|n| n.name.as_str()).collect();
                format!("no node is called `{name}`; nodes: {}", names.join(", "))
            });
    }
    if let Some(ip) = text.strip_prefix("external:") {
        return ip
            .parse::<IpAddr>()
            .map(TraceFrom::External)
            .map_err(|_| format!("`{ip}` is not an IP address"));
    }
    match resolve(&dp.cluster, text).map_err(|e| e.to_string())? {
        Target::Pod(p) => Ok(TraceFrom::Pod(p)),
        Target::Workload(w) => addressed_pod(dp, w, text).map(TraceFrom::Pod),
        Target::Address(ip) => Ok(match dp.pod_by_ip(ip) {
            Some(p) => TraceFrom::Pod(p),
            None => match dp.node_by_ip(ip) {
                Some(n) => TraceFrom::Node(n.name.clone()),
                None => TraceFrom::External(ip),
            },
        }),
        Target::Service(_) => Err(format!(
            "`{text}` is a Service; a trace starts at a pod, a node or an address"
        )),
    }
}

/// The client of a URL trace without `--from` (TEST-NET-3, RFC 5737).
const URL_CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 10));

/// `IP[:PORT]`, `[v6]:PORT`, a workload/pod/Service `ns/name`, a URL, or a
/// DNS name.
fn destination(dp: &Dataplane, text: &str) -> Result<(TraceTo, Option<u16>), String> {
    if text.starts_with("http://") || text.starts_with("https://") {
        return Url::parse(text)
            .map(|u| (TraceTo::Url(u), None))
            .ok_or_else(|| format!("`{text}` is not a valid http(s) URL"));
    }
    if let Ok(sa) = text.parse::<SocketAddr>() {
        return Ok((TraceTo::Address(sa.ip()), Some(sa.port())));
    }
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok((TraceTo::Address(ip), None));
    }
    if text.contains('/') {
        return match resolve(&dp.cluster, text).map_err(|e| e.to_string())? {
            Target::Pod(p) => Ok((TraceTo::Pod(p), None)),
            Target::Workload(w) => addressed_pod(dp, w, text).map(|p| (TraceTo::Pod(p), None)),
            Target::Service(s) => {
                let svc = &dp.cluster.services[s.index()];
                let ns = svc.meta.namespace.as_deref().unwrap_or("default");
                Ok((
                    TraceTo::Name(format!(
                        "{}.{ns}.svc.{}.",
                        svc.meta.name, dp.profile.cluster_domain
                    )),
                    None,
                ))
            }
            Target::Address(ip) => Ok((TraceTo::Address(ip), None)),
        };
    }
    match text.rsplit_once(':') {
        Some((name, port)) if port.parse::<u16>().is_ok() => {
            Ok((TraceTo::Name(name.to_owned()), port.parse().ok()))
        }
        _ => Ok((TraceTo::Name(text.to_owned()), None)),
    }
}

/// The first pod of a workload that has an address: the one a trace uses.
fn addressed_pod(dp: &Dataplane, w: WorkloadId, text: &str) -> Result<PodId, String> {
    dp.cluster
        .workload(w)
        .pods
        .iter()
        .copied()
        .find(|&p| !dp.cluster.pod(p).ips.is_empty())
        .ok_or_else(|| format!("workload `{text}` has no pod with an address"))
}
