//! The dataplane's problems in words: each [`Found`] becomes a message
//! and, for most, a help line; the diagnostic printers show them like the
//! reader's.

use podnet_dataplane::Issue;
use podnet_dataplane::issue::{
    Assumed, Found, FrontFound, NetworkFound, PoolReserved, ServiceFound, StaticFound, Unplaced,
    Unresolved, WantedPort,
};
use podnet_model::Diagnostic;

/// Help for two address ranges that share addresses.
const DISJOINT: &str = "addresses in both ranges would be ambiguous; keep the ranges disjoint";

/// A dataplane problem as a diagnostic.
pub fn issue(issue: &Issue) -> Diagnostic {
    let (message, help) = words(&issue.detail);
    let mut d = Diagnostic::new(issue.severity, message);
    if let Some(h) = help {
        d = d.with_help(h);
    }
    if let Some(o) = &issue.object {
        d = d.with_object(o.clone());
    }
    d.location.clone_from(&issue.location);
    d
}

/// The message and help line of `found`.
fn words(found: &Found) -> (String, Option<&'static str>) {
    match found {
        Found::UndeclaredNodes { nodes } => {
            let n = nodes.len();
            let shown: Vec<String> = nodes
                .iter()
                .take(3)
                .map(|(node, pod)| format!("`{node}` (pod {pod})"))
                .collect();
            (
                format!(
                    "{n} node{} named by pods {} declared by neither a Node object nor the profile: {}{}; podnet adds {} without an address",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "is" } else { "are" },
                    shown.join(", "),
                    if n > 3 { ", ..." } else { "" },
                    if n == 1 { "it" } else { "them" }
                ),
                Some(
                    "add the nodes to the ClusterProfile's `nodes`, or include their Node objects",
                ),
            )
        }
        Found::Assumed(a) => (
            assumed(a),
            Some(
                "declare the cluster's nodes (Node objects, or `nodes`/`nodeCount` and `clusterCIDRs` in a ClusterProfile) to analyse them instead",
            ),
        ),
        Found::Overloaded {
            node,
            pods,
            max_pods,
        } => (
            format!("node `{node}` runs {pods} pods, more than its maxPods {max_pods}"),
            None,
        ),
        Found::Unplaced(u) => (
            unplaced(u),
            Some(
                "the workloads are still analysed from their pod templates' labels; declare nodes that admit them (Node objects or the ClusterProfile's `nodes`, with their labels and taints), or change their nodeSelector, affinity or tolerations",
            ),
        ),
        Found::SameStatusAddress { ip, first, second } => (
            format!("pods {first} and {second} report the same address {ip}"),
            None,
        ),
        Found::PodCidrOutside {
            node,
            pod_cidr,
            cluster_cidr,
        } => (
            format!("node `{node}` has podCIDR {pod_cidr} outside the cluster CIDR {cluster_cidr}"),
            None,
        ),
        Found::NoNodeBlock {
            cluster_cidr,
            blocks,
            mask,
            node,
        } => (
            format!(
                "cluster CIDR {cluster_cidr} has only {blocks} /{mask} blocks; node `{node}` gets none and its pods get no {} address",
                if cluster_cidr.network().is_ipv4() {
                    "IPv4"
                } else {
                    "IPv6"
                }
            ),
            Some("widen the cluster CIDR or lengthen the node mask (nodeMaskSizeIPv4/IPv6)"),
        ),
        Found::NodeBlockExhausted {
            block,
            node,
            capacity,
            pod,
        } => (
            format!(
                "pod block {block} of node `{}` is exhausted ({capacity} addresses); pod {pod} gets no address",
                node.as_deref().unwrap_or("?")
            ),
            Some("lower maxPods or use a shorter node mask"),
        ),
        Found::NodeOutsideVpc { node, cni } => (
            format!(
                "node `{node}` has no address in a VPC subnet, so {cni} cannot give its pods VPC addresses"
            ),
            Some("give the node an internalIP inside one of the cloud's subnets"),
        ),
        Found::SubnetExhausted { subnet, cidr, pod } => (
            format!("subnet {subnet} ({cidr}) has no free address left for pod {pod}"),
            None,
        ),
        Found::Static(s) => static_words(s),
        Found::Network(n) => network(n),
        Found::Service(s) => service(s),
        Found::RangesOverlap { first, second } => {
            (format!("{first} overlaps {second}"), Some(DISJOINT))
        }
        Found::Front(f) => (front(f), None),
    }
}

