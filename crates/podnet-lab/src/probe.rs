//! `probe`: from every pod's and outside client's namespace, connect to
//! every probe target of the plan (a prober per source, several at once),
//! then compare what the kernel did with what the engine expects: whether
//! it connects, and (where the model predicts it) the source address the
//! endpoint sees.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::net::IpAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::plan::{LabPlan, ProbeSpec, Source};
use crate::{LabError, Result, cancel, preflight};

/// Options of [`probe`].
#[derive(Clone, Copy, Debug)]
pub struct ProbeOptions {
    /// How long a probe waits for an answer.
    pub timeout: Duration,
    /// How many source pods probe at once.
    pub jobs: usize,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions {
            timeout: Duration::from_millis(1000),
            jobs: 16,
        }
    }
}

/// What the kernel did with one probe.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "detail")]
pub enum Outcome {
    /// Connected (TCP, SCTP) or answered (UDP).
    Connected,
    /// The destination refused: the packet got there, nothing listened.
    Refused,
    /// No answer in time: dropped on the way.
    Timeout,
    /// Not sent, for this reason (e.g. the kernel lacks SCTP).
    Skipped(String),
    /// The prober failed.
    Error(String),
}

impl Outcome {
    /// Whether the packet reached the destination, when known.
    pub fn reached(&self) -> Option<bool> {
        match self {
            Outcome::Connected | Outcome::Refused => Some(true),
            Outcome::Timeout => Some(false),
            Outcome::Skipped(_) | Outcome::Error(_) => None,
        }
    }

    fn parse(word: &str) -> Outcome {
        match word {
            "connected" => Outcome::Connected,
            "refused" => Outcome::Refused,
            "timeout" => Outcome::Timeout,
            "unsupported" => Outcome::Skipped("the kernel does not support the protocol".into()),
            other => Outcome::Error(other.trim_start_matches("error:").to_owned()),
        }
    }
}

/// One probe with what happened.
#[derive(Clone, Debug, Serialize)]
pub struct ProbeResult {
    /// The probe and the engine's expectation.
    pub spec: ProbeSpec,
    /// What the kernel did.
    pub outcome: Outcome,
    /// The source address the endpoint saw, when it connected and the
    /// listener said (TCP, UDP).
    pub seen_source: Option<IpAddr>,
    /// Whether the kernel agrees with the engine (`None` when not known:
    /// skipped or failed): it connects exactly when the engine allows it,
    /// and where the model predicts the source address the endpoint sees
    /// and the listener reported one, they are the same.
    pub agrees: Option<bool>,
}

/// Whether what the kernel did agrees with `spec`: `None` when the outcome
/// is not known.
pub fn agreement(spec: &ProbeSpec, outcome: &Outcome, seen: Option<IpAddr>) -> Option<bool> {
    let reached = outcome.reached()?;
    let source_agrees = match (spec.expected_source, seen) {
        (Some(expected), Some(seen)) if *outcome == Outcome::Connected => {
            IpAddr::from(expected) == seen
        }
        _ => true,
    };
    Some(reached == spec.expected && source_agrees)
}

/// Every probe of a run.
#[derive(Clone, Debug, Serialize)]
pub struct ProbeReport {
    /// Results, in the plan's order.
    pub results: Vec<ProbeResult>,
    /// How long probing took.
    pub elapsed: Duration,
}

impl ProbeReport {
    /// Probes where the kernel and the engine disagree.
    pub fn disagreements(&self) -> usize {
        self.results
            .iter()
            .filter(|r| r.agrees == Some(false))
            .count()
    }

    /// Probes that were not sent or failed.
    pub fn unknown(&self) -> usize {
        self.results.iter().filter(|r| r.agrees.is_none()).count()
    }
}

/// Runs every probe of `plan`; probers are `agent lab-probe`.
pub fn probe(plan: &LabPlan, agent: &Path, options: ProbeOptions) -> Result<ProbeReport> {
    let start = Instant::now();
    let sctp = preflight::sctp_supported();
    let mut grouped: BTreeMap<Source, Vec<usize>> = BTreeMap::new();
    let mut outcomes: Vec<Option<(Outcome, Option<IpAddr>)>> = vec![None; plan.probes.len()];
    for (i, p) in plan.probes.iter().enumerate() {
        if p.protocol == "sctp" && !sctp {
            outcomes[i] = Some((
                Outcome::Skipped(
                    "this kernel has no SCTP support (module `sctp` not available)".into(),
                ),
                None,
            ));
        } else if plan.source_netns(p.from).is_some() {
            grouped.entry(p.from).or_default().push(i);
        }
    }
    let by_source: Vec<(Source, Vec<usize>)> = grouped.into_iter().collect();
    let next = AtomicUsize::new(0);
    let found: Mutex<Vec<(usize, Outcome, Option<IpAddr>)>> = Mutex::new(Vec::new());
    let failure: Mutex<Option<LabError>> = Mutex::new(None);
    thread::scope(|s| {
        for _ in 0..options.jobs.max(1) {
            s.spawn(|| {
                loop {
                    let src = next.fetch_add(1, Ordering::SeqCst);
                    if src >= by_source.len() || cancel::requested() {
                        return;
                    }
                    let (from, list) = &by_source[src];
                    match run_prober(plan, *from, list, agent, options.timeout) {
                        Ok(list) => {
                            if let Ok(mut f) = found.lock() {
                                f.extend(list);
                            }
                        }
                        Err(e) => {
                            if let Ok(mut f) = failure.lock() {
                                f.get_or_insert(e);
                            }
                            return;
                        }
                    }
                }
            });
        }
    });
    cancel::check()?;
    if let Some(e) = failure.into_inner().ok().flatten() {
        return Err(e);
    }
    for (i, o, seen) in found.into_inner().unwrap_or_default() {
        outcomes[i] = Some((o, seen));
    }
    let results = plan
        .probes
        .iter()
        .zip(outcomes)
        .map(|(spec, o)| {
            let (outcome, seen_source) =
                o.unwrap_or_else(|| (Outcome::Error("no answer from the prober".into()), None));
            let agrees = agreement(spec, &outcome, seen_source);
            ProbeResult {
                spec: spec.clone(),
                outcome,
                seen_source,
                agrees,
            }
        })
        .collect();
    Ok(ProbeReport {
        results,
        elapsed: start.elapsed(),
    })
}

