//! Gateway API fronts (gateway.networking.k8s.io/v1): each Gateway, with
//! the listeners of the ListenerSets it accepts, is a
//! proxy whose pods carry `gateway.networking.k8s.io/gateway-name: NAME` in
//! the Gateway's namespace (the label implementations that deploy a proxy
//! per Gateway set, GEP-1762). When the input has none, podnet adds one
//! with that label and the listeners' ports. HTTPRoutes and GRPCRoutes
//! attach to a listener when a parentRef selects it (`sectionName`,
//! `port`), the listener allows the route's kind and namespace
//! (`allowedRoutes`), and their hostnames intersect (API reference,
//! ParentReference, Listener, HTTPRouteSpec `hostnames`).

use podnet_model::{
    Cluster, ContainerPort, Gateway, GatewayRoute, Labels, Listener, ListenerProtocol,
    ListenerSetRef, ParentKind, ParentRef, Pod, PodId, PodNet, PodOrigin, Protocol,
    RouteNamespaces, Workload, WorkloadId, WorkloadKind,
};

use crate::gateway_match::{HostnameIntersection, intersect_hostnames};
use crate::issue::{Found, FrontFound, Issue};

/// The label naming the Gateway a proxy pod serves.
pub const GATEWAY_NAME_LABEL: &str = "gateway.networking.k8s.io/gateway-name";

/// Indexes of the listeners of gateway `gw` a route attaches to: a
/// parentRef naming the Gateway selects its own listeners, one naming a
/// ListenerSet the listeners that set contributed (GEP-1713: routes attach
/// to a ListenerSet's listeners through the ListenerSet).
pub fn attached_listeners(cluster: &Cluster, gw: usize, route: &GatewayRoute) -> Vec<usize> {
    let gateway = &cluster.gateways[gw];
    let gw_ns = &cluster.namespace(gateway.namespace).name;
    let route_ns_labels = &cluster.namespace(route.namespace).labels;
    let names = |p: &ParentRef, l: &Listener| match p.kind {
        ParentKind::Gateway => {
            p.name == gateway.meta.name && p.namespace == *gw_ns && l.set.is_none()
        }
        ParentKind::ListenerSet => l
            .set
            .as_ref()
            .is_some_and(|s| s.name == p.name && s.namespace_name == p.namespace),
    };
    let mut out = Vec::new();
    for parent in &route.parents {
        for (i, listener) in gateway.listeners.iter().enumerate() {
            let fits = names(parent, listener)
                && parent.selects(listener)
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

/// Adds to each Gateway the listeners of the ListenerSets it accepts: the
/// ListenerSet's `parentRef` names it and its `allowedListeners` admits the
/// ListenerSet's namespace (`None`, the default, admits none); a listener
/// with the port, protocol and hostname of one the Gateway already has is
/// not added (the Gateway's own listeners win, GEP-1713). Returns a warning
/// for each ListenerSet or listener left out.
pub fn merge_listener_sets(cluster: &mut Cluster) -> Vec<Issue> {
    let mut issues = Vec::new();
    let sets = cluster.listener_sets.clone();
    for set in &sets {
        let set_ns = cluster.namespace(set.namespace).name.clone();
        let at = |issue: Issue| {
            issue.at(
                format!("ListenerSet {}", set.meta.qualified_name()),
                Some(&set.meta.source),
            )
        };
        let Some(g) = cluster.gateways.iter().position(|g| {
            g.meta.name == set.parent_name
                && g.meta.namespace.as_deref() == Some(set.parent_namespace.as_str())
        }) else {
            issues.push(at(Issue::warning(Found::Front(
                FrontFound::ParentMissing {
                    namespace: set.parent_namespace.clone(),
                    name: set.parent_name.clone(),
                },
            ))));
            continue;
        };
        let gateway = &cluster.gateways[g];
        let admitted = match &gateway.allowed_listeners {
            None => false,
            Some(RouteNamespaces::Same) => gateway.namespace == set.namespace,
            Some(RouteNamespaces::All) => true,
            Some(RouteNamespaces::Selector(s)) => {
                s.matches(&cluster.namespace(set.namespace).labels)
            }
        };
        if !admitted {
            issues.push(at(Issue::warning(Found::Front(FrontFound::NotAdmitted {
                gateway: gateway.meta.qualified_name(),
                from: set_ns.clone(),
            }))));
            continue;
        }
        let mut added = Vec::new();
        for l in &set.listeners {
            let clash = gateway.listeners.iter().chain(&added).any(|e: &Listener| {
                e.port == l.port && e.protocol == l.protocol && e.hostname == l.hostname
            });
            if clash {
                issues.push(at(Issue::warning(Found::Front(
                    FrontFound::ListenerClash {
                        listener: l.name.clone(),
                        gateway: gateway.meta.qualified_name(),
                    },
                ))));
                continue;
            }
            let mut l = l.clone();
            l.set = Some(ListenerSetRef {
                namespace: set.namespace,
                namespace_name: set_ns.clone(),
                name: set.meta.name.clone(),
            });
            added.push(l);
        }
        cluster.gateways[g].listeners.extend(added);
    }
    issues
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
