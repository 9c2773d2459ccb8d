//! The namespace-strategy summary in platform teams' terms (one compares
//! keeping one shared namespace, splitting by layer and splitting by domain
//! on isolation, NetworkPolicy, RBAC, ResourceQuota and fault isolation):
//! which [`Strategy`] the cluster follows, and per namespace and for the
//! cluster as a whole how it scores on each.
//!
//! Classification reads namespace labels and how workloads spread over
//! namespaces. Only application namespaces count: system namespaces
//! (`kube-*`, `*-system`, `openshift*`) and platform namespaces (named
//! `monitoring`, `logging`... or labelled with a layer such as `platform`)
//! exist under every strategy.
//!
//! 1. One application namespace holds more than half of the application
//!    workloads (and at least two): [`Strategy::SharedNamespace`], the
//!    "current" option.
//! 2. Otherwise each application namespace is a *domain* namespace when a
//!    label key ends in `domain`, `tenant` or `team`, a *layer* namespace
//!    when a label key ends in `layer` or `tier` or its name is a layer
//!    (`api`, `web`, `frontend`, `backend`, `workers`, `data`, `db`...),
//!    and a domain namespace otherwise (a namespace named after what it
//!    runs). Two or more domain namespaces and at most one layer namespace
//!    (Option 1 keeps a shared `data` namespace) is
//!    [`Strategy::DomainNamespaces`]; two or more layer namespaces and at
//!    most one domain namespace is [`Strategy::LayerNamespaces`]; anything
//!    else is [`Strategy::Mixed`].
//!
//! The cluster row covers the application and platform namespaces, not the
//! system ones.

use std::collections::BTreeMap;

use podnet_model::{Labels, NsId, WorkloadId};

use crate::checks::namespace::disruption::selected_pods;
use crate::checks::namespace::rbac::{bootstrap, on_default_account};
use crate::checks::namespace::resources::requirements;
use crate::checks::namespace::scope::{Cover, Scope, is_system_namespace};
use crate::context::Context;

/// How a cluster divides its workloads into namespaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// "current": one namespace holds all APIs.
    SharedNamespace,
    /// One namespace per architecture layer (api, workers, data).
    LayerNamespaces,
    /// "domain isolation": one namespace per domain or tenant.
    DomainNamespaces,
    /// Some of each.
    Mixed,
}

impl Strategy {
    /// The strategy's name as platform teams say it.
    pub fn label(&self) -> &'static str {
        match self {
            Strategy::SharedNamespace => "current (one shared namespace)",
            Strategy::LayerNamespaces => "layer separation",
            Strategy::DomainNamespaces => "domain isolation",
            Strategy::Mixed => "mixed",
        }
    }
}

/// How much of something a namespace has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Nothing.
    None,
    /// Some.
    Partial,
    /// All.
    Full,
}

impl Level {
    /// `none`, `partial` or `full`.
    pub fn label(&self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Partial => "partial",
            Level::Full => "full",
        }
    }
}

/// One row of the table: a namespace, or the cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespaceSummary {
    /// The namespace's name (`cluster` for the cluster row).
    pub name: String,
    /// Workloads from the input.
    pub workloads: usize,
    /// Whether its workloads are isolated in both directions.
    pub isolation: Level,
    /// NetworkPolicy coverage (`3/3 workloads isolated (ingress+egress)`).
    pub policy_coverage: String,
    /// RBAC: bindings and ServiceAccounts.
    pub rbac_scope: String,
    /// ResourceQuota and LimitRange.
    pub quota: String,
    /// Disruption budgets and what the namespace shares.
    pub fault_isolation: String,
}

/// The whole table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The strategy the cluster follows.
    pub strategy: Strategy,
    /// Every namespace with workloads or declared in the input, by name.
    pub namespaces: Vec<NamespaceSummary>,
    /// The cluster as a whole (system namespaces left out).
    pub cluster: NamespaceSummary,
}

/// Namespace names that hold the platform's tools under any strategy.
const PLATFORM_NAMES: [&str; 10] = [
    "monitoring",
    "logging",
    "observability",
    "tracing",
    "ingress-nginx",
    "cert-manager",
    "argocd",
    "vault",
    "keycloak",
    "platform",
];

/// Layer values that mean the platform rather than an application layer.
const PLATFORM_LAYERS: [&str; 6] = [
    "platform",
    "monitoring",
    "observability",
    "infra",
    "infrastructure",
    "ops",
];

