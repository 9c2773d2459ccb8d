//! How a Service spreads traffic: `externalTrafficPolicy`,
//! `internalTrafficPolicy`, `trafficDistribution`, `sessionAffinity` with
//! its timeout, and `externalIPs`, checked and defaulted as
//! `ValidateService` and `SetDefaults_Service` do.

use std::net::IpAddr;

use k8s_openapi::api::core::v1 as core;
use podnet_model::{ServiceType, TrafficDistribution, TrafficPolicy};

use crate::path::FieldPath;
use crate::validate::{Checker, addresses, unsupported};

/// `MaxClientIPServiceAffinitySeconds`: one day.
pub const MAX_AFFINITY_SECONDS: i32 = 86_400;
/// `DefaultClientIPServiceAffinitySeconds`: three hours.
pub const DEFAULT_AFFINITY_SECONDS: u32 = 10_800;

fn traffic_policy(value: &str, path: &FieldPath, c: &mut Checker) -> TrafficPolicy {
    match value {
        "Cluster" => TrafficPolicy::Cluster,
        "Local" => TrafficPolicy::Local,
        other => {
            unsupported(path, other, &["Cluster", "Local"], c);
            TrafficPolicy::Cluster
        }
    }
}

/// `externalIPs`: valid addresses, none special (`ValidateNonSpecialIP`);
/// ignored (with a warning, as the API server warns) for ExternalName.
pub fn external_ips(
    spec: &core::ServiceSpec,
    service_type: ServiceType,
    at: &FieldPath,
    c: &mut Checker,
) -> Vec<IpAddr> {
    let written = spec.external_ips.as_deref().unwrap_or_default();
    let mut out = Vec::new();
    for (i, s) in written.iter().enumerate() {
        let path = at.key("externalIPs").index(i);
        if let Some(ip) = addresses::ip(s, &path, c) {
            addresses::non_special_ip(ip, &path, c);
            out.push(ip);
        }
    }
    if service_type == ServiceType::ExternalName && !written.is_empty() {
        c.warn(
            at.key("externalIPs"),
            "ignored when `type` is 'ExternalName'",
        );
        return Vec::new();
    }
    out
}

/// `validateServiceExternalTrafficPolicy`: only externally accessible
/// Services (NodePort, LoadBalancer, or ClusterIP with `externalIPs`) may
/// set it; they default to Cluster.
pub fn external_traffic_policy(
    spec: &core::ServiceSpec,
    service_type: ServiceType,
    has_external_ips: bool,
    at: &FieldPath,
    c: &mut Checker,
) -> TrafficPolicy {
    let path = at.key("externalTrafficPolicy");
    let Some(written) = spec.external_traffic_policy.as_deref() else {
        return TrafficPolicy::Cluster;
    };
    let accessible = match service_type {
        ServiceType::NodePort | ServiceType::LoadBalancer => true,
        ServiceType::ClusterIp => has_external_ips,
        ServiceType::ExternalName => false,
    };
    if !accessible {
        c.error(
            path,
            format!(
                "invalid value `{written}`: may only be set for externally-accessible services"
            ),
        );
        return TrafficPolicy::Cluster;
    }
    traffic_policy(written, &path, c)
}

/// `internalTrafficPolicy`: Cluster when omitted.
pub fn internal_traffic_policy(
    spec: &core::ServiceSpec,
    at: &FieldPath,
    c: &mut Checker,
) -> TrafficPolicy {
    spec.internal_traffic_policy
        .as_deref()
        .map_or(TrafficPolicy::Cluster, |v| {
            traffic_policy(v, &at.key("internalTrafficPolicy"), c)
        })
}

/// `trafficDistribution` (API reference, ServiceSpec, Kubernetes 1.35):
/// `PreferSameZone`, `PreferSameNode`, or `PreferClose`, which KEP-3015
/// keeps as the deprecated alias of `PreferSameZone` (a warning here).
pub fn traffic_distribution(
    spec: &core::ServiceSpec,
    at: &FieldPath,
    c: &mut Checker,
) -> Option<TrafficDistribution> {
    let written = spec.traffic_distribution.as_deref()?;
    let path = at.key("trafficDistribution");
    let Some(td) = TrafficDistribution::parse(written) else {
        let names: Vec<&str> = TrafficDistribution::ALL.iter().map(|(n, _)| *n).collect();
        unsupported(&path, written, &names, c);
        return None;
    };
    if td == TrafficDistribution::PreferClose {
        c.warn(
            path,
            "`PreferClose` is the deprecated name of `PreferSameZone` (KEP-3015); it is read as `PreferSameZone`",
        );
    }
    Some(td)
}

