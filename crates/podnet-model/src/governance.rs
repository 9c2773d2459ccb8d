//! Governance objects a namespace strategy is judged by, beside its
//! NetworkPolicies: ResourceQuota and LimitRange (v1), PodDisruptionBudget
//! (policy/v1), ServiceAccount (v1) and RBAC Roles, ClusterRoles and their
//! bindings (rbac.authorization.k8s.io/v1); and what admission reads of a
//! pod: its ServiceAccount and which containers state CPU and memory
//! requests and limits. Namespaces are kept by name (in [`Meta`]), so that
//! namespaces the dataplane adds later do not renumber them.

use std::collections::BTreeMap;

use crate::labels::Labels;
use crate::selector::LabelSelector;
use crate::source::Meta;

/// The governance objects of a cluster, each list in input order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Governance {
    /// ResourceQuotas.
    pub quotas: Vec<ResourceQuota>,
    /// LimitRanges.
    pub limit_ranges: Vec<LimitRange>,
    /// PodDisruptionBudgets.
    pub disruption_budgets: Vec<DisruptionBudget>,
    /// ServiceAccounts.
    pub service_accounts: Vec<ServiceAccount>,
    /// Roles and ClusterRoles.
    pub roles: Vec<Role>,
    /// RoleBindings and ClusterRoleBindings.
    pub bindings: Vec<RoleBinding>,
}

impl Governance {
    /// The ResourceQuotas of namespace `ns`.
    pub fn quotas_in<'a>(&'a self, ns: &'a str) -> impl Iterator<Item = &'a ResourceQuota> + 'a {
        self.quotas
            .iter()
            .filter(move |q| in_namespace(&q.meta, ns))
    }

    /// The LimitRanges of namespace `ns`.
    pub fn limit_ranges_in<'a>(&'a self, ns: &'a str) -> impl Iterator<Item = &'a LimitRange> + 'a {
        self.limit_ranges
            .iter()
            .filter(move |l| in_namespace(&l.meta, ns))
    }

    /// The PodDisruptionBudgets of namespace `ns`.
    pub fn disruption_budgets_in<'a>(
        &'a self,
        ns: &'a str,
    ) -> impl Iterator<Item = &'a DisruptionBudget> + 'a {
        self.disruption_budgets
            .iter()
            .filter(move |b| in_namespace(&b.meta, ns))
    }

    /// The role a binding refers to, when the input has it: a RoleBinding's
    /// `Role` in its own namespace, or a `ClusterRole`.
    pub fn role_of(&self, binding: &RoleBinding) -> Option<&Role> {
        self.roles.iter().find(|r| {
            r.meta.kind == binding.role_ref.kind
                && r.meta.name == binding.role_ref.name
                && (binding.role_ref.kind == "ClusterRole"
                    || r.meta.namespace == binding.meta.namespace)
        })
    }
}

fn in_namespace(meta: &Meta, ns: &str) -> bool {
    meta.namespace.as_deref() == Some(ns)
}

/// Which of CPU and memory something names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CpuMemory {
    /// CPU.
    pub cpu: bool,
    /// Memory.
    pub memory: bool,
}

impl CpuMemory {
    /// Both.
    pub const BOTH: CpuMemory = CpuMemory {
        cpu: true,
        memory: true,
    };

    /// Whether neither is named.
    pub fn is_empty(self) -> bool {
        !self.cpu && !self.memory
    }

    /// Either's.
    pub fn or(self, other: CpuMemory) -> CpuMemory {
        CpuMemory {
            cpu: self.cpu || other.cpu,
            memory: self.memory || other.memory,
        }
    }

    /// What `self` names and `other` does not.
    pub fn missing_from(self, other: CpuMemory) -> CpuMemory {
        CpuMemory {
            cpu: self.cpu && !other.cpu,
            memory: self.memory && !other.memory,
        }
    }

    /// `cpu`, `memory`, `cpu and memory` or `nothing`.
    pub fn describe(self) -> &'static str {
        match (self.cpu, self.memory) {
            (true, true) => "cpu and memory",
            (true, false) => "cpu",
            (false, true) => "memory",
            (false, false) => "nothing",
        }
    }
}

/// A v1 ResourceQuota: `spec.hard` as written (scopes are not modelled).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceQuota {
    /// Identity and provenance.
    pub meta: Meta,
    /// `spec.hard`: resource name to quantity as written.
    pub hard: BTreeMap<String, String>,
}

