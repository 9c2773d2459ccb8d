//! Synthesis on random small clusters and random intent sets: the
//! synthesised policies allow nothing beyond the intents, every intent
//! holds unless the self-check names the contradicting `allow` intent (a
//! conflict); and the YAML written reads back through podnet's own reader
//! as the same policies.

// Test code: a failed expectation is a failed test.
#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use podnet_manifest::{Input, LoadOptions, load};
use podnet_model::policy::{NamespaceScope, PeerKind};
use podnet_model::{Cluster, IntentRule, PortSpec};
use podnet_synth::{SynthOptions, SynthPeer, self_check, synthesize, yaml};
use proptest::prelude::*;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Reads `text` through podnet's reader.
fn read(text: &str) -> Cluster {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir: PathBuf =
        std::env::temp_dir().join(format!("podnet-synth-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("input.yaml");
    std::fs::write(&file, text).unwrap();
    let loaded = load(
        &[Input::Path(file)],
        LoadOptions {
            strict: false,
            ..LoadOptions::default()
        },
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        !loaded.has_errors(),
        "{:?}\n{text}",
        loaded
            .diagnostics
            .iter()
            .map(|d| &d.detail.message)
            .collect::<Vec<_>>()
    );
    loaded.cluster
}

/// A random cluster: namespaces with a `tier` and maybe a `tenant`, each
/// with one or two pods labelled `app` (unique) and `role`.
#[derive(Clone, Debug)]
struct Shape {
    /// Per namespace: tier a/b, tenant x/y/none, roles of its pods.
    namespaces: Vec<(bool, Option<bool>, Vec<bool>)>,
}

fn shape() -> impl Strategy<Value = Shape> {
    prop::collection::vec(
        (
            any::<bool>(),
            prop::option::of(any::<bool>()),
            prop::collection::vec(any::<bool>(), 1..=2),
        ),
        2..=3,
    )
    .prop_map(|namespaces| Shape { namespaces })
}

fn cluster_yaml(s: &Shape) -> String {
    let mut out = String::new();
    for (i, (tier, tenant, pods)) in s.namespaces.iter().enumerate() {
        let tier = if *tier { "a" } else { "b" };
        let tenant = match tenant {
            Some(t) => format!("\n    tenant: {}", if *t { "t1" } else { "t2" }),
            None => String::new(),
        };
        out.push_str(&format!(
            "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns{i}\n  labels:\n    tier: {tier}{tenant}\n"
        ));
        for (j, fe) in pods.iter().enumerate() {
            let role = if *fe { "fe" } else { "be" };
            out.push_str(&format!(
                "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: w{j}\n  namespace: ns{i}\n  labels:\n    app: w{j}\n    role: {role}\nspec:\n  containers:\n  - name: c\n    image: x\n    ports:\n    - {{name: http, containerPort: 80}}\n    - {{name: db, containerPort: 5432}}\n"
            ));
        }
    }
    out
}

/// One endpoint, as YAML flow text.
fn endpoint() -> impl Strategy<Value = String> {
    prop_oneof![
        (0..3usize).prop_map(|i| format!("{{namespace: ns{i}}}")),
        Just("{namespaceSelector: {matchLabels: {tier: a}}}".to_owned()),
        Just("{podSelector: {matchLabels: {role: fe}}}".to_owned()),
        (0..3usize, 0..2usize).prop_map(|(i, j)| format!("{{workload: ns{i}/w{j}}}")),
        (0..3usize).prop_map(|i| format!(
            "{{namespace: ns{i}, podSelector: {{matchLabels: {{role: be}}}}}}"
        )),
    ]
}

fn ports() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("\n    ports: [{port: 80}]".to_owned()),
        Just("\n    ports: [{port: http}]".to_owned()),
        Just("\n    ports: [{port: 5432}, {port: 80}]".to_owned()),
        Just("\n    ports: [{port: db}]".to_owned()),
    ]
}

fn intent() -> impl Strategy<Value = (u8, String, String, String, String)> {
    (0..4u8, endpoint(), endpoint(), ports(), ports())
}

