//! Pod address rules of the dataplane model (docs/dataplane.md, "Pod
//! addresses"): node blocks, host-local, kept `status.podIP`s, exhaustion,
//! static pools (Robin and Calico) and dual-stack.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::{assert_no_errors, build, client_pod, errors, errors_with, ips, pod_ips, pod_node};
use ipnet::IpNet;
use podnet_dataplane::issue::StaticFound;
use podnet_dataplane::{AddressOrigin, Dataplane, DataplaneOptions, Found, PodAddresses};
use podnet_model::Severity;

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

/// The blocks of the node called `name`.
fn blocks(dp: &podnet_dataplane::Dataplane, name: &str) -> Vec<IpNet> {
    let i = dp.nodes.iter().position(|n| n.name == name).unwrap();
    dp.ipam.node_blocks[i].clone()
}

fn node(name: &str, ip: &str, pod_cidr: Option<&str>) -> String {
    let spec = pod_cidr.map_or_else(String::new, |c| format!("spec: {{podCIDR: {c}}}\n"));
    format!(
        "apiVersion: v1\nkind: Node\nmetadata: {{name: {name}}}\n{spec}status:\n  addresses: [{{type: InternalIP, address: {ip}}}]\n---\n"
    )
}

fn bare_pod(name: &str, node: &str, status_ip: Option<&str>) -> String {
    let status = status_ip.map_or_else(String::new, |ip| format!("status: {{podIP: {ip}}}\n"));
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: default}}\nspec:\n  nodeName: {node}\n  containers: [{{name: c, image: busybox}}]\n{status}---\n"
    )
}

// docs/dataplane.md, Pod addresses, "Node blocks": the node-range
// allocator (nodeipam CIDR set) hands the lowest free blocks out in node
// name order; a node's own `spec.podCIDR` is kept and skipped.
#[test]
fn node_blocks_in_name_order_skip_declared_pod_cidrs() {
    // Declared out of name order; node-b holds the first /24 itself.
    let yaml = [
        node("node-c", "192.168.0.13", None),
        node("node-b", "192.168.0.12", Some("10.244.0.0/24")),
        node("node-a", "192.168.0.11", None),
        node("node-d", "192.168.0.14", Some("10.244.2.0/24")),
    ]
    .concat();
    let dp = build(&yaml);
    assert_no_errors(&dp);
    let names: Vec<&str> = dp.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["node-a", "node-b", "node-c", "node-d"]);
    assert_eq!(blocks(&dp, "node-a"), vec![net("10.244.1.0/24")]);
    assert_eq!(blocks(&dp, "node-b"), vec![net("10.244.0.0/24")]);
    assert_eq!(blocks(&dp, "node-c"), vec![net("10.244.3.0/24")]);
    assert_eq!(blocks(&dp, "node-d"), vec![net("10.244.2.0/24")]);
    let declared: Vec<(IpNet, bool)> = dp
        .ipam
        .blocks
        .iter()
        .map(|b| (b.cidr, b.declared))
        .collect();
    assert!(declared.contains(&(net("10.244.0.0/24"), true)));
    assert!(declared.contains(&(net("10.244.1.0/24"), false)));
}

// docs/dataplane.md, Pod addresses: host-local gives the bridge the first
// address of the block and pods the next free ones from `.2`.
#[test]
fn host_local_hands_out_dot_two_first() {
    let yaml = [
        node("node-a", "192.168.0.11", None),
        node("node-b", "192.168.0.12", None),
        bare_pod("p1", "node-b", None),
        bare_pod("p2", "node-b", None),
        bare_pod("p3", "node-a", None),
    ]
    .concat();
    let dp = build(&yaml);
    assert_no_errors(&dp);
    assert_eq!(pod_ips(&dp, "default/p1"), ips(&["10.244.1.2"]));
    assert_eq!(pod_ips(&dp, "default/p2"), ips(&["10.244.1.3"]));
    assert_eq!(pod_ips(&dp, "default/p3"), ips(&["10.244.0.2"]));
    let b = dp
        .ipam
        .blocks
        .iter()
        .find(|b| b.cidr == net("10.244.1.0/24"))
        .unwrap();
    assert_eq!((b.used, b.capacity), (2, 253));
}

