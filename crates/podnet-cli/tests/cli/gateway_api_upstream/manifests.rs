//! The cluster of one conformance fixture, as the suite applies it: the
//! documents its `manifests` name (transcribed in
//! `tests/fixtures/upstream/gateway-api/manifests/`, each after a
//! `# FILE lines A-B` line), with the suite's own changes.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

/// The GatewayClass the suite writes into every Gateway's
/// `spec.gatewayClassName` (conformance/utils/kubernetes/apply.go lines
/// 68-74 at 4564255ac2c35d582249b3cdf261bdf51c8bca32; the YAML says
/// `{GATEWAY_CLASS_NAME}`).
const GATEWAY_CLASS: &str = "gateway-conformance";

/// The Secrets the suite creates in Go after the base manifests
/// (conformance/utils/suite/suite.go lines 398-440 at 4564255a): the
/// certificates the HTTPS and TLS listeners and the TLS backends name.
const SUITE_SECRETS: &[(&str, &str)] = &[
    ("gateway-conformance-web-backend", "certificate"),
    (
        "gateway-conformance-infra",
        "tls-validity-checks-certificate",
    ),
    (
        "gateway-conformance-infra",
        "tls-validity-checks-client-certificate",
    ),
    (
        "gateway-conformance-infra",
        "tls-validity-checks-per-port-client-certificate",
    ),
    ("gateway-conformance-infra", "tls-checks-certificate"),
    ("gateway-conformance-infra", "tls-checks-client-certificate"),
    (
        "gateway-conformance-infra",
        "tls-passthrough-checks-certificate",
    ),
    (
        "gateway-conformance-app-backend",
        "tls-passthrough-checks-certificate",
    ),
    (
        "gateway-conformance-infra",
        "tls-terminate-checks-certificate",
    ),
];

/// Routes a test creates in Go, not in its YAML: (test, the route as
/// YAML). Both are applied a second after the YAML's route,
/// so they are newer (`creationTimestamp` one second later than the
/// YAML's, which the harness sets to the same instant for every document).
const CREATED_IN_GO: &[(&str, &str)] = &[
    // conformance/tests/tcproute-multiple-routes-attachment.go (blob
    // 5f39aa95f3732dc1479b784daa144256238b23cc) lines 55, 65-89.
    (
        "TCPRouteMultipleRoutesAttachment",
        "apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: tcproute-attach-newer, namespace: gateway-conformance-infra, creationTimestamp: '2026-01-01T00:00:01Z'}
spec:
  parentRefs: [{name: tcp-multi-route-attach-gateway, sectionName: tcp}]
  rules: [{backendRefs: [{name: tcp-attach-backend-2, port: 3000}]}]
",
    ),
    // conformance/tests/udproute-multiple-routes-attachment.go (blob
    // ad2d651c4bcd74d71c36327697e3ad1d5b82a8c5) lines 57, 68-92.
    (
        "UDPRouteMultipleRoutesAttachment",
        "apiVersion: gateway.networking.k8s.io/v1alpha2
kind: UDPRoute
metadata: {name: udproute-attach-newer, namespace: gateway-conformance-infra, creationTimestamp: '2026-01-01T00:00:01Z'}
spec:
  parentRefs: [{name: udp-multi-route-attach-gateway, sectionName: udp}]
  rules: [{backendRefs: [{name: udp-attach-backend-2, port: 8080}]}]
",
    ),
];

/// The instant every document of the YAML is created at (the API server
/// sets `creationTimestamp`; only the order matters).
const CREATED: &str = "2026-01-01T00:00:00Z";

/// One transcribed document: its text and its parsed form.
#[derive(Clone)]
pub struct Doc {
    /// The YAML text.
    pub text: String,
    /// Parsed.
    pub value: Value,
}

/// Every transcribed document, by (upstream file name, first line, last line).
pub struct Transcribed(BTreeMap<(String, u64, u64), Doc>);

impl Transcribed {
    /// Reads `dir` (the `manifests/` folder).
    pub fn read(dir: &Path) -> Self {
        let mut docs = BTreeMap::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split("\n---\n").skip(1) {
                let (head, body) = part.split_once('\n').unwrap();
                let (file, lines) = head
                    .strip_prefix("# ")
                    .and_then(|h| h.split_once(" lines "))
                    .unwrap_or_else(|| panic!("{}: bad document head {head:?}", path.display()));
                let (a, b) = lines.split_once('-').unwrap();
                let value: Value = serde_saphyr::from_str(body)
                    .unwrap_or_else(|e| panic!("{file} lines {lines}: {e}"));
                let key = (file.to_owned(), a.parse().unwrap(), b.parse().unwrap());
                docs.insert(
                    key,
                    Doc {
                        text: body.to_owned(),
                        value,
                    },
                );
            }
        }
        Self(docs)
    }

    /// The documents fixture `fx` names, base first, in the order listed.
    pub fn of(&self, fx: &Value) -> Vec<Doc> {
        let m = &fx["manifests"];
        let files = std::iter::once(&m["base"]).chain(m["test"].as_array().unwrap());
        let mut out = Vec::new();
        for f in files {
            let file = f["file"].as_str().unwrap();
            for d in f["documents"].as_array().unwrap() {
                let l = d["lines"].as_array().unwrap();
                let key = (
                    file.to_owned(),
                    l[0].as_u64().unwrap(),
                    l[1].as_u64().unwrap(),
                );
                let doc = self
                    .0
                    .get(&key)
                    .unwrap_or_else(|| panic!("{file} lines {l:?} not transcribed"));
                assert_eq!(doc.value["kind"], d["kind"], "{file} lines {l:?}");
                assert_eq!(
                    doc.value["metadata"]["name"], d["name"],
                    "{file} lines {l:?}"
                );
                out.push(doc.clone());
            }
        }
        out
    }
}

/// The input podnet reads for fixture `short` with documents `docs`: the
/// suite's GatewayClass and creation time, its Secrets, and the routes
/// the test creates in Go.
pub fn input(short: &str, docs: &[Doc]) -> String {
    let mut out = String::new();
    for d in docs {
        let text = d.text.replace("{GATEWAY_CLASS_NAME}", GATEWAY_CLASS);
        let text = text.replacen(
            "\nmetadata:\n",
            &format!("\nmetadata:\n  creationTimestamp: '{CREATED}'\n"),
            1,
        );
        out.push_str(&text);
        out.push_str("\n---\n");
    }
    let namespaces: Vec<&Value> = docs
        .iter()
        .filter(|d| d.value["kind"] == "Namespace")
        .map(|d| &d.value["metadata"]["name"])
        .collect();
    for (ns, name) in SUITE_SECRETS {
        if !namespaces.iter().any(|n| n.as_str() == Some(ns)) {
            continue;
        }
        out.push_str(&format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: {name}, namespace: {ns}}}\ntype: kubernetes.io/tls\n---\n"
        ));
    }
    for (test, route) in CREATED_IN_GO {
        if *test == short {
            out.push_str(route);
            out.push_str("---\n");
        }
    }
    out
}
