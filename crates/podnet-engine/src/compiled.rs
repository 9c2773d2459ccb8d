//! Policies compiled against a cluster's identities: every selector is
//! evaluated once (interned [`Selections`]), every rule becomes a set of
//! peer identities and address atoms with its ports, and every identity
//! gets, per direction, whether it is isolated and which rules apply.
//!
//! Compiling takes two steps: [`plan`] evaluates every selection over
//! members (the sets the identity classes are cut by), then
//! [`Plan::compile`] maps the selections to the classes.

use fixedbitset::FixedBitSet;
use podnet_model::policy::PeerKind;
use podnet_model::{Direction, NamespaceScope, NsId, PolicyId};

use crate::classset::ClassSet;
use crate::compiled_admin::{AdminCompiled, AdminPlan, plan_admin};
use crate::identity::IdentityId;
use crate::ports::RulePorts;
use crate::selections::{ClassLists, NamespaceKey, SelId, Selections};

/// What a rule's `from`/`to` matches.
#[derive(Clone, Debug)]
pub struct PeerSet {
    /// The rule has no peers: every source/destination.
    pub any: bool,
    /// Matching identities.
    pub identities: ClassSet,
    /// Matching address atoms (outside addresses).
    pub atoms: FixedBitSet,
}

impl PeerSet {
    /// Whether identity `i` matches.
    pub fn has_identity(&self, i: IdentityId) -> bool {
        self.any || self.identities.contains(i)
    }
}

/// One rule, compiled.
#[derive(Clone, Debug)]
pub struct CompiledRule {
    /// Its policy.
    pub policy: PolicyId,
    /// Its direction.
    pub direction: Direction,
    /// Its index in the policy's rules.
    pub index: usize,
    /// Its peers.
    pub peers: PeerSet,
    /// Its ports.
    pub ports: RulePorts,
}

/// Per identity, for one direction.
#[derive(Clone, Debug, Default)]
pub struct DirectionIndex {
    /// Whether a policy selecting the identity affects this direction.
    pub isolated: Vec<bool>,
    /// The rules that apply, as indices into [`Compiled::rules`].
    pub rules: Vec<Vec<usize>>,
}

/// All policies, compiled.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// Every rule of every policy.
    pub rules: Vec<CompiledRule>,
    /// The identities each policy selects.
    pub subjects: Vec<ClassSet>,
    /// Ingress per identity.
    pub ingress: DirectionIndex,
    /// Egress per identity.
    pub egress: DirectionIndex,
    /// The cluster-scoped tiers.
    pub admin: AdminCompiled,
}

impl Compiled {
    /// The index for `dir`.
    pub fn direction(&self, dir: Direction) -> &DirectionIndex {
        match dir {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }

    /// Whether identity `subject` may have any connection with `peer` in
    /// direction `dir` under NetworkPolicy (a cheap filter before ports).
    pub fn may_reach(&self, dir: Direction, subject: IdentityId, peer: IdentityId) -> bool {
        let index = self.direction(dir);
        !index.isolated[subject]
            || index.rules[subject]
                .iter()
                .any(|&r| self.rules[r].peers.has_identity(peer))
    }
}

/// A peer list before identities exist: selections and atoms.
#[derive(Clone, Debug)]
pub(crate) struct PeerPlan {
    pub any: bool,
    pub selections: Vec<SelId>,
    pub atoms: FixedBitSet,
}

impl PeerPlan {
    pub(crate) fn compile(&self, lists: &mut ClassLists<'_>) -> PeerSet {
        if self.any {
            let mut atoms = self.atoms.clone();
            atoms.insert_range(..);
            return PeerSet {
                any: true,
                identities: ClassSet::all(lists.classes()),
                atoms,
            };
        }
        PeerSet {
            any: false,
            identities: lists.union(&self.selections),
            atoms: self.atoms.clone(),
        }
    }
}

struct RulePlan {
    direction: Direction,
    index: usize,
    peers: PeerPlan,
    ports: RulePorts,
}

struct PolicyPlan {
    subjects: SelId,
    rules: Vec<RulePlan>,
    affects: [bool; 2],
}

/// Every policy with its selections evaluated, before identities exist.
pub(crate) struct Plan {
    policies: Vec<PolicyPlan>,
    admin: AdminPlan,
}

fn direction_slot(dir: Direction) -> usize {
    match dir {
        Direction::Ingress => 0,
        Direction::Egress => 1,
    }
}

/// Evaluates every selection of the cluster's policies.
pub(crate) fn plan<'a>(sel: &mut Selections<'a>, atoms: usize) -> Plan {
    let cluster = sel.cluster();
    let mut policies = Vec::with_capacity(cluster.policies.len());
    for policy in &cluster.policies {
        let subjects = sel.pods(NamespaceKey::One(policy.namespace), &policy.pod_selector);
        let mut rules = Vec::new();
        let mut affects = [false; 2];
        for dir in Direction::BOTH {
            if !policy.affects(dir) {
                continue;
            }
            affects[direction_slot(dir)] = true;
            for (r, rule) in policy.rules(dir).iter().enumerate() {
                rules.push(RulePlan {
                    direction: dir,
                    index: r,
                    peers: peer_plan(sel, policy.namespace, &rule.peers, atoms),
                    ports: RulePorts::new(&rule.ports),
                });
            }
        }
        policies.push(PolicyPlan {
            subjects,
            rules,
            affects,
        });
    }
    let admin = plan_admin(sel, atoms);
    Plan { policies, admin }
}

