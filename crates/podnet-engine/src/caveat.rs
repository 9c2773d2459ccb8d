//! Caveats: what an answer cannot account for, given the input (pods
//! without addresses next to ipBlocks that could hold them; admin policies
//! whose order the API leaves undefined), as warnings ([`Problem`]s)
//! that podnet-report words.

use podnet_model::policy::PeerKind;
use podnet_model::{IpSet, Problem};

use crate::matrix::Engine;

/// Something about the input that limits what the answer can say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caveat {
    /// Some pods have no known address (pods no node takes, or pods the
    /// input gives none under declared addresses), so no ipBlock matches
    /// them; these ipBlocks are wide enough to hold pod addresses in a
    /// real cluster.
    UnaddressedPods {
        /// Pods without an address.
        pods: usize,
        /// Up to three such ipBlocks: the CIDR and `namespace/policy`.
        wide_blocks: Vec<(String, String)>,
        /// How many such ipBlocks there are in all.
        wide_count: usize,
    },
    /// Policies of one tier share a priority: the API leaves their order
    /// undefined (podnet evaluates them in input order).
    SamePriority {
        /// `Admin` or `Baseline`.
        tier: podnet_model::Tier,
        /// The shared priority.
        priority: u32,
        /// `Kind name` of each, in input order.
        policies: Vec<String>,
    },
}

/// Private ranges where clusters put pod addresses, and the smallest block
/// within them that could hold a cluster's pods (a /16, or a /48 for IPv6).
fn could_hold_pods(block: &IpSet) -> bool {
    const PRIVATE: [(&str, u32); 4] = [
        ("10.0.0.0/8", 16),
        ("172.16.0.0/12", 16),
        ("192.168.0.0/16", 16),
        ("fc00::/7", 48),
    ];
    PRIVATE.iter().any(|(range, len)| {
        let Ok(range) = range.parse::<ipnet::IpNet>() else {
            return false;
        };
        let inside = IpSet::from_net(&range).intersection(block);
        let (bits, ranges): (u32, Vec<(u128, u128)>) = match range {
            ipnet::IpNet::V4(_) => (
                32,
                inside
                    .v4()
                    .ranges()
                    .iter()
                    .map(|&(l, h)| (u128::from(l), u128::from(h)))
                    .collect(),
            ),
            ipnet::IpNet::V6(_) => (128, inside.v6().ranges().to_vec()),
        };
        let size = 1u128 << (bits - len);
        // Does some range hold a whole aligned block of `size` addresses?
        ranges.iter().any(|&(lo, hi)| {
            let start = lo.div_ceil(size).saturating_mul(size);
            start >= lo && start.checked_add(size - 1).is_some_and(|end| end <= hi)
        })
    })
}

impl Engine<'_> {
    /// What the answer cannot account for, as warnings.
    pub fn caveats(&self) -> Vec<Problem<Caveat>> {
        let mut out = self.address_caveats();
        out.extend(same_priorities(self.cluster));
        out.into_iter().map(Problem::warning).collect()
    }

    fn address_caveats(&self) -> Vec<Caveat> {
        let pods = self
            .cluster
            .pods
            .iter()
            .filter(|p| p.ips.is_empty())
            .count();
        if pods == 0 {
            return Vec::new();
        }
        let mut wide: Vec<(String, String)> = Vec::new();
        for policy in &self.cluster.policies {
            for rule in policy.ingress.iter().chain(&policy.egress) {
                for peer in &rule.peers {
                    if let PeerKind::IpBlock(b) = &peer.kind
                        && could_hold_pods(&b.addresses)
                    {
                        wide.push((b.to_string(), policy.meta.qualified_name()));
                    }
                }
            }
        }
        wide.sort();
        wide.dedup();
        if wide.is_empty() {
            return Vec::new();
        }
        let wide_count = wide.len();
        wide.truncate(3);
        vec![Caveat::UnaddressedPods {
            pods,
            wide_blocks: wide,
            wide_count,
        }]
    }
}

/// Admin or baseline policies sharing a tier and a priority.
fn same_priorities(cluster: &podnet_model::Cluster) -> Vec<Caveat> {
    let mut groups: std::collections::BTreeMap<(podnet_model::Tier, u32), Vec<String>> =
        std::collections::BTreeMap::new();
    for p in &cluster.admin_policies {
        if let Some(priority) = p.priority {
            groups.entry((p.tier, priority)).or_default().push(format!(
                "{} {}",
                p.api.kind(),
                p.meta.name
            ));
        }
    }
    groups
        .into_iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|((tier, priority), policies)| Caveat::SamePriority {
            tier,
            priority,
            policies,
        })
        .collect()
}
