//! The words of the placement finding (PN6001).

use podnet_audit::found::PlacementFound;
use podnet_dataplane::{PlacementFailure, Rejection};
use podnet_model::placement::NodeRequirements;

use super::object;

/// What is wrong.
pub(super) fn message(found: &PlacementFound) -> String {
    match found {
        PlacementFound::Unplaced {
            workload,
            stand_in,
            unplaced,
            pods,
            failure,
            ..
        } => {
            if *stand_in {
                format!(
                    "{} fits no node and runs no pod ({failure})",
                    object(workload)
                )
            } else {
                format!(
                    "{unplaced} of the {pods} pods of {} fit no node and stay Pending without an address ({failure})",
                    object(workload)
                )
            }
        }
    }
}

/// How to fix it.
pub(super) fn help(found: &PlacementFound) -> String {
    match found {
        PlacementFound::Unplaced {
            failure,
            node_selector,
            node_affinity,
            ..
        } => {
            let requires = NodeRequirements {
                node_selector,
                affinity: node_affinity.as_deref(),
            };
            fix(failure, &requires.to_string())
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
