//! What podnet assumes where the inputs say nothing, sized so that it never
//! fails or shrinks a valid input.
//!
//! * **Nodes.** When the inputs declare no node (no Node objects, no
//!   `nodes` or `nodeCount` in a ClusterProfile), podnet assumes as many
//!   nodes as the pods need, continuing the preset's nodes (`node-1`,
//!   `node-2`...): each with the labels the kubelet and cloud set
//!   ([`NodeInfo::from_profile`]), no taints, and the preset's maxPods.
//!   Pods whose nodeSelector or required node affinity no such node meets
//!   get nodes labelled as they require (a *pool*; a node name they pin
//!   becomes that node's name).
//! * **Cluster CIDRs.** A cluster CIDR the profile does not write (the
//!   preset's) is widened, keeping its first address, until it holds a
//!   block of the node mask for every node, as long as it stays clear of
//!   the service CIDRs.

use std::collections::{HashMap, HashSet};

use ipnet::IpNet;
use podnet_manifest::presets::{self, PRESET_NODE_COUNT};
use podnet_model::node::{HOSTNAME_LABEL, ZONE_LABEL};
use podnet_model::{
    Cloud, Cluster, IpSet, Labels, NodeRequirements, NodeSelectorOperator, NodeSelectorRequirement,
    NodeSelectorTerm, PodOrigin, Profile, WorkloadKind,
};

use crate::addr::block_count;
use crate::issue::{Assumed, Found, Issue};
use crate::nodes::{self, KUBELET_LABELS, NodeInfo, NodeOrigin};
use crate::schedule::{Scheduled, schedule};

/// What podnet assumed while building the running cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Assumptions {
    /// The nodes, when the inputs declare none.
    pub nodes: Option<AssumedNodes>,
    /// Cluster CIDRs widened to give every node a block: (the preset's,
    /// the one used).
    pub widened_cidrs: Vec<(IpNet, IpNet)>,
}

/// The nodes podnet assumed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssumedNodes {
    /// How many.
    pub count: usize,
    /// The first and last name, in the order they were made.
    pub first: String,
    /// See `first`.
    pub last: String,
    /// The pools made for pods that require labels the plain nodes lack.
    pub pools: Vec<AssumedPool>,
}

/// Assumed nodes labelled as some pods require.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssumedPool {
    /// Labels set (or changed) on its nodes.
    pub labels: Labels,
    /// The kubelet's labels its nodes lack.
    pub without: Vec<String>,
    /// Its one node's name, when the pods name their node.
    pub name: Option<String>,
    /// How many nodes it has.
    pub nodes: usize,
}

/// A pool being planned.
#[derive(Clone, Debug)]
struct Pool {
    set: Labels,
    unset: Vec<String>,
    name: Option<String>,
    nodes: usize,
    min: usize,
}

impl Pool {
    fn plain() -> Pool {
        Pool {
            set: Labels::new(),
            unset: Vec::new(),
            name: None,
            nodes: PRESET_NODE_COUNT,
            min: PRESET_NODE_COUNT,
        }
    }
}

/// Rounds of scheduling, growing the pools that ran out of room, at most.
const MAX_ROUNDS: usize = 8;

/// Zones the presets cycle through, at most: a pool grows by this many
/// nodes per node its pods lacked, for pods that require one zone.
const ZONE_CYCLE: usize = 3;

/// What a pod requires of its node, owned (for grouping).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Requirement {
    selector: Labels,
    affinity: Option<Vec<NodeSelectorTerm>>,
}

impl Requirement {
    fn of(net: &podnet_model::PodNet) -> Requirement {
        Requirement {
            selector: net.node_selector.clone(),
            affinity: net.node_affinity.clone(),
        }
    }

    fn borrow(&self) -> NodeRequirements<'_> {
        NodeRequirements {
            node_selector: &self.selector,
            affinity: self.affinity.as_deref(),
        }
    }
}