/// One prober in the source's namespace; (probe index, outcome, source
/// address seen) triples.
fn run_prober(
    plan: &LabPlan,
    src: Source,
    probes: &[usize],
    agent: &Path,
    timeout: Duration,
) -> Result<Vec<(usize, Outcome, Option<IpAddr>)>> {
    let netns = plan.source_netns(src).unwrap_or_default();
    let mut input = String::new();
    let mut index: HashMap<(String, String, u16), Vec<usize>> = HashMap::new();
    for &i in probes {
        let p = &plan.probes[i];
        input.push_str(&format!("{} {} {}\n", p.protocol, p.ip, p.port));
        index
            .entry((p.protocol.clone(), p.ip.to_string(), p.port))
            .or_default()
            .push(i);
    }
    let line = format!("ip netns exec {netns} {} lab-probe", agent.display());
    let err = |message: String| LabError::Command {
        command: line.clone(),
        message,
    };
    let mut child = Command::new("ip")
        .args(["netns", "exec", netns])
        .arg(agent)
        .arg("lab-probe")
        .arg("--timeout-ms")
        .arg(timeout.as_millis().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| err(e.to_string()))?;
    if let Some(mut pipe) = child.stdin.take() {
        pipe.write_all(input.as_bytes())
            .map_err(|e| err(e.to_string()))?;
    }
    let out = child.wait_with_output().map_err(|e| err(e.to_string()))?;
    if !out.status.success() {
        return Err(err(String::from_utf8_lossy(&out.stderr).trim().to_owned()));
    }
    let mut list = Vec::new();
    for l in String::from_utf8_lossy(&out.stdout).lines() {
        let w: Vec<&str> = l.split_whitespace().collect();
        let (proto, ip, port, outcome, seen) = match w.as_slice() {
            [proto, ip, port, outcome] => (proto, ip, port, outcome, None),
            [proto, ip, port, outcome, seen] => (proto, ip, port, outcome, seen.parse().ok()),
            _ => continue,
        };
        let Ok(port) = port.parse::<u16>() else {
            continue;
        };
        if let Some(ids) = index.get(&((*proto).to_owned(), (*ip).to_owned(), port)) {
            for &i in ids {
                list.push((i, Outcome::parse(outcome), seen));
            }
        }
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;
    use crate::plan::Target;

    /// (name, expected, expected source, outcome, seen source, agreement)
    type Row = (
        &'static str,
        bool,
        Option<Ipv4Addr>,
        Outcome,
        Option<Ipv4Addr>,
        Option<bool>,
    );

    fn spec(expected: bool, expected_source: Option<Ipv4Addr>) -> ProbeSpec {
        ProbeSpec {
            from: Source::Client(0),
            to: Target::Node(0),
            ip: Ipv4Addr::new(172, 18, 0, 2).into(),
            protocol: "tcp".into(),
            port: 30080,
            expected,
            expected_source,
        }
    }

    #[test]
    fn agreement_needs_the_outcome_and_the_source_the_model_predicts() {
        let node = Ipv4Addr::new(172, 18, 0, 2);
        let client = Ipv4Addr::new(203, 0, 113, 10);
        let rows: &[Row] = &[
            (
                "masqueraded as predicted",
                true,
                Some(node),
                Outcome::Connected,
                Some(node),
                Some(true),
            ),
            (
                "not masqueraded, model says it is",
                true,
                Some(node),
                Outcome::Connected,
                Some(client),
                Some(false),
            ),
            (
                "masqueraded, model says the client is kept",
                true,
                Some(client),
                Outcome::Connected,
                Some(node),
                Some(false),
            ),
            (
                "no source reported (SCTP)",
                true,
                Some(node),
                Outcome::Connected,
                None,
                Some(true),
            ),
            (
                "no source predicted",
                true,
                None,
                Outcome::Connected,
                Some(client),
                Some(true),
            ),
            (
                "refused counts as reached, no source",
                true,
                Some(node),
                Outcome::Refused,
                None,
                Some(true),
            ),
            (
                "dropped as predicted",
                false,
                None,
                Outcome::Timeout,
                None,
                Some(true),
            ),
            (
                "connected, model drops",
                false,
                None,
                Outcome::Connected,
                Some(client),
                Some(false),
            ),
            (
                "dropped, model connects",
                true,
                Some(node),
                Outcome::Timeout,
                None,
                Some(false),
            ),
            (
                "skipped",
                true,
                Some(node),
                Outcome::Skipped("no sctp".into()),
                None,
                None,
            ),
        ];
        for (name, expected, source, outcome, seen, want) in rows {
            let got = agreement(&spec(*expected, *source), outcome, seen.map(IpAddr::from));
            assert_eq!(got, *want, "{name}");
        }
    }
}
