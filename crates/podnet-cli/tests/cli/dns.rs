//! `podnet dns`: the real binary asks the modelled cluster DNS as a pod's
//! resolver would (search path, ndots), in text and JSON
//! (docs/dns-json.md), with SRV targets that resolve (kubernetes/dns
//! specification 2.4.1/2.4.2) and PTR for Service addresses (2.3.3).

use crate::support::{json, podnet};

/// Snapshot name, then the arguments after `dns`.
const CASES: [(&str, &[&str]); 5] = [
    // A short name through the search path: the first suffix answers.
    (
        "nrf-short-name",
        &["nrf", "examples/telecom", "--from", "telecom-5g-core/amf"],
    ),
    // Headless SRV: one target per ready StatefulSet pod, each named by
    // its hostname; the target itself answers.
    (
        "nrf-srv",
        &[
            "_sbi._tcp.nrf.telecom-5g-core.svc.cluster.local.",
            "examples/telecom",
            "--type",
            "SRV",
        ],
    ),
    (
        "nrf-0-endpoint-name",
        &[
            "nrf-0.nrf.telecom-5g-core.svc.cluster.local.",
            "examples/telecom",
        ],
    ),
    // An empty non-terminal: NOERROR without data (RFC 4592 §2.2.2).
    (
        "namespace-empty-non-terminal",
        &["telecom-5g-core.svc.cluster.local.", "examples/telecom"],
    ),
    // A name outside the cluster domain: every search candidate, then
    // forwarded.
    (
        "outside-forwarded",
        &[
            "example.com",
            "examples/telecom",
            "--from",
            "telecom-5g-core/amf",
        ],
    ),
];

#[test]
fn dns_text_and_json_snapshots() {
    for (name, args) in CASES {
        for (format, suffix) in [("txt", "txt"), ("json", "json")] {
            let mut all = vec!["dns"];
            all.extend_from_slice(args);
            all.extend_from_slice(&["-o", format, "-q"]);
            let run = podnet(&all);
            assert_eq!(run.code, 0, "{name}: {}", run.stderr);
            insta::assert_snapshot!(format!("dns-{name}-{suffix}"), run.stdout);
        }
    }
}

#[test]
fn an_address_asks_its_ptr() {
    let srv = json(&podnet(&[
        "dns",
        "nrf.telecom-5g-core.svc.cluster.local.",
        "examples/telecom",
        "-o",
        "json",
        "-q",
    ]));
    let first = srv["queries"][0]["answer"][0]["data"]
        .as_str()
        .unwrap()
        .to_owned();
    let run = podnet(&["dns", &first, "examples/telecom", "-o", "json", "-q"]);
    let doc = json(&run);
    assert_eq!(doc["schema"], "podnet.dns/v1");
    let q = &doc["queries"][0];
    assert_eq!(q["qtype"], "PTR");
    assert_eq!(q["rcode"], "NOERROR");
    // Spec 2.4.3: the PTR of a headless endpoint is the endpoint's name,
    // the same name its SRV record targets (2.4.2).
    let srv = json(&podnet(&[
        "dns",
        "_sbi._tcp.nrf.telecom-5g-core.svc.cluster.local.",
        "examples/telecom",
        "--type",
        "SRV",
        "-o",
        "json",
        "-q",
    ]));
    let target = srv["queries"][0]["answer"][0]["data"]
        .as_str()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(q["answer"][0]["data"], target.as_str());
}

#[test]
fn from_must_name_a_pod() {
    let run = podnet(&[
        "dns",
        "nrf",
        "examples/telecom",
        "--from",
        "telecom-5g-core/nope",
        "-q",
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--from"), "{}", run.stderr);
}