// docs/dataplane.md, Pod addresses: `status.podIP(s)` in the input are kept
// and never handed out again.
#[test]
fn status_pod_ip_is_kept_and_never_handed_out_again() {
    // `aaa` is addressed first; `zzz` already holds `.2`, the address
    // host-local would otherwise give `aaa`.
    let yaml = [
        node("node-a", "192.168.0.11", None),
        bare_pod("zzz", "node-a", Some("10.244.0.2")),
        bare_pod("aaa", "node-a", None),
        bare_pod("bbb", "node-a", None),
    ]
    .concat();
    let dp = build(&yaml);
    assert_no_errors(&dp);
    assert_eq!(pod_ips(&dp, "default/zzz"), ips(&["10.244.0.2"]));
    assert_eq!(pod_ips(&dp, "default/aaa"), ips(&["10.244.0.3"]));
    assert_eq!(pod_ips(&dp, "default/bbb"), ips(&["10.244.0.4"]));
    let zzz = common::pod(&dp, "default/zzz");
    assert_eq!(dp.ipam.origins[zzz.index()], AddressOrigin::Status);
}

// docs/profile.md, Problems reported: "a node block exhausted" is an error.
// A /30 node block keeps its network, gateway and broadcast addresses:
// one address for pods.
#[test]
fn node_block_exhaustion_is_an_error_naming_the_block() {
    let yaml = r#"
apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {name: tiny}
spec:
  nodeMaskSizeIPv4: 30
  nodes: [{name: n1, internalIP: 192.168.0.11}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
"#;
    let dp = build(yaml);
    assert_eq!(blocks(&dp, "n1"), vec![net("10.244.0.0/30")]);
    assert_eq!(dp.ipam.blocks[0].capacity, 1);
    assert_eq!(pod_ips(&dp, "default/web-0"), ips(&["10.244.0.2"]));
    assert!(pod_ips(&dp, "default/web-1").is_empty());
    let e = errors(&dp);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(
        matches!(&e[0].detail, Found::NodeBlockExhausted { block, pod, .. }
            if *block == net("10.244.0.0/30") && pod == "default/web-1"),
        "{e:#?}"
    );
}

const ROBIN_POOL: &str = r#"
apiVersion: robin.io/v1
kind: IPPool
metadata: {name: pool-a}
spec:
  subnet: 172.20.0.0/24
  gateway: 172.20.0.13
  ranges: [{start: 172.20.0.10, end: 172.20.0.14}]
  reserved: [172.20.0.10, 172.20.0.12]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cnf, namespace: default}
spec:
  replicas: 3
  selector: {matchLabels: {app: cnf}}
  template:
    metadata:
      labels: {app: cnf}
      annotations: {robin.io/networks: '[{"ippool": "pool-a"}]'}
    spec:
      containers: [{name: cnf, image: cnf}]
"#;

// docs/dataplane.md, Pod addresses, "Static pools": Robin's
// `robin.io/networks` draws the next free address of the pool's ranges,
// skipping its gateway and reserved addresses; docs/profile.md: a pool
// exhausted is an error.
#[test]
fn robin_pool_skips_gateway_and_reserved_and_exhaustion_names_the_pool() {
    let dp = build(ROBIN_POOL);
    // The range starts on a reserved address (.10); .12 is reserved and
    // .13 the gateway: only .11 and .14 are handed out.
    assert_eq!(pod_ips(&dp, "default/cnf-0"), ips(&["172.20.0.11"]));
    assert_eq!(pod_ips(&dp, "default/cnf-1"), ips(&["172.20.0.14"]));
    assert!(pod_ips(&dp, "default/cnf-2").is_empty());
    assert_eq!(dp.ipam.pools[0].capacity, 2);
    assert_eq!(
        dp.ipam.origins[common::pod(&dp, "default/cnf-0").index()],
        AddressOrigin::Pool(0)
    );
    let e = errors(&dp);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(
        matches!(&e[0].detail, Found::Static(StaticFound::PoolExhausted { pool, pod, .. })
            if pool == "pool-a" && pod == "default/cnf-2"),
        "{e:#?}"
    );
}

const CALICO_POOL: &str = r#"
apiVersion: crd.projectcalico.org/v1
kind: IPPool
metadata: {name: static-pool}
spec:
  cidr: 10.50.0.0/24
---
"#;

// docs/profile.md, Problems reported: "a static address outside every
// pool" is an error; the pod gets no address.
#[test]
fn calico_static_address_outside_every_pool_is_an_error() {
    let yaml = format!(
        "{CALICO_POOL}{}",
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: fixed
  namespace: default
  annotations: {cni.projectcalico.org/ipAddrs: '["10.60.0.5"]'}
spec:
  containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata:
  name: inside
  namespace: default
  annotations: {cni.projectcalico.org/ipAddrs: '["10.50.0.7"]'}
spec:
  containers: [{name: c, image: busybox}]
"#
    );
    let dp = build(&yaml);
    assert!(pod_ips(&dp, "default/fixed").is_empty());
    assert_eq!(pod_ips(&dp, "default/inside"), ips(&["10.50.0.7"]));
    let e = errors(&dp);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(
        matches!(&e[0].detail, Found::Static(StaticFound::OutsidePools { ip, .. })
            if ip.to_string() == "10.60.0.5"),
        "{e:#?}"
    );
    assert_eq!(e[0].object.as_deref(), Some("Pod default/fixed"));
}

