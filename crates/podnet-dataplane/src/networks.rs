//! Multus secondary networks: which pods a NetworkAttachmentDefinition
//! attaches, the address each attachment gets ([`secondary_addresses`]),
//! and the cluster as seen on that network ([`project`]) so that the engine,
//! unchanged, answers who reaches whom there.
//!
//! Addresses: the pod's requested `ips` with the static IPAM (or its
//! configured `addresses`) and host-local, which honour the `ips`
//! capability; host-local and whereabouts otherwise hand out their ranges'
//! lowest free addresses in pod order. host-local keeps its store on each
//! node, so pods on different nodes may get the same address (a warning);
//! whereabouts allocates cluster-wide. dhcp addresses come from outside and
//! are unknown. Pass a running cluster ([`crate::Dataplane::build`]'s) so
//! that DaemonSets are expanded and pods are on nodes.
//!
//! Projection: on a secondary network NetworkPolicy does not apply (it is
//! the pod network's); the MultiNetworkPolicies `policy-for` that network
//! do, with NetworkPolicy semantics, against the secondary addresses.

mod alloc;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;

use ipnet::IpNet;
use podnet_model::{Cluster, IpamKind, NetworkAttachment, NetworkRef, PodId, PodOrigin, Workload};

use crate::issue::{Found, Issue, NetworkFound};

/// One interface of a pod on the network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// The pod.
    pub pod: PodId,
    /// The interface: the requested name, else `net<N>` (N its position in
    /// the pod's annotation, from 1), as Multus names them.
    pub interface: String,
    /// Its addresses with their prefix lengths (none when unknown or
    /// exhausted).
    pub addresses: Vec<IpNet>,
}

/// The attachments of one network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecondaryAddresses {
    /// The network.
    pub network: NetworkRef,
    /// Every attachment, in pod order.
    pub attachments: Vec<Attachment>,
    /// Problems: an undefined network, exhausted ranges, duplicate
    /// addresses, requests the IPAM ignores.
    pub issues: Vec<Issue>,
}

impl SecondaryAddresses {
    /// Every address of `pod` on the network.
    pub fn addresses_of(&self, pod: PodId) -> Vec<IpAddr> {
        self.attachments
            .iter()
            .filter(|a| a.pod == pod)
            .flat_map(|a| a.addresses.iter().map(IpNet::addr))
            .collect()
    }
}

/// The object name and source of a pod, for issues.
fn pod_at(cluster: &Cluster, pod: PodId) -> (String, Option<&podnet_model::Source>) {
    let p = cluster.pod(pod);
    let source = match &p.origin {
        PodOrigin::Object(s) => Some(s),
        PodOrigin::Template { .. } => cluster.workload(p.workload).source.as_ref(),
    };
    (format!("Pod {}", cluster.pod_name(pod)), source)
}

/// The attachments of `network` (pods in order; host-network pods get
/// none), with the addresses each requests.
fn attached(
    cluster: &Cluster,
    network: &NetworkRef,
    issues: &mut Vec<Issue>,
) -> Vec<(Attachment, Vec<IpNet>)> {
    let mut out = Vec::new();
    for id in cluster.pod_ids() {
        let pod = cluster.pod(id);
        let ns = &cluster.namespace(pod.namespace).name;
        for (i, s) in pod.net.networks.iter().enumerate() {
            if s.network(ns) != *network {
                continue;
            }
            if pod.host_network {
                let (object, source) = pod_at(cluster, id);
                issues.push(
                    Issue::warning(Found::Network(NetworkFound::HostNetwork {
                        network: network.clone(),
                    }))
                    .at(object, source),
                );
                continue;
            }
            let attachment = Attachment {
                pod: id,
                interface: s
                    .interface
                    .clone()
                    .unwrap_or_else(|| format!("net{}", i + 1)),
                addresses: Vec::new(),
            };
            out.push((attachment, s.ips.clone()));
        }
    }
    out
}

