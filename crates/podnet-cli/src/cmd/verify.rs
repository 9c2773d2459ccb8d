//! `podnet verify PATHS... [--intents FILE...]`: checks every
//! ConnectivityIntent (in the inputs and the `--intents` files) against the
//! running cluster and prints counterexamples with their explanation.

use podnet_engine::{Engine, verify};
use podnet_model::IntentSeverity;
use podnet_report::verify::{write_json, write_sarif, write_text};

use crate::args::{VerifyArgs, VerifyOutput};
use crate::session::{Session, Status, status_after};

/// Runs the command.
pub fn run(session: &Session, args: &VerifyArgs) -> Status {
    let Some(loaded) = session.load(&args.paths) else {
        return Status::Error;
    };
    let Some(running) = session.running(&loaded) else {
        return Status::Error;
    };
    let mut intents = running.dp.cluster.intents.clone();
    for file in &args.intents {
        let Some(extra) = session.load_intents(file) else {
            return Status::Error;
        };
        intents.extend(extra.cluster.intents);
    }
    if intents.is_empty() {
        return session.error(
            "no ConnectivityIntent in the inputs; add some (docs/intents.md) or pass --intents FILE",
        );
    }
    let dp = &running.dp;
    let bar = session.progress("verifying intents");
    let engine = Engine::with_intents(&dp.cluster, &intents);
    let results = verify(&engine, &intents);
    bar.finish_and_clear();
    let cluster = &dp.cluster;
    let printed = session.write_stdout(|out| match args.output {
        VerifyOutput::Txt => write_text(out, cluster, &intents, &results),
        VerifyOutput::Json => write_json(out, cluster, &intents, &results),
        VerifyOutput::Sarif => write_sarif(out, cluster, &intents, &results),
    });
    let status = status_after(&loaded, &running, printed);
    let failing = results
        .iter()
        .any(|r| !r.holds && intents[r.intent].severity != IntentSeverity::Info);
    if status == Status::Ok && failing {
        Status::Findings
    } else {
        status
    }
}
