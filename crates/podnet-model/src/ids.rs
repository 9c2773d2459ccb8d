//! Dense ids into the [`Cluster`](crate::Cluster) arenas, so analysis can use
//! vectors and bitsets instead of maps keyed by names.

use serde::Serialize;

macro_rules! dense_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub struct $name(pub u32);

        impl $name {
            /// The position in its arena.
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// The id of the element at `index` of its arena.
            pub fn from_index(index: usize) -> Self {
                Self(u32::try_from(index).unwrap_or(u32::MAX))
            }
        }
    };
}

dense_id!(
    /// A namespace, index into `Cluster::namespaces`.
    NsId
);
dense_id!(
    /// A workload (top owner of pods), index into `Cluster::workloads`.
    WorkloadId
);
dense_id!(
    /// A pod, index into `Cluster::pods`.
    PodId
);
dense_id!(
    /// A NetworkPolicy, index into `Cluster::policies`.
    PolicyId
);
dense_id!(
    /// A Service, index into `Cluster::services`.
    ServiceId
);
dense_id!(
    /// An interned label set, index into `Cluster::label_sets`.
    LabelSetId
);
dense_id!(
    /// An interned table of container ports, index into `Cluster::port_tables`.
    PortTableId
);
