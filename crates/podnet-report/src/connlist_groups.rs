//! Printers for `connlist --group`: txt, json (`podnet.connlist-groups/v1`,
//! docs/connlist-groups-json.md), csv and md.

use std::io::{self, Write};

use podnet_engine::groups::{GroupEnd, GroupLine, Term};
use podnet_model::{Cluster, LabelSelector, NsId};
use serde::Serialize;

use crate::connlist::{RunSummary, network_text, peer_text};
use crate::wire::{ConnsJson, PeerJson, WorkloadJson};

/// The schema of `connlist --group --output json`.
pub const GROUPS_SCHEMA: &str = "podnet.connlist-groups/v1";

/// An output format of `connlist --group`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupFormat {
    /// `SRC => DST : CONNS`, one line per group.
    Txt,
    /// `podnet.connlist-groups/v1`.
    Json,
    /// `src,dst,conns,network,pairs` with a header.
    Csv,
    /// A Markdown table.
    Md,
}

fn namespaces(cluster: &Cluster, list: &[NsId]) -> String {
    match list {
        [one] => cluster.namespace(*one).name.clone(),
        many => {
            let names: Vec<&str> = many
                .iter()
                .map(|n| cluster.namespace(*n).name.as_str())
                .collect();
            format!("{{{}}}", names.join(","))
        }
    }
}

/// A selector in kubectl's syntax; empty for the one selecting everything.
fn selector(sel: &LabelSelector) -> String {
    if sel.is_empty() {
        String::new()
    } else {
        sel.to_string()
    }
}

/// A term as text: `ns/*`, `{a,b}/*`, `[env=prod]/*`, `*/*`,
/// `ns/[tier=web]`, `ns/name[Kind]`.
pub fn term_text(cluster: &Cluster, term: &Term) -> String {
    match term {
        Term::Namespaces(list) => format!("{}/*", namespaces(cluster, list)),
        Term::NamespaceSelector(sel) if sel.is_empty() => "*/*".to_owned(),
        Term::NamespaceSelector(sel) => format!("[{sel}]/*"),
        Term::Pods {
            namespaces: list,
            selector: sel,
        } => format!("{}/[{sel}]", namespaces(cluster, list)),
        Term::Workloads(list) => list
            .iter()
            .map(|&w| peer_text(cluster, &podnet_engine::PeerRef::Workload(w)))
            .collect::<Vec<_>>()
            .join(" + "),
    }
}

/// An end as text: its terms joined by ` + `, or the peer.
pub fn end_text(cluster: &Cluster, end: &GroupEnd) -> String {
    match end {
        GroupEnd::Peer(p) => peer_text(cluster, p),
        GroupEnd::Workloads(terms) => terms
            .iter()
            .map(|t| term_text(cluster, t))
            .collect::<Vec<_>>()
            .join(" + "),
    }
}

/// One term in JSON.
#[derive(Serialize)]
#[serde(untagged)]
enum TermJson {
    Namespaces {
        namespaces: Vec<String>,
    },
    NamespaceSelector {
        namespace_selector: String,
    },
    Pods {
        namespaces: Vec<String>,
        pod_selector: String,
    },
    Workload {
        workload: WorkloadJson,
    },
}

/// One end in JSON.
#[derive(Serialize)]
#[serde(untagged)]
enum EndJson {
    Workloads { workloads: Vec<TermJson> },
    Peer(PeerJson),
}

#[derive(Serialize)]
struct GroupJson {
    src: EndJson,
    dst: EndJson,
    conns: ConnsJson,
    network: String,
    pairs: u64,
}

#[derive(Serialize)]
struct GroupsJson {
    schema: &'static str,
    groups: Vec<GroupJson>,
    connections: u64,
    /// As in `podnet.connlist/v1`: the workload pairs whose connections
    /// the input cannot decide (listed only when any).
    #[serde(skip_serializing_if = "Option::is_none")]
    unknown: Option<Vec<crate::unknown::UnknownJson>>,
    /// Listed only when true.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    unknown_truncated: bool,
    skipped_documents: usize,
}

fn names(cluster: &Cluster, list: &[NsId]) -> Vec<String> {
    list.iter()
        .map(|n| cluster.namespace(*n).name.clone())
        .collect()
}

