//! `podnet lab`: the modelled cluster built in network namespaces and
//! probed. The privileged tests need root, `ip` and `nft` (CI has them) and
//! are skipped with the reason printed otherwise; they run one after the
//! other in a single test, since a lab refuses to start over another, and
//! check after every step that nothing of the lab is left.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::{podnet, root, temp_dir};

const SMALL: &str = "crates/podnet-lab/tests/fixtures/small";
const NODEPORT: &str = "crates/podnet-lab/tests/fixtures/nodeport";
const LOADBALANCER: &str = "crates/podnet-lab/tests/fixtures/loadbalancer";

/// Why the privileged tests cannot run here, if they cannot.
fn skip_reason() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let uid = status
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .and_then(|l| l.split_whitespace().nth(2))
        .unwrap_or("?");
    if uid != "0" {
        return Some(format!("not root (uid {uid})"));
    }
    for tool in ["ip", "nft"] {
        let found = Command::new(tool)
            .arg("-V")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok();
        if !found {
            return Some(format!("`{tool}` is missing"));
        }
    }
    None
}

/// Asserts no namespace, host link, nftables table, state file or agent of
/// any lab is left.
fn assert_clean(when: &str) {
    let netns = Command::new("ip").args(["netns", "list"]).output().unwrap();
    let netns = String::from_utf8_lossy(&netns.stdout);
    assert!(
        !netns.lines().any(|l| l.starts_with("pnl")),
        "{when}: lab namespaces left: {netns}"
    );
    let links = Command::new("ip")
        .args(["-o", "link", "show"])
        .output()
        .unwrap();
    let links = String::from_utf8_lossy(&links.stdout);
    assert!(
        !links
            .lines()
            .any(|l| l.split(": ").nth(1).is_some_and(|n| n.starts_with("pnl"))),
        "{when}: lab links left in the host: {links}"
    );
    let tables = Command::new("nft")
        .args(["list", "tables"])
        .output()
        .unwrap();
    let tables = String::from_utf8_lossy(&tables.stdout);
    assert!(
        !tables.contains(" pnl"),
        "{when}: lab tables left: {tables}"
    );
    let files: Vec<_> = std::fs::read_dir("/run/podnet-lab")
        .into_iter()
        .flatten()
        .flatten()
        .collect();
    assert!(files.is_empty(), "{when}: state files left: {files:?}");
    // The agents (killed by `down`) take a moment to be reaped.
    for _ in 0..50 {
        let ps = Command::new("ps").args(["-eo", "args"]).output();
        let busy = ps.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("lab-listen"));
        if !busy {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{when}: lab listeners still running");
}

#[test]
fn lab_without_tools_says_what_is_missing() {
    let out = Command::new(env!("CARGO_BIN_EXE_podnet"))
        .args(["lab", "run", SMALL])
        .current_dir(root())
        .env("PATH", "/nonexistent")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`ip` (install iproute2)"), "{err}");
    assert!(err.contains("`nft` (install nftables)"), "{err}");
}

#[test]
fn lab_plan_needs_no_privileges() {
    let run = podnet(&["lab", "plan", SMALL]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("pod shop/db netns pnl0000-p1"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("chain ingress_p1"), "{}", run.stdout);
}

#[test]
fn lab_refuses_inputs_with_errors() {
    // An unreadable path: reported with its name, nothing built, exit 2.
    let run = podnet(&["lab", "plan", "examples/no-such-dir"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("examples/no-such-dir"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    // Something to analyse beside an invalid object: still nothing built.
    let dir = temp_dir(
        "lab-refuses-errors",
        &[(
            "mixed.yaml",
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: Not_Valid}\n",
        )],
    );
    let run = podnet(&["lab", "plan", &dir.to_string_lossy()]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr
            .contains("the lab builds only inputs without errors"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}

#[test]
fn lab_end_to_end() {
    if let Some(why) = skip_reason() {
        eprintln!("skipping the lab's privileged tests: {why}");
        return;
    }
    assert_clean("before");

    // The small fixture: every probe agrees, nothing is left.
    let run = podnet(&["lab", "run", SMALL]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("24 agree, 0 disagree, 0 not compared"),
        "{}",
        run.stdout
    );
    assert_clean("after run on the small fixture");

    // JSON.
    let run = podnet(&["lab", "run", "--output", "json", SMALL]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["schema"], "podnet.lab/v1");
    assert_eq!(json["summary"]["disagree"], 0);
    assert_eq!(json["summary"]["agree"], 24);
    assert_clean("after run --output json");

    // NodePorts: externalTrafficPolicy Cluster (masquerade) and Local,
    // every probe expected as the trace says, disagreeing branches excluded.
    let run = podnet(&["lab", "run", NODEPORT]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("121 agree, 0 disagree, 0 not compared"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("TCP/30432"), "{}", run.stdout);
    assert!(run.stdout.contains("UDP/30053"), "{}", run.stdout);
    assert!(run.stdout.contains("branches disagree"), "{}", run.stdout);
    assert!(run.stdout.contains("x0   outside client"), "{}", run.stdout);
    assert_clean("after run on the NodePort fixture");

    // Load-balancer addresses from outside clients, inside and outside
    // loadBalancerSourceRanges, with the source each endpoint sees.
    let run = podnet(&["lab", "run", LOADBALANCER, "-o", "json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["summary"]["disagree"], 0, "{}", run.stdout);
    assert_eq!(json["summary"]["not_compared"], 0, "{}", run.stdout);
    let probes = json["probes"].as_array().unwrap();
    let checked_sources = probes
        .iter()
        .filter(|p| p["expected_source"].is_string() && p["seen_source"] == p["expected_source"])
        .count();
    assert!(checked_sources >= 20, "{}", run.stdout);
    assert!(
        probes
            .iter()
            .any(|p| p["from"] == "outside client 203.0.113.10"
                && p["to"] == "load balancer of service shop/web-lb"
                && p["expected"] == "deny"
                && p["actual"] == "timeout"),
        "{}",
        run.stdout
    );
    assert_clean("after run on the LoadBalancer fixture");

    // The bundled examples.
    for example in [
        "examples/ecoeco-domains",
        "examples/ecoeco-single",
        "examples/telecom",
    ] {
        let run = podnet(&["lab", "run", example]);
        assert_eq!(run.code, 0, "{example}: {}\n{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains(" 0 disagree"),
            "{example}: {}",
            run.stdout
        );
        assert_clean(example);
    }

    // The lab sees a broken kernel ruleset: flush db's ingress chain and the
    // denied probes to db connect, so `probe` disagrees and exits 1.
    let up = podnet(&["lab", "up", SMALL]);
    assert_eq!(up.code, 0, "{}", up.stderr);
    let id = up
        .stderr
        .split_whitespace()
        .nth(2)
        .map(|s| s.trim_end_matches(':').to_owned())
        .unwrap();
    let again = podnet(&["lab", "up", SMALL]);
    assert_eq!(again.code, 2, "a second up must refuse: {}", again.stderr);
    assert!(again.stderr.contains("podnet lab down"), "{}", again.stderr);
    let flushed = Command::new("ip")
        .args([
            "netns",
            "exec",
            &format!("pnl{id}-n1"),
            "nft",
            "flush",
            "chain",
            "inet",
        ])
        .arg(format!("pnl{id}"))
        .arg("ingress_p1")
        .status()
        .unwrap();
    assert!(flushed.success());
    let probe = podnet(&["lab", "probe", "--id", &id]);
    assert_eq!(probe.code, 1, "{}\n{}", probe.stdout, probe.stderr);
    assert!(probe.stdout.contains("disagreements:"), "{}", probe.stdout);
    assert!(
        probe
            .stdout
            .contains("shop/web -> shop/db (10.244.1.2) tcp/5432: engine denies, kernel connected"),
        "{}",
        probe.stdout
    );
    let down = podnet(&["lab", "down", "--id", &id]);
    assert_eq!(down.code, 0, "{}", down.stderr);
    assert_clean("after up, probe, down");

    // A killed `up` leaves namespaces and listeners; the next `up` refuses
    // and `down` removes everything.
    let mut child = Command::new(env!("CARGO_BIN_EXE_podnet"))
        .args(["lab", "up", "examples/ecoeco-domains"])
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    let netns = Command::new("ip").args(["netns", "list"]).output().unwrap();
    let left = String::from_utf8_lossy(&netns.stdout)
        .lines()
        .filter(|l| l.starts_with("pnl"))
        .count();
    if left > 0 {
        let refused = podnet(&["lab", "up", SMALL]);
        assert_eq!(refused.code, 2, "{}", refused.stderr);
        assert!(refused.stderr.contains("left over"), "{}", refused.stderr);
    }
    let down = podnet(&["lab", "down"]);
    assert_eq!(down.code, 0, "{}", down.stderr);
    assert_clean("after a killed up and down");
}
