//! Identity classes from manifests: pods that no selection of the input
//! tells apart share one identity, whatever their labels or namespace, and
//! a selector, ipBlock, named port or intent that tells them apart splits
//! them. The shapes of issue 13 (a 9-line StatefulSet with 5,000 replicas,
//! 100k one-pod namespaces) must cost what their identities cost, not what
//! their pods do: they are checked here by their identity counts and by
//! streaming their rows (their time and memory are benchmarks' business).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use podnet_engine::{Engine, FlowSource, Scope, rows};
use podnet_manifest::{LoadOptions, SourceFile, load_files};
use podnet_model::{
    Cluster, ContainerPort, Labels, Namespace, NsId, Pod, PodId, PodNet, PodOrigin, Workload,
    WorkloadId, WorkloadKind,
};

fn load(text: &str) -> Cluster {
    let loaded = load_files(
        &[SourceFile {
            name: "test.yaml".into(),
            text: text.into(),
        }],
        Vec::new(),
        LoadOptions::default(),
    );
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
    loaded.cluster
}

/// The StatefulSet of issue 13, with `replicas` replaced.
fn statefulset(replicas: u32) -> String {
    format!(
        "apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: db, namespace: data}}
spec:
  replicas: {replicas}
  serviceName: db
  selector: {{matchLabels: {{app: db}}}}
  template:
    metadata: {{labels: {{app: db}}}}
    spec: {{containers: [{{name: db, image: db, ports: [{{name: sql, containerPort: 5432}}]}}]}}
"
    )
}

/// Counts the rows of a stream.
fn count(source: &dyn FlowSource) -> usize {
    let mut n = 0;
    source
        .for_each_batch(&mut |b| {
            n += b.flows.len();
            Ok(())
        })
        .unwrap();
    n
}

#[test]
fn issue_13_a_9_line_statefulset_with_5000_replicas_is_one_identity() {
    let cluster = load(&statefulset(5000));
    assert_eq!(cluster.pods.len(), 5000);
    let engine = Engine::new(&cluster);
    assert_eq!(engine.identities().len(), 1);
    // One workload: nothing to list between workloads; the outside rows.
    assert_eq!(count(&rows(&engine, Scope::all())), 2);
}

#[test]
fn a_selector_on_the_pod_name_splits_the_statefulset_and_only_it() {
    let policy = "---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: primary, namespace: data}
spec:
  podSelector: {matchLabels: {statefulset.kubernetes.io/pod-name: db-0}}
  ingress: [{ports: [{port: sql}]}]
";
    let cluster = load(&format!("{}{policy}", statefulset(50)));
    let engine = Engine::new(&cluster);
    assert_eq!(engine.identities().len(), 2);
    let primary = engine.identities().of_pod[0];
    assert_eq!(
        engine.identities().list[primary].pods,
        vec![PodId::from_index(0)]
    );
}

#[test]
fn pods_of_namespaces_no_selector_tells_apart_share_an_identity() {
    let mut text = String::new();
    for i in 0..20 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: ns-{i}, labels: {{group: g{}}}}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: ns-{i}, labels: {{app: x}}}}\nspec: {{containers: [{{name: c, image: x}}]}}\n",
            i % 2
        ));
    }
    let plain = load(&text);
    assert_eq!(Engine::new(&plain).identities().len(), 1);
    // A namespaceSelector on the group label tells the groups apart; the
    // policy's own namespace is apart from both.
    text.push_str(
        "---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-g1, namespace: ns-0}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {matchLabels: {group: g1}}}]}]
",
    );
    let split = load(&text);
    assert_eq!(Engine::new(&split).identities().len(), 3);
}

#[test]
fn named_ports_tell_pods_apart_only_when_a_rule_uses_the_name() {
    let pods = |name: &str| {
        format!(
            "---
apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: web, labels: {{app: web}}}}
spec: {{containers: [{{name: c, image: x, ports: [{{name: http, containerPort: {}}}]}}]}}
",
            if name == "a" { 80 } else { 8080 }
        )
    };
    let text = format!("{}{}", pods("a"), pods("b"));
    assert_eq!(Engine::new(&load(&text)).identities().len(), 1);
    let policy = "---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: http, namespace: web}