// docs/profile.md, Problems reported: a static address "taken twice" is an
// error; the first replica keeps it, the second gets none.
#[test]
fn calico_static_address_on_two_replicas_is_an_error_for_the_second() {
    let yaml = format!(
        "{CALICO_POOL}{}",
        r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: fixed, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: fixed}}
  template:
    metadata:
      labels: {app: fixed}
      annotations: {cni.projectcalico.org/ipAddrs: '["10.50.0.5"]'}
    spec:
      containers: [{name: c, image: busybox}]
"#
    );
    let dp = build(&yaml);
    assert_eq!(pod_ips(&dp, "default/fixed-0"), ips(&["10.50.0.5"]));
    assert!(pod_ips(&dp, "default/fixed-1").is_empty());
    let e = errors(&dp);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0].object.as_deref(), Some("Pod default/fixed-1"));
    assert_eq!(
        errors_with(
            &dp,
            &[
                "Taken",
                "10.50.0.5",
                "\"default/fixed-1\"",
                "\"default/fixed-0\""
            ]
        )
        .len(),
        1,
        "{e:#?}"
    );
}

// docs/dataplane.md, Pod addresses ("each cluster CIDR is cut into blocks")
// and docs/profile.md (`clusterCIDRs`: dual-stack adds an IPv6 range, node
// mask /64 by default): one address of each family from the node's blocks.
#[test]
fn dual_stack_gives_one_address_per_family_from_the_nodes_blocks() {
    let yaml = concat!(
        r#"
apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {name: dual}
spec:
  clusterCIDRs: [10.244.0.0/16, "fd00:10:244::/56"]
  nodeCount: 2
---
"#,
        client_pod!("p1", "node-2"),
        client_pod!("p2", "node-1")
    );
    let dp = build(yaml);
    assert_no_errors(&dp);
    assert_eq!(
        blocks(&dp, "node-1"),
        vec![net("10.244.0.0/24"), net("fd00:10:244::/64")]
    );
    assert_eq!(
        blocks(&dp, "node-2"),
        vec![net("10.244.1.0/24"), net("fd00:10:244:1::/64")]
    );
    assert_eq!(pod_node(&dp, "default/p1").as_deref(), Some("node-2"));
    assert_eq!(
        pod_ips(&dp, "default/p1"),
        ips(&["10.244.1.2", "fd00:10:244:1::2"])
    );
    assert_eq!(
        pod_ips(&dp, "default/p2"),
        ips(&["10.244.0.2", "fd00:10:244::2"])
    );
}

// docs/profile.md, Problems reported: a static address "on a gateway or
// reserved address" is an error; the pod gets no address.
#[test]
fn static_address_on_the_pool_gateway_or_a_reserved_address_is_an_error() {
    let yaml = format!(
        "{}{}",
        &ROBIN_POOL[..ROBIN_POOL.find("---").unwrap()],
        r#"---
apiVersion: v1
kind: Pod
metadata:
  name: on-gateway
  namespace: default
  annotations: {robin.io/networks: '[{"ippool": "pool-a", "staticip": "172.20.0.13"}]'}
spec:
  containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata:
  name: on-reserved
  namespace: default
  annotations: {robin.io/networks: '[{"ippool": "pool-a", "staticip": "172.20.0.12"}]'}
spec:
  containers: [{name: c, image: busybox}]
"#
    );
    let dp = build(&yaml);
    assert!(pod_ips(&dp, "default/on-gateway").is_empty());
    assert!(pod_ips(&dp, "default/on-reserved").is_empty());
    assert_eq!(
        errors_with(&dp, &["172.20.0.13", "why: Gateway", "pool-a"]).len(),
        1
    );
    assert_eq!(
        errors_with(&dp, &["172.20.0.12", "why: Listed", "pool-a"]).len(),
        1
    );
    assert_eq!(errors(&dp).len(), 2);
}

