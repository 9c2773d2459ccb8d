//! PN1008, PN1009 and PN1010: workloads on the `default` ServiceAccount,
//! and bindings that grant `cluster-admin` or a role with `*` verbs or
//! resources. The bootstrap bindings (`system:` names, the
//! `system:masters` group) and bindings in system namespaces are the
//! platform's and left out; a role missing from the input is judged by
//! name only (`cluster-admin`).

use podnet_model::{RbacRule, Role, RoleBinding};

use super::rules::{CLUSTER_ADMIN, DEFAULT_SERVICE_ACCOUNT, WILDCARD_GRANT};
use super::scope::{Cover, Scope, in_namespace, is_system_namespace};
use crate::checks::support::workload_subject;
use crate::finding::{Finding, Severity, Subject};
use crate::found::{Found, GrantScope, NamespaceFound, Object};

/// Whether a workload runs as `default`: some pod names no account.
pub fn on_default_account(scope: &Scope<'_>, w: podnet_model::WorkloadId) -> bool {
    let cluster = scope.cluster;
    cluster
        .workload(w)
        .pods
        .iter()
        .any(|&p| cluster.pod(p).admission.service_account_name() == "default")
}

/// Whether a binding is the platform's own.
pub fn bootstrap(b: &RoleBinding) -> bool {
    b.meta.name.starts_with("system:")
        || b.meta.namespace.as_deref().is_some_and(is_system_namespace)
        || (!b.subjects.is_empty()
            && b.subjects
                .iter()
                .all(|s| s.kind == "Group" && s.name == "system:masters"))
}

/// The first rule of `role` with a `*` verb or resource.
pub fn wildcard_rule(role: &Role) -> Option<&RbacRule> {
    role.rules.iter().find(|r| r.any_verb() || r.any_resource())
}

/// Appends PN1008, PN1009 and PN1010 findings.
pub fn run(scope: &Scope<'_>, out: &mut Vec<Finding>) {
    let cluster = scope.cluster;
    for w in scope.workloads() {
        if scope.isolation(w) == [Cover::NoPods; 2] || !on_default_account(scope, w) {
            continue;
        }
        let ns = &cluster.namespace(cluster.workload(w).namespace).name;
        let f = Finding::new(
            &DEFAULT_SERVICE_ACCOUNT,
            workload_subject(cluster, w),
            Found::Namespace(NamespaceFound::DefaultServiceAccount {
                workload: Object::workload(cluster, w),
                namespace: ns.clone(),
            }),
        );
        out.push(f.with_severity(in_namespace(
            DEFAULT_SERVICE_ACCOUNT.severity,
            scope.system(w),
        )));
    }
    let g = &cluster.governance;
    for b in g.bindings.iter().filter(|b| !bootstrap(b)) {
        let cluster_wide = b.meta.kind == "ClusterRoleBinding";
        let grant_scope = match &b.meta.namespace {
            Some(ns) if !cluster_wide => GrantScope::Namespace(ns.clone()),
            _ => GrantScope::Cluster,
        };
        if b.role_ref.kind == "ClusterRole" && b.role_ref.name == "cluster-admin" {
            let severity = if cluster_wide {
                Severity::Error
            } else {
                Severity::Warning
            };
            out.push(
                Finding::new(
                    &CLUSTER_ADMIN,
                    Subject::of(&b.meta),
                    Found::Namespace(NamespaceFound::ClusterAdmin {
                        binding: Object::of(&b.meta),
                        subjects: b.subjects.clone(),
                        scope: grant_scope,
                    }),
                )
                .with_severity(severity),
            );
            continue;
        }
        let Some(role) = g.role_of(b) else {
            continue;
        };
        let Some(rule) = wildcard_rule(role) else {
            continue;
        };
        out.push(Finding::new(
            &WILDCARD_GRANT,
            Subject::of(&b.meta),
            Found::Namespace(NamespaceFound::WildcardGrant {
                binding: Object::of(&b.meta),
                role: Object::of(&role.meta),
                role_source: role.meta.source.clone(),
                rule_line: rule.line,
                any_verb: rule.any_verb(),
                any_resource: rule.any_resource(),
                subjects: b.subjects.clone(),
                scope: grant_scope,
            }),
        ));
    }
}
