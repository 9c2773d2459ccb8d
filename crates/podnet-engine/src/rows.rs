//! Rows: what one source identity may open to every destination identity
//! (or to the identities of a mask), computed with bitsets over identities
//! and interned connection sets rather than pair by pair.
//!
//! For a source `s` and a destination `d` under NetworkPolicy alone:
//!
//! * ingress(d ← s) is everything when `d` is not isolated, else the union
//!   of the ports (resolved on `d`) of `d`'s rules whose peers hold `s`;
//! * egress(s → d) likewise with `s`'s egress rules whose peers hold `d`;
//! * the row entry is ingress ∩ egress.
//!
//! The rules whose peers hold `s` are found through a transposed index
//! (identities → groups of ingress rules with equal peers), and each such
//! rule paints its policy's subjects. Flows where an admin or baseline tier
//! applies to either end take the pair-by-pair path
//! ([`Engine::pair`]), which walks the tiers. Both paths agree with the
//! readable spec (property-tested in `tests/fast_equals_spec.rs`).

use std::collections::HashMap;
use std::sync::OnceLock;

use fixedbitset::FixedBitSet;
use podnet_model::Conns;
use rustc_hash::FxHashMap;

use crate::classset::ClassSet;
use crate::conns_table::{ConnsId, ConnsOps, ConnsTable};
use crate::identity::IdentityId;
use crate::matrix::Engine;

/// What rows need beyond the compiled rules; built once per engine.
pub(crate) struct RowIndex {
    /// Per NetworkPolicy rule: its fixed ports, interned.
    fixed: Vec<ConnsId>,
    /// Per rule: whether it names ports (resolved per destination).
    named: Vec<bool>,
    /// Per identity: what its ingress allows from any source (everything
    /// when not isolated; else the ports of its rules without peers).
    base_in: Vec<ConnsId>,
    /// The identities whose `base_in` is not empty.
    base_in_set: FixedBitSet,
    /// Ingress rules with peers, grouped by equal peer sets.
    groups: Vec<Vec<u32>>,
    /// Per identity: the groups whose peers hold it.
    admits: Vec<Vec<u32>>,
    /// Egress rules with peers, grouped by equal peer sets.
    egroups: Vec<Vec<u32>>,
    /// Per identity: the egress groups whose peers hold it.
    emits: Vec<Vec<u32>>,
    /// Per identity: its egress rules without peers.
    any_out: Vec<Vec<u32>>,
    /// The identities whose egress may reach anything (not isolated, or
    /// a rule without peers).
    base_out_set: FixedBitSet,
    /// Identities the tiers apply to, for ingress.
    tiers_in: FixedBitSet,
    /// Identities the tiers apply to, for egress.
    tiers_out: FixedBitSet,
    /// Identities whose ingress tiers may allow beyond NetworkPolicy.
    tier_in_candidates: FixedBitSet,
    /// Identities whose egress tiers may allow beyond NetworkPolicy.
    tier_out_candidates: FixedBitSet,
    /// Per identity: its ingress rules resolved on it (for the tiers' path).
    resolved_in: Vec<OnceLock<Vec<(usize, Conns)>>>,
}

/// Per-thread working space.
pub(crate) struct Scratch {
    ing: Vec<ConnsId>,
    eg: Vec<ConnsId>,
    cand: FixedBitSet,
    reach_in: FixedBitSet,
    /// Set operations on the engine's table.
    pub(crate) ops: ConnsOps,
    /// Named ports resolved: (rule, port table) to connections.
    named: FxHashMap<(u32, u32), ConnsId>,
}

impl Scratch {
    fn new(n: usize) -> Self {
        Scratch {
            ing: vec![ConnsTable::NONE; n],
            eg: vec![ConnsTable::NONE; n],
            cand: FixedBitSet::with_capacity(n),
            reach_in: FixedBitSet::with_capacity(n),
            ops: ConnsOps::new(),
            named: FxHashMap::default(),
        }
    }
}

