//! Loading the dataplane's kinds end to end with `load_files`: Nodes,
//! Endpoints, EndpointSlices, Calico and Robin IPPools, MetalLB
//! IPAddressPools and the ClusterProfile, plus the pod and Service fields the
//! dataplane reads. Each error is checked for its field path and line, each
//! kind for the model values it lowers to.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is a test failure

use std::net::IpAddr;
use std::path::Path;

use podnet_model::{
    AddressRequest, Cloud, CniMode, DnsPolicy, LbController, PoolFlavor, Preset, TrafficPolicy,
};

mod common;
use common::{errors, load, only_error, warnings};

fn one_error(text: &str, path: &str, line: u32) -> String {
    let (l, message) = only_error(text, path, line);
    let _ = l;
    message
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

// ---------------------------------------------------------------------------
// Pods and templates
// ---------------------------------------------------------------------------

#[test]
fn pod_net_fields_are_read() {
    let l = load(
        r#"apiVersion: v1
kind: Pod
metadata:
  name: amf-0
  namespace: core
  annotations:
    cni.projectcalico.org/ipAddrs: '["172.20.0.10"]'
spec:
  nodeSelector: {zone: a}
  hostname: amf
  subdomain: core
  dnsPolicy: Default
  containers: [{name: c, image: i}]
status:
  hostIP: 10.10.0.11
  podIP: 172.20.0.10
  conditions:
  - {type: Ready, status: "False"}
"#,
    );
    assert!(errors(&l).is_empty(), "{:?}", errors(&l));
    let net = &l.cluster.pods[0].net;
    assert_eq!(net.node_selector.get("zone"), Some("a"));
    assert_eq!(net.hostname.as_deref(), Some("amf"));
    assert_eq!(net.subdomain.as_deref(), Some("core"));
    assert_eq!(net.dns_policy, DnsPolicy::Default);
    assert_eq!(
        net.address_request,
        Some(AddressRequest::Static(vec![ip("172.20.0.10")]))
    );
    assert!(net.not_ready);
    assert_eq!(net.host_ip, Some(ip("10.10.0.11")));
}

#[test]
fn template_annotations_come_from_the_template_metadata() {
    let l = load(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: smf
  annotations:
    robin.io/networks: '[{"ippool": "ignored-on-the-deployment"}]'
spec:
  selector: {matchLabels: {app: smf}}
  template:
    metadata:
      labels: {app: smf}
      annotations:
        robin.io/networks: '[{"ippool": "pool-5g-core"}]'
    spec:
      containers: [{name: c, image: i}]
"#,
    );
    assert!(errors(&l).is_empty(), "{:?}", errors(&l));
    let net = &l.cluster.pods[0].net;
    assert_eq!(
        net.address_request,
        Some(AddressRequest::FromPools(vec!["pool-5g-core".into()]))
    );
    assert!(!net.not_ready, "template pods are ready");
}

#[test]
fn malformed_address_annotation_is_an_error_at_its_key() {
    let m = one_error(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: smf
spec:
  selector: {matchLabels: {app: smf}}
  template:
    metadata:
      labels: {app: smf}
      annotations:
        cni.projectcalico.org/ipAddrs: '["172.20.0.300"]'
    spec:
      containers: [{name: c, image: i}]
"#,
        "spec.template.metadata.annotations[cni.projectcalico.org/ipAddrs]",
        11,
    );
    assert!(m.contains("172.20.0.300"), "{m}");
    let m = one_error(
        r#"apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    robin.io/networks: '{"ippool": "a"}'
spec:
  containers: [{name: c, image: i}]
"#,
        "metadata.annotations[robin.io/networks]",
        6,
    );
    assert!(m.contains("JSON list"), "{m}");
}

#[test]
fn unsupported_dns_policy_lists_the_supported_values() {
    let m = one_error(
        r#"apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  dnsPolicy: ClusterFirstWithHostNetwork
  containers: [{name: c, image: i}]
"#,
        "spec.dnsPolicy",
        6,
    );
    assert_eq!(
        m,
        r#"unsupported value `ClusterFirstWithHostNetwork`: supported values are "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None""#
    );
}

#[test]
fn statefulset_pods_get_hostname_and_subdomain() {
    let l = load(
        r#"apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db-headless
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata:
      labels: {app: db}
    spec:
      hostname: ignored
      containers: [{name: c, image: i}]
"#,
    );
    assert!(errors(&l).is_empty(), "{:?}", errors(&l));
    let names: Vec<(Option<&str>, Option<&str>)> = l
        .cluster
        .pods
        .iter()
        .map(|p| (p.net.hostname.as_deref(), p.net.subdomain.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            (Some("db-0"), Some("db-headless")),
            (Some("db-1"), Some("db-headless"))
        ]
    );
}

// ---------------------------------------------------------------------------
// Services
// ---------------------------------------------------------------------------

#[test]
fn service_fields_are_read() {
    let l = load(
        r#"apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    metallb.universe.tf/loadBalancerIPs: 10.10.100.5
    metallb.universe.tf/address-pool: telecom-vip
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80}]
  externalTrafficPolicy: Local
  internalTrafficPolicy: Local
  sessionAffinity: ClientIP
  publishNotReadyAddresses: true
  externalIPs: [203.0.113.9]
  loadBalancerSourceRanges: [198.51.100.0/24]
  allocateLoadBalancerNodePorts: false
status:
  loadBalancer:
    ingress: [{ip: 10.10.100.5}]
---
apiVersion: v1
kind: Service
metadata:
  name: ext
spec:
  type: ExternalName
  externalName: db.example.com.
"#,
    );
    assert!(errors(&l).is_empty(), "{:?}", errors(&l));
    let s = &l.cluster.services[0];
    assert_eq!(s.external_traffic_policy, TrafficPolicy::Local);
    assert_eq!(s.internal_traffic_policy, TrafficPolicy::Local);
    assert_eq!(s.session_affinity, Some(10_800));
    assert!(s.publish_not_ready);
    assert_eq!(s.external_ips, vec![ip("203.0.113.9")]);
    let lb = &s.load_balancer;
    assert_eq!(lb.requested_ips, vec![ip("10.10.100.5")]);
    assert_eq!(lb.address_pool.as_deref(), Some("telecom-vip"));
    assert_eq!(lb.source_ranges.len(), 1);
    assert_eq!(lb.status_ips, vec![ip("10.10.100.5")]);
    assert!(lb.no_node_ports);
    let ext = &l.cluster.services[1];
    assert_eq!(ext.external_name.as_deref(), Some("db.example.com"));
}

