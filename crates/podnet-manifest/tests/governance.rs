//! Loading the governance kinds end to end with `load_files`:
//! ResourceQuota, LimitRange, PodDisruptionBudget, ServiceAccount, Role,
//! ClusterRole, RoleBinding and ClusterRoleBinding lower into
//! `Cluster.governance`; pods carry their ServiceAccount and container
//! requests and limits; invalid objects are errors with field path and
//! line.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is a test failure

use podnet_model::{Budget, CpuMemory, IntOrPercent, RbacSubject};

mod common;
use common::{errors, load, only_error};

fn one_error(text: &str, path: &str, line: u32) -> String {
    let (l, message) = only_error(text, path, line);
    let _ = l;
    message
}

#[test]
fn quotas_and_limit_ranges_are_read_not_ignored() {
    let l = load(
        r#"apiVersion: v1
kind: ResourceQuota
metadata:
  name: q
  namespace: shop
spec:
  hard:
    requests.cpu: "2"
    limits.memory: 4Gi
    pods: "10"
---
apiVersion: v1
kind: LimitRange
metadata:
  name: lr
  namespace: shop
spec:
  limits:
  - type: Container
    max: {memory: 1Gi}
    min: {cpu: 50m}
"#,
    );
    assert!(errors(&l).is_empty(), "{:#?}", l.diagnostics);
    assert!(
        !l.diagnostics
            .iter()
            .any(|d| d.detail.message.contains("ignored")),
        "{:#?}",
        l.diagnostics
    );
    let g = &l.cluster.governance;
    assert_eq!(g.quotas.len(), 1);
    let q = &g.quotas[0];
    assert_eq!(q.meta.qualified_name(), "shop/q");
    assert_eq!(q.meta.source.line, Some(1));
    assert_eq!(q.hard.get("limits.memory").map(String::as_str), Some("4Gi"));
    assert_eq!(
        q.requires_requests(),
        CpuMemory {
            cpu: true,
            memory: false
        }
    );
    assert_eq!(
        q.requires_limits(),
        CpuMemory {
            cpu: false,
            memory: true
        }
    );
    // SetDefaults_LimitRangeItem: max becomes the default limit, which with
    // min becomes the default request.
    let lr = &g.limit_ranges[0];
    assert_eq!(
        lr.default_limits,
        CpuMemory {
            cpu: false,
            memory: true
        }
    );
    assert_eq!(lr.default_requests, CpuMemory::BOTH);
    // The namespace exists because objects live in it.
    assert!(l.cluster.namespace_by_name("shop").is_some());
}

#[test]
fn a_negative_or_malformed_quota_is_an_error_at_its_key() {
    let m = one_error(
        "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\nspec:\n  hard:\n    requests.cpu: \"-1\"\n",
        "spec.hard[requests.cpu]",
        7,
    );
    assert!(m.contains("must be greater than or equal to 0"), "{m}");
    let m = one_error(
        "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\nspec:\n  hard:\n    pods: 1500m\n",
        "spec.hard[pods]",
        7,
    );
    assert!(m.contains("must be an integer"), "{m}");
    let m = one_error(
        "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\nspec:\n  hard:\n    gpus: \"1\"\n",
        "spec.hard[gpus]",
        7,
    );
    assert!(m.contains("must be a standard resource for quota"), "{m}");
}

#[test]
fn a_limit_range_of_an_unknown_type_is_an_error() {
    let m = one_error(
        "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: lr\nspec:\n  limits:\n  - type: Node\n    max: {cpu: \"1\"}\n",
        "spec.limits[0].type",
        7,
    );
    assert!(m.contains("unsupported value `Node`"), "{m}");
}

#[test]
fn disruption_budgets_read_counts_percentages_and_null_selectors() {
    let l = load(
        r#"apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: a
  namespace: shop
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: web}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: b
  namespace: shop
spec:
  maxUnavailable: 25%
"#,
    );
    assert!(errors(&l).is_empty(), "{:#?}", l.diagnostics);
    let b = &l.cluster.governance.disruption_budgets;
    assert_eq!(b[0].budget, Budget::MinAvailable(IntOrPercent::Int(1)));
    assert!(b[0].selector.is_some());
    assert_eq!(
        b[1].budget,
        Budget::MaxUnavailable(IntOrPercent::Percent(25))
    );
    // policy/v1: a null selector selects no pod.
    assert!(b[1].selector.is_none());
    assert!(!b[1].selects(&podnet_model::Labels::new()));
}

