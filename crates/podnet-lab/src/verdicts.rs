//! The engine's answers the lab is built from and checked against: for each
//! ordered pair of lab pods, what the source's egress allows towards the
//! destination, what the destination's ingress allows from the source (the
//! readable spec, [`podnet_engine::semantics::evaluate`], side by side), and
//! what the connection gets from the fast path ([`podnet_engine::Engine`]).
//! The nftables rules are compiled from the sides; the probes expect the
//! fast path's answer, so the lab also cross-checks the two.

use std::net::Ipv4Addr;

use podnet_dataplane::Dataplane;
use podnet_engine::semantics::evaluate;
use podnet_engine::{Endpoint, Engine};
use podnet_model::{Conns, PodId};

/// Verdicts between the lab's pods.
#[derive(Clone, Debug, Default)]
pub struct Verdicts {
    /// The lab's pods: not host-network, with an IPv4 address and a node.
    pub pods: Vec<PodId>,
    /// Per ordered pair (`src * n + dst`), what `src`'s egress allows to `dst`.
    pub egress: Vec<Conns>,
    /// Per ordered pair, what `dst`'s ingress allows from `src`.
    pub ingress: Vec<Conns>,
    /// Per ordered pair, what the connection gets (the fast path).
    pub expected: Vec<Conns>,
}

impl Verdicts {
    /// Asks the engine about every ordered pair of the lab's pods.
    pub fn compute(dp: &Dataplane) -> Verdicts {
        let cluster = &dp.cluster;
        let pods: Vec<PodId> = cluster
            .pod_ids()
            .filter(|&p| lab_address(dp, p).is_some())
            .collect();
        let engine = Engine::new(cluster);
        let n = pods.len();
        let mut v = Verdicts {
            pods,
            egress: Vec::with_capacity(n * n),
            ingress: Vec::with_capacity(n * n),
            expected: Vec::with_capacity(n * n),
        };
        for &src in &v.pods {
            let si = engine.identity_of(src);
            for &dst in &v.pods {
                let verdict = evaluate(cluster, Endpoint::Pod(src), Endpoint::Pod(dst));
                v.egress.push(verdict.egress.allowed);
                v.ingress.push(verdict.ingress.allowed);
                v.expected.push(engine.pair_to_pod(si, dst));
            }
        }
        v
    }

    /// The index of the pair (`src`, `dst`), both lab pod indices.
    pub fn at(&self, src: usize, dst: usize) -> usize {
        src * self.pods.len() + dst
    }
}

/// The IPv4 address a pod gets in the lab: its first IPv4 address, when it
/// has its own network namespace (not host-network) and a node.
pub fn lab_address(dp: &Dataplane, pod: PodId) -> Option<Ipv4Addr> {
    let p = dp.cluster.pod(pod);
    if p.host_network || p.node_name.is_none() {
        return None;
    }
    p.ips.iter().find_map(|ip| match ip {
        std::net::IpAddr::V4(v4) => Some(*v4),
        std::net::IpAddr::V6(_) => None,
    })
}
