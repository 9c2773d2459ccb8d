//! `podnet audit` output: text for people (findings grouped by severity),
//! JSON (`podnet.audit/v1`, docs/audit-json.md) and SARIF 2.1.0 for code
//! scanning (rule metadata, results located in the manifests).

use std::collections::BTreeMap;
use std::io::{self, Write};

use podnet_audit::summary::{NamespaceSummary, Summary};
use podnet_audit::{Finding, Rule, Severity, Subject};
use serde::Serialize;
use serde_sarif::sarif::{
    Location, Message, ReportingDescriptor, Result as SarifResult, ResultLevel, Sarif,
};

use crate::sarif::{RuleTexts, descriptor, location, log};

mod words;

pub use words::{Worded, help, message, worded};

/// The schema name of the JSON output.
pub const AUDIT_SCHEMA: &str = "podnet.audit/v1";

/// Findings per severity.
pub fn counts(findings: &[Worded]) -> BTreeMap<&'static str, usize> {
    let mut out = BTreeMap::from([("error", 0), ("warning", 0), ("info", 0)]);
    for f in findings {
        *out.entry(f.severity.as_str()).or_default() += 1;
    }
    out
}

/// The namespace-strategy table: one row per namespace, then the cluster.
fn write_summary(out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
    writeln!(out, "namespace strategy: {}", summary.strategy.label())?;
    let header = [
        "namespace",
        "workloads",
        "isolation",
        "NetworkPolicy coverage",
        "RBAC scope",
        "quota",
        "fault isolation",
    ];
    let row = |n: &NamespaceSummary| -> [String; 7] {
        [
            n.name.clone(),
            n.workloads.to_string(),
            n.isolation.label().to_owned(),
            n.policy_coverage.clone(),
            n.rbac_scope.clone(),
            n.quota.clone(),
            n.fault_isolation.clone(),
        ]
    };
    let rows: Vec<[String; 7]> = summary
        .namespaces
        .iter()
        .chain(std::iter::once(&summary.cluster))
        .map(row)
        .collect();
    let mut widths = header.map(str::len);
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    writeln!(out, "  {}", line(&header.map(str::to_owned)))?;
    for r in &rows {
        writeln!(out, "  {}", line(r))?;
    }
    writeln!(out)
}

/// Writes the strategy table, then findings for people: errors first,
/// each with where, what and how to fix it, then the counts.
pub fn write_text(
    out: &mut dyn Write,
    findings: &[Finding],
    summary: &Summary,
    skipped: usize,
) -> io::Result<()> {
    write_summary(out, summary)?;
    let findings = &worded(findings);
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        for f in findings.iter().filter(|f| f.severity == severity) {
            writeln!(out, "{} {}: {}", f.severity, f.code, f.message)?;
            let at = f
                .subject
                .source
                .as_ref()
                .map(|s| format!(" at {s}"))
                .unwrap_or_default();
            writeln!(out, "  {}{at}", f.subject.display())?;
            writeln!(out, "  help: {}", f.help)?;
        }
    }
    let c = counts(findings);
    writeln!(
        out,
        "{} errors, {} warnings, {} info",
        c["error"], c["warning"], c["info"]
    )?;
    if skipped > 0 {
        writeln!(
            out,
            "# {skipped} document(s) skipped because of errors (see stderr)"
        )?;
    }
    Ok(())
}

/// The JSON document.
#[derive(Serialize)]
struct AuditJson<'a> {
    schema: &'static str,
    summary: SummaryJson<'a>,
    findings: Vec<FindingJson<'a>>,
    counts: BTreeMap<&'static str, usize>,
    skipped_documents: usize,
}

#[derive(Serialize)]
struct SummaryJson<'a> {
    strategy: &'static str,
    namespaces: Vec<NamespaceJson<'a>>,
    cluster: NamespaceJson<'a>,
}

#[derive(Serialize)]
struct NamespaceJson<'a> {
    name: &'a str,
    workloads: usize,
    isolation: &'static str,
    policy_coverage: &'a str,
    rbac_scope: &'a str,
    quota: &'a str,
    fault_isolation: &'a str,
}

fn namespace_json(n: &NamespaceSummary) -> NamespaceJson<'_> {
    NamespaceJson {
        name: &n.name,
        workloads: n.workloads,
        isolation: n.isolation.label(),
        policy_coverage: &n.policy_coverage,
        rbac_scope: &n.rbac_scope,
        quota: &n.quota,
        fault_isolation: &n.fault_isolation,
    }
}

