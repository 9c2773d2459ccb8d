//! Trace rules of the dataplane model (docs/dataplane.md, "Services" for
//! traffic policies and kube-proxy modes, "Policy in a trace"; docs/profile.md
//! "CNI modes and how packets cross nodes" and masquerade).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::{
    assert_no_errors, build, client_pod, has_snat, ip, kinds, node_ports, only_branch, path, pod,
    pod_ips, run, to_address, web_pod,
};
use podnet_dataplane::trace::{Action, DnatMatch, DropReason, Encapsulation, Outcome, Outer};
use podnet_dataplane::{TraceFrom, TraceTo};
use podnet_model::Direction;

fn profile(spec: &str) -> String {
    format!(
        "apiVersion: podnet.dev/v1alpha1\nkind: ClusterProfile\nmetadata: {{name: p}}\nspec:\n{spec}---\n"
    )
}

// ------------------------------------------------- externalTrafficPolicy

/// One backend on node-2 (default preset: node-1..3, 192.168.0.11-13), a
/// NodePort Service per traffic policy, and an ingress policy that admits
/// only the client's range on the backend's port.
const NODEPORTS: &str = concat!(
    web_pod!("web", "node-2"),
    r#"apiVersion: v1
kind: Service
metadata: {name: local, namespace: default}
spec:
  type: NodePort
  externalTrafficPolicy: Local
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
---
apiVersion: v1
kind: Service
metadata: {name: cluster, namespace: default}
spec:
  type: NodePort
  externalTrafficPolicy: Cluster
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080, nodePort: 30081}]
---
"#
);

/// A second backend, on node-1.
const SECOND_BACKEND: &str = web_pod!("web-b", "node-1");

const CLIENT_RANGE_ONLY: &str = r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: clients-only, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
  - from: [{ipBlock: {cidr: 203.0.113.0/24}}]
    ports: [{port: 8080}]
"#;

/// Traces the outside client 203.0.113.7 (in `CLIENT_RANGE_ONLY`'s range)
/// to `addr` on TCP `port`.
fn from_client(dp: &podnet_dataplane::Dataplane, addr: &str, port: u16) -> podnet_dataplane::Trace {
    to_address(dp, TraceFrom::External(ip("203.0.113.7")), addr, port)
}

// docs/dataplane.md, Services: `externalTrafficPolicy: Local` only uses
// endpoints on the node the packet is on, and keeps the client address (no
// masquerade), so an ipBlock admitting the client's range allows it.
#[test]
fn external_traffic_policy_local_uses_the_nodes_endpoints_and_keeps_the_client() {
    let dp = build(&format!("{NODEPORTS}{SECOND_BACKEND}{CLIENT_RANGE_ONLY}"));
    assert_no_errors(&dp);
    let web = pod(&dp, "default/web");
    assert_eq!(pod_ips(&dp, "default/web-b"), vec![ip("10.244.0.2")]);
    let web_ip = pod_ips(&dp, "default/web")[0];
    assert_eq!(web_ip, ip("10.244.1.2"));
    let t = from_client(&dp, "192.168.0.12", 30080);
    let b = only_branch(&t);
    assert_eq!(b.outcome, Outcome::Delivered(web));
    assert!(!has_snat(&t, b), "{:#?}", b.hops);
    assert_eq!(
        kinds(&t, b),
        ["KubeProxy", "Dnat", "Route", "Policy(Ingress)", "Deliver"],
        "{:#?}",
        b.hops
    );
    let hops = path(&t, b);
    let dnat = hops[1];
    assert!(
        matches!(&dnat.action, Action::Dnat { matched: DnatMatch::NodePort { node, .. }, choices: 1, .. } if node == "node-2")
    );
    assert_eq!((dnat.after.dst, dnat.after.port), (web_ip, 8080));
    let last = b.hops.last().unwrap();
    assert_eq!(last.after.src, ip("203.0.113.7"));
}

// docs/dataplane.md, Services: with `externalTrafficPolicy: Local` and no
// endpoint on the node the packet reached, it is dropped.
#[test]
fn external_traffic_policy_local_without_a_local_endpoint_drops() {
    let dp = build(&format!("{NODEPORTS}{SECOND_BACKEND}"));
    let t = from_client(&dp, "192.168.0.13", 30080);
    let b = only_branch(&t);
    assert!(
        matches!(&b.outcome, Outcome::Dropped(DropReason::NoLocalEndpoint { internal: false, node }) if node == "node-3"),
        "{:?}",
        b.outcome
    );
    assert_eq!(kinds(&t, b), ["KubeProxy", "Drop"]);
}

