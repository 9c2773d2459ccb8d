//! `probe`: from every pod's namespace, connect to every probe target of
//! the plan (a prober per source pod, several at once), then compare what
//! the kernel did with what the engine expects.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::plan::{LabPlan, ProbeSpec};
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
    /// Whether the kernel agrees with the engine (`None` when not known:
    /// skipped or failed).
    pub agrees: Option<bool>,
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
    let mut by_source: Vec<Vec<usize>> = vec![Vec::new(); plan.pods.len()];
    let mut outcomes: Vec<Option<Outcome>> = vec![None; plan.probes.len()];
    for (i, p) in plan.probes.iter().enumerate() {
        if p.protocol == "sctp" && !sctp {
            outcomes[i] = Some(Outcome::Skipped(
                "this kernel has no SCTP support (module `sctp` not available)".into(),
            ));
        } else if let Some(list) = by_source.get_mut(p.from) {
            list.push(i);
        }
    }
    let next = AtomicUsize::new(0);
    let found: Mutex<Vec<(usize, Outcome)>> = Mutex::new(Vec::new());
    let failure: Mutex<Option<LabError>> = Mutex::new(None);
    thread::scope(|s| {
        for _ in 0..options.jobs.max(1) {
            s.spawn(|| {
                loop {
                    let src = next.fetch_add(1, Ordering::SeqCst);
                    if src >= by_source.len() || cancel::requested() {
                        return;
                    }
                    if by_source[src].is_empty() {
                        continue;
                    }
                    match run_prober(plan, src, &by_source[src], agent, options.timeout) {
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
    for (i, o) in found.into_inner().unwrap_or_default() {
        outcomes[i] = Some(o);
    }
    let results = plan
        .probes
        .iter()
        .zip(outcomes)
        .map(|(spec, o)| {
            let outcome = o.unwrap_or_else(|| Outcome::Error("no answer from the prober".into()));
            let agrees = outcome.reached().map(|r| r == spec.expected);
            ProbeResult {
                spec: spec.clone(),
                outcome,
                agrees,
            }
        })
        .collect();
    Ok(ProbeReport {
        results,
        elapsed: start.elapsed(),
    })
}

/// One prober in the source pod's namespace; (probe index, outcome) pairs.
fn run_prober(
    plan: &LabPlan,
    src: usize,
    probes: &[usize],
    agent: &Path,
    timeout: Duration,
) -> Result<Vec<(usize, Outcome)>> {
    let netns = &plan.pods[src].netns;
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
        let [proto, ip, port, outcome] = w.as_slice() else {
            continue;
        };
        let Ok(port) = port.parse::<u16>() else {
            continue;
        };
        if let Some(ids) = index.get(&((*proto).to_owned(), (*ip).to_owned(), port)) {
            for &i in ids {
                list.push((i, Outcome::parse(outcome)));
            }
        }
    }
    Ok(list)
}