#[test]
fn service_errors_have_paths_and_lines() {
    let m = one_error(
        r#"apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80}]
  externalTrafficPolicy: Local
"#,
        "spec.externalTrafficPolicy",
        8,
    );
    assert!(m.contains("externally-accessible"), "{m}");
    one_error(
        r#"apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  ports: [{port: 80}]
  internalTrafficPolicy: Node
"#,
        "spec.internalTrafficPolicy",
        8,
    );
    one_error(
        r#"apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports: [{port: 80}]
  sessionAffinity: ClientIP
  sessionAffinityConfig:
    clientIP:
      timeoutSeconds: 86401
"#,
        "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
        10,
    );
    one_error(
        r#"apiVersion: v1
kind: Service
metadata:
  name: ext
spec:
  type: ExternalName
  externalName: Not_A_Name
"#,
        "spec.externalName",
        7,
    );
    one_error(
        r#"apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    service.beta.kubernetes.io/load-balancer-source-ranges: "10.0.0.0/8,10.0.0.0/40"
spec:
  type: LoadBalancer
  ports: [{port: 80}]
"#,
        "metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]",
        6,
    );
}

// ---------------------------------------------------------------------------
// Nodes
// ---------------------------------------------------------------------------

#[test]
fn nodes_are_sorted_by_name() {
    let l = load(
        r#"apiVersion: v1
kind: Node
metadata: {name: worker-2}
spec: {podCIDR: 10.244.2.0/24}
status:
  addresses: [{type: InternalIP, address: 10.10.0.12}]
  capacity: {pods: "110"}
---
apiVersion: v1
kind: Node
metadata: {name: worker-1, labels: {topology.kubernetes.io/zone: a}}
spec: {podCIDRs: [10.244.1.0/24], providerID: "aws:///a/i-1", unschedulable: true}
"#,
    );
    assert!(errors(&l).is_empty(), "{:?}", errors(&l));
    let names: Vec<&str> = l
        .cluster
        .nodes
        .iter()
        .map(|n| n.meta.name.as_str())
        .collect();
    assert_eq!(names, ["worker-1", "worker-2"]);
    let w2 = &l.cluster.nodes[1];
    assert_eq!(w2.internal_ips, vec![ip("10.10.0.12")]);
    assert_eq!(w2.max_pods, Some(110));
    assert_eq!(w2.pod_cidrs[0].to_string(), "10.244.2.0/24");
    assert!(l.cluster.nodes[0].unschedulable);
    assert_eq!(l.cluster.nodes[0].meta.namespace, None);
}