#[derive(Serialize)]
struct FindingJson<'a> {
    code: &'a str,
    severity: &'static str,
    rule: &'a str,
    subject: SubjectJson<'a>,
    message: &'a str,
    help: &'a str,
}

#[derive(Serialize)]
struct SubjectJson<'a> {
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
    file: Option<&'a str>,
    document: Option<u32>,
    line: Option<u32>,
}

fn subject_json(s: &Subject) -> SubjectJson<'_> {
    SubjectJson {
        kind: &s.kind,
        namespace: s.namespace.as_deref(),
        name: &s.name,
        file: s.source.as_ref().map(|s| &*s.file),
        document: s.source.as_ref().map(|s| s.document),
        line: s.source.as_ref().and_then(|s| s.line),
    }
}

/// Writes `podnet.audit/v1`.
pub fn write_json(
    out: &mut dyn Write,
    findings: &[Finding],
    summary: &Summary,
    rules: &[Rule],
    skipped: usize,
) -> io::Result<()> {
    let name_of = |code: &str| rules.iter().find(|r| r.code == code).map_or("", |r| r.name);
    let findings = &worded(findings);
    let doc = AuditJson {
        schema: AUDIT_SCHEMA,
        summary: SummaryJson {
            strategy: summary.strategy.label(),
            namespaces: summary.namespaces.iter().map(namespace_json).collect(),
            cluster: namespace_json(&summary.cluster),
        },
        findings: findings
            .iter()
            .map(|f| FindingJson {
                code: f.code,
                severity: f.severity.as_str(),
                rule: name_of(f.code),
                subject: subject_json(&f.subject),
                message: &f.message,
                help: &f.help,
            })
            .collect(),
        counts: counts(findings),
        skipped_documents: skipped,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Info => ResultLevel::Note,
        Severity::Warning => ResultLevel::Warning,
        Severity::Error | Severity::Fatal => ResultLevel::Error,
    }
}

/// The SARIF 2.1.0 log: one run, every rule as a reporting descriptor,
/// every finding as a result at its manifest's file and line.
pub fn sarif(findings: &[Finding], rules: &[Rule]) -> Sarif {
    let descriptors: Vec<ReportingDescriptor> = rules
        .iter()
        .map(|r| {
            let texts = RuleTexts {
                id: r.code,
                name: r.name,
                short: r.short,
                full: r.full,
                help: r.help,
            };
            descriptor(&texts, level(r.severity))
        })
        .collect();
    let results: Vec<SarifResult> = worded(findings)
        .iter()
        .map(|f| {
            let index = rules.iter().position(|r| r.code == f.code);
            let message = Message::builder()
                .text(format!(
                    "{} ({}). {}",
                    f.message,
                    f.subject.display(),
                    f.help
                ))
                .build();
            let locations: Vec<Location> = f.subject.source.iter().map(location).collect();
            let builder = SarifResult::builder()
                .rule_id(f.code.to_owned())
                .level(level(f.severity))
                .message(message)
                .locations(locations);
            match index.and_then(|i| i64::try_from(i).ok()) {
                Some(i) => builder.rule_index(i).build(),
                None => builder.build(),
            }
        })
        .collect();
    log(descriptors, results)
}

/// Writes the SARIF log.
pub fn write_sarif(out: &mut dyn Write, findings: &[Finding], rules: &[Rule]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &sarif(findings, rules))?;
    writeln!(out)
}

/// Lists the rules for people: code, severity, name, then the description
/// and the fix, as docs/audit.md shows them.
pub fn write_rules_text(out: &mut dyn Write, rules: &[Rule]) -> io::Result<()> {
    for r in rules {
        writeln!(out, "{} {} {}: {}", r.code, r.severity, r.name, r.short)?;
        writeln!(out, "  {}", r.full)?;
        writeln!(out, "  help: {}", r.help)?;
    }
    Ok(())
}

#[derive(Serialize)]
struct RuleJson<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'static str,
    short: &'a str,
    full: &'a str,
    help: &'a str,
}

/// Lists the rules as a JSON array.
pub fn write_rules_json(out: &mut dyn Write, rules: &[Rule]) -> io::Result<()> {
    let list: Vec<RuleJson<'_>> = rules
        .iter()
        .map(|r| RuleJson {
            code: r.code,
            name: r.name,
            severity: r.severity.as_str(),
            short: r.short,
            full: r.full,
            help: r.help,
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &list)?;
    writeln!(out)
}
