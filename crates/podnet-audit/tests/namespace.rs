//! The namespace-strategy checks (PN1001..PN1011): for each rule one test
//! that triggers it and one that shows it quiet on a correct setup, named
//! after the rule and citing the Kubernetes documentation it follows.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::with_code;
use podnet_audit::Severity;

/// A namespace `shop` with labels, and a Deployment `web` in it.
fn deployment(ns: &str, name: &str, replicas: u32, extra_spec: &str, resources: &str) -> String {
    format!(
        r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {ns}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
{extra_spec}      containers:
      - name: {name}
        image: example/{name}:1
        ports:
        - containerPort: 8080
{resources}"#
    )
}

const RESOURCES: &str = "        resources:\n          requests: {cpu: 100m, memory: 128Mi}\n          limits: {cpu: 500m, memory: 256Mi}\n";
const OWN_ACCOUNT: &str = "      serviceAccountName: web\n";

fn namespace(ns: &str) -> String {
    format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n")
}

const DEFAULT_DENY: &str = r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
"#;

const QUOTA: &str = r#"
apiVersion: v1
kind: ResourceQuota
metadata:
  name: shop-quota
  namespace: shop
spec:
  hard:
    requests.cpu: "2"
    requests.memory: 2Gi
    limits.cpu: "4"
    limits.memory: 4Gi
    pods: "10"
"#;

const LIMIT_RANGE: &str = r#"
apiVersion: v1
kind: LimitRange
metadata:
  name: shop-defaults
  namespace: shop
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 256Mi}
    defaultRequest: {cpu: 100m, memory: 128Mi}
"#;

fn docs(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| p.trim_start_matches('\n'))
        .collect::<Vec<_>>()
        .join("\n---\n")
}

/// Everything a well-governed `shop` namespace has.
fn governed() -> String {
    let web = deployment("shop", "web", 2, OWN_ACCOUNT, RESOURCES);
    let pdb = r#"
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
  namespace: shop
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: web}
"#;
    let sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n  namespace: shop\n";
    docs(&[
        &namespace("shop"),
        &web,
        DEFAULT_DENY,
        QUOTA,
        LIMIT_RANGE,
        pdb,
        sa,
    ])
}

// --- PN1001 / PN1002: NetworkPolicy isolation. Kubernetes docs, Network
// Policies, "The two sorts of pod isolation": a pod is isolated for a
// direction only when a policy selecting it has that policyType.

#[test]
fn pn1001_workload_not_isolated_for_ingress_fires_without_a_default_deny() {
    let yaml = docs(&[&namespace("shop"), &deployment("shop", "web", 1, "", "")]);
    let f = with_code(&yaml, "PN1001");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Warning);
    assert!(
        f[0].message.starts_with("Deployment shop/web: "),
        "{}",
        f[0].message
    );
    assert_eq!(f[0].subject.source.as_ref().and_then(|s| s.line), Some(7));
}

#[test]
fn pn1001_workload_not_isolated_for_ingress_is_quiet_under_a_default_deny() {
    assert!(with_code(&governed(), "PN1001").is_empty());
}

#[test]
fn pn1001_counts_a_baseline_admin_policy_default_deny() {
    // AdminNetworkPolicy API: the baseline tier applies to pods no
    // NetworkPolicy selects; a Deny from every namespace isolates them.
    let banp = r#"
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata:
  name: default
spec:
  subject:
    namespaces: {}
  ingress:
  - name: deny-all
    action: Deny
    from:
    - namespaces: {}
"#;
    let yaml = docs(&[
        &namespace("shop"),
        &deployment("shop", "web", 1, "", ""),
        banp,
    ]);
    assert!(with_code(&yaml, "PN1001").is_empty());
    assert_eq!(with_code(&yaml, "PN1002").len(), 1);
}

#[test]
fn pn1001_is_info_in_system_namespaces() {
    let yaml = deployment("kube-system", "coredns", 1, "", "");
    let f = with_code(&yaml, "PN1001");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Info);
}

#[test]
fn pn1002_workload_not_isolated_for_egress_fires_with_an_ingress_only_policy() {
    let ingress_only = r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-ingress
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress]
"#;
    let yaml = docs(&[
        &namespace("shop"),
        &deployment("shop", "web", 1, "", ""),
        ingress_only,
    ]);
    assert!(with_code(&yaml, "PN1001").is_empty());
    let f = with_code(&yaml, "PN1002");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(f[0].message.contains("for egress"), "{}", f[0].message);
}

