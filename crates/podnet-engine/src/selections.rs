//! Everything the input selects, evaluated once over members (see
//! [`crate::identity`]): policy subjects and peers, ipBlocks, admin
//! subjects and peers, intent selectors. Equal selections are interned.
//! The sets both form the identity classes (each is a union of classes)
//! and, mapped to classes, become the compiled rules' peer sets.

use std::collections::HashMap;
use std::sync::OnceLock;

use fixedbitset::FixedBitSet;
use podnet_model::{Cluster, IpSet, LabelSelector, NsId};
use rustc_hash::FxHashMap;

use crate::atoms::AddressAtoms;
use crate::classset::ClassSet;
use crate::identity::Members;
use crate::nsindex::NamespaceIndex;

/// Index of a selection.
pub(crate) type SelId = usize;

/// Which namespaces a pod selection looks in.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum NamespaceKey<'a> {
    /// One namespace (a policy's own).
    One(NsId),
    /// The namespaces a selector matches.
    Selected(&'a LabelSelector),
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Key<'a> {
    Pods(NamespaceKey<'a>, &'a LabelSelector),
    Block(IpSet),
}

/// Interned selections over members.
pub(crate) struct Selections<'a> {
    cluster: &'a Cluster,
    members: &'a Members,
    atoms: &'a AddressAtoms,
    /// Namespaces by label.
    index: NamespaceIndex<'a>,
    namespaces: FxHashMap<&'a LabelSelector, Vec<NsId>>,
    keys: FxHashMap<Key<'a>, SelId>,
    /// Members of each selection, ascending.
    lists: Vec<Vec<u32>>,
    /// (atom, member) for every atom of every member's addresses, sorted.
    by_atom: Vec<(u32, u32)>,
}

/// The selector that selects everything, for `namespaces` subjects.
pub(crate) fn everything() -> &'static LabelSelector {
    static EVERYTHING: OnceLock<LabelSelector> = OnceLock::new();
    EVERYTHING.get_or_init(LabelSelector::everything)
}

fn to_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

impl<'a> Selections<'a> {
    pub(crate) fn new(cluster: &'a Cluster, members: &'a Members, atoms: &'a AddressAtoms) -> Self {
        Selections {
            cluster,
            members,
            atoms,
            index: NamespaceIndex::new(cluster),
            namespaces: FxHashMap::default(),
            keys: FxHashMap::default(),
            lists: Vec::new(),
            by_atom: {
                let mut pairs: Vec<(u32, u32)> = members
                    .list
                    .iter()
                    .enumerate()
                    .flat_map(|(m, member)| {
                        member.atoms.iter().map(move |&a| (to_u32(a), to_u32(m)))
                    })
                    .collect();
                pairs.sort_unstable();
                pairs
            },
        }
    }

    pub(crate) fn cluster(&self) -> &'a Cluster {
        self.cluster
    }

    pub(crate) fn members(&self) -> &'a Members {
        self.members
    }

    /// The namespaces `sel` matches.
    pub(crate) fn selected_namespaces(&mut self, sel: &'a LabelSelector) -> &[NsId] {
        let index = &self.index;
        self.namespaces
            .entry(sel)
            .or_insert_with(|| index.matching(sel))
    }

    /// Pods (never host-network ones) in the namespaces of `ns` whose
    /// labels match `sel`.
    pub(crate) fn pods(&mut self, ns: NamespaceKey<'a>, sel: &'a LabelSelector) -> SelId {
        let key = Key::Pods(ns, sel);
        if let Some(&id) = self.keys.get(&key) {
            return id;
        }
        let namespaces: Vec<NsId> = match ns {
            NamespaceKey::One(n) => vec![n],
            NamespaceKey::Selected(s) => self.selected_namespaces(s).to_vec(),
        };
        let mut list = Vec::new();
        for n in namespaces {
            for &m in &self.members.by_namespace[n.index()] {
                let member = &self.members.list[m];
                if !member.host_network
                    && sel.matches(&self.cluster.label_sets[member.labels.index()])
                {
                    list.push(to_u32(m));
                }
            }
        }
        list.sort_unstable();
        self.insert(key, list)
    }

    /// Members with an address in `set`.
    pub(crate) fn block(&mut self, set: &IpSet) -> SelId {
        let key = Key::Block(set.clone());
        if let Some(&id) = self.keys.get(&key) {
            return id;
        }
        let mut list: Vec<u32> = Vec::new();
        for span in self.atoms.spans(set) {
            let first = self
                .by_atom
                .partition_point(|&(a, _)| (a as usize) < span.start);
            let end = self
                .by_atom
                .partition_point(|&(a, _)| (a as usize) < span.end);
            list.extend(self.by_atom[first..end].iter().map(|&(_, m)| m));
        }
        list.sort_unstable();
        list.dedup();
        self.insert(key, list)
    }

    /// Adds the atoms of `set` to `bits`.
    pub(crate) fn add_atoms(&self, set: &IpSet, bits: &mut FixedBitSet) {
        self.atoms.add_atoms_of(set, bits);
    }

    /// A selection given as its members (need not be sorted).
    pub(crate) fn push(&mut self, mut list: Vec<u32>) -> SelId {
        list.sort_unstable();
        list.dedup();
        self.lists.push(list);
        self.lists.len() - 1
    }

    fn insert(&mut self, key: Key<'a>, list: Vec<u32>) -> SelId {
        self.lists.push(list);
        let id = self.lists.len() - 1;
        self.keys.insert(key, id);
        id
    }

    /// Every selection, as members.
    pub(crate) fn lists(&self) -> impl Iterator<Item = &[u32]> {
        self.lists.iter().map(Vec::as_slice)
    }
}

/// Selections mapped to identity classes, computed when first asked.
pub(crate) struct ClassLists<'s> {
    lists: &'s [Vec<u32>],
    class_of_member: &'s [usize],
    classes: usize,
    cache: HashMap<SelId, Vec<u32>>,
}

impl<'s> ClassLists<'s> {
    pub(crate) fn new(
        selections: &'s Selections<'_>,
        class_of_member: &'s [usize],
        classes: usize,
    ) -> Self {
        ClassLists {
            lists: &selections.lists,
            class_of_member,
            classes,
            cache: HashMap::new(),
        }
    }

    /// Number of classes.
    pub(crate) fn classes(&self) -> usize {
        self.classes
    }

    /// The classes of a selection, ascending.
    pub(crate) fn of(&mut self, id: SelId) -> &[u32] {
        let (lists, class_of) = (self.lists, self.class_of_member);
        self.cache.entry(id).or_insert_with(|| {
            let mut out: Vec<u32> = lists[id]
                .iter()
                .map(|&m| to_u32(class_of[m as usize]))
                .collect();
            out.sort_unstable();
            out.dedup();
            out
        })
    }

    /// The union of several selections' classes.
    pub(crate) fn union(&mut self, ids: &[SelId]) -> ClassSet {
        match ids {
            [] => ClassSet::empty(),
            [one] => ClassSet::from_sorted(self.of(*one).to_vec(), self.classes),
            many => {
                let mut all: Vec<u32> = Vec::new();
                for &id in many {
                    all.extend_from_slice(self.of(id));
                }
                all.sort_unstable();
                all.dedup();
                ClassSet::from_sorted(all, self.classes)
            }
        }
    }
}
