//! Deterministic scheduling: every pod that fits a node gets one, so every
//! run gives the same addresses.
//!
//! * `spec.nodeName` binds the pod to that node without the scheduler
//!   ("Assigning Pods to Nodes", nodeName).
//! * A DaemonSet runs one pod on every node its pods fit: nodeSelector,
//!   required node affinity and taints, with the tolerations the DaemonSet
//!   controller adds (so cordoned nodes too); a pod on a node already
//!   running `maxPods` pods stays Pending.
//! * Other pods go, in workload order, to the node that passes the filters
//!   ([`placement`](crate::placement)) with room left (`maxPods`) and runs
//!   the fewest pods, ties by name: the spreading the default scheduler's
//!   scoring tends towards.
//!
//! A pod no node takes stays in the cluster without a node or an address
//! ([`UnplacedPod`]), so its workload is still analysed from its labels; a
//! DaemonSet no node admits keeps one such pod, from its template.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use podnet_model::{
    Cluster, NodeSelectorTerm, Pod, PodId, PodOrigin, Toleration, WorkloadId, WorkloadKind,
};

use crate::issue::{Found, Issue, Unplaced};
use crate::nodes::NodeInfo;
use crate::placement::{Demand, PlacementFailure, Rejection, UnplacedPod, daemon_tolerations};

/// The cluster with DaemonSets expanded and pods on nodes, and the pods
/// left without one.
#[derive(Clone, Debug)]
pub struct Scheduled {
    /// The cluster; an unplaced pod has no `node_name`.
    pub cluster: Cluster,
    /// The pods no node took, in pod order.
    pub unplaced: Vec<UnplacedPod>,
    /// Pods per node, in `nodes` order.
    pub load: Vec<u32>,
}

/// Schedules `cluster` on `nodes` (sorted by name).
pub fn schedule(cluster: &Cluster, nodes: &[NodeInfo]) -> Scheduled {
    let mut out = cluster.with_pods(Vec::with_capacity(cluster.pods.len()));
    let mut load = vec![0u32; nodes.len()];
    // Pods already bound count first.
    for pod in &cluster.pods {
        if let Some(i) = pod.node_name.as_ref().and_then(|n| index_of(nodes, n)) {
            load[i] += 1;
        }
    }
    let mut groups = Groups::default();
    let mut unplaced = Vec::new();
    for (w_index, workload) in cluster.workloads.iter().enumerate() {
        let expand = workload.kind == WorkloadKind::DaemonSet
            && workload
                .pods
                .iter()
                .all(|&p| matches!(cluster.pod(p).origin, PodOrigin::Template { .. }));
        let pods = if expand {
            match workload.pods.first() {
                Some(&proto) => daemon_pods(
                    cluster.pod(proto),
                    nodes,
                    &mut load,
                    &mut out,
                    &mut unplaced,
                ),
                None => Vec::new(),
            }
        } else {
            let mut ids = Vec::with_capacity(workload.pods.len());
            for &p in &workload.pods {
                let mut pod = cluster.pod(p).clone();
                let id = PodId::from_index(out.pods.len());
                if pod.node_name.is_none() {
                    match groups.place(&pod, nodes, &mut load) {
                        Ok(i) => pod.node_name = Some(nodes[i].name.clone()),
                        Err(failure) => unplaced.push(UnplacedPod {
                            pod: id,
                            failure,
                            stand_in: false,
                        }),
                    }
                }
                ids.push(id);
                out.pods.push(pod);
            }
            ids
        };
        out.workloads[w_index].pods = pods;
    }
    Scheduled {
        cluster: out,
        unplaced,
        load,
    }
}

/// A DaemonSet's pods: one per node its template fits, or one stand-in
/// without a node when it fits none.
fn daemon_pods(
    proto: &Pod,
    nodes: &[NodeInfo],
    load: &mut [u32],
    out: &mut Cluster,
    unplaced: &mut Vec<UnplacedPod>,
) -> Vec<PodId> {
    let mut tolerations = proto.net.tolerations.clone();
    tolerations.extend(daemon_tolerations(proto.host_network));
    let demand = Demand {
        requirements: proto.net.node_requirements(),
        tolerations: &tolerations,
        pinned: proto.node_name.as_deref(),
    };
    let mut ids = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        if demand.reject(node).is_some() {
            continue;
        }
        let id = PodId::from_index(out.pods.len());
        let fits = load[i] < node.max_pods;
        if fits {
            load[i] += 1;
        } else {
            let pinned = Demand {
                pinned: Some(&node.name),
                ..demand
            };
            unplaced.push(UnplacedPod {
                pod: id,
                failure: pinned.failure(nodes, load, true),
                stand_in: false,
            });
        }
        ids.push(id);
        out.pods.push(Pod {
            name: format!("{}-{}", out.workload(proto.workload).name, node.name),
            node_name: fits.then(|| node.name.clone()),
            origin: PodOrigin::Template {
                ordinal: u32::try_from(i).unwrap_or(u32::MAX),
            },
            ..proto.clone()
        });
    }
    if ids.is_empty() {
        let id = PodId::from_index(out.pods.len());
        unplaced.push(UnplacedPod {
            pod: id,
            failure: demand.failure(nodes, load, false),
            stand_in: true,
        });
        out.pods.push(Pod {
            node_name: None,
            ..proto.clone()
        });
        ids.push(id);
    }
    ids
}

