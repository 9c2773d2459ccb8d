//! Unit tests of the intent rules: each rule kind holding and broken, on
//! small clusters read from manifests (intents included), with the
//! counterexample's pods, addresses and port checked.

use podnet_manifest::{LoadOptions, SourceFile, load_files};
use podnet_model::{Cluster, Protocol};

use super::{IntentResult, VerifyOptions, ViolationKind, verify, verify_with};
use crate::matrix::Engine;
use crate::verdict::Endpoint;

/// Three namespaces: `a` (tenant t1) with `web` (http 80) and `cli`, `b`
/// (tenant t2) with `db` (5432) admitting only `a/web` on 5432, and `c`
/// (tenant t1) with `x`. `a/web` admits 203.0.113.0/24 on `http`.
const CLUSTER: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {tenant: t1}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {tenant: t2}}
---
apiVersion: v1
kind: Namespace
metadata: {name: c, labels: {tenant: t1}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: a}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: web
        ports: [{name: http, containerPort: 80}]
---
apiVersion: v1
kind: Pod
metadata: {name: cli, namespace: a, labels: {app: cli}}
spec: {containers: [{name: c, image: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: x, namespace: c, labels: {app: x}}
spec: {containers: [{name: c, image: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: b, labels: {app: db}}
spec: {containers: [{name: c, image: c, ports: [{containerPort: 5432}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: b}
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: a}}
      podSelector: {matchLabels: {app: web}}
    ports: [{port: 5432}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: a}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{ipBlock: {cidr: 203.0.113.0/24}}]
    ports: [{port: http}]
"#;

fn intent(name: &str, spec: &str) -> String {
    format!(
        "---\napiVersion: podnet.dev/v1alpha1\nkind: ConnectivityIntent\nmetadata: {{name: {name}}}\nspec:\n{spec}"
    )
}

fn load(extra: &str) -> Cluster {
    let files = [SourceFile {
        name: "test.yaml".into(),
        text: format!("{CLUSTER}{extra}").into(),
    }];
    let loaded = load_files(&files, Vec::new(), LoadOptions::default());
    let errors: Vec<String> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    loaded.cluster
}

/// Verifies one intent written as `spec`.
fn one(spec: &str) -> (Cluster, IntentResult) {
    let cluster = load(&intent("i", spec));
    assert_eq!(cluster.intents.len(), 1);
    let results = verify(&Engine::new(&cluster), &cluster.intents);
    let r = results.into_iter().next().unwrap();
    (cluster, r)
}

fn name(cluster: &Cluster, e: Endpoint) -> String {
    match e {
        Endpoint::Pod(p) => cluster.pod_name(p),
        Endpoint::External(ip) => ip.to_string(),
    }
}

const WEB: &str = "    - {namespace: a, podSelector: {matchLabels: {app: web}}}\n";
const CLI: &str = "    - {workload: a/cli}\n";
const DB: &str = "    - {namespace: b}\n";

#[test]
fn allow_holds_when_every_port_is_open() {
    let (_, r) = one(&format!(
        "  allow:\n    from:\n{WEB}    to:\n{DB}    ports: [{{port: 5432}}]\n"
    ));
    assert!(r.holds, "{:?}", r.violations);
    assert!(r.unmatched.is_empty());
}

#[test]
fn allow_broken_names_the_missing_pod_and_port() {
    let (c, r) = one(&format!(
        "  allow:\n    from:\n{CLI}    to:\n{DB}    ports: [{{port: 5432}}, {{port: 80}}]\n"
    ));
    assert!(!r.holds);
    let v = &r.violations[0];
    assert_eq!(v.kind, ViolationKind::Missing);
    assert_eq!(name(&c, v.src), "a/cli");
    assert_eq!(name(&c, v.dst), "b/db");
    assert_eq!(v.port, Some((Protocol::Tcp, 80)), "first missing port");
    assert!(v.explanation.conns.is_empty());
    // web reaches db on 5432 but not on 80.
    let (c, r) = one(&format!(
        "  allow:\n    from:\n{WEB}    to:\n{DB}    ports: [{{port: 5432}}, {{port: 80}}]\n"
    ));
    assert_eq!(r.violations.len(), 1, "two web pods, one identity");
    assert_eq!(r.violations[0].port, Some((Protocol::Tcp, 80)));
    assert!(name(&c, r.violations[0].src).starts_with("a/web-"));
}

#[test]
fn allow_without_ports_needs_some_connection() {
    let (_, r) = one(&format!("  allow:\n    from:\n{WEB}    to:\n{DB}"));
    assert!(r.holds);
    let (_, r) = one(&format!("  allow:\n    from:\n{CLI}    to:\n{DB}"));
    assert!(!r.holds);
    assert_eq!(r.violations[0].port, None);
}

#[test]
fn allow_between_pods_of_one_workload_skips_a_pod_to_itself() {
    // One pod: only its traffic to itself, never considered.
    let (_, r) = one("  allow:\n    from: [{workload: a/cli}]\n    to: [{workload: a/cli}]\n");
    assert!(r.holds);
    // Two pods of one identity: web-0 to web-1, which web's ingress
    // (outside addresses only) refuses.
    let (c, r) = one("  allow:\n    from: [{workload: a/web}]\n    to: [{workload: a/web}]\n");
    assert!(!r.holds);
    let v = &r.violations[0];
    assert_ne!(v.src, v.dst);
    assert_eq!(
        (name(&c, v.src), name(&c, v.dst)),
        ("a/web-0".into(), "a/web-1".into())
    );
}

#[test]
fn deny_holds_and_breaks() {
    let (_, r) = one("  deny:\n    from: [{namespace: c}]\n    to: [{namespace: b}]\n");
    assert!(r.holds);
    let (c, r) = one(&format!(
        "  deny:\n    from: [{{namespace: a}}]\n    to:\n{DB}    ports: [{{port: 5432}}, {{port: 6000, endPort: 7000}}]\n"
    ));
    assert!(!r.holds);
    let v = &r.violations[0];
    assert_eq!(v.kind, ViolationKind::Forbidden);
    assert!(name(&c, v.src).starts_with("a/web-"));
    assert_eq!(v.port, Some((Protocol::Tcp, 5432)));
    assert!(v.explanation.conns.allows(Protocol::Tcp, 5432));
    // On other ports only, it holds.
    let (_, r) = one(&format!(
        "  deny:\n    from: [{{namespace: a}}]\n    to:\n{DB}    ports: [{{protocol: UDP}}]\n"
    ));
    assert!(r.holds);
}

#[test]
fn only_holds_and_breaks() {
    let (_, r) = one(&format!(
        "  only:\n    to:\n{DB}    from:\n{WEB}    ports: [{{port: 5432}}]\n"
    ));
    assert!(r.holds, "{:?}", r.violations);
    // Another source listed: web is not.
    let (c, r) = one(&format!("  only:\n    to:\n{DB}    from:\n{CLI}"));
    assert!(!r.holds);
    assert!(name(&c, r.violations[0].src).starts_with("a/web-"));
    assert_eq!(r.violations[0].port, Some((Protocol::Tcp, 5432)));
    // The right source on the wrong port, with a per-source override.
    let (_, r) = one(
        "  only:\n    to: [{namespace: b}]\n    from:\n    - {namespace: a, podSelector: {matchLabels: {app: web}}, ports: [{port: 80}]}\n    ports: [{port: 5432}]\n",
    );
    assert!(!r.holds);
    assert_eq!(r.violations[0].port, Some((Protocol::Tcp, 5432)));
}

#[test]
fn only_catches_outside_addresses() {
    // web admits 203.0.113.0/24 on http; only pods are listed.
    let (c, r) = one(&format!(
        "  only:\n    to: [{{workload: a/web}}]\n    from:\n{CLI}"
    ));
    assert!(!r.holds);
    let v = &r.violations[0];
    assert_eq!(name(&c, v.src), "203.0.113.1");
    assert_eq!(v.port, Some((Protocol::Tcp, 80)));
    let (_, r) = one(
        "  only:\n    to: [{workload: a/web}]\n    from:\n    - ipBlock: {cidr: 203.0.113.0/24}\n    ports: [{port: http}]\n",
    );
    assert!(r.holds, "{:?}", r.violations);
}

#[test]
fn allow_and_deny_with_address_ranges() {
    let (_, r) = one(
        "  allow:\n    from: [{ipBlock: {cidr: 203.0.113.0/25}}]\n    to: [{workload: a/web}]\n    ports: [{port: 80}]\n",
    );
    assert!(r.holds, "{:?}", r.violations);
    let (c, r) = one(
        "  allow:\n    from: [{ipBlock: {cidr: 198.51.100.0/24}}]\n    to: [{workload: a/web}]\n    ports: [{port: 80}]\n",
    );
    assert!(!r.holds);
    assert_eq!(name(&c, r.violations[0].src), "198.51.100.1");
    // web has no egress policy: it reaches the internet.
    let (c, r) = one(
        "  deny:\n    from: [{workload: a/web}]\n    to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]\n",
    );
    assert!(!r.holds);
    assert!(matches!(r.violations[0].dst, Endpoint::External(_)));
    assert_eq!(name(&c, r.violations[0].dst), "0.0.0.1");
}

#[test]
fn isolate_by_namespace_label() {
    // a and c (t1) reach b (t2)? a/web does.
    let (c, r) = one("  isolate: {namespaceLabel: tenant}\n");
    assert!(!r.holds);
    let tenant = |e| {
        let Endpoint::Pod(p) = e else { unreachable!() };
        c.namespace(c.pod(p).namespace)
            .labels
            .get("tenant")
            .map(str::to_owned)
    };
    for v in &r.violations {
        assert_ne!(tenant(v.src), tenant(v.dst));
        assert!(!v.explanation.conns.is_empty());
    }
    // b reaches a and c (no policy there): restricted to t1 and a label
    // nobody has, the rule is vacuous and says so.
    let (_, r) = one(
        "  isolate:\n    namespaceLabel: tenant\n    namespaceSelector: {matchLabels: {tenant: t1}}\n",
    );
    assert!(r.holds);
    assert_eq!(r.unmatched.len(), 1);
}

#[test]
fn unmatched_selectors_are_reported() {
    let (_, r) = one("  deny:\n    from: [{namespace: nope}]\n    to: [{workload: b/db}]\n");
    assert!(r.holds);
    assert_eq!(r.unmatched[0].field, "spec.deny.from[0]");
}

#[test]
fn violations_are_capped_and_stable() {
    let spec = "  deny:\n    from: [{namespaceSelector: {}}]\n    to: [{namespaceSelector: {}}]\n";
    let cluster = load(&intent("i", spec));
    let engine = Engine::new(&cluster);
    let options = VerifyOptions { max_violations: 2 };
    let r = verify_with(&engine, &cluster.intents, &options);
    assert_eq!(r[0].violations.len(), 2);
    assert!(r[0].truncated);
    assert_eq!(r, verify_with(&engine, &cluster.intents, &options));
}

#[test]
fn columns_agree_with_pairs() {
    let spec = "  deny:\n    from: [{namespaceSelector: {}}]\n    to: [{namespaceSelector: {}}]\n";
    let cluster = load(&intent("i", spec));
    let engine = Engine::new(&cluster);
    let pairs = super::pairs::Pairs::new(&engine);
    for d in 0..engine.identities.len() {
        let want: Vec<(usize, podnet_model::Conns)> = (0..engine.identities.len())
            .map(|s| (s, engine.pair(s, d)))
            .filter(|(_, c)| !c.is_empty())
            .collect();
        let got: Vec<(usize, podnet_model::Conns)> = pairs
            .reaching(d, &[], super::pairs::Sources::All)
            .into_iter()
            .map(|r| (r.src, r.policy))
            .collect();
        assert_eq!(got, want);
    }
}

#[test]
fn intents_outside_the_cluster_get_identities_that_tell_their_pods_apart() {
    // a/cli and c/x are alike to every policy: one identity, until an
    // intent names one of them.
    let cluster = load("");
    let plain = Engine::new(&cluster);
    let cli = cluster.pods.iter().position(|p| p.name == "cli").unwrap();
    let x = cluster.pods.iter().position(|p| p.name == "x").unwrap();
    assert_eq!(plain.identities.of_pod[cli], plain.identities.of_pod[x]);
    let intents = load(&intent(
        "i",
        "  deny:\n    from: [{workload: c/x}]\n    to: [{workload: a/cli}]\n",
    ))
    .intents;
    let observing = Engine::with_intents(&cluster, &intents);
    assert_ne!(
        observing.identities.of_pod[cli],
        observing.identities.of_pod[x]
    );
    assert!(observing.observes(&intents) && !plain.observes(&intents));
    let r = verify(&plain, &intents);
    assert_eq!(r, verify(&observing, &intents));
    let v = &r[0].violations[0];
    assert_eq!(name(&cluster, v.src), "c/x");
    assert_eq!(name(&cluster, v.dst), "a/cli");
}

/// A host-network agent on each of two nodes and a database pod on each,
/// the database isolated for ingress: each agent reaches the database
/// pod of its own node only (NetworkPolicy concept page, "The two sorts
/// of pod isolation": "the only allowed connections into the pod are
/// those from the pod's node and those allowed by the ingress list").
const NODES: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: m}
---
apiVersion: v1
kind: Namespace
metadata: {name: d}
---
apiVersion: v1
kind: Pod
metadata: {name: agent-1, namespace: m, labels: {app: agent}}
spec: {hostNetwork: true, nodeName: n1, containers: [{name: c, image: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: agent-2, namespace: m, labels: {app: agent}}
spec: {hostNetwork: true, nodeName: n2, containers: [{name: c, image: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db-1, namespace: d, labels: {app: db}}
spec: {nodeName: n1, containers: [{name: c, image: c, ports: [{containerPort: 5432}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db-2, namespace: d, labels: {app: db}}
spec: {nodeName: n2, containers: [{name: c, image: c, ports: [{containerPort: 5432}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: d}
spec: {podSelector: {}, policyTypes: [Ingress]}
"#;

#[test]
fn host_network_sources_reach_their_own_node_only() {
    let from_to =
        "    from: [{namespace: m}]\n    to: [{namespace: d}]\n    ports: [{port: 5432}]\n";
    // (rule, the node-pair each counterexample must have: same node or not)
    let table = [("deny", true), ("allow", false)];
    for (rule, same_node) in table {
        let files = [SourceFile {
            name: "test.yaml".into(),
            text: format!("{NODES}{}", intent("i", &format!("  {rule}:\n{from_to}"))).into(),
        }];
        let cluster = load_files(&files, Vec::new(), LoadOptions::default()).cluster;
        let engine = Engine::new(&cluster);
        let r = verify(&engine, &cluster.intents)
            .into_iter()
            .next()
            .unwrap();
        assert!(!r.holds, "{rule}");
        for v in &r.violations {
            let (Endpoint::Pod(s), Endpoint::Pod(d)) = (v.src, v.dst) else {
                panic!("{rule}: {v:?}");
            };
            let node = |p| cluster.pod(p).node_name.clone();
            assert_eq!(node(s) == node(d), same_node, "{rule}: {v:?}");
            // The spec agrees with the counterexample.
            let allowed = v.explanation.conns.allows(Protocol::Tcp, 5432);
            assert_eq!(allowed, rule == "deny", "{rule}: {v:?}");
        }
        let pairs: Vec<(String, String)> = r
            .violations
            .iter()
            .map(|v| (name(&cluster, v.src), name(&cluster, v.dst)))
            .collect();
        assert_eq!(pairs.len(), 2, "{rule}: one per agent: {pairs:?}");
    }
}
