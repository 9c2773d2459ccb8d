//! `podnet verify` output: per intent whether it holds, and for each
//! violation a concrete source, destination and port with the engine's
//! explanation of both sides; as text, JSON (`podnet.verify/v1`,
//! docs/verify-json.md) or SARIF (one result per violated intent, at the
//! intent's file and line).

use std::io::{self, Write};

use podnet_engine::{Endpoint, IntentResult, Violation};
use podnet_model::{Cluster, Intent, Severity};
use serde::Serialize;
use serde_sarif::sarif::{Message, Result as SarifResult, ResultLevel, Sarif};

use crate::describe;
use crate::explain::{SideJson, side_json, write_side};
use crate::sarif::{RuleTexts, descriptor, location, log};
use crate::wire::ConnsJson;

/// The schema name of the JSON output.
pub const VERIFY_SCHEMA: &str = "podnet.verify/v1";

/// The SARIF rule of a violated intent.
const INTENT_RULE: &str = "PN9001";

fn port_text(v: &Violation) -> String {
    match v.port {
        Some((proto, port)) => format!("{} port {port}", proto.as_str()),
        None => v.offending.to_string(),
    }
}

/// One line naming a violation's source, destination and port.
fn headline(cluster: &Cluster, v: &Violation) -> String {
    let verb = match v.kind.as_str() {
        "missing" => "cannot reach",
        _ => "reaches",
    };
    format!(
        "{} {verb} {} on {}",
        describe::endpoint(cluster, &v.src),
        describe::endpoint(cluster, &v.dst),
        port_text(v)
    )
}

/// Writes every intent's outcome for people, violations with their
/// explanation.
pub fn write_text(
    out: &mut dyn Write,
    cluster: &Cluster,
    intents: &[Intent],
    results: &[IntentResult],
) -> io::Result<()> {
    for r in results {
        let intent = &intents[r.intent];
        let at = intent.meta.source.to_string();
        if r.holds {
            writeln!(
                out,
                "holds     {} ({}, {at})",
                intent.meta.name,
                intent.rule.field()
            )?;
        } else if r.unknown {
            writeln!(
                out,
                "UNKNOWN   {} ({}, {}, {at}): every counterexample rests on what the input does not say",
                intent.meta.name,
                intent.rule.field(),
                intent.severity.as_str()
            )?;
        } else {
            writeln!(
                out,
                "VIOLATED  {} ({}, {}, {at})",
                intent.meta.name,
                intent.rule.field(),
                intent.severity.as_str()
            )?;
        }
        for u in &r.unmatched {
            let line = u.line.map(|l| format!(" (line {l})")).unwrap_or_default();
            writeln!(out, "  note: `{}`{line} selects nothing", u.field)?;
        }
        for v in &r.violations {
            let unknown = if v.unknown {
                " (unknown: the input cannot decide)"
            } else {
                ""
            };
            writeln!(out, "  counterexample{unknown}: {}", headline(cluster, v))?;
            write_side(out, cluster, &v.explanation.egress, &v.src)?;
            write_side(out, cluster, &v.explanation.ingress, &v.dst)?;
        }
        if r.truncated {
            writeln!(out, "  (more counterexamples not shown)")?;
        }
    }
    let violated = results.iter().filter(|r| !r.holds && !r.unknown).count();
    let unknown = results.iter().filter(|r| r.unknown).count();
    let also = if unknown > 0 {
        format!(", {unknown} unknown")
    } else {
        String::new()
    };
    writeln!(
        out,
        "{} intents, {} hold, {violated} violated{also}",
        results.len(),
        results.len() - violated - unknown
    )
}

#[derive(Serialize)]
struct VerifyJson<'a> {
    schema: &'static str,
    intents: Vec<IntentJson<'a>>,
    violated: usize,
    /// Intents the input cannot decide (listed when any).
    #[serde(skip_serializing_if = "is_zero")]
    unknown: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct IntentJson<'a> {
    name: &'a str,
    rule: &'static str,
    severity: &'static str,
    file: &'a str,
    line: Option<u32>,
    holds: bool,
    /// The input cannot decide whether it holds: every counterexample is
    /// `unknown` (listed when true).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    unknown: bool,
    violations: Vec<ViolationJson>,
    truncated: bool,
    unmatched: Vec<UnmatchedJson<'a>>,
}