// docs/dataplane.md, Services: `externalTrafficPolicy: Cluster` masquerades
// to the node's address, so the backend's ingress policy sees the node, not
// the client: an ipBlock admitting only the client's range then denies.
#[test]
fn external_traffic_policy_cluster_snats_to_the_node_and_policy_sees_it() {
    let dp = build(&format!("{NODEPORTS}{CLIENT_RANGE_ONLY}"));
    let t = from_client(&dp, "192.168.0.11", 30081);
    let b = only_branch(&t);
    assert_eq!(b.outcome, Outcome::Denied(Direction::Ingress));
    assert_eq!(
        kinds(&t, b),
        [
            "KubeProxy",
            "Dnat",
            "Snat",
            "Route",
            "Encapsulate",
            "Forward",
            "Decapsulate",
            "Forward",
            "Policy(Ingress)"
        ],
        "{:#?}",
        b.hops
    );
    let hops = path(&t, b);
    let snat = hops[2];
    assert_eq!(snat.before.src, ip("203.0.113.7"));
    assert_eq!(snat.after.src, ip("192.168.0.11"));
    let policy = b.hops.last().unwrap();
    assert_eq!(policy.before.src, ip("192.168.0.11"));
    assert!(matches!(
        policy.action,
        Action::Policy {
            allowed: false,
            node_local: false,
            ..
        }
    ));

    // Without the policy the same path delivers, from the node's address.
    let dp = build(NODEPORTS);
    let t = from_client(&dp, "192.168.0.11", 30081);
    let b = only_branch(&t);
    assert_eq!(b.outcome, Outcome::Delivered(pod(&dp, "default/web")));
    assert_eq!(b.hops.last().unwrap().after.src, ip("192.168.0.11"));
}

// ---------------------------------------------------------- Masquerade

const CLIENT: &str = client_pod!("client", "node-2");

// docs/profile.md, CNI modes: traffic from a pod to an address outside the
// cluster CIDRs and the non-masquerade ranges leaves with its node's
// address; inside a non-masquerade range it keeps the pod's.
#[test]
fn masquerade_outside_the_cluster_but_not_to_non_masquerade_cidrs() {
    let dp = build(&format!(
        "{}{CLIENT}",
        profile("  nonMasqueradeCIDRs: [10.0.0.0/8]\n")
    ));
    assert_no_errors(&dp);
    let client = pod(&dp, "default/client");
    let client_ip = pod_ips(&dp, "default/client")[0];
    assert_eq!(client_ip, ip("10.244.1.2"));

    let t = to_address(&dp, TraceFrom::Pod(client), "1.1.1.1", 443);
    let b = only_branch(&t);
    assert_eq!(b.outcome, Outcome::LeftCluster);
    assert_eq!(kinds(&t, b), ["Send", "Policy(Egress)", "Snat", "Forward"]);
    let hops = path(&t, b);
    let snat = hops[2];
    assert_eq!(snat.before.src, client_ip);
    assert_eq!(snat.after.src, ip("192.168.0.12"));
    assert_eq!(hops[3].after.src, ip("192.168.0.12"));

    let t = to_address(&dp, TraceFrom::Pod(client), "10.1.2.3", 443);
    let b = only_branch(&t);
    assert_eq!(b.outcome, Outcome::LeftCluster);
    assert_eq!(kinds(&t, b), ["Send", "Policy(Egress)", "Forward"]);
    assert_eq!(b.hops.last().unwrap().after.src, client_ip);
}

// ------------------------------------------------------ Crossing nodes

/// Two pods on different nodes.
const TWO_NODES: &str = concat!(
    client_pod!("a", "node-1"),
    r#"apiVersion: v1
kind: Pod
metadata: {name: b, namespace: default}
spec:
  nodeName: node-2
  containers: [{name: web, image: nginx, ports: [{containerPort: 8080}]}]
"#
);

