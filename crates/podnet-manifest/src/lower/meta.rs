//! `metadata`: names, namespace, labels and the controlling owner, checked as
//! `ValidateObjectMeta` does.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use podnet_model::Labels;

use super::records::OwnerRef;
use crate::path::FieldPath;
use crate::validate::Lenient::NameSyntax;
use crate::validate::names::{dns1035_label, dns1123_label, dns1123_subdomain};
use crate::validate::{Checker, labels, names};

/// The namespace of namespaced objects that do not name one. (kubectl would
/// use the current context's namespace; podnet has no context.)
pub const DEFAULT_NAMESPACE: &str = "default";

/// Which naming rule a kind's `metadata.name` follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameRule {
    /// RFC 1123 subdomain (most kinds).
    Subdomain,
    /// RFC 1123 label (Namespace).
    Label,
    /// RFC 1035 label (Service).
    Dns1035,
    /// A path segment (RBAC roles and bindings: `system:node` is valid).
    PathSegment,
}

/// `ValidatePathSegmentName`: what RBAC object names must be.
fn path_segment(s: &str) -> Vec<String> {
    if s == "." || s == ".." {
        return vec![format!("may not be '{s}'")];
    }
    ["/", "%"]
        .iter()
        .filter(|bad| s.contains(*bad))
        .map(|bad| format!("may not contain '{bad}'"))
        .collect()
}

/// The parts of `metadata` podnet uses.
#[derive(Clone, Debug)]
pub struct ObjectInfo {
    /// `name` (or `generateName` when only that is given).
    pub name: String,
    /// `namespace`, defaulted; `None` for cluster-scoped kinds.
    pub namespace: Option<String>,
    /// `labels`.
    pub labels: Labels,
    /// The ownerReference with `controller: true`.
    pub owner: Option<OwnerRef>,
}

/// Checks and extracts `metadata` (at `base.metadata`).
pub fn object_meta(
    meta: &ObjectMeta,
    rule: NameRule,
    namespaced: bool,
    base: &FieldPath,
    c: &mut Checker,
) -> ObjectInfo {
    let at = base.key("metadata");
    let name = match (&meta.name, &meta.generate_name) {
        (Some(n), _) if !n.is_empty() => {
            let path = at.key("name");
            match rule {
                NameRule::Subdomain => {
                    c.check_set_aside(NameSyntax, &path, n, dns1123_subdomain(n))
                }
                NameRule::Label => c.check_set_aside(NameSyntax, &path, n, dns1123_label(n)),
                NameRule::Dns1035 => c.check_set_aside(NameSyntax, &path, n, dns1035_label(n)),
                NameRule::PathSegment => c.check(&path, n, path_segment(n)),
            }
            n.clone()
        }
        (_, Some(g)) if !g.is_empty() => {
            c.warn(
                at.key("generateName"),
                format!(
                    "no `name`: the API server would generate one; podnet calls the object `{g}`"
                ),
            );
            g.clone()
        }
        _ => {
            c.error(at.key("name"), "name or generateName is required");
            String::new()
        }
    };
    let namespace = if namespaced {
        match meta.namespace.as_deref() {
            Some(ns) if !ns.is_empty() => {
                let problems = names::dns1123_label(ns);
                c.check_set_aside(NameSyntax, &at.key("namespace"), ns, problems);
                Some(ns.to_owned())
            }
            _ => Some(DEFAULT_NAMESPACE.to_owned()),
        }
    } else {
        if meta.namespace.as_deref().is_some_and(|n| !n.is_empty()) {
            c.warn(at.key("namespace"), "ignored: this kind is not namespaced");
        }
        None
    };
    let labels = labels(meta.labels.as_ref(), &at.key("labels"), c);
    let owners = meta.owner_references.as_deref().unwrap_or_default();
    let owner = owner_references(owners, &at.key("ownerReferences"), c);
    ObjectInfo {
        name,
        namespace,
        labels,
        owner,
    }
}

