//! nftables rulesets for a node namespace, as `nft -f` text: NetworkPolicy
//! compiled from the engine's verdicts, and kube-proxy's ClusterIP DNAT.
//!
//! Policy lives on the node side of the pods' veths, in the `forward` hook
//! of the node namespace (bridged traffic between pods of one node reaches
//! it through `br_netfilter`, as in a real cluster). Two base chains hook
//! there and a packet must pass both, so a connection is allowed exactly
//! when the source's egress and the destination's ingress allow it:
//!
//! * `egress` jumps, for every pod of this node whose egress does not allow
//!   everything, to a chain accepting exactly the destinations, protocols
//!   and ports its egress allows, then dropping;
//! * `ingress` does the same for the pods of this node by destination.
//!
//! Replies pass through conntrack (`ct state established,related`), as
//! NetworkPolicy is stateful.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::Ipv4Addr;

use podnet_model::{Conns, Protocol};

use crate::plan::{PodPlan, Service};

/// One pod's rules in one direction: for each peer, what is allowed.
pub struct PodRules<'a> {
    /// The pod's index in the plan.
    pub pod: usize,
    /// Its plan.
    pub plan: &'a PodPlan,
    /// Per peer (its address), the allowed connections.
    pub peers: Vec<(Ipv4Addr, &'a Conns)>,
}

/// The ruleset of one node namespace: a table `table` holding the policy
/// chains for the node's `egress` and `ingress` pods and the Services' DNAT.
pub fn node_ruleset(
    table: &str,
    egress: &[PodRules<'_>],
    ingress: &[PodRules<'_>],
    services: &[Service],
    pods: &[PodPlan],
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "table inet {table} {{");
    direction(&mut out, "egress", "saddr", "daddr", egress);
    direction(&mut out, "ingress", "daddr", "saddr", ingress);
    services_chain(&mut out, services, pods);
    out.push_str("}\n");
    out
}

fn direction(out: &mut String, name: &str, own: &str, peer: &str, pods: &[PodRules<'_>]) {
    let _ = writeln!(out, "\tchain {name} {{");
    let _ = writeln!(
        out,
        "\t\ttype filter hook forward priority filter; policy accept;"
    );
    out.push_str("\t\tct state established,related accept\n");
    for p in pods {
        let _ = writeln!(
            out,
            "\t\tip {own} {} jump {name}_p{} comment \"{}\"",
            p.plan.address.addr, p.pod, p.plan.pod
        );
    }
    out.push_str("\t}\n");
    for p in pods {
        let _ = writeln!(out, "\tchain {name}_p{} {{", p.pod);
        // Peers grouped by the exact rule text they need, in a stable order.
        let mut groups: BTreeMap<Vec<String>, Vec<Ipv4Addr>> = BTreeMap::new();
        for (ip, conns) in &p.peers {
            let matches = conns_matches(conns);
            if !matches.is_empty() {
                groups.entry(matches).or_default().push(*ip);
            }
        }
        for (matches, mut ips) in groups {
            ips.sort();
            let set = set_of(ips.iter().map(ToString::to_string));
            for m in matches {
                let m = if m.is_empty() { m } else { format!(" {m}") };
                let _ = writeln!(out, "\t\tip {peer} {set}{m} accept");
            }
        }
        out.push_str("\t\tdrop\n\t}\n");
    }
}

/// kube-proxy's ClusterIP translation: each Service port to one of its
/// endpoints, chosen at random.
fn services_chain(out: &mut String, services: &[Service], pods: &[PodPlan]) {
    if services.iter().all(|s| s.ports.is_empty()) {
        return;
    }
    out.push_str("\tchain services {\n");
    out.push_str("\t\ttype nat hook prerouting priority dstnat; policy accept;\n");
    for s in services {
        for p in &s.ports {
            let targets: Vec<String> = p
                .endpoints
                .iter()
                .filter_map(|(pod, port)| pods.get(*pod).map(|pp| (pp.address.addr, port)))
                .map(|(ip, port)| format!("{ip} . {port}"))
                .collect();
            if targets.is_empty() {
                continue;
            }
            let to = if targets.len() == 1 {
                format!("dnat ip addr . port to {}", targets.join(""))
            } else {
                let entries: Vec<String> = targets
                    .iter()
                    .enumerate()
                    .map(|(i, t)| format!("{i} : {t}"))
                    .collect();
                format!(
                    "dnat ip addr . port to numgen random mod {} map {{ {} }}",
                    targets.len(),
                    entries.join(", ")
                )
            };
            let _ = writeln!(
                out,
                "\t\tip daddr {} {} dport {} {to} comment \"{}\"",
                s.cluster_ip, p.protocol, p.port, s.name
            );
        }
    }
    out.push_str("\t}\n");
}

/// The match expressions that together accept exactly `conns` (one rule
/// each); one empty expression for everything; none for nothing.
pub fn conns_matches(conns: &Conns) -> Vec<String> {
    if conns.is_all() {
        return vec![String::new()];
    }
    let mut out = Vec::new();
    for p in Protocol::ALL {
        let ports = conns.ports(p);
        let name = proto_name(p);
        if ports.is_full() {
            out.push(format!("meta l4proto {name}"));
        } else if !ports.is_empty() {
            let items = ports.ranges().iter().map(|&(lo, hi)| {
                if lo == hi {
                    lo.to_string()
                } else {
                    format!("{lo}-{hi}")
                }
            });
            out.push(format!("{name} dport {}", set_of(items)));
        }
    }
    if conns.other_protocols() {
        out.push("meta l4proto != { tcp, udp, sctp }".to_owned());
    }
    out
}

/// `x` alone, or `{ x, y }`.
fn set_of(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    if items.len() == 1 {
        items.concat()
    } else {
        format!("{{ {} }}", items.join(", "))
    }
}

/// The lower-case protocol name nftables and the plan use.
pub fn proto_name(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
        Protocol::Sctp => "sctp",
    }
}

#[cfg(test)]
mod tests {
    use podnet_model::PortSet;

    use super::*;

    #[test]
    fn conns_become_matches() {
        assert_eq!(conns_matches(&Conns::all()), vec![String::new()]);
        assert!(conns_matches(&Conns::none()).is_empty());
        let mut c = Conns::ports_of(Protocol::Tcp, PortSet::single(80));
        c.add(&Conns::ports_of(Protocol::Udp, PortSet::range(5000, 5010)));
        c.add(&Conns::ports_of(Protocol::Sctp, PortSet::full()));
        assert_eq!(
            conns_matches(&c),
            vec![
                "tcp dport 80".to_owned(),
                "udp dport 5000-5010".to_owned(),
                "meta l4proto sctp".to_owned()
            ]
        );
    }
}
