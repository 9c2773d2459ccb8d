//! PN2003: rules other rules already cover. Exact, on the engine's compiled
//! rules: for every pod a rule applies to and every peer identity and
//! outside address atom it matches, what it allows (ports resolved on the
//! destination, named ports included) must lie in the union of what the
//! other rules applying to that pod allow that peer. Rules are examined
//! last first and a covered rule is set aside before the next is judged,
//! so of two identical rules only the later is reported.

use std::collections::{BTreeSet, HashMap, HashSet};

use podnet_engine::compiled::CompiledRule;
use podnet_model::{Conns, Direction, PortTableId};

use super::RULE_SHADOWED;
use crate::checks::support::at_line;
use crate::context::Context;
use crate::finding::{Finding, Rule};
use crate::found::{Found, HygieneFound, RuleRef};
use crate::registry::Check;

/// PN2003.
pub struct Shadowed;

impl Check for Shadowed {
    fn rules(&self) -> &'static [Rule] {
        &[RULE_SHADOWED]
    }

    fn run(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for dir in Direction::BOTH {
            shadowed_in(ctx, dir, out);
        }
    }
}

/// Pods that share their applicable rules (and, for ingress, where named
/// ports resolve: their container ports) share every shadowing verdict.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Group<'a> {
    rules: &'a [usize],
    ports: Option<PortTableId>,
}

/// What one group says of a rule.
struct Outcome {
    /// The rule allows something for these pods.
    allows: bool,
    /// Everything it allows, others allow too.
    covered: bool,
}

fn shadowed_in(ctx: &Context<'_>, dir: Direction, out: &mut Vec<Finding>) {
    let engine = ctx.engine;
    let index = engine.compiled().direction(dir);
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut seen: HashSet<Group<'_>> = HashSet::new();
    for (s, rules) in index.rules.iter().enumerate() {
        if !index.isolated[s] || rules.is_empty() {
            continue;
        }
        let ports = match dir {
            Direction::Ingress => Some(engine.identities().list[s].ports),
            Direction::Egress => None,
        };
        let g = Group { rules, ports };
        if seen.insert(g) {
            groups.push(g);
        }
    }
    let mut by_rule: HashMap<usize, Vec<usize>> = HashMap::new();
    for (gi, g) in groups.iter().enumerate() {
        for &r in g.rules {
            by_rule.entry(r).or_default().push(gi);
        }
    }
    let mut order: Vec<usize> = by_rule.keys().copied().collect();
    order.sort_unstable_by(|a, b| b.cmp(a));
    let mut removed: HashSet<usize> = HashSet::new();
    for r in order {
        let mut allows = false;
        let mut covered = true;
        let mut covering: BTreeSet<usize> = BTreeSet::new();
        for &gi in by_rule.get(&r).map(Vec::as_slice).unwrap_or_default() {
            let g = groups[gi];
            let others: Vec<usize> = g
                .rules
                .iter()
                .copied()
                .filter(|&o| o != r && !removed.contains(&o))
                .collect();
            let outcome = judge(ctx, r, &others, g.ports, &mut covering);
            allows |= outcome.allows;
            if !outcome.covered {
                covered = false;
                break;
            }
        }
        if allows && covered {
            removed.insert(r);
            out.push(finding(ctx, r, &covering));
        }
    }
}

/// Whether rule `r` is covered by `others` for pods with container ports
/// `ports` (ingress) or for every peer (egress, ports resolved per peer).
fn judge(
    ctx: &Context<'_>,
    r: usize,
    others: &[usize],
    ports: Option<PortTableId>,
    covering: &mut BTreeSet<usize>,
) -> Outcome {
    let engine = ctx.engine;
    let cluster = ctx.cluster();
    let rules = &engine.compiled().rules;
    let rule = &rules[r];
    // Per destination port table: the rule's and the others' connections.
    let mut memo: HashMap<PortTableId, (Conns, Vec<Conns>)> = HashMap::new();
    let resolve = |table: PortTableId| -> (Conns, Vec<Conns>) {
        let container = &cluster.port_tables[table.index()];
        (
            rule.ports.on_pod(container),
            others
                .iter()
                .map(|&o| rules[o].ports.on_pod(container))
                .collect(),
        )
    };
    let mut allows = false;
    for i in rule.peers.identities.ones() {
        let table = ports.unwrap_or(engine.identities().list[i].ports);
        let (mine, theirs) = memo.entry(table).or_insert_with(|| resolve(table));
        if mine.is_empty() {
            continue;
        }
        allows = true;
        let holders = others
            .iter()
            .zip(theirs.iter())
            .filter(|(o, _)| rules[**o].peers.identities.contains(i));
        if !covers(mine.clone(), holders, covering) {
            return Outcome {
                allows,
                covered: false,
            };
        }
    }
    if !rule.peers.atoms.is_clear() {
        // Outside addresses: ports resolve on the selected pod (ingress)
        // or off the cluster, where named ports name nothing (egress).
        let (mine, theirs): (Conns, Vec<Conns>) = match ports {
            Some(table) => resolve(table),
            None => (
                rule.ports.off_cluster().clone(),
                others
                    .iter()
                    .map(|&o| rules[o].ports.off_cluster().clone())
                    .collect(),
            ),
        };
        if !mine.is_empty() {
            for a in rule.peers.atoms.ones() {
                allows = true;
                let holders = others
                    .iter()
                    .zip(&theirs)
                    .filter(|(o, _)| rules[**o].peers.atoms.contains(a));
                if !covers(mine.clone(), holders, covering) {
                    return Outcome {
                        allows,
                        covered: false,
                    };
                }
            }
        }
    }
    Outcome {
        allows,
        covered: true,
    }
}

/// Whether the union of the holders' connections covers `need`; notes the
/// holders that contribute.
fn covers<'a>(
    mut need: Conns,
    holders: impl Iterator<Item = (&'a usize, &'a Conns)>,
    covering: &mut BTreeSet<usize>,
) -> bool {
    for (&o, conns) in holders {
        if need.intersection(conns).is_empty() {
            continue;
        }
        covering.insert(o);
        need = need.difference(conns);
        if need.is_empty() {
            return true;
        }
    }
    need.is_empty()
}

/// `NetworkPolicy ns/name spec.ingress[2]`.
fn rule_ref(ctx: &Context<'_>, rule: &CompiledRule) -> RuleRef {
    let policy = &ctx.cluster().policies[rule.policy.index()];
    RuleRef {
        policy: policy.meta.qualified_name(),
        direction: rule.direction,
        index: rule.index,
    }
}

fn finding(ctx: &Context<'_>, r: usize, covering: &BTreeSet<usize>) -> Finding {
    let rules = &ctx.engine.compiled().rules;
    let rule = &rules[r];
    let policy = &ctx.cluster().policies[rule.policy.index()];
    let line = policy
        .rules(rule.direction)
        .get(rule.index)
        .and_then(|x| x.line);
    let by: Vec<RuleRef> = covering.iter().map(|&o| rule_ref(ctx, &rules[o])).collect();
    Finding::new(
        &RULE_SHADOWED,
        at_line(&policy.meta, line),
        Found::Hygiene(HygieneFound::RuleShadowed {
            direction: rule.direction,
            rule: rule.index,
            by,
        }),
    )
}
