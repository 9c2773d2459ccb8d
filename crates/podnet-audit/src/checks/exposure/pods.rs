//! PN3001: workloads whose pod addresses accept connections from outside
//! the cluster, per the engine's connections from outside address ranges
//! (what `connlist` reports as External -> workload).

use std::collections::BTreeMap;

use podnet_engine::identity::IdentityId;
use podnet_model::{Conns, IpSet, WorkloadId};

use super::POD_REACHABLE_FROM_OUTSIDE;
use crate::checks::support::{internet_wide, synthesised, workload_subject};
use crate::context::Context;
use crate::finding::{Finding, Rule, Severity};
use crate::found::{ExposureFound, Found};
use crate::registry::Check;

/// PN3001.
pub struct PodReachable;

impl Check for PodReachable {
    fn rules(&self) -> &'static [Rule] {
        &[POD_REACHABLE_FROM_OUTSIDE]
    }

    fn run(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let cluster = ctx.cluster();
        let skip = synthesised(ctx);
        for w in cluster.workload_ids() {
            if skip.contains(&w) {
                continue;
            }
            let identities = identities_of(ctx, w);
            let groups = external_ingress(ctx, &identities);
            let all = groups
                .iter()
                .fold(IpSet::empty(), |s, (set, _)| s.union(set));
            if all.is_empty() {
                continue;
            }
            let host = identities
                .iter()
                .any(|&i| ctx.engine.identities().list[i].host_network);
            let wide = internet_wide(&all);
            let finding = Finding::new(
                &POD_REACHABLE_FROM_OUTSIDE,
                workload_subject(cluster, w),
                Found::Exposure(ExposureFound::PodReachable {
                    host_network: host,
                    groups,
                    internet_wide: wide,
                }),
            );
            out.push(if wide {
                finding
            } else {
                finding.with_severity(Severity::Info)
            });
        }
    }
}

/// The identities of a workload's pods.
pub(super) fn identities_of(ctx: &Context<'_>, w: WorkloadId) -> Vec<IdentityId> {
    let mut ids: Vec<IdentityId> = ctx
        .cluster()
        .workload(w)
        .pods
        .iter()
        .map(|p| ctx.engine.identity_of(*p))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The outside addresses that may connect to some of `identities`,
/// grouped by what they may open, merged over the identities.
pub(super) fn external_ingress(
    ctx: &Context<'_>,
    identities: &[IdentityId],
) -> Vec<(IpSet, Conns)> {
    let engine = ctx.engine;
    let mut per_atom: BTreeMap<usize, Conns> = BTreeMap::new();
    for &i in identities {
        for (atoms, conns) in engine.external_ingress(i) {
            for a in atoms.ones() {
                per_atom.entry(a).or_default().add(&conns);
            }
        }
    }
    let mut groups: Vec<(Conns, Vec<usize>)> = Vec::new();
    for (atom, conns) in per_atom {
        if conns.is_empty() {
            continue;
        }
        match groups.iter_mut().find(|(c, _)| *c == conns) {
            Some((_, atoms)) => atoms.push(atom),
            None => groups.push((conns, vec![atom])),
        }
    }
    groups
        .into_iter()
        .map(|(conns, atoms)| (engine.atoms().to_ipset(atoms), conns))
        .collect()
}

/// What outside addresses may open on one identity, whatever the address.
pub(super) fn external_conns(ctx: &Context<'_>, identity: IdentityId) -> Conns {
    let mut all = Conns::none();
    for (_, conns) in ctx.engine.external_ingress(identity) {
        all.add(&conns);
    }
    all
}
