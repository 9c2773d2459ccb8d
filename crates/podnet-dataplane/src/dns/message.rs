//! One DNS question answered as the cluster DNS answers it: a response code
//! and an answer section of resource records, built from the names of
//! [`super::names`] (kubernetes/dns `docs/specification.md` 2.1–2.5) and
//! core DNS rules: NXDOMAIN for a name that does not exist (RFC 1034
//! §4.3.2, RFC 2308 §2.1), NOERROR with no data for a name that exists
//! without records of the type asked (RFC 2308 §2.2), CNAMEs followed inside
//! the zone (RFC 1034 §4.3.2 step 3a), PTR records for Service and endpoint
//! addresses (spec 2.3.3, 2.4.3).

use std::net::IpAddr;

use podnet_model::DnsPodsMode;

use super::names::DnsNode;
use crate::Dataplane;

/// The TTL podnet writes (CoreDNS's default `ttl`; the specification leaves
/// `<ttl>` to the implementation).
pub const TTL: u32 = 5;
/// The schema version `dns-version` answers (spec 2.2).
pub const SCHEMA_VERSION: &str = "1.1.0";
/// Longest CNAME chain followed.
const MAX_CHAIN: usize = 8;

/// A query type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordType {
    /// IPv4 address.
    A,
    /// IPv6 address.
    Aaaa,
    /// Service location.
    Srv,
    /// Reverse pointer.
    Ptr,
    /// Alias.
    Cname,
    /// Text.
    Txt,
    /// Start of authority.
    Soa,
    /// Name server.
    Ns,
    /// Any other type (HINFO, MX, ...): never has data here.
    Other,
    /// ANY: every record of the name.
    Any,
}

impl RecordType {
    /// Every type with its presentation name.
    pub const ALL: [(&'static str, RecordType); 9] = [
        ("A", RecordType::A),
        ("AAAA", RecordType::Aaaa),
        ("SRV", RecordType::Srv),
        ("PTR", RecordType::Ptr),
        ("CNAME", RecordType::Cname),
        ("TXT", RecordType::Txt),
        ("SOA", RecordType::Soa),
        ("NS", RecordType::Ns),
        ("ANY", RecordType::Any),
    ];

    /// Parses a presentation name (case-insensitive); unknown names are
    /// [`RecordType::Other`].
    pub fn parse(s: &str) -> RecordType {
        Self::ALL
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s))
            .map_or(RecordType::Other, |(_, t)| *t)
    }

    /// Its presentation name.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, t)| *t == self)
            .map_or("OTHER", |(n, _)| n)
    }
}

/// A response code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rcode {
    /// The name exists (possibly without data of the type asked).
    NoError,
    /// The name does not exist.
    NxDomain,
}

impl Rcode {
    /// Its presentation name.
    pub fn name(self) -> &'static str {
        match self {
            Rcode::NoError => "NOERROR",
            Rcode::NxDomain => "NXDOMAIN",
        }
    }
}

/// The data of one record.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordData {
    /// A or AAAA.
    Address(IpAddr),
    /// SRV: priority, weight, port, target.
    Srv {
        /// Priority (CoreDNS: 0).
        priority: u16,
        /// Weight (CoreDNS: 100 split over the targets).
        weight: u16,
        /// Port.
        port: u16,
        /// Target name, fully qualified.
        target: String,
    },
    /// PTR target, fully qualified.
    Ptr(String),
    /// CNAME target, fully qualified.
    Cname(String),
    /// TXT text.
    Txt(String),
    /// SOA: the primary name server (`ns.dns.<zone>.`, as CoreDNS).
    Soa {
        /// MNAME.
        mname: String,
        /// RNAME.
        rname: String,
    },
}

/// One resource record.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Record {
    /// Owner name, fully qualified with the final dot.
    pub owner: String,
    /// TTL in seconds.
    pub ttl: u32,
    /// Its data (the type follows from it).
    pub data: RecordData,
}

impl Record {
    /// Its type.
    pub fn rtype(&self) -> RecordType {
        match &self.data {
            RecordData::Address(ip) if ip.is_ipv4() => RecordType::A,
            RecordData::Address(_) => RecordType::Aaaa,
            RecordData::Srv { .. } => RecordType::Srv,
            RecordData::Ptr(_) => RecordType::Ptr,
            RecordData::Cname(_) => RecordType::Cname,
            RecordData::Txt(_) => RecordType::Txt,
            RecordData::Soa { .. } => RecordType::Soa,
        }
    }
}

