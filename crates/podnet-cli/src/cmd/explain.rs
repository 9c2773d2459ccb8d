//! `podnet explain`: why traffic is allowed or denied.

use podnet_engine::{Engine, explain, resolve};
use podnet_model::Protocol;
use podnet_report::Probe;
use podnet_report::explain::{write_json, write_text};

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
    let src = match resolve(cluster, &args.from) {
        Ok(t) => t,
        Err(e) => return session.error(&format!("--from: {e}")),
    };
    let dst = match resolve(cluster, &args.to) {
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
