//! What synthesis works over: the cluster's own workloads (not the proxies
//! the dataplane adds) with pods, their namespaces, the labels every pod
//! of a workload shares, and what an intent's endpoint selects of them.

use std::collections::BTreeSet;

use ipnet::IpNet;
use podnet_engine::ports::RulePorts;
use podnet_model::cluster::NAMESPACE_NAME_LABEL;
use podnet_model::{
    Cluster, Conns, EndpointSelector, IpBlock, LabelSelector, Labels, NsId, Operator, PodId,
    PortSpec, Requirement, SelectorKind, WorkloadId,
};

use crate::{SynthOptions, SynthPeer};

/// Labels a controller sets per pod or per revision: not part of the
/// pod template, so never in a workload's selector.
const PER_POD_LABELS: [&str; 8] = [
    "pod-template-hash",
    "controller-revision-hash",
    "pod-template-generation",
    "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index",
    "batch.kubernetes.io/job-completion-index",
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
];

/// The workloads synthesis covers.
pub(crate) struct Scope<'c> {
    pub cluster: &'c Cluster,
    /// Workloads with pods, not ignored, in cluster order.
    pub workloads: Vec<WorkloadId>,
    /// Namespaces holding one of `workloads`, sorted by name.
    pub namespaces: Vec<NsId>,
    ignored: BTreeSet<WorkloadId>,
    pod_cidrs: Vec<IpNet>,
}

impl<'c> Scope<'c> {
    pub fn new(cluster: &'c Cluster, options: &SynthOptions) -> Self {
        let ignored: BTreeSet<WorkloadId> = options.ignore.iter().copied().collect();
        let workloads: Vec<WorkloadId> = cluster
            .workload_ids()
            .filter(|w| !ignored.contains(w) && !cluster.workload(*w).pods.is_empty())
            .collect();
        let mut namespaces: Vec<NsId> = workloads
            .iter()
            .map(|w| cluster.workload(*w).namespace)
            .collect();
        namespaces.sort_by(|a, b| cluster.namespace(*a).name.cmp(&cluster.namespace(*b).name));
        namespaces.dedup();
        Scope {
            cluster,
            workloads,
            namespaces,
            ignored,
            pod_cidrs: options.pod_cidrs.clone(),
        }
    }

    /// Whether every pod of `w` is on the host network, where no
    /// NetworkPolicy applies.
    pub fn host_network(&self, w: WorkloadId) -> bool {
        let pods = &self.cluster.workload(w).pods;
        !pods.is_empty() && pods.iter().all(|p| self.cluster.pod(*p).host_network)
    }

    /// Whether a pod of `w` is its node's traffic (a host-network pod) on a
    /// node running a pod of `v`: traffic from a pod's node is always
    /// allowed into it, whatever the policies say.
    pub fn node_traffic_into(&self, w: WorkloadId, v: WorkloadId) -> bool {
        let c = self.cluster;
        let nodes_of = |w: WorkloadId, node_traffic: bool| {
            c.workload(w)
                .pods
                .iter()
                .map(|&p| c.pod(p))
                .filter(move |p| !node_traffic || c.is_node_traffic(p))
                .filter_map(|p| p.node_name.as_deref())
        };
        let sources: std::collections::HashSet<&str> = nodes_of(w, true).collect();
        !sources.is_empty() && nodes_of(v, false).any(|n| sources.contains(n))
    }

    /// Whether a workload is one the dataplane added.
    pub fn ignored(&self, w: WorkloadId) -> bool {
        self.ignored.contains(&w)
    }

    pub fn ns_name(&self, ns: NsId) -> &str {
        &self.cluster.namespace(ns).name
    }

