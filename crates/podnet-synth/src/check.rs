//! The self-check: the workloads with the synthesised policies only (no
//! other NetworkPolicy or admin tier), run through the engine. Every
//! intent must hold ([`podnet_engine::verify`]) and every allowed flow of
//! [`podnet_engine::connlist`] must be covered by an `allow` intent, an
//! `only` intent's source, or be DNS to the cluster DNS. A forbidding
//! intent broken by a flow an `allow` intent (or DNS) demands is a
//! [`Conflict`]: the intents contradict each other.

use std::sync::Arc;

use podnet_engine::ports::RulePorts;
use podnet_engine::{
    Endpoint, Engine, FlowSource, IntentResult, PeerRef, Scope as RowScope, ViolationKind, rows,
    verify,
};
use podnet_model::policy::PeerKind;
use podnet_model::{
    Cluster, Conns, Intent, IntentRule, IpSet, Meta, NamespaceScope, NetworkPolicy, Peer,
    PolicyRule, PortSet, Protocol, SelectorKind, Source, WorkloadId,
};

use crate::scope::Scope;
use crate::{DNS_LABEL, DNS_NAMESPACE, SynthOptions, SynthPeer, SynthPolicy, SynthRule, Synthesis};

/// What made a forbidding intent fail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cause {
    /// An `allow` intent (index in the intents) demands the flow.
    Intent(usize),
    /// The flow is DNS to the cluster DNS, which synth always allows.
    ClusterDns,
}

/// Two intents (or an intent and DNS) that cannot both hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    /// The forbidding intent that fails (index in the intents).
    pub intent: usize,
    /// What demands the forbidden flow.
    pub causes: Vec<Cause>,
    /// The flow, as `src -> dst port`.
    pub flow: String,
}

/// A flow the synthesised policies allow that no intent asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtraFlow {
    /// Source workload (`ns/name`) or addresses.
    pub src: String,
    /// Destination workload or addresses.
    pub dst: String,
    /// What is allowed beyond the intents.
    pub conns: Conns,
}

/// The outcome of [`self_check`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelfCheck {
    /// One result per intent, in order.
    pub results: Vec<IntentResult>,
    /// Flows allowed beyond the intents (should be none).
    pub extra: Vec<ExtraFlow>,
    /// Failed forbidding intents explained by contradicting intents.
    pub conflicts: Vec<Conflict>,
}

impl SelfCheck {
    /// Whether every intent holds and nothing beyond them is allowed.
    pub fn passed(&self) -> bool {
        self.results.iter().all(|r| r.holds) && self.extra.is_empty()
    }
}

/// Runs the engine on `cluster`'s workloads with the synthesised policies
/// only and checks the result against `intents`.
pub fn self_check(
    cluster: &Cluster,
    intents: &[Intent],
    synthesis: &Synthesis,
    options: &SynthOptions,
) -> SelfCheck {
    let mut checked = cluster.clone();
    checked.policies = synthesis
        .policies
        .iter()
        .filter_map(|p| to_model(&checked, p))
        .collect();
    checked.admin_policies.clear();
    let scope = Scope::new(&checked, options);
    let engine = Engine::with_intents(&checked, intents);
    let results = verify(&engine, intents);
    let conflicts = conflicts(&scope, intents, &results);
    let extra = extra_flows(&scope, intents, &engine);
    SelfCheck {
        results,
        extra,
        conflicts,
    }
}

/// A synthesised policy as the engine reads it.
pub(crate) fn to_model(cluster: &Cluster, p: &SynthPolicy) -> Option<NetworkPolicy> {
    let namespace = cluster.namespace_by_name(&p.namespace)?;
    let rules = |rules: &[SynthRule]| -> Vec<PolicyRule> {
        rules
            .iter()
            .map(|r| PolicyRule {
                line: None,
                peers: r
                    .peers
                    .iter()
                    .map(|peer| Peer {
                        line: None,
                        kind: match peer {
                            SynthPeer::Pods { namespaces, pods } => PeerKind::Pods {
                                namespaces: NamespaceScope::Selected(namespaces.clone()),
                                pods: pods.clone(),
                            },
                            SynthPeer::IpBlock(b) => PeerKind::IpBlock(b.clone()),
                        },
                    })
                    .collect(),
                ports: r.ports.clone(),
            })
            .collect()
    };
    Some(NetworkPolicy {
        meta: Meta {
            kind: "NetworkPolicy".to_owned(),
            namespace: Some(p.namespace.clone()),
            name: p.name.clone(),
            source: Source {
                file: Arc::from("<synth>"),
                document: 1,
                line: None,
                item: None,
            },
        },
        namespace,
        pod_selector: p.pod_selector.clone(),
        affects_ingress: p.ingress_type,
        affects_egress: p.egress_type,
        explicit_policy_types: true,
        ingress: rules(&p.ingress),
        egress: rules(&p.egress),
    })
}

