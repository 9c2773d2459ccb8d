//! Golden tests of `render`: the plan of the small fixture (2 nodes, 4
//! pods, one NetworkPolicy), of the NodePort fixture and of the bundled
//! EcoEco example, as text, without privileges.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use podnet_dataplane::Dataplane;
use podnet_lab::{LabPlan, RenderOptions, TransportChoice, Verdicts, render};
use podnet_manifest::{Input, LoadOptions, load};

fn plan_of(path: &str, options: &RenderOptions) -> LabPlan {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let full = root.join(path);
    let loaded = load(
        &[Input::parse(full.to_str().unwrap())],
        LoadOptions {
            strict: false,
            ..LoadOptions::default()
        },
    );
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let dp = Dataplane::build(&loaded.cluster, None);
    let verdicts = Verdicts::compute(&dp);
    render(&dp, &verdicts, "0000", options)
}

#[test]
fn small_fixture_plan() {
    let plan = plan_of(
        "tests/fixtures/small",
        &RenderOptions {
            transport: TransportChoice::Profile,
            services: true,
        },
    );
    insta::assert_snapshot!(podnet_report::lab::plan_text(&plan, true));
}

#[test]
fn small_fixture_with_routes() {
    let plan = plan_of(
        "tests/fixtures/small",
        &RenderOptions {
            transport: TransportChoice::Routes,
            services: false,
        },
    );
    insta::assert_snapshot!(podnet_report::lab::plan_text(&plan, false));
}

#[test]
fn nodeport_fixture_plan() {
    let plan = plan_of(
        "tests/fixtures/nodeport",
        &RenderOptions {
            transport: TransportChoice::Profile,
            services: true,
        },
    );
    insta::assert_snapshot!(podnet_report::lab::plan_text(&plan, true));
}

#[test]
fn nodeport_probes_follow_the_trace() {
    let plan = plan_of(
        "tests/fixtures/nodeport",
        &RenderOptions {
            transport: TransportChoice::Profile,
            services: true,
        },
    );
    let pod = |name: &str| plan.pods.iter().position(|p| p.pod == name).unwrap();
    let expect = |from: &str, node: usize, port: u16, proto: &str| {
        plan.probes
            .iter()
            .find(|p| {
                p.from == podnet_lab::Source::Pod(pod(from))
                    && p.to == podnet_lab::plan::Target::Node(node)
                    && p.port == port
                    && p.protocol == proto
            })
            .map(|p| p.expected)
    };
    // Cluster: db sees the node; its own node is allowed, the other not.
    assert_eq!(expect("shop/web", 1, 30432, "tcp"), Some(true));
    assert_eq!(expect("shop/web", 0, 30432, "tcp"), Some(false));
    // Local: web sees the client itself. node-b has no endpoint, but a
    // pod's packet is short-circuited to every endpoint (kube-proxy's
    // TestExternalTrafficPolicyLocal packet flows), so it reaches web too.
    assert_eq!(expect("shop/client", 0, 30080, "tcp"), Some(true));
    assert_eq!(expect("shop/api", 0, 30080, "tcp"), Some(false));
    assert_eq!(expect("shop/client", 1, 30080, "tcp"), Some(true));
    // db's egress allows only UDP 53 to dns: checked after the DNAT.
    assert_eq!(expect("shop/db", 1, 30053, "udp"), Some(true));
    assert_eq!(expect("shop/db", 1, 30053, "tcp"), Some(false));
    // Branches that disagree are excluded, with the reason.
    assert_eq!(expect("shop/client", 0, 30379, "tcp"), None);
    assert!(plan.excluded.iter().any(|e| e.subject
        == "shop/client -> node node-a tcp/30379 (shop/cache-np NodePort)"
        && e.reason.contains("branches disagree")));
    // The rules: masquerade under Cluster, a drop where Local has nothing
    // for sources other than pods.
    let a = &plan.nodes[0].nftables;
    assert!(a.contains("snat ip to 172.18.0.2"), "{a}");
    let b = &plan.nodes[1].nftables;
    assert!(
        b.contains("ip daddr 172.18.0.3 tcp dport 30080 drop"),
        "{b}"
    );
}

