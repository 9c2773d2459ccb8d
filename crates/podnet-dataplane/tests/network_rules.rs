//! Multus secondary networks end to end: manifests loaded, the running
//! cluster built, one network's addresses allocated and the cluster
//! projected onto it, and the engine's connlist on the projection. On a
//! secondary network NetworkPolicy does not apply; MultiNetworkPolicies
//! `policy-for` it do, with NetworkPolicy semantics against the secondary
//! addresses.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::{build, ip};
use podnet_dataplane::issue::NetworkFound;
use podnet_dataplane::networks::{SecondaryAddresses, project, secondary_addresses};
use podnet_dataplane::{Dataplane, Found};
use podnet_engine::{Engine, PeerRef, connlist};
use podnet_model::{Cluster, Conns, NetworkRef, Protocol, Severity};

fn nad(name: &str, config: &str) -> String {
    format!(
        "apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata: {{name: {name}, namespace: tel}}\nspec:\n  config: '{config}'\n---\n"
    )
}

/// A bare pod `tel/<name>` with label `app: <name>`, selecting `networks`
/// (the annotation value, none when empty).
fn pod(name: &str, networks: &str, node: Option<&str>) -> String {
    let ann = if networks.is_empty() {
        String::new()
    } else {
        format!("  annotations:\n    k8s.v1.cni.cncf.io/networks: '{networks}'\n")
    };
    let node = node.map_or_else(String::new, |n| format!("  nodeName: {n}\n"));
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: tel\n  labels: {{app: {name}}}\n{ann}spec:\n{node}  containers: [{{name: c, image: i, ports: [{{containerPort: 80}}]}}]\n---\n"
    )
}

/// NetworkPolicy: deny everything in and out of `tel`.
const DENY_ALL: &str = "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: tel}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
";

const MACVLAN: &str = r#"{"type": "macvlan", "master": "eth1", "ipam": {"type": "whereabouts", "range": "10.50.0.0/24"}}"#;

fn net(name: &str) -> NetworkRef {
    NetworkRef::new("tel", name)
}

/// The allowed connections between pods' workloads of `c`, by name.
fn pod_conns(c: &Cluster) -> Vec<(String, String, Conns)> {
    let engine = Engine::new(c);
    connlist(&engine)
        .connections
        .into_iter()
        .filter_map(|conn| match (&conn.src, &conn.dst) {
            (PeerRef::Workload(s), PeerRef::Workload(d)) => Some((
                c.workload(*s).name.clone(),
                c.workload(*d).name.clone(),
                conn.conns,
            )),
            _ => None,
        })
        .collect()
}

fn conns(list: &[(String, String, Conns)], src: &str, dst: &str) -> Conns {
    list.iter()
        .find(|(s, d, _)| s == src && d == dst)
        .map_or_else(Conns::none, |(_, _, c)| c.clone())
}

fn addresses(dp: &Dataplane, name: &str) -> SecondaryAddresses {
    secondary_addresses(&dp.cluster, &net(name))
}

/// The addresses of pod `tel/<pod>` on the network, as strings.
fn ips_of(s: &SecondaryAddresses, dp: &Dataplane, pod: &str) -> Vec<String> {
    let id = common::pod(dp, &format!("tel/{pod}"));
    s.attachments
        .iter()
        .filter(|a| a.pod == id)
        .flat_map(|a| a.addresses.iter().map(ToString::to_string))
        .collect()
}

#[test]
fn attached_pods_reach_each_other_whatever_network_policy_says() {
    let yaml = [
        nad("data", MACVLAN),
        pod("a", "data", None),
        pod("b", "data@eth9", None),
        pod("c", "", None),
        DENY_ALL.to_owned(),
    ]
    .concat();
    let dp = build(&yaml);
    // On the pod network the namespace is locked down.
    let primary = pod_conns(&dp.cluster);
    assert!(conns(&primary, "a", "b").is_empty(), "{primary:?}");

    let s = addresses(&dp, "data");
    assert!(s.issues.is_empty(), "{:#?}", s.issues);
    assert_eq!(s.attachments[0].interface, "net1");
    assert_eq!(s.attachments[1].interface, "eth9");
    let projected = project(&dp.cluster, &net("data"));
    assert!(projected.policies.is_empty());
    let on_net = pod_conns(&projected);
    assert!(conns(&on_net, "a", "b").is_all(), "{on_net:?}");
    assert!(conns(&on_net, "b", "a").is_all(), "{on_net:?}");
    // The pod without an attachment is not on the network at all.
    let names: Vec<&str> = projected.pods.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert!(projected.workloads.iter().all(|w| w.name != "c"));
    assert_eq!(projected.pods[0].ips, [ip("10.50.0.1")]);
    assert_eq!(projected.pods[1].ips, [ip("10.50.0.2")]);
    for (i, w) in projected.workloads.iter().enumerate() {
        for &p in &w.pods {
            assert_eq!(projected.pod(p).workload.index(), i);
        }
    }
}