/// Where the answer came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Authority {
    /// The cluster DNS answered from the model.
    Cluster,
    /// The name (or the end of its CNAME chain) is outside the cluster zone:
    /// CoreDNS forwards it to the node's resolver, which podnet does not
    /// model; `rcode` and `answer` hold only what the cluster DNS added.
    Forwarded,
}

/// The answer to one question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsResponse {
    /// The name asked, as asked (with the final dot).
    pub qname: String,
    /// The type asked.
    pub qtype: RecordType,
    /// Response code.
    pub rcode: Rcode,
    /// Answer section.
    pub answer: Vec<Record>,
    /// Whether the model answered or the question left the cluster.
    pub authority: Authority,
}

/// How the cluster DNS server is configured (CoreDNS `kubernetes` plugin).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DnsServerConfig {
    /// Option `pods`.
    pub pods: DnsPodsMode,
    /// Whether reverse names the cluster does not know are forwarded
    /// (`fallthrough in-addr.arpa ip6.arpa`, as kubeadm's Corefile) instead
    /// of answered NXDOMAIN.
    pub reverse_fallthrough: bool,
}

/// The address a reverse name (`d.c.b.a.in-addr.arpa`, nibbles under
/// `ip6.arpa`) stands for, if it stands for a whole address.
pub fn reverse_address(name: &str) -> Option<IpAddr> {
    if let Some(v4) = name.strip_suffix(".in-addr.arpa") {
        let mut octets: Vec<&str> = v4.split('.').collect();
        if octets.len() != 4 {
            return None;
        }
        octets.reverse();
        return octets.join(".").parse().ok();
    }
    let v6 = name.strip_suffix(".ip6.arpa")?;
    let nibbles: Vec<&str> = v6.split('.').collect();
    if nibbles.len() != 32 || nibbles.iter().any(|n| n.len() != 1) {
        return None;
    }
    let hex: String = nibbles.iter().rev().copied().collect();
    let groups: Vec<&str> = (0..8).map(|i| &hex[i * 4..i * 4 + 4]).collect();
    groups.join(":").parse().ok()
}

/// The reverse name of an address, without the final dot.
pub fn reverse_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.{}.in-addr.arpa", o[3], o[2], o[1], o[0])
        }
        IpAddr::V6(v6) => {
            let hex: String = v6.octets().iter().map(|b| format!("{b:02x}")).collect();
            let mut nibbles: Vec<String> = hex.chars().map(String::from).collect();
            nibbles.reverse();
            format!("{}.ip6.arpa", nibbles.join("."))
        }
    }
}

impl Dataplane {
    /// The cluster DNS configuration the profile describes.
    pub fn dns_config(&self) -> DnsServerConfig {
        DnsServerConfig {
            pods: self.profile.dns_pods,
            reverse_fallthrough: true,
        }
    }

    /// Answers one question as the cluster DNS would, following CNAMEs
    /// into the cluster zone.
    pub fn dns_query(&self, qname: &str, qtype: RecordType, cfg: DnsServerConfig) -> DnsResponse {
        let qname = if qname.ends_with('.') {
            qname.to_owned()
        } else {
            format!("{qname}.")
        };
        let mut answer = Vec::new();
        let mut owner = qname.clone();
        let mut rcode = Rcode::NoError;
        let mut authority = Authority::Cluster;
        for _ in 0..MAX_CHAIN {
            let lower = owner.trim_end_matches('.').to_ascii_lowercase();
            let reverse = lower.ends_with(".in-addr.arpa") || lower.ends_with(".ip6.arpa");
            let node = if reverse {
                match self.ptr_records(&lower) {
                    Some(targets) => Ok(Some((
                        targets
                            .into_iter()
                            .map(|t| Record {
                                owner: owner.clone(),
                                ttl: TTL,
                                data: RecordData::Ptr(t),
                            })
                            .collect(),
                        None,
                    ))),
                    None if cfg.reverse_fallthrough => Err(()),
                    None => Ok(None),
                }
            } else {
                self.dns_node(&lower, cfg.pods)
                    .map(|o| o.map(|n| self.records(&owner, &n)))
            };
            match node {
                Err(()) => {
                    authority = Authority::Forwarded;
                    break;
                }
                Ok(None) => {
                    rcode = Rcode::NxDomain;
                    break;
                }
                Ok(Some((records, cname))) => {
                    if let (Some(target), false) = (&cname, qtype == RecordType::Cname) {
                        answer.extend(records);
                        owner = format!("{}.", target.trim_end_matches('.'));
                        if qtype == RecordType::Any {
                            break;
                        }
                        continue;
                    }
                    answer.extend(
                        records
                            .into_iter()
                            .filter(|r| qtype == RecordType::Any || r.rtype() == qtype),
                    );
                    break;
                }
            }
        }
        DnsResponse {
            qname,
            qtype,
            rcode,
            answer,
            authority,
        }
    }

