//! Placement rules (docs/dataplane.md, "Scheduling" and "Nodes: declared
//! and assumed"), one test per rule, each citing the Kubernetes docs
//! section it follows: "Assigning Pods to Nodes" (nodeSelector, node
//! affinity, nodeName), "Taints and Tolerations", DaemonSet "How Daemon
//! Pods are scheduled", and the scheduler's pod count (kubelet `maxPods`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::{assert_no_errors, build, pod, pod_ips, pod_node};
use podnet_dataplane::issue::Unplaced;
use podnet_dataplane::{Dataplane, Found, NodeOrigin, Rejection};
use podnet_model::Severity;

/// A Node object: `labels` and `spec` as YAML flow mappings' contents.
fn node(name: &str, labels: &str, spec: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Node\nmetadata: {{name: {name}, labels: {{{labels}}}}}\nspec: {{{spec}}}\n---\n"
    )
}

/// A bare Pod whose `spec` holds `extra` (YAML lines indented by two).
fn bare_pod(name: &str, extra: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: default}}\nspec:\n  containers: [{{name: c, image: busybox}}]\n{extra}---\n"
    )
}

/// A DaemonSet whose pod `spec` holds `extra` (YAML lines indented by six).
fn daemon_set(name: &str, extra: &str) -> String {
    format!(
        r#"apiVersion: apps/v1
kind: DaemonSet
metadata: {{name: {name}, namespace: kube-system}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers: [{{name: c, image: agent}}]
{extra}---
"#
    )
}

/// Three nodes: `a` (zone a, 8 cores, ssd), `b` (zone b, 4 cores), `c`
/// (zone c, no cores label).
fn three_nodes() -> String {
    [
        node("a", "zone: a, cores: '8', disk: ssd", ""),
        node("b", "zone: b, cores: '4'", ""),
        node("c", "zone: c", ""),
    ]
    .concat()
}

/// The nodes of the DaemonSet `kube-system/NAME`'s placed pods, sorted.
fn daemon_nodes(dp: &Dataplane, name: &str) -> Vec<String> {
    let mut nodes: Vec<String> = dp
        .cluster
        .pod_ids()
        .map(|p| dp.cluster.pod(p))
        .filter(|p| dp.cluster.workload(p.workload).name == name)
        .filter_map(|p| p.node_name.clone())
        .collect();
    nodes.sort();
    nodes
}

/// The warnings about pods no node takes.
fn unplaced_warnings(dp: &Dataplane) -> Vec<&Unplaced> {
    dp.issues
        .iter()
        .filter(|i| i.severity == Severity::Warning)
        .filter_map(|i| match &i.detail {
            Found::Unplaced(u) => Some(u),
            _ => None,
        })
        .collect()
}

// "Assigning Pods to Nodes", nodeSelector: "Kubernetes only schedules the
// Pod onto nodes that have each of the labels you specify".
#[test]
fn node_selector_needs_every_label() {
    let yaml = format!(
        "{}{}{}",
        three_nodes(),
        bare_pod("fast", "  nodeSelector: {zone: a, disk: ssd}\n"),
        bare_pod("nowhere", "  nodeSelector: {zone: b, disk: ssd}\n"),
    );
    let dp = build(&yaml);
    assert_eq!(pod_node(&dp, "default/fast").as_deref(), Some("a"));
    assert_eq!(pod_node(&dp, "default/nowhere"), None);
    assert_no_errors(&dp);
}

// "Assigning Pods to Nodes", Node affinity, "Operators": In, NotIn, Exists,
// DoesNotExist, Gt, Lt ("Gt and Lt ... interpret the value as an integer";
// NotIn and DoesNotExist also match nodes without the label).
#[test]
fn node_affinity_operators() {
    for (expression, expected) in [
        ("{key: zone, operator: In, values: [a, c]}", vec!["a", "c"]),
        ("{key: zone, operator: NotIn, values: [a]}", vec!["b", "c"]),
        (
            "{key: cores, operator: NotIn, values: ['8']}",
            vec!["b", "c"],
        ),
        ("{key: cores, operator: Exists}", vec!["a", "b"]),
        ("{key: cores, operator: DoesNotExist}", vec!["c"]),
        ("{key: cores, operator: Gt, values: ['4']}", vec!["a"]),
        ("{key: cores, operator: Lt, values: ['8']}", vec!["b"]),
    ] {
        let ds = daemon_set(
            "agent",
            &format!(
                "      affinity: {{nodeAffinity: {{requiredDuringSchedulingIgnoredDuringExecution: {{nodeSelectorTerms: [{{matchExpressions: [{expression}]}}]}}}}}}\n"
            ),
        );
        let dp = build(&format!("{}{ds}", three_nodes()));
        assert_eq!(daemon_nodes(&dp, "agent"), expected, "{expression}");
    }
}

// "Assigning Pods to Nodes", Node affinity: "If you specify multiple terms
// in nodeSelectorTerms ... the Pod can be scheduled onto a node if one of
// the specified terms can be satisfied (terms are ORed). If you specify
// multiple expressions in a single matchExpressions field ... the Pod can
// be scheduled onto a node only if all the expressions are satisfied
// (expressions are ANDed)."
#[test]
fn node_affinity_terms_are_ored_and_expressions_anded() {
    let affinity = |terms: &str| {
        format!(
            "      affinity: {{nodeAffinity: {{requiredDuringSchedulingIgnoredDuringExecution: {{nodeSelectorTerms: {terms}}}}}}}\n"
        )
    };
    let ored = daemon_set(
        "ored",
        &affinity(
            "[{matchExpressions: [{key: zone, operator: In, values: [b]}]}, {matchExpressions: [{key: disk, operator: Exists}]}]",
        ),
    );
    let anded = daemon_set(
        "anded",
        &affinity(
            "[{matchExpressions: [{key: cores, operator: Exists}, {key: disk, operator: DoesNotExist}]}]",
        ),
    );
    let dp = build(&format!("{}{ored}{anded}", three_nodes()));
    assert_eq!(daemon_nodes(&dp, "ored"), ["a", "b"]);
    assert_eq!(daemon_nodes(&dp, "anded"), ["b"]);
}

// "Assigning Pods to Nodes", Node affinity: "If you specify both
// nodeSelector and nodeAffinity, both must be satisfied for the Pod to be
// scheduled onto a node."
#[test]
fn node_selector_and_node_affinity_must_both_hold() {
    let ds = daemon_set(
        "both",
        "      nodeSelector: {cores: '4'}\n      affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: [a, b]}]}]}}}\n",
    );
    let dp = build(&format!("{}{ds}", three_nodes()));
    assert_eq!(daemon_nodes(&dp, "both"), ["b"]);
}

// "Assigning Pods to Nodes", Node affinity per scheduling profile and the
// API reference (NodeSelectorTerm.matchFields): `metadata.name` selects the
// node by name, as the DaemonSet controller does for its pods.
#[test]
fn match_fields_select_the_node_by_name() {
    let ds = daemon_set(
        "named",
        "      affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchFields: [{key: metadata.name, operator: NotIn, values: [b]}]}]}}}\n",
    );
    let dp = build(&format!("{}{ds}", three_nodes()));
    assert_eq!(daemon_nodes(&dp, "named"), ["a", "c"]);
}

// "Assigning Pods to Nodes", nodeName: "If the nodeName field is not empty,
// the scheduler ignores the Pod and the kubelet on the named node tries to
// place the Pod on that node. Using nodeName overrules using nodeSelector
// or affinity and anti-affinity rules."
#[test]
fn node_name_overrules_selector_taints_and_cordon() {
    let yaml = format!(
        "{}{}",
        node(
            "tainted",
            "",
            "unschedulable: true, taints: [{key: dedicated, value: db, effect: NoSchedule}]"
        ),
        bare_pod(
            "pinned",
            "  nodeName: tainted\n  nodeSelector: {zone: nowhere}\n"
        ),
    );
    let dp = build(&yaml);
    assert_eq!(pod_node(&dp, "default/pinned").as_deref(), Some("tainted"));
    assert!(dp.unplaced.is_empty());
}

// "Taints and Tolerations", Concepts: NoSchedule and NoExecute keep pods
// that do not tolerate them off the node; PreferNoSchedule is "a
// preference or soft version of NoSchedule" and never blocks.
#[test]
fn no_schedule_and_no_execute_taints_block_prefer_no_schedule_does_not() {
    for (effect, blocks) in [
        ("NoSchedule", true),
        ("NoExecute", true),
        ("PreferNoSchedule", false),
    ] {
        let yaml = format!(
            "{}{}",
            node(
                "only",
                "",
                &format!("taints: [{{key: dedicated, value: db, effect: {effect}}}]")
            ),
            bare_pod("web", ""),
        );
        let dp = build(&yaml);
        assert_eq!(pod_node(&dp, "default/web").is_none(), blocks, "{effect}");
        if blocks {
            let failure = &dp.unplaced[0].failure;
            assert!(
                matches!(&failure.rejections[0].0, Rejection::UntoleratedTaint(t) if t.key == "dedicated"),
                "{failure:?}"
            );
        }
    }
}

// "Taints and Tolerations", Concepts: a toleration matches a taint when the
// keys and effects are the same and the operator is Exists, or Equal with
// equal values; "An empty key with operator Exists matches all keys,
// values and effects"; an empty effect matches all effects.
#[test]
fn tolerations_match_as_documented() {
    let taint = "taints: [{key: dedicated, value: db, effect: NoSchedule}]";
    for (toleration, tolerated) in [
        (
            "{key: dedicated, operator: Equal, value: db, effect: NoSchedule}",
            true,
        ),
        ("{key: dedicated, value: db}", true),
        (
            "{key: dedicated, operator: Equal, value: web, effect: NoSchedule}",
            false,
        ),
        (
            "{key: dedicated, operator: Exists, effect: NoSchedule}",
            true,
        ),
        (
            "{key: dedicated, operator: Exists, effect: NoExecute}",
            false,
        ),
        ("{key: other, operator: Exists}", false),
        ("{operator: Exists}", true),
    ] {
        let yaml = format!(
            "{}{}",
            node("only", "", taint),
            bare_pod("db", &format!("  tolerations: [{toleration}]\n")),
        );
        let dp = build(&yaml);
        assert_eq!(
            pod_node(&dp, "default/db").is_some(),
            tolerated,
            "{toleration}"
        );
    }
}

// "Nodes", Manual Node administration: "Marking a node as unschedulable
// prevents the scheduler from placing new pods onto that Node"; the
// scheduler lets pods that tolerate node.kubernetes.io/unschedulable
// through ("Taints and Tolerations", Taint Nodes by Condition).
#[test]
fn cordoned_nodes_take_only_pods_tolerating_unschedulable() {
    let yaml = format!(
        "{}{}{}",
        node("cordoned", "", "unschedulable: true"),
        bare_pod("web", ""),
        bare_pod(
            "tolerant",
            "  tolerations: [{key: node.kubernetes.io/unschedulable, operator: Exists, effect: NoSchedule}]\n"
        ),
    );
    let dp = build(&yaml);
    assert_eq!(pod_node(&dp, "default/web"), None);
    assert_eq!(
        dp.unplaced[0].failure.rejections,
        [(Rejection::Unschedulable, 1)]
    );
    assert_eq!(
        pod_node(&dp, "default/tolerant").as_deref(),
        Some("cordoned")
    );
}

// The scheduler's NodeResourcesFit filter counts pods against the node's
// allocatable pods (kubelet `maxPods`, "Too many pods"): the pods beyond
// stay Pending.
#[test]
fn pods_beyond_max_pods_stay_pending() {
    let yaml = r#"
apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {name: small}
spec:
  nodes:
  - {name: only, internalIP: 192.168.0.11, maxPods: 2}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
"#;
    let dp = build(yaml);
    assert_eq!(pod_node(&dp, "default/web-2"), None);
    assert!(pod_ips(&dp, "default/web-2").is_empty());
    assert_eq!(
        dp.unplaced[0].failure.rejections,
        [(Rejection::TooManyPods, 1)]
    );
    assert_no_errors(&dp);
}

// DaemonSet, "How Daemon Pods are scheduled" and "Taints and
// tolerations": the controller makes a pod for every node the template's
// nodeSelector, affinity and tolerations admit, and adds tolerations for
// not-ready, unreachable, disk-, memory- and pid-pressure and
// unschedulable (so cordoned nodes run it), and network-unavailable for
// host-network pods only.
#[test]
fn daemon_sets_run_on_exactly_the_admitted_nodes_with_the_controller_tolerations() {
    let yaml = format!(
        "{}{}{}{}{}{}",
        node("cordoned", "", "unschedulable: true"),
        node(
            "pressured",
            "",
            "taints: [{key: node.kubernetes.io/memory-pressure, effect: NoSchedule}, {key: node.kubernetes.io/not-ready, effect: NoExecute}]"
        ),
        node(
            "no-network",
            "",
            "taints: [{key: node.kubernetes.io/network-unavailable, effect: NoSchedule}]"
        ),
        node(
            "control",
            "",
            "taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]"
        ),
        daemon_set("agent", ""),
        daemon_set("cni", "      hostNetwork: true\n"),
    );
    let dp = build(&yaml);
    assert_eq!(daemon_nodes(&dp, "agent"), ["cordoned", "pressured"]);
    assert_eq!(
        daemon_nodes(&dp, "cni"),
        ["cordoned", "no-network", "pressured"]
    );
    assert!(dp.unplaced.is_empty());
}

// DaemonSet, "How Daemon Pods are scheduled": a DaemonSet no node admits
// runs no pod; podnet keeps one from its template (no node, no address) so
// the workload is still analysed, with one warning.
#[test]
fn a_daemon_set_fitting_no_node_keeps_a_stand_in_pod() {
    let yaml = format!(
        "{}{}",
        three_nodes(),
        daemon_set(
            "windows",
            "      nodeSelector: {kubernetes.io/os: windows}\n"
        ),
    );
    let dp = build(&yaml);
    let stand_in = pod(&dp, "kube-system/windows-0");
    assert_eq!(dp.cluster.pod(stand_in).node_name, None);
    assert!(dp.cluster.pod(stand_in).ips.is_empty());
    assert!(dp.unplaced[0].stand_in);
    let w = unplaced_warnings(&dp);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].stand_in && w[0].workload_count == 1, "{w:?}");
    assert_eq!(
        w[0].failure.to_string(),
        "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector"
    );
    assert_eq!(
        w[0].requires.as_deref(),
        Some("nodeSelector kubernetes.io/os=windows")
    );
    assert_no_errors(&dp);
}

