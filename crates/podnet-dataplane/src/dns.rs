//! DNS as CoreDNS's `kubernetes` plugin answers it (docs "DNS for Services
//! and Pods", and the Kubernetes DNS-Based Service Discovery specification):
//!
//! * `<svc>.<ns>.svc.<domain>`: A/AAAA of the ClusterIP; for a headless
//!   Service, the addresses of its ready backends; for ExternalName, a CNAME.
//! * `<hostname>.<svc>.<ns>.svc.<domain>`: a pod whose `hostname` and
//!   `subdomain` name it, behind the headless Service `<svc>` (StatefulSet
//!   pods get both from the controller).
//! * `_<port>._<proto>.<svc>.<ns>.svc.<domain>`: SRV for named ports.
//! * `<a-b-c-d>.<ns>.pod.<domain>`: the address in the name (`pods insecure`).
//!
//! A name typed inside a pod goes through its resolv.conf: `search
//! <ns>.svc.<domain> svc.<domain> <domain>` and `options ndots:5`. A name
//! with fewer than five dots is tried with each search suffix first, then
//! as is; a name ending in `.` is only tried as is.

use std::net::IpAddr;

use podnet_model::{DnsPolicy, PodId, ServiceId, ServiceType};

use crate::Dataplane;

/// resolv.conf's `ndots` for pods with `dnsPolicy: ClusterFirst`.
pub const NDOTS: usize = 5;

/// What one query returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A Service's ClusterIPs.
    ClusterIp {
        /// The Service.
        service: ServiceId,
        /// Its addresses.
        ips: Vec<IpAddr>,
    },
    /// A headless Service's ready backends (possibly none: an empty answer).
    Headless {
        /// The Service.
        service: ServiceId,
        /// The backend addresses.
        ips: Vec<IpAddr>,
    },
    /// A pod by hostname under a headless Service.
    PodHostname {
        /// The pod.
        pod: PodId,
        /// Its addresses.
        ips: Vec<IpAddr>,
    },
    /// An ExternalName Service: a CNAME to a name outside the cluster.
    Cname {
        /// The Service.
        service: ServiceId,
        /// `externalName`.
        target: String,
    },
    /// SRV records: (target name, port).
    Srv {
        /// The Service.
        service: ServiceId,
        /// Targets and ports.
        records: Vec<(String, u16)>,
    },
    /// A pod A record decoded from the name.
    PodIp(IpAddr),
    /// Outside the cluster domain: CoreDNS forwards to the node's upstream
    /// resolver, which podnet does not model.
    Upstream,
}

/// One query sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// The fully qualified name asked for.
    pub name: String,
    /// The answer; `None` is NXDOMAIN.
    pub answer: Option<Answer>,
}

/// A name resolved as a pod would resolve it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolution {
    /// The name as typed.
    pub typed: String,
    /// The nameserver asked.
    pub nameserver: Option<IpAddr>,
    /// Queries in the order sent; the last is the one that answered (or the
    /// last NXDOMAIN).
    pub queries: Vec<Query>,
}

impl Resolution {
    /// The answer, if a query got one.
    pub fn answer(&self) -> Option<&Answer> {
        self.queries.last().and_then(|q| q.answer.as_ref())
    }
}

/// The search list of a pod in `namespace` (`dnsPolicy: ClusterFirst`).
pub fn search_path(namespace: &str, domain: &str) -> Vec<String> {
    vec![
        format!("{namespace}.svc.{domain}"),
        format!("svc.{domain}"),
        domain.to_owned(),
    ]
}

impl Dataplane {
    /// Resolves `name` as typed inside `from` (a pod), or as a fully
    /// qualified name when `from` is `None`.
    pub fn resolve_name(&self, name: &str, from: Option<PodId>) -> Resolution {
        let domain = &self.profile.cluster_domain;
        let typed = name.to_owned();
        let lower = name.to_ascii_lowercase();
        let absolute = lower.ends_with('.');
        let bare = lower.trim_end_matches('.').to_owned();
        let cluster_dns = from.is_none_or(|p| {
            let pod = self.cluster.pod(p);
            match pod.net.dns_policy {
                DnsPolicy::ClusterFirst => !pod.host_network,
                DnsPolicy::ClusterFirstWithHostNet => true,
                DnsPolicy::Default | DnsPolicy::None => false,
            }
        });
        let mut candidates = Vec::new();
        if let (Some(p), false, true) = (from, absolute, cluster_dns) {
            let ns = &self.cluster.namespace(self.cluster.pod(p).namespace).name;
            let dots = bare.matches('.').count();
            let searched: Vec<String> = search_path(ns, domain)
                .into_iter()
                .map(|s| format!("{bare}.{s}"))
                .collect();
            if dots >= NDOTS {
                candidates.push(bare.clone());
                candidates.extend(searched);
            } else {
                candidates.extend(searched);
                candidates.push(bare.clone());
            }
        } else {
            candidates.push(bare.clone());
        }
        let mut queries = Vec::new();
        for c in candidates {
            let answer = if cluster_dns {
                self.lookup(&c)
            } else {
                Some(Answer::Upstream)
            };
            let done = answer.is_some();
            queries.push(Query { name: c, answer });
            if done {
                break;
            }
        }
        Resolution {
            typed,
            nameserver: if cluster_dns {
                self.services.dns_ip
            } else {
                None
            },
            queries,
        }
    }

