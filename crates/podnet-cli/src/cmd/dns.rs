//! `podnet dns`: a name asked as a pod's resolver asks it.

use podnet::dataplane::dns::message::RecordType;
use podnet_report::dns::{write_json, write_text};

use crate::args::{DnsArgs, DnsType, TextOrJson};
use crate::session::{Session, Status, status_after};

/// Runs the command.
pub fn run(session: &Session, args: &DnsArgs) -> Status {
    let Some(analysis) = session.analyse(&args.paths) else {
        return Status::Error;
    };
    let qtype = match args.qtype {
        DnsType::A => RecordType::A,
        DnsType::Aaaa => RecordType::Aaaa,
        DnsType::Srv => RecordType::Srv,
        DnsType::Ptr => RecordType::Ptr,
        DnsType::Cname => RecordType::Cname,
        DnsType::Any => RecordType::Any,
    };
    let exchange = match analysis.ask_dns(&args.name, args.from.as_deref(), qtype) {
        Ok(x) => x,
        Err(e) => return session.error(&format!("--from: {e}")),
    };
    let dp = analysis.dataplane();
    let printed = session.write_stdout(|out| match args.output {
        TextOrJson::Txt => write_text(out, dp, &exchange),
        TextOrJson::Json => write_json(out, dp, &exchange),
    });
    status_after(&analysis, printed)
}
