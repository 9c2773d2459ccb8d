//! `podnet synth`: least-privilege NetworkPolicies written from
//! [`Intent`]s, then checked against the engine.
//!
//! [`synthesize`] writes, for every namespace holding workloads, a
//! `default-deny` policy, an `allow-dns` egress policy to the cluster DNS,
//! and `allow-*` policies realising the `allow` intents and the sources of
//! the `only` intents (an egress rule on the source side, an ingress rule
//! on the destination side), with rules merged to the fewest
//! ([`merge`]). `deny` and `isolate` intents need nothing beyond default
//! deny; they narrow what `only` sources are granted. The cluster's own
//! policies are ignored: the result is the complete policy set.
//!
//! [`self_check`] then runs the engine on the workloads with the
//! synthesised policies only and checks that every intent holds and that
//! no flow beyond the intents (and DNS) is allowed; a forbidding intent
//! broken by a flow an `allow` intent demands is reported as a
//! [`Conflict`]. [`yaml`] renders the policies as Kubernetes objects.

mod check;
mod merge;
mod only;
mod realise;
mod scope;
pub mod yaml;

use std::collections::BTreeSet;

use ipnet::IpNet;
use podnet_model::{Cluster, Intent, IpBlock, LabelSelector, PortSpec, WorkloadId};

pub use check::{Cause, Conflict, ExtraFlow, SelfCheck, self_check};

/// The label of the cluster DNS pods (CoreDNS keeps kube-dns's).
pub const DNS_LABEL: (&str, &str) = ("k8s-app", "kube-dns");
/// The namespace of the cluster DNS pods.
pub const DNS_NAMESPACE: &str = "kube-system";
/// Name of the per-namespace default-deny policy.
pub const DEFAULT_DENY: &str = "default-deny";
/// Name of the per-namespace DNS egress policy (and of the DNS ingress
/// policy in [`DNS_NAMESPACE`]).
pub const ALLOW_DNS: &str = "allow-dns";

/// What [`synthesize`] needs besides the cluster and the intents.
#[derive(Clone, Debug, Default)]
pub struct SynthOptions {
    /// Workloads to ignore: the ingress-controller and gateway proxies the
    /// dataplane adds (`Front::synthesised`).
    pub ignore: Vec<WorkloadId>,
    /// The cluster's pod CIDRs: excepted from every `ipBlock` that covers
    /// them, so that an intent's outside addresses never admit pods.
    pub pod_cidrs: Vec<IpNet>,
}

/// A `from`/`to` entry of a synthesised rule.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SynthPeer {
    /// Pods: always with an explicit `namespaceSelector`.
    Pods {
        /// `namespaceSelector` (empty: every namespace).
        namespaces: LabelSelector,
        /// `podSelector` (empty: every pod).
        pods: LabelSelector,
    },
    /// `ipBlock`.
    IpBlock(IpBlock),
}

/// One ingress or egress rule: any of the peers, on any of the ports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthRule {
    /// `from`/`to`, sorted; never empty.
    pub peers: Vec<SynthPeer>,
    /// `ports`, sorted; empty means every connection.
    pub ports: Vec<PortSpec>,
    /// Names of the intents the rule realises (`cluster DNS` for DNS).
    pub intents: BTreeSet<String>,
}

/// One synthesised NetworkPolicy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthPolicy {
    /// Its namespace.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `spec.podSelector`.
    pub pod_selector: LabelSelector,
    /// Whether `policyTypes` holds `Ingress`.
    pub ingress_type: bool,
    /// Whether `policyTypes` holds `Egress`.
    pub egress_type: bool,
    /// `spec.ingress`.
    pub ingress: Vec<SynthRule>,
    /// `spec.egress`.
    pub egress: Vec<SynthRule>,
}

impl SynthPolicy {
    /// The intents realised by the policy's rules, sorted (empty for
    /// default deny).
    pub fn intents(&self) -> BTreeSet<String> {
        self.ingress
            .iter()
            .chain(&self.egress)
            .flat_map(|r| r.intents.iter().cloned())
            .collect()
    }

    /// Number of rules.
    pub fn rule_count(&self) -> usize {
        self.ingress.len() + self.egress.len()
    }
}

/// The result of [`synthesize`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Synthesis {
    /// Policies by namespace (sorted), `default-deny` and `allow-dns`
    /// first, then `allow-*` by name.
    pub policies: Vec<SynthPolicy>,
    /// Notes on what could not be realised exactly: `only` sources
    /// dropped or narrowed because another intent forbids them, selectors
    /// that select nothing.
    pub notes: Vec<String>,
}

/// Writes the policies realising `intents` for the workloads of `cluster`
/// (its own policies are ignored).
pub fn synthesize(cluster: &Cluster, intents: &[Intent], options: &SynthOptions) -> Synthesis {
    let scope = scope::Scope::new(cluster, options);
    let mut notes = Vec::new();
    let mut grants = realise::allow_grants(&scope, intents);
    grants.extend(only::only_grants(&scope, intents, &mut notes));
    let policies = merge::policies(&scope, grants);
    Synthesis { policies, notes }
}
