//! Service addresses: ClusterIPs from the service CIDRs and NodePorts from
//! 30000-32767, as the API server's allocators hand them out. Both
//! allocators prefer an upper band for dynamic allocation and leave the
//! lower band to addresses users pick (KEP-3070 for ClusterIPs: the lower
//! min(max(16, size/16), 256) addresses; KEP-3668 for NodePorts: the lower
//! min(max(16, size/32), 128) ports). podnet hands out the upper band in
//! order of namespace and name, so every run gives the same answer.
//! The first address belongs to `default/kubernetes`; the DNS Service
//! (`kube-system/kube-dns`) gets the tenth, as kubeadm, RKE2 and EKS do.

use std::collections::HashMap;
use std::net::IpAddr;

use podnet_model::{Cluster, Profile, ServiceType};

use crate::addr::{nth, offset, size};
use crate::issue::{Found, Issue, ServiceFound};

/// The default `--service-node-port-range`.
pub const NODE_PORT_RANGE: (u16, u16) = (30000, 32767);

/// Namespace and name of the API server's Service.
pub const API_SERVICE: (&str, &str) = ("default", "kubernetes");

/// Namespace and name of the cluster DNS Service.
pub const DNS_SERVICE: (&str, &str) = ("kube-system", "kube-dns");

/// Addresses and ports of every Service.
#[derive(Clone, Debug, Default)]
pub struct ServiceAddresses {
    /// Per Service, its ClusterIPs (empty for headless and ExternalName).
    pub cluster_ips: Vec<Vec<IpAddr>>,
    /// Per Service, per port, its NodePort.
    pub node_ports: Vec<Vec<Option<u16>>>,
    /// The cluster DNS address.
    pub dns_ip: Option<IpAddr>,
    /// The `default/kubernetes` address.
    pub api_ip: Option<IpAddr>,
}

fn band(total: u128, div: u128, cap: u128) -> u128 {
    (total / div).clamp(16, cap).min(total)
}

/// Allocates ClusterIPs and NodePorts.
pub fn allocate(cluster: &Cluster, profile: &Profile, issues: &mut Vec<Issue>) -> ServiceAddresses {
    let n = cluster.services.len();
    let mut out = ServiceAddresses {
        cluster_ips: vec![Vec::new(); n],
        node_ports: cluster
            .services
            .iter()
            .map(|s| vec![None; s.ports.len()])
            .collect(),
        dns_ip: None,
        api_ip: None,
    };
    let Some(primary) = profile.service_cidrs.first().copied() else {
        return out;
    };
    out.api_ip = nth(&primary, 1);
    out.dns_ip = nth(&primary, 10);
    let mut taken: HashMap<IpAddr, usize> = HashMap::new();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| {
        let s = &cluster.services[i];
        (
            cluster.namespace(s.namespace).name.clone(),
            s.meta.name.clone(),
        )
    });
    // Addresses the manifests fix come first.
    for &i in &order {
        let s = &cluster.services[i];
        let what = format!("Service {}", s.meta.qualified_name());
        for ip in &s.cluster_ips {
            let Some(cidr) = profile.service_cidrs.iter().find(|c| c.contains(ip)) else {
                issues.push(
                    Issue::error(Found::Service(ServiceFound::ClusterIpOutside {
                        ip: *ip,
                        service: s.meta.qualified_name(),
                        cidrs: profile.service_cidrs.clone(),
                    }))
                    .at(what.clone(), Some(&s.meta.source)),
                );
                continue;
            };
            if offset(cidr, *ip) == Some(0) {
                issues.push(
                    Issue::error(Found::Service(ServiceFound::ClusterIpNetwork {
                        ip: *ip,
                        service: s.meta.qualified_name(),
                        cidr: *cidr,
                    }))
                    .at(what.clone(), Some(&s.meta.source)),
                );
                continue;
            }
            if let Some(&other) = taken.get(ip) {
                issues.push(
                    Issue::error(Found::Service(ServiceFound::ClusterIpTaken {
                        ip: *ip,
                        service: s.meta.qualified_name(),
                        other: cluster.services[other].meta.qualified_name(),
                    }))
                    .at(what.clone(), Some(&s.meta.source)),
                );
                continue;
            }
            taken.insert(*ip, i);
            out.cluster_ips[i].push(*ip);
        }
    }
    // The primary range first, then the other ranges of its family
    // (ServiceCIDR objects, KEP-1880): the API server's allocator tries
    // every range of the family until one has a free address
    // (`MetaAllocator.AllocateNextService`); podnet keeps input order.
    let mut ranges: Vec<(ipnet::IpNet, u128)> = profile
        .service_cidrs
        .iter()
        .filter(|c| c.network().is_ipv4() == primary.network().is_ipv4())
        .map(|c| (*c, band(size(c), 16, 256)))
        .collect();
    for &i in &order {
        let s = &cluster.services[i];
        if s.headless || s.service_type == ServiceType::ExternalName || !s.cluster_ips.is_empty() {
            continue;
        }
        // The conventional addresses: the API server's own Service holds
        // the first, the cluster DNS the tenth.
        let ns = cluster.namespace(s.namespace).name.as_str();
        let conventional = match (ns, s.meta.name.as_str()) {
            API_SERVICE => out.api_ip,
            DNS_SERVICE => out.dns_ip,
            _ => None,
        };
        let ip = match conventional {
            Some(ip) if !taken.contains_key(&ip) => Some(ip),
            _ => ranges.iter_mut().find_map(|(cidr, cursor)| {
                let total = size(cidr);
                loop {
                    if *cursor + 1 >= total {
                        break None;
                    }
                    let candidate = nth(cidr, *cursor);
                    *cursor += 1;
                    match candidate {
                        Some(ip)
                            if !taken.contains_key(&ip)
                                && Some(ip) != out.dns_ip
                                && Some(ip) != out.api_ip =>
                        {
                            break Some(ip);
                        }
                        Some(_) => {}
                        None => break None,
                    }
                }
            }),
        };
        match ip {
            Some(ip) => {
                taken.insert(ip, i);
                out.cluster_ips[i].push(ip);
            }
            None => issues.push(
                Issue::error(Found::Service(ServiceFound::CidrsExhausted {
                    cidrs: ranges.iter().map(|(c, _)| *c).collect(),
                    service: s.meta.qualified_name(),
                }))
                .at(
                    format!("Service {}", s.meta.qualified_name()),
                    Some(&s.meta.source),
                ),
            ),
        }
    }
    if let Some(dns) = out.dns_ip
        && let Some(&holder) = taken.get(&dns)
    {
        let s = &cluster.services[holder];
        let ns = &cluster.namespace(s.namespace).name;
        if (ns.as_str(), s.meta.name.as_str()) != DNS_SERVICE {
            issues.push(
                Issue::warning(Found::Service(ServiceFound::DnsAddressHeld {
                    service: s.meta.qualified_name(),
                    dns,
                }))
                .at(
                    format!("Service {}", s.meta.qualified_name()),
                    Some(&s.meta.source),
                ),
            );
        }
    }
    node_ports(cluster, &order, &mut out, issues);
    out
}