/// Traces pod a -> pod b under `cni` and returns the hop kinds and the
/// outer header of the encapsulated hop(s).
fn cross(cni: &str) -> (Vec<String>, Vec<Option<Outer>>) {
    let dp = build(&format!(
        "{}{TWO_NODES}",
        profile(&format!("  cni: {cni}\n"))
    ));
    assert_no_errors(&dp);
    let b_pod = pod(&dp, "default/b");
    let t = run(
        &dp,
        TraceFrom::Pod(pod(&dp, "default/a")),
        TraceTo::Pod(b_pod),
        None,
    );
    let br = only_branch(&t);
    assert_eq!(br.outcome, Outcome::Delivered(b_pod));
    // The inner packet is pod to pod all the way.
    let last = br.hops.last().unwrap();
    assert_eq!(
        (last.after.src, last.after.dst, last.after.port),
        (ip("10.244.0.2"), ip("10.244.1.2"), 8080)
    );
    let outers = path(&t, br).iter().map(|h| h.after.outer.clone()).collect();
    (kinds(&t, br), outers)
}

fn vxlan_outer(port: u16) -> Option<Outer> {
    Some(Outer {
        src: ip("192.168.0.11"),
        dst: ip("192.168.0.12"),
        carrier: Encapsulation::Vxlan(port),
    })
}

// docs/profile.md, CNI modes: flannel-vxlan crosses nodes in VXLAN over UDP
// 8472, the outer addresses the nodes'.
#[test]
fn vxlan_hop_flannel_uses_udp_8472_between_node_addresses() {
    let (k, outers) = cross("flannel-vxlan");
    assert_eq!(
        k,
        [
            "Send",
            "Policy(Egress)",
            "Route",
            "Encapsulate",
            "Forward",
            "Decapsulate",
            "Forward",
            "Policy(Ingress)",
            "Deliver"
        ]
    );
    // Encapsulate and the underlay forward carry the outer header; after
    // decapsulation it is gone.
    assert_eq!(outers[3], vxlan_outer(8472));
    assert_eq!(outers[4], vxlan_outer(8472));
    assert_eq!(outers[5], None);
    assert_eq!(outers[2], None);
}

// docs/profile.md, CNI modes: calico-vxlan uses UDP 4789.
#[test]
fn vxlan_hop_calico_uses_udp_4789() {
    let (k, outers) = cross("calico-vxlan");
    assert_eq!(&k[2..6], ["Route", "Encapsulate", "Forward", "Decapsulate"]);
    assert_eq!(outers[3], vxlan_outer(4789));
}

// docs/profile.md, CNI modes: calico-ipip encapsulates in IP-in-IP
// (protocol 4) between the node addresses.
#[test]
fn ipip_hop_calico_uses_ip_protocol_4() {
    let (k, outers) = cross("calico-ipip");
    assert_eq!(&k[2..6], ["Route", "Encapsulate", "Forward", "Decapsulate"]);
    assert_eq!(
        outers[3],
        Some(Outer {
            src: ip("192.168.0.11"),
            dst: ip("192.168.0.12"),
            carrier: Encapsulation::IpInIp,
        })
    );
}

// docs/profile.md, CNI modes: calico-bgp is unencapsulated.
#[test]
fn bgp_calico_has_no_encapsulation() {
    let (k, outers) = cross("calico-bgp");
    assert_eq!(
        k,
        [
            "Send",
            "Policy(Egress)",
            "Route",
            "Forward",
            "Forward",
            "Policy(Ingress)",
            "Deliver"
        ]
    );
    assert!(outers.iter().all(Option::is_none));
}

// ---------------------------------------------------- kube-proxy modes

const NODEPORT_ON_NODE_1: &str = concat!(
    web_pod!("web", "node-1"),
    r#"apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
"#
);

