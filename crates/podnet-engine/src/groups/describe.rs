//! Naming a set of workloads in few terms, exactly: whole namespaces
//! (several at once through a namespace label selector when one picks only
//! whole namespaces of the set), then, namespace by namespace, pod label
//! selectors that pick only workloads of the set (every pod of a picked
//! workload matches, no pod of another), then the workloads left by name.
//!
//! Candidate selectors are the ones the input's policies use and the
//! single labels (`key=value`) the namespaces and pods carry; the cover is
//! greedy (largest first), and a selector must name at least two
//! namespaces or workloads to be used.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use std::sync::{Arc, OnceLock};

use fixedbitset::FixedBitSet;

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

use podnet_model::cluster::NAMESPACE_NAME_LABEL;
use podnet_model::policy::PeerKind;
use podnet_model::{
    AdminPeer, AdminSubject, Cluster, LabelSelector, LabelSetId, NamespaceScope, NsId, WorkloadId,
};

use super::{GroupEnd, GroupLine, RawEnd, RawLine, Term, Universe};
use crate::nsindex::NamespaceIndex;

/// A selector usable in a namespace, with the workloads it picks.
struct UsableSelector {
    /// The selector's rank among all pod selector candidates
    /// ([`Shared::pod_selectors`]): terms gather namespaces by selector and
    /// are ordered by it, and ranks compare without reading strings.
    rank: u32,
    picked: Vec<WorkloadId>,
}

/// Usable selectors of a namespace, sorted by selector.
type Usable = Vec<UsableSelector>;

/// A part of a namespace described: indices of the chosen usable
/// selectors, and the workloads left to name.
type Part = Arc<(Vec<u32>, Vec<WorkloadId>)>;

/// What describing needs of a cluster, computed once.
struct Shared {
    /// Namespace selectors with the listable namespaces they pick (sorted),
    /// only those picking two or more.
    ns_candidates: Vec<(LabelSelector, FixedBitSet)>,
    /// Per namespace: the indices of the namespace selectors picking it.
    ns_candidates_of: Vec<Vec<u32>>,
    /// Every pod selector a namespace may use, sorted: the input's and
    /// the single labels all pods of a listable workload carry. The
    /// candidates below are ranks in this list.
    pod_selectors: Vec<LabelSelector>,
    /// The single-label selectors `key=value` with their ranks, sorted by
    /// label (searched without allocating).
    single_ranks: Vec<((String, String), u32)>,
    /// Pod selectors the input uses across namespaces.
    pod_candidates: Vec<u32>,
    /// Per namespace: the pod selectors of its own policies.
    own_candidates: Vec<Vec<u32>>,
    /// Per workload: its pods' distinct label sets.
    label_sets: Vec<Vec<LabelSetId>>,
    /// Per workload: its namespace's index.
    ns_of: Vec<u32>,
    /// Per namespace, once asked: its usable selectors.
    usable: Vec<OnceLock<Usable>>,
}

/// Describes workload sets of one cluster, remembering what it described.
pub struct Describer<'c> {
    cluster: &'c Cluster,
    universe: &'c Universe,
    shared: Arc<Shared>,
    /// Parts of namespaces already described.
    /// The chosen selectors are indices into the namespace's usable ones.
    parts: RefCell<HashMap<NsId, HashMap<Vec<WorkloadId>, Part>>>,
}

fn single(key: &str, value: &str) -> LabelSelector {
    LabelSelector::new([(key.to_owned(), value.to_owned())], [])
}

fn to_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// The labels every pod of a workload carries alike, given its pods'
/// distinct label sets.
fn common_labels<'a>(cluster: &'a Cluster, sets: &[LabelSetId]) -> Vec<(&'a str, &'a str)> {
    let Some((first, rest)) = sets.split_first() else {
        return Vec::new();
    };
    cluster.label_sets[first.index()]
        .iter()
        .filter(|(k, v)| {
            rest.iter()
                .all(|s| cluster.label_sets[s.index()].get(k) == Some(*v))
        })
        .collect()
}

