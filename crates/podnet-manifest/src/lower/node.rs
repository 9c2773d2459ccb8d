//! Nodes (v1): name and labels, pod CIDRs (`ValidateNode`: valid CIDRs, at
//! most one per family, `podCIDRs[0]` equal to `podCIDR`), InternalIP and
//! ExternalIP addresses, provider id, pod capacity, cordoning and taints.

use ipnet::IpNet;
use k8s_openapi::api::core::v1 as core;
use podnet_model::{Meta, Node, Source};

use super::meta::{NameRule, object_meta};
use super::scheduling;
use crate::path::FieldPath;
use crate::validate::Checker;
use crate::validate::addresses::{self, one_per_family};
use crate::validate::quantity::{self, QuantityError};

/// Checks and lowers one Node.
pub fn node(n: &core::Node, base: &FieldPath, source: Source, c: &mut Checker) -> Node {
    let info = object_meta(&n.metadata, NameRule::Subdomain, false, base, c);
    let spec_at = base.key("spec");
    let default_spec = core::NodeSpec::default();
    let spec = n.spec.as_ref().unwrap_or(&default_spec);
    let status_at = base.key("status");
    let (mut internal_ips, mut external_ips) = (Vec::new(), Vec::new());
    let status = n.status.as_ref();
    for (i, a) in status
        .and_then(|s| s.addresses.as_deref())
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let list = match a.type_.as_str() {
            "InternalIP" => &mut internal_ips,
            "ExternalIP" => &mut external_ips,
            _ => continue,
        };
        let path = status_at.key("addresses").index(i).key("address");
        list.extend(addresses::ip(&a.address, &path, c));
    }
    let max_pods = status
        .and_then(|s| s.capacity.as_ref())
        .and_then(|cap| cap.get("pods"))
        .and_then(|q| {
            let path = status_at.key("capacity").map_key("pods");
            match quantity::whole_number(&q.0)
                .and_then(|n| u32::try_from(n).map_err(|_| QuantityError::TooLarge(q.0.clone())))
            {
                Ok(n) => Some(n),
                Err(m) => {
                    c.error(path, m.to_string());
                    None
                }
            }
        });
    Node {
        meta: Meta {
            kind: "Node".to_owned(),
            namespace: None,
            name: info.name,
            source,
        },
        labels: info.labels,
        pod_cidrs: pod_cidrs(spec, &spec_at, c),
        internal_ips,
        external_ips,
        provider_id: spec.provider_id.clone().filter(|p| !p.is_empty()),
        max_pods,
        unschedulable: spec.unschedulable.unwrap_or(false),
        taints: scheduling::node_taints(spec.taints.as_deref(), &spec_at.key("taints"), c),
    }
}

/// `spec.podCIDRs`, or `spec.podCIDR` alone.
fn pod_cidrs(spec: &core::NodeSpec, at: &FieldPath, c: &mut Checker) -> Vec<IpNet> {
    let single = spec
        .pod_cidr
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| (s, addresses::cidr(s, &at.key("podCIDR"), c)));
    let mut located: Vec<(FieldPath, IpNet)> = Vec::new();
    for (i, s) in spec.pod_cidrs.iter().flatten().enumerate() {
        let path = at.key("podCIDRs").index(i);
        if let Some(net) = addresses::cidr(s, &path, c) {
            if located.iter().any(|(_, n)| *n == net) {
                c.error(path.clone(), format!("duplicate value `{s}`"));
            }
            located.push((path, net));
        }
    }
    one_per_family(&located, |n| matches!(n, IpNet::V4(_)), "CIDR", c);
    match (single, located.first()) {
        (Some((written, Some(s))), Some((_, first))) if s != *first => c.error(
            at.key("podCIDRs").index(0),
            format!("must be equal to `podCIDR` ({written})"),
        ),
        (Some((_, Some(s))), None) => return vec![s],
        _ => {}
    }
    located.into_iter().map(|(_, n)| n).collect()
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;

    fn lower(json: serde_json::Value) -> (Node, Checker) {
        let n: core::Node = serde_json::from_value(json).unwrap_or_default();
        let mut c = Checker::default();
        let source = Source {
            file: "t".into(),
            document: 1,
            line: None,
            item: None,
        };
        (node(&n, &FieldPath::root(), source, &mut c), c)
    }

    #[test]
    fn node_fields() {
        let (n, c) = lower(serde_json::json!({
            "metadata": {"name": "ip-10-0-1-10", "labels": {"topology.kubernetes.io/zone": "a"}},
            "spec": {"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24", "fd00:1::/64"],
                     "providerID": "aws:///a/i-1", "unschedulable": true},
            "status": {"addresses": [
                {"type": "InternalIP", "address": "10.0.1.10"},
                {"type": "Hostname", "address": "ip-10-0-1-10"},
                {"type": "ExternalIP", "address": "203.0.113.10"}],
                "capacity": {"pods": "110"}}
        }));
        assert!(!c.has_errors(), "{:?}", c.errors);
        assert_eq!(n.pod_cidrs.len(), 2);
        assert_eq!(n.internal_ips, vec!["10.0.1.10".parse::<IpAddr>().unwrap()]);
        assert_eq!(
            n.external_ips,
            vec!["203.0.113.10".parse::<IpAddr>().unwrap()]
        );
        assert_eq!(n.max_pods, Some(110));
        assert_eq!(n.provider_id.as_deref(), Some("aws:///a/i-1"));
        assert!(n.unschedulable);
        assert_eq!(n.labels.get("topology.kubernetes.io/zone"), Some("a"));
    }

    #[test]
    fn pod_cidr_alone_is_used() {
        let (n, c) = lower(serde_json::json!({
            "metadata": {"name": "n1"}, "spec": {"podCIDR": "10.244.1.0/24"}
        }));
        assert!(!c.has_errors());
        assert_eq!(n.pod_cidrs.len(), 1);
    }

    #[test]
    fn node_errors_have_paths() {
        for (json, path) in [
            (
                serde_json::json!({"metadata": {"name": "n"}, "spec": {"podCIDR": "10.244.2.0/24", "podCIDRs": ["10.244.1.0/24"]}}),
                "spec.podCIDRs[0]",
            ),
            (
                serde_json::json!({"metadata": {"name": "n"}, "spec": {"podCIDRs": ["10.244.1.0/24", "10.245.1.0/24"]}}),
                "spec.podCIDRs[1]",
            ),
            (
                serde_json::json!({"metadata": {"name": "n"}, "status": {"addresses": [{"type": "InternalIP", "address": "10.0.0"}]}}),
                "status.addresses[0].address",
            ),
            (
                serde_json::json!({"metadata": {"name": "n"}, "status": {"capacity": {"pods": "1.5"}}}),
                "status.capacity[pods]",
            ),
            (
                serde_json::json!({"metadata": {"name": "N_1"}}),
                "metadata.name",
            ),
        ] {
            let (_, c) = lower(json);
            assert_eq!(
                c.errors.first().map(|e| e.0.to_string()).as_deref(),
                Some(path)
            );
        }
    }
}
