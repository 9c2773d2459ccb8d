//! The SARIF 2.1.0 pieces `audit` and `verify` share: a rule descriptor,
//! a result's location in a manifest, and the log around one run of
//! podnet.

use podnet_model::Source;
use serde_sarif::sarif::{
    ArtifactLocation, Location, MultiformatMessageString, PhysicalLocation, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif,
    Tool, ToolComponent,
};

/// A plain-text message string.
fn text(s: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder()
        .text(s.to_owned())
        .build()
}

/// A rule's texts, for its reporting descriptor.
pub struct RuleTexts<'a> {
    /// Stable id (`PN1001`).
    pub id: &'a str,
    /// Kebab-case name.
    pub name: &'a str,
    /// One line.
    pub short: &'a str,
    /// A paragraph.
    pub full: &'a str,
    /// How to fix it.
    pub help: &'a str,
}

/// The reporting descriptor of a rule at its default level.
pub fn descriptor(rule: &RuleTexts<'_>, level: ResultLevel) -> ReportingDescriptor {
    ReportingDescriptor::builder()
        .id(rule.id.to_owned())
        .name(rule.name.to_owned())
        .short_description(text(rule.short))
        .full_description(text(rule.full))
        .help(text(rule.help))
        .default_configuration(
            ReportingConfiguration::builder()
                .level(serde_json::json!(level))
                .build(),
        )
        .build()
}

/// The location of an object declared at `source` (its file and line).
pub fn location(source: &Source) -> Location {
    let region = Region::builder()
        .start_line(i64::from(source.line.unwrap_or(1)))
        .build();
    Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(
                    ArtifactLocation::builder()
                        .uri(source.file.to_string())
                        .build(),
                )
                .region(region)
                .build(),
        )
        .build()
}

/// The log: one run of podnet with its rules and results.
pub fn log(rules: Vec<ReportingDescriptor>, results: Vec<SarifResult>) -> Sarif {
    let driver = ToolComponent::builder()
        .name("podnet".to_owned())
        .version(env!("CARGO_PKG_VERSION").to_owned())
        .rules(rules)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .build();
    Sarif::builder()
        .schema(serde_sarif::sarif::SCHEMA_URL.to_owned())
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build()
}
