//! Identities: pods that no policy can tell apart share one identity, and
//! the engine computes connectivity per identity, not per pod (DESIGN.md
//! house rule 3). Two pods are indistinguishable when they have the same
//! namespace, labels, container ports (named ports resolve alike), host
//! networking, and address atoms (ipBlocks match them alike).

use std::collections::HashMap;

use podnet_model::{Cluster, LabelSetId, NsId, PodId, PortTableId, WorkloadId};

use crate::atoms::{AddressAtoms, AtomId};

/// Index into [`Identities::list`].
pub type IdentityId = usize;

/// A class of indistinguishable pods.
#[derive(Clone, Debug)]
pub struct Identity {
    /// Namespace.
    pub namespace: NsId,
    /// Labels.
    pub labels: LabelSetId,
    /// Container ports.
    pub ports: PortTableId,
    /// Atoms of the pods' addresses (empty when unknown).
    pub atoms: Vec<AtomId>,
    /// Whether the pods use the host network (no policy selects them).
    pub host_network: bool,
    /// The pods.
    pub pods: Vec<PodId>,
    /// The workloads of the pods, sorted, without duplicates.
    pub workloads: Vec<WorkloadId>,
}

/// Every identity of a cluster.
#[derive(Clone, Debug)]
pub struct Identities {
    /// The identities.
    pub list: Vec<Identity>,
    /// Identity of each pod.
    pub of_pod: Vec<IdentityId>,
    /// Identities of each namespace.
    pub by_namespace: Vec<Vec<IdentityId>>,
}

type Key = (NsId, LabelSetId, PortTableId, bool, Vec<AtomId>);

impl Identities {
    /// Groups the cluster's pods.
    pub fn new(cluster: &Cluster, atoms: &AddressAtoms) -> Self {
        let mut index: HashMap<Key, IdentityId> = HashMap::new();
        let mut list: Vec<Identity> = Vec::new();
        let mut of_pod = Vec::with_capacity(cluster.pods.len());
        let mut by_namespace = vec![Vec::new(); cluster.namespaces.len()];
        for (i, pod) in cluster.pods.iter().enumerate() {
            let mut pod_atoms: Vec<AtomId> = pod.ips.iter().map(|&ip| atoms.atom_of(ip)).collect();
            pod_atoms.sort_unstable();
            pod_atoms.dedup();
            let key = (
                pod.namespace,
                pod.labels,
                pod.ports,
                pod.host_network,
                pod_atoms,
            );
            let id = *index.entry(key).or_insert_with_key(|k| {
                list.push(Identity {
                    namespace: k.0,
                    labels: k.1,
                    ports: k.2,
                    host_network: k.3,
                    atoms: k.4.clone(),
                    pods: Vec::new(),
                    workloads: Vec::new(),
                });
                by_namespace[k.0.index()].push(list.len() - 1);
                list.len() - 1
            });
            let identity = &mut list[id];
            identity.pods.push(PodId::from_index(i));
            if identity.workloads.last() != Some(&pod.workload) {
                identity.workloads.push(pod.workload);
            }
            of_pod.push(id);
        }
        for identity in &mut list {
            identity.workloads.sort_unstable();
            identity.workloads.dedup();
        }
        Identities {
            list,
            of_pod,
            by_namespace,
        }
    }

    /// Number of identities.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}
