//! `podnet verify PATHS... [--intents FILE...]`: checks every
//! ConnectivityIntent (in the inputs and the `--intents` files) against the
//! running cluster and prints counterexamples with their explanation.

use podnet::model::Severity;
use podnet_report::verify::{write_json, write_sarif, write_text};

use crate::args::{VerifyArgs, VerifyOutput};
use crate::session::{Session, Status, status_after};

/// Runs the command.
pub fn run(session: &Session, args: &VerifyArgs) -> Status {
    let Some(analysis) = session.analyse(&args.paths) else {
        return Status::Error;
    };
    let mut intents = analysis.cluster().intents.clone();
    for file in &args.intents {
        let Some(extra) = session.intents(file) else {
            return Status::Error;
        };
        intents.extend(extra);
    }
    if intents.is_empty() {
        return session.error(
            "no ConnectivityIntent in the inputs; add some (docs/intents.md) or pass --intents FILE",
        );
    }
    let bar = session.progress("verifying intents");
    let results = analysis.verify(&intents);
    bar.finish_and_clear();
    let cluster = analysis.cluster();
    let printed = session.write_stdout(|out| match args.output {
        VerifyOutput::Txt => write_text(out, cluster, &intents, &results),
        VerifyOutput::Json => write_json(out, cluster, &intents, &results),
        VerifyOutput::Sarif => write_sarif(out, cluster, &intents, &results),
    });
    let status = status_after(&analysis, printed);
    let failing = results
        .iter()
        .any(|r| !r.holds && intents[r.intent].severity != Severity::Info);
    if status == Status::Ok && failing {
        Status::Findings
    } else {
        status
    }
}