#[test]
fn node_pod_cidr_mismatch_is_an_error() {
    let m = one_error(
        r#"apiVersion: v1
kind: Node
metadata: {name: worker-1}
spec:
  podCIDR: 10.244.1.0/24
  podCIDRs:
  - 10.244.2.0/24
"#,
        "spec.podCIDRs[0]",
        7,
    );
    assert!(m.contains("podCIDR"), "{m}");
}

// ---------------------------------------------------------------------------
// Endpoints and EndpointSlices
// ---------------------------------------------------------------------------

#[test]
fn endpoints_and_slices_in_input_order() {
    let l = load(
        r#"apiVersion: v1
kind: Endpoints
metadata: {name: legacy, namespace: data}
subsets:
- addresses: [{ip: 10.1.0.5, nodeName: worker-1, targetRef: {kind: Pod, name: legacy-0}}]
  ports: [{port: 5432}]
- notReadyAddresses: [{ip: 10.1.0.6}]
  ports: [{port: 5433}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: web-x1
  namespace: shop
  labels: {kubernetes.io/service-name: web}
addressType: IPv4
endpoints:
- addresses: [10.244.1.7]
  conditions: {ready: false}
ports: [{name: http, port: 8080, protocol: TCP}]
"#,
    );
    assert!(errors(&l).is_empty(), "{:?}", errors(&l));
    let e = &l.cluster.endpoints;
    assert_eq!(e.len(), 3);
    assert_eq!(e[0].service, "legacy");
    assert_eq!(e[0].addresses[0].pod.as_deref(), Some("legacy-0"));
    assert_eq!(e[0].ports[0].port, 5432);
    assert!(!e[1].addresses[0].ready);
    assert_eq!(e[1].ports[0].port, 5433);
    assert_eq!(e[2].service, "web");
    assert_eq!(e[2].meta.kind, "EndpointSlice");
    assert!(!e[2].addresses[0].ready);
}

#[test]
fn endpoint_errors_and_unmodelled_slices() {
    one_error(
        r#"apiVersion: v1
kind: Endpoints
metadata: {name: legacy}
subsets:
- addresses:
  - ip: 127.0.0.1
"#,
        "subsets[0].addresses[0].ip",
        6,
    );
    one_error(
        r#"apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-x1, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
endpoints:
- addresses:
  - fd00::1
"#,
        "endpoints[0].addresses[0]",
        7,
    );
    let l = load(
        r#"apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-x1}
addressType: IPv4
"#,
    );
    assert!(errors(&l).is_empty());
    assert!(l.cluster.endpoints.is_empty());
    assert!(
        warnings(&l)
            .iter()
            .any(|w| w.contains("kubernetes.io/service-name")),
        "{:?}",
        warnings(&l)
    );
}

// ---------------------------------------------------------------------------
// Pools
// ---------------------------------------------------------------------------

#[test]
fn telecom_robin_pools_load_without_warnings() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/telecom/ippools.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let l = load(&text);
    assert!(l.diagnostics.is_empty(), "{:?}", warnings(&l));
    let names: Vec<&str> = l
        .cluster
        .pools
        .iter()
        .map(|p| p.meta.name.as_str())
        .collect();
    assert_eq!(names, ["pool-5g-core", "pool-iot", "pool-edge"]);
    let core = &l.cluster.pools[0];
    assert_eq!(core.flavor, PoolFlavor::Robin);
    assert_eq!(core.vlan, Some(100));
    assert_eq!(core.gateway, Some(ip("172.20.0.1")));
    assert_eq!(core.ranges, vec![(ip("172.20.0.10"), ip("172.20.0.250"))]);
    assert_eq!(core.routes.len(), 1);
}

