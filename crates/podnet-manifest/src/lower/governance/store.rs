//! Governance objects on assembly: kept in input order, replaced by a
//! later definition of the same kind, namespace and name as the other
//! objects are, and handed to the cluster's
//! [`Governance`](podnet_model::Governance).

use podnet_model::{Cluster, Governance, Meta, Source};

use super::GovernanceRecord;
use crate::lower::records::Record;
use crate::lower::store::Key;

/// The governance records read so far.
#[derive(Default)]
pub struct GovernanceStore {
    records: Vec<GovernanceRecord>,
}

fn key_of(meta: &Meta) -> Key {
    (
        meta.namespace.clone().unwrap_or_default(),
        meta.kind.clone(),
        meta.name.clone(),
    )
}

/// The key and source of a governance record (`None` for other records).
pub fn key(record: &Record) -> Option<(Key, &Source)> {
    match record {
        Record::Governance(g) => Some((key_of(g.meta()), &g.meta().source)),
        _ => None,
    }
}

impl GovernanceStore {
    /// Keeps a governance record; gives other records back.
    pub fn add(&mut self, record: Record) -> Option<Record> {
        match record {
            Record::Governance(g) => {
                self.records.push(g);
                None
            }
            other => Some(other),
        }
    }

    /// The namespaces the records live in.
    pub fn namespaces(&self) -> impl Iterator<Item = &String> {
        self.records
            .iter()
            .filter_map(|r| r.meta().namespace.as_ref())
    }

    /// Puts everything into `cluster`.
    pub fn finish(self, cluster: &mut Cluster) {
        let mut g = Governance::default();
        for r in self.records {
            match r {
                GovernanceRecord::Quota(q) => g.quotas.push(q),
                GovernanceRecord::LimitRange(l) => g.limit_ranges.push(l),
                GovernanceRecord::Budget(b) => g.disruption_budgets.push(b),
                GovernanceRecord::ServiceAccount(s) => g.service_accounts.push(s),
                GovernanceRecord::Role(r) => g.roles.push(r),
                GovernanceRecord::Binding(b) => g.bindings.push(b),
            }
        }
        cluster.governance = g;
    }
}
