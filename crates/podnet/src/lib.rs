//! podnet as a library: read a Kubernetes cluster's manifests once, and
//! ask who can reach whom, why, and by which path.
//!
//! [`Analysis`] owns the pipeline, built once and in order: the inputs
//! read into the declared cluster ([`Declared`]), then the running
//! cluster (pods placed on nodes and addressed, Services, load balancers:
//! the [`dataplane`]). Policy questions go through [`Connectivity`], the
//! engine built on that running cluster ([`Analysis::connectivity`]).
//!
//! | Question | Call |
//! |---|---|
//! | what does a name refer to | [`Analysis::resolve`], [`Analysis::resolve_pod`], [`Analysis::explain_end`] |
//! | every allowed connection (streamed) | [`Analysis::connlist_scope`], [`Connectivity::connlist`], [`Connectivity::groups`] |
//! | why is a connection allowed or denied | [`Connectivity::explain`] |
//! | which path does a connection take | [`Analysis::trace`] |
//! | what does the cluster DNS answer | [`Analysis::ask_dns`] |
//! | addresses, pools, load balancers | [`Analysis::dataplane`] |
//! | findings | [`Connectivity::audit`] |
//! | do the intents hold | [`Analysis::verify`] (more intents: [`read_intents`]) |
//! | policies for the intents | [`Analysis::synthesize`] |
//! | what a change does | [`read_pair`], [`diff`] ([`git::Checkout`] for a revision) |
//! | the netns lab's plan, and its lifecycle | [`Analysis::lab_plan`], [`lab_run`] |
//!
//! Problems in the inputs never stop the analysis (unless
//! [`Options::strict`]): they go to the [`Observer`] as diagnostics, in the
//! order found, and the rest is analysed.
//!
//! The typed results are the engine crates' own types, re-exported as
//! modules ([`model`], [`manifest`], [`engine`], [`dataplane`], [`audit`],
//! [`synth`], [`lab`], [`generate`]).
//!
//! ```
//! use podnet::{Analysis, ConnlistQuery, Options, SourceFile};
//! use podnet::engine::{FlowSource, collect};
//!
//! let yaml = "
//! apiVersion: v1
//! kind: Pod
//! metadata: {name: client, namespace: demo, labels: {app: client}}
//! spec: {containers: [{name: c, image: busybox}]}
//! ---
//! apiVersion: v1
//! kind: Pod
//! metadata: {name: server, namespace: demo, labels: {app: server}}
//! spec: {containers: [{name: s, image: nginx, ports: [{containerPort: 80}]}]}
//! ---
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata: {name: server-ingress, namespace: demo}
//! spec:
//!   podSelector: {matchLabels: {app: server}}
//!   ingress: [{from: [{podSelector: {matchLabels: {app: client}}}]}]
//! ";
//! let files = [SourceFile { name: "demo.yaml".into(), text: yaml.into() }];
//! let analysis = Analysis::from_files(&files, &Options::default(), &mut ())?;
//!
//! // Every allowed connection with an end in `demo`, streamed.
//! let scope = analysis.connlist_scope(&ConnlistQuery {
//!     namespace: Some("demo".to_owned()),
//!     ..ConnlistQuery::default()
//! })?;
//! let connectivity = analysis.connectivity();
//! let list = collect(&connectivity.connlist(&scope));
//! assert!(!list.connections.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod connectivity;
mod error;
pub mod git;
pub mod lab_run;
mod pipeline;
mod queries;
mod resolve;

pub use connectivity::{
    AuditReport, Connectivity, ConnlistFlows, ConnlistQuery, ConnlistScope, NetworkChoice,
};
pub use error::{Error, NameError, TraceQueryError};
pub use pipeline::{Analysis, AssumedAddresses, Declared, Observer, Options, Stage};
pub use queries::{SynthResult, TraceQuery, diff, read_intents, read_pair};
pub use resolve::{ExplainEnd, TraceDestination, TraceSource, URL_CLIENT};

pub use podnet_manifest::{Diagnostic, Input, LoadStats, SourceFile};

/// Audit checks, findings and their rules.
pub use podnet_audit as audit;
/// The running cluster: nodes, addresses, Services, DNS, traces.
pub use podnet_dataplane as dataplane;
/// The policy engine: verdicts, connection lists, explanations, diffs.
pub use podnet_engine as engine;
/// Deterministic synthetic clusters.
pub use podnet_gen as generate;
/// The netns lab: plans, probes, lifecycle.
pub use podnet_lab as lab;
/// Reading manifests: inputs, diagnostics, names.
pub use podnet_manifest as manifest;
/// The cluster model: workloads, pods, policies, intents, profiles.
pub use podnet_model as model;
/// NetworkPolicies written from intents.
pub use podnet_synth as synth;
