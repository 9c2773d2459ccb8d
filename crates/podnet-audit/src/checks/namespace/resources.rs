//! PN1003, PN1004 and PN1005: namespaces without a ResourceQuota or a
//! LimitRange, and containers that omit requests or limits a quota
//! requires with no LimitRange default to fill them, which ResourceQuota
//! admission rejects (the quota evaluator checks init containers too).
//! Requests come from the container's requests, else its limits (pod
//! defaulting), else a LimitRange default; limits from the container or a
//! LimitRange default.

use podnet_model::{Cluster, CpuMemory, Governance, NsId};

use super::rules::{NO_LIMIT_RANGE, NO_QUOTA, REJECTED_BY_QUOTA};
use super::scope::{Scope, in_namespace, is_system_namespace};
use crate::checks::support::workload_subject;
use crate::finding::{Finding, Subject};
use crate::found::{ContainerGap, Found, NamespaceFound, Object};

/// The subject for a namespace: its Namespace object when declared.
pub fn namespace_subject(cluster: &Cluster, ns: NsId) -> Subject {
    let n = cluster.namespace(ns);
    Subject {
        kind: "Namespace".to_owned(),
        namespace: None,
        name: n.name.clone(),
        source: n.declared.clone(),
    }
}

/// What the quotas of a namespace require of every container, and what its
/// LimitRanges fill in.
#[derive(Clone, Debug, Default)]
pub struct Requirements {
    /// Requests every container must have.
    pub requests: CpuMemory,
    /// Limits every container must have.
    pub limits: CpuMemory,
    /// Requests LimitRanges set.
    pub default_requests: CpuMemory,
    /// Limits LimitRanges set.
    pub default_limits: CpuMemory,
    /// The quotas that require something, `ns/name`.
    pub quotas: Vec<String>,
}

/// The requirements of namespace `ns`.
pub fn requirements(g: &Governance, ns: &str) -> Requirements {
    let mut r = Requirements::default();
    for q in g.quotas_in(ns) {
        let (req, lim) = (q.requires_requests(), q.requires_limits());
        if !req.or(lim).is_empty() {
            r.quotas.push(q.meta.qualified_name());
        }
        r.requests = r.requests.or(req);
        r.limits = r.limits.or(lim);
    }
    for l in g.limit_ranges_in(ns) {
        r.default_requests = r.default_requests.or(l.default_requests);
        r.default_limits = r.default_limits.or(l.default_limits);
    }
    r
}

/// Appends PN1003, PN1004 and PN1005 findings.
pub fn run(scope: &Scope<'_>, out: &mut Vec<Finding>) {
    let cluster = scope.cluster;
    let g = &cluster.governance;
    for (&ns, workloads) in &scope.by_namespace {
        let name = &cluster.namespace(ns).name;
        let system = is_system_namespace(name);
        let count = workloads.len();
        if !system && g.quotas_in(name).next().is_none() {
            out.push(Finding::new(
                &NO_QUOTA,
                namespace_subject(cluster, ns),
                Found::Namespace(NamespaceFound::NoQuota {
                    namespace: name.clone(),
                    workloads: count,
                }),
            ));
        }
        if !system && g.limit_ranges_in(name).next().is_none() {
            out.push(Finding::new(
                &NO_LIMIT_RANGE,
                namespace_subject(cluster, ns),
                Found::Namespace(NamespaceFound::NoLimitRange {
                    namespace: name.clone(),
                    workloads: count,
                }),
            ));
        }
        let req = requirements(g, name);
        if req.requests.or(req.limits).is_empty() {
            continue;
        }
        for &w in workloads {
            rejected(scope, w, &req, system, out);
        }
    }
}

/// PN1005 for one workload: one finding naming every container that lacks
/// something.
fn rejected(
    scope: &Scope<'_>,
    w: podnet_model::WorkloadId,
    req: &Requirements,
    system: bool,
    out: &mut Vec<Finding>,
) {
    let cluster = scope.cluster;
    let mut gaps: Vec<ContainerGap> = Vec::new();
    for &p in &cluster.workload(w).pods {
        for c in &cluster.pod(p).admission.containers {
            let requests = c.effective_requests().or(req.default_requests);
            let limits = c.limits.or(req.default_limits);
            let no_requests = req.requests.missing_from(requests);
            let no_limits = req.limits.missing_from(limits);
            let gap = ContainerGap {
                init: c.init,
                name: c.name.clone(),
                requests: no_requests,
                limits: no_limits,
            };
            if !no_requests.or(no_limits).is_empty() && !gaps.contains(&gap) {
                gaps.push(gap);
            }
        }
    }
    if gaps.is_empty() {
        return;
    }
    let ns = &cluster.namespace(cluster.workload(w).namespace).name;
    let f = Finding::new(
        &REJECTED_BY_QUOTA,
        workload_subject(cluster, w),
        Found::Namespace(NamespaceFound::RejectedByQuota {
            workload: Object::workload(cluster, w),
            gaps,
            quotas: req.quotas.clone(),
            namespace: ns.clone(),
        }),
    );
    out.push(f.with_severity(in_namespace(REJECTED_BY_QUOTA.severity, system)));
}
