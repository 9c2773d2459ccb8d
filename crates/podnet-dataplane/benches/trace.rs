//! Benchmarks of the dataplane on generated clusters of 1k, 10k and 100k
//! pods (podnet-gen, with its ClusterProfile and a Service per workload):
//! building the running cluster (scheduling, IPAM, Service addresses) once,
//! and `trace` from a pod to a Service name in another namespace (DNS,
//! DNAT to every endpoint, routing and both policy checks per path) after
//! loading.
//!
//! `cargo bench -p podnet-dataplane --bench trace`

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use podnet_dataplane::{Dataplane, TraceFrom, TraceRequest, TraceTo, trace};
use podnet_gen::{Params, generate};
use podnet_manifest::{LoadOptions, SourceFile, load_files};
use podnet_model::Protocol;

/// The allocator the `podnet` binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SIZES: [(u32, u32, u32); 3] = [
    (1_000, 100, 50),
    (10_000, 1_000, 500),
    (100_000, 10_000, 5_000),
];

fn loaded(pods: u32, workloads: u32, policies: u32) -> podnet_model::Cluster {
    let files: Vec<SourceFile> = generate(Params {
        pods,
        workloads,
        policies,
        seed: 1,
        live: false,
        admin_policies: 0,
    })
    .files
    .into_iter()
    .map(|f| SourceFile {
        name: f.name.into(),
        text: f.text.into(),
    })
    .collect();
    load_files(&files, Vec::new(), LoadOptions::default()).cluster
}

/// The first pod of the first team's web tier, to the api Service of the
/// second team, by the name a pod would type.
fn request(dp: &Dataplane) -> TraceRequest {
    let c = &dp.cluster;
    let from = c
        .pod_ids()
        .find(|&p| c.pod(p).name.starts_with("web-") && !c.pod(p).ips.is_empty())
        .or_else(|| c.pod_ids().next());
    let to = c
        .services
        .iter()
        .filter(|s| s.meta.name.starts_with("api-") && !s.headless)
        .nth(1)
        .map(|s| {
            format!(
                "{}.{}",
                s.meta.name,
                s.meta.namespace.clone().unwrap_or_default()
            )
        })
        .unwrap_or_default();
    TraceRequest {
        from: TraceFrom::Pod(from.unwrap_or(podnet_model::PodId::from_index(0))),
        to: TraceTo::Name(to),
        port: Some(8443),
        protocol: Protocol::Tcp,
    }
}

fn bench(c: &mut Criterion) {
    let mut build = c.benchmark_group("dataplane-build");
    build.sample_size(10);
    let clusters: Vec<(u32, podnet_model::Cluster)> = SIZES
        .iter()
        .map(|&(p, w, n)| (p, loaded(p, w, n)))
        .collect();
    for (pods, cluster) in &clusters {
        build.bench_with_input(BenchmarkId::from_parameter(pods), cluster, |b, cluster| {
            b.iter(|| Dataplane::build(cluster, None));
        });
    }
    build.finish();
    let mut group = c.benchmark_group("trace");
    group.sample_size(20);
    for (pods, cluster) in &clusters {
        let dp = Dataplane::build(cluster, None);
        let req = request(&dp);
        group.bench_with_input(BenchmarkId::from_parameter(pods), &dp, |b, dp| {
            b.iter(|| trace(dp, &req));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
