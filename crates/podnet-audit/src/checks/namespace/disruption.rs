//! PN1006 and PN1007: replicated workloads no PodDisruptionBudget
//! protects, and budgets that permit no eviction at all (they block
//! `kubectl drain`). A budget counts for a workload when it selects one of
//! its pods; its allowed disruptions are computed over every pod of its
//! namespace it selects, as the disruption controller does.

use podnet_model::{DisruptionBudget, PodId};

use super::rules::{NO_PDB, PDB_BLOCKS_EVICTION};
use super::scope::{Scope, in_namespace, is_system_namespace};
use crate::checks::support::workload_subject;
use crate::finding::{Finding, Subject};
use crate::found::{Found, NamespaceFound, Object};

/// The pods of the input's workloads in `pdb`'s namespace it selects.
pub fn selected_pods(scope: &Scope<'_>, pdb: &DisruptionBudget) -> Vec<PodId> {
    let cluster = scope.cluster;
    let Some(ns) = pdb
        .meta
        .namespace
        .as_deref()
        .and_then(|n| cluster.namespace_by_name(n))
    else {
        return Vec::new();
    };
    scope
        .by_namespace
        .get(&ns)
        .into_iter()
        .flatten()
        .flat_map(|&w| cluster.workload(w).pods.iter().copied())
        .filter(|&p| pdb.selects(cluster.pod_labels(p)))
        .collect()
}

/// Appends PN1006 and PN1007 findings.
pub fn run(scope: &Scope<'_>, out: &mut Vec<Finding>) {
    let cluster = scope.cluster;
    let g = &cluster.governance;
    for w in scope.workloads() {
        let Some(replicas) = scope.replicas(w).filter(|&r| r > 1) else {
            continue;
        };
        if scope.system(w) {
            continue;
        }
        let wl = cluster.workload(w);
        let ns = &cluster.namespace(wl.namespace).name;
        let covered = g
            .disruption_budgets_in(ns)
            .any(|b| wl.pods.iter().any(|&p| b.selects(cluster.pod_labels(p))));
        if !covered {
            out.push(Finding::new(
                &NO_PDB,
                workload_subject(cluster, w),
                Found::Namespace(NamespaceFound::NoPdb {
                    workload: Object::workload(cluster, w),
                    replicas,
                    namespace: ns.clone(),
                }),
            ));
        }
    }
    for pdb in &g.disruption_budgets {
        let pods = selected_pods(scope, pdb);
        if pods.is_empty() {
            continue;
        }
        let total = u32::try_from(pods.len()).unwrap_or(u32::MAX);
        if pdb.allowed_disruptions(total) > 0 {
            continue;
        }
        let mut workloads: Vec<Object> = pods
            .iter()
            .map(|&p| Object::workload(cluster, cluster.pod(p).workload))
            .collect();
        workloads.dedup();
        let system = pdb
            .meta
            .namespace
            .as_deref()
            .is_some_and(is_system_namespace);
        let f = Finding::new(
            &PDB_BLOCKS_EVICTION,
            Subject::of(&pdb.meta),
            Found::Namespace(NamespaceFound::PdbBlocksEviction {
                pdb: pdb.meta.qualified_name(),
                budget: pdb.budget,
                selected: total,
                workloads,
            }),
        );
        out.push(f.with_severity(in_namespace(PDB_BLOCKS_EVICTION.severity, system)));
    }
}