spec:
  podSelector: {}
  ingress: [{ports: [{port: http}]}]
";
    assert_eq!(
        Engine::new(&load(&format!("{text}{policy}")))
            .identities()
            .len(),
        2
    );
}

/// 100,000 namespaces of one pod each, no policy: one identity, and a
/// focused stream that touches each source once.
#[test]
fn issue_13_100k_one_pod_namespaces_are_one_identity() {
    let n = 100_000;
    let mut cluster = Cluster::default();
    let mut labels = Labels::new();
    labels.insert("app", "x");
    cluster.label_sets.push(labels);
    cluster.port_tables.push(Vec::<ContainerPort>::new());
    for i in 0..n {
        let name = format!("ns-{i:06}");
        let mut ns_labels = Labels::new();
        ns_labels.insert("kubernetes.io/metadata.name", name.clone());
        cluster.namespaces.push(Namespace {
            name,
            labels: ns_labels,
            declared: None,
        });
        cluster.workloads.push(Workload {
            kind: WorkloadKind::Pod,
            namespace: NsId::from_index(i),
            name: "p".into(),
            source: None,
            pods: vec![PodId::from_index(i)],
            replicas: None,
        });
        cluster.pods.push(Pod {
            name: "p".into(),
            namespace: NsId::from_index(i),
            workload: WorkloadId::from_index(i),
            labels: podnet_model::LabelSetId::from_index(0),
            ports: podnet_model::PortTableId::from_index(0),
            ips: Vec::new(),
            ips_assumed: false,
            host_network: false,
            node_name: None,
            origin: PodOrigin::Template { ordinal: 0 },
            net: PodNet::default(),
            admission: podnet_model::PodAdmission::default(),
        });
    }
    let engine = Engine::new(&cluster);
    assert_eq!(engine.identities().len(), 1);
    let focus = rows(&engine, Scope::focus(vec![WorkloadId::from_index(7)]));
    // 99,999 sources reach it, it reaches 99,999, and the outside both ways.
    assert_eq!(count(&focus), 2 * (n - 1) + 2);
}

/// A host-network agent on each of three nodes and a database pod on each
/// (the database isolated): the agents are told apart by node (each
/// reaches its own node's pods whatever the policies say), the database
/// pods are not, and the workload rows still carry the exemption.
#[test]
fn a_host_network_daemonset_does_not_split_the_other_pods_by_node() {
    let mut text = String::from(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: d}\n---\n\
         apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n\
         metadata: {name: deny, namespace: d}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n",
    );
    for n in 1..=3 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: Pod\n\
             metadata: {{name: agent-{n}, namespace: d, labels: {{app: agent}}}}\n\
             spec: {{hostNetwork: true, nodeName: n{n}, containers: [{{name: c, image: c}}]}}\n\
             ---\napiVersion: v1\nkind: Pod\n\
             metadata: {{name: db-{n}, namespace: d, labels: {{app: db}}}}\n\
             spec: {{nodeName: n{n}, containers: [{{name: c, image: c}}]}}\n"
        ));
    }
    let cluster = load(&text);
    let engine = Engine::new(&cluster);
    let ids = engine.identities();
    let of = |name: &str| {
        let p = (0..cluster.pods.len())
            .map(PodId::from_index)
            .find(|&p| cluster.pod_name(p) == format!("d/{name}"))
            .unwrap();
        ids.of_pod[p.index()]
    };
    assert_eq!(of("db-1"), of("db-2"));
    assert_eq!(of("db-2"), of("db-3"));
    assert_ne!(of("agent-1"), of("agent-2"));
    // Each agent reaches the database pod of its own node only.
    let list = podnet_engine::collect(&rows(&engine, Scope::default()));
    let name = |p: &podnet_engine::PeerRef| match p {
        podnet_engine::PeerRef::Workload(w) => cluster.workload_name(*w),
        other => format!("{other:?}"),
    };
    let mut pairs: Vec<String> = list
        .connections
        .iter()
        .map(|c| format!("{} -> {}", name(&c.src), name(&c.dst)))
        .filter(|l| l.contains("agent") && l.contains("-> d/db"))
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        [
            "d/agent-1 -> d/db-1",
            "d/agent-2 -> d/db-2",
            "d/agent-3 -> d/db-3"
        ]
    );
}
