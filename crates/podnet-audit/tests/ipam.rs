//! IPAM checks (PN4xxx, issue 5 item 4; docs/dataplane.md "Pod addresses",
//! docs/profile.md "Problems reported"): each rule triggered and quiet on a
//! correct setup, with the telecom tenants' dedicated pools.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::with_code;
use podnet_audit::Severity;

/// A Robin IPPool as in examples/telecom/ippools.yaml.
fn robin_pool(name: &str, subnet: &str, vlan: u16, range: (&str, &str)) -> String {
    let base = subnet.trim_end_matches(".0/16").trim_end_matches(".0/24");
    format!(
        r#"
---
apiVersion: robin.io/v1
kind: IPPool
metadata: {{name: {name}}}
spec:
  subnet: {subnet}
  gateway: {base}.1
  ranges:
  - {{start: {}, end: {}}}
  reserved: [{base}.1, {base}.254]
  vlan: {vlan}
"#,
        range.0, range.1
    )
}

fn tenant_pools(second_subnet: &str) -> String {
    let base = second_subnet.trim_end_matches(".0.0/16");
    format!(
        "{}{}",
        robin_pool(
            "pool-5g-core",
            "172.20.0.0/16",
            100,
            ("172.20.0.10", "172.20.0.250")
        ),
        robin_pool(
            "pool-iot",
            second_subnet,
            200,
            (&format!("{base}.0.10"), &format!("{base}.0.250"))
        )
    )
}

/// A Deployment in `default` with `replicas` and pod annotations.
fn deployment(name: &str, replicas: u32, annotations: &str) -> String {
    format!(
        r#"
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: default}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata:
      labels: {{app: {name}}}
      annotations: {{{annotations}}}
    spec:
      containers: [{{name: c, image: busybox}}]
"#
    )
}

fn profile(spec: &str) -> String {
    format!(
        "apiVersion: podnet.dev/v1alpha1\nkind: ClusterProfile\nmetadata: {{name: p}}\nspec:\n{spec}\n"
    )
}

// ---- PN4001 address-ranges-overlap ---------------------------------------

#[test]
fn pn4001_mistyped_second_tenant_pool_is_caught() {
    // Issue 5 item 4: a mistyped second `172.20.0.0/16` must be caught.
    let f = with_code(&tenant_pools("172.20.0.0/16"), "PN4001");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Error);
    assert_eq!(f[0].subject.display(), "IPPool pool-iot");
    assert!(
        f[0].message.contains(
            "IPPool pool-iot (172.20.0.0/16) overlaps IPPool pool-5g-core (172.20.0.0/16)"
        ),
        "{}",
        f[0].message
    );
}

#[test]
fn pn4001_quiet_on_the_telecom_tenants_pools() {
    // The tenants' pools: 172.20.0.0/16 (VLAN 100) and 172.21.0.0/16 (VLAN 200).
    assert!(with_code(&tenant_pools("172.21.0.0/16"), "PN4001").is_empty());
}

#[test]
fn pn4001_metallb_pool_holding_a_node_address() {
    let yaml =
        profile("  metallb:\n    pools: [{name: default, addresses: [192.168.0.10-192.168.0.20]}]");
    let f = with_code(&yaml, "PN4001");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message
            .contains("MetalLB pool default overlaps the nodes' addresses")
    );
    assert!(f[0].message.contains("node-1"), "{}", f[0].message);
}

#[test]
fn pn4001_quiet_with_metallb_beside_the_nodes() {
    let yaml = profile(
        "  metallb:\n    pools: [{name: default, addresses: [192.168.0.100-192.168.0.120]}]",
    );
    assert!(with_code(&yaml, "PN4001").is_empty());
}

fn secondary(range: &str) -> String {
    format!(
        r#"
---
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata: {{name: macvlan-net, namespace: default}}
spec:
  config: '{{"cniVersion": "0.3.1", "type": "macvlan", "master": "eth1",
    "ipam": {{"type": "whereabouts", "range": "{range}"}}}}'
"#
    )
}

#[test]
fn pn4001_secondary_network_handing_out_a_pools_addresses() {
    let yaml = format!(
        "{}{}",
        tenant_pools("172.21.0.0/16"),
        secondary("172.20.0.0/24")
    );
    let f = with_code(&yaml, "PN4001");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message.contains("network default/macvlan-net"),
        "{}",
        f[0].message
    );
    assert!(f[0].message.contains("172.20.0.10"), "{}", f[0].message);
}

