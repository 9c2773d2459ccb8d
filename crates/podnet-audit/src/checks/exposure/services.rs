//! PN3002 (NodePort), PN3003/PN3004 (LoadBalancer without/with
//! `loadBalancerSourceRanges`) and PN3007 (`externalIPs`): Services that
//! accept traffic from outside, each port with the workloads and target
//! ports behind it, and whether their ingress policies admit outside
//! addresses there.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

use podnet_engine::identity::IdentityId;
use podnet_model::{Conns, IpSet, Service, ServiceId, ServiceType, WorkloadId};

use super::pods::external_conns;
use super::{EXTERNAL_IPS, LOAD_BALANCER_OPEN, LOAD_BALANCER_RESTRICTED, NODE_PORT};
use crate::checks::support::internet_wide;
use crate::context::Context;
use crate::finding::{Finding, Rule, Subject};
use crate::found::{ExposureFound, Found, Object, PortView};
use crate::registry::Check;

/// Every port of a Service, resolved.
fn ports(
    ctx: &Context<'_>,
    id: ServiceId,
    cache: &mut HashMap<IdentityId, Conns>,
) -> Vec<PortView> {
    let cluster = ctx.cluster();
    let svc = &cluster.services[id.index()];
    let backends = ctx.dp.backends(id);
    let node_ports = ctx.dp.services.node_ports.get(id.index());
    svc.ports
        .iter()
        .enumerate()
        .map(|(pi, port)| {
            let mut per_workload: BTreeMap<WorkloadId, (BTreeSet<u16>, bool)> = BTreeMap::new();
            for b in backends.get(pi).into_iter().flatten().filter(|b| b.serving) {
                let Some(pod) = b.pod else { continue };
                let identity = ctx.engine.identity_of(pod);
                let conns = cache
                    .entry(identity)
                    .or_insert_with(|| external_conns(ctx, identity));
                let entry = per_workload.entry(cluster.pod(pod).workload).or_default();
                entry.0.insert(b.port);
                entry.1 |= conns.allows(port.protocol, b.port);
            }
            let admitted = per_workload.values().filter(|(_, ok)| *ok).count();
            PortView {
                protocol: port.protocol,
                port: port.port,
                node_port: node_ports
                    .and_then(|n| n.get(pi).copied().flatten())
                    .or(port.node_port),
                backends: per_workload
                    .into_iter()
                    .map(|(w, (targets, _))| {
                        (Object::workload(cluster, w), targets.into_iter().collect())
                    })
                    .collect(),
                admitted,
            }
        })
        .collect()
}

fn services_of<'c>(
    ctx: &Context<'c>,
    kind: ServiceType,
) -> impl Iterator<Item = (ServiceId, &'c Service)> + use<'c> {
    ctx.cluster()
        .services
        .iter()
        .enumerate()
        .filter(move |(_, s)| s.service_type == kind)
        .map(|(i, s)| (ServiceId::from_index(i), s))
}

/// One address per node: its first external address, else its first
/// internal one.
fn nodes(ctx: &Context<'_>) -> Vec<IpAddr> {
    ctx.dp
        .nodes
        .iter()
        .filter_map(|n| n.external_ips.first().or(n.internal_ips.first()))
        .copied()
        .collect()
}

/// PN3002.
pub struct NodePorts;

impl Check for NodePorts {
    fn rules(&self) -> &'static [Rule] {
        &[NODE_PORT]
    }

    fn run(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let mut cache = HashMap::new();
        for (id, svc) in services_of(ctx, ServiceType::NodePort) {
            let opened: Vec<PortView> = ports(ctx, id, &mut cache)
                .into_iter()
                .filter(|v| v.node_port.is_some())
                .collect();
            if opened.is_empty() {
                continue;
            }
            out.push(Finding::new(
                &NODE_PORT,
                Subject::of(&svc.meta),
                Found::Exposure(ExposureFound::NodePort {
                    nodes: nodes(ctx),
                    ports: opened,
                }),
            ));
        }
    }
}

/// PN3003 and PN3004.
pub struct LoadBalancers;

impl Check for LoadBalancers {
    fn rules(&self) -> &'static [Rule] {
        &[LOAD_BALANCER_OPEN, LOAD_BALANCER_RESTRICTED]
    }

    fn run(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let mut cache = HashMap::new();
        for (id, svc) in services_of(ctx, ServiceType::LoadBalancer) {
            let views = ports(ctx, id, &mut cache);
            let addresses = ctx
                .dp
                .lb
                .get(id.index())
                .and_then(Option::as_ref)
                .map(|a| a.addresses.clone())
                .unwrap_or_default();
            let ranges = svc
                .load_balancer
                .source_ranges
                .iter()
                .fold(IpSet::empty(), |s, n| s.union(&IpSet::from_net(n)));
            let open = ranges.is_empty() || internet_wide(&ranges);
            let rule = if open {
                &LOAD_BALANCER_OPEN
            } else {
                &LOAD_BALANCER_RESTRICTED
            };
            out.push(Finding::new(
                rule,
                Subject::of(&svc.meta),
                Found::Exposure(ExposureFound::LoadBalancer {
                    addresses,
                    open,
                    ranges,
                    declares_ranges: !svc.load_balancer.source_ranges.is_empty(),
                    ports: views,
                    node_ports: !svc.load_balancer.no_node_ports,
                    nodes: nodes(ctx),
                }),
            ));
        }
    }
}

/// PN3007.
pub struct ExternalIps;

impl Check for ExternalIps {
    fn rules(&self) -> &'static [Rule] {
        &[EXTERNAL_IPS]
    }

    fn run(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let mut cache = HashMap::new();
        for (i, svc) in ctx.cluster().services.iter().enumerate() {
            if svc.external_ips.is_empty() {
                continue;
            }
            out.push(Finding::new(
                &EXTERNAL_IPS,
                Subject::of(&svc.meta),
                Found::Exposure(ExposureFound::ExternalIps {
                    ips: svc.external_ips.clone(),
                    ports: ports(ctx, ServiceId::from_index(i), &mut cache),
                }),
            ));
        }
    }
}
