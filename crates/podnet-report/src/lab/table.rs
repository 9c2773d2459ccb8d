//! The truth table of a probe run, for people (one matrix per protocol and
//! port, every disagreeing cell marked and listed) and for machines
//! (`podnet.lab/v1` JSON).

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use podnet_lab::plan::{LabPlan, Source, Target, Transport};
use podnet_lab::probe::{Outcome, ProbeReport};

use super::{label, source_label};

/// Writes the text truth table.
pub fn write_text(out: &mut dyn Write, plan: &LabPlan, report: &ProbeReport) -> io::Result<()> {
    let transport = match plan.transport {
        Transport::Routes => "routes".to_owned(),
        Transport::Vxlan { port } => format!("vxlan udp/{port}"),
    };
    writeln!(
        out,
        "podnet lab {}: {} pods on {} nodes ({transport}), {} probes in {:.1} s",
        plan.id,
        plan.pods.len(),
        plan.nodes.len(),
        report.results.len(),
        report.elapsed.as_secs_f64()
    )?;
    writeln!(out, "pods:")?;
    for (i, p) in plan.pods.iter().enumerate() {
        let node = plan.nodes.get(p.node).map_or("?", |n| n.name.as_str());
        writeln!(out, "  p{i:<3} {:<40} {:<16} {node}", p.pod, p.address.addr)?;
    }
    for (i, s) in plan.services.iter().enumerate() {
        writeln!(out, "  s{i:<3} {:<40} {}", s.name, s.cluster_ip)?;
    }
    if plan.probes.iter().any(|p| matches!(p.to, Target::Node(_))) {
        for (i, n) in plan.nodes.iter().enumerate() {
            writeln!(out, "  n{i:<3} {:<40} {}", n.name, n.address)?;
        }
    }
    for (i, s) in plan.services.iter().enumerate() {
        for lb in &s.load_balancer_ips {
            let name = format!("{} load balancer", s.name);
            writeln!(out, "  lb{i:<2} {name:<40} {lb}")?;
        }
    }
    for (i, c) in plan.clients.iter().enumerate() {
        writeln!(out, "  x{i:<3} {:<40} {}", "outside client", c.address)?;
    }
    writeln!(
        out,
        "cells: `.` reached as expected (and the endpoint saw the source the model predicts), `X` dropped as expected, `!` disagreement, `?` skipped or failed, ` ` not probed"
    )?;
    // (protocol, port) -> columns -> rows -> cell.
    let mut tables: BTreeMap<(String, u16), BTreeMap<Target, BTreeMap<Source, char>>> =
        BTreeMap::new();
    for r in &report.results {
        let cell = match (r.agrees, r.outcome.reached()) {
            (Some(true), Some(true)) => '.',
            (Some(true), _) => 'X',
            (Some(false), _) => '!',
            (None, _) => '?',
        };
        tables
            .entry((r.spec.protocol.clone(), r.spec.port))
            .or_default()
            .entry(r.spec.to)
            .or_default()
            .insert(r.spec.from, cell);
    }
    for ((proto, port), columns) in &tables {
        writeln!(out, "\n{}/{port}", proto.to_uppercase())?;
        let labels: Vec<String> = columns.keys().map(label).collect();
        let width = labels.iter().map(String::len).max().unwrap_or(2).max(3);
        write!(out, "{:>6}", "")?;
        for l in &labels {
            write!(out, " {l:>width$}")?;
        }
        writeln!(out)?;
        let sources = (0..plan.pods.len())
            .map(Source::Pod)
            .chain((0..plan.clients.len()).map(Source::Client));
        for src in sources {
            if !columns.values().any(|rows| rows.contains_key(&src)) {
                continue;
            }
            write!(out, "{:>6}", source_label(src))?;
            for rows in columns.values() {
                let c = rows.get(&src).copied().unwrap_or(' ');
                write!(out, " {c:>width$}")?;
            }
            writeln!(out)?;
        }
    }
    let disagreeing: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.agrees == Some(false))
        .collect();
    if !disagreeing.is_empty() {
        writeln!(out, "\ndisagreements:")?;
        for r in disagreeing {
            let seen = match (r.spec.expected_source, r.seen_source) {
                (Some(model), Some(kernel)) if r.outcome == Outcome::Connected => {
                    format!("; the endpoint sees {model} in the model, {kernel} in the kernel")
                }
                _ => String::new(),
            };
            writeln!(
                out,
                "  {} -> {} ({}) {}/{}: engine {}, kernel {}{seen}",
                source_name(plan, r.spec.from),
                name(plan, r.spec.to),
                r.spec.ip,
                r.spec.protocol,
                r.spec.port,
                if r.spec.expected { "allows" } else { "denies" },
                outcome_word(&r.outcome)
            )?;
        }
    }
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    for r in &report.results {
        match &r.outcome {
            Outcome::Skipped(why) => *skipped.entry(format!("skipped: {why}")).or_default() += 1,
            Outcome::Error(why) => *skipped.entry(format!("failed: {why}")).or_default() += 1,
            _ => {}
        }
    }
    if !skipped.is_empty() {
        writeln!(out, "\nnot compared:")?;
        for (why, n) in skipped {
            writeln!(out, "  {n} probes {why}")?;
        }
    }
    if !plan.excluded.is_empty() {
        writeln!(out, "\nexcluded from the lab:")?;
        for e in &plan.excluded {
            writeln!(out, "  {}: {}", e.subject, e.reason)?;
        }
    }
    let d = report.disagreements();
    let u = report.unknown();
    writeln!(
        out,
        "\n{} agree, {d} disagree, {u} not compared",
        report.results.len() - d - u
    )
}

