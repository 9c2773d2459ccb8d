//! `podnet report`: one self-contained HTML page. The data is the typed
//! results of the other commands, serialised as one JSON document
//! (`podnet.report/v1`, docs/report.md) embedded in the page, which the
//! embedded script and stylesheet render; the documented JSON forms of
//! `audit`, `ipam`, `connlist --group`, `diff` and `verify` are embedded
//! as they print, and explanations as `podnet explain` prints them.

mod matrix;
mod overview;

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Write};

use podnet_audit::summary::Summary;
use podnet_audit::{Finding, Rule};
use podnet_dataplane::Dataplane;
use podnet_engine::groups::GroupLine;
use podnet_engine::{Diff, Explanation, FlowSource, IntentResult};
use podnet_model::{Cluster, Intent, WorkloadId};
use serde::Serialize;
use serde_json::value::RawValue;

pub use matrix::{CellJson, ConnsEntry, EndJson, MAX_PAIRS, MatrixJson, MemberJson};
pub use overview::OverviewJson;

use crate::connlist::network_text;
use crate::connlist_groups::end_text;
use crate::diff::{DiffFormat, DiffPrint, Skipped, write_diff};

/// `podnet.report/v1`.
pub const REPORT_SCHEMA: &str = "podnet.report/v1";

/// At most this many explanations are embedded.
pub const MAX_EXPLANATIONS: usize = 1_000;
/// And at most this many bytes of them.
pub const MAX_EXPLANATION_BYTES: usize = 1_000_000;
/// At most this many findings of one code are embedded (the rest are
/// counted).
pub const MAX_FINDINGS_PER_CODE: usize = 100;
/// At most this many changed flows are embedded (the rest are counted).
pub const MAX_CHANGES: usize = 5_000;

const TEMPLATE: &str = include_str!("../../assets/report.html");
const STYLE: &str = include_str!("../../assets/report.css");
const SCRIPT: &str = include_str!("../../assets/report.js");
const CYTOSCAPE: &str = include_str!("../../assets/vendor/cytoscape.min.js");

/// The audit's results.
pub struct AuditPart<'a> {
    /// The findings.
    pub findings: &'a [Finding],
    /// The namespace-strategy summary.
    pub summary: &'a Summary,
    /// Every rule (for their names).
    pub rules: &'a [Rule],
}

/// What changed against an older version.
pub struct ChangePart<'a> {
    /// How the older version was named (`--compare` paths or `git REV`).
    pub against: String,
    /// The flows' differences.
    pub diff: &'a Diff,
    /// Documents skipped in each version.
    pub skipped: Skipped,
}

/// Intents checked against the cluster.
pub struct VerifyPart<'a> {
    /// The intents.
    pub intents: &'a [Intent],
    /// Their results.
    pub results: &'a [IntentResult],
}

/// Everything a report shows, typed, from the facade.
pub struct Report<'a> {
    /// The inputs, as given.
    pub inputs: &'a [String],
    /// The running cluster.
    pub cluster: &'a Cluster,
    /// Its dataplane (addresses, load balancers).
    pub dataplane: &'a Dataplane,
    /// The pair list (every network).
    pub flows: &'a dyn FlowSource,
    /// The same, grouped.
    pub groups: &'a [GroupLine],
    /// The audit.
    pub audit: AuditPart<'a>,
    /// The change, with `--compare` or `--git`.
    pub change: Option<ChangePart<'a>>,
    /// Intents, when there are some.
    pub verify: Option<VerifyPart<'a>>,
    /// Explains a pair of workloads, as `podnet explain` does.
    pub explain: &'a dyn Fn(WorkloadId, WorkloadId) -> Explanation,
    /// Documents skipped because of errors.
    pub skipped_documents: usize,
}

/// What a written report holds, for the line on stderr.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contents {
    /// Bytes written.
    pub bytes: usize,
    /// Namespaces (matrix rows that are namespaces).
    pub namespaces: usize,
    /// Workloads with pods.
    pub workloads: usize,
    /// Matrix cells.
    pub cells: usize,
    /// Allowed pairs.
    pub pairs: usize,
    /// Pairs not embedded one by one.
    pub pairs_left_out: usize,
    /// Grouped lines.
    pub lines: usize,
    /// Explanations embedded.
    pub explanations: usize,
    /// Pairs left without an embedded explanation.
    pub explanations_left_out: usize,
    /// Audit findings.
    pub findings: usize,
    /// Changed flows (with a change).
    pub changes: Option<usize>,
    /// Intents checked.
    pub intents: Option<usize>,
}

