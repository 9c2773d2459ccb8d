//! PN1001 and PN1002: workloads whose pods no policy isolates, per
//! direction. Host-network workloads are left out: no NetworkPolicy can
//! select them.

use podnet_model::Direction;

use super::rules::{NOT_ISOLATED_EGRESS, NOT_ISOLATED_INGRESS};
use super::scope::{Cover, Scope, in_namespace};
use crate::checks::support::{workload_display, workload_subject};
use crate::finding::Finding;

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
            let (rule, what) = match dir {
                Direction::Ingress => (
                    &NOT_ISOLATED_INGRESS,
                    "any pod or address may connect to it",
                ),
                Direction::Egress => (&NOT_ISOLATED_EGRESS, "it may connect to any pod or address"),
            };
            let f = Finding::worded(
                rule,
                workload_subject(cluster, w),
                format!(
                    "{}: no NetworkPolicy or admin policy isolates its pods for {dir}; {what}",
                    workload_display(cluster, w)
                ),
                format!(
                    "add a NetworkPolicy `default-deny-{dir}` to namespace `{ns}` with `podSelector: {{}}` and `policyTypes: [{}]`, then allow what it needs",
                    dir.as_str()
                ),
            );
            out.push(f.with_severity(in_namespace(rule.severity, system)));
        }
    }
}
