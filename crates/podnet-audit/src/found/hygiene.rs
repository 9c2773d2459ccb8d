//! What the policy-hygiene checks find (PN2001-PN2007).

use std::collections::BTreeSet;

use podnet_model::{AdminSubject, Direction, IpSet, LabelSelector, PortSpec, Protocol};

use super::Object;

/// What a policy-hygiene check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HygieneFound {
    /// PN2001: a NetworkPolicy's podSelector selects no pod.
    SelectsNoPod {
        /// The podSelector.
        selector: LabelSelector,
        /// The policy's namespace.
        namespace: String,
        /// Whether the input has no pod in that namespace at all.
        no_pods: bool,
        /// A label that would match, or the labels there are.
        hint: Option<LabelHint>,
    },
    /// PN2001: an admin policy's subject selects no pod.
    AdminSelectsNoPod {
        /// The subject.
        subject: AdminSubject,
    },
    /// PN2002: a rule's pod peer matches nothing.
    PeerMatchesNothing {
        /// Ingress (`from`) or egress (`to`).
        direction: Direction,
        /// The rule's index.
        rule: usize,
        /// The peer's index.
        peer: usize,
        /// What it misses.
        miss: PeerMiss,
        /// A label that would match, or the labels there are.
        hint: Option<LabelHint>,
    },
    /// PN2003: a rule allows nothing beyond other rules.
    RuleShadowed {
        /// Its direction.
        direction: Direction,
        /// Its index.
        rule: usize,
        /// The rules that cover it.
        by: Vec<RuleRef>,
    },
    /// PN2004: a named port no pod defines.
    NamedPortUndefined {
        /// Its rule's direction.
        direction: Direction,
        /// The rule's index.
        rule: usize,
        /// The port's index.
        port: usize,
        /// The port's name.
        name: String,
        /// Its protocol.
        protocol: Protocol,
        /// Whose ports were looked at.
        pods: NamedPortPods,
        /// Whether there were no such pods.
        none: bool,
        /// Protocols the pods give the name instead.
        other_protocols: BTreeSet<Protocol>,
    },
    /// PN2005: egress isolation leaves no way to the cluster DNS.
    EgressBlocksDns {
        /// The NetworkPolicies that isolate the pods (`ns/name`).
        policies: BTreeSet<String>,
        /// Whether admin policies isolate some of them.
        admin: bool,
        /// Whether UDP 53 is blocked.
        udp: bool,
        /// Whether TCP 53 is blocked.
        tcp: bool,
        /// Whether the DNS is a stand-in (not in the input).
        stand_in: bool,
    },
    /// PN2006: an ipBlock as wide as the internet.
    WholeInternet {
        /// The rule's direction.
        direction: Direction,
        /// Its index.
        rule: usize,
        /// The workloads the policy selects.
        workloads: Vec<Object>,
        /// The addresses the rule admits.
        addresses: IpSet,
        /// Its ports; empty for every port.
        ports: Vec<PortSpec>,
    },
    /// PN2007: rules of a direction policyTypes does not list.
    RulesIgnored {
        /// The direction.
        direction: Direction,
        /// How many rules.
        count: usize,
    },
}

/// What a label selector could have said instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabelHint {
    /// The closest existing label (`key: value`).
    Closest(String),
    /// Existing labels with the selector's keys (`key: value`).
    Existing(Vec<String>),
}

/// What a pod peer matches nothing of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerMiss {
    /// Its namespaceSelector matches no namespace.
    NoNamespace(LabelSelector),
    /// Its podSelector matches no pod in these namespaces.
    NoPod(LabelSelector, Vec<String>),
}

/// A NetworkPolicy rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleRef {
    /// The policy (`ns/name`).
    pub policy: String,
    /// The rule's direction.
    pub direction: Direction,
    /// Its index.
    pub index: usize,
}

/// Whose ports a named port was looked up on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NamedPortPods {
    /// The pods the policy selects (ingress).
    Selected,
    /// The rule's peer pods (egress).
    Peers,
    /// None: the rule's peers are only ipBlocks (egress).
    IpBlocksOnly,
}
