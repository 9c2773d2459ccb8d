//! Allowed connections into one identity from a set of others: the
//! engine's column of the destination (see [`crate::rows`]), so that an
//! intent over every namespace of a large cluster costs one column per
//! destination identity, never a list of every allowed pair.

use fixedbitset::FixedBitSet;
use podnet_model::{Conns, PodId};

use crate::identity::IdentityId;
use crate::matrix::Engine;

/// The sources to look at.
#[derive(Clone, Copy)]
pub(crate) enum Sources<'a> {
    /// Every identity.
    All,
    /// These identities.
    Some(&'a FixedBitSet),
}

/// Connection lookups shared by the intents of one run.
pub(crate) struct Pairs<'e, 'c> {
    engine: &'e Engine<'c>,
}

/// What one source identity may open into some pods of a destination
/// identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Reach {
    /// The source identity.
    pub src: IdentityId,
    /// What the policies allow (into every pod of the destination).
    pub policy: Conns,
    /// A pod of the destination on `src`'s node when `src` is a
    /// host-network identity there: everything from `src` enters it
    /// ([`crate::semantics::from_own_node`]).
    pub own_node: Option<PodId>,
}

impl Reach {
    /// What some pod of `src` may open into some of the pods: everything
    /// when one of them is on `src`'s node.
    pub fn some_pair(&self) -> Conns {
        if self.own_node.is_some() {
            Conns::all()
        } else {
            self.policy.clone()
        }
    }
}

impl<'e, 'c> Pairs<'e, 'c> {
    pub fn new(engine: &'e Engine<'c>) -> Self {
        Pairs { engine }
    }

    /// The sources among `srcs` with something allowed into some of
    /// `dst_pods` (pods of identity `dst`), in source order.
    pub fn reaching(&self, dst: IdentityId, dst_pods: &[PodId], srcs: Sources<'_>) -> Vec<Reach> {
        let engine = self.engine;
        let mask = match srcs {
            Sources::All => None,
            Sources::Some(bits) => Some(bits),
        };
        let mut out: Vec<Reach> = engine
            .column(dst, mask)
            .into_iter()
            .map(|(s, c)| Reach {
                src: s as usize,
                policy: engine.conns.get(c).clone(),
                own_node: None,
            })
            .collect();
        // Host-network sources on the nodes of the pods.
        let mut added = Vec::new();
        for &pod in dst_pods {
            for &s in engine.identities.own_node_sources(pod) {
                if mask.is_some_and(|m| !m.contains(s)) {
                    continue;
                }
                match out.binary_search_by_key(&s, |r| r.src) {
                    Ok(at) => {
                        out[at].own_node.get_or_insert(pod);
                    }
                    Err(_) => added.push(Reach {
                        src: s,
                        policy: Conns::none(),
                        own_node: Some(pod),
                    }),
                }
            }
        }
        if !added.is_empty() {
            added.sort_by_key(|r| r.src);
            added.dedup_by_key(|r| r.src);
            out.extend(added);
            out.sort_by_key(|r| r.src);
        }
        out
    }

    /// A pod of `dst_pods` off the node of host-network identity `src`
    /// (the first pod for any other source): one that gets only what the
    /// policies allow.
    pub fn off_node(&self, src: IdentityId, dst_pods: &[PodId]) -> Option<PodId> {
        let ids = &self.engine.identities;
        dst_pods
            .iter()
            .copied()
            .find(|&p| !ids.from_own_node(src, p))
    }
}
