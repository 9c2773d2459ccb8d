//! `podnet audit`: snapshots of every example in text, JSON and SARIF, the
//! exit-code contract of `--fail-on`, `--only`/`--disable`, and every rule
//! documented in docs/audit.md.

use crate::support::{EXAMPLES_WITH_PROFILES, json, podnet, root};

#[test]
fn audit_examples_as_text_json_and_sarif() {
    let schema_text = std::fs::read_to_string(
        root().join("crates/podnet-report/tests/data/sarif-schema-2.1.0.json"),
    )
    .expect("the SARIF schema");
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("JSON");
    let sarif = jsonschema::validator_for(&schema).expect("a valid schema");
    for (name, paths) in EXAMPLES_WITH_PROFILES {
        for output in ["txt", "json", "sarif"] {
            let mut args = vec!["audit"];
            args.extend(paths);
            args.extend(["-o", output, "-q"]);
            let run = podnet(&args);
            assert_eq!(run.code, 0, "{name}: {}", run.stderr);
            if output == "sarif" {
                let errors: Vec<String> = sarif
                    .iter_errors(&json(&run))
                    .map(|e| e.to_string())
                    .collect();
                assert!(errors.is_empty(), "{name}: {errors:#?}");
            }
            insta::assert_snapshot!(format!("audit_{name}_{output}"), run.stdout);
        }
    }
}

#[test]
fn fail_on_turns_findings_into_exit_1() {
    let run = podnet(&[
        "audit",
        "examples/ecoeco-single",
        "--fail-on",
        "warning",
        "-q",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let v = json(&podnet(&[
        "audit",
        "examples/ecoeco-single",
        "-o",
        "json",
        "-q",
    ]));
    assert!(v["counts"]["warning"].as_u64().unwrap_or(0) > 0);
    // Nothing at error level in the domain example means --fail-on error passes.
    let domains = json(&podnet(&[
        "audit",
        "examples/ecoeco-domains",
        "-o",
        "json",
        "-q",
    ]));
    let run = podnet(&[
        "audit",
        "examples/ecoeco-domains",
        "--fail-on",
        "error",
        "-q",
    ]);
    let expected = if domains["counts"]["error"] == 0 {
        0
    } else {
        1
    };
    assert_eq!(run.code, expected, "{}", run.stdout);
}

#[test]
fn only_and_disable_select_rules_and_unknown_codes_are_errors() {
    let only = json(&podnet(&[
        "audit",
        "examples/ecoeco-single",
        "--only",
        "PN1001",
        "-o",
        "json",
        "-q",
    ]));
    let findings = only["findings"].as_array().expect("a list");
    assert!(!findings.is_empty());
    assert!(findings.iter().all(|f| f["code"] == "PN1001"));
    let disabled = json(&podnet(&[
        "audit",
        "examples/ecoeco-single",
        "--disable",
        "PN1001,PN1002",
        "-o",
        "json",
        "-q",
    ]));
    assert!(
        disabled["findings"]
            .as_array()
            .expect("a list")
            .iter()
            .all(|f| f["code"] != "PN1001" && f["code"] != "PN1002")
    );
    let run = podnet(&["audit", "examples/ecoeco-single", "--only", "PN0000", "-q"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no rule `PN0000`"), "{}", run.stderr);
}

#[test]
fn every_rule_is_documented() {
    let doc = std::fs::read_to_string(root().join("docs/audit.md")).expect("docs/audit.md");
    let rules = json(&podnet(&["audit", "--list-rules", "-o", "json"]));
    for r in rules.as_array().expect("a list") {
        let code = r["code"].as_str().expect("a code");
        assert!(
            doc.contains(&format!("### {code} ")),
            "docs/audit.md has no section for {code}"
        );
    }
}