#[derive(Serialize)]
struct UnmatchedJson<'a> {
    field: &'a str,
    line: Option<u32>,
}

#[derive(Serialize)]
struct ViolationJson {
    kind: &'static str,
    src: String,
    dst: String,
    protocol: Option<&'static str>,
    port: Option<u16>,
    offending: ConnsJson,
    /// The input cannot decide this counterexample (listed when true).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    unknown: bool,
    egress: SideJson,
    ingress: SideJson,
}

fn endpoint_text(cluster: &Cluster, e: &Endpoint) -> String {
    match e {
        Endpoint::Pod(p) => cluster.pod_name(*p),
        Endpoint::External(ip) => ip.to_string(),
    }
}

/// Writes `podnet.verify/v1`.
pub fn write_json(
    out: &mut dyn Write,
    cluster: &Cluster,
    intents: &[Intent],
    results: &[IntentResult],
) -> io::Result<()> {
    let doc = VerifyJson {
        schema: VERIFY_SCHEMA,
        intents: results
            .iter()
            .map(|r| {
                let intent = &intents[r.intent];
                IntentJson {
                    name: &intent.meta.name,
                    rule: intent.rule.field(),
                    severity: intent.severity.as_str(),
                    file: &intent.meta.source.file,
                    line: intent.meta.source.line,
                    holds: r.holds,
                    unknown: r.unknown,
                    violations: r
                        .violations
                        .iter()
                        .map(|v| ViolationJson {
                            kind: v.kind.as_str(),
                            src: endpoint_text(cluster, &v.src),
                            dst: endpoint_text(cluster, &v.dst),
                            protocol: v.port.map(|(p, _)| p.as_str()),
                            port: v.port.map(|(_, n)| n),
                            offending: ConnsJson::new(&v.offending),
                            unknown: v.unknown,
                            egress: side_json(cluster, &v.explanation.egress),
                            ingress: side_json(cluster, &v.explanation.ingress),
                        })
                        .collect(),
                    truncated: r.truncated,
                    unmatched: r
                        .unmatched
                        .iter()
                        .map(|u| UnmatchedJson {
                            field: &u.field,
                            line: u.line,
                        })
                        .collect(),
                }
            })
            .collect(),
        violated: results.iter().filter(|r| !r.holds && !r.unknown).count(),
        unknown: results.iter().filter(|r| r.unknown).count(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Info => ResultLevel::Note,
        Severity::Warning => ResultLevel::Warning,
        Severity::Error | Severity::Fatal => ResultLevel::Error,
    }
}

/// The SARIF log: one rule (a violated intent), one result per violated
/// intent at its declaration, naming its first counterexample.
pub fn sarif(cluster: &Cluster, intents: &[Intent], results: &[IntentResult]) -> Sarif {
    let rule = descriptor(
        &RuleTexts {
            id: INTENT_RULE,
            name: "intent-violated",
            short: "A ConnectivityIntent does not hold.",
            full: "The policies let through a flow a deny, only or isolate intent forbids, or block a flow an allow intent requires (docs/intents.md).",
            help: "Read the counterexample's explanation and change the policy that decides it, or the intent.",
        },
        ResultLevel::Error,
    );
    let results: Vec<SarifResult> = results
        .iter()
        .filter(|r| !r.holds)
        .map(|r| {
            let intent = &intents[r.intent];
            let example = r
                .violations
                .first()
                .map(|v| format!(": {}", headline(cluster, v)))
                .unwrap_or_default();
            SarifResult::builder()
                .rule_id(INTENT_RULE.to_owned())
                .rule_index(0)
                .level(level(intent.severity))
                .message(
                    Message::builder()
                        .text(format!(
                            "intent `{}` ({}) does not hold{example}",
                            intent.meta.name,
                            intent.rule.field()
                        ))
                        .build(),
                )
                .locations(vec![location(&intent.meta.source)])
                .build()
        })
        .collect();
    log(vec![rule], results)
}

/// Writes the SARIF log.
pub fn write_sarif(
    out: &mut dyn Write,
    cluster: &Cluster,
    intents: &[Intent],
    results: &[IntentResult],
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &sarif(cluster, intents, results))?;
    writeln!(out)
}
