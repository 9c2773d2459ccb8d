//! What a change does to connectivity: two connection lists (each of its
//! own cluster) compared flow by flow. Workloads are matched by namespace,
//! name and kind (ids differ between clusters), outside ranges by their
//! text, pseudo-peers by what they name; a flow is added, removed, or
//! changed with the ports it gains and loses.

use std::collections::BTreeMap;

use podnet_model::{Cluster, Conns};

use crate::connlist::{ConnList, PeerRef};

/// A peer independent of the cluster it was computed in.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PeerKey {
    /// A workload by namespace, name and kind.
    Workload {
        /// Namespace.
        namespace: String,
        /// Name.
        name: String,
        /// Top owner kind.
        kind: String,
    },
    /// Outside addresses: their ranges as they print (CIDRs or
    /// `first-last`).
    External(Vec<String>),
    /// The ingress controller.
    IngressController,
    /// A Gateway.
    Gateway {
        /// Namespace.
        namespace: String,
        /// Name.
        name: String,
    },
}

impl PeerKey {
    /// The key of `peer` in `cluster`.
    pub fn of(cluster: &Cluster, peer: &PeerRef) -> PeerKey {
        match peer {
            PeerRef::Workload(w) => {
                let wl = cluster.workload(*w);
                PeerKey::Workload {
                    namespace: cluster.namespace(wl.namespace).name.clone(),
                    name: wl.name.clone(),
                    kind: wl.kind.as_str().to_owned(),
                }
            }
            PeerRef::External(set) => {
                PeerKey::External(set.ranges().map(|r| r.to_string()).collect())
            }
            PeerRef::IngressController => PeerKey::IngressController,
            PeerRef::Gateway { namespace, name } => PeerKey::Gateway {
                namespace: namespace.clone(),
                name: name.clone(),
            },
        }
    }
}

/// One flow: source, destination, network.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FlowKey {
    /// Source.
    pub src: PeerKey,
    /// Destination.
    pub dst: PeerKey,
    /// `None` for the pod network, else a Multus network `ns/name`.
    pub network: Option<String>,
}

/// How a flow changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Only in the new cluster.
    Added(Conns),
    /// Only in the old cluster.
    Removed(Conns),
    /// In both, with different connections.
    Changed {
        /// Before.
        old: Conns,
        /// After.
        new: Conns,
    },
}

impl Change {
    /// What the new cluster allows that the old did not.
    pub fn gained(&self) -> Conns {
        match self {
            Change::Added(c) => c.clone(),
            Change::Removed(_) => Conns::none(),
            Change::Changed { old, new } => new.difference(old),
        }
    }

    /// What the old cluster allowed that the new does not.
    pub fn lost(&self) -> Conns {
        match self {
            Change::Added(_) => Conns::none(),
            Change::Removed(c) => c.clone(),
            Change::Changed { old, new } => old.difference(new),
        }
    }
}

/// The differences, sorted by flow, and the flows that stayed the same.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diff {
    /// Flows that differ.
    pub changes: Vec<(FlowKey, Change)>,
    /// Flows identical in both, sorted (only with
    /// [`DiffOptions::list_unchanged`]).
    pub kept: Vec<(FlowKey, Conns)>,
    /// How many flows are identical in both.
    pub unchanged: usize,
}

/// How flows are matched.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DiffOptions {
    /// Match workloads by name and kind only, for changes that move
    /// workloads between namespaces; their namespace reads `*`.
    pub ignore_namespace: bool,
    /// Also list the flows that stayed the same (else only count them).
    pub list_unchanged: bool,
}

/// The namespace of workload keys when namespaces are ignored.
pub const ANY_NAMESPACE: &str = "*";

impl Diff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

fn flows(cluster: &Cluster, list: &ConnList, options: DiffOptions) -> BTreeMap<FlowKey, Conns> {
    let key_of = |peer: &PeerRef| {
        let mut key = PeerKey::of(cluster, peer);
        if let (true, PeerKey::Workload { namespace, .. }) = (options.ignore_namespace, &mut key) {
            ANY_NAMESPACE.clone_into(namespace);
        }
        key
    };
    let mut out: BTreeMap<FlowKey, Conns> = BTreeMap::new();
    for c in &list.connections {
        let key = FlowKey {
            src: key_of(&c.src),
            dst: key_of(&c.dst),
            network: c.network.clone(),
        };
        out.entry(key).or_insert_with(Conns::none).add(&c.conns);
    }
    out
}

/// Compares the connections of `old` with those of `new`.
pub fn diff(old: (&Cluster, &ConnList), new: (&Cluster, &ConnList), options: DiffOptions) -> Diff {
    let before = flows(old.0, old.1, options);
    let after = flows(new.0, new.1, options);
    let mut out = Diff::default();
    compare_into(&mut out, before, after, options);
    out
}

/// Adds to `out` what changed from `before` to `after`, flow by flow, and
/// sorts its lists by flow.
pub(crate) fn compare_into(
    out: &mut Diff,
    before: BTreeMap<FlowKey, Conns>,
    mut after: BTreeMap<FlowKey, Conns>,
    options: DiffOptions,
) {
    for (key, old_conns) in before {
        match after.remove(&key) {
            None => out.changes.push((key, Change::Removed(old_conns))),
            Some(new_conns) if new_conns == old_conns => {
                out.unchanged += 1;
                if options.list_unchanged {
                    out.kept.push((key, new_conns));
                }
            }
            Some(new_conns) => out.changes.push((
                key,
                Change::Changed {
                    old: old_conns,
                    new: new_conns,
                },
            )),
        }
    }
    out.changes
        .extend(after.into_iter().map(|(k, c)| (k, Change::Added(c))));
    out.changes.sort_by(|a, b| a.0.cmp(&b.0));
    out.kept.sort_by(|a, b| a.0.cmp(&b.0));
}

#[cfg(test)]
mod tests {
    use podnet_model::{PortSet, Protocol};

    use super::*;

    fn tcp(ports: &[u16]) -> Conns {
        let mut c = Conns::none();
        for &p in ports {
            c.add(&Conns::ports_of(Protocol::Tcp, PortSet::single(p)));
        }
        c
    }

    #[test]
    fn a_changed_flow_reports_the_ports_it_gains_and_loses() {
        let change = Change::Changed {
            old: tcp(&[80, 443]),
            new: tcp(&[443, 8080]),
        };
        assert_eq!(change.gained(), tcp(&[8080]));
        assert_eq!(change.lost(), tcp(&[80]));
        assert_eq!(Change::Added(tcp(&[1])).lost(), Conns::none());
        assert_eq!(Change::Removed(tcp(&[1])).lost(), tcp(&[1]));
    }
}
