//! What the placement check finds (PN6001).

use podnet_dataplane::PlacementFailure;
use podnet_model::Labels;
use podnet_model::placement::NodeSelectorTerm;

use super::Object;

/// What the placement check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlacementFound {
    /// PN6001: a workload's pods fit no node.
    Unplaced {
        /// The workload.
        workload: Object,
        /// Whether the pod is a stand-in (the workload runs none).
        stand_in: bool,
        /// How many of its pods fit no node.
        unplaced: usize,
        /// Its pods.
        pods: usize,
        /// Why the first one fits no node.
        failure: PlacementFailure,
        /// Its pods' `spec.nodeSelector`.
        node_selector: Labels,
        /// Its pods' required node affinity terms.
        node_affinity: Option<Vec<NodeSelectorTerm>>,
    },
}
