//! Service backends as the EndpointSlice controller computes them: pods of
//! the Service's namespace whose labels match its selector, with an address,
//! each port's `targetPort` resolved per pod (a named port maps to the
//! container port of that name and protocol; a pod without it is no backend
//! for that port). Selector-less Services take their backends from
//! Endpoints/EndpointSlices of the same name (docs "Services without
//! selectors"). Not-ready pods are kept but marked: kube-proxy skips them
//! unless `publishNotReadyAddresses` is set.
//!
//! When EndpointSlices labelled `kubernetes.io/service-name` exist for a
//! Service with a selector (a `kubectl get -A` dump holds them), they are
//! the truth: kube-proxy reads slices, not selectors.

use std::net::IpAddr;

use podnet_model::{Cluster, PodId, Service, ServiceId, TargetPort};

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

fn pod_backend(
    cluster: &Cluster,
    svc: &Service,
    p: PodId,
    port: &podnet_model::ServicePort,
) -> Option<Vec<Backend>> {
    let pod = cluster.pod(p);
    let target = match &port.target_port {
        TargetPort::Number(n) => *n,
        TargetPort::Named(name) => {
            cluster
                .pod_ports(p)
                .iter()
                .find(|c| c.name.as_deref() == Some(name.as_str()) && c.protocol == port.protocol)?
                .port
        }
    };
    let serving = !pod.net.not_ready || svc.publish_not_ready;
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
                    });
                }
            }
            out
        })
        .collect()
}