// docs/dataplane.md, Services, kube-proxy modes: nftables serves NodePorts
// only on node addresses, not on 127.0.0.1; iptables does (route_localnet).
#[test]
fn nftables_does_not_serve_node_ports_on_localhost_iptables_does() {
    let nft = build(&format!(
        "{}{NODEPORT_ON_NODE_1}",
        profile("  kubeProxy: nftables\n")
    ));
    let np = node_ports(&nft, "default/web")[0].unwrap();
    assert_eq!(np, 30086);
    let t = to_address(&nft, TraceFrom::Node("node-1".into()), "127.0.0.1", np);
    let b = only_branch(&t);
    assert!(
        matches!(&b.outcome, Outcome::Dropped(DropReason::LocalhostNodePort)),
        "{:?}",
        b.outcome
    );
    // On the node's address nftables serves it.
    let t = to_address(&nft, TraceFrom::Node("node-1".into()), "192.168.0.11", np);
    assert_eq!(
        only_branch(&t).outcome,
        Outcome::Delivered(pod(&nft, "default/web"))
    );

    let ipt = build(NODEPORT_ON_NODE_1);
    let t = to_address(&ipt, TraceFrom::Node("node-1".into()), "127.0.0.1", np);
    let b = only_branch(&t);
    assert_eq!(b.outcome, Outcome::Delivered(pod(&ipt, "default/web")));
    assert_eq!(kinds(&t, b)[..2], ["KubeProxy", "Dnat"]);
}

// ---------------------------------------------------- Policy in a trace

/// A client in `a`, a Service `web` with one pod in `b`, both on node-1.
const CROSS_NAMESPACE: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: a}
spec:
  nodeName: node-1
  containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: b, labels: {app: web}}
spec:
  nodeName: node-1
  containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: b}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
---
"#;

const DEFAULT_DENY_B: &str = r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: b}
spec:
  podSelector: {}
  policyTypes: [Ingress]
"#;

// docs/dataplane.md, DNS and Policy in a trace: a pod reaching a Service by
// name in another namespace: DNS through the search path, the packet leaves
// the pod, kube-proxy DNATs to the endpoint, egress policy on the source's
// node, the route, ingress policy on the endpoint's address, delivery.
#[test]
fn trace_pod_to_service_name_in_another_namespace_hop_order() {
    let dp = build(CROSS_NAMESPACE);
    assert_no_errors(&dp);
    let web = pod(&dp, "b/web");
    let web_ip = pod_ips(&dp, "b/web")[0];
    let t = run(
        &dp,
        TraceFrom::Pod(pod(&dp, "a/client")),
        TraceTo::Name("web.b".into()),
        None,
    );
    assert_eq!(t.port, 80);
    let b = only_branch(&t);
    assert_eq!(b.outcome, Outcome::Delivered(web));
    assert_eq!(
        kinds(&t, b),
        [
            "Dns",
            "Send",
            "KubeProxy",
            "Dnat",
            "Policy(Egress)",
            "Route",
            "Policy(Ingress)",
            "Deliver"
        ],
        "{:#?}",
        b.hops
    );
    let Action::Dns(res) = &t.hops[0].action else {
        unreachable!()
    };
    let names: Vec<&str> = res.queries.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(
        names,
        ["web.b.a.svc.cluster.local", "web.b.svc.cluster.local"]
    );
    let hops = path(&t, b);
    let dnat = hops[3];
    assert_eq!((dnat.before.dst, dnat.before.port), (ip("10.96.1.0"), 80));
    assert_eq!((dnat.after.dst, dnat.after.port), (web_ip, 8080));
    // Policy is checked on the endpoint's address, after DNAT.
    assert!(matches!(
        hops[6].action,
        Action::Policy {
            direction: Direction::Ingress,
            allowed: true,
            ..
        }
    ));
    assert_eq!(hops[6].before.dst, web_ip);
}

// docs/dataplane.md, Policy in a trace: a NetworkPolicy denial ends the
// branch at the ingress check.
#[test]
fn trace_networkpolicy_denial_ends_denied_ingress() {
    let dp = build(&format!("{CROSS_NAMESPACE}{DEFAULT_DENY_B}"));
    let t = run(
        &dp,
        TraceFrom::Pod(pod(&dp, "a/client")),
        TraceTo::Name("web.b".into()),
        None,
    );
    let b = only_branch(&t);
    assert_eq!(b.outcome, Outcome::Denied(Direction::Ingress));
    let last = b.hops.last().unwrap();
    assert!(
        matches!(
            last.action,
            Action::Policy {
                direction: Direction::Ingress,
                allowed: false,
                node_local: false,
                ..
            }
        ),
        "{last:#?}"
    );
}

