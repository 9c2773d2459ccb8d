//! Identities: classes of pods that nothing in the input can tell apart.
//! The engine computes connectivity per identity, not per pod (docs/architecture.md
//! house rule 3).
//!
//! Two levels:
//!
//! * A [`Member`] groups the pods of one workload with the same labels,
//!   container ports, host networking and address atoms: everything a
//!   selector, an ipBlock or a named port could look at, plus the workload.
//! * An [`Identity`] is a class of members that every selection of the
//!   input treats alike: each policy's subjects and peers (pod and
//!   namespace selectors), each ipBlock and admin `networks`/`nodes` peer,
//!   each intent's selectors, and the resolution of every named port a
//!   rule or intent uses. The pods of a StatefulSet, whose
//!   `statefulset.kubernetes.io/pod-name` labels differ, share an identity
//!   unless some selector uses that label; pods of namespaces no selector
//!   tells apart share one too. The classes are the coarsest partition in
//!   which every selection is a union of classes (partition refinement).
//!
//! Per-pod facts (name, address, workload) stay with the pods and members.
//!
//! The node a pod runs on is one such fact. Traffic from a host-network
//! pod into the pods of its own node is always allowed
//! ([`crate::semantics::from_own_node`]), but that exemption is added per
//! pod ([`Identities::from_own_node`]) and per workload
//! ([`Identities::own_node_workloads`]) when rows are gathered, never by
//! telling identities apart by node: a host-network DaemonSet runs on
//! every node, and splitting every other identity by node would multiply
//! them by the node count. Only host-network identities carry a node.

use std::collections::HashMap;

use podnet_model::{Cluster, LabelSetId, NsId, PodId, PortTableId, WorkloadId};

use crate::atoms::{AddressAtoms, AtomId};

/// Index into [`Identities::list`].
pub type IdentityId = usize;

/// A class of indistinguishable pods. Its namespace, labels, ports and
/// atoms are those of its first pod: every selection and named port of the
/// input sees the other pods the same way.
#[derive(Clone, Debug)]
pub struct Identity {
    /// Namespace of the first pod.
    pub namespace: NsId,
    /// Labels of the first pod.
    pub labels: LabelSetId,
    /// Container ports of the first pod.
    pub ports: PortTableId,
    /// Atoms of the first pod's addresses (empty when unknown).
    pub atoms: Vec<AtomId>,
    /// Whether the pods use the host network and policies treat them as
    /// their node's traffic (no selector selects them).
    pub host_network: bool,
    /// For host-network identities, their node (traffic from it is always
    /// allowed into the node's pods), else `None`.
    pub node: Option<NodeIndex>,
    /// The pods, ascending.
    pub pods: Vec<PodId>,
    /// The workloads of the pods, sorted, without duplicates.
    pub workloads: Vec<WorkloadId>,
    /// The namespaces of the pods, sorted, without duplicates.
    pub namespaces: Vec<NsId>,
    /// The members, ascending.
    pub members: Vec<usize>,
}

/// Pods of one workload alike in everything the input could select by.
#[derive(Clone, Debug)]
pub struct Member {
    /// Namespace.
    pub namespace: NsId,
    /// Workload.
    pub workload: WorkloadId,
    /// Labels.
    pub labels: LabelSetId,
    /// Container ports.
    pub ports: PortTableId,
    /// Host networking treated as node traffic
    /// ([`Cluster::is_node_traffic`]).
    pub host_network: bool,
    /// For host-network members, their node.
    pub node: Option<NodeIndex>,
    /// Atoms of the addresses, sorted.
    pub atoms: Vec<AtomId>,
    /// The pods, ascending.
    pub pods: Vec<PodId>,
}

/// The members of a cluster, before classes are formed.
#[derive(Clone, Debug)]
pub struct Members {
    /// The members, in the order of their first pod.
    pub list: Vec<Member>,
    /// Member of each pod.
    pub of_pod: Vec<usize>,
    /// Members of each namespace, ascending.
    pub by_namespace: Vec<Vec<usize>>,
    /// Per pod: its node when that node hosts a host-network pod.
    pub host_node_of_pod: Vec<Option<NodeIndex>>,
    /// Per node hosting a host-network pod ([`NodeIndex`]): the workloads
    /// with a pod there, ascending, without duplicates.
    pub workloads_on_node: Vec<Vec<WorkloadId>>,
}

/// Index of a node hosting a host-network pod, in order of first pod.
pub type NodeIndex = u32;

type MemberKey = (
    WorkloadId,
    LabelSetId,
    PortTableId,
    bool,
    Option<NodeIndex>,
    Vec<AtomId>,
);