/// Namespace names that are an architecture layer.
const LAYER_NAMES: [&str; 16] = [
    "api",
    "apis",
    "web",
    "frontend",
    "backend",
    "app",
    "apps",
    "services",
    "workers",
    "worker",
    "jobs",
    "data",
    "db",
    "database",
    "cache",
    "messaging",
];

/// What role a namespace plays in the strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    System,
    Platform,
    Layer,
    Domain,
}

/// The value of a label whose key (after any `prefix/`) is one of `names`.
fn label_ending<'l>(labels: &'l Labels, names: &[&str]) -> Option<&'l str> {
    labels
        .iter()
        .find(|(k, _)| names.contains(&k.rsplit('/').next().unwrap_or(k)))
        .map(|(_, v)| v)
}

fn role(name: &str, labels: &Labels) -> Role {
    if is_system_namespace(name) {
        return Role::System;
    }
    if label_ending(labels, &["domain", "tenant", "team"]).is_some() {
        return Role::Domain;
    }
    if let Some(layer) = label_ending(labels, &["layer", "tier"]) {
        return if PLATFORM_LAYERS.contains(&layer) {
            Role::Platform
        } else {
            Role::Layer
        };
    }
    if PLATFORM_NAMES.contains(&name) {
        Role::Platform
    } else if LAYER_NAMES.contains(&name) {
        Role::Layer
    } else {
        Role::Domain
    }
}

/// Classifies from each application namespace's role and workload count.
fn classify(apps: &[(Role, usize)]) -> Strategy {
    let total: usize = apps.iter().map(|(_, n)| n).sum();
    let largest = apps.iter().map(|(_, n)| *n).max().unwrap_or(0);
    if apps.len() <= 1 || (largest >= 2 && largest * 2 > total) {
        return Strategy::SharedNamespace;
    }
    let domains = apps.iter().filter(|(r, _)| *r == Role::Domain).count();
    let layers = apps.iter().filter(|(r, _)| *r == Role::Layer).count();
    match (domains, layers) {
        (d, l) if d >= 2 && l <= 1 => Strategy::DomainNamespaces,
        (d, l) if l >= 2 && d <= 1 => Strategy::LayerNamespaces,
        _ => Strategy::Mixed,
    }
}

/// Counts over a set of workloads.
#[derive(Default)]
struct Tally {
    workloads: usize,
    eligible: usize,
    host: usize,
    ingress: usize,
    egress: usize,
    both: usize,
    own_account: usize,
    replicated: usize,
    budgeted: usize,
    rejected: usize,
}

impl Tally {
    fn isolation(&self) -> Level {
        if self.eligible > 0 && self.both == self.eligible {
            Level::Full
        } else if self.ingress + self.egress > 0 {
            Level::Partial
        } else {
            Level::None
        }
    }

    fn coverage(&self) -> String {
        let t = self.eligible;
        let mut s = if self.workloads == 0 {
            "no workloads".to_owned()
        } else if t == 0 {
            "no pod-network workloads".to_owned()
        } else if self.ingress == self.egress && self.ingress == self.both {
            format!("{}/{t} workloads isolated (ingress+egress)", self.both)
        } else {
            format!(
                "{}/{t} isolated for ingress, {}/{t} for egress",
                self.ingress, self.egress
            )
        };
        if self.host > 0 {
            s.push_str(&format!(
                "; {} host-network workload(s) outside NetworkPolicy",
                self.host
            ));
        }
        s
    }

    fn budgets(&self) -> String {
        if self.replicated == 0 {
            "no replicated workload".to_owned()
        } else {
            format!(
                "{}/{} replicated workloads under a PodDisruptionBudget",
                self.budgeted, self.replicated
            )
        }
    }
}

fn tally(scope: &Scope<'_>, workloads: &[WorkloadId]) -> Tally {
    let cluster = scope.cluster;
    let g = &cluster.governance;
    let mut t = Tally {
        workloads: workloads.len(),
        ..Tally::default()
    };
    for &w in workloads {
        let [ingress, egress] = scope.isolation(w);
        if ingress == Cover::HostNetwork {
            t.host += 1;
        } else if ingress != Cover::NoPods {
            t.eligible += 1;
            let (i, e) = (ingress == Cover::Isolated, egress == Cover::Isolated);
            t.ingress += usize::from(i);
            t.egress += usize::from(e);
            t.both += usize::from(i && e);
        }
        if !on_default_account(scope, w) {
            t.own_account += 1;
        }
        let wl = cluster.workload(w);
        let ns = &cluster.namespace(wl.namespace).name;
        if scope.replicas(w).is_some_and(|r| r > 1) {
            t.replicated += 1;
            let covered = g
                .disruption_budgets_in(ns)
                .any(|b| wl.pods.iter().any(|&p| b.selects(cluster.pod_labels(p))));
            t.budgeted += usize::from(covered);
        }
        let req = requirements(g, ns);
        let rejected = wl.pods.iter().any(|&p| {
            cluster.pod(p).admission.containers.iter().any(|c| {
                !req.requests
                    .missing_from(c.effective_requests().or(req.default_requests))
                    .is_empty()
                    || !req
                        .limits
                        .missing_from(c.limits.or(req.default_limits))
                        .is_empty()
            })
        });
        t.rejected += usize::from(rejected);
    }
    t
}