/// Assumes the nodes of a cluster that declares none, schedules it on them,
/// and returns the nodes (sorted by name), the schedule and what was
/// assumed.
pub fn place(
    cluster: &Cluster,
    profile: &Profile,
    issues: &mut Vec<Issue>,
) -> (Vec<NodeInfo>, Scheduled, AssumedNodes) {
    let (mut pools, pool_of) = plan_pools(cluster, profile);
    let mut round = 0;
    loop {
        let mut named_issues = Vec::new();
        let (nodes, span) = generate(cluster, profile, &pools, &mut named_issues);
        let scheduled = schedule(cluster, &nodes);
        let mut short: HashMap<usize, usize> = HashMap::new();
        for u in scheduled
            .unplaced
            .iter()
            .filter(|u| !u.stand_in && u.failure.for_room())
        {
            let key = Requirement::of(&scheduled.cluster.pod(u.pod).net);
            if let Some(&Some(p)) = pool_of.get(&key) {
                *short.entry(p).or_default() += 1;
            }
        }
        round += 1;
        if short.is_empty() || round == MAX_ROUNDS {
            issues.extend(named_issues);
            let assumed = describe(&pools, &nodes, span);
            return (nodes, scheduled, assumed);
        }
        for (p, missing) in short {
            let pool = &mut pools[p];
            if pool.name.is_none() {
                let cap = capacity(profile);
                pool.nodes += missing.div_ceil(cap) * ZONE_CYCLE;
            }
        }
    }
}

/// The preset's maxPods for its nodes.
fn capacity(profile: &Profile) -> usize {
    let max = presets::node(profile.preset, 0)
        .max_pods
        .unwrap_or(nodes::DEFAULT_MAX_PODS);
    usize::try_from(max).unwrap_or(usize::MAX).max(1)
}

/// The pools and their first sizes, and which pool each requirement uses
/// (`None`: no assumed node can meet it).
fn plan_pools(
    cluster: &Cluster,
    profile: &Profile,
) -> (Vec<Pool>, HashMap<Requirement, Option<usize>>) {
    let mut pools = vec![Pool::plain()];
    let mut pool_of: HashMap<Requirement, Option<usize>> = HashMap::new();
    let mut pods_per_pool: Vec<usize> = vec![0];
    let mut daemons: Vec<Requirement> = Vec::new();
    for workload in &cluster.workloads {
        let daemon = workload.kind == WorkloadKind::DaemonSet
            && workload
                .pods
                .iter()
                .all(|&p| matches!(cluster.pod(p).origin, PodOrigin::Template { .. }));
        let pending: Vec<&podnet_model::Pod> = if daemon {
            workload
                .pods
                .first()
                .map(|&p| cluster.pod(p))
                .into_iter()
                .collect()
        } else {
            workload
                .pods
                .iter()
                .map(|&p| cluster.pod(p))
                .filter(|p| p.node_name.is_none())
                .collect()
        };
        for pod in pending {
            let key = Requirement::of(&pod.net);
            let pool = *pool_of.entry(key.clone()).or_insert_with(|| {
                let found = (0..pools.len()).find(|&i| admits(profile, &pools[i], key.borrow()));
                found.or_else(|| {
                    let pool = synthesize(key.borrow())?;
                    pools.push(pool);
                    pods_per_pool.push(0);
                    Some(pools.len() - 1)
                })
            });
            if daemon {
                daemons.push(key);
            } else if let Some(p) = pool {
                pods_per_pool[p] += 1;
            }
        }
    }
    let max_pods = capacity(profile);
    for (i, pool) in pools.iter_mut().enumerate() {
        if pool.name.is_some() {
            pool.nodes = 1;
            continue;
        }
        let per_node = daemons
            .iter()
            .filter(|d| admits(profile, pool, d.borrow()))
            .count();
        let room = max_pods.saturating_sub(per_node).max(1);
        pool.nodes = pool.min.max(pods_per_pool[i].div_ceil(room));
    }
    (pools, pool_of)
}

/// Whether some node of `pool` meets `req`, judged on nodes made like the
/// pool's first ones (plain nodes keep their real names; others are judged
/// without a name unless they have a fixed one).
fn admits(profile: &Profile, pool: &Pool, req: NodeRequirements<'_>) -> bool {
    (0..ZONE_CYCLE).any(|i| {
        let mut n = make(profile, pool, i);
        if pool.name.is_none() && !pool.set.is_empty() {
            n.name.clear();
            n.labels = n.labels.without(|k| k == HOSTNAME_LABEL);
        }
        req.matches(&n.labels, &n.name)
    })
}

