//! The Kubernetes DNS-Based Service Discovery specification (kubernetes/dns
//! `docs/specification.md` at 9aa70b8f97dc751445a7370960cd45e411506003,
//! schema 1.1.0), section by section, and the DNS rules it relies on, as
//! questions to podnet's cluster DNS ([`Dataplane::dns_query`]): one row per
//! rule, each citing its section. Regression tests for issue 20's DNS
//! differences are marked so.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::build;
use podnet_dataplane::dns::Answer;
use podnet_dataplane::dns::message::{
    DnsServerConfig, Rcode, RecordData, RecordType, reverse_address, reverse_name,
};
use podnet_model::DnsPodsMode;

/// Namespace `a`: a ClusterIP Service `web` (10.96.0.50, port http/80), a
/// headless Service `db` over two pods (one named by `hostname`/`subdomain`,
/// one not), a headless Service `raw` without selector or ports whose
/// EndpointSlice names one endpoint and leaves the other nameless, a
/// headless Service `gone` whose only endpoint is not ready, ExternalName
/// Services into (`alias`) and out of (`far`) the cluster.
const CLUSTER: &str = r#"
apiVersion: v1
kind: Service
metadata: {name: web, namespace: a}
spec:
  clusterIP: 10.96.0.50
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: a}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{name: sql, port: 5432, targetPort: 5432}]
---
apiVersion: v1
kind: Pod
metadata: {name: db-0, namespace: a, labels: {app: db}}
spec:
  hostname: db-0
  subdomain: db
  nodeName: node-1
  containers: [{name: db, image: postgres}]
status: {podIP: 10.244.0.20}
---
apiVersion: v1
kind: Pod
metadata: {name: helper, namespace: a, labels: {app: db}}
spec:
  nodeName: node-1
  containers: [{name: db, image: postgres}]
status: {podIP: 10.244.0.21}
---
apiVersion: v1
kind: Service
metadata: {name: raw, namespace: a}
spec:
  clusterIP: None
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: raw-1, namespace: a, labels: {kubernetes.io/service-name: raw}}
addressType: IPv4
endpoints:
- {addresses: [10.1.0.5], hostname: named, conditions: {ready: true}}
- {addresses: [10.1.0.6], conditions: {ready: true}}
- {addresses: [10.1.0.7], hostname: sleepy, conditions: {ready: false}}
ports: [{name: http, port: 8080, protocol: TCP}]
---
apiVersion: v1
kind: Service
metadata: {name: gone, namespace: a}
spec:
  clusterIP: None
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: gone-1, namespace: a, labels: {kubernetes.io/service-name: gone}}
addressType: IPv4
endpoints:
- {addresses: [10.1.0.9], conditions: {ready: false}}
---
apiVersion: v1
kind: Service
metadata: {name: alias, namespace: a}
spec:
  type: ExternalName
  externalName: web.a.svc.cluster.local
---
apiVersion: v1
kind: Service
metadata: {name: far, namespace: a}
spec:
  type: ExternalName
  externalName: db.example.com
"#;

/// (rule, qname, qtype, rcode, answer as "TYPE data" sorted).
type Row = (
    &'static str,
    &'static str,
    &'static str,
    Rcode,
    &'static [&'static str],
);