fn dns_conns() -> Conns {
    let mut c = Conns::ports_of(Protocol::Udp, PortSet::single(53));
    c.add(&Conns::ports_of(Protocol::Tcp, PortSet::single(53)));
    c
}

/// Whether `w` is the cluster DNS.
fn is_dns(scope: &Scope<'_>, w: WorkloadId) -> bool {
    let wl = scope.cluster.workload(w);
    scope.ns_name(wl.namespace) == DNS_NAMESPACE
        && wl
            .pods
            .iter()
            .all(|p| scope.cluster.pod_labels(*p).get(DNS_LABEL.0) == Some(DNS_LABEL.1))
}

/// Forbidding intents that fail because an `allow` intent or DNS demands
/// the flow.
fn conflicts(scope: &Scope<'_>, intents: &[Intent], results: &[IntentResult]) -> Vec<Conflict> {
    let mut out = Vec::new();
    for r in results.iter().filter(|r| !r.holds) {
        let Some(intent) = intents.get(r.intent) else {
            continue;
        };
        if matches!(intent.rule, IntentRule::Allow(_)) {
            continue;
        }
        for v in r
            .violations
            .iter()
            .filter(|v| v.kind == ViolationKind::Forbidden)
        {
            let port = v.port;
            let mut causes: Vec<Cause> = intents
                .iter()
                .enumerate()
                .filter(|(_, a)| demands(scope, a, v.src, v.dst, port))
                .map(|(i, _)| Cause::Intent(i))
                .collect();
            if let (Endpoint::Pod(d), Some((proto, 53))) = (v.dst, port)
                && matches!(proto, Protocol::Udp | Protocol::Tcp)
                && is_dns(scope, scope.cluster.pod(d).workload)
            {
                causes.push(Cause::ClusterDns);
            }
            if causes.is_empty() {
                continue;
            }
            let port = port.map_or(String::new(), |(p, n)| format!(" {p} {n}"));
            out.push(Conflict {
                intent: r.intent,
                causes,
                flow: format!(
                    "{} -> {}{port}",
                    endpoint_name(scope, v.src),
                    endpoint_name(scope, v.dst)
                ),
            });
        }
    }
    out
}

fn endpoint_name(scope: &Scope<'_>, e: Endpoint) -> String {
    match e {
        Endpoint::Pod(p) => scope.cluster.pod_name(p),
        Endpoint::External(a) => a.to_string(),
    }
}

/// Whether `intent` is an `allow` demanding `src -> dst` on `port`.
fn demands(
    scope: &Scope<'_>,
    intent: &Intent,
    src: Endpoint,
    dst: Endpoint,
    port: Option<(Protocol, u16)>,
) -> bool {
    let IntentRule::Allow(f) = &intent.rule else {
        return false;
    };
    let selects = |e: &podnet_model::EndpointSelector, end: Endpoint| match (end, &e.kind) {
        (Endpoint::External(a), SelectorKind::IpBlock(b)) => b.addresses.contains(a),
        (Endpoint::Pod(p), _) => scope.selects_pod(e, p),
        _ => false,
    };
    if !f.from.iter().any(|e| selects(e, src)) || !f.to.iter().any(|e| selects(e, dst)) {
        return false;
    }
    let conns = match dst {
        Endpoint::Pod(p) => scope.ports_on_pods(&f.ports, &[p]),
        Endpoint::External(_) => RulePorts::new(&f.ports).off_cluster().clone(),
    };
    port.is_none_or(|(proto, n)| conns.allows(proto, n))
}

/// Address sets with the connections intents grant them.
type Grants = Vec<(IpSet, Conns)>;

/// Flows allowed beyond every intent and DNS.
fn extra_flows(scope: &Scope<'_>, intents: &[Intent], engine: &Engine<'_>) -> Vec<ExtraFlow> {
    let mut out = Vec::new();
    // Streamed: a cluster the synthesis leaves open may have many flows.
    let streamed = rows(engine, RowScope::all()).for_each_batch(&mut |batch| {
        for f in batch.flows {
            extra_flow(
                scope,
                intents,
                &f.src,
                &f.dst,
                batch.table.get(f.conns),
                &mut out,
            );
        }
        Ok(())
    });
    debug_assert!(streamed.is_ok(), "collecting never fails");
    out
}