fn peer_plan<'a>(
    sel: &mut Selections<'a>,
    policy_ns: NsId,
    peers: &'a [podnet_model::Peer],
    atoms: usize,
) -> PeerPlan {
    let mut plan = PeerPlan {
        any: peers.is_empty(),
        selections: Vec::new(),
        atoms: FixedBitSet::with_capacity(atoms),
    };
    for peer in peers {
        match &peer.kind {
            PeerKind::Pods { namespaces, pods } => {
                let key = match namespaces {
                    NamespaceScope::PolicyNamespace => NamespaceKey::One(policy_ns),
                    NamespaceScope::Selected(s) => NamespaceKey::Selected(s),
                };
                plan.selections.push(sel.pods(key, pods));
            }
            PeerKind::IpBlock(block) => {
                plan.selections.push(sel.block(&block.addresses));
                sel.add_atoms(&block.addresses, &mut plan.atoms);
            }
        }
    }
    plan.selections.sort_unstable();
    plan.selections.dedup();
    plan
}

impl Plan {
    /// The policies compiled over the classes `lists` maps to.
    pub(crate) fn compile(&self, lists: &mut ClassLists<'_>) -> Compiled {
        let n = lists.classes();
        let empty_index = || DirectionIndex {
            isolated: vec![false; n],
            rules: vec![Vec::new(); n],
        };
        let mut compiled = Compiled {
            rules: Vec::new(),
            subjects: Vec::with_capacity(self.policies.len()),
            ingress: empty_index(),
            egress: empty_index(),
            admin: AdminCompiled::default(),
        };
        for (p, policy) in self.policies.iter().enumerate() {
            let pid = PolicyId::from_index(p);
            let subjects = ClassSet::from_sorted(lists.of(policy.subjects).to_vec(), n);
            for dir in Direction::BOTH {
                if !policy.affects[direction_slot(dir)] {
                    continue;
                }
                let first_rule = compiled.rules.len();
                for rule in policy.rules.iter().filter(|r| r.direction == dir) {
                    compiled.rules.push(CompiledRule {
                        policy: pid,
                        direction: dir,
                        index: rule.index,
                        peers: rule.peers.compile(lists),
                        ports: rule.ports.clone(),
                    });
                }
                let index = match dir {
                    Direction::Ingress => &mut compiled.ingress,
                    Direction::Egress => &mut compiled.egress,
                };
                for s in subjects.ones() {
                    index.isolated[s] = true;
                    index.rules[s].extend(first_rule..compiled.rules.len());
                }
            }
            compiled.subjects.push(subjects);
        }
        compiled.admin = self.admin.compile(lists);
        compiled
    }
}
