//! Policies compiled against a cluster's identities: every selector is
//! evaluated once (an interned selector cache), every rule becomes a set of
//! peer identities and address atoms with its ports, and every identity
//! gets, per direction, whether it is isolated and which rules apply.

use std::collections::HashMap;

use fixedbitset::FixedBitSet;
use podnet_model::policy::PeerKind;
use podnet_model::{Cluster, Direction, IpSet, LabelSelector, NamespaceScope, NsId, PolicyId};

use crate::atoms::AddressAtoms;
use crate::compiled_admin::{AdminCompiled, compile_admin};
use crate::identity::{Identities, IdentityId};
use crate::ports::RulePorts;

/// What a rule's `from`/`to` matches.
#[derive(Clone, Debug)]
pub struct PeerSet {
    /// The rule has no peers: every source/destination.
    pub any: bool,
    /// Matching identities.
    pub identities: FixedBitSet,
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
    /// The union of those rules' peer identities (`None` when not isolated).
    pub reach: Vec<Option<FixedBitSet>>,
    /// Whether one of those rules has no peers.
    pub reach_any: Vec<bool>,
}

impl DirectionIndex {
    /// Whether identity `subject` may have any connection with `peer` in
    /// this direction (a cheap filter before computing ports).
    pub fn may_reach(&self, subject: IdentityId, peer: IdentityId) -> bool {
        !self.isolated[subject]
            || self.reach_any[subject]
            || self.reach[subject]
                .as_ref()
                .is_some_and(|r| r.contains(peer))
    }
}

/// All policies, compiled.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// Every rule of every policy.
    pub rules: Vec<CompiledRule>,
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
}

/// Interned selections, so equal selectors are evaluated once.
pub(crate) struct SelectorCache<'a> {
    cluster: &'a Cluster,
    identities: &'a Identities,
    atoms: &'a AddressAtoms,
    namespaces: HashMap<LabelSelector, Vec<NsId>>,
    pods: HashMap<(NamespaceKey, LabelSelector), FixedBitSet>,
    blocks: HashMap<IpSet, (FixedBitSet, FixedBitSet)>,
    addressed: Vec<IdentityId>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) enum NamespaceKey {
    One(NsId),
    Selected(LabelSelector),
}

impl<'a> SelectorCache<'a> {
    /// How many identities there are.
    pub(crate) fn identity_count(&self) -> usize {
        self.identities.len()
    }

    pub(crate) fn namespaces(&mut self, key: &NamespaceKey) -> Vec<NsId> {
        match key {
            NamespaceKey::One(ns) => vec![*ns],
            NamespaceKey::Selected(sel) => {
                let cluster = self.cluster;
                self.namespaces
                    .entry(sel.clone())
                    .or_insert_with(|| {
                        cluster
                            .namespaces
                            .iter()
                            .enumerate()
                            .filter(|(_, n)| sel.matches(&n.labels))
                            .map(|(i, _)| NsId::from_index(i))
                            .collect()
                    })
                    .clone()
            }
        }
    }

    /// Pods (never host-network ones) in the namespaces of `ns` whose labels
    /// match `sel`.
    pub(crate) fn pods(&mut self, ns: NamespaceKey, sel: &LabelSelector) -> &FixedBitSet {
        let key = (ns, sel.clone());
        if !self.pods.contains_key(&key) {
            let mut bits = FixedBitSet::with_capacity(self.identities.len());
            for n in self.namespaces(&key.0) {
                for &i in &self.identities.by_namespace[n.index()] {
                    let id = &self.identities.list[i];
                    if !id.host_network && sel.matches(&self.cluster.label_sets[id.labels.index()])
                    {
                        bits.insert(i);
                    }
                }
            }
            self.pods.insert(key.clone(), bits);
        }
        &self.pods[&key]
    }

