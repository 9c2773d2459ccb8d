//! The fast path: connectivity between all identities, and between each
//! identity and the address atoms outside the cluster. It must agree with
//! [`crate::semantics`] on every flow (property-tested on random clusters).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use fixedbitset::FixedBitSet;
use podnet_model::{Cluster, Conns, Direction, Intent, IpSet, NetworkPolicy, PodId};

use crate::atoms::AddressAtoms;
use crate::compiled::{Compiled, DirectionIndex, plan};
use crate::compiled_admin::admin_address_sets;
use crate::conns_table::ConnsTable;
use crate::identity::{Identities, IdentityId, Members, refine};
use crate::matrix_tiers::PeerAt;
use crate::observe::{named_ports, observe_intents, port_classes};
use crate::rows::RowIndex;
use crate::selections::{ClassLists, Selections};

/// A cluster prepared for connectivity queries.
pub struct Engine<'c> {
    /// The cluster.
    pub(crate) cluster: &'c Cluster,
    /// Address atoms cut by every ipBlock.
    pub(crate) atoms: AddressAtoms,
    /// Pod identities.
    pub(crate) identities: Identities,
    /// Compiled policies.
    pub(crate) compiled: Compiled,
    /// The distinct connection sets of rows.
    pub(crate) conns: ConnsTable,
    /// The intents whose selectors the identities tell apart.
    observed: Vec<Intent>,
    /// What rows need, built on first use.
    rows: OnceLock<RowIndex>,
    /// Scratch space of row computations, reused.
    pub(crate) scratch: Mutex<Vec<crate::rows::Scratch>>,
}

/// Allowed connections from one identity to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityPair {
    /// Source identity.
    pub src: IdentityId,
    /// Destination identity.
    pub dst: IdentityId,
    /// What is allowed.
    pub conns: Conns,
}

/// Connections between one identity and outside addresses, grouped by what
/// is allowed: each entry is a set of atoms and the connections they share.
pub type ExternalGroups = Vec<(FixedBitSet, Conns)>;

