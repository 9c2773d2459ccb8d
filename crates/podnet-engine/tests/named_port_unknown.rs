//! Named ports asked of a workload whose pods do not all define them
//! alike are `unknown` (issue 17, point 5).
//!
//! API reference (networking.k8s.io/v1, NetworkPolicyPort): `port` "The
//! port on the given protocol. This can either be a numerical or named
//! port on a pod." The concept page
//! <https://kubernetes.io/docs/concepts/services-networking/network-policies/>
//! ("Targeting a range of ports" and the `ports` examples) resolves a
//! named port on each destination pod. A single pod's container ports are
//! a fact; a workload whose pods differ (a live dump during a rollout: old
//! pods define `http`, new ones do not, or give it another number) gives
//! different answers per pod, so the connections only some pods give are
//! `unknown` for the workload.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use podnet_engine::semantics::{evaluate, evaluate_workloads};
use podnet_engine::{Endpoint, Engine, Target, Unknown, explain, undecided_flows};
use podnet_manifest::{LoadOptions, SourceFile, load_files};
use podnet_model::{Cluster, Conns, PodId, PortSet, Protocol, WorkloadId};

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

fn workload(c: &Cluster, name: &str) -> WorkloadId {
    c.workload_ids()
        .find(|&w| c.workload(w).name == name)
        .unwrap_or_else(|| panic!("no workload {name}"))
}

/// Two pods of StatefulSet `web` with the container ports given, a client
/// pod, and `policy` (a NetworkPolicy spec) in namespace `x`.
fn manifests(ports0: &str, ports1: &str, policy: &str) -> String {
    let web = |i: usize, ports: &str| {
        format!(
            "apiVersion: v1
kind: Pod
metadata:
  name: web-{i}
  namespace: x
  labels: {{app: web}}
  ownerReferences: [{{apiVersion: apps/v1, kind: StatefulSet, name: web, uid: u1, controller: true}}]
spec: {{containers: [{{name: web, image: nginx, ports: {ports}}}]}}
status: {{phase: Running, podIP: 10.244.0.1{i}}}
---
"
        )
    };
    format!(
        "{}{}apiVersion: v1
kind: Pod
metadata: {{name: client, namespace: x, labels: {{app: client}}}}
spec: {{containers: [{{name: c, image: c}}]}}
status: {{phase: Running, podIP: 10.244.0.20}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: p, namespace: x}}
spec: {policy}
",
        web(0, ports0),
        web(1, ports1)
    )
}

fn tcp(ports: &[u16]) -> Conns {
    let mut c = Conns::none();
    for &p in ports {
        c.add(&Conns::ports_of(Protocol::Tcp, PortSet::single(p)));
    }
    c
}

const HTTP_8080: &str = "[{name: http, containerPort: 8080}]";
const INGRESS_HTTP: &str = "{podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress], ingress: [{ports: [{port: http}]}]}";

struct Row {
    /// What the row checks.
    what: &'static str,
    ports: (&'static str, &'static str),
    policy: &'static str,
    /// From client to workload `web`: allowed for sure, unknown.
    workload: (Conns, Conns),
    /// The named-port reasons: (name, defined_by, pods).
    reasons: &'static [(&'static str, usize, usize)],
}