impl<'c> Describer<'c> {
    /// A describer of `cluster`'s listable workloads.
    pub fn new(cluster: &'c Cluster, universe: &'c Universe) -> Self {
        let mut ns_selectors: BTreeSet<LabelSelector> = BTreeSet::new();
        // Pod selectors used across namespaces, and those of each
        // namespace's own policies.
        let mut pod_selectors: BTreeSet<LabelSelector> = BTreeSet::new();
        let mut own: Vec<BTreeSet<&LabelSelector>> =
            vec![BTreeSet::new(); cluster.namespaces.len()];
        for policy in &cluster.policies {
            let here = &mut own[policy.namespace.index()];
            here.insert(&policy.pod_selector);
            for rule in policy.ingress.iter().chain(&policy.egress) {
                for peer in &rule.peers {
                    if let PeerKind::Pods { namespaces, pods } = &peer.kind {
                        match namespaces {
                            NamespaceScope::PolicyNamespace => {
                                here.insert(pods);
                            }
                            NamespaceScope::Selected(s) => {
                                ns_selectors.insert(s.clone());
                                pod_selectors.insert(pods.clone());
                            }
                        }
                    }
                }
            }
        }
        for admin in &cluster.admin_policies {
            let mut add = |ns: &LabelSelector, pods: Option<&LabelSelector>| {
                ns_selectors.insert(ns.clone());
                if let Some(p) = pods {
                    pod_selectors.insert(p.clone());
                }
            };
            match &admin.subject {
                AdminSubject::Namespaces(ns) => add(ns, None),
                AdminSubject::Pods(np) => add(&np.namespaces, Some(&np.pods)),
            }
            for rule in admin.ingress.iter().chain(&admin.egress) {
                for peer in &rule.peers {
                    match peer {
                        AdminPeer::Namespaces(ns) => add(ns, None),
                        AdminPeer::Pods(np) => add(&np.namespaces, Some(&np.pods)),
                        AdminPeer::Networks(_) | AdminPeer::Nodes(_) => {}
                    }
                }
            }
        }
        for ns in &cluster.namespaces {
            for (k, v) in ns.labels.iter() {
                if k != NAMESPACE_NAME_LABEL {
                    ns_selectors.insert(single(k, v));
                }
            }
        }
        ns_selectors.insert(LabelSelector::everything());
        let index = NamespaceIndex::new(cluster);
        let ns_candidates: Vec<(LabelSelector, FixedBitSet)> = ns_selectors
            .into_iter()
            .filter_map(|sel| {
                let mut picked = FixedBitSet::with_capacity(cluster.namespaces.len());
                picked.extend(
                    index
                        .matching(&sel)
                        .into_iter()
                        .map(NsId::index)
                        .filter(|&i| !universe.by_namespace[i].is_empty()),
                );
                (picked.count_ones(..) >= 2).then_some((sel, picked))
            })
            .collect();
        let mut ns_candidates_of = vec![Vec::new(); cluster.namespaces.len()];
        for (i, (_, picked)) in ns_candidates.iter().enumerate() {
            for ns in picked.ones() {
                ns_candidates_of[ns].push(to_u32(i));
            }
        }
        pod_selectors.remove(&LabelSelector::everything());
        let label_sets: Vec<Vec<LabelSetId>> = cluster
            .workloads
            .iter()
            .map(|w| {
                let mut sets: Vec<LabelSetId> =
                    w.pods.iter().map(|&p| cluster.pod(p).labels).collect();
                sets.sort_unstable();
                sets.dedup();
                sets
            })
            .collect();
        // Every single label a namespace's usable selectors may take.
        let mut singles: Vec<(&str, &str)> = universe
            .by_namespace
            .par_iter()
            .flatten()
            .flat_map_iter(|w| common_labels(cluster, &label_sets[w.index()]))
            .collect();
        singles.par_sort_unstable();
        singles.dedup();
        let own_candidates: Vec<Vec<&LabelSelector>> = own
            .into_iter()
            .map(|set| set.into_iter().filter(|s| !s.is_empty()).collect())
            .collect();
        let mut all: BTreeSet<LabelSelector> = pod_selectors.iter().cloned().collect();
        all.extend(own_candidates.iter().flatten().map(|&s| s.clone()));
        all.extend(singles.iter().map(|(k, v)| single(k, v)));
        let all: Vec<LabelSelector> = all.into_iter().collect();
        let rank_of = |sel: &LabelSelector| to_u32(all.binary_search(sel).unwrap_or(usize::MAX));
        let single_ranks = singles
            .iter()
            .map(|&(k, v)| ((k.to_owned(), v.to_owned()), rank_of(&single(k, v))))
            .collect();
        let pod_candidates = pod_selectors.iter().map(rank_of).collect();
        let own_candidates = own_candidates
            .iter()
            .map(|set| set.iter().map(|s| rank_of(s)).collect())
            .collect();
        Describer {
            cluster,
            universe,
            shared: Arc::new(Shared {
                ns_candidates,
                ns_candidates_of,
                pod_selectors: all,
                single_ranks,
                pod_candidates,
                own_candidates,
                label_sets,
                ns_of: cluster.workloads.iter().map(|w| w.namespace.0).collect(),
                usable: (0..cluster.namespaces.len())
                    .map(|_| OnceLock::new())
                    .collect(),
            }),
            parts: RefCell::default(),
        }
    }

    /// A describer of `cluster` sharing `shared`, with nothing remembered
    /// (one per thread).
    fn with_shared(cluster: &'c Cluster, universe: &'c Universe, shared: &Arc<Shared>) -> Self {
        Describer {
            cluster,
            universe,
            shared: Arc::clone(shared),
            parts: RefCell::default(),
        }
    }