#[test]
fn robin_address_outside_the_subnet_is_an_error_with_its_line() {
    let m = one_error(
        r#"apiVersion: robin.io/v1
kind: IPPool
metadata:
  name: pool-a
spec:
  subnet: 172.20.0.0/16
  gateway: 172.20.0.1
  ranges:
  - start: 172.20.0.10
    end: 172.21.0.250
"#,
        "spec.ranges[0].end",
        10,
    );
    assert_eq!(m, "`172.21.0.250` is outside the subnet `172.20.0.0/16`");
}

#[test]
fn calico_pools_in_both_versions() {
    let l = load(
        r#"apiVersion: crd.projectcalico.org/v1
kind: IPPool
metadata: {name: default-ipv4-ippool}
spec: {cidr: 192.168.0.0/16, ipipMode: Always, natOutgoing: true, nodeSelector: all()}
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: edge}
spec: {cidr: 10.50.0.0/24, blockSize: 28, disabled: true, nodeSelector: "zone == 'edge'"}
---
apiVersion: whereabouts.cni.cncf.io/v1alpha1
kind: IPPool
metadata: {name: other-product}
spec: {range: 10.0.0.0/8}
"#,
    );
    assert!(errors(&l).is_empty(), "{:?}", errors(&l));
    let p = &l.cluster.pools;
    assert_eq!(p.len(), 2);
    assert_eq!(p[0].flavor, PoolFlavor::Calico);
    assert_eq!(p[0].block_size, Some(26));
    assert!(p[0].nat_outgoing);
    assert_eq!(p[1].block_size, Some(28));
    assert!(p[1].disabled);
    assert_eq!(p[1].node_selector.get("zone"), Some("edge"));
    assert!(
        warnings(&l)
            .iter()
            .any(|w| w.contains("ignored 1 `IPPool` object (whereabouts.cni.cncf.io/v1alpha1)")),
        "{:?}",
        warnings(&l)
    );
    one_error(
        r#"apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: p}
spec:
  cidr: 10.50.0.0/16
  blockSize: 33
"#,
        "spec.blockSize",
        6,
    );
    one_error(
        r#"apiVersion: projectcalico.org/v2
kind: IPPool
metadata: {name: p}
spec: {cidr: 10.50.0.0/16}
"#,
        "apiVersion",
        1,
    );
}

#[test]
fn metallb_pools_go_into_the_profile() {
    let pool = r#"apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: public, namespace: metallb-system}
spec:
  addresses: [192.168.10.0/28, 192.168.10.100-192.168.10.110]
  autoAssign: false
"#;
    let l = load(pool);
    assert!(errors(&l).is_empty(), "{:?}", errors(&l));
    let p = l.cluster.profile.as_ref().unwrap();
    assert!(p.meta.is_none(), "no ClusterProfile: only metallb is set");
    assert_eq!(p.preset, None);
    let pools = p.metallb.as_ref().unwrap();
    assert_eq!(pools.len(), 1);
    assert!(!pools[0].auto_assign);
    assert_eq!(
        pools[0].ranges[1],
        (ip("192.168.10.100"), ip("192.168.10.110"))
    );
    assert_eq!(
        pools[0].meta.as_ref().unwrap().namespace.as_deref(),
        Some("metallb-system")
    );

    let with_profile = format!(
        "{pool}---\napiVersion: podnet.dev/v1alpha1\nkind: ClusterProfile\nmetadata: {{name: lab}}\nspec:\n  metallb:\n    pools: [{{name: vip, addresses: [10.10.100.0/28]}}]\n"
    );
    let l = load(&with_profile);
    assert!(errors(&l).is_empty(), "{:?}", errors(&l));
    let p = l.cluster.profile.as_ref().unwrap();
    assert_eq!(p.meta.as_ref().unwrap().name, "lab");
    let names: Vec<&str> = p
        .metallb
        .as_ref()
        .unwrap()
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["vip", "public"], "the profile's pools first");

    one_error(
        r#"apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: public}
spec:
  addresses:
  - 192.168.10.9-192.168.10.1
"#,
        "spec.addresses[0]",
        6,
    );
}