/// `ValidateOwnerReferences` (apimachinery `pkg/api/validation/objectmeta.go`):
/// every reference names a version, a kind, a name and a uid, no Event
/// owns anything, and at most one reference has `controller: true`.
/// Returns the controlling owner. (The API server reports these at
/// `metadata.ownerReferences`; podnet adds the index.)
fn owner_references(
    owners: &[OwnerReference],
    at: &FieldPath,
    c: &mut Checker,
) -> Option<OwnerRef> {
    let mut controller: Option<&OwnerReference> = None;
    for (i, r) in owners.iter().enumerate() {
        let here = at.index(i);
        let (group, version) = group_version(&r.api_version);
        let required = [
            ("apiVersion", version, &r.api_version, "version"),
            ("kind", r.kind.as_str(), &r.kind, "kind"),
            ("name", r.name.as_str(), &r.name, "name"),
            ("uid", r.uid.as_str(), &r.uid, "uid"),
        ];
        for (field, part, value, what) in required {
            if part.is_empty() {
                c.check(
                    &here.key(field),
                    value,
                    vec![format!("{what} must not be empty")],
                );
            }
        }
        if group.is_empty() && version == "v1" && r.kind == "Event" {
            c.error(
                here,
                "invalid value: /v1, Kind=Event is disallowed from being an owner",
            );
        }
        if r.controller == Some(true) {
            match controller {
                None => controller = Some(r),
                Some(first) => c.error(
                    at.clone(),
                    format!(
                        "only one reference can have `controller` set to true: found in references for {}/{} and {}/{}",
                        first.kind, first.name, r.kind, r.name
                    ),
                ),
            }
        }
    }
    controller.map(|r| OwnerRef {
        kind: r.kind.clone(),
        name: r.name.clone(),
    })
}

/// `schema.ParseGroupVersion` as `FromAPIVersionAndKind` uses it: `v1` is
/// the legacy group, `apps/v1` a group and version; anything with more
/// slashes has neither.
fn group_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        None => ("", api_version),
        Some((_, rest)) if rest.contains('/') => ("", ""),
        Some((group, version)) => (group, version),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(api_version: &str, kind: &str, name: &str, uid: &str) -> OwnerReference {
        OwnerReference {
            api_version: api_version.into(),
            kind: kind.into(),
            name: name.into(),
            uid: uid.into(),
            controller: Some(true),
            ..OwnerReference::default()
        }
    }

    fn validated(owners: &[OwnerReference]) -> (Option<OwnerRef>, Vec<String>) {
        let mut c = Checker::default();
        let owner = owner_references(
            owners,
            &FieldPath::fields("metadata.ownerReferences"),
            &mut c,
        );
        let errors = c.errors.iter().map(|(p, m)| format!("{p}: {m}")).collect();
        (owner, errors)
    }

    /// apimachinery `validateOwnerReference`: "version must not be empty",
    /// "kind must not be empty", "name must not be empty", "uid must not
    /// be empty", and `BannedOwners` (`/v1, Kind=Event`).
    #[test]
    fn validate_owner_reference_requires_version_kind_name_and_uid() {
        let cases: [(OwnerReference, &str); 7] = [
            (
                reference("apps/v1", "", "web", "u1"),
                "[0].kind: invalid value ``: kind must not be empty",
            ),
            (
                reference("", "ReplicaSet", "web", "u1"),
                "[0].apiVersion: invalid value ``: version must not be empty",
            ),
            (
                reference("apps/", "ReplicaSet", "web", "u1"),
                "[0].apiVersion: invalid value `apps/`: version must not be empty",
            ),
            (
                reference("a/b/v1", "ReplicaSet", "web", "u1"),
                "[0].apiVersion: invalid value `a/b/v1`: version must not be empty",
            ),
            (
                reference("apps/v1", "ReplicaSet", "", "u1"),
                "[0].name: invalid value ``: name must not be empty",
            ),
            (
                reference("apps/v1", "ReplicaSet", "web", ""),
                "[0].uid: invalid value ``: uid must not be empty",
            ),
            (
                reference("v1", "Event", "e", "u1"),
                "[0]: invalid value: /v1, Kind=Event is disallowed from being an owner",
            ),
        ];
        for (r, expected) in cases {
            let (_, errors) = validated(&[r]);
            assert_eq!(
                errors,
                [format!("metadata.ownerReferences{expected}")],
                "{expected}"
            );
        }
        let (owner, errors) = validated(&[reference("apps/v1", "ReplicaSet", "web-5d8fb", "u1")]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(owner.map(|o| o.kind), Some("ReplicaSet".to_owned()));
        let (_, errors) = validated(&[reference("v1", "Node", "n1", "u1")]);
        assert!(
            errors.is_empty(),
            "a legacy-group owner is fine: {errors:?}"
        );
    }

    /// apimachinery `ValidateOwnerReferences`: "Only one reference can have
    /// Controller set to true".
    #[test]
    fn validate_owner_references_allows_one_controller() {
        let (owner, errors) = validated(&[
            reference("apps/v1", "ReplicaSet", "a", "u1"),
            reference("apps/v1", "ReplicaSet", "b", "u2"),
        ]);
        assert_eq!(
            errors,
            [
                "metadata.ownerReferences: only one reference can have `controller` set to true: found in references for ReplicaSet/a and ReplicaSet/b"
            ]
        );
        assert_eq!(owner.map(|o| o.name), Some("a".to_owned()));
    }
}