impl Members {
    /// Groups the cluster's pods into members.
    pub fn new(cluster: &Cluster, atoms: &AddressAtoms) -> Self {
        let mut index: HashMap<MemberKey, usize> = HashMap::new();
        let mut list: Vec<Member> = Vec::new();
        let mut of_pod = Vec::with_capacity(cluster.pods.len());
        let mut by_namespace = vec![Vec::new(); cluster.namespaces.len()];
        // Nodes with a host-network pod: their pods are told apart by node.
        let mut host_nodes: HashMap<&str, NodeIndex> = HashMap::new();
        for pod in cluster.pods.iter().filter(|p| cluster.is_node_traffic(p)) {
            if let Some(n) = pod.node_name.as_deref() {
                let next = NodeIndex::try_from(host_nodes.len()).unwrap_or(NodeIndex::MAX);
                host_nodes.entry(n).or_insert(next);
            }
        }
        let mut host_node_of_pod = Vec::with_capacity(cluster.pods.len());
        let mut workloads_on_node = vec![Vec::new(); host_nodes.len()];
        for (i, pod) in cluster.pods.iter().enumerate() {
            let mut pod_atoms: Vec<AtomId> = pod.ips.iter().map(|&ip| atoms.atom_of(ip)).collect();
            pod_atoms.sort_unstable();
            pod_atoms.dedup();
            let host_node = pod
                .node_name
                .as_deref()
                .and_then(|n| host_nodes.get(n).copied());
            if let Some(n) = host_node {
                workloads_on_node[n as usize].push(pod.workload);
            }
            host_node_of_pod.push(host_node);
            let node_traffic = cluster.is_node_traffic(pod);
            let key = (
                pod.workload,
                pod.labels,
                pod.ports,
                node_traffic,
                host_node.filter(|_| node_traffic),
                pod_atoms,
            );
            let id = *index.entry(key).or_insert_with_key(|k| {
                list.push(Member {
                    namespace: pod.namespace,
                    workload: k.0,
                    labels: k.1,
                    ports: k.2,
                    host_network: k.3,
                    node: k.4,
                    atoms: k.5.clone(),
                    pods: Vec::new(),
                });
                by_namespace[pod.namespace.index()].push(list.len() - 1);
                list.len() - 1
            });
            list[id].pods.push(PodId::from_index(i));
            of_pod.push(id);
        }
        for on_node in &mut workloads_on_node {
            on_node.sort_unstable();
            on_node.dedup();
        }
        Members {
            list,
            of_pod,
            by_namespace,
            host_node_of_pod,
            workloads_on_node,
        }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// Every identity of a cluster.
#[derive(Clone, Debug)]
pub struct Identities {
    /// The identities, in the order of their first pod.
    pub list: Vec<Identity>,
    /// Identity of each pod.
    pub of_pod: Vec<IdentityId>,
    /// Identities with a pod in each namespace, ascending.
    pub by_namespace: Vec<Vec<IdentityId>>,
    /// The members.
    pub members: Members,
    /// Identity of each member.
    pub of_member: Vec<IdentityId>,
    /// Per node hosting a host-network pod ([`NodeIndex`]): its
    /// host-network identities, ascending.
    pub host_sources_on_node: Vec<Vec<IdentityId>>,
}

/// Partition refinement over `0..n`: classes start from equal `initial`
/// keys and are split by every set (members of a set, ascending and
/// distinct) until each set is a union of classes. Returns the class of
/// each element, numbered in order of first element.
pub fn refine<'s>(initial: &[u64], sets: impl IntoIterator<Item = &'s [u32]>) -> Vec<usize> {
    let n = initial.len();
    let mut class_of: Vec<u32> = Vec::with_capacity(n);
    let mut size: Vec<u32> = Vec::new();
    let mut first: HashMap<u64, u32> = HashMap::new();
    for &key in initial {
        let c = *first.entry(key).or_insert_with(|| {
            size.push(0);
            u32::try_from(size.len() - 1).unwrap_or(u32::MAX)
        });
        size[c as usize] += 1;
        class_of.push(c);
    }
    let mut hits: Vec<u32> = vec![0; size.len()];
    let mut split_to: Vec<u32> = vec![u32::MAX; size.len()];
    let mut touched: Vec<u32> = Vec::new();
    for set in sets {
        for &e in set {
            let c = class_of[e as usize] as usize;
            if hits[c] == 0 {
                touched.push(c as u32);
            }
            hits[c] += 1;
        }
        let mut any_split = false;
        for &c in &touched {
            let c = c as usize;
            if hits[c] < size[c] {
                let new = u32::try_from(size.len()).unwrap_or(u32::MAX);
                size.push(hits[c]);
                size[c] -= hits[c];
                hits.push(0);
                split_to.push(u32::MAX);
                split_to[c] = new;
                any_split = true;
            }
        }
        if any_split {
            for &e in set {
                let c = class_of[e as usize] as usize;
                if split_to[c] != u32::MAX {
                    class_of[e as usize] = split_to[c];
                }
            }
        }
        for &c in &touched {
            hits[c as usize] = 0;
            split_to[c as usize] = u32::MAX;
        }
        touched.clear();
    }
    // Number classes by first element.
    let mut renumber: Vec<u32> = vec![u32::MAX; size.len()];
    let mut next = 0u32;
    class_of
        .iter()
        .map(|&c| {
            let r = &mut renumber[c as usize];
            if *r == u32::MAX {
                *r = next;
                next += 1;
            }
            *r as usize
        })
        .collect()
}

impl Identities {
    /// The identities of `members`, given each member's class.
    pub fn from_classes(cluster: &Cluster, members: Members, class_of_member: Vec<usize>) -> Self {
        let count = class_of_member.iter().copied().max().map_or(0, |m| m + 1);
        let mut list: Vec<Option<Identity>> = vec![None; count];
        for (m, member) in members.list.iter().enumerate() {
            let c = class_of_member[m];
            let identity = list[c].get_or_insert_with(|| Identity {
                namespace: member.namespace,
                labels: member.labels,
                ports: member.ports,
                atoms: member.atoms.clone(),
                host_network: member.host_network,
                node: member.node,
                pods: Vec::new(),
                workloads: Vec::new(),
                namespaces: Vec::new(),
                members: Vec::new(),
            });
            identity.members.push(m);
            identity.pods.extend(&member.pods);
            identity.workloads.push(member.workload);
            identity.namespaces.push(member.namespace);
        }
        let list: Vec<Identity> = list
            .into_iter()
            .flatten()
            .map(|mut identity| {
                identity.pods.sort_unstable();
                identity.workloads.sort_unstable();
                identity.workloads.dedup();
                identity.namespaces.sort_unstable();
                identity.namespaces.dedup();
                identity
            })
            .collect();
        let of_pod = members.of_pod.iter().map(|&m| class_of_member[m]).collect();
        let mut by_namespace = vec![Vec::new(); cluster.namespaces.len()];
        for (i, identity) in list.iter().enumerate() {
            for ns in &identity.namespaces {
                by_namespace[ns.index()].push(i);
            }
        }
        let mut host_sources_on_node = vec![Vec::new(); members.workloads_on_node.len()];
        for (i, identity) in list.iter().enumerate() {
            if let Some(n) = identity.node.filter(|_| identity.host_network) {
                host_sources_on_node[n as usize].push(i);
            }
        }
        Identities {
            list,
            of_pod,
            by_namespace,
            members,
            of_member: class_of_member,
            host_sources_on_node,
        }
    }