impl Contents {
    /// `1.2 MB: 12 namespaces, ...` for stderr.
    pub fn summary(&self) -> String {
        let mut parts = vec![
            format!("{} namespaces", self.namespaces),
            format!("{} workloads", self.workloads),
            format!("{} matrix cells", self.cells),
            format!("{} connections", self.pairs),
            format!("{} grouped lines", self.lines),
            format!("{} explanations", self.explanations),
            format!("{} findings", self.findings),
        ];
        if let Some(n) = self.changes {
            parts.push(format!("{n} changed flows"));
        }
        if let Some(n) = self.intents {
            parts.push(format!("{n} intents"));
        }
        let mut s = format!("{}: {}", size_text(self.bytes), parts.join(", "));
        if self.pairs_left_out > 0 {
            s.push_str(&format!(
                "; {} connections are shown by their grouped lines only",
                self.pairs_left_out
            ));
        }
        if self.explanations_left_out > 0 {
            s.push_str(&format!(
                "; {} pairs show the `podnet explain` command instead of an embedded explanation",
                self.explanations_left_out
            ));
        }
        s
    }
}

/// `532 B`, `14.2 kB`, `1.3 MB` (powers of 1000).
pub fn size_text(bytes: usize) -> String {
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    if bytes < 1_000 {
        format!("{bytes} B")
    } else if bytes < 1_000_000 {
        format!("{:.1} kB", b / 1e3)
    } else {
        format!("{:.1} MB", b / 1e6)
    }
}

/// One embedded explanation: `podnet explain`'s text for a pair.
#[derive(Serialize)]
struct ExplanationJson {
    src: usize,
    dst: usize,
    text: String,
}

/// A grouped line as `connlist --group` prints it.
#[derive(Serialize)]
struct GroupLineJson {
    src: String,
    dst: String,
    conns: String,
    network: String,
    pairs: u64,
}

#[derive(Serialize)]
struct ChangeJson {
    against: String,
    diff: Box<RawValue>,
    changes: usize,
    changes_left_out: usize,
}

#[derive(Serialize)]
struct ReportJson<'a> {
    schema: &'static str,
    inputs: &'a [String],
    overview: OverviewJson,
    matrix: MatrixJson,
    groups: Vec<GroupLineJson>,
    explanations: Vec<ExplanationJson>,
    explanations_left_out: usize,
    audit: Box<RawValue>,
    findings_left_out: BTreeMap<String, usize>,
    ipam: Box<RawValue>,
    change: Option<ChangeJson>,
    verify: Option<Box<RawValue>>,
    skipped_documents: usize,
}

/// A printer's JSON output, to embed as it is.
fn raw(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<Box<RawValue>> {
    let mut buf = Vec::new();
    write(&mut buf)?;
    let text = String::from_utf8(buf).map_err(io::Error::other)?;
    RawValue::from_string(text.trim_end().to_owned()).map_err(io::Error::other)
}

/// The pairs to explain, in order: the allowed pairs, then the denied
/// pairs of workloads, namespace by namespace, at most
/// [`MAX_EXPLANATIONS`]; and how many pairs of workloads there are.
fn pairs_to_explain(m: &MatrixJson) -> (Vec<(usize, usize)>, usize) {
    let is_workload = |i: usize| m.members[i].kind.is_some();
    let mut pairs = Vec::new();
    let mut seen = HashSet::new();
    for c in &m.cells {
        let Some(flows) = &c.flows else {
            continue;
        };
        for f in flows {
            if is_workload(f[0]) && is_workload(f[1]) && seen.insert((f[0], f[1])) {
                pairs.push((f[0], f[1]));
            }
        }
    }
    let mut by_end = vec![Vec::new(); m.ends.len()];
    for (i, member) in m.members.iter().enumerate() {
        if is_workload(i) {
            by_end[member.end].push(i);
        }
    }
    let workloads: usize = by_end.iter().map(Vec::len).sum();
    'fill: for s in &by_end {
        for d in &by_end {
            for &a in s {
                for &b in d {
                    if pairs.len() >= MAX_EXPLANATIONS {
                        break 'fill;
                    }
                    if a != b && !seen.contains(&(a, b)) {
                        pairs.push((a, b));
                    }
                }
            }
        }
    }
    pairs.truncate(MAX_EXPLANATIONS);
    (pairs, workloads * workloads.saturating_sub(1))
}

/// What `write_report` writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReportFormat {
    /// The self-contained HTML page.
    #[default]
    Html,
    /// Only the page's data, the `podnet.report/v1` document, as JSON.
    Json,
}

