//! `podnet diff`: the EcoEco migration from one namespace to domain
//! namespaces (snapshots in every format), `--exit-code`, and `--git` on a
//! throwaway repository.

use std::process::Command;

use crate::support::{json, podnet, temp_dir};

#[test]
fn the_ecoeco_migration_in_every_format() {
    for output in ["txt", "json", "csv", "md"] {
        let run = podnet(&[
            "diff",
            "examples/ecoeco-single",
            "examples/ecoeco-domains",
            "--ignore-namespace",
            "--unchanged",
            "-o",
            output,
            "-q",
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        insta::assert_snapshot!(format!("diff_ecoeco_migration_{output}"), run.stdout);
    }
}

#[test]
fn the_migration_keeps_dns_and_data_flows_on_their_ports_and_removes_the_rest() {
    let run = podnet(&[
        "diff",
        "examples/ecoeco-single",
        "examples/ecoeco-domains",
        "--ignore-namespace",
        "-o",
        "json",
        "-q",
    ]);
    let v = json(&run);
    assert_eq!(v["schema"], "podnet.diff/v1");
    let changes = v["changes"].as_array().expect("a list");
    let find = |src: &str, dst: &str| {
        changes
            .iter()
            .find(|c| c["src"]["workload"]["name"] == src && c["dst"]["workload"]["name"] == dst)
            .unwrap_or_else(|| panic!("{src} -> {dst}"))
    };
    // auth-api keeps PostgreSQL on 5432 and loses everything else.
    let pg = find("auth-api", "postgresql");
    assert_eq!(pg["change"], "changed");
    assert_eq!(pg["new"]["ports"]["TCP"][0], "5432");
    assert_eq!(pg["gained"]["all"], false);
    assert!(
        pg["gained"]["ports"]
            .as_object()
            .is_none_or(|p| p.is_empty())
    );
    // my-api no longer reaches chat-api at all.
    assert_eq!(find("my-api", "chat-api")["change"], "removed");
}

#[test]
fn exit_code_is_1_only_with_differences() {
    let same = podnet(&[
        "diff",
        "examples/ecoeco-domains",
        "examples/ecoeco-domains",
        "--exit-code",
        "-q",
    ]);
    assert_eq!(same.code, 0, "{}", same.stderr);
    assert!(same.stdout.starts_with("0 added, 0 removed, 0 changed"));
    let differ = podnet(&[
        "diff",
        "examples/ecoeco-single",
        "examples/ecoeco-domains",
        "--exit-code",
        "-q",
    ]);
    assert_eq!(differ.code, 1);
    let without = podnet(&[
        "diff",
        "examples/ecoeco-single",
        "examples/ecoeco-domains",
        "-q",
    ]);
    assert_eq!(without.code, 0);
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: NAME, namespace: shop, labels: {app: NAME}}\nspec:\n  containers: [{name: c, image: nginx, ports: [{containerPort: 8080}]}]\n---\n";

const DENY: &str = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  policyTypes: [Ingress]\n";

fn git(dir: &std::path::Path, args: &[&str]) {
    let ok = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.email=t@example.invalid", "-c", "user.name=t"])
        .args(args)
        .status()
        .expect("git runs")
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn git_compares_the_working_tree_with_a_revision() {
    let pods = format!(
        "{}{}",
        POD.replace("NAME", "web"),
        POD.replace("NAME", "db")
    );
    let dir = temp_dir("diff-git", &[("cluster/pods.yaml", &pods)]);
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "v1"]);
    std::fs::write(dir.join("cluster/deny.yaml"), DENY).expect("written");
    let path = dir.join("cluster");
    let path = path.to_str().expect("utf-8");
    let run = podnet(&["diff", "--git", "HEAD", path, "--exit-code", "-q"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("- shop/web[Pod] => shop/db[Pod] : All Connections"),
        "{}",
        run.stdout
    );
    let bad = podnet(&["diff", "--git", "no-such-rev", path, "-q"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("--git no-such-rev"), "{}", bad.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diff_needs_two_paths_or_git() {
    let run = podnet(&["diff", "examples/ecoeco-single", "-q"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("give OLD and NEW"), "{}", run.stderr);
}