fn to_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

impl RowIndex {
    pub(crate) fn new(engine: &Engine<'_>) -> Self {
        let compiled = &engine.compiled;
        let table = &engine.conns;
        let n = engine.identities.len();
        let fixed: Vec<ConnsId> = compiled
            .rules
            .iter()
            .map(|r| table.intern(r.ports.fixed.clone()))
            .collect();
        let named: Vec<bool> = compiled
            .rules
            .iter()
            .map(|r| !r.ports.named.is_empty())
            .collect();
        let mut ops = ConnsOps::new();
        let mut base_in = vec![ConnsTable::ALL; n];
        let mut base_in_set = FixedBitSet::with_capacity(n);
        for (d, base) in base_in.iter_mut().enumerate() {
            if compiled.ingress.isolated[d] {
                *base = ConnsTable::NONE;
                for &r in &compiled.ingress.rules[d] {
                    let rule = &compiled.rules[r];
                    if rule.peers.any {
                        let ports = table.intern(rule.ports.on_pod(engine.dst_ports(d)));
                        *base = ops.union(table, *base, ports);
                    }
                }
            }
            if *base != ConnsTable::NONE {
                base_in_set.insert(d);
            }
        }
        let (groups, admits) = transpose(engine, podnet_model::Direction::Ingress);
        let (egroups, emits) = transpose(engine, podnet_model::Direction::Egress);
        let mut any_out: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut base_out_set = FixedBitSet::with_capacity(n);
        for (s, any) in any_out.iter_mut().enumerate() {
            any.extend(
                compiled.egress.rules[s]
                    .iter()
                    .filter(|&&r| compiled.rules[r].peers.any)
                    .map(|&r| to_u32(r)),
            );
            if !compiled.egress.isolated[s] || !any.is_empty() {
                base_out_set.insert(s);
            }
        }
        let admin = &compiled.admin;
        let mut tiers_in = FixedBitSet::with_capacity(n);
        let mut tiers_out = FixedBitSet::with_capacity(n);
        let mut tier_in_candidates = FixedBitSet::with_capacity(n);
        let mut tier_out_candidates = FixedBitSet::with_capacity(n);
        for i in 0..n {
            if admin.ingress.applies(i) {
                tiers_in.insert(i);
                if admin
                    .ingress
                    .allow_reach
                    .get(i)
                    .is_some_and(Option::is_some)
                {
                    tier_in_candidates.insert(i);
                }
            }
            if admin.egress.applies(i) {
                tiers_out.insert(i);
                if admin.egress.allow_reach.get(i).is_some_and(Option::is_some) {
                    tier_out_candidates.insert(i);
                }
            }
        }
        RowIndex {
            fixed,
            named,
            base_in,
            base_in_set,
            groups,
            admits,
            egroups,
            emits,
            any_out,
            base_out_set,
            tiers_in,
            tiers_out,
            tier_in_candidates,
            tier_out_candidates,
            resolved_in: (0..n).map(|_| OnceLock::new()).collect(),
        }
    }
}

/// Rules of `dir` with peers, grouped by equal peer sets, and per identity
/// the groups whose peers hold it.
fn transpose(engine: &Engine<'_>, dir: podnet_model::Direction) -> (Vec<Vec<u32>>, Vec<Vec<u32>>) {
    let compiled = &engine.compiled;
    let mut group_of: HashMap<&ClassSet, usize> = HashMap::new();
    let mut groups: Vec<Vec<u32>> = Vec::new();
    for (r, rule) in compiled.rules.iter().enumerate() {
        if rule.direction != dir || rule.peers.any {
            continue;
        }
        let g = *group_of.entry(&rule.peers.identities).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(to_u32(r));
    }
    let mut holders: Vec<Vec<u32>> = vec![Vec::new(); engine.identities.len()];
    for (set, &g) in &group_of {
        for i in set.ones() {
            holders[i].push(to_u32(g));
        }
    }
    for h in &mut holders {
        h.sort_unstable();
    }
    (groups, holders)
}

