//! Allowed connections into one identity from a set of others, computed
//! directly (the engine's pair check per source) when an intent covers few
//! pairs, or read from every allowed identity pair, computed once for all
//! intents, when it covers many: an intent over every namespace of a large
//! cluster costs one full connectivity run, not identities².

use std::sync::OnceLock;

use fixedbitset::FixedBitSet;
use podnet_model::Conns;

use crate::identity::IdentityId;
use crate::matrix::{Engine, IdentityPair};

/// Above this many candidate pairs an intent reads the shared index.
pub(crate) const DIRECT_LIMIT: usize = 1 << 20;

/// The sources to look at.
#[derive(Clone, Copy)]
pub(crate) enum Sources<'a> {
    /// Every identity.
    All,
    /// These identities (sorted list and the same as bits).
    Some(&'a [IdentityId], &'a FixedBitSet),
}

impl Sources<'_> {
    fn len(&self, n: usize) -> usize {
        match self {
            Sources::All => n,
            Sources::Some(list, _) => list.len(),
        }
    }
}

/// Every allowed identity pair, by destination.
struct Index {
    pairs: Vec<IdentityPair>,
    /// `pairs[starts[d]..starts[d + 1]]` are the pairs into `d`, by source.
    starts: Vec<usize>,
}

/// Connection lookups shared by the intents of one run.
pub(crate) struct Pairs<'e, 'c> {
    engine: &'e Engine<'c>,
    index: OnceLock<Index>,
}

impl<'e, 'c> Pairs<'e, 'c> {
    pub fn new(engine: &'e Engine<'c>) -> Self {
        Pairs {
            engine,
            index: OnceLock::new(),
        }
    }

    /// Whether an intent over `dsts` x `srcs` should use the shared index.
    pub fn use_index(&self, dsts: usize, srcs: Sources<'_>) -> bool {
        dsts.saturating_mul(srcs.len(self.engine.identities.len())) > DIRECT_LIMIT
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let mut pairs = self.engine.identity_pairs();
            pairs.sort_unstable_by_key(|p| (p.dst, p.src));
            let n = self.engine.identities.len();
            let mut starts = Vec::with_capacity(n + 1);
            let mut i = 0;
            for d in 0..=n {
                while i < pairs.len() && pairs[i].dst < d {
                    i += 1;
                }
                starts.push(i);
            }
            Index { pairs, starts }
        })
    }

    /// The sources among `srcs` with something allowed into `dst`, in
    /// source order, with what is allowed.
    pub fn reaching(
        &self,
        dst: IdentityId,
        srcs: Sources<'_>,
        indexed: bool,
    ) -> Vec<(IdentityId, Conns)> {
        if indexed {
            let index = self.index();
            let slice = &index.pairs[index.starts[dst]..index.starts[dst + 1]];
            return slice
                .iter()
                .filter(|p| match srcs {
                    Sources::All => true,
                    Sources::Some(_, bits) => bits.contains(p.src),
                })
                .map(|p| (p.src, p.conns.clone()))
                .collect();
        }
        let engine = self.engine;
        let resolved = engine.resolved_ingress(dst);
        let mut out = Vec::new();
        let mut visit = |src: IdentityId| {
            let conns = engine.pair_resolved(src, dst, &resolved);
            if !conns.is_empty() {
                out.push((src, conns));
            }
        };
        match srcs {
            Sources::All => (0..engine.identities.len()).for_each(&mut visit),
            Sources::Some(list, _) => list.iter().copied().for_each(&mut visit),
        }
        out
    }
}
