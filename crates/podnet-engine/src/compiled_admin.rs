//! The cluster-scoped tiers compiled against identities: every admin and
//! baseline rule becomes peer identities and address atoms with its ports,
//! and every identity gets, per direction, its ordered Admin-tier and
//! Baseline-tier rules (see [`crate::tiers`] for the semantics).

use fixedbitset::FixedBitSet;
use podnet_model::{
    AdminAction, AdminPeer, AdminSubject, Cluster, Direction, IpRange, IpSet, LabelSelector, Tier,
};

use crate::admin_ports::admin_rule_ports;
use crate::compiled::{PeerPlan, PeerSet};
use crate::identity::IdentityId;
use crate::ports::RulePorts;
use crate::selections::{ClassLists, NamespaceKey, SelId, Selections, everything};
use crate::tiers::{node_addresses, priority_key};

/// One admin or baseline rule, compiled.
#[derive(Clone, Debug)]
pub struct AdminRuleCompiled {
    /// Index into `Cluster::admin_policies`.
    pub policy: usize,
    /// The rule's index in its direction.
    pub rule: usize,
    /// Its action.
    pub action: AdminAction,
    /// Its peers.
    pub peers: PeerSet,
    /// Its ports.
    pub ports: RulePorts,
}

/// Per identity, for one direction.
#[derive(Clone, Debug, Default)]
pub struct TierLists {
    /// Admin-tier rules in evaluation order (indices into the rules).
    pub admin: Vec<Vec<usize>>,
    /// Baseline-tier rules in evaluation order.
    pub baseline: Vec<Vec<usize>>,
    /// Peers an Admin-tier Allow rule may admit (beyond NetworkPolicy).
    pub allow_reach: Vec<Option<FixedBitSet>>,
}

impl TierLists {
    /// Whether any tier has rules for `subject`.
    pub fn applies(&self, subject: IdentityId) -> bool {
        self.admin.get(subject).is_some_and(|r| !r.is_empty())
            || self.baseline.get(subject).is_some_and(|r| !r.is_empty())
    }
}

/// The tiers, compiled.
#[derive(Clone, Debug, Default)]
pub struct AdminCompiled {
    /// Every rule.
    pub rules: Vec<AdminRuleCompiled>,
    /// Ingress lists per identity.
    pub ingress: TierLists,
    /// Egress lists per identity.
    pub egress: TierLists,
}

impl AdminCompiled {
    /// The lists for `dir`.
    pub fn direction(&self, dir: Direction) -> &TierLists {
        match dir {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }
}

/// The address sets admin peers name (networks, nodes' addresses), to cut
/// address atoms at.
pub fn admin_address_sets(cluster: &Cluster) -> Vec<IpSet> {
    let mut out = Vec::new();
    for p in &cluster.admin_policies {
        for rule in p.ingress.iter().chain(&p.egress) {
            for peer in &rule.peers {
                match peer {
                    AdminPeer::Networks(set) => out.push(set.clone()),
                    AdminPeer::Nodes(sel) => out.push(nodes_set(cluster, sel)),
                    AdminPeer::Namespaces(_) | AdminPeer::Pods(_) => {}
                }
            }
        }
    }
    out
}

fn nodes_set(cluster: &Cluster, sel: &LabelSelector) -> IpSet {
    IpSet::from_ranges(
        node_addresses(cluster, sel)
            .into_iter()
            .map(IpRange::single),
    )
}

fn subject_plan<'a>(sel: &mut Selections<'a>, subject: &'a AdminSubject) -> SelId {
    match subject {
        AdminSubject::Namespaces(ns) => sel.pods(NamespaceKey::Selected(ns), everything()),
        AdminSubject::Pods(np) => sel.pods(NamespaceKey::Selected(&np.namespaces), &np.pods),
    }
}

