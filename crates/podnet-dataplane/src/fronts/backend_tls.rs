//! Which BackendTLSPolicy governs a Gateway's connection to a Service port
//! (Gateway API reference, BackendTLSPolicy; GEP-1897): a policy in the
//! Service's namespace targeting the Service, one naming the port
//! (`sectionName`, the port's name) before one naming the whole Service;
//! among equals the first by `namespace/name` (GEP-713's tie-break after
//! creation time, which manifests rarely carry).

use podnet_model::{BackendTlsPolicy, Cluster, ServiceId};

/// The policy for port `port` (an index) of Service `service`, if any.
pub fn policy_for(cluster: &Cluster, service: ServiceId, port: usize) -> Option<&BackendTlsPolicy> {
    let svc = &cluster.services[service.index()];
    let ns = svc.meta.namespace.as_deref().unwrap_or_default();
    let port_name = svc.ports.get(port).and_then(|p| p.name.as_deref());
    cluster
        .backend_tls_policies
        .iter()
        .filter_map(|p| {
            p.targets(ns, &svc.meta.name, port_name)
                .map(|specific| (p, specific))
        })
        .min_by(|(a, sa), (b, sb)| sb.cmp(sa).then_with(|| a.meta.name.cmp(&b.meta.name)))
        .map(|(p, _)| p)
}
