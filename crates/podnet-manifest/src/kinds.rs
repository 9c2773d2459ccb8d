//! The kinds podnet reads, with the apiVersions each is read in and whether
//! it is namespaced. Built-in kinds are one resource whatever the group
//! (`extensions/v1beta1` Deployment is a removed version); CRD kind names
//! are shared by other products (Whereabouts and Antrea have an `IPPool`
//! too), so a CRD kind in a group podnet does not read is an unmodelled
//! kind, not an error.

/// One kind podnet reads.
#[derive(Clone, Copy, Debug)]
pub struct KindSpec {
    /// `kind`.
    pub kind: &'static str,
    /// The apiVersions podnet reads it in.
    pub versions: &'static [&'static str],
    /// Whether objects of the kind live in a namespace.
    pub namespaced: bool,
    /// Whether it is a CRD (its name may be another group's kind too).
    pub crd: bool,
}

const fn builtin(
    kind: &'static str,
    versions: &'static [&'static str],
    namespaced: bool,
) -> KindSpec {
    KindSpec {
        kind,
        versions,
        namespaced,
        crd: false,
    }
}

const fn crd(kind: &'static str, versions: &'static [&'static str], namespaced: bool) -> KindSpec {
    KindSpec {
        kind,
        versions,
        namespaced,
        crd: true,
    }
}

/// The Calico `IPPool` versions: the CRD and the aggregated API over it.
pub const CALICO_POOL_VERSIONS: [&str; 2] = ["crd.projectcalico.org/v1", "projectcalico.org/v3"];
/// The Robin `IPPool` version.
pub const ROBIN_POOL_VERSION: &str = "robin.io/v1";
/// AdminNetworkPolicy and BaselineAdminNetworkPolicy.
pub const ADMIN_POLICY_V1ALPHA1: &str = crate::lower::admin::V1ALPHA1;
/// ClusterNetworkPolicy.
pub const ADMIN_POLICY_V1ALPHA2: &str = crate::lower::admin::V1ALPHA2;

/// OpenShift `Route`.
pub const ROUTE_VERSION: &str = "route.openshift.io/v1";
/// Multus `NetworkAttachmentDefinition`.
pub const NAD_VERSION: &str = "k8s.cni.cncf.io/v1";
/// `MultiNetworkPolicy` (multi-networkpolicy).
pub const MULTI_POLICY_VERSION: &str = "k8s.cni.cncf.io/v1beta1";

/// Gateway API `Gateway`, `HTTPRoute` and `GRPCRoute`.
pub const GATEWAY_V1: &str = "gateway.networking.k8s.io/v1";
/// Gateway API v1beta1, still served for `Gateway` and `HTTPRoute` with the
/// v1 schema.
pub const GATEWAY_V1BETA1: &str = "gateway.networking.k8s.io/v1beta1";

/// Gateway API v1alpha2: `TLSRoute`, `TCPRoute`, `UDPRoute` in the
/// experimental channel.
pub const GATEWAY_V1ALPHA2: &str = "gateway.networking.k8s.io/v1alpha2";
/// Gateway API v1alpha3: `TLSRoute` (v1.3-v1.4 experimental) and
/// `BackendTLSPolicy` (v1.2-v1.3).
pub const GATEWAY_V1ALPHA3: &str = "gateway.networking.k8s.io/v1alpha3";

/// Roles, ClusterRoles and their bindings.
pub const RBAC_V1: &str = "rbac.authorization.k8s.io/v1";

/// Every kind podnet reads.
pub const KINDS: [KindSpec; 43] = [
    builtin("Namespace", &["v1"], false),
    builtin("Pod", &["v1"], true),
    builtin("Deployment", &["apps/v1"], true),
    builtin("ReplicaSet", &["apps/v1"], true),
    builtin("StatefulSet", &["apps/v1"], true),
    builtin("DaemonSet", &["apps/v1"], true),
    builtin("ReplicationController", &["v1"], true),
    builtin("Job", &["batch/v1"], true),
    builtin("CronJob", &["batch/v1"], true),
    builtin("Service", &["v1"], true),
    builtin("NetworkPolicy", &["networking.k8s.io/v1"], true),
    builtin("Ingress", &["networking.k8s.io/v1"], true),
    builtin("Node", &["v1"], false),
    builtin("Endpoints", &["v1"], true),
    builtin("EndpointSlice", &["discovery.k8s.io/v1"], true),
    builtin("ServiceCIDR", &["networking.k8s.io/v1"], false),
    builtin("ResourceQuota", &["v1"], true),
    builtin("LimitRange", &["v1"], true),
    builtin("PodDisruptionBudget", &["policy/v1"], true),
    builtin("ServiceAccount", &["v1"], true),
    builtin("Role", &[RBAC_V1], true),
    builtin("ClusterRole", &[RBAC_V1], false),
    builtin("RoleBinding", &[RBAC_V1], true),
    builtin("ClusterRoleBinding", &[RBAC_V1], false),
    crd(
        "IPPool",
        &[
            "crd.projectcalico.org/v1",
            "projectcalico.org/v3",
            ROBIN_POOL_VERSION,
        ],
        false,
    ),
    crd("IPAddressPool", &["metallb.io/v1beta1"], true),
    crd("ClusterProfile", &["podnet.dev/v1alpha1"], false),
    crd("ConnectivityIntent", &["podnet.dev/v1alpha1"], false),
    crd("AdminNetworkPolicy", &[ADMIN_POLICY_V1ALPHA1], false),
    crd(
        "BaselineAdminNetworkPolicy",
        &[ADMIN_POLICY_V1ALPHA1],
        false,
    ),
    crd("ClusterNetworkPolicy", &[ADMIN_POLICY_V1ALPHA2], false),
    crd("Route", &[ROUTE_VERSION], true),
    crd("Gateway", &[GATEWAY_V1, GATEWAY_V1BETA1], true),
    crd("HTTPRoute", &[GATEWAY_V1, GATEWAY_V1BETA1], true),
    crd("GRPCRoute", &[GATEWAY_V1], true),
    crd(
        "TLSRoute",
        &[GATEWAY_V1, GATEWAY_V1ALPHA3, GATEWAY_V1ALPHA2],
        true,
    ),
    crd("ListenerSet", &[GATEWAY_V1], true),
    crd("BackendTLSPolicy", &[GATEWAY_V1, GATEWAY_V1ALPHA3], true),
    crd("TCPRoute", &[GATEWAY_V1, GATEWAY_V1ALPHA2], true),
    crd("UDPRoute", &[GATEWAY_V1, GATEWAY_V1ALPHA2], true),
    crd("ReferenceGrant", &[GATEWAY_V1BETA1, GATEWAY_V1], true),
    crd("NetworkAttachmentDefinition", &[NAD_VERSION], true),
    crd("MultiNetworkPolicy", &[MULTI_POLICY_VERSION], true),
];

/// How podnet treats an `apiVersion` and `kind`.
#[derive(Clone, Copy, Debug)]
pub enum Served {
    /// Read.
    Yes(KindSpec),
    /// A kind podnet reads in another version: an error.
    WrongVersion(KindSpec),
    /// Not modelled: ignored with a warning.
    Unknown,
}

fn group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// The kind called `kind`, when podnet reads it.
pub fn find(kind: &str) -> Option<KindSpec> {
    KINDS.iter().find(|k| k.kind == kind).copied()
}

/// How `api_version` `kind` is read.
pub fn served(kind: &str, api_version: &str) -> Served {
    let Some(spec) = find(kind) else {
        return Served::Unknown;
    };
    if spec.versions.contains(&api_version) {
        return Served::Yes(spec);
    }
    let same_group = spec.versions.iter().any(|v| group(v) == group(api_version));
    if spec.crd && !same_group {
        Served::Unknown
    } else {
        Served::WrongVersion(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_groups() {
        assert!(matches!(served("Pod", "v1"), Served::Yes(_)));
        assert!(matches!(
            served("Deployment", "extensions/v1beta1"),
            Served::WrongVersion(_)
        ));
        assert!(matches!(served("IPPool", "robin.io/v1"), Served::Yes(_)));
        assert!(matches!(
            served("IPPool", "projectcalico.org/v3"),
            Served::Yes(_)
        ));
        assert!(matches!(
            served("IPPool", "robin.io/v2"),
            Served::WrongVersion(_)
        ));
        assert!(matches!(
            served("IPPool", "whereabouts.cni.cncf.io/v1alpha1"),
            Served::Unknown
        ));
        assert!(matches!(
            served("ClusterProfile", "multicluster.x-k8s.io/v1alpha1"),
            Served::Unknown
        ));
        assert!(matches!(served("ConfigMap", "v1"), Served::Unknown));
        assert!(matches!(
            served("EndpointSlice", "discovery.k8s.io/v1beta1"),
            Served::WrongVersion(_)
        ));
        assert!(matches!(
            served("AdminNetworkPolicy", "policy.networking.k8s.io/v1alpha1"),
            Served::Yes(_)
        ));
        assert!(matches!(
            served("ClusterNetworkPolicy", "policy.networking.k8s.io/v1alpha2"),
            Served::Yes(_)
        ));
        assert!(matches!(
            served("ClusterNetworkPolicy", "policy.networking.k8s.io/v1alpha1"),
            Served::WrongVersion(_)
        ));
        assert!(matches!(
            served("Ingress", "networking.k8s.io/v1"),
            Served::Yes(_)
        ));
        assert!(matches!(
            served("Ingress", "extensions/v1beta1"),
            Served::WrongVersion(_)
        ));
        assert!(matches!(
            served("Route", "route.openshift.io/v1"),
            Served::Yes(_)
        ));
        assert!(matches!(
            served("Route", "route.openshift.io/v1beta1"),
            Served::WrongVersion(_)
        ));
        assert!(matches!(
            served("IngressClass", "networking.k8s.io/v1"),
            Served::Unknown
        ));
        assert!(matches!(
            served("NetworkAttachmentDefinition", "k8s.cni.cncf.io/v1"),
            Served::Yes(_)
        ));
        assert!(matches!(
            served("MultiNetworkPolicy", "k8s.cni.cncf.io/v1"),
            Served::WrongVersion(_)
        ));
        assert!(matches!(
            served("Gateway", "gateway.networking.k8s.io/v1beta1"),
            Served::Yes(_)
        ));
        assert!(matches!(
            served("HTTPRoute", "gateway.networking.k8s.io/v1"),
            Served::Yes(_)
        ));
        assert!(matches!(
            served("GRPCRoute", "gateway.networking.k8s.io/v1alpha2"),
            Served::WrongVersion(_)
        ));
        for kind in ["TLSRoute", "TCPRoute", "UDPRoute"] {
            for version in ["v1", "v1alpha2"] {
                let v = format!("gateway.networking.k8s.io/{version}");
                assert!(matches!(served(kind, &v), Served::Yes(_)), "{kind} {v}");
            }
        }
        assert!(matches!(
            served("TLSRoute", "gateway.networking.k8s.io/v1alpha3"),
            Served::Yes(_)
        ));
        // Istio's Gateway is another product's kind.
        assert!(matches!(
            served("Gateway", "networking.istio.io/v1"),
            Served::Unknown
        ));
        assert!(matches!(
            served("ReferenceGrant", "gateway.networking.k8s.io/v1beta1"),
            Served::Yes(_)
        ));
        assert!(matches!(
            served("PodDisruptionBudget", "policy/v1"),
            Served::Yes(_)
        ));
        assert!(matches!(
            served("PodDisruptionBudget", "policy/v1beta1"),
            Served::WrongVersion(_)
        ));
        assert!(matches!(
            served("ClusterRoleBinding", "rbac.authorization.k8s.io/v1"),
            Served::Yes(_)
        ));
        assert!(matches!(
            served("Role", "rbac.authorization.k8s.io/v1beta1"),
            Served::WrongVersion(_)
        ));
        // Antrea's ClusterNetworkPolicy is another product's kind.
        assert!(matches!(
            served("ClusterNetworkPolicy", "crd.antrea.io/v1beta1"),
            Served::Unknown
        ));
    }
}