    /// Every record `owner` holds, and the CNAME target when it is an alias.
    fn records(&self, owner: &str, node: &DnsNode) -> (Vec<Record>, Option<String>) {
        let rr = |data| Record {
            owner: owner.to_owned(),
            ttl: TTL,
            data,
        };
        let addresses = |ips: &mut dyn Iterator<Item = IpAddr>| {
            let mut v: Vec<IpAddr> = ips.collect();
            v.sort();
            v.dedup();
            v.into_iter()
                .map(|ip| rr(RecordData::Address(ip)))
                .collect()
        };
        let domain = self.profile.cluster_domain.to_ascii_lowercase();
        match node {
            DnsNode::Apex => (
                vec![rr(RecordData::Soa {
                    mname: format!("ns.dns.{domain}."),
                    rname: format!("hostmaster.{domain}."),
                })],
                None,
            ),
            DnsNode::Version => (vec![rr(RecordData::Txt(SCHEMA_VERSION.to_owned()))], None),
            DnsNode::Empty => (Vec::new(), None),
            DnsNode::ClusterIp(id) => (
                addresses(&mut self.services.cluster_ips[id.index()].iter().copied()),
                None,
            ),
            DnsNode::Headless(_, eps) | DnsNode::Endpoint(_, eps) => {
                (addresses(&mut eps.iter().map(|e| e.ip)), None)
            }
            DnsNode::ExternalName(_, target) => {
                let t = format!("{}.", target.trim_end_matches('.'));
                (vec![rr(RecordData::Cname(t.clone()))], Some(t))
            }
            DnsNode::Srv(_, targets) => {
                let mut uniq = targets.clone();
                uniq.sort();
                uniq.dedup();
                let weight = u16::try_from(100 / uniq.len().max(1)).unwrap_or(100);
                (
                    uniq.into_iter()
                        .map(|(target, port)| {
                            rr(RecordData::Srv {
                                priority: 0,
                                weight,
                                port,
                                target: format!("{target}."),
                            })
                        })
                        .collect(),
                    None,
                )
            }
            DnsNode::Pod(ip) => (vec![rr(RecordData::Address(*ip))], None),
        }
    }

    /// PTR targets for a reverse name (spec 2.3.3: a ClusterIP Service's
    /// address names the Service; 2.4.3: a ready endpoint of a headless
    /// Service names `<hostname>.<svc>.<ns>.svc.<zone>`); `None` when the
    /// address is not one of them.
    fn ptr_records(&self, reverse: &str) -> Option<Vec<String>> {
        let ip = reverse_address(reverse)?;
        let domain = &self.profile.cluster_domain;
        let mut out = Vec::new();
        for (k, s) in self.cluster.services.iter().enumerate() {
            let ns = s.meta.namespace.as_deref().unwrap_or_default();
            if s.headless {
                let id = podnet_model::ServiceId::from_index(k);
                for e in self.dns_endpoints(id).into_iter().filter(|e| e.ip == ip) {
                    out.push(format!("{}.{}.{ns}.svc.{domain}.", e.label, s.meta.name));
                }
            } else if self.services.cluster_ips[k].contains(&ip) {
                out.push(format!("{}.{ns}.svc.{domain}.", s.meta.name));
            }
        }
        out.sort();
        out.dedup();
        (!out.is_empty()).then_some(out)
    }
}
