//! sig-network's policy API (policy.networking.k8s.io): AdminNetworkPolicy
//! and BaselineAdminNetworkPolicy (v1alpha1, [`v1alpha1`]) and
//! ClusterNetworkPolicy (v1alpha2, [`v1alpha2`]), lowered into
//! [`AdminPolicy`](podnet_model::AdminPolicy).
//!
//! The kinds are CRDs, read with podnet's own serde types that deny unknown
//! fields (kubectl validates fields strictly: a typo is an error with its
//! path and line). Validation is the CRD's OpenAPI schema and CEL rules, as
//! the kubebuilder markers of the upstream Go types generate them: required
//! fields, `minItems`/`maxItems`, `maxLength`, `minimum`/`maximum`, enums,
//! "exactly one field" (`minProperties`/`maxProperties` 1), `listType=set`
//! (no duplicates), `isCIDR`, the domain-name pattern and the rule-level CEL
//! rules. This module holds the object and what differs between the kinds
//! ([`Flavor`]); the parts they share are in [`fields`], [`subject`],
//! [`peers`], [`ports`] and [`rules`].

pub mod fields;
pub mod peers;
pub mod ports;
pub mod rules;
pub mod subject;
pub mod v1alpha1;
pub mod v1alpha2;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use podnet_model::{AdminAction, AdminApi, Meta, Source};
use serde::Deserialize;

use super::meta::{NameRule, object_meta};
use crate::path::FieldPath;
use crate::validate::Checker;

/// The version AdminNetworkPolicy and BaselineAdminNetworkPolicy are read in.
pub const V1ALPHA1: &str = "policy.networking.k8s.io/v1alpha1";
/// The version ClusterNetworkPolicy is read in.
pub const V1ALPHA2: &str = "policy.networking.k8s.io/v1alpha2";

/// An object of one of the kinds: `spec` is the kind's.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PolicyObject<S> {
    /// `apiVersion` (checked by the decoder).
    pub api_version: String,
    /// `kind` (checked by the decoder).
    pub kind: String,
    /// Metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The spec (required).
    pub spec: Option<S>,
    /// Status, written by implementations; not read.
    pub status: Option<serde_json::Value>,
}

/// What differs between the kinds' shared parts.
#[derive(Clone, Copy, Debug)]
pub struct Flavor {
    /// The kind.
    pub api: AdminApi,
    /// Whether `pods.namespaceSelector` is required (v1alpha1).
    pub namespace_selector_required: bool,
    /// Whether egress peers may have `domainNames`.
    pub domain_names: bool,
    /// Whether the domain-name pattern has v1alpha1's `A-z` first-character
    /// class (which also admits `[`, `\`, `]`, `^`, `_` and a backquote).
    pub lax_domain_pattern: bool,
    /// `maxItems` of `ingress` and `egress`.
    pub max_rules: usize,
    /// `maxItems` of `from` and `to`.
    pub max_peers: usize,
    /// `maxItems` of `ports` / `protocols`.
    pub max_ports: usize,
    /// The actions of its rules, as spelled, with their meaning.
    pub actions: &'static [(&'static str, AdminAction)],
}

/// Checks `metadata` of a cluster-scoped object and makes the model's
/// [`Meta`] (a `namespace` is ignored with a warning).
pub fn meta(
    metadata: &ObjectMeta,
    api: AdminApi,
    base: &FieldPath,
    source: Source,
    c: &mut Checker,
) -> Meta {
    let info = object_meta(metadata, NameRule::Subdomain, false, base, c);
    Meta {
        kind: api.kind().to_owned(),
        namespace: None,
        name: info.name,
        source,
    }
}

impl<S> PolicyObject<S> {
    /// `spec` (required), with its path.
    pub fn spec_at(&self, base: &FieldPath, c: &mut Checker) -> Option<(&S, FieldPath)> {
        let at = base.key("spec");
        let spec = fields::required(self.spec.as_ref(), &at, c)?;
        Some((spec, at))
    }
}