#[test]
fn a_budget_with_both_fields_or_over_100_percent_is_an_error() {
    let m = one_error(
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: a\nspec:\n  minAvailable: 1\n  maxUnavailable: 1\n",
        "spec",
        5,
    );
    assert_eq!(m, "minAvailable and maxUnavailable cannot be both set");
    let m = one_error(
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: a\nspec:\n  minAvailable: 150%\n",
        "spec.minAvailable",
        6,
    );
    assert!(m.contains("must not be greater than 100%"), "{m}");
    let m = one_error(
        "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: a\nspec:\n  minAvailable: 1\n",
        "apiVersion",
        1,
    );
    assert!(m.contains("not served by Kubernetes"), "{m}");
}

#[test]
fn rbac_objects_read_with_rule_lines_and_defaulted_subjects() {
    let l = load(
        r#"apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:ops
rules:
- apiGroups: ["*"]
  resources: ["*"]
  verbs: ["*"]
- nonResourceURLs: ["/healthz"]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ops
  namespace: shop
subjects:
- kind: ServiceAccount
  name: web
- kind: User
  name: alice
roleRef:
  kind: ClusterRole
  name: system:ops
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
  namespace: shop
automountServiceAccountToken: false
"#,
    );
    assert!(errors(&l).is_empty(), "{:#?}", l.diagnostics);
    let g = &l.cluster.governance;
    let role = &g.roles[0];
    assert_eq!(role.meta.kind, "ClusterRole");
    assert_eq!(role.rules[0].line, Some(6));
    assert!(role.rules[0].any_verb() && role.rules[0].any_resource());
    let b = &g.bindings[0];
    assert_eq!(
        b.subjects[0],
        RbacSubject {
            kind: "ServiceAccount".into(),
            name: "web".into(),
            namespace: Some("shop".into()),
        }
    );
    assert_eq!(
        g.role_of(b).map(|r| r.meta.name.as_str()),
        Some("system:ops")
    );
    assert_eq!(g.service_accounts[0].automount_token, Some(false));
}

#[test]
fn invalid_rbac_rules_and_bindings_are_errors() {
    let m = one_error(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: r\nrules:\n- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: []\n",
        "rules[0].verbs",
        8,
    );
    assert_eq!(m, "verbs must contain at least one value");
    let m = one_error(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: r\nrules:\n- nonResourceURLs: [/metrics]\n  verbs: [get]\n",
        "rules[0].nonResourceURLs",
        6,
    );
    assert_eq!(m, "namespaced rules cannot apply to non-resource URLs");
    let m = one_error(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: b\nroleRef:\n  kind: Role\n  name: r\nsubjects:\n- kind: ServiceAccount\n  name: sa\n  namespace: x\n",
        "roleRef.kind",
        6,
    );
    assert!(m.contains("unsupported value `Role`"), "{m}");
    let m = one_error(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: b\nroleRef:\n  kind: ClusterRole\n  name: view\nsubjects:\n- kind: ServiceAccount\n  name: sa\n",
        "subjects[0].namespace",
        9,
    );
    assert_eq!(m, "namespace is required");
}

#[test]
fn pods_carry_their_service_account_and_container_resources() {
    let l = load(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      serviceAccount: legacy
      initContainers:
      - name: init
        image: i
        resources:
          limits: {cpu: 100m}
      containers:
      - name: web
        image: w
        resources:
          requests: {cpu: 100m, memory: 64Mi}
          limits: {memory: 128Mi}
---
apiVersion: v1
kind: Pod
metadata:
  name: bare
  namespace: shop
spec:
  containers:
  - name: c
    image: c
"#,
    );
    assert!(errors(&l).is_empty(), "{:#?}", l.diagnostics);
    let web = l.cluster.pods.iter().find(|p| p.name == "web-0").unwrap();
    assert_eq!(web.admission.service_account.as_deref(), Some("legacy"));
    let c = &web.admission.containers;
    assert_eq!(c.len(), 2);
    assert!(c[0].init);
    assert_eq!(
        c[0].effective_requests(),
        CpuMemory {
            cpu: true,
            memory: false
        }
    );
    assert_eq!(c[1].requests, CpuMemory::BOTH);
    assert_eq!(
        c[1].limits,
        CpuMemory {
            cpu: false,
            memory: true
        }
    );
    let bare = l.cluster.pods.iter().find(|p| p.name == "bare").unwrap();
    assert_eq!(bare.admission.service_account_name(), "default");
    assert!(bare.admission.containers[0].requests.is_empty());
}

#[test]
fn a_later_definition_replaces_an_earlier_one() {
    let q = |cpu: &str| {
        format!(
            "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\n  namespace: shop\nspec:\n  hard:\n    cpu: \"{cpu}\"\n"
        )
    };
    let l = load(&format!("{}---\n{}", q("1"), q("2")));
    let g = &l.cluster.governance;
    assert_eq!(g.quotas.len(), 1);
    assert_eq!(g.quotas[0].hard.get("cpu").map(String::as_str), Some("2"));
    assert!(l.diagnostics.iter().any(|d| {
        d.detail
            .message
            .contains("ResourceQuota shop/q is defined twice")
    }));
}
