//! PN2004: a named port in a rule that no pod it could resolve on defines:
//! the selected pods for ingress, the rule's peer pods for egress (API
//! reference, NetworkPolicyPort `port`: "a named port on a pod").

use std::collections::{BTreeSet, HashMap};

use podnet_engine::identity::IdentityId;
use podnet_model::policy::PeerKind;
use podnet_model::{Direction, PolicyId, PortMatch, Protocol};

use super::NAMED_PORT_UNDEFINED;
use crate::checks::support::{at_line, policy_subjects};
use crate::context::Context;
use crate::finding::{Finding, Rule};
use crate::found::{Found, HygieneFound, NamedPortPods};
use crate::registry::Check;

/// PN2004.
pub struct NamedPortUndefined;

impl Check for NamedPortUndefined {
    fn rules(&self) -> &'static [Rule] {
        &[NAMED_PORT_UNDEFINED]
    }

    fn run(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let cluster = ctx.cluster();
        let engine = ctx.engine;
        let compiled: HashMap<(PolicyId, Direction, usize), usize> = engine
            .compiled()
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| ((r.policy, r.direction, r.index), i))
            .collect();
        for (p, policy) in cluster.policies.iter().enumerate() {
            let subjects = policy_subjects(ctx, policy);
            if subjects.is_empty() {
                continue;
            }
            for dir in Direction::BOTH {
                if !policy.affects(dir) {
                    continue;
                }
                for (ri, rule) in policy.rules(dir).iter().enumerate() {
                    let named: Vec<(usize, Protocol, &str, Option<u32>)> = rule
                        .ports
                        .iter()
                        .enumerate()
                        .filter_map(|(i, spec)| match &spec.port {
                            PortMatch::Named(n) => Some((i, spec.protocol, n.as_str(), spec.line)),
                            _ => None,
                        })
                        .collect();
                    if named.is_empty() {
                        continue;
                    }
                    let (pods, whose): (Vec<IdentityId>, NamedPortPods) = match dir {
                        Direction::Ingress => (subjects.clone(), NamedPortPods::Selected),
                        Direction::Egress => {
                            let Some(&c) = compiled.get(&(PolicyId::from_index(p), dir, ri)) else {
                                continue;
                            };
                            let peers = &engine.compiled().rules[c].peers;
                            let ids: Vec<IdentityId> = peers.identities.ones().collect();
                            if ids.is_empty() {
                                if rule
                                    .peers
                                    .iter()
                                    .any(|x| matches!(x.kind, PeerKind::Pods { .. }))
                                {
                                    // PN2002 reports the peers; nothing to resolve on.
                                    continue;
                                }
                                (ids, NamedPortPods::IpBlocksOnly)
                            } else {
                                (ids, NamedPortPods::Peers)
                            }
                        }
                    };
                    for (i, protocol, name, line) in named {
                        if let Some(other_protocols) = undefined(ctx, &pods, protocol, name) {
                            out.push(Finding::new(
                                &NAMED_PORT_UNDEFINED,
                                at_line(&policy.meta, line.or(rule.line)),
                                Found::Hygiene(HygieneFound::NamedPortUndefined {
                                    direction: dir,
                                    rule: ri,
                                    port: i,
                                    name: name.to_owned(),
                                    protocol,
                                    pods: whose,
                                    none: pods.is_empty(),
                                    other_protocols,
                                }),
                            ));
                        }
                    }
                }
            }
        }
    }
}

/// Whether `name`/`protocol` resolves on none of `pods`: the protocols
/// they give `name` instead; `None` when one defines it.
fn undefined(
    ctx: &Context<'_>,
    pods: &[IdentityId],
    protocol: Protocol,
    name: &str,
) -> Option<BTreeSet<Protocol>> {
    let cluster = ctx.cluster();
    let ids = ctx.engine.identities();
    let mut tables: Vec<usize> = pods.iter().map(|&i| ids.list[i].ports.index()).collect();
    tables.sort_unstable();
    tables.dedup();
    let mut other_protocols: BTreeSet<Protocol> = BTreeSet::new();
    for t in tables {
        for port in &cluster.port_tables[t] {
            if port.name.as_deref() == Some(name) {
                if port.protocol == protocol {
                    return None;
                }
                other_protocols.insert(port.protocol);
            }
        }
    }
    Some(other_protocols)
}
