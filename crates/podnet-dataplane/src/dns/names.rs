//! Which names exist in the cluster zone and what each one is, as the
//! Kubernetes DNS-Based Service Discovery specification (kubernetes/dns
//! `docs/specification.md`, schema 1.1.0) defines them, plus the pod names
//! of CoreDNS's `pods` option:
//!
//! * 2.2 `dns-version.<zone>`; the zone apex itself (RFC 1034 §4.2.1).
//! * 2.3.1 `<svc>.<ns>.svc.<zone>` of a ClusterIP Service: exists whether or
//!   not the Service has endpoints.
//! * 2.4.1 the same name for a headless Service: exists while it has a
//!   ready endpoint ("If there are no ready endpoints for the headless
//!   Service, the answer should be NXDOMAIN"); and `<hostname>.<svc>.<ns>.
//!   svc.<zone>` for each ready endpoint, named by its `hostname` or, when it
//!   has none, by a unique system-assigned label (the dashed address, as
//!   CoreDNS assigns it).
//! * 2.3.2 / 2.4.2 `_<port>._<proto>.<svc>.<ns>.svc.<zone>` for each named
//!   port (of the Service, or of the ready endpoints when headless).
//! * 2.5 `<svc>.<ns>.svc.<zone>` of an ExternalName Service: a CNAME.
//! * Every name above the names that exist is an empty non-terminal
//!   (RFC 4592 §2.2.2): `svc.<zone>`, `<ns>.svc.<zone>` of a namespace with
//!   Services, `_<proto>.<svc>...`; it exists with no data (RFC 8020: an
//!   NXDOMAIN there would deny every name below it).
//! * Pod names `<a-b-c-d>.<ns>.pod.<zone>` (CoreDNS `pods insecure|verified`;
//!   the specification defines none): with `pod.<zone>` and `<ns>.pod.<zone>`
//!   as empty non-terminals while the mode is not `disabled`.

use std::net::IpAddr;

use podnet_model::{DnsPodsMode, PodId, Protocol, ServiceId, ServiceType};

use crate::Dataplane;

/// One ready endpoint of a Service, as DNS publishes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsEndpoint {
    /// Its address.
    pub ip: IpAddr,
    /// The DNS label it is published under: `hostname`, else the dashed
    /// address (system-assigned, spec 2.4.1).
    pub label: String,
    /// The pod, when known.
    pub pod: Option<PodId>,
    /// Its ports: (name, protocol, port).
    pub ports: Vec<(Option<String>, Protocol, u16)>,
}

/// What a name in the cluster zone is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DnsNode {
    /// The zone apex.
    Apex,
    /// `dns-version.<zone>` (spec 2.2).
    Version,
    /// An empty non-terminal: exists, holds no records.
    Empty,
    /// `<svc>.<ns>.svc.<zone>` of a ClusterIP Service.
    ClusterIp(ServiceId),
    /// `<svc>.<ns>.svc.<zone>` of a headless Service with ready endpoints.
    Headless(ServiceId, Vec<DnsEndpoint>),
    /// `<svc>.<ns>.svc.<zone>` of an ExternalName Service.
    ExternalName(ServiceId, String),
    /// `<label>.<svc>.<ns>.svc.<zone>`: the ready endpoints of a headless
    /// Service published under that label.
    Endpoint(ServiceId, Vec<DnsEndpoint>),
    /// `_<port>._<proto>.<svc>.<ns>.svc.<zone>`: SRV (target, port).
    Srv(ServiceId, Vec<(String, u16)>),
    /// `<a-b-c-d>.<ns>.pod.<zone>`.
    Pod(IpAddr),
}

/// The dashed form of an address: CoreDNS's system-assigned endpoint label
/// and its pod-name form (`10-0-0-1`, `fd00--1`).
pub fn dashed(ip: IpAddr) -> String {
    ip.to_string().replace(['.', ':'], "-")
}