// docs/dataplane.md, Pod addresses: VPC-native CNIs give pods the next free
// address of their node's subnet (from the fifth: AWS keeps the first four);
// an address a node holds is never a pod's, whether the node comes from the
// profile or from a Node object.
#[test]
fn vpc_native_pods_never_get_a_node_address() {
    let yaml = r#"
apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {name: eni}
spec:
  preset: rke2-cilium-eni
  nodes: []
---
apiVersion: v1
kind: Node
metadata: {name: ip-10-0-0-5}
spec: {providerID: "aws:///ap-northeast-2a/i-0abc"}
status: {addresses: [{type: InternalIP, address: 10.0.0.5}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
"#;
    let dp = build(yaml);
    let names: Vec<&str> = dp.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["ip-10-0-0-5"]);
    assert_eq!(pod_ips(&dp, "default/web-0"), ips(&["10.0.0.4"]));
    assert_eq!(pod_ips(&dp, "default/web-1"), ips(&["10.0.0.6"]));
}

// docs/dataplane.md, Pod addresses: "Host-network pods have their node's
// addresses" (and take none of the node's block).
#[test]
fn host_network_pods_have_their_nodes_address() {
    let yaml = [
        node("node-a", "192.168.0.11", None),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: agent, namespace: default}\nspec:\n  nodeName: node-a\n  hostNetwork: true\n  containers: [{name: c, image: agent}]\n---\n".to_owned(),
        bare_pod("web", "node-a", None),
    ]
    .concat();
    let dp = build(&yaml);
    assert_no_errors(&dp);
    assert_eq!(pod_ips(&dp, "default/agent"), ips(&["192.168.0.11"]));
    assert_eq!(
        dp.ipam.origins[common::pod(&dp, "default/agent").index()],
        AddressOrigin::HostNetwork
    );
    assert_eq!(pod_ips(&dp, "default/web"), ips(&["10.244.0.2"]));
}

// docs/dataplane.md, Pod addresses: "`status.podIP(s)` in the input are
// kept", host-network pods included: the kubelet sets a host-network pod's
// `status.podIPs` to its node's addresses (`generateAPIPodStatus`,
// pkg/kubelet/kubelet_pods.go), so without Node objects (nodes assumed) the
// input's address is the fact, not the assumed node's.
#[test]
fn host_network_pods_keep_their_status_pod_ip_without_nodes() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: agent, namespace: default}\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: agent}]\nstatus: {phase: Running, podIP: 192.168.1.5, podIPs: [{ip: 192.168.1.5}]}\n";
    let dp = build(yaml);
    assert_no_errors(&dp);
    assert_eq!(pod_ips(&dp, "default/agent"), ips(&["192.168.1.5"]));
    assert_eq!(
        dp.ipam.origins[common::pod(&dp, "default/agent").index()],
        AddressOrigin::Status
    );
}

// docs/semantics.md, Workloads and pods: pods without `status.podIP` get
// the address their node's IPAM would hand out, and an ipBlock matches it
// like any other (NetworkPolicyPeer.ipBlock: "a particular IPBlock"; the
// upstream e2e tests match in-cluster pods by address).
#[test]
fn template_pods_get_assumed_addresses_that_ipblocks_match() {
    let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: default}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: db, namespace: default, labels: {app: db}}\nspec: {containers: [{name: db, image: db}]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: db, namespace: default}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress: [{from: [{ipBlock: {cidr: 10.244.0.0/16}}]}]\n";
    let dp = build(yaml);
    assert_no_errors(&dp);
    let web = common::pod(&dp, "default/web-0");
    assert_eq!(dp.ipam.origins[web.index()], AddressOrigin::NodeBlock);
    let ip = pod_ips(&dp, "default/web-0")[0];
    assert!("10.244.0.0/16".parse::<IpNet>().unwrap().contains(&ip));
    let db = common::pod(&dp, "default/db");
    let verdict = podnet_engine::semantics::evaluate(
        &dp.cluster,
        podnet_engine::Endpoint::Pod(web),
        podnet_engine::Endpoint::Pod(db),
    );
    assert!(verdict.conns.is_all(), "{verdict:?}");
}

