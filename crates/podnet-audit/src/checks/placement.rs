//! Placement (PN6xxx): pods no node takes. The dataplane's scheduler
//! (`podnet_dataplane::schedule`) says which pods stay Pending and why, in
//! kube-scheduler's terms; this check reports them per workload, at the
//! workload's file and line, with what would let them run.

use std::collections::BTreeMap;

use podnet_dataplane::{PlacementFailure, Rejection, UnplacedPod};
use podnet_model::WorkloadId;

use super::support::{workload_display, workload_subject};
use crate::context::Context;
use crate::finding::{Finding, Rule, Severity};
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
            let workload = cluster.workload(w);
            let first = &unplaced[0].failure;
            let message = if unplaced[0].stand_in {
                format!(
                    "{} fits no node and runs no pod ({first})",
                    workload_display(cluster, w)
                )
            } else {
                format!(
                    "{} of the {} pods of {} fit no node and stay Pending without an address ({first})",
                    unplaced.len(),
                    workload.pods.len(),
                    workload_display(cluster, w),
                )
            };
            let requires = cluster.pod(unplaced[0].pod).net.node_requirements();
            out.push(
                Finding::worded(
                    &POD_CANNOT_BE_PLACED,
                    workload_subject(cluster, w),
                    message,
                    fix(first, &requires.to_string()),
                )
                .with_severity(severity),
            );
        }
    }
}

/// What would let the pods run, per reason nodes gave.
fn fix(failure: &PlacementFailure, requires: &str) -> String {
    if failure.nodes == 0 {
        return "declare the cluster's nodes (Node objects or the ClusterProfile's `nodes`)"
            .to_owned();
    }
    let mut fixes: Vec<String> = Vec::new();
    for (reason, _) in &failure.rejections {
        let fix = match reason {
            Rejection::Unschedulable => "uncordon a node (`kubectl uncordon`)".to_owned(),
            Rejection::UntoleratedTaint(t) => format!(
                "tolerate the taint `{t}` (or remove it from the nodes that should run the pods)"
            ),
            Rejection::NodeAffinity => format!(
                "label nodes to meet the pods' {requires}, or change the pods' nodeSelector or affinity"
            ),
            Rejection::TooManyPods => {
                "add nodes, or raise the nodes' maxPods (kubelet --max-pods)".to_owned()
            }
        };
        if !fixes.contains(&fix) {
            fixes.push(fix);
        }
    }
    fixes.join("; or ")
}
