//! The fast engine must agree with the readable spec on every flow of
//! randomly generated clusters: pod to pod, pod to outside addresses,
//! outside addresses to pods, and the workload-level connlist.

#![allow(clippy::unwrap_used)] // test helpers: a bad literal is a bug in the test

use std::collections::HashMap;
use std::net::IpAddr;

use podnet_engine::semantics::evaluate;
use podnet_engine::{Endpoint, Engine, PeerRef, connlist};
use podnet_model::policy::PeerKind;
use podnet_model::{
    Cluster, Conns, ContainerPort, IpBlock, LabelSelector, LabelSetId, Labels, Meta, Namespace,
    NamespaceScope, NetworkPolicy, NsId, Operator, Peer, Pod, PodId, PodNet, PodOrigin, PolicyRule,
    PortMatch, PortSpec, PortTableId, Protocol, Requirement, Source, Workload, WorkloadId,
    WorkloadKind,
};
use proptest::prelude::*;

const ADDRS: [&str; 7] = [
    "10.0.0.1",
    "10.0.0.2",
    "10.0.1.1",
    "192.168.1.1",
    "8.8.8.8",
    "fd00::1",
    "2001:db8::5",
];
const CIDRS: [&str; 6] = [
    "10.0.0.0/8",
    "10.0.0.0/24",
    "0.0.0.0/0",
    "192.168.0.0/16",
    "::/0",
    "fd00::/8",
];
const EXCEPTS: [&str; 3] = ["10.0.0.0/30", "10.0.1.0/24", "192.168.1.0/24"];
const PORTS: [(&str, u16, Protocol); 4] = [
    ("http", 80, Protocol::Tcp),
    ("dns", 53, Protocol::Udp),
    ("metrics", 9090, Protocol::Tcp),
    ("alt", 8080, Protocol::Sctp),
];

fn labels() -> impl Strategy<Value = Labels> {
    (prop::option::of(0..3usize), prop::option::of(0..2usize)).prop_map(|(app, tier)| {
        let mut l = Labels::new();
        if let Some(a) = app {
            l.insert("app", ["a", "b", "c"][a]);
        }
        if let Some(t) = tier {
            l.insert("tier", ["x", "y"][t]);
        }
        l
    })
}

fn selector() -> impl Strategy<Value = LabelSelector> {
    prop_oneof![
        Just(LabelSelector::everything()),
        (0..3usize).prop_map(|a| LabelSelector::new(
            [("app".to_owned(), ["a", "b", "c"][a].to_owned())],
            []
        )),
        (0..4usize, 0..2usize).prop_map(|(op, v)| {
            let op = [
                Operator::In,
                Operator::NotIn,
                Operator::Exists,
                Operator::DoesNotExist,
            ][op];
            let values = match op {
                Operator::In | Operator::NotIn => vec![["x", "y"][v].to_owned()],
                _ => Vec::new(),
            };
            LabelSelector::new([], [Requirement::new("tier", op, values)])
        }),
    ]
}

fn ns_selector() -> impl Strategy<Value = LabelSelector> {
    prop_oneof![
        Just(LabelSelector::everything()),
        (0..2usize)
            .prop_map(|t| LabelSelector::new([("team".to_owned(), ["a", "b"][t].to_owned())], [])),
        (0..3usize).prop_map(|n| LabelSelector::new(
            [("kubernetes.io/metadata.name".to_owned(), format!("ns{n}"))],
            []
        )),
    ]
}

fn peer() -> impl Strategy<Value = PeerKind> {
    prop_oneof![
        (prop::option::of(ns_selector()), selector()).prop_map(|(ns, pods)| PeerKind::Pods {
            namespaces: ns.map_or(NamespaceScope::PolicyNamespace, NamespaceScope::Selected),
            pods,
        }),
        (0..CIDRS.len(), prop::option::of(0..EXCEPTS.len())).prop_map(|(c, e)| {
            let cidr: ipnet::IpNet = CIDRS[c].parse().unwrap();
            let except: Vec<ipnet::IpNet> = e
                .map(|e| EXCEPTS[e].parse().unwrap())
                .filter(|e: &ipnet::IpNet| {
                    cidr.contains(&e.network()) && cidr.prefix_len() < e.prefix_len()
                })
                .into_iter()
                .collect();
            PeerKind::IpBlock(IpBlock::new(cidr, except))
        }),
    ]
}