impl Engine<'_> {
    /// Working space for one thread, from the pool.
    pub(crate) fn take_scratch(&self) -> Scratch {
        let pooled = self
            .scratch
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop();
        pooled.unwrap_or_else(|| Scratch::new(self.identities.len()))
    }

    /// Returns working space to the pool.
    pub(crate) fn give_scratch(&self, scratch: Scratch) {
        self.scratch
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(scratch);
    }

    /// What rule `r` allows to destination `d`, interned.
    fn rule_ports(&self, index: &RowIndex, scratch: &mut Scratch, r: usize, d: usize) -> ConnsId {
        if !index.named[r] {
            return index.fixed[r];
        }
        let table = self.identities.list[d].ports;
        *scratch
            .named
            .entry((to_u32(r), table.0))
            .or_insert_with(|| {
                self.conns
                    .intern(self.compiled.rules[r].ports.on_pod(self.dst_ports(d)))
            })
    }

    /// Connections from `src` to `dst` on the pair-by-pair path, interned.
    fn pair_id(&self, index: &RowIndex, src: IdentityId, dst: IdentityId) -> ConnsId {
        let resolved = index.resolved_in[dst].get_or_init(|| self.resolved_ingress(dst));
        self.conns.intern(self.pair_resolved(src, dst, resolved))
    }

    /// A class per identity such that identities of one class have equal
    /// rows ([`Engine::row`]): by NetworkPolicy alone a row depends only
    /// on the source's egress rules, whether it is isolated for egress,
    /// and the ingress peer groups that hold it. Identities the tiers
    /// apply to (either end) and host-network identities (their node's
    /// pods are theirs alone) get a class of their own.
    pub fn row_classes(&self) -> Vec<u32> {
        let index = self.row_index();
        let compiled = &self.compiled;
        let n = self.identities.len();
        let any_tiered_in = index.tiers_in.count_ones(..) > 0;
        let mut seen: FxHashMap<(&[usize], bool, &[u32]), u32> = FxHashMap::default();
        let mut next = 0u32;
        (0..n)
            .map(|s| {
                let alone = any_tiered_in
                    || index.tiers_out.contains(s)
                    || self.identities.list[s].host_network;
                if alone {
                    next += 1;
                    return next - 1;
                }
                let key = (
                    compiled.egress.rules[s].as_slice(),
                    compiled.egress.isolated[s],
                    index.admits[s].as_slice(),
                );
                *seen.entry(key).or_insert_with(|| {
                    next += 1;
                    next - 1
                })
            })
            .collect()
    }

    /// Connections from identity `src` to every identity (or every
    /// identity of `mask`), ascending, only where something is allowed,
    /// by policies ([`Engine::pair`]: traffic from a host-network pod
    /// into its own node's pods is added per pod by the caller).
    pub fn row(&self, src: IdentityId, mask: Option<&FixedBitSet>) -> Vec<(u32, ConnsId)> {
        let mut scratch = self.take_scratch();
        let out = self.row_with(src, mask, &mut scratch);
        self.give_scratch(scratch);
        out
    }

    /// [`Engine::row`] with the given working space.
    pub(crate) fn row_with(
        &self,
        s: IdentityId,
        mask: Option<&FixedBitSet>,
        scratch: &mut Scratch,
    ) -> Vec<(u32, ConnsId)> {
        let index = self.row_index();
        let compiled = &self.compiled;
        let table = &self.conns;
        if let Some(m) = mask {
            // Few destinations: pair by pair.
            if m.count_ones(..) <= 4 {
                return m
                    .ones()
                    .map(|d| (to_u32(d), self.pair_id(index, s, d)))
                    .filter(|&(_, c)| c != ConnsTable::NONE)
                    .collect();
            }
        }
        let egress_rules = &compiled.egress.rules[s];
        let isolated_out = compiled.egress.isolated[s];
        let tiered_out = index.tiers_out.contains(s);
        // Destinations egress may reach.
        scratch.cand.clear();
        if !isolated_out || egress_rules.iter().any(|&r| compiled.rules[r].peers.any) {
            scratch.cand.insert_range(..);
        } else {
            for &r in egress_rules {
                compiled.rules[r].peers.identities.add_to(&mut scratch.cand);
            }
            if tiered_out && let Some(Some(extra)) = compiled.admin.egress.allow_reach.get(s) {
                scratch.cand.union_with(extra);
            }
        }
        // Destinations whose ingress may admit `s`.
        scratch.reach_in.clear();
        scratch.reach_in.union_with(&index.base_in_set);
        scratch.reach_in.union_with(&index.tier_in_candidates);
        for &g in &index.admits[s] {
            for &r in &index.groups[g as usize] {
                let policy = compiled.rules[r as usize].policy;
                compiled.subjects[policy.index()].add_to(&mut scratch.reach_in);
            }
        }
        scratch.cand.intersect_with(&scratch.reach_in);
        if let Some(m) = mask {
            scratch.cand.intersect_with(m);
        }
        let cand = std::mem::replace(&mut scratch.cand, FixedBitSet::with_capacity(0));
        let mut out = Vec::new();
        if tiered_out {
            for d in cand.ones() {
                let c = self.pair_id(index, s, d);
                if c != ConnsTable::NONE {
                    out.push((to_u32(d), c));
                }
            }
            scratch.cand = cand;
            return out;
        }
        for d in cand.ones() {
            scratch.ing[d] = index.base_in[d];
        }
        for &g in &index.admits[s] {
            for &r in &index.groups[g as usize] {
                let r = r as usize;
                let subjects = &compiled.subjects[compiled.rules[r].policy.index()];
                subjects.for_each_in(&cand, |d| {
                    let ports = self.rule_ports(index, scratch, r, d);
                    scratch.ing[d] = scratch.ops.union(table, scratch.ing[d], ports);
                });
            }
        }
        if isolated_out {
            for &r in egress_rules {
                let peers = &compiled.rules[r].peers;
                let mut paint = |d: usize| {
                    let ports = self.rule_ports(index, scratch, r, d);
                    scratch.eg[d] = scratch.ops.union(table, scratch.eg[d], ports);
                };
                if peers.any {
                    cand.ones().for_each(&mut paint);
                } else {
                    peers.identities.for_each_in(&cand, &mut paint);
                }
            }
        }
        let tiered_in = &index.tiers_in;
        let mut visit = |d: usize, scratch: &mut Scratch| {
            let c = if tiered_in.contains(d) {
                self.pair_id(index, s, d)
            } else if isolated_out {
                scratch
                    .ops
                    .intersection(table, scratch.ing[d], scratch.eg[d])
            } else {
                scratch.ing[d]
            };
            scratch.ing[d] = ConnsTable::NONE;
            scratch.eg[d] = ConnsTable::NONE;
            if c != ConnsTable::NONE {
                out.push((to_u32(d), c));
            }
        };
        for d in cand.ones() {
            visit(d, scratch);
        }
        scratch.cand = cand;
        out
    }

    /// Connections from every identity (or every identity of `sources`)
    /// to identity `dst`, ascending by source, only where something is
    /// allowed, by policies (as [`Engine::row`]).
    pub fn column(&self, dst: IdentityId, sources: Option<&FixedBitSet>) -> Vec<(u32, ConnsId)> {
        let mut scratch = self.take_scratch();
        let out = self.column_with(dst, sources, &mut scratch);
        self.give_scratch(scratch);
        out
    }

    /// [`Engine::column`] with the given working space: the mirror of
    /// [`Engine::row_with`] (egress rules found through the transposed
    /// egress index).
    pub(crate) fn column_with(
        &self,
        d: IdentityId,
        mask: Option<&FixedBitSet>,
        scratch: &mut Scratch,
    ) -> Vec<(u32, ConnsId)> {
        let index = self.row_index();
        let compiled = &self.compiled;
        let table = &self.conns;
        if let Some(m) = mask
            && m.count_ones(..) <= 4
        {
            return m
                .ones()
                .map(|s| (to_u32(s), self.pair_id(index, s, d)))
                .filter(|&(_, c)| c != ConnsTable::NONE)
                .collect();
        }
        let ingress_rules = &compiled.ingress.rules[d];
        let isolated_in = compiled.ingress.isolated[d];
        let tiered_in = index.tiers_in.contains(d);
        // Sources ingress may admit.
        scratch.cand.clear();
        if !isolated_in || ingress_rules.iter().any(|&r| compiled.rules[r].peers.any) {
            scratch.cand.insert_range(..);
        } else {
            for &r in ingress_rules {
                compiled.rules[r].peers.identities.add_to(&mut scratch.cand);
            }
            if tiered_in && let Some(Some(extra)) = compiled.admin.ingress.allow_reach.get(d) {
                scratch.cand.union_with(extra);
            }
        }
        // Sources whose egress may reach `d`.
        scratch.reach_in.clear();
        scratch.reach_in.union_with(&index.base_out_set);
        scratch.reach_in.union_with(&index.tier_out_candidates);
        for &g in &index.emits[d] {
            for &r in &index.egroups[g as usize] {
                let policy = compiled.rules[r as usize].policy;
                compiled.subjects[policy.index()].add_to(&mut scratch.reach_in);
            }
        }
        scratch.cand.intersect_with(&scratch.reach_in);
        if let Some(m) = mask {
            scratch.cand.intersect_with(m);
        }
        let cand = std::mem::replace(&mut scratch.cand, FixedBitSet::with_capacity(0));
        let mut out = Vec::new();
        if tiered_in {
            for s in cand.ones() {
                let c = self.pair_id(index, s, d);
                if c != ConnsTable::NONE {
                    out.push((to_u32(s), c));
                }
            }
            scratch.cand = cand;
            return out;
        }
        for s in cand.ones() {
            scratch.ing[s] = if isolated_in {
                ConnsTable::NONE
            } else {
                ConnsTable::ALL
            };
            scratch.eg[s] = if compiled.egress.isolated[s] {
                ConnsTable::NONE
            } else {
                ConnsTable::ALL
            };
            for &r in &index.any_out[s] {
                let ports = self.rule_ports(index, scratch, r as usize, d);
                scratch.eg[s] = scratch.ops.union(table, scratch.eg[s], ports);
            }
        }
        if isolated_in {
            for &r in ingress_rules {
                let ports = self.rule_ports(index, scratch, r, d);
                let peers = &compiled.rules[r].peers;
                let mut paint = |s: usize| {
                    scratch.ing[s] = scratch.ops.union(table, scratch.ing[s], ports);
                };
                if peers.any {
                    cand.ones().for_each(&mut paint);
                } else {
                    peers.identities.for_each_in(&cand, &mut paint);
                }
            }
        }
        for &g in &index.emits[d] {
            for &r in &index.egroups[g as usize] {
                let r = r as usize;
                let ports = self.rule_ports(index, scratch, r, d);
                let subjects = &compiled.subjects[compiled.rules[r].policy.index()];
                subjects.for_each_in(&cand, |s| {
                    scratch.eg[s] = scratch.ops.union(table, scratch.eg[s], ports);
                });
            }
        }
        for s in cand.ones() {
            let c = if index.tiers_out.contains(s) {
                self.pair_id(index, s, d)
            } else {
                scratch
                    .ops
                    .intersection(table, scratch.ing[s], scratch.eg[s])
            };
            scratch.ing[s] = ConnsTable::NONE;
            scratch.eg[s] = ConnsTable::NONE;
            if c != ConnsTable::NONE {
                out.push((to_u32(s), c));
            }
        }
        scratch.cand = cand;
        out
    }
}
