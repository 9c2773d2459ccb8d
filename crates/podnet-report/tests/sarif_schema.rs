//! The SARIF output validates against the OASIS SARIF 2.1.0 JSON schema
//! (tests/data/sarif-schema-2.1.0.json, as shipped in serde-sarif 0.8.0's
//! sources; `$id` https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json).
//! One change: the published `run.language` pattern has an unescaped `]`
//! (`...[a-zA-Z]{2}]?$`), a literal in ECMAScript but an error for the
//! validator's regex engine; the copy escapes it (`\\]`), same meaning.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::Arc;

use podnet_audit::found::{HygieneFound, NamespaceFound};
use podnet_audit::summary::{Level, NamespaceSummary, Strategy, Summary};
use podnet_audit::{Finding, Found, Rule, Severity, Subject};
use podnet_model::{Direction, Source};
use podnet_report::audit::{write_json, write_sarif};

const RULES: [Rule; 2] = [
    Rule {
        code: "PN9001",
        name: "example-error",
        short: "An example error.",
        full: "An example rule for the schema test.",
        help: "Fix it.",
        severity: Severity::Error,
    },
    Rule {
        code: "PN9002",
        name: "example-info",
        short: "An example note.",
        full: "Another example rule.",
        help: "Nothing to do.",
        severity: Severity::Info,
    },
];

fn findings() -> Vec<Finding> {
    vec![
        Finding::new(
            &RULES[0],
            Subject {
                kind: "NetworkPolicy".into(),
                namespace: Some("shop".into()),
                name: "deny".into(),
                source: Some(Source {
                    file: Arc::from("examples/shop/policies.yaml"),
                    document: 2,
                    line: Some(14),
                    item: None,
                }),
            },
            Found::Hygiene(HygieneFound::RulesIgnored {
                direction: Direction::Egress,
                count: 1,
            }),
        ),
        Finding::new(
            &RULES[1],
            Subject::named("Namespace", None, "shop"),
            Found::Namespace(NamespaceFound::NoLimitRange {
                namespace: "shop".into(),
                workloads: 2,
            }),
        ),
    ]
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).unwrap();
    let validator = validator(&schema);
    let mut out = Vec::new();
    write_sarif(&mut out, &findings(), &RULES).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The pieces code scanning reads.
    let run = &doc["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "podnet");
    assert_eq!(run["tool"]["driver"]["rules"][0]["id"], "PN9001");
    assert_eq!(
        run["tool"]["driver"]["rules"][0]["fullDescription"]["text"],
        "An example rule for the schema test."
    );
    assert_eq!(run["results"][0]["level"], "error");
    assert_eq!(run["results"][0]["ruleIndex"], 0);
    let loc = &run["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "examples/shop/policies.yaml"
    );
    assert_eq!(loc["region"]["startLine"], 14);
    assert_eq!(run["results"][1]["level"], "note");
}

#[test]
fn a_broken_sarif_document_fails_the_schema() {
    // The validator is not vacuous: a result without a message is invalid.
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).unwrap();
    let validator = validator(&schema);
    let bad = serde_json::json!({
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "podnet"}}, "results": [{"ruleId": "PN9001"}]}]
    });
    assert!(!validator.is_valid(&bad));
}

fn summary() -> Summary {
    let row = |name: &str| NamespaceSummary {
        name: name.into(),
        workloads: 2,
        isolation: Level::Partial,
        policy_coverage: "1/2 workloads isolated".into(),
        rbac_scope: "namespace".into(),
        quota: "none".into(),
        fault_isolation: "shared".into(),
    };
    Summary {
        strategy: Strategy::SharedNamespace,
        namespaces: vec![row("shop")],
        cluster: row("(cluster)"),
    }
}

#[test]
fn json_output_follows_the_v1_contract() {
    let mut out = Vec::new();
    write_json(&mut out, &findings(), &summary(), &RULES, 0).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["schema"], "podnet.audit/v1");
    assert_eq!(doc["counts"]["error"], 1);
    assert_eq!(doc["counts"]["info"], 1);
    assert_eq!(doc["findings"][0]["rule"], "example-error");
    assert_eq!(doc["findings"][0]["subject"]["line"], 14);
    assert!(doc["findings"][1]["subject"]["file"].is_null());
    assert_eq!(doc["summary"]["namespaces"][0]["name"], "shop");
    assert_eq!(
        doc["summary"]["namespaces"][0]["isolation"],
        Level::Partial.label()
    );
}

/// A validator for the schema.
fn validator(schema: &serde_json::Value) -> jsonschema::Validator {
    jsonschema::validator_for(schema).unwrap()
}
