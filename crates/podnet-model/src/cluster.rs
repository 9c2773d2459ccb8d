//! The cluster as podnet sees it: arenas of namespaces, workloads, pods,
//! policies and services, addressed by dense ids.

use std::net::IpAddr;

use crate::endpoints::EndpointSet;
use crate::ids::{LabelSetId, NsId, PodId, PortTableId, WorkloadId};
use crate::labels::Labels;
use crate::node::Node;
use crate::policy::NetworkPolicy;
use crate::pool::{AddressRequest, IpPool};
use crate::ports::Protocol;
use crate::profile::ProfileSpec;
use crate::service::Service;
use crate::source::Source;

/// The label every namespace carries since Kubernetes 1.21, set by the API
/// server to the namespace's name (API reference, "Namespace"; docs
/// "Well-Known Labels": `kubernetes.io/metadata.name`).
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// Everything podnet knows of one cluster. Immutable once built.
#[derive(Clone, Debug, Default)]
pub struct Cluster {
    /// Namespaces sorted by name, declared or only referenced.
    pub namespaces: Vec<Namespace>,
    /// Workloads (top owners), sorted by namespace, name and kind.
    pub workloads: Vec<Workload>,
    /// Pods, grouped by workload.
    pub pods: Vec<Pod>,
    /// Distinct pod label sets.
    pub label_sets: Vec<Labels>,
    /// Distinct container port tables.
    pub port_tables: Vec<Vec<ContainerPort>>,
    /// NetworkPolicies in input order.
    pub policies: Vec<NetworkPolicy>,
    /// AdminNetworkPolicies, BaselineAdminNetworkPolicies and
    /// ClusterNetworkPolicies in input order.
    pub admin_policies: Vec<crate::admin::AdminPolicy>,
    /// Services in input order.
    pub services: Vec<Service>,
    /// Node objects, sorted by name.
    pub nodes: Vec<Node>,
    /// Static address pools in input order.
    pub pools: Vec<IpPool>,
    /// Endpoints and EndpointSlices in input order.
    pub endpoints: Vec<EndpointSet>,
    /// ServiceCIDR objects (networking.k8s.io/v1) in input order.
    pub service_cidrs: Vec<crate::service::ServiceCidr>,
    /// Ingresses and Routes in input order.
    pub exposures: Vec<crate::exposure::Exposure>,
    /// Gateway API Gateways in input order.
    pub gateways: Vec<crate::gateway::Gateway>,
    /// Gateway API ListenerSets in input order.
    pub listener_sets: Vec<crate::gateway::ListenerSet>,
    /// Gateway API routes (HTTP, gRPC, TLS, TCP, UDP) in input order.
    pub gateway_routes: Vec<crate::gateway::GatewayRoute>,
    /// Gateway API ReferenceGrants.
    pub reference_grants: Vec<crate::gateway::ReferenceGrant>,
    /// Gateway API BackendTLSPolicies in input order.
    pub backend_tls_policies: Vec<crate::gateway::BackendTlsPolicy>,
    /// Multus NetworkAttachmentDefinitions in input order.
    pub networks: Vec<crate::multus::NetworkAttachment>,
    /// MultiNetworkPolicies in input order.
    pub multi_policies: Vec<crate::multus::MultiNetworkPolicy>,
    /// The `ClusterProfile` in the input, when there is one.
    pub profile: Option<ProfileSpec>,
    /// ResourceQuotas, LimitRanges, PodDisruptionBudgets, ServiceAccounts
    /// and RBAC objects.
    pub governance: crate::governance::Governance,
    /// ConnectivityIntents in input order (not part of the cluster's
    /// behaviour: what `verify` checks it against).
    pub intents: Vec<crate::intent::Intent>,
    /// How policies treat host-network pods (a choice the documentation
    /// leaves to the network plugin).
    pub host_network_mode: HostNetworkMode,
    /// The pod CIDRs a ClusterProfile writes (`clusterCIDRs`), set by the
    /// dataplane when pods get addresses from node blocks: every pod
    /// address, assumed or real, of a pod that is not host-network lies in
    /// them. Empty when the profile leaves them to its preset (an
    /// assumption) or the CNI gives pods VPC addresses.
    pub pod_cidrs: Vec<ipnet::IpNet>,
}

