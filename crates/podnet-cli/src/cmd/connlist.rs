//! `podnet connlist`: every allowed connection.

use std::io;

use indicatif::ProgressBar;
use podnet::engine::{FlowBatch, FlowSource};
use podnet::{ConnlistQuery, NameError, NetworkChoice};
use podnet_report::connlist::DEFAULT_NETWORK;
use podnet_report::connlist_groups::{GroupFormat, write_groups};
use podnet_report::{ConnlistFormat, RunSummary, write_connlist};

use crate::args::{ConnlistArgs, ConnlistOutput};
use crate::session::{Session, Status, status_after};

/// Runs the command.
pub fn run(session: &Session, args: &ConnlistArgs) -> Status {
    let Some(analysis) = session.analyse(&args.paths) else {
        return Status::Error;
    };
    let query = ConnlistQuery {
        focus: args.focus_workload.as_deref().map(str::to_owned),
        namespace: args.namespace.as_deref().map(str::to_owned),
        networks: match args.network.as_deref() {
            None => NetworkChoice::All,
            Some(DEFAULT_NETWORK) => NetworkChoice::PodNetwork,
            Some(name) => NetworkChoice::Attachment(name.to_owned()),
        },
    };
    let scope = match analysis.connlist_scope(&query) {
        Ok(s) => s,
        Err(e @ NameError::NotAWorkload(_)) => {
            return session.error(&format!("--focus-workload {e}"));
        }
        Err(NameError::NoNetwork(name)) => {
            return session.error(&format!(
                "--network `{name}`: no NetworkAttachmentDefinition `{name}` in the input (or use `{DEFAULT_NETWORK}`)"
            ));
        }
        Err(e) => return session.error(&e.to_string()),
    };
    if args.group && matches!(args.output, ConnlistOutput::Dot) {
        return session.error("--group prints txt, json, csv or md, not dot");
    }
    let bar = session.progress("computing connectivity");
    let connectivity = analysis.connectivity();
    bar.finish_and_clear();
    session.caveats(&connectivity.caveats());
    // What the input cannot decide, listed by the JSON formats (pairs and
    // groups alike).
    let undecided =
        matches!(args.output, ConnlistOutput::Json).then(|| connectivity.undecided(&scope));
    let summary = RunSummary {
        skipped_documents: analysis.skipped_documents(),
        unknown: undecided.as_ref(),
    };
    let cluster = analysis.cluster();
    if args.group {
        let bar = session.progress("grouping connections");
        let lines = connectivity.groups(&scope);
        bar.finish_and_clear();
        let format = match args.output {
            ConnlistOutput::Json => GroupFormat::Json,
            ConnlistOutput::Csv => GroupFormat::Csv,
            ConnlistOutput::Md => GroupFormat::Md,
            ConnlistOutput::Txt | ConnlistOutput::Dot => GroupFormat::Txt,
        };
        let printed =
            session.write_stdout(|out| write_groups(out, cluster, &lines, format, summary));
        return status_after(&analysis, printed);
    }
    let flows = connectivity.connlist(&scope);
    let format = match args.output {
        ConnlistOutput::Txt => ConnlistFormat::Txt,
        ConnlistOutput::Json => ConnlistFormat::Json,
        ConnlistOutput::Csv => ConnlistFormat::Csv,
        ConnlistOutput::Md => ConnlistFormat::Md,
        ConnlistOutput::Dot => ConnlistFormat::Dot,
    };
    let bar = session.counter("connections written");
    let counted = Counted {
        source: &flows,
        bar: &bar,
    };
    let printed =
        session.write_stdout(|out| write_connlist(out, cluster, &counted, format, summary));
    bar.finish_and_clear();
    status_after(&analysis, printed)
}

/// A stream that counts its connections on a progress bar.
struct Counted<'a> {
    source: &'a dyn FlowSource,
    bar: &'a ProgressBar,
}

impl FlowSource for Counted<'_> {
    fn for_each_batch(
        &self,
        sink: &mut dyn FnMut(FlowBatch<'_>) -> io::Result<()>,
    ) -> io::Result<()> {
        self.source.for_each_batch(&mut |batch| {
            self.bar.inc(batch.flows.len() as u64);
            sink(batch)
        })
    }
}
