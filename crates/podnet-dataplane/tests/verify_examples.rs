//! The intents shipped with the examples hold on the running cluster
//! (`Dataplane::build`: pods scheduled and addressed, proxies added), and a
//! deliberately broken copy of each example breaks them with a concrete
//! counterexample whose explanation agrees with the fast path. Here and not
//! in podnet-engine because the dataplane depends on the engine.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use podnet_dataplane::Dataplane;
use podnet_engine::{Endpoint, Engine, IntentResult, ViolationKind, verify};
use podnet_manifest::{Input, LoadOptions, SourceFile, load, load_files};
use podnet_model::Cluster;

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

/// Loads every file of an example, with `edit` applied to the named files'
/// text (file name, old text, new text).
fn load_example(name: &str, edits: &[(&str, &str, &str)]) -> Cluster {
    let loaded = load(&[Input::Path(example(name))], LoadOptions::default());
    if edits.is_empty() {
        assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
        return loaded.cluster;
    }
    let mut files: Vec<SourceFile> = std::fs::read_dir(example(name))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "json"))
        .map(|p| SourceFile {
            name: p.display().to_string().into(),
            text: std::fs::read_to_string(&p).unwrap().into(),
        })
        .collect();
    for (file, old, new) in edits {
        let f = files
            .iter_mut()
            .find(|f| f.name.ends_with(file))
            .unwrap_or_else(|| panic!("no file {file}"));
        assert!(f.text.contains(old), "{file} has no {old:?}");
        f.text = f.text.replacen(old, new, 1).into();
    }
    let loaded = load_files(&files, Vec::new(), LoadOptions::default());
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
    loaded.cluster
}

/// Verifies the example's intents on its running cluster; returns the
/// results by intent name, checking every counterexample on the way.
fn run(cluster: &Cluster) -> Vec<(String, IntentResult)> {
    let dp = Dataplane::build(cluster, None);
    let running = &dp.cluster;
    assert!(!running.intents.is_empty(), "the example ships intents");
    let engine = Engine::new(running);
    let results = verify(&engine, &running.intents);
    for r in &results {
        for v in &r.violations {
            assert_ne!(v.src, v.dst);
            let allowed = &v.explanation.conns;
            match v.kind {
                ViolationKind::Forbidden => {
                    assert!(!allowed.intersection(&v.offending).is_empty(), "{v:?}");
                }
                ViolationKind::Missing => {
                    assert!(allowed.intersection(&v.offending) != v.offending, "{v:?}");
                }
            }
            if let Some((p, n)) = v.port {
                assert_eq!(allowed.allows(p, n), v.kind == ViolationKind::Forbidden);
            }
        }
    }
    results
        .into_iter()
        .map(|r| (running.intents[r.intent].meta.name.clone(), r))
        .collect()
}

fn describe(cluster: &Cluster, e: Endpoint) -> String {
    match e {
        Endpoint::Pod(p) => cluster.pod_name(p),
        Endpoint::External(ip) => ip.to_string(),
    }
}

fn assert_all_hold(results: &[(String, IntentResult)]) {
    for (name, r) in results {
        assert!(r.holds, "{name} is broken: {:#?}", r.violations);
        assert!(r.unmatched.is_empty(), "{name}: {:?}", r.unmatched);
    }
}

fn broken<'r>(results: &'r [(String, IntentResult)], name: &str) -> &'r IntentResult {
    let (_, r) = results
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no intent {name}"));
    assert!(!r.holds, "{name} should be broken");
    assert!(!r.violations.is_empty());
    r
}

#[test]
fn ecoeco_domains_intents_hold() {
    let cluster = load_example("ecoeco-domains", &[]);
    assert_eq!(cluster.intents.len(), 10);
    assert_all_hold(&run(&cluster));
}

#[test]
fn telecom_intents_hold() {
    let cluster = load_example("telecom", &[]);
    assert_eq!(cluster.intents.len(), 4);
    assert_all_hold(&run(&cluster));
}

#[test]
fn ecoeco_broken_allow_all_into_data_is_caught() {
    // `data`'s redis policy admits everyone on every port.
    let cluster = load_example(
        "ecoeco-domains",
        &[(
            "data.yaml",
            "  ingress:\n  - from:\n    - namespaceSelector:\n        matchLabels:\n          ecoeco.io/layer: api\n    ports:\n    - protocol: TCP\n      port: 6379\n",
            "  ingress:\n  - {}\n",
        )],
    );
    let results = run(&cluster);
    let r = broken(&results, "data-only-from-apis");
    let v = &r.violations[0];
    assert_eq!(v.kind, ViolationKind::Forbidden);
    assert_eq!(describe(&cluster_of(&cluster), v.dst), "data/redis-0");
    assert!(v.port.is_some());
    broken(&results, "atlantis-never-reaches-data");
    // The other promises still hold.
    for name in [
        "apis-reach-dns",
        "apis-reach-auth",
        "domains-isolated-except-auth",
    ] {
        let (_, r) = results.iter().find(|(n, _)| n == name).unwrap();
        assert!(r.holds, "{name}");
    }
}

#[test]
fn ecoeco_broken_missing_dns_policy_is_caught() {
    // `scan`'s DNS egress names the wrong pods.
    let cluster = load_example(
        "ecoeco-domains",
        &[(
            "scan.yaml",
            "          k8s-app: kube-dns\n",
            "          k8s-app: not-dns\n",
        )],
    );
    let results = run(&cluster);
    let r = broken(&results, "apis-reach-dns");
    let v = &r.violations[0];
    assert_eq!(v.kind, ViolationKind::Missing);
    let running = cluster_of(&cluster);
    assert!(describe(&running, v.src).starts_with("scan/scan-api-"));
    assert!(describe(&running, v.dst).starts_with("kube-system/coredns-"));
    assert!(v.port.is_some());
}

#[test]
fn telecom_broken_tenant_isolation_is_caught() {
    // A guardrail written backwards: an AdminNetworkPolicy of top
    // priority allowing every namespace both ways.
    let cluster = load_example(
        "telecom",
        &[(
            "admin.yaml",
            "apiVersion: policy.networking.k8s.io/v1alpha1\n",
            "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata:\n  name: allow-all\nspec:\n  priority: 1\n  subject:\n    namespaces: {}\n  ingress:\n  - {name: all, action: Allow, from: [{namespaces: {}}]}\n  egress:\n  - {name: all, action: Allow, to: [{namespaces: {}}]}\n---\napiVersion: policy.networking.k8s.io/v1alpha1\n",
        )],
    );
    let results = run(&cluster);
    let r = broken(&results, "tenants-never-reach-each-other");
    let running = cluster_of(&cluster);
    let v = &r.violations[0];
    let tenant = |e: Endpoint| {
        let Endpoint::Pod(p) = e else {
            panic!("isolate names pods")
        };
        let ns = running.namespace(running.pod(p).namespace);
        ns.labels.get("tenant").map(str::to_owned)
    };
    assert_ne!(tenant(v.src), tenant(v.dst));
    assert!(!v.explanation.conns.is_empty());
}

/// The running cluster the counterexamples' pod ids refer to.
fn cluster_of(cluster: &Cluster) -> Cluster {
    Dataplane::build(cluster, None).cluster
}