const MNP: &str = "apiVersion: k8s.cni.cncf.io/v1beta1
kind: MultiNetworkPolicy
metadata:
  name: b-from-a
  namespace: tel
  annotations: {k8s.v1.cni.cncf.io/policy-for: data}
spec:
  podSelector: {matchLabels: {app: b}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {app: a}}}]
    ports: [{protocol: TCP, port: 80}]
---
";

#[test]
fn a_multi_network_policy_restricts_its_network_only() {
    let other = MNP
        .replace("b-from-a", "deny-b-on-ctl")
        .replace("policy-for: data}", "policy-for: ctl}");
    let yaml = [
        nad("data", MACVLAN),
        nad(
            "ctl",
            r#"{"type": "sriov", "vlan": 100, "ipam": {"type": "whereabouts", "range": "10.60.0.0/24"}}"#,
        ),
        pod("a", "data", None),
        pod("b", "data,ctl", None),
        pod("x", "data,ctl", None),
        MNP.to_owned(),
        other,
    ]
    .concat();
    let dp = build(&yaml);
    let data = pod_conns(&project(&dp.cluster, &net("data")));
    let tcp80 = Conns::ports_of(Protocol::Tcp, podnet_model::PortSet::single(80));
    assert_eq!(conns(&data, "a", "b"), tcp80, "{data:?}");
    assert!(conns(&data, "x", "b").is_empty(), "{data:?}");
    assert!(conns(&data, "b", "a").is_all(), "egress is not isolated");
    // On ctl, b is isolated by the other policy, and a is not attached.
    let ctl = project(&dp.cluster, &net("ctl"));
    assert_eq!(ctl.policies.len(), 1);
    assert_eq!(ctl.policies[0].meta.name, "deny-b-on-ctl");
    let ctl = pod_conns(&ctl);
    assert!(conns(&ctl, "x", "b").is_empty(), "{ctl:?}");
    assert!(conns(&ctl, "b", "x").is_all(), "{ctl:?}");
    assert!(ctl.iter().all(|(s, d, _)| s != "a" && d != "a"));
}

#[test]
fn ip_blocks_match_secondary_addresses() {
    let by_block = MNP.replace(
        "[{podSelector: {matchLabels: {app: a}}}]",
        "[{ipBlock: {cidr: 10.50.0.1/32}}]",
    );
    let yaml = [
        nad("data", MACVLAN),
        pod("a", "data", None),
        pod("b", "data", None),
        pod("x", "data", None),
        by_block,
    ]
    .concat();
    let dp = build(&yaml);
    let s = addresses(&dp, "data");
    assert_eq!(ips_of(&s, &dp, "a"), ["10.50.0.1/24"]);
    let data = pod_conns(&project(&dp.cluster, &net("data")));
    assert!(conns(&data, "a", "b").allows(Protocol::Tcp, 80), "{data:?}");
    assert!(conns(&data, "x", "b").is_empty(), "{data:?}");
}