/// Allocates every attachment's address on `network`.
pub fn secondary_addresses(cluster: &Cluster, network: &NetworkRef) -> SecondaryAddresses {
    let mut issues = Vec::new();
    let Some(nad) = cluster.networks.iter().find(|n| network.is(n)) else {
        issues.push(Issue::error(Found::Network(NetworkFound::Missing {
            network: network.clone(),
        })));
        return SecondaryAddresses {
            network: network.clone(),
            attachments: Vec::new(),
            issues,
        };
    };
    let mut list = attached(cluster, network, &mut issues);
    let kind = nad.config.ipam.as_ref().map(|i| i.kind.clone());
    match kind {
        None => {}
        Some(IpamKind::Dhcp) if !list.is_empty() => issues.push(
            Issue::warning(Found::Network(NetworkFound::Dhcp {
                network: network.clone(),
            }))
            .at(
                format!("NetworkAttachmentDefinition {network}"),
                Some(&nad.meta.source),
            ),
        ),
        Some(IpamKind::Dhcp | IpamKind::Other(_)) => {}
        Some(IpamKind::Static) => statics(cluster, nad, &mut list, &mut issues),
        Some(IpamKind::HostLocal | IpamKind::Whereabouts) => {
            ranges(cluster, nad, &mut list, &mut issues);
        }
    }
    let per_node = kind == Some(IpamKind::HostLocal);
    duplicates(cluster, network, per_node, &list, &mut issues);
    SecondaryAddresses {
        network: network.clone(),
        attachments: list.into_iter().map(|(a, _)| a).collect(),
        issues,
    }
}

/// static: the pod's requested `ips`, else the configured `addresses`.
fn statics(
    cluster: &Cluster,
    nad: &NetworkAttachment,
    list: &mut [(Attachment, Vec<IpNet>)],
    issues: &mut Vec<Issue>,
) {
    let configured: Vec<IpNet> = nad
        .config
        .ipam
        .iter()
        .flat_map(|i| i.addresses.iter().map(|a| a.address))
        .collect();
    for (a, requested) in list {
        a.addresses = if requested.is_empty() {
            configured.clone()
        } else {
            requested.clone()
        };
        if a.addresses.is_empty() {
            let (object, source) = pod_at(cluster, a.pod);
            issues.push(
                Issue::error(Found::Network(NetworkFound::StaticEmpty {
                    network: nad.meta.qualified_name(),
                }))
                .at(object, source),
            );
        }
    }
}

/// host-local and whereabouts: requested addresses first (host-local
/// only), then the lowest free address of each range set, per node for
/// host-local and cluster-wide for whereabouts.
fn ranges(
    cluster: &Cluster,
    nad: &NetworkAttachment,
    list: &mut [(Attachment, Vec<IpNet>)],
    issues: &mut Vec<Issue>,
) {
    let Some(ipam) = nad.config.ipam.as_ref() else {
        return;
    };
    let per_node = ipam.kind == IpamKind::HostLocal;
    let store = |a: &Attachment| {
        per_node
            .then(|| cluster.pod(a.pod).node_name.clone())
            .flatten()
            .unwrap_or_default()
    };
    let mut used: HashMap<String, HashSet<IpAddr>> = HashMap::new();
    let network = nad.meta.qualified_name();
    for (a, requested) in list.iter_mut().filter(|(_, r)| !r.is_empty()) {
        let (object, source) = pod_at(cluster, a.pod);
        if !per_node {
            issues.push(
                Issue::warning(Found::Network(NetworkFound::WhereaboutsIgnoresIps {
                    network: network.clone(),
                }))
                .at(object, source),
            );
            requested.clear();
            continue;
        }
        for net in requested.iter() {
            match alloc::in_sets(&ipam.ranges, net.addr()) {
                Some(prefix) => {
                    used.entry(store(a)).or_default().insert(net.addr());
                    a.addresses.extend(IpNet::new(net.addr(), prefix).ok());
                }
                None => issues.push(
                    Issue::error(Found::Network(NetworkFound::RequestedOutside {
                        ip: net.addr(),
                        network: network.clone(),
                    }))
                    .at(object.clone(), source),
                ),
            }
        }
    }
    for (a, requested) in list.iter_mut() {
        if !requested.is_empty() {
            continue;
        }
        let taken = used.entry(store(a)).or_default();
        for (i, set) in ipam.ranges.iter().enumerate() {
            match alloc::next_free(set, taken) {
                Some(net) => {
                    taken.insert(net.addr());
                    a.addresses.push(net);
                }
                None => {
                    let (object, source) = pod_at(cluster, a.pod);
                    issues.push(
                        Issue::error(Found::Network(NetworkFound::Exhausted {
                            network: network.clone(),
                            range_set: i,
                        }))
                        .at(object, source),
                    );
                }
            }
        }
    }
}

