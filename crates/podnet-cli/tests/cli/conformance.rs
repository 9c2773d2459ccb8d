//! The upstream Kubernetes e2e NetworkPolicy truth tables
//! (`tests/fixtures/conformance/k8s-e2e-netpol`, transcribed from
//! kubernetes/kubernetes `test/e2e/network/netpol/network_policy.go`): for
//! every case, the manifests the e2e test creates are written (Namespaces,
//! plain Pods with `status.podIP` and named ports `serve-<port>-<proto>`,
//! the policies and, in the `services` mode, the per-pod Services), `podnet
//! connlist --output json` runs on them, and every probed cell off the
//! diagonal must match the expected matrix.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::support::{podnet, root};

/// Where the cases are, from the workspace root.
const CASES: &str = "tests/fixtures/conformance/k8s-e2e-netpol/cases";

/// The image the e2e model's containers run.
const AGNHOST: &str = "registry.k8s.io/e2e-test-images/agnhost:2.52";

/// Which manifests a run writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Namespaces, Pods and policies; plain Pods must be reported as kind
    /// `Pod`.
    StrictKind,
    /// Also the per-pod Services upstream probes through.
    Services,
}

/// The case files, sorted.
fn case_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(CASES))
        .expect("the cases are in the repository")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn read_case(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("readable case"))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// One container per (port, protocol), as the e2e model's
/// `Container.Spec()` builds it.
fn container(port: &Value) -> Value {
    let number = port["containerPort"].as_u64().unwrap_or_default();
    let protocol = text(&port["protocol"]);
    let (command, env) = match protocol {
        "TCP" => (
            json!([
                "/agnhost",
                "serve-hostname",
                "--tcp",
                "--http=false",
                "--port",
                number.to_string()
            ]),
            None,
        ),
        "UDP" => (
            json!([
                "/agnhost",
                "serve-hostname",
                "--udp",
                "--http=false",
                "--port",
                number.to_string()
            ]),
            None,
        ),
        _ => (
            json!(["/agnhost", "porter"]),
            Some(json!([{"name": format!("SERVE_SCTP_PORT_{number}"), "value": "foo"}])),
        ),
    };
    let mut c = json!({
        "name": format!("cont-{number}-{}", protocol.to_lowercase()),
        "image": AGNHOST,
        "imagePullPolicy": "IfNotPresent",
        "command": command,
        "securityContext": {},
        "ports": [{"containerPort": number, "name": port["name"], "protocol": protocol}],
    });
    if let Some(env) = env {
        c["env"] = env;
    }
    c
}

/// The per-pod Service upstream probes through: selector `pod: NAME`,
/// ClusterIP `10.96.C.D` from the pod's `A.B.C.D`.
fn service(pod: &Value) -> Value {
    let ip = text(&pod["ip"]);
    let octets: Vec<&str> = ip.split('.').collect();
    let cluster_ip = format!("10.96.{}.{}", octets[2], octets[3]);
    let ports: Vec<Value> = pod["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let number = p["containerPort"].as_u64().unwrap_or_default();
            let protocol = text(&p["protocol"]);
            json!({
                "name": format!("service-port-{}-{number}", protocol.to_lowercase()),
                "protocol": protocol,
                "port": number,
            })
        })
        .collect();
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": format!("s-{}-{}", text(&pod["namespace"]), text(&pod["name"])), "namespace": pod["namespace"]},
        "spec": {"clusterIP": cluster_ip, "selector": {"pod": pod["name"]}, "ports": ports},
    })
}

/// Writes `docs` as one multi-document YAML file.
fn write_yaml(path: &Path, docs: &[Value]) {
    let mut out = String::new();
    for d in docs {
        out.push_str("---\n");
        out.push_str(&serde_saphyr::to_string(d).expect("serialisable"));
    }
    std::fs::write(path, out).expect("manifest written");
}

