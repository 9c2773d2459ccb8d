//! Cluster-scoped policy tiers of sig-network's policy API
//! (policy.networking.k8s.io): AdminNetworkPolicy and
//! BaselineAdminNetworkPolicy (v1alpha1) and ClusterNetworkPolicy
//! (v1alpha2, the merged API), normalised into one shape. Per direction,
//! the Admin tier is evaluated first (by priority, lower first; rules in
//! order, first match decides), then NetworkPolicy for traffic no Admin
//! rule decided or that an Admin rule passed, then the Baseline tier for
//! pods no NetworkPolicy selects, then the default: allow.

use crate::ipset::IpSet;
use crate::ports::Protocol;
use crate::selector::LabelSelector;
use crate::source::Meta;

/// Which API object a policy came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AdminApi {
    /// `AdminNetworkPolicy` (v1alpha1).
    AdminNetworkPolicy,
    /// `BaselineAdminNetworkPolicy` (v1alpha1, the singleton `default`).
    BaselineAdminNetworkPolicy,
    /// `ClusterNetworkPolicy` (v1alpha2).
    ClusterNetworkPolicy,
}

impl AdminApi {
    /// The kind as manifests spell it.
    pub fn kind(self) -> &'static str {
        match self {
            AdminApi::AdminNetworkPolicy => "AdminNetworkPolicy",
            AdminApi::BaselineAdminNetworkPolicy => "BaselineAdminNetworkPolicy",
            AdminApi::ClusterNetworkPolicy => "ClusterNetworkPolicy",
        }
    }

    /// The short name people use (ANP, BANP, CNP).
    pub fn short(self) -> &'static str {
        match self {
            AdminApi::AdminNetworkPolicy => "ANP",
            AdminApi::BaselineAdminNetworkPolicy => "BANP",
            AdminApi::ClusterNetworkPolicy => "CNP",
        }
    }
}

/// The tier a policy sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    /// Above NetworkPolicy.
    Admin,
    /// Below NetworkPolicy, for pods no NetworkPolicy selects.
    Baseline,
}

/// What a rule does with the traffic it matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AdminAction {
    /// `Allow` (v1alpha1) or `Accept` (v1alpha2): allowed, no later rule
    /// of this direction is consulted.
    Allow,
    /// `Deny`: dropped, no later rule is consulted.
    Deny,
    /// `Pass`: skip the rest of this tier; the next tier decides.
    Pass,
}

/// Pods chosen by namespace labels and pod labels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespacedPods {
    /// `namespaceSelector`.
    pub namespaces: LabelSelector,
    /// `podSelector`.
    pub pods: LabelSelector,
}

/// `subject`: the pods a policy applies to (host-network pods never).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdminSubject {
    /// Every pod of the namespaces selected.
    Namespaces(LabelSelector),
    /// Pods selected by namespace and pod labels.
    Pods(NamespacedPods),
}

/// One peer of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdminPeer {
    /// Every pod of the namespaces selected (not host-network pods).
    Namespaces(LabelSelector),
    /// Pods by namespace and pod labels (not host-network pods).
    Pods(NamespacedPods),
    /// Egress only: the addresses of the nodes selected.
    Nodes(LabelSelector),
    /// Egress only: these CIDRs (pod addresses inside them match too).
    Networks(IpSet),
}

/// One port match of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdminPort {
    /// `portNumber` / `destinationPort.number`.
    Number {
        /// Protocol.
        protocol: Protocol,
        /// Port.
        port: u16,
    },
    /// `portRange` / `destinationPort.range`, inclusive.
    Range {
        /// Protocol.
        protocol: Protocol,
        /// First port.
        start: u16,
        /// Last port.
        end: u16,
    },
    /// `namedPort` / `destinationNamedPort`: the destination pod's container
    /// ports of that name, whatever their protocol.
    Named(String),
}

/// One rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminRule {
    /// `name`.
    pub name: Option<String>,
    /// Line of the rule in its file.
    pub line: Option<u32>,
    /// `action`.
    pub action: AdminAction,
    /// `from` / `to`; a rule matches a peer matching any of them.
    pub peers: Vec<AdminPeer>,
    /// `ports` / `protocols`; `None` matches every port and protocol.
    pub ports: Option<Vec<AdminPort>>,
}

/// An admin or baseline policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminPolicy {
    /// Identity and provenance (cluster-scoped: no namespace).
    pub meta: Meta,
    /// The object it came from.
    pub api: AdminApi,
    /// Its tier.
    pub tier: Tier,
    /// `priority` (0..=1000); the BANP has none.
    pub priority: Option<u32>,
    /// `subject`.
    pub subject: AdminSubject,
    /// `ingress` rules, in order.
    pub ingress: Vec<AdminRule>,
    /// `egress` rules, in order.
    pub egress: Vec<AdminRule>,
}

impl AdminPolicy {
    /// The rules of one direction.
    pub fn rules(&self, dir: crate::policy::Direction) -> &[AdminRule] {
        match dir {
            crate::policy::Direction::Ingress => &self.ingress,
            crate::policy::Direction::Egress => &self.egress,
        }
    }
}
