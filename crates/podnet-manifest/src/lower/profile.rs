//! podnet's own `ClusterProfile` (podnet.dev/v1alpha1, cluster-scoped): what
//! the workload YAML does not say but the dataplane depends on. podnet owns
//! the kind, so its serde types deny unknown fields: a typo is an error with
//! its path and line. Field checks are here and in
//! [`profile_cloud`](super::profile_cloud); checks across fields (overlaps,
//! node blocks) in [`profile_check`](super::profile_check).

use std::collections::{BTreeMap, HashSet};
use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use podnet_model::{
    CniMode, DnsPodsMode, KubeProxyOptions, Meta, Preset, ProfileNode, ProfileSpec, ProxyMode,
    Source,
};
use serde::Deserialize;

use super::meta::{NameRule, object_meta};
use super::profile_check::check_profile;
use super::profile_cloud::{CloudDef, MetallbDef, cloud, metallb};
use super::scheduling;
use crate::path::FieldPath;
use crate::validate::addresses::{self, one_per_family, strict_cidr};
use crate::validate::{Checker, labels, names, unsupported};

/// Most nodes `nodeCount` generates.
pub const MAX_NODE_COUNT: i64 = 5000;
/// The address of the first generated node; the others follow.
pub const FIRST_NODE_IP: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 11);

/// A `ClusterProfile` object.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterProfile {
    /// `apiVersion` (checked by the decoder).
    pub api_version: String,
    /// `kind` (checked by the decoder).
    pub kind: String,
    /// Metadata; `name` is required.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The profile; every field optional.
    #[serde(default)]
    pub spec: ProfileDef,
}

/// `spec` of a `ClusterProfile`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProfileDef {
    /// A [`Preset`] name.
    pub preset: Option<String>,
    /// Pod ranges, one per family.
    #[serde(rename = "clusterCIDRs")]
    pub cluster_cidrs: Option<Vec<String>>,
    /// Per-node IPv4 block size.
    #[serde(rename = "nodeMaskSizeIPv4")]
    pub node_mask_v4: Option<i64>,
    /// Per-node IPv6 block size.
    #[serde(rename = "nodeMaskSizeIPv6")]
    pub node_mask_v6: Option<i64>,
    /// Service ranges, one per family.
    #[serde(rename = "serviceCIDRs")]
    pub service_cidrs: Option<Vec<String>>,
    /// The DNS suffix of Services.
    pub cluster_domain: Option<String>,
    /// Nodes, one by one.
    pub nodes: Option<Vec<NodeDef>>,
    /// Or a number of generated nodes.
    pub node_count: Option<i64>,
    /// A [`CniMode`] name.
    pub cni: Option<String>,
    /// A [`ProxyMode`] name.
    pub kube_proxy: Option<String>,
    /// kube-proxy's options.
    pub kube_proxy_options: Option<KubeProxyOptionsDef>,
    /// Destinations reached without masquerade.
    #[serde(rename = "nonMasqueradeCIDRs")]
    pub non_masquerade_cidrs: Option<Vec<String>>,
    /// The cloud.
    pub cloud: Option<CloudDef>,
    /// MetalLB pools.
    pub metallb: Option<MetallbDef>,
    /// The ingress controller's namespace.
    pub ingress_namespace: Option<String>,
    /// CoreDNS's `pods` mode: `disabled`, `insecure` or `verified`.
    pub dns_pods: Option<String>,
}

/// `kubeProxyOptions`: the fields of kube-proxy's
/// `KubeProxyConfiguration` (kubeproxy.config.k8s.io/v1alpha1) the
/// dataplane model uses.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KubeProxyOptionsDef {
    /// `masqueradeAll`.
    pub masquerade_all: Option<bool>,
    /// `detectLocalMode`: `ClusterCIDR` or `None`.
    pub detect_local_mode: Option<String>,
    /// `nodePortAddresses`: CIDRs, or `[primary]`.
    pub node_port_addresses: Option<Vec<String>>,
    /// `localhostNodePorts` (iptables).
    pub localhost_node_ports: Option<bool>,
}