fn intents_yaml(list: &[(u8, String, String, String, String)]) -> String {
    let mut out = String::new();
    for (i, (kind, from, to, ports, own)) in list.iter().enumerate() {
        let spec = match kind {
            0 => format!("  allow:\n    from: [{from}]\n    to: [{to}]{ports}\n"),
            1 => format!("  deny:\n    from: [{from}]\n    to: [{to}]{ports}\n"),
            2 => {
                let own = own.replace("\n    ports:", ", ports:");
                let first = format!("{}{own}}}", from.strip_suffix('}').unwrap_or(from));
                format!("  only:\n    to: [{to}]\n    from: [{first}]{ports}\n")
            }
            _ => "  isolate:\n    namespaceLabel: tenant\n".to_owned(),
        };
        out.push_str(&format!(
            "---\napiVersion: podnet.dev/v1alpha1\nkind: ConnectivityIntent\nmetadata:\n  name: i{i}\nspec:\n{spec}"
        ));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn synthesised_policies_realise_the_intents_and_nothing_more(
        s in shape(),
        list in prop::collection::vec(intent(), 1..=4),
    ) {
        let text = format!("{}{}", cluster_yaml(&s), intents_yaml(&list));
        let cluster = read(&text);
        let intents = cluster.intents.clone();
        prop_assert_eq!(intents.len(), list.len(), "{}", text);
        let synthesis = synthesize(&cluster, &intents, &SynthOptions::default());
        let check = self_check(&cluster, &intents, &synthesis, &SynthOptions::default());
        // Nothing beyond the intents, ever.
        prop_assert!(check.extra.is_empty(), "extra {:?}\n{}", check.extra, text);
        for r in check.results.iter().filter(|r| !r.holds) {
            // allow intents are always realised ...
            let rule = &intents[r.intent].rule;
            prop_assert!(!matches!(rule, IntentRule::Allow(_)), "allow {} broken\n{}", r.intent, text);
            // ... and a forbidding intent only fails against one.
            prop_assert!(
                check.conflicts.iter().any(|c| c.intent == r.intent && !c.causes.is_empty()),
                "intent {} fails without a conflict: {:?}\n{}", r.intent, r.violations, text
            );
        }
        if check.conflicts.is_empty() {
            prop_assert!(check.passed(), "{}", text);
        }
        // Stable: the same input gives the same policies.
        prop_assert_eq!(synthesize(&cluster, &intents, &SynthOptions::default()), synthesis);
    }
}

fn ports_without_lines(ports: &[PortSpec]) -> Vec<PortSpec> {
    ports
        .iter()
        .map(|p| PortSpec {
            line: None,
            ..p.clone()
        })
        .collect()
}

#[test]
fn yaml_reads_back_as_the_same_policies() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/ecoeco-domains");
    let loaded = load(
        &[Input::Path(root)],
        LoadOptions {
            strict: false,
            ..LoadOptions::default()
        },
    );
    let cluster = loaded.cluster;
    let synthesis = synthesize(&cluster, &cluster.intents, &SynthOptions::default());
    let text = yaml::to_yaml(&synthesis.policies).unwrap();
    let back = read(&text);
    assert_eq!(back.policies.len(), synthesis.policies.len());
    for (p, q) in synthesis.policies.iter().zip(&back.policies) {
        assert_eq!(q.meta.name, p.name);
        assert_eq!(q.meta.namespace.as_deref(), Some(p.namespace.as_str()));
        assert_eq!(q.pod_selector, p.pod_selector);
        assert_eq!(
            (q.affects_ingress, q.affects_egress),
            (p.ingress_type, p.egress_type)
        );
        for (mine, theirs) in [(&p.ingress, &q.ingress), (&p.egress, &q.egress)] {
            assert_eq!(mine.len(), theirs.len(), "{}/{}", p.namespace, p.name);
            for (a, b) in mine.iter().zip(theirs) {
                assert_eq!(ports_without_lines(&b.ports), a.ports);
                let peers: Vec<SynthPeer> = b
                    .peers
                    .iter()
                    .map(|peer| match &peer.kind {
                        PeerKind::Pods {
                            namespaces: NamespaceScope::Selected(n),
                            pods,
                        } => SynthPeer::Pods {
                            namespaces: n.clone(),
                            pods: pods.clone(),
                        },
                        PeerKind::IpBlock(b) => SynthPeer::IpBlock(b.clone()),
                        other => panic!("unexpected peer {other:?}"),
                    })
                    .collect();
                assert_eq!(peers, a.peers);
            }
        }
    }
}
