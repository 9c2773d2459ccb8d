//! The words of the namespace-strategy findings (PN1001-PN1011).

use std::collections::BTreeSet;

use podnet_audit::found::{ContainerGap, GrantScope, NamespaceFound};
use podnet_model::{Budget, Direction, IntOrPercent, RbacSubject};

use super::{object, short_list};

/// What is wrong.
pub(super) fn message(found: &NamespaceFound) -> String {
    match found {
        NamespaceFound::NotIsolated {
            workload,
            direction,
            ..
        } => {
            let what = match direction {
                Direction::Ingress => "any pod or address may connect to it",
                Direction::Egress => "it may connect to any pod or address",
            };
            format!(
                "{}: no NetworkPolicy or admin policy isolates its pods for {direction}; {what}",
                object(workload)
            )
        }
        NamespaceFound::NoQuota {
            namespace,
            workloads,
        } => {
            format!("namespace `{namespace}` runs {workloads} workload(s) and has no ResourceQuota")
        }
        NamespaceFound::NoLimitRange {
            namespace,
            workloads,
        } => format!("namespace `{namespace}` runs {workloads} workload(s) and has no LimitRange"),
        NamespaceFound::RejectedByQuota {
            workload,
            gaps,
            quotas,
            ..
        } => {
            let list: BTreeSet<String> = gaps.iter().map(gap).collect();
            let list: Vec<String> = list.into_iter().collect();
            format!(
                "{}: {}, which ResourceQuota {} requires and no LimitRange sets: the API server rejects its pods",
                object(workload),
                list.join("; "),
                quotas.join(", ")
            )
        }
        NamespaceFound::NoPdb {
            workload, replicas, ..
        } => format!(
            "{} runs {replicas} replicas and no PodDisruptionBudget selects its pods: a drain may evict them all at once",
            object(workload)
        ),
        NamespaceFound::PdbBlocksEviction {
            pdb,
            budget,
            selected,
            workloads,
        } => {
            let why = match budget {
                Budget::MaxUnavailable(m) => format!("`maxUnavailable: {m}`"),
                Budget::MinAvailable(m @ IntOrPercent::Percent(_)) => {
                    format!("`minAvailable: {m}` of the {selected} pod(s) it selects")
                }
                Budget::MinAvailable(m) => {
                    format!("`minAvailable: {m}` with only {selected} pod(s) selected")
                }
                Budget::Unset => "its budget".to_owned(),
            };
            let workloads: Vec<String> = workloads.iter().map(object).collect();
            format!(
                "PodDisruptionBudget {pdb}: {why} allows no eviction of {}: `kubectl drain` and node upgrades block",
                short_list(&workloads, 3)
            )
        }
        NamespaceFound::DefaultServiceAccount {
            workload,
            namespace,
        } => format!(
            "{} runs as the `default` ServiceAccount of `{namespace}`, shared by every workload there that names none",
            object(workload)
        ),
        NamespaceFound::ClusterAdmin {
            binding,
            subjects,
            scope,
        } => {
            let scope = match scope {
                GrantScope::Namespace(ns) => format!("every resource of namespace `{ns}`"),
                GrantScope::Cluster => "the whole cluster".to_owned(),
            };
            format!(
                "{} grants `cluster-admin` to {}: full control of {scope}",
                object(binding),
                who(subjects)
            )
        }
        NamespaceFound::WildcardGrant {
            binding,
            role,
            role_source,
            rule_line,
            any_verb,
            any_resource,
            subjects,
            scope,
        } => {
            let mut what = Vec::new();
            if *any_verb {
                what.push("every verb");
            }
            if *any_resource {
                what.push("every resource");
            }
            let where_ = match scope {
                GrantScope::Namespace(ns) => format!("in namespace `{ns}`"),
                GrantScope::Cluster => "cluster-wide".to_owned(),
            };
            let rule_at = match rule_line {
                Some(line) => format!(" ({}:{line})", role_source.file),
                None => format!(" ({role_source})"),
            };
            format!(
                "{} grants {}, whose rule{rule_at} allows {}, to {} {where_}",
                object(binding),
                object(role),
                what.join(" and "),
                who(subjects)
            )
        }
        NamespaceFound::CrossNamespaceFlow {
            from, to, conns, ..
        } => format!("{} may connect to {}: {conns}", object(from), object(to)),
        NamespaceFound::MoreCrossNamespaceFlows { rest, listed } => format!(
            "{rest} more pairs of workloads in different namespaces may connect (the first {listed} are listed)"
        ),
    }
}

