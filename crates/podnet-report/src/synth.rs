//! `podnet synth`'s account on stderr: the synthesis notes, every conflict
//! between intents, every intent that does not hold, every flow allowed
//! beyond the intents, and the self-check's verdict.

use std::io::{self, Write};

use podnet_engine::{Endpoint, ViolationKind};
use podnet_model::{Cluster, Intent};
use podnet_synth::{Cause, SelfCheck, Synthesis};

/// Writes the notes and the self-check's outcome of a synthesis of
/// `intents` for the workloads of `cluster`.
pub fn write_synth_report(
    out: &mut dyn Write,
    cluster: &Cluster,
    intents: &[Intent],
    synthesis: &Synthesis,
    check: &SelfCheck,
) -> io::Result<()> {
    for n in &synthesis.notes {
        writeln!(out, "note: {n}")?;
    }
    let name = |i: usize| intents.get(i).map_or("?", |x| x.meta.name.as_str());
    let end = |e: Endpoint| match e {
        Endpoint::Pod(p) => cluster.pod_name(p),
        Endpoint::External(a) => a.to_string(),
    };
    for c in &check.conflicts {
        let causes: Vec<String> = c
            .causes
            .iter()
            .map(|cause| match cause {
                Cause::Intent(i) => format!("`{}`", name(*i)),
                Cause::ClusterDns => "the cluster DNS".to_owned(),
            })
            .collect();
        writeln!(
            out,
            "conflict: intent `{}` forbids {}, which {} demands",
            name(c.intent),
            c.flow,
            causes.join(" and ")
        )?;
    }
    for r in check.results.iter().filter(|r| !r.holds) {
        for v in &r.violations {
            let port = v.port.map_or(String::new(), |(p, n)| format!(" {p} {n}"));
            let what = match v.kind {
                ViolationKind::Missing => "missing",
                ViolationKind::Forbidden => "forbidden",
            };
            writeln!(
                out,
                "intent `{}` does not hold: {what} {} -> {}{port}",
                name(r.intent),
                end(v.src),
                end(v.dst)
            )?;
        }
    }
    for x in &check.extra {
        writeln!(
            out,
            "allowed beyond the intents: {} -> {} : {}",
            x.src, x.dst, x.conns
        )?;
    }
    let rules: usize = synthesis.policies.iter().map(|p| p.rule_count()).sum();
    let verdict = if check.passed() {
        "self-check passed: every intent holds and nothing beyond them is allowed"
    } else {
        "self-check FAILED"
    };
    writeln!(
        out,
        "podnet synth: {} policies, {rules} rules; {verdict}",
        synthesis.policies.len()
    )
}