/// Writes the manifests of `case` into `dir`.
fn write_manifests(case: &Value, dir: &Path, mode: Mode) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("manifest folder");
    let namespaces: Vec<Value> = case["namespaces"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|ns| {
            json!({"apiVersion": "v1", "kind": "Namespace",
                   "metadata": {"name": ns["name"], "labels": ns["labels"]}})
        })
        .collect();
    let pods: Vec<Value> = case["pods"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let containers: Vec<Value> = p["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .map(container)
                .collect();
            json!({
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": p["name"], "namespace": p["namespace"], "labels": p["labels"]},
                "spec": {"terminationGracePeriodSeconds": 0, "containers": containers},
                "status": {"phase": "Running", "podIP": p["ip"], "podIPs": [{"ip": p["ip"]}]},
            })
        })
        .collect();
    write_yaml(&dir.join("namespaces.yaml"), &namespaces);
    write_yaml(&dir.join("pods.yaml"), &pods);
    if let Some(policies) = case["policies"].as_array().filter(|p| !p.is_empty()) {
        write_yaml(&dir.join("netpols.yaml"), policies);
    }
    if mode == Mode::Services {
        let services: Vec<Value> = case["pods"]
            .as_array()
            .into_iter()
            .flatten()
            .map(service)
            .collect();
        write_yaml(&dir.join("services.yaml"), &services);
    }
}

/// Per protocol, the port ranges a `conns` object allows; `None` for all.
type Allowed = Option<BTreeMap<String, Vec<(u64, u64)>>>;

/// Parses `conns` (`{"all": true}` or `{"all": false, "ports": {...}}`).
fn parse_conns(conns: &Value) -> Result<Allowed, String> {
    match conns["all"].as_bool() {
        Some(true) => return Ok(None),
        Some(false) => {}
        None => return Err(format!("conns without `all`: {conns}")),
    }
    let mut out = BTreeMap::new();
    for (proto, list) in conns["ports"].as_object().into_iter().flatten() {
        let mut ranges = Vec::new();
        for item in list.as_array().ok_or("a port list is not a list")? {
            let range = match item {
                Value::Number(n) => n.as_u64().map(|n| (n, n)),
                Value::String(s) => {
                    let mut parts = s.split('-').map(|x| x.trim().parse::<u64>().ok());
                    match (parts.next().flatten(), parts.next(), parts.next()) {
                        (Some(lo), None, None) => Some((lo, lo)),
                        (Some(lo), Some(Some(hi)), None) if hi >= lo => Some((lo, hi)),
                        _ => None,
                    }
                }
                _ => None,
            };
            ranges.push(range.ok_or_else(|| format!("bad port entry {item}"))?);
        }
        out.insert(proto.to_uppercase(), ranges);
    }
    Ok(Some(out))
}

/// `ns/name` of a peer, `None` for peers that are not workloads.
fn peer(p: &Value) -> Result<Option<(String, String)>, String> {
    let o = p
        .as_object()
        .filter(|o| o.len() == 1)
        .ok_or_else(|| format!("a peer has exactly one key: {p}"))?;
    match o.iter().next() {
        Some((k, w)) if k == "workload" => Ok(Some((
            format!("{}/{}", text(&w["namespace"]), text(&w["name"])),
            text(&w["kind"]).to_owned(),
        ))),
        Some((k, _)) if ["external", "ingress_controller", "gateway"].contains(&k.as_str()) => {
            Ok(None)
        }
        Some((k, _)) => Err(format!("unknown peer type {k}")),
        None => Err("empty peer".to_owned()),
    }
}