/// `sessionAffinity`: `None` (default) or `ClientIP` with
/// `sessionAffinityConfig.clientIP.timeoutSeconds` (default 10800, at most
/// 86400). Returns the timeout for ClientIP.
pub fn session_affinity(
    spec: &core::ServiceSpec,
    headless: bool,
    at: &FieldPath,
    c: &mut Checker,
) -> Option<u32> {
    let config_path = at.key("sessionAffinityConfig");
    match spec.session_affinity.as_deref() {
        None | Some("None") => {
            if spec.session_affinity_config.is_some() {
                c.error(config_path, "must not be set when session affinity is None");
            }
            None
        }
        Some("ClientIP") => {
            if headless {
                c.warn(at.key("sessionAffinity"), "ignored for headless services");
            }
            let timeout = spec
                .session_affinity_config
                .as_ref()
                .and_then(|cfg| cfg.client_ip.as_ref())
                .and_then(|ip| ip.timeout_seconds);
            match timeout {
                None => Some(DEFAULT_AFFINITY_SECONDS),
                Some(t) if (1..=MAX_AFFINITY_SECONDS).contains(&t) => u32::try_from(t).ok(),
                Some(t) => {
                    c.error(
                        config_path.key("clientIP").key("timeoutSeconds"),
                        format!("invalid value `{t}`: must be greater than 0 and at most {MAX_AFFINITY_SECONDS}"),
                    );
                    None
                }
            }
        }
        Some(other) => {
            unsupported(&at.key("sessionAffinity"), other, &["ClientIP", "None"], c);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: serde_json::Value) -> core::ServiceSpec {
        serde_json::from_value(json).unwrap_or_default()
    }

    #[test]
    fn external_traffic_policy_only_when_externally_accessible() {
        let at = FieldPath::fields("spec");
        let s = spec(serde_json::json!({"externalTrafficPolicy": "Local"}));
        let mut c = Checker::default();
        let p = external_traffic_policy(&s, ServiceType::NodePort, false, &at, &mut c);
        assert_eq!(p, TrafficPolicy::Local);
        assert!(!c.has_errors());
        let p = external_traffic_policy(&s, ServiceType::ClusterIp, true, &at, &mut c);
        assert_eq!(p, TrafficPolicy::Local);
        assert!(!c.has_errors());
        external_traffic_policy(&s, ServiceType::ClusterIp, false, &at, &mut c);
        assert_eq!(c.errors[0].0.to_string(), "spec.externalTrafficPolicy");
        let s = spec(serde_json::json!({"externalTrafficPolicy": "local"}));
        let mut c = Checker::default();
        external_traffic_policy(&s, ServiceType::LoadBalancer, false, &at, &mut c);
        assert!(c.errors[0].1.contains(r#""Cluster", "Local""#));
    }

    #[test]
    fn session_affinity_timeout() {
        let at = FieldPath::fields("spec");
        let mut c = Checker::default();
        let s = spec(serde_json::json!({"sessionAffinity": "ClientIP"}));
        assert_eq!(session_affinity(&s, false, &at, &mut c), Some(10_800));
        let s = spec(serde_json::json!({"sessionAffinity": "ClientIP",
            "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 60}}}));
        assert_eq!(session_affinity(&s, false, &at, &mut c), Some(60));
        assert!(!c.has_errors());
        for t in [0, 86_401] {
            let s = spec(serde_json::json!({"sessionAffinity": "ClientIP",
                "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": t}}}));
            let mut c = Checker::default();
            assert_eq!(session_affinity(&s, false, &at, &mut c), None);
            assert_eq!(
                c.errors[0].0.to_string(),
                "spec.sessionAffinityConfig.clientIP.timeoutSeconds"
            );
        }
        let s = spec(serde_json::json!({"sessionAffinity": "Sticky"}));
        let mut c = Checker::default();
        session_affinity(&s, false, &at, &mut c);
        assert_eq!(c.errors[0].0.to_string(), "spec.sessionAffinity");
    }

    // API reference, ServiceSpec.trafficDistribution; KEP-3015: PreferClose
    // is the deprecated alias of PreferSameZone.
    #[test]
    fn traffic_distribution_values() {
        let at = FieldPath::fields("spec");
        for (written, want, warnings) in [
            (
                "PreferSameZone",
                Some(TrafficDistribution::PreferSameZone),
                0,
            ),
            (
                "PreferSameNode",
                Some(TrafficDistribution::PreferSameNode),
                0,
            ),
            ("PreferClose", Some(TrafficDistribution::PreferClose), 1),
        ] {
            let s = spec(serde_json::json!({ "trafficDistribution": written }));
            let mut c = Checker::default();
            assert_eq!(traffic_distribution(&s, &at, &mut c), want, "{written}");
            assert!(!c.has_errors(), "{written}");
            assert_eq!(c.warnings.len(), warnings, "{written}");
        }
        let s = spec(serde_json::json!({"trafficDistribution": "PreferRegion"}));
        let mut c = Checker::default();
        assert_eq!(traffic_distribution(&s, &at, &mut c), None);
        assert_eq!(c.errors[0].0.to_string(), "spec.trafficDistribution");
        assert!(
            c.errors[0]
                .1
                .contains(r#""PreferClose", "PreferSameNode", "PreferSameZone""#),
            "{}",
            c.errors[0].1
        );
        let mut c = Checker::default();
        assert_eq!(
            traffic_distribution(&spec(serde_json::json!({})), &at, &mut c),
            None
        );
    }

    #[test]
    fn external_ips_are_not_special() {
        let at = FieldPath::fields("spec");
        let s = spec(serde_json::json!({"externalIPs": ["203.0.113.7", "127.0.0.1"]}));
        let mut c = Checker::default();
        let ips = external_ips(&s, ServiceType::ClusterIp, &at, &mut c);
        assert_eq!(ips.len(), 2);
        assert_eq!(c.errors.len(), 1);
        assert_eq!(c.errors[0].0.to_string(), "spec.externalIPs[1]");
    }
}
