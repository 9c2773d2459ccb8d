//! Helpers the policy-hygiene and exposure checks share: which identities a
//! policy selects, subjects with rule-level lines, the workloads podnet
//! added itself, and short prose for address sets and lists.

use podnet_engine::identity::IdentityId;
use podnet_model::{Cluster, IpSet, Meta, NetworkPolicy, WorkloadId};

use crate::context::Context;
use crate::finding::Subject;

/// The identities a NetworkPolicy's `podSelector` selects.
pub fn policy_subjects(ctx: &Context<'_>, policy: &NetworkPolicy) -> Vec<IdentityId> {
    ctx.engine.policy_subjects(policy)
}

/// The subject for an object, pointing at `line` (a rule's, a peer's) when
/// known, else at the object.
pub fn at_line(meta: &Meta, line: Option<u32>) -> Subject {
    let mut subject = Subject::of(meta);
    if let (Some(line), Some(source)) = (line, subject.source.as_mut()) {
        source.line = Some(line);
    }
    subject
}

/// The subject for a workload, with where it was declared.
pub fn workload_subject(cluster: &Cluster, id: WorkloadId) -> Subject {
    let w = cluster.workload(id);
    Subject {
        kind: w.kind.as_str().to_owned(),
        namespace: Some(cluster.namespace(w.namespace).name.clone()),
        name: w.name.clone(),
        source: w.source.clone(),
    }
}

/// The workloads podnet added to the running cluster (the ingress
/// controller, Gateway proxies): nothing in the input to point at.
pub fn synthesised(ctx: &Context<'_>) -> Vec<WorkloadId> {
    ctx.dp.fronts.iter().filter_map(|f| f.synthesised).collect()
}

/// The workloads of some identities, sorted, without duplicates.
pub fn workloads_of(ctx: &Context<'_>, identities: &[IdentityId]) -> Vec<WorkloadId> {
    let mut out: Vec<WorkloadId> = identities
        .iter()
        .flat_map(|&i| ctx.engine.identities().list[i].workloads.iter().copied())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Whether a set holds at least half of the IPv4 or of the IPv6 address
/// space: "the whole internet", give or take private ranges carved out.
pub fn internet_wide(set: &IpSet) -> bool {
    let [v4, v6] = crate::found::wide_families(set);
    v4 || v6
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(nets: &[&str]) -> IpSet {
        nets.iter().fold(IpSet::empty(), |s, n| match n.parse() {
            Ok(net) => s.union(&IpSet::from_net(&net)),
            Err(_) => s,
        })
    }

    #[test]
    fn the_internet_minus_private_ranges_is_still_internet_wide() {
        let private = set(&["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]);
        let s = set(&["0.0.0.0/0"]).difference(&private);
        assert!(internet_wide(&s));
        assert!(!internet_wide(&private));
        assert!(internet_wide(&set(&["::/0"])));
    }
}
