//! `ServiceCIDR` (networking.k8s.io/v1, KEP-1880 "Multiple Service CIDRs"):
//! ranges the API server allocates ClusterIPs from, checked as
//! `ValidateServiceCIDR` does: `spec.cidrs` holds one or two valid CIDRs in
//! canonical form, at most one per IP family.

use k8s_openapi::api::networking::v1 as net;
use podnet_model::{Meta, ServiceCidr, Source};

use super::meta::{NameRule, object_meta};
use crate::path::FieldPath;
use crate::validate::Checker;
use crate::validate::addresses::{one_per_family, strict_cidr};

/// Most `spec.cidrs` of one ServiceCIDR (one per family).
const MAX_CIDRS: usize = 2;

/// Checks and lowers one ServiceCIDR.
pub fn service_cidr(
    s: &net::ServiceCIDR,
    base: &FieldPath,
    source: Source,
    c: &mut Checker,
) -> ServiceCidr {
    let info = object_meta(&s.metadata, NameRule::Subdomain, false, base, c);
    let at = base.key("spec").key("cidrs");
    let written = s
        .spec
        .as_ref()
        .and_then(|sp| sp.cidrs.as_deref())
        .unwrap_or_default();
    if written.is_empty() {
        c.error(at.clone(), "at least one CIDR is required");
    } else if written.len() > MAX_CIDRS {
        c.error(
            at.clone(),
            format!("must have at most {MAX_CIDRS} items (one per IP family)"),
        );
    }
    let parsed: Vec<(FieldPath, ipnet::IpNet)> = written
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let path = at.index(i);
            strict_cidr(v, &path, c).map(|n| (path, n))
        })
        .collect();
    one_per_family(&parsed, |n| matches!(n, ipnet::IpNet::V4(_)), "CIDR", c);
    ServiceCidr {
        meta: Meta {
            kind: "ServiceCIDR".to_owned(),
            namespace: None,
            name: info.name,
            source,
        },
        cidrs: parsed.into_iter().map(|(_, n)| n).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::testing::source;

    fn read(json: serde_json::Value) -> (ServiceCidr, Checker) {
        let s: net::ServiceCIDR = serde_json::from_value(json).unwrap_or_default();
        let mut c = Checker::default();
        (service_cidr(&s, &FieldPath::root(), source(), &mut c), c)
    }

    // API reference, ServiceCIDRSpec.cidrs: "at most two CIDRs, one of each
    // IP family"; KEP-1880, validation of ServiceCIDR.
    #[test]
    fn cidrs_one_per_family() {
        let (s, c) = read(serde_json::json!({
            "metadata": {"name": "extra"},
            "spec": {"cidrs": ["10.100.0.0/16", "fd00:100::/108"]}
        }));
        assert!(!c.has_errors(), "{:?}", c.errors);
        assert_eq!(s.cidrs.len(), 2);
        for (cidrs, path) in [
            (serde_json::json!([]), "spec.cidrs"),
            (
                serde_json::json!(["10.100.0.0/16", "10.101.0.0/16"]),
                "spec.cidrs[1]",
            ),
            (serde_json::json!(["10.100.0.1/16"]), "spec.cidrs[0]"),
            (serde_json::json!(["bogus"]), "spec.cidrs[0]"),
            (
                serde_json::json!(["10.1.0.0/16", "fd00::/108", "10.2.0.0/16"]),
                "spec.cidrs",
            ),
        ] {
            let (_, c) = read(serde_json::json!({
                "metadata": {"name": "extra"}, "spec": {"cidrs": cidrs}
            }));
            assert_eq!(
                c.errors.first().map(|e| e.0.to_string()).as_deref(),
                Some(path),
                "{cidrs}"
            );
        }
    }
}
