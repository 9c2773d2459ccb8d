//! `ipam` in text and JSON (`podnet.ipam/v1`, docs/ipam-json.md): the
//! profile's ranges, every node's block and its use, static pools, Service
//! addresses and NodePorts, and load-balancer addresses.

use std::io::{self, Write};

use podnet_dataplane::lb::LbAddress;

use crate::lb::problems_text;
use podnet_dataplane::{AddressOrigin, Dataplane, NodeOrigin};
use podnet_model::{PoolFlavor, ServiceType};
use serde::Serialize;

/// The JSON schema id.
pub const IPAM_SCHEMA: &str = "podnet.ipam/v1";

#[derive(Serialize)]
struct IpamJson {
    schema: &'static str,
    profile: ProfileJson,
    nodes: Vec<NodeJson>,
    pools: Vec<PoolJson>,
    services: ServicesJson,
    load_balancers: Vec<LbJson>,
    unaddressed_pods: Vec<String>,
    unplaced_pods: Vec<UnplacedJson>,
}

#[derive(Serialize)]
struct UnplacedJson {
    pod: String,
    reason: String,
}

#[derive(Serialize)]
struct ProfileJson {
    name: String,
    preset: &'static str,
    cluster_cidrs: Vec<String>,
    node_mask_ipv4: u8,
    node_mask_ipv6: u8,
    service_cidrs: Vec<String>,
    cluster_domain: String,
    cni: &'static str,
    kube_proxy: &'static str,
    cluster_cidrs_widened_from: Vec<String>,
}

#[derive(Serialize)]
struct NodeJson {
    name: String,
    internal_ips: Vec<String>,
    blocks: Vec<BlockJson>,
    pods: usize,
    max_pods: u32,
    origin: &'static str,
}

#[derive(Serialize)]
struct BlockJson {
    cidr: String,
    declared: bool,
    used: u128,
    capacity: u128,
}

#[derive(Serialize)]
struct PoolJson {
    name: String,
    kind: &'static str,
    cidr: String,
    vlan: Option<u16>,
    gateway: Option<String>,
    used: usize,
    capacity: u128,
    addresses: Vec<PoolAddressJson>,
}

#[derive(Serialize)]
struct PoolAddressJson {
    ip: String,
    pod: String,
}

#[derive(Serialize)]
struct ServicesJson {
    service_cidrs: Vec<String>,
    dns_ip: Option<String>,
    cluster_ips: Vec<ServiceIpJson>,
}

#[derive(Serialize)]
struct ServiceIpJson {
    service: String,
    #[serde(rename = "type")]
    service_type: &'static str,
    cluster_ips: Vec<String>,
    node_ports: Vec<u16>,
}

#[derive(Serialize)]
struct LbJson {
    service: String,
    controller: Option<String>,
    target_type: Option<&'static str>,
    addresses: Vec<String>,
    pending: Vec<String>,
    targets: Vec<TargetJson>,
}

#[derive(Serialize)]
struct TargetJson {
    target: String,
    port: u16,
    healthy: bool,
    why: Vec<String>,
}

fn type_name(t: ServiceType) -> &'static str {
    match t {
        ServiceType::ClusterIp => "ClusterIP",
        ServiceType::NodePort => "NodePort",
        ServiceType::LoadBalancer => "LoadBalancer",
        ServiceType::ExternalName => "ExternalName",
    }
}

/// Services with their indices, by namespace and name.
fn sorted_services(c: &podnet_model::Cluster) -> Vec<(usize, &podnet_model::Service)> {
    let mut v: Vec<(usize, &podnet_model::Service)> = c.services.iter().enumerate().collect();
    v.sort_by_key(|(_, s)| s.meta.qualified_name());
    v
}

