//! DNS as CoreDNS's `kubernetes` plugin answers it (docs "DNS for Services
//! and Pods", and the Kubernetes DNS-Based Service Discovery specification):
//!
//! * `<svc>.<ns>.svc.<domain>`: A/AAAA of the ClusterIP; for a headless
//!   Service, the addresses of its ready backends; for ExternalName, a CNAME.
//! * `<hostname>.<svc>.<ns>.svc.<domain>`: each ready endpoint of the
//!   headless Service `<svc>`, by its `hostname` (a pod whose `hostname` and
//!   `subdomain` name it; StatefulSet pods get both from the controller) or
//!   by its dashed address.
//! * `_<port>._<proto>.<svc>.<ns>.svc.<domain>`: SRV for named ports.
//! * `<a-b-c-d>.<ns>.pod.<domain>`: the address in the name (profile
//!   `dnsPods`, CoreDNS `pods insecure|verified|disabled`).
//!
//! [`names`] says which names exist and what they are; [`message`] answers
//! a question (type, response code, answer section) from them; this module
//! resolves a name as a pod's resolver does, for `trace` and `podnet dns`.
//!
//! A name typed inside a pod goes through its resolv.conf: `search
//! <ns>.svc.<domain> svc.<domain> <domain>` and `options ndots:5`. A name
//! with fewer than five dots is tried with each search suffix first, then
//! as is; a name ending in `.` is only tried as is.

pub mod message;
pub mod names;

use std::net::IpAddr;

use podnet_model::{DnsPolicy, PodId, ServiceId};

use crate::Dataplane;
use message::{Authority, DnsResponse, Rcode, RecordType};
use names::DnsNode;

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
    /// The name exists but holds no address (the zone apex, `svc.<domain>`,
    /// `<ns>.svc.<domain>`, ...: NOERROR with no data, RFC 2308 §2.2).
    NoData,
    /// Ready endpoints of a headless Service published under one label
    /// that are not all one pod (selector-less Services, duplicate
    /// hostnames).
    Endpoints {
        /// The Service.
        service: ServiceId,
        /// Their addresses.
        ips: Vec<IpAddr>,
    },
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

/// A name asked as a pod's resolver asks it: every query with its response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsExchange {
    /// The name as typed.
    pub typed: String,
    /// The asking pod, if any.
    pub from: Option<PodId>,
    /// The nameserver asked (the cluster DNS Service's address); `None`
    /// when the pod uses the node's resolver.
    pub nameserver: Option<IpAddr>,
    /// The pod's search list (empty without a pod or off cluster DNS).
    pub search: Vec<String>,
    /// Responses in the order the queries were sent; the last one is the
    /// result.
    pub responses: Vec<DnsResponse>,
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
        let typed = name.to_owned();
        let (candidates, cluster_dns) = self.candidates(name, from);
        let mut queries = Vec::new();
        for c in candidates {
            let answer = if cluster_dns {
                self.lookup(&c)
            } else {
                Some(Answer::Upstream)
            };
            // A search candidate that exists without data does not end the
            // search (glibc's res_search goes on after NODATA).
            let done = answer.as_ref().is_some_and(|a| *a != Answer::NoData);
            queries.push(Query { name: c, answer });
            if done {
                self.follow_cname(&mut queries);
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

    /// The names a pod's resolver asks for `name`, in order (lower-case,
    /// without the final dot), and whether it asks the cluster DNS.
    fn candidates(&self, name: &str, from: Option<PodId>) -> (Vec<String>, bool) {
        let domain = &self.profile.cluster_domain;
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
                candidates.push(bare);
            }
        } else {
            candidates.push(bare);
        }
        (candidates, cluster_dns)
    }

    /// Asks `name` of type `qtype` as the resolver of `from` would (its
    /// search path and ndots; a fully qualified name, or no pod, asks the
    /// name as is): every query sent with its response, until one answers
    /// with data (NXDOMAIN and NOERROR without data go on to the next
    /// candidate, as glibc does). An address asks its reverse name for PTR
    /// (as `dig -x`).
    pub fn ask(&self, name: &str, from: Option<PodId>, qtype: RecordType) -> DnsExchange {
        let (asked, qtype) = match name.parse::<IpAddr>() {
            Ok(ip) => (format!("{}.", message::reverse_name(ip)), RecordType::Ptr),
            Err(_) => (name.to_owned(), qtype),
        };
        let (candidates, cluster_dns) = self.candidates(&asked, from);
        let cfg = self.dns_config();
        let mut responses = Vec::new();
        for c in candidates {
            let r = if cluster_dns {
                self.dns_query(&c, qtype, cfg)
            } else {
                DnsResponse {
                    qname: format!("{c}."),
                    qtype,
                    rcode: Rcode::NoError,
                    answer: Vec::new(),
                    authority: Authority::Forwarded,
                }
            };
            let done = r.authority == Authority::Forwarded || !r.answer.is_empty();
            responses.push(r);
            if done {
                break;
            }
        }
        DnsExchange {
            typed: name.to_owned(),
            from,
            nameserver: if cluster_dns {
                self.services.dns_ip
            } else {
                None
            },
            search: from
                .filter(|_| cluster_dns)
                .map(|p| {
                    let ns = &self.cluster.namespace(self.cluster.pod(p).namespace).name;
                    search_path(ns, &self.profile.cluster_domain)
                })
                .unwrap_or_default(),
            responses,
        }
    }

    /// The server follows a CNAME into the cluster zone within the same
    /// response (RFC 1034 §4.3.2 step 3a; spec 2.5): each link is shown as
    /// a further query.
    fn follow_cname(&self, queries: &mut Vec<Query>) {
        for _ in 0..8 {
            let Some(Query {
                answer: Some(Answer::Cname { target, .. }),
                ..
            }) = queries.last()
            else {
                return;
            };
            let name = target.trim_end_matches('.').to_ascii_lowercase();
            let answer = self.lookup(&name);
            if answer == Some(Answer::Upstream) {
                return;
            }
            queries.push(Query { name, answer });
        }
    }

    /// Looks up one fully qualified name (without the trailing dot).
    pub fn lookup(&self, fqdn: &str) -> Option<Answer> {
        let node = match self.dns_node(fqdn, self.profile.dns_pods) {
            Err(()) => return Some(Answer::Upstream),
            Ok(node) => node?,
        };
        Some(match node {
            DnsNode::Apex | DnsNode::Version | DnsNode::Empty => Answer::NoData,
            DnsNode::ClusterIp(service) => Answer::ClusterIp {
                service,
                ips: self.services.cluster_ips[service.index()].clone(),
            },
            DnsNode::Headless(service, eps) => {
                let mut ips: Vec<IpAddr> = eps.iter().map(|e| e.ip).collect();
                ips.sort();
                ips.dedup();
                Answer::Headless { service, ips }
            }
            DnsNode::ExternalName(service, target) => Answer::Cname { service, target },
            DnsNode::Endpoint(service, eps) => {
                let mut ips: Vec<IpAddr> = eps.iter().map(|e| e.ip).collect();
                ips.sort();
                ips.dedup();
                match eps.first().and_then(|e| e.pod) {
                    Some(pod) if eps.iter().all(|e| e.pod == Some(pod)) => {
                        Answer::PodHostname { pod, ips }
                    }
                    _ => Answer::Endpoints { service, ips },
                }
            }
            DnsNode::Srv(service, records) => Answer::Srv { service, records },
            DnsNode::Pod(ip) => Answer::PodIp(ip),
        })
    }
}
