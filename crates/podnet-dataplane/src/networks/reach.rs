//! Connectivity on a secondary network: the engine run on the network's
//! projection ([`super::project_with`]), with the projection's workloads mapped
//! back to the running cluster's so one report can hold every network.

use std::collections::HashMap;

use podnet_engine::{Connection, Engine, PeerRef, connlist};
use podnet_model::{Cluster, NsId, WorkloadId, WorkloadKind};

use super::SecondaryAddresses;

/// The allowed connections on the network `addresses` were allocated on,
/// tagged with it, in `running`'s workload ids.
pub fn connections_on(running: &Cluster, addresses: &SecondaryAddresses) -> Vec<Connection> {
    let projected = super::project_with(running, addresses);
    let engine = Engine::new(&projected);
    let list = connlist(&engine);
    let by_key: HashMap<(NsId, &str, &WorkloadKind), WorkloadId> = running
        .workload_ids()
        .map(|w| {
            let wl = running.workload(w);
            ((wl.namespace, wl.name.as_str(), &wl.kind), w)
        })
        .collect();
    let map = |peer: PeerRef| -> Option<PeerRef> {
        match peer {
            PeerRef::Workload(w) => {
                let wl = projected.workload(w);
                by_key
                    .get(&(wl.namespace, wl.name.as_str(), &wl.kind))
                    .map(|&r| PeerRef::Workload(r))
            }
            other => Some(other),
        }
    };
    let name = addresses.network.to_string();
    list.connections
        .into_iter()
        .filter_map(|c| {
            Some(Connection {
                src: map(c.src)?,
                dst: map(c.dst)?,
                conns: c.conns,
                network: Some(name.clone()),
            })
        })
        .collect()
}