impl<'c> Engine<'c> {
    /// The cluster the engine was built on.
    pub fn cluster(&self) -> &'c Cluster {
        self.cluster
    }

    /// The identity of a pod.
    pub fn identity_of(&self, pod: PodId) -> IdentityId {
        self.identities.of_pod[pod.index()]
    }

    /// Every identity, its members and indexes.
    pub fn identities(&self) -> &Identities {
        &self.identities
    }

    /// The address atoms cut by every ipBlock.
    pub fn atoms(&self) -> &AddressAtoms {
        &self.atoms
    }

    /// The compiled policies: subjects and rules per direction.
    pub fn compiled(&self) -> &Compiled {
        &self.compiled
    }

    /// The distinct connection sets rows refer to.
    pub fn conns(&self) -> &ConnsTable {
        &self.conns
    }

    /// The identities a NetworkPolicy's `podSelector` selects in its
    /// namespace (never host-network pods, which no selector selects:
    /// API reference, NetworkPolicySpec.podSelector).
    pub fn policy_subjects(&self, policy: &NetworkPolicy) -> Vec<IdentityId> {
        let members = &self.identities.members;
        let mut out: Vec<IdentityId> = members
            .by_namespace
            .get(policy.namespace.index())
            .map(|list| {
                list.iter()
                    .copied()
                    .filter(|&m| {
                        let member = &members.list[m];
                        !member.host_network
                            && policy
                                .pod_selector
                                .matches(&self.cluster.label_sets[member.labels.index()])
                    })
                    .map(|m| self.identities.of_member[m])
                    .collect()
            })
            .unwrap_or_default();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Prepares `cluster`: atoms, identities (telling apart what the
    /// cluster's policies and intents select), compiled policies.
    pub fn new(cluster: &'c Cluster) -> Self {
        Self::with_intents(cluster, &[])
    }

    /// Like [`Engine::new`], with identities that also tell apart what
    /// `intents` select (the intents of `verify --intents FILE`).
    pub fn with_intents(cluster: &'c Cluster, intents: &[Intent]) -> Self {
        let blocks = cluster
            .policies
            .iter()
            .flat_map(|p| p.ingress.iter().chain(&p.egress))
            .flat_map(|r| &r.peers)
            .filter_map(|peer| match &peer.kind {
                podnet_model::policy::PeerKind::IpBlock(b) => Some(&b.addresses),
                podnet_model::policy::PeerKind::Pods { .. } => None,
            });
        let admin_sets = admin_address_sets(cluster);
        let atoms = AddressAtoms::new(blocks.chain(admin_sets.iter()));
        let mut observed = cluster.intents.clone();
        for intent in intents {
            if !observed.contains(intent) {
                observed.push(intent.clone());
            }
        }
        let members = Members::new(cluster, &atoms);
        let (compiled, class_of_member) = {
            let mut sel = Selections::new(cluster, &members, &atoms);
            let plan = plan(&mut sel, atoms.len());
            observe_intents(&mut sel, &observed);
            let port_class = port_classes(cluster, &named_ports(cluster, &observed));
            // Host-network pods are told apart by node: traffic from them
            // is always allowed into their node's pods (added per pod when
            // rows are gathered, see `identity.rs`).
            let mut keys: HashMap<(u64, bool, Option<u32>), u64> = HashMap::new();
            let initial: Vec<u64> = members
                .list
                .iter()
                .map(|m| {
                    let key = (port_class[m.ports.index()], m.host_network, m.node);
                    let next = keys.len() as u64;
                    *keys.entry(key).or_insert(next)
                })
                .collect();
            let class_of_member = refine(&initial, sel.lists());
            let classes = class_of_member.iter().max().map_or(0, |&m| m + 1);
            let mut lists = ClassLists::new(&sel, &class_of_member, classes);
            (plan.compile(&mut lists), class_of_member)
        };
        let identities = Identities::from_classes(cluster, members, class_of_member);
        Engine {
            cluster,
            atoms,
            identities,
            compiled,
            conns: ConnsTable::new(),
            observed,
            rows: OnceLock::new(),
            scratch: Mutex::new(Vec::new()),
        }
    }

    /// Whether the identities tell apart everything `intents` select.
    pub fn observes(&self, intents: &[Intent]) -> bool {
        intents.iter().all(|i| self.observed.contains(i))
    }

    pub(crate) fn row_index(&self) -> &RowIndex {
        self.rows.get_or_init(|| RowIndex::new(self))
    }

    pub(crate) fn dst_ports(&self, dst: IdentityId) -> &[podnet_model::ContainerPort] {
        &self.cluster.port_tables[self.identities.list[dst].ports.index()]
    }

    /// What `dst`'s ingress rules allow from `src` (which must pass the
    /// rules' peers), everything when `dst` is not isolated for ingress.
    fn ingress(&self, src: IdentityId, dst: IdentityId, resolved: &[(usize, Conns)]) -> Conns {
        let isolated = self.compiled.ingress.isolated[dst];
        let mut np = if isolated {
            Conns::none()
        } else {
            Conns::all()
        };
        if isolated {
            for (r, ports) in resolved {
                if self.compiled.rules[*r].peers.has_identity(src) {
                    np.add(ports);
                }
            }
        }
        self.tiered(
            Direction::Ingress,
            dst,
            PeerAt::Identity(src),
            Some(dst),
            isolated,
            np,
        )
    }

    /// What `src`'s egress rules allow to `dst`.
    fn egress(&self, src: IdentityId, dst: IdentityId) -> Conns {
        let index = &self.compiled.egress;
        let isolated = index.isolated[src];
        let mut np = if isolated {
            Conns::none()
        } else {
            Conns::all()
        };
        if isolated {
            for &r in &index.rules[src] {
                let rule = &self.compiled.rules[r];
                if rule.peers.has_identity(dst) {
                    np.add(&rule.ports.on_pod(self.dst_ports(dst)));
                }
            }
        }
        self.tiered(
            Direction::Egress,
            src,
            PeerAt::Identity(dst),
            Some(dst),
            isolated,
            np,
        )
    }

    /// Connections from `src` to `dst` by the policies of every tier.
    /// Traffic from a host-network pod into a pod of its own node is
    /// allowed whatever they say; that depends on the pods, not the
    /// identities: see [`Engine::pair_to_pod`].
    pub fn pair(&self, src: IdentityId, dst: IdentityId) -> Conns {
        self.pair_resolved(src, dst, &self.resolved_ingress(dst))
    }

    /// Connections from identity `src` into pod `dst`: everything when
    /// `src` is a host-network identity on `dst`'s node
    /// ([`crate::semantics::from_own_node`]), else [`Engine::pair`].
    pub fn pair_to_pod(&self, src: IdentityId, dst: PodId) -> Conns {
        if self.identities.from_own_node(src, dst) {
            // A host-network pod's egress is never isolated, and its node's
            // traffic always enters.
            return Conns::all();
        }
        self.pair(src, self.identity_of(dst))
    }

    /// Connections from `src` to `dst`, given `dst`'s resolved ingress rules:
    /// egress first as the cheap filter, then ingress ∩ egress.
    pub(crate) fn pair_resolved(
        &self,
        src: IdentityId,
        dst: IdentityId,
        resolved: &[(usize, Conns)],
    ) -> Conns {
        if !self.compiled.may_reach(Direction::Egress, src, dst)
            && !self.admin_allows_reach(&self.compiled.admin.egress, src, dst)
        {
            return Conns::none();
        }
        let ing = self.ingress(src, dst, resolved);
        if ing.is_empty() {
            return ing;
        }
        ing.intersection(&self.egress(src, dst))
    }

    /// `dst`'s ingress rules with their ports resolved on `dst`.
    pub(crate) fn resolved_ingress(&self, dst: IdentityId) -> Vec<(usize, Conns)> {
        let ports = self.dst_ports(dst);
        self.compiled.ingress.rules[dst]
            .iter()
            .map(|&r| (r, self.compiled.rules[r].ports.on_pod(ports)))
            .collect()
    }

    /// Connections from outside addresses into `dst`.
    pub fn external_ingress(&self, dst: IdentityId) -> ExternalGroups {
        let ports = self.dst_ports(dst);
        self.external(Direction::Ingress, dst, Some(dst), |r| {
            self.compiled.rules[r].ports.on_pod(ports)
        })
    }

    /// Connections from `src` to outside addresses.
    pub fn external_egress(&self, src: IdentityId) -> ExternalGroups {
        self.external(Direction::Egress, src, None, |r| {
            self.compiled.rules[r].ports.off_cluster().clone()
        })
    }

    fn external(
        &self,
        dir: Direction,
        subject: IdentityId,
        destination: Option<IdentityId>,
        ports: impl Fn(usize) -> Conns,
    ) -> ExternalGroups {
        let index = self.compiled.direction(dir);
        let isolated = index.isolated[subject];
        let lists = self.compiled.admin.direction(dir);
        if lists.applies(subject) {
            // Atoms no relevant rule tells apart share a verdict: evaluate
            // one atom per class of the partition the rules' atom sets cut.
            let np_rules: &[usize] = if isolated { &index.rules[subject] } else { &[] };
            let sets = np_rules
                .iter()
                .map(|&r| &self.compiled.rules[r].peers.atoms)
                .chain(
                    lists.admin[subject]
                        .iter()
                        .chain(&lists.baseline[subject])
                        .map(|&r| &self.compiled.admin.rules[r].peers.atoms),
                );
            let np = if isolated {
                self.np_external(index, subject, &ports)
            } else {
                HashMap::new()
            };
            let mut per_class: HashMap<Conns, FixedBitSet> = HashMap::new();
            for class in self.atoms.classes(sets) {
                let Some(a) = class.minimum() else { continue };
                let np = match (isolated, np.get(&a)) {
                    (false, _) => Conns::all(),
                    (true, Some(c)) => c.clone(),
                    (true, None) => Conns::none(),
                };
                let conns = self.tiered(dir, subject, PeerAt::Atom(a), destination, isolated, np);
                if conns.is_empty() {
                    continue;
                }
                per_class
                    .entry(conns)
                    .and_modify(|b| b.union_with(&class))
                    .or_insert(class);
            }
            let mut out: ExternalGroups = per_class.into_iter().map(|(c, a)| (a, c)).collect();
            out.sort_by_key(|(a, _)| a.minimum());
            return out;
        }
        if !isolated {
            return vec![(self.atoms.all(), Conns::all())];
        }
        group_atoms(self.np_external(index, subject, &ports), self.atoms.len())
    }

    /// Per atom, what `subject`'s NetworkPolicy rules allow (isolated only).
    fn np_external(
        &self,
        index: &DirectionIndex,
        subject: IdentityId,
        ports: &impl Fn(usize) -> Conns,
    ) -> HashMap<usize, Conns> {
        let rules: Vec<(usize, Conns)> = index.rules[subject]
            .iter()
            .filter(|&&r| !self.compiled.rules[r].peers.atoms.is_clear())
            .map(|&r| (r, ports(r)))
            .filter(|(_, c)| !c.is_empty())
            .collect();
        let mut per_atom: HashMap<usize, Conns> = HashMap::new();
        for (r, conns) in &rules {
            for atom in self.compiled.rules[*r].peers.atoms.ones() {
                per_atom.entry(atom).or_default().add(conns);
            }
        }
        per_atom
    }

    /// The addresses of a set of atoms.
    pub fn atoms_to_ipset(&self, atoms: &FixedBitSet) -> IpSet {
        self.atoms.to_ipset(atoms.ones())
    }
}

/// Groups atoms by their connections, in a stable order.
pub fn group_atoms(per_atom: HashMap<usize, Conns>, n_atoms: usize) -> ExternalGroups {
    let mut groups: HashMap<Conns, FixedBitSet> = HashMap::new();
    for (atom, conns) in per_atom {
        if conns.is_empty() {
            continue;
        }
        groups
            .entry(conns)
            .or_insert_with(|| FixedBitSet::with_capacity(n_atoms))
            .insert(atom);
    }
    let mut out: ExternalGroups = groups.into_iter().map(|(c, a)| (a, c)).collect();
    out.sort_by_key(|(a, _)| a.minimum());
    out
}
