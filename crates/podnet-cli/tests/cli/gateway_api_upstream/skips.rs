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

/// podnet reads no filters of a backendRef.
const BACKEND_FILTERS: &str = "podnet does not read the `filters` of a backendRef: the `RequestRedirect` filter there is not applied, and the request is forwarded to the Service";
/// One URL host for SNI and Host.
const ONE_HOST: &str =
    "a URL gives one host for both the TLS server name (SNI) and the Host header";
/// EndpointSlices written while the test runs.
const RUNTIME_SLICES: &str = "the test fills the EndpointSlices of two Services without a selector with the addresses of the infra-backend-v1 Pods while it runs";

/// The skipped rows.
pub const SKIPS: &[Skip] = &[
    Skip {
        rows: &[
            "HTTPRouteBackendRequestRedirect:52",
            "HTTPRouteBackendRequestRedirect:65",
        ],
        reason: "backendRef filters are not read",
        documented_by: BACKEND_FILTERS,
    },
    Skip {
        // The 421 rows send a Host that differs from the server name
        // (HTTPRouteHTTPSListenerDetectMisdirectedRequests, lines 76-91).
        rows: &[
            "HTTPRouteHTTPSListenerDetectMisdirectedRequests:76",
            "HTTPRouteHTTPSListenerDetectMisdirectedRequests:80",
            "HTTPRouteHTTPSListenerDetectMisdirectedRequests:81",
            "HTTPRouteHTTPSListenerDetectMisdirectedRequests:85",
            "HTTPRouteHTTPSListenerDetectMisdirectedRequests:86",
            "HTTPRouteHTTPSListenerDetectMisdirectedRequests:87",
            "HTTPRouteHTTPSListenerDetectMisdirectedRequests:91",
        ],
        reason: "SNI and Host differ",
        documented_by: ONE_HOST,
    },
    Skip {
        // httproute-service-types.go lines 107 onwards (setupEndpointSlices).
        rows: &[
            "HTTPRouteServiceTypes:92 /manual-endpointslices",
            "HTTPRouteServiceTypes:92 /headless-manual-endpointslices",
        ],
        reason: "EndpointSlices written at run time",
        documented_by: RUNTIME_SLICES,
    },
];

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