/// What podnet assumed, in one line.
fn assumed(a: &Assumed) -> String {
    let widened: Vec<String> = a
        .widened
        .iter()
        .map(|(from, to, mask)| {
            format!("cluster CIDR {from} widened to {to} to give each node a /{mask} block")
        })
        .collect();
    let Some(nodes) = &a.nodes else {
        return format!("assumed a wider {}", widened.join("; "));
    };
    let mut m = format!(
        "assumed {} node{} as the inputs declare none: `{}` to `{}` (preset {}), with the kubelet's labels ({}), no taints, maxPods {}",
        nodes.count,
        if nodes.count == 1 { "" } else { "s" },
        nodes.first,
        nodes.last,
        a.preset,
        a.labels
            .iter()
            .take(2)
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", "),
        a.max_pods,
    );
    for p in &nodes.pools {
        let mut what = Vec::new();
        if !p.labels.is_empty() {
            what.push(format!("labelled {}", p.labels));
        }
        if !p.without.is_empty() {
            what.push(format!("without {}", p.without.join(", ")));
        }
        let who = match &p.name {
            Some(n) => format!("`{n}`"),
            None => format!("{} of them", p.nodes),
        };
        m.push_str(&format!(
            "; {who} {} for the pods that require it",
            what.join(" and ")
        ));
    }
    for w in &widened {
        m.push_str("; ");
        m.push_str(w);
    }
    m
}

/// Pods no node takes: the first workloads are named, the rest counted.
fn unplaced(u: &Unplaced) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let single = u.workload_count == 1;
    let more = match u.workload_count.saturating_sub(u.workloads.len()) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    // A single workload is the diagnostic's object; several are listed,
    // the first giving the location.
    let listed = if single {
        String::new()
    } else {
        format!(": {}{more}", u.workloads.join(", "))
    };
    let failure = &u.failure;
    let requires = u
        .requires
        .as_ref()
        .map(|r| format!("; they require {r}"))
        .unwrap_or_default();
    if u.stand_in {
        format!(
            "{} no node and {} no pod ({failure}{requires}){listed}; podnet keeps one pod from {} template, without a node or an address",
            if single {
                "fits".to_owned()
            } else {
                format!("{} fit", plural(u.workload_count, "DaemonSet"))
            },
            if single { "runs" } else { "run" },
            if single { "its" } else { "each" },
        )
    } else {
        format!(
            "{}{} cannot be placed and {} Pending without an address ({failure}{requires}){listed}",
            plural(u.pods, "pod"),
            if single {
                String::new()
            } else {
                format!(" of {}", plural(u.workload_count, "workload"))
            },
            if u.pods == 1 { "stays" } else { "stay" },
        )
    }
}

/// Why a pool never hands out an address, as a noun phrase.
pub fn pool_reserved(why: PoolReserved) -> &'static str {
    match why {
        PoolReserved::Gateway => "the gateway",
        PoolReserved::Listed => "a reserved address",
        PoolReserved::Network => "the network address",
        PoolReserved::Broadcast => "the broadcast address",
        PoolReserved::NodeAddress => "a node's address, inside the subnet",
    }
}

