//! PN1008, PN1009 and PN1010: workloads on the `default` ServiceAccount,
//! and bindings that grant `cluster-admin` or a role with `*` verbs or
//! resources. The bootstrap bindings (`system:` names, the
//! `system:masters` group) and bindings in system namespaces are the
//! platform's and left out; a role missing from the input is judged by
//! name only (`cluster-admin`).

use podnet_model::{RbacRule, Role, RoleBinding};

use super::rules::{CLUSTER_ADMIN, DEFAULT_SERVICE_ACCOUNT, WILDCARD_GRANT};
use super::scope::{Cover, Scope, in_namespace, is_system_namespace};
use crate::checks::support::{short_list, workload_display, workload_subject};
use crate::finding::{Finding, Severity, Subject};

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
        let f = Finding::worded(
            &DEFAULT_SERVICE_ACCOUNT,
            workload_subject(cluster, w),
            format!(
                "{} runs as the `default` ServiceAccount of `{ns}`, shared by every workload there that names none",
                workload_display(cluster, w)
            ),
            format!(
                "create a ServiceAccount for it in `{ns}`, set `serviceAccountName`, and `automountServiceAccountToken: false` if it does not call the API"
            ),
        );
        out.push(f.with_severity(in_namespace(
            DEFAULT_SERVICE_ACCOUNT.severity,
            scope.system(w),
        )));
    }
    let g = &cluster.governance;
    for b in g.bindings.iter().filter(|b| !bootstrap(b)) {
        let subjects: Vec<String> = b.subjects.iter().map(|s| s.display()).collect();
        let who = if subjects.is_empty() {
            "no subject".to_owned()
        } else {
            short_list(&subjects, 3)
        };
        let cluster_wide = b.meta.kind == "ClusterRoleBinding";
        let scope_text = match &b.meta.namespace {
            Some(ns) if !cluster_wide => format!("every resource of namespace `{ns}`"),
            _ => "the whole cluster".to_owned(),
        };
        if b.role_ref.kind == "ClusterRole" && b.role_ref.name == "cluster-admin" {
            let severity = if cluster_wide {
                Severity::Error
            } else {
                Severity::Warning
            };
            out.push(
                Finding::worded(
                    &CLUSTER_ADMIN,
                    Subject::of(&b.meta),
                    format!(
                        "{} {} grants `cluster-admin` to {who}: full control of {scope_text}",
                        b.meta.kind,
                        b.meta.qualified_name()
                    ),
                    "bind a narrower role (`admin`, `edit`, `view` or your own) with only the verbs and resources needed",
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
        let mut what = Vec::new();
        if rule.any_verb() {
            what.push("every verb");
        }
        if rule.any_resource() {
            what.push("every resource");
        }
        let where_ = match &b.meta.namespace {
            Some(ns) if !cluster_wide => format!("in namespace `{ns}`"),
            _ => "cluster-wide".to_owned(),
        };
        let rule_at = match (&role.meta.source, rule.line) {
            (s, Some(line)) => format!(" ({}:{line})", s.file),
            (s, None) => format!(" ({s})"),
        };
        out.push(Finding::worded(
            &WILDCARD_GRANT,
            Subject::of(&b.meta),
            format!(
                "{} {} grants {} {}, whose rule{rule_at} allows {}, to {who} {where_}",
                b.meta.kind,
                b.meta.qualified_name(),
                role.meta.kind,
                role.meta.qualified_name(),
                what.join(" and "),
            ),
            format!(
                "replace `*` in {} {} with the verbs and resources {who} needs",
                role.meta.kind,
                role.meta.qualified_name()
            ),
        ));
    }
}