#[test]
fn named_ports_the_workloads_pods_do_not_all_define_are_unknown() {
    let rows = [
        Row {
            what: "every pod defines http as 8080: decided",
            ports: (HTTP_8080, HTTP_8080),
            policy: INGRESS_HTTP,
            workload: (tcp(&[8080]), Conns::none()),
            reasons: &[],
        },
        Row {
            what: "one pod of two defines http: 8080 is unknown for the workload",
            ports: (HTTP_8080, "[{containerPort: 8080}]"),
            policy: INGRESS_HTTP,
            workload: (Conns::none(), tcp(&[8080])),
            reasons: &[("http", 1, 2)],
        },
        Row {
            what: "both define http with other numbers: both numbers are unknown",
            ports: (HTTP_8080, "[{name: http, containerPort: 9090}]"),
            policy: INGRESS_HTTP,
            workload: (Conns::none(), tcp(&[8080, 9090])),
            reasons: &[("http", 2, 2)],
        },
        Row {
            what: "the protocol must match too: http as UDP is not the rule's TCP http",
            ports: (
                HTTP_8080,
                "[{name: http, containerPort: 8080, protocol: UDP}]",
            ),
            policy: INGRESS_HTTP,
            workload: (Conns::none(), tcp(&[8080])),
            reasons: &[("http", 1, 2)],
        },
        Row {
            what: "the rule also lists 8080 by number: decided",
            ports: (HTTP_8080, "[]"),
            policy: "{podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress], ingress: [{ports: [{port: http}, {port: 8080}]}]}",
            workload: (tcp(&[8080]), Conns::none()),
            reasons: &[],
        },
        Row {
            what: "another rule allows 8080 for sure: decided",
            ports: (HTTP_8080, "[]"),
            policy: "{podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress], ingress: [{ports: [{port: http}]}, {ports: [{port: 8080}]}]}",
            workload: (tcp(&[8080]), Conns::none()),
            reasons: &[],
        },
        Row {
            what: "the peer does not match: nothing is open",
            ports: (HTTP_8080, "[]"),
            policy: "{podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress], ingress: [{from: [{podSelector: {matchLabels: {app: other}}}], ports: [{port: http}]}]}",
            workload: (Conns::none(), Conns::none()),
            reasons: &[],
        },
        Row {
            what: "egress: the client's named port resolves on the destination workload's pods",
            ports: (HTTP_8080, "[]"),
            policy: "{podSelector: {matchLabels: {app: client}}, policyTypes: [Egress], egress: [{ports: [{port: http}]}]}",
            workload: (Conns::none(), tcp(&[8080])),
            reasons: &[("http", 1, 2)],
        },
    ];
    for row in rows {
        let cluster = load(&manifests(row.ports.0, row.ports.1, row.policy));
        let client = pod(&cluster, "x/client");
        let web = workload(&cluster, "web");
        let engine = Engine::new(&cluster);

        // explain client -> the workload.
        let e = explain(&engine, &Target::Pod(client), &Target::Workload(web));
        let sure = e.conns.difference(&e.unknown);
        assert_eq!(
            (sure, e.unknown.clone()),
            row.workload,
            "explain: {}",
            row.what
        );

        // The reasons, on whichever side holds them.
        let mut reasons: Vec<(String, usize, usize)> = Vec::new();
        for p in ["x/web-0", "x/web-1"] {
            let v = evaluate_workloads(
                &cluster,
                Endpoint::Pod(client),
                Endpoint::Pod(pod(&cluster, p)),
            );
            for u in v.egress.undecided.iter().chain(&v.ingress.undecided) {
                match &u.reason {
                    Unknown::NamedPort {
                        name,
                        defined_by,
                        pods,
                        workload,
                        ..
                    } => {
                        assert_eq!(*workload, web, "{}", row.what);
                        let r = (name.clone(), *defined_by, *pods);
                        if !reasons.contains(&r) {
                            reasons.push(r);
                        }
                    }
                    other => panic!("{}: unexpected reason {other:?}", row.what),
                }
            }
            // A pod asked about by itself: its own ports are a fact.
            let own = evaluate(
                &cluster,
                Endpoint::Pod(client),
                Endpoint::Pod(pod(&cluster, p)),
            );
            assert!(own.unknown.is_empty(), "{} ({p} by itself)", row.what);
        }
        let expected: Vec<(String, usize, usize)> = row
            .reasons
            .iter()
            .map(|&(n, d, p)| (n.to_owned(), d, p))
            .collect();
        assert_eq!(reasons, expected, "{}", row.what);

        // connlist's unknown list says the same for the workload pair.
        let flows = undecided_flows(&engine);
        let listed: Vec<Conns> = flows
            .flows
            .iter()
            .filter(|f| f.dst == web && f.src == cluster.pod(client).workload)
            .map(|f| f.conns.clone())
            .collect();
        let want: Vec<Conns> = if row.workload.1.is_empty() {
            Vec::new()
        } else {
            vec![row.workload.1.clone()]
        };
        assert_eq!(listed, want, "connlist unknown: {}", row.what);
    }
}

/// A pod named as the destination is judged on its own ports, even when
/// its workload's other pods differ.
#[test]
fn a_pod_named_by_itself_is_decided_by_its_own_ports() {
    let cluster = load(&manifests(HTTP_8080, "[]", INGRESS_HTTP));
    let engine = Engine::new(&cluster);
    let client = pod(&cluster, "x/client");
    for (p, allowed) in [("x/web-0", tcp(&[8080])), ("x/web-1", Conns::none())] {
        let e = explain(
            &engine,
            &Target::Pod(client),
            &Target::Pod(pod(&cluster, p)),
        );
        assert_eq!((e.conns, e.unknown), (allowed, Conns::none()), "{p}");
    }
}
