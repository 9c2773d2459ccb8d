//! `podnet ipam`: how addresses are allocated and used.

use podnet_report::ipam::{write_json, write_text};

use crate::args::{IpamArgs, TextOrJson};
use crate::session::{Session, Status, status_after};

/// Runs the command.
pub fn run(session: &Session, args: &IpamArgs) -> Status {
    let Some(loaded) = session.load(&args.paths) else {
        return Status::Error;
    };
    let Some(running) = session.running(&loaded) else {
        return Status::Error;
    };
    let dp = &running.dp;
    let printed = session.write_stdout(|out| match args.output {
        TextOrJson::Txt => write_text(out, dp),
        TextOrJson::Json => write_json(out, dp),
    });
    status_after(&loaded, &running, printed)
}