fn namespace_row(scope: &Scope<'_>, ns: NsId, workloads: &[WorkloadId]) -> NamespaceSummary {
    let cluster = scope.cluster;
    let g = &cluster.governance;
    let name = cluster.namespace(ns).name.clone();
    let t = tally(scope, workloads);

    let bindings: Vec<_> = g
        .bindings
        .iter()
        .filter(|b| b.meta.namespace.as_deref() == Some(name.as_str()))
        .collect();
    let cluster_grants = g
        .bindings
        .iter()
        .filter(|b| b.meta.kind == "ClusterRoleBinding" && !bootstrap(b))
        .filter(|b| {
            b.subjects.iter().any(|s| {
                s.kind == "ServiceAccount" && s.namespace.as_deref() == Some(name.as_str())
            })
        })
        .count();
    let mut rbac_scope = match bindings.len() {
        0 => "no RoleBinding".to_owned(),
        n => format!("{n} RoleBinding(s)"),
    };
    rbac_scope.push_str(&format!(
        ", {}/{} workloads on their own ServiceAccount",
        t.own_account, t.workloads
    ));
    if cluster_grants > 0 {
        rbac_scope.push_str(&format!(", {cluster_grants} cluster-wide binding(s)"));
    }

    let quotas: Vec<String> = g
        .quotas_in(&name)
        .map(|q| {
            let hard: Vec<String> = q.hard.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("ResourceQuota {} ({})", q.meta.name, hard.join(", "))
        })
        .collect();
    let ranges: Vec<String> = g
        .limit_ranges_in(&name)
        .map(|l| format!("LimitRange {}", l.meta.name))
        .collect();
    let mut quota = if quotas.is_empty() {
        "no ResourceQuota".to_owned()
    } else {
        quotas.join("; ")
    };
    quota.push_str(&if ranges.is_empty() {
        "; no LimitRange".to_owned()
    } else {
        format!("; {}", ranges.join(", "))
    });
    if t.rejected > 0 {
        quota.push_str(&format!(
            "; {} workload(s) rejected at admission",
            t.rejected
        ));
    }

    let mut fault_isolation = t.budgets();
    let blocking = g
        .disruption_budgets_in(&name)
        .filter(|b| {
            let n = selected_pods(scope, b).len();
            n > 0 && b.allowed_disruptions(u32::try_from(n).unwrap_or(u32::MAX)) == 0
        })
        .count();
    if blocking > 0 {
        fault_isolation.push_str(&format!("; {blocking} PDB(s) allow no eviction"));
    }
    if t.workloads > 1 {
        fault_isolation.push_str(&format!(
            "; {} workloads share this namespace{}",
            t.workloads,
            if quotas.is_empty() {
                " with no quota between them"
            } else {
                "'s quota"
            }
        ));
    }

    NamespaceSummary {
        name,
        workloads: t.workloads,
        isolation: t.isolation(),
        policy_coverage: t.coverage(),
        rbac_scope,
        quota,
        fault_isolation,
    }
}

