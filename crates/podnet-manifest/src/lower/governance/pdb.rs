//! PodDisruptionBudget (policy/v1): its selector and `minAvailable` or
//! `maxUnavailable`, checked as `ValidatePodDisruptionBudgetSpec` does
//! (not both; a non-negative count or a percentage up to 100%). In
//! policy/v1 a null selector selects no pod and `{}` every pod of the
//! namespace.

use k8s_openapi::api::policy::v1 as policy;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use podnet_model::{Budget, DisruptionBudget, IntOrPercent, Source};

use super::meta;
use crate::lower::meta::{NameRule, object_meta};
use crate::path::FieldPath;
use crate::validate::Checker;
use crate::validate::selector::label_selector;

/// Checks and lowers one PodDisruptionBudget.
pub fn pod_disruption_budget(
    b: &policy::PodDisruptionBudget,
    base: &FieldPath,
    source: Source,
    c: &mut Checker,
) -> DisruptionBudget {
    let info = object_meta(&b.metadata, NameRule::Subdomain, true, base, c);
    let at = base.key("spec");
    let default_spec = policy::PodDisruptionBudgetSpec::default();
    let spec = b.spec.as_ref().unwrap_or(&default_spec);
    let selector = spec
        .selector
        .as_ref()
        .map(|s| label_selector(Some(s), &at.key("selector"), c));
    let min = spec
        .min_available
        .as_ref()
        .and_then(|v| int_or_percent(v, &at.key("minAvailable"), c));
    let max = spec
        .max_unavailable
        .as_ref()
        .and_then(|v| int_or_percent(v, &at.key("maxUnavailable"), c));
    if spec.min_available.is_some() && spec.max_unavailable.is_some() {
        c.error(
            at.clone(),
            "minAvailable and maxUnavailable cannot be both set",
        );
    }
    if let Some(p) = spec.unhealthy_pod_eviction_policy.as_deref()
        && !matches!(p, "IfHealthyBudget" | "AlwaysAllow")
    {
        crate::validate::unsupported(
            &at.key("unhealthyPodEvictionPolicy"),
            p,
            &["AlwaysAllow", "IfHealthyBudget"],
            c,
        );
    }
    let budget = match (min, max) {
        (Some(m), _) => Budget::MinAvailable(m),
        (None, Some(m)) => Budget::MaxUnavailable(m),
        (None, None) => Budget::Unset,
    };
    DisruptionBudget {
        meta: meta("PodDisruptionBudget", info.namespace, info.name, source),
        selector,
        budget,
    }
}

/// `ValidatePositiveIntOrPercent` and `IsNotMoreThan100Percent`.
fn int_or_percent(v: &IntOrString, path: &FieldPath, c: &mut Checker) -> Option<IntOrPercent> {
    match v {
        IntOrString::Int(n) => match u32::try_from(*n) {
            Ok(n) => Some(IntOrPercent::Int(n)),
            Err(_) => {
                c.error(
                    path.clone(),
                    format!("invalid value `{n}`: must be greater than or equal to 0"),
                );
                None
            }
        },
        IntOrString::String(s) => {
            let percent = s.strip_suffix('%').and_then(|p| {
                (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| p.parse::<u32>().ok())
                    .flatten()
            });
            match percent {
                Some(p) if p <= 100 => Some(IntOrPercent::Percent(p)),
                Some(_) => {
                    c.error(
                        path.clone(),
                        format!("invalid value `{s}`: must not be greater than 100%"),
                    );
                    None
                }
                None => {
                    c.error(
                        path.clone(),
                        format!("invalid value `{s}`: must be an integer or percentage (e.g '5%')"),
                    );
                    None
                }
            }
        }
    }
}
