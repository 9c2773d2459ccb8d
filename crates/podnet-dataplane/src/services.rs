//! Service backends as the EndpointSlice controller computes them: pods of
//! the Service's namespace whose labels match its selector, with an address,
//! each port's `targetPort` resolved per pod (a named port maps to the
//! container port of that name and protocol; a pod without it is no backend
//! for that port). Selector-less Services take their backends from
//! Endpoints/EndpointSlices of the same name (docs "Services without
//! selectors"). Not-ready pods are kept but marked: kube-proxy skips them
//! unless `publishNotReadyAddresses` is set.
//!
//! With `spec.trafficDistribution` (KEP-4444, KEP-3015), ready pod
//! endpoints carry the hints the EndpointSlice controller writes
//! (`staging/src/k8s.io/endpointslice/trafficdist/trafficdist.go`): a zone
//! hint for the zone of the pod's node (`topology.kubernetes.io/zone`),
//! and with `PreferSameNode` a node hint for its node. Slices read from the
//! input keep the hints they carry.
//!
//! When EndpointSlices labelled `kubernetes.io/service-name` exist for a
//! Service with a selector (a `kubectl get -A` dump holds them), they are
//! the truth: kube-proxy reads slices, not selectors.

use std::net::IpAddr;

use podnet_model::node::ZONE_LABEL;
use podnet_model::{Cluster, EndpointHints, PodId, Service, ServiceId, TargetPort};

/// One backend of one Service port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backend {
    /// The pod, when known.
    pub pod: Option<PodId>,
    /// Its address.
    pub ip: IpAddr,
    /// The port on the pod.
    pub port: u16,
    /// The node it runs on, when known.
    pub node: Option<String>,
    /// Whether kube-proxy sends traffic to it.
    pub serving: bool,
    /// Serving but terminating (`conditions.serving` and `terminating`):
    /// kube-proxy uses it only when no endpoint is ready (KEP-1669).
    pub fallback: bool,
    /// Topology hints: a slice's, or those the EndpointSlice controller
    /// writes for the Service's `trafficDistribution`.
    pub hints: EndpointHints,
}

/// The hints the EndpointSlice controller gives a ready endpoint on `node`
/// (`trafficdist.go`, `preferCloseHeuristic.update`): its zone, and its
/// node for `PreferSameNode`; none without `trafficDistribution`.
fn controller_hints(cluster: &Cluster, svc: &Service, node: Option<&str>) -> EndpointHints {
    let Some(td) = svc.traffic_distribution else {
        return EndpointHints::default();
    };
    let zone = node
        .and_then(|n| {
            // The running cluster's nodes are sorted by name.
            let i = cluster
                .nodes
                .binary_search_by(|m| m.meta.name.as_str().cmp(n))
                .ok()?;
            cluster.nodes.get(i)
        })
        .and_then(|m| m.labels.get(ZONE_LABEL))
        .map(str::to_owned);
    EndpointHints {
        for_zones: zone.into_iter().collect(),
        for_nodes: node
            .filter(|_| td.node_hints())
            .map(str::to_owned)
            .into_iter()
            .collect(),
    }
}

/// The backends of every port of a Service.
pub fn backends(cluster: &Cluster, pods_in_ns: &[PodId], id: ServiceId) -> Vec<Vec<Backend>> {
    let svc = &cluster.services[id.index()];
    let has_slices = cluster.endpoints.iter().any(|e| {
        e.meta.kind == "EndpointSlice"
            && e.service == svc.meta.name
            && e.meta.namespace == svc.meta.namespace
    });
    match &svc.selector {
        Some(selector) if !has_slices => {
            let selected: Vec<PodId> = pods_in_ns
                .iter()
                .copied()
                .filter(|&p| {
                    let labels = cluster.pod_labels(p);
                    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
                })
                .collect();
            svc.ports
                .iter()
                .map(|port| {
                    selected
                        .iter()
                        .filter_map(|&p| pod_backend(cluster, svc, p, port))
                        .flatten()
                        .collect()
                })
                .collect()
        }
        _ => manual(cluster, svc),
    }
}

