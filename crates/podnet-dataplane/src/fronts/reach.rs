//! Which routed backends a front actually reaches: the front's pods open a
//! new TCP connection to each backend pod on its target port, so both the
//! front's egress policies and the backend's ingress policies decide, as
//! for any pod-to-pod connection (the verdict is the engine's). An ALB
//! connects from an address of its subnets; podnet asks for the first
//! address AWS hands out in each (the fifth: AWS reserves four).

use std::collections::{BTreeMap, HashMap};

use std::net::IpAddr;

use ipnet::IpNet;
use podnet_engine::semantics::evaluate;
use podnet_engine::{Endpoint, Engine};
use podnet_model::{Conns, PortSet, WorkloadId};

use super::{Front, FrontKind, Route};

/// What a front may open to one workload, and through which routes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrontConnection {
    /// The front.
    pub front: FrontKind,
    /// The backend workload.
    pub dst: WorkloadId,
    /// Target ports policy allows (TCP).
    pub conns: Conns,
    /// Indexes into the routes of the routes that lead here, allowed or not.
    pub routes: Vec<usize>,
}

/// For each front and backend workload, the routed target ports its pods
/// may open; workloads routed to but unreachable appear with empty `conns`.
pub fn connections(
    engine: &Engine<'_>,
    fronts: &[Front],
    routes: &[Route],
) -> Vec<FrontConnection> {
    let cluster = engine.cluster();
    let mut per_workload: BTreeMap<(FrontKind, WorkloadId), (Conns, Vec<usize>)> = BTreeMap::new();
    let mut pair_cache: HashMap<(usize, usize, bool), Conns> = HashMap::new();
    for (front_index, front) in fronts.iter().enumerate() {
        let sources: Vec<usize> = {
            let mut ids: Vec<usize> = front.pods.iter().map(|p| engine.identity_of(*p)).collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        let addresses: Vec<IpAddr> = front.subnets.iter().filter_map(representative).collect();
        for (index, route) in routes.iter().enumerate() {
            if route.weight == 0 || route.front != front_index {
                continue;
            }
            for &(pod, port) in &route.pods {
                let dst = engine.identity_of(pod);
                let wanted = Conns::ports_of(route.protocol, PortSet::single(port));
                let entry = per_workload
                    .entry((front.kind.clone(), cluster.pod(pod).workload))
                    .or_insert_with(|| (Conns::none(), Vec::new()));
                if !entry.1.contains(&index) {
                    entry.1.push(index);
                }
                for &src in &sources {
                    // Traffic from a host-network proxy into its node's
                    // pods is allowed whatever the policies say.
                    let own = engine.identities().from_own_node(src, pod);
                    let allowed = pair_cache
                        .entry((src, dst, own))
                        .or_insert_with(|| engine.pair_to_pod(src, pod));
                    entry.0.add(&allowed.intersection(&wanted));
                }
                for &ip in &addresses {
                    let verdict = evaluate(cluster, Endpoint::External(ip), Endpoint::Pod(pod));
                    entry.0.add(&verdict.conns.intersection(&wanted));
                }
            }
        }
    }
    per_workload
        .into_iter()
        .map(|((front, dst), (conns, routes))| FrontConnection {
            front,
            dst,
            conns,
            routes,
        })
        .collect()
}

/// The address a load balancer in `subnet` gets first: AWS reserves the
/// network address and the next three (the one rule for an ALB's address).
pub fn representative(subnet: &IpNet) -> Option<IpAddr> {
    subnet.hosts().nth(3)
}
