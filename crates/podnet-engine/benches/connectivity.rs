//! Benchmarks of full connectivity on generated clusters of 1k, 10k and
//! 100k pods (podnet-gen: team namespaces with default deny, tiers,
//! namespaceSelectors, ipBlocks with except, named ports, endPort), read
//! from manifests (pods made from templates) and from a live dump (the same
//! cluster plus its running pods as `kubectl get pods -o json` prints them).
//! Parsing is measured apart from the analysis. The `-tiers` groups add 100
//! AdminNetworkPolicies and a BaselineAdminNetworkPolicy.
//!
//! `cargo bench -p podnet-engine --bench connectivity`

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use podnet_engine::{Engine, connlist};
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

criterion_group!(benches, bench);
criterion_main!(benches);
