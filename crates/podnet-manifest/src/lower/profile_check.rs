//! Checks across the fields of a `ClusterProfile`, on the profile completed
//! from its preset: pod and Service ranges must not overlap, each node block
//! must fit in its cluster CIDR, and a cluster CIDR the profile writes must
//! yield a block per node it lists (the dataplane widens a preset's range,
//! and warns about assumed nodes left without a block).
//! A problem is reported at the field the user wrote (a preset is
//! consistent on its own).

use ipnet::IpNet;
use podnet_model::ProfileSpec;

use super::profile::ProfileDef;
use crate::path::FieldPath;
use crate::validate::Checker;

fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// Runs the cross-field checks of a profile whose fields are valid.
pub fn check_profile(spec: &ProfileSpec, d: &ProfileDef, at: &FieldPath, c: &mut Checker) {
    let p = crate::presets::resolve(spec);
    let written = |set: bool, field: &'static str| set.then(|| at.key(field));
    let cluster_at = written(d.cluster_cidrs.is_some(), "clusterCIDRs");
    let service_at = written(d.service_cidrs.is_some(), "serviceCIDRs");
    for (i, cn) in p.cluster_cidrs.iter().enumerate() {
        for (j, sn) in p.service_cidrs.iter().enumerate() {
            let path = cluster_at
                .as_ref()
                .map(|a| a.index(i))
                .or_else(|| service_at.as_ref().map(|a| a.index(j)));
            if let Some(path) = path
                && overlaps(cn, sn)
            {
                c.error(
                    path,
                    format!("cluster CIDR `{cn}` overlaps service CIDR `{sn}`"),
                );
            }
        }
    }
    // VPC-native CNIs take pod addresses from the VPC subnets, not from
    // node blocks of the cluster CIDR.
    if p.cni.vpc_native() {
        return;
    }
    let count = p.nodes.len();
    let count_at = written(d.nodes.is_some(), "nodes")
        .or_else(|| written(d.node_count.is_some(), "nodeCount"));
    for (i, cn) in p.cluster_cidrs.iter().enumerate() {
        let (mask, mask_field, set) = match cn {
            IpNet::V4(_) => (p.node_mask_v4, "nodeMaskSizeIPv4", d.node_mask_v4.is_some()),
            IpNet::V6(_) => (p.node_mask_v6, "nodeMaskSizeIPv6", d.node_mask_v6.is_some()),
        };
        let mask_at = written(set, mask_field);
        let cidr_at = cluster_at.as_ref().map(|a| a.index(i));
        let prefix = cn.prefix_len();
        if mask <= prefix {
            if let Some(path) = mask_at.or(cidr_at) {
                c.error(
                    path,
                    format!(
                        "node mask /{mask} must be longer than the prefix of cluster CIDR `{cn}`"
                    ),
                );
            }
            continue;
        }
        let blocks = 1u128
            .checked_shl(u32::from(mask - prefix))
            .unwrap_or(u128::MAX);
        // The preset's cluster CIDR and nodes are assumptions: the
        // dataplane widens the range to fit the nodes, and assumed nodes
        // beyond a written range only get a warning. Only nodes and a
        // range both written can contradict each other.
        if (count as u128) > blocks
            && cidr_at.is_some()
            && count_at.is_some()
            && let Some(path) = count_at.clone().or(mask_at).or(cidr_at)
        {
            c.error(
                path,
                format!("{count} nodes do not fit: cluster CIDR `{cn}` yields {blocks} node blocks at node mask /{mask}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: serde_json::Value) -> Checker {
        let d: ProfileDef = serde_json::from_value(json).unwrap();
        let spec = ProfileSpec {
            cluster_cidrs: d
                .cluster_cidrs
                .as_ref()
                .map(|l| l.iter().map(|s| s.parse().unwrap()).collect()),
            service_cidrs: d
                .service_cidrs
                .as_ref()
                .map(|l| l.iter().map(|s| s.parse().unwrap()).collect()),
            node_mask_v4: d.node_mask_v4.map(|m| u8::try_from(m).unwrap()),
            nodes: d.node_count.map(|n| {
                (0..n)
                    .map(|i| podnet_model::ProfileNode {
                        name: format!("node-{i}"),
                        ..Default::default()
                    })
                    .collect()
            }),
            ..ProfileSpec::default()
        };
        let mut c = Checker::default();
        check_profile(&spec, &d, &FieldPath::fields("spec"), &mut c);
        c
    }

    #[test]
    fn overlapping_ranges() {
        let c = check(serde_json::json!({
            "clusterCIDRs": ["10.96.0.0/16"]
        }));
        assert_eq!(c.errors.len(), 1, "{:?}", c.errors);
        assert_eq!(c.errors[0].0.to_string(), "spec.clusterCIDRs[0]");
        assert_eq!(
            c.errors[0].1,
            "cluster CIDR `10.96.0.0/16` overlaps service CIDR `10.96.0.0/12`"
        );
    }

    #[test]
    fn node_mask_must_be_longer_than_the_prefix() {
        let c = check(serde_json::json!({"nodeMaskSizeIPv4": 16}));
        assert_eq!(c.errors[0].0.to_string(), "spec.nodeMaskSizeIPv4");
    }

    #[test]
    fn nodes_must_fit_in_the_cluster_cidr() {
        let c = check(serde_json::json!({
            "clusterCIDRs": ["10.244.0.0/22"], "nodeCount": 5
        }));
        assert_eq!(c.errors[0].0.to_string(), "spec.nodeCount");
        assert_eq!(
            c.errors[0].1,
            "5 nodes do not fit: cluster CIDR `10.244.0.0/22` yields 4 node blocks at node mask /24"
        );
        assert!(
            check(serde_json::json!({"clusterCIDRs": ["10.244.0.0/22"], "nodeCount": 4}))
                .errors
                .is_empty()
        );
    }

    #[test]
    fn many_nodes_on_the_preset_cluster_cidr_are_no_error() {
        // 10.244.0.0/16 holds 256 /24 blocks; the dataplane widens the
        // preset's range it assumed rather than fail a valid profile.
        assert!(
            check(serde_json::json!({"nodeCount": 300}))
                .errors
                .is_empty()
        );
        assert!(
            check(serde_json::json!({"nodeCount": 300, "nodeMaskSizeIPv4": 24}))
                .errors
                .is_empty()
        );
        let c = check(serde_json::json!({"nodeCount": 300, "clusterCIDRs": ["10.244.0.0/16"]}));
        assert_eq!(c.errors[0].0.to_string(), "spec.nodeCount");
    }

    #[test]
    fn the_default_preset_is_consistent() {
        assert!(check(serde_json::json!({})).errors.is_empty());
    }
}
