//! `podnet diff OLD NEW` or `podnet diff --git REV PATHS...`: the flows a
//! change adds, removes and changes. With `--git`, OLD is the PATHS as
//! they are at REV in the repository they sit in, read with `git` into a
//! temporary directory; NEW is the working tree.

use podnet::engine::DiffOptions;
use podnet::git::Checkout;
use podnet_report::diff::{DiffFormat, DiffPrint, Skipped, write_diff};

use crate::args::{DiffArgs, DiffOutput};
use crate::session::{Session, Status};

/// Runs the command.
pub fn run(session: &Session, args: &DiffArgs) -> Status {
    let (old_paths, new_paths, _checkout) = match &args.git {
        Some(rev) => {
            if args.paths.is_empty() {
                return session.error("--git REV needs the PATHS to compare");
            }
            match Checkout::at(rev, &args.paths) {
                Ok(c) => (c.paths().to_vec(), args.paths.clone(), Some(c)),
                Err(e) => return session.error(&format!("--git {rev}: {e}")),
            }
        }
        None => match args.paths.as_slice() {
            [old, new] if old == "-" && new == "-" => {
                return session
                    .error("OLD and NEW are both standard input; give one of them as a path");
            }
            [old, new] => (vec![old.clone()], vec![new.clone()], None),
            _ => return session.error("give OLD and NEW, or --git REV PATHS..."),
        },
    };
    let Some((old, new)) = session.analyse_pair(&old_paths, &new_paths) else {
        return Status::Error;
    };
    let bar = session.progress("comparing connectivity");
    let d = podnet::diff(
        &old,
        &new,
        DiffOptions {
            ignore_namespace: args.ignore_namespace,
            list_unchanged: args.unchanged,
        },
    );
    bar.finish_and_clear();
    let format = match args.output {
        DiffOutput::Txt => DiffFormat::Txt,
        DiffOutput::Json => DiffFormat::Json,
        DiffOutput::Csv => DiffFormat::Csv,
        DiffOutput::Md => DiffFormat::Md,
    };
    let print = DiffPrint {
        skipped: Skipped {
            old: old.skipped_documents(),
            new: new.skipped_documents(),
        },
        unchanged: args.unchanged,
    };
    let printed = session.write_stdout(|out| write_diff(out, &d, format, print));
    if printed == Status::Error || old.has_errors() || new.has_errors() {
        Status::Error
    } else if args.exit_code && !d.is_empty() {
        Status::Findings
    } else {
        Status::Ok
    }
}
