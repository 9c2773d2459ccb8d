//! `podnet verify`: the example intents hold (snapshots in text, JSON and
//! SARIF), a deliberately broken copy fails with a counterexample and its
//! explanation, `--intents` adds intents from a file, and bad intents are
//! located errors.

use crate::support::{json, podnet, root, temp_dir};

#[test]
fn example_intents_hold_in_every_format() {
    for example in ["ecoeco-domains", "telecom"] {
        for output in ["txt", "json", "sarif"] {
            let run = podnet(&["verify", &format!("examples/{example}"), "-o", output, "-q"]);
            assert_eq!(run.code, 0, "{example}: {}{}", run.stdout, run.stderr);
            insta::assert_snapshot!(format!("verify_{example}_{output}"), run.stdout);
        }
    }
}

/// A policy that opens `data` to every pod: breaks `data-only-from-apis`.
const OPEN_DATA: &str = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-all, namespace: data}\nspec:\n  podSelector: {}\n  ingress: [{}]\n";

#[test]
fn a_broken_copy_is_caught_with_a_counterexample() {
    let dir = temp_dir("verify-broken", &[("open-data.yaml", OPEN_DATA)]);
    let extra = dir.join("open-data.yaml");
    let extra = extra.to_str().expect("utf-8");
    let run = podnet(&["verify", "examples/ecoeco-domains", extra, "-q"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("VIOLATED  data-only-from-apis"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("counterexample: pod "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("allow-all"),
        "the explanation names the policy: {}",
        run.stdout
    );
    let v = json(&podnet(&[
        "verify",
        "examples/ecoeco-domains",
        extra,
        "-o",
        "json",
        "-q",
    ]));
    let broken = v["intents"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|i| i["name"] == "data-only-from-apis")
        .expect("the intent");
    assert_eq!(broken["holds"], false);
    assert_eq!(broken["violations"][0]["kind"], "forbidden");
    assert!(broken["violations"][0]["port"].is_u64());
    // SARIF of a violation is valid and points at the intent.
    let run = podnet(&[
        "verify",
        "examples/ecoeco-domains",
        extra,
        "-o",
        "sarif",
        "-q",
    ]);
    let doc = json(&run);
    let schema_text = std::fs::read_to_string(
        root().join("crates/podnet-report/tests/data/sarif-schema-2.1.0.json"),
    )
    .expect("schema");
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema");
    assert!(validator.is_valid(&doc));
    let loc = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "examples/ecoeco-domains/intents.yaml"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

const INTENT: &str = "apiVersion: podnet.dev/v1alpha1\nkind: ConnectivityIntent\nmetadata: {name: nothing-reaches-auth}\nspec:\n  deny:\n    from: [{namespace: chat}]\n    to: [{namespace: auth}]\n";

const BAD_INTENT: &str = "apiVersion: podnet.dev/v1alpha1\nkind: ConnectivityIntent\nmetadata: {name: backwards}\nspec:\n  deny:\n    from: [{namespace: chat}]\n    to: [{namespace: auth}]\n    ports: [{port: 9000, endPort: 8000}]\n";

#[test]
fn intents_from_a_file_and_bad_intents_are_located_errors() {
    let dir = temp_dir(
        "verify-intents",
        &[("deny.yaml", INTENT), ("bad.yaml", BAD_INTENT)],
    );
    let deny = dir.join("deny.yaml");
    let run = podnet(&[
        "verify",
        "examples/ecoeco-domains",
        "--intents",
        deny.to_str().expect("utf-8"),
        "-q",
    ]);
    // chat-api calls auth-api: the deny intent is violated.
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("VIOLATED  nothing-reaches-auth"),
        "{}",
        run.stdout
    );
    let bad = dir.join("bad.yaml");
    let run = podnet(&[
        "verify",
        "examples/ecoeco-domains",
        "--intents",
        bad.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("endPort"), "{}", run.stderr);
    assert!(run.stderr.contains("bad.yaml"), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}
