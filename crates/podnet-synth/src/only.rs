//! `only` intents as grants. An `only` source is a permission, not a
//! demand, so it is granted only as far as every other intent lets it:
//! per target workload, a flow is granted when every `only` intent
//! targeting that workload lists its source on its port, and no `deny` or
//! `isolate` intent forbids it. When every workload a source entry selects
//! passes whole, the entry is written with the intent's selector;
//! otherwise each passing workload is written on its own with the ports
//! left, and the rest is dropped (with a note).

use podnet_model::{
    Conns, EndpointSelector, Intent, IntentRule, IsolateRule, OnlyRule, OnlySource, PortMatch,
    PortSet, PortSpec, SelectorKind, WorkloadId,
};

use crate::realise::{Grant, flow_grants, normalise_ports};
use crate::scope::Scope;

/// The grants of every `only` intent.
pub(crate) fn only_grants(
    scope: &Scope<'_>,
    intents: &[Intent],
    notes: &mut Vec<String>,
) -> Vec<Grant> {
    let onlys: Vec<(&str, &OnlyRule)> = intents
        .iter()
        .filter_map(|i| match &i.rule {
            IntentRule::Only(o) => Some((i.meta.name.as_str(), o)),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for &v in &scope.workloads {
        let targeting: Vec<&(&str, &OnlyRule)> = onlys
            .iter()
            .filter(|(_, o)| o.to.iter().any(|t| scope.selects(t, v)))
            .collect();
        let Some(((first_name, first), others)) = targeting.split_first() else {
            continue;
        };
        let names: Vec<&str> = targeting.iter().map(|(n, _)| *n).collect();
        let target = EndpointSelector {
            line: None,
            kind: SelectorKind::Workload {
                namespace: scope
                    .ns_name(scope.cluster.workload(v).namespace)
                    .to_owned(),
                name: scope.cluster.workload(v).name.clone(),
            },
        };
        for source in &first.from {
            let ports = first.ports_of(source);
            let wanted = scope.ports_on(ports, v);
            let ctx = Ctx {
                scope,
                intents,
                others,
                v,
            };
            match &source.selector.kind {
                SelectorKind::IpBlock(b) => {
                    if ctx.block_passes(&b.addresses, &wanted) {
                        flow_grants(scope, &source.selector, &target, ports, &names, &mut out);
                    } else {
                        notes.push(format!(
                            "{first_name}: source {} not granted to {}: another intent forbids part of it",
                            source.selector,
                            scope.cluster.workload_name(v)
                        ));
                    }
                }
                _ => {
                    let sources: Vec<(WorkloadId, Conns)> = scope
                        .workloads
                        .iter()
                        .filter(|w| scope.selects(&source.selector, **w))
                        .map(|&w| (w, ctx.allowed(w, &wanted)))
                        .collect();
                    if sources.iter().all(|(_, c)| *c == wanted) {
                        flow_grants(scope, &source.selector, &target, ports, &names, &mut out);
                        continue;
                    }
                    notes.push(format!(
                        "{first_name}: source {} narrowed to {}: another intent forbids part of it",
                        source.selector,
                        scope.cluster.workload_name(v)
                    ));
                    for (w, conns) in sources {
                        if conns.is_empty() {
                            continue;
                        }
                        let from = EndpointSelector {
                            line: None,
                            kind: SelectorKind::Workload {
                                namespace: scope
                                    .ns_name(scope.cluster.workload(w).namespace)
                                    .to_owned(),
                                name: scope.cluster.workload(w).name.clone(),
                            },
                        };
                        let ports = conns_ports(&conns);
                        flow_grants(scope, &from, &target, &ports, &names, &mut out);
                    }
                }
            }
        }
    }
    out
}

/// What one target's other intents say.
struct Ctx<'a, 'c> {
    scope: &'a Scope<'c>,
    intents: &'a [Intent],
    others: &'a [&'a (&'a str, &'a OnlyRule)],
    v: WorkloadId,
}

impl Ctx<'_, '_> {
    /// What of `wanted` workload `w` may have to the target.
    fn allowed(&self, w: WorkloadId, wanted: &Conns) -> Conns {
        let mut conns = wanted.clone();
        for (_, o) in self.others {
            let mut listed = Conns::none();
            for s in o.from.iter().filter(|s| self.scope.selects(&s.selector, w)) {
                listed.add(&self.scope.ports_on(o.ports_of(s), self.v));
            }
            conns = conns.intersection(&listed);
        }
        conns.difference(&self.forbidden(w))
    }

    /// What `deny` and `isolate` intents forbid from `w` to the target.
    fn forbidden(&self, w: WorkloadId) -> Conns {
        let scope = self.scope;
        let mut out = Conns::none();
        for intent in self.intents {
            match &intent.rule {
                IntentRule::Deny(f)
                    if f.from.iter().any(|s| scope.selects(s, w))
                        && f.to.iter().any(|t| scope.selects(t, self.v)) =>
                {
                    out.add(&scope.ports_on(&f.ports, self.v));
                }
                IntentRule::Isolate(r) if isolated(scope, r, w, self.v) => {
                    return Conns::all();
                }
                _ => {}
            }
        }
        out
    }

    /// Whether an outside source passes whole: listed by every other
    /// `only` with at least its addresses and ports, and denied nothing.
    fn block_passes(&self, addresses: &podnet_model::IpSet, wanted: &Conns) -> bool {
        let scope = self.scope;
        let listed = |s: &OnlySource, o: &OnlyRule| match &s.selector.kind {
            SelectorKind::IpBlock(b) => {
                addresses.is_subset(&b.addresses)
                    && wanted
                        .difference(&scope.ports_on(o.ports_of(s), self.v))
                        .is_empty()
            }
            _ => false,
        };
        let others_ok = self
            .others
            .iter()
            .all(|(_, o)| o.from.iter().any(|s| listed(s, o)));
        let denied = self.intents.iter().any(|i| match &i.rule {
            IntentRule::Deny(f) => {
                f.to.iter().any(|t| scope.selects(t, self.v))
                    && f.from.iter().any(|s| match &s.kind {
                        SelectorKind::IpBlock(b) => !b.addresses.intersection(addresses).is_empty(),
                        _ => false,
                    })
                    && !scope
                        .ports_on(&f.ports, self.v)
                        .intersection(wanted)
                        .is_empty()
            }
            _ => false,
        });
        others_ok && !denied
    }
}

/// Whether an `isolate` rule puts the namespaces of `a` and `b` in
/// different groups.
pub(crate) fn isolated_ns(
    scope: &Scope<'_>,
    r: &IsolateRule,
    a: podnet_model::NsId,
    b: podnet_model::NsId,
) -> bool {
    let group = |ns: podnet_model::NsId| {
        let n = scope.cluster.namespace(ns);
        if r.namespace_selector
            .as_ref()
            .is_some_and(|s| !s.matches(&n.labels))
        {
            return None;
        }
        n.labels.get(&r.namespace_label)
    };
    matches!((group(a), group(b)), (Some(x), Some(y)) if x != y)
}

fn isolated(scope: &Scope<'_>, r: &IsolateRule, w: WorkloadId, v: WorkloadId) -> bool {
    isolated_ns(
        scope,
        r,
        scope.cluster.workload(w).namespace,
        scope.cluster.workload(v).namespace,
    )
}

/// Connections as `ports` entries (every connection: none).
pub(crate) fn conns_ports(conns: &Conns) -> Vec<PortSpec> {
    if conns.is_all() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (protocol, set) in conns.by_protocol() {
        if *set == PortSet::full() {
            out.push(PortSpec {
                line: None,
                protocol,
                port: PortMatch::All,
            });
            continue;
        }
        for &(lo, hi) in set.ranges() {
            out.push(PortSpec {
                line: None,
                protocol,
                port: PortMatch::Range(lo, hi),
            });
        }
    }
    normalise_ports(&out)
}
