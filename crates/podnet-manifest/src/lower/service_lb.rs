//! What a LoadBalancer Service asks of its controller and what the
//! controller reported: `loadBalancerClass`, `loadBalancerSourceRanges` (or
//! its annotation), `loadBalancerIP` and MetalLB's annotations, the AWS
//! annotations, `allocateLoadBalancerNodePorts` and
//! `status.loadBalancer.ingress`.
//!
//! The API server validates the spec fields and the source-ranges
//! annotation (errors). It does not read the controllers' annotations or
//! `loadBalancerIP`; a value a controller cannot use is a warning, and the
//! Service is kept.

use std::collections::BTreeMap;
use std::net::IpAddr;

use k8s_openapi::api::core::v1 as core;
use podnet_model::{LoadBalancerSpec, ServiceType};

use crate::path::FieldPath;
use crate::validate::{Checker, addresses, names, unsupported};

/// The annotation form of `loadBalancerSourceRanges` (comma-separated).
pub const SOURCE_RANGES: &str = "service.beta.kubernetes.io/load-balancer-source-ranges";
/// MetalLB: requested addresses (comma-separated), old and new prefix.
pub const METALLB_IPS: [&str; 2] = [
    "metallb.universe.tf/loadBalancerIPs",
    "metallb.io/loadBalancerIPs",
];
/// MetalLB: the pool to draw from, old and new prefix.
pub const METALLB_POOL: [&str; 2] = [
    "metallb.universe.tf/address-pool",
    "metallb.io/address-pool",
];
/// AWS: the load balancer type (`nlb`, `external`...).
pub const AWS_TYPE: &str = "service.beta.kubernetes.io/aws-load-balancer-type";
/// AWS: the NLB target type (`instance` or `ip`).
pub const AWS_TARGET_TYPE: &str = "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type";

const ONLY_LB: &str = "may only be used when `type` is 'LoadBalancer'";

/// Reads the load-balancer fields of a Service.
pub fn load_balancer(
    s: &core::Service,
    service_type: ServiceType,
    base: &FieldPath,
    c: &mut Checker,
) -> LoadBalancerSpec {
    let at = base.key("spec");
    let default_spec = core::ServiceSpec::default();
    let spec = s.spec.as_ref().unwrap_or(&default_spec);
    let empty = BTreeMap::new();
    let notes = s.metadata.annotations.as_ref().unwrap_or(&empty);
    let notes_at = base.key("metadata").key("annotations");
    let is_lb = service_type == ServiceType::LoadBalancer;
    let annotation = |keys: &[&'static str]| {
        keys.iter()
            .find_map(|k| notes.get(*k).map(|v| (notes_at.map_key(k), v.trim())))
    };

    let class = spec.load_balancer_class.clone();
    if let Some(cls) = &class {
        let path = at.key("loadBalancerClass");
        if !is_lb {
            c.error(path.clone(), ONLY_LB);
        }
        for p in names::qualified_name(cls) {
            c.error(path.clone(), format!("invalid value `{cls}`: {p}"));
        }
    }
    if spec.allocate_load_balancer_node_ports.is_some() && !is_lb {
        c.error(at.key("allocateLoadBalancerNodePorts"), ONLY_LB);
    }

    let mut requested_ips = Vec::new();
    let lb_ip = spec.load_balancer_ip.as_deref().filter(|s| !s.is_empty());
    if let Some(ip) = lb_ip {
        requested_ips.extend(controller_ip(ip, &at.key("loadBalancerIP"), c));
    }
    if let Some((path, v)) = annotation(&METALLB_IPS) {
        if lb_ip.is_some() {
            c.warn(
                path.clone(),
                "MetalLB refuses a Service that sets both this annotation and `loadBalancerIP`; podnet uses the annotation",
            );
            requested_ips.clear();
        }
        for ip in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            requested_ips.extend(controller_ip(ip, &path, c));
        }
    }

    let aws_target_type = annotation(&[AWS_TARGET_TYPE]).map(|(path, v)| {
        if !matches!(v, "instance" | "ip") {
            c.warn(
                path,
                format!("`{v}` is not a target type the AWS controllers know (`instance` or `ip`)"),
            );
        }
        v.to_owned()
    });
    let (status_ips, status_hostnames, proxy_ips) = status(s, base, c);
    LoadBalancerSpec {
        class,
        source_ranges: source_ranges(spec, notes, is_lb, &at, &notes_at, c),
        requested_ips,
        address_pool: annotation(&METALLB_POOL).map(|(_, v)| v.to_owned()),
        status_ips,
        status_hostnames,
        proxy_ips,
        aws_type: annotation(&[AWS_TYPE]).map(|(_, v)| v.to_owned()),
        aws_target_type,
        no_node_ports: is_lb && spec.allocate_load_balancer_node_ports == Some(false),
    }
}