const ROWS: &[Row] = &[
    (
        "spec 2.2 schema version",
        "dns-version.cluster.local.",
        "TXT",
        Rcode::NoError,
        &["TXT 1.1.0"],
    ),
    (
        "spec 2.3.1 ClusterIP A record",
        "web.a.svc.cluster.local.",
        "A",
        Rcode::NoError,
        &["A 10.96.0.50"],
    ),
    (
        "spec 2.3.1 + RFC 2308 §2.2: a ClusterIP name without IPv6 is NODATA",
        "web.a.svc.cluster.local.",
        "AAAA",
        Rcode::NoError,
        &[],
    ),
    (
        "spec 2.3.2 ClusterIP SRV for a named port",
        "_http._tcp.web.a.svc.cluster.local.",
        "SRV",
        Rcode::NoError,
        &["SRV 80 web.a.svc.cluster.local."],
    ),
    (
        "spec 2.3.3 ClusterIP PTR",
        "50.0.96.10.in-addr.arpa.",
        "PTR",
        Rcode::NoError,
        &["PTR web.a.svc.cluster.local."],
    ),
    (
        "spec 2.4.1 headless A: each ready endpoint",
        "db.a.svc.cluster.local.",
        "A",
        Rcode::NoError,
        &["A 10.244.0.20", "A 10.244.0.21"],
    ),
    (
        "issue 20, spec 2.4.1: per-endpoint name from the endpoint's hostname",
        "db-0.db.a.svc.cluster.local.",
        "A",
        Rcode::NoError,
        &["A 10.244.0.20"],
    ),
    (
        "issue 20, spec 2.4.1: system-assigned name (dashed address) of an endpoint without hostname",
        "10-244-0-21.db.a.svc.cluster.local.",
        "A",
        Rcode::NoError,
        &["A 10.244.0.21"],
    ),
    (
        "issue 20, spec 2.4.2: headless SRV targets exist (the endpoint names above)",
        "_sql._tcp.db.a.svc.cluster.local.",
        "SRV",
        Rcode::NoError,
        &[
            "SRV 5432 10-244-0-21.db.a.svc.cluster.local.",
            "SRV 5432 db-0.db.a.svc.cluster.local.",
        ],
    ),
    (
        "issue 20, spec 2.4.1: a headless Service without ports publishes its EndpointSlices",
        "raw.a.svc.cluster.local.",
        "A",
        Rcode::NoError,
        &["A 10.1.0.5", "A 10.1.0.6"],
    ),
    (
        "issue 20, spec 2.4.1: endpoint hostname from an EndpointSlice",
        "named.raw.a.svc.cluster.local.",
        "A",
        Rcode::NoError,
        &["A 10.1.0.5"],
    ),
    (
        "spec 2.4.1: a not-ready endpoint has no name",
        "sleepy.raw.a.svc.cluster.local.",
        "A",
        Rcode::NxDomain,
        &[],
    ),
    (
        "spec 2.4.2: SRV ports of a headless Service come from its endpoints",
        "_http._tcp.raw.a.svc.cluster.local.",
        "SRV",
        Rcode::NoError,
        &[
            "SRV 8080 10-1-0-6.raw.a.svc.cluster.local.",
            "SRV 8080 named.raw.a.svc.cluster.local.",
        ],
    ),
    (
        "spec 2.4.3 headless endpoint PTR",
        "5.0.1.10.in-addr.arpa.",
        "PTR",
        Rcode::NoError,
        &["PTR named.raw.a.svc.cluster.local."],
    ),
    (
        "issue 20, spec 2.4.1: a headless Service with no ready endpoint is NXDOMAIN",
        "gone.a.svc.cluster.local.",
        "A",
        Rcode::NxDomain,
        &[],
    ),
    (
        "spec 2.5 ExternalName CNAME",
        "far.a.svc.cluster.local.",
        "CNAME",
        Rcode::NoError,
        &["CNAME db.example.com."],
    ),
    (
        "issue 20, spec 2.5 + RFC 1034 §4.3.2: a CNAME into the cluster zone is followed",
        "alias.a.svc.cluster.local.",
        "A",
        Rcode::NoError,
        &["A 10.96.0.50", "CNAME web.a.svc.cluster.local."],
    ),
    (
        "issue 20, RFC 4592 §2.2.2 / RFC 8020: the zone apex exists (SOA)",
        "cluster.local.",
        "A",
        Rcode::NoError,
        &[],
    ),
    (
        "issue 20, RFC 4592 §2.2.2: svc.<zone> is an empty non-terminal",
        "svc.cluster.local.",
        "A",
        Rcode::NoError,
        &[],
    ),
    (
        "issue 20, RFC 4592 §2.2.2: <ns>.svc.<zone> of a namespace with Services",
        "a.svc.cluster.local.",
        "A",
        Rcode::NoError,
        &[],
    ),
    (
        "RFC 1034 §4.3.2: <ns>.svc.<zone> of a namespace without Services does not exist",
        "nobody.svc.cluster.local.",
        "A",
        Rcode::NxDomain,
        &[],
    ),
    (
        "issue 20, RFC 4592 §2.2.2: <ns>.pod.<zone> (pods insecure)",
        "a.pod.cluster.local.",
        "A",
        Rcode::NoError,
        &[],
    ),
    (
        "CoreDNS pods insecure: the address in the name",
        "10-244-0-99.a.pod.cluster.local.",
        "A",
        Rcode::NoError,
        &["A 10.244.0.99"],
    ),
    (
        "RFC 1034 §4.3.2: a name nothing defines",
        "nothing.a.svc.cluster.local.",
        "A",
        Rcode::NxDomain,
        &[],
    ),
];

