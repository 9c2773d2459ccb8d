//! `explain`, `connlist` and `trace` give one answer (issue 17, "Done
//! when"): on generated clusters, for every pair of workloads `connlist`'s
//! connections are `explain`'s between the two workloads, and for pairs of
//! pods a direct `trace` delivers exactly when `explain` between the two
//! pods allows the port.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::HashMap;

use podnet_dataplane::trace::Outcome;
use podnet_dataplane::{Dataplane, TraceFrom, TraceRequest, TraceTo, trace};
use podnet_engine::{Engine, PeerRef, Target, connlist, explain};
use podnet_model::{Conns, PodId, Protocol, WorkloadId};
use proptest::prelude::*;

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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn explain_connlist_and_trace_agree(seed in 0u64..1000, picks in prop::collection::vec((any::<u16>(), any::<u16>(), any::<u16>()), 1..24)) {
        let dp = dataplane(seed);
        let c = &dp.cluster;
        let engine = Engine::new(c);

        // connlist = explain, workload by workload.
        let listed: HashMap<(WorkloadId, WorkloadId), Conns> = connlist(&engine)
            .connections
            .into_iter()
            .filter_map(|f| match (f.src, f.dst) {
                (PeerRef::Workload(s), PeerRef::Workload(d)) => Some(((s, d), f.conns)),
                _ => None,
            })
            .collect();
        let workloads: Vec<WorkloadId> =
            c.workload_ids().filter(|&w| !c.workload(w).pods.is_empty()).collect();
        for &s in &workloads {
            for &d in &workloads {
                if s == d {
                    continue;
                }
                let e = explain(&engine, &Target::Workload(s), &Target::Workload(d));
                let want = listed.get(&(s, d)).cloned().unwrap_or_else(Conns::none);
                prop_assert_eq!(
                    &e.conns, &want,
                    "{} -> {}", c.workload_name(s), c.workload_name(d)
                );
            }
        }

        // trace = explain, pod to pod, on a port of the destination.
        let pods: Vec<PodId> = c.pod_ids().filter(|&p| !c.pod(p).ips.is_empty()).collect();
        prop_assume!(pods.len() > 1);
        for (a, b, port) in picks {
            let (src, dst) = (pods[usize::from(a) % pods.len()], pods[usize::from(b) % pods.len()]);
            if src == dst {
                continue;
            }
            let ports = c.pod_ports(dst);
            let port = match ports.get(usize::from(port) % (ports.len() + 1)) {
                Some(p) if p.protocol == Protocol::Tcp => p.port,
                _ => 1 + port % 1024,
            };
            let request = TraceRequest {
                from: TraceFrom::Pod(src),
                to: TraceTo::Pod(dst),
                port: Some(port),
                protocol: Protocol::Tcp,
            };
            let Ok(t) = trace(&dp, &request) else { continue };
            let delivered = t
                .branches
                .iter()
                .any(|b| matches!(b.outcome, Outcome::Delivered(p) if p == dst));
            let e = explain(&engine, &Target::Pod(src), &Target::Pod(dst));
            prop_assert_eq!(
                delivered,
                e.conns.allows(Protocol::Tcp, port),
                "{} -> {} TCP {}: {:?}", c.pod_name(src), c.pod_name(dst), port, t.branches
            );
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
    let pods: Vec<PodId> = c.pod_ids().filter(|&p| !c.pod(p).ips.is_empty()).collect();
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