/// An address held by two attachments: an error, but for host-local on
/// different nodes (each node's store hands it out again), a warning.
fn duplicates(
    cluster: &Cluster,
    network: &NetworkRef,
    per_node: bool,
    list: &[(Attachment, Vec<IpNet>)],
    issues: &mut Vec<Issue>,
) {
    let mut holders: BTreeMap<IpAddr, Vec<PodId>> = BTreeMap::new();
    for (a, _) in list {
        for net in &a.addresses {
            holders.entry(net.addr()).or_default().push(a.pod);
        }
    }
    for (ip, pods) in holders.into_iter().filter(|(_, p)| p.len() > 1) {
        let names: Vec<String> = pods.iter().map(|&p| cluster.pod_name(p)).collect();
        let nodes: HashSet<Option<&String>> = pods
            .iter()
            .map(|&p| cluster.pod(p).node_name.as_ref())
            .collect();
        let per_node = per_node && nodes.len() > 1;
        let found = Found::Network(NetworkFound::SharedAddress {
            ip,
            network: network.clone(),
            pods: names,
            per_node,
        });
        let issue = if per_node {
            Issue::warning(found)
        } else {
            Issue::error(found)
        };
        let (object, source) = pod_at(cluster, pods[0]);
        issues.push(issue.at(object, source));
    }
}

/// The cluster as seen on `network`: the same namespaces, label sets and
/// port tables (so label and port ids keep their meaning); only the
/// workloads with a pod attached and only those pods (ids renumbered,
/// grouping kept), each pod's `ips` its secondary addresses; `policies` the
/// MultiNetworkPolicies for the network; no admin policies, Services,
/// endpoints, exposures, nodes or pools.
pub fn project(cluster: &Cluster, network: &NetworkRef) -> Cluster {
    project_with(cluster, &secondary_addresses(cluster, network))
}

/// [`project`] with addresses already allocated.
pub fn project_with(cluster: &Cluster, addresses: &SecondaryAddresses) -> Cluster {
    let attached: HashSet<PodId> = addresses.attachments.iter().map(|a| a.pod).collect();
    let mut out = Cluster {
        namespaces: cluster.namespaces.clone(),
        label_sets: cluster.label_sets.clone(),
        port_tables: cluster.port_tables.clone(),
        profile: cluster.profile.clone(),
        ..Cluster::default()
    };
    for w in &cluster.workloads {
        let pods: Vec<PodId> = w
            .pods
            .iter()
            .copied()
            .filter(|p| attached.contains(p))
            .collect();
        if pods.is_empty() {
            continue;
        }
        let wid = podnet_model::WorkloadId::from_index(out.workloads.len());
        let mut ids = Vec::with_capacity(pods.len());
        for p in pods {
            let mut pod = cluster.pod(p).clone();
            pod.workload = wid;
            pod.ips = addresses.addresses_of(p);
            ids.push(PodId::from_index(out.pods.len()));
            out.pods.push(pod);
        }
        out.workloads.push(Workload {
            pods: ids,
            ..w.clone()
        });
    }
    out.policies = cluster
        .multi_policies
        .iter()
        .filter(|p| p.policy_for.contains(&addresses.network))
        .map(|p| p.policy.clone())
        .collect();
    out.networks = cluster
        .networks
        .iter()
        .filter(|n| addresses.network.is(n))
        .cloned()
        .collect();
    out
}
