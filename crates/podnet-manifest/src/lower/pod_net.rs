//! What scheduling, addressing and DNS need from a pod (`PodNet`):
//! `nodeSelector`, required node affinity and tolerations (checked in
//! [`scheduling`](super::scheduling)), `hostname`, `subdomain` and
//! `dnsPolicy` checked as `ValidatePodSpec` does, the address request from annotations, and for Pod
//! objects readiness and `status.hostIP`.

use std::collections::BTreeMap;
use std::net::IpAddr;

use k8s_openapi::api::core::v1 as core;
use podnet_model::{DnsPolicy, PodNet};

use super::ipam::address_request;
use super::multus::selection;
use super::scheduling;
use crate::path::FieldPath;
use crate::validate::{Checker, addresses, labels, names, unsupported};

/// The `dnsPolicy` values, as the API reference spells them.
const DNS_POLICIES: [(&str, DnsPolicy); 4] = [
    ("ClusterFirst", DnsPolicy::ClusterFirst),
    (
        "ClusterFirstWithHostNet",
        DnsPolicy::ClusterFirstWithHostNet,
    ),
    ("Default", DnsPolicy::Default),
    ("None", DnsPolicy::None),
];

/// The network identity of a pod spec (at `at`), with the annotations of its
/// metadata (at `meta_at`).
pub fn pod_net(
    spec: &core::PodSpec,
    annotations: Option<&BTreeMap<String, String>>,
    meta_at: &FieldPath,
    at: &FieldPath,
    c: &mut Checker,
) -> PodNet {
    let node_selector = labels(spec.node_selector.as_ref(), &at.key("nodeSelector"), c);
    let mut dns_label = |field: &'static str, v: Option<&String>| {
        let v = v.filter(|s| !s.is_empty())?;
        c.check(&at.key(field), v, names::dns1123_label(v));
        Some(v.clone())
    };
    let hostname = dns_label("hostname", spec.hostname.as_ref());
    let subdomain = dns_label("subdomain", spec.subdomain.as_ref());
    PodNet {
        node_selector,
        node_affinity: scheduling::required_node_affinity(
            spec.affinity.as_ref(),
            &at.key("affinity"),
            c,
        ),
        tolerations: scheduling::tolerations(
            spec.tolerations.as_deref(),
            &at.key("tolerations"),
            c,
        ),
        hostname,
        subdomain,
        dns_policy: dns_policy(spec, at, c),
        address_request: address_request(annotations, &meta_at.key("annotations"), c),
        not_ready: false,
        host_ip: None,
        networks: selection::networks(annotations, &meta_at.key("annotations"), c),
    }
}

/// `validateDNSPolicy` and the `dnsConfig` it requires for `None`.
fn dns_policy(spec: &core::PodSpec, at: &FieldPath, c: &mut Checker) -> DnsPolicy {
    let Some(written) = spec.dns_policy.as_deref() else {
        return DnsPolicy::ClusterFirst;
    };
    let Some(&(_, policy)) = DNS_POLICIES.iter().find(|(n, _)| *n == written) else {
        let names: Vec<&str> = DNS_POLICIES.iter().map(|(n, _)| *n).collect();
        unsupported(&at.key("dnsPolicy"), written, &names, c);
        return DnsPolicy::ClusterFirst;
    };
    if policy == DnsPolicy::None {
        match &spec.dns_config {
            None => c.error(
                at.key("dnsConfig"),
                "must provide `dnsConfig` when `dnsPolicy` is None",
            ),
            Some(cfg) if cfg.nameservers.as_ref().is_none_or(Vec::is_empty) => c.error(
                at.key("dnsConfig").key("nameservers"),
                "must provide at least one DNS nameserver when `dnsPolicy` is None",
            ),
            Some(_) => {}
        }
    }
    policy
}

