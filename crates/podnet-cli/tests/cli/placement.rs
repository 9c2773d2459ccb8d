//! Placement through the binary (issue 12): declared nodes that cannot hold
//! a pod give warnings and an audit finding, never exit 2, and no workload
//! disappears from any command; assumed nodes are said in one info line
//! that `-q` hides and that `ipam` shows.

use serde_json::Value;

use crate::support::{diagnostics, json, podnet, temp_dir};

/// One node tainted for databases; a Deployment that does not tolerate it,
/// a DaemonSet for Windows nodes, and a policy admitting `10.0.0.0/8` to
/// the Deployment (an answer that depends on addresses).
const NODES: &str = r#"apiVersion: v1
kind: Node
metadata: {name: db-1, labels: {kubernetes.io/os: linux}}
spec: {taints: [{key: dedicated, value: db, effect: NoSchedule}]}
status: {addresses: [{type: InternalIP, address: 10.0.0.11}]}
"#;

const APPS: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx, ports: [{containerPort: 8080}]}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: exporter, namespace: monitoring}
spec:
  selector: {matchLabels: {app: exporter}}
  template:
    metadata: {labels: {app: exporter}}
    spec:
      nodeSelector: {kubernetes.io/os: windows}
      containers: [{name: e, image: exporter, ports: [{containerPort: 9100}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.0/8}}]
    ports: [{port: 8080}]
"#;

const INTENT: &str = r#"apiVersion: podnet.dev/v1alpha1
kind: ConnectivityIntent
metadata: {name: exporter-reaches-web}
spec:
  deny:
    from: [{workload: monitoring/exporter}]
    to: [{workload: shop/web}]
"#;

