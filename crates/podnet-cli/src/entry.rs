//! What both executables (`podnet` and the kubectl plugin `kubectl-podnet`)
//! run: parse the command line, run one command, map the outcome to an exit
//! status (0 ok, 1 findings, 2 errors), like ripgrep.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::{args, cmd, program, session};

/// Runs the command line of this process. Only the program name in help and
/// usage depends on the executable's name.
pub fn run() -> ExitCode {
    let mut command = args::Cli::command();
    if let Some(name) = std::env::args_os()
        .next()
        .as_deref()
        .and_then(program::usage_name)
    {
        command = command.bin_name(name);
    }
    // As clap's `Parser::parse` does, with the name set above.
    let mut matches = command.get_matches_mut();
    let cli = args::Cli::from_arg_matches_mut(&mut matches)
        .unwrap_or_else(|e| e.format(&mut command).exit());
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
        args::Command::Report(a) => cmd::report::run(&session, a),
        args::Command::Synth(a) => cmd::synth::run(&session, a),
        args::Command::Generate(a) => cmd::generate::run(&session, a),
        args::Command::Lab(a) => cmd::lab::run(&session, a),
        args::Command::Completions(a) => cmd::completions::run(&session, a),
        args::Command::Man(a) => cmd::man::run(&session, a),
        args::Command::LabListen(a) => cmd::lab::listen(a),
        args::Command::LabProbe(a) => cmd::lab::probe_agent(a),
    };
    ExitCode::from(status as u8)
}