fn peers_plan<'a>(sel: &mut Selections<'a>, list: &'a [AdminPeer], atoms: usize) -> PeerPlan {
    let cluster = sel.cluster();
    let mut plan = PeerPlan {
        any: false,
        selections: Vec::new(),
        atoms: FixedBitSet::with_capacity(atoms),
    };
    for peer in list {
        let id = match peer {
            AdminPeer::Namespaces(ns) => sel.pods(NamespaceKey::Selected(ns), everything()),
            AdminPeer::Pods(np) => sel.pods(NamespaceKey::Selected(&np.namespaces), &np.pods),
            AdminPeer::Networks(addresses) => {
                sel.add_atoms(addresses, &mut plan.atoms);
                sel.block(addresses)
            }
            AdminPeer::Nodes(node_sel) => {
                let addresses = nodes_set(cluster, node_sel);
                sel.add_atoms(&addresses, &mut plan.atoms);
                sel.block(&addresses)
            }
        };
        plan.selections.push(id);
    }
    plan.selections.sort_unstable();
    plan.selections.dedup();
    plan
}

struct AdminRulePlan {
    policy: usize,
    rule: usize,
    direction: Direction,
    action: AdminAction,
    peers: PeerPlan,
    ports: RulePorts,
}

/// The admin and baseline policies with their selections evaluated, in
/// evaluation order.
pub(crate) struct AdminPlan {
    /// Per policy in evaluation order: its tier, subjects and rules.
    policies: Vec<(Tier, SelId, Vec<AdminRulePlan>)>,
}

/// Evaluates the selections of every admin and baseline policy.
pub(crate) fn plan_admin<'a>(sel: &mut Selections<'a>, atoms: usize) -> AdminPlan {
    let cluster = sel.cluster();
    let mut order: Vec<usize> = (0..cluster.admin_policies.len()).collect();
    order.sort_by_key(|&i| (priority_key(&cluster.admin_policies[i]), i));
    let mut policies = Vec::with_capacity(order.len());
    for i in order {
        let policy = &cluster.admin_policies[i];
        let subjects = subject_plan(sel, &policy.subject);
        let mut rules = Vec::new();
        for dir in Direction::BOTH {
            for (r, rule) in policy.rules(dir).iter().enumerate() {
                rules.push(AdminRulePlan {
                    policy: i,
                    rule: r,
                    direction: dir,
                    action: rule.action,
                    peers: peers_plan(sel, &rule.peers, atoms),
                    ports: admin_rule_ports(rule.ports.as_deref()),
                });
            }
        }
        policies.push((policy.tier, subjects, rules));
    }
    AdminPlan { policies }
}

impl AdminPlan {
    /// The tiers compiled over the classes `lists` maps to.
    pub(crate) fn compile(&self, lists: &mut ClassLists<'_>) -> AdminCompiled {
        let n = lists.classes();
        let mut out = AdminCompiled::default();
        if self.policies.is_empty() {
            return out;
        }
        let tier_lists = || TierLists {
            admin: vec![Vec::new(); n],
            baseline: vec![Vec::new(); n],
            allow_reach: vec![None; n],
        };
        out.ingress = tier_lists();
        out.egress = tier_lists();
        for (tier, subjects, rules) in &self.policies {
            let subjects: Vec<u32> = lists.of(*subjects).to_vec();
            for plan in rules {
                let compiled = AdminRuleCompiled {
                    policy: plan.policy,
                    rule: plan.rule,
                    action: plan.action,
                    peers: plan.peers.compile(lists),
                    ports: plan.ports.clone(),
                };
                let index = out.rules.len();
                let tl = match plan.direction {
                    Direction::Ingress => &mut out.ingress,
                    Direction::Egress => &mut out.egress,
                };
                for &s in &subjects {
                    let s = s as usize;
                    match tier {
                        Tier::Admin => {
                            tl.admin[s].push(index);
                            if plan.action == AdminAction::Allow {
                                compiled.peers.identities.add_to(
                                    tl.allow_reach[s]
                                        .get_or_insert_with(|| FixedBitSet::with_capacity(n)),
                                );
                            }
                        }
                        Tier::Baseline => tl.baseline[s].push(index),
                    }
                }
                out.rules.push(compiled);
            }
        }
        out
    }
}