impl ResourceQuota {
    /// What every new container must request because of this quota: `cpu`
    /// or `requests.cpu` (and the same for memory). Docs "Resource Quotas",
    /// Compute Resource Quota: "If the quota has a value specified for
    /// requests.cpu or requests.memory, then it requires that every
    /// incoming container makes an explicit request for those resources."
    pub fn requires_requests(&self) -> CpuMemory {
        CpuMemory {
            cpu: self.hard.contains_key("cpu") || self.hard.contains_key("requests.cpu"),
            memory: self.hard.contains_key("memory") || self.hard.contains_key("requests.memory"),
        }
    }

    /// What every new container must limit because of this quota
    /// (`limits.cpu`, `limits.memory`).
    pub fn requires_limits(&self) -> CpuMemory {
        CpuMemory {
            cpu: self.hard.contains_key("limits.cpu"),
            memory: self.hard.contains_key("limits.memory"),
        }
    }
}

/// A v1 LimitRange: what its `Container` items fill in for containers
/// that state nothing, after the API server's defaulting
/// (`SetDefaults_LimitRangeItem`: an unset `default` takes `max`, an unset
/// `defaultRequest` takes `default`, then `min`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitRange {
    /// Identity and provenance.
    pub meta: Meta,
    /// Limits it sets on containers without them.
    pub default_limits: CpuMemory,
    /// Requests it sets on containers without them.
    pub default_requests: CpuMemory,
}

/// `minAvailable` or `maxUnavailable`: a count or a percentage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntOrPercent {
    /// A number of pods.
    Int(u32),
    /// A percentage of the selected pods (0..=100).
    Percent(u32),
}

impl IntOrPercent {
    /// The number of pods out of `total` (percentages of `minAvailable`
    /// round up, of `maxUnavailable` round down, as the disruption
    /// controller does with `GetScaledValueFromIntOrPercent`).
    pub fn of(self, total: u32, round_up: bool) -> u32 {
        match self {
            IntOrPercent::Int(n) => n,
            IntOrPercent::Percent(p) => {
                let scaled = u64::from(total) * u64::from(p);
                let n = if round_up {
                    scaled.div_ceil(100)
                } else {
                    scaled / 100
                };
                u32::try_from(n).unwrap_or(u32::MAX)
            }
        }
    }
}

impl std::fmt::Display for IntOrPercent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IntOrPercent::Int(n) => write!(f, "{n}"),
            IntOrPercent::Percent(p) => write!(f, "{p}%"),
        }
    }
}

/// What a PodDisruptionBudget guarantees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Budget {
    /// `minAvailable`.
    MinAvailable(IntOrPercent),
    /// `maxUnavailable`.
    MaxUnavailable(IntOrPercent),
    /// Neither: the API defaults nothing; every eviction is allowed.
    Unset,
}

/// A policy/v1 PodDisruptionBudget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisruptionBudget {
    /// Identity and provenance.
    pub meta: Meta,
    /// `spec.selector`; `None` (null) selects no pod, `{}` every pod of the
    /// namespace (policy/v1).
    pub selector: Option<LabelSelector>,
    /// `minAvailable` or `maxUnavailable`.
    pub budget: Budget,
}

impl DisruptionBudget {
    /// Whether it selects a pod with `labels` in its namespace.
    pub fn selects(&self, labels: &Labels) -> bool {
        self.selector.as_ref().is_some_and(|s| s.matches(labels))
    }

    /// How many of `replicas` selected pods may be evicted at once.
    pub fn allowed_disruptions(&self, replicas: u32) -> u32 {
        match self.budget {
            Budget::MinAvailable(m) => replicas.saturating_sub(m.of(replicas, true)),
            Budget::MaxUnavailable(m) => m.of(replicas, false).min(replicas),
            Budget::Unset => replicas,
        }
    }
}

/// A v1 ServiceAccount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceAccount {
    /// Identity and provenance.
    pub meta: Meta,
    /// `automountServiceAccountToken`, when set.
    pub automount_token: Option<bool>,
}

/// One rule of a Role or ClusterRole.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RbacRule {
    /// `verbs`.
    pub verbs: Vec<String>,
    /// `apiGroups`.
    pub api_groups: Vec<String>,
    /// `resources`.
    pub resources: Vec<String>,
    /// `resourceNames`.
    pub resource_names: Vec<String>,
    /// `nonResourceURLs`.
    pub non_resource_urls: Vec<String>,
    /// Line of the rule in its file.
    pub line: Option<u32>,
}

