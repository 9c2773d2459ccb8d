//! `podnet ipam`: how addresses are allocated and used.

use podnet_report::ipam::{write_json, write_text};

use crate::args::{IpamArgs, TextOrJson};
use crate::session::{Session, Status, status_after};

/// Runs the command.
pub fn run(session: &Session, args: &IpamArgs) -> Status {
    let Some(analysis) = session.analyse(&args.paths) else {
        return Status::Error;
    };
    let dp = analysis.dataplane();
    let printed = session.write_stdout(|out| match args.output {
        TextOrJson::Txt => write_text(out, dp),
        TextOrJson::Json => write_json(out, dp),
    });
    status_after(&analysis, printed)
}
