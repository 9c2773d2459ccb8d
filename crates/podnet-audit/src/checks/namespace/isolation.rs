//! PN1001 and PN1002: workloads whose pods no policy isolates, per
//! direction. Host-network workloads are left out: no NetworkPolicy can
//! select them.

use podnet_model::Direction;

use super::rules::{NOT_ISOLATED_EGRESS, NOT_ISOLATED_INGRESS};
use super::scope::{Cover, Scope, in_namespace};
use crate::checks::support::workload_subject;
use crate::finding::Finding;
use crate::found::{Found, NamespaceFound, Object};

/// Appends PN1001 and PN1002 findings.
pub fn run(scope: &Scope<'_>, out: &mut Vec<Finding>) {
    let cluster = scope.cluster;
    for w in scope.workloads() {
        let system = scope.system(w);
        let ns = &cluster.namespace(cluster.workload(w).namespace).name;
        for (i, dir) in [Direction::Ingress, Direction::Egress]
            .into_iter()
            .enumerate()
        {
            if scope.isolation(w)[i] != Cover::Open {
                continue;
            }
            let rule = match dir {
                Direction::Ingress => &NOT_ISOLATED_INGRESS,
                Direction::Egress => &NOT_ISOLATED_EGRESS,
            };
            let f = Finding::new(
                rule,
                workload_subject(cluster, w),
                Found::Namespace(NamespaceFound::NotIsolated {
                    workload: Object::workload(cluster, w),
                    direction: dir,
                    namespace: ns.clone(),
                }),
            );
            out.push(f.with_severity(in_namespace(rule.severity, system)));
        }
    }
}
