//! What an intent's endpoint selectors select: identities (with the pods of
//! each that are selected, so that a counterexample names a selected pod)
//! and outside addresses. Intent selectors are cluster-scoped and, unlike
//! NetworkPolicy's, select host-network pods by their labels too.

use std::collections::HashMap;
use std::net::IpAddr;

use fixedbitset::FixedBitSet;
use podnet_model::{EndpointSelector, IpRange, IpSet, PodId, SelectorKind};

use crate::identity::IdentityId;
use crate::matrix::Engine;

/// Which pods of one identity a selection holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Cover {
    /// Every pod.
    Full,
    /// These pods (sorted, not all of the identity's).
    Some(Vec<PodId>),
}

/// What a list of selectors selects.
#[derive(Clone, Debug)]
pub(crate) struct Selection {
    /// Per identity, the pods selected (`None`: none).
    cover: Vec<Option<Cover>>,
    /// The selected identities, as bits.
    pub bits: FixedBitSet,
    /// The selected identities, sorted.
    pub list: Vec<IdentityId>,
    /// Outside addresses selected.
    pub ips: IpSet,
}

impl Selection {
    fn empty(n: usize) -> Self {
        Selection {
            cover: vec![None; n],
            bits: FixedBitSet::with_capacity(n),
            list: Vec::new(),
            ips: IpSet::empty(),
        }
    }

    /// Whether nothing at all is selected.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty() && self.ips.is_empty()
    }

    /// Whether `id` has a selected pod.
    pub fn has(&self, id: IdentityId) -> bool {
        self.bits.contains(id)
    }

    /// The first and second selected pods of `id`.
    pub fn picks(&self, engine: &Engine<'_>, id: IdentityId) -> Option<(PodId, Option<PodId>)> {
        match self.cover.get(id)?.as_ref()? {
            Cover::Full => {
                let pods = &engine.identities.list[id].pods;
                Some((*pods.first()?, pods.get(1).copied()))
            }
            Cover::Some(pods) => Some((*pods.first()?, pods.get(1).copied())),
        }
    }

    /// The selected pods of `id`, ascending (none when it is not selected).
    pub fn pods<'a>(&'a self, engine: &'a Engine<'_>, id: IdentityId) -> &'a [PodId] {
        match self.cover.get(id).and_then(Option::as_ref) {
            None => &[],
            Some(Cover::Full) => &engine.identities.list[id].pods,
            Some(Cover::Some(pods)) => pods,
        }
    }

    /// A pod of `id` this selection does not hold, if any.
    pub fn outside(&self, engine: &Engine<'_>, id: IdentityId) -> Option<PodId> {
        let pods = &engine.identities.list[id].pods;
        match self.cover.get(id).and_then(Option::as_ref) {
            None => pods.first().copied(),
            Some(Cover::Full) => None,
            Some(Cover::Some(sel)) => pods.iter().copied().find(|p| sel.binary_search(p).is_err()),
        }
    }
}

/// What `selectors` select, together.
pub(crate) fn select(engine: &Engine<'_>, selectors: &[&EndpointSelector]) -> Selection {
    let n = engine.identities.len();
    let cluster = engine.cluster;
    let members = &engine.identities.members;
    let mut sel = Selection::empty(n);
    let mut picked: HashMap<IdentityId, Vec<PodId>> = HashMap::new();
    for s in selectors {
        match &s.kind {
            SelectorKind::IpBlock(b) => sel.ips = sel.ips.union(&b.addresses),
            SelectorKind::Workload { namespace, name } => {
                let Some(ns) = cluster.namespace_by_name(namespace) else {
                    continue;
                };
                for w in cluster
                    .workloads
                    .iter()
                    .filter(|w| w.namespace == ns && w.name == *name)
                {
                    for &p in &w.pods {
                        let id = engine.identities.of_pod[p.index()];
                        picked.entry(id).or_default().push(p);
                    }
                }
            }
            SelectorKind::Pods {
                namespace,
                namespace_selector,
                pod_selector,
            } => {
                for (i, ns) in cluster.namespaces.iter().enumerate() {
                    if namespace.as_ref().is_some_and(|n| *n != ns.name)
                        || namespace_selector
                            .as_ref()
                            .is_some_and(|s| !s.matches(&ns.labels))
                    {
                        continue;
                    }
                    for &m in &members.by_namespace[i] {
                        let member = &members.list[m];
                        if pod_selector.matches(&cluster.label_sets[member.labels.index()]) {
                            let id = engine.identities.of_member[m];
                            picked.entry(id).or_default().extend(&member.pods);
                        }
                    }
                }
            }
        }
    }
    for (id, mut pods) in picked {
        pods.sort_unstable();
        pods.dedup();
        let cover = if pods.len() >= engine.identities.list[id].pods.len() {
            Cover::Full
        } else {
            Cover::Some(pods)
        };
        sel.cover[id] = Some(cover);
        sel.bits.insert(id);
    }
    sel.list = sel.bits.ones().collect();
    sel
}

/// A concrete address of a set to show: the second of a range when it has
/// more than two (the first is usually a network address), else the first.
pub(crate) fn pick_address(set: &IpSet) -> Option<IpAddr> {
    let r = set.ranges().next()?;
    let addr = match r {
        IpRange::V4(lo, hi) if hi - lo >= 2 => IpRange::V4(lo + 1, lo + 1).first(),
        IpRange::V6(lo, hi) if hi - lo >= 2 => IpRange::V6(lo + 1, lo + 1).first(),
        other => other.first(),
    };
    Some(addr)
}

/// A source and a destination pod of `src` and `dst` that are not the same
/// pod (a pod's traffic to itself is never policed).
pub(crate) fn distinct(
    src: (PodId, Option<PodId>),
    dst: (PodId, Option<PodId>),
) -> Option<(PodId, PodId)> {
    if src.0 != dst.0 {
        return Some((src.0, dst.0));
    }
    if let Some(d) = dst.1 {
        return Some((src.0, d));
    }
    src.1.map(|s| (s, dst.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_a_host_address_and_distinct_pods() {
        let set = IpSet::from_net(&"10.0.1.0/24".parse().unwrap_or_else(|_| unreachable!()));
        assert_eq!(
            pick_address(&set).map(|a| a.to_string()),
            Some("10.0.1.1".into())
        );
        let one = IpSet::single("192.0.2.7".parse().unwrap_or_else(|_| unreachable!()));
        assert_eq!(
            pick_address(&one).map(|a| a.to_string()),
            Some("192.0.2.7".into())
        );
        let (a, b) = (PodId::from_index(0), PodId::from_index(1));
        assert_eq!(distinct((a, None), (a, None)), None);
        assert_eq!(distinct((a, None), (a, Some(b))), Some((a, b)));
        assert_eq!(distinct((a, Some(b)), (a, None)), Some((b, a)));
        assert_eq!(distinct((a, None), (b, None)), Some((a, b)));
    }
}