#[test]
fn static_addresses_are_honoured_and_duplicates_reported() {
    let yaml = [
        nad(
            "cp",
            r#"{"type": "sriov", "ipam": {"type": "static", "addresses": [{"address": "172.20.0.5/16"}]}}"#,
        ),
        pod("a", r#"[{"name": "cp", "ips": ["172.20.0.10/16"]}]"#, None),
        pod("b", r#"[{"name": "cp", "ips": ["172.20.0.10/16"]}]"#, None),
        pod("c", "cp", None),
    ]
    .concat();
    let dp = build(&yaml);
    let s = addresses(&dp, "cp");
    assert_eq!(ips_of(&s, &dp, "a"), ["172.20.0.10/16"]);
    assert_eq!(ips_of(&s, &dp, "c"), ["172.20.0.5/16"], "the NAD's address");
    let dup: Vec<_> = s
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .collect();
    assert_eq!(dup.len(), 1, "{:#?}", s.issues);
    assert!(
        matches!(&dup[0].detail, Found::Network(NetworkFound::SharedAddress { ip, pods, .. })
            if ip.to_string() == "172.20.0.10" && pods == &["tel/a", "tel/b"]),
        "{dup:?}"
    );
    let projected = project(&dp.cluster, &net("cp"));
    assert_eq!(projected.pods[2].ips, [ip("172.20.0.5")]);
}

#[test]
fn whereabouts_ranges_honour_exclude_and_run_out() {
    let wb = r#"{"type": "ovs", "bridge": "br1", "ipam": {"type": "whereabouts", "range": "10.70.0.0/29", "exclude": ["10.70.0.1/32", "10.70.0.4/31"], "gateway": "10.70.0.2"}}"#;
    let yaml = [
        nad("up", wb),
        pod("p1", "up", Some("node-a")),
        pod("p2", "up", Some("node-b")),
        pod("p3", "up", Some("node-a")),
    ]
    .concat();
    let dp = build(&yaml);
    let s = addresses(&dp, "up");
    // .0 network, .1 excluded, .2 the gateway, .3 free, .4-.5 excluded,
    // .6 free, .7 broadcast; cluster-wide, whatever the node.
    assert_eq!(ips_of(&s, &dp, "p1"), ["10.70.0.3/29"]);
    assert_eq!(ips_of(&s, &dp, "p2"), ["10.70.0.6/29"]);
    assert!(ips_of(&s, &dp, "p3").is_empty());
    let out: Vec<_> = s
        .issues
        .iter()
        .filter(|i| matches!(i.detail, Found::Network(NetworkFound::Exhausted { .. })))
        .collect();
    assert_eq!(out.len(), 1, "{:#?}", s.issues);
    assert_eq!(out[0].object.as_deref(), Some("Pod tel/p3"));
}

#[test]
fn host_local_allocates_per_node() {
    let hl = r#"{"type": "bridge", "bridge": "br0", "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.80.0.0/24", "rangeStart": "10.80.0.10"}]]}}"#;
    let yaml = [
        nad("br", hl),
        pod("p1", "br", Some("node-a")),
        pod("p2", "br", Some("node-a")),
        pod("p3", "br", Some("node-b")),
    ]
    .concat();
    let dp = build(&yaml);
    let s = addresses(&dp, "br");
    assert_eq!(ips_of(&s, &dp, "p1"), ["10.80.0.10/24"]);
    assert_eq!(ips_of(&s, &dp, "p2"), ["10.80.0.11/24"]);
    assert_eq!(
        ips_of(&s, &dp, "p3"),
        ["10.80.0.10/24"],
        "node-b's own store"
    );
    assert_eq!(s.issues.len(), 1, "{:#?}", s.issues);
    assert_eq!(s.issues[0].severity, Severity::Warning);
    assert!(
        matches!(&s.issues[0].detail, Found::Network(NetworkFound::SharedAddress { pods, per_node: true, .. })
            if pods == &["tel/p1", "tel/p3"]),
        "{:#?}",
        s.issues
    );
}

#[test]
fn undefined_networks_and_dhcp() {
    let yaml = [
        nad(
            "dh",
            r#"{"type": "ipvlan", "master": "eth1", "ipam": {"type": "dhcp"}}"#,
        ),
        pod("a", "dh", None),
    ]
    .concat();
    let dp = build(&yaml);
    let s = addresses(&dp, "dh");
    assert_eq!(s.attachments.len(), 1);
    assert!(s.attachments[0].addresses.is_empty());
    assert!(
        matches!(
            s.issues[0].detail,
            Found::Network(NetworkFound::Dhcp { .. })
        ),
        "{:#?}",
        s.issues
    );
    let projected = project(&dp.cluster, &net("dh"));
    assert_eq!(projected.pods.len(), 1);
    assert!(projected.pods[0].ips.is_empty());

    let missing = addresses(&dp, "nope");
    assert!(missing.attachments.is_empty());
    assert_eq!(missing.issues[0].severity, Severity::Error);
    assert!(project(&dp.cluster, &net("nope")).pods.is_empty());
}
