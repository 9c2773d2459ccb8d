//! podnet's printers. Wire types are separate from model types; every
//! format prints the engine's stable order. Nothing here analyses.

pub mod audit;
pub mod connlist;
pub mod connlist_groups;
pub mod describe;
pub mod diagnostics;
pub mod diff;
pub mod dns;
pub mod explain;
pub mod html;
pub mod ipam;
pub mod lab;
mod lb;
pub mod placement;
pub mod sarif;
pub mod synth;
pub mod text;
pub mod tiers;
pub mod trace;
pub mod unknown;
pub mod verify;
pub mod wire;

pub use connlist::{ConnlistFormat, RunSummary, write_connlist};
pub use diagnostics::{DiagnosticPrinter, ErrorFormat, caveat, render};
pub use explain::Probe;
