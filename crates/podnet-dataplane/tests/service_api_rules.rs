//! The Service API of Kubernetes 1.35 in the dataplane model
//! (docs/dataplane.md, "kube-proxy" and "Service addresses"):
//! `trafficDistribution` with EndpointSlice hints (KEP-4444, KEP-3015,
//! kube-proxy `pkg/proxy/topology.go`), `ipMode: Proxy` (KEP-1860) and
//! ServiceCIDR objects (KEP-1880).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::{
    build, client_pod, cluster_ips, errors_with, ip, pod, pod_ips, run, to_address, web_pod,
};
use podnet_dataplane::trace::{
    Action, ProxyChain, ProxyMatch, ProxyResult, ProxyVerdict, Topology,
};
use podnet_dataplane::{Trace, TraceFrom, TraceTo};
use std::net::IpAddr;

/// Pods `web-1` on node-1 (zone-a) and `web-2` on node-2 (zone-b) of the
/// default preset, clients on each node; Service `web` at 10.96.0.50 with
/// `DIST` as its `trafficDistribution` line.
const ZONED: &str = concat!(
    web_pod!("web-1", "node-1"),
    web_pod!("web-2", "node-2"),
    client_pod!("client-1", "node-1"),
    client_pod!("client-2", "node-2"),
    client_pod!("client-3", "node-3"),
    r#"apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  clusterIP: 10.96.0.50
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
DIST
"#
);

