//! `podnet diff` output: the flows a change adds, removes and changes, as
//! text (`+`, `-`, `~` lines), JSON (`podnet.diff/v1`, docs/diff-json.md),
//! CSV and Markdown.

use std::io::{self, Write};

use podnet_engine::{Change, Diff, FlowKey, PeerKey};
use podnet_model::Conns;
use serde::Serialize;

use crate::connlist::{DEFAULT_NETWORK, INGRESS_CONTROLLER};
use crate::wire::{ConnsJson, GatewayJson, PeerJson, WorkloadJson};

/// The schema name of the JSON output.
pub const DIFF_SCHEMA: &str = "podnet.diff/v1";

/// Output formats of `diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffFormat {
    /// Text.
    Txt,
    /// `podnet.diff/v1`.
    Json,
    /// CSV.
    Csv,
    /// Markdown table.
    Md,
}

/// What to print besides the changes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DiffPrint {
    /// Documents skipped in OLD and NEW.
    pub skipped: Skipped,
    /// List the flows that stayed the same too.
    pub unchanged: bool,
}

/// How many documents each side skipped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// In OLD.
    pub old: usize,
    /// In NEW.
    pub new: usize,
}

/// The peer as text formats print it.
pub fn peer_key_text(peer: &PeerKey) -> String {
    match peer {
        PeerKey::Workload {
            namespace,
            name,
            kind,
        } => format!("{namespace}/{name}[{kind}]"),
        PeerKey::External(ranges) => ranges.join(", "),
        PeerKey::IngressController => INGRESS_CONTROLLER.to_owned(),
        PeerKey::Gateway { namespace, name } => format!("[gateway {namespace}/{name}]"),
    }
}

fn peer_json(peer: &PeerKey) -> PeerJson {
    match peer {
        PeerKey::Workload {
            namespace,
            name,
            kind,
        } => PeerJson::Workload(WorkloadJson {
            namespace: namespace.clone(),
            name: name.clone(),
            kind: kind.clone(),
        }),
        PeerKey::External(ranges) => PeerJson::External(ranges.clone()),
        PeerKey::IngressController => PeerJson::IngressController(Default::default()),
        PeerKey::Gateway { namespace, name } => PeerJson::Gateway(GatewayJson {
            namespace: namespace.clone(),
            name: name.clone(),
        }),
    }
}

fn kind(change: &Change) -> &'static str {
    match change {
        Change::Added(_) => "added",
        Change::Removed(_) => "removed",
        Change::Changed { old, new } if old == new => "unchanged",
        Change::Changed { .. } => "changed",
    }
}

fn network(key: &FlowKey) -> &str {
    key.network.as_deref().unwrap_or(DEFAULT_NETWORK)
}

/// `gained TCP 80; lost UDP 53` for a changed flow.
fn delta(change: &Change) -> String {
    let (gained, lost) = (change.gained(), change.lost());
    let mut parts = Vec::new();
    if !gained.is_empty() {
        parts.push(format!("gained {gained}"));
    }
    if !lost.is_empty() {
        parts.push(format!("lost {lost}"));
    }
    parts.join("; ")
}

fn conns_text(change: &Change) -> String {
    match change {
        Change::Added(c) | Change::Removed(c) => c.to_string(),
        Change::Changed { old, new } if old == new => new.to_string(),
        Change::Changed { old, new } => format!("{old} -> {new} ({})", delta(change)),
    }
}

