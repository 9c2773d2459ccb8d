//! Fronts: the proxies HTTP traffic from outside enters through — the
//! ingress controller for Ingresses and Routes. An in-cluster controller is
//! a set of pods: the pods of the namespace the profile names
//! (`ingressNamespace`, default `ingress-nginx`), or, when the input has
//! none there, one pod podnet adds with the labels of the ingress-nginx
//! chart, so the controller's own egress policies and the backends' ingress
//! policies apply to it like to any pod. Ingresses of class `alb` on AWS
//! with the AWS Load Balancer Controller are served by an ALB instead: it
//! opens connections from its own addresses in the VPC subnets that hold no
//! node (the public subnets), so only the backends' ingress policies apply.
//!
//! [`routes`] resolves each exposure's backends to pods and target ports;
//! [`reach`] asks the engine which of those the front's pods may open.

pub mod backend_tls;
pub mod gateways;
pub mod grants;
pub mod reach;
pub mod routes;

use ipnet::IpNet;
use podnet_model::cluster::NAMESPACE_NAME_LABEL;
use podnet_model::{
    Cloud, Cluster, ContainerPort, DnsPolicy, Exposure, ExposureKind, Labels, LbController, Pod,
    PodId, PodNet, PodOrigin, Profile, Protocol, Workload, WorkloadId, WorkloadKind,
};

use crate::nodes::NodeInfo;

pub use grants::{Referrer, RefusedReference};
pub use reach::{FrontConnection, connections};
pub use routes::{Route, RouteSource, RouteVia, routes};

/// The name of the ingress controller podnet adds when the input has none.
pub const SYNTHESISED_CONTROLLER: &str = "ingress-nginx-controller";

/// Labels of the added controller's pod (the ingress-nginx Helm chart's).
const CONTROLLER_LABELS: [(&str, &str); 3] = [
    ("app.kubernetes.io/name", "ingress-nginx"),
    ("app.kubernetes.io/instance", "ingress-nginx"),
    ("app.kubernetes.io/component", "controller"),
];

/// Container ports of the added controller's pod.
const CONTROLLER_PORTS: [(&str, u16); 2] = [("http", 80), ("https", 443)];

/// Which front.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FrontKind {
    /// The ingress controller (Ingress and Route).
    IngressController,
    /// A Gateway (Gateway API), by namespace and name.
    Gateway {
        /// The Gateway's namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
}

/// What [`add_missing`] added.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Added {
    /// The ingress controller's workload.
    pub controller: Option<WorkloadId>,
    /// Per Gateway, its proxy's workload.
    pub gateways: Vec<Option<WorkloadId>>,
}

/// The ingress class the AWS Load Balancer Controller serves.
pub const ALB_CLASS: &str = "alb";

/// A front and what proxies for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Front {
    /// Which front.
    pub kind: FrontKind,
    /// Its pods in the running cluster (an in-cluster controller).
    pub pods: Vec<PodId>,
    /// Subnets a cloud load balancer connects from (an ALB).
    pub subnets: Vec<IpNet>,
    /// The workload podnet added for it, when the input had no pod.
    pub synthesised: Option<WorkloadId>,
}

/// Whether an exposure is served by an ALB rather than controller pods.
pub fn served_by_alb(exposure: &Exposure, profile: &Profile) -> bool {
    exposure.kind == ExposureKind::Ingress
        && exposure.class.as_deref() == Some(ALB_CLASS)
        && matches!(&profile.cloud, Cloud::Aws(aws) if aws.lb_controller == LbController::AwsLbc)
}

/// Adds the ingress controller's pod when there are exposures and the
/// ingress namespace holds no pod, and a proxy pod for each Gateway without
/// one; returns the cluster to schedule and the workloads added.
pub fn add_missing(cluster: Cluster, profile: &Profile) -> (Cluster, Added) {
    let mut out = cluster;
    let gateways = gateways::add_missing_proxies(&mut out);
    let controller = add_controller(&mut out, profile);
    (
        out,
        Added {
            controller,
            gateways,
        },
    )
}

