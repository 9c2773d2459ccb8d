//! `podnet synth --intents FILE [PATHS...]`: writes the NetworkPolicies
//! realising the intents for the workloads of PATHS (docs/synth.md), then
//! checks them with the engine; exit 1 when the check fails.

use std::io;

use podnet::SynthResult;
use podnet::synth::{Synthesis, yaml};

use crate::args::{SynthArgs, SynthOutput};
use crate::session::{Session, Status, status_after};

/// Runs the command.
pub fn run(session: &Session, args: &SynthArgs) -> Status {
    // Intents are read strictly, as verify reads them: policies written
    // from some of the intents would deny what the others allow.
    let (analysis, intents) = if args.paths.is_empty() {
        // The workloads come from the intents' files.
        let Some(declared) = session.declared(&args.intents) else {
            return Status::Error;
        };
        if declared.has_errors() {
            return Status::Error;
        }
        if let Some(arg) = declared.first_without_intents(&args.intents) {
            return session.error(&format!(
                "--intents `{arg}`: no ConnectivityIntent (podnet.dev/v1alpha1) in it"
            ));
        }
        let intents = declared.cluster().intents.clone();
        let Some(analysis) = session.run(declared) else {
            return Status::Error;
        };
        (analysis, intents)
    } else {
        let mut intents = Vec::new();
        for file in &args.intents {
            let Some(from_file) = session.intents(file) else {
                return Status::Error;
            };
            intents.extend(from_file);
        }
        let Some(analysis) = session.analyse(&args.paths) else {
            return Status::Error;
        };
        (analysis, intents)
    };
    let bar = session.progress("synthesising policies");
    let SynthResult { synthesis, check } = analysis.synthesize(&intents);
    bar.finish_and_clear();
    let printed = match &args.out {
        Some(dir) => write_dir(session, dir, &synthesis, args.output),
        None => session.write_stdout(|out| {
            let text = render(&synthesis.policies, args.output).map_err(io::Error::other)?;
            out.write_all(text.as_bytes())
        }),
    };
    // Like every diagnostic on stderr: a closed stderr loses the account,
    // not the exit code.
    let _ = podnet_report::synth::write_synth_report(
        &mut io::stderr().lock(),
        analysis.cluster(),
        &intents,
        &synthesis,
        &check,
    );
    let status = status_after(&analysis, printed);
    if status == Status::Ok && !check.passed() {
        Status::Findings
    } else {
        status
    }
}

fn render(
    policies: &[podnet::synth::SynthPolicy],
    output: SynthOutput,
) -> Result<String, yaml::WriteError> {
    match output {
        SynthOutput::Yaml => yaml::to_yaml(policies),
        SynthOutput::Json => yaml::to_json(policies).map(|s| s + "\n"),
    }
}

/// One file per namespace: `DIR/<namespace>.yaml` (or `.json`).
fn write_dir(
    session: &Session,
    dir: &std::path::Path,
    synthesis: &Synthesis,
    output: SynthOutput,
) -> Status {
    if let Err(e) = std::fs::create_dir_all(dir) {
        return session.error(&format!("cannot create `{}`: {e}", dir.display()));
    }
    let ext = match output {
        SynthOutput::Yaml => "yaml",
        SynthOutput::Json => "json",
    };
    for chunk in synthesis
        .policies
        .chunk_by(|a, b| a.namespace == b.namespace)
    {
        let Some(first) = chunk.first() else {
            continue;
        };
        let path = dir.join(format!("{}.{ext}", first.namespace));
        let text = match render(chunk, output) {
            Ok(t) => t,
            Err(e) => return session.error(&format!("cannot render the policies: {e}")),
        };
        if let Err(e) = std::fs::write(&path, text) {
            return session.error(&format!("cannot write `{}`: {e}", path.display()));
        }
    }
    Status::Ok
}