fn static_words(s: &StaticFound) -> (String, Option<&'static str>) {
    match s {
        StaticFound::EmptyList { pod } => {
            (format!("pod {pod} requests an empty address list"), None)
        }
        StaticFound::OutsidePools { ip, pod, pools } => {
            let names: Vec<String> = pools
                .iter()
                .map(|(name, cidr)| format!("{name} ({cidr})"))
                .collect();
            (
                format!(
                    "static address {ip} of pod {pod} is outside every IPPool{}",
                    if names.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", names.join(", "))
                    }
                ),
                Some("pick an address inside a pool's subnet, or declare the pool"),
            )
        }
        StaticFound::Unusable { ip, pod, why, pool } => (
            format!(
                "static address {ip} of pod {pod} is {} of IPPool {pool}",
                pool_reserved(*why)
            ),
            None,
        ),
        StaticFound::Taken { ip, pod, other } => (
            format!("static address {ip} of pod {pod} is already used by pod {other}"),
            Some(
                "a static address fits one pod: a workload with several replicas needs one address per replica",
            ),
        ),
        StaticFound::UnknownPool { pod, pool } => (
            format!("pod {pod} asks for IPPool `{pool}`, which is not in the input"),
            None,
        ),
        StaticFound::DisabledPool { pod, pool } => (
            format!("pod {pod} asks for IPPool `{pool}`, which is disabled"),
            None,
        ),
        StaticFound::PoolExhausted {
            pool,
            capacity,
            pod,
        } => (
            format!("IPPool {pool} is exhausted ({capacity} addresses); pod {pod} gets no address"),
            Some("add a range to the pool or lower the replicas drawing from it"),
        ),
        StaticFound::NoPool { pod } => (format!("pod {pod} names no IPPool"), None),
    }
}

fn network(n: &NetworkFound) -> (String, Option<&'static str>) {
    match n {
        NetworkFound::HostNetwork { network } => (
            format!(
                "host-network pod selects network `{network}`; its sandbox is the node's, so Multus adds no interface"
            ),
            None,
        ),
        NetworkFound::Missing { network } => (
            format!("no NetworkAttachmentDefinition `{network}`: pods selecting it do not start"),
            None,
        ),
        NetworkFound::Dhcp { network } => (
            format!(
                "network `{network}` uses dhcp: addresses come from a DHCP server outside the cluster; podnet does not know them"
            ),
            None,
        ),
        NetworkFound::StaticEmpty { network } => (
            format!(
                "static IPAM of network `{network}` has no `addresses` and the pod requests no `ips`"
            ),
            None,
        ),
        NetworkFound::WhereaboutsIgnoresIps { network } => (
            format!(
                "whereabouts does not read requested `ips`; the pod gets an address of network `{network}`'s ranges"
            ),
            None,
        ),
        NetworkFound::RequestedOutside { ip, network } => (
            format!(
                "requested address {ip} is outside the ranges of network `{network}`; host-local refuses it"
            ),
            None,
        ),
        NetworkFound::Exhausted { network, range_set } => (
            format!(
                "network `{network}` has no free address left in range set {range_set}; the pod does not start"
            ),
            Some("widen the range or remove exclusions"),
        ),
        NetworkFound::SharedAddress {
            ip,
            network,
            pods,
            per_node,
        } => (
            format!(
                "address {ip} on network `{network}` is held by {} pods: {}",
                pods.len(),
                pods.join(", ")
            ),
            per_node.then_some(
                "host-local allocates on each node on its own; use whereabouts for cluster-wide ranges",
            ),
        ),
    }
}

