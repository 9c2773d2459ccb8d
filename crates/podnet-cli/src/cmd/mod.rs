//! One module per subcommand; each only wires arguments to library calls.

pub mod audit;
pub mod completions;
pub mod connlist;
pub mod diff;
pub mod dns;
pub mod explain;
pub mod generate;
pub mod ipam;
pub mod lab;
pub mod man;
pub mod report;
pub mod synth;
pub mod trace;
pub mod verify;