impl Cluster {
    /// A copy of this cluster with `pods` instead of its pods (the
    /// scheduler's output), without copying the pods it replaces.
    pub fn with_pods(&self, pods: Vec<Pod>) -> Cluster {
        // Destructured so that a new field cannot be forgotten here.
        let Cluster {
            pods: _,
            namespaces,
            workloads,
            label_sets,
            port_tables,
            policies,
            admin_policies,
            services,
            nodes,
            pools,
            endpoints,
            service_cidrs,
            exposures,
            gateways,
            listener_sets,
            gateway_routes,
            reference_grants,
            backend_tls_policies,
            networks,
            multi_policies,
            profile,
            governance,
            intents,
            host_network_mode,
            pod_cidrs,
        } = self;
        Cluster {
            pods,
            namespaces: namespaces.clone(),
            workloads: workloads.clone(),
            label_sets: label_sets.clone(),
            port_tables: port_tables.clone(),
            policies: policies.clone(),
            admin_policies: admin_policies.clone(),
            services: services.clone(),
            nodes: nodes.clone(),
            pools: pools.clone(),
            endpoints: endpoints.clone(),
            service_cidrs: service_cidrs.clone(),
            exposures: exposures.clone(),
            gateways: gateways.clone(),
            listener_sets: listener_sets.clone(),
            gateway_routes: gateway_routes.clone(),
            reference_grants: reference_grants.clone(),
            backend_tls_policies: backend_tls_policies.clone(),
            networks: networks.clone(),
            multi_policies: multi_policies.clone(),
            profile: profile.clone(),
            governance: governance.clone(),
            intents: intents.clone(),
            host_network_mode: *host_network_mode,
            pod_cidrs: pod_cidrs.clone(),
        }
    }
}

/// How NetworkPolicy and the admin tiers treat host-network pods. The
/// concept page ("NetworkPolicy and `hostNetwork` pods") leaves this to the
/// plugin, between two options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum HostNetworkMode {
    /// Host-network traffic is node traffic: pod and namespace selectors
    /// never select the pods (as subjects or peers), ipBlocks match their
    /// node address, and their traffic enters every pod of their node.
    #[default]
    Node,
    /// The plugin tells host-network pods apart: selectors select them by
    /// their labels like any pod, their traffic carries their node's
    /// address, and it gets no node exemption.
    Pod,
}

impl Cluster {
    /// Whether policies treat `pod` as its node's traffic (a host-network
    /// pod under [`HostNetworkMode::Node`]): no selector selects it.
    pub fn is_node_traffic(&self, pod: &Pod) -> bool {
        pod.host_network && self.host_network_mode == HostNetworkMode::Node
    }

    /// A namespace by id.
    pub fn namespace(&self, id: NsId) -> &Namespace {
        &self.namespaces[id.index()]
    }

    /// A workload by id.
    pub fn workload(&self, id: WorkloadId) -> &Workload {
        &self.workloads[id.index()]
    }

    /// A pod by id.
    pub fn pod(&self, id: PodId) -> &Pod {
        &self.pods[id.index()]
    }

    /// The labels of a pod.
    pub fn pod_labels(&self, id: PodId) -> &Labels {
        &self.label_sets[self.pod(id).labels.index()]
    }

    /// The container ports of a pod.
    pub fn pod_ports(&self, id: PodId) -> &[ContainerPort] {
        &self.port_tables[self.pod(id).ports.index()]
    }

    /// The namespace called `name`.
    pub fn namespace_by_name(&self, name: &str) -> Option<NsId> {
        self.namespaces
            .binary_search_by(|n| n.name.as_str().cmp(name))
            .ok()
            .map(NsId::from_index)
    }

    /// Ids of all pods.
    pub fn pod_ids(&self) -> impl Iterator<Item = PodId> + use<> {
        (0..self.pods.len()).map(PodId::from_index)
    }

    /// Ids of all workloads.
    pub fn workload_ids(&self) -> impl Iterator<Item = WorkloadId> + use<> {
        (0..self.workloads.len()).map(WorkloadId::from_index)
    }

    /// `namespace/name` of a workload.
    pub fn workload_name(&self, id: WorkloadId) -> String {
        let w = self.workload(id);
        format!("{}/{}", self.namespace(w.namespace).name, w.name)
    }

    /// `namespace/name` of a pod.
    pub fn pod_name(&self, id: PodId) -> String {
        let p = self.pod(id);
        format!("{}/{}", self.namespace(p.namespace).name, p.name)
    }
}

/// A namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Namespace {
    /// `metadata.name`.
    pub name: String,
    /// Labels, always including `kubernetes.io/metadata.name`.
    pub labels: Labels,
    /// Where the Namespace object was declared; `None` when it exists only
    /// because other objects live in it.
    pub declared: Option<Source>,
}

/// The kind of a workload's top owner.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WorkloadKind {
    /// A bare Pod.
    Pod,
    /// apps/v1 Deployment.
    Deployment,
    /// apps/v1 ReplicaSet without a Deployment owner.
    ReplicaSet,
    /// apps/v1 StatefulSet.
    StatefulSet,
    /// apps/v1 DaemonSet.
    DaemonSet,
    /// v1 ReplicationController.
    ReplicationController,
    /// batch/v1 Job without a CronJob owner.
    Job,
    /// batch/v1 CronJob.
    CronJob,
    /// Another controller kind named by an ownerReference (an operator's CRD,
    /// an Argo Rollout...), not present in the input.
    Other(String),
}

impl WorkloadKind {
    /// The kind as manifests spell it.
    pub fn as_str(&self) -> &str {
        match self {
            WorkloadKind::Pod => "Pod",
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::ReplicaSet => "ReplicaSet",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
            WorkloadKind::ReplicationController => "ReplicationController",
            WorkloadKind::Job => "Job",
            WorkloadKind::CronJob => "CronJob",
            WorkloadKind::Other(k) => k,
        }
    }

