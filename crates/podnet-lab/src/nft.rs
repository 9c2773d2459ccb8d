//! nftables rulesets for a node namespace, as `nft -f` text: NetworkPolicy
//! compiled from the engine's verdicts, and kube-proxy's ClusterIP and
//! NodePort DNAT with masquerade (`externalTrafficPolicy`).
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
//!
//! NodePorts follow the model's trace (`podnet_dataplane::trace`): the
//! source pod's egress is checked against the endpoint after the DNAT, so a
//! pod's egress chain lets traffic to a node's NodePort pass and the node
//! that translates it checks the source's egress there (the packet carries
//! a mark saying it was translated here). Under `externalTrafficPolicy:
//! Cluster` the node masquerades (SNAT to its address), so the endpoint's
//! ingress sees that node: on another node its ingress chain matches the
//! node's address as the engine evaluates it; on the translating node the
//! model allows it (traffic from the pod's own node), and the mark accepts
//! it there. Under `Local` only the node's own endpoints are used, without
//! masquerade; a node without one drops.
//!
//! Load-balancer addresses (`status.loadBalancer.ingress[].ip`, `ipMode:
//! VIP`) are caught the same way on every node, after kube-proxy's
//! firewall: with `loadBalancerSourceRanges` only sources inside the ranges
//! are translated, and a `prerouting` filter chain after the DNAT drops
//! whatever is still addressed to a load-balancer address (outside the
//! ranges, or `Local` without an endpoint on this node), as kube-proxy's
//! `KUBE-PROXY-FIREWALL` / `firewall-*` and `KUBE-EXTERNAL-SERVICES` do.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::Ipv4Addr;

use podnet_model::{Conns, Protocol};

use crate::plan::{PodPlan, Service, ServicePort};

/// One pod's rules in one direction: for each peer, what is allowed.
pub struct PodRules<'a> {
    /// The pod's index in the plan.
    pub pod: usize,
    /// Its plan.
    pub plan: &'a PodPlan,
    /// Per peer (its address), the allowed connections.
    pub peers: Vec<(Ipv4Addr, &'a Conns)>,
}

/// What a node namespace needs for NodePorts besides the Services' list.
pub struct NodePortRules<'a> {
    /// The node's index in the plan.
    pub node: usize,
    /// Its address (NodePorts are served there; masquerade goes to it).
    pub address: Ipv4Addr,
    /// Every node's address (a pod's egress lets NodePort traffic to them
    /// pass: it is checked after the DNAT, on the node that translates).
    pub node_addresses: &'a [Ipv4Addr],
    /// The pods of other nodes whose egress does not allow everything: this
    /// node checks their egress on the NodePort traffic it translates.
    pub remote_egress: &'a [&'a PodRules<'a>],
}

/// The packet mark of NodePort traffic this node translated without
/// masquerade (`externalTrafficPolicy: Local`).
const MARK_NODE_PORT: &str = "0x00000001";
/// The packet mark of NodePort traffic this node translated and
/// masquerades (`externalTrafficPolicy: Cluster`).
const MARK_MASQUERADE: &str = "0x00000002";

