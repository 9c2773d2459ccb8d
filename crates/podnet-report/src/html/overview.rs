//! The report's overview: per namespace its workloads, pods and policies,
//! and the policies of the cluster by tier.

use podnet_model::Cluster;
use podnet_model::admin::Tier;
use serde::Serialize;

/// One namespace of the overview.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct NamespaceJson {
    /// Its name.
    pub name: String,
    /// Workloads with pods.
    pub workloads: usize,
    /// Pods.
    pub pods: usize,
    /// NetworkPolicies in it.
    pub network_policies: usize,
    /// MultiNetworkPolicies in it.
    pub multi_network_policies: usize,
}

/// Policies by tier, in the order they are evaluated.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct TiersJson {
    /// AdminNetworkPolicies (and ClusterNetworkPolicies of the admin tier).
    pub admin: usize,
    /// NetworkPolicies.
    pub network_policy: usize,
    /// BaselineAdminNetworkPolicies (and ClusterNetworkPolicies of the
    /// baseline tier).
    pub baseline: usize,
    /// MultiNetworkPolicies (secondary networks).
    pub multi_network_policy: usize,
}

/// The overview part of the report.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct OverviewJson {
    /// Namespaces with workloads or policies, by name.
    pub namespaces: Vec<NamespaceJson>,
    /// Policies by tier.
    pub tiers: TiersJson,
    /// Pods in all.
    pub pods: usize,
    /// Services in all.
    pub services: usize,
    /// Nodes in all.
    pub nodes: usize,
}

/// The overview of a cluster.
pub fn build(cluster: &Cluster) -> OverviewJson {
    let mut namespaces: Vec<NamespaceJson> = cluster
        .namespaces
        .iter()
        .map(|n| NamespaceJson {
            name: n.name.clone(),
            workloads: 0,
            pods: 0,
            network_policies: 0,
            multi_network_policies: 0,
        })
        .collect();
    for w in &cluster.workloads {
        if !w.pods.is_empty() {
            let n = &mut namespaces[w.namespace.index()];
            n.workloads += 1;
            n.pods += w.pods.len();
        }
    }
    for p in &cluster.policies {
        namespaces[p.namespace.index()].network_policies += 1;
    }
    for p in &cluster.multi_policies {
        namespaces[p.policy.namespace.index()].multi_network_policies += 1;
    }
    let admin = cluster
        .admin_policies
        .iter()
        .filter(|p| p.tier == Tier::Admin)
        .count();
    namespaces
        .retain(|n| n.workloads > 0 || n.network_policies > 0 || n.multi_network_policies > 0);
    namespaces.sort_by(|a, b| a.name.cmp(&b.name));
    OverviewJson {
        namespaces,
        tiers: TiersJson {
            admin,
            network_policy: cluster.policies.len(),
            baseline: cluster.admin_policies.len() - admin,
            multi_network_policy: cluster.multi_policies.len(),
        },
        pods: cluster.pods.len(),
        services: cluster.services.len(),
        nodes: cluster.nodes.len(),
    }
}