#[test]
fn pn1002_workload_not_isolated_for_egress_is_quiet_under_a_default_deny() {
    assert!(with_code(&governed(), "PN1002").is_empty());
}

// --- PN1003 / PN1004: Kubernetes docs, Resource Quotas and Limit Ranges.

#[test]
fn pn1003_namespace_without_resource_quota_fires() {
    let yaml = docs(&[&namespace("shop"), &deployment("shop", "web", 1, "", "")]);
    let f = with_code(&yaml, "PN1003");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].subject.kind, "Namespace");
    assert_eq!(f[0].subject.name, "shop");
    assert_eq!(f[0].subject.source.as_ref().and_then(|s| s.line), Some(1));
}

#[test]
fn pn1003_namespace_without_resource_quota_is_quiet_with_a_quota_and_in_kube_system() {
    assert!(with_code(&governed(), "PN1003").is_empty());
    assert!(with_code(&deployment("kube-system", "coredns", 2, "", ""), "PN1003").is_empty());
}

#[test]
fn pn1004_namespace_without_limit_range_fires() {
    let yaml = docs(&[
        &namespace("shop"),
        &deployment("shop", "web", 1, "", RESOURCES),
        QUOTA,
    ]);
    let f = with_code(&yaml, "PN1004");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Info);
}

#[test]
fn pn1004_namespace_without_limit_range_is_quiet_with_one() {
    assert!(with_code(&governed(), "PN1004").is_empty());
}

// --- PN1005: Kubernetes docs, Resource Quotas, "Compute Resource Quota":
// "If the quota has a value specified for requests.cpu or requests.memory,
// then it requires that every incoming container makes an explicit request
// for those resources. If the quota has a value specified for limits.cpu or
// limits.memory, then it requires that every incoming container specifies
// an explicit limit for those resources."

#[test]
fn pn1005_pods_rejected_by_resource_quota_fires_without_requests_or_defaults() {
    let yaml = docs(&[
        &namespace("shop"),
        &deployment("shop", "web", 1, "", ""),
        QUOTA,
    ]);
    let f = with_code(&yaml, "PN1005");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Error);
    assert_eq!(
        f[0].message,
        "Deployment shop/web: container `web` has no cpu and memory requests and cpu and memory limits, which ResourceQuota shop/shop-quota requires and no LimitRange sets: the API server rejects its pods"
    );
}

#[test]
fn pn1005_names_only_what_is_missing_and_checks_init_containers() {
    let init = "      initContainers:\n      - name: migrate\n        image: example/migrate:1\n";
    let limits_only = "        resources:\n          limits: {cpu: 500m, memory: 256Mi}\n";
    let yaml = docs(&[
        &namespace("shop"),
        &deployment("shop", "web", 1, init, limits_only),
        QUOTA,
    ]);
    let f = with_code(&yaml, "PN1005");
    assert_eq!(f.len(), 1, "{f:#?}");
    // Limits alone satisfy requests (pod defaulting copies them); the init
    // container states nothing.
    assert!(
        f[0].message
            .contains("init container `migrate` has no cpu and memory requests"),
        "{}",
        f[0].message
    );
    assert!(
        !f[0].message.contains("container `web`"),
        "{}",
        f[0].message
    );
}

#[test]
fn pn1005_pods_rejected_by_resource_quota_is_quiet_with_resources_or_a_limit_range() {
    let stated = docs(&[
        &namespace("shop"),
        &deployment("shop", "web", 1, "", RESOURCES),
        QUOTA,
    ]);
    assert!(with_code(&stated, "PN1005").is_empty());
    let defaulted = docs(&[
        &namespace("shop"),
        &deployment("shop", "web", 1, "", ""),
        QUOTA,
        LIMIT_RANGE,
    ]);
    assert!(with_code(&defaulted, "PN1005").is_empty());
    // A quota on object counts only requires nothing of containers.
    let pods_only = "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\n  namespace: shop\nspec:\n  hard:\n    pods: \"10\"\n";
    let counted = docs(&[
        &namespace("shop"),
        &deployment("shop", "web", 1, "", ""),
        pods_only,
    ]);
    assert!(with_code(&counted, "PN1005").is_empty());
}

// --- PN1006 / PN1007: Kubernetes docs, "Specifying a Disruption Budget for
// your Application" and "Disruptions": a PDB limits voluntary disruptions;
// maxUnavailable 0 or minAvailable equal to the replicas allows none.

