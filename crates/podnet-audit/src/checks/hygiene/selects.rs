//! PN2001 (a policy that selects no pod) and PN2002 (a peer that matches
//! nothing), with the closest existing label as the likely fix.

use std::collections::HashMap;

use podnet_engine::nsindex::NamespaceIndex;
use podnet_model::cluster::NAMESPACE_NAME_LABEL;
use podnet_model::policy::PeerKind;
use podnet_model::{
    AdminPolicy, AdminSubject, Cluster, Direction, LabelSelector, Labels, NamespaceScope, NsId,
};

use super::suggest::{closest_label, existing_values};
use super::{PEER_MATCHES_NOTHING, SELECTS_NO_POD};
use crate::checks::support::{at_line, policy_subjects};
use crate::context::Context;
use crate::finding::{Finding, Rule, Subject};
use crate::found::{Found, HygieneFound, LabelHint, PeerMiss};
use crate::registry::Check;

/// Namespaces every cluster has, though manifests rarely declare them: a
/// selector naming only these is not a typo when the input lacks them.
const SYSTEM_NAMESPACES: [&str; 4] = ["kube-system", "kube-public", "kube-node-lease", "default"];

/// PN2001.
pub struct SelectsNoPod;

impl Check for SelectsNoPod {
    fn rules(&self) -> &'static [Rule] {
        &[SELECTS_NO_POD]
    }

    fn run(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let cluster = ctx.cluster();
        for policy in &cluster.policies {
            if !policy_subjects(ctx, policy).is_empty() {
                continue;
            }
            let ns = &cluster.namespace(policy.namespace).name;
            let labels = pod_labels_in(ctx, &[policy.namespace]);
            let hint = fix_hint(&policy.pod_selector, &labels);
            out.push(Finding::new(
                &SELECTS_NO_POD,
                Subject::of(&policy.meta),
                Found::Hygiene(HygieneFound::SelectsNoPod {
                    selector: policy.pod_selector.clone(),
                    namespace: ns.clone(),
                    no_pods: labels.is_empty(),
                    hint,
                }),
            ));
        }
        for admin in &cluster.admin_policies {
            if admin_selects_nothing(ctx, admin) {
                out.push(Finding::new(
                    &SELECTS_NO_POD,
                    Subject::of(&admin.meta),
                    Found::Hygiene(HygieneFound::AdminSelectsNoPod {
                        subject: admin.subject.clone(),
                    }),
                ));
            }
        }
    }
}

fn admin_selects_nothing(ctx: &Context<'_>, admin: &AdminPolicy) -> bool {
    let cluster = ctx.cluster();
    !ctx.engine.identities().list.iter().any(|id| {
        let ns = &cluster.namespace(id.namespace).labels;
        let pod = &cluster.label_sets[id.labels.index()];
        !id.host_network
            && match &admin.subject {
                AdminSubject::Namespaces(sel) => sel.matches(ns),
                AdminSubject::Pods(p) => p.namespaces.matches(ns) && p.pods.matches(pod),
            }
    })
}

/// Distinct label sets of the (non-host-network) pods in `namespaces`.
fn pod_labels_in<'c>(ctx: &Context<'c>, namespaces: &[NsId]) -> Vec<&'c Labels> {
    let cluster = ctx.cluster();
    let members = &ctx.engine.identities().members;
    let mut sets: Vec<usize> = namespaces
        .iter()
        .filter_map(|ns| members.by_namespace.get(ns.index()))
        .flatten()
        .filter(|&&m| !members.list[m].host_network)
        .map(|&m| members.list[m].labels.index())
        .collect();
    sets.sort_unstable();
    sets.dedup();
    sets.into_iter().map(|i| &cluster.label_sets[i]).collect()
}