/// One `nodes` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeDef {
    /// Node name.
    pub name: String,
    /// Its InternalIP.
    #[serde(rename = "internalIP")]
    pub internal_ip: Option<String>,
    /// Its ExternalIP.
    #[serde(rename = "externalIP")]
    pub external_ip: Option<String>,
    /// `topology.kubernetes.io/zone`.
    pub zone: Option<String>,
    /// `node.kubernetes.io/instance-type`.
    pub instance_type: Option<String>,
    /// `spec.providerID`.
    #[serde(rename = "providerID")]
    pub provider_id: Option<String>,
    /// Most pods.
    pub max_pods: Option<i64>,
    /// Extra labels.
    pub labels: Option<BTreeMap<String, String>>,
    /// Fixed pod CIDRs.
    #[serde(rename = "podCIDRs")]
    pub pod_cidrs: Option<Vec<String>>,
    /// Taints, as a Node's `spec.taints`.
    pub taints: Option<Vec<TaintDef>>,
}

/// One `nodes[].taints` entry (a Node's `spec.taints[]`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TaintDef {
    /// The taint key.
    pub key: String,
    /// Its value.
    pub value: Option<String>,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    pub effect: Option<String>,
}

/// Checks and lowers one `ClusterProfile`.
pub fn cluster_profile(
    p: &ClusterProfile,
    base: &FieldPath,
    source: Source,
    c: &mut Checker,
) -> ProfileSpec {
    let info = object_meta(&p.metadata, NameRule::Subdomain, false, base, c);
    if p.metadata.name.as_deref().is_none_or(str::is_empty) && !info.name.is_empty() {
        c.error(base.key("metadata").key("name"), "name is required");
    }
    let at = base.key("spec");
    let d = &p.spec;
    let preset = d.preset.as_deref().and_then(|name| {
        let found = Preset::parse(name);
        if found.is_none() {
            let all: Vec<&str> = Preset::ALL.iter().map(|(n, _)| *n).collect();
            unsupported(&at.key("preset"), name, &all, c);
        }
        found
    });
    let cni = d.cni.as_deref().and_then(|name| {
        let found = CniMode::parse(name);
        if found.is_none() {
            let all: Vec<&str> = CniMode::ALL.iter().map(|(n, _)| *n).collect();
            unsupported(&at.key("cni"), name, &all, c);
        }
        found
    });
    let proxy = d.kube_proxy.as_deref().and_then(|name| {
        let found = ProxyMode::parse(name);
        match found {
            None => {
                let all: Vec<&str> = ProxyMode::ALL.iter().map(|(n, _)| *n).collect();
                unsupported(&at.key("kubeProxy"), name, &all, c);
            }
            // KEP-5495: kube-proxy's ipvs mode is deprecated as of
            // Kubernetes 1.35; nftables is its successor.
            Some(ProxyMode::Ipvs) => c.warn(
                at.key("kubeProxy"),
                "kube-proxy's ipvs mode is deprecated (Kubernetes 1.35, KEP-5495); nftables is its successor and podnet models it as kube-proxy's tests do",
            ),
            Some(_) => {}
        }
        found
    });
    let kube_proxy = d
        .kube_proxy_options
        .as_ref()
        .map(|o| kube_proxy_options(o, &at.key("kubeProxyOptions"), c));
    let dns_pods = d.dns_pods.as_deref().and_then(|name| {
        let found = DnsPodsMode::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, m)| *m);
        if found.is_none() {
            let all: Vec<&str> = DnsPodsMode::ALL.iter().map(|(n, _)| *n).collect();
            unsupported(&at.key("dnsPods"), name, &all, c);
        }
        found
    });
    let spec = ProfileSpec {
        meta: Some(Meta {
            kind: "ClusterProfile".to_owned(),
            namespace: None,
            name: info.name,
            source,
        }),
        preset,
        cluster_cidrs: d
            .cluster_cidrs
            .as_deref()
            .map(|l| family_cidrs(l, true, &at.key("clusterCIDRs"), c)),
        node_mask_v4: mask(d.node_mask_v4, 8, 32, &at.key("nodeMaskSizeIPv4"), c),
        node_mask_v6: mask(d.node_mask_v6, 1, 128, &at.key("nodeMaskSizeIPv6"), c),
        service_cidrs: d
            .service_cidrs
            .as_deref()
            .map(|l| family_cidrs(l, true, &at.key("serviceCIDRs"), c)),
        cluster_domain: d.cluster_domain.clone().inspect(|dom| {
            c.check(&at.key("clusterDomain"), dom, names::dns1123_subdomain(dom));
        }),
        nodes: nodes(d, &at, c),
        cni,
        proxy,
        kube_proxy,
        non_masquerade: d.non_masquerade_cidrs.as_deref().map(|l| {
            l.iter()
                .enumerate()
                .filter_map(|(i, s)| strict_cidr(s, &at.key("nonMasqueradeCIDRs").index(i), c))
                .collect()
        }),
        cloud: d
            .cloud
            .as_ref()
            .and_then(|cl| cloud(cl, &at.key("cloud"), c)),
        metallb: d
            .metallb
            .as_ref()
            .map(|m| metallb(m, &at.key("metallb"), c)),
        ingress_namespace: d.ingress_namespace.clone().inspect(|ns| {
            c.check(&at.key("ingressNamespace"), ns, names::dns1123_label(ns));
        }),
        dns_pods,
    };
    if !c.has_errors() {
        check_profile(&spec, d, &at, c);
    }
    spec
}

