//! `explain`: the verdict for traffic between two named things, pod by
//! distinct pod, with every reason the spec recorded.

use std::collections::BTreeMap;

use podnet_model::{Conns, PodId};

use crate::matrix::Engine;
use crate::resolve::Target;
use crate::semantics::{evaluate, evaluate_workloads};
use crate::verdict::{Endpoint, Verdict};

/// One flow judged: a representative source and destination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// The source.
    pub src: Endpoint,
    /// How many pods of the source target share its verdicts.
    pub src_pods: usize,
    /// The destination.
    pub dst: Endpoint,
    /// How many pods of the destination target share its verdicts.
    pub dst_pods: usize,
    /// The verdict.
    pub verdict: Verdict,
}

/// Everything `explain` reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// The source as named.
    pub src: Target,
    /// The destination as named.
    pub dst: Target,
    /// One case per pair of distinguishable pods.
    pub cases: Vec<Case>,
    /// The union of the cases' connections.
    pub conns: Conns,
    /// What the input cannot decide: unknown in some case and allowed for
    /// sure in none ([`Verdict::unknown`](crate::Verdict::unknown)).
    pub unknown: Conns,
}

/// The endpoints standing for a target: one pod per identity, with the
/// number of pods it stands for.
pub fn representatives(engine: &Engine<'_>, target: &Target) -> Vec<(Endpoint, usize)> {
    let cluster = engine.cluster;
    let pods: Vec<PodId> = match target {
        Target::Address(ip) => return vec![(Endpoint::External(*ip), 1)],
        Target::Pod(p) => vec![*p],
        Target::Workload(w) => cluster.workload(*w).pods.clone(),
        Target::Service(s) => {
            let svc = &cluster.services[s.index()];
            match &svc.selector {
                None => Vec::new(),
                Some(sel) => cluster
                    .pod_ids()
                    .filter(|&p| {
                        let pod = cluster.pod(p);
                        let labels = cluster.pod_labels(p);
                        pod.namespace == svc.namespace
                            && sel.iter().all(|(k, v)| labels.get(k) == Some(v))
                    })
                    .collect(),
            }
        }
    };
    let mut by_identity: BTreeMap<usize, (PodId, usize)> = BTreeMap::new();
    for p in pods {
        by_identity
            .entry(engine.identities.of_pod[p.index()])
            .or_insert((p, 0))
            .1 += 1;
    }
    by_identity
        .into_values()
        .map(|(p, n)| (Endpoint::Pod(p), n))
        .collect()
}

/// Explains traffic from `src` to `dst`. A destination named as a pod is
/// judged on its own container ports; any other (a workload, a Service's
/// pods) on its pods' workloads, where a named port they do not all define
/// alike is `unknown` ([`evaluate_workloads`]), as in `connlist`.
pub fn explain(engine: &Engine<'_>, src: &Target, dst: &Target) -> Explanation {
    let srcs = representatives(engine, src);
    let dsts = representatives(engine, dst);
    let judge = match dst {
        Target::Pod(_) => evaluate,
        _ => evaluate_workloads,
    };
    let mut cases = Vec::new();
    let mut conns = Conns::none();
    let mut unknown = Conns::none();
    let mut sure = Conns::none();
    for &(s, src_pods) in &srcs {
        for &(d, dst_pods) in &dsts {
            if s == d {
                continue;
            }
            let verdict = judge(engine.cluster, s, d);
            conns.add(&verdict.conns);
            unknown.add(&verdict.unknown);
            sure.add(&verdict.conns.difference(&verdict.unknown));
            cases.push(Case {
                src: s,
                src_pods,
                dst: d,
                dst_pods,
                verdict,
            });
        }
    }
    Explanation {
        src: src.clone(),
        dst: dst.clone(),
        cases: merge_alike(cases),
        conns,
        unknown: unknown.difference(&sure),
    }
}

/// Cases whose verdicts are equal, one end shared, as one case counting
/// the pods of both: identities split only by node (pods of a node with a
/// host-network pod) give the same verdict for any other source.
fn merge_alike(cases: Vec<Case>) -> Vec<Case> {
    let mut by_dst: Vec<Case> = Vec::with_capacity(cases.len());
    for case in cases {
        match by_dst
            .iter_mut()
            .find(|c| c.dst == case.dst && c.verdict == case.verdict)
        {
            Some(c) => c.src_pods += case.src_pods,
            None => by_dst.push(case),
        }
    }
    let mut out: Vec<Case> = Vec::with_capacity(by_dst.len());
    for case in by_dst {
        match out
            .iter_mut()
            .find(|c| c.src == case.src && c.src_pods == case.src_pods && c.verdict == case.verdict)
        {
            Some(c) => c.dst_pods += case.dst_pods,
            None => out.push(case),
        }
    }
    out
}