    /// Terms whose union is exactly `set` (sorted listable workloads).
    pub fn describe(&self, set: &[WorkloadId]) -> Vec<Term> {
        let cluster = self.cluster;
        let ns_of = &self.shared.ns_of;
        // Workloads are sorted by namespace: runs of one namespace.
        let mut by_ns: Vec<(u32, Cow<'_, [WorkloadId]>)> = set
            .chunk_by(|a, b| ns_of[a.index()] == ns_of[b.index()])
            .map(|run| (ns_of[run[0].index()], Cow::Borrowed(run)))
            .collect();
        if !by_ns.is_sorted_by_key(|(ns, _)| *ns) || by_ns.windows(2).any(|w| w[0].0 == w[1].0) {
            by_ns.sort_by_key(|(ns, _)| *ns);
            by_ns.dedup_by(|later, earlier| {
                if later.0 == earlier.0 {
                    let mut merged = earlier.1.to_vec();
                    merged.extend_from_slice(&later.1);
                    merged.sort_unstable();
                    earlier.1 = Cow::Owned(merged);
                    true
                } else {
                    false
                }
            });
        }
        let n_ns = cluster.namespaces.len();
        let mut full = FixedBitSet::with_capacity(n_ns);
        let mut partial: Vec<(NsId, Cow<'_, [WorkloadId]>)> = Vec::new();
        for (ns, part) in by_ns {
            if part.len() == self.universe.by_namespace[ns as usize].len() {
                full.insert(ns as usize);
            } else {
                partial.push((NsId(ns), part));
            }
        }
        let mut terms = Vec::new();
        // Whole namespaces, several at once where a selector fits: the
        // candidates all of whose namespaces are whole in the set.
        let shared: &Shared = &self.shared;
        let mut left = full.clone();
        let mut left_count = left.count_ones(..);
        // Candidates with their index: the list is sorted by selector.
        let fitting: Vec<(usize, &(LabelSelector, FixedBitSet))> = if left_count >= 2 {
            // Only selectors picking a namespace of the set can fit.
            let mut seen = FixedBitSet::with_capacity(shared.ns_candidates.len());
            for ns in full.ones() {
                for &i in &shared.ns_candidates_of[ns] {
                    seen.insert(i as usize);
                }
            }
            seen.ones()
                .map(|i| (i, &shared.ns_candidates[i]))
                .filter(|(_, (_, picked))| picked.is_subset(&full))
                .collect()
        } else {
            Vec::new()
        };
        while left_count >= 2 {
            // Largest gain; then the first selector.
            let best = fitting
                .iter()
                .map(|&(i, (sel, picked))| (picked.intersection_count(&left), i, sel, picked))
                .filter(|(gain, _, _, _)| *gain >= 2)
                .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)));
            let Some((gain, _, sel, picked)) = best else {
                break;
            };
            left.difference_with(picked);
            left_count -= gain;
            terms.push(Term::NamespaceSelector(sel.clone()));
        }
        let rest: Vec<NsId> = left.ones().map(NsId::from_index).collect();
        if !rest.is_empty() {
            terms.push(Term::Namespaces(rest));
        }
        // Parts of namespaces: pod selectors (in selector order), then names.
        let mut by_selector: BTreeMap<u32, Vec<NsId>> = BTreeMap::new();
        let mut named: Vec<WorkloadId> = Vec::new();
        for (ns, part) in partial {
            let found = self.part(ns, &part);
            let usable = shared.usable[ns.index()]
                .get()
                .map_or(&[][..], Vec::as_slice);
            for &i in &found.0 {
                by_selector
                    .entry(usable[i as usize].rank)
                    .or_default()
                    .push(ns);
            }
            named.extend_from_slice(&found.1);
        }
        for (rank, namespaces) in by_selector {
            terms.push(Term::Pods {
                namespaces,
                selector: shared.pod_selectors[rank as usize].clone(),
            });
        }
        if !named.is_empty() {
            named.sort_unstable();
            terms.push(Term::Workloads(named));
        }
        terms
    }

    /// The selectors usable in namespace `ns`: the input's pod selectors
    /// and the single labels of its workloads that pick two or more of its
    /// workloads but not all, each picked workload with every pod matching
    /// and no other with any; sorted by selector.
    fn compute_usable(&self, ns: NsId) -> Usable {
        let cluster = self.cluster;
        let shared = &self.shared;
        let in_ns = &self.universe.by_namespace[ns.index()];
        // Ranks, so in selector order.
        let mut candidates: BTreeSet<u32> = shared.pod_candidates.iter().copied().collect();
        candidates.extend(shared.own_candidates[ns.index()].iter().copied());
        for w in in_ns {
            for (k, v) in common_labels(cluster, &shared.label_sets[w.index()]) {
                let found = shared.single_ranks.binary_search_by(|((key, value), _)| {
                    (key.as_str(), value.as_str()).cmp(&(k, v))
                });
                if let Ok(i) = found {
                    candidates.insert(shared.single_ranks[i].1);
                }
            }
        }
        candidates
            .into_iter()
            .filter_map(|rank| {
                let sel = &shared.pod_selectors[rank as usize];
                let mut picked = Vec::new();
                for &w in in_ns {
                    let sets = &shared.label_sets[w.index()];
                    let hits = sets
                        .iter()
                        .filter(|s| sel.matches(&cluster.label_sets[s.index()]))
                        .count();
                    if hits == 0 {
                        continue;
                    }
                    if hits < sets.len() {
                        return None;
                    }
                    picked.push(w);
                }
                (picked.len() >= 2 && picked.len() < in_ns.len())
                    .then_some(UsableSelector { rank, picked })
            })
            .collect()
    }

    /// Pod selectors naming workloads of `part` (of namespace `ns`, sorted),
    /// and the workloads they leave.
    fn part(&self, ns: NsId, part: &[WorkloadId]) -> Part {
        if part.len() < 2 {
            return Arc::new((Vec::new(), part.to_vec()));
        }
        if let Some(found) = self.parts.borrow().get(&ns).and_then(|m| m.get(part)) {
            return Arc::clone(found);
        }
        let shared: &Shared = &self.shared;
        let usable = shared.usable[ns.index()].get_or_init(|| self.compute_usable(ns));
        let inside: Vec<(u32, &Vec<WorkloadId>)> = usable
            .iter()
            .enumerate()
            .filter(|(_, u)| u.picked.iter().all(|w| part.binary_search(w).is_ok()))
            .map(|(i, u)| (to_u32(i), &u.picked))
            .collect();
        let mut left: BTreeSet<WorkloadId> = part.iter().copied().collect();
        let mut chosen = Vec::new();
        loop {
            // Largest gain; then fewer requirements; then the first.
            let best = inside
                .iter()
                .map(|&(i, picked)| {
                    let gain = picked.iter().filter(|w| left.contains(w)).count();
                    (gain, i, picked)
                })
                .filter(|(gain, _, _)| *gain >= 2)
                .max_by(|a, b| {
                    let reqs = |i: u32| {
                        shared.pod_selectors[usable[i as usize].rank as usize]
                            .requirements()
                            .len()
                    };
                    a.0.cmp(&b.0)
                        .then_with(|| reqs(b.1).cmp(&reqs(a.1)))
                        .then_with(|| b.1.cmp(&a.1))
                });
            let Some((_, i, picked)) = best else {
                break;
            };
            for w in picked {
                left.remove(w);
            }
            chosen.push(i);
        }
        let result = Arc::new((chosen, left.into_iter().collect::<Vec<_>>()));
        self.parts
            .borrow_mut()
            .entry(ns)
            .or_default()
            .insert(part.to_vec(), Arc::clone(&result));
        result
    }
}

