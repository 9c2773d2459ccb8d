//! The connections the input cannot decide, as `podnet.connlist/v1`'s
//! `unknown` list (docs/connlist-json.md).

use podnet_engine::UndecidedFlows;
use podnet_model::{Cluster, Direction};
use serde::Serialize;

use crate::describe;
use crate::wire::{ConnsJson, WorkloadJson};

/// One pair of workloads with undecided connections.
#[derive(Serialize)]
pub struct UnknownJson {
    src: WorkloadJson,
    dst: WorkloadJson,
    conns: ConnsJson,
    rules: Vec<UnknownRuleJson>,
}

/// A NetworkPolicy rule whose verdict is open.
#[derive(Serialize)]
struct UnknownRuleJson {
    direction: &'static str,
    namespace: String,
    name: String,
    rule: usize,
    /// `null` for a named-port reason on a rule without peers.
    peer: Option<usize>,
    reason: &'static str,
    detail: String,
}

/// The `unknown` list of `podnet.connlist/v1`.
pub fn connlist_unknown_json(cluster: &Cluster, unknown: &UndecidedFlows) -> Vec<UnknownJson> {
    unknown
        .flows
        .iter()
        .map(|f| UnknownJson {
            src: WorkloadJson::new(cluster, f.src),
            dst: WorkloadJson::new(cluster, f.dst),
            conns: ConnsJson::new(&f.conns),
            rules: f
                .rules
                .iter()
                .map(|(dir, u)| {
                    let policy = &cluster.policies[u.policy.index()];
                    UnknownRuleJson {
                        direction: match dir {
                            Direction::Ingress => "ingress",
                            Direction::Egress => "egress",
                        },
                        namespace: policy.meta.namespace.clone().unwrap_or_default(),
                        name: policy.meta.name.clone(),
                        rule: u.rule,
                        peer: u.peer,
                        reason: describe::unknown_code(&u.reason),
                        detail: describe::unknown(cluster, &u.reason),
                    }
                })
                .collect(),
        })
        .collect()
}