fn build(dp: &Dataplane) -> IpamJson {
    let c = &dp.cluster;
    let p = &dp.profile;
    let strs = |v: &[ipnet::IpNet]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    let mut pods_on = vec![0usize; dp.nodes.len()];
    for pod in &c.pods {
        if let Some(i) = pod
            .node_name
            .as_deref()
            .and_then(|n| dp.nodes.binary_search_by(|x| x.name.as_str().cmp(n)).ok())
        {
            pods_on[i] += 1;
        }
    }
    IpamJson {
        schema: IPAM_SCHEMA,
        profile: ProfileJson {
            name: p.label(),
            preset: p.preset.name(),
            cluster_cidrs: strs(&p.cluster_cidrs),
            node_mask_ipv4: p.node_mask_v4,
            node_mask_ipv6: p.node_mask_v6,
            service_cidrs: strs(&p.service_cidrs),
            cluster_domain: p.cluster_domain.clone(),
            cni: p.cni.name(),
            kube_proxy: p.proxy.name(),
            cluster_cidrs_widened_from: dp
                .assumed
                .widened_cidrs
                .iter()
                .map(|(from, _)| from.to_string())
                .collect(),
        },
        nodes: dp
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| NodeJson {
                name: n.name.clone(),
                internal_ips: n.internal_ips.iter().map(ToString::to_string).collect(),
                blocks: dp
                    .ipam
                    .blocks
                    .iter()
                    .filter(|b| b.node == i)
                    .map(|b| BlockJson {
                        cidr: b.cidr.to_string(),
                        declared: b.declared,
                        used: b.used,
                        capacity: b.capacity,
                    })
                    .collect(),
                pods: pods_on[i],
                max_pods: n.max_pods,
                origin: origin_name(n.origin),
            })
            .collect(),
        pools: dp
            .ipam
            .pools
            .iter()
            .map(|u| {
                let pool = &c.pools[u.pool];
                PoolJson {
                    name: pool.meta.name.clone(),
                    kind: match pool.flavor {
                        PoolFlavor::Calico => "calico",
                        PoolFlavor::Robin => "robin",
                    },
                    cidr: pool.cidr.to_string(),
                    vlan: pool.vlan,
                    gateway: pool.gateway.map(|g| g.to_string()),
                    used: u.used.len(),
                    capacity: u.capacity,
                    addresses: {
                        let mut used = u.used.clone();
                        used.sort();
                        used
                    }
                    .iter()
                    .map(|(ip, pod)| PoolAddressJson {
                        ip: ip.to_string(),
                        pod: c.pod_name(*pod),
                    })
                    .collect(),
                }
            })
            .collect(),
        services: ServicesJson {
            service_cidrs: strs(&p.service_cidrs),
            dns_ip: dp.services.dns_ip.map(|i| i.to_string()),
            cluster_ips: sorted_services(c)
                .into_iter()
                .map(|(i, s)| ServiceIpJson {
                    service: s.meta.qualified_name(),
                    service_type: type_name(s.service_type),
                    cluster_ips: dp.services.cluster_ips[i]
                        .iter()
                        .map(ToString::to_string)
                        .collect(),
                    node_ports: dp.services.node_ports[i]
                        .iter()
                        .flatten()
                        .copied()
                        .collect(),
                })
                .collect(),
        },
        load_balancers: c
            .services
            .iter()
            .zip(&dp.lb)
            .enumerate()
            .filter_map(|(i, (s, a))| {
                let a = a.as_ref()?;
                Some(LbJson {
                    service: s.meta.qualified_name(),
                    controller: a.controller.clone(),
                    target_type: a.target_type.map(|t| t.name()),
                    targets: dp
                        .lb_targets(podnet_model::ServiceId::from_index(i))
                        .into_iter()
                        .map(|t| TargetJson {
                            target: t.target,
                            port: t.port,
                            healthy: t.healthy,
                            why: problems_text(&t.problems),
                        })
                        .collect(),
                    addresses: a
                        .addresses
                        .iter()
                        .map(|x| match x {
                            LbAddress::Ip(ip) => ip.to_string(),
                            LbAddress::Hostname(h) => h.clone(),
                        })
                        .collect(),
                    pending: a.pending.clone(),
                })
            })
            .collect(),
        unaddressed_pods: c
            .pod_ids()
            .filter(|&id| {
                matches!(
                    dp.ipam.origins[id.index()],
                    AddressOrigin::Unassigned | AddressOrigin::Undeclared
                )
            })
            .map(|id| c.pod_name(id))
            .collect(),
        unplaced_pods: dp
            .unplaced
            .iter()
            .map(|u| UnplacedJson {
                pod: c.pod_name(u.pod),
                reason: u.failure.to_string(),
            })
            .collect(),
    }
}

/// How `origin` spells where a node comes from.
fn origin_name(o: NodeOrigin) -> &'static str {
    match o {
        NodeOrigin::Object => "object",
        NodeOrigin::Profile => "profile",
        NodeOrigin::Assumed => "assumed",
        NodeOrigin::NamedByPod => "named-by-pod",
    }
}

