//! Governance kinds a namespace strategy is judged by: ResourceQuota and
//! LimitRange ([`quota`]), PodDisruptionBudget ([`pdb`]), ServiceAccount,
//! Role, ClusterRole, RoleBinding and ClusterRoleBinding ([`rbac`]), and
//! what admission reads of a pod spec ([`pod`]). Each is checked as the API
//! server validates it and lowered into the model's
//! [`Governance`](podnet_model::Governance); [`store`] keeps them on
//! assembly.

pub mod pdb;
pub mod pod;
pub mod quota;
pub mod rbac;
pub mod store;

use podnet_model::{
    DisruptionBudget, LimitRange, Meta, ResourceQuota, Role, RoleBinding, ServiceAccount,
};

/// One governance object.
#[derive(Clone, Debug)]
pub enum GovernanceRecord {
    /// A ResourceQuota.
    Quota(ResourceQuota),
    /// A LimitRange.
    LimitRange(LimitRange),
    /// A PodDisruptionBudget.
    Budget(DisruptionBudget),
    /// A ServiceAccount.
    ServiceAccount(ServiceAccount),
    /// A Role or ClusterRole.
    Role(Role),
    /// A RoleBinding or ClusterRoleBinding.
    Binding(RoleBinding),
}

impl GovernanceRecord {
    /// Its identity and provenance.
    pub fn meta(&self) -> &Meta {
        match self {
            GovernanceRecord::Quota(q) => &q.meta,
            GovernanceRecord::LimitRange(l) => &l.meta,
            GovernanceRecord::Budget(b) => &b.meta,
            GovernanceRecord::ServiceAccount(s) => &s.meta,
            GovernanceRecord::Role(r) => &r.meta,
            GovernanceRecord::Binding(b) => &b.meta,
        }
    }
}

/// The model's `Meta` for an object read at `source`.
fn meta(kind: &str, namespace: Option<String>, name: String, source: podnet_model::Source) -> Meta {
    Meta {
        kind: kind.to_owned(),
        namespace,
        name,
        source,
    }
}