/// Raw lines (in their order) with their ends described; distinct
/// workload sets are described once, in parallel.
pub fn describe_lines(cluster: &Cluster, universe: &Universe, raw: Vec<RawLine>) -> Vec<GroupLine> {
    let describer = Describer::new(cluster, universe);
    let shared = &describer.shared;
    let mut index: HashMap<&[WorkloadId], usize> = HashMap::default();
    let mut distinct: Vec<&[WorkloadId]> = Vec::new();
    for line in &raw {
        for end in [&line.src, &line.dst] {
            if let RawEnd::Workloads(w) = end {
                index.entry(w.as_slice()).or_insert_with(|| {
                    distinct.push(w.as_slice());
                    distinct.len() - 1
                });
            }
        }
    }
    // One describer per chunk: each remembers its namespaces' selectors.
    let chunk = distinct
        .len()
        .div_ceil(4 * rayon::current_num_threads())
        .max(1);
    let described: Vec<Vec<Term>> = distinct
        .par_chunks(chunk)
        .flat_map_iter(|sets| {
            let d = Describer::with_shared(cluster, universe, shared);
            sets.iter().map(|set| d.describe(set)).collect::<Vec<_>>()
        })
        .collect();
    let end = |e: &RawEnd| match e {
        RawEnd::Workloads(w) => GroupEnd::Workloads(described[index[w.as_slice()]].clone()),
        RawEnd::Peer(p) => GroupEnd::Peer(p.clone()),
    };
    raw.iter()
        .map(|line| GroupLine {
            src: end(&line.src),
            dst: end(&line.dst),
            conns: line.conns.clone(),
            network: line.network.clone(),
            pairs: line.pairs(),
        })
        .collect()
}
