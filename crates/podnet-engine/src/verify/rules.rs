//! The four intent rules checked over identities. Each walks the
//! destination identities in parallel, asks [`Pairs`] what reaches each
//! from the relevant sources, and keeps the first counterexamples in
//! identity order (destination, then source), so results are stable.

use podnet_model::{
    Conns, EndpointSelector, Flows, Intent, IntentRule, IsolateRule, OnlyRule, PodId,
};
use rayon::prelude::*;

use super::external::{self, Need};
use super::pairs::{Pairs, Sources};
use super::select::{Selection, distinct, select};
use super::{Candidate, Unmatched, ViolationKind};
use crate::identity::IdentityId;
use crate::matrix::Engine;
use crate::ports::RulePorts;
use crate::verdict::Endpoint;

/// Counterexamples (at most the limit) and selectors matching nothing.
pub(crate) struct Outcome {
    pub candidates: Vec<Candidate>,
    pub unmatched: Vec<Unmatched>,
}

/// Checks one intent, keeping at most `limit` counterexamples.
pub(crate) fn check(
    engine: &Engine<'_>,
    pairs: &Pairs<'_, '_>,
    intent: &Intent,
    limit: usize,
) -> Outcome {
    let base = format!("spec.{}", intent.rule.field());
    match &intent.rule {
        IntentRule::Allow(f) => flows(engine, pairs, f, true, &base, limit),
        IntentRule::Deny(f) => flows(engine, pairs, f, false, &base, limit),
        IntentRule::Only(o) => only(engine, pairs, o, &base, limit),
        IntentRule::Isolate(r) => isolate(engine, pairs, r, &base, limit),
    }
}

/// Runs `f` on every item in parallel and keeps the first `limit` results
/// in item order.
fn capped<T: Sync>(
    items: &[T],
    limit: usize,
    f: impl Fn(&T) -> Vec<Candidate> + Sync + Send,
) -> Vec<Candidate> {
    let per: Vec<Vec<Candidate>> = items.par_iter().map(f).collect();
    per.into_iter().flatten().take(limit).collect()
}

/// The selectors of `list` that select nothing, as `field[i]`.
fn unmatched(engine: &Engine<'_>, list: &[&EndpointSelector], field: &str) -> Vec<Unmatched> {
    list.iter()
        .enumerate()
        .filter(|(_, s)| select(engine, &[**s]).is_empty())
        .map(|(i, s)| Unmatched {
            field: format!("{field}[{i}]"),
            line: s.line,
        })
        .collect()
}

/// The first and second pods of an identity, as a selection would pick.
fn identity_picks(engine: &Engine<'_>, id: IdentityId) -> Option<(PodId, Option<PodId>)> {
    let pods = &engine.identities.list[id].pods;
    Some((*pods.first()?, pods.get(1).copied()))
}

fn candidate(
    src: Endpoint,
    dst: Endpoint,
    kind: ViolationKind,
    offending: Conns,
    with_port: bool,
) -> Candidate {
    Candidate {
        src,
        dst,
        kind,
        offending,
        with_port,
    }
}

/// `allow` (`allow` true) and `deny`.
fn flows(
    engine: &Engine<'_>,
    pairs: &Pairs<'_, '_>,
    f: &Flows,
    allow: bool,
    base: &str,
    limit: usize,
) -> Outcome {
    let from: Vec<&EndpointSelector> = f.from.iter().collect();
    let to: Vec<&EndpointSelector> = f.to.iter().collect();
    let src = select(engine, &from);
    let dst = select(engine, &to);
    let mut unmatched_list = unmatched(engine, &from, &format!("{base}.from"));
    unmatched_list.extend(unmatched(engine, &to, &format!("{base}.to")));
    let ports = RulePorts::new(&f.ports);
    let any = f.ports.is_empty();
    let need = if allow {
        Need::Reach { any }
    } else {
        Need::Avoid
    };
    let mut candidates = Vec::new();
    if !src.list.is_empty() && !dst.list.is_empty() {
        candidates = pods_to_pods(engine, pairs, &src, &dst, &ports, allow, any, limit);
    }
    if candidates.len() < limit && !src.list.is_empty() && !dst.ips.is_empty() {
        candidates.extend(capped(&src.list, limit, |&s| {
            let groups = external::groups(engine, engine.external_egress(s));
            let Some((pod, _)) = src.picks(engine, s) else {
                return Vec::new();
            };
            external::check(&groups, &dst.ips, ports.off_cluster(), need)
                .into_iter()
                .map(|(ip, off)| {
                    let kind = kind_of(allow);
                    candidate(Endpoint::Pod(pod), Endpoint::External(ip), kind, off, !any)
                })
                .collect()
        }));
    }
    if candidates.len() < limit && !src.ips.is_empty() && !dst.list.is_empty() {
        candidates.extend(capped(&dst.list, limit, |&d| {
            let groups = external::groups(engine, engine.external_ingress(d));
            let Some((pod, _)) = dst.picks(engine, d) else {
                return Vec::new();
            };
            let wanted = ports.on_pod(engine.dst_ports(d));
            external::check(&groups, &src.ips, &wanted, need)
                .into_iter()
                .map(|(ip, off)| {
                    let kind = kind_of(allow);
                    candidate(Endpoint::External(ip), Endpoint::Pod(pod), kind, off, !any)
                })
                .collect()
        }));
    }
    candidates.truncate(limit);
    Outcome {
        candidates,
        unmatched: unmatched_list,
    }
}

