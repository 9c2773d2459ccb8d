//! `explain`, `connlist` and `trace` give one answer (issue 17, "Done
//! when"): on generated clusters and on every bundled example, for every
//! pair of workloads `connlist`'s connections are `explain`'s between the
//! two workloads, and for pairs of pods a direct `trace` delivers exactly
//! when `explain` between the two pods allows the port.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::HashMap;

use podnet_dataplane::trace::Outcome;
use podnet_dataplane::{Dataplane, TraceFrom, TraceRequest, TraceTo, trace};
use podnet_engine::{Engine, PeerRef, Target, connlist, explain};
use podnet_model::{Conns, PodId, Protocol, WorkloadId};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

fn dataplane(seed: u64) -> Dataplane {
    let generated = podnet_gen::generate(podnet_gen::Params {
        pods: 60,
        workloads: 12,
        policies: 10,
        seed,
        live: seed % 2 == 1,
        admin_policies: 2,
    });
    let files: Vec<podnet_manifest::SourceFile> = generated
        .files
        .into_iter()
        .map(|f| podnet_manifest::SourceFile {
            name: f.name.into(),
            text: f.text.into(),
        })
        .collect();
    let cluster =
        podnet_manifest::load_files(&files, Vec::new(), podnet_manifest::LoadOptions::default())
            .cluster;
    Dataplane::build(&cluster, None)
}

/// `connlist` equals `explain` for every pair of workloads of `dp`, and a
/// direct `trace` from pod to pod delivers exactly when `explain` allows
/// the port, for every `(source, destination, port)` of `probes`.
fn check_agreement(dp: &Dataplane, probes: &[(PodId, PodId, u16)]) -> Result<(), TestCaseError> {
    let c = &dp.cluster;
    let engine = Engine::new(c);
    let listed: HashMap<(WorkloadId, WorkloadId), Conns> = connlist(&engine)
        .connections
        .into_iter()
        .filter_map(|f| match (f.src, f.dst) {
            (PeerRef::Workload(s), PeerRef::Workload(d)) => Some(((s, d), f.conns)),
            _ => None,
        })
        .collect();
    let workloads: Vec<WorkloadId> = c
        .workload_ids()
        .filter(|&w| !c.workload(w).pods.is_empty())
        .collect();
    for &s in &workloads {
        for &d in &workloads {
            if s == d {
                continue;
            }
            let e = explain(&engine, &Target::Workload(s), &Target::Workload(d));
            let want = listed.get(&(s, d)).cloned().unwrap_or_else(Conns::none);
            prop_assert_eq!(
                &e.conns,
                &want,
                "{} -> {}",
                c.workload_name(s),
                c.workload_name(d)
            );
        }
    }
    for &(src, dst, port) in probes {
        let request = TraceRequest {
            from: TraceFrom::Pod(src),
            to: TraceTo::Pod(dst),
            port: Some(port),
            protocol: Protocol::Tcp,
        };
        let Ok(t) = trace(dp, &request) else { continue };
        // A host-network pod listens on its node: the trace reaches it there.
        let dst_pod = c.pod(dst);
        let delivered = t.branches.iter().any(|b| match &b.outcome {
            Outcome::Delivered(p) => *p == dst,
            Outcome::ReachedNode(node) => {
                dst_pod.host_network && dst_pod.node_name.as_deref() == Some(node.as_str())
            }
            _ => false,
        });
        let e = explain(&engine, &Target::Pod(src), &Target::Pod(dst));
        prop_assert_eq!(
            delivered,
            e.conns.allows(Protocol::Tcp, port),
            "{} -> {} TCP {}: {:?}",
            c.pod_name(src),
            c.pod_name(dst),
            port,
            t.branches
        );
    }
    Ok(())
}

