//! Gateway API `ListenerSet` (gateway.networking.k8s.io/v1, Gateway API
//! v1.5; GEP-1713): listeners for a parent Gateway, checked as the Gateway's
//! listeners are (1 to 64, names unique, port/protocol/hostname unique),
//! with a `parentRef` naming a Gateway (the ListenerSet's namespace when
//! omitted).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use podnet_model::{ListenerSet, Meta, NsId, Source};
use serde::Deserialize;

use super::gateway::{GROUP, ListenerSpec, distinct, listener, too_many};
use super::meta::{NameRule, object_meta};
use super::netpol::LineOf;
use super::records::PendingListenerSet;
use crate::path::FieldPath;
use crate::validate::{Checker, names};

/// Most listeners of a ListenerSet.
const MAX_LISTENERS: usize = 64;

/// A `ListenerSet`.
#[derive(Debug, Default, Deserialize)]
pub struct ListenerSetObject {
    /// Metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Spec.
    #[serde(default)]
    pub spec: ListenerSetSpec,
}

/// The fields of a ListenerSet spec podnet reads.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerSetSpec {
    /// `parentRef`.
    #[serde(default)]
    pub parent_ref: ParentGatewayRef,
    /// `listeners`.
    #[serde(default)]
    pub listeners: Vec<ListenerSpec>,
}

/// `parentRef`.
#[derive(Debug, Default, Deserialize)]
pub struct ParentGatewayRef {
    /// `group` (the Gateway API group when omitted).
    pub group: Option<String>,
    /// `kind` (Gateway when omitted).
    pub kind: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `namespace` (the ListenerSet's when omitted).
    pub namespace: Option<String>,
}

/// Checks and lowers one ListenerSet.
pub fn listener_set(
    l: &ListenerSetObject,
    base: &FieldPath,
    source: Source,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> PendingListenerSet {
    let info = object_meta(&l.metadata, NameRule::Subdomain, true, base, c);
    let namespace = info.namespace.unwrap_or_default();
    let at = base.key("spec");
    let parent = &l.spec.parent_ref;
    let parent_at = at.key("parentRef");
    let parent_name = parent.name.clone().unwrap_or_default();
    if parent_name.is_empty() {
        c.error(parent_at.key("name"), "name is required");
    }
    let group = parent.group.as_deref().unwrap_or(GROUP);
    let kind = parent.kind.as_deref().unwrap_or("Gateway");
    if group != GROUP || kind != "Gateway" {
        c.error(
            parent_at.clone(),
            format!("parentRef must name a Gateway of group {GROUP}, not `{kind}` of `{group}`"),
        );
    }
    if let Some(ns) = &parent.namespace {
        c.check(&parent_at.key("namespace"), ns, names::dns1123_label(ns));
    }
    let list_at = at.key("listeners");
    if l.spec.listeners.is_empty() {
        c.error(list_at.clone(), "at least one listener is required");
    }
    too_many(l.spec.listeners.len(), MAX_LISTENERS, &list_at, c);
    let listeners = l
        .spec
        .listeners
        .iter()
        .enumerate()
        .filter_map(|(i, x)| listener(x, &namespace, &list_at.index(i), line_of, c))
        .collect();
    distinct(&l.spec.listeners, &list_at, c);
    PendingListenerSet {
        namespace: namespace.clone(),
        set: ListenerSet {
            meta: Meta {
                kind: "ListenerSet".to_owned(),
                namespace: Some(namespace.clone()),
                name: info.name,
                source,
            },
            namespace: NsId(u32::MAX),
            parent_namespace: parent
                .namespace
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or(namespace),
            parent_name,
            listeners,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::testing::source;

    #[test]
    fn listeners_and_parent() {
        let l: ListenerSetObject = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "ls", "namespace": "apps"},
            "spec": {"parentRef": {"name": "gw", "namespace": "infra"},
                "listeners": [{"name": "a", "port": 80, "protocol": "HTTP", "hostname": "a.example.com"}]}
        }))
        .unwrap_or_default();
        let mut c = Checker::default();
        let p = listener_set(&l, &FieldPath::root(), source(), &|_| Some(2), &mut c);
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(
            (p.set.parent_namespace.as_str(), p.set.parent_name.as_str()),
            ("infra", "gw")
        );
        assert_eq!(
            p.set.listeners[0].hostname.as_deref(),
            Some("a.example.com")
        );
        let l: ListenerSetObject = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "ls"},
            "spec": {"parentRef": {"kind": "Service", "name": "gw"}, "listeners": []}
        }))
        .unwrap_or_default();
        let mut c = Checker::default();
        listener_set(&l, &FieldPath::root(), source(), &|_| None, &mut c);
        let paths: Vec<String> = c.errors.iter().map(|(p, _)| p.to_string()).collect();
        assert_eq!(paths, ["spec.parentRef", "spec.listeners"]);
    }
}
