//! What else identities must tell apart besides the policies' selections:
//! the selectors of the intents `verify` checks, and the named ports rules
//! and intents resolve on destinations (pods whose container ports resolve
//! every used name alike are alike; other names do not matter).

use std::collections::{BTreeSet, HashMap};

use podnet_model::{
    AdminPort, Cluster, EndpointSelector, Intent, IntentRule, PortMatch, PortSpec, Protocol,
    SelectorKind,
};

use crate::selections::Selections;

/// A named port as rules resolve it: protocol and name.
type NamedPort = (Protocol, String);

fn specs_named(specs: &[PortSpec], out: &mut BTreeSet<NamedPort>) {
    for spec in specs {
        if let PortMatch::Named(name) = &spec.port {
            out.insert((spec.protocol, name.clone()));
        }
    }
}

/// Every named port the cluster's rules and `intents` resolve.
pub(crate) fn named_ports(cluster: &Cluster, intents: &[Intent]) -> BTreeSet<NamedPort> {
    let mut out = BTreeSet::new();
    for policy in &cluster.policies {
        for rule in policy.ingress.iter().chain(&policy.egress) {
            specs_named(&rule.ports, &mut out);
        }
    }
    for policy in &cluster.admin_policies {
        for rule in policy.ingress.iter().chain(&policy.egress) {
            for port in rule.ports.iter().flatten() {
                if let AdminPort::Named(name) = port {
                    for protocol in Protocol::ALL {
                        out.insert((protocol, name.clone()));
                    }
                }
            }
        }
    }
    for intent in intents {
        match &intent.rule {
            IntentRule::Allow(f) | IntentRule::Deny(f) => specs_named(&f.ports, &mut out),
            IntentRule::Only(o) => {
                specs_named(&o.ports, &mut out);
                for source in &o.from {
                    specs_named(o.ports_of(source), &mut out);
                }
            }
            IntentRule::Isolate(_) => {}
        }
    }
    out
}

/// Per port table, a number equal for tables that resolve every name of
/// `used` to the same ports.
pub(crate) fn port_classes(cluster: &Cluster, used: &BTreeSet<NamedPort>) -> Vec<u64> {
    let mut index: HashMap<Vec<(Protocol, &str, u16)>, u64> = HashMap::new();
    cluster
        .port_tables
        .iter()
        .map(|table| {
            let mut resolved: Vec<(Protocol, &str, u16)> = table
                .iter()
                .filter_map(|p| {
                    let name = p.name.as_deref()?;
                    used.contains(&(p.protocol, name.to_owned()))
                        .then_some((p.protocol, name, p.port))
                })
                .collect();
            resolved.sort_unstable();
            resolved.dedup();
            let next = index.len() as u64;
            *index.entry(resolved).or_insert(next)
        })
        .collect()
}

/// Adds the selections of `intents` (their endpoints and `isolate`
/// groups), so that every intent selects whole identities.
pub(crate) fn observe_intents(sel: &mut Selections<'_>, intents: &[Intent]) {
    for intent in intents {
        match &intent.rule {
            IntentRule::Allow(f) | IntentRule::Deny(f) => {
                for s in f.from.iter().chain(&f.to) {
                    endpoint(sel, s);
                }
            }
            IntentRule::Only(o) => {
                for s in o.to.iter().chain(o.from.iter().map(|s| &s.selector)) {
                    endpoint(sel, s);
                }
            }
            IntentRule::Isolate(r) => {
                let cluster = sel.cluster();
                let members = sel.members();
                let mut groups: HashMap<&str, Vec<u32>> = HashMap::new();
                for (i, ns) in cluster.namespaces.iter().enumerate() {
                    if r.namespace_selector
                        .as_ref()
                        .is_some_and(|s| !s.matches(&ns.labels))
                    {
                        continue;
                    }
                    if let Some(value) = ns.labels.get(&r.namespace_label) {
                        let group = groups.entry(value).or_default();
                        group.extend(members.by_namespace[i].iter().map(|&m| to_u32(m)));
                    }
                }
                for (_, group) in groups {
                    sel.push(group);
                }
            }
        }
    }
}

fn to_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// An intent endpoint's pods (host-network pods included).
fn endpoint(sel: &mut Selections<'_>, s: &EndpointSelector) {
    let cluster = sel.cluster();
    let members = sel.members();
    let list: Vec<u32> = match &s.kind {
        SelectorKind::IpBlock(_) => return,
        SelectorKind::Workload { namespace, name } => {
            let Some(ns) = cluster.namespace_by_name(namespace) else {
                return;
            };
            members.by_namespace[ns.index()]
                .iter()
                .filter(|&&m| cluster.workload(members.list[m].workload).name == *name)
                .map(|&m| to_u32(m))
                .collect()
        }
        SelectorKind::Pods {
            namespace,
            namespace_selector,
            pod_selector,
        } => {
            let mut list = Vec::new();
            for (i, ns) in cluster.namespaces.iter().enumerate() {
                if namespace.as_ref().is_some_and(|n| *n != ns.name)
                    || namespace_selector
                        .as_ref()
                        .is_some_and(|s| !s.matches(&ns.labels))
                {
                    continue;
                }
                for &m in &members.by_namespace[i] {
                    let labels = &cluster.label_sets[members.list[m].labels.index()];
                    if pod_selector.matches(labels) {
                        list.push(to_u32(m));
                    }
                }
            }
            list
        }
    };
    sel.push(list);
}
