//! Sets of identities: a sorted list when few are in the set (a policy's
//! subjects and most peers live in one namespace), one bit per identity
//! when many are, so that a cluster of tens of thousands of identities with
//! tens of thousands of rules stays small.

use fixedbitset::FixedBitSet;

use crate::identity::IdentityId;

/// A set of identities.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ClassSet {
    /// Few members, sorted, without duplicates.
    List(Vec<u32>),
    /// Many members, one bit per identity.
    Bits(FixedBitSet),
}

impl Default for ClassSet {
    fn default() -> Self {
        ClassSet::List(Vec::new())
    }
}

/// Lists are kept while they are smaller than the bits would be.
fn prefers_list(members: usize, universe: usize) -> bool {
    members.saturating_mul(32) < universe
}

fn to_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

impl ClassSet {
    /// The empty set.
    pub fn empty() -> Self {
        ClassSet::default()
    }

    /// Every identity of `universe`.
    pub fn all(universe: usize) -> Self {
        let mut bits = FixedBitSet::with_capacity(universe);
        bits.insert_range(..);
        ClassSet::Bits(bits)
    }

    /// From sorted, distinct members of `0..universe`.
    pub fn from_sorted(list: Vec<u32>, universe: usize) -> Self {
        if prefers_list(list.len(), universe) {
            return ClassSet::List(list);
        }
        let mut bits = FixedBitSet::with_capacity(universe);
        bits.extend(list.iter().map(|&i| i as usize));
        ClassSet::Bits(bits)
    }

    /// From bits, as a list when few are set.
    pub fn from_bits(bits: FixedBitSet) -> Self {
        let members = bits.count_ones(..);
        if prefers_list(members, bits.len()) {
            ClassSet::List(bits.ones().map(to_u32).collect())
        } else {
            ClassSet::Bits(bits)
        }
    }

    /// Whether `i` is in the set.
    pub fn contains(&self, i: IdentityId) -> bool {
        match self {
            ClassSet::List(list) => list.binary_search(&to_u32(i)).is_ok(),
            ClassSet::Bits(bits) => bits.contains(i),
        }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        match self {
            ClassSet::List(list) => list.len(),
            ClassSet::Bits(bits) => bits.count_ones(..),
        }
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        match self {
            ClassSet::List(list) => list.is_empty(),
            ClassSet::Bits(bits) => bits.is_clear(),
        }
    }

    /// The members, ascending.
    pub fn ones(&self) -> Box<dyn Iterator<Item = IdentityId> + '_> {
        match self {
            ClassSet::List(list) => Box::new(list.iter().map(|&i| i as usize)),
            ClassSet::Bits(bits) => Box::new(bits.ones()),
        }
    }

    /// Adds the members to `acc` (sized for the universe).
    pub fn add_to(&self, acc: &mut FixedBitSet) {
        match self {
            ClassSet::List(list) => acc.extend(list.iter().map(|&i| i as usize)),
            ClassSet::Bits(bits) => acc.union_with(bits),
        }
    }

    /// Calls `f` for each member also in `mask`, ascending.
    pub fn for_each_in(&self, mask: &FixedBitSet, mut f: impl FnMut(IdentityId)) {
        match self {
            ClassSet::List(list) => list
                .iter()
                .map(|&i| i as usize)
                .filter(|&i| mask.contains(i))
                .for_each(f),
            ClassSet::Bits(bits) => {
                for (w, (&a, &b)) in bits.as_slice().iter().zip(mask.as_slice()).enumerate() {
                    let mut word = a & b;
                    while word != 0 {
                        let bit = word.trailing_zeros() as usize;
                        f(w * usize::BITS as usize + bit);
                        word &= word - 1;
                    }
                }
            }
        }
    }
}

/// Calls `f` for each index set in both `a` and `b`, ascending.
pub fn for_each_common(a: &FixedBitSet, b: &FixedBitSet, mut f: impl FnMut(usize)) {
    for (w, (&x, &y)) in a.as_slice().iter().zip(b.as_slice()).enumerate() {
        let mut word = x & y;
        while word != 0 {
            let bit = word.trailing_zeros() as usize;
            f(w * usize::BITS as usize + bit);
            word &= word - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn both_forms_hold_the_same_members(
            members in prop::collection::btree_set(0..300usize, 0..200),
            mask in prop::collection::btree_set(0..300usize, 0..200),
        ) {
            let universe = 300;
            let list: Vec<u32> = members.iter().map(|&i| to_u32(i)).collect();
            let set = ClassSet::from_sorted(list, universe);
            let mut bits = FixedBitSet::with_capacity(universe);
            bits.extend(members.iter().copied());
            let again = ClassSet::from_bits(bits.clone());
            prop_assert_eq!(set.ones().collect::<Vec<_>>(), members.iter().copied().collect::<Vec<_>>());
            prop_assert_eq!(again.ones().collect::<Vec<_>>(), members.iter().copied().collect::<Vec<_>>());
            prop_assert_eq!(set.len(), members.len());
            for i in 0..universe {
                prop_assert_eq!(set.contains(i), members.contains(&i));
            }
            let mut m = FixedBitSet::with_capacity(universe);
            m.extend(mask.iter().copied());
            let mut seen = Vec::new();
            set.for_each_in(&m, |i| seen.push(i));
            let want: Vec<usize> = members.intersection(&mask).copied().collect();
            prop_assert_eq!(&seen, &want);
            let mut common = Vec::new();
            for_each_common(&bits, &m, |i| common.push(i));
            prop_assert_eq!(&common, &want);
            let mut acc = FixedBitSet::with_capacity(universe);
            set.add_to(&mut acc);
            prop_assert_eq!(acc, bits);
        }
    }
}
