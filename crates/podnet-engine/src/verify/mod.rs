//! `verify`: checks declared [`Intent`]s against what the policies allow,
//! and gives, for each broken intent, concrete counterexamples (a source
//! pod or address, a destination, a port) with the spec's [`Verdict`] for
//! each.
//!
//! The work is per identity, not per pod (docs/architecture.md house rule 3): a
//! selector selects identities, connections come from the fast path
//! ([`Engine`]), and only the reported counterexamples are evaluated by
//! the readable spec ([`crate::semantics::evaluate_workloads`]: the
//! destination stands for its workload, so a named port its pods do not
//! all define alike leaves a counterexample `unknown`) for their
//! explanation. Rules, as `docs/intents.md` states them:
//!
//! * `allow`: every selected source pod reaches every selected destination
//!   pod on every listed port (named ports resolved on the destination);
//!   without ports, on some connection. Pod to address ranges: every
//!   address of the range. A pod's traffic to itself is never considered.
//! * `deny`: no source reaches a destination on a listed port (none listed:
//!   on anything).
//! * `only`: anything reaching a target pod (pods and outside addresses)
//!   must come from a listed source, on that source's ports.
//! * `isolate`: no pod of a namespace group reaches a pod of another group.

mod external;
mod pairs;
mod rules;
mod select;
#[cfg(test)]
mod tests;

use podnet_model::{Conns, Intent, Protocol};
use rayon::prelude::*;

use crate::matrix::Engine;
use crate::semantics::evaluate_workloads;
use crate::verdict::{Endpoint, Verdict};

use pairs::Pairs;

/// Counterexamples reported per intent by [`verify`].
pub const DEFAULT_MAX_VIOLATIONS: usize = 10;

/// How [`verify_with`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Most counterexamples per intent (at least one is always kept).
    pub max_violations: usize,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            max_violations: DEFAULT_MAX_VIOLATIONS,
        }
    }
}

/// Why a flow breaks an intent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ViolationKind {
    /// An `allow` intent's connection is not allowed.
    Missing,
    /// A `deny`, `only` or `isolate` intent's forbidden connection is
    /// allowed.
    Forbidden,
}

impl ViolationKind {
    /// `missing` or `forbidden`.
    pub fn as_str(self) -> &'static str {
        match self {
            ViolationKind::Missing => "missing",
            ViolationKind::Forbidden => "forbidden",
        }
    }
}

/// One counterexample.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// A concrete source: a pod, or an address outside the cluster's pods.
    pub src: Endpoint,
    /// A concrete destination.
    pub dst: Endpoint,
    /// A port of `offending`; `None` when the intent is about "some
    /// connection" (an `allow` without ports), when a named port does not
    /// exist on the destination, or when only protocols without ports
    /// (ICMP...) offend.
    pub port: Option<(Protocol, u16)>,
    /// Missing or forbidden.
    pub kind: ViolationKind,
    /// The connections at fault: what `allow` requires and is not allowed
    /// (everything for "some connection"), or what is allowed and should
    /// not be.
    pub offending: Conns,
    /// The spec's verdict for the flow, with every reason.
    pub explanation: Verdict,
    /// Whether the input cannot decide this counterexample: every
    /// offending connection is in the verdict's
    /// [`unknown`](Verdict::unknown) (it rests on an address podnet
    /// assumed or on labels of an undeclared namespace).
    pub unknown: bool,
}

/// A selector (or an `isolate` rule) that selects nothing in the cluster:
/// the intent holds vacuously there, which is usually a typo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmatched {
    /// The field, e.g. `spec.allow.from[1]` or `spec.isolate`.
    pub field: String,
    /// Its line, when known.
    pub line: Option<u32>,
}

/// The outcome of one intent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntentResult {
    /// Index of the intent in the slice given to [`verify`].
    pub intent: usize,
    /// Whether the intent holds (no violation).
    pub holds: bool,
    /// Whether the input cannot decide that it does not hold: every
    /// counterexample is [`unknown`](Violation::unknown) and none was left
    /// out. (Only counterexamples under podnet's reading are searched: an
    /// intent that holds is not checked against other readings.)
    pub unknown: bool,
    /// Counterexamples, at most the options' `max_violations`, in a stable
    /// order.
    pub violations: Vec<Violation>,
    /// Whether there were more counterexamples than reported.
    pub truncated: bool,
    /// Selectors that select nothing.
    pub unmatched: Vec<Unmatched>,
}

/// A counterexample before its explanation.
#[derive(Clone, Debug)]
pub(crate) struct Candidate {
    pub src: Endpoint,
    pub dst: Endpoint,
    pub kind: ViolationKind,
    pub offending: Conns,
    /// Whether the port of `offending` means something (not "some
    /// connection").
    pub with_port: bool,
}

/// Checks every intent, with [`VerifyOptions::default`].
pub fn verify(engine: &Engine<'_>, intents: &[Intent]) -> Vec<IntentResult> {
    verify_with(engine, intents, &VerifyOptions::default())
}

/// Checks every intent; one result per intent, in order.
pub fn verify_with(
    engine: &Engine<'_>,
    intents: &[Intent],
    options: &VerifyOptions,
) -> Vec<IntentResult> {
    if !engine.observes(intents) {
        // Identities must tell apart what the intents select.
        let own = Engine::with_intents(engine.cluster, intents);
        return verify_with(&own, intents, options);
    }
    let pairs = Pairs::new(engine);
    let max = options.max_violations.max(1);
    intents
        .par_iter()
        .enumerate()
        .map(|(i, intent)| {
            let outcome = rules::check(engine, &pairs, intent, max + 1);
            let truncated = outcome.candidates.len() > max;
            let violations: Vec<Violation> = outcome
                .candidates
                .into_iter()
                .take(max)
                .map(|c| explain(engine, c))
                .collect();
            IntentResult {
                intent: i,
                holds: violations.is_empty(),
                unknown: !violations.is_empty()
                    && !truncated
                    && violations.iter().all(|v| v.unknown),
                violations,
                truncated,
                unmatched: outcome.unmatched,
            }
        })
        .collect()
}

/// The first port of `conns`, by protocol then number.
pub fn first_port(conns: &Conns) -> Option<(Protocol, u16)> {
    conns
        .by_protocol()
        .find_map(|(p, set)| set.ranges().first().map(|&(lo, _)| (p, lo)))
}

fn explain(engine: &Engine<'_>, c: Candidate) -> Violation {
    let explanation = evaluate_workloads(engine.cluster, c.src, c.dst);
    Violation {
        src: c.src,
        dst: c.dst,
        port: if c.with_port {
            first_port(&c.offending)
        } else {
            None
        },
        kind: c.kind,
        unknown: !c.offending.is_empty() && c.offending.difference(&explanation.unknown).is_empty(),
        offending: c.offending,
        explanation,
    }
}
