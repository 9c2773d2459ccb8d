//! Load-balancer diagnosis (PN5xxx, issue 5 item 5; docs/dataplane.md "Load
//! balancers"): each rule triggered and quiet on a correct setup, and the
//! `rke2-aws` example under its profiles giving the two AWS failure paths
//! 002's root-cause analysis.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::with_code;
use podnet_audit::{Context, Filter, Severity, audit};
use podnet_dataplane::Dataplane;
use podnet_engine::Engine;
use podnet_manifest::{Input, LoadOptions};
use podnet_report::audit::{Worded as Finding, worded};

/// The audit's PN5xxx findings of `examples/rke2-aws/workloads.yaml` under
/// `--profile examples/rke2-aws/profiles/<profile>.yaml`.
fn rke2_aws(profile: &str) -> Vec<Finding> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/rke2-aws");
    let loaded = podnet_manifest::load(
        &[Input::parse(&format!("{root}/workloads.yaml"))],
        LoadOptions::default(),
    );
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
    let from_file = podnet_manifest::load(
        &[Input::parse(&format!("{root}/profiles/{profile}.yaml"))],
        LoadOptions {
            strict: true,
            ..LoadOptions::default()
        },
    );
    assert!(!from_file.has_errors(), "{:#?}", from_file.diagnostics);
    let spec = from_file.cluster.profile.expect("a ClusterProfile");
    let dp = Dataplane::build(&loaded.cluster, Some(&spec));
    let engine = Engine::new(&dp.cluster);
    worded(&audit(&Context::new(&dp, &engine), &Filter::default()))
        .into_iter()
        .filter(|f| f.code.starts_with("PN5"))
        .collect()
}

fn codes(findings: &[Finding]) -> Vec<(&'static str, Severity)> {
    findings.iter().map(|f| (f.code, f.severity)).collect()
}

const DEPLOYMENT: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx
        ports: [{name: http, containerPort: 8080}]
"#;

fn lb_service(extra_spec: &str, annotations: &str) -> String {
    format!(
        r#"
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
  annotations: {{{annotations}}}
spec:
  type: LoadBalancer
  selector: {{app: web}}
  ports: [{{port: 80, targetPort: http}}]
{extra_spec}
"#
    )
}

const METALLB: &str = r#"
apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {name: metal}
spec:
  preset: kubeadm-flannel
  metallb:
    pools: [{name: default, addresses: [192.168.10.0/28]}]
---
"#;

// ---- the AWS failure paths on the example -------------------------------------------

#[test]
fn rke2_canal_ccm_yields_both_aws_failure_paths() {
    // Path A of the problem chain: instance mode without providerID
    // (cluster tag), and path B, IP mode on the Canal overlay with the
    // route controller off.
    let f = rke2_aws("rke2-canal-ccm");
    assert_eq!(
        codes(&f),
        [("PN5002", Severity::Error), ("PN5003", Severity::Warning)],
        "{f:#?}"
    );
    let a = &f[0];
    assert_eq!(a.subject.display(), "Service eco/api");
    assert!(a.message.contains("instance targets"), "{}", a.message);
    assert!(a.message.contains("3 of 3 nodes"), "{}", a.message);
    assert!(a.message.contains("spec.providerID"), "{}", a.message);
    assert!(a.message.contains("cluster tag"), "{}", a.message);
    assert!(a.message.contains(" -> "), "{}", a.message);
    assert!(a.help.contains("kubernetes.io/cluster/"), "{}", a.help);
    let b = &f[1];
    assert!(b.message.contains("IP targets"), "{}", b.message);
    assert!(
        b.message.contains("canal is not VPC-native"),
        "{}",
        b.message
    );
    assert!(
        b.message.contains("outside the VPC 10.0.0.0/16"),
        "{}",
        b.message
    );
    assert!(
        b.message.contains("route controller is off"),
        "{}",
        b.message
    );
    assert!(b.help.contains("VPC-native CNI"), "{}", b.help);
}

#[test]
fn rke2_canal_albc_ip_fails_on_the_overlay_only() {
    // The second block: the AWS Load Balancer Controller in IP
    // mode on Canal; the preset's nodes have providerIDs, so instance
    // targets would register.
    let f = rke2_aws("rke2-canal-albc-ip");
    assert_eq!(codes(&f), [("PN5003", Severity::Error)], "{f:#?}");
    assert!(
        f[0].message
            .contains("aws-load-balancer-controller registers IP targets")
    );
    assert!(f[0].message.contains("route controller is off"));
    assert!(f[0].help.contains("instance targets would register"));
}

#[test]
fn rke2_cilium_eni_has_no_load_balancer_finding() {
    // The fix: Cilium ENI gives pods VPC addresses; healthy.
    let f = rke2_aws("rke2-cilium-eni");
    assert!(f.is_empty(), "{f:#?}");
}

// ---- PN5001 load-balancer-pending --------------------------------------

#[test]
fn pn5001_pending_without_controller() {
    // docs/dataplane.md "Load balancers": no controller, <pending>.
    let yaml = format!("{DEPLOYMENT}{}", lb_service("", ""));
    let f = with_code(&yaml, "PN5001");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(f[0].message.contains("<pending>"), "{}", f[0].message);
    assert!(f[0].help.contains("MetalLB"), "{}", f[0].help);
}

#[test]
fn pn5001_pending_when_metallb_pool_is_exhausted() {
    let yaml = format!(
        "{METALLB}{DEPLOYMENT}{}",
        lb_service("  loadBalancerIP: 192.168.20.1", "")
    );
    let f = with_code(&yaml, "PN5001");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(f[0].message.contains("192.168.20.1"), "{}", f[0].message);
}

