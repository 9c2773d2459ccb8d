//! `podnet explain`: why traffic is allowed or denied.

use podnet::model::Protocol;
use podnet::{Analysis, ExplainEnd, NameError};
use podnet_report::Probe;
use podnet_report::explain::{write_json, write_text};

use podnet_cli::values;

use crate::args::{ExplainArgs, ProtocolArg, TextOrJson};
use crate::session::{Session, Status, status_after};

/// Runs the command.
pub fn run(session: &Session, args: &ExplainArgs) -> Status {
    let Some(analysis) = session.analyse(&args.paths) else {
        return Status::Error;
    };
    let src = match end(&analysis, &args.from) {
        Ok(t) => t,
        Err(e) => return session.error(&format!("--from: {e}")),
    };
    let dst = match end(&analysis, &args.to) {
        Ok(t) => t,
        Err(e) => return session.error(&format!("--to: {e}")),
    };
    let probe = args.port.map(|port| Probe {
        protocol: protocol(args.protocol),
        port,
    });
    let connectivity = analysis.connectivity();
    session.caveats(&connectivity.caveats());
    let explanation = connectivity.explain(&src, &dst);
    let cluster = analysis.cluster();
    let skipped = analysis.skipped_documents();
    let printed = session.write_stdout(|out| match args.output {
        TextOrJson::Txt => write_text(out, cluster, &explanation, probe),
        TextOrJson::Json => write_json(out, cluster, &explanation, probe, skipped),
    });
    status_after(&analysis, printed)
}

/// `--protocol` as the model's.
pub(crate) fn protocol(arg: ProtocolArg) -> Protocol {
    match arg {
        ProtocolArg::Tcp => Protocol::Tcp,
        ProtocolArg::Udp => Protocol::Udp,
        ProtocolArg::Sctp => Protocol::Sctp,
    }
}

/// What `--from`/`--to` names, in the running cluster.
fn end(analysis: &Analysis, end: &values::ExplainEnd) -> Result<podnet::engine::Target, NameError> {
    analysis.explain_end(&match end {
        values::ExplainEnd::IngressController => ExplainEnd::IngressController,
        values::ExplainEnd::Gateway { namespace, name } => ExplainEnd::Gateway {
            namespace: namespace.clone(),
            name: name.clone(),
        },
        values::ExplainEnd::Address(ip) => ExplainEnd::Address(*ip),
        values::ExplainEnd::Object(name) => ExplainEnd::Named(name.to_string()),
    })
}