fn port_spec() -> impl Strategy<Value = PortSpec> {
    (0..3usize, 0..4usize, 0..PORTS.len(), 0..30u16).prop_map(|(proto, kind, p, width)| {
        let protocol = Protocol::ALL[proto];
        let port = match kind {
            0 => PortMatch::All,
            1 => PortMatch::Range(PORTS[p].1, PORTS[p].1),
            2 => PortMatch::Range(PORTS[p].1 - 5, PORTS[p].1 + width),
            _ => PortMatch::Named(PORTS[p].0.to_owned()),
        };
        PortSpec {
            line: None,
            protocol,
            port,
        }
    })
}

fn rule() -> impl Strategy<Value = PolicyRule> {
    (
        prop::collection::vec(peer(), 0..3),
        prop::collection::vec(port_spec(), 0..3),
    )
        .prop_map(|(peers, ports)| PolicyRule {
            line: None,
            peers: peers
                .into_iter()
                .map(|kind| Peer { line: None, kind })
                .collect(),
            ports,
        })
}

#[derive(Debug, Clone)]
struct PodSpec {
    ns: usize,
    labels: Labels,
    ips: Vec<usize>,
    ports: Vec<usize>,
    host_network: bool,
}

fn pod_spec() -> impl Strategy<Value = PodSpec> {
    (
        0..3usize,
        labels(),
        prop::collection::vec(0..ADDRS.len(), 0..3),
        prop::collection::vec(0..PORTS.len(), 0..3),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(ns, labels, ips, ports, host_network)| PodSpec {
            ns,
            labels,
            ips,
            ports,
            host_network,
        })
}

#[derive(Debug, Clone)]
struct PolicySpec {
    ns: usize,
    selector: LabelSelector,
    ingress: bool,
    egress: bool,
    ingress_rules: Vec<PolicyRule>,
    egress_rules: Vec<PolicyRule>,
}

fn policy_spec() -> impl Strategy<Value = PolicySpec> {
    (
        0..3usize,
        selector(),
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(rule(), 0..3),
        prop::collection::vec(rule(), 0..3),
    )
        .prop_map(
            |(ns, selector, ingress, egress, ingress_rules, egress_rules)| PolicySpec {
                ns,
                selector,
                ingress,
                egress,
                ingress_rules,
                egress_rules,
            },
        )
}

fn source() -> Source {
    Source {
        file: "generated".into(),
        document: 1,
        line: None,
        item: None,
    }
}

/// Builds a cluster where each pod is its own workload; two pods may share
/// a workload to exercise unions.
fn build(ns_teams: &[usize], pods: &[PodSpec], policies: &[PolicySpec], shared: bool) -> Cluster {
    let mut c = Cluster::default();
    for (i, team) in ns_teams.iter().enumerate() {
        let mut labels = Labels::new();
        labels.insert("kubernetes.io/metadata.name", format!("ns{i}"));
        labels.insert("team", ["a", "b"][*team]);
        c.namespaces.push(Namespace {
            name: format!("ns{i}"),
            labels,
            declared: None,
        });
    }
    let mut label_ids: HashMap<Labels, LabelSetId> = HashMap::new();
    let mut port_ids: HashMap<Vec<ContainerPort>, PortTableId> = HashMap::new();
    for (i, p) in pods.iter().enumerate() {
        let labels = *label_ids.entry(p.labels.clone()).or_insert_with(|| {
            c.label_sets.push(p.labels.clone());
            LabelSetId::from_index(c.label_sets.len() - 1)
        });
        let mut table: Vec<ContainerPort> = p
            .ports
            .iter()
            .map(|&j| ContainerPort {
                name: Some(PORTS[j].0.to_owned()),
                port: PORTS[j].1,
                protocol: PORTS[j].2,
            })
            .collect();
        table.sort();
        table.dedup();
        let ports = *port_ids.entry(table.clone()).or_insert_with(|| {
            c.port_tables.push(table);
            PortTableId::from_index(c.port_tables.len() - 1)
        });
        // With `shared`, pods 0 and 1 of the same namespace form one workload.
        let wid = if shared && i == 1 && pods[0].ns == p.ns {
            WorkloadId(0)
        } else {
            c.workloads.push(Workload {
                kind: WorkloadKind::Pod,
                namespace: NsId::from_index(p.ns),
                name: format!("w{i}"),
                source: None,
                pods: Vec::new(),
                replicas: None,
            });
            WorkloadId::from_index(c.workloads.len() - 1)
        };
        let mut ips: Vec<IpAddr> = p.ips.iter().map(|&j| ADDRS[j].parse().unwrap()).collect();
        ips.sort();
        ips.dedup();
        c.pods.push(Pod {
            name: format!("p{i}"),
            namespace: NsId::from_index(p.ns),
            workload: wid,
            labels,
            ports,
            ips,
            host_network: p.host_network,
            node_name: None,
            origin: PodOrigin::Template { ordinal: 0 },
            net: PodNet::default(),
        });
        c.workloads[wid.index()].pods.push(PodId::from_index(i));
    }
    for (i, p) in policies.iter().enumerate() {
        c.policies.push(NetworkPolicy {
            meta: Meta {
                kind: "NetworkPolicy".into(),
                namespace: Some(format!("ns{}", p.ns)),
                name: format!("np{i}"),
                source: source(),
            },
            namespace: NsId::from_index(p.ns),
            pod_selector: p.selector.clone(),
            affects_ingress: p.ingress,
            affects_egress: p.egress,
            explicit_policy_types: true,
            ingress: p.ingress_rules.clone(),
            egress: p.egress_rules.clone(),
        });
    }
    c
}