/// Writes the report in `format`; says what it holds.
pub fn write_report(
    out: &mut dyn Write,
    r: &Report<'_>,
    format: ReportFormat,
) -> io::Result<Contents> {
    let mut builder = matrix::MatrixBuilder::new(r.cluster);
    builder.add_flows(r.flows)?;
    let matrix = builder.finish(r.groups);
    let groups = r
        .groups
        .iter()
        .map(|l| GroupLineJson {
            src: end_text(r.cluster, &l.src),
            dst: end_text(r.cluster, &l.dst),
            conns: l.conns.to_string(),
            network: network_text(l.network.as_deref()).to_owned(),
            pairs: l.pairs,
        })
        .collect();
    let mut per_code: BTreeMap<&str, usize> = BTreeMap::new();
    let findings: Vec<Finding> = r
        .audit
        .findings
        .iter()
        .filter(|f| {
            let n = per_code.entry(f.code).or_default();
            *n += 1;
            *n <= MAX_FINDINGS_PER_CODE
        })
        .cloned()
        .collect();
    let findings_left_out: BTreeMap<String, usize> = per_code
        .into_iter()
        .filter(|&(_, n)| n > MAX_FINDINGS_PER_CODE)
        .map(|(code, n)| (code.to_owned(), n - MAX_FINDINGS_PER_CODE))
        .collect();
    let audit = raw(|w| {
        crate::audit::write_json(
            w,
            &findings,
            r.audit.summary,
            r.audit.rules,
            r.skipped_documents,
        )
    })?;
    let ipam = raw(|w| crate::ipam::write_json(w, r.dataplane))?;
    let (candidates, total) = pairs_to_explain(&matrix);
    let mut explanations = Vec::new();
    let mut bytes = 0;
    for (s, d) in candidates {
        if explanations.len() >= MAX_EXPLANATIONS || bytes >= MAX_EXPLANATION_BYTES {
            break;
        }
        let (Some(a), Some(b)) = (matrix.workloads[s], matrix.workloads[d]) else {
            continue;
        };
        let mut text = Vec::new();
        crate::explain::write_text(&mut text, r.cluster, &(r.explain)(a, b), None)?;
        let text = String::from_utf8(text).map_err(io::Error::other)?;
        bytes += text.len();
        explanations.push(ExplanationJson {
            src: s,
            dst: d,
            text,
        });
    }
    let change = r
        .change
        .as_ref()
        .map(|c| -> io::Result<ChangeJson> {
            let shown = Diff {
                changes: c.diff.changes.iter().take(MAX_CHANGES).cloned().collect(),
                kept: Vec::new(),
                unchanged: c.diff.unchanged,
            };
            let diff = raw(|w| {
                write_diff(
                    w,
                    &shown,
                    DiffFormat::Json,
                    DiffPrint {
                        skipped: c.skipped,
                        unchanged: false,
                    },
                )
            })?;
            Ok(ChangeJson {
                against: c.against.clone(),
                diff,
                changes: c.diff.changes.len(),
                changes_left_out: c.diff.changes.len() - shown.changes.len(),
            })
        })
        .transpose()?;
    let verify = r
        .verify
        .as_ref()
        .map(|v| raw(|w| crate::verify::write_json(w, r.cluster, v.intents, v.results)))
        .transpose()?;
    let doc = ReportJson {
        schema: REPORT_SCHEMA,
        inputs: r.inputs,
        overview: overview::build(r.cluster),
        explanations_left_out: total.saturating_sub(explanations.len()),
        groups,
        audit,
        findings_left_out,
        ipam,
        change,
        verify,
        skipped_documents: r.skipped_documents,
        explanations,
        matrix,
    };
    let data = serde_json::to_string(&doc).map_err(io::Error::other)?;
    let written = match format {
        ReportFormat::Html => page(&data, &title(r.inputs)),
        ReportFormat::Json => data + "\n",
    };
    out.write_all(written.as_bytes())?;
    let m = &doc.matrix;
    Ok(Contents {
        bytes: written.len(),
        namespaces: m.ends.iter().filter(|e| e.kind == "namespace").count(),
        workloads: m.members.iter().filter(|x| x.kind.is_some()).count(),
        cells: m.cells.len(),
        pairs: m.pairs,
        pairs_left_out: m.pairs_left_out,
        lines: r.groups.len(),
        explanations: doc.explanations.len(),
        explanations_left_out: doc.explanations_left_out,
        findings: r.audit.findings.len(),
        changes: doc.change.as_ref().map(|c| c.changes),
        intents: r.verify.as_ref().map(|v| v.intents.len()),
    })
}

fn title(inputs: &[String]) -> String {
    format!("podnet report: {}", inputs.join(" "))
}

/// The page: the template with the style, the scripts and the data, the
/// data made safe inside `<script>` (every `<` escaped as `\u003c`, which
/// JSON reads back as `<`).
fn page(data: &str, title: &str) -> String {
    let data = data.replace('<', "\\u003c");
    let title = title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    fill(
        TEMPLATE,
        &[
            ("{{title}}", &title),
            ("{{style}}", STYLE),
            ("{{cytoscape}}", CYTOSCAPE),
            ("{{data}}", &data),
            ("{{script}}", SCRIPT),
        ],
    )
}

/// The template with each marker, in order, replaced by its value (a
/// value is never searched for later markers).
fn fill(template: &str, parts: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + parts.iter().map(|p| p.1.len()).sum::<usize>());
    let mut rest = template;
    for (marker, value) in parts {
        if let Some(at) = rest.find(marker) {
            out.push_str(&rest[..at]);
            out.push_str(value);
            rest = &rest[at + marker.len()..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