/// Why the case fails in `mode`, if it does: differing cells and contract
/// violations.
fn check(case: &Value, dir: &Path, mode: Mode) -> Vec<String> {
    write_manifests(case, dir, mode);
    let dir = dir.display().to_string();
    let run = podnet(&["connlist", &dir, "--output", "json"]);
    if run.code != 0 {
        return vec![format!("exit status {}: {}", run.code, run.stderr)];
    }
    let out: Value = match serde_json::from_str(&run.stdout) {
        Ok(v) => v,
        Err(e) => return vec![format!("stdout is not JSON: {e}")],
    };
    if out["schema"] != "podnet.connlist/v1" {
        return vec![format!("schema {}", out["schema"])];
    }
    let mut problems = Vec::new();
    let mut allowed: BTreeMap<(String, String), Vec<Allowed>> = BTreeMap::new();
    let mut kinds = BTreeSet::new();
    for c in out["connections"].as_array().into_iter().flatten() {
        let ends = (peer(&c["src"]), peer(&c["dst"]), parse_conns(&c["conns"]));
        let (src, dst, conns) = match ends {
            (Ok(s), Ok(d), Ok(c)) => (s, d, c),
            (s, d, c) => {
                problems.extend([s.err(), d.err(), c.err()].into_iter().flatten());
                continue;
            }
        };
        let (Some((s, sk)), Some((d, dk))) = (src, dst) else {
            continue;
        };
        kinds.insert(sk);
        kinds.insert(dk);
        if s != d {
            allowed.entry((s, d)).or_default().push(conns);
        }
    }
    if mode == Mode::StrictKind && kinds.iter().any(|k| k != "Pod") {
        problems.push(format!("plain Pods reported with kinds {kinds:?}"));
    }
    for probe in case["probes"].as_array().into_iter().flatten() {
        let port = probe["port"].as_u64().unwrap_or_default();
        let protocol = text(&probe["protocol"]);
        for (s, row) in probe["expected"].as_object().into_iter().flatten() {
            for (d, expected) in row.as_object().into_iter().flatten() {
                if s == d {
                    continue; // loopback: ignored upstream (ignoreLoopback)
                }
                let got = allowed.get(&(s.clone(), d.clone())).is_some_and(|list| {
                    list.iter().any(|a| match a {
                        None => true,
                        Some(by_proto) => by_proto
                            .get(protocol)
                            .is_some_and(|r| r.iter().any(|&(lo, hi)| lo <= port && port <= hi)),
                    })
                });
                if Some(got) != expected.as_bool() {
                    problems.push(format!(
                        "{protocol}/{port}: {s} -> {d}: upstream expects {}, podnet says {}",
                        if got { "denied" } else { "allowed" },
                        if got { "allowed" } else { "denied" }
                    ));
                }
            }
        }
    }
    problems
}

fn run_all(mode: Mode) {
    let files = case_files();
    assert!(files.len() >= 30, "{} cases", files.len());
    let scratch = std::env::temp_dir().join(format!(
        "podnet-conformance-{}-{mode:?}",
        std::process::id()
    ));
    let failures: Vec<String> = files
        .iter()
        .filter_map(|path| {
            let case = read_case(path);
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let problems = check(&case, &scratch.join(&stem), mode);
            (!problems.is_empty()).then(|| {
                format!(
                    "{stem} [{}; step {}/{}]:\n  {}",
                    text(&case["name"]),
                    case["step"],
                    case["steps"],
                    problems.join("\n  ")
                )
            })
        })
        .collect();
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn every_conformance_case_matches_upstream_with_plain_pods() {
    run_all(Mode::StrictKind);
}

#[test]
fn every_conformance_case_matches_upstream_with_per_pod_services() {
    run_all(Mode::Services);
}

/// A wrong answer must fail the comparison: flipping one expected cell of
/// a case makes it fail (the harness cannot pass vacuously).
#[test]
fn a_flipped_cell_is_caught() {
    let path = &case_files()[0];
    let mut case = read_case(path);
    let probe = &mut case["probes"][0]["expected"];
    let (s, d) = {
        let row = probe
            .as_object()
            .and_then(|r| r.iter().next())
            .expect("a row");
        let d = row
            .1
            .as_object()
            .and_then(|c| c.keys().find(|k| *k != row.0))
            .expect("a cell");
        (row.0.clone(), d.clone())
    };
    let flipped = !probe[&s][&d].as_bool().expect("a bool");
    probe[&s][&d] = Value::Bool(flipped);
    let dir =
        std::env::temp_dir().join(format!("podnet-conformance-{}-flipped", std::process::id()));
    let problems = check(&case, &dir, Mode::StrictKind);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains(&format!("{s} -> {d}")), "{problems:?}");
}

/// Writes every case's manifests (the `StrictKind` set) into
/// `$PODNET_CONFORMANCE_OUT/<case>/`, for the lab pass of `scripts/test`
/// (`scripts/lab-conformance`). Ignored by default.
#[test]
#[ignore = "a helper for scripts/lab-conformance: set PODNET_CONFORMANCE_OUT"]
fn write_conformance_manifests() {
    let out = std::env::var_os("PODNET_CONFORMANCE_OUT").expect("PODNET_CONFORMANCE_OUT is set");
    let out = PathBuf::from(out);
    for path in case_files() {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        write_manifests(&read_case(&path), &out.join(stem), Mode::StrictKind);
    }
}
