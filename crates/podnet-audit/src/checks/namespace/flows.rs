//! PN1011: allowed flows between workloads of different namespaces, from
//! the engine's workload connectivity. Flows with an end in a system
//! namespace (DNS to `kube-system`, an operator's probes) and the
//! workloads podnet adds are left out.

use std::collections::HashSet;

use podnet_engine::{PeerRef, connlist};
use podnet_model::WorkloadId;

use super::rules::CROSS_NAMESPACE_FLOW;
use super::scope::Scope;
use crate::checks::support::{workload_display, workload_subject};
use crate::context::Context;
use crate::finding::Finding;

/// Workload pairs in different namespaces (neither a system one) that may
/// connect, with what is allowed, in connlist order.
pub fn cross_namespace(
    ctx: &Context<'_>,
    scope: &Scope<'_>,
) -> Vec<(WorkloadId, WorkloadId, podnet_model::Conns)> {
    let cluster = scope.cluster;
    let input: HashSet<WorkloadId> = scope.workloads().collect();
    connlist(ctx.engine)
        .connections
        .into_iter()
        .filter_map(|c| match (c.src, c.dst) {
            (PeerRef::Workload(s), PeerRef::Workload(d)) => Some((s, d, c.conns)),
            _ => None,
        })
        .filter(|(s, d, conns)| {
            input.contains(s)
                && input.contains(d)
                && !conns.is_empty()
                && cluster.workload(*s).namespace != cluster.workload(*d).namespace
                && !scope.system(*s)
                && !scope.system(*d)
        })
        .collect()
}

/// Appends PN1011 findings.
pub fn run(ctx: &Context<'_>, scope: &Scope<'_>, out: &mut Vec<Finding>) {
    let cluster = scope.cluster;
    for (s, d, conns) in cross_namespace(ctx, scope) {
        let src_ns = &cluster.namespace(cluster.workload(s).namespace).name;
        let dst_ns = &cluster.namespace(cluster.workload(d).namespace).name;
        out.push(Finding::new(
            &CROSS_NAMESPACE_FLOW,
            workload_subject(cluster, s),
            format!(
                "{} may connect to {}: {conns}",
                workload_display(cluster, s),
                workload_display(cluster, d)
            ),
            format!(
                "if not intended, narrow the egress rules of `{src_ns}` or the ingress rules of `{dst_ns}`"
            ),
        ));
    }
}
