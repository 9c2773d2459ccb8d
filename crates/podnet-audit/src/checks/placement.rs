//! Placement (PN6xxx): pods no node takes. The dataplane's scheduler
//! (`podnet_dataplane::schedule`) says which pods stay Pending and why, in
//! kube-scheduler's terms; this check reports them per workload, at the
//! workload's file and line, with what would let them run.

use std::collections::BTreeMap;

use podnet_dataplane::UnplacedPod;
use podnet_model::WorkloadId;

use super::support::workload_subject;
use crate::context::Context;
use crate::finding::{Finding, Rule, Severity};
use crate::found::{Found, Object, PlacementFound};
use crate::registry::Check;

/// PN6001.
pub const POD_CANNOT_BE_PLACED: Rule = Rule {
    code: "PN6001",
    name: "pod-cannot-be-placed",
    short: "A workload's pods fit no node: they stay Pending without an address",
    full: "The scheduler puts a pod only on a node that is not cordoned, whose NoSchedule and \
           NoExecute taints the pod tolerates, whose labels meet the pod's nodeSelector and \
           required node affinity, and that runs fewer pods than its maxPods (Kubernetes docs, \
           \"Assigning Pods to Nodes\" and \"Taints and Tolerations\"). A pod no node takes \
           stays Pending, with no address, and serves nothing; a DaemonSet no node admits runs \
           no pod at all. podnet still analyses the workload from its pod template's labels.",
    help: "Declare or label nodes that admit the pods, add the tolerations their taints need, \
           uncordon or add nodes, or change the pods' nodeSelector and affinity.",
    severity: Severity::Error,
};

const RULES: &[Rule] = &[POD_CANNOT_BE_PLACED];

/// The placement checks.
pub struct Placement;

impl Check for Placement {
    fn rules(&self) -> &'static [Rule] {
        RULES
    }

    fn run(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let cluster = ctx.cluster();
        let dp = ctx.dp;
        let mut by_workload: BTreeMap<WorkloadId, Vec<&UnplacedPod>> = BTreeMap::new();
        for u in &dp.unplaced {
            by_workload
                .entry(cluster.pod(u.pod).workload)
                .or_default()
                .push(u);
        }
        // On nodes podnet assumed, only pods whose own constraints
        // contradict each other are left: worth fixing, not a broken
        // cluster.
        let severity = if dp.assumed.nodes.is_some() {
            Severity::Warning
        } else {
            Severity::Error
        };
        for (w, unplaced) in by_workload {
            let pod = cluster.pod(unplaced[0].pod);
            out.push(
                Finding::new(
                    &POD_CANNOT_BE_PLACED,
                    workload_subject(cluster, w),
                    Found::Placement(PlacementFound::Unplaced {
                        workload: Object::workload(cluster, w),
                        stand_in: unplaced[0].stand_in,
                        unplaced: unplaced.len(),
                        pods: cluster.workload(w).pods.len(),
                        failure: unplaced[0].failure.clone(),
                        node_selector: pod.net.node_selector.clone(),
                        node_affinity: pod.net.node_affinity.clone(),
                    }),
                )
                .with_severity(severity),
            );
        }
    }
}
