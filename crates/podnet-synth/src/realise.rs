//! `allow` intents as grants: for every source and destination entry, an
//! egress grant in each source namespace (for the source's pods, to the
//! destination as a peer) and an ingress grant in each destination
//! namespace (for the destination's pods, from the source as a peer), on
//! the intent's ports. Selectors are the intent's own.

use podnet_model::{
    Direction, EndpointSelector, Intent, IntentRule, LabelSelector, NsId, PortSpec,
};

use crate::SynthPeer;
use crate::scope::Scope;

/// One permission to place in a policy before merging.
#[derive(Clone, Debug)]
pub(crate) struct Grant {
    /// The policy's namespace.
    pub namespace: NsId,
    /// The pods the policy selects.
    pub pod_selector: LabelSelector,
    /// Ingress or egress.
    pub direction: Direction,
    /// The other end.
    pub peer: SynthPeer,
    /// The ports (empty: every connection).
    pub ports: Vec<PortSpec>,
    /// The intents realised.
    pub intents: Vec<String>,
}

/// Grants for one flow from `from` to `to` on `ports`.
pub(crate) fn flow_grants(
    scope: &Scope<'_>,
    from: &EndpointSelector,
    to: &EndpointSelector,
    ports: &[PortSpec],
    intents: &[&str],
    out: &mut Vec<Grant>,
) {
    let ports = normalise_ports(ports);
    if let Some(peer) = scope.peer(to) {
        for (namespace, pod_selector) in scope.placements(from) {
            out.push(Grant {
                namespace,
                pod_selector,
                direction: Direction::Egress,
                peer: peer.clone(),
                ports: ports.clone(),
                intents: intents.iter().map(|s| (*s).to_owned()).collect(),
            });
        }
    }
    if let Some(peer) = scope.peer(from) {
        for (namespace, pod_selector) in scope.placements(to) {
            out.push(Grant {
                namespace,
                pod_selector,
                direction: Direction::Ingress,
                peer: peer.clone(),
                ports: ports.clone(),
                intents: intents.iter().map(|s| (*s).to_owned()).collect(),
            });
        }
    }
}

/// The grants of every `allow` intent.
pub(crate) fn allow_grants(scope: &Scope<'_>, intents: &[Intent]) -> Vec<Grant> {
    let mut out = Vec::new();
    for intent in intents {
        let IntentRule::Allow(f) = &intent.rule else {
            continue;
        };
        for from in &f.from {
            for to in &f.to {
                flow_grants(scope, from, to, &f.ports, &[&intent.meta.name], &mut out);
            }
        }
    }
    out
}

/// Ports without lines, sorted and deduplicated.
pub(crate) fn normalise_ports(ports: &[PortSpec]) -> Vec<PortSpec> {
    let mut out: Vec<PortSpec> = ports
        .iter()
        .map(|p| PortSpec {
            line: None,
            ..p.clone()
        })
        .collect();
    out.sort_by_key(port_key);
    out.dedup();
    out
}

/// A sort key for a port entry: protocol, then all, numbers, names.
pub(crate) fn port_key(p: &PortSpec) -> (usize, u8, u16, u16, String) {
    use podnet_model::PortMatch;
    let proto = p.protocol.index();
    match &p.port {
        PortMatch::All => (proto, 0, 0, 0, String::new()),
        PortMatch::Range(lo, hi) => (proto, 1, *lo, *hi, String::new()),
        PortMatch::Named(n) => (proto, 2, 0, 0, n.clone()),
    }
}
