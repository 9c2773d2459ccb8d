//! Placement check (PN6xxx; docs/audit.md "Placement", docs/dataplane.md
//! "Scheduling"): triggered by declared nodes that cannot hold a pod, quiet
//! when they can and on the nodes podnet assumes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::with_code;
use podnet_audit::Severity;

/// Two declared nodes, both tainted for a database team.
const NODES: &str = r#"
apiVersion: v1
kind: Node
metadata: {name: db-1, labels: {kubernetes.io/os: linux}}
spec: {taints: [{key: dedicated, value: db, effect: NoSchedule}]}
---
apiVersion: v1
kind: Node
metadata: {name: db-2, labels: {kubernetes.io/os: linux}}
spec: {taints: [{key: dedicated, value: db, effect: NoSchedule}]}
"#;

fn deployment(tolerations: &str) -> String {
    format!(
        r#"
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: shop}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      tolerations: [{tolerations}]
      containers: [{{name: web, image: nginx}}]
"#
    )
}

// ---- PN6001 pod-cannot-be-placed -----------------------------------------

#[test]
fn pn6001_pods_no_declared_node_takes() {
    let f = with_code(&format!("{NODES}{}", deployment("")), "PN6001");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Error);
    assert_eq!(f[0].subject.display(), "Deployment shop/web");
    let source = f[0].subject.source.as_ref().expect("where it is declared");
    assert_eq!((&*source.file, source.line), ("t.yaml", Some(13)));
    assert_eq!(
        f[0].message,
        "2 of the 2 pods of Deployment shop/web fit no node and stay Pending without an address (0/2 nodes are available: 2 node(s) had untolerated taint {dedicated: db})"
    );
    assert!(
        f[0].help
            .contains("tolerate the taint `dedicated=db:NoSchedule`"),
        "{}",
        f[0].help
    );
}

#[test]
fn pn6001_quiet_when_the_pods_tolerate_the_taint() {
    let yaml = format!(
        "{NODES}{}",
        deployment("{key: dedicated, value: db, effect: NoSchedule}")
    );
    assert!(with_code(&yaml, "PN6001").is_empty());
}

#[test]
fn pn6001_daemon_set_matching_no_node() {
    let yaml = format!(
        r#"{NODES}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {{name: exporter, namespace: monitoring}}
spec:
  selector: {{matchLabels: {{app: exporter}}}}
  template:
    metadata: {{labels: {{app: exporter}}}}
    spec:
      nodeSelector: {{kubernetes.io/os: windows}}
      tolerations: [{{operator: Exists}}]
      containers: [{{name: e, image: exporter}}]
"#
    );
    let f = with_code(&yaml, "PN6001");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message.starts_with(
            "DaemonSet monitoring/exporter fits no node and runs no pod (0/2 nodes are available"
        ),
        "{}",
        f[0].message
    );
    assert!(
        f[0].help.contains("nodeSelector kubernetes.io/os=windows"),
        "{}",
        f[0].help
    );
}

#[test]
fn pn6001_quiet_on_assumed_nodes() {
    // No node declared: podnet assumes nodes that hold every pod, labelled
    // as the pods require.
    let yaml = deployment("").replace(
        "      containers",
        "      nodeSelector: {kubernetes.io/os: linux, node-role.kubernetes.io/infra: ''}\n      containers",
    );
    assert!(with_code(&yaml, "PN6001").is_empty());
}