impl Dataplane {
    /// What the lower-case name `fqdn` (no trailing dot) is in the cluster
    /// zone: `Ok(None)` when it does not exist (NXDOMAIN), `Err(())` when it
    /// is outside the zone.
    #[allow(clippy::result_unit_err)]
    pub fn dns_node(&self, fqdn: &str, pods: DnsPodsMode) -> Result<Option<DnsNode>, ()> {
        let domain = self.profile.cluster_domain.to_ascii_lowercase();
        if fqdn == domain {
            return Ok(Some(DnsNode::Apex));
        }
        let Some(local) = fqdn.strip_suffix(&domain).and_then(|s| s.strip_suffix('.')) else {
            return Err(());
        };
        let labels: Vec<&str> = local.split('.').collect();
        Ok(match labels.as_slice() {
            ["dns-version"] => Some(DnsNode::Version),
            ["svc"] => self.services_exist(None).then_some(DnsNode::Empty),
            [ns, "svc"] => self.services_exist(Some(ns)).then_some(DnsNode::Empty),
            [svc, ns, "svc"] => self.service_node(ns, svc),
            [proto, svc, ns, "svc"] if proto.starts_with('_') => self
                .srv_records(ns, svc, None, proto)
                .filter(|r| !r.is_empty())
                .map(|_| DnsNode::Empty),
            [port, proto, svc, ns, "svc"] if port.starts_with('_') && proto.starts_with('_') => {
                self.srv_records(ns, svc, Some(port), proto)
                    .filter(|r| !r.is_empty())
                    .and_then(|r| self.service_id(ns, svc).map(|id| DnsNode::Srv(id, r)))
            }
            [label, svc, ns, "svc"] => self.endpoint_node(ns, svc, label),
            ["pod"] => (pods != DnsPodsMode::Disabled).then_some(DnsNode::Empty),
            [ns, "pod"] => (pods != DnsPodsMode::Disabled
                && self.cluster.namespace_by_name(ns).is_some())
            .then_some(DnsNode::Empty),
            [dashed, ns, "pod"] => self.pod_node(ns, dashed, pods),
            _ => None,
        })
    }

    /// Whether any Service exists (in `ns`, when given).
    fn services_exist(&self, ns: Option<&str>) -> bool {
        self.cluster
            .services
            .iter()
            .any(|s| ns.is_none_or(|ns| s.meta.namespace.as_deref() == Some(ns)))
    }

    pub(crate) fn service_id(&self, ns: &str, name: &str) -> Option<ServiceId> {
        self.cluster
            .services
            .iter()
            .position(|s| s.meta.name == name && s.meta.namespace.as_deref() == Some(ns))
            .map(ServiceId::from_index)
    }

    fn service_node(&self, ns: &str, name: &str) -> Option<DnsNode> {
        let id = self.service_id(ns, name)?;
        let svc = &self.cluster.services[id.index()];
        if svc.service_type == ServiceType::ExternalName {
            let target = svc.external_name.clone().unwrap_or_default();
            return Some(DnsNode::ExternalName(id, target));
        }
        if svc.headless {
            let eps = self.dns_endpoints(id);
            return (!eps.is_empty()).then_some(DnsNode::Headless(id, eps));
        }
        Some(DnsNode::ClusterIp(id))
    }

    fn endpoint_node(&self, ns: &str, svc: &str, label: &str) -> Option<DnsNode> {
        let id = self.service_id(ns, svc)?;
        if !self.cluster.services[id.index()].headless {
            return None;
        }
        let eps: Vec<DnsEndpoint> = self
            .dns_endpoints(id)
            .into_iter()
            .filter(|e| e.label.eq_ignore_ascii_case(label))
            .collect();
        (!eps.is_empty()).then_some(DnsNode::Endpoint(id, eps))
    }

    fn pod_node(&self, ns: &str, dashed_ip: &str, pods: DnsPodsMode) -> Option<DnsNode> {
        let nsid = self.cluster.namespace_by_name(ns)?;
        let ip = dashed_ip
            .replace('-', ".")
            .parse::<IpAddr>()
            .ok()
            .or_else(|| dashed_ip.replace('-', ":").parse().ok())?;
        match pods {
            DnsPodsMode::Disabled => None,
            DnsPodsMode::Insecure => Some(DnsNode::Pod(ip)),
            // `pods verified`: only when a pod of that namespace has it.
            DnsPodsMode::Verified => self.pods_by_ns[nsid.index()]
                .iter()
                .any(|&p| self.cluster.pod(p).ips.contains(&ip))
                .then_some(DnsNode::Pod(ip)),
        }
    }

