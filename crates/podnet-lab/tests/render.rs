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
                p.from == pod(from)
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
