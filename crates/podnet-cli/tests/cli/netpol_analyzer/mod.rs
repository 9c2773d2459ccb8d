//! np-guard/netpol-analyzer's own connlist golden outputs, compared with
//! podnet's (issue 17). The cases, inputs and txt goldens are vendored in
//! `tests/fixtures/upstream/netpol-analyzer/` from np-guard/netpol-analyzer
//! at e54a33430edb4a86f077544a5d15afb050e8a3c3 (`goodPathTests`,
//! `pkg/netpol/connlist/connlist_test.go` lines 993-2462; Apache-2.0, see
//! that folder's LICENSE and ../README.md).
//!
//! Every case runs `podnet connlist -o json --host-network=pod
//! --pod-addresses=declared --lenient` (the options that read inputs as
//! netpol-analyzer does, docs/semantics.md "Choices podnet makes") on the
//! case's input folder. Both outputs become sets of facts ([`sets`]):
//! the connections of each workload pair, and of each workload with each
//! IPv4 address outside. netpol-analyzer's workload names are mapped to
//! podnet's ([`names`]); its focus options are applied to podnet's full
//! list here ([`focus`]), because podnet's `--focus-workload` takes one
//! workload by namespace and name, not several by bare name, peers,
//! direction or connection.
//!
//! A case must agree unless [`DIFFERENCES`] lists it, with the choice or
//! limitation of docs/semantics.md that explains it; a listed case must
//! still differ, so the table stays true.

mod focus;
mod names;
mod sets;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use crate::support::{podnet, root};

/// The fixture folder, relative to the workspace root.
const FIXTURES: &str = "tests/fixtures/upstream/netpol-analyzer";

/// Cases indexed in `cases.yaml` whose files are not vendored.
const NOT_VENDORED: &[(&str, &str)] = &[(
    "ipblockstest_4",
    "its txt golden is 2,643,739 bytes (23,943 rows); ipblockstest, _2 and _3 cover the same ipBlocks input shape",
)];

/// A case podnet answers differently, and why.
struct Difference {
    /// The case (`cases[].name`).
    case: &'static str,
    /// Why, in a few words.
    reason: &'static str,
    /// Text of docs/semantics.md that documents it (compared with runs of
    /// white space as one space).
    documented_by: &'static str,
}

const SELECTOR_MISMATCH: &str = "a workload whose `selector` does not match its template's labels";
const OWNER_WITHOUT_KIND: &str = "an ownerReference without `kind`";
const TAB_IN_FLOW: &str = "Limitation: a TAB at the start of a line inside a flow collection.";

/// Cases where podnet's answer differs from netpol-analyzer's golden.
const DIFFERENCES: &[Difference] = &[
    Difference {
        case: "minikube_resources",
        reason: "the two ingress-nginx admission Job pods are `Succeeded`: podnet gives finished pods no network, netpol-analyzer never reads the phase",
        documented_by: "**Finished pods.**",
    },
    Difference {
        case: "anp_test_1_deny_traffic_at_cluster_level",
        reason: "Deployment sensitive-ns/sensitive's selector (app=sensitive) does not match its template (app=bar): the API server rejects it, podnet skips it even with --lenient",
        documented_by: SELECTOR_MISMATCH,
    },
    Difference {
        case: "anp_test_2_allow_traffic_at_cluster_level",
        reason: "Deployment monitoring-ns/monitoring's selector does not match its template: skipped",
        documented_by: SELECTOR_MISMATCH,
    },
    Difference {
        case: "anp_test_ingress_egress_intersection",
        reason: "Deployment monitoring-ns/monitoring's selector does not match its template: skipped",
        documented_by: SELECTOR_MISMATCH,
    },
    Difference {
        case: "anp_test_named_ports_multiple_peers",
        reason: "AdminNetworkPolicy egress-peer-1 names port `dns` in a rule whose peer is `networks`: skipped (a port of which pod?)",
        documented_by: "a named port in an admin rule whose peers are `networks`",
    },
    Difference {
        case: "acs-security-demos-added-workloads_focus_workload_backend_recommendation",
        reason: "frontend/webapp/deployment.yaml starts a line of a flow sequence with a TAB: podnet's YAML parser refuses the Deployment, go-yaml accepts it",
        documented_by: TAB_IN_FLOW,
    },
    Difference {
        case: "acs-security-demos-added-workloads_focus_workload_backend_recommendation_ingress",
        reason: "Deployment frontend/webapp skipped (TAB in a flow sequence)",
        documented_by: TAB_IN_FLOW,
    },
    Difference {
        case: "acs-security-demos-added-workloads_focus_workload_ingress-controller",
        reason: "Deployment frontend/webapp skipped (TAB in a flow sequence), so no Route reaches it",
        documented_by: TAB_IN_FLOW,
    },
    Difference {
        case: "example_pods_w_same_owner_and_labels_gap_no_policy",
        reason: "Pods pod-1 and pod-2 have an ownerReference without apiVersion, kind or uid: skipped",
        documented_by: OWNER_WITHOUT_KIND,
    },
    Difference {
        case: "example_pods_w_same_owner_and_labels_gap_with_policy_selector_not_in_gap",
        reason: "ownerReference without kind: pods skipped",
        documented_by: OWNER_WITHOUT_KIND,
    },
    Difference {
        case: "example_pods_w_same_owner_and_labels_gap_anp_good",
        reason: "ownerReference without kind: pods skipped",
        documented_by: OWNER_WITHOUT_KIND,
    },
    Difference {
        case: "example_pods_w_same_owner_and_labels_gap_with_good_match_expression",
        reason: "ownerReference without kind: pods skipped",
        documented_by: OWNER_WITHOUT_KIND,
    },
    Difference {
        case: "example_pods_w_same_owner_and_labels_gap_banp_good",
        reason: "ownerReference without kind: pods skipped",
        documented_by: OWNER_WITHOUT_KIND,
    },
    Difference {
        case: "example_pods_w_same_owner_and_labels_gap_with_good_match_expression2",
        reason: "ownerReference without kind: pods skipped",
        documented_by: OWNER_WITHOUT_KIND,
    },
];