/// Pods of a selector Service (without EndpointSlices in the input) that
/// run with an address the input does not state (`unstated`, under
/// `--pod-addresses=declared`), per port with their target port, when they
/// serve. They are backends like any pod (the EndpointSlice controller
/// lists every running pod, `status.podIPs` set), but have no address to
/// list, so [`backends`] cannot hold them.
pub fn unstated_backends(
    cluster: &Cluster,
    pods_in_ns: &[PodId],
    id: ServiceId,
    unstated: impl Fn(PodId) -> bool,
) -> Vec<Vec<(PodId, u16)>> {
    let svc = &cluster.services[id.index()];
    let has_slices = cluster.endpoints.iter().any(|e| {
        e.meta.kind == "EndpointSlice"
            && e.service == svc.meta.name
            && e.meta.namespace == svc.meta.namespace
    });
    let selected: Vec<PodId> = match &svc.selector {
        Some(selector) if !has_slices => pods_in_ns
            .iter()
            .copied()
            .filter(|&p| unstated(p) && serves(cluster.pod(p), svc))
            .filter(|&p| {
                let labels = cluster.pod_labels(p);
                selector.iter().all(|(k, v)| labels.get(k) == Some(v))
            })
            .collect(),
        _ => Vec::new(),
    };
    svc.ports
        .iter()
        .map(|port| {
            selected
                .iter()
                .filter_map(|&p| Some((p, target_port(cluster, p, port)?)))
                .collect()
        })
        .collect()
}

/// kube-proxy sends traffic to a pod that is ready, or to any pod when the
/// Service sets `publishNotReadyAddresses`.
fn serves(pod: &podnet_model::Pod, svc: &Service) -> bool {
    !pod.net.not_ready || svc.publish_not_ready
}

/// The pod port a Service port leads to on pod `p`: its number, or the
/// container port of that name and protocol (none when the pod has none).
fn target_port(cluster: &Cluster, p: PodId, port: &podnet_model::ServicePort) -> Option<u16> {
    match &port.target_port {
        TargetPort::Number(n) => Some(*n),
        TargetPort::Named(name) => cluster
            .pod_ports(p)
            .iter()
            .find(|c| c.name.as_deref() == Some(name.as_str()) && c.protocol == port.protocol)
            .map(|c| c.port),
    }
}

fn pod_backend(
    cluster: &Cluster,
    svc: &Service,
    p: PodId,
    port: &podnet_model::ServicePort,
) -> Option<Vec<Backend>> {
    let pod = cluster.pod(p);
    let target = target_port(cluster, p, port)?;
    let serving = serves(pod, svc);
    let hints = if serving {
        controller_hints(cluster, svc, pod.node_name.as_deref())
    } else {
        EndpointHints::default()
    };
    Some(
        pod.ips
            .iter()
            .map(|ip| Backend {
                pod: Some(p),
                ip: *ip,
                port: target,
                node: pod.node_name.clone(),
                serving,
                fallback: false,
                hints: hints.clone(),
            })
            .collect(),
    )
}

/// Backends of a selector-less Service from its Endpoints/EndpointSlices:
/// endpoint ports pair with Service ports by name.
fn manual(cluster: &Cluster, svc: &Service) -> Vec<Vec<Backend>> {
    let ns = svc.meta.namespace.as_deref().unwrap_or_default();
    let mut sets: Vec<_> = cluster
        .endpoints
        .iter()
        .filter(|e| e.service == svc.meta.name && e.meta.namespace.as_deref() == Some(ns))
        .collect();
    // kube-proxy reads EndpointSlices; an Endpoints object is only their
    // source when no slice exists (the mirroring controller's copy).
    if sets.iter().any(|e| e.meta.kind == "EndpointSlice") {
        sets.retain(|e| e.meta.kind == "EndpointSlice");
    }
    svc.ports
        .iter()
        .map(|port| {
            let mut out = Vec::new();
            for set in &sets {
                let Some(ep) = set
                    .ports
                    .iter()
                    .find(|ep| ep.name == port.name && ep.protocol == port.protocol)
                else {
                    continue;
                };
                for a in &set.addresses {
                    let pod = a.pod.as_deref().and_then(|name| {
                        cluster.pod_ids().find(|&p| {
                            let pd = cluster.pod(p);
                            pd.name == name && cluster.namespace(pd.namespace).name == ns
                        })
                    });
                    out.push(Backend {
                        pod,
                        ip: a.ip,
                        port: ep.port,
                        node: a.node_name.clone(),
                        serving: a.ready || svc.publish_not_ready,
                        fallback: !a.ready && a.serving && a.terminating,
                        hints: a.hints.clone(),
                    });
                }
            }
            out
        })
        .collect()
}
