//! `podnet dns`: a name asked as a pod's resolver asks it.

use podnet_dataplane::dns::message::RecordType;
use podnet_engine::{Target, resolve};
use podnet_report::dns::{write_json, write_text};

use crate::args::{DnsArgs, DnsType, TextOrJson};
use crate::cmd::trace::addressed_pod;
use crate::session::{Session, Status, status_after};

/// Runs the command.
pub fn run(session: &Session, args: &DnsArgs) -> Status {
    let Some(loaded) = session.load(&args.paths) else {
        return Status::Error;
    };
    let Some(running) = session.running(&loaded) else {
        return Status::Error;
    };
    let dp = &running.dp;
    let from = match &args.from {
        None => None,
        Some(name) => match resolve(&dp.cluster, name).map_err(|e| e.to_string()) {
            Ok(Target::Pod(p)) => Some(p),
            Ok(Target::Workload(w)) => match addressed_pod(dp, w, name) {
                Ok(p) => Some(p),
                Err(e) => return session.error(&format!("--from: {e}")),
            },
            Ok(_) => {
                return session.error(&format!("--from: `{}` is not a pod or workload", &**name));
            }
            Err(e) => return session.error(&format!("--from: {e}")),
        },
    };
    let qtype = match args.qtype {
        DnsType::A => RecordType::A,
        DnsType::Aaaa => RecordType::Aaaa,
        DnsType::Srv => RecordType::Srv,
        DnsType::Ptr => RecordType::Ptr,
        DnsType::Cname => RecordType::Cname,
        DnsType::Any => RecordType::Any,
    };
    let exchange = dp.ask(&args.name, from, qtype);
    let printed = session.write_stdout(|out| match args.output {
        TextOrJson::Txt => write_text(out, dp, &exchange),
        TextOrJson::Json => write_json(out, dp, &exchange),
    });
    status_after(&loaded, &running, printed)
}
