//! `podnet lab plan`: the plan of a lab in words, one block per node
//! namespace, then pods, Services, probes and what the lab leaves out.

use std::fmt::Write as _;

use podnet_lab::LabPlan;
use podnet_lab::plan::Transport;

use super::{label, source_label};

/// The plan for people: namespaces, links, addresses, routes, rulesets,
/// listeners and (with `probes`) every probe with its expectation.
pub fn plan_text(plan: &LabPlan, probes: bool) -> String {
    let mut o = String::new();
    let transport = match plan.transport {
        Transport::Routes => "routes via the node addresses".to_owned(),
        Transport::Vxlan { port } => format!("vxlan (VNI 1, udp/{port})"),
    };
    let _ = writeln!(
        o,
        "lab {} (prefix {}), transport {transport}",
        plan.id, plan.prefix
    );
    let _ = writeln!(
        o,
        "underlay netns {}: bridge {}",
        plan.underlay, plan.underlay_bridge
    );
    for n in &plan.nodes {
        let _ = writeln!(o, "\nnode {} netns {}", n.name, n.netns);
        let _ = writeln!(
            o,
            "  {} {}/32 <-> {} on {}",
            n.uplink, n.address, n.underlay_port, plan.underlay_bridge
        );
        let addrs: Vec<String> = n.bridge_addresses.iter().map(ToString::to_string).collect();
        let _ = writeln!(o, "  bridge {} {}", n.bridge, addrs.join(" "));
        if let Some(v) = &n.vxlan {
            let _ = writeln!(o, "  {} {}/32 mac {}", v.device, v.address, v.mac);
            for (mac, vtep, under) in &v.peers {
                let _ = writeln!(o, "    neigh {vtep} {mac}, fdb {mac} dst {under}");
            }
        }
        for r in &n.routes {
            let _ = writeln!(o, "  route {r}");
        }
        for l in n.nftables.lines() {
            let _ = writeln!(o, "  | {}", l.replace('\t', "  "));
        }
    }
    let _ = writeln!(o);
    for p in &plan.pods {
        let onlink = if p.onlink { " onlink" } else { "" };
        let _ = writeln!(
            o,
            "pod {} netns {} on node {}: {} {} {} (peer {}), default via {}{onlink}; {} neighbours; listen {}",
            p.pod,
            p.netns,
            p.node,
            p.interface,
            p.address,
            p.mac,
            p.host_veth,
            p.gateway,
            p.neighbors.len(),
            p.listeners.args().join(" ")
        );
    }
    for s in &plan.services {
        for sp in &s.ports {
            let eps: Vec<String> = sp
                .endpoints
                .iter()
                .map(|(pod, port)| format!("p{pod}:{port}"))
                .collect();
            let _ = writeln!(
                o,
                "service {} {}:{}/{} -> {}",
                s.name,
                s.cluster_ip,
                sp.port,
                sp.protocol,
                eps.join(" ")
            );
            if let Some(np) = sp.node_port {
                let policy = if s.external_local {
                    "Local: own endpoints only, no masquerade"
                } else {
                    "Cluster: masquerade to the node"
                };
                let _ = writeln!(
                    o,
                    "service {} nodePort {np}/{} on every node, externalTrafficPolicy {policy}",
                    s.name, sp.protocol
                );
            }
        }
        for lb in &s.load_balancer_ips {
            let ranges: Vec<String> = s.source_ranges.iter().map(ToString::to_string).collect();
            let from = if ranges.is_empty() {
                "from anywhere".to_owned()
            } else {
                format!("from {} only", ranges.join(" "))
            };
            let _ = writeln!(
                o,
                "service {} load balancer {lb} on every node, {from}",
                s.name
            );
        }
    }
    for c in &plan.clients {
        let routes: Vec<String> = c.routes.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            o,
            "outside client netns {}: {} {}/32 <-> {} on {}; routes {}",
            c.netns,
            c.interface,
            c.address,
            c.underlay_port,
            plan.underlay_bridge,
            routes.join(", ")
        );
    }
    let allowed = plan.probes.iter().filter(|p| p.expected).count();
    let _ = writeln!(
        o,
        "\n{} probes, {allowed} expected to connect",
        plan.probes.len()
    );
    if probes {
        for p in &plan.probes {
            let to = label(&p.to);
            let verdict = if p.expected { "allow" } else { "deny" };
            let source = p
                .expected_source
                .map(|ip| format!(", the endpoint sees {ip}"))
                .unwrap_or_default();
            let _ = writeln!(
                o,
                "  {} -> {to} {} {}/{}: {verdict}{source}",
                source_label(p.from),
                p.ip,
                p.protocol,
                p.port
            );
        }
    }
    for e in &plan.excluded {
        let _ = writeln!(o, "excluded {}: {}", e.subject, e.reason);
    }
    o
}
