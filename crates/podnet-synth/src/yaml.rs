//! Synthesised policies as Kubernetes objects (k8s-openapi
//! `networking.k8s.io/v1` `NetworkPolicy`), printed as YAML (serde-saphyr)
//! with a leading comment naming the intents each realises, or as a JSON
//! `List`.

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1 as net;
use k8s_openapi::apimachinery::pkg::apis::meta::v1 as meta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use podnet_model::{LabelSelector, Operator, PortMatch, PortSpec};

use crate::{DEFAULT_DENY, SynthPeer, SynthPolicy, SynthRule};

/// A selector as `matchLabels` (single-value `In`) and `matchExpressions`.
fn selector(s: &LabelSelector) -> meta::LabelSelector {
    let mut labels = BTreeMap::new();
    let mut exprs = Vec::new();
    for r in s.requirements() {
        match (r.operator, r.values.as_slice()) {
            (Operator::In, [v]) if !labels.contains_key(&r.key) => {
                labels.insert(r.key.clone(), v.clone());
            }
            _ => exprs.push(meta::LabelSelectorRequirement {
                key: r.key.clone(),
                operator: r.operator.as_str().to_owned(),
                values: (!r.values.is_empty()).then(|| r.values.clone()),
            }),
        }
    }
    meta::LabelSelector {
        match_labels: (!labels.is_empty()).then_some(labels),
        match_expressions: (!exprs.is_empty()).then_some(exprs),
    }
}

fn peer(p: &SynthPeer) -> net::NetworkPolicyPeer {
    match p {
        SynthPeer::Pods { namespaces, pods } => net::NetworkPolicyPeer {
            namespace_selector: Some(selector(namespaces)),
            pod_selector: Some(selector(pods)),
            ip_block: None,
        },
        SynthPeer::IpBlock(b) => net::NetworkPolicyPeer {
            ip_block: Some(net::IPBlock {
                cidr: b.cidr.to_string(),
                except: (!b.except.is_empty())
                    .then(|| b.except.iter().map(ToString::to_string).collect()),
            }),
            ..Default::default()
        },
    }
}

fn port(p: &PortSpec) -> net::NetworkPolicyPort {
    let (port, end_port) = match &p.port {
        PortMatch::All => (None, None),
        PortMatch::Range(lo, hi) => (
            Some(IntOrString::Int(i32::from(*lo))),
            (hi != lo).then_some(i32::from(*hi)),
        ),
        PortMatch::Named(n) => (Some(IntOrString::String(n.clone())), None),
    };
    net::NetworkPolicyPort {
        protocol: Some(p.protocol.as_str().to_owned()),
        port,
        end_port,
    }
}

fn ports(r: &SynthRule) -> Option<Vec<net::NetworkPolicyPort>> {
    (!r.ports.is_empty()).then(|| r.ports.iter().map(port).collect())
}

/// One policy as a Kubernetes object.
pub fn to_k8s(p: &SynthPolicy) -> net::NetworkPolicy {
    let mut types = Vec::new();
    if p.ingress_type {
        types.push("Ingress".to_owned());
    }
    if p.egress_type {
        types.push("Egress".to_owned());
    }
    let ingress: Vec<net::NetworkPolicyIngressRule> = p
        .ingress
        .iter()
        .map(|r| net::NetworkPolicyIngressRule {
            from: Some(r.peers.iter().map(peer).collect()),
            ports: ports(r),
        })
        .collect();
    let egress: Vec<net::NetworkPolicyEgressRule> = p
        .egress
        .iter()
        .map(|r| net::NetworkPolicyEgressRule {
            to: Some(r.peers.iter().map(peer).collect()),
            ports: ports(r),
        })
        .collect();
    net::NetworkPolicy {
        metadata: meta::ObjectMeta {
            name: Some(p.name.clone()),
            namespace: Some(p.namespace.clone()),
            labels: Some(BTreeMap::from([(
                "app.kubernetes.io/managed-by".to_owned(),
                "podnet-synth".to_owned(),
            )])),
            ..Default::default()
        },
        spec: Some(net::NetworkPolicySpec {
            pod_selector: Some(selector(&p.pod_selector)),
            policy_types: Some(types),
            ingress: (!ingress.is_empty()).then_some(ingress),
            egress: (!egress.is_empty()).then_some(egress),
        }),
    }
}

/// The comment before a policy: what it is for.
pub fn comment(p: &SynthPolicy) -> String {
    if p.name == DEFAULT_DENY {
        return format!(
            "# {}/{}: every pod is isolated for ingress and egress",
            p.namespace, p.name
        );
    }
    let intents: Vec<String> = p.intents().into_iter().collect();
    format!(
        "# {}/{} realises: {}",
        p.namespace,
        p.name,
        intents.join(", ")
    )
}

/// Why policies could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The YAML serializer failed.
    #[error("cannot write YAML: {0}")]
    Yaml(#[from] serde_saphyr::SerializeError),
    /// The JSON serializer failed.
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Policies as a YAML stream, each document led by its [`comment`].
pub fn to_yaml(policies: &[SynthPolicy]) -> Result<String, WriteError> {
    let mut out = String::new();
    for (i, p) in policies.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&comment(p));
        out.push('\n');
        let doc = serde_saphyr::to_string(&to_k8s(p))?;
        out.push_str(&doc);
        if !doc.ends_with('\n') {
            out.push('\n');
        }
    }
    Ok(out)
}

/// Policies as a `v1` `List`, pretty JSON.
pub fn to_json(policies: &[SynthPolicy]) -> Result<String, WriteError> {
    let items: Vec<net::NetworkPolicy> = policies.iter().map(to_k8s).collect();
    let list = serde_json::json!({
        "apiVersion": "v1",
        "kind": "List",
        "items": items,
    });
    Ok(serde_json::to_string_pretty(&list)?)
}