/// The `index`-th assumed node of the preset, made a member of `pool`.
fn make(profile: &Profile, pool: &Pool, index: usize) -> NodeInfo {
    let mut pn = presets::node(profile.preset, index);
    if let Some(name) = &pool.name {
        pn.name.clone_from(name);
    }
    let region = region(profile, pn.zone.as_deref());
    let mut n = NodeInfo::from_profile(&pn, region.as_deref(), None, NodeOrigin::Assumed);
    for (k, v) in pool.set.iter() {
        n.labels.insert(k, v);
    }
    n.labels = n.labels.without(|k| pool.unset.iter().any(|u| u == k));
    n.zone = n.labels.get(ZONE_LABEL).map(str::to_owned);
    n
}

/// The region of an AWS zone (`ap-northeast-2a` is in `ap-northeast-2`).
fn region(profile: &Profile, zone: Option<&str>) -> Option<String> {
    let Cloud::Aws(_) = profile.cloud else {
        return None;
    };
    let region = zone?.trim_end_matches(|c: char| c.is_ascii_lowercase());
    region
        .ends_with(|c: char| c.is_ascii_digit())
        .then(|| region.to_owned())
}

/// Every assumed node, pool by pool, and the nodes pods name by
/// `nodeName`, sorted by name.
/// Also returns the first and last name made.
fn generate(
    cluster: &Cluster,
    profile: &Profile,
    pools: &[Pool],
    issues: &mut Vec<Issue>,
) -> (Vec<NodeInfo>, (String, String)) {
    let fixed: HashSet<&str> = pools.iter().filter_map(|p| p.name.as_deref()).collect();
    let mut by_name = std::collections::BTreeMap::new();
    let mut span: Option<(String, String)> = None;
    let mut index = 0;
    for pool in pools {
        for _ in 0..pool.nodes {
            let mut n = make(profile, pool, index);
            index += 1;
            while pool.name.is_none() && fixed.contains(n.name.as_str()) {
                n = make(profile, pool, index);
                index += 1;
            }
            match &mut span {
                None => span = Some((n.name.clone(), n.name.clone())),
                Some((_, last)) => last.clone_from(&n.name),
            }
            by_name.insert(n.name.clone(), n);
        }
    }
    nodes::add_named_by_pods(cluster, &mut by_name, issues);
    (by_name.into_values().collect(), span.unwrap_or_default())
}

/// What was assumed, for the info line and `ipam`.
fn describe(pools: &[Pool], nodes: &[NodeInfo], (first, last): (String, String)) -> AssumedNodes {
    AssumedNodes {
        count: nodes
            .iter()
            .filter(|n| n.origin == NodeOrigin::Assumed)
            .count(),
        first,
        last,
        pools: pools
            .iter()
            .skip(1)
            .map(|p| AssumedPool {
                labels: p.set.clone(),
                without: p.unset.clone(),
                name: p.name.clone(),
                nodes: p.nodes,
            })
            .collect(),
    }
}

/// A pool whose nodes meet `req`: the kubelet's labels changed as its
/// first satisfiable term asks; `None` when no term can be met.
fn synthesize(req: NodeRequirements<'_>) -> Option<Pool> {
    let base: Labels = KUBELET_LABELS.iter().copied().collect();
    let terms: Vec<Option<&NodeSelectorTerm>> = match req.affinity {
        None => vec![None],
        Some(terms) => terms.iter().filter(|t| !t.is_empty()).map(Some).collect(),
    };
    for term in terms {
        let mut labels = base.clone();
        let mut name: Option<String> = None;
        for (k, v) in req.node_selector.iter() {
            labels.insert(k, v);
        }
        if let Some(term) = term {
            for r in &term.match_expressions {
                apply(r, &mut labels);
            }
            for r in &term.match_fields {
                if r.operator == NodeSelectorOperator::In {
                    name = r.values.first().cloned();
                }
            }
        }
        if name.is_none() {
            name = labels.get(HOSTNAME_LABEL).map(str::to_owned);
        }
        let mut check = labels.clone();
        if let Some(n) = &name {
            check.insert(HOSTNAME_LABEL, n.clone());
        }
        if req.matches(&check, name.as_deref().unwrap_or_default()) {
            let set: Labels = labels
                .iter()
                .filter(|(k, v)| base.get(k) != Some(*v))
                .collect();
            let unset = base
                .iter()
                .filter(|(k, _)| !labels.has(k))
                .map(|(k, _)| k.to_owned())
                .collect();
            return Some(Pool {
                set,
                unset,
                name,
                nodes: 1,
                min: 1,
            });
        }
    }
    None
}

