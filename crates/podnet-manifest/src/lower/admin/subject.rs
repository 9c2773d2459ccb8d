//! The selectors the admin policy kinds share: `subject`, the ingress peers
//! (the same two fields, `namespaces` or `pods`) and `NamespacedPod`, which
//! egress peers have too.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use podnet_model::{AdminPeer, AdminSubject, NamespacedPods};
use serde::Deserialize;

use super::Flavor;
use super::fields::{exactly_one, required};
use super::rules::PeerItem;
use crate::path::FieldPath;
use crate::validate::selector::label_selector;
use crate::validate::{Checker, Lenient};

/// `subject`, and the ingress peers (the same two fields).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SelectorsDef {
    /// `namespaces`: every pod of the namespaces selected.
    pub namespaces: Option<LabelSelector>,
    /// `pods`: pods by namespace and pod labels.
    pub pods: Option<NamespacedPodDef>,
}

/// `NamespacedPod`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NamespacedPodDef {
    /// `namespaceSelector` (required in v1alpha1, optional in v1alpha2).
    pub namespace_selector: Option<LabelSelector>,
    /// `podSelector` (required).
    pub pod_selector: Option<LabelSelector>,
}

/// `subject`: required, exactly one of `namespaces` or `pods`.
pub fn subject(
    def: Option<&SelectorsDef>,
    flavor: &Flavor,
    path: &FieldPath,
    c: &mut Checker,
) -> Option<AdminSubject> {
    let def = required(def, path, c)?;
    match selectors(def, flavor, "subject", path, c)? {
        AdminPeer::Namespaces(s) => Some(AdminSubject::Namespaces(s)),
        AdminPeer::Pods(p) => Some(AdminSubject::Pods(p)),
        AdminPeer::Nodes(_) | AdminPeer::Networks(_) => None,
    }
}

/// An ingress peer: exactly one of `namespaces` or `pods`.
impl PeerItem for SelectorsDef {
    fn lower(&self, flavor: &Flavor, path: &FieldPath, c: &mut Checker) -> Option<AdminPeer> {
        selectors(self, flavor, "a peer", path, c)
    }

    fn without_named_ports(&self) -> Option<&'static str> {
        None
    }
}

fn selectors(
    def: &SelectorsDef,
    flavor: &Flavor,
    what: &str,
    path: &FieldPath,
    c: &mut Checker,
) -> Option<AdminPeer> {
    let fields = [
        ("namespaces", def.namespaces.is_some()),
        ("pods", def.pods.is_some()),
    ];
    if !exactly_one(&fields, what, path, c) {
        return None;
    }
    selected(def.namespaces.as_ref(), def.pods.as_ref(), flavor, path, c)
}

/// The peer of whichever of `namespaces` and `pods` is set (the caller
/// checked that at most one is); `None` when neither is.
pub fn selected(
    namespaces: Option<&LabelSelector>,
    pods: Option<&NamespacedPodDef>,
    flavor: &Flavor,
    path: &FieldPath,
    c: &mut Checker,
) -> Option<AdminPeer> {
    if let Some(ns) = namespaces {
        let s = label_selector(Some(ns), &path.key("namespaces"), c);
        return Some(AdminPeer::Namespaces(s));
    }
    namespaced_pods(pods?, flavor, &path.key("pods"), c).map(AdminPeer::Pods)
}

/// `NamespacedPod`: `podSelector` required, `namespaceSelector` required in
/// v1alpha1 (absent in v1alpha2: every namespace). Both are plain
/// `metav1.LabelSelector` fields without `omitempty` in
/// kubernetes-sigs/network-policy-api `apis/v1alpha1/shared_types.go`
/// (0eec1b0e5fa92715b4c0f4c48d3c8d2913ed2159, lines 38-46), so the CRD
/// requires them; `--lenient` reads an absent one as Go decodes it, the
/// empty selector ("if empty, it selects all").
fn namespaced_pods(
    def: &NamespacedPodDef,
    flavor: &Flavor,
    path: &FieldPath,
    c: &mut Checker,
) -> Option<NamespacedPods> {
    let ns_path = path.key("namespaceSelector");
    let pod_path = path.key("podSelector");
    if def.namespace_selector.is_none() && flavor.namespace_selector_required {
        c.set_aside(
            Lenient::AdminSelectorRequired,
            ns_path.clone(),
            "`namespaceSelector` is required (`{}` selects every namespace)",
        );
    }
    if def.pod_selector.is_none() {
        c.set_aside(
            Lenient::AdminSelectorRequired,
            pod_path.clone(),
            "`podSelector` is required (`{}` selects every pod)",
        );
    }
    Some(NamespacedPods {
        namespaces: label_selector(def.namespace_selector.as_ref(), &ns_path, c),
        pods: label_selector(def.pod_selector.as_ref(), &pod_path, c),
    })
}