// Unplaced pods are reported once per cause, with the number of pods and
// workloads, naming the first workloads.
#[test]
fn unplaced_pods_are_one_warning_per_cause() {
    let deployment = |name: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: default}}\nspec:\n  replicas: 3\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n      nodeSelector: {{pool: gpu}}\n      containers: [{{name: c, image: x}}]\n---\n"
        )
    };
    let yaml = format!(
        "{}{}",
        three_nodes(),
        ["a1", "a2", "a3", "a4", "a5"].map(deployment).concat()
    );
    let dp = build(&yaml);
    let w = unplaced_warnings(&dp);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        !w[0].stand_in && w[0].pods == 15 && w[0].workload_count == 5,
        "{w:?}"
    );
    assert_eq!(
        w[0].workloads,
        [
            "Deployment default/a1",
            "Deployment default/a2",
            "Deployment default/a3"
        ],
        "the first three are named"
    );
    assert_eq!(
        dp.issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .count(),
        0
    );
}

// docs/dataplane.md, "Nodes: declared and assumed": without declared
// nodes, podnet assumes as many as the pods need (maxPods 110 each), with
// the kubelet's labels, no taints, and says so in one info line.
#[test]
fn assumed_nodes_hold_every_pod_and_carry_the_kubelet_labels() {
    let yaml = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 500
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      nodeSelector: {kubernetes.io/os: linux, kubernetes.io/arch: amd64}
      containers: [{name: web, image: nginx}]
"#;
    let dp = build(yaml);
    assert!(dp.unplaced.is_empty());
    let assumed = dp.assumed.nodes.as_ref().expect("nodes were assumed");
    assert_eq!(assumed.count, 5, "500 pods at 110 a node");
    assert_eq!(
        (assumed.first.as_str(), assumed.last.as_str()),
        ("node-1", "node-5")
    );
    for n in &dp.nodes {
        assert_eq!(n.origin, NodeOrigin::Assumed);
        assert!(n.taints.is_empty());
        assert_eq!(n.labels.get("kubernetes.io/os"), Some("linux"));
        assert_eq!(
            n.labels.get("kubernetes.io/hostname"),
            Some(n.name.as_str())
        );
        assert!(n.labels.get("topology.kubernetes.io/zone").is_some());
    }
    let info: Vec<_> = dp
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Info)
        .collect();
    assert_eq!(info.len(), 1, "{info:?}");
    assert!(
        matches!(&info[0].detail, Found::Assumed(a) if a.nodes.as_ref().is_some_and(|n| n.count == 5)),
        "{info:?}"
    );
    assert_no_errors(&dp);
}