    /// Number of identities.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether traffic from identity `src` into pod `dst` comes from
    /// `dst`'s own node (`src` is a host-network identity there), which is
    /// always allowed ([`crate::semantics::from_own_node`]).
    pub fn from_own_node(&self, src: IdentityId, dst: PodId) -> bool {
        let s = &self.list[src];
        s.host_network && s.node.is_some() && s.node == self.members.host_node_of_pod[dst.index()]
    }

    /// The workloads with a pod on `src`'s node when `src` is a
    /// host-network identity: every connection from `src` into them is
    /// allowed (for the pods there).
    pub fn own_node_workloads(&self, src: IdentityId) -> &[WorkloadId] {
        let s = &self.list[src];
        match s.node {
            Some(n) if s.host_network => &self.members.workloads_on_node[n as usize],
            _ => &[],
        }
    }

    /// The host-network identities on pod `dst`'s node: the sources that
    /// may always reach it.
    pub fn own_node_sources(&self, dst: PodId) -> &[IdentityId] {
        match self.members.host_node_of_pod[dst.index()] {
            Some(n) => &self.host_sources_on_node[n as usize],
            None => &[],
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The refinement is the coarsest partition that respects the
        /// initial keys and splits by every set: two elements share a
        /// class exactly when they have the same key and belong to the
        /// same sets.
        #[test]
        fn refinement_is_membership_equality(
            keys in prop::collection::vec(0..3u64, 1..40),
            sets in prop::collection::vec(prop::collection::btree_set(0..40u32, 0..20), 0..8),
        ) {
            let n = keys.len();
            let sets: Vec<Vec<u32>> = sets
                .into_iter()
                .map(|s| s.into_iter().filter(|&e| (e as usize) < n).collect())
                .collect();
            let class = refine(&keys, sets.iter().map(Vec::as_slice));
            for a in 0..n {
                for b in 0..n {
                    let alike = keys[a] == keys[b]
                        && sets.iter().all(|s| s.contains(&(a as u32)) == s.contains(&(b as u32)));
                    prop_assert_eq!(class[a] == class[b], alike, "{} {}", a, b);
                }
            }
            // Numbered in order of first element.
            let mut next = 0;
            for &c in &class {
                prop_assert!(c <= next);
                if c == next {
                    next += 1;
                }
            }
        }
    }
}
