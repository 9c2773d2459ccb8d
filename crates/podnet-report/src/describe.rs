//! Short phrases for model and engine values, shared by the text printers.

use podnet_engine::{Endpoint, PeerMiss, Target, Unknown};
use podnet_model::policy::PeerKind;
use podnet_model::{Cluster, NamespaceScope, Requirement};

/// `ns/name [Kind]`, `pod ns/name`, `service ns/name` or the address.
pub fn target(cluster: &Cluster, t: &Target) -> String {
    match t {
        Target::Workload(w) => format!(
            "{} [{}]",
            cluster.workload_name(*w),
            cluster.workload(*w).kind.as_str()
        ),
        Target::Pod(p) => format!("pod {}", cluster.pod_name(*p)),
        Target::Service(s) => {
            let svc = &cluster.services[s.index()];
            format!("service {}", svc.meta.qualified_name())
        }
        Target::Address(ip) => ip.to_string(),
    }
}

/// `pod ns/name` or `address 1.2.3.4`.
pub fn endpoint(cluster: &Cluster, e: &Endpoint) -> String {
    match e {
        Endpoint::Pod(p) => format!("pod {}", cluster.pod_name(*p)),
        Endpoint::External(ip) => format!("address {ip}"),
    }
}

/// A peer entry as written: `podSelector app=web`,
/// `namespaceSelector team=a AND podSelector app=web`, `ipBlock 10.0.0.0/8`.
pub fn peer(kind: &PeerKind) -> String {
    let pods = |sel: &podnet_model::LabelSelector| {
        if sel.is_empty() {
            "podSelector {}".to_owned()
        } else {
            format!("podSelector {sel}")
        }
    };
    let namespaces = |sel: &podnet_model::LabelSelector| {
        if sel.is_empty() {
            "namespaceSelector {} (every namespace)".to_owned()
        } else {
            format!("namespaceSelector {sel}")
        }
    };
    match kind {
        PeerKind::Pods {
            namespaces: NamespaceScope::PolicyNamespace,
            pods: sel,
        } => pods(sel),
        PeerKind::Pods {
            namespaces: NamespaceScope::Selected(ns),
            pods: sel,
        } if sel.is_empty() => namespaces(ns),
        PeerKind::Pods {
            namespaces: NamespaceScope::Selected(ns),
            pods: sel,
        } => {
            format!("{} AND {}", namespaces(ns), pods(sel))
        }
        PeerKind::IpBlock(b) => format!("ipBlock {b}"),
    }
}

fn requirements(reqs: &[Requirement]) -> String {
    reqs.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Why a peer did not match.
pub fn miss(m: &PeerMiss) -> String {
    match m {
        PeerMiss::NotAPod => "it selects pods, and the other end is outside the cluster".to_owned(),
        PeerMiss::HostNetwork => {
            "host-network pods are never selected by pod or namespace selectors".to_owned()
        }
        PeerMiss::OtherNamespace => {
            "without namespaceSelector it selects pods of the policy's namespace only".to_owned()
        }
        PeerMiss::NamespaceUnmatched(r) => {
            format!("the namespace's labels do not satisfy {}", requirements(r))
        }
        PeerMiss::PodUnmatched(r) => format!("the pod's labels do not satisfy {}", requirements(r)),
        PeerMiss::NoAddress => "the pod has no known IP address (status.podIP)".to_owned(),
        PeerMiss::OutsideCidr => "the address is outside the cidr".to_owned(),
        PeerMiss::Excepted(net) => format!("the address is in the except range {net}"),
    }
}

/// Why the input cannot decide whether a peer matches.
pub fn unknown(cluster: &Cluster, u: &Unknown) -> String {
    match u {
        Unknown::NamedPort {
            protocol,
            name,
            workload,
            defined_by,
            pods,
        } => format!(
            "the pods of {} do not all define the named port {protocol}/{name} alike ({defined_by} of {pods} define it): which pod answers decides (pods from one template define the same ports; these differ, as during a rollout)",
            cluster.workload_name(*workload)
        ),
        Unknown::AssumedAddress { cidr } => format!(
            "whether the pod's address is in {cidr} is unknown: podnet assumed the address (--pod-addresses=assigned gives pods without status.podIP one from the profile)"
        ),
        Unknown::UndeclaredNamespace { requirements: r } => format!(
            "whether the namespace's labels satisfy {} is unknown: the input has no Namespace object for it, so only its kubernetes.io/metadata.name label is known",
            requirements(r)
        ),
    }
}

/// A stable snake_case code for an [`Unknown`], for JSON.
pub fn unknown_code(u: &Unknown) -> &'static str {
    match u {
        Unknown::AssumedAddress { .. } => "assumed_address",
        Unknown::UndeclaredNamespace { .. } => "undeclared_namespace",
        Unknown::NamedPort { .. } => "named_port",
    }
}

/// A stable snake_case code for a miss, for JSON.
pub fn miss_code(m: &PeerMiss) -> &'static str {
    match m {
        PeerMiss::NotAPod => "not_a_pod",
        PeerMiss::HostNetwork => "host_network",
        PeerMiss::OtherNamespace => "other_namespace",
        PeerMiss::NamespaceUnmatched(_) => "namespace_unmatched",
        PeerMiss::PodUnmatched(_) => "pod_unmatched",
        PeerMiss::NoAddress => "no_address",
        PeerMiss::OutsideCidr => "outside_cidr",
        PeerMiss::Excepted(_) => "excepted",
    }
}
