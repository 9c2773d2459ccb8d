//! The fast engine must agree with the readable spec on every flow of
//! randomly generated clusters: pod to pod, pod to outside addresses,
//! outside addresses to pods, and the workload-level connlist. Clusters
//! come with NetworkPolicies only, or with the cluster-scoped tiers too
//! (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy,
//! with nodes for `nodes` peers); a separate test checks that the tiered
//! generator really produces flows the tiers decide.

#![allow(clippy::unwrap_used)] // test helpers: a bad literal is a bug in the test

use std::collections::HashMap;
use std::net::IpAddr;

use podnet_engine::groups::{Universe, describe_lines, group_flows, group_pairs, sort_lines};
use podnet_engine::semantics::{evaluate, from_own_node};
use podnet_engine::{
    Endpoint, Engine, PeerRef, Scope, Side, collect, connlist, outside_rows, rows, tiers,
};
use podnet_model::policy::PeerKind;
use podnet_model::{
    AdminAction, AdminApi, AdminPeer, AdminPolicy, AdminPort, AdminRule, AdminSubject, Cluster,
    Conns, ContainerPort, Direction, IpBlock, IpSet, LabelSelector, LabelSetId, Labels, Meta,
    Namespace, NamespaceScope, NamespacedPods, NetworkPolicy, Node, NsId, Operator, Peer, Pod,
    PodId, PodNet, PodOrigin, PolicyRule, PortMatch, PortSpec, PortTableId, Protocol, Requirement,
    Source, Tier, Workload, WorkloadId, WorkloadKind,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

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

/// The label of pods of their own name.
const POD_NAME: &str = "statefulset.kubernetes.io/pod-name";

fn selector() -> impl Strategy<Value = LabelSelector> {
    prop_oneof![
        1 => (0..2usize).prop_map(|p| LabelSelector::new([(POD_NAME.to_owned(), format!("p{p}"))], [])),
        3 => Just(LabelSelector::everything()),
        3 => (0..3usize).prop_map(|a| LabelSelector::new(
            [("app".to_owned(), ["a", "b", "c"][a].to_owned())],
            []
        )),
        3 => (0..4usize, 0..2usize).prop_map(|(op, v)| {
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
    /// Carries a label of its own (as StatefulSet pods carry
    /// `statefulset.kubernetes.io/pod-name`), which few selectors use.
    named: bool,
    labels: Labels,
    ips: Vec<usize>,
    ports: Vec<usize>,
    host_network: bool,
    /// Its node (`n0` or `n1`), if any: traffic from a host-network pod
    /// into a pod on its own node is always allowed.
    node: Option<usize>,
}

fn pod_spec() -> impl Strategy<Value = PodSpec> {
    pod_spec_with(0.1)
}

/// Pods using the host network with probability `host_network`.
fn pod_spec_with(host_network: f64) -> impl Strategy<Value = PodSpec> {
    (
        0..3usize,
        labels(),
        prop::collection::vec(0..ADDRS.len(), 0..3),
        prop::collection::vec(0..PORTS.len(), 0..3),
        prop::bool::weighted(host_network),
        prop::bool::weighted(0.4),
        prop::option::weighted(0.7, 0..2usize),
    )
        .prop_map(
            |(ns, labels, ips, ports, host_network, named, node)| PodSpec {
                ns,
                named,
                labels,
                ips,
                ports,
                host_network,
                node,
            },
        )
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
        let mut pod_labels = p.labels.clone();
        if p.named {
            pod_labels.insert(POD_NAME, format!("p{i}"));
        }
        let labels = *label_ids.entry(pod_labels.clone()).or_insert_with(|| {
            c.label_sets.push(pod_labels.clone());
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
            ips_assumed: false,
            host_network: p.host_network,
            node_name: p.node.map(|n| format!("n{n}")),
            origin: PodOrigin::Template { ordinal: 0 },
            net: PodNet::default(),
            admission: podnet_model::PodAdmission::default(),
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
    let atom = engine.atoms().atom_of(ip);
    groups
        .into_iter()
        .find(|(atoms, _)| atoms.contains(atom))
        .map(|(_, c)| c)
        .unwrap_or_default()
}

/// The outside addresses probed (pod addresses too: an address is judged as
/// outside the cluster even when a pod has it).
const PROBES: [&str; 4] = ["10.0.0.3", "10.0.1.200", "11.1.1.1", "fe80::1"];

fn probes(extra: &[&str]) -> Vec<IpAddr> {
    ADDRS
        .iter()
        .chain(PROBES.iter())
        .chain(extra)
        .map(|s| s.parse().unwrap())
        .collect()
}

/// Every flow of `cluster`: the fast path against the spec, pod to pod,
/// pod to and from each of `probes`, and the workload-level connlist.
fn check(cluster: &Cluster, probes: &[IpAddr]) -> Result<(), TestCaseError> {
    let engine = Engine::new(cluster);
    let n = cluster.pods.len();
    let pod = |i: usize| Endpoint::Pod(PodId::from_index(i));
    // Pod to pod.
    for a in 0..n {
        for b in 0..n {
            let spec = evaluate(cluster, pod(a), pod(b)).conns;
            let fast = engine.pair_to_pod(engine.identities().of_pod[a], PodId::from_index(b));
            prop_assert_eq!(&spec, &fast, "pod {} -> pod {}", a, b);
        }
    }
    // Outside addresses, both ways.
    for a in 0..n {
        let id = engine.identities().of_pod[a];
        for &ip in probes {
            let spec_in = evaluate(cluster, Endpoint::External(ip), pod(a)).conns;
            let fast_in = external_conns(&engine, engine.external_ingress(id), ip);
            prop_assert_eq!(&spec_in, &fast_in, "{} -> pod {}", ip, a);
            let spec_out = evaluate(cluster, pod(a), Endpoint::External(ip)).conns;
            let fast_out = external_conns(&engine, engine.external_egress(id), ip);
            prop_assert_eq!(&spec_out, &fast_out, "pod {} -> {}", a, ip);
        }
    }
    // Workload level: the union of the spec over pod pairs.
    let mut want: HashMap<(WorkloadId, WorkloadId), Conns> = HashMap::new();
    for a in 0..n {
        for b in 0..n {
            let (wa, wb) = (cluster.pods[a].workload, cluster.pods[b].workload);
            if wa == wb {
                continue;
            }
            let c = evaluate(cluster, pod(a), pod(b)).conns;
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
    prop_assert_eq!(&want, &got);
    check_classes(cluster, &engine, probes)?;
    check_rows(&engine)?;
    check_focus(&engine)?;
    check_groups(cluster, &engine)?;
    Ok(())
}

/// Expanding the grouped lines gives exactly the pair list: every
/// connection once, with its connections, and nothing else; on the fast
/// path (identity rows) and on the generic one (the list itself).
fn check_groups(cluster: &Cluster, engine: &Engine<'_>) -> Result<(), TestCaseError> {
    let want: HashMap<(PeerRef, PeerRef), Conns> = connlist(engine)
        .connections
        .into_iter()
        .map(|c| ((c.src, c.dst), c.conns))
        .collect();
    let universe = Universe::new(cluster, &[]);
    let mut fast = group_pairs(engine, &[]);
    fast.extend(group_flows(&outside_rows(engine, Scope::all())));
    let generic = group_flows(&rows(engine, Scope::all()));
    for (path, mut raw) in [("fast", fast), ("generic", generic)] {
        sort_lines(&mut raw);
        let lines = describe_lines(cluster, &universe, raw);
        let mut got: HashMap<(PeerRef, PeerRef), Conns> = HashMap::new();
        for line in &lines {
            let pairs = universe.expand(cluster, line);
            prop_assert_eq!(pairs.len() as u64, line.pairs, "{} line {:?}", path, line);
            prop_assert!(!pairs.is_empty(), "{} empty line {:?}", path, line);
            for pair in pairs {
                let before = got.insert(pair.clone(), line.conns.clone());
                prop_assert!(before.is_none(), "{} pair twice: {:?}", path, pair);
            }
        }
        prop_assert_eq!(&got, &want, "{}", path);
    }
    Ok(())
}

/// Pods of one identity are alike: every flow from or to them, with pods
/// and outside addresses, has the same verdict (house rule: a pod pair's
/// verdict depends only on their identities), but for traffic from a
/// host-network pod into the pods of its own node, which the engine adds
/// per pod (`Identities::from_own_node`).
fn check_classes(
    cluster: &Cluster,
    engine: &Engine<'_>,
    probes: &[IpAddr],
) -> Result<(), TestCaseError> {
    let n = cluster.pods.len();
    let pod = |i: usize| Endpoint::Pod(PodId::from_index(i));
    for a in 0..n {
        for b in (a + 1)..n {
            if engine.identities().of_pod[a] != engine.identities().of_pod[b] {
                continue;
            }
            for c in 0..n {
                // A pod's flow to itself is judged like any other here.
                let (ca, cb) = (
                    evaluate(cluster, pod(a), pod(c)).conns,
                    evaluate(cluster, pod(b), pod(c)).conns,
                );
                prop_assert_eq!(ca, cb, "pods {} and {} share an identity, to {}", a, b, c);
                let source = engine.identities().of_pod[c];
                let own = |p: usize| {
                    let p = PodId::from_index(p);
                    let fast = engine.identities().from_own_node(source, p);
                    prop_assert_eq!(fast, from_own_node(cluster, pod(c), Endpoint::Pod(p)));
                    Ok(fast)
                };
                if own(a)? || own(b)? {
                    continue;
                }
                let (ca, cb) = (
                    evaluate(cluster, pod(c), pod(a)).conns,
                    evaluate(cluster, pod(c), pod(b)).conns,
                );
                prop_assert_eq!(ca, cb, "pods {} and {} share an identity, from {}", a, b, c);
            }
            for &ip in probes {
                let e = Endpoint::External(ip);
                prop_assert_eq!(
                    evaluate(cluster, pod(a), e).conns,
                    evaluate(cluster, pod(b), e).conns
                );
                prop_assert_eq!(
                    evaluate(cluster, e, pod(a)).conns,
                    evaluate(cluster, e, pod(b)).conns
                );
            }
        }
    }
    Ok(())
}

/// Rows and columns (whole, and restricted to a mask) against the pair
/// path, which is checked against the spec.
fn check_rows(engine: &Engine<'_>) -> Result<(), TestCaseError> {
    let ids = engine.identities().len();
    let mut odd = fixedbitset::FixedBitSet::with_capacity(ids);
    (0..ids).filter(|i| i % 2 == 1).for_each(|i| odd.insert(i));
    let many = {
        let mut m = fixedbitset::FixedBitSet::with_capacity(ids);
        m.insert_range(..);
        m
    };
    let resolve = |list: Vec<(u32, podnet_engine::ConnsId)>| -> HashMap<usize, Conns> {
        list.into_iter()
            .map(|(i, c)| (i as usize, engine.conns().get(c).clone()))
            .collect()
    };
    for s in 0..ids {
        let want: HashMap<usize, Conns> = (0..ids)
            .map(|d| (d, engine.pair(s, d)))
            .filter(|(_, c)| !c.is_empty())
            .collect();
        prop_assert_eq!(&resolve(engine.row(s, None)), &want, "row of {}", s);
        prop_assert_eq!(&resolve(engine.row(s, Some(&many))), &want, "row of {}", s);
        let odd_want: HashMap<usize, Conns> = want
            .iter()
            .filter(|(d, _)| *d % 2 == 1)
            .map(|(d, c)| (*d, c.clone()))
            .collect();
        prop_assert_eq!(
            &resolve(engine.row(s, Some(&odd))),
            &odd_want,
            "row of {} (odd)",
            s
        );
        let col_want: HashMap<usize, Conns> = (0..ids)
            .map(|x| (x, engine.pair(x, s)))
            .filter(|(_, c)| !c.is_empty())
            .collect();
        prop_assert_eq!(
            &resolve(engine.column(s, None)),
            &col_want,
            "column of {}",
            s
        );
        let col_odd: HashMap<usize, Conns> = col_want
            .iter()
            .filter(|(x, _)| *x % 2 == 1)
            .map(|(x, c)| (*x, c.clone()))
            .collect();
        prop_assert_eq!(
            &resolve(engine.column(s, Some(&odd))),
            &col_odd,
            "column of {} (odd)",
            s
        );
    }
    // Identities of one row class have equal rows.
    let row_class = engine.row_classes();
    let mut first_of: HashMap<u32, usize> = HashMap::new();
    for (s, &class) in row_class.iter().enumerate() {
        let first = *first_of.entry(class).or_insert(s);
        prop_assert_eq!(
            &resolve(engine.row(s, None)),
            &resolve(engine.row(first, None)),
            "rows of {} and {} (row class {})",
            s,
            first,
            class
        );
    }
    Ok(())
}

/// A stream with a focus holds exactly the connections of the whole list
/// with a focused workload at an end, in the same order.
fn check_focus(engine: &Engine<'_>) -> Result<(), TestCaseError> {
    let all = connlist(engine);
    let workloads = engine.cluster().workloads.len();
    let focuses: Vec<Vec<WorkloadId>> = vec![
        vec![WorkloadId::from_index(0)],
        (0..workloads)
            .step_by(2)
            .map(WorkloadId::from_index)
            .collect(),
        vec![WorkloadId::from_index(workloads.saturating_sub(1))],
    ];
    for focus in focuses {
        let scope = Scope::focus(focus.clone());
        let got = collect(&rows(engine, scope.clone()));
        let want: Vec<_> = all
            .connections
            .iter()
            .filter(|c| scope.keeps(&c.src, &c.dst))
            .cloned()
            .collect();
        prop_assert_eq!(got.connections, want, "focus {:?}", focus);
    }
    Ok(())
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
        check(&cluster, &probes(&[]))?;
    }
}

// ---------------------------------------------------------------------------
// The cluster-scoped tiers
// ---------------------------------------------------------------------------

/// Node addresses: two shared with pod addresses of [`ADDRS`] (a node and a
/// pod claiming one address stress address matching), two of their own.
const NODE_ADDRS: [&str; 4] = ["10.0.1.1", "172.16.0.1", "172.16.0.2", "fd00::1"];
/// `networks` CIDRs: small ones around the pod addresses, node addresses
/// and probes, and the whole families.
const NETWORKS: [&str; 10] = [
    "10.0.0.0/30",
    "10.0.0.2/32",
    "10.0.1.0/24",
    "172.16.0.0/31",
    "8.8.8.0/24",
    "192.168.0.0/16",
    "11.0.0.0/8",
    "0.0.0.0/0",
    "fd00::/64",
    "::/0",
];
/// Extra probes for the tiers: node addresses and CIDR edges.
const TIER_PROBES: [&str; 5] = [
    "172.16.0.1",
    "172.16.0.2",
    "172.16.0.3",
    "8.8.4.4",
    "10.0.0.4",
];
/// Priorities: few values, so equal priorities are common.
const PRIORITIES: [u32; 4] = [0, 10, 10, 1000];

fn node_selector() -> impl Strategy<Value = LabelSelector> {
    prop_oneof![
        Just(LabelSelector::everything()),
        (0..2usize).prop_map(|r| LabelSelector::new(
            [("role".to_owned(), ["cp", "worker"][r].to_owned())],
            []
        )),
        (0..2usize).prop_map(|z| LabelSelector::new(
            [],
            [Requirement::new(
                "zone",
                Operator::In,
                vec![["z1", "z2"][z].to_owned()]
            )]
        )),
        Just(LabelSelector::new(
            [],
            [Requirement::new("role", Operator::DoesNotExist, Vec::new())]
        )),
    ]
}

#[derive(Debug, Clone)]
struct NodeSpec {
    role: Option<usize>,
    zone: Option<usize>,
    internal: Vec<usize>,
    external: Option<usize>,
}

fn node_spec() -> impl Strategy<Value = NodeSpec> {
    (
        prop::option::of(0..2usize),
        prop::option::of(0..2usize),
        prop::collection::vec(0..NODE_ADDRS.len(), 1..3),
        prop::option::weighted(0.3, 0..NODE_ADDRS.len()),
    )
        .prop_map(|(role, zone, internal, external)| NodeSpec {
            role,
            zone,
            internal,
            external,
        })
}

fn networks() -> impl Strategy<Value = IpSet> {
    prop::collection::vec(0..NETWORKS.len(), 1..3).prop_map(|nets| {
        nets.iter().fold(IpSet::empty(), |acc, &i| {
            acc.union(&IpSet::from_net(&NETWORKS[i].parse().unwrap()))
        })
    })
}

fn namespaced_pods() -> impl Strategy<Value = NamespacedPods> {
    (ns_selector(), selector()).prop_map(|(namespaces, pods)| NamespacedPods { namespaces, pods })
}

fn admin_subject() -> impl Strategy<Value = AdminSubject> {
    prop_oneof![
        ns_selector().prop_map(AdminSubject::Namespaces),
        namespaced_pods().prop_map(AdminSubject::Pods),
    ]
}

/// A peer. The API has `nodes` and `networks` for egress only, but the
/// model allows them both ways and the two paths must agree on them too,
/// so ingress gets them, less often.
fn admin_peer(egress: bool) -> impl Strategy<Value = AdminPeer> {
    let addresses = if egress { 3 } else { 1 };
    prop_oneof![
        3 => ns_selector().prop_map(AdminPeer::Namespaces),
        3 => namespaced_pods().prop_map(AdminPeer::Pods),
        addresses => networks().prop_map(AdminPeer::Networks),
        addresses => node_selector().prop_map(AdminPeer::Nodes),
    ]
}

/// A port: a number or a range near the pods' container ports, or one of
/// their names (or a name no pod has).
fn admin_port() -> impl Strategy<Value = AdminPort> {
    prop_oneof![
        (0..3usize, 0..PORTS.len()).prop_map(|(proto, p)| AdminPort::Number {
            protocol: Protocol::ALL[proto],
            port: PORTS[p].1,
        }),
        (0..3usize, 0..PORTS.len(), 0..20u16).prop_map(|(proto, p, width)| AdminPort::Range {
            protocol: Protocol::ALL[proto],
            start: PORTS[p].1 - 5,
            end: PORTS[p].1 + width,
        }),
        (0..=PORTS.len())
            .prop_map(|p| AdminPort::Named(PORTS.get(p).map_or("none", |port| port.0).to_owned())),
    ]
}

fn admin_rule(egress: bool) -> impl Strategy<Value = AdminRule> {
    (
        prop_oneof![
            Just(AdminAction::Allow),
            Just(AdminAction::Deny),
            Just(AdminAction::Pass)
        ],
        prop::collection::vec(admin_peer(egress), 1..3),
        prop::option::of(prop::collection::vec(admin_port(), 1..3)),
    )
        .prop_map(|(action, peers, ports)| AdminRule {
            name: None,
            line: None,
            action,
            peers,
            ports,
        })
}

/// API, tier and priority as the three kinds have them: ANP Admin with a
/// priority, the BANP Baseline without one, a CNP in either tier.
fn admin_kind() -> impl Strategy<Value = (AdminApi, Tier, Option<u32>)> {
    prop_oneof![
        2 => (0..PRIORITIES.len())
            .prop_map(|p| (AdminApi::AdminNetworkPolicy, Tier::Admin, Some(PRIORITIES[p]))),
        1 => Just((AdminApi::BaselineAdminNetworkPolicy, Tier::Baseline, None)),
        2 => (any::<bool>(), 0..PRIORITIES.len()).prop_map(|(admin, p)| (
            AdminApi::ClusterNetworkPolicy,
            if admin { Tier::Admin } else { Tier::Baseline },
            Some(PRIORITIES[p])
        )),
    ]
}

fn admin_policy() -> impl Strategy<Value = AdminPolicy> {
    (
        admin_kind(),
        admin_subject(),
        prop::collection::vec(admin_rule(false), 0..4),
        prop::collection::vec(admin_rule(true), 0..4),
    )
        .prop_map(
            |((api, tier, priority), subject, ingress, egress)| AdminPolicy {
                meta: Meta {
                    kind: api.kind().into(),
                    namespace: None,
                    name: String::new(),
                    source: source(),
                },
                api,
                tier,
                priority,
                subject,
                ingress,
                egress,
            },
        )
}

/// A cluster with NetworkPolicies, admin and baseline policies and nodes.
#[derive(Debug, Clone)]
struct TierWorld {
    teams: Vec<usize>,
    pods: Vec<PodSpec>,
    policies: Vec<PolicySpec>,
    admin: Vec<AdminPolicy>,
    nodes: Vec<NodeSpec>,
    /// For each host-network pod, the node it runs on (taking its
    /// addresses), modulo the number of nodes.
    host_on: Vec<usize>,
    shared: bool,
}

fn tier_world() -> impl Strategy<Value = TierWorld> {
    (
        prop::collection::vec(0..2usize, 3),
        prop::collection::vec(pod_spec_with(0.2), 1..7),
        prop::collection::vec(policy_spec(), 0..4),
        prop::collection::vec(admin_policy(), 0..6),
        prop::collection::vec(node_spec(), 0..3),
        prop::collection::vec(0..3usize, 7),
        any::<bool>(),
    )
        .prop_map(
            |(teams, pods, policies, admin, nodes, host_on, shared)| TierWorld {
                teams,
                pods,
                policies,
                admin,
                nodes,
                host_on,
                shared,
            },
        )
}

fn build_tiered(w: &TierWorld) -> Cluster {
    let mut c = build(&w.teams, &w.pods, &w.policies, w.shared);
    for (i, n) in w.nodes.iter().enumerate() {
        let mut labels = Labels::new();
        labels.insert("kubernetes.io/hostname", format!("node{i}"));
        if let Some(r) = n.role {
            labels.insert("role", ["cp", "worker"][r]);
        }
        if let Some(z) = n.zone {
            labels.insert("zone", ["z1", "z2"][z]);
        }
        let addr = |j: &usize| -> IpAddr { NODE_ADDRS[*j].parse().unwrap() };
        let mut internal_ips: Vec<IpAddr> = n.internal.iter().map(addr).collect();
        internal_ips.sort();
        internal_ips.dedup();
        c.nodes.push(Node {
            meta: Meta {
                kind: "Node".into(),
                namespace: None,
                name: format!("node{i}"),
                source: source(),
            },
            labels,
            pod_cidrs: Vec::new(),
            internal_ips,
            external_ips: n.external.iter().map(addr).collect(),
            provider_id: None,
            max_pods: None,
            unschedulable: false,
            taints: Vec::new(),
        });
    }
    // A host-network pod has its node's addresses.
    if !c.nodes.is_empty() {
        for (i, pod) in c.pods.iter_mut().enumerate() {
            if pod.host_network {
                let node = &c.nodes[w.host_on[i] % c.nodes.len()];
                pod.ips = node.internal_ips.clone();
                pod.node_name = Some(node.meta.name.clone());
            }
        }
    }
    c.admin_policies = w.admin.clone();
    for (i, p) in c.admin_policies.iter_mut().enumerate() {
        p.meta.name = format!("{}{i}", p.api.short().to_lowercase());
    }
    c
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10000, ..ProptestConfig::default() })]

    /// The tiers' fast path (`matrix_tiers`, `compiled_admin`) agrees with
    /// the readable spec (`tiers::evaluate_tiers`) on every flow.
    #[test]
    fn fast_engine_equals_spec_with_tiers(world in tier_world()) {
        let cluster = build_tiered(&world);
        check(&cluster, &probes(&TIER_PROBES))?;
    }
}

/// What the tiered generator exercises, counted over flows.
#[derive(Debug, Default)]
struct Coverage {
    worlds: usize,
    /// Worlds where some flow's verdict differs from NetworkPolicy alone.
    changed_worlds: usize,
    admin_deny_over_np_allow: usize,
    admin_allow_over_np_deny: usize,
    pass_then_np_denies: usize,
    pass_then_baseline: usize,
    baseline_allow: usize,
    baseline_deny: usize,
    baseline_pass: usize,
    baseline_skipped_np_applies: usize,
    nodes_peer_pod: usize,
    nodes_peer_address: usize,
    networks_peer_pod: usize,
    named_port_decides: usize,
    equal_priorities_both_match: usize,
    host_network_not_subject: usize,
}

impl Coverage {
    fn side(
        &mut self,
        cluster: &Cluster,
        side: &Side,
        np_only: &Side,
        subject: Endpoint,
        peer: Endpoint,
    ) {
        if let Endpoint::Pod(p) = subject {
            let pod = cluster.pod(p);
            if pod.host_network
                && cluster.admin_policies.iter().any(|a| {
                    let ns = &cluster.namespace(pod.namespace).labels;
                    match &a.subject {
                        AdminSubject::Namespaces(s) => s.matches(ns),
                        AdminSubject::Pods(np) => {
                            np.namespaces.matches(ns) && np.pods.matches(cluster.pod_labels(p))
                        }
                    }
                })
            {
                self.host_network_not_subject += 1;
            }
        }
        let Some(tiers) = &side.tiers else {
            return;
        };
        let np = &np_only.allowed;
        let mut passed = Conns::none();
        for r in &tiers.admin {
            match r.action {
                AdminAction::Deny if !r.conns.intersection(np).is_empty() => {
                    self.admin_deny_over_np_allow += 1;
                }
                AdminAction::Allow if !r.conns.difference(np).is_empty() => {
                    self.admin_allow_over_np_deny += 1;
                }
                AdminAction::Pass => passed.add(&r.conns),
                _ => {}
            }
        }
        if tiers.np_applies && !passed.difference(np).is_empty() {
            self.pass_then_np_denies += 1;
        }
        if !tiers.np_applies
            && tiers
                .baseline
                .iter()
                .any(|b| !b.conns.intersection(&passed).is_empty())
        {
            self.pass_then_baseline += 1;
        }
        for b in &tiers.baseline {
            match b.action {
                AdminAction::Allow => self.baseline_allow += 1,
                AdminAction::Deny => self.baseline_deny += 1,
                AdminAction::Pass => self.baseline_pass += 1,
            }
        }
        if let Endpoint::Pod(s) = subject
            && tiers.np_applies
            && !tiers::ordered(cluster, Tier::Baseline, side.direction, s).is_empty()
        {
            self.baseline_skipped_np_applies += 1;
        }
        let destination_is_pod = match side.direction {
            Direction::Ingress => matches!(subject, Endpoint::Pod(_)),
            Direction::Egress => matches!(peer, Endpoint::Pod(_)),
        };
        for r in tiers.admin.iter().chain(&tiers.baseline) {
            let rule = &cluster.admin_policies[r.policy].rules(side.direction)[r.rule];
            let hits = |f: fn(&AdminPeer) -> bool| {
                rule.peers
                    .iter()
                    .filter(|p| f(p))
                    .any(|p| tiers::peer_matches(cluster, p, peer))
            };
            let by_selector = hits(|p| matches!(p, AdminPeer::Namespaces(_) | AdminPeer::Pods(_)));
            if hits(|p| matches!(p, AdminPeer::Nodes(_))) {
                match peer {
                    Endpoint::Pod(_) => self.nodes_peer_pod += 1,
                    Endpoint::External(_) => self.nodes_peer_address += 1,
                }
            }
            if matches!(peer, Endpoint::Pod(_))
                && !by_selector
                && hits(|p| matches!(p, AdminPeer::Networks(_)))
            {
                self.networks_peer_pod += 1;
            }
            if destination_is_pod
                && rule
                    .ports
                    .as_ref()
                    .is_some_and(|ports| ports.iter().all(|p| matches!(p, AdminPort::Named(_))))
            {
                self.named_port_decides += 1;
            }
        }
        // Two policies of one priority both matching this flow: input order
        // decides which goes first.
        let mut by_priority: HashMap<(Tier, Option<u32>), Vec<usize>> = HashMap::new();
        for r in tiers.admin.iter().chain(&tiers.baseline) {
            let p = &cluster.admin_policies[r.policy];
            by_priority
                .entry((p.tier, p.priority))
                .or_default()
                .push(r.policy);
        }
        if by_priority.values().any(|v| v.iter().any(|&p| p != v[0])) {
            self.equal_priorities_both_match += 1;
        }
    }
}

/// The tiered generator is worth its cases: over a fixed sample of worlds,
/// the tiers change verdicts in many of them (at least 40%; a sixth have
/// no admin policy at all), and every behaviour the fast
/// path must get right (each action in each tier, Pass to NetworkPolicy and
/// to the Baseline tier, the Baseline tier skipped, nodes and networks
/// peers, named ports, equal priorities, host-network pods) decides flows.
/// A fast path wrong on any of them would meet a disagreeing flow.
#[test]
fn tiered_generator_exercises_the_tiers() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let strategy = tier_world();
    let mut cov = Coverage::default();
    for _ in 0..500 {
        let world = strategy.new_tree(&mut runner).unwrap().current();
        let cluster = build_tiered(&world);
        let mut np_cluster = cluster.clone();
        np_cluster.admin_policies.clear();
        let mut endpoints: Vec<Endpoint> = cluster.pod_ids().map(Endpoint::Pod).collect();
        let pods = endpoints.len();
        endpoints.extend(probes(&TIER_PROBES).into_iter().map(Endpoint::External));
        let mut changed = false;
        for (i, &src) in endpoints.iter().enumerate() {
            for (j, &dst) in endpoints.iter().enumerate() {
                if i >= pods && j >= pods {
                    continue;
                }
                let v = evaluate(&cluster, src, dst);
                let np = evaluate(&np_cluster, src, dst);
                changed |= v.conns != np.conns;
                cov.side(&cluster, &v.egress, &np.egress, src, dst);
                cov.side(&cluster, &v.ingress, &np.ingress, dst, src);
            }
        }
        cov.worlds += 1;
        cov.changed_worlds += usize::from(changed);
    }
    println!("{cov:#?}");
    assert!(cov.changed_worlds * 5 >= cov.worlds * 2, "{cov:#?}");
    let counts = [
        cov.admin_deny_over_np_allow,
        cov.admin_allow_over_np_deny,
        cov.pass_then_np_denies,
        cov.pass_then_baseline,
        cov.baseline_allow,
        cov.baseline_deny,
        cov.baseline_pass,
        cov.baseline_skipped_np_applies,
        cov.nodes_peer_pod,
        cov.nodes_peer_address,
        cov.networks_peer_pod,
        cov.named_port_decides,
        cov.equal_priorities_both_match,
        cov.host_network_not_subject,
    ];
    assert!(counts.iter().all(|&c| c >= 20), "{cov:#?}");
}

/// The generator makes identities that merge pods with different labels
/// (names no selector uses) and pods of different namespaces.
#[test]
fn generator_exercises_identity_classes() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let strategy = (
        prop::collection::vec(0..2usize, 3),
        prop::collection::vec(pod_spec(), 1..7),
        prop::collection::vec(policy_spec(), 0..6),
        any::<bool>(),
    );
    let (mut labels_merged, mut namespaces_merged) = (0, 0);
    for _ in 0..300 {
        let (teams, pods, policies, shared) = strategy.new_tree(&mut runner).unwrap().current();
        let cluster = build(&teams, &pods, &policies, shared);
        let engine = Engine::new(&cluster);
        for id in &engine.identities().list {
            let mut sets: Vec<LabelSetId> =
                id.pods.iter().map(|&p| cluster.pod(p).labels).collect();
            sets.sort_unstable();
            sets.dedup();
            labels_merged += usize::from(sets.len() > 1);
            namespaces_merged += usize::from(id.namespaces.len() > 1);
        }
    }
    assert!(labels_merged >= 20, "{labels_merged}");
    assert!(namespaces_merged >= 20, "{namespaces_merged}");
}

/// The comparison source by source ([`diff_rows`]) equals the comparison
/// of the two whole lists, with and without namespaces, listing the kept
/// flows or not.
fn check_diff(old: &Cluster, new: &Cluster) -> Result<(), TestCaseError> {
    use podnet_engine::{DiffOptions, DiffSide, EngineSide, diff, diff_engines, diff_rows};
    let (old_engine, new_engine) = (Engine::new(old), Engine::new(new));
    let (old_list, new_list) = (connlist(&old_engine), connlist(&new_engine));
    let old_rows = rows(&old_engine, Scope::all());
    let new_rows = rows(&new_engine, Scope::all());
    let old_row = |w: WorkloadId| old_rows.source_flows(w);
    let new_row = |w: WorkloadId| new_rows.source_flows(w);
    let rest = |engine: &Engine<'_>| {
        collect(&outside_rows(engine, Scope::all()))
            .connections
            .into_iter()
            .filter(|c| !matches!(c.src, PeerRef::Workload(_)))
            .collect::<Vec<_>>()
    };
    let listed = |c: &Cluster| {
        c.workload_ids()
            .filter(|&w| !c.workload(w).pods.is_empty())
            .collect::<Vec<_>>()
    };
    for ignore_namespace in [false, true] {
        for list_unchanged in [false, true] {
            let options = DiffOptions {
                ignore_namespace,
                list_unchanged,
            };
            let want = diff((old, &old_list), (new, &new_list), options);
            let got = diff_rows(
                &DiffSide {
                    cluster: old,
                    workloads: listed(old),
                    rows: &old_row,
                    conns: old_engine.conns(),
                    rest: rest(&old_engine),
                },
                &DiffSide {
                    cluster: new,
                    workloads: listed(new),
                    rows: &new_row,
                    conns: new_engine.conns(),
                    rest: rest(&new_engine),
                },
                options,
                None,
            );
            prop_assert_eq!(&got, &want, "{:?}", options);
            // Comparing only what the change touches, counting the rest.
            let side = |engine, cluster| EngineSide {
                engine,
                hidden: Vec::new(),
                workloads: listed(cluster),
                rest: rest(engine),
            };
            let following = diff_engines(side(&old_engine, old), side(&new_engine, new), options);
            prop_assert_eq!(following, want, "following the change, {:?}", options);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    #[test]
    fn diff_source_by_source_equals_diff_of_lists(
        teams in prop::collection::vec(0..2usize, 3),
        pods in prop::collection::vec(pod_spec(), 1..7),
        old_policies in prop::collection::vec(policy_spec(), 0..5),
        new_policies in prop::collection::vec(policy_spec(), 0..5),
        shared in any::<bool>(),
    ) {
        let old = build(&teams, &pods, &old_policies, shared);
        let new = build(&teams, &pods[..pods.len().div_ceil(2)], &new_policies, shared);
        check_diff(&old, &new)?;
    }

    /// Small changes, which leave most workloads untouched: one policy
    /// edited, added or removed, one pod changed, one namespace's labels.
    #[test]
    fn diff_of_a_small_change_equals_diff_of_lists(
        teams in prop::collection::vec(0..2usize, 3),
        pods in prop::collection::vec(pod_spec(), 1..8),
        policies in prop::collection::vec(policy_spec(), 1..6),
        shared in any::<bool>(),
        change in 0..5usize,
        at in any::<prop::sample::Index>(),
        other_policy in policy_spec(),
        other_pod in pod_spec(),
    ) {
        let old = build(&teams, &pods, &policies, shared);
        let (mut teams2, mut pods2, mut policies2) = (teams.clone(), pods.clone(), policies.clone());
        match change {
            0 => policies2[at.index(policies.len())] = other_policy,
            1 => policies2.push(other_policy),
            2 => { policies2.pop(); }
            3 => pods2[at.index(pods.len())] = other_pod,
            _ => { let t = at.index(teams.len()); teams2[t] = 1 - teams2[t]; }
        }
        let new = build(&teams2, &pods2, &policies2, shared);
        check_diff(&old, &new)?;
        check_diff(&new, &old)?;
    }

    /// Counting a source's flows to some workloads without listing them
    /// gives the number of listed ones.
    #[test]
    fn counted_flows_equal_listed_flows(
        teams in prop::collection::vec(0..2usize, 3),
        pods in prop::collection::vec(pod_spec(), 1..8),
        policies in prop::collection::vec(policy_spec(), 0..5),
        shared in any::<bool>(),
        excluded in prop::collection::vec(any::<bool>(), 8),
    ) {
        let cluster = build(&teams, &pods, &policies, shared);
        let engine = Engine::new(&cluster);
        let stream = rows(&engine, Scope::all());
        let excluded: Vec<WorkloadId> = cluster
            .workload_ids()
            .filter(|w| excluded[w.index() % excluded.len()])
            .collect();
        let counter = podnet_engine::FlowCounter::excluding(&stream, &excluded);
        for w in cluster.workload_ids() {
            let listed = stream
                .source_flows(w)
                .iter()
                .filter(|f| match &f.dst {
                    PeerRef::Workload(d) => !excluded.contains(d),
                    PeerRef::External(_) => true,
                    _ => false,
                })
                .count();
            prop_assert_eq!(counter.count(w), listed, "{:?}", w);
        }
    }
}