    /// SRV records of `_<port>._<proto>.<svc>.<ns>` (every port of that
    /// protocol when `port` is `None`): `None` when the Service does not
    /// exist. ClusterIP Services point at their own name with the Service
    /// port (spec 2.3.2); headless Services at each ready endpoint with the
    /// endpoint's port (2.4.2).
    fn srv_records(
        &self,
        ns: &str,
        svc: &str,
        port: Option<&str>,
        proto: &str,
    ) -> Option<Vec<(String, u16)>> {
        let id = self.service_id(ns, svc)?;
        let s = &self.cluster.services[id.index()];
        let proto = proto.strip_prefix('_')?;
        let port_name = match port {
            Some(p) => Some(p.strip_prefix('_')?),
            None => None,
        };
        let wanted = |name: &Option<String>, p: Protocol| {
            proto.eq_ignore_ascii_case(p.as_str())
                && name
                    .as_deref()
                    .is_some_and(|n| port_name.is_none_or(|want| n.eq_ignore_ascii_case(want)))
        };
        let domain = &self.profile.cluster_domain;
        Some(match s.service_type {
            ServiceType::ExternalName => Vec::new(),
            _ if s.headless => self
                .dns_endpoints(id)
                .into_iter()
                .flat_map(|e| {
                    let target = format!("{}.{svc}.{ns}.svc.{domain}", e.label);
                    e.ports
                        .into_iter()
                        .filter(|(n, p, _)| wanted(n, *p))
                        .map(move |(_, _, port)| (target.clone(), port))
                })
                .collect(),
            _ => s
                .ports
                .iter()
                .filter(|p| wanted(&p.name, p.protocol))
                .map(|p| (format!("{svc}.{ns}.svc.{domain}"), p.port))
                .collect(),
        })
    }

    /// The ready endpoints of a Service as DNS publishes them (spec 2.4:
    /// "ready endpoint"). A Service with a selector: the selected pods that
    /// are ready (or all, with `publishNotReadyAddresses`), named by
    /// `hostname` when their `subdomain` is this Service (what the
    /// EndpointSlice controller writes into `hostname`); ports are the
    /// Service ports resolved per pod. Without a selector: the addresses of
    /// its Endpoints/EndpointSlices whose `ready` condition holds, with the
    /// endpoint's `hostname` and the slice's ports, whether or not the
    /// Service declares ports.
    pub fn dns_endpoints(&self, id: ServiceId) -> Vec<DnsEndpoint> {
        let svc = &self.cluster.services[id.index()];
        let mut out: Vec<DnsEndpoint> = Vec::new();
        if let Some(sel) = &svc.selector {
            let backends = self.backends(id);
            for &p in &self.pods_by_ns[svc.namespace.index()] {
                let pod = self.cluster.pod(p);
                let labels = self.cluster.pod_labels(p);
                if !sel.iter().all(|(k, v)| labels.get(k) == Some(v))
                    || (pod.net.not_ready && !svc.publish_not_ready)
                {
                    continue;
                }
                let hostname = pod
                    .net
                    .hostname
                    .clone()
                    .filter(|_| pod.net.subdomain.as_deref() == Some(svc.meta.name.as_str()));
                for &ip in &pod.ips {
                    let ports = svc
                        .ports
                        .iter()
                        .zip(&backends)
                        .filter_map(|(sp, list)| {
                            list.iter()
                                .find(|b| b.pod == Some(p) && b.ip == ip)
                                .map(|b| (sp.name.clone(), sp.protocol, b.port))
                        })
                        .collect();
                    out.push(DnsEndpoint {
                        ip,
                        label: hostname.clone().unwrap_or_else(|| dashed(ip)),
                        pod: Some(p),
                        ports,
                    });
                }
            }
            return out;
        }
        let ns = svc.meta.namespace.as_deref().unwrap_or_default();
        for set in self
            .cluster
            .endpoints
            .iter()
            .filter(|e| e.service == svc.meta.name && e.meta.namespace.as_deref() == Some(ns))
        {
            for a in set.addresses.iter().filter(|a| a.ready) {
                let pod = a.pod.as_deref().and_then(|name| {
                    self.pods_by_ns[svc.namespace.index()]
                        .iter()
                        .copied()
                        .find(|&p| self.cluster.pod(p).name == name)
                });
                let ports = set
                    .ports
                    .iter()
                    .map(|p| (p.name.clone(), p.protocol, p.port))
                    .collect();
                out.push(DnsEndpoint {
                    ip: a.ip,
                    label: a.hostname.clone().unwrap_or_else(|| dashed(a.ip)),
                    pod,
                    ports,
                });
            }
        }
        out
    }
}
