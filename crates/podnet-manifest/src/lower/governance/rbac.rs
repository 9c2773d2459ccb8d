//! ServiceAccount (v1) and RBAC (rbac.authorization.k8s.io/v1): Roles and
//! ClusterRoles with their rules, RoleBindings and ClusterRoleBindings with
//! their `roleRef` and subjects, checked as the RBAC validation does
//! (`ValidatePolicyRule`, `ValidateRoleBinding`). Role and binding names
//! are path segments (`system:node` is valid).

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::api::rbac::v1 as rbac;
use podnet_model::{RbacRule, RbacSubject, Role, RoleBinding, RoleRef, ServiceAccount, Source};

use super::meta;
use crate::lower::meta::{NameRule, object_meta};
use crate::lower::netpol::LineOf;
use crate::path::FieldPath;
use crate::validate::{Checker, names, unsupported};

/// The RBAC API group.
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// Checks and lowers one ServiceAccount.
pub fn service_account(
    sa: &core::ServiceAccount,
    base: &FieldPath,
    source: Source,
    c: &mut Checker,
) -> ServiceAccount {
    let info = object_meta(&sa.metadata, NameRule::Subdomain, true, base, c);
    ServiceAccount {
        meta: meta("ServiceAccount", info.namespace, info.name, source),
        automount_token: sa.automount_service_account_token,
    }
}

/// Checks and lowers one Role.
pub fn role(
    r: &rbac::Role,
    base: &FieldPath,
    source: Source,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> Role {
    let info = object_meta(&r.metadata, NameRule::PathSegment, true, base, c);
    Role {
        meta: meta("Role", info.namespace, info.name, source),
        rules: rules(r.rules.as_deref(), true, base, line_of, c),
        aggregated: false,
    }
}

/// Checks and lowers one ClusterRole.
pub fn cluster_role(
    r: &rbac::ClusterRole,
    base: &FieldPath,
    source: Source,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> Role {
    let info = object_meta(&r.metadata, NameRule::PathSegment, false, base, c);
    Role {
        meta: meta("ClusterRole", None, info.name, source),
        rules: rules(r.rules.as_deref(), false, base, line_of, c),
        aggregated: r.aggregation_rule.is_some(),
    }
}

/// `ValidatePolicyRule` for each rule.
fn rules(
    list: Option<&[rbac::PolicyRule]>,
    namespaced: bool,
    base: &FieldPath,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> Vec<RbacRule> {
    let mut out = Vec::new();
    for (i, r) in list.unwrap_or_default().iter().enumerate() {
        let at = base.key("rules").index(i);
        let urls = r.non_resource_urls.clone().unwrap_or_default();
        let resources = r.resources.clone().unwrap_or_default();
        let groups = r.api_groups.clone().unwrap_or_default();
        if r.verbs.is_empty() {
            c.error(at.key("verbs"), "verbs must contain at least one value");
        }
        if !urls.is_empty() {
            if namespaced {
                c.error(
                    at.key("nonResourceURLs"),
                    "namespaced rules cannot apply to non-resource URLs",
                );
            }
            if !groups.is_empty() || !resources.is_empty() {
                c.error(
                    at.key("nonResourceURLs"),
                    "rules cannot apply to both regular resources and non-resource URLs",
                );
            }
        } else {
            if groups.is_empty() {
                c.error(
                    at.key("apiGroups"),
                    "resource rules must supply at least one api group",
                );
            }
            if resources.is_empty() {
                c.error(
                    at.key("resources"),
                    "resource rules must supply at least one resource",
                );
            }
        }
        out.push(RbacRule {
            verbs: r.verbs.clone(),
            api_groups: groups,
            resources,
            resource_names: r.resource_names.clone().unwrap_or_default(),
            non_resource_urls: urls,
            line: line_of(&at),
        });
    }
    out
}

/// Checks and lowers one RoleBinding.
pub fn role_binding(
    b: &rbac::RoleBinding,
    base: &FieldPath,
    source: Source,
    c: &mut Checker,
) -> RoleBinding {
    let info = object_meta(&b.metadata, NameRule::PathSegment, true, base, c);
    let role_ref = role_ref(&b.role_ref, &["Role", "ClusterRole"], base, c);
    let subjects = subjects(b.subjects.as_deref(), info.namespace.as_deref(), base, c);
    RoleBinding {
        meta: meta("RoleBinding", info.namespace, info.name, source),
        role_ref,
        subjects,
    }
}

/// Checks and lowers one ClusterRoleBinding.
pub fn cluster_role_binding(
    b: &rbac::ClusterRoleBinding,
    base: &FieldPath,
    source: Source,
    c: &mut Checker,
) -> RoleBinding {
    let info = object_meta(&b.metadata, NameRule::PathSegment, false, base, c);
    let role_ref = role_ref(&b.role_ref, &["ClusterRole"], base, c);
    let subjects = subjects(b.subjects.as_deref(), None, base, c);
    RoleBinding {
        meta: meta("ClusterRoleBinding", None, info.name, source),
        role_ref,
        subjects,
    }
}

fn role_ref(r: &rbac::RoleRef, kinds: &[&str], base: &FieldPath, c: &mut Checker) -> RoleRef {
    let at = base.key("roleRef");
    // `SetDefaults_RoleBinding`: an empty apiGroup is the RBAC group.
    let group = r.api_group.as_deref().unwrap_or_default();
    if !group.is_empty() && group != RBAC_GROUP {
        unsupported(&at.key("apiGroup"), group, &[RBAC_GROUP], c);
    }
    if !kinds.contains(&r.kind.as_str()) {
        unsupported(&at.key("kind"), &r.kind, kinds, c);
    }
    if r.name.is_empty() {
        c.error(at.key("name"), "name is required");
    }
    RoleRef {
        kind: r.kind.clone(),
        name: r.name.clone(),
    }
}

/// `ValidateRoleBindingSubject`; a ServiceAccount without a namespace in a
/// RoleBinding is in the binding's namespace.
fn subjects(
    list: Option<&[rbac::Subject]>,
    binding_ns: Option<&str>,
    base: &FieldPath,
    c: &mut Checker,
) -> Vec<RbacSubject> {
    let mut out = Vec::new();
    for (i, s) in list.unwrap_or_default().iter().enumerate() {
        let at = base.key("subjects").index(i);
        if s.name.is_empty() {
            c.error(at.key("name"), "name is required");
        }
        let group = s.api_group.as_deref().unwrap_or_default();
        let mut namespace = s.namespace.clone().filter(|n| !n.is_empty());
        match s.kind.as_str() {
            "ServiceAccount" => {
                if !s.name.is_empty() {
                    c.check(&at.key("name"), &s.name, names::dns1123_subdomain(&s.name));
                }
                if !group.is_empty() {
                    unsupported(&at.key("apiGroup"), group, &[""], c);
                }
                if namespace.is_none() {
                    match binding_ns {
                        Some(ns) => namespace = Some(ns.to_owned()),
                        None => c.error(at.key("namespace"), "namespace is required"),
                    }
                }
            }
            "User" | "Group" => {
                // `SetDefaults_Subject`: empty is the RBAC group.
                if !group.is_empty() && group != RBAC_GROUP {
                    unsupported(&at.key("apiGroup"), group, &[RBAC_GROUP], c);
                }
            }
            other => unsupported(
                &at.key("kind"),
                other,
                &["ServiceAccount", "User", "Group"],
                c,
            ),
        }
        out.push(RbacSubject {
            kind: s.kind.clone(),
            name: s.name.clone(),
            namespace,
        });
    }
    out
}