/// Whether a Pod reports condition `Ready` with status `False`.
pub fn not_ready(status: Option<&core::PodStatus>) -> bool {
    status
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| {
            cs.iter()
                .any(|cond| cond.type_ == "Ready" && cond.status == "False")
        })
}

/// `status.hostIP`, when set.
pub fn host_ip(
    status: Option<&core::PodStatus>,
    base: &FieldPath,
    c: &mut Checker,
) -> Option<IpAddr> {
    let written = status?.host_ip.as_deref().filter(|s| !s.is_empty())?;
    addresses::ip(written, &base.key("status").key("hostIP"), c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: serde_json::Value) -> core::PodSpec {
        serde_json::from_value(json).unwrap_or_default()
    }

    fn net(s: &core::PodSpec) -> (PodNet, Checker) {
        let mut c = Checker::default();
        let n = pod_net(
            s,
            None,
            &FieldPath::fields("metadata"),
            &FieldPath::fields("spec"),
            &mut c,
        );
        (n, c)
    }

    #[test]
    fn dns_fields_are_read() {
        let s = spec(serde_json::json!({
            "containers": [],
            "hostname": "db-0",
            "subdomain": "db",
            "dnsPolicy": "ClusterFirstWithHostNet",
            "nodeSelector": {"disktype": "ssd"}
        }));
        let (n, c) = net(&s);
        assert!(!c.has_errors(), "{:?}", c.errors);
        assert_eq!(n.hostname.as_deref(), Some("db-0"));
        assert_eq!(n.subdomain.as_deref(), Some("db"));
        assert_eq!(n.dns_policy, DnsPolicy::ClusterFirstWithHostNet);
        assert_eq!(n.node_selector.get("disktype"), Some("ssd"));
    }

    #[test]
    fn dns_policy_defaults_to_cluster_first() {
        let (n, _) = net(&spec(serde_json::json!({"containers": []})));
        assert_eq!(n.dns_policy, DnsPolicy::ClusterFirst);
    }

    #[test]
    fn bad_dns_fields_are_errors() {
        for (field, value, path) in [
            (
                "dnsPolicy",
                serde_json::json!("clusterfirst"),
                "spec.dnsPolicy",
            ),
            ("dnsPolicy", serde_json::json!("None"), "spec.dnsConfig"),
            ("hostname", serde_json::json!("db.0"), "spec.hostname"),
            ("subdomain", serde_json::json!("Db"), "spec.subdomain"),
            (
                "nodeSelector",
                serde_json::json!({"-x": "y"}),
                "spec.nodeSelector[-x]",
            ),
        ] {
            let s = spec(serde_json::json!({"containers": [], field: value}));
            let (_, c) = net(&s);
            assert_eq!(
                c.errors.first().map(|e| e.0.to_string()).as_deref(),
                Some(path),
                "{field}"
            );
        }
        let s = spec(serde_json::json!({"containers": [], "dnsPolicy": "Cluster"}));
        let (_, c) = net(&s);
        assert!(c.errors[0].1.contains(r#""ClusterFirstWithHostNet""#));
    }

    #[test]
    fn none_needs_a_nameserver() {
        let s = spec(serde_json::json!({
            "containers": [], "dnsPolicy": "None", "dnsConfig": {"searches": ["a"]}
        }));
        let (n, c) = net(&s);
        assert_eq!(n.dns_policy, DnsPolicy::None);
        assert_eq!(c.errors[0].0.to_string(), "spec.dnsConfig.nameservers");
    }

    #[test]
    fn readiness_and_host_ip() {
        let status: core::PodStatus = serde_json::from_value(serde_json::json!({
            "hostIP": "192.168.0.11",
            "conditions": [{"type": "Ready", "status": "False"}]
        }))
        .unwrap_or_default();
        assert!(not_ready(Some(&status)));
        let mut c = Checker::default();
        assert_eq!(
            host_ip(Some(&status), &FieldPath::root(), &mut c),
            "192.168.0.11".parse().ok()
        );
        assert!(!not_ready(None));
    }
}
