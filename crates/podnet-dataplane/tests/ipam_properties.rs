//! Property tests of the dataplane on random clusters: building never
//! panics, and what IPAM hands out is sound whatever the profile (range
//! sizes, node masks, node counts, pools, replicas, static requests):
//! addresses are unique, pods on a node block get addresses of their node's
//! block (never its network, gateway or broadcast address), pool addresses
//! stay in their pool's ranges off its gateway and reserved addresses, and
//! every pod without an address is explained by an error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::HashSet;
use std::fmt::Write;

use podnet_dataplane::issue::StaticFound;
use podnet_dataplane::{AddressOrigin, Dataplane, Found};
use podnet_model::Severity;
use proptest::prelude::*;

/// A random cluster as YAML.
#[derive(Clone, Debug)]
struct Spec {
    prefix: u8,
    mask: u8,
    nodes: u8,
    replicas: Vec<u8>,
    pool_hosts: u8,
    pool_replicas: u8,
    static_dup: bool,
}

fn yaml(s: &Spec) -> String {
    let mut y = format!(
        "apiVersion: podnet.dev/v1alpha1\nkind: ClusterProfile\nmetadata: {{name: p}}\nspec:\n  clusterCIDRs: [10.{}.0.0/{}]\n  nodeMaskSizeIPv4: {}\n  serviceCIDRs: [172.30.0.0/16]\n  nodeCount: {}\n",
        s.prefix % 200,
        16,
        s.mask,
        s.nodes
    );
    // A Robin pool of `pool_hosts` addresses, .1 the gateway, .3 reserved.
    let _ = write!(
        y,
        "---\napiVersion: robin.io/v1\nkind: IPPool\nmetadata: {{name: pool}}\nspec:\n  subnet: 172.20.0.0/24\n  gateway: 172.20.0.1\n  ranges: [{{start: 172.20.0.1, end: 172.20.0.{}}}]\n  reserved: [172.20.0.3]\n",
        u16::from(s.pool_hosts).clamp(1, 254)
    );
    for (i, r) in s.replicas.iter().enumerate() {
        let _ = write!(
            y,
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w{i}, namespace: ns}}\nspec:\n  replicas: {r}\n  selector: {{matchLabels: {{app: w{i}}}}}\n  template:\n    metadata: {{labels: {{app: w{i}}}}}\n    spec: {{containers: [{{name: c, image: i}}]}}\n"
        );
    }
    let _ = write!(
        y,
        "---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: pooled, namespace: ns}}\nspec:\n  serviceName: pooled\n  replicas: {}\n  selector: {{matchLabels: {{app: pooled}}}}\n  template:\n    metadata:\n      labels: {{app: pooled}}\n      annotations: {{robin.io/networks: '[{{\"ippool\": \"pool\"}}]'}}\n    spec: {{containers: [{{name: c, image: i}}]}}\n",
        s.pool_replicas
    );
    if s.static_dup {
        let _ = write!(
            y,
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: fixed, namespace: ns}}\nspec:\n  replicas: 2\n  selector: {{matchLabels: {{app: fixed}}}}\n  template:\n    metadata:\n      labels: {{app: fixed}}\n      annotations: {{robin.io/networks: '[{{\"ippool\": \"pool\", \"staticip\": \"172.20.0.200\"}}]'}}\n    spec: {{containers: [{{name: c, image: i}}]}}\n"
        );
    }
    y
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        any::<u8>(),
        20u8..=30,
        1u8..=12,
        prop::collection::vec(0u8..=40, 0..6),
        1u8..=40,
        0u8..=40,
        any::<bool>(),
    )
        .prop_map(
            |(prefix, mask, nodes, replicas, pool_hosts, pool_replicas, static_dup)| Spec {
                prefix,
                mask,
                nodes,
                replicas,
                pool_hosts,
                pool_replicas,
                static_dup,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn ipam_hands_out_sound_addresses(s in spec()) {
        let text = yaml(&s);
        let loaded = podnet_manifest::load_files(
            &[podnet_manifest::SourceFile { name: "t.yaml".into(), text: text.clone().into() }],
            Vec::new(),
            podnet_manifest::LoadOptions::default(),
        );
        let errors: Vec<String> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.detail.message.clone())
            .collect();
        prop_assert!(errors.is_empty(), "{errors:?}\n{text}");
        let dp = Dataplane::build(&loaded.cluster, None);
        let template_pods: usize = s.replicas.iter().map(|&r| usize::from(r)).sum();
        let from_blocks = dp.ipam.origins.iter().filter(|o| **o == AddressOrigin::NodeBlock).count();
        prop_assert!(template_pods == 0 || from_blocks > 0, "no pod got a block address\n{text}");
        let c = &dp.cluster;
        let mut seen = HashSet::new();
        let pool = &c.pools[0];
        for id in c.pod_ids() {
            let pod = c.pod(id);
            for ip in &pod.ips {
                prop_assert!(seen.insert(*ip), "{ip} handed out twice\n{text}");
            }
            match &dp.ipam.origins[id.index()] {
                AddressOrigin::NodeBlock => {
                    let node = pod.node_name.as_deref().unwrap();
                    let n = dp.nodes.iter().position(|x| x.name == node).unwrap();
                    let block = dp.ipam.node_blocks[n][0];
                    let ip = pod.ips[0];
                    prop_assert!(block.contains(&ip), "{ip} outside {block}");
                    prop_assert!(ip != block.network() && ip != block.broadcast(), "{ip} is not a host address of {block}");
                    let gateway = podnet_dataplane::addr::nth(&block, 1).unwrap();
                    prop_assert!(ip != gateway, "{ip} is the gateway of {block}");
                }
                AddressOrigin::Pool(_) => {
                    let ip = pod.ips[0];
                    prop_assert!(pool.cidr.contains(&ip));
                    prop_assert!(Some(ip) != pool.gateway && !pool.reserved.contains(&ip), "{ip} is reserved");
                    prop_assert!(ip.to_string() != "172.20.0.0", "network address handed out");
                }
                AddressOrigin::Unassigned => {
                    // No node takes it (a warning per cause), or allocation
                    // failed (an error).
                    let unplaced = dp.unplaced.iter().any(|u| u.pod == id);
                    prop_assert!(
                        unplaced || dp.issues.iter().any(|i| i.severity == Severity::Error),
                        "pod {} has no address and nothing says why", c.pod_name(id)
                    );
                }
                _ => {}
            }
        }
        if s.static_dup {
            let taken = dp
                .issues
                .iter()
                .any(|i| matches!(i.detail, Found::Static(StaticFound::Taken { .. })));
            prop_assert!(taken, "a duplicate static address is reported as taken");
        }
    }
}