/// Changes `labels` so that they meet `r`, when they do not.
fn apply(r: &NodeSelectorRequirement, labels: &mut Labels) {
    use NodeSelectorOperator::*;
    let current = labels.get(&r.key).map(str::to_owned);
    let integer = |v: &Option<String>| v.as_deref().and_then(|v| v.parse::<i64>().ok());
    let bound = r.values.first().and_then(|v| v.parse::<i64>().ok());
    let set = match r.operator {
        In if !current.as_ref().is_some_and(|c| r.values.contains(c)) => r.values.first().cloned(),
        Exists if current.is_none() => Some(String::new()),
        Gt => match (integer(&current), bound) {
            (Some(c), Some(b)) if c > b => None,
            (_, Some(b)) => b.checked_add(1).map(|v| v.to_string()),
            _ => None,
        },
        Lt => match (integer(&current), bound) {
            (Some(c), Some(b)) if c < b => None,
            (_, Some(b)) => b.checked_sub(1).map(|v| v.to_string()),
            _ => None,
        },
        NotIn if current.as_ref().is_some_and(|c| r.values.contains(c)) => {
            *labels = labels.without(|k| k == r.key);
            None
        }
        DoesNotExist => {
            *labels = labels.without(|k| k == r.key);
            None
        }
        _ => None,
    };
    if let Some(v) = set {
        labels.insert(r.key.clone(), v);
    }
}

/// Widens the cluster CIDRs (the caller knows the profile does not write
/// them) so that each holds a block of the node mask for each of `nodes`
/// nodes, keeping its first address and staying clear of every range of
/// `avoid` it does not already overlap (service CIDRs, pools, the VPC).
pub fn widen_cluster_cidrs(
    profile: &mut Profile,
    nodes: usize,
    avoid: &[IpSet],
) -> Vec<(IpNet, IpNet)> {
    if profile.cni.vpc_native() {
        return Vec::new();
    }
    let needed = u128::try_from(nodes).unwrap_or(u128::MAX);
    let mut out = Vec::new();
    for cidr in &mut profile.cluster_cidrs {
        let mask = if cidr.network().is_ipv4() {
            profile.node_mask_v4
        } else {
            profile.node_mask_v6
        };
        let original = IpSet::from_net(cidr);
        let mut wider = *cidr;
        while block_count(&wider, mask) < needed && wider.prefix_len() > 0 {
            let Ok(next) = IpNet::new(wider.network(), wider.prefix_len() - 1) else {
                break;
            };
            let next = next.trunc();
            let set = IpSet::from_net(&next);
            let collides = avoid
                .iter()
                .any(|a| original.intersection(a).is_empty() && !set.intersection(a).is_empty());
            if collides {
                break;
            }
            wider = next;
        }
        if wider != *cidr {
            out.push((*cidr, wider));
            *cidr = wider;
        }
    }
    out
}

/// The info line saying what was assumed.
pub fn info(profile: &Profile, assumptions: &Assumptions) -> Option<Issue> {
    let widened: Vec<(IpNet, IpNet, u8)> = assumptions
        .widened_cidrs
        .iter()
        .map(|&(from, to)| {
            let mask = if from.network().is_ipv4() {
                profile.node_mask_v4
            } else {
                profile.node_mask_v6
            };
            (from, to, mask)
        })
        .collect();
    if assumptions.nodes.is_none() && widened.is_empty() {
        return None;
    }
    Some(Issue::info(Found::Assumed(Assumed {
        nodes: assumptions.nodes.clone(),
        preset: profile.preset.name(),
        labels: KUBELET_LABELS.to_vec(),
        max_pods: capacity(profile),
        widened,
    })))
}
