//! Property tests of `trace` on generated clusters under every preset:
//! it never panics, whatever the source (pod, node, outside address) and
//! destination (Service name, ClusterIP, pod address, node address and
//! NodePort, an address outside); a path that delivers ends at a pod of the
//! Service it went through; and its verdict agrees with the engine's spec
//! for the same endpoint.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::net::IpAddr;

use podnet_dataplane::trace::{Action, Outcome};
use podnet_dataplane::{Dataplane, TraceFrom, TraceRequest, TraceTo, trace};
use podnet_model::{Preset, ProfileSpec, Protocol};
use proptest::prelude::*;

fn cluster(seed: u64) -> podnet_model::Cluster {
    let generated = podnet_gen::generate(podnet_gen::Params {
        pods: 120,
        workloads: 24,
        policies: 12,
        seed,
        live: false,
        admin_policies: 4,
    });
    let files: Vec<podnet_manifest::SourceFile> = generated
        .files
        .into_iter()
        // The generated profile is replaced by each preset in turn.
        .filter(|f| f.name != "profile.yaml")
        .map(|f| podnet_manifest::SourceFile {
            name: f.name.into(),
            text: f.text.into(),
        })
        .collect();
    podnet_manifest::load_files(&files, Vec::new(), podnet_manifest::LoadOptions::default()).cluster
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn trace_never_panics_and_delivers_to_backends(
        seed in 0u64..1000,
        preset in 0usize..5,
        picks in prop::collection::vec((any::<u16>(), any::<u16>(), 0u8..6, any::<u16>()), 1..12),
    ) {
        let base = cluster(seed);
        let spec = ProfileSpec {
            preset: Some(Preset::ALL[preset].1),
            ..ProfileSpec::default()
        };
        let dp = Dataplane::build(&base, Some(&spec));
        let c = &dp.cluster;
        let pods: Vec<_> = c.pod_ids().filter(|&p| !c.pod(p).ips.is_empty()).collect();
        prop_assume!(!pods.is_empty() && !c.services.is_empty());
        for (a, b, kind, port) in picks {
            let from = match a % 3 {
                0 => TraceFrom::Pod(pods[usize::from(a) % pods.len()]),
                1 => TraceFrom::Node(dp.nodes[usize::from(a) % dp.nodes.len()].name.clone()),
                _ => TraceFrom::External(IpAddr::from([203, 0, 113, (a % 250) as u8])),
            };
            let svc = &c.services[usize::from(b) % c.services.len()];
            let ns = svc.meta.namespace.clone().unwrap_or_default();
            let (to, port) = match kind {
                0 => (TraceTo::Name(format!("{}.{ns}", svc.meta.name)), None),
                1 => (TraceTo::Name(svc.meta.name.clone()), Some(port % 10000 + 1)),
                2 => match dp.services.cluster_ips[usize::from(b) % c.services.len()].first() {
                    Some(ip) => (TraceTo::Address(*ip), svc.ports.first().map(|p| p.port)),
                    None => (TraceTo::Address(IpAddr::from([10, 96, 0, 1])), Some(443)),
                },
                3 => (TraceTo::Pod(pods[usize::from(b) % pods.len()]), Some(port % 10000 + 1)),
                4 => (
                    TraceTo::Address(dp.nodes[usize::from(b) % dp.nodes.len()].internal_ips.first().copied().unwrap_or(IpAddr::from([127, 0, 0, 1]))),
                    Some(30000 + port % 2768),
                ),
                _ => (TraceTo::Address(IpAddr::from([198, 51, 100, 7])), Some(443)),
            };
            let request = TraceRequest { from: from.clone(), to, port, protocol: Protocol::Tcp };
            let Ok(t) = trace(&dp, &request) else { continue };
            for branch in &t.branches {
                if let Outcome::Delivered(pod) = branch.outcome {
                    // The last hop delivers to that pod's address.
                    let last = branch.hops.last().unwrap();
                    let delivers = matches!(last.action, Action::Deliver { .. });
                    prop_assert!(delivers, "the last hop delivers");
                    prop_assert!(c.pod(pod).ips.contains(&last.after.dst), "{branch:?}");
                    // Without SNAT, the engine's spec allows the same flow.
                    if let TraceFrom::Pod(src) = from
                        && c.pod(src).ips.first() == Some(&last.after.src)
                    {
                        let verdict = podnet_engine::semantics::evaluate(
                            c,
                            podnet_engine::Endpoint::Pod(src),
                            podnet_engine::Endpoint::Pod(pod),
                        );
                        prop_assert!(verdict.conns.allows(Protocol::Tcp, last.after.port));
                    }
                    // Through a Service, the pod is one of its backends.
                    let dnat = t.hops.iter().chain(&branch.hops).find_map(|h| match &h.action {
                        Action::Dnat { service, .. } => Some(*service),
                        _ => None,
                    });
                    if let Some(s) = dnat {
                        let backends = dp.backends(s);
                        prop_assert!(
                            backends.iter().flatten().any(|b| b.pod == Some(pod)),
                            "delivered to a pod that is no backend of the Service"
                        );
                    }
                }
            }
        }
    }
}

/// The property above is not vacuous: on a generated cluster, traces to
/// Service names reach pods on some paths and are denied on others.
#[test]
fn generated_traces_both_deliver_and_deny() {
    let dp = Dataplane::build(&cluster(1), None);
    let c = &dp.cluster;
    let (mut delivered, mut denied) = (0, 0);
    for p in c.pod_ids().filter(|&p| !c.pod(p).ips.is_empty()).take(40) {
        for svc in c.services.iter().take(30) {
            let ns = svc.meta.namespace.clone().unwrap_or_default();
            let request = TraceRequest {
                from: TraceFrom::Pod(p),
                to: TraceTo::Name(format!("{}.{ns}", svc.meta.name)),
                port: svc.ports.first().map(|x| x.port),
                protocol: Protocol::Tcp,
            };
            let Ok(t) = trace(&dp, &request) else {
                continue;
            };
            for b in &t.branches {
                match b.outcome {
                    Outcome::Delivered(_) => delivered += 1,
                    Outcome::Denied(_) => denied += 1,
                    _ => {}
                }
            }
        }
    }
    assert!(
        delivered > 10 && denied > 10,
        "delivered {delivered}, denied {denied}"
    );
}
