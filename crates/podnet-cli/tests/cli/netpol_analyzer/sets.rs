//! Both tools' connection lists as comparable sets: workload pairs with
//! their connections, and per workload and direction, the connections of
//! every IPv4 address outside (cut into the pieces both tools' ranges
//! share).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// A peer of a connection, named the way podnet names it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Peer {
    /// `namespace/name[Kind]`.
    Workload(String),
    /// netpol-analyzer's `{ingress-controller}`, podnet's `ingress_controller`.
    IngressController,
    /// IPv4 addresses `first..=last`.
    Outside(u32, u32),
}

/// Protocol to merged inclusive port ranges; absent protocols allow nothing.
pub type Conns = BTreeMap<String, Vec<(u32, u32)>>;

/// One allowed connection.
pub type Row = (Peer, Peer, Conns);

/// Outside addresses `first..=last` with their connections.
type Ranges = Vec<(u32, u32, Conns)>;

/// Every port of TCP, UDP and SCTP: what both tools mean by "all". podnet's
/// `all` also holds protocols NetworkPolicy cannot name (ICMP), which
/// netpol-analyzer does not model.
pub fn all() -> Conns {
    ["SCTP", "TCP", "UDP"]
        .iter()
        .map(|p| ((*p).to_owned(), vec![(1, 65535)]))
        .collect()
}

