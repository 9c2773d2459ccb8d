//! Printers for `connlist`: txt, json, csv, md and dot. Every format lists
//! the same connections in the same (engine) order, written as the stream
//! produces them: memory does not grow with the number of connections
//! (dot reads the stream twice: its nodes come before its edges).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, Write};
use std::sync::OnceLock;

use podnet_engine::{ConnsId, ConnsTable, Flow, FlowBatch, FlowSource, PeerRef, UndecidedFlows};
use podnet_model::{Cluster, Conns};
use rayon::prelude::*;

use crate::wire::{CONNLIST_SCHEMA, ConnsJson, PeerJson};

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
pub struct RunSummary<'a> {
    /// Documents skipped because of errors.
    pub skipped_documents: usize,
    /// The connections the input cannot decide, for the JSON format
    /// (`None`: not computed).
    pub unknown: Option<&'a UndecidedFlows>,
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

fn skipped_note(summary: RunSummary<'_>) -> Option<String> {
    match summary.skipped_documents {
        0 => None,
        1 => Some("1 document was skipped because of errors (see stderr)".to_owned()),
        n => Some(format!(
            "{n} documents were skipped because of errors (see stderr)"
        )),
    }
}

/// Connections formatted per parallel task.
const CHUNK: usize = 2048;
/// Tasks formatted before their text is written.
const WINDOW: usize = 16;

/// Texts of peers and connection sets, computed once each.
struct Texts<'c> {
    cluster: &'c Cluster,
    /// Per workload: its text (txt, csv, md, dot).
    workloads: Vec<OnceLock<String>>,
    /// Per workload: its JSON, indented as a connection's field.
    workloads_json: Vec<OnceLock<String>>,
    /// The current table's connection sets: text, JSON.
    conns: HashMap<ConnsId, (String, String)>,
    /// Which table `conns` is of.
    table: usize,
}

/// Continuation lines of a connection's fields are indented by six.
fn indent_field(json: &str) -> String {
    json.replace('\n', "\n      ")
}

impl<'c> Texts<'c> {
    fn new(cluster: &'c Cluster) -> Self {
        let n = cluster.workloads.len();
        Texts {
            cluster,
            workloads: (0..n).map(|_| OnceLock::new()).collect(),
            workloads_json: (0..n).map(|_| OnceLock::new()).collect(),
            conns: HashMap::new(),
            table: 0,
        }
    }

    /// Makes the texts of every connection set of `batch` available.
    fn prepare(&mut self, batch: &FlowBatch<'_>) {
        let table = std::ptr::from_ref::<ConnsTable>(batch.table) as usize;
        if table != self.table {
            self.conns.clear();
            self.table = table;
        }
        for f in batch.flows {
            self.conns.entry(f.conns).or_insert_with(|| {
                let conns: &Conns = batch.table.get(f.conns);
                let json = serde_json::to_string_pretty(&ConnsJson::new(conns))
                    .map(|s| indent_field(&s))
                    .unwrap_or_default();
                (conns.to_string(), json)
            });
        }
    }

    fn conns(&self, id: ConnsId) -> &str {
        self.conns.get(&id).map_or("", |c| c.0.as_str())
    }

    fn conns_json(&self, id: ConnsId) -> &str {
        self.conns.get(&id).map_or("", |c| c.1.as_str())
    }

    fn peer(&self, peer: &PeerRef) -> std::borrow::Cow<'_, str> {
        match peer {
            PeerRef::Workload(w) => self.workloads[w.index()]
                .get_or_init(|| peer_text(self.cluster, peer))
                .as_str()
                .into(),
            other => peer_text(self.cluster, other).into(),
        }
    }

    fn peer_json(&self, peer: &PeerRef) -> std::borrow::Cow<'_, str> {
        let json = || {
            serde_json::to_string_pretty(&PeerJson::new(self.cluster, peer))
                .map(|s| indent_field(&s))
                .unwrap_or_default()
        };
        match peer {
            PeerRef::Workload(w) => self.workloads_json[w.index()]
                .get_or_init(json)
                .as_str()
                .into(),
            _ => json().into(),
        }
    }
}

/// Formats the connections of a batch in parallel, `format` per chunk, and
/// writes the chunks in order.
fn write_batch(
    out: &mut dyn Write,
    flows: &[Flow],
    format: impl Fn(&[Flow], &mut Vec<u8>) -> io::Result<()> + Sync,
) -> io::Result<()> {
    for window in flows.chunks(CHUNK * WINDOW) {
        let texts: Vec<io::Result<Vec<u8>>> = window
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut buf = Vec::with_capacity(chunk.len() * 96);
                format(chunk, &mut buf)?;
                Ok(buf)
            })
            .collect();
        for text in texts {
            out.write_all(&text?)?;
        }
    }
    Ok(())
}

