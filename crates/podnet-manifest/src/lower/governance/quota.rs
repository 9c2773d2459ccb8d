//! ResourceQuota and LimitRange (v1): which compute resources a quota
//! makes every container state, and what a LimitRange fills in for
//! containers that state nothing. Quantities are checked as
//! `ValidateResourceQuantityValue` does; quota scopes are read but not
//! modelled (a warning says the quota is taken to apply to every pod).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use podnet_model::{CpuMemory, LimitRange, ResourceQuota, Source};

use super::meta;
use crate::lower::meta::{NameRule, object_meta};
use crate::path::FieldPath;
use crate::validate::{Checker, names, quantity, unsupported};

/// Quota resources that count objects and must be whole numbers.
const COUNTED: [&str; 9] = [
    "pods",
    "services",
    "replicationcontrollers",
    "resourcequotas",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "services.nodeports",
    "services.loadbalancers",
];

/// The `type`s of a LimitRange item.
const LIMIT_TYPES: [&str; 3] = ["Container", "Pod", "PersistentVolumeClaim"];

/// Checks and lowers one ResourceQuota.
pub fn resource_quota(
    q: &core::ResourceQuota,
    base: &FieldPath,
    source: Source,
    c: &mut Checker,
) -> ResourceQuota {
    let info = object_meta(&q.metadata, NameRule::Subdomain, true, base, c);
    let at = base.key("spec");
    let spec = q.spec.as_ref();
    let hard = spec.and_then(|s| s.hard.as_ref());
    let mut out = BTreeMap::new();
    for (k, v) in hard.into_iter().flatten() {
        let path = at.key("hard").map_key(k);
        check_resource_name(k, &path, c);
        if let Err(m) = quantity::non_negative(&v.0) {
            c.error(path.clone(), m.to_string());
        } else if (COUNTED.contains(&k.as_str()) || k.starts_with("count/"))
            && let Err(m) = quantity::whole_number(&v.0)
        {
            c.error(path, format!("{m}: must be an integer"));
        }
        out.insert(k.clone(), v.0.clone());
    }
    let scoped = spec.is_some_and(|s| {
        s.scopes.as_ref().is_some_and(|v| !v.is_empty()) || s.scope_selector.is_some()
    });
    if scoped {
        c.warn(
            at.key("scopes"),
            "quota scopes are not modelled: podnet takes the quota to apply to every pod of the namespace",
        );
    }
    ResourceQuota {
        meta: meta("ResourceQuota", info.namespace, info.name, source),
        hard: out,
    }
}

/// Standard quota resources (`IsStandardQuotaResourceName`), besides
/// the counted ones and `hugepages-*`.
const STANDARD: [&str; 10] = [
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.storage",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
];

/// `ValidateResourceQuotaResourceName`: a qualified name; without a `/`, a
/// standard quota resource.
fn check_resource_name(name: &str, path: &FieldPath, c: &mut Checker) {
    let problems = names::qualified_name(name);
    if !problems.is_empty() {
        c.check(path, name, problems);
        return;
    }
    let hugepages = ["hugepages-", "requests.hugepages-", "limits.hugepages-"]
        .iter()
        .any(|p| name.starts_with(p));
    if !name.contains('/') && !hugepages && !STANDARD.contains(&name) && !COUNTED.contains(&name) {
        c.error(
            path.clone(),
            format!("invalid value `{name}`: must be a standard resource for quota"),
        );
    }
}

/// Whether a resource map names `cpu` and `memory`.
fn cpu_memory(map: Option<&BTreeMap<String, Quantity>>) -> CpuMemory {
    let has = |k: &str| map.is_some_and(|m| m.contains_key(k));
    CpuMemory {
        cpu: has("cpu"),
        memory: has("memory"),
    }
}

/// Checks and lowers one LimitRange. What its `Container` items default,
/// after `SetDefaults_LimitRangeItem`: `default` limits (or `max`), and
/// `defaultRequest` (or `default`, or `max`, or `min`).
pub fn limit_range(
    l: &core::LimitRange,
    base: &FieldPath,
    source: Source,
    c: &mut Checker,
) -> LimitRange {
    let info = object_meta(&l.metadata, NameRule::Subdomain, true, base, c);
    let at = base.key("spec").key("limits");
    let mut default_limits = CpuMemory::default();
    let mut default_requests = CpuMemory::default();
    let items = l
        .spec
        .as_ref()
        .map(|s| s.limits.as_slice())
        .unwrap_or_default();
    for (i, item) in items.iter().enumerate() {
        let at = at.index(i);
        if !LIMIT_TYPES.contains(&item.type_.as_str()) {
            unsupported(&at.key("type"), &item.type_, &LIMIT_TYPES, c);
            continue;
        }
        let maps = [
            ("default", item.default.as_ref()),
            ("defaultRequest", item.default_request.as_ref()),
            ("max", item.max.as_ref()),
            ("min", item.min.as_ref()),
            (
                "maxLimitRequestRatio",
                item.max_limit_request_ratio.as_ref(),
            ),
        ];
        for (field, map) in maps {
            for (k, v) in map.into_iter().flatten() {
                if let Err(m) = quantity::non_negative(&v.0) {
                    c.error(at.key(field).map_key(k), m.to_string());
                }
            }
        }
        if item.type_ == "Pod" {
            for (field, map) in [
                ("default", &item.default),
                ("defaultRequest", &item.default_request),
            ] {
                if map.as_ref().is_some_and(|m| !m.is_empty()) {
                    c.error(at.key(field), "may not be specified when `type` is 'Pod'");
                }
            }
        }
        if item.type_ != "Container" {
            continue;
        }
        let limits = cpu_memory(item.default.as_ref()).or(cpu_memory(item.max.as_ref()));
        let requests = cpu_memory(item.default_request.as_ref())
            .or(limits)
            .or(cpu_memory(item.min.as_ref()));
        default_limits = default_limits.or(limits);
        default_requests = default_requests.or(requests);
    }
    LimitRange {
        meta: meta("LimitRange", info.namespace, info.name, source),
        default_limits,
        default_requests,
    }
}
