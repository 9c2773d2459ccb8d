//! Benchmarks of the issue-14 targets on dense clusters (the generator of
//! `scripts/bench/gen_cluster.py`: seed 1, 2 replicas, 10 workloads and 8
//! policies per namespace; infrastructure namespaces without policy,
//! development namespaces open inside, partner and tenant rules: the
//! allowed pairs grow with the square of the workloads), next to the
//! sparse `podnet generate` clusters of the `connectivity` bench.
//!
//! Each group runs what a command runs after reading its input: the
//! dataplane (scheduling on the profile's 1,000 nodes, addresses), the
//! engine, and the answer written to a sink: the whole pair list in txt
//! and JSON, the grouped view, a focused list. `parse` is the reading.
//!
//! The clusters are generated once into `target/podnet-bench-dense/`
//! (python3 needed). `cargo bench -p podnet-cli --bench dense`;
//! `-- dense-group` and the like pick groups.

#![allow(clippy::expect_used, clippy::panic)] // a bench that cannot set up fails loudly

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use podnet::dataplane::{Dataplane, Networks};
use podnet::engine::{Engine, Scope};
use podnet::manifest::{Input, LoadOptions, Loaded, load};
use podnet::model::ProfileSpec;
use podnet_report::connlist_groups::{GroupFormat, write_groups};
use podnet_report::{ConnlistFormat, RunSummary, write_connlist};

/// The allocator the `podnet` binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Enough nodes and addresses for 100k pods (what `--profile` gives the
/// whole-process measurements).
const PROFILE: &str = "apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {name: bench}
spec:
  clusterCIDRs: [10.0.0.0/8]
  nodeMaskSizeIPv4: 24
  serviceCIDRs: [172.16.0.0/12]
  nodeCount: 1000
";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The cluster of `namespaces` application namespaces (`pods`: with the
/// live-dump Pod objects), generated when missing.
fn cluster_dir(namespaces: u32, pods: bool) -> PathBuf {
    let dir = root().join(format!(
        "target/podnet-bench-dense/c{namespaces}{}",
        if pods { "-pods" } else { "" }
    ));
    if !dir.join(".gen_cluster").exists() {
        let mut cmd = Command::new("python3");
        cmd.arg(root().join("scripts/bench/gen_cluster.py"))
            .args(["--namespaces", &namespaces.to_string()])
            .args(["--workloads-per-ns", "10", "--replicas", "2"])
            .args(["--policies-per-ns", "8", "--seed", "1", "--force"])
            .arg("--out")
            .arg(&dir);
        if pods {
            cmd.arg("--pods");
        }
        let status = cmd.status().expect("python3 runs the generator");
        assert!(status.success(), "gen_cluster.py failed");
    }
    dir
}

fn profile() -> ProfileSpec {
    let dir = root().join("target/podnet-bench-dense");
    std::fs::create_dir_all(&dir).expect("bench folder");
    let path = dir.join("profile.yaml");
    std::fs::write(&path, PROFILE).expect("profile written");
    load(
        &[Input::parse(&path.to_string_lossy())],
        LoadOptions::default(),
    )
    .cluster
    .profile
    .expect("a ClusterProfile")
}

fn read(dir: &Path) -> Loaded {
    let loaded = load(
        &[Input::parse(&dir.to_string_lossy())],
        LoadOptions::default(),
    );
    assert!(!loaded.has_errors(), "the generator writes valid manifests");
    loaded
}

/// Namespaces of the sizes of the issue: 1,006, 4,506, 10,006 and 100,006
/// pods.
const SIZES: [(u32, u32); 4] = [(50, 1_006), (225, 4_506), (500, 10_006), (5_000, 100_006)];

fn bench(c: &mut Criterion) {
    let profile = profile();
    let summary = RunSummary::default();
    let mut parse = c.benchmark_group("dense-parse");
    parse.sample_size(10);
    for &(ns, pods) in &SIZES {
        let dir = cluster_dir(ns, false);
        parse.bench_with_input(BenchmarkId::from_parameter(pods), &dir, |b, dir| {
            b.iter(|| read(dir));
        });
    }
    parse.finish();
    // The whole pair list, txt and JSON, up to 10k pods.
    for (format, name) in [(ConnlistFormat::Txt, "txt"), (ConnlistFormat::Json, "json")] {
        let mut group = c.benchmark_group(format!("dense-connlist-{name}"));
        group.sample_size(10);
        for &(ns, pods) in &SIZES[..3] {
            let loaded = read(&cluster_dir(ns, false));
            group.bench_with_input(BenchmarkId::from_parameter(pods), &loaded, |b, loaded| {
                b.iter(|| {
                    let dp = Dataplane::build(&loaded.cluster, Some(&profile));
                    let engine = Engine::new(&dp.cluster);
                    let flows = dp.flows(&engine, &Networks::All, Scope::all());
                    write_connlist(&mut io::sink(), &dp.cluster, &flows, format, summary)
                });
            });
        }
        group.finish();
    }
    // The grouped view and a focused list, up to 100k pods and the live dump.
    let mut grouped = c.benchmark_group("dense-group");
    grouped.sample_size(10);
    let mut focused = Vec::new();
    for (ns, pods, live) in [
        (500, 10_006, false),
        (5_000, 100_006, false),
        (5_000, 100_006, true),
    ] {
        let loaded = read(&cluster_dir(ns, live));
        let id = format!("{pods}{}", if live { "-pods" } else { "" });
        grouped.bench_with_input(BenchmarkId::from_parameter(&id), &loaded, |b, loaded| {
            b.iter(|| {
                let dp = Dataplane::build(&loaded.cluster, Some(&profile));
                let engine = Engine::new(&dp.cluster);
                let lines = dp.groups(&engine, &Networks::All, Scope::all(), None);
                write_groups(
                    &mut io::sink(),
                    &dp.cluster,
                    &lines,
                    GroupFormat::Txt,
                    summary,
                )
            });
        });
        focused.push((id, loaded));
    }
    grouped.finish();
    let mut focus = c.benchmark_group("dense-focus");
    focus.sample_size(10);
    for (id, loaded) in &focused {
        focus.bench_with_input(BenchmarkId::from_parameter(id), loaded, |b, loaded| {
            b.iter(|| {
                let dp = Dataplane::build(&loaded.cluster, Some(&profile));
                let engine = Engine::new(&dp.cluster);
                let first = dp
                    .cluster
                    .workload_ids()
                    .find(|&w| dp.cluster.workload_name(w) == "billing-api-dev/api")
                    .expect("the generator's first workload");
                let flows = dp.flows(&engine, &Networks::All, Scope::focus(vec![first]));
                write_connlist(
                    &mut io::sink(),
                    &dp.cluster,
                    &flows,
                    ConnlistFormat::Txt,
                    summary,
                )
            });
        });
    }
    focus.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
