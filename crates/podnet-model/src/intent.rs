//! Connectivity intents (`podnet.dev/v1alpha1` `ConnectivityIntent`): what
//! the people running a cluster declare must, must not, or may only be
//! reachable, checked against the policies by `podnet verify` and realised
//! by `podnet synth`. Each intent is one rule over endpoint selectors; the
//! reader checks them, the engine verifies them.

use std::fmt;

use crate::policy::{IpBlock, PortSpec};
use crate::problem::Severity;
use crate::selector::LabelSelector;
use crate::source::Meta;

/// One declared intent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Intent {
    /// `ConnectivityIntent`, `metadata.name` and where it was read.
    pub meta: Meta,
    /// `spec.severity` (`error` when omitted, [`Intent::DEFAULT_SEVERITY`]).
    pub severity: Severity,
    /// `spec.description`, free text for reports.
    pub description: Option<String>,
    /// The rule (`spec.allow`, `deny`, `only` or `isolate`).
    pub rule: IntentRule,
}

/// What an intent demands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntentRule {
    /// Every source reaches every destination on every listed port (no
    /// ports: on some connection).
    Allow(Flows),
    /// No source reaches any destination on the listed ports (no ports: at
    /// all).
    Deny(Flows),
    /// Only the listed sources reach the targets, on only their ports.
    Only(OnlyRule),
    /// No pod of one group of namespaces reaches a pod of another.
    Isolate(IsolateRule),
}

impl Intent {
    /// The severity of an intent that names none.
    pub const DEFAULT_SEVERITY: Severity = Severity::Error;
}

impl IntentRule {
    /// `allow`, `deny`, `only` or `isolate`, as the spec field is named.
    pub fn field(&self) -> &'static str {
        match self {
            IntentRule::Allow(_) => "allow",
            IntentRule::Deny(_) => "deny",
            IntentRule::Only(_) => "only",
            IntentRule::Isolate(_) => "isolate",
        }
    }
}

/// Sources, destinations and ports of an `allow` or `deny` rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flows {
    /// Line of the rule in its file.
    pub line: Option<u32>,
    /// `from`: the sources (a union; never empty).
    pub from: Vec<EndpointSelector>,
    /// `to`: the destinations (a union; never empty).
    pub to: Vec<EndpointSelector>,
    /// `ports`; empty means "any connection".
    pub ports: Vec<PortSpec>,
}

/// An `only` rule: traffic into `to` must come from one of `from`, on that
/// source's ports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OnlyRule {
    /// Line of the rule in its file.
    pub line: Option<u32>,
    /// `to`: the protected targets (a union; never empty).
    pub to: Vec<EndpointSelector>,
    /// `from`: the permitted sources (never empty).
    pub from: Vec<OnlySource>,
    /// `ports`: the ports of the sources that list none (empty: any).
    pub ports: Vec<PortSpec>,
}

/// One permitted source of an `only` rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnlySource {
    /// Who.
    pub selector: EndpointSelector,
    /// The entry's own `ports`, overriding the rule's; `None` when absent.
    pub ports: Option<Vec<PortSpec>>,
}

impl OnlyRule {
    /// The ports permitted to `source` (the entry's, else the rule's;
    /// empty means any).
    pub fn ports_of<'a>(&'a self, source: &'a OnlySource) -> &'a [PortSpec] {
        source.ports.as_deref().unwrap_or(&self.ports)
    }
}

/// An `isolate` rule: namespaces grouped by the value of one label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IsolateRule {
    /// Line of the rule in its file.
    pub line: Option<u32>,
    /// `namespaceLabel`: namespaces with the same value form a group;
    /// namespaces without the label belong to none.
    pub namespace_label: String,
    /// `namespaceSelector`: only these namespaces take part (all when
    /// `None`).
    pub namespace_selector: Option<LabelSelector>,
}

/// One `from`/`to` entry of an intent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointSelector {
    /// Line of the entry in its file.
    pub line: Option<u32>,
    /// What it selects.
    pub kind: SelectorKind,
}

/// What an intent endpoint selects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SelectorKind {
    /// Pods (host-network pods included) by namespace and labels; the
    /// conditions given are ANDed.
    Pods {
        /// `namespace`: the namespace called this.
        namespace: Option<String>,
        /// `namespaceSelector`: namespaces whose labels match.
        namespace_selector: Option<LabelSelector>,
        /// `podSelector`: pods whose labels match (all when absent).
        pod_selector: LabelSelector,
    },
    /// `workload: ns/name`: the pods of the workloads called so.
    Workload {
        /// The namespace.
        namespace: String,
        /// The workload's name (any kind).
        name: String,
    },
    /// `ipBlock`: addresses outside the cluster's pods.
    IpBlock(IpBlock),
}

impl fmt::Display for EndpointSelector {
    /// `namespace=data pods=app=x`, `workload auth/auth-api`, `10.0.0.0/8`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            SelectorKind::Pods {
                namespace,
                namespace_selector,
                pod_selector,
            } => {
                let mut parts = Vec::new();
                if let Some(ns) = namespace {
                    parts.push(format!("namespace {ns}"));
                }
                if let Some(sel) = namespace_selector {
                    parts.push(format!("namespaces {sel}"));
                }
                if !pod_selector.is_empty() || parts.is_empty() {
                    parts.push(format!("pods {pod_selector}"));
                }
                f.write_str(&parts.join(" and "))
            }
            SelectorKind::Workload { namespace, name } => {
                write!(f, "workload {namespace}/{name}")
            }
            SelectorKind::IpBlock(b) => write!(f, "{b}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_display() {
        let s = EndpointSelector {
            line: None,
            kind: SelectorKind::Workload {
                namespace: "auth".into(),
                name: "auth-api".into(),
            },
        };
        assert_eq!(s.to_string(), "workload auth/auth-api");
        let p = EndpointSelector {
            line: None,
            kind: SelectorKind::Pods {
                namespace: Some("data".into()),
                namespace_selector: None,
                pod_selector: LabelSelector::everything(),
            },
        };
        assert_eq!(p.to_string(), "namespace data");
    }
}