// ---------------------------------------------------------------------------
// ClusterProfile
// ---------------------------------------------------------------------------

const PROFILE: &str = r#"apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata:
  name: rke2-canal-ccm
spec:
  preset: rke2-canal
  clusterCIDRs: [10.42.0.0/16]
  nodeMaskSizeIPv4: 24
  serviceCIDRs: [10.43.0.0/16]
  clusterDomain: cluster.local
  cni: canal
  kubeProxy: nftables
  nonMasqueradeCIDRs: [10.0.0.0/8]
  ingressNamespace: kube-system
  nodes:
  - name: ip-10-0-1-10
    internalIP: 10.0.1.10
    zone: ap-northeast-2a
    instanceType: m5.large
    providerID: aws:///ap-northeast-2a/i-0123456789abcdef0
    maxPods: 110
    labels: {role: worker}
    podCIDRs: [10.42.7.0/24]
  cloud:
    provider: aws
    aws:
      vpcCIDR: 10.0.0.0/16
      subnets: [{name: subnet-a, cidr: 10.0.0.0/19, zone: ap-northeast-2a}]
      routeController: true
      targetType: ip
  metallb:
    pools: [{name: default, addresses: [192.168.10.0/28]}]
"#;

#[test]
fn cluster_profile_lowers_every_field() {
    let l = load(PROFILE);
    assert!(l.diagnostics.is_empty(), "{:?}", warnings(&l));
    let p = l.cluster.profile.as_ref().unwrap();
    assert_eq!(p.meta.as_ref().unwrap().name, "rke2-canal-ccm");
    assert_eq!(p.preset, Some(Preset::Rke2Canal));
    assert_eq!(p.cni, Some(CniMode::Canal));
    assert_eq!(p.node_mask_v4, Some(24));
    assert_eq!(p.cluster_domain.as_deref(), Some("cluster.local"));
    assert_eq!(p.ingress_namespace.as_deref(), Some("kube-system"));
    let nodes = p.nodes.as_ref().unwrap();
    assert_eq!(nodes[0].internal_ips, vec![ip("10.0.1.10")]);
    assert_eq!(nodes[0].max_pods, Some(110));
    assert_eq!(nodes[0].labels.get("role"), Some("worker"));
    let Some(Cloud::Aws(aws)) = &p.cloud else {
        panic!("aws cloud expected: {:?}", p.cloud)
    };
    assert_eq!(aws.route_table_limit, 50);
    assert!(aws.ccm && aws.route_controller && aws.cluster_tagged);
    assert_eq!(aws.lb_controller, LbController::Ccm);
    assert_eq!(aws.subnets[0].zone.as_deref(), Some("ap-northeast-2a"));
    assert_eq!(p.metallb.as_ref().unwrap()[0].meta, None);
}

#[test]
fn node_count_generates_nodes() {
    let l = load(
        "apiVersion: podnet.dev/v1alpha1\nkind: ClusterProfile\nmetadata: {name: big}\nspec:\n  nodeCount: 300\n  clusterCIDRs: [10.0.0.0/8]\n  serviceCIDRs: [172.16.0.0/16]\n",
    );
    assert!(errors(&l).is_empty(), "{:?}", errors(&l));
    let nodes = l.cluster.profile.unwrap().nodes.unwrap();
    assert_eq!(nodes.len(), 300);
    assert_eq!(nodes[0].name, "node-1");
    assert_eq!(nodes[0].internal_ips, vec![ip("192.168.0.11")]);
    assert_eq!(nodes[299].name, "node-300");
    assert_eq!(nodes[299].internal_ips, vec![ip("192.168.1.54")]);
}