impl RbacRule {
    /// Whether it grants every verb (`*`).
    pub fn any_verb(&self) -> bool {
        self.verbs.iter().any(|v| v == "*")
    }

    /// Whether it grants every resource (`*`) of its groups.
    pub fn any_resource(&self) -> bool {
        self.resources.iter().any(|r| r == "*")
    }
}

/// A Role (`meta.kind` `Role`, namespaced) or ClusterRole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    /// Identity and provenance; `kind` is `Role` or `ClusterRole`.
    pub meta: Meta,
    /// `rules`.
    pub rules: Vec<RbacRule>,
    /// Whether it is an aggregated ClusterRole (`aggregationRule`), whose
    /// rules the controller fills in.
    pub aggregated: bool,
}

/// `roleRef`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleRef {
    /// `Role` or `ClusterRole`.
    pub kind: String,
    /// `name`.
    pub name: String,
}

/// One `subjects` entry.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RbacSubject {
    /// `User`, `Group` or `ServiceAccount`.
    pub kind: String,
    /// `name`.
    pub name: String,
    /// `namespace` (ServiceAccounts; defaulted to the binding's for a
    /// RoleBinding).
    pub namespace: Option<String>,
}

impl RbacSubject {
    /// `ServiceAccount ns/name`, `User name`...
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

/// A RoleBinding (`meta.kind` `RoleBinding`, namespaced) or
/// ClusterRoleBinding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleBinding {
    /// Identity and provenance; `kind` is `RoleBinding` or
    /// `ClusterRoleBinding`.
    pub meta: Meta,
    /// `roleRef`.
    pub role_ref: RoleRef,
    /// `subjects`.
    pub subjects: Vec<RbacSubject>,
}

/// What one container states under `resources`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerResources {
    /// Container name.
    pub name: String,
    /// Whether it is an init container.
    pub init: bool,
    /// `resources.requests` names cpu / memory.
    pub requests: CpuMemory,
    /// `resources.limits` names cpu / memory.
    pub limits: CpuMemory,
}

impl ContainerResources {
    /// The requests after the API server's pod defaulting: a limit without
    /// a request makes the request equal to the limit.
    pub fn effective_requests(&self) -> CpuMemory {
        self.requests.or(self.limits)
    }
}

/// What admission reads of a pod spec: the ServiceAccount it runs as and
/// the resources each container states (ResourceQuota and LimitRanger).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodAdmission {
    /// `spec.serviceAccountName` (or the deprecated `serviceAccount`);
    /// `None` runs as `default`.
    pub service_account: Option<String>,
    /// Containers and init containers, in order.
    pub containers: Vec<ContainerResources>,
}

impl PodAdmission {
    /// The ServiceAccount the pod runs as.
    pub fn service_account_name(&self) -> &str {
        self.service_account.as_deref().unwrap_or("default")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_as_the_disruption_controller() {
        let min = |p| DisruptionBudget {
            meta: Meta {
                kind: "PodDisruptionBudget".into(),
                namespace: Some("a".into()),
                name: "b".into(),
                source: crate::source::Source {
                    file: "f".into(),
                    document: 1,
                    line: None,
                    item: None,
                },
            },
            selector: Some(LabelSelector::everything()),
            budget: p,
        };
        // 50% of 3 rounds up to 2 available: one may go.
        let b = min(Budget::MinAvailable(IntOrPercent::Percent(50)));
        assert_eq!(b.allowed_disruptions(3), 1);
        let b = min(Budget::MinAvailable(IntOrPercent::Percent(100)));
        assert_eq!(b.allowed_disruptions(3), 0);
        // 50% of 3 rounds down to 1 unavailable.
        let b = min(Budget::MaxUnavailable(IntOrPercent::Percent(50)));
        assert_eq!(b.allowed_disruptions(3), 1);
        let b = min(Budget::MaxUnavailable(IntOrPercent::Percent(10)));
        assert_eq!(b.allowed_disruptions(3), 0);
        let b = min(Budget::MinAvailable(IntOrPercent::Int(1)));
        assert_eq!(b.allowed_disruptions(2), 1);
        assert_eq!(b.allowed_disruptions(1), 0);
    }
}
