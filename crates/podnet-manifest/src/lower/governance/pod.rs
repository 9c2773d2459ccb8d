//! What admission reads of a pod spec: the ServiceAccount it runs as
//! (`serviceAccountName`, or the deprecated `serviceAccount` the API server
//! copies into it) and whether each container and init container states
//! CPU and memory requests and limits (ResourceQuota admission rejects a
//! pod whose containers lack a resource a quota constrains).

use k8s_openapi::api::core::v1 as core;
use podnet_model::{ContainerResources, CpuMemory, PodAdmission};

use crate::path::FieldPath;
use crate::validate::{Checker, names};

/// The admission-relevant part of `spec` (at `at`).
pub fn pod_admission(spec: &core::PodSpec, at: &FieldPath, c: &mut Checker) -> PodAdmission {
    let named = spec
        .service_account_name
        .as_ref()
        .filter(|s| !s.is_empty())
        .map(|s| ("serviceAccountName", s))
        .or_else(|| {
            spec.service_account
                .as_ref()
                .filter(|s| !s.is_empty())
                .map(|s| ("serviceAccount", s))
        });
    if let Some((field, name)) = named {
        c.check(&at.key(field), name, names::dns1123_subdomain(name));
    }
    let containers = spec
        .init_containers
        .iter()
        .flatten()
        .map(|ctr| resources(ctr, true))
        .chain(spec.containers.iter().map(|ctr| resources(ctr, false)))
        .collect();
    PodAdmission {
        service_account: named.map(|(_, n)| n.clone()),
        containers,
    }
}

fn resources(ctr: &core::Container, init: bool) -> ContainerResources {
    let r = ctr.resources.as_ref();
    let stated = |map: Option<&std::collections::BTreeMap<String, _>>| CpuMemory {
        cpu: map.is_some_and(|m| m.contains_key("cpu")),
        memory: map.is_some_and(|m| m.contains_key("memory")),
    };
    ContainerResources {
        name: ctr.name.clone(),
        init,
        requests: stated(r.and_then(|r| r.requests.as_ref())),
        limits: stated(r.and_then(|r| r.limits.as_ref())),
    }
}
