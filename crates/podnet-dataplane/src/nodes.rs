//! The cluster's nodes: the profile's nodes merged with `Node` objects (a
//! Node object wins field by field), plus nodes only named by pods'
//! `nodeName`.

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;
use podnet_model::node::{HOSTNAME_LABEL, INSTANCE_TYPE_LABEL, ZONE_LABEL};
use podnet_model::{Cluster, Labels, Node, Profile, Source};

use crate::issue::Issue;

/// A node as the dataplane sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeInfo {
    /// Name.
    pub name: String,
    /// Labels, including hostname, zone and instance type when known.
    pub labels: Labels,
    /// InternalIP addresses.
    pub internal_ips: Vec<IpAddr>,
    /// ExternalIP addresses.
    pub external_ips: Vec<IpAddr>,
    /// `spec.providerID`.
    pub provider_id: Option<String>,
    /// Zone.
    pub zone: Option<String>,
    /// Most pods it runs (110 when not said, the kubelet default).
    pub max_pods: u32,
    /// Whether it is cordoned.
    pub unschedulable: bool,
    /// Pod CIDRs it declares (`spec.podCIDRs`), before allocation.
    pub declared_pod_cidrs: Vec<IpNet>,
    /// Where it was declared (a Node object), if anywhere.
    pub source: Option<Source>,
    /// Whether only a pod's `nodeName` made it known.
    pub implicit: bool,
}

impl NodeInfo {
    /// As a model `Node`, with its allocated pod blocks; provenance is the
    /// Node object's, else the profile's.
    pub fn to_model(&self, blocks: &[ipnet::IpNet], profile: Option<&podnet_model::Meta>) -> Node {
        let source = self
            .source
            .clone()
            .or_else(|| profile.map(|m| m.source.clone()))
            .unwrap_or(Source {
                file: "(profile preset)".into(),
                document: 0,
                line: None,
                item: None,
            });
        Node {
            meta: podnet_model::Meta {
                kind: "Node".to_owned(),
                namespace: None,
                name: self.name.clone(),
                source,
            },
            labels: self.labels.clone(),
            pod_cidrs: if blocks.is_empty() {
                self.declared_pod_cidrs.clone()
            } else {
                blocks.to_vec()
            },
            internal_ips: self.internal_ips.clone(),
            external_ips: self.external_ips.clone(),
            provider_id: self.provider_id.clone(),
            max_pods: Some(self.max_pods),
            unschedulable: self.unschedulable,
        }
    }

    /// A node known only by name.
    fn named(name: &str) -> NodeInfo {
        let mut labels = Labels::new();
        labels.insert(HOSTNAME_LABEL, name.to_owned());
        NodeInfo {
            name: name.to_owned(),
            labels,
            internal_ips: Vec::new(),
            external_ips: Vec::new(),
            provider_id: None,
            zone: None,
            max_pods: DEFAULT_MAX_PODS,
            unschedulable: false,
            declared_pod_cidrs: Vec::new(),
            source: None,
            implicit: false,
        }
    }
}

/// The kubelet's default `maxPods`.
pub const DEFAULT_MAX_PODS: u32 = 110;

/// Builds the node list, sorted by name. `profile_lists_nodes`: the
/// profile as written has `nodes` (else they are its preset's).
pub fn merge_nodes(
    cluster: &Cluster,
    profile: &Profile,
    profile_lists_nodes: bool,
    issues: &mut Vec<Issue>,
) -> Vec<NodeInfo> {
    let mut by_name: BTreeMap<String, NodeInfo> = BTreeMap::new();
    let declared_objects = !cluster.nodes.is_empty();
    for n in &profile.nodes {
        // With Node objects in the input, the preset's made-up nodes do
        // not exist; nodes the user's profile lists still count.
        if declared_objects && !profile_lists_nodes {
            break;
        }
        let mut labels = n.labels.clone();
        labels.insert(HOSTNAME_LABEL, n.name.clone());
        if let Some(z) = &n.zone {
            labels.insert(ZONE_LABEL, z.clone());
        }
        if let Some(t) = &n.instance_type {
            labels.insert(INSTANCE_TYPE_LABEL, t.clone());
        }
        by_name.insert(
            n.name.clone(),
            NodeInfo {
                name: n.name.clone(),
                labels,
                internal_ips: n.internal_ips.clone(),
                external_ips: n.external_ips.clone(),
                provider_id: n.provider_id.clone(),
                zone: n.zone.clone(),
                max_pods: n.max_pods.unwrap_or(DEFAULT_MAX_PODS),
                unschedulable: false,
                declared_pod_cidrs: n.pod_cidrs.clone(),
                source: profile.meta.as_ref().map(|m| m.source.clone()),
                implicit: false,
            },
        );
    }
    for n in &cluster.nodes {
        let entry = by_name
            .entry(n.meta.name.clone())
            .or_insert_with(|| NodeInfo::named(&n.meta.name));
        for (k, v) in n.labels.iter() {
            entry.labels.insert(k, v);
        }
        entry.labels.insert(HOSTNAME_LABEL, n.meta.name.clone());
        if let Some(z) = n.labels.get(ZONE_LABEL) {
            entry.zone = Some(z.to_owned());
        }
        if !n.internal_ips.is_empty() {
            entry.internal_ips = n.internal_ips.clone();
        }
        if !n.external_ips.is_empty() {
            entry.external_ips = n.external_ips.clone();
        }
        if n.provider_id.is_some() {
            entry.provider_id = n.provider_id.clone();
        }
        if let Some(m) = n.max_pods {
            entry.max_pods = m;
        }
        entry.unschedulable = n.unschedulable;
        if !n.pod_cidrs.is_empty() {
            entry.declared_pod_cidrs = n.pod_cidrs.clone();
        }
        entry.source = Some(n.meta.source.clone());
    }
    let mut undeclared: Vec<String> = Vec::new();
    for pod in &cluster.pods {
        if let Some(name) = &pod.node_name
            && !by_name.contains_key(name)
        {
            undeclared.push(format!(
                "`{name}` (pod {}/{})",
                cluster.namespace(pod.namespace).name,
                pod.name
            ));
            by_name.insert(
                name.clone(),
                NodeInfo {
                    implicit: true,
                    ..NodeInfo::named(name)
                },
            );
        }
    }
    if !undeclared.is_empty() {
        let n = undeclared.len();
        let shown: Vec<&str> = undeclared.iter().take(3).map(String::as_str).collect();
        issues.push(
            Issue::warning(format!(
                "{n} node{} named by pods {} declared by neither a Node object nor the profile: {}{}; podnet adds {} without an address",
                if n == 1 { "" } else { "s" },
                if n == 1 { "is" } else { "are" },
                shown.join(", "),
                if n > 3 { ", ..." } else { "" },
                if n == 1 { "it" } else { "them" }
            ))
            .help("add the nodes to the ClusterProfile's `nodes`, or include their Node objects"),
        );
    }
    by_name.into_values().collect()
}