    /// Identities with an address in `set`, and the atoms of `set`.
    pub(crate) fn block(&mut self, set: &IpSet) -> &(FixedBitSet, FixedBitSet) {
        if !self.blocks.contains_key(set) {
            let atoms = self.atoms.atoms_of(set);
            let mut ids = FixedBitSet::with_capacity(self.identities.len());
            for &i in &self.addressed {
                if self.identities.list[i]
                    .atoms
                    .iter()
                    .any(|&a| atoms.contains(a))
                {
                    ids.insert(i);
                }
            }
            self.blocks.insert(set.clone(), (ids, atoms));
        }
        &self.blocks[set]
    }
}

/// Compiles every policy of `cluster`.
pub fn compile(cluster: &Cluster, identities: &Identities, atoms: &AddressAtoms) -> Compiled {
    let n = identities.len();
    let mut cache = SelectorCache {
        cluster,
        identities,
        atoms,
        namespaces: HashMap::new(),
        pods: HashMap::new(),
        blocks: HashMap::new(),
        addressed: (0..n)
            .filter(|&i| !identities.list[i].atoms.is_empty())
            .collect(),
    };
    let empty_index = || DirectionIndex {
        isolated: vec![false; n],
        rules: vec![Vec::new(); n],
        reach: vec![None; n],
        reach_any: vec![false; n],
    };
    let mut compiled = Compiled {
        rules: Vec::new(),
        ingress: empty_index(),
        egress: empty_index(),
        admin: AdminCompiled::default(),
    };
    for (p, policy) in cluster.policies.iter().enumerate() {
        let pid = PolicyId::from_index(p);
        let subjects = cache
            .pods(NamespaceKey::One(policy.namespace), &policy.pod_selector)
            .clone();
        for dir in Direction::BOTH {
            if !policy.affects(dir) {
                continue;
            }
            let first_rule = compiled.rules.len();
            for (r, rule) in policy.rules(dir).iter().enumerate() {
                let peers = peer_set(&mut cache, policy.namespace, &rule.peers, n, atoms.len());
                compiled.rules.push(CompiledRule {
                    policy: pid,
                    direction: dir,
                    index: r,
                    peers,
                    ports: RulePorts::new(&rule.ports),
                });
            }
            let index = match dir {
                Direction::Ingress => &mut compiled.ingress,
                Direction::Egress => &mut compiled.egress,
            };
            for s in subjects.ones() {
                index.isolated[s] = true;
                let reach = index.reach[s].get_or_insert_with(|| FixedBitSet::with_capacity(n));
                for r in first_rule..compiled.rules.len() {
                    index.rules[s].push(r);
                    let peers = &compiled.rules[r].peers;
                    index.reach_any[s] |= peers.any;
                    reach.union_with(&peers.identities);
                }
            }
        }
    }
    compiled.admin = compile_admin(&mut cache, cluster, atoms.len());
    compiled
}

fn peer_set(
    cache: &mut SelectorCache<'_>,
    policy_ns: NsId,
    peers: &[podnet_model::Peer],
    n: usize,
    atoms: usize,
) -> PeerSet {
    let mut set = PeerSet {
        any: peers.is_empty(),
        identities: FixedBitSet::with_capacity(n),
        atoms: FixedBitSet::with_capacity(atoms),
    };
    for peer in peers {
        match &peer.kind {
            PeerKind::Pods { namespaces, pods } => {
                let key = match namespaces {
                    NamespaceScope::PolicyNamespace => NamespaceKey::One(policy_ns),
                    NamespaceScope::Selected(sel) => NamespaceKey::Selected(sel.clone()),
                };
                set.identities.union_with(cache.pods(key, pods));
            }
            PeerKind::IpBlock(block) => {
                let (ids, block_atoms) = cache.block(&block.addresses);
                set.identities.union_with(ids);
                set.atoms.union_with(block_atoms);
            }
        }
    }
    if set.any {
        set.identities.insert_range(..);
        set.atoms.insert_range(..);
    }
    set
}
