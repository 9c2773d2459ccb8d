//! PN1003, PN1004 and PN1005: namespaces without a ResourceQuota or a
//! LimitRange, and containers that omit requests or limits a quota
//! requires with no LimitRange default to fill them, which ResourceQuota
//! admission rejects (the quota evaluator checks init containers too).
//! Requests come from the container's requests, else its limits (pod
//! defaulting), else a LimitRange default; limits from the container or a
//! LimitRange default.

use std::collections::BTreeSet;

use podnet_model::{Cluster, CpuMemory, Governance, NsId};

use super::rules::{NO_LIMIT_RANGE, NO_QUOTA, REJECTED_BY_QUOTA};
use super::scope::{Scope, in_namespace, is_system_namespace};
use crate::checks::support::{workload_display, workload_subject};
use crate::finding::{Finding, Subject};

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
            out.push(Finding::worded(
                &NO_QUOTA,
                namespace_subject(cluster, ns),
                format!("namespace `{name}` runs {count} workload(s) and has no ResourceQuota"),
                format!("add a ResourceQuota to `{name}` (requests.cpu, requests.memory, limits.cpu, limits.memory, pods)"),
            ));
        }
        if !system && g.limit_ranges_in(name).next().is_none() {
            out.push(Finding::worded(
                &NO_LIMIT_RANGE,
                namespace_subject(cluster, ns),
                format!("namespace `{name}` runs {count} workload(s) and has no LimitRange"),
                format!("add a LimitRange to `{name}` with `default` and `defaultRequest` for cpu and memory"),
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
    let mut problems: BTreeSet<String> = BTreeSet::new();
    for &p in &cluster.workload(w).pods {
        for c in &cluster.pod(p).admission.containers {
            let requests = c.effective_requests().or(req.default_requests);
            let limits = c.limits.or(req.default_limits);
            let no_requests = req.requests.missing_from(requests);
            let no_limits = req.limits.missing_from(limits);
            let mut missing = Vec::new();
            if !no_requests.is_empty() {
                missing.push(format!("{} requests", no_requests.describe()));
            }
            if !no_limits.is_empty() {
                missing.push(format!("{} limits", no_limits.describe()));
            }
            if !missing.is_empty() {
                let kind = if c.init {
                    "init container"
                } else {
                    "container"
                };
                problems.insert(format!(
                    "{kind} `{}` has no {}",
                    c.name,
                    missing.join(" and ")
                ));
            }
        }
    }
    if problems.is_empty() {
        return;
    }
    let list: Vec<String> = problems.into_iter().collect();
    let ns = &cluster.namespace(cluster.workload(w).namespace).name;
    let f = Finding::worded(
        &REJECTED_BY_QUOTA,
        workload_subject(cluster, w),
        format!(
            "{}: {}, which ResourceQuota {} requires and no LimitRange sets: the API server rejects its pods",
            workload_display(cluster, w),
            list.join("; "),
            req.quotas.join(", ")
        ),
        format!(
            "set resources.requests and resources.limits for cpu and memory on each container, or add a LimitRange with `default` and `defaultRequest` to `{ns}`"
        ),
    );
    out.push(f.with_severity(in_namespace(REJECTED_BY_QUOTA.severity, system)));
}