fn fixtures() -> PathBuf {
    root().join(FIXTURES)
}

/// The `cases.yaml` index.
fn index() -> Value {
    let path = fixtures().join("cases.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `--focus-conn` (`<protocol>-<port>`) as a connection set and its parts.
fn focus_conn(options: &Value) -> Option<(String, u32)> {
    let text = options["focus_conn"].as_str().filter(|s| !s.is_empty())?;
    let (proto, port) = text.split_once('-').unwrap();
    Some((proto.to_uppercase(), port.parse().unwrap()))
}

/// podnet's and netpol-analyzer's facts differ: how (empty when they agree).
fn compare(case: &Value) -> Vec<String> {
    let input = case["input"].as_str().unwrap();
    let options = &case["options"];
    let dir = format!("{FIXTURES}/tests/{input}");
    let run = podnet(&[
        "connlist",
        "-o",
        "json",
        "-q",
        "--host-network=pod",
        "--pod-addresses=declared",
        "--lenient",
        &dir,
    ]);
    assert!(
        run.code == 0 || run.code == 2,
        "{input}: exit {}: {}",
        run.code,
        run.stderr
    );
    let json: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{input}: stdout is not JSON ({e}): {}", run.stderr));
    let golden = case["golden"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["format"] == "txt")
        .unwrap();
    let text = std::fs::read_to_string(fixtures().join(golden["path"].as_str().unwrap())).unwrap();
    let conn = focus_conn(options);
    let only: Option<sets::Conns> = conn
        .as_ref()
        .map(|(proto, port)| BTreeMap::from([(proto.clone(), vec![(*port, *port)])]));
    let names = names::Names::read(&root().join(&dir));
    let expected: Vec<sets::Row> = sets::golden(&text, only.as_ref())
        .into_iter()
        .map(|(s, d, c)| (names.podnet(s), names.podnet(d), c))
        .collect();
    let mut actual = focus::workloads(sets::podnet(&json), options, &names);
    if let (Some((proto, port)), Some(only)) = (&conn, &only) {
        actual = actual
            .into_iter()
            .filter(|(_, _, c)| sets::allows(c, proto, *port))
            .map(|(s, d, _)| (s, d, only.clone()))
            .collect();
    }
    sets::Facts::of(&expected).differences(&sets::Facts::of(&actual), 6)
}

#[test]
fn netpol_analyzer_goldens_agree_except_documented_choices() {
    let index = index();
    let cases = index["cases"].as_array().unwrap();
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let semantics = words(&std::fs::read_to_string(root().join("docs/semantics.md")).unwrap());
    let name = |c: &Value| c["name"].as_str().unwrap().to_owned();
    for d in DIFFERENCES {
        assert!(
            cases.iter().any(|c| name(c) == d.case),
            "{}: no such case",
            d.case
        );
        assert!(
            semantics.contains(&words(d.documented_by)),
            "{}: docs/semantics.md does not say {:?}",
            d.case,
            d.documented_by
        );
    }
    for (case, _) in NOT_VENDORED {
        assert!(
            cases.iter().any(|c| name(c) == *case),
            "{case}: no such case"
        );
    }
    let mut failures = Vec::new();
    let mut agree = 0;
    for case in cases {
        let n = name(case);
        if NOT_VENDORED.iter().any(|(c, _)| *c == n) {
            continue;
        }
        let diffs = compare(case);
        let listed = DIFFERENCES.iter().find(|d| d.case == n);
        match (diffs.is_empty(), listed) {
            (true, None) => agree += 1,
            (false, Some(_)) => {}
            (true, Some(d)) => failures.push(format!(
                "{n}: now agrees; remove it from DIFFERENCES (listed because {})",
                d.reason
            )),
            (false, None) => failures.push(format!("{n}: differs:\n  {}", diffs.join("\n  "))),
        }
    }
    let total = cases.len() - NOT_VENDORED.len();
    eprintln!(
        "netpol-analyzer: {agree} of {total} cases agree, {} listed differences",
        DIFFERENCES.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(agree + DIFFERENCES.len(), total);
}
