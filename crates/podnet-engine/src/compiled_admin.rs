//! The cluster-scoped tiers compiled against identities: every admin and
//! baseline rule becomes peer identities and address atoms with its ports,
//! and every identity gets, per direction, its ordered Admin-tier and
//! Baseline-tier rules (see [`crate::tiers`] for the semantics).

use fixedbitset::FixedBitSet;
use podnet_model::{
    AdminAction, AdminPeer, AdminSubject, Cluster, Direction, IpSet, LabelSelector, Tier,
};

use crate::admin_ports::admin_rule_ports;
use crate::compiled::{NamespaceKey, PeerSet, SelectorCache};
use crate::identity::IdentityId;
use crate::ports::RulePorts;
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
    node_addresses(cluster, sel)
        .into_iter()
        .fold(IpSet::empty(), |acc, ip| acc.union(&IpSet::single(ip)))
}

fn subject_set(cache: &mut SelectorCache<'_>, subject: &AdminSubject) -> FixedBitSet {
    match subject {
        AdminSubject::Namespaces(ns) => cache
            .pods(
                NamespaceKey::Selected(ns.clone()),
                &LabelSelector::everything(),
            )
            .clone(),
        AdminSubject::Pods(np) => cache
            .pods(NamespaceKey::Selected(np.namespaces.clone()), &np.pods)
            .clone(),
    }
}

fn peers(
    cache: &mut SelectorCache<'_>,
    cluster: &Cluster,
    list: &[AdminPeer],
    n: usize,
    atoms: usize,
) -> PeerSet {
    let mut set = PeerSet {
        any: false,
        identities: FixedBitSet::with_capacity(n),
        atoms: FixedBitSet::with_capacity(atoms),
    };
    for peer in list {
        match peer {
            AdminPeer::Namespaces(sel) => {
                let sub = subject_set(cache, &AdminSubject::Namespaces(sel.clone()));
                set.identities.union_with(&sub);
            }
            AdminPeer::Pods(np) => {
                let sub = subject_set(cache, &AdminSubject::Pods(np.clone()));
                set.identities.union_with(&sub);
            }
            AdminPeer::Networks(addresses) => {
                let (ids, block_atoms) = cache.block(addresses);
                set.identities.union_with(ids);
                set.atoms.union_with(block_atoms);
            }
            AdminPeer::Nodes(sel) => {
                let addresses = nodes_set(cluster, sel);
                let (ids, block_atoms) = cache.block(&addresses);
                set.identities.union_with(ids);
                set.atoms.union_with(block_atoms);
            }
        }
    }
    set
}

/// Compiles every admin and baseline policy.
pub(crate) fn compile_admin(
    cache: &mut SelectorCache<'_>,
    cluster: &Cluster,
    atoms: usize,
) -> AdminCompiled {
    let n = cache.identity_count();
    let mut out = AdminCompiled::default();
    if cluster.admin_policies.is_empty() {
        return out;
    }
    let lists = || TierLists {
        admin: vec![Vec::new(); n],
        baseline: vec![Vec::new(); n],
        allow_reach: vec![None; n],
    };
    out.ingress = lists();
    out.egress = lists();
    let mut order: Vec<usize> = (0..cluster.admin_policies.len()).collect();
    order.sort_by_key(|&i| (priority_key(&cluster.admin_policies[i]), i));
    for i in order {
        let policy = &cluster.admin_policies[i];
        let subjects = subject_set(cache, &policy.subject);
        for dir in Direction::BOTH {
            for (r, rule) in policy.rules(dir).iter().enumerate() {
                let compiled = AdminRuleCompiled {
                    policy: i,
                    rule: r,
                    action: rule.action,
                    peers: peers(cache, cluster, &rule.peers, n, atoms),
                    ports: admin_rule_ports(rule.ports.as_deref()),
                };
                let index = out.rules.len();
                let lists = match dir {
                    Direction::Ingress => &mut out.ingress,
                    Direction::Egress => &mut out.egress,
                };
                for s in subjects.ones() {
                    match policy.tier {
                        Tier::Admin => {
                            lists.admin[s].push(index);
                            if rule.action == AdminAction::Allow {
                                lists.allow_reach[s]
                                    .get_or_insert_with(|| FixedBitSet::with_capacity(n))
                                    .union_with(&compiled.peers.identities);
                            }
                        }
                        Tier::Baseline => lists.baseline[s].push(index),
                    }
                }
                out.rules.push(compiled);
            }
        }
    }
    out
}