#[test]
fn pn5001_quiet_with_metallb() {
    let yaml = format!("{METALLB}{DEPLOYMENT}{}", lb_service("", ""));
    assert!(with_code(&yaml, "PN5001").is_empty());
}

// ---- PN5002 instance targets without providerID --------------------------

const CANAL_CCM_TAGGED_NO_PROVIDER_ID: &str = r#"
apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {name: ccm}
spec:
  preset: rke2-canal
  nodes:
  - {name: ip-10-0-1-10, internalIP: 10.0.1.10, providerID: "aws:///ap-northeast-2a/i-01"}
  - {name: ip-10-0-1-11, internalIP: 10.0.1.11}
---
"#;

#[test]
fn pn5002_some_nodes_without_provider_id_is_a_warning() {
    // A node the CCM did not map is never registered.
    let yaml = format!(
        "{CANAL_CCM_TAGGED_NO_PROVIDER_ID}{DEPLOYMENT}{}",
        lb_service("", "")
    );
    let f = with_code(&yaml, "PN5002");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Warning);
    assert!(
        f[0].message.contains("1 of 2 nodes (ip-10-0-1-11)"),
        "{}",
        f[0].message
    );
    // Instance mode still works on the other node: no alternative weighed.
    assert!(with_code(&yaml, "PN5003").is_empty());
}

#[test]
fn pn5002_quiet_when_every_node_has_provider_id() {
    // The rke2-canal preset's nodes carry providerIDs.
    let yaml = format!(
        "apiVersion: podnet.dev/v1alpha1\nkind: ClusterProfile\nmetadata: {{name: p}}\nspec: {{preset: rke2-canal}}\n---\n{DEPLOYMENT}{}",
        lb_service("", "")
    );
    assert!(with_code(&yaml, "PN5002").is_empty());
    assert!(with_code(&yaml, "PN5003").is_empty());
}

// ---- PN5003 IP targets unreachable ---------------------------------------

fn routed_profile(node_count: u32) -> String {
    format!(
        r#"
apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {{name: kubenet}}
spec:
  preset: rke2-canal
  cni: bridge
  clusterCIDRs: [10.0.128.0/17]
  nodeCount: {node_count}
  cloud:
    provider: aws
    aws:
      vpcCIDR: 10.0.0.0/16
      routeController: true
      loadBalancerController: aws-lbc
      targetType: ip
---
"#
    )
}

#[test]
fn pn5003_route_table_limit() {
    // AWS route tables hold 50 routes; 51 nodes need 51.
    let yaml = format!("{}{DEPLOYMENT}{}", routed_profile(51), lb_service("", ""));
    let f = with_code(&yaml, "PN5003");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Error);
    assert!(
        f[0].message
            .contains("51, more than the route table's limit of 50"),
        "{}",
        f[0].message
    );
}

#[test]
fn pn5003_quiet_when_the_route_controller_routes_the_blocks() {
    let yaml = format!("{}{DEPLOYMENT}{}", routed_profile(3), lb_service("", ""));
    assert!(with_code(&yaml, "PN5003").is_empty());
}

// ---- PN5004 externalTrafficPolicy Local ----------------------------------

#[test]
fn pn5004_local_policy_with_nodes_without_endpoint() {
    // docs/dataplane.md: Local fails the health check on nodes without a
    // ready endpoint; MetalLB announces only from those with one.
    let yaml = format!(
        "{METALLB}{DEPLOYMENT}{}",
        lb_service("  externalTrafficPolicy: Local", "")
    );
    let f = with_code(&yaml, "PN5004");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message.contains("MetalLB announces"),
        "{}",
        f[0].message
    );
}

#[test]
fn pn5004_quiet_with_an_endpoint_on_every_node() {
    let daemonset = DEPLOYMENT
        .replace("kind: Deployment", "kind: DaemonSet")
        .replace("  replicas: 1\n", "");
    let yaml = format!(
        "{METALLB}{daemonset}{}",
        lb_service("  externalTrafficPolicy: Local", "")
    );
    assert!(with_code(&yaml, "PN5004").is_empty());
}

// ---- PN5005 no ready endpoint ---------------------------------------------

#[test]
fn pn5005_no_pod_matches() {
    let yaml = format!(
        "{METALLB}{}{}",
        DEPLOYMENT.replace("app: web}}", "app: webb}}"),
        lb_service("", "")
    );
    let f = with_code(&yaml, "PN5005");
    assert_eq!(f.len(), 1, "{f:#?}");
}

#[test]
fn pn5005_quiet_with_a_ready_pod() {
    let yaml = format!("{METALLB}{DEPLOYMENT}{}", lb_service("", ""));
    assert!(with_code(&yaml, "PN5005").is_empty());
}

// ---- PN5006 instance targets without NodePorts ------------------------------

#[test]
fn pn5006_instance_targets_without_node_ports() {
    let yaml = format!(
        "apiVersion: podnet.dev/v1alpha1\nkind: ClusterProfile\nmetadata: {{name: p}}\nspec: {{preset: rke2-canal}}\n---\n{DEPLOYMENT}{}",
        lb_service("  allocateLoadBalancerNodePorts: false", "")
    );
    assert_eq!(with_code(&yaml, "PN5006").len(), 1);
}

#[test]
fn pn5006_quiet_with_node_ports() {
    let yaml = format!(
        "apiVersion: podnet.dev/v1alpha1\nkind: ClusterProfile\nmetadata: {{name: p}}\nspec: {{preset: rke2-canal}}\n---\n{DEPLOYMENT}{}",
        lb_service("", "")
    );
    assert!(with_code(&yaml, "PN5006").is_empty());
}
