//! Reading speed: the generated 100k-pod cluster (`podnet generate --pods
//! 100000 --live`: 10 MB of manifests and a 137 MB `kubectl get pods -A -o
//! json` dump) from memory into a `Cluster`, whole (`load`) and by stage:
//! documents only (`parse`: splitting, YAML and JSON syntax) and decoding.
//! Smaller sizes with `PODNET_BENCH_PODS=10000`.
//!
//! `cargo bench -p podnet-manifest --bench read`

use criterion::{Criterion, criterion_group, criterion_main};
use podnet_gen::{Params, generate};
use podnet_manifest::document::parse_file;
use podnet_manifest::{LoadOptions, SourceFile, load_files};

/// The allocator the `podnet` binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn files(pods: u32) -> Vec<SourceFile> {
    generate(Params {
        pods,
        workloads: pods / 10,
        policies: pods / 20,
        seed: 1,
        live: true,
        admin_policies: 0,
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
    let pods = std::env::var("PODNET_BENCH_PODS")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(100_000);
    let input = files(pods);
    let loaded = load_files(&input, Vec::new(), LoadOptions::default());
    assert!(!loaded.has_errors(), "the generator writes valid manifests");
    assert_eq!(loaded.cluster.pods.len(), pods as usize + 6);
    let mut group = c.benchmark_group("read-live");
    group.sample_size(10);
    group.bench_function(format!("load/{pods}"), |b| {
        b.iter(|| load_files(&input, Vec::new(), LoadOptions::default()));
    });
    group.bench_function(format!("parse/{pods}"), |b| {
        b.iter(|| input.iter().map(|f| parse_file(f).len()).sum::<usize>());
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
