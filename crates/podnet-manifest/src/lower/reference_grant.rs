//! Gateway API `ReferenceGrant` (gateway.networking.k8s.io/v1beta1 and v1):
//! which kinds in which namespaces may refer to which objects of the
//! grant's namespace, checked as the CRD's schema is (`from` and `to` hold
//! 1 to 16 entries; `kind` and `namespace` are required).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use podnet_model::{GrantFrom, GrantTo, Meta, ReferenceGrant, Source};
use serde::Deserialize;

use super::meta::{NameRule, object_meta};
use crate::path::FieldPath;
use crate::validate::Checker;

/// Most entries of `from` and of `to` (CRD `maxItems`).
const MAX_ENTRIES: usize = 16;

/// A `ReferenceGrant`.
#[derive(Debug, Default, Deserialize)]
pub struct ReferenceGrantObject {
    /// Metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Spec.
    #[serde(default)]
    pub spec: ReferenceGrantSpec,
}

/// `spec`.
#[derive(Debug, Default, Deserialize)]
pub struct ReferenceGrantSpec {
    /// `from`.
    #[serde(default)]
    pub from: Vec<FromSpec>,
    /// `to`.
    #[serde(default)]
    pub to: Vec<ToSpec>,
}

/// A `spec.from` entry.
#[derive(Debug, Default, Deserialize)]
pub struct FromSpec {
    /// `group`.
    #[serde(default)]
    pub group: String,
    /// `kind`.
    #[serde(default)]
    pub kind: String,
    /// `namespace`.
    #[serde(default)]
    pub namespace: String,
}

/// A `spec.to` entry.
#[derive(Debug, Default, Deserialize)]
pub struct ToSpec {
    /// `group`.
    #[serde(default)]
    pub group: String,
    /// `kind`.
    #[serde(default)]
    pub kind: String,
    /// `name`.
    pub name: Option<String>,
}

fn entries(len: usize, at: &FieldPath, c: &mut Checker) {
    if len == 0 {
        c.error(at.clone(), "at least one entry is required");
    } else if len > MAX_ENTRIES {
        c.error(at.clone(), format!("must have at most {MAX_ENTRIES} items"));
    }
}

/// Checks and lowers one ReferenceGrant.
pub fn reference_grant(
    g: &ReferenceGrantObject,
    base: &FieldPath,
    source: Source,
    c: &mut Checker,
) -> ReferenceGrant {
    let info = object_meta(&g.metadata, NameRule::Subdomain, true, base, c);
    let at = base.key("spec");
    entries(g.spec.from.len(), &at.key("from"), c);
    entries(g.spec.to.len(), &at.key("to"), c);
    let from = g
        .spec
        .from
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let here = at.key("from").index(i);
            if f.kind.is_empty() {
                c.error(here.key("kind"), "kind is required");
            }
            if f.namespace.is_empty() {
                c.error(here.key("namespace"), "namespace is required");
            }
            GrantFrom {
                group: f.group.clone(),
                kind: f.kind.clone(),
                namespace: f.namespace.clone(),
            }
        })
        .collect();
    let to = g
        .spec
        .to
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if t.kind.is_empty() {
                c.error(at.key("to").index(i).key("kind"), "kind is required");
            }
            GrantTo {
                group: t.group.clone(),
                kind: t.kind.clone(),
                name: t.name.clone().filter(|n| !n.is_empty()),
            }
        })
        .collect();
    ReferenceGrant {
        meta: Meta {
            kind: "ReferenceGrant".to_owned(),
            namespace: info.namespace,
            name: info.name,
            source,
        },
        from,
        to,
    }
}