    /// The labels every pod of `w` carries, less those a controller sets
    /// per pod or per revision.
    pub fn common_labels(&self, w: WorkloadId) -> Labels {
        let pods = &self.cluster.workload(w).pods;
        let Some(first) = pods.first() else {
            return Labels::new();
        };
        self.cluster
            .pod_labels(*first)
            .iter()
            .filter(|(k, v)| {
                !PER_POD_LABELS.contains(k)
                    && pods
                        .iter()
                        .all(|p| self.cluster.pod_labels(*p).get(k) == Some(*v))
            })
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    /// A selector matching `w`'s common labels.
    pub fn workload_selector(&self, w: WorkloadId) -> LabelSelector {
        LabelSelector::new(
            self.common_labels(w)
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned())),
            [],
        )
    }

    /// The namespaces (holding workloads) an endpoint's namespace part
    /// selects, with the pod selector to apply in them; nothing for
    /// `ipBlock`.
    pub fn placements(&self, e: &EndpointSelector) -> Vec<(NsId, LabelSelector)> {
        match &e.kind {
            SelectorKind::IpBlock(_) => Vec::new(),
            SelectorKind::Workload { namespace, name } => self
                .named_workloads(namespace, name)
                .into_iter()
                .map(|w| {
                    (
                        self.cluster.workload(w).namespace,
                        self.workload_selector(w),
                    )
                })
                .collect(),
            SelectorKind::Pods {
                namespace,
                namespace_selector,
                pod_selector,
            } => self
                .namespaces
                .iter()
                .filter(|ns| {
                    let n = self.cluster.namespace(**ns);
                    namespace.as_ref().is_none_or(|x| *x == n.name)
                        && namespace_selector
                            .as_ref()
                            .is_none_or(|s| s.matches(&n.labels))
                })
                .map(|ns| (*ns, pod_selector.clone()))
                .collect(),
        }
    }

    /// The workloads (in scope) called `ns/name`.
    pub fn named_workloads(&self, ns: &str, name: &str) -> Vec<WorkloadId> {
        self.workloads
            .iter()
            .copied()
            .filter(|w| {
                let wl = self.cluster.workload(*w);
                wl.name == name && self.ns_name(wl.namespace) == ns
            })
            .collect()
    }

    /// The endpoint as a NetworkPolicy peer; `None` when it selects
    /// nothing expressible (a workload without pods).
    pub fn peer(&self, e: &EndpointSelector) -> Option<SynthPeer> {
        match &e.kind {
            SelectorKind::IpBlock(b) => Some(SynthPeer::IpBlock(self.outside(b))),
            SelectorKind::Workload { namespace, name } => {
                let w = *self.named_workloads(namespace, name).first()?;
                Some(self.workload_peer(w))
            }
            SelectorKind::Pods {
                namespace,
                namespace_selector,
                pod_selector,
            } => {
                let mut reqs: Vec<Requirement> = namespace_selector
                    .iter()
                    .flat_map(|s| s.requirements().iter().cloned())
                    .collect();
                if let Some(n) = namespace {
                    reqs.push(Requirement::new(
                        NAMESPACE_NAME_LABEL,
                        Operator::In,
                        vec![n.clone()],
                    ));
                }
                Some(SynthPeer::Pods {
                    namespaces: LabelSelector::new([], reqs),
                    pods: pod_selector.clone(),
                })
            }
        }
    }

    /// The pods of one workload as a peer.
    pub fn workload_peer(&self, w: WorkloadId) -> SynthPeer {
        SynthPeer::Pods {
            namespaces: namespace_selector(self.ns_name(self.cluster.workload(w).namespace)),
            pods: self.workload_selector(w),
        }
    }

    /// `b` with the pod CIDRs it covers excepted.
    fn outside(&self, b: &IpBlock) -> IpBlock {
        let mut except = b.except.clone();
        for c in &self.pod_cidrs {
            if *c != b.cidr && b.cidr.contains(c) && !except.iter().any(|e| e.contains(c)) {
                except.push(*c);
            }
        }
        if except == b.except {
            return b.clone();
        }
        except.sort();
        IpBlock::new(b.cidr, except)
    }

    /// Whether the endpoint selects a pod of `w`.
    pub fn selects(&self, e: &EndpointSelector, w: WorkloadId) -> bool {
        self.cluster
            .workload(w)
            .pods
            .iter()
            .any(|p| self.selects_pod(e, *p))
    }

    /// Whether the endpoint selects the pod.
    pub fn selects_pod(&self, e: &EndpointSelector, p: PodId) -> bool {
        let pod = self.cluster.pod(p);
        let ns = self.cluster.namespace(pod.namespace);
        match &e.kind {
            SelectorKind::IpBlock(_) => false,
            SelectorKind::Workload { namespace, name } => {
                ns.name == *namespace && self.cluster.workload(pod.workload).name == *name
            }
            SelectorKind::Pods {
                namespace,
                namespace_selector,
                pod_selector,
            } => {
                namespace.as_ref().is_none_or(|x| *x == ns.name)
                    && namespace_selector
                        .as_ref()
                        .is_none_or(|s| s.matches(&ns.labels))
                    && pod_selector.matches(self.cluster.pod_labels(p))
            }
        }
    }

    /// What `ports` allow to the pods of `w` (named ports resolved on each).
    pub fn ports_on(&self, ports: &[PortSpec], w: WorkloadId) -> Conns {
        self.ports_on_pods(ports, &self.cluster.workload(w).pods)
    }

    /// What `ports` allow to any of `pods`.
    pub fn ports_on_pods(&self, ports: &[PortSpec], pods: &[PodId]) -> Conns {
        let rule = RulePorts::new(ports);
        let mut conns = Conns::none();
        for p in pods {
            conns.add(&rule.on_pod(self.cluster.pod_ports(*p)));
        }
        conns
    }
}

/// `namespaceSelector` for the namespace called `name`.
pub(crate) fn namespace_selector(name: &str) -> LabelSelector {
    LabelSelector::new([(NAMESPACE_NAME_LABEL.to_owned(), name.to_owned())], [])
}
