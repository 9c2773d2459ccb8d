//! PN2006 (a rule open to the whole internet) and PN2007 (rules of a
//! direction `policyTypes` leaves out).

use podnet_model::policy::PeerKind;
use podnet_model::{Direction, IpSet};

use super::{RULES_IGNORED, WHOLE_INTERNET};
use crate::checks::support::{at_line, internet_wide, policy_subjects, workloads_of};
use crate::context::Context;
use crate::finding::{Finding, Rule, Severity};
use crate::found::{Found, HygieneFound, Object};
use crate::registry::Check;

/// PN2006.
pub struct WholeInternet;

impl Check for WholeInternet {
    fn rules(&self) -> &'static [Rule] {
        &[WHOLE_INTERNET]
    }

    fn run(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let cluster = ctx.cluster();
        for policy in &cluster.policies {
            let mut selected: Option<Vec<Object>> = None;
            for dir in Direction::BOTH {
                if !policy.affects(dir) {
                    continue;
                }
                for (ri, rule) in policy.rules(dir).iter().enumerate() {
                    // All ranges at once: one union per peer is quadratic
                    // in the peers.
                    let blocks =
                        IpSet::from_ranges(rule.peers.iter().flat_map(|p| match &p.kind {
                            PeerKind::IpBlock(b) => b.addresses.ranges().collect(),
                            PeerKind::Pods { .. } => Vec::new(),
                        }));
                    if !internet_wide(&blocks) {
                        continue;
                    }
                    let workloads = selected.get_or_insert_with(|| {
                        workloads_of(ctx, &policy_subjects(ctx, policy))
                            .into_iter()
                            .map(|w| Object::workload(cluster, w))
                            .collect()
                    });
                    let severity = match dir {
                        Direction::Ingress => Severity::Warning,
                        Direction::Egress => Severity::Info,
                    };
                    let line = rule
                        .peers
                        .iter()
                        .find(|p| matches!(p.kind, PeerKind::IpBlock(_)))
                        .and_then(|p| p.line)
                        .or(rule.line);
                    out.push(
                        Finding::new(
                            &WHOLE_INTERNET,
                            at_line(&policy.meta, line),
                            Found::Hygiene(HygieneFound::WholeInternet {
                                direction: dir,
                                rule: ri,
                                workloads: workloads.clone(),
                                addresses: blocks,
                                ports: rule.ports.clone(),
                            }),
                        )
                        .with_severity(severity),
                    );
                }
            }
        }
    }
}

/// PN2007.
pub struct RulesIgnored;

impl Check for RulesIgnored {
    fn rules(&self) -> &'static [Rule] {
        &[RULES_IGNORED]
    }

    fn run(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for policy in &ctx.cluster().policies {
            for dir in Direction::BOTH {
                let rules = policy.rules(dir);
                if policy.affects(dir) || rules.is_empty() {
                    continue;
                }
                out.push(Finding::new(
                    &RULES_IGNORED,
                    at_line(&policy.meta, rules.first().and_then(|r| r.line)),
                    Found::Hygiene(HygieneFound::RulesIgnored {
                        direction: dir,
                        count: rules.len(),
                    }),
                ));
            }
        }
    }
}
