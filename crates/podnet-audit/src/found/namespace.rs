//! What the namespace-strategy checks find (PN1001-PN1011).

use podnet_model::{Budget, Conns, CpuMemory, Direction, RbacSubject, Source};

use super::Object;

/// What a namespace-strategy check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NamespaceFound {
    /// PN1001/PN1002: no policy isolates the workload's pods for
    /// `direction`.
    NotIsolated {
        /// The workload.
        workload: Object,
        /// Ingress or egress.
        direction: Direction,
        /// Its namespace.
        namespace: String,
    },
    /// PN1003: a namespace with workloads and no ResourceQuota.
    NoQuota {
        /// The namespace.
        namespace: String,
        /// How many workloads run there.
        workloads: usize,
    },
    /// PN1004: a namespace with workloads and no LimitRange.
    NoLimitRange {
        /// The namespace.
        namespace: String,
        /// How many workloads run there.
        workloads: usize,
    },
    /// PN1005: containers lack what a ResourceQuota requires.
    RejectedByQuota {
        /// The workload.
        workload: Object,
        /// What each container lacks.
        gaps: Vec<ContainerGap>,
        /// The quotas that require it (`ns/name`).
        quotas: Vec<String>,
        /// Its namespace.
        namespace: String,
    },
    /// PN1006: a replicated workload no PodDisruptionBudget covers.
    NoPdb {
        /// The workload.
        workload: Object,
        /// Its replicas.
        replicas: u32,
        /// Its namespace.
        namespace: String,
    },
    /// PN1007: a PodDisruptionBudget that allows no eviction.
    PdbBlocksEviction {
        /// The budget (`ns/name`).
        pdb: String,
        /// What it guarantees.
        budget: Budget,
        /// How many pods it selects.
        selected: u32,
        /// The workloads of those pods.
        workloads: Vec<Object>,
    },
    /// PN1008: a workload on its namespace's `default` ServiceAccount.
    DefaultServiceAccount {
        /// The workload.
        workload: Object,
        /// Its namespace.
        namespace: String,
    },
    /// PN1009: a binding grants `cluster-admin`.
    ClusterAdmin {
        /// The binding.
        binding: Object,
        /// Whom it grants it.
        subjects: Vec<RbacSubject>,
        /// Where.
        scope: GrantScope,
    },
    /// PN1010: a binding grants a role with a `*` rule.
    WildcardGrant {
        /// The binding.
        binding: Object,
        /// The role.
        role: Object,
        /// Where the role was declared.
        role_source: Source,
        /// The line of the `*` rule, when known.
        rule_line: Option<u32>,
        /// Whether the rule allows every verb.
        any_verb: bool,
        /// Whether it allows every resource.
        any_resource: bool,
        /// Whom it grants it.
        subjects: Vec<RbacSubject>,
        /// Where.
        scope: GrantScope,
    },
    /// PN1011: two workloads of different namespaces may connect.
    CrossNamespaceFlow {
        /// The client workload.
        from: Object,
        /// The server workload.
        to: Object,
        /// What it may open.
        conns: Conns,
        /// The client's namespace.
        from_namespace: String,
        /// The server's namespace.
        to_namespace: String,
    },
    /// PN1011: how many more such pairs there are beyond those listed.
    MoreCrossNamespaceFlows {
        /// Pairs not listed.
        rest: u64,
        /// Pairs listed.
        listed: usize,
    },
}

/// What one container lacks that a quota requires.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ContainerGap {
    /// Whether it is an init container.
    pub init: bool,
    /// Its name.
    pub name: String,
    /// Requests it lacks.
    pub requests: CpuMemory,
    /// Limits it lacks.
    pub limits: CpuMemory,
}

/// Where a binding grants its role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GrantScope {
    /// A RoleBinding: in its namespace.
    Namespace(String),
    /// A ClusterRoleBinding: everywhere.
    Cluster,
}