/// The summary of the cluster in `ctx`.
pub fn summarize(ctx: &Context<'_>) -> Summary {
    let scope = Scope::new(ctx);
    let cluster = scope.cluster;
    let g = &cluster.governance;
    let mut rows = Vec::new();
    let mut apps: Vec<(Role, usize)> = Vec::new();
    let mut counted: Vec<WorkloadId> = Vec::new();
    let mut counted_ns: Vec<String> = Vec::new();
    let empty = Vec::new();
    let by_namespace: BTreeMap<NsId, &Vec<WorkloadId>> =
        scope.by_namespace.iter().map(|(&k, v)| (k, v)).collect();
    for (i, n) in cluster.namespaces.iter().enumerate() {
        let ns = NsId::from_index(i);
        let workloads = by_namespace.get(&ns).copied().unwrap_or(&empty);
        let governed = g.quotas_in(&n.name).next().is_some();
        if workloads.is_empty() && n.declared.is_none() && !governed {
            continue;
        }
        rows.push(namespace_row(&scope, ns, workloads));
        let r = role(&n.name, &n.labels);
        if r != Role::System {
            counted.extend(workloads.iter().copied());
            counted_ns.push(n.name.clone());
        }
        if matches!(r, Role::Layer | Role::Domain) && !workloads.is_empty() {
            apps.push((r, workloads.len()));
        }
    }
    let strategy = classify(&apps);

    let t = tally(&scope, &counted);
    let n = counted_ns.len();
    let with_quota = counted_ns
        .iter()
        .filter(|ns| g.quotas_in(ns).next().is_some())
        .count();
    let with_ranges = counted_ns
        .iter()
        .filter(|ns| g.limit_ranges_in(ns).next().is_some())
        .count();
    let crbs: Vec<_> = g
        .bindings
        .iter()
        .filter(|b| b.meta.kind == "ClusterRoleBinding" && !bootstrap(b))
        .collect();
    let admins = crbs
        .iter()
        .filter(|b| b.role_ref.kind == "ClusterRole" && b.role_ref.name == "cluster-admin")
        .count();
    let role_bindings = g
        .bindings
        .iter()
        .filter(|b| b.meta.kind == "RoleBinding" && !bootstrap(b))
        .count();
    let largest = rows
        .iter()
        .filter(|r| counted_ns.contains(&r.name))
        .max_by_key(|r| r.workloads);
    let mut fault_isolation = t.budgets();
    if let Some(l) = largest.filter(|l| l.workloads > 0) {
        fault_isolation.push_str(&format!(
            "; largest namespace `{}` holds {}/{} workloads",
            l.name, l.workloads, t.workloads
        ));
    }
    let cluster_row = NamespaceSummary {
        name: "cluster".to_owned(),
        workloads: t.workloads,
        isolation: t.isolation(),
        policy_coverage: t.coverage(),
        rbac_scope: format!(
            "{role_bindings} RoleBinding(s), {} ClusterRoleBinding(s) ({admins} cluster-admin), {}/{} workloads on their own ServiceAccount",
            crbs.len(),
            t.own_account,
            t.workloads
        ),
        quota: format!(
            "{with_quota}/{n} namespaces with a ResourceQuota, {with_ranges}/{n} with a LimitRange{}",
            if t.rejected > 0 {
                format!("; {} workload(s) rejected at admission", t.rejected)
            } else {
                String::new()
            }
        ),
        fault_isolation,
    };
    Summary {
        strategy,
        namespaces: rows,
        cluster: cluster_row,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_namespace_with_most_workloads_is_shared() {
        assert_eq!(
            classify(&[(Role::Layer, 10), (Role::Domain, 1)]),
            Strategy::SharedNamespace
        );
        assert_eq!(classify(&[(Role::Domain, 3)]), Strategy::SharedNamespace);
        assert_eq!(classify(&[]), Strategy::SharedNamespace);
    }

    #[test]
    fn domains_layers_and_mixes() {
        let domains = [
            (Role::Domain, 1),
            (Role::Domain, 1),
            (Role::Domain, 1),
            (Role::Layer, 3),
        ];
        assert_eq!(classify(&domains), Strategy::DomainNamespaces);
        let layers = [(Role::Layer, 3), (Role::Layer, 2), (Role::Layer, 3)];
        assert_eq!(classify(&layers), Strategy::LayerNamespaces);
        let mixed = [
            (Role::Layer, 2),
            (Role::Layer, 2),
            (Role::Domain, 1),
            (Role::Domain, 1),
        ];
        assert_eq!(classify(&mixed), Strategy::Mixed);
    }

    #[test]
    fn roles_from_labels_and_names() {
        let mut labels = Labels::new();
        labels.insert("ecoeco.io/layer", "api");
        labels.insert("ecoeco.io/domain", "auth");
        assert_eq!(role("auth", &labels), Role::Domain);
        let mut platform = Labels::new();
        platform.insert("ecoeco.io/layer", "platform");
        assert_eq!(role("monitoring", &platform), Role::Platform);
        assert_eq!(role("monitoring", &Labels::new()), Role::Platform);
        assert_eq!(role("api", &Labels::new()), Role::Layer);
        assert_eq!(role("kube-system", &Labels::new()), Role::System);
        assert_eq!(role("robin-system", &Labels::new()), Role::System);
        assert_eq!(role("atlantis", &Labels::new()), Role::Domain);
    }
}
