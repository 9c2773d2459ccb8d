//! PN4005 (a static address taken twice) and PN4006 (a static address on a
//! gateway, reserved, network or broadcast address): the addresses pods ask
//! for by name (Calico `ipAddrs`, Robin `staticip`, Multus `ips`) or report
//! (`status.podIPs`), checked against each other and against what their
//! pools and networks keep back (`ipam::reserved_in`).

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;
use podnet_dataplane::ipam::reserved_in;
use podnet_dataplane::{AddressOrigin, Dataplane};
use podnet_model::{AddressRequest, CniIpam, NetworkRef, PodId};

use super::{DUPLICATE_STATIC, RESERVED_ASSIGNED, pod_subject};
use crate::finding::Finding;
use crate::found::{Found, IpamFound, NetworkReserved, Reserved};

/// Where a static address is asked for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Space {
    /// The pod network (static pools, status addresses).
    Pods,
    /// A secondary network.
    Network(NetworkRef),
}

impl Space {
    /// The secondary network (`ns/name`), if not the pod network.
    fn network(&self) -> Option<String> {
        match self {
            Space::Pods => None,
            Space::Network(n) => Some(n.to_string()),
        }
    }
}

/// Every static address with the pods asking for or reporting it.
fn statics(dp: &Dataplane) -> BTreeMap<(Space, IpAddr), Vec<PodId>> {
    let cluster = &dp.cluster;
    let mut out: BTreeMap<(Space, IpAddr), Vec<PodId>> = BTreeMap::new();
    for id in cluster.pod_ids() {
        let p = cluster.pod(id);
        if p.host_network {
            continue;
        }
        let mut ips: Vec<IpAddr> = Vec::new();
        if dp.ipam.origins[id.index()] == AddressOrigin::Status {
            ips.extend(&p.ips);
        } else if let Some(AddressRequest::Static(requested)) = &p.net.address_request {
            ips.extend(requested);
        }
        ips.dedup();
        for ip in ips {
            out.entry((Space::Pods, ip)).or_default().push(id);
        }
        let ns = &cluster.namespace(p.namespace).name;
        for s in &p.net.networks {
            for ip in &s.ips {
                out.entry((Space::Network(s.network(ns)), ip.addr()))
                    .or_default()
                    .push(id);
            }
        }
    }
    out
}

/// PN4005.
pub(super) fn duplicates(dp: &Dataplane, out: &mut Vec<Finding>) {
    let cluster = &dp.cluster;
    for ((space, ip), pods) in statics(dp) {
        if pods.len() < 2 {
            continue;
        }
        let first = cluster.pod(pods[0]).workload;
        let one_workload = pods.iter().all(|p| cluster.pod(*p).workload == first);
        let template = (one_workload && cluster.workload(first).pods.len() > 1)
            .then(|| cluster.workload_name(first));
        out.push(Finding::new(
            &DUPLICATE_STATIC,
            pod_subject(cluster, pods[pods.len() - 1]),
            Found::Ipam(IpamFound::DuplicateStatic {
                ip,
                network: space.network(),
                pods: pods.iter().map(|p| cluster.pod_name(*p)).collect(),
                template,
            }),
        ));
    }
}

/// Why a secondary network never hands `net` out, if it does not.
fn kept_back_by_network(ipam: &CniIpam, net: &IpNet) -> Option<NetworkReserved> {
    let ip = net.addr();
    let gateways = ipam
        .gateway
        .iter()
        .chain(
            ipam.ranges
                .iter()
                .flatten()
                .filter_map(|r| r.gateway.as_ref()),
        )
        .chain(ipam.addresses.iter().filter_map(|a| a.gateway.as_ref()))
        .chain(ipam.routes.iter().filter_map(|r| r.gw.as_ref()));
    if gateways.into_iter().any(|g| *g == ip) {
        return Some(NetworkReserved::Gateway);
    }
    if let Some(x) = ipam
        .ranges
        .iter()
        .flatten()
        .flat_map(|r| &r.exclude)
        .find(|x| x.contains(&ip))
    {
        return Some(NetworkReserved::Excluded(*x));
    }
    if ip.is_ipv4() && net.prefix_len() < 31 {
        if ip == net.network() {
            return Some(NetworkReserved::NetworkAddress);
        }
        if ip == net.broadcast() {
            return Some(NetworkReserved::Broadcast);
        }
    }
    None
}

/// PN4006.
pub(super) fn reserved(dp: &Dataplane, out: &mut Vec<Finding>) {
    let cluster = &dp.cluster;
    let node_of = |ip: IpAddr| {
        dp.nodes
            .iter()
            .find(|n| n.internal_ips.contains(&ip) || n.external_ips.contains(&ip))
    };
    for ((space, ip), pods) in statics(dp) {
        let mut why: Option<Reserved> = cluster
            .pools
            .iter()
            .find_map(|p| reserved_in(p, ip).map(|w| Reserved::Pool(w, p.meta.name.clone())));
        if why.is_none()
            && space == Space::Pods
            && let Some(n) = node_of(ip)
        {
            why = Some(Reserved::Node(n.name.clone()));
        }
        if why.is_none()
            && let Space::Network(network) = &space
        {
            let nad = cluster.networks.iter().find(|n| network.is(n));
            let ipam = nad.and_then(|n| n.config.ipam.as_ref());
            let requested = pods.iter().find_map(|p| {
                let pod = cluster.pod(*p);
                let ns = &cluster.namespace(pod.namespace).name;
                pod.net
                    .networks
                    .iter()
                    .filter(|s| s.network(ns) == *network)
                    .flat_map(|s| &s.ips)
                    .find(|n| n.addr() == ip)
                    .copied()
            });
            if let (Some(ipam), Some(net)) = (ipam, requested) {
                why = kept_back_by_network(ipam, &net)
                    .map(|w| Reserved::Network(w, network.to_string()));
            }
        }
        let Some(why) = why else {
            continue;
        };
        for p in &pods {
            out.push(Finding::new(
                &RESERVED_ASSIGNED,
                pod_subject(cluster, *p),
                Found::Ipam(IpamFound::ReservedAssigned {
                    pod: cluster.pod_name(*p),
                    ip,
                    network: space.network(),
                    why: why.clone(),
                }),
            ));
        }
    }
}