/// Writes the connections of `source` in `format`.
pub fn write_connlist(
    out: &mut dyn Write,
    cluster: &Cluster,
    source: &dyn FlowSource,
    format: ConnlistFormat,
    summary: RunSummary<'_>,
) -> io::Result<()> {
    match format {
        ConnlistFormat::Txt => txt(out, cluster, source, summary),
        ConnlistFormat::Json => json(out, cluster, source, summary),
        ConnlistFormat::Csv => csv(out, cluster, source),
        ConnlistFormat::Md => md(out, cluster, source, summary),
        ConnlistFormat::Dot => dot(out, cluster, source, summary),
    }
}

fn txt(
    out: &mut dyn Write,
    cluster: &Cluster,
    source: &dyn FlowSource,
    summary: RunSummary<'_>,
) -> io::Result<()> {
    let mut texts = Texts::new(cluster);
    let mut count = 0usize;
    source.for_each_batch(&mut |batch| {
        count += batch.flows.len();
        texts.prepare(&batch);
        let on = batch
            .network
            .map(|n| format!(" (network {n})"))
            .unwrap_or_default();
        let texts = &texts;
        write_batch(out, batch.flows, |chunk, buf| {
            for f in chunk {
                writeln!(
                    buf,
                    "{} => {} : {}{on}",
                    texts.peer(&f.src),
                    texts.peer(&f.dst),
                    texts.conns(f.conns)
                )?;
            }
            Ok(())
        })
    })?;
    if count == 0 {
        writeln!(out, "no allowed connections")?;
    }
    if let Some(hint) = group_hint(cluster, count) {
        writeln!(out, "# {hint}")?;
    }
    if let Some(note) = skipped_note(summary) {
        writeln!(out, "# {note}")?;
    }
    Ok(())
}

/// Lists at least this long may get the `--group` hint.
const HINT_MIN_CONNECTIONS: usize = 10_000;
/// ... when they hold this many connections per workload or more.
const HINT_PER_WORKLOAD: usize = 20;

/// A hint that `--group` states a long, dense list in far fewer lines.
pub fn group_hint(cluster: &Cluster, connections: usize) -> Option<String> {
    let workloads = cluster
        .workloads
        .iter()
        .filter(|w| !w.pods.is_empty())
        .count();
    (connections >= HINT_MIN_CONNECTIONS
        && connections >= HINT_PER_WORKLOAD.saturating_mul(workloads.max(1)))
    .then(|| {
        format!(
            "{connections} connections between {workloads} workloads: `podnet connlist --group` states the same connectivity in far fewer lines (whole namespaces, label selectors)"
        )
    })
}

fn json(
    out: &mut dyn Write,
    cluster: &Cluster,
    source: &dyn FlowSource,
    summary: RunSummary<'_>,
) -> io::Result<()> {
    // The layout serde_json's pretty printer gives `podnet.connlist/v1`,
    // written connection by connection.
    write!(
        out,
        "{{\n  \"schema\": {},\n  \"connections\": [",
        serde_json::to_string(CONNLIST_SCHEMA)?
    )?;
    let mut texts = Texts::new(cluster);
    // Every connection is written as `,\n    {...}`; the first one's comma
    // is left out.
    let mut elements = SkipFirstComma {
        inner: &mut *out,
        first: true,
    };
    source.for_each_batch(&mut |batch| {
        texts.prepare(&batch);
        let network = serde_json::to_string(network_text(batch.network))?;
        let texts = &texts;
        write_batch(&mut elements, batch.flows, |chunk, buf| {
            for f in chunk {
                writeln!(
                    buf,
                    ",\n    {{\n      \"src\": {},\n      \"dst\": {},\n      \"conns\": {},\n      \"network\": {network}",
                    texts.peer_json(&f.src),
                    texts.peer_json(&f.dst),
                    texts.conns_json(f.conns),
                )?;
                buf.extend_from_slice(b"    }");
            }
            Ok(())
        })
    })?;
    if elements.first {
        out.write_all(b"],\n")?;
    } else {
        out.write_all(b"\n  ],\n")?;
    }
    if let Some(unknown) = summary
        .unknown
        .filter(|u| !u.flows.is_empty() || u.truncated)
    {
        let list = crate::unknown::connlist_unknown_json(cluster, unknown);
        let text = serde_json::to_string_pretty(&list)?.replace('\n', "\n  ");
        writeln!(out, "  \"unknown\": {text},")?;
        if unknown.truncated {
            writeln!(out, "  \"unknown_truncated\": true,")?;
        }
    }
    writeln!(
        out,
        "  \"skipped_documents\": {}\n}}",
        summary.skipped_documents
    )
}