// docs/semantics.md, Choices podnet makes: with `--pod-addresses=declared`
// only the addresses the input states exist: `status.podIP(s)` (a
// host-network pod's too), the exact addresses of
// `cni.projectcalico.org/ipAddrs`. A template pod, a pool draw and a
// host-network pod on an assumed node have none.
#[test]
fn declared_pod_addresses_are_only_those_the_input_states() {
    let yaml = format!(
        "{CALICO_POOL}{}",
        r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: live, namespace: default}
spec: {containers: [{name: c, image: busybox}]}
status: {phase: Running, podIP: 10.244.7.7}
---
apiVersion: v1
kind: Pod
metadata:
  name: fixed
  namespace: default
  annotations: {cni.projectcalico.org/ipAddrs: '["10.50.0.7"]'}
spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: drawn
  namespace: default
  annotations: {cni.projectcalico.org/ipv4pools: '["static-pool"]'}
spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: default}
spec: {hostNetwork: true, containers: [{name: c, image: agent}]}
"#
    );
    let options = DataplaneOptions {
        pod_addresses: PodAddresses::Declared,
        ..DataplaneOptions::default()
    };
    let dp = Dataplane::build_with(&common::cluster(&yaml), None, options);
    assert_no_errors(&dp);
    assert!(pod_ips(&dp, "default/web-0").is_empty());
    assert_eq!(pod_ips(&dp, "default/live"), ips(&["10.244.7.7"]));
    assert_eq!(pod_ips(&dp, "default/fixed"), ips(&["10.50.0.7"]));
    assert!(pod_ips(&dp, "default/drawn").is_empty());
    assert!(pod_ips(&dp, "default/agent").is_empty());
    // The default assigns them all.
    let dp = build(&yaml);
    for pod in ["default/web-0", "default/drawn", "default/agent"] {
        assert_eq!(pod_ips(&dp, pod).len(), 1, "{pod}");
    }
}

/// Overlapping ranges: two tenant pools typed with the same subnet (the
/// telecom tenants' 172.20.0.0/16 twice), a MetalLB pool inside the pod CIDR
/// are warnings. (Pod and Service ranges overlapping inside one profile is
/// a manifest error, tested with the profile's reader.)
#[test]
fn overlapping_ranges_are_reported() {
    let dp = build(
        "apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {name: p}
spec:
  clusterCIDRs: [10.0.0.0/16]
  serviceCIDRs: [10.96.0.0/20]
  nodeCount: 2
  metallb:
    pools: [{name: lb, addresses: [10.0.200.1-10.0.200.9]}]
---
apiVersion: robin.io/v1
kind: IPPool
metadata: {name: pool-5g-core}
spec: {subnet: 172.20.0.0/16}
---
apiVersion: robin.io/v1
kind: IPPool
metadata: {name: pool-iot}
spec: {subnet: 172.20.0.0/16}
",
    );
    let messages: Vec<(Severity, String)> = dp
        .issues
        .iter()
        .filter_map(|i| match &i.detail {
            Found::RangesOverlap { first, second } => {
                Some((i.severity, format!("{first} | {second}")))
            }
            _ => None,
        })
        .collect();
    use Severity::Warning;
    assert!(
        messages.contains(&(
            Warning,
            "IPPool pool-5g-core (172.20.0.0/16) | IPPool pool-iot (172.20.0.0/16)".to_owned()
        )),
        "{messages:?}"
    );
    assert!(
        messages.contains(&(
            Warning,
            "cluster CIDR 10.0.0.0/16 | MetalLB pool lb".to_owned()
        )),
        "{messages:?}"
    );
    assert!(
        !messages
            .iter()
            .any(|(_, m)| m.contains("pool-5g-core") && m.contains("service")),
        "disjoint ranges are not reported: {messages:?}"
    );
}

/// docs/profile.md: with Node objects and a profile that lists no `nodes`,
/// the preset's made-up nodes are dropped; listed nodes would count.
#[test]
fn node_objects_replace_the_presets_nodes() {
    let dp = build(
        "apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {name: p}
spec: {preset: rke2-canal}
---
apiVersion: v1
kind: Node
metadata: {name: real-1}
status:
  addresses: [{type: InternalIP, address: 10.0.5.5}]
",
    );
    let names: Vec<&str> = dp.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["real-1"]);
}

/// The running cluster lists every node (profile nodes included, with their
/// allocated blocks), so policies selecting `nodes` see them.
#[test]
fn the_running_cluster_lists_every_node() {
    let dp = build(
        "apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {name: p}
spec: {nodeCount: 2}
",
    );
    let nodes: Vec<(&str, String)> = dp
        .cluster
        .nodes
        .iter()
        .map(|n| (n.meta.name.as_str(), n.pod_cidrs[0].to_string()))
        .collect();
    assert_eq!(
        nodes,
        [
            ("node-1", "10.244.0.0/24".to_owned()),
            ("node-2", "10.244.1.0/24".to_owned())
        ]
    );
    assert_eq!(dp.cluster.nodes[0].internal_ips, ips(&["192.168.0.11"]));
}