// docs/dataplane.md, "Nodes: declared and assumed": pods that require
// labels the plain assumed nodes lack get assumed nodes labelled as they
// require; a node name they pin becomes a node of that name.
#[test]
fn assumed_nodes_are_labelled_as_pods_require() {
    let yaml = format!(
        "{}{}{}",
        bare_pod(
            "infra",
            "  nodeSelector: {node-role.kubernetes.io/infra: ''}\n"
        ),
        bare_pod(
            "big",
            "  affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: cores, operator: Gt, values: ['16']}, {key: kubernetes.io/arch, operator: NotIn, values: [amd64]}]}]}}}\n"
        ),
        bare_pod(
            "pinned",
            "  nodeSelector: {kubernetes.io/hostname: edge-7}\n"
        ),
    );
    let dp = build(&yaml);
    assert!(dp.unplaced.is_empty(), "{:?}", dp.unplaced);
    let labels = |p: &str| {
        let n = pod_node(&dp, p).unwrap();
        dp.node(&n).unwrap().labels.clone()
    };
    assert_eq!(
        labels("default/infra").get("node-role.kubernetes.io/infra"),
        Some("")
    );
    assert_eq!(labels("default/big").get("cores"), Some("17"));
    assert_eq!(labels("default/big").get("kubernetes.io/arch"), None);
    assert_eq!(pod_node(&dp, "default/pinned").as_deref(), Some("edge-7"));
    assert_eq!(dp.assumed.nodes.as_ref().unwrap().pools.len(), 3);
}

