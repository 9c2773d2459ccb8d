//! `podnet trace`: one connection, hop by hop.

use std::net::{IpAddr, Ipv4Addr};

use podnet_cli::values;
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
    let (to, port) = match destination(dp, &args.to) {
        Ok(t) => t,
        Err(e) => return session.error(&format!("--to: {e}")),
    };
    let from = match (&args.from, &to) {
        (Some(from), _) => source(dp, from),
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

/// The source, found in the running cluster.
fn source(dp: &Dataplane, from: &values::TraceFrom) -> Result<TraceFrom, String> {
    match from {
        values::TraceFrom::Node(name) => dp
            .node(name)
            .map(|n| TraceFrom::Node(n.name.clone()))
            .ok_or_else(|| {
                let names: Vec<&str> = dp.nodes.iter().map(|n| n.name.as_str()).collect();
                format!("no node is called `{name}`; nodes: {}", names.join(", "))
            }),
        values::TraceFrom::External(ip) => Ok(TraceFrom::External(*ip)),
        values::TraceFrom::Address(ip) => Ok(match dp.pod_by_ip(*ip) {
            Some(p) => TraceFrom::Pod(p),
            None => match dp.node_by_ip(*ip) {
                Some(n) => TraceFrom::Node(n.name.clone()),
                None => TraceFrom::External(*ip),
            },
        }),
        values::TraceFrom::Object(name) => {
            match resolve(&dp.cluster, name).map_err(|e| e.to_string())? {
                Target::Pod(p) => Ok(TraceFrom::Pod(p)),
                Target::Workload(w) => addressed_pod(dp, w, name).map(TraceFrom::Pod),
                Target::Address(ip) => Ok(TraceFrom::External(ip)),
                Target::Service(_) => Err(format!(
                    "`{name}` is a Service; a trace starts at a pod, a node or an address"
                )),
            }
        }
    }
}

/// The client of a URL trace without `--from` (TEST-NET-3, RFC 5737).
const URL_CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 10));

/// The destination, found in the running cluster, with the port it names.
fn destination(dp: &Dataplane, to: &values::TraceTo) -> Result<(TraceTo, Option<u16>), String> {
    match to {
        values::TraceTo::Url(u) => Ok((TraceTo::Url(u.clone()), None)),
        values::TraceTo::Address(ip, port) => Ok((TraceTo::Address(*ip), *port)),
        values::TraceTo::Name(name, port) => Ok((TraceTo::Name(name.to_string()), *port)),
        values::TraceTo::Object(name) => {
            match resolve(&dp.cluster, name).map_err(|e| e.to_string())? {
                Target::Pod(p) => Ok((TraceTo::Pod(p), None)),
                Target::Workload(w) => addressed_pod(dp, w, name).map(|p| (TraceTo::Pod(p), None)),
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
            }
        }
    }
}

/// The first pod of a workload that has an address: the one a trace uses.
pub(crate) fn addressed_pod(dp: &Dataplane, w: WorkloadId, text: &str) -> Result<PodId, String> {
    dp.cluster
        .workload(w)
        .pods
        .iter()
        .copied()
        .find(|&p| !dp.cluster.pod(p).ips.is_empty())
        .ok_or_else(|| format!("workload `{text}` has no pod with an address"))
}
