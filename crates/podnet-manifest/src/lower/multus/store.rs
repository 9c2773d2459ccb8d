//! Multus objects on assembly: NetworkAttachmentDefinitions and
//! MultiNetworkPolicies are kept in input order, get their namespace ids as
//! NetworkPolicies do, and are checked against the pods: a pod selecting a
//! network no NAD defines does not start (Multus fails its sandbox), and a
//! MultiNetworkPolicy for such a network applies to nothing. Both are
//! warnings naming the pod (or workload) or policy and the network.

use std::collections::{BTreeSet, HashMap};

use podnet_model::{Cluster, NetworkRef, NsId, PodOrigin, Source};

use super::{PendingMultiPolicy, PendingNetwork};
use crate::lower::records::Record;
use crate::lower::store::Key;
use crate::{Diagnostic, Location, Severity};

/// The NADs and MultiNetworkPolicies read so far.
#[derive(Default)]
pub struct MultusStore {
    networks: Vec<PendingNetwork>,
    policies: Vec<PendingMultiPolicy>,
}

/// The key and source of a Multus record (`None` for other records).
pub fn key(record: &Record) -> Option<(Key, &Source)> {
    match record {
        Record::Network(n) => Some((
            (
                n.namespace.clone(),
                "NetworkAttachmentDefinition".into(),
                n.network.name.clone(),
            ),
            &n.network.meta.source,
        )),
        Record::MultiPolicy(p) => Some((
            (
                p.namespace.clone(),
                "MultiNetworkPolicy".into(),
                p.policy.policy.meta.name.clone(),
            ),
            &p.policy.policy.meta.source,
        )),
        _ => None,
    }
}

impl MultusStore {
    /// Keeps a Multus record; gives other records back.
    pub fn add(&mut self, record: Record) -> Option<Record> {
        match record {
            Record::Network(n) => self.networks.push(n),
            Record::MultiPolicy(p) => self.policies.push(p),
            other => return Some(other),
        }
        None
    }

    /// The namespaces the records live in.
    pub fn namespaces(&self) -> impl Iterator<Item = &String> {
        self.networks
            .iter()
            .map(|n| &n.namespace)
            .chain(self.policies.iter().map(|p| &p.namespace))
    }

    /// Puts everything into `cluster` (whose pods are already built) and
    /// returns the warnings about undefined networks.
    pub fn finish(self, ns_ids: &HashMap<String, NsId>, cluster: &mut Cluster) -> Vec<Diagnostic> {
        let MultusStore { networks, policies } = self;
        cluster.networks = networks
            .into_iter()
            .map(|mut n| {
                if let Some(&id) = ns_ids.get(&n.namespace) {
                    n.network.namespace = id;
                }
                n.network
            })
            .collect();
        cluster.multi_policies = policies
            .into_iter()
            .map(|mut p| {
                if let Some(&id) = ns_ids.get(&p.namespace) {
                    p.policy.policy.namespace = id;
                }
                p.policy
            })
            .collect();
        undefined_networks(cluster)
    }
}

fn location(source: Option<&Source>, line: Option<u32>) -> Option<Location> {
    source.map(|s| Location {
        file: s.file.clone(),
        document: Some(s.document),
        path: None,
        line: line.or(s.line),
        column: None,
    })
}

/// Warnings for pods and policies naming a network no NAD defines; one per
/// pod object, or per workload for pods made from a template.
fn undefined_networks(cluster: &Cluster) -> Vec<Diagnostic> {
    let defined: BTreeSet<NetworkRef> = cluster
        .networks
        .iter()
        .map(|n| NetworkRef::new(n.meta.namespace.clone().unwrap_or_default(), n.name.clone()))
        .collect();
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for id in cluster.pod_ids() {
        let pod = cluster.pod(id);
        let ns = &cluster.namespace(pod.namespace).name;
        for s in &pod.net.networks {
            let net = s.network(ns);
            if defined.contains(&net) {
                continue;
            }
            let (who, source) = match &pod.origin {
                PodOrigin::Object(src) => (format!("pod {}", cluster.pod_name(id)), Some(src)),
                PodOrigin::Template { .. } => {
                    let w = cluster.workload(pod.workload);
                    if !seen.insert((pod.workload, net.clone())) {
                        continue;
                    }
                    (
                        format!(
                            "{} {}",
                            w.kind.as_str(),
                            cluster.workload_name(pod.workload)
                        ),
                        w.source.as_ref(),
                    )
                }
            };
            let mut d = Diagnostic::new(
                Severity::Warning,
                format!("{who} selects network `{net}`, which no NetworkAttachmentDefinition defines"),
            )
            .with_help("Multus fails the pod's sandbox: define the NetworkAttachmentDefinition or fix `k8s.v1.cni.cncf.io/networks`");
            d.location = location(source, s.line);
            out.push(d);
        }
    }
    for p in &cluster.multi_policies {
        for net in p.policy_for.iter().filter(|n| !defined.contains(n)) {
            let mut d = Diagnostic::new(
                Severity::Warning,
                format!(
                    "MultiNetworkPolicy {} is for network `{net}`, which no NetworkAttachmentDefinition defines",
                    p.policy.meta.qualified_name()
                ),
            );
            d.location = location(Some(&p.policy.meta.source), None);
            out.push(d);
        }
    }
    out
}