#[test]
fn loadbalancer_fixture_plan() {
    let plan = plan_of(
        "tests/fixtures/loadbalancer",
        &RenderOptions {
            transport: TransportChoice::Profile,
            services: true,
        },
    );
    insta::assert_snapshot!(podnet_report::lab::plan_text(&plan, true));
}

/// Outside clients' probes of NodePorts and load-balancer addresses expect
/// what `podnet trace --from external:<client>` answers, with the source
/// the endpoint sees: kube-proxy's packet-flow tests
/// (kubernetes/kubernetes `pkg/proxy/iptables/proxier_test.go`,
/// `TestLoadBalancer` / `TestExternalTrafficPolicyLocal` /
/// `TestExternalTrafficPolicyCluster`: a source outside
/// `loadBalancerSourceRanges` is dropped, Cluster masquerades, Local keeps
/// the client and drops on nodes without an endpoint).
#[test]
fn outside_clients_follow_the_trace() {
    use podnet_lab::plan::{Source, Target};
    use std::net::Ipv4Addr;
    let plan = plan_of(
        "tests/fixtures/loadbalancer",
        &RenderOptions {
            transport: TransportChoice::Profile,
            services: true,
        },
    );
    let client = |ip: [u8; 4]| {
        let ip = Ipv4Addr::from(ip);
        Source::Client(plan.clients.iter().position(|c| c.address == ip).unwrap())
    };
    let service = |name: &str| plan.services.iter().position(|s| s.name == name).unwrap();
    let outside = [203, 0, 113, 10];
    let inside = [192, 0, 2, 254];
    let node_a = Some(Ipv4Addr::new(172, 18, 0, 2));
    let node_b = Some(Ipv4Addr::new(172, 18, 0, 3));
    /// (from, to, port, expected, source the endpoint sees)
    type Row = ([u8; 4], Target, u16, bool, Option<Ipv4Addr>);
    let rows: [Row; 10] = [
        // web-lb: Cluster, ranges 192.0.2.0/24.
        (
            outside,
            Target::LoadBalancer(service("shop/web-lb")),
            80,
            false,
            None,
        ),
        (
            inside,
            Target::LoadBalancer(service("shop/web-lb")),
            80,
            true,
            node_a,
        ),
        // NodePorts ignore loadBalancerSourceRanges.
        (outside, Target::Node(1), 30080, true, node_b),
        // api-lb: Local on node-a; api's ingress allows 203.0.113.0/24.
        (
            outside,
            Target::LoadBalancer(service("shop/api-lb")),
            8080,
            true,
            Some(Ipv4Addr::from(outside)),
        ),
        (
            inside,
            Target::LoadBalancer(service("shop/api-lb")),
            8080,
            false,
            None,
        ),
        (outside, Target::Node(1), 30808, false, None),
        // db-lb: Local, endpoint on node-b only.
        (outside, Target::Node(0), 30432, false, None),
        (
            inside,
            Target::Node(1),
            30432,
            true,
            Some(Ipv4Addr::from(inside)),
        ),
        // dns-lb: Cluster over UDP, ranges 203.0.113.0/24.
        (
            outside,
            Target::LoadBalancer(service("shop/dns-lb")),
            53,
            true,
            node_a,
        ),
        (
            inside,
            Target::LoadBalancer(service("shop/dns-lb")),
            53,
            false,
            None,
        ),
    ];
    for (from, to, port, expected, source) in rows {
        let p = plan
            .probes
            .iter()
            .find(|p| p.from == client(from) && p.to == to && p.port == port)
            .unwrap_or_else(|| panic!("no probe {from:?} -> {to:?}:{port}"));
        assert_eq!(
            (p.expected, p.expected_source),
            (expected, source),
            "{from:?} -> {to:?}:{port}"
        );
    }
    // The load-balancer addresses are routed through the node the trace
    // hands them to; the ranges are in every node's rules.
    let x0 = &plan.clients[0];
    assert!(
        x0.routes
            .iter()
            .any(|r| r.to_string() == "172.18.255.11/32 via 172.18.0.2 dev eth0"),
        "{:?}",
        x0.routes
    );
    assert!(
        plan.nodes[0]
            .nftables
            .contains("ip saddr 192.0.2.0/24 ip daddr 172.18.255.10 tcp dport 80"),
        "{}",
        plan.nodes[0].nftables
    );
}

