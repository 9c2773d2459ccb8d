//! The real-world corpus (`tests/fixtures/realworld`, issue 12): published
//! manifests of public projects must load cleanly. For every case,
//! `podnet connlist CASE --output json` exits 0, prints no error-level
//! diagnostic, and lists every workload the case declares. The expected
//! workloads are read here, independently of podnet's reader: the files are
//! parsed generically (serde-saphyr, serde_json) into values.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{diagnostics, podnet, root};

/// Where the cases are, from the workspace root.
const CORPUS: &str = "tests/fixtures/realworld";

/// The kinds that run pods.
const WORKLOAD_KINDS: [&str; 8] = [
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
    "Pod",
    "ReplicationController",
];

/// A workload: namespace, name and kind.
type Workload = (String, String, String);

/// The case folders, sorted (`_licenses` and other `_`/`.` folders are not
/// cases).
fn cases() -> Vec<String> {
    let mut cases: Vec<String> = std::fs::read_dir(root().join(CORPUS))
        .expect("the corpus is in the repository")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with(['_', '.']))
        .collect();
    cases.sort();
    cases
}

/// Every `.yaml`, `.yml` and `.json` file under `dir`, sorted.
fn manifest_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("readable folder")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            out.extend(manifest_files(&path));
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(path);
        }
    }
    out
}

/// The documents of one file: a JSON stream (one value or several) or
/// multi-document YAML.
fn documents(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("UTF-8 manifest");
    let text = text.trim_start_matches('\u{feff}');
    let looks_json =
        path.extension().is_some_and(|e| e == "json") || text.trim_start().starts_with(['{', '[']);
    if looks_json {
        let stream: Result<Vec<Value>, _> = serde_json::Deserializer::from_str(text)
            .into_iter::<Value>()
            .collect();
        if let Ok(docs) = stream {
            return docs;
        }
    }
    serde_saphyr::from_multiple::<Value>(text)
        .unwrap_or_else(|e| panic!("{}: not YAML: {e}", path.display()))
}

/// Objects, with arrays and `kind: ...List` items flattened.
fn flatten(value: Value, out: &mut Vec<Value>) {
    match value {
        Value::Array(items) => items.into_iter().for_each(|v| flatten(v, out)),
        Value::Object(ref o)
            if o.get("kind")
                .and_then(Value::as_str)
                .is_some_and(|k| k.ends_with("List"))
                && o.get("items").is_some_and(Value::is_array) =>
        {
            if let Some(Value::Array(items)) = o.get("items").cloned() {
                items.into_iter().for_each(|v| flatten(v, out));
            }
        }
        Value::Object(_) => out.push(value),
        _ => {}
    }
}

/// A workload object's identity, when it is one.
fn identity(o: &Value) -> Option<Workload> {
    let kind = o["kind"].as_str().filter(|k| WORKLOAD_KINDS.contains(k))?;
    let name = o["metadata"]["name"].as_str().filter(|n| !n.is_empty())?;
    let ns = o["metadata"]["namespace"]
        .as_str()
        .filter(|n| !n.is_empty())
        .unwrap_or("default");
    Some((ns.to_owned(), name.to_owned(), kind.to_owned()))
}

/// Whether the object runs no pod by its own spec: `replicas: 0`, a Job
/// with `parallelism: 0`, a suspended CronJob.
fn runs_no_pod(o: &Value, kind: &str) -> bool {
    let spec = &o["spec"];
    match kind {
        "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController" => {
            spec["replicas"].as_i64() == Some(0)
        }
        "Job" => spec["parallelism"].as_i64() == Some(0),
        "CronJob" => spec["suspend"].as_bool() == Some(true),
        _ => false,
    }
}

