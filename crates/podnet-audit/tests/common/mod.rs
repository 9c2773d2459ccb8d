//! Shared helpers of the audit check tests: load inline YAML, build the
//! running cluster and the engine, run the audit, pick findings by code.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    dead_code
)]

use podnet_audit::{Context, Filter, audit};
use podnet_dataplane::Dataplane;
use podnet_engine::Engine;
use podnet_report::audit::{Worded as Finding, worded};

/// Loads `yaml` as one file; panics on any error diagnostic.
pub fn cluster(yaml: &str) -> podnet_model::Cluster {
    let loaded = podnet_manifest::load_files(
        &[podnet_manifest::SourceFile {
            name: "t.yaml".into(),
            text: yaml.into(),
        }],
        Vec::new(),
        podnet_manifest::LoadOptions::default(),
    );
    let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "manifest errors: {errors:#?}");
    loaded.cluster
}

/// Every finding of the audit of `yaml`.
pub fn findings(yaml: &str) -> Vec<Finding> {
    let dp = Dataplane::build(&cluster(yaml), None);
    let engine = Engine::new(&dp.cluster);
    worded(&audit(&Context::new(&dp, &engine), &Filter::default()))
}

/// The findings of `yaml` with `code`.
pub fn with_code(yaml: &str, code: &str) -> Vec<Finding> {
    findings(yaml)
        .into_iter()
        .filter(|f| f.code == code)
        .collect()
}