    /// The kind for a manifest `kind` string.
    pub fn from_kind(kind: &str) -> WorkloadKind {
        match kind {
            "Pod" => WorkloadKind::Pod,
            "Deployment" => WorkloadKind::Deployment,
            "ReplicaSet" => WorkloadKind::ReplicaSet,
            "StatefulSet" => WorkloadKind::StatefulSet,
            "DaemonSet" => WorkloadKind::DaemonSet,
            "ReplicationController" => WorkloadKind::ReplicationController,
            "Job" => WorkloadKind::Job,
            "CronJob" => WorkloadKind::CronJob,
            other => WorkloadKind::Other(other.to_owned()),
        }
    }
}

/// A workload: the top owner of a group of pods, the unit connlist reports.
#[derive(Clone, Debug)]
pub struct Workload {
    /// The top owner's kind.
    pub kind: WorkloadKind,
    /// Its namespace.
    pub namespace: NsId,
    /// Its name.
    pub name: String,
    /// Where it was declared; `None` when it is only named by pods'
    /// ownerReferences.
    pub source: Option<Source>,
    /// Its pods (possibly none, e.g. `replicas: 0`).
    pub pods: Vec<PodId>,
    /// The replica count the manifest declares, when it declares one.
    pub replicas: Option<u32>,
}

/// Where a pod came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PodOrigin {
    /// A Pod object in the input (a bare Pod or a live pod of a controller).
    Object(Source),
    /// Made from its workload's pod template, one per replica.
    Template {
        /// 0-based replica number.
        ordinal: u32,
    },
}

/// A pod.
#[derive(Clone, Debug)]
pub struct Pod {
    /// Its name (made up as `<workload>-<ordinal>` for template pods).
    pub name: String,
    /// Its namespace.
    pub namespace: NsId,
    /// Its workload.
    pub workload: WorkloadId,
    /// Its labels, interned.
    pub labels: LabelSetId,
    /// Its container ports, interned.
    pub ports: PortTableId,
    /// Its addresses (`status.podIPs`), when known.
    pub ips: Vec<IpAddr>,
    /// Whether `ips` are podnet's assumption (given by the dataplane under
    /// `--pod-addresses=assigned`, or a host-network pod's address on a
    /// node the input does not declare) rather than stated by the input:
    /// an ipBlock's verdict on this pod is then unknown.
    pub ips_assumed: bool,
    /// `spec.hostNetwork`: the pod uses its node's network namespace.
    pub host_network: bool,
    /// `spec.nodeName`, when set.
    pub node_name: Option<String>,
    /// Where it came from.
    pub origin: PodOrigin,
    /// What scheduling, addressing and DNS depend on.
    pub net: PodNet,
    /// What admission reads: ServiceAccount, container requests and limits.
    pub admission: crate::governance::PodAdmission,
}

/// `spec.dnsPolicy` (API reference, PodSpec; docs "DNS for Services and
/// Pods", Pod's DNS Policy).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DnsPolicy {
    /// `ClusterFirst` (the default): the cluster DNS with the pod's search
    /// path; host-network pods fall back to `Default`.
    #[default]
    ClusterFirst,
    /// `ClusterFirstWithHostNet`: the cluster DNS even on the host network.
    ClusterFirstWithHostNet,
    /// `Default`: the node's resolver, no cluster names.
    Default,
    /// `None`: only `dnsConfig`.
    None,
}

/// The parts of a pod that scheduling, addressing and DNS depend on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodNet {
    /// `spec.nodeSelector`.
    pub node_selector: Labels,
    /// `spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`
    /// terms (ORed); `None` when the pod has no required node affinity.
    pub node_affinity: Option<Vec<crate::placement::NodeSelectorTerm>>,
    /// `spec.tolerations`.
    pub tolerations: Vec<crate::placement::Toleration>,
    /// `spec.hostname`.
    pub hostname: Option<String>,
    /// `spec.subdomain` (a StatefulSet's `serviceName` for its pods).
    pub subdomain: Option<String>,
    /// `spec.dnsPolicy`.
    pub dns_policy: DnsPolicy,
    /// Addresses requested by annotation from a static pool.
    pub address_request: Option<AddressRequest>,
    /// Whether the pod reports `Ready: False` (template pods are ready).
    pub not_ready: bool,
    /// `status.hostIP`, when known.
    pub host_ip: Option<IpAddr>,
    /// Secondary networks (`k8s.v1.cni.cncf.io/networks`), in order.
    pub networks: Vec<crate::multus::NetworkSelection>,
}

impl PodNet {
    /// What the pod requires of its node: `nodeSelector` and required node
    /// affinity.
    pub fn node_requirements(&self) -> crate::placement::NodeRequirements<'_> {
        crate::placement::NodeRequirements {
            node_selector: &self.node_selector,
            affinity: self.node_affinity.as_deref(),
        }
    }
}

/// One container port (`containers[].ports[]`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ContainerPort {
    /// `name`, which NetworkPolicy and Services can refer to.
    pub name: Option<String>,
    /// `containerPort`.
    pub port: u16,
    /// `protocol` (TCP when omitted).
    pub protocol: Protocol,
}