/// How to fix it.
pub(super) fn help(found: &NamespaceFound) -> String {
    match found {
        NamespaceFound::NotIsolated {
            direction,
            namespace,
            ..
        } => format!(
            "add a NetworkPolicy `default-deny-{direction}` to namespace `{namespace}` with `podSelector: {{}}` and `policyTypes: [{}]`, then allow what it needs",
            direction.as_str()
        ),
        NamespaceFound::NoQuota { namespace, .. } => format!(
            "add a ResourceQuota to `{namespace}` (requests.cpu, requests.memory, limits.cpu, limits.memory, pods)"
        ),
        NamespaceFound::NoLimitRange { namespace, .. } => format!(
            "add a LimitRange to `{namespace}` with `default` and `defaultRequest` for cpu and memory"
        ),
        NamespaceFound::RejectedByQuota { namespace, .. } => format!(
            "set resources.requests and resources.limits for cpu and memory on each container, or add a LimitRange with `default` and `defaultRequest` to `{namespace}`"
        ),
        NamespaceFound::NoPdb { namespace, .. } => format!(
            "add a PodDisruptionBudget in `{namespace}` selecting its pod labels with `minAvailable: 1`"
        ),
        NamespaceFound::PdbBlocksEviction { .. } => {
            "allow at least one disruption: `minAvailable` below the replica count, or `maxUnavailable: 1`".to_owned()
        }
        NamespaceFound::DefaultServiceAccount { namespace, .. } => format!(
            "create a ServiceAccount for it in `{namespace}`, set `serviceAccountName`, and `automountServiceAccountToken: false` if it does not call the API"
        ),
        NamespaceFound::ClusterAdmin { .. } => {
            "bind a narrower role (`admin`, `edit`, `view` or your own) with only the verbs and resources needed".to_owned()
        }
        NamespaceFound::WildcardGrant { role, subjects, .. } => format!(
            "replace `*` in {} with the verbs and resources {} needs",
            object(role),
            who(subjects)
        ),
        NamespaceFound::CrossNamespaceFlow {
            from_namespace,
            to_namespace,
            ..
        } => format!(
            "if not intended, narrow the egress rules of `{from_namespace}` or the ingress rules of `{to_namespace}`"
        ),
        NamespaceFound::MoreCrossNamespaceFlows { .. } => {
            "review them grouped: `podnet connlist --group` states every flow by namespace and label selector".to_owned()
        }
    }
}

/// `container `name` has no cpu requests and memory limits`.
fn gap(g: &ContainerGap) -> String {
    let mut missing = Vec::new();
    if !g.requests.is_empty() {
        missing.push(format!("{} requests", g.requests.describe()));
    }
    if !g.limits.is_empty() {
        missing.push(format!("{} limits", g.limits.describe()));
    }
    let kind = if g.init {
        "init container"
    } else {
        "container"
    };
    format!("{kind} `{}` has no {}", g.name, missing.join(" and "))
}

/// The subjects of a binding, at most three named.
fn who(subjects: &[RbacSubject]) -> String {
    if subjects.is_empty() {
        return "no subject".to_owned();
    }
    let names: Vec<String> = subjects.iter().map(RbacSubject::display).collect();
    short_list(&names, 3)
}