#[test]
fn pn1006_replicated_workload_without_pdb_fires() {
    let yaml = docs(&[&namespace("shop"), &deployment("shop", "web", 3, "", "")]);
    let f = with_code(&yaml, "PN1006");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(f[0].message.contains("runs 3 replicas"), "{}", f[0].message);
}

#[test]
fn pn1006_replicated_workload_without_pdb_is_quiet_with_a_pdb_or_one_replica() {
    assert!(with_code(&governed(), "PN1006").is_empty());
    let single = docs(&[&namespace("shop"), &deployment("shop", "web", 1, "", "")]);
    assert!(with_code(&single, "PN1006").is_empty());
}

fn pdb(spec: &str) -> String {
    format!(
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n  namespace: shop\nspec:\n{spec}  selector:\n    matchLabels: {{app: web}}\n"
    )
}

#[test]
fn pn1007_pdb_allows_no_eviction_fires_on_min_available_replicas_and_max_unavailable_zero() {
    for (spec, why) in [
        (
            "  minAvailable: 2\n",
            "`minAvailable: 2` with only 2 pod(s) selected",
        ),
        (
            "  minAvailable: 100%\n",
            "`minAvailable: 100%` of the 2 pod(s) it selects",
        ),
        ("  maxUnavailable: 0\n", "`maxUnavailable: 0`"),
        ("  maxUnavailable: 0%\n", "`maxUnavailable: 0%`"),
    ] {
        let yaml = docs(&[
            &namespace("shop"),
            &deployment("shop", "web", 2, "", ""),
            &pdb(spec),
        ]);
        let f = with_code(&yaml, "PN1007");
        assert_eq!(f.len(), 1, "{spec}: {f:#?}");
        assert!(f[0].message.contains(why), "{}", f[0].message);
        assert_eq!(f[0].subject.kind, "PodDisruptionBudget");
    }
}

#[test]
fn pn1007_pdb_allows_no_eviction_is_quiet_when_one_pod_may_go() {
    for spec in [
        "  minAvailable: 1\n",
        "  maxUnavailable: 1\n",
        "  minAvailable: 50%\n",
    ] {
        let yaml = docs(&[
            &namespace("shop"),
            &deployment("shop", "web", 2, "", ""),
            &pdb(spec),
        ]);
        assert!(with_code(&yaml, "PN1007").is_empty(), "{spec}");
    }
}

// --- PN1008: Kubernetes docs, "Configure Service Accounts for Pods" (pods
// that name none run as `default`) and "RBAC Good Practices".

#[test]
fn pn1008_workload_uses_default_service_account_fires() {
    let yaml = docs(&[&namespace("shop"), &deployment("shop", "web", 1, "", "")]);
    let f = with_code(&yaml, "PN1008");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(f[0].message.contains("`default` ServiceAccount of `shop`"));
    let explicit = "      serviceAccountName: default\n";
    let yaml = docs(&[
        &namespace("shop"),
        &deployment("shop", "web", 1, explicit, ""),
    ]);
    assert_eq!(with_code(&yaml, "PN1008").len(), 1);
}

#[test]
fn pn1008_workload_uses_default_service_account_is_quiet_with_its_own() {
    assert!(with_code(&governed(), "PN1008").is_empty());
    // The deprecated `serviceAccount` field names it too.
    let deprecated = "      serviceAccount: web\n";
    let yaml = docs(&[
        &namespace("shop"),
        &deployment("shop", "web", 1, deprecated, ""),
    ]);
    assert!(with_code(&yaml, "PN1008").is_empty());
}

// --- PN1009 / PN1010: Kubernetes docs, "Using RBAC Authorization"
// (user-facing roles: cluster-admin; referring to resources: `*`) and "RBAC
// Good Practices" (least privilege, avoid wildcards).

const CRB_ADMIN: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ci-admin
subjects:
- kind: ServiceAccount
  name: deployer
  namespace: ci
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
"#;

#[test]
fn pn1009_binding_grants_cluster_admin_fires() {
    let f = with_code(CRB_ADMIN, "PN1009");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Error);
    assert_eq!(
        f[0].message,
        "ClusterRoleBinding ci-admin grants `cluster-admin` to ServiceAccount ci/deployer: full control of the whole cluster"
    );
    let rb = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: team-admin
  namespace: shop
subjects:
- kind: User
  name: alice