fn service(s: &ServiceFound) -> (String, Option<&'static str>) {
    let joined = |cidrs: &[ipnet::IpNet]| {
        cidrs
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match s {
        ServiceFound::ClusterIpOutside { ip, service, cidrs } => (
            format!(
                "clusterIP {ip} of Service {service} is outside the service CIDR {}; the API server rejects it",
                joined(cidrs)
            ),
            Some("remove clusterIP to let the cluster choose, or fix the profile's serviceCIDRs"),
        ),
        ServiceFound::ClusterIpNetwork { ip, service, cidr } => (
            format!("clusterIP {ip} of Service {service} is the network address of {cidr}"),
            None,
        ),
        ServiceFound::ClusterIpTaken { ip, service, other } => (
            format!("clusterIP {ip} of Service {service} is already allocated to Service {other}"),
            None,
        ),
        ServiceFound::CidrsExhausted { cidrs, service } => (
            format!(
                "{} exhausted; Service {service} gets no ClusterIP",
                match cidrs.as_slice() {
                    [one] => format!("service CIDR {one} is"),
                    all => format!("service CIDRs {} are", joined(all)),
                }
            ),
            None,
        ),
        ServiceFound::DnsAddressHeld { service, dns } => (
            format!(
                "Service {service} holds {dns}, the address kubelets hand pods as their nameserver"
            ),
            None,
        ),
        ServiceFound::NodePortOutside {
            port,
            service,
            range: (lo, hi),
        } => (
            format!(
                "nodePort {port} of Service {service} is outside the default --service-node-port-range {lo}-{hi}; the API server rejects it unless the range was changed"
            ),
            None,
        ),
        ServiceFound::NodePortTaken {
            port,
            protocol,
            service,
            other,
        } => (
            format!(
                "nodePort {port}/{protocol} of Service {service} is already allocated to Service {other}"
            ),
            None,
        ),
        ServiceFound::NodePortsExhausted {
            range: (lo, hi),
            service,
            port,
        } => (
            format!(
                "the NodePort range {lo}-{hi} is exhausted; Service {service} port {port} gets none"
            ),
            None,
        ),
        ServiceFound::SharedLoadBalancerIp { service, ip } => (
            format!(
                "Service {service} requests {ip}, which another Service already holds; MetalLB shares it only with allow-shared-ip"
            ),
            None,
        ),
        ServiceFound::CidrsDiffer { declared, profile } => (
            format!(
                "the API server's own ServiceCIDR `kubernetes` holds {}, but the profile's serviceCIDRs are {}; podnet uses the profile's",
                joined(declared),
                joined(profile)
            ),
            Some("make the profile's serviceCIDRs the API server's --service-cluster-ip-range"),
        ),
        ServiceFound::CidrOverlapsPods { cidr, name, pods } => (
            format!("{cidr} of ServiceCIDR {name} overlaps cluster CIDR {pods}"),
            Some(DISJOINT),
        ),
    }
}

fn front(f: &FrontFound) -> String {
    match f {
        FrontFound::Unresolved(u) => unresolved(u),
        FrontFound::Unattached => {
            "attaches to no Gateway listener in the input (parentRefs, allowedRoutes or hostnames)"
                .to_owned()
        }
        FrontFound::BackendRefused {
            namespace,
            name,
            from,
        } => format!(
            "backendRef to Service {namespace}/{name} crosses from namespace `{from}` without a ReferenceGrant in `{namespace}` that permits it: refused (Gateway API, ReferenceGrant)"
        ),
        FrontFound::CertificateRefused {
            listener,
            kind,
            namespace,
            name,
            from,
            none_left,
        } => format!(
            "listener `{listener}`: certificateRef to {kind} {namespace}/{name} crosses from namespace `{from}` without a ReferenceGrant in `{namespace}` that permits it: refused (Gateway API, GatewayTLSConfig certificateRefs; ResolvedRefs=False, RefNotPermitted){}",
            if *none_left {
                ": the listener has no certificate, TLS handshakes fail"
            } else {
                ""
            }
        ),
        FrontFound::ParentMissing { namespace, name } => format!(
            "its parent Gateway {namespace}/{name} is not in the input: its listeners serve nothing"
        ),
        FrontFound::NotAdmitted { gateway, from } => format!(
            "Gateway {gateway} does not admit ListenerSets from namespace `{from}` (spec.allowedListeners; none by default): its listeners are not attached"
        ),
        FrontFound::ListenerClash { listener, gateway } => format!(
            "listener `{listener}` has the port, protocol and hostname of a listener Gateway {gateway} already has: not attached"
        ),
    }
}

fn unresolved(u: &Unresolved) -> String {
    match u {
        Unresolved::NoNamespace(ns) => {
            format!("routes to namespace `{ns}`, which is not in the input")
        }
        Unresolved::NoService(name) => {
            format!("routes to Service `{name}`, which is not in the input")
        }
        Unresolved::ExternalName(name, target) => format!(
            "routes to ExternalName Service `{name}` (`{target}`): podnet follows no traffic outside the cluster"
        ),
        Unresolved::NoPort(name, wanted) => {
            let wanted = match wanted {
                WantedPort::Name(n) => format!("`{n}`"),
                WantedPort::Number(n) => n.to_string(),
                WantedPort::Any => "any".to_owned(),
                WantedPort::Missing => "none".to_owned(),
            };
            format!("routes to Service `{name}` on a port it does not have ({wanted})")
        }
    }
}

#[cfg(test)]
mod tests {
    use podnet_model::{Severity, Source};

    use super::*;

    fn ip(s: &str) -> std::net::IpAddr {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn net(s: &str) -> ipnet::IpNet {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// The words of one problem of each kind of detail, and how a
    /// condition in the data changes them (docs/dataplane.md lists them).
    #[test]
    fn each_finding_has_its_message_and_help() {
        let cases: Vec<(Found, &str, Option<&str>)> = vec![
            (
                Found::UndeclaredNodes {
                    nodes: vec![("n1".into(), "a/p".into())],
                },
                "1 node named by pods is declared by neither a Node object nor the profile: `n1` (pod a/p); podnet adds it without an address",
                Some(
                    "add the nodes to the ClusterProfile's `nodes`, or include their Node objects",
                ),
            ),
            (
                Found::Static(StaticFound::Unusable {
                    ip: ip("10.0.0.1"),
                    pod: "a/p".into(),
                    why: PoolReserved::Gateway,
                    pool: "pool-a".into(),
                }),
                "static address 10.0.0.1 of pod a/p is the gateway of IPPool pool-a",
                None,
            ),
            (
                Found::Service(ServiceFound::CidrsExhausted {
                    cidrs: vec![net("10.43.0.0/28")],
                    service: "a/web".into(),
                }),
                "service CIDR 10.43.0.0/28 is exhausted; Service a/web gets no ClusterIP",
                None,
            ),
            (
                Found::Service(ServiceFound::CidrsExhausted {
                    cidrs: vec![net("10.43.0.0/28"), net("10.44.0.0/28")],
                    service: "a/web".into(),
                }),
                "service CIDRs 10.43.0.0/28, 10.44.0.0/28 are exhausted; Service a/web gets no ClusterIP",
                None,
            ),
            (
                Found::Network(NetworkFound::SharedAddress {
                    ip: ip("10.80.0.10"),
                    network: podnet_model::NetworkRef {
                        namespace: "tel".into(),
                        name: "br".into(),
                    },
                    pods: vec!["tel/p1".into(), "tel/p3".into()],
                    per_node: true,
                }),
                "address 10.80.0.10 on network `tel/br` is held by 2 pods: tel/p1, tel/p3",
                Some(
                    "host-local allocates on each node on its own; use whereabouts for cluster-wide ranges",
                ),
            ),
            (
                Found::Front(FrontFound::Unresolved(Unresolved::NoPort(
                    "web".into(),
                    WantedPort::Name("nope".into()),
                ))),
                "routes to Service `web` on a port it does not have (`nope`)",
                None,
            ),
            (
                Found::Front(FrontFound::Unresolved(Unresolved::NoPort(
                    "web".into(),
                    WantedPort::Missing,
                ))),
                "routes to Service `web` on a port it does not have (none)",
                None,
            ),
        ];
        for (found, message, help) in cases {
            let d = issue(&Issue::warning(found.clone()));
            assert_eq!(d.detail.message, message, "{found:?}");
            assert_eq!(d.detail.help.as_deref(), help, "{found:?}");
        }
    }

    #[test]
    fn an_issue_keeps_its_severity_object_and_location() {
        let source = Source {
            file: "f.yaml".into(),
            document: 3,
            line: Some(9),
            item: None,
        };
        let found = Found::Overloaded {
            node: "n1".into(),
            pods: 111,
            max_pods: 110,
        };
        let d = issue(&Issue::error(found).at("Node n1", Some(&source)));
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(
            d.to_string(),
            "f.yaml:9: error: document 3: Node n1: node `n1` runs 111 pods, more than its maxPods 110"
        );
    }
}
