//! The namespace-strategy rules (PN1001..PN1011): codes, names and the
//! texts SARIF and `--explain` show, each citing the Kubernetes
//! documentation it follows.

use crate::finding::{Rule, Severity};

/// PN1001.
pub const NOT_ISOLATED_INGRESS: Rule = Rule {
    code: "PN1001",
    name: "workload-not-isolated-for-ingress",
    short: "No NetworkPolicy or admin policy isolates the workload's pods for ingress",
    full: "A pod is isolated for ingress only when a NetworkPolicy in its namespace selects it with `Ingress` in its policyTypes (or a cluster-scoped AdminNetworkPolicy/BaselineAdminNetworkPolicy denies by default); otherwise every pod and address may connect to it (Kubernetes docs, Network Policies: \"The two sorts of pod isolation\"). Without a default deny, a compromised pod anywhere reaches it.",
    help: "add a default-deny NetworkPolicy (`podSelector: {}`, `policyTypes: [Ingress]`) to the namespace and allow only the callers it needs",
    severity: Severity::Warning,
};

/// PN1002.
pub const NOT_ISOLATED_EGRESS: Rule = Rule {
    code: "PN1002",
    name: "workload-not-isolated-for-egress",
    short: "No NetworkPolicy or admin policy isolates the workload's pods for egress",
    full: "A pod is isolated for egress only when a NetworkPolicy in its namespace selects it with `Egress` in its policyTypes (or an admin policy denies by default); otherwise it may connect anywhere, inside or outside the cluster (Kubernetes docs, Network Policies: \"The two sorts of pod isolation\").",
    help: "add a default-deny NetworkPolicy (`podSelector: {}`, `policyTypes: [Egress]`) to the namespace, then allow DNS and the services it calls",
    severity: Severity::Warning,
};

/// PN1003.
pub const NO_QUOTA: Rule = Rule {
    code: "PN1003",
    name: "namespace-without-resource-quota",
    short: "A namespace runs workloads but has no ResourceQuota",
    full: "A ResourceQuota caps what one namespace may consume, so that one team or domain cannot starve the others (Kubernetes docs, Resource Quotas). Without one, a runaway workload in this namespace competes with every other namespace for the nodes.",
    help: "add a ResourceQuota with requests.cpu, requests.memory, limits.cpu, limits.memory and pods sized for the namespace",
    severity: Severity::Warning,
};

/// PN1004.
pub const NO_LIMIT_RANGE: Rule = Rule {
    code: "PN1004",
    name: "namespace-without-limit-range",
    short: "A namespace runs workloads but has no LimitRange",
    full: "A LimitRange gives containers that state no requests or limits a default (and bounds what they may ask for), so that they are scheduled with a realistic size and admitted under a compute quota (Kubernetes docs, Limit Ranges).",
    help: "add a LimitRange with a `Container` item setting `default` and `defaultRequest` for cpu and memory",
    severity: Severity::Info,
};

/// PN1005.
pub const REJECTED_BY_QUOTA: Rule = Rule {
    code: "PN1005",
    name: "pods-rejected-by-resource-quota",
    short: "Containers lack requests or limits a ResourceQuota requires: admission rejects the pods",
    full: "When a ResourceQuota constrains requests.cpu or requests.memory (or cpu, memory), every new container must request them; when it constrains limits.cpu or limits.memory, every container must set those limits (Kubernetes docs, Resource Quotas, \"Compute Resource Quota\"). A LimitRange default fills what containers omit; without one, the API server rejects the pod and its controller reports FailedCreate.",
    help: "set resources.requests and resources.limits on every container (init containers too), or add a LimitRange with defaults",
    severity: Severity::Error,
};

/// PN1006.
pub const NO_PDB: Rule = Rule {
    code: "PN1006",
    name: "replicated-workload-without-pdb",
    short: "A workload with more than one replica has no PodDisruptionBudget",
    full: "A PodDisruptionBudget limits how many of an application's pods voluntary disruptions (node drains, upgrades, autoscaler scale-down) may take down at once (Kubernetes docs, Specifying a Disruption Budget for your Application). Without one, a drain can evict every replica together.",
    help: "add a PodDisruptionBudget selecting the workload's pods with `minAvailable: 1` (or `maxUnavailable: 1`)",
    severity: Severity::Warning,
};