    /// Looks up one fully qualified name (without the trailing dot).
    pub fn lookup(&self, fqdn: &str) -> Option<Answer> {
        let domain = self.profile.cluster_domain.to_ascii_lowercase();
        let Some(local) = fqdn.strip_suffix(&domain).and_then(|s| s.strip_suffix('.')) else {
            return if fqdn == domain {
                None
            } else {
                Some(Answer::Upstream)
            };
        };
        let labels: Vec<&str> = local.split('.').collect();
        match labels.as_slice() {
            [svc, ns, "svc"] => self.service_answer(ns, svc),
            [host, svc, ns, "svc"] if host.starts_with('_') => self.srv(ns, svc, host, None),
            [port, proto, svc, ns, "svc"] if port.starts_with('_') && proto.starts_with('_') => {
                self.srv(ns, svc, port, Some(proto))
            }
            [host, svc, ns, "svc"] => self.pod_hostname(ns, svc, host),
            [dashed, _ns, "pod"] => dashed
                .replace('-', ".")
                .parse::<IpAddr>()
                .ok()
                .or_else(|| dashed.replace('-', ":").parse().ok())
                .map(Answer::PodIp),
            _ => None,
        }
    }

    fn service_id(&self, ns: &str, name: &str) -> Option<ServiceId> {
        self.cluster
            .services
            .iter()
            .position(|s| s.meta.name == name && s.meta.namespace.as_deref() == Some(ns))
            .map(ServiceId::from_index)
    }

    fn service_answer(&self, ns: &str, name: &str) -> Option<Answer> {
        let id = self.service_id(ns, name)?;
        let svc = &self.cluster.services[id.index()];
        if svc.service_type == ServiceType::ExternalName {
            return Some(Answer::Cname {
                service: id,
                target: svc.external_name.clone().unwrap_or_default(),
            });
        }
        if svc.headless {
            let mut ips: Vec<IpAddr> = self
                .backends(id)
                .into_iter()
                .flatten()
                .filter(|b| b.serving)
                .map(|b| b.ip)
                .collect();
            if svc.ports.is_empty() {
                // A headless Service without ports still publishes its pods.
                ips = self.selected_pod_ips(id);
            }
            ips.sort();
            ips.dedup();
            return Some(Answer::Headless { service: id, ips });
        }
        Some(Answer::ClusterIp {
            service: id,
            ips: self.services.cluster_ips[id.index()].clone(),
        })
    }

    fn selected_pod_ips(&self, id: ServiceId) -> Vec<IpAddr> {
        let svc = &self.cluster.services[id.index()];
        let Some(sel) = &svc.selector else {
            return Vec::new();
        };
        self.pods_by_ns[svc.namespace.index()]
            .iter()
            .filter(|&&p| {
                let l = self.cluster.pod_labels(p);
                (!self.cluster.pod(p).net.not_ready || svc.publish_not_ready)
                    && sel.iter().all(|(k, v)| l.get(k) == Some(v))
            })
            .flat_map(|&p| self.cluster.pod(p).ips.clone())
            .collect()
    }

    fn pod_hostname(&self, ns: &str, svc: &str, host: &str) -> Option<Answer> {
        let id = self.service_id(ns, svc)?;
        if !self.cluster.services[id.index()].headless {
            return None;
        }
        let nsid = self.cluster.namespace_by_name(ns)?;
        self.pods_by_ns[nsid.index()].iter().find_map(|&p| {
            let pod = self.cluster.pod(p);
            // Only a pod with both `hostname` and `subdomain` has a record of
            // its own (docs: Pod's hostname and subdomain fields).
            (pod.net.subdomain.as_deref() == Some(svc)
                && pod.net.hostname.as_deref() == Some(host)
                && !pod.ips.is_empty())
            .then(|| Answer::PodHostname {
                pod: p,
                ips: pod.ips.clone(),
            })
        })
    }

    fn srv(&self, ns: &str, svc: &str, port: &str, proto: Option<&str>) -> Option<Answer> {
        let id = self.service_id(ns, svc)?;
        let s = &self.cluster.services[id.index()];
        let port_name = port.strip_prefix('_')?;
        let proto = proto.and_then(|p| p.strip_prefix('_'));
        let (k, p) = s.ports.iter().enumerate().find(|(_, p)| {
            p.name.as_deref() == Some(port_name)
                && proto.is_none_or(|x| x.eq_ignore_ascii_case(p.protocol.as_str()))
        })?;
        let domain = &self.profile.cluster_domain;
        let records = if s.headless {
            self.backends(id)
                .get(k)
                .into_iter()
                .flatten()
                .filter(|b| b.serving)
                .map(|b| {
                    // The endpoint's hostname when the pod names itself under
                    // this Service (`hostname` and `subdomain`), else CoreDNS's
                    // dashed address.
                    let host = b
                        .pod
                        .map(|pid| &self.cluster.pod(pid).net)
                        .filter(|net| net.subdomain.as_deref() == Some(svc))
                        .and_then(|net| net.hostname.clone())
                        .unwrap_or_else(|| b.ip.to_string().replace(['.', ':'], "-"));
                    (format!("{host}.{svc}.{ns}.svc.{domain}"), b.port)
                })
                .collect()
        } else {
            vec![(format!("{svc}.{ns}.svc.{domain}"), p.port)]
        };
        Some(Answer::Srv {
            service: id,
            records,
        })
    }
}