/// Writes the differences in `format`.
pub fn write_diff(
    out: &mut dyn Write,
    diff: &Diff,
    format: DiffFormat,
    print: DiffPrint,
) -> io::Result<()> {
    let kept: Vec<(FlowKey, Change)> = if print.unchanged {
        diff.kept
            .iter()
            .map(|(k, c)| {
                (
                    k.clone(),
                    Change::Changed {
                        old: c.clone(),
                        new: c.clone(),
                    },
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut rows: Vec<&(FlowKey, Change)> = diff.changes.iter().chain(&kept).collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    match format {
        DiffFormat::Txt => txt(out, diff, &rows, print.skipped),
        DiffFormat::Json => json(out, diff, &rows, print.skipped),
        DiffFormat::Csv => csv(out, &rows),
        DiffFormat::Md => md(out, &rows),
    }
}

fn txt(
    out: &mut dyn Write,
    diff: &Diff,
    rows: &[&(FlowKey, Change)],
    skipped: Skipped,
) -> io::Result<()> {
    for (key, change) in rows.iter().copied() {
        let sign = match kind(change) {
            "added" => '+',
            "removed" => '-',
            "unchanged" => '=',
            _ => '~',
        };
        let on = key
            .network
            .as_deref()
            .map(|n| format!(" (network {n})"))
            .unwrap_or_default();
        writeln!(
            out,
            "{sign} {} => {} : {}{on}",
            peer_key_text(&key.src),
            peer_key_text(&key.dst),
            conns_text(change)
        )?;
    }
    let count = |k: &str| diff.changes.iter().filter(|(_, c)| kind(c) == k).count();
    writeln!(
        out,
        "{} added, {} removed, {} changed, {} unchanged",
        count("added"),
        count("removed"),
        count("changed"),
        diff.unchanged
    )?;
    if skipped.old + skipped.new > 0 {
        writeln!(
            out,
            "# documents skipped because of errors: {} in OLD, {} in NEW (see stderr)",
            skipped.old, skipped.new
        )?;
    }
    Ok(())
}

#[derive(Serialize)]
struct DiffJson {
    schema: &'static str,
    changes: Vec<ChangeJson>,
    unchanged: usize,
    skipped_documents: Skipped,
}

#[derive(Serialize)]
struct ChangeJson {
    change: &'static str,
    src: PeerJson,
    dst: PeerJson,
    network: String,
    old: Option<ConnsJson>,
    new: Option<ConnsJson>,
    gained: ConnsJson,
    lost: ConnsJson,
}

fn json(
    out: &mut dyn Write,
    diff: &Diff,
    rows: &[&(FlowKey, Change)],
    skipped: Skipped,
) -> io::Result<()> {
    let conns = |c: &Conns| ConnsJson::new(c);
    let doc = DiffJson {
        schema: DIFF_SCHEMA,
        changes: rows
            .iter()
            .copied()
            .map(|(key, change)| {
                let (old, new) = match change {
                    Change::Added(c) => (None, Some(conns(c))),
                    Change::Removed(c) => (Some(conns(c)), None),
                    Change::Changed { old, new } => (Some(conns(old)), Some(conns(new))),
                };
                ChangeJson {
                    change: kind(change),
                    src: peer_json(&key.src),
                    dst: peer_json(&key.dst),
                    network: network(key).to_owned(),
                    old,
                    new,
                    gained: conns(&change.gained()),
                    lost: conns(&change.lost()),
                }
            })
            .collect(),
        unchanged: diff.unchanged,
        skipped_documents: skipped,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

fn csv(out: &mut dyn Write, rows: &[&(FlowKey, Change)]) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(["change", "src", "dst", "network", "gained", "lost"])?;
    for (key, change) in rows.iter().copied() {
        w.write_record([
            kind(change).to_owned(),
            peer_key_text(&key.src),
            peer_key_text(&key.dst),
            network(key).to_owned(),
            change.gained().to_string(),
            change.lost().to_string(),
        ])?;
    }
    w.flush()
}

fn md(out: &mut dyn Write, rows: &[&(FlowKey, Change)]) -> io::Result<()> {
    writeln!(out, "| change | src | dst | network | gained | lost |")?;
    writeln!(out, "|--------|-----|-----|---------|--------|------|")?;
    let cell = |s: String| s.replace('|', "\\|");
    for (key, change) in rows.iter().copied() {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            kind(change),
            cell(peer_key_text(&key.src)),
            cell(peer_key_text(&key.dst)),
            cell(network(key).to_owned()),
            cell(change.gained().to_string()),
            cell(change.lost().to_string())
        )?;
    }
    Ok(())
}
