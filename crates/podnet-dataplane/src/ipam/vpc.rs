//! VPC-native pod addresses for ENI-mode CNIs: secondary addresses of the
//! subnet holding the node's address.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use podnet_model::{Cloud, Cluster, PodId, Profile};

use super::AddressOrigin;
use crate::addr::{nth, size};
use crate::issue::{Found, Issue};
use crate::nodes::NodeInfo;

/// ENI mode: a secondary address of the subnet holding the node's address,
/// the next free one after the four AWS keeps (it also keeps the last),
/// never a node's.
pub(super) struct Vpc<'p> {
    profile: &'p Profile,
    node_ips: HashSet<IpAddr>,
    cursors: HashMap<String, u128>,
}

impl<'p> Vpc<'p> {
    /// No address handed out yet; `nodes`' addresses are never handed out.
    pub(super) fn new(profile: &'p Profile, nodes: &[NodeInfo]) -> Self {
        Vpc {
            profile,
            node_ips: nodes
                .iter()
                .flat_map(|n| n.internal_ips.iter().chain(&n.external_ips).copied())
                .collect(),
            cursors: HashMap::new(),
        }
    }

    /// An address for pod `id` on `node`.
    pub(super) fn address(
        &mut self,
        cluster: &Cluster,
        id: PodId,
        node: &NodeInfo,
        taken: &mut HashMap<IpAddr, PodId>,
        issues: &mut Vec<Issue>,
    ) -> (Vec<IpAddr>, AddressOrigin) {
        let node_ip = node.internal_ips.first().copied();
        let subnet = match (&self.profile.cloud, node_ip) {
            (Cloud::Aws(aws), Some(ip)) => aws
                .subnets
                .iter()
                .find(|s| s.cidr.contains(&ip))
                .map(|s| (s.name.clone(), s.cidr)),
            _ => None,
        }
        .or_else(|| {
            let ip = node_ip?;
            self.profile
                .cluster_cidrs
                .iter()
                .find(|c| c.contains(&ip))
                .map(|c| (c.to_string(), *c))
        });
        let Some((name, cidr)) = subnet else {
            issues.push(Issue::error(Found::NodeOutsideVpc {
                node: node.name.clone(),
                cni: self.profile.cni,
            }));
            return (Vec::new(), AddressOrigin::Unassigned);
        };
        let cursor = self.cursors.entry(name.clone()).or_insert(4);
        let last = size(&cidr).saturating_sub(2);
        while *cursor <= last {
            let candidate = nth(&cidr, *cursor);
            *cursor += 1;
            if let Some(ip) = candidate
                && !taken.contains_key(&ip)
                && !self.node_ips.contains(&ip)
            {
                taken.insert(ip, id);
                return (vec![ip], AddressOrigin::VpcSubnet(name));
            }
        }
        issues.push(Issue::error(Found::SubnetExhausted {
            subnet: name,
            cidr,
            pod: cluster.pod_name(id),
        }));
        (Vec::new(), AddressOrigin::Unassigned)
    }
}