fn end_json(cluster: &Cluster, end: &GroupEnd) -> EndJson {
    match end {
        GroupEnd::Peer(p) => EndJson::Peer(PeerJson::new(cluster, p)),
        GroupEnd::Workloads(terms) => EndJson::Workloads {
            workloads: terms
                .iter()
                .flat_map(|t| -> Vec<TermJson> {
                    match t {
                        Term::Namespaces(list) => vec![TermJson::Namespaces {
                            namespaces: names(cluster, list),
                        }],
                        Term::NamespaceSelector(sel) => vec![TermJson::NamespaceSelector {
                            namespace_selector: selector(sel),
                        }],
                        Term::Pods {
                            namespaces: list,
                            selector: sel,
                        } => vec![TermJson::Pods {
                            namespaces: names(cluster, list),
                            pod_selector: selector(sel),
                        }],
                        Term::Workloads(list) => list
                            .iter()
                            .map(|&w| TermJson::Workload {
                                workload: WorkloadJson::new(cluster, w),
                            })
                            .collect(),
                    }
                })
                .collect(),
        },
    }
}

fn summary_line(lines: &[GroupLine]) -> String {
    let pairs: u64 = lines.iter().map(|l| l.pairs).sum();
    let plural = |n: u64, one: &str, many: &str| {
        if n == 1 {
            one.to_owned()
        } else {
            many.to_owned()
        }
    };
    format!(
        "{} {} state {} {}",
        lines.len(),
        plural(lines.len() as u64, "line", "lines"),
        pairs,
        plural(pairs, "connection", "connections")
    )
}

fn skipped(summary: RunSummary<'_>) -> Option<String> {
    match summary.skipped_documents {
        0 => None,
        1 => Some("1 document was skipped because of errors (see stderr)".to_owned()),
        n => Some(format!(
            "{n} documents were skipped because of errors (see stderr)"
        )),
    }
}

/// Writes grouped lines in `format`.
pub fn write_groups(
    out: &mut dyn Write,
    cluster: &Cluster,
    lines: &[GroupLine],
    format: GroupFormat,
    summary: RunSummary<'_>,
) -> io::Result<()> {
    let row = |l: &GroupLine| {
        (
            end_text(cluster, &l.src),
            end_text(cluster, &l.dst),
            l.conns.to_string(),
            network_text(l.network.as_deref()).to_owned(),
        )
    };
    match format {
        GroupFormat::Txt => {
            if lines.is_empty() {
                writeln!(out, "no allowed connections")?;
            }
            for l in lines {
                let (src, dst, conns, _) = row(l);
                let on = l
                    .network
                    .as_deref()
                    .map(|n| format!(" (network {n})"))
                    .unwrap_or_default();
                writeln!(out, "{src} => {dst} : {conns}{on}")?;
            }
            writeln!(out, "# {}", summary_line(lines))?;
            if let Some(note) = skipped(summary) {
                writeln!(out, "# {note}")?;
            }
            Ok(())
        }
        GroupFormat::Json => {
            let open = summary
                .unknown
                .filter(|u| !u.flows.is_empty() || u.truncated);
            let doc = GroupsJson {
                schema: GROUPS_SCHEMA,
                groups: lines
                    .iter()
                    .map(|l| GroupJson {
                        src: end_json(cluster, &l.src),
                        dst: end_json(cluster, &l.dst),
                        conns: ConnsJson::new(&l.conns),
                        network: network_text(l.network.as_deref()).to_owned(),
                        pairs: l.pairs,
                    })
                    .collect(),
                connections: lines.iter().map(|l| l.pairs).sum(),
                unknown: open.map(|u| crate::unknown::connlist_unknown_json(cluster, u)),
                unknown_truncated: open.is_some_and(|u| u.truncated),
                skipped_documents: summary.skipped_documents,
            };
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)
        }
        GroupFormat::Csv => {
            let mut w = ::csv::Writer::from_writer(out);
            w.write_record(["src", "dst", "conns", "network", "pairs"])?;
            for l in lines {
                let (src, dst, conns, network) = row(l);
                w.write_record([src, dst, conns, network, l.pairs.to_string()])?;
            }
            w.flush()
        }
        GroupFormat::Md => {
            writeln!(out, "| src | dst | conns | network | pairs |")?;
            writeln!(out, "|-----|-----|-------|---------|-------|")?;
            let cell = |s: &str| s.replace('|', "\\|");
            for l in lines {
                let (src, dst, conns, network) = row(l);
                writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    cell(&src),
                    cell(&dst),
                    cell(&conns),
                    cell(&network),
                    l.pairs
                )?;
            }
            writeln!(out, "\n_{}_", summary_line(lines))?;
            if let Some(note) = skipped(summary) {
                writeln!(out, "\n_{note}_")?;
            }
            Ok(())
        }
    }
}
