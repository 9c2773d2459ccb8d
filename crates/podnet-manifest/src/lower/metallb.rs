//! MetalLB `IPAddressPool` (metallb.io/v1beta1): the address ranges MetalLB
//! gives LoadBalancer Services. A CRD, read with podnet's own serde types;
//! `serviceAllocation` and other fields are ignored.
//!
//! Pools are stored in the cluster profile
//! ([`ProfileSpec::metallb`](podnet_model::ProfileSpec)): appended to the
//! `ClusterProfile`'s pools when there is one, else in a profile that sets
//! only `metallb` (and has no `meta`). See the assembler.

use std::net::IpAddr;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use podnet_model::{AddressPool, Meta, Source};
use serde::Deserialize;

use super::meta::{NameRule, object_meta};
use crate::path::FieldPath;
use crate::validate::Checker;
use crate::validate::ranges::address_range;

/// A MetalLB `IPAddressPool`.
#[derive(Debug, Default, Deserialize)]
pub struct IpAddressPool {
    /// Metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Spec.
    #[serde(default)]
    pub spec: IpAddressPoolSpec,
}

/// The fields of an `IPAddressPool` spec podnet reads.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpAddressPoolSpec {
    /// `addresses`: CIDRs or `first-last` ranges.
    #[serde(default)]
    pub addresses: Vec<String>,
    /// `autoAssign` (true when omitted).
    pub auto_assign: Option<bool>,
    /// `avoidBuggyIPs` (false when omitted).
    #[serde(rename = "avoidBuggyIPs")]
    pub avoid_buggy_ips: Option<bool>,
}

/// Parses a list of MetalLB addresses (at `at`, one index per entry); at
/// least one is required.
pub fn address_ranges(list: &[String], at: &FieldPath, c: &mut Checker) -> Vec<(IpAddr, IpAddr)> {
    if list.is_empty() {
        c.error(
            at.clone(),
            "at least one address (a CIDR or `first-last`) is required",
        );
    }
    list.iter()
        .enumerate()
        .filter_map(|(i, a)| address_range(a, &at.index(i), c))
        .collect()
}

/// Checks and lowers one `IPAddressPool`.
pub fn ip_address_pool(
    p: &IpAddressPool,
    base: &FieldPath,
    source: Source,
    c: &mut Checker,
) -> AddressPool {
    let info = object_meta(&p.metadata, NameRule::Subdomain, true, base, c);
    let ranges = address_ranges(&p.spec.addresses, &base.key("spec").key("addresses"), c);
    AddressPool {
        name: info.name.clone(),
        ranges,
        auto_assign: p.spec.auto_assign.unwrap_or(true),
        avoid_buggy_ips: p.spec.avoid_buggy_ips.unwrap_or(false),
        meta: Some(Meta {
            kind: "IPAddressPool".to_owned(),
            namespace: info.namespace,
            name: info.name,
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(json: serde_json::Value) -> (AddressPool, Checker) {
        let p: IpAddressPool = serde_json::from_value(json).unwrap_or_default();
        let mut c = Checker::default();
        let source = Source {
            file: "t".into(),
            document: 1,
            line: None,
            item: None,
        };
        (ip_address_pool(&p, &FieldPath::root(), source, &mut c), c)
    }

    #[test]
    fn pool_fields_and_defaults() {
        let (p, c) = pool(serde_json::json!({
            "metadata": {"name": "public", "namespace": "metallb-system"},
            "spec": {"addresses": ["192.168.10.0/30", "192.168.9.1-192.168.9.5"]}
        }));
        assert!(!c.has_errors(), "{:?}", c.errors);
        assert_eq!(p.name, "public");
        assert_eq!(p.ranges.len(), 2);
        assert!(p.auto_assign && !p.avoid_buggy_ips);
        let meta = p.meta.unwrap();
        assert_eq!(meta.namespace.as_deref(), Some("metallb-system"));
    }

    #[test]
    fn pool_errors() {
        let (_, c) = pool(serde_json::json!({"metadata": {"name": "p"}, "spec": {}}));
        assert_eq!(c.errors[0].0.to_string(), "spec.addresses");
        let (_, c) = pool(serde_json::json!({
            "metadata": {"name": "p"}, "spec": {"addresses": ["10.0.0.0/8", "10.0.0.9-10.0.0.1"]}
        }));
        assert_eq!(c.errors[0].0.to_string(), "spec.addresses[1]");
    }
}