/// `ns/name` of every workload named in a connlist JSON.
fn workloads(out: &Value) -> Vec<String> {
    let mut names: Vec<String> = out["connections"]
        .as_array()
        .expect("connections")
        .iter()
        .flat_map(|c| [&c["src"]["workload"], &c["dst"]["workload"]])
        .filter(|w| w.is_object())
        .map(|w| {
            format!(
                "{}/{}",
                w["namespace"].as_str().unwrap_or("?"),
                w["name"].as_str().unwrap_or("?")
            )
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

fn severities(run: &crate::support::Run) -> Vec<String> {
    diagnostics(run)
        .iter()
        .map(|d| d["severity"].as_str().unwrap_or("?").to_owned())
        .collect()
}

#[test]
fn unplaceable_pods_are_warnings_and_every_workload_stays() {
    let dir = temp_dir(
        "placement-declared",
        &[("nodes.yaml", NODES), ("apps.yaml", APPS)],
    );
    let dir = dir.display().to_string();
    let run = podnet(&["connlist", &dir, "-o", "json", "--error-format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(workloads(&json(&run)), ["monitoring/exporter", "shop/web"]);
    let diags = diagnostics(&run);
    assert!(
        !severities(&run).iter().any(|s| s == "error"),
        "{}",
        run.stderr
    );
    // One warning per cause, at the workload's file and line.
    let placement: Vec<&Value> = diags
        .iter()
        .filter(|d| {
            d["message"]
                .as_str()
                .is_some_and(|m| m.contains("cannot be placed") || m.contains("fits no node"))
        })
        .collect();
    assert_eq!(placement.len(), 2, "{}", run.stderr);
    assert!(placement.iter().any(|d| {
        d["object"] == "Deployment shop/web"
            && d["line"] == 1
            && d["file"].as_str().is_some_and(|f| f.ends_with("apps.yaml"))
            && d["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("2 pods cannot be placed"))
    }));
    // The ipBlock's verdict depends on addresses the pods do not have.
    assert!(
        diags.iter().any(|d| d["message"]
            .as_str()
            .is_some_and(|m| m.contains("no known address"))),
        "{}",
        run.stderr
    );
}

#[test]
fn audit_reports_unplaceable_workloads_with_file_and_line() {
    let dir = temp_dir(
        "placement-audit",
        &[("nodes.yaml", NODES), ("apps.yaml", APPS)],
    );
    let dir = dir.display().to_string();
    let run = podnet(&["audit", &dir, "--only", "PN6001", "-o", "json", "-q"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let findings = json(&run)["findings"].as_array().expect("findings").clone();
    let lines: Vec<(String, i64)> = findings
        .iter()
        .map(|f| {
            let text = f.to_string();
            let line = f["subject"]["line"].as_i64().unwrap_or(-1);
            assert!(text.contains("apps.yaml"), "{text}");
            (f["message"].as_str().unwrap_or_default().to_owned(), line)
        })
        .collect();
    assert_eq!(lines.len(), 2, "{findings:#?}");
    assert!(
        lines
            .iter()
            .any(|(m, l)| m.starts_with("DaemonSet monitoring/exporter fits no node") && *l == 12),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|(m, l)| m.starts_with("2 of the 2 pods of Deployment shop/web") && *l == 1),
        "{lines:?}"
    );
}

#[test]
fn explain_verify_and_diff_still_see_unplaced_workloads() {
    let dir = temp_dir(
        "placement-commands",
        &[
            ("nodes.yaml", NODES),
            ("apps.yaml", APPS),
            ("intent.yaml", INTENT),
        ],
    );
    let d = dir.display().to_string();
    let explain = podnet(&[
        "explain",
        &d,
        "--from",
        "monitoring/exporter",
        "--to",
        "shop/web",
        "--port",
        "8080",
        "-q",
    ]);
    assert_eq!(explain.code, 0, "{}", explain.stderr);
    assert!(
        explain.stdout.contains("no known IP address"),
        "{}",
        explain.stdout
    );
    let verify = podnet(&["verify", &d, "-q"]);
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
    // Tolerating the taint places the pods: the diff lists the flows the
    // now-addressed pods gain, nothing vanishes.
    let tolerant = temp_dir(
        "placement-commands-new",
        &[
            ("nodes.yaml", NODES),
            (
                "apps.yaml",
                &APPS.replacen(
                    "      containers: [{name: web",
                    "      tolerations: [{operator: Exists}]\n      containers: [{name: web",
                    1,
                ),
            ),
        ],
    );
    let diff = podnet(&[
        "diff",
        &d,
        &tolerant.display().to_string(),
        "-o",
        "json",
        "-q",
    ]);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    let out = json(&diff);
    let changes = out["changes"].as_array().expect("changes");
    assert!(changes.iter().all(|c| c["change"] != "removed"), "{out:#}");
}

#[test]
fn assumed_nodes_are_one_info_line_hidden_by_quiet_and_shown_by_ipam() {
    let dir = temp_dir("placement-assumed", &[("apps.yaml", APPS)]);
    let d = dir.display().to_string();
    let run = podnet(&["connlist", &d, "--error-format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let info: Vec<Value> = diagnostics(&run)
        .into_iter()
        .filter(|x| x["severity"] == "info")
        .collect();
    assert_eq!(info.len(), 1, "{}", run.stderr);
    assert!(
        info[0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("assumed 4 nodes as the inputs declare none"))
    );
    // The Windows DaemonSet gets assumed Windows nodes: nothing is unplaced.
    assert!(
        !run.stderr.contains("cannot be placed") && !run.stderr.contains("fits no node"),
        "{}",
        run.stderr
    );
    let quiet = podnet(&["connlist", &d, "-q"]);
    assert_eq!(quiet.code, 0);
    assert!(quiet.stderr.is_empty(), "{}", quiet.stderr);
    let ipam = json(&podnet(&["ipam", &d, "-o", "json", "-q"]));
    let origins: Vec<&str> = ipam["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["origin"].as_str().unwrap_or("?"))
        .collect();
    assert!(
        !origins.is_empty() && origins.iter().all(|o| *o == "assumed"),
        "{origins:?}"
    );
    let text = podnet(&["ipam", &d, "-q"]);
    assert!(
        text.stdout.contains("assumed: the inputs declare none"),
        "{}",
        text.stdout
    );
}
