//! The dataplane's objects on assembly: Nodes, Endpoints and
//! EndpointSlices, address pools, ServiceCIDRs, MetalLB pools and the one
//! `ClusterProfile`. They need no namespace ids or pod grouping; they are
//! kept in input order (Nodes sorted by name) and handed to the cluster.
//!
//! MetalLB `IPAddressPool` objects are stored in the profile: appended to
//! the `ClusterProfile`'s `metallb` pools when the input has one, else in a
//! profile that sets only `metallb` (with no `meta`), so that the rest is
//! the preset's.

use podnet_model::{
    AddressPool, Cluster, IpPool, Node, PoolFlavor, ProfileSpec, ServiceCidr, Source,
};

use super::records::{RawEndpoints, Record};

/// A record's identity: namespace (empty when cluster-scoped), kind, name.
pub type Key = (String, String, String);

/// The dataplane records read so far.
#[derive(Default)]
pub struct Store {
    nodes: Vec<Node>,
    endpoints: Vec<RawEndpoints>,
    pools: Vec<IpPool>,
    service_cidrs: Vec<ServiceCidr>,
    address_pools: Vec<AddressPool>,
    profile: Option<ProfileSpec>,
}

fn pool_kind(p: &IpPool) -> &'static str {
    match p.flavor {
        PoolFlavor::Calico => "Calico IPPool",
        PoolFlavor::Robin => "Robin IPPool",
    }
}

/// The key and source of a dataplane record (`None` for other records and
/// for the profile, which is never replaced).
pub fn key(record: &Record) -> Option<(Key, &Source)> {
    match record {
        Record::Node(n) => Some((
            (String::new(), "Node".into(), n.meta.name.clone()),
            &n.meta.source,
        )),
        Record::Endpoints(e) => Some((
            (e.namespace.clone(), e.kind.into(), e.name.clone()),
            &e.source,
        )),
        Record::Pool(p) => Some((
            (String::new(), pool_kind(p).into(), p.meta.name.clone()),
            &p.meta.source,
        )),
        Record::ServiceCidr(s) => Some((
            (String::new(), "ServiceCIDR".into(), s.meta.name.clone()),
            &s.meta.source,
        )),
        Record::AddressPool(p) => p.meta.as_ref().map(|m| {
            (
                (
                    m.namespace.clone().unwrap_or_default(),
                    "IPAddressPool".into(),
                    m.name.clone(),
                ),
                &m.source,
            )
        }),
        _ => None,
    }
}

impl Store {
    /// The profile already read, if any.
    pub fn profile(&self) -> Option<&ProfileSpec> {
        self.profile.as_ref()
    }

    /// Keeps a dataplane record; gives other records back.
    pub fn add(&mut self, record: Record) -> Option<Record> {
        match record {
            Record::Node(n) => self.nodes.push(n),
            Record::Endpoints(e) => self.endpoints.push(e),
            Record::Pool(p) => self.pools.push(p),
            Record::ServiceCidr(s) => self.service_cidrs.push(s),
            Record::AddressPool(p) => self.address_pools.push(p),
            Record::Profile(p) => self.profile = Some(p),
            other => return Some(other),
        }
        None
    }

    /// Puts everything into `cluster`.
    pub fn finish(self, cluster: &mut Cluster) {
        let Store {
            mut nodes,
            endpoints,
            pools,
            service_cidrs,
            address_pools,
            mut profile,
        } = self;
        nodes.sort_by(|a, b| a.meta.name.cmp(&b.meta.name));
        cluster.nodes = nodes;
        cluster.endpoints = endpoints.into_iter().flat_map(|e| e.sets).collect();
        cluster.pools = pools;
        cluster.service_cidrs = service_cidrs;
        if !address_pools.is_empty() {
            let p = profile.get_or_insert_with(ProfileSpec::default);
            p.metallb.get_or_insert_with(Vec::new).extend(address_pools);
        }
        cluster.profile = profile;
    }
}
