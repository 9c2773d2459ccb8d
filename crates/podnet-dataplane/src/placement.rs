//! Whether one node can take one pod: the scheduler's filters that depend on
//! what podnet models, in kube-scheduler's order (NodeUnschedulable,
//! TaintToleration, NodeAffinity, NodeResourcesFit's pod count), and why a
//! pod fits no node, as kube-scheduler words it (`0/3 nodes are available:
//! 3 node(s) didn't match Pod's node affinity/selector.`).
//!
//! Kubernetes docs: "Assigning Pods to Nodes" (nodeSelector, node affinity,
//! nodeName), "Taints and Tolerations", DaemonSet "How Daemon Pods are
//! scheduled" (the tolerations the DaemonSet controller adds).

use std::fmt;

use podnet_model::{NodeRequirements, PodId, Taint, TaintEffect, Toleration, placement};

use crate::nodes::NodeInfo;

/// The taint a cordoned node carries (`node.kubernetes.io/unschedulable`).
pub const UNSCHEDULABLE_TAINT: &str = "node.kubernetes.io/unschedulable";

/// The tolerations the DaemonSet controller adds to every pod it creates
/// (DaemonSet docs, "Taints and tolerations"): `not-ready` and `unreachable`
/// (NoExecute), `disk-pressure`, `memory-pressure`, `pid-pressure` and
/// `unschedulable` (NoSchedule), and `network-unavailable` (NoSchedule) for
/// host-network pods.
pub fn daemon_tolerations(host_network: bool) -> Vec<Toleration> {
    let mut out = vec![
        Toleration::exists("node.kubernetes.io/not-ready", TaintEffect::NoExecute),
        Toleration::exists("node.kubernetes.io/unreachable", TaintEffect::NoExecute),
        Toleration::exists("node.kubernetes.io/disk-pressure", TaintEffect::NoSchedule),
        Toleration::exists(
            "node.kubernetes.io/memory-pressure",
            TaintEffect::NoSchedule,
        ),
        Toleration::exists("node.kubernetes.io/pid-pressure", TaintEffect::NoSchedule),
        Toleration::exists(UNSCHEDULABLE_TAINT, TaintEffect::NoSchedule),
    ];
    if host_network {
        out.push(Toleration::exists(
            "node.kubernetes.io/network-unavailable",
            TaintEffect::NoSchedule,
        ));
    }
    out
}

/// Why a node turns a pod down: the first filter that fails.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rejection {
    /// The node is cordoned and the pod does not tolerate
    /// `node.kubernetes.io/unschedulable:NoSchedule`.
    Unschedulable,
    /// A `NoSchedule` or `NoExecute` taint the pod does not tolerate.
    UntoleratedTaint(Taint),
    /// `nodeSelector` or required node affinity (or a DaemonSet pod's own
    /// node) does not match.
    NodeAffinity,
    /// The node already runs `maxPods` pods.
    TooManyPods,
}

impl fmt::Display for Rejection {
    /// kube-scheduler's reason strings.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Unschedulable => f.write_str("node(s) were unschedulable"),
            Rejection::UntoleratedTaint(t) => {
                write!(
                    f,
                    "node(s) had untolerated taint {{{}: {}}}",
                    t.key, t.value
                )
            }
            Rejection::NodeAffinity => {
                f.write_str("node(s) didn't match Pod's node affinity/selector")
            }
            Rejection::TooManyPods => f.write_str("Too many pods"),
        }
    }
}

/// What a pod asks of its node.
#[derive(Clone, Copy, Debug)]
pub struct Demand<'a> {
    /// `nodeSelector` and required node affinity.
    pub requirements: NodeRequirements<'a>,
    /// Its tolerations (with the DaemonSet controller's, for daemon pods).
    pub tolerations: &'a [Toleration],
    /// For a DaemonSet's pod, the one node its affinity names.
    pub pinned: Option<&'a str>,
}