// docs/dataplane.md, Policy in a trace; NetworkPolicy concept page: "traffic
// to and from the node where a Pod is running is always allowed", even under
// a default-deny ingress policy. Another node's address is not exempt.
#[test]
fn trace_from_the_destinations_own_node_is_allowed_under_default_deny() {
    let dp = build(&format!("{CROSS_NAMESPACE}{DEFAULT_DENY_B}"));
    let web = pod(&dp, "b/web");
    let t = run(
        &dp,
        TraceFrom::Node("node-1".into()),
        TraceTo::Pod(web),
        None,
    );
    let b = only_branch(&t);
    assert_eq!(b.outcome, Outcome::Delivered(web));
    let policy = b
        .hops
        .iter()
        .find(|h| matches!(h.action, Action::Policy { .. }))
        .unwrap();
    assert_eq!(policy.before.src, ip("192.168.0.11"));
    assert!(matches!(
        policy.action,
        Action::Policy {
            direction: Direction::Ingress,
            allowed: true,
            node_local: true,
            ..
        }
    ));

    let t = run(
        &dp,
        TraceFrom::Node("node-2".into()),
        TraceTo::Pod(web),
        None,
    );
    assert_eq!(only_branch(&t).outcome, Outcome::Denied(Direction::Ingress));
}

const DENY_EGRESS_CLIENT: &str = r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: no-egress, namespace: default}
spec:
  podSelector: {}
  policyTypes: [Egress]
---
"#;

// docs/dataplane.md, Policy in a trace: "Egress is checked on the source's
// node". A pod under default-deny egress may not reach a NodePort either:
// the masquerade that follows (externalTrafficPolicy: Cluster) hides it from
// the destination's ingress, not from its own egress.
#[test]
fn egress_policy_applies_to_a_pods_node_port_traffic() {
    let yaml = format!(
        "{CLIENT}{}{DENY_EGRESS_CLIENT}",
        &NODEPORTS.replace("namespace: default", "namespace: web")
    );
    let dp = build(&yaml);
    let t = to_address(
        &dp,
        TraceFrom::Pod(pod(&dp, "default/client")),
        "192.168.0.11",
        30081,
    );
    let b = only_branch(&t);
    assert_eq!(
        b.outcome,
        Outcome::Denied(Direction::Egress),
        "{:#?}",
        path(&t, b)
    );
}

const EXTERNAL_DB: &str = r#"
apiVersion: v1
kind: Service
metadata: {name: db, namespace: default}
spec:
  ports: [{name: sql, port: 5432}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: db, namespace: default}
subsets:
- addresses: [{ip: 198.51.100.20}]
  ports: [{name: sql, port: 5432}]
---
"#;

// docs/dataplane.md, Services ("Selector-less Services use Endpoints") and
// Policy in a trace (verdicts on the addresses after DNAT, egress on the
// source's node); docs/profile.md (masquerade outside the cluster CIDRs):
// a pod reaching an outside endpoint through a Service is still subject to
// its egress policy and leaves with its node's address.
#[test]
fn selectorless_service_to_an_outside_endpoint_checks_egress_and_masquerades() {
    let dp = build(&format!("{CLIENT}{EXTERNAL_DB}"));
    let client = pod(&dp, "default/client");
    let t = run(
        &dp,
        TraceFrom::Pod(client),
        TraceTo::Name("db".into()),
        None,
    );
    let b = only_branch(&t);
    assert_eq!(b.outcome, Outcome::LeftCluster);
    let hops = path(&t, b);
    let snat = hops
        .iter()
        .find(|h| matches!(h.action, Action::Snat { .. }))
        .expect("a masquerade hop");
    assert_eq!(snat.after.src, ip("192.168.0.12"));
    assert_eq!(snat.after.dst, ip("198.51.100.20"));
    assert!(kinds(&t, b).contains(&"Policy(Egress)".to_owned()));

    let dp = build(&format!("{CLIENT}{EXTERNAL_DB}{DENY_EGRESS_CLIENT}"));
    let t = run(
        &dp,
        TraceFrom::Pod(pod(&dp, "default/client")),
        TraceTo::Name("db".into()),
        None,
    );
    assert_eq!(only_branch(&t).outcome, Outcome::Denied(Direction::Egress));
}