fn config(pods: DnsPodsMode) -> DnsServerConfig {
    DnsServerConfig {
        pods,
        reverse_fallthrough: false,
    }
}

#[test]
fn specification_rows() {
    let dp = build(CLUSTER);
    let mut failures = Vec::new();
    for (rule, qname, qtype, rcode, want) in ROWS {
        let r = dp.dns_query(
            qname,
            RecordType::parse(qtype),
            config(DnsPodsMode::Insecure),
        );
        let mut got: Vec<String> = r
            .answer
            .iter()
            .map(|rr| {
                let data = match &rr.data {
                    RecordData::Address(ip) => ip.to_string(),
                    RecordData::Srv { port, target, .. } => format!("{port} {target}"),
                    RecordData::Ptr(t) | RecordData::Cname(t) | RecordData::Txt(t) => t.clone(),
                    RecordData::Soa { mname, .. } => mname.clone(),
                };
                format!("{} {data}", rr.rtype().name())
            })
            .collect();
        got.sort();
        if r.rcode != *rcode || got != *want {
            failures.push(format!(
                "{rule}: {qname} {qtype}: want {rcode:?} {want:?}, got {:?} {got:?}",
                r.rcode
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

// CoreDNS `pods verified` answers only addresses of pods in that namespace;
// `pods disabled` answers no pod name and no `<ns>.pod` name.
#[test]
fn pod_modes() {
    let dp = build(CLUSTER);
    let ask = |name: &str, mode| dp.dns_query(name, RecordType::A, config(mode)).rcode;
    let cases = [
        (
            "10-244-0-21.a.pod.cluster.local",
            DnsPodsMode::Verified,
            Rcode::NoError,
        ),
        (
            "10-244-0-99.a.pod.cluster.local",
            DnsPodsMode::Verified,
            Rcode::NxDomain,
        ),
        (
            "10-244-0-21.a.pod.cluster.local",
            DnsPodsMode::Disabled,
            Rcode::NxDomain,
        ),
        (
            "a.pod.cluster.local",
            DnsPodsMode::Disabled,
            Rcode::NxDomain,
        ),
        (
            "10-244-0-99.a.pod.cluster.local",
            DnsPodsMode::Insecure,
            Rcode::NoError,
        ),
    ];
    for (name, mode, want) in cases {
        assert_eq!(ask(name, mode), want, "{name} with pods {mode:?}");
    }
}

// The trace resolver shares the names: the issue's differences as `trace`
// sees them.
#[test]
fn trace_lookup_follows_the_same_names() {
    let dp = build(CLUSTER);
    assert_eq!(dp.lookup("gone.a.svc.cluster.local"), None);
    assert_eq!(dp.lookup("a.svc.cluster.local"), Some(Answer::NoData));
    assert!(matches!(
        dp.lookup("named.raw.a.svc.cluster.local"),
        Some(Answer::Endpoints { .. })
    ));
    // The CNAME into the cluster is followed: the last query is the
    // Service's ClusterIP.
    let r = dp.resolve_name("alias.a.svc.cluster.local.", None);
    assert!(
        matches!(r.answer(), Some(Answer::ClusterIp { .. })),
        "{r:?}"
    );
    assert_eq!(r.queries.len(), 2);
}

#[test]
fn reverse_names_round_trip() {
    for ip in ["10.96.0.50", "fd00:77:30::2:9ba6"] {
        let ip = ip.parse().unwrap();
        assert_eq!(reverse_address(&reverse_name(ip)), Some(ip));
    }
}