fn source_name(plan: &LabPlan, s: Source) -> String {
    match s {
        Source::Pod(i) => name(plan, Target::Pod(i)),
        Source::Client(i) => plan
            .clients
            .get(i)
            .map_or("?".into(), |c| format!("outside client {}", c.address)),
    }
}

fn name(plan: &LabPlan, t: Target) -> String {
    match t {
        Target::Pod(i) => plan.pods.get(i).map_or("?".into(), |p| p.pod.clone()),
        Target::Service(i) => plan
            .services
            .get(i)
            .map_or("?".into(), |s| format!("service {}", s.name)),
        Target::Node(i) => plan
            .nodes
            .get(i)
            .map_or("?".into(), |n| format!("node {}", n.name)),
        Target::LoadBalancer(i) => plan.services.get(i).map_or("?".into(), |s| {
            format!("load balancer of service {}", s.name)
        }),
    }
}

fn outcome_word(o: &Outcome) -> String {
    match o {
        Outcome::Connected => "connected".into(),
        Outcome::Refused => "refused (reached)".into(),
        Outcome::Timeout => "timed out (dropped)".into(),
        Outcome::Skipped(w) => format!("skipped ({w})"),
        Outcome::Error(w) => format!("failed ({w})"),
    }
}

#[derive(Serialize)]
struct Json<'a> {
    schema: &'static str,
    id: &'a str,
    transport: &'a Transport,
    nodes: Vec<JsonNode<'a>>,
    pods: Vec<JsonPod<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    clients: Vec<String>,
    services: Vec<JsonService<'a>>,
    probes: Vec<JsonProbe>,
    excluded: &'a [podnet_lab::plan::Exclusion],
    summary: JsonSummary,
}

#[derive(Serialize)]
struct JsonNode<'a> {
    name: &'a str,
    netns: &'a str,
    address: String,
}

#[derive(Serialize)]
struct JsonPod<'a> {
    pod: &'a str,
    netns: &'a str,
    node: &'a str,
    ip: String,
}

#[derive(Serialize)]
struct JsonService<'a> {
    service: &'a str,
    cluster_ip: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    load_balancer_ips: Vec<String>,
}

#[derive(Serialize)]
struct JsonProbe {
    from: String,
    to: String,
    ip: String,
    protocol: String,
    port: u16,
    expected: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected_source: Option<String>,
    actual: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    seen_source: Option<String>,
    agrees: Option<bool>,
}

#[derive(Serialize)]
struct JsonSummary {
    probes: usize,
    agree: usize,
    disagree: usize,
    not_compared: usize,
    elapsed_ms: u128,
}

/// Writes `podnet.lab/v1` JSON.
pub fn write_json(out: &mut dyn Write, plan: &LabPlan, report: &ProbeReport) -> io::Result<()> {
    let d = report.disagreements();
    let u = report.unknown();
    let json = Json {
        schema: "podnet.lab/v1",
        id: &plan.id,
        transport: &plan.transport,
        nodes: plan
            .nodes
            .iter()
            .map(|n| JsonNode {
                name: &n.name,
                netns: &n.netns,
                address: n.address.to_string(),
            })
            .collect(),
        pods: plan
            .pods
            .iter()
            .map(|p| JsonPod {
                pod: &p.pod,
                netns: &p.netns,
                node: plan.nodes.get(p.node).map_or("", |n| n.name.as_str()),
                ip: p.address.addr.to_string(),
            })
            .collect(),
        services: plan
            .services
            .iter()
            .map(|s| JsonService {
                service: &s.name,
                cluster_ip: s.cluster_ip.to_string(),
                load_balancer_ips: s
                    .load_balancer_ips
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            })
            .collect(),
        clients: plan.clients.iter().map(|c| c.address.to_string()).collect(),
        probes: report
            .results
            .iter()
            .map(|r| JsonProbe {
                from: source_name(plan, r.spec.from),
                to: name(plan, r.spec.to),
                ip: r.spec.ip.to_string(),
                protocol: r.spec.protocol.clone(),
                port: r.spec.port,
                expected: if r.spec.expected { "allow" } else { "deny" },
                expected_source: r.spec.expected_source.map(|ip| ip.to_string()),
                actual: match &r.outcome {
                    Outcome::Connected => "connected".into(),
                    Outcome::Refused => "refused".into(),
                    Outcome::Timeout => "timeout".into(),
                    Outcome::Skipped(w) => format!("skipped: {w}"),
                    Outcome::Error(w) => format!("error: {w}"),
                },
                seen_source: r.seen_source.map(|ip| ip.to_string()),
                agrees: r.agrees,
            })
            .collect(),
        excluded: &plan.excluded,
        summary: JsonSummary {
            probes: report.results.len(),
            agree: report.results.len() - d - u,
            disagree: d,
            not_compared: u,
            elapsed_ms: report.elapsed.as_millis(),
        },
    };
    serde_json::to_writer_pretty(&mut *out, &json).map_err(io::Error::other)?;
    writeln!(out)
}