/// `kubeProxyOptions`, defaults filled in ([`KubeProxyOptions::default`]).
fn kube_proxy_options(
    o: &KubeProxyOptionsDef,
    at: &FieldPath,
    c: &mut Checker,
) -> KubeProxyOptions {
    let base = KubeProxyOptions::default();
    let detect_local = match o.detect_local_mode.as_deref() {
        None | Some("ClusterCIDR") => true,
        Some("None") => false,
        Some(other) => {
            unsupported(
                &at.key("detectLocalMode"),
                other,
                &["ClusterCIDR", "None"],
                c,
            );
            true
        }
    };
    let node_port_addresses = o.node_port_addresses.as_ref().and_then(|list| {
        if list.iter().any(|s| s == "primary") {
            return None;
        }
        Some(
            list.iter()
                .enumerate()
                .filter_map(|(i, s)| strict_cidr(s, &at.key("nodePortAddresses").index(i), c))
                .collect(),
        )
    });
    KubeProxyOptions {
        masquerade_all: o.masquerade_all.unwrap_or(base.masquerade_all),
        detect_local,
        node_port_addresses,
        localhost_node_ports: o.localhost_node_ports.unwrap_or(base.localhost_node_ports),
    }
}

/// A list of strict CIDRs, at most one per family (and at least one when
/// `required`).
fn family_cidrs(list: &[String], required: bool, at: &FieldPath, c: &mut Checker) -> Vec<IpNet> {
    if required && list.is_empty() {
        c.error(at.clone(), "at least one CIDR is required");
    }
    let located: Vec<(FieldPath, IpNet)> = list
        .iter()
        .enumerate()
        .filter_map(|(i, s)| strict_cidr(s, &at.index(i), c).map(|n| (at.index(i), n)))
        .collect();
    one_per_family(&located, |n| matches!(n, IpNet::V4(_)), "CIDR", c);
    located.into_iter().map(|(_, n)| n).collect()
}

