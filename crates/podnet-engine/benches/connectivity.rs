//! Benchmarks of full connectivity on generated clusters of 1k, 10k and
//! 100k pods (podnet-gen: team namespaces with default deny, tiers,
//! namespaceSelectors, ipBlocks with except, named ports, endPort), read
//! from manifests (pods made from templates) and from a live dump (the same
//! cluster plus its running pods as `kubectl get pods -o json` prints them).
//! Parsing is measured apart from the analysis. The `-tiers` groups add 100
//! AdminNetworkPolicies and a BaselineAdminNetworkPolicy.
//!
//! The `verify` group checks 50 ConnectivityIntents (engine build
//! included).
//!
//! `cargo bench -p podnet-engine --bench connectivity`

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use podnet_engine::{Engine, connlist, verify};
use podnet_gen::{Params, generate};
use podnet_manifest::{LoadOptions, SourceFile, load_files};

/// The allocator the `podnet` binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SIZES: [(u32, u32, u32); 3] = [
    (1_000, 100, 50),
    (10_000, 1_000, 500),
    (100_000, 10_000, 5_000),
];

fn files(pods: u32, workloads: u32, policies: u32, live: bool, admin: u32) -> Vec<SourceFile> {
    generate(Params {
        pods,
        workloads,
        policies,
        seed: 1,
        live,
        admin_policies: admin,
    })
    .files
    .into_iter()
    .map(|f| SourceFile {
        name: f.name.into(),
        text: f.text.into(),
    })
    .collect()
}

fn bench(c: &mut Criterion) {
    // Manifests; a live dump of the same cluster; manifests with 100
    // AdminNetworkPolicies and the BaselineAdminNetworkPolicy.
    for (live, admin, suffix) in [(false, 0, ""), (true, 0, "-live"), (false, 100, "-tiers")] {
        let mut parse = c.benchmark_group(format!("parse{suffix}"));
        parse.sample_size(10);
        for &(pods, workloads, policies) in &SIZES {
            let input = files(pods, workloads, policies, live, admin);
            parse.bench_with_input(BenchmarkId::from_parameter(pods), &input, |b, input| {
                b.iter(|| load_files(input, Vec::new(), LoadOptions::default()));
            });
        }
        parse.finish();

        let mut analysis = c.benchmark_group(format!("connectivity{suffix}"));
        analysis.sample_size(10);
        for &(pods, workloads, policies) in &SIZES {
            let loaded = load_files(
                &files(pods, workloads, policies, live, admin),
                Vec::new(),
                LoadOptions::default(),
            );
            assert!(!loaded.has_errors(), "the generator writes valid manifests");
            assert_eq!(loaded.cluster.pods.len(), pods as usize + 6);
            analysis.bench_with_input(
                BenchmarkId::from_parameter(pods),
                &loaded.cluster,
                |b, cluster| {
                    b.iter(|| connlist(&Engine::new(cluster)));
                },
            );
        }
        analysis.finish();
    }
}

/// 50 intents over the generated teams: isolation by team, env and group
/// label, DNS and cross-team allows, deny and only rules on the database
/// tier, internet egress.
fn intents_yaml(teams: u32) -> String {
    let team = |i: u32| format!("team-{:04}", (i * 37) % teams);
    let mut out = String::new();
    let mut add = |name: String, spec: String| {
        out.push_str(&format!(
            "---\napiVersion: podnet.dev/v1alpha1\nkind: ConnectivityIntent\nmetadata:\n  name: {name}\nspec:\n{spec}"
        ));
    };
    for (i, label) in ["team", "env", "group"].iter().enumerate() {
        add(
            format!("isolate-{i}"),
            format!("  isolate: {{namespaceLabel: {label}}}\n"),
        );
    }
    for i in 0..12 {
        add(
            format!("dns-{i}"),
            format!(
                "  allow:\n    from: [{{namespace: {}}}]\n    to: [{{namespace: kube-system, podSelector: {{matchLabels: {{k8s-app: kube-dns}}}}}}]\n    ports: [{{protocol: UDP, port: 53}}]\n",
                team(i)
            ),
        );
    }
    for i in 0..12 {
        add(
            format!("deny-{i}"),
            format!(
                "  deny:\n    from: [{{namespace: {}}}]\n    to: [{{namespace: {}, podSelector: {{matchLabels: {{tier: db}}}}}}]\n",
                team(i),
                team(i + 1)
            ),
        );
    }
    for i in 0..12 {
        add(
            format!("only-{i}"),
            format!(
                "  only:\n    to: [{{namespace: {0}, podSelector: {{matchLabels: {{tier: db}}}}}}]\n    from: [{{namespace: {0}}}, {{namespace: monitoring}}]\n",
                team(i)
            ),
        );
    }
    for i in 0..11 {
        add(
            format!("egress-{i}"),
            format!(
                "  deny:\n    from: [{{namespace: {}, podSelector: {{matchLabels: {{tier: db}}}}}}]\n    to: [{{ipBlock: {{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}}}]\n",
                team(i)
            ),
        );
    }
    out
}

/// `verify`: `Engine::new` plus 50 intents on the generated clusters.
fn bench_verify(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify");
    group.sample_size(10);
    for &(pods, workloads, policies) in &SIZES {
        let mut input = files(pods, workloads, policies, false, 0);
        input.push(SourceFile {
            name: "intents.yaml".into(),
            text: intents_yaml(workloads.div_ceil(20)).into(),
        });
        let loaded = load_files(&input, Vec::new(), LoadOptions::default());
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        assert_eq!(loaded.cluster.intents.len(), 50);
        group.bench_with_input(
            BenchmarkId::from_parameter(pods),
            &loaded.cluster,
            |b, cluster| {
                b.iter(|| verify(&Engine::new(cluster), &cluster.intents));
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench, bench_verify);
criterion_main!(benches);