fn merge(mut ranges: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    ranges.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::new();
    for (a, b) in ranges {
        match out.last_mut() {
            Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

fn range(text: &str) -> (u32, u32) {
    let (a, b) = text.split_once('-').unwrap_or((text, text));
    (a.trim().parse().unwrap(), b.trim().parse().unwrap())
}

fn union(a: &mut Conns, b: &Conns) {
    for (proto, ranges) in b {
        let entry = a.entry(proto.clone()).or_default();
        entry.extend_from_slice(ranges);
        *entry = merge(std::mem::take(entry));
    }
    a.retain(|_, r| !r.is_empty());
}

/// Whether `conns` allow `port` of `proto`.
pub fn allows(conns: &Conns, proto: &str, port: u32) -> bool {
    conns
        .get(proto)
        .is_some_and(|r| r.iter().any(|&(a, b)| a <= port && port <= b))
}

/// netpol-analyzer's connection text (`conns_formatter.go`,
/// `connectionset.go` lines 440-492): `All Connections`, or
/// `TCP 8080,9090,UDP 8080` where an item starting with a protocol and a
/// space starts that protocol's list.
fn golden_conns(text: &str) -> Conns {
    if text == "All Connections" {
        return all();
    }
    let mut out = Conns::new();
    let mut proto = String::new();
    for item in text.split(',') {
        let ports = match item.split_once(' ') {
            Some((p, rest)) => {
                proto = p.to_owned();
                rest
            }
            None => item,
        };
        out.entry(proto.clone()).or_default().push(range(ports));
    }
    out.into_iter().map(|(p, r)| (p, merge(r))).collect()
}

fn ipv4(text: &str) -> Option<u32> {
    text.parse::<std::net::Ipv4Addr>().ok().map(u32::from)
}

/// netpol-analyzer's peer text (`peer.go` lines 88-93, 151-179).
fn golden_peer(text: &str) -> Peer {
    if text == "{ingress-controller}" {
        return Peer::IngressController;
    }
    if let Some(ips) = text.strip_suffix("[External]") {
        let (a, b) = ips.split_once('-').unwrap();
        return Peer::Outside(ipv4(a).unwrap(), ipv4(b).unwrap());
    }
    Peer::Workload(text.to_owned())
}

/// The rows of a txt golden. With `--focus-conn` upstream prints pairs
/// only, under a `Permitted connections on ...` line: they get `focus`.
pub fn golden(text: &str, focus: Option<&Conns>) -> Vec<Row> {
    text.lines()
        .filter(|l| l.contains(" => "))
        .map(|line| {
            let (pair, conns) = match line.split_once(" : ") {
                Some((pair, conns)) => (pair, golden_conns(conns.trim())),
                None => (
                    line,
                    focus
                        .cloned()
                        .expect("a pair without conns needs --focus-conn"),
                ),
            };
            let (src, dst) = pair.split_once(" => ").unwrap();
            (golden_peer(src.trim()), golden_peer(dst.trim()), conns)
        })
        .collect()
}

/// podnet's PEER (docs/connlist-json.md): a workload, the ingress
/// controller, or outside ranges (IPv6 ones dropped: netpol-analyzer has
/// no IPv6 peer).
fn podnet_peers(peer: &Value) -> Vec<Peer> {
    if let Some(w) = peer.get("workload") {
        let s = |k: &str| w[k].as_str().unwrap().to_owned();
        return vec![Peer::Workload(format!(
            "{}/{}[{}]",
            s("namespace"),
            s("name"),
            s("kind")
        ))];
    }
    if peer.get("ingress_controller").is_some() {
        return vec![Peer::IngressController];
    }
    if let Some(gw) = peer.get("gateway") {
        return vec![Peer::Workload(format!("gateway {gw}"))];
    }
    peer["external"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| {
            let r = r.as_str().unwrap();
            if let Some((net, len)) = r.split_once('/') {
                let (a, len) = (ipv4(net)?, len.parse::<u32>().unwrap());
                let size = if len == 0 {
                    u32::MAX
                } else {
                    (1u32 << (32 - len)) - 1
                };
                Some(Peer::Outside(a, a + size))
            } else {
                let (a, b) = r.split_once('-').unwrap_or((r, r));
                Some(Peer::Outside(ipv4(a)?, ipv4(b)?))
            }
        })
        .collect()
}

fn podnet_conns(conns: &Value) -> Conns {
    if conns["all"] == true {
        return all();
    }
    conns["ports"]
        .as_object()
        .map(|ports| {
            ports
                .iter()
                .map(|(p, list)| {
                    let r = list
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| range(x.as_str().unwrap()));
                    (p.clone(), merge(r.collect()))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The pod-network rows of `podnet connlist -o json`.
pub fn podnet(json: &Value) -> Vec<Row> {
    let mut out = Vec::new();
    for c in json["connections"].as_array().unwrap() {
        if c["network"] != "default" {
            continue;
        }
        let conns = podnet_conns(&c["conns"]);
        for src in podnet_peers(&c["src"]) {
            for dst in podnet_peers(&c["dst"]) {
                out.push((src.clone(), dst, conns.clone()));
            }
        }
    }
    out
}

/// A connection list as facts: workload pairs, and per (direction,
/// workload) the outside ranges with their connections.
#[derive(Debug, Default)]
pub struct Facts {
    pairs: BTreeMap<(Peer, Peer), Conns>,
    outside: BTreeMap<(bool, Peer), Ranges>,
}

impl Facts {
    /// The facts of `rows`.
    pub fn of(rows: &[Row]) -> Facts {
        let mut facts = Facts::default();
        for (src, dst, conns) in rows {
            match (src, dst) {
                (Peer::Outside(..), Peer::Outside(..)) => {}
                (&Peer::Outside(a, b), w) | (w, &Peer::Outside(a, b)) => {
                    let inbound = matches!(src, Peer::Outside(..));
                    facts
                        .outside
                        .entry((inbound, w.clone()))
                        .or_default()
                        .push((a, b, conns.clone()));
                }
                _ => union(
                    facts.pairs.entry((src.clone(), dst.clone())).or_default(),
                    conns,
                ),
            }
        }
        facts.pairs.retain(|_, c| !c.is_empty());
        facts
    }

    /// Where `self` (netpol-analyzer) and `other` (podnet) differ, at most
    /// `limit` lines.
    pub fn differences(&self, other: &Facts, limit: usize) -> Vec<String> {
        let none = Conns::new();
        let mut out = Vec::new();
        let keys: BTreeSet<_> = self.pairs.keys().chain(other.pairs.keys()).collect();
        for k in keys {
            let (a, b) = (
                self.pairs.get(k).unwrap_or(&none),
                other.pairs.get(k).unwrap_or(&none),
            );
            if a != b {
                out.push(format!(
                    "{:?} => {:?}: netpol-analyzer {a:?}, podnet {b:?}",
                    k.0, k.1
                ));
            }
        }
        let keys: BTreeSet<_> = self.outside.keys().chain(other.outside.keys()).collect();
        for k in keys {
            let (a, b) = (
                self.outside.get(k).map_or(&[][..], Vec::as_slice),
                other.outside.get(k).map_or(&[][..], Vec::as_slice),
            );
            let mut cuts: BTreeSet<u64> = [0, 1 << 32].into();
            for &(x, y, _) in a.iter().chain(b) {
                cuts.insert(u64::from(x));
                cuts.insert(u64::from(y) + 1);
            }
            let cuts: Vec<u64> = cuts.into_iter().collect();
            for w in cuts.windows(2) {
                let at = |list: &[(u32, u32, Conns)]| {
                    let mut c = Conns::new();
                    for (x, y, conns) in list {
                        if u64::from(*x) <= w[0] && w[0] <= u64::from(*y) {
                            union(&mut c, conns);
                        }
                    }
                    c
                };
                let (ca, cb) = (at(a), at(b));
                if ca != cb {
                    let dir = if k.0 { "from outside" } else { "to outside" };
                    out.push(format!(
                        "{:?} {dir} {}..={}: netpol-analyzer {ca:?}, podnet {cb:?}",
                        k.1,
                        std::net::Ipv4Addr::from(w[0] as u32),
                        std::net::Ipv4Addr::from((w[1] - 1) as u32),
                    ));
                }
            }
        }
        out.truncate(limit);
        out
    }
}
