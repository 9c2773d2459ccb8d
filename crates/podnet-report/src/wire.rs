//! Wire types: the JSON shapes podnet promises (docs/connlist-json.md,
//! docs/explain-json.md), kept apart from model types so the model can
//! change without breaking scripts. Later versions may add fields; they
//! never change or remove these.

use std::collections::BTreeMap;

use podnet_engine::PeerRef;
use podnet_model::{Cluster, Conns, IpSet, WorkloadId};
use serde::Serialize;

/// `podnet.connlist/v1`.
pub const CONNLIST_SCHEMA: &str = "podnet.connlist/v1";
/// `podnet.explain/v1`.
pub const EXPLAIN_SCHEMA: &str = "podnet.explain/v1";

/// A workload as `{"namespace", "name", "kind"}`.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct WorkloadJson {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Top owner kind.
    pub kind: String,
}

impl WorkloadJson {
    /// From the model.
    pub fn new(cluster: &Cluster, w: WorkloadId) -> Self {
        let wl = cluster.workload(w);
        WorkloadJson {
            namespace: cluster.namespace(wl.namespace).name.clone(),
            name: wl.name.clone(),
            kind: wl.kind.as_str().to_owned(),
        }
    }
}

/// A connlist PEER: exactly one key.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PeerJson {
    /// A workload.
    Workload(WorkloadJson),
    /// Outside addresses: CIDRs or `first-last` ranges.
    External(Vec<String>),
    /// Traffic entering through an Ingress or Route.
    IngressController(BTreeMap<String, String>),
    /// Traffic entering through a Gateway's routes.
    Gateway(GatewayJson),
}

/// A Gateway: `{"namespace": ..., "name": ...}`.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct GatewayJson {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
}

impl PeerJson {
    /// From the engine's peer.
    pub fn new(cluster: &Cluster, peer: &PeerRef) -> Self {
        match peer {
            PeerRef::Workload(w) => PeerJson::Workload(WorkloadJson::new(cluster, *w)),
            PeerRef::External(set) => PeerJson::External(ranges(set)),
            PeerRef::IngressController => PeerJson::IngressController(BTreeMap::new()),
            PeerRef::Gateway { namespace, name } => PeerJson::Gateway(GatewayJson {
                namespace: namespace.clone(),
                name: name.clone(),
            }),
        }
    }
}

/// The ranges of a set as strings: a CIDR when a range is one block,
/// otherwise `first-last`.
pub fn ranges(set: &IpSet) -> Vec<String> {
    set.ranges().map(|r| r.to_string()).collect()
}

/// CONNS: `{"all": true}` or `{"all": false, "ports": {...}}`.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ConnsJson {
    /// Whether everything is allowed.
    pub all: bool,
    /// Protocol to port list (`"80"`, `"8000-8080"`); absent when `all`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports: Option<BTreeMap<String, Vec<String>>>,
}

impl ConnsJson {
    /// From the model.
    pub fn new(conns: &Conns) -> Self {
        if conns.is_all() {
            return ConnsJson {
                all: true,
                ports: None,
            };
        }
        let ports = conns
            .by_protocol()
            .map(|(p, set)| {
                let list = set
                    .ranges()
                    .iter()
                    .map(|&(lo, hi)| {
                        if lo == hi {
                            lo.to_string()
                        } else {
                            format!("{lo}-{hi}")
                        }
                    })
                    .collect();
                (p.as_str().to_owned(), list)
            })
            .collect();
        ConnsJson {
            all: false,
            ports: Some(ports),
        }
    }
}

/// One connlist entry.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ConnectionJson {
    /// Source.
    pub src: PeerJson,
    /// Destination.
    pub dst: PeerJson,
    /// What is allowed.
    pub conns: ConnsJson,
    /// The network: `default` (the pod network) or a Multus attachment
    /// `namespace/name` (added in v1; always present).
    pub network: String,
}

/// The connlist document.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ConnlistJson {
    /// Always [`CONNLIST_SCHEMA`].
    pub schema: &'static str,
    /// Allowed connections.
    pub connections: Vec<ConnectionJson>,
    /// Documents skipped because of errors (added in v1, always present).
    pub skipped_documents: usize,
}