/// PN1007.
pub const PDB_BLOCKS_EVICTION: Rule = Rule {
    code: "PN1007",
    name: "pdb-allows-no-eviction",
    short: "A PodDisruptionBudget allows no pod to be evicted",
    full: "With `maxUnavailable: 0` (or 0%), or `minAvailable` equal to the number of pods it selects (or 100%), a PodDisruptionBudget permits zero voluntary evictions: `kubectl drain` and node upgrades block until someone deletes it (Kubernetes docs, Specifying a Disruption Budget for your Application, and Disruptions).",
    help: "allow at least one disruption: lower `minAvailable` below the replica count, or set `maxUnavailable: 1`",
    severity: Severity::Warning,
};

/// PN1008.
pub const DEFAULT_SERVICE_ACCOUNT: Rule = Rule {
    code: "PN1008",
    name: "workload-uses-default-service-account",
    short: "A workload runs as its namespace's `default` ServiceAccount",
    full: "Pods that name no ServiceAccount run as `default`, which every such workload of the namespace shares: a permission granted for one is granted to all, and the token is mounted unless disabled (Kubernetes docs, Configure Service Accounts for Pods; RBAC Good Practices).",
    help: "create a ServiceAccount per workload, set `serviceAccountName`, and `automountServiceAccountToken: false` when it does not call the API",
    severity: Severity::Warning,
};

/// PN1009.
pub const CLUSTER_ADMIN: Rule = Rule {
    code: "PN1009",
    name: "binding-grants-cluster-admin",
    short: "A RoleBinding or ClusterRoleBinding grants `cluster-admin`",
    full: "`cluster-admin` allows every verb on every resource; bound by a ClusterRoleBinding it controls the whole cluster, by a RoleBinding every object of the namespace, Roles and RoleBindings included (Kubernetes docs, Using RBAC Authorization, \"User-facing roles\"; RBAC Good Practices, \"Least privilege\").",
    help: "bind a role with only the verbs and resources the subject needs (`admin`, `edit`, `view` or your own), in its own namespace",
    severity: Severity::Error,
};

/// PN1010.
pub const WILDCARD_GRANT: Rule = Rule {
    code: "PN1010",
    name: "binding-grants-wildcard-role",
    short: "A binding grants a role whose rules use `*` verbs or resources",
    full: "A `*` in verbs or resources grants everything, including resources and verbs added later (Kubernetes docs, Using RBAC Authorization, \"Referring to resources\"; RBAC Good Practices: \"avoid wildcard permissions\").",
    help: "list the verbs and resources the subject needs instead of `*`",
    severity: Severity::Warning,
};

/// PN1011.
pub const CROSS_NAMESPACE_FLOW: Rule = Rule {
    code: "PN1011",
    name: "cross-namespace-flow",
    short: "Two workloads in different namespaces may connect",
    full: "Namespace boundaries are where a namespace strategy expects traffic to be decided: each allowed flow between workloads of different namespaces is listed so that it can be reviewed against the intended design (Kubernetes docs, Network Policies: namespaceSelector). Flows to and from system namespaces (DNS, metrics) are left out. The first 10,000 flows are listed one by one, in connlist order; beyond them one finding counts the rest (`podnet connlist --group` states them all).",
    help: "if the flow is not intended, narrow the source's egress or the destination's ingress rules",
    severity: Severity::Info,
};

/// Every rule of the namespace-strategy check, in code order.
pub const RULES: [Rule; 11] = [
    NOT_ISOLATED_INGRESS,
    NOT_ISOLATED_EGRESS,
    NO_QUOTA,
    NO_LIMIT_RANGE,
    REJECTED_BY_QUOTA,
    NO_PDB,
    PDB_BLOCKS_EVICTION,
    DEFAULT_SERVICE_ACCOUNT,
    CLUSTER_ADMIN,
    WILDCARD_GRANT,
    CROSS_NAMESPACE_FLOW,
];