/// "did you mean `k: v`?" or the existing values of the selector's keys.
fn fix_hint(selector: &LabelSelector, candidates: &[&Labels]) -> Option<LabelHint> {
    if let Some(label) = closest_label(selector, candidates) {
        return Some(LabelHint::Closest(label));
    }
    let values = existing_values(selector, candidates, 5);
    (!values.is_empty()).then_some(LabelHint::Existing(values))
}

/// PN2002.
pub struct PeerMatchesNothing;

impl Check for PeerMatchesNothing {
    fn rules(&self) -> &'static [Rule] {
        &[PEER_MATCHES_NOTHING]
    }

    fn run(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let cluster = ctx.cluster();
        let index = NamespaceIndex::new(cluster);
        // Equal peers (many policies repeat theirs) are judged once.
        type Key<'a> = (Option<NsId>, Option<&'a LabelSelector>, &'a LabelSelector);
        let mut judged: HashMap<Key<'_>, Option<(PeerMiss, Option<LabelHint>)>> = HashMap::new();
        for policy in &cluster.policies {
            for dir in Direction::BOTH {
                if !policy.affects(dir) {
                    continue;
                }
                for (ri, rule) in policy.rules(dir).iter().enumerate() {
                    for (pi, peer) in rule.peers.iter().enumerate() {
                        let PeerKind::Pods { namespaces, pods } = &peer.kind else {
                            continue;
                        };
                        let key = match namespaces {
                            NamespaceScope::PolicyNamespace => (Some(policy.namespace), None, pods),
                            NamespaceScope::Selected(sel) => (None, Some(sel), pods),
                        };
                        let found = judged.entry(key).or_insert_with(|| {
                            miss(ctx, &index, policy.namespace, namespaces, pods)
                        });
                        let Some((miss, hint)) = found.clone() else {
                            continue;
                        };
                        out.push(Finding::new(
                            &PEER_MATCHES_NOTHING,
                            at_line(&policy.meta, peer.line.or(rule.line)),
                            Found::Hygiene(HygieneFound::PeerMatchesNothing {
                                direction: dir,
                                rule: ri,
                                peer: pi,
                                miss,
                                hint,
                            }),
                        ));
                    }
                }
            }
        }
    }
}

/// Why a pod peer matches nothing, with a hint; `None` when it matches
/// something or the input cannot tell (namespaces it has no pod of).
fn miss(
    ctx: &Context<'_>,
    index: &NamespaceIndex<'_>,
    policy_ns: NsId,
    scope: &NamespaceScope,
    pods: &LabelSelector,
) -> Option<(PeerMiss, Option<LabelHint>)> {
    let cluster = ctx.cluster();
    let namespaces: Vec<NsId> = match scope {
        NamespaceScope::PolicyNamespace => vec![policy_ns],
        NamespaceScope::Selected(sel) => {
            let matched: Vec<NsId> = index.matching(sel);
            if matched.is_empty() {
                if names_system_namespace(cluster, sel) {
                    return None;
                }
                let labels: Vec<&Labels> = cluster.namespaces.iter().map(|n| &n.labels).collect();
                return Some((PeerMiss::NoNamespace(sel.clone()), fix_hint(sel, &labels)));
            }
            matched
        }
    };
    let labels = pod_labels_in(ctx, &namespaces);
    if labels.is_empty() || labels.iter().any(|l| pods.matches(l)) {
        return None;
    }
    let names: Vec<String> = namespaces
        .iter()
        .map(|&n| cluster.namespace(n).name.clone())
        .collect();
    Some((
        PeerMiss::NoPod(pods.clone(), names),
        fix_hint(pods, &labels),
    ))
}

/// Whether `sel` matches a system namespace the input does not declare.
fn names_system_namespace(cluster: &Cluster, sel: &LabelSelector) -> bool {
    SYSTEM_NAMESPACES.iter().any(|name| {
        cluster.namespace_by_name(name).is_none() && {
            let mut labels = Labels::new();
            labels.insert(NAMESPACE_NAME_LABEL, *name);
            sel.matches(&labels)
        }
    })
}