/// The ruleset of one node namespace: a table `table` holding the policy
/// chains for the node's `egress` and `ingress` pods and the Services' DNAT
/// (ClusterIPs, and NodePorts with `node_ports`).
pub fn node_ruleset(
    table: &str,
    egress: &[PodRules<'_>],
    ingress: &[PodRules<'_>],
    services: &[Service],
    pods: &[PodPlan],
    node_ports: &NodePortRules<'_>,
) -> String {
    let any_node_port = services
        .iter()
        .any(|s| !s.load_balancer_ips.is_empty() || s.ports.iter().any(|p| p.node_port.is_some()));
    let mut out = String::new();
    let _ = writeln!(out, "table inet {table} {{");
    let mut egress_extra = Vec::new();
    let mut ingress_extra = Vec::new();
    let mut remote: Vec<&PodRules<'_>> = Vec::new();
    if any_node_port {
        let addresses = set_of(node_ports.node_addresses.iter().map(ToString::to_string));
        for (proto, ports) in node_port_sets(services) {
            egress_extra.push(format!(
                "ip daddr {addresses} {proto} dport {ports} accept comment \"NodePort: egress is checked after the DNAT, on the node that translates\""
            ));
        }
        ingress_extra.push(format!(
            "meta mark {MARK_MASQUERADE} accept comment \"NodePort masqueraded by this node: the endpoint's own node\""
        ));
        remote.extend(node_ports.remote_egress.iter().copied());
    }
    direction(
        &mut out,
        "egress",
        "saddr",
        "daddr",
        egress,
        &egress_extra,
        &remote,
    );
    direction(
        &mut out,
        "ingress",
        "daddr",
        "saddr",
        ingress,
        &ingress_extra,
        &[],
    );
    services_chain(&mut out, services, pods, node_ports);
    if any_node_port {
        node_port_chains(&mut out, services, pods, node_ports);
    }
    out.push_str("}\n");
    out
}

/// `(protocol, set of NodePorts)` of every Service.
fn node_port_sets(services: &[Service]) -> Vec<(String, String)> {
    let mut by_proto: BTreeMap<String, Vec<u16>> = BTreeMap::new();
    for s in services {
        for p in &s.ports {
            if let Some(np) = p.node_port {
                by_proto.entry(p.protocol.clone()).or_default().push(np);
            }
        }
    }
    by_proto
        .into_iter()
        .map(|(proto, mut ports)| {
            ports.sort_unstable();
            ports.dedup();
            (proto, set_of(ports.iter().map(ToString::to_string)))
        })
        .collect()
}

/// The input drop of NodePorts this node does not serve (no local endpoint
/// under `externalTrafficPolicy: Local`) and the masquerade of NodePort
/// traffic under `externalTrafficPolicy: Cluster`.
fn node_port_chains(
    out: &mut String,
    services: &[Service],
    pods: &[PodPlan],
    node_ports: &NodePortRules<'_>,
) {
    out.push_str("\tchain nodeports_unserved {\n");
    out.push_str("\t\ttype filter hook input priority filter; policy accept;\n");
    for s in services.iter().filter(|s| s.external_local) {
        for p in &s.ports {
            let Some(np) = p.node_port else { continue };
            if local_endpoints(p, pods, node_ports.node).is_empty() {
                let _ = writeln!(
                    out,
                    "\t\tip daddr {} {} dport {np} drop comment \"{}: externalTrafficPolicy Local, no endpoint on this node\"",
                    node_ports.address, p.protocol, s.name
                );
            }
        }
    }
    out.push_str("\t}\n");
    let lb: Vec<String> = services
        .iter()
        .flat_map(|s| &s.load_balancer_ips)
        .map(ToString::to_string)
        .collect();
    if !lb.is_empty() {
        out.push_str("\tchain loadbalancers_unserved {\n");
        out.push_str("\t\ttype filter hook prerouting priority -90; policy accept;\n");
        let _ = writeln!(
            out,
            "\t\tip daddr {} drop comment \"not translated: outside loadBalancerSourceRanges, or externalTrafficPolicy Local without an endpoint here\"",
            set_of(lb.into_iter())
        );
        out.push_str("\t}\n");
    }
    out.push_str("\tchain nodeports_masquerade {\n");
    out.push_str("\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
    let _ = writeln!(
        out,
        "\t\tmeta mark {MARK_MASQUERADE} snat ip to {} comment \"NodePort, externalTrafficPolicy Cluster\"",
        node_ports.address
    );
    out.push_str("\t}\n");
}

/// The endpoints of `p` on node `node`.
fn local_endpoints(p: &ServicePort, pods: &[PodPlan], node: usize) -> Vec<(usize, u16)> {
    p.endpoints
        .iter()
        .copied()
        .filter(|(e, _)| pods.get(*e).is_some_and(|pp| pp.node == node))
        .collect()
}

fn direction(
    out: &mut String,
    name: &str,
    own: &str,
    peer: &str,
    pods: &[PodRules<'_>],
    extra: &[String],
    remote: &[&PodRules<'_>],
) {
    let _ = writeln!(out, "\tchain {name} {{");
    let _ = writeln!(
        out,
        "\t\ttype filter hook forward priority filter; policy accept;"
    );
    out.push_str("\t\tct state established,related accept\n");
    for e in extra {
        let _ = writeln!(out, "\t\t{e}");
    }
    for p in pods {
        let _ = writeln!(
            out,
            "\t\tip {own} {} jump {name}_p{} comment \"{}\"",
            p.plan.address.addr, p.pod, p.plan.pod
        );
    }
    for p in remote {
        let _ = writeln!(
            out,
            "\t\tmeta mark {{ {MARK_NODE_PORT}, {MARK_MASQUERADE} }} ip {own} {} jump {name}_p{} comment \"{} (NodePort translated here)\"",
            p.plan.address.addr, p.pod, p.plan.pod
        );
    }
    out.push_str("\t}\n");
    for p in pods.iter().chain(remote.iter().copied()) {
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
fn services_chain(
    out: &mut String,
    services: &[Service],
    pods: &[PodPlan],
    node_ports: &NodePortRules<'_>,
) {
    if services.iter().all(|s| s.ports.is_empty()) {
        return;
    }
    out.push_str("\tchain services {\n");
    out.push_str("\t\ttype nat hook prerouting priority dstnat; policy accept;\n");
    for s in services {
        for p in &s.ports {
            let Some(to) = dnat_to(&p.endpoints, pods) else {
                continue;
            };
            let _ = writeln!(
                out,
                "\t\tip daddr {} {} dport {} {to} comment \"{}\"",
                s.cluster_ip, p.protocol, p.port, s.name
            );
        }
    }
    // NodePorts on this node's address: all endpoints and masquerade, or
    // (externalTrafficPolicy: Local) the local ones and no masquerade. A
    // pod's packet to a Local NodePort is short-circuited to every
    // endpoint, unmasqueraded (kube-proxy: "pod traffic for external
    // destinations" jumps from KUBE-EXT to KUBE-SVC; packet-flow tests
    // TestExternalTrafficPolicyLocal in pkg/proxy/{iptables,nftables}).
    let pod_addresses = set_of(pods.iter().map(|pp| pp.address.addr.to_string()));
    let entry = EntryRules {
        pods,
        node: node_ports.node,
        pod_addresses: &pod_addresses,
    };
    for s in services {
        for p in &s.ports {
            let Some(np) = p.node_port else { continue };
            let filter = format!("ip daddr {} {} dport {np}", node_ports.address, p.protocol);
            entry.write(out, s, p, &filter, "NodePort");
        }
    }
    // Load-balancer addresses: as NodePorts, on the Service port, for the
    // sources loadBalancerSourceRanges let through (kube-proxy's KUBE-FW /
    // firewall-* chain comes before KUBE-EXT / external-*).
    for s in services {
        let ranges = if s.source_ranges.is_empty() {
            String::new()
        } else {
            format!(
                "ip saddr {} ",
                set_of(s.source_ranges.iter().map(ToString::to_string))
            )
        };
        for lb in &s.load_balancer_ips {
            for p in &s.ports {
                let filter = format!("{ranges}ip daddr {lb} {} dport {}", p.protocol, p.port);
                entry.write(out, s, p, &filter, "LoadBalancer");
            }
        }
    }
    out.push_str("\t}\n");
}

/// The translation rules of a Service's external entries (its NodePorts
/// on this node, its load-balancer addresses) on one node.
struct EntryRules<'a> {
    pods: &'a [PodPlan],
    /// This node.
    node: usize,
    /// The lab's pod addresses, as an nftables set.
    pod_addresses: &'a str,
}

impl EntryRules<'_> {
    /// The rules for packets matching `filter` (addresses and port) to
    /// Service `s`'s port `p`: every endpoint, masqueraded, or
    /// (externalTrafficPolicy: Local) this node's endpoints and no
    /// masquerade, with a pod's packet short-circuited to every endpoint.
    fn write(&self, out: &mut String, s: &Service, p: &ServicePort, filter: &str, what: &str) {
        let pods = self.pods;
        if s.external_local
            && let Some(to) = dnat_to(&p.endpoints, pods)
        {
            let _ = writeln!(
                out,
                "\t\tip saddr {} {filter} meta mark set {MARK_NODE_PORT} {to} comment \"{} {what}, from a pod: every endpoint\"",
                self.pod_addresses, s.name
            );
        }
        let (endpoints, mark) = if s.external_local {
            (local_endpoints(p, pods, self.node), MARK_NODE_PORT)
        } else {
            (p.endpoints.clone(), MARK_MASQUERADE)
        };
        if let Some(to) = dnat_to(&endpoints, pods) {
            let _ = writeln!(
                out,
                "\t\t{filter} meta mark set {mark} {to} comment \"{} {what}\"",
                s.name
            );
        }
    }
}

/// The DNAT statement to one of `endpoints`, chosen at random; none
/// without endpoints.
fn dnat_to(endpoints: &[(usize, u16)], pods: &[PodPlan]) -> Option<String> {
    let targets: Vec<String> = endpoints
        .iter()
        .filter_map(|(pod, port)| pods.get(*pod).map(|pp| (pp.address.addr, port)))
        .map(|(ip, port)| format!("{ip} . {port}"))
        .collect();
    match targets.len() {
        0 => None,
        1 => Some(format!("dnat ip addr . port to {}", targets.concat())),
        n => {
            let entries: Vec<String> = targets
                .iter()
                .enumerate()
                .map(|(i, t)| format!("{i} : {t}"))
                .collect();
            Some(format!(
                "dnat ip addr . port to numgen random mod {n} map {{ {} }}",
                entries.join(", ")
            ))
        }
    }
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
