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

/// `Kind ns/name` of a workload.
pub fn workload_display(cluster: &Cluster, id: WorkloadId) -> String {
    format!(
        "{} {}",
        cluster.workload(id).kind.as_str(),
        cluster.workload_name(id)
    )
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

/// `a, b, c` or `a, b, c and 4 more`.
pub fn short_list(items: &[String], max: usize) -> String {
    if items.len() <= max {
        return items.join(", ");
    }
    format!("{} and {} more", items[..max].join(", "), items.len() - max)
}

/// Number of IPv4 addresses in a set.
fn v4_count(set: &IpSet) -> u64 {
    set.v4()
        .ranges()
        .iter()
        .map(|&(lo, hi)| u64::from(hi - lo) + 1)
        .sum()
}

/// Number of IPv6 addresses in a set, saturating at `u128::MAX`.
fn v6_count(set: &IpSet) -> u128 {
    set.v6().ranges().iter().fold(0u128, |acc, &(lo, hi)| {
        acc.saturating_add(hi - lo).saturating_add(1)
    })
}

/// Whether a set holds at least half of the IPv4 or of the IPv6 address
/// space: "the whole internet", give or take private ranges carved out.
pub fn internet_wide(set: &IpSet) -> bool {
    v4_count(set) >= 1u64 << 31 || v6_count(set) >= 1u128 << 127
}

/// An address set in a few words: `0.0.0.0/0`, `0.0.0.0/0 except
/// 10.0.0.0/8, ...`, or its first ranges.
pub fn describe_addresses(set: &IpSet) -> String {
    let v4 = IpSet::from_net(&ipnet::IpNet::V4(ipnet::Ipv4Net::default()));
    let v6 = IpSet::from_net(&ipnet::IpNet::V6(ipnet::Ipv6Net::default()));
    let mut parts = Vec::new();
    for (family, all, wide) in [
        (set.intersection(&v4), &v4, v4_count(set) >= 1u64 << 31),
        (set.intersection(&v6), &v6, v6_count(set) >= 1u128 << 127),
    ] {
        if family.is_empty() {
            continue;
        }
        let prefix = all
            .ranges()
            .map(|r| r.to_string())
            .next()
            .unwrap_or_default();
        if wide {
            let holes: Vec<String> = all
                .difference(&family)
                .ranges()
                .map(|r| r.to_string())
                .collect();
            if holes.is_empty() {
                parts.push(prefix);
            } else {
                parts.push(format!("{prefix} except {}", short_list(&holes, 3)));
            }
        } else {
            let ranges: Vec<String> = family.ranges().map(|r| r.to_string()).collect();
            parts.push(short_list(&ranges, 3));
        }
    }
    if parts.is_empty() {
        return "no address".to_owned();
    }
    parts.join(", ")
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
        assert_eq!(
            describe_addresses(&s),
            "0.0.0.0/0 except 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16"
        );
        assert!(!internet_wide(&private));
        assert!(internet_wide(&set(&["::/0"])));
        assert_eq!(
            describe_addresses(&set(&["0.0.0.0/0", "::/0"])),
            "0.0.0.0/0, ::/0"
        );
    }

    #[test]
    fn long_lists_are_cut() {
        let items: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        assert_eq!(short_list(&items, 3), "a, b, c and 2 more");
        assert_eq!(short_list(&items[..2], 3), "a, b");
    }
}