fn external_conns(
    engine: &Engine<'_>,
    groups: Vec<(fixedbitset::FixedBitSet, Conns)>,
    ip: IpAddr,
) -> Conns {
    let atom = engine.atoms.atom_of(ip);
    groups
        .into_iter()
        .find(|(atoms, _)| atoms.contains(atom))
        .map(|(_, c)| c)
        .unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn fast_engine_equals_spec(
        teams in prop::collection::vec(0..2usize, 3),
        pods in prop::collection::vec(pod_spec(), 1..7),
        policies in prop::collection::vec(policy_spec(), 0..6),
        shared in any::<bool>(),
    ) {
        let cluster = build(&teams, &pods, &policies, shared);
        let engine = Engine::new(&cluster);
        let n = cluster.pods.len();
        // Pod to pod.
        for a in 0..n {
            for b in 0..n {
                let spec = evaluate(&cluster, Endpoint::Pod(PodId::from_index(a)), Endpoint::Pod(PodId::from_index(b))).conns;
                let fast = engine.pair(engine.identities.of_pod[a], engine.identities.of_pod[b]);
                prop_assert_eq!(&spec, &fast, "pod {} -> pod {}", a, b);
            }
        }
        // Outside addresses, both ways.
        let probes: Vec<IpAddr> = ADDRS.iter().chain(["10.0.0.3", "10.0.1.200", "11.1.1.1", "fe80::1"].iter()).map(|s| s.parse().unwrap()).collect();
        for a in 0..n {
            let id = engine.identities.of_pod[a];
            for &ip in &probes {
                let spec_in = evaluate(&cluster, Endpoint::External(ip), Endpoint::Pod(PodId::from_index(a))).conns;
                prop_assert_eq!(&spec_in, &external_conns(&engine, engine.external_ingress(id), ip), "{} -> pod {}", ip, a);
                let spec_out = evaluate(&cluster, Endpoint::Pod(PodId::from_index(a)), Endpoint::External(ip)).conns;
                prop_assert_eq!(&spec_out, &external_conns(&engine, engine.external_egress(id), ip), "pod {} -> {}", a, ip);
            }
        }
        // Workload level: the union of the spec over pod pairs.
        let mut want: HashMap<(WorkloadId, WorkloadId), Conns> = HashMap::new();
        for a in 0..n {
            for b in 0..n {
                let (wa, wb) = (cluster.pods[a].workload, cluster.pods[b].workload);
                if wa == wb { continue; }
                let c = evaluate(&cluster, Endpoint::Pod(PodId::from_index(a)), Endpoint::Pod(PodId::from_index(b))).conns;
                if !c.is_empty() {
                    want.entry((wa, wb)).or_default().add(&c);
                }
            }
        }
        let got: HashMap<(WorkloadId, WorkloadId), Conns> = connlist(&engine)
            .connections
            .into_iter()
            .filter_map(|c| match (c.src, c.dst) {
                (PeerRef::Workload(s), PeerRef::Workload(d)) => Some(((s, d), c.conns)),
                _ => None,
            })
            .collect();
        prop_assert_eq!(want, got);
    }
}
