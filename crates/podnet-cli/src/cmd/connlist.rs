//! `podnet connlist`: every allowed connection.

use podnet_dataplane::{fronts, networks};
use podnet_engine::{Engine, PeerRef, Target, connlist, resolve};
use podnet_model::NetworkRef;
use podnet_report::connlist::DEFAULT_NETWORK;
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
    let secondary: Vec<NetworkRef> = match args.network.as_deref() {
        None => cluster
            .networks
            .iter()
            .map(|n| NetworkRef::new(cluster.namespace(n.namespace).name.clone(), n.name.clone()))
            .collect(),
        Some(DEFAULT_NETWORK) => Vec::new(),
        Some(name) => match cluster
            .networks
            .iter()
            .find(|n| format!("{}/{}", cluster.namespace(n.namespace).name, n.name) == name)
        {
            Some(n) => vec![NetworkRef::new(
                cluster.namespace(n.namespace).name.clone(),
                n.name.clone(),
            )],
            None => {
                return session.error(&format!(
                    "--network `{name}`: no NetworkAttachmentDefinition `{name}` in the input (or use `{DEFAULT_NETWORK}`)"
                ));
            }
        },
    };
    let pod_network = args.network.as_deref().is_none_or(|n| n == DEFAULT_NETWORK);
    let bar = session.progress("computing connectivity");
    let engine = Engine::new(cluster);
    session.caveats(&engine.caveats());
    let mut list = connlist(&engine);
    let dp = &running.dp;
    let through_fronts = fronts::connections(&engine, &dp.fronts, &dp.routes);
    fronts::add_to_connlist(&mut list, &dp.fronts, &through_fronts);
    if !pod_network {
        list.connections.clear();
    }
    for network in &secondary {
        list.connections
            .extend(networks::connections_on(cluster, network));
    }
    list.sort();
    bar.finish_and_clear();
    if let Some(w) = focus {
        list.retain_ends(|p| *p == PeerRef::Workload(w));
    }
    if let Some(ns) = namespace {
        list.retain_ends(
            |p| matches!(p, PeerRef::Workload(w) if cluster.workload(*w).namespace == ns),
        );
    }
    let format = match args.output {
        ConnlistOutput::Txt => ConnlistFormat::Txt,
        ConnlistOutput::Json => ConnlistFormat::Json,
        ConnlistOutput::Csv => ConnlistFormat::Csv,
        ConnlistOutput::Md => ConnlistFormat::Md,
        ConnlistOutput::Dot => ConnlistFormat::Dot,
    };
    let summary = RunSummary {
        skipped_documents: loaded.stats.skipped,
    };
    let printed = session.write_stdout(|out| write_connlist(out, cluster, &list, format, summary));
    status_after(&loaded, &running, printed)
}