#[test]
fn pn4001_quiet_with_a_secondary_network_beside_the_pools_ranges() {
    // Like the telecom example's control plane (172.20.1.x inside the 5G
    // core's subnet, outside the addresses its pool hands out).
    let yaml = format!(
        "{}{}",
        tenant_pools("172.21.0.0/16"),
        secondary("172.20.1.0/24")
    );
    assert!(with_code(&yaml, "PN4001").is_empty());
}

// ---- PN4002 ip-pool-exhausted ----------------------------------------------

fn small_pool_with(replicas: u32) -> String {
    format!(
        "{}{}",
        robin_pool(
            "pool-iot",
            "172.21.0.0/16",
            200,
            ("172.21.0.10", "172.21.0.12")
        ),
        deployment(
            "broker",
            replicas,
            r#"robin.io/networks: '[{"ippool": "pool-iot"}]'"#
        )
    )
}

#[test]
fn pn4002_pool_smaller_than_the_replicas() {
    let f = with_code(&small_pool_with(4), "PN4002");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Error);
    assert!(
        f[0].message
            .contains("hands out 3 addresses and 4 pods draw from it"),
        "{}",
        f[0].message
    );
    assert!(
        f[0].message.contains("default/broker: 4"),
        "{}",
        f[0].message
    );
}

#[test]
fn pn4002_full_pool_is_a_warning() {
    let f = with_code(&small_pool_with(3), "PN4002");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Warning);
}

#[test]
fn pn4002_quiet_with_room_left() {
    assert!(with_code(&small_pool_with(2), "PN4002").is_empty());
}

// ---- PN4003 node-block-smaller-than-max-pods ---------------------------------

#[test]
fn pn4003_node_block_too_small_for_max_pods() {
    // A /26 gives 61 pod addresses; the kubelet's maxPods is 110.
    let f = with_code(&profile("  nodeMaskSizeIPv4: 26"), "PN4003");
    assert_eq!(f.len(), 3, "{f:#?}");
    assert!(
        f[0].message.contains("may run 110 pods"),
        "{}",
        f[0].message
    );
    assert!(f[0].help.contains("/25"), "{}", f[0].help);
}

#[test]
fn pn4003_block_exhausted_is_an_error() {
    // A /28 gives 13 pod addresses; 45 replicas put 15 on each node.
    let yaml = format!(
        "{}{}",
        profile("  nodeMaskSizeIPv4: 28"),
        deployment("web", 45, "")
    );
    let f = with_code(&yaml, "PN4003");
    assert_eq!(f.len(), 3, "{f:#?}");
    assert!(f.iter().all(|f| f.severity == Severity::Error), "{f:#?}");
    assert!(
        f[0].message.contains("13 addresses (13 in use)"),
        "{}",
        f[0].message
    );
}

#[test]
fn pn4003_quiet_with_24_blocks() {
    assert!(with_code(&profile("  nodeMaskSizeIPv4: 24"), "PN4003").is_empty());
}

// ---- PN4004 cluster-cidr-too-small -------------------------------------------

/// A profile with `cidr` and two nodes, and a third node as a Node object
/// (the profile reader checks only the nodes the profile itself declares).
fn third_node(cidr: &str) -> String {
    format!(
        "{}---\napiVersion: v1\nkind: Node\nmetadata: {{name: node-3}}\nstatus:\n  addresses: [{{type: InternalIP, address: 192.168.0.13}}]\n",
        profile(&format!("  clusterCIDRs: [{cidr}]\n  nodeCount: 2"))
    )
}

#[test]
fn pn4004_cluster_cidr_too_small_for_the_nodes() {
    // Two /24 blocks in a /23 for three nodes.
    let f = with_code(&third_node("10.244.0.0/23"), "PN4004");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message
            .contains("holds 2 /24 node blocks for 3 nodes: node-3 gets none"),
        "{}",
        f[0].message
    );
    assert!(f[0].help.contains("/22"), "{}", f[0].help);
}

#[test]
fn pn4004_quiet_with_room_for_every_node() {
    assert!(with_code(&third_node("10.244.0.0/22"), "PN4004").is_empty());
}

// ---- PN4005 duplicate-static-address -----------------------------------------

