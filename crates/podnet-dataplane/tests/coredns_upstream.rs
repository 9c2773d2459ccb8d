//! CoreDNS's own kubernetes-plugin tests, replayed against podnet's cluster
//! DNS. The cases are transcribed in `tests/fixtures/upstream/coredns/`
//! (coredns/coredns@4b26cced32717eac6dd725e308d7415c8b9db147,
//! `plugin/kubernetes/*_test.go`; see that folder's README for the schema
//! and provenance): each test's mock cluster is loaded as manifests, each
//! question is asked with [`Dataplane::dns_query`], and the response code
//! and answer section are compared as `test.SortAndCheck` compares them
//! (owner exactly, type, address / SRV port and target / PTR / CNAME / TXT /
//! SOA MNAME; names in record data case-insensitively; TTL, SRV priority and
//! weight are left to the implementation by the specification and are not
//! compared).
//!
//! Rows are skipped explicitly, and counted, when CoreDNS goes beyond the
//! Kubernetes DNS specification (`spec.beyond_spec`, reasons listed in
//! docs/dataplane.md), when upstream never asserts them, or when the answer
//! comes from an upstream resolver stub podnet does not model. Every other
//! row must agree: a row failing here is a podnet bug.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use podnet_dataplane::Dataplane;
use podnet_dataplane::dns::message::{DnsResponse, DnsServerConfig, Rcode, RecordData, RecordType};
use podnet_model::{DnsPodsMode, ProfileSpec};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/upstream/coredns")
}

fn read(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_default()
}

/// The mock cluster as a dataplane with `domain` as the cluster domain.
fn dataplane(cluster: &Path, domain: &str) -> Dataplane {
    let mock = read(cluster);
    let text = mock["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| serde_saphyr::to_string(m).unwrap())
        .collect::<Vec<_>>()
        .join("\n---\n");
    let loaded = podnet_manifest::load_files(
        &[podnet_manifest::SourceFile {
            name: cluster.display().to_string().into(),
            text: text.into(),
        }],
        Vec::new(),
        podnet_manifest::LoadOptions::default(),
    );
    for d in loaded.diagnostics.iter().filter(|d| d.is_error()) {
        eprintln!("{}: {d:?}", cluster.display());
    }
    // The mocks' ClusterIPs (10.0.0.0/24, 192.168.1.100, 1234:abcd::1,
    // 10::3) are in no common service range: every address is allowed.
    let profile = ProfileSpec {
        cluster_domain: Some(domain.to_owned()),
        service_cidrs: Some(vec!["0.0.0.0/0".parse().unwrap(), "::/0".parse().unwrap()]),
        ..ProfileSpec::default()
    };
    Dataplane::build(&loaded.cluster, Some(&profile))
}

/// Rows whose mock is not a cluster the API server would accept, so podnet
/// (which models the API server's checks) cannot hold it: (file, line,
/// reason).
const INVALID_MOCK: &[(&str, u64, &str)] = &[(
    "plugin/kubernetes/handler_test.go",
    35,
    "the mock gives svcempty the ClusterIP 10.0.0.1 of svc1; the API server allocates an address once",
)];

/// What one row's outcome was.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Clone, Copy)]
enum Outcome {
    Agrees,
    Differs,
    SkippedBeyondSpec,
    SkippedNotAsserted,
    SkippedUpstreamStub,
    SkippedInvalidMock,
}

/// The answer section in a comparable form: (owner, type, data).
fn ours(r: &DnsResponse) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = r
        .answer
        .iter()
        .map(|rr| {
            let data = match &rr.data {
                RecordData::Address(ip) => ip.to_string(),
                RecordData::Srv { port, target, .. } => {
                    format!("{port} {}", target.to_ascii_lowercase())
                }
                RecordData::Ptr(t) | RecordData::Cname(t) => t.to_ascii_lowercase(),
                RecordData::Txt(t) => t.clone(),
                RecordData::Soa { mname, .. } => mname.to_ascii_lowercase(),
            };
            (rr.owner.clone(), rr.rtype().name().to_owned(), data)
        })
        .collect();
    v.sort();
    v
}

