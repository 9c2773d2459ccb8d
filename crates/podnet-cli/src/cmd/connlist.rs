//! `podnet connlist`: every allowed connection.

use podnet_dataplane::Networks;
use podnet_dataplane::connectivity::KeepPair;
use std::io;

use indicatif::ProgressBar;
use podnet_engine::{Engine, Filtered, FlowBatch, FlowSource, PeerRef, Scope, Target, resolve};
use podnet_model::NsId;
use podnet_report::connlist::DEFAULT_NETWORK;
use podnet_report::connlist_groups::{GroupFormat, write_groups};
use podnet_report::{ConnlistFormat, RunSummary, write_connlist};

use crate::args::{ConnlistArgs, ConnlistOutput};
use crate::session::{Session, Status, status_after};

/// Runs the command.
pub fn run(session: &Session, args: &ConnlistArgs) -> Status {
    let Some(loaded) = session.load(&args.paths) else {
        return Status::Error;
    };
    let Some(running) = session.running(&loaded) else {
        return Status::Error;
    };
    let cluster = &running.dp.cluster;
    let focus = match &args.focus_workload {
        None => None,
        Some(name) => match resolve(cluster, name) {
            Ok(Target::Workload(w)) => Some(w),
            Ok(Target::Pod(p)) => Some(cluster.pod(p).workload),
            Ok(_) => return session.error(&format!("--focus-workload `{name}` is not a workload")),
            Err(e) => return session.error(&e.to_string()),
        },
    };
    let namespace = match &args.namespace {
        None => None,
        Some(ns) => match cluster.namespace_by_name(ns) {
            Some(id) => Some(id),
            None => return session.error(&format!("no namespace `{ns}` in the input")),
        },
    };
    let networks = match args.network.as_deref() {
        None => Networks::All,
        Some(DEFAULT_NETWORK) => Networks::PodNetwork,
        Some(name) => match running
            .dp
            .network_refs()
            .into_iter()
            .find(|n| n.to_string() == name)
        {
            Some(n) => Networks::Secondary(n),
            None => {
                return session.error(&format!(
                    "--network `{name}`: no NetworkAttachmentDefinition `{name}` in the input (or use `{DEFAULT_NETWORK}`)"
                ));
            }
        },
    };
    if args.group && matches!(args.output, ConnlistOutput::Dot) {
        return session.error("--group prints txt, json, csv or md, not dot");
    }
    let bar = session.progress("computing connectivity");
    let engine = Engine::new(cluster);
    bar.finish_and_clear();
    session.caveats(&engine.caveats());
    let in_namespace = |p: &PeerRef, ns: NsId| matches!(p, PeerRef::Workload(w) if cluster.workload(*w).namespace == ns);
    let scope = match (focus, namespace) {
        (Some(w), _) => Scope::focus(vec![w]),
        (None, Some(ns)) => Scope::focus(
            cluster
                .workload_ids()
                .filter(|&w| cluster.workload(w).namespace == ns)
                .collect(),
        ),
        (None, None) => Scope::all(),
    };
    let keep_namespace = |s: &PeerRef, d: &PeerRef| {
        namespace.is_none_or(|ns| in_namespace(s, ns) || in_namespace(d, ns))
    };
    let summary = RunSummary {
        skipped_documents: loaded.stats.skipped,
    };
    if args.group {
        let bar = session.progress("grouping connections");
        let filter: Option<&KeepPair<'_>> =
            (focus.is_some() && namespace.is_some()).then_some(&keep_namespace);
        let lines = running.dp.groups(&engine, &networks, scope, filter);
        bar.finish_and_clear();
        let format = match args.output {
            ConnlistOutput::Json => GroupFormat::Json,
            ConnlistOutput::Csv => GroupFormat::Csv,
            ConnlistOutput::Md => GroupFormat::Md,
            ConnlistOutput::Txt | ConnlistOutput::Dot => GroupFormat::Txt,
        };
        let printed =
            session.write_stdout(|out| write_groups(out, cluster, &lines, format, summary));
        return status_after(&loaded, &running, printed);
    }
    let flows = running.dp.flows(&engine, &networks, scope);
    // A focus outside the namespace: keep its connections with the namespace.
    let both = Filtered {
        source: &flows,
        keep: keep_namespace,
    };
    let source: &dyn FlowSource = if focus.is_some() && namespace.is_some() {
        &both
    } else {
        &flows
    };
    let format = match args.output {
        ConnlistOutput::Txt => ConnlistFormat::Txt,
        ConnlistOutput::Json => ConnlistFormat::Json,
        ConnlistOutput::Csv => ConnlistFormat::Csv,
        ConnlistOutput::Md => ConnlistFormat::Md,
        ConnlistOutput::Dot => ConnlistFormat::Dot,
    };
    let bar = session.counter("connections written");
    let counted = Counted { source, bar: &bar };
    let printed =
        session.write_stdout(|out| write_connlist(out, cluster, &counted, format, summary));
    bar.finish_and_clear();
    status_after(&loaded, &running, printed)
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