/// A node mask size within `min..=max`.
fn mask(v: Option<i64>, min: u8, max: u8, at: &FieldPath, c: &mut Checker) -> Option<u8> {
    let v = v?;
    match u8::try_from(v) {
        Ok(m) if (min..=max).contains(&m) => Some(m),
        _ => {
            c.error(
                at.clone(),
                format!("invalid value `{v}`: must be between {min} and {max}, inclusive"),
            );
            None
        }
    }
}

/// `nodes`, or `nodeCount` generated nodes; not both.
fn nodes(d: &ProfileDef, at: &FieldPath, c: &mut Checker) -> Option<Vec<ProfileNode>> {
    match (&d.nodes, d.node_count) {
        (Some(_), Some(_)) => {
            c.error(at.key("nodeCount"), "may not be used together with `nodes`");
            None
        }
        (Some(list), None) => Some(node_list(list, &at.key("nodes"), c)),
        (None, Some(n)) if (1..=MAX_NODE_COUNT).contains(&n) => {
            let first = u32::from(FIRST_NODE_IP);
            Some(
                (0..u32::try_from(n).unwrap_or(0))
                    .map(|i| ProfileNode {
                        name: format!("node-{}", i + 1),
                        internal_ips: vec![IpAddr::V4(Ipv4Addr::from(first.saturating_add(i)))],
                        ..ProfileNode::default()
                    })
                    .collect(),
            )
        }
        (None, Some(n)) => {
            c.error(
                at.key("nodeCount"),
                format!("invalid value `{n}`: must be between 1 and {MAX_NODE_COUNT}, inclusive"),
            );
            None
        }
        (None, None) => None,
    }
}

fn node_list(list: &[NodeDef], at: &FieldPath, c: &mut Checker) -> Vec<ProfileNode> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, n) in list.iter().enumerate() {
        let at = at.index(i);
        if n.name.is_empty() {
            c.error(at.key("name"), "name is required");
        } else {
            c.check(&at.key("name"), &n.name, names::dns1123_subdomain(&n.name));
            if !seen.insert(n.name.as_str()) {
                c.error(at.key("name"), format!("duplicate node name `{}`", n.name));
            }
        }
        let ip = |v: &Option<String>, field: &'static str, c: &mut Checker| -> Vec<IpAddr> {
            v.as_deref()
                .and_then(|s| addresses::ip(s, &at.key(field), c))
                .into_iter()
                .collect()
        };
        let internal_ips = ip(&n.internal_ip, "internalIP", c);
        let external_ips = ip(&n.external_ip, "externalIP", c);
        for (field, v) in [("zone", &n.zone), ("instanceType", &n.instance_type)] {
            if let Some(v) = v {
                for p in names::label_value(v) {
                    c.error(at.key(field), format!("invalid value `{v}`: {p}"));
                }
            }
        }
        let max_pods = n.max_pods.and_then(|m| match u32::try_from(m) {
            Ok(m) if m >= 1 => Some(m),
            _ => {
                c.error(
                    at.key("maxPods"),
                    format!("invalid value `{m}`: must be greater than 0"),
                );
                None
            }
        });
        let pod_cidrs = n
            .pod_cidrs
            .as_deref()
            .map(|l| family_cidrs(l, false, &at.key("podCIDRs"), c))
            .unwrap_or_default();
        out.push(ProfileNode {
            name: n.name.clone(),
            internal_ips,
            external_ips,
            zone: n.zone.clone(),
            instance_type: n.instance_type.clone(),
            provider_id: n.provider_id.clone().filter(|p| !p.is_empty()),
            max_pods,
            labels: labels(n.labels.as_ref(), &at.key("labels"), c),
            pod_cidrs,
            taints: scheduling::taints(
                n.taints
                    .iter()
                    .flatten()
                    .map(|t| (t.key.as_str(), t.value.as_deref(), t.effect.as_deref())),
                &at.key("taints"),
                c,
            ),
        });
    }
    out
}