/// Passes bytes through, dropping the first byte written (a comma).
struct SkipFirstComma<'a> {
    inner: &'a mut dyn Write,
    first: bool,
}

impl Write for SkipFirstComma<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.first && !buf.is_empty() {
            self.first = false;
            self.inner.write_all(&buf[1..])?;
            return Ok(buf.len());
        }
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn csv(out: &mut dyn Write, cluster: &Cluster, source: &dyn FlowSource) -> io::Result<()> {
    {
        let mut w = ::csv::Writer::from_writer(&mut *out);
        w.write_record(["src", "dst", "conns", "network"])?;
        w.flush()?;
    }
    let mut texts = Texts::new(cluster);
    source.for_each_batch(&mut |batch| {
        texts.prepare(&batch);
        let network = network_text(batch.network);
        let texts = &texts;
        write_batch(out, batch.flows, |chunk, buf| {
            let mut w = ::csv::Writer::from_writer(buf);
            for f in chunk {
                w.write_record([
                    texts.peer(&f.src).as_ref(),
                    texts.peer(&f.dst).as_ref(),
                    texts.conns(f.conns),
                    network,
                ])?;
            }
            w.flush()
        })
    })
}

fn md(
    out: &mut dyn Write,
    cluster: &Cluster,
    source: &dyn FlowSource,
    summary: RunSummary<'_>,
) -> io::Result<()> {
    writeln!(out, "| src | dst | conns | network |")?;
    writeln!(out, "|-----|-----|-------|---------|")?;
    let cell = |s: &str| s.replace('|', "\\|");
    let mut texts = Texts::new(cluster);
    source.for_each_batch(&mut |batch| {
        texts.prepare(&batch);
        let network = cell(network_text(batch.network));
        let texts = &texts;
        write_batch(out, batch.flows, |chunk, buf| {
            for f in chunk {
                writeln!(
                    buf,
                    "| {} | {} | {} | {network} |",
                    cell(&texts.peer(&f.src)),
                    cell(&texts.peer(&f.dst)),
                    cell(texts.conns(f.conns)),
                )?;
            }
            Ok(())
        })
    })?;
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
    source: &dyn FlowSource,
    summary: RunSummary<'_>,
) -> io::Result<()> {
    // First pass: the nodes.
    let mut seen = vec![false; cluster.workloads.len()];
    let mut external: BTreeSet<String> = BTreeSet::new();
    source.for_each_batch(&mut |batch| {
        for f in batch.flows {
            for end in [&f.src, &f.dst] {
                match end {
                    PeerRef::Workload(w) => seen[w.index()] = true,
                    other => {
                        external.insert(peer_text(cluster, other));
                    }
                }
            }
        }
        Ok(())
    })?;
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
    // Workloads grouped by namespace, then outside ranges.
    let mut by_ns: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for w in (0..seen.len()).filter(|&w| seen[w]) {
        let id = podnet_model::WorkloadId::from_index(w);
        let wl = cluster.workload(id);
        // Names and kinds are DNS-safe: no quote or backslash to escape.
        by_ns
            .entry(cluster.namespace(wl.namespace).name.as_str())
            .or_default()
            .push(format!(
                "{} [label=\"{}\\n{}\"]",
                quote(&peer_text(cluster, &PeerRef::Workload(id))),
                wl.name,
                wl.kind.as_str()
            ));
    }
    for (i, (ns, mut nodes)) in by_ns.into_iter().enumerate() {
        nodes.sort();
        nodes.dedup();
        writeln!(out, "  subgraph cluster_{i} {{")?;
        writeln!(out, "    label={};", quote(ns))?;
        for n in nodes {
            writeln!(out, "    {n};")?;
        }
        writeln!(out, "  }}")?;
    }
    for e in external {
        writeln!(out, "  {} [shape=ellipse, style=dashed];", quote(&e))?;
    }
    // Second pass: the edges.
    let mut texts = Texts::new(cluster);
    source.for_each_batch(&mut |batch| {
        texts.prepare(&batch);
        let texts = &texts;
        let network = batch.network;
        write_batch(out, batch.flows, |chunk, buf| {
            for f in chunk {
                let conns = texts.conns(f.conns);
                let label = match network {
                    Some(n) => format!("{conns} ({n})"),
                    None => conns.to_owned(),
                };
                writeln!(
                    buf,
                    "  {} -> {} [label={}];",
                    quote(&texts.peer(&f.src)),
                    quote(&texts.peer(&f.dst)),
                    quote(&label)
                )?;
            }
            Ok(())
        })
    })?;
    writeln!(out, "}}")
}