/// An address a load-balancer controller reads: a warning when invalid.
fn controller_ip(value: &str, path: &FieldPath, c: &mut Checker) -> Option<IpAddr> {
    let ip = value.parse().ok();
    if ip.is_none() {
        c.warn(
            path.clone(),
            format!(
                "`{value}` is not a valid IP address; the load-balancer controller cannot assign it"
            ),
        );
    }
    ip
}

/// `loadBalancerSourceRanges` (values may be space-padded), else the
/// annotation; either only for type LoadBalancer.
fn source_ranges(
    spec: &core::ServiceSpec,
    notes: &BTreeMap<String, String>,
    is_lb: bool,
    at: &FieldPath,
    notes_at: &FieldPath,
    c: &mut Checker,
) -> Vec<ipnet::IpNet> {
    let field = spec
        .load_balancer_source_ranges
        .as_deref()
        .unwrap_or_default();
    let mut out = Vec::new();
    if !field.is_empty() {
        let path = at.key("loadBalancerSourceRanges");
        if !is_lb {
            c.error(path.clone(), ONLY_LB);
        }
        for (i, v) in field.iter().enumerate() {
            out.extend(addresses::cidr(v.trim(), &path.index(i), c));
        }
    } else if let Some(v) = notes.get(SOURCE_RANGES) {
        let path = notes_at.map_key(SOURCE_RANGES);
        if !is_lb {
            c.error(path.clone(), ONLY_LB);
        }
        for v in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            out.extend(addresses::cidr(v, &path, c));
        }
    }
    out
}