fn static_pods(first: &str, second: &str) -> String {
    format!(
        "{}{}{}",
        tenant_pools("172.21.0.0/16"),
        deployment(
            "amf",
            1,
            &format!(
                r#"robin.io/networks: '[{{"ippool": "pool-5g-core", "staticip": "{first}"}}]'"#
            )
        ),
        deployment(
            "smf",
            1,
            &format!(
                r#"robin.io/networks: '[{{"ippool": "pool-5g-core", "staticip": "{second}"}}]'"#
            )
        )
    )
}

#[test]
fn pn4005_one_static_address_for_two_pods() {
    let f = with_code(&static_pods("172.20.0.20", "172.20.0.20"), "PN4005");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message.contains("172.20.0.20 is held by 2 pods"),
        "{}",
        f[0].message
    );
}

#[test]
fn pn4005_static_address_in_a_template_with_replicas() {
    let yaml = format!(
        "{}{}",
        tenant_pools("172.21.0.0/16"),
        deployment(
            "upf",
            2,
            r#"cni.projectcalico.org/ipAddrs: '["172.20.0.30"]'"#
        )
    );
    let f = with_code(&yaml, "PN4005");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message.contains("2 pods of default/upf"),
        "{}",
        f[0].message
    );
    assert_eq!(f[0].subject.display(), "Deployment default/upf");
}

#[test]
fn pn4005_quiet_with_distinct_static_addresses() {
    assert!(with_code(&static_pods("172.20.0.20", "172.20.0.21"), "PN4005").is_empty());
}

// ---- PN4006 reserved-address-assigned ----------------------------------------

#[test]
fn pn4006_static_address_on_the_pools_gateway_and_reserved() {
    // Robin pools: the gateway `.1` and `.254` are reserved.
    let f = with_code(&static_pods("172.20.0.1", "172.20.0.254"), "PN4006");
    assert_eq!(f.len(), 2, "{f:#?}");
    assert!(
        f[0].message.contains("the gateway of IPPool pool-5g-core"),
        "{}",
        f[0].message
    );
    assert!(
        f[1].message
            .contains("a reserved address of IPPool pool-5g-core"),
        "{}",
        f[1].message
    );
}

fn sriov_pod(ip: &str) -> String {
    format!(
        r#"
---
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata: {{name: sriov-net1, namespace: default}}
spec:
  config: '{{"cniVersion": "0.3.1", "type": "sriov", "vlan": 100,
    "ipam": {{"type": "static", "routes": [{{"dst": "172.20.0.0/16", "gw": "172.20.1.254"}}]}}}}'
{}"#,
        deployment(
            "upf",
            1,
            &format!(
                r#"k8s.v1.cni.cncf.io/networks: '[{{"name": "sriov-net1", "interface": "eth1", "ips": ["{ip}"]}}]'"#
            )
        )
    )
}

#[test]
fn pn4006_secondary_address_on_the_networks_gateway() {
    let f = with_code(&sriov_pod("172.20.1.254/24"), "PN4006");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message
            .contains("a gateway of network default/sriov-net1"),
        "{}",
        f[0].message
    );
}

#[test]
fn pn4006_quiet_with_ordinary_static_addresses() {
    assert!(with_code(&static_pods("172.20.0.20", "172.20.0.21"), "PN4006").is_empty());
    assert!(with_code(&sriov_pod("172.20.1.10/24"), "PN4006").is_empty());
}

// ---- PN4007 vlan-on-several-subnets ------------------------------------------

#[test]
fn pn4007_one_vlan_on_two_subnets() {
    // The SR-IOV network tags VLAN 100, the 5G core pool's, on another subnet.
    let yaml = format!(
        "{}{}",
        tenant_pools("172.21.0.0/16"),
        sriov_pod("10.1.0.5/24")
    );
    let f = with_code(&yaml, "PN4007");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message.contains(
            "VLAN 100 carries 10.1.0.0/24 (network default/sriov-net1) and 172.20.0.0/16 (IPPool pool-5g-core)"
        ),
        "{}",
        f[0].message
    );
}

#[test]
fn pn4007_quiet_when_the_vlan_keeps_one_subnet() {
    // As in the telecom example: 172.20.1.0/24 inside the pool's subnet.
    let yaml = format!(
        "{}{}",
        tenant_pools("172.21.0.0/16"),
        sriov_pod("172.20.1.10/24")
    );
    assert!(with_code(&yaml, "PN4007").is_empty());
}
