//! podnet's policy engine: who may connect to whom, on which ports, and why.
//!
//! * [`semantics`] is the readable spec, one flow at a time, with reasons.
//! * [`matrix::Engine`] is the fast path over pod identities and address
//!   atoms; it must agree with the spec (checked on random clusters).
//! * [`identity`] forms the classes of pods nothing in the input tells
//!   apart; [`rows`] computes what one identity may open to all others.
//! * [`connlist`] aggregates to workloads and streams the pairs in order;
//!   [`groups`] states them in fewer lines; [`explain`] reports verdicts.

pub mod admin_ports;
pub mod atoms;
pub mod caveat;
pub mod classset;
pub mod compiled;
pub mod compiled_admin;
pub mod connlist;
pub mod conns_table;
pub mod diff;
pub mod diff_rows;
pub mod diff_scope;
pub mod explain;
pub mod flow_count;
pub mod groups;
pub mod identity;
pub mod matrix;
pub mod matrix_tiers;
pub mod nsindex;
mod observe;
pub mod ports;
pub mod resolve;
pub mod rows;
mod selections;
pub mod semantics;
pub mod tiers;
pub mod undecided;
pub mod verdict;
pub mod verify;

pub use caveat::Caveat;
pub use connlist::{
    ConnList, Connection, Filtered, Flow, FlowBatch, FlowSource, PeerRef, Scope, WorkloadRows,
    collect, connlist, outside_rows, rows,
};
pub use conns_table::{ConnsId, ConnsTable};
pub use diff::{Change, Diff, DiffOptions, FlowKey, PeerKey, diff};
pub use diff_rows::{DiffSide, diff_rows};
pub use diff_scope::{EngineSide, Touched, diff_engines, touched_workloads};
pub use explain::{Case, Explanation, explain};
pub use flow_count::FlowCounter;
pub use matrix::Engine;
pub use resolve::{ResolveError, Target, resolve};
pub use undecided::{UndecidedFlow, UndecidedFlows, undecided_flows};
pub use verdict::{
    Endpoint, Isolation, PeerMiss, Reason, RuleOutcome, Side, TierReason, Tiers, Undecided,
    Unknown, Verdict,
};
pub use verify::{
    DEFAULT_MAX_VIOLATIONS, IntentResult, Unmatched, VerifyOptions, Violation, ViolationKind,
    verify, verify_with,
};
