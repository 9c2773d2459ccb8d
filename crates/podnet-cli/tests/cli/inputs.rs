//! Reading input as people have it: stdin, Lists, JSON, kustomize/helm
//! streams, filters of connlist, and `generate`.

use crate::support::{json, only_info, pairs, podnet, podnet_with_stdin, temp_dir};

const TWO_PODS: &str = r#"apiVersion: v1
kind: Pod
metadata: {name: a, labels: {app: a}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, labels: {app: b}}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-b}
spec:
  podSelector: {matchLabels: {app: a}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: b}}}]
    ports: [{port: 80}]
"#;

#[test]
fn stdin_is_read_with_a_dash() {
    let run = podnet_with_stdin(&["connlist", "-", "-q"], TWO_PODS);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        pairs(&run).contains(&"default/b[Pod] => default/a[Pod] : TCP 80".to_owned()),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout
            .contains("default/a[Pod] => default/b[Pod] : TCP"),
        "b is not isolated: a reaches it on everything"
    );
}

#[test]
fn helm_template_output_with_source_comments_and_empty_documents() {
    let helm = format!(
        "---\n# Source: chart/templates/empty.yaml\n---\n# Source: chart/templates/pods.yaml\n{TWO_PODS}\n---\n"
    );
    let run = podnet_with_stdin(
        &["connlist", "-", "-o", "json", "--error-format", "short"],
        &helm,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        only_info(&run),
        1,
        "no warning for helm's comment-only documents, only the assumed nodes: {}",
        run.stderr
    );
    assert_eq!(json(&run)["skipped_documents"], 0);
}

#[test]
fn kubectl_get_list_dumps_and_typed_lists() {
    let list = r#"{"apiVersion": "v1", "kind": "List", "items": [
      {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "namespace": "x", "labels": {"app": "a"}},
       "spec": {"containers": [{"name": "c", "image": "i"}]}, "status": {"podIP": "10.1.0.1"}}]}
    {"apiVersion": "v1", "kind": "PodList", "items": [
      {"metadata": {"name": "b", "namespace": "x"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}]}"#;
    let dir = temp_dir("lists", &[("dump.json", list)]);
    let run = podnet(&["connlist", &dir.display().to_string()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        pairs(&run).contains(&"x/a[Pod] => x/b[Pod] : All Connections".to_owned()),
        "{}",
        run.stdout
    );
}

#[test]
fn focus_workload_and_namespace_filters() {
    let run = podnet(&[
        "connlist",
        "examples/ecoeco-domains",
        "--focus-workload",
        "data/postgresql",
        "-q",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines = pairs(&run);
    assert!(!lines.is_empty());
    assert!(
        lines
            .iter()
            .all(|l| l.contains("data/postgresql[StatefulSet]")),
        "{lines:?}"
    );

    let run = podnet(&[
        "connlist",
        "examples/ecoeco-domains",
        "--namespace",
        "chat",
        "-q",
    ]);
    let lines = pairs(&run);
    assert!(!lines.is_empty());
    assert!(lines.iter().all(|l| l.contains("chat/")), "{lines:?}");

    let run = podnet(&[
        "connlist",
        "examples/ecoeco-domains",
        "--namespace",
        "nope",
        "-q",
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no namespace `nope`"));
    let run = podnet(&[
        "connlist",
        "examples/ecoeco-domains",
        "--focus-workload",
        "data/nope",
        "-q",
    ]);
    assert_eq!(run.code, 2);
}

#[test]
fn generate_writes_a_valid_cluster_deterministically() {
    let a = temp_dir("gen-a", &[]);
    let b = temp_dir("gen-b", &[]);
    for dir in [&a, &b] {
        let run = podnet(&[
            "generate",
            "--out",
            &dir.display().to_string(),
            "--pods",
            "300",
            "--workloads",
            "60",
            "--policies",
            "40",
            "-o",
            "json",
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(json(&run)["pods"], 300);
    }
    let first = podnet(&["connlist", &a.display().to_string(), "-o", "json"]);
    let second = podnet(&["connlist", &b.display().to_string(), "-o", "json"]);
    assert_eq!(
        first.code, 0,
        "generated manifests are valid: {}",
        first.stderr
    );
    assert!(first.stderr.is_empty(), "{}", first.stderr);
    assert_eq!(first.stdout, second.stdout);
    assert!(
        json(&first)["connections"]
            .as_array()
            .is_some_and(|c| c.len() > 100)
    );
}

#[test]
fn a_live_dump_gives_the_same_workloads_as_the_manifests() {
    let manifests = temp_dir("gen-manifests", &[]);
    let live = temp_dir("gen-live", &[]);
    for (dir, extra) in [(&manifests, None), (&live, Some("--live"))] {
        let mut args = vec![
            "generate",
            "--out",
            dir.to_str().unwrap(),
            "--pods",
            "200",
            "--workloads",
            "40",
            "--policies",
            "30",
        ];
        args.extend(extra);
        assert_eq!(podnet(&args).code, 0);
    }
    assert!(live.join("pods.json").exists());
    let from_manifests = podnet(&["connlist", manifests.to_str().unwrap(), "-o", "json"]);
    let from_live = podnet(&["connlist", live.to_str().unwrap(), "-o", "json"]);
    assert_eq!(from_live.code, 0, "{}", from_live.stderr);
    assert!(from_live.stderr.is_empty(), "{}", from_live.stderr);
    // Pods owned by ReplicaSets missing from the dump are reported as their
    // Deployments, so the workloads (and here the connections: no ipBlock
    // covers the pod addresses) are the same.
    assert_eq!(json(&from_live), json(&from_manifests));
}

#[test]
fn help_and_version() {
    for cmd in [
        vec!["--help"],
        vec!["connlist", "--help"],
        vec!["explain", "--help"],
        vec!["generate", "--help"],
    ] {
        let run = podnet(&cmd);
        assert_eq!(run.code, 0);
        assert!(run.stdout.contains("Usage"), "{}", run.stdout);
    }
    let run = podnet(&["connlist"]);
    assert_eq!(run.code, 2, "a missing PATHS argument is a usage error");
}