fn node_ports(
    cluster: &Cluster,
    order: &[usize],
    out: &mut ServiceAddresses,
    issues: &mut Vec<Issue>,
) {
    let (lo, hi) = NODE_PORT_RANGE;
    // One allocator for every protocol (the API server's port bitmap); a
    // Service may use a port again only for another protocol of its own.
    let mut taken: HashMap<u16, usize> = HashMap::new();
    let wants = |i: usize| {
        let s = &cluster.services[i];
        match s.service_type {
            ServiceType::NodePort => true,
            ServiceType::LoadBalancer => !s.load_balancer.no_node_ports,
            _ => false,
        }
    };
    for &i in order {
        let s = &cluster.services[i];
        for (k, p) in s.ports.iter().enumerate() {
            let Some(np) = p.node_port else { continue };
            let what = format!("Service {}", s.meta.qualified_name());
            if !(lo..=hi).contains(&np) {
                issues.push(
                    Issue::warning(Found::Service(ServiceFound::NodePortOutside {
                        port: np,
                        service: s.meta.qualified_name(),
                        range: (lo, hi),
                    }))
                    .at(what.clone(), Some(&s.meta.source)),
                );
            }
            if let Some(&other) = taken.get(&np).filter(|&&o| o != i) {
                issues.push(
                    Issue::error(Found::Service(ServiceFound::NodePortTaken {
                        port: np,
                        protocol: p.protocol,
                        service: s.meta.qualified_name(),
                        other: cluster.services[other].meta.qualified_name(),
                    }))
                    .at(what, Some(&s.meta.source)),
                );
                continue;
            }
            taken.insert(np, i);
            out.node_ports[i][k] = Some(np);
        }
    }
    let span = u128::from(hi - lo) + 1;
    let mut next = lo + u16::try_from(band(span, 32, 128)).unwrap_or(128);
    for &i in order {
        if !wants(i) {
            continue;
        }
        let s = &cluster.services[i];
        for (k, p) in s.ports.iter().enumerate() {
            if p.node_port.is_some() {
                continue;
            }
            while next <= hi && taken.contains_key(&next) {
                next += 1;
            }
            if next > hi {
                issues.push(
                    Issue::error(Found::Service(ServiceFound::NodePortsExhausted {
                        range: (lo, hi),
                        service: s.meta.qualified_name(),
                        port: p.port,
                    }))
                    .at(
                        format!("Service {}", s.meta.qualified_name()),
                        Some(&s.meta.source),
                    ),
                );
                continue;
            }
            taken.insert(next, i);
            out.node_ports[i][k] = Some(next);
            next += 1;
        }
    }
}
