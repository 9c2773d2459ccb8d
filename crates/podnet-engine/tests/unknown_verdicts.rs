//! Three-valued verdicts ([`Verdict::unknown`]): where a rule's peer meets
//! what the input does not say, the spec neither allows nor denies for sure.
//!
//! API reference (networking.k8s.io/v1, NetworkPolicyPeer):
//! `namespaceSelector` "selects namespaces using cluster-scoped labels",
//! so a namespace without a Namespace object in the input has unknown
//! labels (only `kubernetes.io/metadata.name`, which the API server sets,
//! is known); `ipBlock` "describes a particular CIDR", matched against the
//! pod's address, so a pod whose address podnet assumed may fall on
//! either side of it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use podnet_engine::semantics::evaluate;
use podnet_engine::{Endpoint, Unknown};
use podnet_manifest::{LoadOptions, SourceFile, load_files};
use podnet_model::{Cluster, Conns, PodId, PortSet, Protocol};

fn load(yaml: &str) -> Cluster {
    let files = [SourceFile {
        name: "t.yaml".into(),
        text: yaml.into(),
    }];
    let loaded = load_files(&files, Vec::new(), LoadOptions::default());
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    loaded.cluster
}

fn pod(c: &Cluster, ns_name: &str) -> PodId {
    c.pod_ids()
        .find(|&p| c.pod_name(p) == ns_name)
        .unwrap_or_else(|| panic!("no pod {ns_name}"))
}

/// `ns` gets `client`, `server` gets a Namespace object and a policy.
fn manifests(namespace_object: bool, peer: &str) -> String {
    let ns = if namespace_object {
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {team: x}}\n---\n"
    } else {
        ""
    };
    format!(
        "{ns}apiVersion: v1
kind: Pod
metadata: {{name: client, namespace: a, labels: {{app: client}}}}
spec: {{containers: [{{name: c, image: c}}]}}
---
apiVersion: v1
kind: Pod
metadata: {{name: server, namespace: b, labels: {{app: server}}}}
spec: {{containers: [{{name: s, image: s, ports: [{{containerPort: 80}}]}}]}}
status: {{podIP: 10.244.2.10}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: p, namespace: b}}
spec:
  podSelector: {{matchLabels: {{app: server}}}}
  ingress: [{{from: [{peer}], ports: [{{port: 80}}]}}]
"
    )
}

fn tcp80() -> Conns {
    Conns::ports_of(Protocol::Tcp, PortSet::single(80))
}

struct Row {
    /// What the row checks, with the rule it rests on.
    what: &'static str,
    namespace_object: bool,
    peer: &'static str,
    /// The client's address, and whether podnet assumed it.
    client_ip: Option<(&'static str, bool)>,
    /// The pod CIDRs the profile writes (`Cluster::pod_cidrs`).
    pod_cidrs: &'static [&'static str],
    /// Allowed for sure, unknown.
    expected: (Conns, Conns),
    reason: Option<&'static str>,
}

