//! PN3002 (NodePort), PN3003/PN3004 (LoadBalancer without/with
//! `loadBalancerSourceRanges`) and PN3007 (`externalIPs`): Services that
//! accept traffic from outside, each port with the workloads and target
//! ports behind it, and whether their ingress policies admit outside
//! addresses there.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use podnet_dataplane::lb::LbAddress;
use podnet_engine::identity::IdentityId;
use podnet_model::{Conns, IpSet, Service, ServiceId, ServiceType, WorkloadId};

use super::pods::external_conns;
use super::{EXTERNAL_IPS, LOAD_BALANCER_OPEN, LOAD_BALANCER_RESTRICTED, NODE_PORT};
use crate::checks::support::{describe_addresses, internet_wide, short_list, workload_display};
use crate::context::Context;
use crate::finding::{Finding, Rule, Subject};
use crate::registry::Check;

/// What one Service port leads to.
struct PortView {
    /// `TCP 80`.
    port: String,
    /// The allocated NodePort, if any.
    node_port: Option<u16>,
    /// `Deployment ns/web TCP 8080`, per backend workload.
    backends: Vec<String>,
    /// Backend workloads whose ingress policies admit outside addresses
    /// on their target port.
    admitted: usize,
}

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
                port: format!("{} {}", port.protocol, port.port),
                node_port: node_ports
                    .and_then(|n| n.get(pi).copied().flatten())
                    .or(port.node_port),
                backends: per_workload
                    .into_iter()
                    .map(|(w, (targets, _))| {
                        let targets: Vec<String> = targets.iter().map(u16::to_string).collect();
                        format!(
                            "{} {} {}",
                            workload_display(cluster, w),
                            port.protocol,
                            targets.join(",")
                        )
                    })
                    .collect(),
                admitted,
            }
        })
        .collect()
}

/// `TCP 80 -> Deployment ns/web TCP 8080` (with the NodePort when asked).
fn describe(view: &PortView, with_node_port: bool) -> String {
    let mut s = view.port.clone();
    if with_node_port && let Some(np) = view.node_port {
        s.push_str(&format!(" (nodePort {np})"));
    }
    if view.backends.is_empty() {
        s.push_str(" -> no ready backend");
    } else {
        s.push_str(&format!(" -> {}", short_list(&view.backends, 3)));
        if view.admitted == 0 {
            s.push_str(" (whose ingress policies admit no outside address there)");
        }
    }
    s
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

/// `on every node (3: 10.0.0.11, ...)`.
fn nodes(ctx: &Context<'_>) -> String {
    let addresses: Vec<String> = ctx
        .dp
        .nodes
        .iter()
        .filter_map(|n| n.external_ips.first().or(n.internal_ips.first()))
        .map(ToString::to_string)
        .collect();
    if addresses.is_empty() {
        return "every node".to_owned();
    }
    format!("every node ({})", short_list(&addresses, 3))
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
            let views = ports(ctx, id, &mut cache);
            let opened: Vec<String> = views
                .iter()
                .filter(|v| v.node_port.is_some())
                .map(|v| describe(v, true))
                .collect();
            if opened.is_empty() {
                continue;
            }
            out.push(Finding::worded(
                &NODE_PORT,
                Subject::of(&svc.meta),
                format!("open on {}: {}", nodes(ctx), opened.join("; ")),
                NODE_PORT.help,
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
            let address = match ctx.dp.lb.get(id.index()).and_then(Option::as_ref) {
                Some(a) if !a.addresses.is_empty() => {
                    let list: Vec<String> = a
                        .addresses
                        .iter()
                        .map(|x| match x {
                            LbAddress::Ip(ip) => ip.to_string(),
                            LbAddress::Hostname(h) => h.clone(),
                        })
                        .collect();
                    list.join(", ")
                }
                _ => "<pending>".to_owned(),
            };
            let ranges = svc
                .load_balancer
                .source_ranges
                .iter()
                .fold(IpSet::empty(), |s, n| s.union(&IpSet::from_net(n)));
            let open = ranges.is_empty() || internet_wide(&ranges);
            let listed: Vec<String> = views.iter().map(|v| describe(v, false)).collect();
            let node_ports: Vec<String> = views
                .iter()
                .filter_map(|v| v.node_port.map(|n| format!("{} on {n}", v.port)))
                .collect();
            let mut message = format!(
                "load balancer {address} {}: {}",
                if open {
                    "accepts every address".to_owned()
                } else {
                    format!("accepts {}", describe_addresses(&ranges))
                },
                listed.join("; ")
            );
            if !svc.load_balancer.no_node_ports && !node_ports.is_empty() {
                message.push_str(&format!(
                    "; node ports open on {}: {}",
                    nodes(ctx),
                    node_ports.join(", ")
                ));
            }
            let (rule, help) = if open {
                (
                    &LOAD_BALANCER_OPEN,
                    if svc.load_balancer.source_ranges.is_empty() {
                        "set spec.loadBalancerSourceRanges to the client ranges, or make the load balancer internal"
                    } else {
                        "narrow spec.loadBalancerSourceRanges to the client ranges"
                    },
                )
            } else {
                (&LOAD_BALANCER_RESTRICTED, LOAD_BALANCER_RESTRICTED.help)
            };
            out.push(Finding::worded(rule, Subject::of(&svc.meta), message, help));
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
            let views = ports(ctx, ServiceId::from_index(i), &mut cache);
            let ips: Vec<String> = svc.external_ips.iter().map(ToString::to_string).collect();
            let listed: Vec<String> = views.iter().map(|v| describe(v, false)).collect();
            out.push(Finding::worded(
                &EXTERNAL_IPS,
                Subject::of(&svc.meta),
                format!(
                    "every node accepts traffic for {}: {}",
                    ips.join(", "),
                    listed.join("; ")
                ),
                EXTERNAL_IPS.help,
            ));
        }
    }
}