// docs/profile.md, CNI modes ("and, for VPC-native CNIs, outside the VPC")
// and lib.rs `in_pod_network` ("for VPC-native CNIs, a pod's address"): with
// cilium-eni a VPC address that no pod holds (a database instance) is
// reached directly, with the pod's own address.
#[test]
fn vpc_native_pod_to_a_vpc_host_is_neither_dropped_nor_masqueraded() {
    let yaml = format!(
        "{}{}",
        profile("  preset: rke2-cilium-eni\n"),
        client_pod!("client", "ip-10-0-1-10")
    );
    let dp = build(&yaml);
    let client = pod(&dp, "default/client");
    assert_eq!(pod_ips(&dp, "default/client"), vec![ip("10.0.0.4")]);
    let t = to_address(&dp, TraceFrom::Pod(client), "10.0.40.20", 5432);
    let b = only_branch(&t);
    assert_eq!(b.outcome, Outcome::LeftCluster, "{:#?}", path(&t, b));
    assert!(!has_snat(&t, b));
    // Outside the VPC it is masqueraded.
    let t = to_address(&dp, TraceFrom::Pod(client), "1.1.1.1", 443);
    let b = only_branch(&t);
    assert_eq!(b.outcome, Outcome::LeftCluster);
    assert!(has_snat(&t, b));
}

const TWO_BACKENDS: &str = concat!(
    web_pod!("web-1", "node-1"),
    web_pod!("web-2", "node-2"),
    client_pod!("client", "node-3"),
    client_pod!("client-2", "node-2"),
    r#"apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  internalTrafficPolicy: Local
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
"#
);

// docs/dataplane.md, Services: `internalTrafficPolicy: Local` (ClusterIP
// traffic) only uses endpoints on the node the packet is on; with none
// there, the packet is dropped.
#[test]
fn internal_traffic_policy_local_uses_only_the_clients_node() {
    let dp = build(TWO_BACKENDS);
    assert_no_errors(&dp);
    let vip = common::cluster_ips(&dp, "default/web")[0];
    let t = run(
        &dp,
        TraceFrom::Pod(pod(&dp, "default/client-2")),
        TraceTo::Address(vip),
        Some(80),
    );
    let b = only_branch(&t);
    assert_eq!(b.outcome, Outcome::Delivered(pod(&dp, "default/web-2")));

    let t = run(
        &dp,
        TraceFrom::Pod(pod(&dp, "default/client")),
        TraceTo::Address(vip),
        Some(80),
    );
    let b = only_branch(&t);
    assert!(
        matches!(&b.outcome, Outcome::Dropped(DropReason::NoLocalEndpoint { internal: true, node }) if node == "node-3"),
        "{:?}",
        b.outcome
    );
}

// docs/dataplane.md, Services, kube-proxy modes: eBPF (kube-proxy
// replacement) rewrites the destination at `connect()` inside the source
// pod: the DNAT comes before the packet leaves the pod.
#[test]
fn ebpf_rewrites_the_destination_inside_the_source_pod() {
    let dp = build(&format!(
        "{}{}",
        profile("  kubeProxy: ebpf\n"),
        TWO_BACKENDS.replace("  internalTrafficPolicy: Local\n", "")
    ));
    let client = pod(&dp, "default/client");
    let vip = common::cluster_ips(&dp, "default/web")[0];
    let t = run(&dp, TraceFrom::Pod(client), TraceTo::Address(vip), Some(80));
    assert_eq!(t.branches.len(), 2);
    for b in &t.branches {
        let hops = path(&t, b);
        assert_eq!(kinds(&t, b)[..3], ["Dnat", "Send", "Policy(Egress)"]);
        assert_eq!(hops[0].place, podnet_dataplane::trace::Place::Pod(client));
        assert!(matches!(b.outcome, Outcome::Delivered(_)));
    }

    // iptables: the packet leaves the pod first, kube-proxy DNATs on the node.
    let dp = build(&TWO_BACKENDS.replace("  internalTrafficPolicy: Local\n", ""));
    let t = run(
        &dp,
        TraceFrom::Pod(pod(&dp, "default/client")),
        TraceTo::Address(vip),
        Some(80),
    );
    for b in &t.branches {
        let hops = path(&t, b);
        assert_eq!(kinds(&t, b)[..3], ["Send", "KubeProxy", "Dnat"]);
        assert_eq!(
            hops[2].place,
            podnet_dataplane::trace::Place::Node("node-3".into())
        );
    }
}
