//! Grants into policies with the fewest rules. Grants are grouped by
//! namespace and pod selector (one `allow-*` policy each); within a
//! direction, peers sharing the same ports become one rule, then rules
//! with the same peers have their ports joined. Both steps are exact: a
//! rule allows its peers times its ports, so merging rules that share one
//! factor allows the same union.

use std::collections::{BTreeMap, BTreeSet};

use podnet_model::{
    Direction, LabelSelector, NsId, PortMatch, PortSpec, Protocol, cluster::NAMESPACE_NAME_LABEL,
};

use crate::realise::{Grant, normalise_ports, port_key};
use crate::scope::{Scope, namespace_selector};
use crate::{ALLOW_DNS, DEFAULT_DENY, DNS_LABEL, DNS_NAMESPACE, SynthPeer, SynthPolicy, SynthRule};

/// Name given to the DNS rules' realised intent.
pub const DNS_INTENT: &str = "cluster DNS";

/// Every policy, in output order.
pub(crate) fn policies(scope: &Scope<'_>, grants: Vec<Grant>) -> Vec<SynthPolicy> {
    type Key = (NsId, LabelSelector);
    let mut by_policy: BTreeMap<Key, Vec<Grant>> = BTreeMap::new();
    // Grants the DNS policies already make: their intents go there.
    let dns_peer = dns_peer();
    let mut dns_egress_intents: BTreeMap<NsId, BTreeSet<String>> = BTreeMap::new();
    let mut dns_ingress_intents = BTreeSet::new();
    for g in grants {
        if g.ports == dns_ports() {
            if g.direction == Direction::Egress && g.peer == dns_peer {
                dns_egress_intents
                    .entry(g.namespace)
                    .or_default()
                    .extend(g.intents);
                continue;
            }
            if g.direction == Direction::Ingress
                && scope.ns_name(g.namespace) == DNS_NAMESPACE
                && g.pod_selector == dns_selector()
            {
                dns_ingress_intents.extend(g.intents);
                continue;
            }
        }
        by_policy
            .entry((g.namespace, g.pod_selector.clone()))
            .or_default()
            .push(g);
    }
    let mut out = Vec::new();
    for &ns in &scope.namespaces {
        let name = scope.ns_name(ns).to_owned();
        out.push(default_deny(&name));
        let mut egress = dns_egress(&name);
        add_intents(&mut egress, dns_egress_intents.get(&ns));
        out.push(egress);
        if name == DNS_NAMESPACE {
            let mut ingress = dns_ingress(&name);
            add_intents(&mut ingress, Some(&dns_ingress_intents));
            out.push(ingress);
        }
        let mut allows: Vec<SynthPolicy> = by_policy
            .iter()
            .filter(|((n, _), _)| *n == ns)
            .map(|((_, sel), grants)| allow_policy(&name, sel, grants))
            .collect();
        allows.sort_by(|a, b| a.name.cmp(&b.name));
        let mut taken: BTreeSet<String> = out
            .iter()
            .filter(|p| p.namespace == name)
            .map(|p| p.name.clone())
            .collect();
        for mut p in allows {
            let base = p.name.clone();
            let mut i = 2;
            while taken.contains(&p.name) {
                p.name = format!("{base}-{i}");
                i += 1;
            }
            taken.insert(p.name.clone());
            out.push(p);
        }
    }
    out
}

fn default_deny(ns: &str) -> SynthPolicy {
    SynthPolicy {
        namespace: ns.to_owned(),
        name: DEFAULT_DENY.to_owned(),
        pod_selector: LabelSelector::everything(),
        ingress_type: true,
        egress_type: true,
        ingress: Vec::new(),
        egress: Vec::new(),
    }
}

fn add_intents(p: &mut SynthPolicy, intents: Option<&BTreeSet<String>>) {
    for r in p.ingress.iter_mut().chain(p.egress.iter_mut()) {
        r.intents.extend(intents.into_iter().flatten().cloned());
    }
}

fn dns_peer() -> SynthPeer {
    SynthPeer::Pods {
        namespaces: namespace_selector(DNS_NAMESPACE),
        pods: dns_selector(),
    }
}

fn dns_ports() -> Vec<PortSpec> {
    normalise_ports(&[Protocol::Udp, Protocol::Tcp].map(|protocol| PortSpec {
        line: None,
        protocol,
        port: PortMatch::Range(53, 53),
    }))
}

fn dns_selector() -> LabelSelector {
    LabelSelector::new([(DNS_LABEL.0.to_owned(), DNS_LABEL.1.to_owned())], [])
}

