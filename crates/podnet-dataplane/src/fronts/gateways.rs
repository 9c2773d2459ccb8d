//! Gateway API fronts (gateway.networking.k8s.io/v1): each Gateway is a
//! proxy whose pods carry `gateway.networking.k8s.io/gateway-name: NAME` in
//! the Gateway's namespace (the label implementations that deploy a proxy
//! per Gateway set, GEP-1762). When the input has none, podnet adds one
//! with that label and the listeners' ports. HTTPRoutes and GRPCRoutes
//! attach to a listener when a parentRef selects it (`sectionName`,
//! `port`), the listener allows the route's kind and namespace
//! (`allowedRoutes`), and their hostnames intersect (API reference,
//! ParentReference, Listener, HTTPRouteSpec `hostnames`).

use podnet_model::{
    Cluster, ContainerPort, Gateway, GatewayRoute, HostnameIntersection, Labels, ListenerProtocol,
    Pod, PodId, PodNet, PodOrigin, Protocol, Workload, WorkloadId, WorkloadKind,
    intersect_hostnames,
};

/// The label naming the Gateway a proxy pod serves.
pub const GATEWAY_NAME_LABEL: &str = "gateway.networking.k8s.io/gateway-name";

/// Indexes of the listeners of gateway `gw` a route attaches to.
pub fn attached_listeners(cluster: &Cluster, gw: usize, route: &GatewayRoute) -> Vec<usize> {
    let gateway = &cluster.gateways[gw];
    let gw_ns = &cluster.namespace(gateway.namespace).name;
    let route_ns_labels = &cluster.namespace(route.namespace).labels;
    let mut out = Vec::new();
    for parent in route
        .parents
        .iter()
        .filter(|p| p.name == gateway.meta.name && p.namespace == *gw_ns)
    {
        for (i, listener) in gateway.listeners.iter().enumerate() {
            let fits = parent.selects(listener)
                && listener.allows_kind(route.kind)
                && listener.allows_namespace(gateway.namespace, route.namespace, route_ns_labels)
                && intersect_hostnames(listener.hostname.as_deref(), &route.hostnames)
                    != HostnameIntersection::Disjoint;
            if fits && !out.contains(&i) {
                out.push(i);
            }
        }
    }
    out
}

/// The proxy pods of a Gateway in `cluster`.
pub fn proxy_pods(cluster: &Cluster, gateway: &Gateway) -> Vec<PodId> {
    cluster
        .pod_ids()
        .filter(|&p| {
            cluster.pod(p).namespace == gateway.namespace
                && cluster.pod_labels(p).get(GATEWAY_NAME_LABEL) == Some(gateway.meta.name.as_str())
        })
        .collect()
}

/// Adds a proxy pod for every Gateway without one; returns, per Gateway,
/// the workload added.
pub fn add_missing_proxies(cluster: &mut Cluster) -> Vec<Option<WorkloadId>> {
    let gateways = cluster.gateways.clone();
    gateways
        .iter()
        .map(|gateway| {
            if !proxy_pods(cluster, gateway).is_empty() {
                return None;
            }
            let mut labels = Labels::new();
            labels.insert(GATEWAY_NAME_LABEL, gateway.meta.name.as_str());
            let labels = cluster.intern_labels(labels);
            let mut ports: Vec<ContainerPort> = gateway
                .listeners
                .iter()
                .map(|l| ContainerPort {
                    name: None,
                    port: l.port,
                    protocol: if l.protocol == ListenerProtocol::Udp {
                        Protocol::Udp
                    } else {
                        Protocol::Tcp
                    },
                })
                .collect();
            ports.sort_by_key(|p| (p.port, p.protocol.index()));
            ports.dedup();
            let ports = cluster.intern_ports(ports);
            let name = format!("{}-proxy", gateway.meta.name);
            let pod = Pod {
                name: format!("{name}-0"),
                namespace: gateway.namespace,
                workload: WorkloadId::from_index(0),
                labels,
                ports,
                ips: Vec::new(),
                ips_assumed: false,
                host_network: false,
                node_name: None,
                origin: PodOrigin::Template { ordinal: 0 },
                net: PodNet::default(),
                admission: podnet_model::PodAdmission::default(),
            };
            Some(cluster.push_workload(
                Workload {
                    kind: WorkloadKind::Deployment,
                    namespace: gateway.namespace,
                    name,
                    source: None,
                    pods: Vec::new(),
                    replicas: Some(1),
                },
                vec![pod],
            ))
        })
        .collect()
}