/// `status.loadBalancer.ingress[]`: addresses and hostnames
/// (`ValidateLoadBalancerStatus`).
/// `status.loadBalancer.ingress[]`: IPs, hostnames, and the IPs whose
/// `ipMode` is `Proxy` (API reference, LoadBalancerIngress.ipMode: the
/// load balancer, not the node, handles traffic to them; `VIP` when unset).
fn status(
    s: &core::Service,
    base: &FieldPath,
    c: &mut Checker,
) -> (Vec<IpAddr>, Vec<String>, Vec<IpAddr>) {
    let ingress = s
        .status
        .as_ref()
        .and_then(|st| st.load_balancer.as_ref())
        .and_then(|lb| lb.ingress.as_deref())
        .unwrap_or_default();
    let (mut ips, mut hostnames, mut proxy_ips) = (Vec::new(), Vec::new(), Vec::new());
    for (i, ing) in ingress.iter().enumerate() {
        let at = base
            .key("status")
            .key("loadBalancer")
            .key("ingress")
            .index(i);
        if let Some(ip) = ing.ip.as_deref().filter(|s| !s.is_empty()) {
            let parsed = addresses::ip(ip, &at.key("ip"), c);
            match ing.ip_mode.as_deref() {
                None | Some("VIP") => {}
                Some("Proxy") => proxy_ips.extend(parsed),
                Some(other) => unsupported(&at.key("ipMode"), other, &["Proxy", "VIP"], c),
            }
            ips.extend(parsed);
        } else if ing.ip_mode.is_some() {
            // ValidateLoadBalancerStatus (KEP-1860): ipMode only with an ip.
            c.error(
                at.key("ipMode"),
                "may not be specified when `ip` is not set",
            );
        }
        if let Some(h) = ing.hostname.as_deref().filter(|s| !s.is_empty()) {
            let path = at.key("hostname");
            if h.parse::<IpAddr>().is_ok() {
                c.error(
                    path,
                    format!("invalid value `{h}`: must be a DNS name, not an IP address"),
                );
            } else {
                c.check(&path, h, names::dns1123_subdomain(h));
                hostnames.push(h.to_owned());
            }
        }
    }
    (ips, hostnames, proxy_ips)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(json: serde_json::Value) -> core::Service {
        serde_json::from_value(json).unwrap_or_default()
    }

    fn lb(s: &core::Service, t: ServiceType) -> (LoadBalancerSpec, Checker) {
        let mut c = Checker::default();
        (load_balancer(s, t, &FieldPath::root(), &mut c), c)
    }

    #[test]
    fn metallb_and_aws_annotations() {
        let s = svc(serde_json::json!({
            "metadata": {"name": "web", "annotations": {
                "metallb.universe.tf/loadBalancerIPs": "192.168.1.100, fd00::100",
                "metallb.universe.tf/address-pool": "public",
                AWS_TYPE: "external",
                AWS_TARGET_TYPE: "ip",
                SOURCE_RANGES: "10.0.0.0/8,192.168.0.0/16"
            }},
            "spec": {"type": "LoadBalancer", "allocateLoadBalancerNodePorts": false,
                     "loadBalancerClass": "service.k8s.aws/nlb"},
            "status": {"loadBalancer": {"ingress": [{"ip": "192.168.1.100"}, {"hostname": "a.elb.amazonaws.com"}]}}
        }));
        let (l, c) = lb(&s, ServiceType::LoadBalancer);
        assert!(!c.has_errors() && c.warnings.is_empty(), "{c:?}");
        assert_eq!(l.requested_ips.len(), 2);
        assert_eq!(l.address_pool.as_deref(), Some("public"));
        assert_eq!(l.aws_type.as_deref(), Some("external"));
        assert_eq!(l.aws_target_type.as_deref(), Some("ip"));
        assert_eq!(l.source_ranges.len(), 2);
        assert_eq!(l.status_ips.len(), 1);
        assert_eq!(l.status_hostnames, vec!["a.elb.amazonaws.com".to_owned()]);
        assert!(l.no_node_ports);
        assert_eq!(l.class.as_deref(), Some("service.k8s.aws/nlb"));
    }

    // API reference, LoadBalancerIngress.ipMode ("VIP" or "Proxy", KEP-1860);
    // ValidateLoadBalancerStatus: only with `ip`.
    #[test]
    fn ip_mode_values() {
        let st = |ingress: serde_json::Value| {
            svc(serde_json::json!({
                "metadata": {"name": "web"},
                "spec": {"type": "LoadBalancer"},
                "status": {"loadBalancer": {"ingress": ingress}}
            }))
        };
        let (l, c) = lb(
            &st(serde_json::json!([{"ip": "192.0.2.1", "ipMode": "Proxy"},
                                   {"ip": "192.0.2.2", "ipMode": "VIP"},
                                   {"ip": "192.0.2.3"}])),
            ServiceType::LoadBalancer,
        );
        assert!(!c.has_errors(), "{c:?}");
        assert_eq!(l.status_ips.len(), 3);
        assert_eq!(l.proxy_ips, vec!["192.0.2.1".parse::<IpAddr>().unwrap()]);
        let (_, c) = lb(
            &st(serde_json::json!([{"ip": "192.0.2.1", "ipMode": "proxy"}])),
            ServiceType::LoadBalancer,
        );
        assert_eq!(
            c.errors[0].0.to_string(),
            "status.loadBalancer.ingress[0].ipMode"
        );
        assert!(
            c.errors[0].1.contains(r#""Proxy", "VIP""#),
            "{}",
            c.errors[0].1
        );
        let (_, c) = lb(
            &st(serde_json::json!([{"hostname": "a.example.com", "ipMode": "VIP"}])),
            ServiceType::LoadBalancer,
        );
        assert_eq!(
            c.errors[0].0.to_string(),
            "status.loadBalancer.ingress[0].ipMode"
        );
        assert_eq!(c.errors[0].1, "may not be specified when `ip` is not set");
    }

    #[test]
    fn load_balancer_fields_need_type_load_balancer() {
        let s = svc(serde_json::json!({
            "metadata": {"name": "web"},
            "spec": {"loadBalancerSourceRanges": ["10.0.0.0/8"], "loadBalancerClass": "x",
                     "allocateLoadBalancerNodePorts": true}
        }));
        let (_, c) = lb(&s, ServiceType::ClusterIp);
        let paths: Vec<String> = c.errors.iter().map(|e| e.0.to_string()).collect();
        assert_eq!(
            paths,
            [
                "spec.loadBalancerClass",
                "spec.allocateLoadBalancerNodePorts",
                "spec.loadBalancerSourceRanges"
            ]
        );
    }

    #[test]
    fn field_wins_over_annotation_and_bad_ranges_are_errors() {
        let s = svc(serde_json::json!({
            "metadata": {"name": "web", "annotations": {SOURCE_RANGES: "bogus"}},
            "spec": {"type": "LoadBalancer", "loadBalancerSourceRanges": [" 10.0.0.0/8 "]}
        }));
        let (l, c) = lb(&s, ServiceType::LoadBalancer);
        assert!(!c.has_errors());
        assert_eq!(l.source_ranges.len(), 1);
        let s = svc(serde_json::json!({
            "metadata": {"name": "web", "annotations": {SOURCE_RANGES: "10.0.0.0/8, bogus"}},
            "spec": {"type": "LoadBalancer"}
        }));
        let (_, c) = lb(&s, ServiceType::LoadBalancer);
        assert_eq!(
            c.errors[0].0.to_string(),
            format!("metadata.annotations[{SOURCE_RANGES}]")
        );
    }

    #[test]
    fn load_balancer_ip_and_metallb_annotation() {
        let s = svc(serde_json::json!({
            "metadata": {"name": "web", "annotations": {"metallb.io/loadBalancerIPs": "10.0.0.9,nope"}},
            "spec": {"type": "LoadBalancer", "loadBalancerIP": "10.0.0.8"}
        }));
        let (l, c) = lb(&s, ServiceType::LoadBalancer);
        assert!(!c.has_errors());
        assert_eq!(c.warnings.len(), 2, "both set, and an invalid address");
        assert_eq!(l.requested_ips, vec!["10.0.0.9".parse::<IpAddr>().unwrap()]);
    }
}