fn dns_rule(peer: SynthPeer) -> SynthRule {
    SynthRule {
        peers: vec![peer],
        ports: dns_ports(),
        intents: BTreeSet::from([DNS_INTENT.to_owned()]),
    }
}

/// Every pod of the namespace may query the cluster DNS.
fn dns_egress(ns: &str) -> SynthPolicy {
    SynthPolicy {
        namespace: ns.to_owned(),
        name: ALLOW_DNS.to_owned(),
        pod_selector: LabelSelector::everything(),
        ingress_type: false,
        egress_type: true,
        ingress: Vec::new(),
        egress: vec![dns_rule(dns_peer())],
    }
}

/// The cluster DNS answers every pod (its namespace has default deny
/// too).
fn dns_ingress(ns: &str) -> SynthPolicy {
    SynthPolicy {
        namespace: ns.to_owned(),
        name: format!("{ALLOW_DNS}-ingress"),
        pod_selector: dns_selector(),
        ingress_type: true,
        egress_type: false,
        ingress: vec![dns_rule(SynthPeer::Pods {
            namespaces: LabelSelector::everything(),
            pods: LabelSelector::everything(),
        })],
        egress: Vec::new(),
    }
}

fn allow_policy(ns: &str, selector: &LabelSelector, grants: &[Grant]) -> SynthPolicy {
    let ingress = rules(grants, Direction::Ingress);
    let egress = rules(grants, Direction::Egress);
    SynthPolicy {
        namespace: ns.to_owned(),
        name: format!("allow-{}", slug(selector)),
        pod_selector: selector.clone(),
        ingress_type: !ingress.is_empty(),
        egress_type: !egress.is_empty(),
        ingress,
        egress,
    }
}

/// The fewest rules allowing every grant of `dir`, in a stable order.
fn rules(grants: &[Grant], dir: Direction) -> Vec<SynthRule> {
    // Peers sharing ports.
    let mut by_ports: BTreeMap<Vec<PortKey>, PortGroup> = BTreeMap::new();
    for g in grants.iter().filter(|g| g.direction == dir) {
        let key: Vec<PortKey> = g.ports.iter().map(port_key).collect();
        let entry = by_ports
            .entry(key)
            .or_insert_with(|| (g.ports.clone(), Vec::new(), BTreeSet::new()));
        if !entry.1.contains(&g.peer) {
            entry.1.push(g.peer.clone());
        }
        entry.2.extend(g.intents.iter().cloned());
    }
    // Rules sharing peers.
    let mut by_peers: BTreeMap<Vec<String>, SynthRule> = BTreeMap::new();
    for (_, (ports, mut peers, intents)) in by_ports {
        peers.sort_by_key(peer_key);
        let key: Vec<String> = peers.iter().map(peer_key).collect();
        match by_peers.get_mut(&key) {
            Some(rule) => {
                // An empty port list already allows everything.
                if !rule.ports.is_empty() && !ports.is_empty() {
                    let mut joined = rule.ports.clone();
                    joined.extend(ports);
                    rule.ports = normalise_ports(&joined);
                } else {
                    rule.ports = Vec::new();
                }
                rule.intents.extend(intents);
            }
            None => {
                by_peers.insert(
                    key,
                    SynthRule {
                        peers,
                        ports,
                        intents,
                    },
                );
            }
        }
    }
    by_peers.into_values().collect()
}

type PortKey = (usize, u8, u16, u16, String);

/// Ports, the peers granted them, and the intents granting.
type PortGroup = (Vec<PortSpec>, Vec<SynthPeer>, BTreeSet<String>);

/// A stable sort key for a peer: pods before blocks, by selectors.
pub(crate) fn peer_key(p: &SynthPeer) -> String {
    match p {
        SynthPeer::Pods { namespaces, pods } => format!("0 {namespaces} | {pods}"),
        SynthPeer::IpBlock(b) => format!("1 {b}"),
    }
}

/// A DNS-label-safe name part for a pod selector.
fn slug(selector: &LabelSelector) -> String {
    if selector.is_empty() {
        return "all-pods".to_owned();
    }
    let raw: Vec<String> = selector
        .requirements()
        .iter()
        .map(|r| {
            let key = r.key.rsplit('/').next().unwrap_or(&r.key);
            if r.key == NAMESPACE_NAME_LABEL {
                return r.values.join("-");
            }
            match r.values.as_slice() {
                [] => key.to_owned(),
                values => format!("{key}-{}", values.join("-")),
            }
        })
        .collect();
    let mut s = String::new();
    for c in raw.join("-").chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            s.push(c);
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    let mut s: String = s.trim_matches('-').chars().take(50).collect();
    while s.ends_with('-') {
        s.pop();
    }
    if s.is_empty() { "pods".to_owned() } else { s }
}
