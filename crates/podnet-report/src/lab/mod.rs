//! `podnet lab`: the plan in words ([`plan_text`]) and the truth table of a
//! probe run ([`write_table_text`], [`write_table_json`]). The lab crate
//! returns the plan and the probe results as data; all wording is here.

mod plan;
mod table;

pub use plan::plan_text;
pub use table::{write_json as write_table_json, write_text as write_table_text};

use podnet_lab::plan::{Source, Target};

/// A target's short label in tables and probe lists: `p3`, `s0`, `n1`,
/// `lb0` (the load-balancer address of Service `s0`).
fn label(t: &Target) -> String {
    match t {
        Target::Pod(i) => format!("p{i}"),
        Target::Service(i) => format!("s{i}"),
        Target::Node(i) => format!("n{i}"),
        Target::LoadBalancer(i) => format!("lb{i}"),
    }
}

/// A source's short label: `p3`, or `x0` for an outside client.
fn source_label(s: Source) -> String {
    match s {
        Source::Pod(i) => format!("p{i}"),
        Source::Client(i) => format!("x{i}"),
    }
}