/// What one connection allows beyond the intents.
fn extra_flow(
    scope: &Scope<'_>,
    intents: &[Intent],
    src: &PeerRef,
    dst: &PeerRef,
    conns: &Conns,
    out: &mut Vec<ExtraFlow>,
) {
    let ignored = |p: &PeerRef| matches!(p, PeerRef::Workload(w) if scope.ignored(*w));
    if ignored(src) || ignored(dst) {
        return;
    }
    // No NetworkPolicy applies to host-network pods: what they send
    // out and receive from outside is beyond any policy.
    let host = |p: &PeerRef| matches!(p, PeerRef::Workload(w) if scope.host_network(*w));
    let outside = |p: &PeerRef| matches!(p, PeerRef::External(_));
    if (host(src) && outside(dst)) || (outside(src) && host(dst)) {
        return;
    }
    // Nor to what a host-network pod sends into the pods of its own node
    // (always allowed: NetworkPolicy concept page, "The two sorts of pod
    // isolation").
    if let (PeerRef::Workload(w), PeerRef::Workload(v)) = (src, dst)
        && scope.node_traffic_into(*w, *v)
    {
        return;
    }
    match (src, dst) {
        (PeerRef::Workload(w), PeerRef::Workload(v)) => {
            let left = conns.difference(&covered(scope, intents, *w, *v));
            if !left.is_empty() {
                out.push(ExtraFlow {
                    src: scope.cluster.workload_name(*w),
                    dst: scope.cluster.workload_name(*v),
                    conns: left,
                });
            }
        }
        (PeerRef::External(s), PeerRef::Workload(v)) => {
            let grants = external_grants(scope, intents, None, Some(*v));
            for (set, conns) in uncovered(s, conns, &grants) {
                out.push(ExtraFlow {
                    src: set.to_string(),
                    dst: scope.cluster.workload_name(*v),
                    conns,
                });
            }
        }
        (PeerRef::Workload(w), PeerRef::External(s)) => {
            let grants = external_grants(scope, intents, Some(*w), None);
            for (set, conns) in uncovered(s, conns, &grants) {
                out.push(ExtraFlow {
                    src: scope.cluster.workload_name(*w),
                    dst: set.to_string(),
                    conns,
                });
            }
        }
        _ => {}
    }
}

/// What the intents (and DNS) grant from workload `w` to workload `v`.
fn covered(scope: &Scope<'_>, intents: &[Intent], w: WorkloadId, v: WorkloadId) -> Conns {
    let mut conns = Conns::none();
    if is_dns(scope, v) {
        conns.add(&dns_conns());
    }
    for intent in intents {
        match &intent.rule {
            IntentRule::Allow(f)
                if f.from.iter().any(|e| scope.selects(e, w))
                    && f.to.iter().any(|e| scope.selects(e, v)) =>
            {
                conns.add(&scope.ports_on(&f.ports, v));
            }
            IntentRule::Only(o) if o.to.iter().any(|e| scope.selects(e, v)) => {
                for s in o.from.iter().filter(|s| scope.selects(&s.selector, w)) {
                    conns.add(&scope.ports_on(o.ports_of(s), v));
                }
            }
            _ => {}
        }
    }
    conns
}

/// What the intents grant between outside addresses and a workload: into
/// `dst`, or out of `src`.
fn external_grants(
    scope: &Scope<'_>,
    intents: &[Intent],
    src: Option<WorkloadId>,
    dst: Option<WorkloadId>,
) -> Grants {
    let mut out = Vec::new();
    let block = |e: &podnet_model::EndpointSelector| match &e.kind {
        SelectorKind::IpBlock(b) => Some(b.addresses.clone()),
        _ => None,
    };
    for intent in intents {
        match &intent.rule {
            IntentRule::Allow(f) => {
                if let Some(v) = dst
                    && f.to.iter().any(|e| scope.selects(e, v))
                {
                    let conns = scope.ports_on(&f.ports, v);
                    out.extend(f.from.iter().filter_map(block).map(|a| (a, conns.clone())));
                }
                if let Some(w) = src
                    && f.from.iter().any(|e| scope.selects(e, w))
                {
                    let conns = RulePorts::new(&f.ports).off_cluster().clone();
                    out.extend(f.to.iter().filter_map(block).map(|a| (a, conns.clone())));
                }
            }
            IntentRule::Only(o) => {
                if let Some(v) = dst
                    && o.to.iter().any(|e| scope.selects(e, v))
                {
                    for s in &o.from {
                        if let Some(a) = block(&s.selector) {
                            out.push((a, scope.ports_on(o.ports_of(s), v)));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The parts of `set` x `conns` no grant covers.
fn uncovered(set: &IpSet, conns: &Conns, grants: &Grants) -> Vec<(IpSet, Conns)> {
    let mut pieces = vec![(set.clone(), conns.clone())];
    for (addresses, granted) in grants {
        let mut next = Vec::new();
        for (s, c) in pieces {
            let inside = s.intersection(addresses);
            let outside = s.difference(addresses);
            if !inside.is_empty() {
                let rest = c.difference(granted);
                if !rest.is_empty() {
                    next.push((inside, rest));
                }
            }
            if !outside.is_empty() {
                next.push((outside, c));
            }
        }
        pieces = next;
    }
    pieces
}