// KEP-5495: kube-proxy's ipvs mode is deprecated in Kubernetes 1.35; a
// profile that picks it still loads (and is modelled), with a warning at
// the field.
#[test]
fn ipvs_is_read_with_a_deprecation_note() {
    let l = load(&profile_with(12, "  kubeProxy: ipvs"));
    assert!(errors(&l).is_empty(), "{:?}", errors(&l));
    assert_eq!(
        l.cluster.profile.as_ref().unwrap().proxy,
        Some(podnet_model::ProxyMode::Ipvs)
    );
    let w = warnings(&l);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("spec.kubeProxy") && w[0].contains("deprecated"),
        "{w:?}"
    );
    assert!(w[0].contains("test.yaml:12"), "{w:?}");
    // Every other mode, nftables included, loads without a note.
    for mode in ["iptables", "nftables", "ebpf"] {
        let l = load(&profile_with(12, &format!("  kubeProxy: {mode}")));
        assert!(l.diagnostics.is_empty(), "{mode}: {:?}", warnings(&l));
    }
}

// ---------------------------------------------------------------------------
// The Service API as of Kubernetes 1.35
// ---------------------------------------------------------------------------

const SERVICE_135: &str = r#"apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  trafficDistribution: PreferSameNode
  ports: [{port: 80}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: web-1
  namespace: shop
  labels: {kubernetes.io/service-name: web}
addressType: IPv4
endpoints:
- addresses: [10.244.1.5]
  nodeName: node-1
  zone: zone-a
  hints:
    forZones: [{name: zone-a}]
    forNodes: [{name: node-1}]
ports: [{port: 80, protocol: TCP}]
---
apiVersion: networking.k8s.io/v1
kind: ServiceCIDR
metadata: {name: extra}
spec:
  cidrs: [10.200.0.0/24, "fd00:200::/112"]
"#;

// API reference: ServiceSpec.trafficDistribution, EndpointSlice
// endpoints[].zone / hints.forZones / hints.forNodes, ServiceCIDRSpec.cidrs.
#[test]
fn service_api_135_fields_are_read() {
    let l = load(SERVICE_135);
    assert!(l.diagnostics.is_empty(), "{:?}", warnings(&l));
    let svc = &l.cluster.services[0];
    assert_eq!(
        svc.traffic_distribution,
        Some(podnet_model::TrafficDistribution::PreferSameNode)
    );
    let a = &l.cluster.endpoints[0].addresses[0];
    assert_eq!(a.zone.as_deref(), Some("zone-a"));
    assert_eq!(a.hints.for_zones, ["zone-a"]);
    assert_eq!(a.hints.for_nodes, ["node-1"]);
    let cidrs = &l.cluster.service_cidrs[0];
    assert_eq!(cidrs.meta.name, "extra");
    assert_eq!(cidrs.cidrs.len(), 2);
}

/// `SERVICE_135` with `old` replaced by `new`.
fn service_135_with(old: &str, new: &str) -> String {
    assert!(SERVICE_135.contains(old), "{old}");
    SERVICE_135.replace(old, new)
}

// Bad values: one error at the field's path and line, the object skipped,
// the rest read (ValidateService, ValidateEndpointSlice,
// ValidateServiceCIDR).
#[test]
fn service_api_135_bad_values() {
    for (old, new, path, line) in [
        (
            "trafficDistribution: PreferSameNode",
            "trafficDistribution: PreferNearby",
            "spec.trafficDistribution",
            6,
        ),
        ("zone: zone-a", "zone: zone a!", "endpoints[0].zone", 19),
        (
            "forNodes: [{name: node-1}]",
            "forNodes: [{name: node-1}, {name: node-1}]",
            "endpoints[0].hints.forNodes[1].name",
            22,
        ),
        (
            r#"cidrs: [10.200.0.0/24, "fd00:200::/112"]"#,
            "cidrs: [10.200.0.0/24, 10.201.0.0/24]",
            "spec.cidrs[1]",
            29,
        ),
        (
            r#"cidrs: [10.200.0.0/24, "fd00:200::/112"]"#,
            "cidrs: [10.200.0.1/24]",
            "spec.cidrs[0]",
            29,
        ),
    ] {
        let (l, _) = only_error(&service_135_with(old, new), path, line);
        let read =
            l.cluster.services.len() + l.cluster.endpoints.len() + l.cluster.service_cidrs.len();
        assert_eq!(read, 2, "{path}: the other two objects are read");
    }
    // PreferClose: read as the deprecated alias, with a warning.
    let l = load(&service_135_with(
        "trafficDistribution: PreferSameNode",
        "trafficDistribution: PreferClose",
    ));
    assert!(errors(&l).is_empty());
    let w = warnings(&l);
    assert!(w.len() == 1 && w[0].contains("PreferSameZone"), "{w:?}");
    // ipMode without ip (ValidateLoadBalancerStatus).
    only_error(
        "apiVersion: v1\nkind: Service\nmetadata: {name: lb}\nspec:\n  type: LoadBalancer\n  ports: [{port: 80}]\nstatus:\n  loadBalancer:\n    ingress:\n    - hostname: lb.example.com\n      ipMode: Proxy\n",
        "status.loadBalancer.ingress[0].ipMode",
        11,
    );
}

/// The profile with `line` (1-based) replaced.
fn profile_with(line: usize, text: &str) -> String {
    PROFILE
        .lines()
        .enumerate()
        .map(|(i, l)| if i + 1 == line { text } else { l })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn profile_field_errors_have_paths_and_lines() {
    // A typo is an unknown field (deny_unknown_fields).
    let m = one_error(
        &profile_with(8, "  nodeMaskSizeIpv4: 24"),
        "spec.nodeMaskSizeIpv4",
        8,
    );
    assert!(m.contains("unknown field `nodeMaskSizeIpv4`"), "{m}");
    let m = one_error(&profile_with(6, "  preset: rke3"), "spec.preset", 6);
    assert!(m.contains(r#""rke2-canal""#), "{m}");
    let m = one_error(&profile_with(11, "  cni: weave"), "spec.cni", 11);
    assert!(m.contains(r#""flannel-vxlan""#), "{m}");
    one_error(
        &profile_with(12, "  kubeProxy: userspace"),
        "spec.kubeProxy",
        12,
    );
    let m = one_error(
        &profile_with(7, "  clusterCIDRs: [10.42.0.1/16]"),
        "spec.clusterCIDRs[0]",
        7,
    );
    assert!(m.contains("host bits"), "{m}");
    one_error(
        &profile_with(7, "  clusterCIDRs: [10.42.0.0/16, 10.52.0.0/16]"),
        "spec.clusterCIDRs[1]",
        7,
    );
    one_error(
        &profile_with(8, "  nodeMaskSizeIPv4: 7"),
        "spec.nodeMaskSizeIPv4",
        8,
    );
    one_error(
        &profile_with(28, "      subnets: [{name: subnet-a, cidr: 10.1.0.0/19}]"),
        "spec.cloud.aws.subnets[0].cidr",
        28,
    );
    one_error(
        &profile_with(12, "  kubeProxy: ipvs\n  nodeCount: 3"),
        "spec.nodeCount",
        13,
    );
}

#[test]
fn profile_cross_field_errors() {
    let m = one_error(
        &profile_with(9, "  serviceCIDRs: [10.42.128.0/17]"),
        "spec.clusterCIDRs[0]",
        7,
    );
    assert_eq!(
        m,
        "cluster CIDR `10.42.0.0/16` overlaps service CIDR `10.42.128.0/17`"
    );
    let m = one_error(
        &profile_with(8, "  nodeMaskSizeIPv4: 16"),
        "spec.nodeMaskSizeIPv4",
        8,
    );
    assert!(m.contains("must be longer"), "{m}");
    let m = one_error(
        "apiVersion: podnet.dev/v1alpha1\nkind: ClusterProfile\nmetadata: {name: small}\nspec:\n  clusterCIDRs: [10.244.0.0/22]\n  nodeCount: 5\n",
        "spec.nodeCount",
        6,
    );
    assert_eq!(
        m,
        "5 nodes do not fit: cluster CIDR `10.244.0.0/22` yields 4 node blocks at node mask /24"
    );
}

#[test]
fn a_second_profile_is_an_error_at_the_second() {
    let text = format!(
        "{PROFILE}---\n{}",
        PROFILE.replace("rke2-canal-ccm", "other")
    );
    let l = load(&text);
    let e = errors(&l);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].1, Some(34), "{e:?}");
    assert!(
        e[0].2.starts_with("only one ClusterProfile per input"),
        "{e:?}"
    );
    assert_eq!(l.stats.skipped, 1);
    let p = l.cluster.profile.unwrap();
    assert_eq!(p.meta.unwrap().name, "rke2-canal-ccm", "the first is kept");
}