roleRef:
  kind: ClusterRole
  name: cluster-admin
"#;
    let f = with_code(rb, "PN1009");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Warning);
    assert!(f[0].message.contains("every resource of namespace `shop`"));
}

#[test]
fn pn1009_binding_grants_cluster_admin_is_quiet_for_narrow_roles_and_bootstrap() {
    let edit = CRB_ADMIN.replace("name: cluster-admin", "name: edit");
    assert!(with_code(&edit, "PN1009").is_empty());
    // The bootstrap binding to `system:masters` is the platform's.
    let bootstrap = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: cluster-admin
subjects:
- kind: Group
  name: system:masters
roleRef:
  kind: ClusterRole
  name: cluster-admin
"#;
    assert!(with_code(bootstrap, "PN1009").is_empty());
}

fn role(rule: &str) -> String {
    format!(
        r#"apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ops
  namespace: shop
rules:
{rule}---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ops
  namespace: shop
subjects:
- kind: ServiceAccount
  name: web
roleRef:
  kind: Role
  name: ops
"#
    )
}

#[test]
fn pn1010_binding_grants_wildcard_role_fires() {
    let yaml = role("- apiGroups: [\"\"]\n  resources: [\"*\"]\n  verbs: [\"*\"]\n");
    let f = with_code(&yaml, "PN1010");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        f[0].message,
        "RoleBinding shop/ops grants Role shop/ops, whose rule (t.yaml:7) allows every verb and every resource, to ServiceAccount shop/web in namespace `shop`"
    );
}

#[test]
fn pn1010_binding_grants_wildcard_role_is_quiet_for_listed_verbs() {
    let yaml =
        role("- apiGroups: [\"\"]\n  resources: [pods, services]\n  verbs: [get, list, watch]\n");
    assert!(with_code(&yaml, "PN1010").is_empty());
}

// --- PN1011: Kubernetes docs, Network Policies (namespaceSelector): flows
// across namespaces, listed for review.

#[test]
fn pn1011_cross_namespace_flow_fires_for_allowed_pairs() {
    let yaml = docs(&[
        &namespace("shop"),
        &namespace("data"),
        &deployment("shop", "web", 1, "", ""),
        &deployment("data", "db", 1, "", ""),
    ]);
    let f = with_code(&yaml, "PN1011");
    assert_eq!(f.len(), 2, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Info);
    assert_eq!(
        f[0].message,
        "Deployment data/db may connect to Deployment shop/web: All Connections"
    );
}

#[test]
fn pn1011_cross_namespace_flow_is_quiet_when_denied_and_for_system_namespaces() {
    let deny = |ns: &str| DEFAULT_DENY.replace("namespace: shop", &format!("namespace: {ns}"));
    let yaml = docs(&[
        &namespace("shop"),
        &namespace("data"),
        &deployment("shop", "web", 1, "", ""),
        &deployment("data", "db", 1, "", ""),
        &deny("shop"),
        &deny("data"),
        &deployment("kube-system", "coredns", 1, "", ""),
    ]);
    assert!(with_code(&yaml, "PN1011").is_empty());
}

#[test]
fn every_namespace_rule_is_registered_with_its_texts() {
    for code in (1001..=1011).map(|n| format!("PN{n}")) {
        let rule = podnet_audit::rule(&code).unwrap_or_else(|| panic!("{code} not registered"));
        assert!(!rule.name.is_empty() && !rule.short.is_empty() && !rule.full.is_empty());
        assert!(!rule.help.is_empty());
    }
}

/// Beyond the first 10,000 flows, one finding counts the rest: 101
/// workloads in each of two namespaces make 20,402 cross-namespace pairs.
#[test]
fn pn1011_cross_namespace_flow_lists_the_first_10000_and_counts_the_rest() {
    let mut parts = vec![namespace("shop"), namespace("data")];
    for i in 0..101 {
        parts.push(deployment("shop", &format!("web{i:03}"), 1, "", ""));
        parts.push(deployment("data", &format!("db{i:03}"), 1, "", ""));
    }
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    let f = with_code(&docs(&refs), "PN1011");
    assert_eq!(f.len(), 10_001);
    let rest: Vec<&str> = f
        .iter()
        .map(|x| x.message.as_str())
        .filter(|m| m.contains("more pairs"))
        .collect();
    assert_eq!(
        rest,
        [
            "10402 more pairs of workloads in different namespaces may connect (the first 10000 are listed)"
        ]
    );
}