/// What placement depends on, shared by the pods of a template.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    selector: podnet_model::Labels,
    affinity: Option<Vec<NodeSelectorTerm>>,
    tolerations: Vec<Toleration>,
}

/// The nodes a group of pods with the same [`Key`] may use, least loaded
/// first (a lazy heap: loads only grow, so a stale entry is pushed back
/// with its node's current load), and, once none has room, why.
struct Group {
    heap: BinaryHeap<Reverse<(u32, usize)>>,
    failure: Option<PlacementFailure>,
}

#[derive(Default)]
struct Groups {
    index: HashMap<Key, usize>,
    groups: Vec<Group>,
}

impl Groups {
    /// Places `pod` on the least-loaded node it fits with room left.
    fn place(
        &mut self,
        pod: &Pod,
        nodes: &[NodeInfo],
        load: &mut [u32],
    ) -> Result<usize, PlacementFailure> {
        let demand = Demand {
            requirements: pod.net.node_requirements(),
            tolerations: &pod.net.tolerations,
            pinned: None,
        };
        let key = Key {
            selector: pod.net.node_selector.clone(),
            affinity: pod.net.node_affinity.clone(),
            tolerations: pod.net.tolerations.clone(),
        };
        let g = *self.index.entry(key).or_insert_with(|| {
            let heap = nodes
                .iter()
                .enumerate()
                .filter(|(_, n)| demand.reject(n).is_none())
                .map(|(i, _)| Reverse((load[i], i)))
                .collect();
            self.groups.push(Group {
                heap,
                failure: None,
            });
            self.groups.len() - 1
        });
        let group = &mut self.groups[g];
        while let Some(Reverse((count, i))) = group.heap.pop() {
            if count != load[i] {
                group.heap.push(Reverse((load[i], i)));
                continue;
            }
            if load[i] >= nodes[i].max_pods {
                // Full for good: loads only grow.
                continue;
            }
            load[i] += 1;
            group.heap.push(Reverse((load[i], i)));
            return Ok(i);
        }
        // No node will take a pod of this group again, for the same reasons.
        Err(group
            .failure
            .get_or_insert_with(|| demand.failure(nodes, load, true))
            .clone())
    }
}

/// The warning for nodes running more pods than their maxPods (pods bound
/// by `nodeName` skip the check).
pub fn overloaded(nodes: &[NodeInfo], load: &[u32]) -> Vec<Issue> {
    nodes
        .iter()
        .zip(load)
        .filter(|(n, l)| **l > n.max_pods)
        .map(|(node, l)| {
            Issue::warning(Found::Overloaded {
                node: node.name.clone(),
                pods: *l,
                max_pods: node.max_pods,
            })
            .at(format!("Node {}", node.name), node.source.as_ref())
        })
        .collect()
}

/// How many workloads a warning names before `and N more`.
const NAMED: usize = 3;

/// One warning per cause for the pods no node took, naming the first
/// workloads (with where the first was declared).
pub fn unplaced_issues(cluster: &Cluster, unplaced: &[UnplacedPod]) -> Vec<Issue> {
    let mut by_cause: BTreeMap<(bool, &PlacementFailure, Option<String>), Vec<PodId>> =
        BTreeMap::new();
    for u in unplaced {
        // Name what the pods require when that is what no node meets.
        let requires = u
            .failure
            .rejections
            .iter()
            .any(|(r, _)| *r == Rejection::NodeAffinity)
            .then(|| cluster.pod(u.pod).net.node_requirements())
            .filter(|r| !r.is_empty())
            .map(|r| r.to_string());
        by_cause
            .entry((u.stand_in, &u.failure, requires))
            .or_default()
            .push(u.pod);
    }
    by_cause
        .into_iter()
        .map(|((stand_in, failure, requires), pods)| {
            let mut workloads: Vec<WorkloadId> =
                pods.iter().map(|&p| cluster.pod(p).workload).collect();
            workloads.dedup();
            workloads.sort();
            workloads.dedup();
            let names: Vec<String> = workloads
                .iter()
                .take(NAMED)
                .map(|&w| {
                    format!(
                        "{} {}",
                        cluster.workload(w).kind.as_str(),
                        cluster.workload_name(w)
                    )
                })
                .collect();
            let single = workloads.len() == 1;
            let first = cluster.workload(workloads[0]);
            let mut issue = Issue::warning(Found::Unplaced(Unplaced {
                stand_in,
                failure: failure.clone(),
                requires,
                workloads: names,
                workload_count: workloads.len(),
                pods: pods.len(),
            }))
            .at(
                format!(
                    "{} {}",
                    first.kind.as_str(),
                    cluster.workload_name(workloads[0])
                ),
                first.source.as_ref(),
            );
            if !single {
                issue.object = None;
            }
            issue
        })
        .collect()
}

/// The source of a pod, or of its workload for template pods.
pub fn origin_source<'c>(cluster: &'c Cluster, pod: &'c Pod) -> Option<&'c podnet_model::Source> {
    match &pod.origin {
        PodOrigin::Object(s) => Some(s),
        PodOrigin::Template { .. } => cluster.workload(pod.workload).source.as_ref(),
    }
}

fn index_of(nodes: &[NodeInfo], name: &str) -> Option<usize> {
    nodes.binary_search_by(|n| n.name.as_str().cmp(name)).ok()
}
