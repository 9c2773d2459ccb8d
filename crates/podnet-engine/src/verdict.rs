//! Verdicts with reasons: typed data saying why a connection is allowed or
//! not, direction by direction, policy by policy, rule by rule (docs/architecture.md
//! house rule 2). Only printers turn these into prose.

use std::net::IpAddr;

use ipnet::IpNet;
use podnet_model::{
    AdminAction, Conns, Direction, PodId, PolicyId, Protocol, Requirement, WorkloadId,
};

/// One end of a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// A pod of the cluster.
    Pod(PodId),
    /// An address outside the cluster's pods.
    External(IpAddr),
}

/// Whether a direction is isolated for the subject, and by what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Isolation {
    /// The subject is outside the cluster: no NetworkPolicy applies to it.
    OutsideCluster,
    /// A host-network pod: podSelectors never select it.
    HostNetwork,
    /// No policy selecting the subject affects this direction: all allowed.
    NotSelected,
    /// These policies select the subject for this direction: only what
    /// their rules allow is allowed.
    Isolated(Vec<PolicyId>),
}

/// Why a rule's peer did not match the other end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerMiss {
    /// A pod peer met an address outside the cluster.
    NotAPod,
    /// A pod peer met a host-network pod, which selectors never match.
    HostNetwork,
    /// The pod is in another namespace than the policy's.
    OtherNamespace,
    /// The pod's namespace labels do not satisfy these requirements of the
    /// `namespaceSelector`.
    NamespaceUnmatched(Vec<Requirement>),
    /// The pod's labels do not satisfy these requirements of the `podSelector`.
    PodUnmatched(Vec<Requirement>),
    /// An ipBlock met a pod with no known address.
    NoAddress,
    /// The address is outside `cidr`.
    OutsideCidr,
    /// The address is inside `cidr` but in this `except`.
    Excepted(IpNet),
}

/// Why the input cannot decide whether a rule's peer matches the other
/// end of a flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unknown {
    /// An ipBlock met a pod whose address podnet assumed (given under
    /// `--pod-addresses=assigned`, or its node's address when the input
    /// declares no such Node): its real address may lie on either side of
    /// the block.
    AssumedAddress {
        /// The block's `cidr`.
        cidr: IpNet,
    },
    /// A `namespaceSelector` met a namespace the input has no Namespace
    /// object for: only its `kubernetes.io/metadata.name` label is known,
    /// and these requirements are on other labels.
    UndeclaredNamespace {
        /// The requirements the namespace's real labels decide.
        requirements: Vec<Requirement>,
    },
    /// A rule's named port, asked of a destination workload whose pods do
    /// not all define it alike (some lack it, or give it other numbers): a
    /// live dump taken during a rollout. Which of its pods answers decides
    /// (only [`evaluate_workloads`](crate::semantics::evaluate_workloads)
    /// reports this; a single pod's own ports are a fact).
    NamedPort {
        /// The port's protocol.
        protocol: Protocol,
        /// The port's name.
        name: String,
        /// The destination's workload.
        workload: WorkloadId,
        /// How many of its pods define the name with this protocol.
        defined_by: usize,
        /// How many pods it has.
        pods: usize,
    },
}

/// A rule whose verdict on this flow the input cannot decide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undecided {
    /// The policy.
    pub policy: PolicyId,
    /// The rule's index in its direction.
    pub rule: usize,
    /// The first peer of the rule whose match is unknown; for a
    /// [`Unknown::NamedPort`], the peer that matched, `None` when the rule
    /// has no peers.
    pub peer: Option<usize>,
    /// Why.
    pub reason: Unknown,
    /// The connections the rule would allow if the peer matched, that no
    /// decided rule allows.
    pub conns: Conns,
}

/// What one rule did for this flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleOutcome {
    /// The peer matched (or the rule has no peers, `peer: None`) and the
    /// rule allows these connections.
    Allows {
        /// Index of the first matching peer; `None` when the rule has no peers.
        peer: Option<usize>,
        /// What the rule allows to this destination.
        conns: Conns,
    },
    /// A peer matched but the rule's ports name nothing on the destination
    /// (a named port it does not have).
    NoPorts {
        /// Index of the matching peer.
        peer: Option<usize>,
    },
    /// No peer matched; why each failed, in order.
    NoPeer(Vec<PeerMiss>),
}

/// One policy's contribution to a direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    /// The policy.
    pub policy: PolicyId,
    /// The rule, `None` for a policy with no rules for the direction
    /// (it isolates and allows nothing).
    pub rule: Option<usize>,
    /// What happened.
    pub outcome: Option<RuleOutcome>,
}

/// The verdict of one direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Side {
    /// Egress of the source or ingress of the destination.
    pub direction: Direction,
    /// Isolation of the subject.
    pub isolation: Isolation,
    /// One entry per rule of each isolating policy (or per rule-less policy).
    pub reasons: Vec<Reason>,
    /// What this direction allows.
    pub allowed: Conns,
    /// The cluster-scoped tiers' part, when an admin or baseline policy
    /// selects the subject.
    pub tiers: Option<Tiers>,
    /// Ingress only: the source is a host-network pod on the destination's
    /// node, so everything is allowed whatever the policies say (concept
    /// page: the only allowed connections into an isolated pod "are those
    /// from the pod's node and those allowed by" its policies).
    pub from_own_node: bool,
    /// NetworkPolicy rules whose verdict the input cannot decide (not
    /// reported when an admin or baseline policy selects the subject).
    pub undecided: Vec<Undecided>,
}

impl Side {
    /// What this direction allows whatever the input leaves open.
    pub fn surely_allowed(&self) -> Conns {
        let mut open = Conns::none();
        for u in &self.undecided {
            open.add(&u.conns);
        }
        self.allowed.difference(&open)
    }

    /// What this direction may allow, depending on what the input leaves
    /// open.
    pub fn possibly_allowed(&self) -> Conns {
        let mut possible = self.allowed.clone();
        for u in &self.undecided {
            possible.add(&u.conns);
        }
        possible
    }
}

/// One admin or baseline rule that decided part of a flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TierReason {
    /// Index into `Cluster::admin_policies`.
    pub policy: usize,
    /// The rule's index in its direction.
    pub rule: usize,
    /// Its action.
    pub action: AdminAction,
    /// The connections it decided (its ports minus what earlier rules took).
    pub conns: Conns,
}

/// How the tiers split one direction of a flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tiers {
    /// Admin-tier rules that matched, in evaluation order.
    pub admin: Vec<TierReason>,
    /// What NetworkPolicy was left to decide (passed or undecided).
    pub np_scope: Conns,
    /// Whether a NetworkPolicy selects the subject (then the Baseline tier
    /// does not apply).
    pub np_applies: bool,
    /// Baseline-tier rules that matched, in evaluation order.
    pub baseline: Vec<TierReason>,
    /// What no tier decided: allowed by default.
    pub default: Conns,
}

/// The verdict for a flow: allowed only when both directions allow it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The source's egress.
    pub egress: Side,
    /// The destination's ingress.
    pub ingress: Side,
    /// What is allowed: egress ∩ ingress.
    pub conns: Conns,
    /// What the input cannot decide (three-valued verdicts): allowed by
    /// both directions only if an undecided rule matches, or denied only
    /// if it does not. A connection is allowed for sure when in `conns`
    /// and not here, denied for sure when in neither.
    pub unknown: Conns,
}
