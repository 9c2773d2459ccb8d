//! Interned connection sets: a cluster's flows allow only a handful of
//! distinct [`Conns`] values, so rows hold small ids, and unions and
//! intersections of ids are computed once and remembered per thread.

use std::sync::Mutex;

use podnet_model::Conns;
use rustc_hash::FxHashMap;

/// Index of an interned [`Conns`] in a [`ConnsTable`].
pub type ConnsId = u32;

/// Every distinct connection set seen, each stored once.
#[derive(Debug)]
pub struct ConnsTable {
    values: boxcar::Vec<Conns>,
    index: Mutex<FxHashMap<Conns, ConnsId>>,
}

impl Default for ConnsTable {
    fn default() -> Self {
        Self::new()
    }
}

impl ConnsTable {
    /// Nothing allowed.
    pub const NONE: ConnsId = 0;
    /// Everything allowed.
    pub const ALL: ConnsId = 1;

    /// A table holding [`ConnsTable::NONE`] and [`ConnsTable::ALL`].
    pub fn new() -> Self {
        let table = ConnsTable {
            values: boxcar::Vec::new(),
            index: Mutex::new(FxHashMap::default()),
        };
        table.intern(Conns::none());
        table.intern(Conns::all());
        table
    }

    /// The id of `conns`, adding it when new.
    pub fn intern(&self, conns: Conns) -> ConnsId {
        let mut index = self
            .index
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(&id) = index.get(&conns) {
            return id;
        }
        // Pushing under the lock keeps ids dense and in insertion order.
        let id = u32::try_from(self.values.push(conns.clone())).unwrap_or(u32::MAX);
        index.insert(conns, id);
        id
    }

    /// The connections of `id` (an id of this table).
    pub fn get(&self, id: ConnsId) -> &Conns {
        static NONE: std::sync::OnceLock<Conns> = std::sync::OnceLock::new();
        self.values
            .get(id as usize)
            .unwrap_or_else(|| NONE.get_or_init(Conns::none))
    }

    /// Number of distinct values.
    pub fn len(&self) -> usize {
        self.values.count()
    }

    /// Whether the table is empty (never: it holds none and all).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Set operations on ids of one table, remembered: one per thread.
#[derive(Debug, Default)]
pub struct ConnsOps {
    unions: FxHashMap<(ConnsId, ConnsId), ConnsId>,
    intersections: FxHashMap<(ConnsId, ConnsId), ConnsId>,
}

impl ConnsOps {
    /// No operation remembered yet.
    pub fn new() -> Self {
        ConnsOps::default()
    }

    /// `a ∪ b`.
    pub fn union(&mut self, table: &ConnsTable, a: ConnsId, b: ConnsId) -> ConnsId {
        if a == b || b == ConnsTable::NONE || a == ConnsTable::ALL {
            return a;
        }
        if a == ConnsTable::NONE || b == ConnsTable::ALL {
            return b;
        }
        let key = (a.min(b), a.max(b));
        if let Some(&id) = self.unions.get(&key) {
            return id;
        }
        let id = table.intern(table.get(a).union(table.get(b)));
        self.unions.insert(key, id);
        id
    }

    /// `a ∩ b`.
    pub fn intersection(&mut self, table: &ConnsTable, a: ConnsId, b: ConnsId) -> ConnsId {
        if a == b || b == ConnsTable::ALL || a == ConnsTable::NONE {
            return a;
        }
        if a == ConnsTable::ALL || b == ConnsTable::NONE {
            return b;
        }
        let key = (a.min(b), a.max(b));
        if let Some(&id) = self.intersections.get(&key) {
            return id;
        }
        let id = table.intern(table.get(a).intersection(table.get(b)));
        self.intersections.insert(key, id);
        id
    }
}

#[cfg(test)]
mod tests {
    use podnet_model::{PortSet, Protocol};

    use super::*;

    #[test]
    fn ids_are_shared_and_operations_agree_with_conns() {
        let table = ConnsTable::new();
        let mut ops = ConnsOps::new();
        let web = table.intern(Conns::ports_of(Protocol::Tcp, PortSet::single(80)));
        let dns = table.intern(Conns::ports_of(Protocol::Udp, PortSet::single(53)));
        assert_eq!(
            web,
            table.intern(Conns::ports_of(Protocol::Tcp, PortSet::single(80)))
        );
        let both = ops.union(&table, web, dns);
        assert_eq!(table.get(both), &table.get(web).union(table.get(dns)));
        assert_eq!(ops.intersection(&table, both, web), web);
        assert_eq!(ops.intersection(&table, web, dns), ConnsTable::NONE);
        assert_eq!(ops.union(&table, web, ConnsTable::ALL), ConnsTable::ALL);
        assert_eq!(ops.intersection(&table, ConnsTable::ALL, dns), dns);
        assert!(table.get(ConnsTable::ALL).is_all());
        assert!(table.get(ConnsTable::NONE).is_empty());
    }
}