fn add_controller(out: &mut Cluster, profile: &Profile) -> Option<WorkloadId> {
    let needs_pods = out.exposures.iter().any(|e| !served_by_alb(e, profile));
    if !needs_pods || has_pods_in(out, &profile.ingress_namespace) {
        return None;
    }
    let mut ns_labels = Labels::new();
    ns_labels.insert(NAMESPACE_NAME_LABEL, profile.ingress_namespace.as_str());
    let namespace = out.ensure_namespace(&profile.ingress_namespace, ns_labels);
    let mut labels = Labels::new();
    for (k, v) in CONTROLLER_LABELS {
        labels.insert(k, v);
    }
    let labels = out.intern_labels(labels);
    let ports = out.intern_ports(
        CONTROLLER_PORTS
            .iter()
            .map(|&(name, port)| ContainerPort {
                name: Some(name.to_owned()),
                port,
                protocol: Protocol::Tcp,
            })
            .collect(),
    );
    let pod = Pod {
        name: format!("{SYNTHESISED_CONTROLLER}-0"),
        namespace,
        workload: WorkloadId::from_index(0),
        labels,
        ports,
        ips: Vec::new(),
        ips_assumed: false,
        host_network: false,
        node_name: None,
        origin: PodOrigin::Template { ordinal: 0 },
        net: PodNet {
            dns_policy: DnsPolicy::ClusterFirst,
            ..PodNet::default()
        },
        admission: podnet_model::PodAdmission::default(),
    };
    Some(out.push_workload(
        Workload {
            kind: WorkloadKind::Deployment,
            namespace,
            name: SYNTHESISED_CONTROLLER.to_owned(),
            source: None,
            pods: Vec::new(),
            replicas: Some(1),
        },
        vec![pod],
    ))
}

/// The fronts of the running cluster: the in-cluster ingress controller
/// (index [`CONTROLLER`]), the ALB (index [`ALB`]), then each Gateway in
/// input order (from [`GATEWAYS`]); `added` is what [`add_missing`] added.
pub fn fronts(
    running: &Cluster,
    profile: &Profile,
    nodes: &[NodeInfo],
    added: &Added,
) -> Vec<Front> {
    let pods: Vec<PodId> = match running.namespace_by_name(&profile.ingress_namespace) {
        Some(ns) => running
            .pod_ids()
            .filter(|&p| running.pod(p).namespace == ns)
            .collect(),
        None => Vec::new(),
    };
    let subnets: Vec<IpNet> = match &profile.cloud {
        Cloud::Aws(aws) => aws
            .subnets
            .iter()
            .filter(|s| {
                !nodes
                    .iter()
                    .any(|n| n.internal_ips.iter().any(|ip| s.cidr.contains(ip)))
            })
            .map(|s| s.cidr)
            .collect(),
        Cloud::None => Vec::new(),
    };
    let mut out = vec![
        Front {
            kind: FrontKind::IngressController,
            pods,
            subnets: Vec::new(),
            synthesised: added.controller,
        },
        Front {
            kind: FrontKind::IngressController,
            pods: Vec::new(),
            subnets,
            synthesised: None,
        },
    ];
    out.extend(running.gateways.iter().enumerate().map(|(i, g)| Front {
        kind: FrontKind::Gateway {
            namespace: running.namespace(g.namespace).name.clone(),
            name: g.meta.name.clone(),
        },
        pods: gateways::proxy_pods(running, g),
        subnets: Vec::new(),
        synthesised: added.gateways.get(i).copied().flatten(),
    }));
    out
}

/// Index of the first Gateway in [`fronts`]' result.
pub const GATEWAYS: usize = 2;

/// Index of the in-cluster controller in [`fronts`]' result.
pub const CONTROLLER: usize = 0;
/// Index of the ALB in [`fronts`]' result.
pub const ALB: usize = 1;

/// The front serving an exposure.
pub fn front_of(exposure: &Exposure, profile: &Profile) -> usize {
    if served_by_alb(exposure, profile) {
        ALB
    } else {
        CONTROLLER
    }
}

fn has_pods_in(cluster: &Cluster, namespace: &str) -> bool {
    cluster
        .namespace_by_name(namespace)
        .is_some_and(|ns| cluster.pods.iter().any(|p| p.namespace == ns))
}
