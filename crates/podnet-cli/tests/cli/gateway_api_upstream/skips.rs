//! Conformance rows podnet cannot express, by name, with the reason
//! docs/dataplane.md states; and the state a test changes before a row.

use serde_json::Value;

/// Rows skipped for one reason.
pub struct Skip {
    /// The rows, by name (`ShortName:LINE`, see `row_name`).
    pub rows: &'static [&'static str],
    /// Why, in a few words.
    pub reason: &'static str,
    /// Text of docs/dataplane.md that states it (runs of white space
    /// compare as one space).
    pub documented_by: &'static str,
}

/// EndpointSlices written while the test runs.
const RUNTIME_SLICES: &str = "the test fills the EndpointSlices of two Services without a selector with the addresses of the infra-backend-v1 Pods while it runs";

/// The skipped rows.
pub const SKIPS: &[Skip] = &[Skip {
    // httproute-service-types.go (blob da612446) lines 84-89 and
    // 107-162 (setupEndpointSlices): the Pods' `status.podIPs`, names,
    // UIDs and nodes, read from the running cluster.
    rows: &[
        "HTTPRouteServiceTypes:92 /manual-endpointslices",
        "HTTPRouteServiceTypes:92 /headless-manual-endpointslices",
    ],
    reason: "EndpointSlices written at run time",
    documented_by: RUNTIME_SLICES,
}];

/// The skip that lists row `name`.
pub fn skip_of(name: &str) -> Option<&'static Skip> {
    SKIPS.iter().find(|s| s.rows.contains(&name))
}

/// A change to the cluster a test makes before sending a row.
pub type State = fn(&str) -> String;

/// The changes tests make before a row: (test, row line, change).
const STATES: &[(&str, u64, State)] = &[
    // conformance/tests/httproute-reference-grant.go lines 65-73: the test
    // deletes ReferenceGrant gateway-conformance-web-backend/reference-grant
    // before the request at line 76.
    ("HTTPRouteReferenceGrant", 76, without_reference_grants),
];

/// The change test `short` makes before `row`, if any.
pub fn state_of(short: &str, row: &Value) -> Option<State> {
    let line = row["line"].as_u64()?;
    STATES
        .iter()
        .find(|(t, l, _)| *t == short && *l == line)
        .map(|(_, _, s)| *s)
}

/// The input without its ReferenceGrants.
fn without_reference_grants(input: &str) -> String {
    let kept: Vec<&str> = input
        .split("\n---\n")
        .filter(|doc| !doc.lines().any(|l| l == "kind: ReferenceGrant"))
        .collect();
    let out = kept.join("\n---\n");
    assert_ne!(out.len(), input.len(), "no ReferenceGrant to delete");
    out
}
