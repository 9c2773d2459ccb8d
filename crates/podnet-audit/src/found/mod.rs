//! What a check found, as typed data: the objects, ports, address ranges
//! and counts a finding's message and help are made of. Each variant is
//! one kind of finding, grouped by area; podnet-report words them
//! (`podnet_report::audit`).

mod namespace;

pub use namespace::{ContainerGap, GrantScope, NamespaceFound};

use podnet_model::{Cluster, Meta, WorkloadId};

/// What a check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// Transitional: a finding still worded by its check.
    Worded {
        /// The message.
        message: String,
        /// The help line.
        help: String,
    },
    /// Namespace strategy (PN1xxx).
    Namespace(NamespaceFound),
}

/// An object a finding names: its kind and `namespace/name` (or `name`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Object {
    /// Kind (`Deployment`, `ClusterRoleBinding`...).
    pub kind: String,
    /// `namespace/name`, or `name` for cluster-scoped objects.
    pub name: String,
}

impl Object {
    /// The object of a model object's provenance.
    pub fn of(meta: &Meta) -> Object {
        Object {
            kind: meta.kind.clone(),
            name: meta.qualified_name(),
        }
    }

    /// A workload.
    pub fn workload(cluster: &Cluster, id: WorkloadId) -> Object {
        Object {
            kind: cluster.workload(id).kind.as_str().to_owned(),
            name: cluster.workload_name(id),
        }
    }
}