/// Writes `ipam` for people.
pub fn write_text(out: &mut dyn Write, dp: &Dataplane) -> io::Result<()> {
    let j = build(dp);
    let p = &j.profile;
    let name = if p.name.starts_with("preset ") {
        format!("{} (no ClusterProfile given)", p.name)
    } else {
        format!("{} (preset {})", p.name, p.preset)
    };
    writeln!(
        out,
        "profile {name}: cni {}, kube-proxy {}, cluster domain {}",
        p.cni, p.kube_proxy, p.cluster_domain
    )?;
    let widened = if p.cluster_cidrs_widened_from.is_empty() {
        String::new()
    } else {
        format!(
            " (assumed: widened from {} to give every node a block)",
            p.cluster_cidrs_widened_from.join(", ")
        )
    };
    writeln!(
        out,
        "  cluster CIDRs {}{widened} (node blocks /{} IPv4, /{} IPv6); service CIDRs {}",
        p.cluster_cidrs.join(", "),
        p.node_mask_ipv4,
        p.node_mask_ipv6,
        p.service_cidrs.join(", ")
    )?;
    let assumed = j.nodes.iter().filter(|n| n.origin == "assumed").count();
    if assumed > 0 {
        writeln!(
            out,
            "nodes ({}, {assumed} assumed: the inputs declare none):",
            j.nodes.len()
        )?;
    } else {
        writeln!(out, "nodes ({}):", j.nodes.len())?;
    }
    for n in &j.nodes {
        let blocks: Vec<String> = n
            .blocks
            .iter()
            .map(|b| {
                format!(
                    "{} {}/{} used{}",
                    b.cidr,
                    b.used,
                    b.capacity,
                    if b.declared { " (spec.podCIDR)" } else { "" }
                )
            })
            .collect();
        writeln!(
            out,
            "  {:<24} {:<16} pods {:>4}/{:<4} {}{}",
            n.name,
            n.internal_ips.first().map_or("-", String::as_str),
            n.pods,
            n.max_pods,
            if blocks.is_empty() {
                "no pod block".to_owned()
            } else {
                blocks.join(", ")
            },
            match n.origin {
                "assumed" => " (assumed)",
                "named-by-pod" => " (only named by pods)",
                _ => "",
            }
        )?;
    }
    if !j.pools.is_empty() {
        writeln!(out, "static pools ({}):", j.pools.len())?;
        for pool in &j.pools {
            writeln!(
                out,
                "  {:<24} {:<8} {:<18} vlan {:<5} used {}/{}",
                pool.name,
                pool.kind,
                pool.cidr,
                pool.vlan.map_or("-".to_owned(), |v| v.to_string()),
                pool.used,
                pool.capacity
            )?;
            for a in &pool.addresses {
                writeln!(out, "    {:<18} {}", a.ip, a.pod)?;
            }
        }
    }
    writeln!(
        out,
        "services: {} in {} (cluster DNS {})",
        j.services.cluster_ips.len(),
        j.services.service_cidrs.join(", "),
        j.services.dns_ip.as_deref().unwrap_or("-")
    )?;
    for s in &j.services.cluster_ips {
        let ports: Vec<String> = s.node_ports.iter().map(ToString::to_string).collect();
        writeln!(
            out,
            "  {:<40} {:<12} {:<16}{}",
            s.service,
            s.service_type,
            if s.cluster_ips.is_empty() {
                "None".to_owned()
            } else {
                s.cluster_ips.join(",")
            },
            if ports.is_empty() {
                String::new()
            } else {
                format!(" nodePorts {}", ports.join(","))
            }
        )?;
    }
    if !j.load_balancers.is_empty() {
        writeln!(out, "load balancers:")?;
        for lb in &j.load_balancers {
            if lb.addresses.is_empty() {
                writeln!(out, "  {:<40} <pending>", lb.service)?;
                for why in &lb.pending {
                    writeln!(out, "    because {why}")?;
                }
            } else {
                writeln!(
                    out,
                    "  {:<40} {} ({}{})",
                    lb.service,
                    lb.addresses.join(", "),
                    lb.controller.as_deref().unwrap_or("-"),
                    lb.target_type
                        .map(|t| format!(", {t} targets"))
                        .unwrap_or_default()
                )?;
                for t in &lb.targets {
                    writeln!(
                        out,
                        "    target {}:{} {}",
                        t.target,
                        t.port,
                        if t.healthy { "healthy" } else { "UNHEALTHY" }
                    )?;
                    for why in &t.why {
                        writeln!(out, "      because {why}")?;
                    }
                }
            }
        }
    }
    if !j.unaddressed_pods.is_empty() {
        writeln!(
            out,
            "pods without an address ({}):",
            j.unaddressed_pods.len()
        )?;
        for p in &j.unaddressed_pods {
            writeln!(out, "  {p}")?;
        }
    }
    if !j.unplaced_pods.is_empty() {
        writeln!(out, "pods on no node ({}):", j.unplaced_pods.len())?;
        for u in &j.unplaced_pods {
            writeln!(out, "  {}: {}", u.pod, u.reason)?;
        }
    }
    Ok(())
}

/// Writes `podnet.ipam/v1`.
pub fn write_json(out: &mut dyn Write, dp: &Dataplane) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &build(dp)).map_err(io::Error::other)?;
    writeln!(out)
}
