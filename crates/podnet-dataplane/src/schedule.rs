//! Deterministic scheduling: every pod gets a node, so every run gives the
//! same addresses. `spec.nodeName` is honoured; DaemonSets run one pod on
//! every node their `nodeSelector` admits (the DaemonSet controller
//! tolerates cordoned nodes); other pods go to the admitted, uncordoned node
//! with room (`maxPods`) that runs the fewest pods, ties by name — the
//! spreading the default scheduler's scoring tends towards.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use podnet_model::{Cluster, Labels, Pod, PodId, PodOrigin, WorkloadKind};

use crate::issue::Issue;
use crate::nodes::NodeInfo;

/// The cluster with DaemonSets expanded and every schedulable pod on a node.
pub fn schedule(cluster: &Cluster, nodes: &[NodeInfo], issues: &mut Vec<Issue>) -> Cluster {
    let mut out = Cluster {
        pods: Vec::with_capacity(cluster.pods.len()),
        ..cluster.clone()
    };
    let mut load = vec![0u32; nodes.len()];
    // Pods already bound count first.
    for pod in &cluster.pods {
        if let Some(i) = pod.node_name.as_ref().and_then(|n| index_of(nodes, n)) {
            load[i] += 1;
        }
    }
    let mut spread = Spread::new(nodes, &load);
    for (w_index, workload) in cluster.workloads.iter().enumerate() {
        let mut pods = Vec::with_capacity(workload.pods.len());
        let expand = workload.kind == WorkloadKind::DaemonSet
            && workload
                .pods
                .iter()
                .all(|&p| matches!(cluster.pod(p).origin, PodOrigin::Template { .. }));
        if expand {
            if let Some(&proto) = workload.pods.first() {
                let proto = cluster.pod(proto);
                for (i, node) in nodes.iter().enumerate() {
                    if !admits(node, &proto.net.node_selector) {
                        continue;
                    }
                    pods.push(PodId::from_index(out.pods.len()));
                    out.pods.push(Pod {
                        name: format!("{}-{}", workload.name, node.name),
                        node_name: Some(node.name.clone()),
                        origin: PodOrigin::Template {
                            ordinal: u32::try_from(i).unwrap_or(u32::MAX),
                        },
                        ..proto.clone()
                    });
                    load[i] += 1;
                }
            }
        } else {
            for &p in &workload.pods {
                let mut pod = cluster.pod(p).clone();
                if pod.node_name.is_none() {
                    match spread.place(nodes, &pod.net.node_selector, &mut load) {
                        Some(i) => pod.node_name = Some(nodes[i].name.clone()),
                        None => issues.push(unschedulable(cluster, &pod)),
                    }
                }
                pods.push(PodId::from_index(out.pods.len()));
                out.pods.push(pod);
            }
        }
        out.workloads[w_index].pods = pods;
    }
    for (i, node) in nodes.iter().enumerate() {
        if load[i] > node.max_pods {
            issues.push(
                Issue::warning(format!(
                    "node `{}` runs {} pods, more than its maxPods {}",
                    node.name, load[i], node.max_pods
                ))
                .at(format!("Node {}", node.name), node.source.as_ref()),
            );
        }
    }
    out
}

fn unschedulable(cluster: &Cluster, pod: &Pod) -> Issue {
    let sel: Vec<String> = pod
        .net
        .node_selector
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let why = if sel.is_empty() {
        "every node is cordoned or full".to_owned()
    } else {
        format!("no node with room matches nodeSelector {}", sel.join(","))
    };
    let name = format!("{}/{}", cluster.namespace(pod.namespace).name, pod.name);
    Issue::error(format!(
        "pod {name} cannot be scheduled: {why}; it stays Pending without an address"
    ))
    .at(format!("Pod {name}"), origin_source(cluster, pod))
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

/// Whether `node` carries every label of `selector`.
pub fn admits(node: &NodeInfo, selector: &Labels) -> bool {
    selector.iter().all(|(k, v)| node.labels.get(k) == Some(v))
}

/// Least-loaded placement: a heap for pods without a nodeSelector, a scan
/// for the few with one.
struct Spread {
    heap: BinaryHeap<Reverse<(u32, usize)>>,
}

impl Spread {
    fn new(nodes: &[NodeInfo], load: &[u32]) -> Self {
        let heap = nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| !n.unschedulable)
            .map(|(i, _)| Reverse((load[i], i)))
            .collect();
        Spread { heap }
    }

    fn place(&mut self, nodes: &[NodeInfo], selector: &Labels, load: &mut [u32]) -> Option<usize> {
        if !selector.is_empty() {
            let best = nodes
                .iter()
                .enumerate()
                .filter(|(i, n)| !n.unschedulable && load[*i] < n.max_pods && admits(n, selector))
                .min_by_key(|(i, _)| (load[*i], *i))
                .map(|(i, _)| i)?;
            load[best] += 1;
            return Some(best);
        }
        while let Some(Reverse((count, i))) = self.heap.pop() {
            if count != load[i] {
                // Stale: the node took pods since this entry was pushed.
                self.heap.push(Reverse((load[i], i)));
                continue;
            }
            if load[i] >= nodes[i].max_pods {
                continue;
            }
            load[i] += 1;
            self.heap.push(Reverse((load[i], i)));
            return Some(i);
        }
        None
    }
}