fn verdict(t: &Trace) -> ProxyVerdict {
    t.hops
        .iter()
        .chain(t.branches.iter().flat_map(|b| &b.hops))
        .find_map(|h| match &h.action {
            Action::KubeProxy(v) => Some(v.as_ref().clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no kube-proxy hop: {t:#?}"))
}

fn dnat_targets(t: &Trace) -> Vec<IpAddr> {
    let mut out: Vec<IpAddr> = t
        .branches
        .iter()
        .flat_map(|b| &b.hops)
        .filter(|h| matches!(h.action, Action::Dnat { .. }))
        .map(|h| h.after.dst)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn to_web(dp: &podnet_dataplane::Dataplane, client: &str) -> Trace {
    to_address(dp, TraceFrom::Pod(pod(dp, client)), "10.96.0.50", 80)
}

// KEP-4444 / KEP-3015: with PreferSameZone (and PreferClose, its deprecated
// alias) the EndpointSlice controller hints each ready endpoint for its
// node's zone (trafficdist.go); kube-proxy on a node of zone-a then uses
// only the endpoints hinted for zone-a (topology.go, CategorizeEndpoints),
// and every endpoint from a zone without one.
#[test]
fn prefer_same_zone_keeps_traffic_in_the_clients_zone() {
    for dist in ["PreferSameZone", "PreferClose"] {
        let dp = build(&ZONED.replace("DIST", &format!("  trafficDistribution: {dist}")));
        let (web1, web2) = (
            pod_ips(&dp, "default/web-1")[0],
            pod_ips(&dp, "default/web-2")[0],
        );
        let t = to_web(&dp, "default/client-1");
        assert_eq!(dnat_targets(&t), vec![web1], "{dist}: {t:#?}");
        assert_eq!(
            verdict(&t).topology,
            Some(Topology::SameZone("zone-a".into()))
        );
        let t = to_web(&dp, "default/client-2");
        assert_eq!(dnat_targets(&t), vec![web2], "{dist}");
        // zone-c has no endpoint: kube-proxy ignores the hints there.
        let t = to_web(&dp, "default/client-3");
        assert_eq!(dnat_targets(&t).len(), 2, "{dist}");
        assert!(matches!(verdict(&t).topology, Some(Topology::Ignored(_))));
    }
    // Without trafficDistribution: no hints, every endpoint, no topology.
    let dp = build(&ZONED.replace("DIST", ""));
    let t = to_web(&dp, "default/client-1");
    assert_eq!(dnat_targets(&t).len(), 2);
    assert_eq!(verdict(&t).topology, None);
}

// KEP-3015 PreferSameNode: node hints as well as zone hints; a node with
// an endpoint uses it; a node without one falls back to its zone's, and
// a zone without one to every endpoint.
#[test]
fn prefer_same_node_keeps_traffic_on_the_clients_node() {
    let dp = build(&ZONED.replace("DIST", "  trafficDistribution: PreferSameNode"));
    let web2 = pod_ips(&dp, "default/web-2")[0];
    let t = to_web(&dp, "default/client-2");
    assert_eq!(dnat_targets(&t), vec![web2]);
    assert_eq!(verdict(&t).topology, Some(Topology::SameNode));
    let t = to_web(&dp, "default/client-3");
    assert_eq!(dnat_targets(&t).len(), 2);
}

// internalTrafficPolicy: Local wins over topology (topology.go: "topology
// ignored for Local endpoints").
#[test]
fn local_traffic_policy_ignores_topology() {
    let dp = build(&ZONED.replace(
        "DIST",
        "  trafficDistribution: PreferSameZone\n  internalTrafficPolicy: Local",
    ));
    let t = to_web(&dp, "default/client-1");
    assert_eq!(dnat_targets(&t), vec![pod_ips(&dp, "default/web-1")[0]]);
    assert_eq!(verdict(&t).topology, None);
}

const SLICE: &str = concat!(
    client_pod!("client", "node-1"),
    r#"apiVersion: v1
kind: Service
metadata: {name: db, namespace: default}
spec:
  clusterIP: 10.96.0.60
  ports: [{name: pg, port: 5432}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: db-1
  namespace: default
  labels: {kubernetes.io/service-name: db}
addressType: IPv4
endpoints:
- addresses: [10.244.7.1]
  zone: zone-a
  hints: {forZones: [{name: zone-a}]}
- addresses: [10.244.7.2]
  zone: zone-b
  HINT
ports: [{name: pg, port: 5432, protocol: TCP}]
"#
);

// API reference, EndpointSlice endpoints[].hints.forZones; topology.go:
// hints are used only when every ready endpoint has one
// ("missing hints, no filtering applied").
#[test]
fn slice_hints_are_read_and_all_or_nothing() {
    let dp = build(&SLICE.replace("HINT", "hints: {forZones: [{name: zone-b}]}"));
    let client = pod(&dp, "default/client");
    let t = to_address(&dp, TraceFrom::Pod(client), "10.96.0.60", 5432);
    assert_eq!(dnat_targets(&t), vec![ip("10.244.7.1")]);
    let dp = build(&SLICE.replace("HINT", ""));
    let client = pod(&dp, "default/client");
    let t = to_address(&dp, TraceFrom::Pod(client), "10.96.0.60", 5432);
    assert_eq!(dnat_targets(&t).len(), 2);
    assert_eq!(
        verdict(&t).topology,
        Some(Topology::Ignored(
            podnet_dataplane::trace::HintsIgnored::MissingZoneHint
        ))
    );
}

const LB_PROXY: &str = concat!(
    web_pod!("web-1", "node-1"),
    r#"apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
status:
  loadBalancer:
    ingress: [{ip: 192.0.2.10, ipMode: MODE}]
"#
);

// KEP-1860, API reference LoadBalancerIngress.ipMode: with `Proxy` the load
// balancer proxies the connection and kube-proxy holds no rule for the
// address (its LoadBalancerVIPs list only VIP-mode addresses), so the
// traffic enters through the NodePort; with `VIP` kube-proxy matches the
// load-balancer IP itself.
#[test]
fn ip_mode_proxy_enters_through_the_node_port() {
    for (mode, want) in [
        ("VIP", ProxyMatch::LoadBalancer),
        ("Proxy", ProxyMatch::NodePort),
    ] {
        let dp = build(&LB_PROXY.replace("MODE", mode));
        let t = to_address(
            &dp,
            TraceFrom::External(ip("203.0.113.9")),
            "192.0.2.10",
            80,
        );
        let v = verdict(&t);
        assert_eq!(v.matched, Some(want), "{mode}: {t:#?}");
        assert!(matches!(v.result, ProxyResult::Dnat(_)), "{mode}");
    }
}

// KEP-1880: a ClusterIP inside another ServiceCIDR is valid; outside every
// range the API server refuses it.
#[test]
fn service_cidr_objects_add_ranges() {
    let svc = r#"
apiVersion: v1
kind: Service
metadata: {name: api, namespace: default}
spec:
  clusterIP: 10.200.0.10
  selector: {app: api}
  ports: [{port: 80}]
"#;
    let extra = r#"
---
apiVersion: networking.k8s.io/v1
kind: ServiceCIDR
metadata: {name: extra}
spec: {cidrs: [10.200.0.0/24]}
"#;
    let dp = build(svc);
    assert_eq!(
        errors_with(&dp, &["ClusterIpOutside", "10.200.0.10"]).len(),
        1
    );
    let dp = build(&format!("{svc}{extra}"));
    assert!(errors_with(&dp, &["10.200.0.10"]).is_empty());
    assert_eq!(cluster_ips(&dp, "default/api"), vec![ip("10.200.0.10")]);
    assert!(
        dp.profile
            .service_cidrs
            .contains(&"10.200.0.0/24".parse().unwrap())
    );
}

// KEP-1880: the ServiceCIDR `kubernetes` is the API server's own range; it
// replaces the preset's assumed one, and dynamic ClusterIPs come from it.
#[test]
fn the_kubernetes_service_cidr_is_the_primary_range() {
    let yaml = r#"
apiVersion: networking.k8s.io/v1
kind: ServiceCIDR
metadata: {name: kubernetes}
spec: {cidrs: [10.43.0.0/16]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{port: 80}]
"#;
    let dp = build(yaml);
    assert_eq!(
        dp.profile.service_cidrs,
        vec!["10.43.0.0/16".parse::<ipnet::IpNet>().unwrap()]
    );
    let got = cluster_ips(&dp, "default/web");
    assert!(
        got.iter()
            .all(|a| "10.43.0.0/16".parse::<ipnet::IpNet>().unwrap().contains(a)),
        "{got:?}"
    );
}

// KEP-1880 (MetaAllocator.AllocateNextService): once the primary range has
// no free address, ClusterIPs come from another ServiceCIDR of its family.
#[test]
fn dynamic_cluster_ips_spill_into_service_cidr_objects() {
    let yaml = r#"
apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {name: p}
spec: {serviceCIDRs: [10.43.0.0/28]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{port: 80}]
"#;
    let dp = build(yaml);
    assert_eq!(
        errors_with(&dp, &["CidrsExhausted", "cidrs: [10.43.0.0/28]"]).len(),
        1
    );
    let extra = "---\napiVersion: networking.k8s.io/v1\nkind: ServiceCIDR\nmetadata: {name: extra}\nspec: {cidrs: [10.44.0.0/24]}\n";
    let dp = build(&format!("{yaml}{extra}"));
    let got = cluster_ips(&dp, "default/web");
    assert_eq!(got.len(), 1, "{:?}", dp.issues);
    assert!(
        "10.44.0.0/24"
            .parse::<ipnet::IpNet>()
            .unwrap()
            .contains(&got[0]),
        "{got:?}"
    );
}

// kube-proxy nftables (`cluster-ips-check`) drops packets to unallocated
// addresses of every service CIDR it watches, ServiceCIDR objects included.
#[test]
fn nftables_drops_unallocated_addresses_of_service_cidr_objects() {
    let yaml = concat!(
        r#"
apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {name: p}
spec: {kubeProxy: nftables}
---
apiVersion: networking.k8s.io/v1
kind: ServiceCIDR
metadata: {name: extra}
spec: {cidrs: [10.200.0.0/24]}
---
"#,
        client_pod!("client", "node-1")
    );
    let dp = build(yaml);
    let t = to_address(
        &dp,
        TraceFrom::Pod(pod(&dp, "default/client")),
        "10.200.0.99",
        80,
    );
    let v = verdict(&t);
    assert_eq!(v.result, ProxyResult::Drop);
    assert_eq!(v.chains, vec![ProxyChain::NftClusterIpsCheck]);
}

// nftables is a first-class kube-proxy mode in every preset (kube-proxy's
// nftables backend is GA since Kubernetes 1.33): a NodePort from outside is
// matched by the `service-nodeports` map on the node's primary address and
// DNATed through the nftables chains, whatever the preset.
#[test]
fn nftables_mode_in_every_preset() {
    for (preset, _) in podnet_model::Preset::ALL {
        let yaml = format!(
            r#"
apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {{name: p}}
spec: {{preset: {preset}, kubeProxy: nftables}}
---
apiVersion: v1
kind: Pod
metadata: {{name: web-1, namespace: default, labels: {{app: web}}}}
spec:
  containers: [{{name: web, image: nginx, ports: [{{containerPort: 8080}}]}}]
---
apiVersion: v1
kind: Service
metadata: {{name: web, namespace: default}}
spec:
  type: NodePort
  selector: {{app: web}}
  ports: [{{port: 80, targetPort: 8080, nodePort: 30080}}]
"#
        );
        let dp = build(&yaml);
        assert_eq!(
            dp.profile.proxy,
            podnet_model::ProxyMode::Nftables,
            "{preset}"
        );
        let node_ip = dp.nodes[0].internal_ips[0];
        let t = run(
            &dp,
            TraceFrom::External(ip("203.0.113.9")),
            TraceTo::Address(node_ip),
            Some(30080),
        );
        let v = verdict(&t);
        assert_eq!(v.mode, podnet_model::ProxyMode::Nftables, "{preset}");
        assert_eq!(v.matched, Some(ProxyMatch::NodePort), "{preset}");
        assert_eq!(
            v.chains.first(),
            Some(&ProxyChain::NftServiceNodePorts),
            "{preset}"
        );
        assert!(matches!(v.result, ProxyResult::Dnat(_)), "{preset}: {t:#?}");
    }
}

/// `web-1` on node-1 behind an `externalTrafficPolicy: Local` NodePort;
/// clients on each node.
const LOCAL_NODE_PORT: &str = concat!(
    web_pod!("web-1", "node-1"),
    client_pod!("client-1", "node-1"),
    client_pod!("client-2", "node-2"),
    r#"apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  type: NodePort
  externalTrafficPolicy: Local
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
"#
);

// kube-proxy short-circuits a pod's packet to an externalTrafficPolicy
// Local NodePort to every endpoint, unmasqueraded ("pod traffic for
// external destinations" jumps from KUBE-EXT to KUBE-SVC:
// kubernetes/kubernetes pkg/proxy/iptables/proxier.go; the
// TestExternalTrafficPolicyLocal packet flows in proxier_test.go). When the
// pod is on another node than the translating one and the endpoint is not
// on the translating node either, the reply bypasses the translating
// node's conntrack: the trace marks that path with a caveat (`podnet lab`
// shows the connection failing, crates/podnet-lab/tests/fixtures/
// shortcircuit). An outside client is not short-circuited.
#[test]
fn local_node_port_short_circuit_flags_replies_that_bypass_the_node() {
    let dp = build(LOCAL_NODE_PORT);
    // (source, NodePort's node, short_circuit, reply_bypasses)
    let rows = [
        ("default/client-1", "node-1", true, false),
        ("default/client-1", "node-2", true, true),
        ("default/client-2", "node-1", true, false),
        ("default/client-2", "node-3", true, true),
    ];
    for (client, node, short_circuit, bypasses) in rows {
        let addr = dp.node_ip(node).unwrap().to_string();
        let t = to_address(&dp, TraceFrom::Pod(pod(&dp, client)), &addr, 30080);
        let v = verdict(&t);
        assert_eq!(
            (v.short_circuit, v.reply_bypasses, v.masquerade),
            (short_circuit, bypasses, false),
            "{client} -> {node}"
        );
    }
    let addr = dp.node_ip("node-1").unwrap().to_string();
    let t = to_address(&dp, TraceFrom::External(ip("203.0.113.10")), &addr, 30080);
    let v = verdict(&t);
    assert_eq!((v.short_circuit, v.reply_bypasses), (false, false));
}