/// The workloads a case declares that should run a pod: not owned by
/// another declared workload through a controller ownerReference.
fn expected_workloads(case: &Path) -> BTreeSet<Workload> {
    let mut objects = Vec::new();
    for file in manifest_files(case) {
        for doc in documents(&file) {
            flatten(doc, &mut objects);
        }
    }
    let declared: BTreeSet<Workload> = objects.iter().filter_map(identity).collect();
    objects
        .iter()
        .filter_map(|o| Some((o, identity(o)?)))
        .filter(|(o, (ns, _, kind))| {
            let owned = o["metadata"]["ownerReferences"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|r| {
                    r["controller"].as_bool() == Some(true)
                        && declared.contains(&(
                            ns.clone(),
                            r["name"].as_str().unwrap_or_default().to_owned(),
                            r["kind"].as_str().unwrap_or_default().to_owned(),
                        ))
                });
            !owned && !runs_no_pod(o, kind)
        })
        .map(|(_, w)| w)
        .collect()
}

/// The workloads a connlist names as a source or destination.
fn listed_workloads(out: &Value) -> BTreeSet<Workload> {
    out["connections"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| [&c["src"]["workload"], &c["dst"]["workload"]])
        .filter(|w| w.is_object())
        .map(|w| {
            let s = |k: &str| w[k].as_str().unwrap_or_default().to_owned();
            (s("namespace"), s("name"), s("kind"))
        })
        .collect()
}

/// Why `case` fails, if it does.
fn check(case: &str) -> Vec<String> {
    let dir = format!("{CORPUS}/{case}");
    let run = podnet(&[
        "connlist",
        &dir,
        "--output",
        "json",
        "--error-format",
        "json",
    ]);
    let mut reasons = Vec::new();
    if run.code != 0 {
        reasons.push(format!("exit status {}", run.code));
    }
    for d in diagnostics(&run) {
        if matches!(d["severity"].as_str(), Some("error" | "fatal")) {
            reasons.push(format!("error: {}", d["message"]));
        }
    }
    let out: Value = match serde_json::from_str(&run.stdout) {
        Ok(v) => v,
        Err(e) => {
            reasons.push(format!("stdout is not JSON: {e}"));
            return reasons;
        }
    };
    if out["schema"] != "podnet.connlist/v1" {
        reasons.push(format!("schema {}", out["schema"]));
    }
    let listed = listed_workloads(&out);
    for (ns, name, kind) in expected_workloads(&root().join(&dir)) {
        if !listed.contains(&(ns.clone(), name.clone(), kind.clone())) {
            reasons.push(format!("missing workload {ns}/{name} [{kind}]"));
        }
    }
    reasons
}

#[test]
fn every_realworld_case_loads_cleanly_with_every_workload() {
    let cases = cases();
    assert!(cases.len() >= 30, "the corpus has {} cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let reasons = check(case);
            (!reasons.is_empty()).then(|| format!("{case}:\n  {}", reasons.join("\n  ")))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "failing cases:\n{}",
        failures.join("\n")
    );
}

/// The independent reader finds what the corpus says each case holds
/// (`corpus.json`, `exercises.workloads`): it is no weaker than the
/// declared inventory.
#[test]
fn the_expected_workloads_match_the_corpus_inventory() {
    let corpus: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join(CORPUS).join("corpus.json")).expect("corpus.json"),
    )
    .expect("corpus.json is JSON");
    let entries = corpus["cases"].as_array().expect("cases");
    assert_eq!(entries.len(), cases().len());
    for entry in entries {
        let name = entry["name"].as_str().expect("name");
        let declared = entry["exercises"]["workloads"]
            .as_object()
            .map_or(0, |m| m.values().filter_map(Value::as_u64).sum::<u64>());
        let expected = expected_workloads(&root().join(CORPUS).join(name)).len() as u64;
        assert!(
            expected <= declared,
            "{name}: {expected} workloads expected, the corpus lists {declared}"
        );
        assert!(
            declared == 0 || expected > 0,
            "{name}: the reader found none of its {declared} workloads"
        );
    }
}
