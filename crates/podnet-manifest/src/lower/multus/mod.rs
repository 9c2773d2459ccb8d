//! Multus: NetworkAttachmentDefinition (`k8s.cni.cncf.io/v1`) with its CNI
//! configuration ([`cni`], [`ipam`], [`whereabouts`]), the pods' network
//! selections ([`selection`]) and MultiNetworkPolicy (`k8s.cni.cncf.io/v1beta1`),
//! whose spec is a NetworkPolicy spec and is lowered by [`super::netpol`].
//! Assembly ([`store`]) gives them namespace ids and warns about networks
//! no NAD defines.

pub mod cni;
pub mod ipam;
pub mod selection;
pub mod store;
pub mod whereabouts;

use k8s_openapi::api::networking::v1 as net;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use podnet_model::multus::{NETWORKS_ANNOTATION, POLICY_FOR_ANNOTATION};
use podnet_model::{
    CniConfig, CniType, Meta, MultiNetworkPolicy, NetworkAttachment, NetworkRef, NsId, Source,
};
use serde::Deserialize;

use super::meta::{NameRule, object_meta};
use super::netpol::{LineOf, network_policy};
use super::records::Record;
use crate::path::FieldPath;
use crate::validate::{Checker, names};

/// A NetworkAttachmentDefinition as written.
#[derive(Debug, Deserialize)]
pub struct Nad {
    /// `metadata`.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// `spec`.
    #[serde(default)]
    pub spec: NadSpec,
}

/// `spec` of a NetworkAttachmentDefinition.
#[derive(Debug, Default, Deserialize)]
pub struct NadSpec {
    /// `config`: a CNI configuration as a JSON string.
    #[serde(default)]
    pub config: Option<String>,
}

/// A MultiNetworkPolicy as written: a NetworkPolicy spec.
#[derive(Debug, Deserialize)]
pub struct Mnp {
    /// `metadata`.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// `spec`.
    #[serde(default)]
    pub spec: Option<net::NetworkPolicySpec>,
}

/// A NAD whose namespace id is not known yet.
#[derive(Clone, Debug)]
pub struct PendingNetwork {
    /// Namespace name.
    pub namespace: String,
    /// The NAD; its `namespace` id is set on assembly.
    pub network: NetworkAttachment,
}

/// A MultiNetworkPolicy whose namespace id is not known yet.
#[derive(Clone, Debug)]
pub struct PendingMultiPolicy {
    /// Namespace name.
    pub namespace: String,
    /// The policy; its `policy.namespace` id is set on assembly.
    pub policy: MultiNetworkPolicy,
}

/// Checks and lowers one NetworkAttachmentDefinition. Without
/// `spec.config` Multus reads a configuration file of that name on the node:
/// podnet keeps the network, with an unknown plugin and no addresses.
pub fn network_attachment(
    nad: &Nad,
    base: &FieldPath,
    source: Source,
    c: &mut Checker,
) -> PendingNetwork {
    let info = object_meta(&nad.metadata, NameRule::Subdomain, true, base, c);
    let namespace = info.namespace.unwrap_or_default();
    let at = base.key("spec").key("config");
    let config = match nad.spec.config.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(text) => cni::cni_config(text, &at, c).unwrap_or_default(),
        None => {
            c.warn(
                at,
                "no `spec.config`: Multus reads the CNI configuration from the nodes' disks; podnet does not know its plugin or addresses",
            );
            CniConfig {
                cni_type: CniType::Other(String::new()),
                ..CniConfig::default()
            }
        }
    };
    PendingNetwork {
        namespace: namespace.clone(),
        network: NetworkAttachment {
            meta: Meta {
                kind: "NetworkAttachmentDefinition".to_owned(),
                namespace: Some(namespace),
                name: info.name.clone(),
                source,
            },
            namespace: NsId(u32::MAX),
            name: info.name,
            config,
        },
    }
}

/// Checks and lowers one MultiNetworkPolicy with the NetworkPolicy rules.
pub fn multi_network_policy(
    p: &Mnp,
    base: &FieldPath,
    source: Source,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> PendingMultiPolicy {
    let np = net::NetworkPolicy {
        metadata: p.metadata.clone(),
        spec: p.spec.clone(),
    };
    let mut pending = network_policy(&np, base, source, line_of, c);
    pending.policy.meta.kind = "MultiNetworkPolicy".to_owned();
    let annotations = base.key("metadata").key("annotations");
    let policy_for = match p
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(POLICY_FOR_ANNOTATION))
    {
        Some(v) => policy_for(
            v,
            &pending.namespace,
            &annotations.map_key(POLICY_FOR_ANNOTATION),
            c,
        ),
        None => {
            c.warn(
                base.key("metadata"),
                format!(
                    "no `{POLICY_FOR_ANNOTATION}` annotation: the policy applies to no network"
                ),
            );
            Vec::new()
        }
    };
    PendingMultiPolicy {
        namespace: pending.namespace,
        policy: MultiNetworkPolicy {
            policy: pending.policy,
            policy_for,
        },
    }
}

/// `k8s.v1.cni.cncf.io/policy-for`: comma-separated `namespace/name` or
/// `name` (in the policy's namespace), spaces ignored, as the
/// multi-networkpolicy implementations read it.
pub fn policy_for(value: &str, own: &str, at: &FieldPath, c: &mut Checker) -> Vec<NetworkRef> {
    let compact: String = value.chars().filter(|ch| *ch != ' ').collect();
    let mut out = Vec::new();
    for item in compact.split(',') {
        let (ns, name) = match item.split_once('/') {
            Some((ns, name)) => (ns, name),
            None => (own, item),
        };
        if name.is_empty() || ns.is_empty() || name.contains('/') {
            c.error(
                at.clone(),
                format!("invalid network `{item}` in `{value}`: write `namespace/name` or `name`"),
            );
            continue;
        }
        let mut problems = names::dns1123_subdomain(name);
        problems.extend(names::dns1123_label(ns));
        if !problems.is_empty() {
            c.check(at, item, problems);
            continue;
        }
        out.push(NetworkRef::new(ns, name));
    }
    out
}

/// Sets the line of the `k8s.v1.cni.cncf.io/networks` annotation on the
/// network selections of a Pod or a controller's template (`kind` is the
/// document's kind, `base` its path).
pub fn locate_selections(record: &mut Record, kind: &str, base: &FieldPath, line_of: LineOf<'_>) {
    let (selections, meta) = match record {
        Record::Pod(p) => (&mut p.shape.net.networks, base.key("metadata")),
        Record::Controller(ctl) => {
            let template = if kind == "CronJob" {
                base.key("spec").key("jobTemplate").key("spec")
            } else {
                base.key("spec")
            };
            (
                &mut ctl.template.net.networks,
                template.key("template").key("metadata"),
            )
        }
        _ => return,
    };
    if selections.is_empty() {
        return;
    }
    let line = line_of(&meta.key("annotations").map_key(NETWORKS_ANNOTATION));
    for s in selections {
        s.line = line;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_for_defaults_the_namespace() {
        let mut c = Checker::default();
        let at = FieldPath::fields("metadata.annotations");
        let got = policy_for("net-a, other/net-b,net-c", "tel", &at, &mut c);
        assert!(!c.has_errors(), "{:?}", c.errors);
        let shown: Vec<String> = got.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["tel/net-a", "other/net-b", "tel/net-c"]);
        for bad in ["net-a,", "a/b/c", "Net", "/x"] {
            let mut c = Checker::default();
            assert!(policy_for(bad, "tel", &at, &mut c).len() < 2, "{bad}");
            assert!(c.has_errors(), "{bad}");
        }
    }
}
