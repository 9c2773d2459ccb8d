//! Sets of integers stored as sorted, disjoint, non-adjacent inclusive ranges.
//!
//! One implementation serves port sets (`u16`) and IPv4/IPv6 address sets
//! (`u32`/`u128`); the set algebra is property-tested against a naive model.

use std::fmt::Debug;

/// An integer type a [`RangeSet`] can hold.
pub trait Bound: Copy + Ord + Debug {
    /// The smallest value.
    const MIN: Self;
    /// The largest value.
    const MAX: Self;
    /// `self + 1`, or `None` at `MAX`.
    fn succ(self) -> Option<Self>;
    /// `self - 1`, or `None` at `MIN`.
    fn pred(self) -> Option<Self>;
}

macro_rules! bound {
    ($($t:ty),*) => {$(
        impl Bound for $t {
            const MIN: Self = <$t>::MIN;
            const MAX: Self = <$t>::MAX;
            fn succ(self) -> Option<Self> {
                self.checked_add(1)
            }
            fn pred(self) -> Option<Self> {
                self.checked_sub(1)
            }
        }
    )*};
}
bound!(u8, u16, u32, u128);

/// A set of `T` as sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RangeSet<T> {
    ranges: Vec<(T, T)>,
}

impl<T> Default for RangeSet<T> {
    fn default() -> Self {
        RangeSet { ranges: Vec::new() }
    }
}

impl<T: Bound> RangeSet<T> {
    /// The empty set.
    pub fn empty() -> Self {
        RangeSet { ranges: Vec::new() }
    }

    /// Every value of `T`.
    pub fn full() -> Self {
        RangeSet {
            ranges: vec![(T::MIN, T::MAX)],
        }
    }

    /// `lo..=hi`; empty when `lo > hi`.
    pub fn range(lo: T, hi: T) -> Self {
        if lo > hi {
            Self::empty()
        } else {
            RangeSet {
                ranges: vec![(lo, hi)],
            }
        }
    }

    /// The union of arbitrary (possibly overlapping or reversed-empty) ranges.
    pub fn from_ranges(iter: impl IntoIterator<Item = (T, T)>) -> Self {
        let mut v: Vec<(T, T)> = iter.into_iter().filter(|(lo, hi)| lo <= hi).collect();
        v.sort();
        let mut out: Vec<(T, T)> = Vec::with_capacity(v.len());
        for (lo, hi) in v {
            Self::push_merged(&mut out, lo, hi);
        }
        RangeSet { ranges: out }
    }

    /// Appends `lo..=hi` (which must not start before the last range) merging
    /// overlap and adjacency.
    fn push_merged(out: &mut Vec<(T, T)>, lo: T, hi: T) {
        if let Some(last) = out.last_mut() {
            let touches = match last.1.succ() {
                Some(next) => lo <= next,
                None => true,
            };
            if touches {
                if hi > last.1 {
                    last.1 = hi;
                }
                return;
            }
        }
        out.push((lo, hi));
    }

