//! `podnet completions SHELL`: a completion script generated from the clap
//! definitions by `clap_complete`.

use clap::CommandFactory;

use crate::args::{Cli, CompletionsArgs};
use crate::session::{Session, Status};

/// The command name the scripts complete (the kubectl plugin is completed
/// by kubectl itself).
const BIN_NAME: &str = "podnet";

/// Runs the command.
pub fn run(session: &Session, args: &CompletionsArgs) -> Status {
    let mut script = Vec::new();
    clap_complete::generate(
        args.shell,
        &mut visible(Cli::command()),
        BIN_NAME,
        &mut script,
    );
    session.write_stdout(|out| out.write_all(&script))
}

/// `command` without its hidden subcommands (the lab's agents), which
/// `clap_complete` would offer like the others.
fn visible(command: clap::Command) -> clap::Command {
    clap::Command::new(BIN_NAME)
        .version(env!("CARGO_PKG_VERSION"))
        .propagate_version(true)
        .subcommand_required(true)
        .args(command.get_arguments().cloned())
        .subcommands(
            command
                .get_subcommands()
                .filter(|s| !s.is_hide_set())
                .cloned(),
        )
}