/// The pods with an address.
fn addressed_pods(dp: &Dataplane) -> Vec<PodId> {
    let c = &dp.cluster;
    c.pod_ids().filter(|&p| !c.pod(p).ips.is_empty()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn explain_connlist_and_trace_agree(seed in 0u64..1000, picks in prop::collection::vec((any::<u16>(), any::<u16>(), any::<u16>()), 1..24)) {
        let dp = dataplane(seed);
        let c = &dp.cluster;
        let pods = addressed_pods(&dp);
        prop_assume!(pods.len() > 1);
        // A port of the destination, or one it may not define.
        let probes: Vec<(PodId, PodId, u16)> = picks
            .into_iter()
            .map(|(a, b, port)| {
                let (src, dst) = (pods[usize::from(a) % pods.len()], pods[usize::from(b) % pods.len()]);
                let ports = c.pod_ports(dst);
                let port = match ports.get(usize::from(port) % (ports.len() + 1)) {
                    Some(p) if p.protocol == Protocol::Tcp => p.port,
                    _ => 1 + port % 1024,
                };
                (src, dst, port)
            })
            .filter(|(src, dst, _)| src != dst)
            .collect();
        check_agreement(&dp, &probes)?;
    }
}

/// The bundled examples, each read as `podnet` reads its folder (rke2-aws
/// with each of its profiles).
fn examples() -> Vec<(String, Dataplane)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut inputs: Vec<(String, Vec<podnet_manifest::Input>)> = Vec::new();
    for name in ["ecoeco-domains", "ecoeco-single", "telecom"] {
        inputs.push((
            name.into(),
            vec![podnet_manifest::Input::Path(root.join(name))],
        ));
    }
    for profile in ["rke2-canal-albc-ip", "rke2-canal-ccm", "rke2-cilium-eni"] {
        let dir = root.join("rke2-aws");
        inputs.push((
            format!("rke2-aws with {profile}"),
            vec![
                podnet_manifest::Input::Path(dir.join("workloads.yaml")),
                podnet_manifest::Input::Path(dir.join("profiles").join(format!("{profile}.yaml"))),
            ],
        ));
    }
    inputs
        .into_iter()
        .map(|(name, input)| {
            let loaded = podnet_manifest::load(&input, podnet_manifest::LoadOptions::default());
            assert!(!loaded.has_errors(), "{name}: {:?}", loaded.diagnostics);
            (name, Dataplane::build(&loaded.cluster, None))
        })
        .collect()
}

/// On every bundled example: every workload pair, and from one pod of
/// each workload to one pod of every other on each TCP port the
/// destination defines and on a port it does not.
#[test]
fn explain_connlist_and_trace_agree_on_the_examples() {
    for (name, dp) in examples() {
        let c = &dp.cluster;
        let one_pod_each: Vec<PodId> = c
            .workload_ids()
            .filter_map(|w| {
                c.workload(w)
                    .pods
                    .iter()
                    .copied()
                    .find(|&p| !c.pod(p).ips.is_empty())
            })
            .collect();
        let mut probes = Vec::new();
        for &src in &one_pod_each {
            for &dst in &one_pod_each {
                if src == dst {
                    continue;
                }
                let declared = c
                    .pod_ports(dst)
                    .iter()
                    .filter(|p| p.protocol == Protocol::Tcp)
                    .map(|p| p.port);
                probes.extend(declared.chain([1]).map(|port| (src, dst, port)));
            }
        }
        assert!(probes.len() > 10, "{name}: {} probes", probes.len());
        if let Err(e) = check_agreement(&dp, &probes) {
            panic!("{name}: {e}");
        }
    }
}

/// The property above is not vacuous: a generated cluster has workload
/// pairs with and without connections, and pod traces both deliver and
/// are denied.
#[test]
fn generated_clusters_both_connect_and_isolate() {
    let dp = dataplane(3);
    let c = &dp.cluster;
    let engine = Engine::new(c);
    let listed = connlist(&engine).connections.len();
    let workloads = c
        .workload_ids()
        .filter(|&w| !c.workload(w).pods.is_empty())
        .count();
    assert!(
        listed > 0 && listed < workloads * workloads,
        "{listed} of {workloads}"
    );
    let pods = addressed_pods(&dp);
    let (mut delivered, mut denied) = (0, 0);
    for &src in &pods {
        for &dst in &pods {
            if src == dst {
                continue;
            }
            let port = c.pod_ports(dst).first().map_or(80, |p| p.port);
            let request = TraceRequest {
                from: TraceFrom::Pod(src),
                to: TraceTo::Pod(dst),
                port: Some(port),
                protocol: Protocol::Tcp,
            };
            let Ok(t) = trace(&dp, &request) else {
                continue;
            };
            if t.branches
                .iter()
                .any(|b| matches!(b.outcome, Outcome::Delivered(_)))
            {
                delivered += 1;
            } else {
                denied += 1;
            }
        }
    }
    assert!(
        delivered > 0 && denied > 0,
        "{delivered} delivered, {denied} denied"
    );
}
