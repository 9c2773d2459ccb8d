//! Address atoms: the address space cut at every ipBlock boundary, so that
//! each atom is either wholly inside or wholly outside every `cidr` and
//! `except`. Connectivity to and from outside the cluster is computed per
//! atom, and pods are told apart by the atoms their IPs fall in.

use std::net::IpAddr;

use fixedbitset::FixedBitSet;
use podnet_model::{IpRange, IpSet};

/// Index of an atom: IPv4 atoms first, then IPv6.
pub type AtomId = usize;

/// The partition of all addresses into atoms.
#[derive(Clone, Debug)]
pub struct AddressAtoms {
    v4_starts: Vec<u32>,
    v6_starts: Vec<u128>,
}

impl AddressAtoms {
    /// Cuts the address space at the edges of every set.
    pub fn new<'a>(sets: impl IntoIterator<Item = &'a IpSet>) -> Self {
        let mut v4 = vec![0u32];
        let mut v6 = vec![0u128];
        for set in sets {
            for &(lo, hi) in set.v4().ranges() {
                v4.push(lo);
                v4.extend(hi.checked_add(1));
            }
            for &(lo, hi) in set.v6().ranges() {
                v6.push(lo);
                v6.extend(hi.checked_add(1));
            }
        }
        v4.sort_unstable();
        v4.dedup();
        v6.sort_unstable();
        v6.dedup();
        AddressAtoms {
            v4_starts: v4,
            v6_starts: v6,
        }
    }

    /// Number of atoms.
    pub fn len(&self) -> usize {
        self.v4_starts.len() + self.v6_starts.len()
    }

    /// Whether there are no atoms (never: the whole space is at least two).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The atom holding `addr`.
    pub fn atom_of(&self, addr: IpAddr) -> AtomId {
        match addr {
            IpAddr::V4(a) => self.v4_starts.partition_point(|&s| s <= u32::from(a)) - 1,
            IpAddr::V6(a) => {
                self.v4_starts.len() + self.v6_starts.partition_point(|&s| s <= u128::from(a)) - 1
            }
        }
    }

    /// The addresses of an atom.
    pub fn range(&self, atom: AtomId) -> IpRange {
        let n4 = self.v4_starts.len();
        if atom < n4 {
            let hi = self.v4_starts.get(atom + 1).map_or(u32::MAX, |n| n - 1);
            IpRange::V4(self.v4_starts[atom], hi)
        } else {
            let i = atom - n4;
            let hi = self.v6_starts.get(i + 1).map_or(u128::MAX, |n| n - 1);
            IpRange::V6(self.v6_starts[i], hi)
        }
    }

    /// The atoms making up `set` (which must be a union of atoms, as every
    /// set given to [`AddressAtoms::new`] is).
    pub fn atoms_of(&self, set: &IpSet) -> FixedBitSet {
        let mut bits = FixedBitSet::with_capacity(self.len());
        self.add_atoms_of(set, &mut bits);
        bits
    }

    /// Adds the atoms of `set` to `bits` (sized for every atom).
    pub fn add_atoms_of(&self, set: &IpSet, bits: &mut FixedBitSet) {
        for span in self.spans(set) {
            bits.insert_range(span);
        }
    }

    /// The atoms of `set` as runs of consecutive atoms, ascending.
    pub fn spans<'s>(
        &'s self,
        set: &'s IpSet,
    ) -> impl Iterator<Item = std::ops::Range<AtomId>> + 's {
        let n4 = self.v4_starts.len();
        let v4 = set.v4().ranges().iter().map(|&(lo, hi)| {
            let first = self.v4_starts.partition_point(|&s| s < lo);
            let end = self.v4_starts.partition_point(|&s| s <= hi);
            first..end
        });
        let v6 = set.v6().ranges().iter().map(move |&(lo, hi)| {
            let first = self.v6_starts.partition_point(|&s| s < lo);
            let end = self.v6_starts.partition_point(|&s| s <= hi);
            n4 + first..n4 + end
        });
        v4.chain(v6)
    }

    /// Every atom.
    pub fn all(&self) -> FixedBitSet {
        let mut bits = FixedBitSet::with_capacity(self.len());
        bits.insert_range(..);
        bits
    }

    /// The partition of all atoms that `sets` cut: atoms in the same
    /// class belong to exactly the same sets.
    pub fn classes<'s>(&self, sets: impl IntoIterator<Item = &'s FixedBitSet>) -> Vec<FixedBitSet> {
        let mut classes = vec![self.all()];
        for set in sets {
            let mut next = Vec::with_capacity(classes.len() + 1);
            for class in classes {
                let mut inside = class.clone();
                inside.intersect_with(set);
                let mut outside = class;
                outside.difference_with(set);
                for part in [inside, outside] {
                    if !part.is_clear() {
                        next.push(part);
                    }
                }
            }
            classes = next;
        }
        classes
    }

    /// The addresses of a set of atoms (ascending), merged into maximal
    /// ranges.
    pub fn to_ipset(&self, atoms: impl IntoIterator<Item = AtomId>) -> IpSet {
        let mut ranges: Vec<IpRange> = Vec::new();
        let mut run: Option<(AtomId, AtomId)> = None;
        let n4 = self.v4_starts.len();
        let span = |run: (AtomId, AtomId)| {
            let first = self.range(run.0);
            let last = self.range(run.1);
            match (first, last) {
                (IpRange::V4(lo, _), IpRange::V4(_, hi)) => IpRange::V4(lo, hi),
                (IpRange::V6(lo, _), IpRange::V6(_, hi)) => IpRange::V6(lo, hi),
                _ => first,
            }
        };
        for a in atoms {
            run = match run {
                Some((lo, hi)) if hi + 1 == a && (a != n4) => Some((lo, a)),
                Some(r) => {
                    ranges.push(span(r));
                    Some((a, a))
                }
                None => Some((a, a)),
            };
        }
        if let Some(r) = run {
            ranges.push(span(r));
        }
        IpSet::from_ranges(ranges)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(s: &str) -> IpSet {
        IpSet::from_net(&s.parse().unwrap())
    }

    #[test]
    fn atoms_split_at_block_edges() {
        let blocks = [set("10.0.0.0/8"), set("10.1.0.0/16"), set("2001:db8::/32")];
        let atoms = AddressAtoms::new(&blocks);
        // v4: [0, 10.0.0.0), [10.0.0.0, 10.1.0.0), [10.1.0.0, 10.2.0.0), [10.2.0.0, 11.0.0.0), [11.0.0.0, max]
        assert_eq!(atoms.len(), 5 + 3);
        let a = atoms.atom_of("10.1.2.3".parse().unwrap());
        assert_eq!(atoms.range(a).to_string(), "10.1.0.0/16");
        let in8 = atoms.atoms_of(&blocks[0]);
        assert_eq!(in8.count_ones(..), 3);
        assert_eq!(atoms.to_ipset(in8.ones()).to_string(), "10.0.0.0/8");
        assert_eq!(atoms.to_ipset(atoms.all().ones()), IpSet::full());
    }

    #[test]
    fn v4_and_v6_runs_are_not_merged() {
        let atoms = AddressAtoms::new(std::iter::empty());
        assert_eq!(atoms.len(), 2);
        assert_eq!(atoms.to_ipset([0, 1]).to_string(), "0.0.0.0/0, ::/0");
    }
}
