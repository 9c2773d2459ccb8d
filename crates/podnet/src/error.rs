//! Why a query could not be answered. Each error names what was asked
//! (`name`, `file`), never a command-line option: the command line says
//! which option it came from.

use podnet_dataplane::TraceError;
use podnet_engine::ResolveError;

/// Why the pipeline built nothing. The observer has seen the diagnostics
/// that led to it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Strict reading or placing stopped at the first error.
    #[error("stopped at the first error; no result")]
    Stopped,
    /// The inputs hold no Kubernetes object.
    #[error("nothing to analyse")]
    Empty,
    /// The profile file has errors (reported to the observer).
    #[error("the profile file `{file}` has errors")]
    InvalidProfile {
        /// The file as given.
        file: String,
    },
    /// The profile file holds no ClusterProfile.
    #[error("`{file}` holds no ClusterProfile (podnet.dev/v1alpha1)")]
    NoProfile {
        /// The file as given.
        file: String,
    },
    /// An intents file has errors (reported to the observer).
    #[error("the intents file `{file}` has errors")]
    InvalidIntents {
        /// The file as given.
        file: String,
    },
    /// An intents file holds no ConnectivityIntent.
    #[error("`{file}`: no ConnectivityIntent (podnet.dev/v1alpha1) in it")]
    NoIntents {
        /// The file as given.
        file: String,
    },
}

/// Why a name does not give what the query needs.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing, or several things, have that name.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// A workload none of whose pods has an address.
    #[error("workload `{0}` has no pod with an address")]
    NoAddressedPod(String),
    /// The name is not a pod's or a workload's.
    #[error("`{0}` is not a pod or workload")]
    NotAPod(String),
    /// The name is not a workload's (or one of its pods').
    #[error("`{0}` is not a workload")]
    NotAWorkload(String),
    /// A Service named where a connection must start.
    #[error("`{0}` is a Service; a trace starts at a pod, a node or an address")]
    ServiceAsSource(String),
    /// No node has that name.
    #[error("no node is called `{name}`; nodes: {}", nodes.join(", "))]
    NoNode {
        /// The name asked.
        name: String,
        /// Every node's name.
        nodes: Vec<String>,
    },
    /// No Gateway of that name has proxy pods.
    #[error("no Gateway `{namespace}/{name}` with proxy pods in the input")]
    NoGateway {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
    /// No namespace of that name.
    #[error("no namespace `{0}` in the input")]
    NoNamespace(String),
    /// No NetworkAttachmentDefinition of that name.
    #[error("no NetworkAttachmentDefinition `{0}` in the input")]
    NoNetwork(String),
}

/// Why a trace could not be followed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TraceQueryError {
    /// The destination.
    #[error("destination: {0}")]
    To(NameError),
    /// The source.
    #[error("source: {0}")]
    From(NameError),
    /// No source, and the destination is not a URL (whose client is
    /// assumed outside the cluster).
    #[error("a source is needed unless the destination is a URL")]
    NoSource,
    /// The trace itself.
    #[error(transparent)]
    Trace(#[from] TraceError),
}