#[test]
fn undecidable_peers_make_unknown_verdicts() {
    let rows = [
        Row {
            what: "namespaceSelector on a label of a namespace the input does not declare",
            namespace_object: false,
            peer: "{namespaceSelector: {matchLabels: {team: x}}}",
            client_ip: None,
            pod_cidrs: &[],
            expected: (Conns::none(), tcp80()),
            reason: Some("undeclared_namespace"),
        },
        Row {
            what: "the same selector, the Namespace declared with the label: allowed",
            namespace_object: true,
            peer: "{namespaceSelector: {matchLabels: {team: x}}}",
            client_ip: None,
            pod_cidrs: &[],
            expected: (tcp80(), Conns::none()),
            reason: None,
        },
        Row {
            what: "kubernetes.io/metadata.name is set by the API server: known without the object",
            namespace_object: false,
            peer: "{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: a}}}",
            client_ip: None,
            pod_cidrs: &[],
            expected: (tcp80(), Conns::none()),
            reason: None,
        },
        Row {
            what: "the pod's labels decide a miss whatever the namespace's labels",
            namespace_object: false,
            peer: "{namespaceSelector: {matchLabels: {team: x}}, podSelector: {matchLabels: {app: other}}}",
            client_ip: None,
            pod_cidrs: &[],
            expected: (Conns::none(), Conns::none()),
            reason: None,
        },
        Row {
            what: "ipBlock against an address podnet assumed",
            namespace_object: true,
            peer: "{ipBlock: {cidr: 10.244.0.0/16}}",
            client_ip: Some(("10.244.1.5", true)),
            pod_cidrs: &[],
            expected: (Conns::none(), tcp80()),
            reason: Some("assumed_address"),
        },
        Row {
            what: "ipBlock missing an assumed address: still unknown",
            namespace_object: true,
            peer: "{ipBlock: {cidr: 192.168.0.0/16}}",
            client_ip: Some(("10.244.1.5", true)),
            pod_cidrs: &[],
            expected: (Conns::none(), tcp80()),
            reason: Some("assumed_address"),
        },
        Row {
            what: "ipBlock against an address the input states",
            namespace_object: true,
            peer: "{ipBlock: {cidr: 10.244.0.0/16}}",
            client_ip: Some(("10.244.1.5", false)),
            pod_cidrs: &[],
            expected: (tcp80(), Conns::none()),
            reason: None,
        },
        Row {
            what: "0.0.0.0/0 holds every IPv4 address, assumed or not",
            namespace_object: true,
            peer: "{ipBlock: {cidr: 0.0.0.0/0}}",
            client_ip: Some(("10.244.1.5", true)),
            pod_cidrs: &[],
            expected: (tcp80(), Conns::none()),
            reason: None,
        },
        Row {
            what: "ipBlock outside the pod CIDRs the profile writes: no address the pod can have matches it",
            namespace_object: true,
            peer: "{ipBlock: {cidr: 192.168.0.0/16}}",
            client_ip: Some(("10.244.1.5", true)),
            pod_cidrs: &["10.244.0.0/16"],
            expected: (Conns::none(), Conns::none()),
            reason: None,
        },
        Row {
            what: "ipBlock holding the pod CIDRs the profile writes: every address the pod can have matches it",
            namespace_object: true,
            peer: "{ipBlock: {cidr: 10.0.0.0/8}}",
            client_ip: Some(("10.244.1.5", true)),
            pod_cidrs: &["10.244.0.0/16", "fd00:10:244::/56"],
            expected: (tcp80(), Conns::none()),
            reason: None,
        },
        Row {
            what: "an except inside the pod CIDRs splits them: still unknown",
            namespace_object: true,
            peer: "{ipBlock: {cidr: 10.0.0.0/8, except: [10.244.2.0/24]}}",
            client_ip: Some(("10.244.1.5", true)),
            pod_cidrs: &["10.244.0.0/16"],
            expected: (Conns::none(), tcp80()),
            reason: Some("assumed_address"),
        },
        Row {
            what: "ipBlock inside the pod CIDRs: the real address may fall on either side",
            namespace_object: true,
            peer: "{ipBlock: {cidr: 10.244.1.0/24}}",
            client_ip: Some(("10.244.1.5", true)),
            pod_cidrs: &["10.244.0.0/16"],
            expected: (Conns::none(), tcp80()),
            reason: Some("assumed_address"),
        },
    ];
    for row in rows {
        let mut cluster = load(&manifests(row.namespace_object, row.peer));
        cluster.pod_cidrs = row.pod_cidrs.iter().map(|c| c.parse().unwrap()).collect();
        let (client, server) = (pod(&cluster, "a/client"), pod(&cluster, "b/server"));
        if let Some((ip, assumed)) = row.client_ip {
            let p = &mut cluster.pods[client.index()];
            p.ips = vec![ip.parse().unwrap()];
            p.ips_assumed = assumed;
        }
        let v = evaluate(&cluster, Endpoint::Pod(client), Endpoint::Pod(server));
        let sure = v.conns.difference(&v.unknown);
        assert_eq!((sure, v.unknown.clone()), row.expected, "{}", row.what);
        let reasons: Vec<&str> = v
            .ingress
            .undecided
            .iter()
            .map(|u| match u.reason {
                Unknown::AssumedAddress { .. } => "assumed_address",
                Unknown::UndeclaredNamespace { .. } => "undeclared_namespace",
                Unknown::NamedPort { .. } => "named_port",
            })
            .collect();
        assert_eq!(
            reasons,
            row.reason.into_iter().collect::<Vec<_>>(),
            "{}",
            row.what
        );
    }
}

/// A rule that allows for sure through another peer is decided, whatever
/// its undecided peers: peers are ORed (API reference, NetworkPolicyIngressRule
/// `from`: "traffic is allowed if it matches at least one item").
#[test]
fn a_peer_that_matches_for_sure_decides_the_rule() {
    let yaml = manifests(
        false,
        "{namespaceSelector: {matchLabels: {team: x}}}, {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: a}}}",
    );
    let cluster = load(&yaml);
    let (client, server) = (pod(&cluster, "a/client"), pod(&cluster, "b/server"));
    let v = evaluate(&cluster, Endpoint::Pod(client), Endpoint::Pod(server));
    assert_eq!(v.conns, tcp80());
    assert!(v.unknown.is_empty(), "{:?}", v.ingress.undecided);
}
