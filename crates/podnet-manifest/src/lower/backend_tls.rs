//! Gateway API `BackendTLSPolicy` (gateway.networking.k8s.io/v1, Gateway
//! API v1.4, and v1alpha3): TLS from the Gateway to the target Services,
//! checked as the CRD's schema and CEL rules are (1 to 16 `targetRefs`;
//! `validation.hostname` required; `caCertificateRefs` or
//! `wellKnownCACertificates`, not both).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use podnet_model::{BackendTlsPolicy, Meta, PolicyTarget, Source};
use serde::Deserialize;

use super::gateway::check_hostname;
use super::meta::{NameRule, object_meta};
use crate::path::FieldPath;
use crate::validate::{Checker, unsupported};

/// Most `targetRefs`.
const MAX_TARGETS: usize = 16;

/// A `BackendTLSPolicy`.
#[derive(Debug, Default, Deserialize)]
pub struct BackendTlsPolicyObject {
    /// Metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Spec.
    #[serde(default)]
    pub spec: BackendTlsPolicySpec,
}

/// The fields of the spec podnet reads.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackendTlsPolicySpec {
    /// `targetRefs`.
    #[serde(default)]
    pub target_refs: Vec<TargetRef>,
    /// `validation`.
    #[serde(default)]
    pub validation: Validation,
}

/// A `targetRefs` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetRef {
    /// `group`.
    #[serde(default)]
    pub group: String,
    /// `kind`.
    #[serde(default)]
    pub kind: String,
    /// `name`.
    #[serde(default)]
    pub name: String,
    /// `sectionName`.
    pub section_name: Option<String>,
}

/// `validation`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Validation {
    /// `caCertificateRefs`.
    #[serde(default)]
    pub ca_certificate_refs: Vec<CaRef>,
    /// `wellKnownCACertificates`.
    #[serde(rename = "wellKnownCACertificates")]
    pub well_known_ca_certificates: Option<String>,
    /// `hostname`.
    #[serde(default)]
    pub hostname: String,
    /// `subjectAltNames`.
    #[serde(default)]
    pub subject_alt_names: Vec<SubjectAltName>,
}

/// A `caCertificateRefs` entry.
#[derive(Debug, Default, Deserialize)]
pub struct CaRef {
    /// `kind`.
    #[serde(default)]
    pub kind: String,
    /// `name`.
    #[serde(default)]
    pub name: String,
}

/// A `subjectAltNames` entry.
#[derive(Debug, Default, Deserialize)]
pub struct SubjectAltName {
    /// `hostname`.
    pub hostname: Option<String>,
    /// `uri`.
    pub uri: Option<String>,
}

/// Checks and lowers one BackendTLSPolicy.
pub fn backend_tls_policy(
    p: &BackendTlsPolicyObject,
    base: &FieldPath,
    source: Source,
    c: &mut Checker,
) -> BackendTlsPolicy {
    let info = object_meta(&p.metadata, NameRule::Subdomain, true, base, c);
    let at = base.key("spec");
    let targets_at = at.key("targetRefs");
    if p.spec.target_refs.is_empty() {
        c.error(targets_at.clone(), "at least one targetRef is required");
    } else if p.spec.target_refs.len() > MAX_TARGETS {
        c.error(
            targets_at.clone(),
            format!("must have at most {MAX_TARGETS} items"),
        );
    }
    let mut targets = Vec::new();
    for (i, t) in p.spec.target_refs.iter().enumerate() {
        let here = targets_at.index(i);
        if t.name.is_empty() {
            c.error(here.key("name"), "name is required");
            continue;
        }
        if !t.group.is_empty() || t.kind != "Service" {
            c.warn(
                here.clone(),
                format!(
                    "a target of kind `{}` (group `{}`) is not modelled: podnet applies BackendTLSPolicy to Services only",
                    t.kind, t.group
                ),
            );
            continue;
        }
        targets.push(PolicyTarget {
            name: t.name.clone(),
            section_name: t.section_name.clone().filter(|s| !s.is_empty()),
        });
    }
    let v = &p.spec.validation;
    let v_at = at.key("validation");
    if v.hostname.is_empty() {
        c.error(v_at.key("hostname"), "hostname is required");
    } else {
        check_hostname(&v.hostname, &v_at.key("hostname"), c);
    }
    let system_ca = match v.well_known_ca_certificates.as_deref() {
        None => false,
        Some("System") => true,
        Some(other) => {
            unsupported(&v_at.key("wellKnownCACertificates"), other, &["System"], c);
            false
        }
    };
    if system_ca != v.ca_certificate_refs.is_empty() {
        c.error(
            v_at.clone(),
            "exactly one of caCertificateRefs or wellKnownCACertificates must be specified",
        );
    }
    BackendTlsPolicy {
        meta: Meta {
            kind: "BackendTLSPolicy".to_owned(),
            namespace: Some(info.namespace.unwrap_or_default()),
            name: info.name,
            source,
        },
        targets,
        hostname: v.hostname.clone(),
        ca_certificates: v
            .ca_certificate_refs
            .iter()
            .map(|r| format!("{}/{}", r.kind, r.name))
            .collect(),
        system_ca,
        subject_alt_names: v
            .subject_alt_names
            .iter()
            .filter_map(|s| s.hostname.clone().or_else(|| s.uri.clone()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::testing::source;

    fn lower(json: serde_json::Value) -> (BackendTlsPolicy, Vec<String>) {
        let p: BackendTlsPolicyObject = serde_json::from_value(json).unwrap_or_default();
        let mut c = Checker::default();
        let out = backend_tls_policy(&p, &FieldPath::root(), source(), &mut c);
        (out, c.errors.iter().map(|(p, _)| p.to_string()).collect())
    }

    #[test]
    fn targets_hostname_and_ca() {
        // conformance/tests/backendtlspolicy.yaml (kubernetes-sigs/gateway-api
        // 4564255a, blob bd17f118), lines 131-149: policy `normative-test`.
        let (p, errors) = lower(serde_json::json!({
            "metadata": {"name": "normative-test", "namespace": "gateway-conformance-infra"},
            "spec": {"targetRefs": [{"group": "", "kind": "Service", "name": "backendtlspolicy-test", "sectionName": "btls"}],
                "validation": {"caCertificateRefs": [{"group": "", "kind": "ConfigMap", "name": "tls-checks-ca-certificate"}],
                    "hostname": "abc.example.com"}}
        }));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(p.hostname, "abc.example.com");
        assert_eq!(p.ca_certificates, ["ConfigMap/tls-checks-ca-certificate"]);
        assert_eq!(
            p.targets(
                "gateway-conformance-infra",
                "backendtlspolicy-test",
                Some("btls")
            ),
            Some(true)
        );
        assert_eq!(
            p.targets(
                "gateway-conformance-infra",
                "backendtlspolicy-test",
                Some("http")
            ),
            None
        );
    }

    #[test]
    fn validation_needs_a_hostname_and_one_ca_source() {
        let (_, errors) = lower(serde_json::json!({
            "metadata": {"name": "p"},
            "spec": {"targetRefs": [{"kind": "Service", "name": "s"}],
                "validation": {"wellKnownCACertificates": "System", "caCertificateRefs": [{"kind": "ConfigMap", "name": "ca"}]}}
        }));
        assert_eq!(errors, ["spec.validation.hostname", "spec.validation"]);
    }
}
