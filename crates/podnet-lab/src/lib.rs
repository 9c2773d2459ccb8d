//! `podnet lab`: the modelled cluster stood up in Linux network namespaces,
//! probed with real packets, and compared with the engine.
//!
//! * [`verdicts`] asks the engine, once per ordered pair of lab pods, what
//!   each pod's egress and ingress allow and what the connection gets.
//! * [`render`] is pure: the dataplane model and those verdicts become a
//!   [`LabPlan`] (namespaces, links, addresses, routes, nftables rulesets as
//!   text, listeners, probes with their expected outcome). Golden-tested
//!   without privileges.
//! * [`apply`] builds a plan as root with `ip` and `nft`; [`teardown`]
//!   removes everything a run created, found by its name prefix and state
//!   file ([`state`]); [`probe`] sends the packets and compares.
//! * [`agent`] is what runs inside the pod namespaces (listeners and
//!   probers), served by the podnet binary itself.
//!
//! The privileged parts shell out to iproute2 (`ip`) and nftables (`nft`):
//! both take the plan's text form directly, and need no `unsafe` or async
//! runtime (the workspace forbids `unsafe`; the netlink crates need one or
//! the other to enter a namespace).

pub mod agent;
pub mod apply;
pub mod cancel;
pub mod exec;
pub mod nft;
pub mod plan;
pub mod preflight;
pub mod probe;
pub mod render;
pub mod state;
pub mod teardown;
pub mod verdicts;

pub use plan::{
    ClientPlan, Exclusion, LabPlan, Listeners, NodePlan, PodPlan, ProbeSpec, Route, Service,
    ServicePort, Source,
};
pub use probe::{Outcome, ProbeReport, ProbeResult};
pub use render::{RenderOptions, TransportChoice, render};
pub use verdicts::Verdicts;

/// What can go wrong in the lab.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    /// The machine cannot run a lab (not root, a tool missing).
    #[error("cannot run a lab here: {0}")]
    Unsupported(String),
    /// A lab (or what is left of one) is already there.
    #[error("a lab is already set up or left over: {0}")]
    Leftovers(String),
    /// A command failed.
    #[error("`{command}` failed: {message}")]
    Command {
        /// The command line.
        command: String,
        /// Its standard error, or why it could not start.
        message: String,
    },
    /// A listener did not report that it was ready.
    #[error("the listener in `{netns}` did not start: {message}")]
    Listener {
        /// The pod's namespace.
        netns: String,
        /// What it said.
        message: String,
    },
    /// The state file could not be read or written.
    #[error("state file `{path}`: {message}")]
    State {
        /// Its path.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// No lab with that id (or none at all).
    #[error("no lab `{0}` is set up")]
    NoLab(String),
    /// Ctrl-C.
    #[error("interrupted")]
    Interrupted,
    /// The model cannot trace a probe the plan would make.
    #[error("the model cannot trace it ({0}); not probed")]
    Untraceable(#[from] podnet_dataplane::trace::TraceError),
}

/// A lab result.
pub type Result<T> = std::result::Result<T, LabError>;
