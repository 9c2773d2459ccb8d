//! PN1011: allowed flows between workloads of different namespaces, from
//! the engine's workload connectivity. Flows with an end in a system
//! namespace (DNS to `kube-system`, an operator's probes) and the
//! workloads podnet adds are left out.
//!
//! The first [`MAX_LISTED`] flows are findings of their own, in connlist
//! order (read from the stream, which stops there); when there are more,
//! one finding counts the rest, counted on the grouped view so that a
//! dense cluster's hundred million pairs are never listed.

use std::io;

use podnet_engine::groups::{RawEnd, group_pairs};
use podnet_engine::{FlowSource, PeerRef, Scope as RowScope, rows};
use podnet_model::{Conns, NsId, WorkloadId};

use super::rules::CROSS_NAMESPACE_FLOW;
use super::scope::Scope;
use crate::checks::support::{synthesised, workload_subject};
use crate::context::Context;
use crate::finding::Finding;
use crate::found::{Found, NamespaceFound, Object};

/// Flows reported one by one; the rest are counted.
pub const MAX_LISTED: usize = 10_000;

/// Which workloads count: input workloads outside system namespaces.
fn counted(ctx: &Context<'_>, scope: &Scope<'_>) -> Vec<bool> {
    let mut out = vec![false; ctx.cluster().workloads.len()];
    for w in scope.workloads().filter(|&w| !scope.system(w)) {
        out[w.index()] = true;
    }
    out
}

/// The first `limit` workload pairs in different namespaces (neither a
/// system one) that may connect, in connlist order, and whether there are
/// more.
pub fn cross_namespace(
    ctx: &Context<'_>,
    scope: &Scope<'_>,
    limit: usize,
) -> (Vec<(WorkloadId, WorkloadId, Conns)>, bool) {
    let cluster = scope.cluster;
    let counted = counted(ctx, scope);
    let mut out = Vec::new();
    let mut more = false;
    let stream = rows(ctx.engine, RowScope::all());
    let streamed = stream.for_each_batch(&mut |batch| {
        for f in batch.flows {
            let (PeerRef::Workload(s), PeerRef::Workload(d)) = (&f.src, &f.dst) else {
                continue;
            };
            if !counted[s.index()]
                || !counted[d.index()]
                || cluster.workload(*s).namespace == cluster.workload(*d).namespace
            {
                continue;
            }
            if out.len() == limit {
                more = true;
                return Err(io::Error::other("enough flows listed"));
            }
            out.push((*s, *d, batch.table.get(f.conns).clone()));
        }
        Ok(())
    });
    // Stopping early is the only error the stream can give here.
    debug_assert!(streamed.is_ok() || more);
    (out, more)
}

/// Number of workload pairs in different namespaces (neither a system one)
/// that may connect, counted line by line on the grouped view.
fn count_cross_namespace(ctx: &Context<'_>, scope: &Scope<'_>) -> u64 {
    let cluster = ctx.cluster();
    let counted = counted(ctx, scope);
    let by_ns = |end: &RawEnd| -> Vec<(NsId, u64)> {
        let RawEnd::Workloads(list) = end else {
            return Vec::new();
        };
        let mut ns: Vec<NsId> = list
            .iter()
            .filter(|w| counted[w.index()])
            .map(|&w| cluster.workload(w).namespace)
            .collect();
        ns.sort_unstable();
        ns.chunk_by(|a, b| a == b)
            .map(|run| (run[0], run.len() as u64))
            .collect()
    };
    group_pairs(ctx.engine, &synthesised(ctx))
        .iter()
        .map(|line| {
            let (src, dst) = (by_ns(&line.src), by_ns(&line.dst));
            let total = |v: &[(NsId, u64)]| v.iter().map(|e| e.1).sum::<u64>();
            let mut same = 0;
            let (mut i, mut j) = (0, 0);
            while i < src.len() && j < dst.len() {
                match src[i].0.cmp(&dst[j].0) {
                    std::cmp::Ordering::Less => i += 1,
                    std::cmp::Ordering::Greater => j += 1,
                    std::cmp::Ordering::Equal => {
                        same += src[i].1 * dst[j].1;
                        i += 1;
                        j += 1;
                    }
                }
            }
            total(&src) * total(&dst) - same
        })
        .sum()
}

/// Appends PN1011 findings.
pub fn run(ctx: &Context<'_>, scope: &Scope<'_>, out: &mut Vec<Finding>) {
    let cluster = scope.cluster;
    let (listed, more) = cross_namespace(ctx, scope, MAX_LISTED);
    let last = listed.last().map(|l| l.0);
    for (s, d, conns) in &listed {
        let src_ns = &cluster.namespace(cluster.workload(*s).namespace).name;
        let dst_ns = &cluster.namespace(cluster.workload(*d).namespace).name;
        out.push(Finding::new(
            &CROSS_NAMESPACE_FLOW,
            workload_subject(cluster, *s),
            Found::Namespace(NamespaceFound::CrossNamespaceFlow {
                from: Object::workload(cluster, *s),
                to: Object::workload(cluster, *d),
                conns: conns.clone(),
                from_namespace: src_ns.clone(),
                to_namespace: dst_ns.clone(),
            }),
        ));
    }
    if let (true, Some(s)) = (more, last) {
        let rest = count_cross_namespace(ctx, scope).saturating_sub(listed.len() as u64);
        out.push(Finding::new(
            &CROSS_NAMESPACE_FLOW,
            workload_subject(cluster, s),
            Found::Namespace(NamespaceFound::MoreCrossNamespaceFlows {
                rest,
                listed: MAX_LISTED,
            }),
        ));
    }
}