fn kind_of(allow: bool) -> ViolationKind {
    if allow {
        ViolationKind::Missing
    } else {
        ViolationKind::Forbidden
    }
}

/// Pod-to-pod flows of `allow` and `deny`.
#[allow(clippy::too_many_arguments)]
fn pods_to_pods(
    engine: &Engine<'_>,
    pairs: &Pairs<'_, '_>,
    src: &Selection,
    dst: &Selection,
    ports: &RulePorts,
    allow: bool,
    any: bool,
    limit: usize,
) -> Vec<Candidate> {
    let srcs = Sources::Some(&src.bits);
    capped(&dst.list, limit, |&d| {
        let Some(dst_picks) = dst.picks(engine, d) else {
            return Vec::new();
        };
        let dst_pods = dst.pods(engine, d);
        let got = pairs.reaching(d, dst_pods, srcs);
        let wanted = ports.on_pod(engine.dst_ports(d));
        let mut out = Vec::new();
        let push =
            |s: IdentityId, dp: Option<PodId>, offending: Conns, out: &mut Vec<Candidate>| {
                let picks = dp.map_or(dst_picks, |p| (p, None));
                let pods = src.picks(engine, s).and_then(|p| distinct(p, picks));
                if let Some((sp, dp)) = pods {
                    let kind = kind_of(allow);
                    let c = candidate(Endpoint::Pod(sp), Endpoint::Pod(dp), kind, offending, !any);
                    out.push(c);
                }
            };
        if allow {
            let mut j = 0;
            for &s in &src.list {
                while j < got.len() && got[j].src < s {
                    j += 1;
                }
                let reach = got.get(j).filter(|r| r.src == s);
                // Every selected pod must be reached: those on a
                // host-network source's own node always are, so the
                // policies decide for the others.
                let off = match reach.and_then(|r| r.own_node) {
                    Some(_) => match pairs.off_node(s, dst_pods) {
                        Some(p) => Some(p),
                        None => continue,
                    },
                    None => None,
                };
                let conns = reach.map_or_else(Conns::none, |r| r.policy.clone());
                let offending = if any {
                    if !conns.is_empty() {
                        continue;
                    }
                    Conns::all()
                } else {
                    let missing = wanted.difference(&conns);
                    if wanted.is_empty() {
                        // A named port the destination does not have.
                        Conns::none()
                    } else if missing.is_empty() {
                        continue;
                    } else {
                        missing
                    }
                };
                push(s, off, offending, &mut out);
                if out.len() >= limit {
                    break;
                }
            }
        } else {
            for reach in got {
                let forbidden = reach.some_pair().intersection(&wanted);
                if !forbidden.is_empty() {
                    // The own-node pod when the policies forbid nothing.
                    let dp = reach
                        .own_node
                        .filter(|_| reach.policy.intersection(&wanted).is_empty());
                    push(reach.src, dp, forbidden, &mut out);
                    if out.len() >= limit {
                        break;
                    }
                }
            }
        }
        out
    })
}

