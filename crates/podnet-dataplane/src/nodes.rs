//! The cluster's nodes: the profile's nodes merged with `Node` objects (a
//! Node object wins field by field), plus nodes only named by pods'
//! `nodeName`. When the inputs declare no node at all, the nodes are
//! assumed instead ([`assumed`](crate::assumed)).

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;
use podnet_model::node::{HOSTNAME_LABEL, INSTANCE_TYPE_LABEL, ZONE_LABEL};
use podnet_model::{Cluster, Labels, Node, Profile, ProfileNode, Source, Taint};

use crate::issue::{Found, Issue};

/// `kubernetes.io/os`, set by the kubelet (Well-Known Labels).
pub const OS_LABEL: &str = "kubernetes.io/os";
/// `kubernetes.io/arch`, set by the kubelet.
pub const ARCH_LABEL: &str = "kubernetes.io/arch";
/// The deprecated `beta.kubernetes.io/os` the kubelet still sets.
pub const BETA_OS_LABEL: &str = "beta.kubernetes.io/os";
/// The deprecated `beta.kubernetes.io/arch` the kubelet still sets.
pub const BETA_ARCH_LABEL: &str = "beta.kubernetes.io/arch";
/// `topology.kubernetes.io/region`, set by the cloud provider.
pub const REGION_LABEL: &str = "topology.kubernetes.io/region";

/// The labels the kubelet sets on every Linux node it registers, besides
/// its hostname (Kubernetes docs, "Well-Known Labels, Annotations and
/// Taints"; the kubelet's `initialNode`).
pub const KUBELET_LABELS: [(&str, &str); 4] = [
    (OS_LABEL, "linux"),
    (ARCH_LABEL, "amd64"),
    (BETA_OS_LABEL, "linux"),
    (BETA_ARCH_LABEL, "amd64"),
];

/// Where a node comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeOrigin {
    /// A `Node` object in the input (possibly also in the profile).
    Object,
    /// The ClusterProfile's `nodes` (or `nodeCount`).
    Profile,
    /// Assumed by podnet: the inputs declare no node.
    Assumed,
    /// Only a pod's `nodeName` names it.
    NamedByPod,
}

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
    /// `spec.taints`.
    pub taints: Vec<Taint>,
    /// Pod CIDRs it declares (`spec.podCIDRs`), before allocation.
    pub declared_pod_cidrs: Vec<IpNet>,
    /// Where it was declared (a Node object), if anywhere.
    pub source: Option<Source>,
    /// Where it comes from.
    pub origin: NodeOrigin,
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
            taints: self.taints.clone(),
        }
    }

    /// A node known only by name.
    fn named(name: &str, origin: NodeOrigin) -> NodeInfo {
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
            taints: Vec::new(),
            declared_pod_cidrs: Vec::new(),
            source: None,
            origin,
        }
    }

    /// A node the profile describes (or podnet assumes), with the labels
    /// its kubelet and cloud provider set: the kubelet's
    /// ([`KUBELET_LABELS`]) where the profile's `labels` do not say
    /// otherwise, hostname, zone, region (`region`, when known) and
    /// instance type.
    pub fn from_profile(
        n: &ProfileNode,
        region: Option<&str>,
        source: Option<Source>,
        origin: NodeOrigin,
    ) -> NodeInfo {
        let mut labels: Labels = KUBELET_LABELS.iter().copied().collect();
        for (k, v) in n.labels.iter() {
            labels.insert(k, v);
        }
        labels.insert(HOSTNAME_LABEL, n.name.clone());
        if let Some(z) = &n.zone {
            labels.insert(ZONE_LABEL, z.clone());
        }
        if let Some(r) = region {
            labels.insert(REGION_LABEL, r);
        }
        if let Some(t) = &n.instance_type {
            labels.insert(INSTANCE_TYPE_LABEL, t.clone());
        }
        NodeInfo {
            name: n.name.clone(),
            zone: labels.get(ZONE_LABEL).map(str::to_owned),
            labels,
            internal_ips: n.internal_ips.clone(),
            external_ips: n.external_ips.clone(),
            provider_id: n.provider_id.clone(),
            max_pods: n.max_pods.unwrap_or(DEFAULT_MAX_PODS),
            unschedulable: false,
            taints: n.taints.clone(),
            declared_pod_cidrs: n.pod_cidrs.clone(),
            source,
            origin,
        }
    }
}

/// The kubelet's default `maxPods`.
pub const DEFAULT_MAX_PODS: u32 = 110;

/// Whether the inputs declare nodes: Node objects, or `nodes`/`nodeCount`
/// in the ClusterProfile as written (`profile_lists_nodes`).
pub fn declared(cluster: &Cluster, profile_lists_nodes: bool) -> bool {
    !cluster.nodes.is_empty() || profile_lists_nodes
}

/// Builds the declared node list, sorted by name: the profile's nodes (when
/// it lists them) merged with Node objects, and nodes named by pods.
pub fn merge_nodes(
    cluster: &Cluster,
    profile: &Profile,
    profile_lists_nodes: bool,
    issues: &mut Vec<Issue>,
) -> Vec<NodeInfo> {
    let mut by_name: BTreeMap<String, NodeInfo> = BTreeMap::new();
    if profile_lists_nodes {
        for n in &profile.nodes {
            let source = profile.meta.as_ref().map(|m| m.source.clone());
            by_name.insert(
                n.name.clone(),
                NodeInfo::from_profile(n, None, source, NodeOrigin::Profile),
            );
        }
    }
    for n in &cluster.nodes {
        let entry = by_name
            .entry(n.meta.name.clone())
            .or_insert_with(|| NodeInfo::named(&n.meta.name, NodeOrigin::Object));
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
        if !n.taints.is_empty() {
            entry.taints = n.taints.clone();
        }
        if !n.pod_cidrs.is_empty() {
            entry.declared_pod_cidrs = n.pod_cidrs.clone();
        }
        entry.source = Some(n.meta.source.clone());
        entry.origin = NodeOrigin::Object;
    }
    add_named_by_pods(cluster, &mut by_name, issues);
    by_name.into_values().collect()
}

/// Adds the nodes pods name in `nodeName` that nothing else declares, with
/// one warning for all of them.
pub fn add_named_by_pods(
    cluster: &Cluster,
    by_name: &mut BTreeMap<String, NodeInfo>,
    issues: &mut Vec<Issue>,
) {
    let mut undeclared: Vec<(String, String)> = Vec::new();
    for pod in &cluster.pods {
        if let Some(name) = &pod.node_name
            && !by_name.contains_key(name)
        {
            undeclared.push((
                name.clone(),
                format!("{}/{}", cluster.namespace(pod.namespace).name, pod.name),
            ));
            by_name.insert(name.clone(), NodeInfo::named(name, NodeOrigin::NamedByPod));
        }
    }
    if !undeclared.is_empty() {
        issues.push(Issue::warning(Found::UndeclaredNodes { nodes: undeclared }));
    }
}
