//! The whole connection list of a running cluster: the engine's workload and
//! outside rows on the pod network, the rows of the fronts (ingress
//! controller, ALB, Gateways) in place of the proxies podnet added, and
//! the rows of every Multus network (or only the networks asked for).

use podnet_engine::{ConnList, Engine, connlist};
use podnet_model::NetworkRef;

use crate::{Dataplane, fronts, networks};

/// Which networks to list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Networks {
    /// The pod network and every secondary network.
    All,
    /// Only the pod network.
    PodNetwork,
    /// Only this secondary network.
    Secondary(NetworkRef),
}

impl Dataplane {
    /// Every secondary network, as references.
    pub fn network_refs(&self) -> Vec<NetworkRef> {
        self.secondary.iter().map(|s| s.network.clone()).collect()
    }

    /// The allowed connections on `which` networks; `engine` is built on
    /// `self.cluster`.
    pub fn connlist(&self, engine: &Engine<'_>, which: &Networks) -> ConnList {
        let mut list = ConnList::default();
        if matches!(which, Networks::All | Networks::PodNetwork) {
            list = connlist(engine);
            let reached = fronts::connections(engine, &self.fronts, &self.routes);
            fronts::add_to_connlist(&mut list, &self.fronts, &reached);
        }
        for addresses in self.secondary.iter().filter(|s| match which {
            Networks::All => true,
            Networks::PodNetwork => false,
            Networks::Secondary(n) => s.network == *n,
        }) {
            list.connections
                .extend(networks::connections_on(&self.cluster, addresses));
        }
        list.sort();
        list
    }
}
