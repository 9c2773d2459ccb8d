//! Allowed connections into one identity from a set of others: the
//! engine's column of the destination (see [`crate::rows`]), so that an
//! intent over every namespace of a large cluster costs one column per
//! destination identity, never a list of every allowed pair.

use fixedbitset::FixedBitSet;
use podnet_model::Conns;

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

impl<'e, 'c> Pairs<'e, 'c> {
    pub fn new(engine: &'e Engine<'c>) -> Self {
        Pairs { engine }
    }

    /// The sources among `srcs` with something allowed into `dst`, in
    /// source order, with what is allowed.
    pub fn reaching(&self, dst: IdentityId, srcs: Sources<'_>) -> Vec<(IdentityId, Conns)> {
        let engine = self.engine;
        let mask = match srcs {
            Sources::All => None,
            Sources::Some(bits) => Some(bits),
        };
        engine
            .column(dst, mask)
            .into_iter()
            .map(|(s, c)| (s as usize, engine.conns.get(c).clone()))
            .collect()
    }
}
