//! The cluster-scoped tiers of a verdict for people and for JSON: which
//! admin or baseline policy (kind, priority, name) and which rule decided
//! what, in evaluation order, and what was left to NetworkPolicy and to the
//! default.

use std::io::{self, Write};

use podnet_engine::{TierReason, Tiers};
use podnet_model::{AdminAction, Cluster, Direction};
use serde::Serialize;

use crate::wire::ConnsJson;

fn action(a: AdminAction) -> &'static str {
    match a {
        AdminAction::Allow => "allowed",
        AdminAction::Deny => "denied",
        AdminAction::Pass => "passed",
    }
}

/// `ANP tenant-isolation (priority 10) rule 0 "deny-others" (line 12)`.
pub fn rule_name(cluster: &Cluster, dir: Direction, r: &TierReason) -> String {
    let p = &cluster.admin_policies[r.policy];
    let prio = p
        .priority
        .map(|n| format!(" (priority {n})"))
        .unwrap_or_default();
    let rule = &p.rules(dir)[r.rule];
    let name = rule
        .name
        .as_deref()
        .map(|n| format!(" `{n}`"))
        .unwrap_or_default();
    let line = rule
        .line
        .map(|l| format!(" (line {l})"))
        .unwrap_or_default();
    format!(
        "{} {}{prio} rule {}{name}{line}",
        p.api.short(),
        p.meta.name,
        r.rule
    )
}

/// One line: "passed by ANP X rule N, then denied by BANP default rule M".
pub fn chain(cluster: &Cluster, dir: Direction, t: &Tiers) -> String {
    let mut parts: Vec<String> = t
        .admin
        .iter()
        .chain(&t.baseline)
        .map(|r| format!("{} by {}", action(r.action), rule_name(cluster, dir, r)))
        .collect();
    let rest = if parts.is_empty() {
        "no admin or baseline rule matches: "
    } else {
        "the rest "
    };
    if !t.np_scope.is_empty() && t.np_applies {
        parts.push(format!("{rest}decided by NetworkPolicy"));
    } else if !t.default.is_empty() {
        parts.push(format!("{rest}allowed by default"));
    }
    parts.join(", then ")
}

/// The tiers' lines under a direction of `explain`.
pub fn write_tiers(
    out: &mut dyn Write,
    cluster: &Cluster,
    dir: Direction,
    t: &Tiers,
) -> io::Result<()> {
    writeln!(out, "    cluster tiers: {}", chain(cluster, dir, t))?;
    for r in &t.admin {
        writeln!(
            out,
            "      admin: {} {} {}",
            rule_name(cluster, dir, r),
            action(r.action),
            r.conns
        )?;
    }
    if t.np_applies {
        let scope = if t.np_scope.is_empty() {
            "nothing".to_owned()
        } else {
            t.np_scope.to_string()
        };
        writeln!(
            out,
            "      NetworkPolicy decides {scope} (it selects the pod, so no baseline applies)"
        )?;
    }
    for r in &t.baseline {
        writeln!(
            out,
            "      baseline: {} {} {}",
            rule_name(cluster, dir, r),
            action(r.action),
            r.conns
        )?;
    }
    if !t.default.is_empty() {
        writeln!(out, "      default: allowed {}", t.default)?;
    }
    Ok(())
}

/// The tiers in `podnet.explain/v1` (an optional `tiers` object of a side).
#[derive(Serialize)]
pub struct TiersJson {
    admin: Vec<TierRuleJson>,
    networkpolicy_scope: ConnsJson,
    networkpolicy_applies: bool,
    baseline: Vec<TierRuleJson>,
    default_allowed: ConnsJson,
    summary: String,
}

#[derive(Serialize)]
struct TierRuleJson {
    kind: &'static str,
    name: String,
    priority: Option<u32>,
    rule: usize,
    rule_name: Option<String>,
    file: String,
    line: Option<u32>,
    action: &'static str,
    conns: ConnsJson,
}

/// The JSON form of a side's tiers.
pub fn tiers_json(cluster: &Cluster, dir: Direction, t: &Tiers) -> TiersJson {
    let rule = |r: &TierReason| {
        let p = &cluster.admin_policies[r.policy];
        let rule = &p.rules(dir)[r.rule];
        TierRuleJson {
            kind: p.api.kind(),
            name: p.meta.name.clone(),
            priority: p.priority,
            rule: r.rule,
            rule_name: rule.name.clone(),
            file: p.meta.source.file.to_string(),
            line: rule.line,
            action: match r.action {
                AdminAction::Allow => "allow",
                AdminAction::Deny => "deny",
                AdminAction::Pass => "pass",
            },
            conns: ConnsJson::new(&r.conns),
        }
    };
    TiersJson {
        admin: t.admin.iter().map(rule).collect(),
        networkpolicy_scope: ConnsJson::new(&t.np_scope),
        networkpolicy_applies: t.np_applies,
        baseline: t.baseline.iter().map(rule).collect(),
        default_allowed: ConnsJson::new(&t.default),
        summary: chain(cluster, dir, t),
    }
}
