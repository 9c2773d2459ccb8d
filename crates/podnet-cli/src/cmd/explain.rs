//! `podnet explain`: why traffic is allowed or denied.

use podnet_dataplane::Dataplane;
use podnet_dataplane::fronts::FrontKind;
use podnet_engine::{Engine, Target, explain, resolve};
use podnet_model::Protocol;
use podnet_report::Probe;
use podnet_report::explain::{write_json, write_text};

use podnet_cli::values::ExplainEnd;

use crate::args::{ExplainArgs, ProtocolArg, TextOrJson};
use crate::session::{Session, Status, status_after};

/// Runs the command.
pub fn run(session: &Session, args: &ExplainArgs) -> Status {
    let Some(loaded) = session.load(&args.paths) else {
        return Status::Error;
    };
    let Some(running) = session.running(&loaded) else {
        return Status::Error;
    };
    let cluster = &running.dp.cluster;
    let src = match end(&running.dp, &args.from) {
        Ok(t) => t,
        Err(e) => return session.error(&format!("--from: {e}")),
    };
    let dst = match end(&running.dp, &args.to) {
        Ok(t) => t,
        Err(e) => return session.error(&format!("--to: {e}")),
    };
    let probe = args.port.map(|port| Probe {
        protocol: match args.protocol {
            ProtocolArg::Tcp => Protocol::Tcp,
            ProtocolArg::Udp => Protocol::Udp,
            ProtocolArg::Sctp => Protocol::Sctp,
        },
        port,
    });
    let engine = Engine::new(cluster);
    session.caveats(&engine.caveats());
    let explanation = explain(&engine, &src, &dst);
    let skipped = loaded.stats.skipped;
    let printed = session.write_stdout(|out| match args.output {
        TextOrJson::Txt => write_text(out, cluster, &explanation, probe),
        TextOrJson::Json => write_json(out, cluster, &explanation, probe, skipped),
    });
    status_after(&loaded, &running, printed)
}

/// What `--from`/`--to` names, in the running cluster.
fn end(dp: &Dataplane, end: &ExplainEnd) -> Result<Target, String> {
    match end {
        // Without a controller, a workload may be called so.
        ExplainEnd::IngressController => front(dp, &FrontKind::IngressController).map_or_else(
            || resolve(&dp.cluster, "ingress-controller").map_err(|e| e.to_string()),
            Ok,
        ),
        ExplainEnd::Gateway { namespace, name } => front(
            dp,
            &FrontKind::Gateway {
                namespace: namespace.clone(),
                name: name.clone(),
            },
        )
        .ok_or_else(|| format!("no Gateway `{namespace}/{name}` with proxy pods in the input")),
        ExplainEnd::Address(ip) => resolve(&dp.cluster, &ip.to_string()).map_err(|e| e.to_string()),
        ExplainEnd::Object(name) => resolve(&dp.cluster, name).map_err(|e| e.to_string()),
    }
}

/// The ingress controller (its pods, else the ALB's first address) or a
/// Gateway's proxy pods: the sources of connlist's pseudo-peers.
fn front(dp: &Dataplane, kind: &FrontKind) -> Option<Target> {
    let front = match kind {
        FrontKind::IngressController => dp
            .fronts
            .iter()
            .find(|f| f.kind == *kind && !f.pods.is_empty())
            .or_else(|| {
                dp.fronts
                    .iter()
                    .find(|f| f.kind == *kind && !f.subnets.is_empty())
            })?,
        _ => dp.fronts.iter().find(|f| f.kind == *kind)?,
    };
    match front.pods.first() {
        Some(&p) => Some(Target::Workload(dp.cluster.pod(p).workload)),
        None => front
            .subnets
            .first()
            .and_then(|s| s.hosts().nth(3))
            .map(Target::Address),
    }
}