/// A pod's packet to an externalTrafficPolicy Local NodePort of another
/// node is short-circuited to every endpoint without masquerade (kube-proxy
/// `pkg/proxy/iptables/proxier.go`: "pod traffic for external destinations"
/// jumps from KUBE-EXT to KUBE-SVC); when the endpoint is not on that node
/// the reply bypasses it, and in the lab it does not connect: such probes
/// are left out, with the reason, whichever node the endpoint is on.
#[test]
fn short_circuited_replies_that_bypass_the_translating_node_are_not_probed() {
    use podnet_lab::plan::{Source, Target};
    let plan = plan_of(
        "tests/fixtures/shortcircuit",
        &RenderOptions {
            transport: TransportChoice::Profile,
            services: true,
        },
    );
    let client = Source::Pod(
        plan.pods
            .iter()
            .position(|p| p.pod == "shop/client")
            .unwrap(),
    );
    let probed = |node: usize| {
        plan.probes
            .iter()
            .find(|p| p.from == client && p.to == Target::Node(node))
            .map(|p| p.expected)
    };
    // node-a is the client's own node, node-c the endpoint's: the reply
    // passes the translating node.
    assert_eq!(probed(0), Some(true));
    assert_eq!(probed(2), Some(true));
    // node-b: the endpoint on node-c answers straight to node-a.
    assert_eq!(probed(1), None);
    assert!(plan.excluded.iter().any(|e| e.subject
        == "shop/client -> node node-b tcp/30080 (shop/web-local NodePort)"
        && e.reason.contains("bypasses the node that translated it")));
}

#[test]
fn ecoeco_domains_plan() {
    let plan = plan_of(
        "../../examples/ecoeco-domains",
        &RenderOptions {
            transport: TransportChoice::Profile,
            services: true,
        },
    );
    insta::assert_snapshot!(podnet_report::lab::plan_text(&plan, false));
}

#[test]
fn telecom_pods_outside_blocks_are_onlink() {
    let plan = plan_of("../../examples/telecom", &RenderOptions::default());
    let amf = plan
        .pods
        .iter()
        .find(|p| p.pod.ends_with("/amf-0"))
        .unwrap();
    assert!(amf.onlink);
    assert_eq!(amf.address.prefix, 32);
    let node = &plan.nodes[amf.node];
    assert!(
        node.routes
            .iter()
            .any(|r| r.dst == amf.address && r.via.is_none())
    );
}

#[test]
fn plan_round_trips_through_the_state_file_format() {
    let plan = plan_of("tests/fixtures/small", &RenderOptions::default());
    let text = serde_json::to_string(&plan).unwrap();
    let back: LabPlan = serde_json::from_str(&text).unwrap();
    assert_eq!(plan, back);
}

#[test]
fn names_fit_interfaces_and_carry_the_prefix() {
    let plan = plan_of("../../examples/ecoeco-domains", &RenderOptions::default());
    for n in &plan.nodes {
        assert!(n.netns.starts_with("pnl0000-"));
        for name in [&n.uplink, &n.bridge, &n.underlay_port] {
            assert!(name.len() <= 15, "{name}");
        }
    }
    for p in &plan.pods {
        assert!(p.netns.starts_with("pnl0000-"));
        assert!(p.host_veth.len() <= 15);
    }
}