impl Demand<'_> {
    /// The first filter `node` fails, ignoring how many pods it runs.
    pub fn reject(&self, node: &NodeInfo) -> Option<Rejection> {
        let cordon = Taint::new(UNSCHEDULABLE_TAINT, TaintEffect::NoSchedule);
        if node.unschedulable && !self.tolerations.iter().any(|t| t.tolerates(&cordon)) {
            return Some(Rejection::Unschedulable);
        }
        if let Some(t) = placement::untolerated(&node.taints, self.tolerations) {
            return Some(Rejection::UntoleratedTaint(t.clone()));
        }
        let pinned_elsewhere = self.pinned.is_some_and(|p| p != node.name);
        if pinned_elsewhere || !self.requirements.matches(&node.labels, &node.name) {
            return Some(Rejection::NodeAffinity);
        }
        None
    }

    /// The first filter `node`, running `load` pods, fails.
    pub fn reject_with_room(&self, node: &NodeInfo, load: u32) -> Option<Rejection> {
        self.reject(node)
            .or_else(|| (load >= node.max_pods).then_some(Rejection::TooManyPods))
    }

    /// Why no node of `nodes` (running `load` pods each) takes the pod.
    pub fn failure(&self, nodes: &[NodeInfo], load: &[u32], room: bool) -> PlacementFailure {
        let mut rejections: Vec<(Rejection, usize)> = Vec::new();
        for (i, node) in nodes.iter().enumerate() {
            let r = if room {
                self.reject_with_room(node, load[i])
            } else {
                self.reject(node)
            };
            if let Some(r) = r {
                match rejections.iter_mut().find(|(x, _)| *x == r) {
                    Some((_, n)) => *n += 1,
                    None => rejections.push((r, 1)),
                }
            }
        }
        rejections.sort();
        PlacementFailure {
            nodes: nodes.len(),
            rejections,
        }
    }
}

/// Why a pod fits no node: how many nodes there are and, per reason, how
/// many turned it down.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PlacementFailure {
    /// Nodes considered.
    pub nodes: usize,
    /// Per reason, the nodes that gave it, sorted by reason.
    pub rejections: Vec<(Rejection, usize)>,
}

impl PlacementFailure {
    /// Whether some node would take the pod but is full.
    pub fn for_room(&self) -> bool {
        self.rejections
            .iter()
            .any(|(r, _)| *r == Rejection::TooManyPods)
    }
}

impl fmt::Display for PlacementFailure {
    /// `0/N nodes are available: R1, R2` as kube-scheduler prints it
    /// (reasons with their counts, sorted as strings), or that there are
    /// no nodes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nodes == 0 {
            return f.write_str("no nodes available to schedule pods");
        }
        let mut reasons: Vec<String> = self
            .rejections
            .iter()
            .map(|(r, n)| format!("{n} {r}"))
            .collect();
        reasons.sort();
        write!(
            f,
            "0/{} nodes are available: {}",
            self.nodes,
            reasons.join(", ")
        )
    }
}

/// A pod the model could not put on a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnplacedPod {
    /// The pod (in the running cluster, without node or address).
    pub pod: PodId,
    /// Why.
    pub failure: PlacementFailure,
    /// The pod stands for a DaemonSet that fits no node and so runs no
    /// pod: podnet keeps one, from its template, so the workload is still
    /// analysed.
    pub stand_in: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nodes::NodeOrigin;
    use podnet_model::Labels;

    fn node(name: &str, labels: &[(&str, &str)]) -> NodeInfo {
        NodeInfo {
            name: name.into(),
            labels: labels.iter().copied().collect(),
            internal_ips: Vec::new(),
            external_ips: Vec::new(),
            provider_id: None,
            zone: None,
            max_pods: 2,
            unschedulable: false,
            taints: Vec::new(),
            declared_pod_cidrs: Vec::new(),
            source: None,
            origin: NodeOrigin::Object,
        }
    }

    #[test]
    fn filters_run_in_the_scheduler_order() {
        let selector: Labels = [("disk", "ssd")].into_iter().collect();
        let demand = Demand {
            requirements: NodeRequirements {
                node_selector: &selector,
                affinity: None,
            },
            tolerations: &[],
            pinned: None,
        };
        let mut cordoned = node("a", &[]);
        cordoned.unschedulable = true;
        cordoned.taints = vec![Taint::new("t", TaintEffect::NoSchedule)];
        assert_eq!(demand.reject(&cordoned), Some(Rejection::Unschedulable));
        cordoned.unschedulable = false;
        assert!(matches!(
            demand.reject(&cordoned),
            Some(Rejection::UntoleratedTaint(_))
        ));
        assert_eq!(
            demand.reject(&node("b", &[])),
            Some(Rejection::NodeAffinity)
        );
        let fits = node("c", &[("disk", "ssd")]);
        assert_eq!(demand.reject(&fits), None);
        assert_eq!(
            demand.reject_with_room(&fits, 2),
            Some(Rejection::TooManyPods)
        );
    }

    #[test]
    fn failures_read_as_kube_scheduler_prints_them() {
        let failure = PlacementFailure {
            nodes: 5,
            rejections: vec![
                (
                    Rejection::UntoleratedTaint(Taint {
                        key: "node-role.kubernetes.io/control-plane".into(),
                        value: String::new(),
                        effect: TaintEffect::NoSchedule,
                    }),
                    1,
                ),
                (Rejection::NodeAffinity, 4),
            ],
        };
        assert_eq!(
            failure.to_string(),
            "0/5 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 4 node(s) didn't match Pod's node affinity/selector"
        );
    }
}
