//! `podnet explain`: why traffic is allowed or denied.

use podnet_dataplane::Dataplane;
use podnet_dataplane::fronts::FrontKind;
use podnet_engine::{Engine, Target, explain, resolve};
use podnet_model::Protocol;
use podnet_report::Probe;
use podnet_report::explain::{write_json, write_text};

use crate::args::{ExplainArgs, ProtocolArg, TextOrJson};

/// What `--from`/`--to` call the ingress controller.
const INGRESS_CONTROLLER: &str = "ingress-controller";
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
    let src = match resolve_front(&running.dp, &args.from)
        .map_or_else(|| resolve(cluster, &args.from), Ok)
    {
        Ok(t) => t,
        Err(e) => return session.error(&format!("--from: {e}")),
    };
    let dst =
        match resolve_front(&running.dp, &args.to).map_or_else(|| resolve(cluster, &args.to), Ok) {
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
    if args.port == Some(0) {
        return session.error("--port must be between 1 and 65535");
    }
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

/// `ingress-controller` (the controller's pods, else the ALB's first
/// address) and `gateway:NS/NAME` (the Gateway's proxy pods), the sources
/// of connlist's pseudo-peers.
fn resolve_front(dp: &Dataplane, text: &str) -> Option<Target> {
    let front = if text == INGRESS_CONTROLLER {
        dp.fronts
            .iter()
            .find(|f| f.kind == FrontKind::IngressController && !f.pods.is_empty())
            .or_else(|| {
                dp.fronts
                    .iter()
                    .find(|f| f.kind == FrontKind::IngressController && !f.subnets.is_empty())
            })?
    } else {
        let (namespace, name) = text.strip_prefix("gateway:")?.split_once('/')?;
        dp.fronts.iter().find(|f| {
            f.kind
                == FrontKind::Gateway {
                    namespace: namespace.to_owned(),
                    name: name.to_owned(),
                }
        })?
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
