//! `metadata`: names, namespace, labels and the controlling owner, checked as
//! `ValidateObjectMeta` does.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use podnet_model::Labels;

use super::records::OwnerRef;
use crate::path::FieldPath;
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
            let problems = match rule {
                NameRule::Subdomain => names::dns1123_subdomain(n),
                NameRule::Label => names::dns1123_label(n),
                NameRule::Dns1035 => names::dns1035_label(n),
                NameRule::PathSegment => path_segment(n),
            };
            c.check(&at.key("name"), n, problems);
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
                c.check(&at.key("namespace"), ns, names::dns1123_label(ns));
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
    let controllers: Vec<usize> = (0..owners.len())
        .filter(|&i| owners[i].controller == Some(true))
        .collect();
    if controllers.len() > 1 {
        c.error(
            at.key("ownerReferences"),
            "only one reference can have `controller` set to true",
        );
    }
    let owner = controllers.first().map(|&i| OwnerRef {
        kind: owners[i].kind.clone(),
        name: owners[i].name.clone(),
    });
    ObjectInfo {
        name,
        namespace,
        labels,
        owner,
    }
}
