//! The `podnet` binary: parses the command line, runs one command, and maps
//! the outcome to an exit status (0 ok, 1 findings, 2 errors), like ripgrep.

mod args;
mod cmd;
mod session;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: podnet allocates many small values from several threads at
/// once (parallel parsing), where it is markedly faster than the system
/// allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let session = session::Session::new(&cli.global);
    let status = match &cli.command {
        args::Command::Connlist(a) => cmd::connlist::run(&session, a),
        args::Command::Explain(a) => cmd::explain::run(&session, a),
        args::Command::Trace(a) => cmd::trace::run(&session, a),
        args::Command::Dns(a) => cmd::dns::run(&session, a),
        args::Command::Ipam(a) => cmd::ipam::run(&session, a),
        args::Command::Audit(a) => cmd::audit::run(&session, a),
        args::Command::Diff(a) => cmd::diff::run(&session, a),
        args::Command::Verify(a) => cmd::verify::run(&session, a),
        args::Command::Synth(a) => cmd::synth::run(&session, a),
        args::Command::Generate(a) => cmd::generate::run(&session, a),
        args::Command::Lab(a) => cmd::lab::run(&session, a),
        args::Command::LabListen(a) => cmd::lab::listen(a),
        args::Command::LabProbe(a) => cmd::lab::probe_agent(a),
    };
    ExitCode::from(status as u8)
}
