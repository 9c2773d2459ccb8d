//! Printers for `connlist`: txt, json, csv, md and dot. Every format lists
//! the same connections in the same (engine) order.

use std::collections::BTreeMap;
use std::io::{self, Write};

use podnet_engine::{ConnList, PeerRef};
use podnet_model::Cluster;

use crate::wire::{CONNLIST_SCHEMA, ConnectionJson, ConnlistJson, ConnsJson, PeerJson};

/// An output format of `connlist`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnlistFormat {
    /// `src => dst : conns`, one per line.
    Txt,
    /// `podnet.connlist/v1`.
    Json,
    /// `src,dst,conns` with a header.
    Csv,
    /// A Markdown table.
    Md,
    /// A Graphviz digraph, namespaces as clusters.
    Dot,
}

/// Facts about the run that printers mention.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunSummary {
    /// Documents skipped because of errors.
    pub skipped_documents: usize,
}

/// `ns/name[Kind]` for workloads, the ranges for outside addresses.
pub fn peer_text(cluster: &Cluster, peer: &PeerRef) -> String {
    match peer {
        PeerRef::Workload(w) => {
            let wl = cluster.workload(*w);
            format!("{}[{}]", cluster.workload_name(*w), wl.kind.as_str())
        }
        PeerRef::External(set) => set.to_string(),
        PeerRef::IngressController => INGRESS_CONTROLLER.to_owned(),
        PeerRef::Gateway { namespace, name } => format!("[gateway {namespace}/{name}]"),
    }
}

/// The name of the pod network (the cluster's default network) in the
/// network column; secondary networks are `namespace/name`.
pub const DEFAULT_NETWORK: &str = "default";

/// A connection's network for the network column.
pub fn network_text(network: Option<&str>) -> &str {
    network.unwrap_or(DEFAULT_NETWORK)
}

/// How text formats name the ingress controller pseudo-peer.
pub const INGRESS_CONTROLLER: &str = "[ingress-controller]";

fn skipped_note(summary: RunSummary) -> Option<String> {
    match summary.skipped_documents {
        0 => None,
        1 => Some("1 document was skipped because of errors (see stderr)".to_owned()),
        n => Some(format!(
            "{n} documents were skipped because of errors (see stderr)"
        )),
    }
}

/// Writes `list` in `format`.
pub fn write_connlist(
    out: &mut dyn Write,
    cluster: &Cluster,
    list: &ConnList,
    format: ConnlistFormat,
    summary: RunSummary,
) -> io::Result<()> {
    match format {
        ConnlistFormat::Txt => txt(out, cluster, list, summary),
        ConnlistFormat::Json => json(out, cluster, list, summary),
        ConnlistFormat::Csv => csv(out, cluster, list),
        ConnlistFormat::Md => md(out, cluster, list, summary),
        ConnlistFormat::Dot => dot(out, cluster, list, summary),
    }
}

fn txt(
    out: &mut dyn Write,
    cluster: &Cluster,
    list: &ConnList,
    summary: RunSummary,
) -> io::Result<()> {
    if list.connections.is_empty() {
        writeln!(out, "no allowed connections")?;
    }
    for c in &list.connections {
        let on = c
            .network
            .as_deref()
            .map(|n| format!(" (network {n})"))
            .unwrap_or_default();
        writeln!(
            out,
            "{} => {} : {}{on}",
            peer_text(cluster, &c.src),
            peer_text(cluster, &c.dst),
            c.conns
        )?;
    }
    if let Some(note) = skipped_note(summary) {
        writeln!(out, "# {note}")?;
    }
    Ok(())
}

fn json(
    out: &mut dyn Write,
    cluster: &Cluster,
    list: &ConnList,
    summary: RunSummary,
) -> io::Result<()> {
    let doc = ConnlistJson {
        schema: CONNLIST_SCHEMA,
        connections: list
            .connections
            .iter()
            .map(|c| ConnectionJson {
                src: PeerJson::new(cluster, &c.src),
                dst: PeerJson::new(cluster, &c.dst),
                conns: ConnsJson::new(&c.conns),
                network: network_text(c.network.as_deref()).to_owned(),
            })
            .collect(),
        skipped_documents: summary.skipped_documents,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

fn csv(out: &mut dyn Write, cluster: &Cluster, list: &ConnList) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(["src", "dst", "conns", "network"])?;
    for c in &list.connections {
        w.write_record([
            peer_text(cluster, &c.src),
            peer_text(cluster, &c.dst),
            c.conns.to_string(),
            network_text(c.network.as_deref()).to_owned(),
        ])?;
    }
    w.flush()
}

fn md(
    out: &mut dyn Write,
    cluster: &Cluster,
    list: &ConnList,
    summary: RunSummary,
) -> io::Result<()> {
    writeln!(out, "| src | dst | conns | network |")?;
    writeln!(out, "|-----|-----|-------|---------|")?;
    let cell = |s: String| s.replace('|', "\\|");
    for c in &list.connections {
        writeln!(
            out,
            "| {} | {} | {} | {} |",
            cell(peer_text(cluster, &c.src)),
            cell(peer_text(cluster, &c.dst)),
            cell(c.conns.to_string()),
            cell(network_text(c.network.as_deref()).to_owned())
        )?;
    }
    if let Some(note) = skipped_note(summary) {
        writeln!(out, "\n_{note}_")?;
    }
    Ok(())
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn dot(
    out: &mut dyn Write,
    cluster: &Cluster,
    list: &ConnList,
    summary: RunSummary,
) -> io::Result<()> {
    writeln!(out, "digraph podnet {{")?;
    if let Some(note) = skipped_note(summary) {
        writeln!(out, "  // {note}")?;
    }
    writeln!(out, "  rankdir=LR;")?;
    writeln!(
        out,
        "  node [shape=box, style=rounded, fontname=\"Helvetica\"];"
    )?;
    writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=10];")?;
    // Nodes: workloads grouped by namespace, then outside ranges.
    let mut by_ns: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut external: Vec<String> = Vec::new();
    for c in &list.connections {
        for end in [&c.src, &c.dst] {
            match end {
                PeerRef::Workload(w) => {
                    let wl = cluster.workload(*w);
                    let ns = cluster.namespace(wl.namespace).name.clone();
                    // Names and kinds are DNS-safe: no quote or backslash to escape.
                    by_ns.entry(ns).or_default().push(format!(
                        "{} [label=\"{}\\n{}\"]",
                        quote(&peer_text(cluster, end)),
                        wl.name,
                        wl.kind.as_str()
                    ));
                }
                PeerRef::External(_) | PeerRef::IngressController | PeerRef::Gateway { .. } => {
                    external.push(peer_text(cluster, end));
                }
            }
        }
    }
    for (i, (ns, mut nodes)) in by_ns.into_iter().enumerate() {
        nodes.sort();
        nodes.dedup();
        writeln!(out, "  subgraph cluster_{i} {{")?;
        writeln!(out, "    label={};", quote(&ns))?;
        for n in nodes {
            writeln!(out, "    {n};")?;
        }
        writeln!(out, "  }}")?;
    }
    external.sort();
    external.dedup();
    for e in external {
        writeln!(out, "  {} [shape=ellipse, style=dashed];", quote(&e))?;
    }
    for c in &list.connections {
        writeln!(
            out,
            "  {} -> {} [label={}];",
            quote(&peer_text(cluster, &c.src)),
            quote(&peer_text(cluster, &c.dst)),
            quote(&match &c.network {
                Some(n) => format!("{} ({n})", c.conns),
                None => c.conns.to_string(),
            })
        )?;
    }
    writeln!(out, "}}")
}