// docs/dataplane.md, "Nodes: declared and assumed": the preset's cluster
// CIDR (10.244.0.0/16: 256 /24 blocks) is widened, keeping its first
// address, when the assumed nodes need more blocks.
#[test]
fn the_preset_cluster_cidr_is_widened_for_assumed_nodes() {
    // podnet makes at most 10,000 pods of one template.
    let yaml: String = ["a", "b", "c"]
        .map(|name| {
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: default}}\nspec:\n  replicas: 10000\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec: {{containers: [{{name: c, image: nginx}}]}}\n---\n"
            )
        })
        .concat();
    let dp = build(&yaml);
    assert_eq!(dp.assumed.nodes.as_ref().unwrap().count, 273);
    assert_eq!(
        dp.assumed.widened_cidrs,
        [(
            "10.244.0.0/16".parse().unwrap(),
            "10.244.0.0/15".parse().unwrap()
        )]
    );
    assert!(dp.cluster.pods.iter().all(|p| !p.ips.is_empty()));
    assert_no_errors(&dp);
}

// A cluster CIDR the profile writes is a fact: never widened.
#[test]
fn a_written_cluster_cidr_is_not_widened() {
    let yaml = r#"
apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {name: p}
spec: {clusterCIDRs: [10.244.0.0/23]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 400
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
"#;
    let dp = build(yaml);
    assert!(dp.assumed.widened_cidrs.is_empty());
    assert_eq!(dp.profile.cluster_cidrs, ["10.244.0.0/23".parse().unwrap()]);
    // Two nodes get blocks; the assumed third gets none: a warning, since
    // the node is podnet's assumption.
    assert_no_errors(&dp);
}