/// `only`: everything reaching a target must come from a listed source, on
/// its ports.
fn only(
    engine: &Engine<'_>,
    pairs: &Pairs<'_, '_>,
    o: &OnlyRule,
    base: &str,
    limit: usize,
) -> Outcome {
    let to: Vec<&EndpointSelector> = o.to.iter().collect();
    let from: Vec<&EndpointSelector> = o.from.iter().map(|s| &s.selector).collect();
    let dst = select(engine, &to);
    let all_sources = select(engine, &from);
    let mut unmatched_list = unmatched(engine, &to, &format!("{base}.to"));
    unmatched_list.extend(unmatched(engine, &from, &format!("{base}.from")));
    let entries: Vec<(Selection, RulePorts)> = o
        .from
        .iter()
        .map(|s| {
            (
                select(engine, &[&s.selector]),
                RulePorts::new(o.ports_of(s)),
            )
        })
        .collect();
    let candidates = capped(&dst.list, limit, |&d| {
        let Some(dst_picks) = dst.picks(engine, d) else {
            return Vec::new();
        };
        let dst_ports = engine.dst_ports(d);
        let mut out = Vec::new();
        for reach in pairs.reaching(d, dst.pods(engine, d), Sources::All) {
            let s = reach.src;
            let conns = reach.some_pair();
            let mut permitted = Conns::none();
            let mut pick = None;
            for (sel, ports) in &entries {
                if sel.has(s) {
                    permitted.add(&ports.on_pod(dst_ports));
                    pick = pick.or_else(|| sel.picks(engine, s));
                }
            }
            // The own-node pod when the policies alone forbid nothing.
            let dst_picks = match reach.own_node {
                Some(p) if reach.policy.difference(&permitted).is_empty() => (p, None),
                _ => dst_picks,
            };
            let forbidden = conns.difference(&permitted);
            let (offending, src_picks) = if !forbidden.is_empty() {
                (forbidden, pick.or_else(|| identity_picks(engine, s)))
            } else if let Some(p) = all_sources.outside(engine, s).filter(|_| pick.is_some()) {
                // Some pods of the identity are listed, this one is not.
                (conns, Some((p, None)))
            } else {
                continue;
            };
            if let Some((sp, dp)) = src_picks.and_then(|p| distinct(p, dst_picks)) {
                let c = candidate(
                    Endpoint::Pod(sp),
                    Endpoint::Pod(dp),
                    ViolationKind::Forbidden,
                    offending,
                    true,
                );
                out.push(c);
                if out.len() >= limit {
                    return out;
                }
            }
        }
        let groups = external::groups(engine, engine.external_ingress(d));
        let blocks: Vec<(&podnet_model::IpSet, Conns)> = entries
            .iter()
            .filter(|(sel, _)| !sel.ips.is_empty())
            .map(|(sel, ports)| (&sel.ips, ports.on_pod(dst_ports)))
            .collect();
        for (ip, off) in external::unpermitted(&groups, &blocks) {
            out.push(candidate(
                Endpoint::External(ip),
                Endpoint::Pod(dst_picks.0),
                ViolationKind::Forbidden,
                off,
                true,
            ));
        }
        out
    });
    Outcome {
        candidates,
        unmatched: unmatched_list,
    }
}

/// `isolate`: namespaces grouped by a label's value never reach another
/// group's pods.
fn isolate(
    engine: &Engine<'_>,
    pairs: &Pairs<'_, '_>,
    r: &IsolateRule,
    base: &str,
    limit: usize,
) -> Outcome {
    let cluster = engine.cluster;
    let mut values: Vec<&str> = Vec::new();
    let ns_group: Vec<Option<usize>> = cluster
        .namespaces
        .iter()
        .map(|ns| {
            if r.namespace_selector
                .as_ref()
                .is_some_and(|s| !s.matches(&ns.labels))
            {
                return None;
            }
            let v = ns.labels.get(&r.namespace_label)?;
            Some(match values.iter().position(|x| *x == v) {
                Some(i) => i,
                None => {
                    values.push(v);
                    values.len() - 1
                }
            })
        })
        .collect();
    let mut unmatched_list = Vec::new();
    if values.len() < 2 {
        unmatched_list.push(Unmatched {
            field: format!("{base}.namespaceLabel"),
            line: r.line,
        });
    }
    let group = |id: IdentityId| ns_group[engine.identities.list[id].namespace.index()];
    let grouped: Vec<IdentityId> = (0..engine.identities.len())
        .filter(|&i| group(i).is_some())
        .collect();
    let mut bits = fixedbitset::FixedBitSet::with_capacity(engine.identities.len());
    grouped.iter().for_each(|&i| bits.insert(i));
    let srcs = Sources::Some(&bits);
    let candidates = if values.len() < 2 {
        Vec::new()
    } else {
        capped(&grouped, limit, |&d| {
            let mut out = Vec::new();
            let dst_pods = &engine.identities.list[d].pods;
            for reach in pairs.reaching(d, dst_pods, srcs) {
                let s = reach.src;
                if group(s) == group(d) {
                    continue;
                }
                let (Some(sp), Some(dp)) = (identity_picks(engine, s), identity_picks(engine, d))
                else {
                    continue;
                };
                // The own-node pod when the policies allow nothing.
                let dp = match reach.own_node {
                    Some(p) if reach.policy.is_empty() => p,
                    _ => dp.0,
                };
                out.push(candidate(
                    Endpoint::Pod(sp.0),
                    Endpoint::Pod(dp),
                    ViolationKind::Forbidden,
                    reach.some_pair(),
                    true,
                ));
                if out.len() >= limit {
                    break;
                }
            }
            out
        })
    };
    Outcome {
        candidates,
        unmatched: unmatched_list,
    }
}