    /// The ranges, sorted and disjoint.
    pub fn ranges(&self) -> &[(T, T)] {
        &self.ranges
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Whether the set holds every value of `T`.
    pub fn is_full(&self) -> bool {
        self.ranges.len() == 1 && self.ranges[0] == (T::MIN, T::MAX)
    }

    /// Whether `v` is in the set.
    pub fn contains(&self, v: T) -> bool {
        let i = self.ranges.partition_point(|&(_, hi)| hi < v);
        self.ranges.get(i).is_some_and(|&(lo, _)| lo <= v)
    }

    /// Whether every value of `lo..=hi` is in the set.
    pub fn contains_range(&self, lo: T, hi: T) -> bool {
        let i = self.ranges.partition_point(|&(_, h)| h < lo);
        self.ranges.get(i).is_some_and(|&(l, h)| l <= lo && hi <= h)
    }

    /// `self ∪ other`.
    pub fn union(&self, other: &Self) -> Self {
        let mut out = Vec::with_capacity(self.ranges.len() + other.ranges.len());
        let (mut i, mut j) = (0, 0);
        while i < self.ranges.len() || j < other.ranges.len() {
            let take_self = match (self.ranges.get(i), other.ranges.get(j)) {
                (Some(a), Some(b)) => a <= b,
                (Some(_), None) => true,
                _ => false,
            };
            let (lo, hi) = if take_self {
                i += 1;
                self.ranges[i - 1]
            } else {
                j += 1;
                other.ranges[j - 1]
            };
            Self::push_merged(&mut out, lo, hi);
        }
        RangeSet { ranges: out }
    }

    /// `self ∩ other`.
    pub fn intersection(&self, other: &Self) -> Self {
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < self.ranges.len() && j < other.ranges.len() {
            let (a_lo, a_hi) = self.ranges[i];
            let (b_lo, b_hi) = other.ranges[j];
            let lo = a_lo.max(b_lo);
            let hi = a_hi.min(b_hi);
            if lo <= hi {
                out.push((lo, hi));
            }
            if a_hi < b_hi {
                i += 1;
            } else {
                j += 1;
            }
        }
        RangeSet { ranges: out }
    }

    /// Every value of `T` not in `self`.
    pub fn complement(&self) -> Self {
        let mut out = Vec::with_capacity(self.ranges.len() + 1);
        let mut next = Some(T::MIN);
        for &(lo, hi) in &self.ranges {
            if let Some(start) = next
                && let Some(end) = lo.pred()
                && start <= end
            {
                out.push((start, end));
            }
            next = hi.succ();
        }
        if let Some(start) = next {
            out.push((start, T::MAX));
        }
        RangeSet { ranges: out }
    }

    /// `self \ other`.
    pub fn difference(&self, other: &Self) -> Self {
        if other.is_empty() || self.is_empty() {
            return self.clone();
        }
        self.intersection(&other.complement())
    }

    /// Whether every value of `self` is in `other`.
    pub fn is_subset(&self, other: &Self) -> bool {
        self.ranges
            .iter()
            .all(|&(lo, hi)| other.contains_range(lo, hi))
    }

    /// Whether the two sets share a value.
    pub fn intersects(&self, other: &Self) -> bool {
        let (mut i, mut j) = (0, 0);
        while i < self.ranges.len() && j < other.ranges.len() {
            let (a_lo, a_hi) = self.ranges[i];
            let (b_lo, b_hi) = other.ranges[j];
            if a_lo.max(b_lo) <= a_hi.min(b_hi) {
                return true;
            }
            if a_hi < b_hi {
                i += 1;
            } else {
                j += 1;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn model(s: &RangeSet<u8>) -> BTreeSet<u8> {
        s.ranges().iter().flat_map(|&(lo, hi)| lo..=hi).collect()
    }

    fn arb_set() -> impl Strategy<Value = RangeSet<u8>> {
        prop::collection::vec((any::<u8>(), any::<u8>()), 0..6).prop_map(RangeSet::from_ranges)
    }

    fn is_normal(s: &RangeSet<u8>) -> bool {
        s.ranges().windows(2).all(|w| {
            let (_, a_hi) = w[0];
            let (b_lo, _) = w[1];
            a_hi.succ().is_some_and(|n| n < b_lo)
        }) && s.ranges().iter().all(|(lo, hi)| lo <= hi)
    }

    proptest! {
        #[test]
        fn union_matches_model(a in arb_set(), b in arb_set()) {
            let u = a.union(&b);
            prop_assert!(is_normal(&u));
            let want: BTreeSet<u8> = model(&a).union(&model(&b)).copied().collect();
            prop_assert_eq!(model(&u), want);
        }

        #[test]
        fn intersection_matches_model(a in arb_set(), b in arb_set()) {
            let i = a.intersection(&b);
            prop_assert!(is_normal(&i));
            let want: BTreeSet<u8> = model(&a).intersection(&model(&b)).copied().collect();
            prop_assert_eq!(model(&i), want);
            prop_assert_eq!(a.intersects(&b), !i.is_empty());
        }

        #[test]
        fn difference_and_complement_match_model(a in arb_set(), b in arb_set()) {
            let d = a.difference(&b);
            prop_assert!(is_normal(&d));
            let want: BTreeSet<u8> = model(&a).difference(&model(&b)).copied().collect();
            prop_assert_eq!(model(&d), want);
            let c = a.complement();
            prop_assert!(is_normal(&c));
            prop_assert_eq!(model(&c).len() + model(&a).len(), 256);
            prop_assert_eq!(c.complement(), a.clone());
        }

        #[test]
        fn contains_and_subset_match_model(a in arb_set(), b in arb_set(), v in any::<u8>()) {
            prop_assert_eq!(a.contains(v), model(&a).contains(&v));
            prop_assert_eq!(a.is_subset(&b), model(&a).is_subset(&model(&b)));
        }
    }

    #[test]
    fn full_and_empty() {
        assert!(RangeSet::<u16>::full().is_full());
        assert!(RangeSet::<u16>::full().complement().is_empty());
        assert!(RangeSet::<u16>::range(5, 4).is_empty());
        assert!(RangeSet::<u128>::full().contains(u128::MAX));
    }
}