fn theirs(expect: &Value) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = expect["answer"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|rr| {
            let rtype = s(rr, "type").to_owned();
            let rdata = s(rr, "rdata");
            let fields: Vec<&str> = rdata.split_whitespace().collect();
            let data = match rtype.as_str() {
                "A" | "AAAA" => rdata.parse::<IpAddr>().unwrap().to_string(),
                "SRV" => format!("{} {}", fields[2], fields[3].to_ascii_lowercase()),
                "SOA" => fields[0].to_ascii_lowercase(),
                "TXT" => rdata.trim_matches('"').to_owned(),
                _ => rdata.to_ascii_lowercase(),
            };
            (s(rr, "owner").to_owned(), rtype, data)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn coredns_kubernetes_plugin_cases() {
    let mut counts: BTreeMap<Outcome, usize> = BTreeMap::new();
    let mut differences = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    for file in files {
        let doc = read(&file);
        let commit = s(&doc["source"], "commit");
        let upstream = s(&doc["source"], "file");
        for test in doc["tests"].as_array().unwrap() {
            if s(test, "kind") != "serve-dns" {
                continue;
            }
            let plugin = &test["plugin"];
            let zones: Vec<&str> = plugin["zones"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
                .collect();
            let domain = zones
                .iter()
                .find(|z| !z.ends_with(".arpa."))
                .unwrap()
                .trim_end_matches('.');
            let dp = dataplane(&fixtures().join(s(test, "cluster")), domain);
            let pods = DnsPodsMode::ALL
                .iter()
                .find(|(n, _)| *n == s(plugin, "pods"))
                .map(|(_, m)| *m)
                .unwrap();
            // No test sets `fallthrough`: a reverse name it does not know
            // is NXDOMAIN.
            let cfg = DnsServerConfig {
                pods,
                reverse_fallthrough: false,
            };
            for case in test["cases"].as_array().unwrap() {
                let q = &case["question"];
                let qname = q["qname_fqdn"].as_str().unwrap_or_else(|| s(q, "qname"));
                let name = format!(
                    "{upstream}@{} {} line {} ({} {qname})",
                    &commit[..12],
                    s(test, "function"),
                    case["line"],
                    s(q, "qtype"),
                );
                let outcome = if case["spec"]["beyond_spec"] == Value::Bool(true) {
                    Outcome::SkippedBeyondSpec
                } else if case["asserted"] == Value::Bool(false) {
                    Outcome::SkippedNotAsserted
                } else if !case["upstream_stub"].is_null() {
                    Outcome::SkippedUpstreamStub
                } else if INVALID_MOCK
                    .iter()
                    .any(|(f, l, _)| *f == upstream && case["line"].as_u64() == Some(*l))
                {
                    Outcome::SkippedInvalidMock
                } else {
                    let r = dp.dns_query(qname, RecordType::parse(s(q, "qtype")), cfg);
                    let want_rcode = s(&case["expect"], "rcode");
                    let rcode_ok = match r.rcode {
                        Rcode::NoError => want_rcode == "NOERROR",
                        Rcode::NxDomain => want_rcode == "NXDOMAIN",
                    };
                    let (got, want) = (ours(&r), theirs(&case["expect"]));
                    if rcode_ok && got == want {
                        Outcome::Agrees
                    } else {
                        differences.push(format!(
                            "{name}: want {want_rcode} {want:?}, got {} {got:?}",
                            r.rcode.name()
                        ));
                        Outcome::Differs
                    }
                };
                *counts.entry(outcome).or_default() += 1;
            }
        }
    }
    eprintln!("CoreDNS kubernetes-plugin cases: {counts:?}");
    // The figures docs/dataplane.md states; a change here is a change there.
    assert_eq!(counts.get(&Outcome::Agrees), Some(&68), "{counts:?}");
    assert_eq!(
        counts.get(&Outcome::SkippedBeyondSpec),
        Some(&69),
        "{counts:?}"
    );
    for d in &differences {
        eprintln!("DIFFERS {d}");
    }
    assert!(
        differences.is_empty(),
        "{} rows differ from CoreDNS (see stderr)",
        differences.len()
    );
}
