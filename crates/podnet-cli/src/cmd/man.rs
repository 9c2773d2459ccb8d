//! `podnet man [--out DIR]`: manual pages (roff) generated from the clap
//! definitions by `clap_mangen`.

use std::io;
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_mangen::Man;

use crate::args::{Cli, ManArgs};
use crate::session::{Session, Status};

/// Runs the command.
pub fn run(session: &Session, args: &ManArgs) -> Status {
    let Some(dir) = &args.out else {
        let mut page = Vec::new();
        if let Err(e) = page_of(Cli::command()).render(&mut page) {
            return session.error(&format!("cannot render the manual page: {e}"));
        }
        return session.write_stdout(|out| out.write_all(&page));
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        return session.error(&format!("cannot create `{}`: {e}", dir.display()));
    }
    // Built, the subcommands are named `podnet-connlist` and so on, which
    // names their pages.
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    let mut written = Vec::new();
    if let Err(e) = write_pages(&command, dir, &mut written) {
        return session.error(&format!(
            "cannot write a manual page into `{}`: {e}",
            dir.display()
        ));
    }
    session.write_stdout(|out| {
        writeln!(
            out,
            "wrote {} manual pages to {}",
            written.len(),
            dir.display()
        )
    })
}

/// One page, its footer naming podnet and its version (not the subcommand).
fn page_of(command: clap::Command) -> Man {
    Man::new(command).source(format!("podnet {}", env!("CARGO_PKG_VERSION")))
}

/// Writes the page of `command` and of each of its visible subcommands.
fn write_pages(command: &clap::Command, dir: &Path, written: &mut Vec<PathBuf>) -> io::Result<()> {
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub, dir, written)?;
    }
    written.push(page_of(command.clone()).generate_to(dir)?);
    Ok(())
}
