//! Printers for `explain`: text for people, `podnet.explain/v1` JSON.

use std::io::{self, Write};

use podnet_engine::{Case, Endpoint, Explanation, Isolation, Reason, RuleOutcome, Side, Target};
use podnet_model::{Cluster, Conns, Direction, Protocol};
use serde::Serialize;

use crate::describe;
use crate::tiers::{TiersJson, tiers_json, write_tiers};
use crate::wire::{ConnsJson, EXPLAIN_SCHEMA, WorkloadJson};

/// A single port to judge, from `--port` and `--protocol`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Probe {
    /// Protocol.
    pub protocol: Protocol,
    /// Port.
    pub port: u16,
}

/// The allowed connections, narrowed to the probe when there is one; what
/// the input cannot decide is `unknown`.
fn verdict_text(conns: &Conns, unknown: &Conns, probe: Option<Probe>) -> String {
    let sure = conns.difference(unknown);
    match probe {
        Some(p) if unknown.allows(p.protocol, p.port) => format!(
            "{} {}: unknown (the input cannot decide)",
            p.protocol, p.port
        ),
        Some(p) if conns.allows(p.protocol, p.port) => {
            format!("{} {}: allowed", p.protocol, p.port)
        }
        Some(p) => format!("{} {}: denied", p.protocol, p.port),
        None if unknown.is_empty() && conns.is_empty() => "nothing allowed".to_owned(),
        None if unknown.is_empty() => format!("allowed: {conns}"),
        None if sure.is_empty() => {
            format!("nothing allowed for sure; unknown (the input cannot decide): {unknown}")
        }
        None => format!("allowed: {sure}; unknown (the input cannot decide): {unknown}"),
    }
}

/// Writes the explanation as text.
pub fn write_text(
    out: &mut dyn Write,
    cluster: &Cluster,
    e: &Explanation,
    probe: Option<Probe>,
) -> io::Result<()> {
    writeln!(
        out,
        "{} -> {}",
        describe::target(cluster, &e.src),
        describe::target(cluster, &e.dst)
    )?;
    if e.cases.is_empty() {
        writeln!(out, "\nno flow to judge: {}", no_cases(cluster, e))?;
    }
    for case in &e.cases {
        write_case(out, cluster, case, probe)?;
    }
    writeln!(
        out,
        "\nresult: {}",
        verdict_text(&e.conns, &e.unknown, probe)
    )
}

fn no_cases(cluster: &Cluster, e: &Explanation) -> String {
    let empty = |t: &Target| match t {
        Target::Workload(w) => cluster.workload(*w).pods.is_empty(),
        Target::Service(_) => true,
        _ => false,
    };
    if empty(&e.src) || empty(&e.dst) {
        "one end has no pods (replicas: 0, or a Service selecting no pod)".to_owned()
    } else {
        "source and destination are the same pod".to_owned()
    }
}

fn write_case(
    out: &mut dyn Write,
    cluster: &Cluster,
    case: &Case,
    probe: Option<Probe>,
) -> io::Result<()> {
    let also = |n: usize| {
        if n > 1 {
            format!(" (and {} more like it)", n - 1)
        } else {
            String::new()
        }
    };
    writeln!(
        out,
        "\n{}{} -> {}{}",
        describe::endpoint(cluster, &case.src),
        also(case.src_pods),
        describe::endpoint(cluster, &case.dst),
        also(case.dst_pods)
    )?;
    write_side(out, cluster, &case.verdict.egress, &case.src)?;
    write_side(out, cluster, &case.verdict.ingress, &case.dst)?;
    let mut verdict = verdict_text(&case.verdict.conns, &case.verdict.unknown, probe);
    if let Some(p) = probe
        && !case.verdict.conns.allows(p.protocol, p.port)
        && !case.verdict.unknown.allows(p.protocol, p.port)
    {
        let blocking: Vec<&str> = [&case.verdict.egress, &case.verdict.ingress]
            .into_iter()
            .filter(|side| !side.allowed.allows(p.protocol, p.port))
            .map(|side| side.direction.field())
            .collect();
        verdict.push_str(&format!(" by {}", blocking.join(" and ")));
    }
    writeln!(out, "  => {verdict}")
}

pub(crate) fn write_side(
    out: &mut dyn Write,
    cluster: &Cluster,
    side: &Side,
    subject: &Endpoint,
) -> io::Result<()> {
    let who = describe::endpoint(cluster, subject);
    let dir = side.direction;
    match &side.isolation {
        Isolation::OutsideCluster => {
            return writeln!(
                out,
                "  {dir} of {who}: outside the cluster, no NetworkPolicy applies"
            );
        }
        Isolation::HostNetwork => {
            return writeln!(
                out,
                "  {dir} of {who}: host-network pod, no NetworkPolicy selects it: all allowed"
            );
        }
        Isolation::NotSelected => {
            let Some(tiers) = &side.tiers else {
                return writeln!(
                    out,
                    "  {dir} of {who}: not isolated (no policy selects it for {dir}): all allowed"
                );
            };
            writeln!(
                out,
                "  {dir} of {who}: no NetworkPolicy selects it for {dir}"
            )?;
            write_tiers(out, cluster, dir, tiers)?;
            return writeln!(out, "    => {dir} {}", allows_text(&side.allowed));
        }
        Isolation::Isolated(policies) => {
            let n = policies.len();
            writeln!(
                out,
                "  {dir} of {who}: isolated by {n} {}",
                if n == 1 { "policy" } else { "policies" }
            )?;
        }
    }
    let mut current = None;
    for reason in &side.reasons {
        let policy = &cluster.policies[reason.policy.index()];
        if current != Some(reason.policy) {
            current = Some(reason.policy);
            writeln!(
                out,
                "    {} ({})",
                policy.meta.qualified_name(),
                policy.meta.source
            )?;
        }
        writeln!(out, "      {}", reason_text(cluster, dir, reason))?;
    }
    for u in &side.undecided {
        let policy = &cluster.policies[u.policy.index()];
        writeln!(
            out,
            "    undecided: {} rule {}{}: {}; {} depends on it",
            policy.meta.qualified_name(),
            u.rule,
            u.peer.map(|p| format!(", peer {p}")).unwrap_or_default(),
            describe::unknown(cluster, &u.reason),
            u.conns
        )?;
    }
    if let Some(tiers) = &side.tiers {
        write_tiers(out, cluster, dir, tiers)?;
    }
    if side.from_own_node {
        return writeln!(
            out,
            "    => {dir} allows all: the source is a host-network pod on this pod's node, and traffic from a pod's node is always allowed"
        );
    }
    writeln!(out, "    => {dir} {}", allows_text(&side.allowed))
}

fn allows_text(allowed: &podnet_model::Conns) -> String {
    if allowed.is_empty() {
        "allows nothing".to_owned()
    } else {
        format!("allows {allowed}")
    }
}

fn reason_text(cluster: &Cluster, dir: Direction, reason: &Reason) -> String {
    let policy = &cluster.policies[reason.policy.index()];
    let (Some(r), Some(outcome)) = (reason.rule, &reason.outcome) else {
        return format!("no {dir} rules: allows nothing");
    };
    let rule = &policy.rules(dir)[r];
    let at = rule
        .line
        .map(|l| format!(" (line {l})"))
        .unwrap_or_default();
    let peer = |i: Option<usize>| match i {
        None => "any peer (no from/to)".to_owned(),
        Some(i) => format!("peer {i}, {}", describe::peer(&rule.peers[i].kind)),
    };
    match outcome {
        RuleOutcome::Allows { peer: p, conns } => {
            format!("rule {r}{at}: allows {conns} via {}", peer(*p))
        }
        RuleOutcome::NoPorts { peer: p } => format!(
            "rule {r}{at}: {} matches, but its ports name nothing on the destination (named port missing?)",
            peer(*p)
        ),
        RuleOutcome::NoPeer(misses) => {
            let why: Vec<String> = misses
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    format!(
                        "\n        - peer {i}, {}: {}",
                        describe::peer(&rule.peers[i].kind),
                        describe::miss(m)
                    )
                })
                .collect();
            format!("rule {r}{at}: no peer matches{}", why.concat())
        }
    }
}

/// `explain --output json`.
#[derive(Serialize)]
struct ExplainJson {
    schema: &'static str,
    src: TargetJson,
    dst: TargetJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    probe: Option<ProbeJson>,
    allowed: ConnsJson,
    /// What the input cannot decide (listed only when something is).
    #[serde(skip_serializing_if = "Option::is_none")]
    unknown: Option<ConnsJson>,
    cases: Vec<CaseJson>,
    skipped_documents: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum TargetJson {
    Workload(WorkloadJson),
    Pod(ObjectJson),
    Service(ObjectJson),
    Address(String),
}

#[derive(Serialize)]
struct ObjectJson {
    namespace: String,
    name: String,
}

#[derive(Serialize)]
struct ProbeJson {
    protocol: &'static str,
    port: u16,
    allowed: bool,
    /// The input cannot decide it (listed when true; `allowed` is then
    /// podnet's answer under its assumptions).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    unknown: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum EndpointJson {
    Pod {
        namespace: String,
        name: String,
        workload: WorkloadJson,
        like_it: usize,
    },
    Address(String),
}

#[derive(Serialize)]
struct CaseJson {
    src: EndpointJson,
    dst: EndpointJson,
    allowed: ConnsJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    unknown: Option<ConnsJson>,
    egress: SideJson,
    ingress: SideJson,
}

#[derive(Serialize)]
pub(crate) struct SideJson {
    isolation: &'static str,
    allowed: ConnsJson,
    policies: Vec<PolicyJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tiers: Option<TiersJson>,
    /// Ingress: the source is a host-network pod on the destination's
    /// node, always allowed (listed only when true).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    from_own_node: bool,
    /// Rules whose verdict the input cannot decide (listed when any).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    undecided: Vec<UndecidedJson>,
}

#[derive(Serialize)]
struct UndecidedJson {
    namespace: String,
    name: String,
    rule: usize,
    /// `null` for a named-port reason on a rule without peers.
    peer: Option<usize>,
    reason: &'static str,
    detail: String,
    conns: ConnsJson,
}

/// `Some` when `conns` is not empty.
fn some_conns(conns: &Conns) -> Option<ConnsJson> {
    (!conns.is_empty()).then(|| ConnsJson::new(conns))
}

#[derive(Serialize)]
struct PolicyJson {
    namespace: String,
    name: String,
    file: String,
    line: Option<u32>,
    rules: Vec<RuleJson>,
}

#[derive(Serialize)]
struct RuleJson {
    /// `None` for a policy without rules in this direction.
    index: Option<usize>,
    line: Option<u32>,
    outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    peer: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conns: Option<ConnsJson>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    misses: Vec<MissJson>,
}

#[derive(Serialize)]
struct MissJson {
    peer: usize,
    reason: &'static str,
    detail: String,
}

fn target_json(cluster: &Cluster, t: &Target) -> TargetJson {
    match t {
        Target::Workload(w) => TargetJson::Workload(WorkloadJson::new(cluster, *w)),
        Target::Pod(p) => {
            let pod = cluster.pod(*p);
            TargetJson::Pod(ObjectJson {
                namespace: cluster.namespace(pod.namespace).name.clone(),
                name: pod.name.clone(),
            })
        }
        Target::Service(s) => {
            let svc = &cluster.services[s.index()];
            TargetJson::Service(ObjectJson {
                namespace: cluster.namespace(svc.namespace).name.clone(),
                name: svc.meta.name.clone(),
            })
        }
        Target::Address(ip) => TargetJson::Address(ip.to_string()),
    }
}

fn endpoint_json(cluster: &Cluster, e: &Endpoint, like_it: usize) -> EndpointJson {
    match e {
        Endpoint::Pod(p) => {
            let pod = cluster.pod(*p);
            EndpointJson::Pod {
                namespace: cluster.namespace(pod.namespace).name.clone(),
                name: pod.name.clone(),
                workload: WorkloadJson::new(cluster, pod.workload),
                like_it,
            }
        }
        Endpoint::External(ip) => EndpointJson::Address(ip.to_string()),
    }
}

pub(crate) fn side_json(cluster: &Cluster, side: &Side) -> SideJson {
    let isolation = match side.isolation {
        Isolation::OutsideCluster => "outside_cluster",
        Isolation::HostNetwork => "host_network",
        Isolation::NotSelected => "not_selected",
        Isolation::Isolated(_) => "isolated",
    };
    let mut policies: Vec<PolicyJson> = Vec::new();
    for reason in &side.reasons {
        let policy = &cluster.policies[reason.policy.index()];
        if policies.last().is_none_or(|p| {
            p.name != policy.meta.name || Some(&p.namespace) != policy.meta.namespace.as_ref()
        }) {
            policies.push(PolicyJson {
                namespace: policy.meta.namespace.clone().unwrap_or_default(),
                name: policy.meta.name.clone(),
                file: policy.meta.source.file.to_string(),
                line: policy.meta.source.line,
                rules: Vec::new(),
            });
        }
        let line = reason
            .rule
            .and_then(|r| policy.rules(side.direction)[r].line);
        let (outcome, peer, conns, misses) = match &reason.outcome {
            None => ("no_rules", None, None, Vec::new()),
            Some(RuleOutcome::Allows { peer, conns }) => {
                ("allows", *peer, Some(ConnsJson::new(conns)), Vec::new())
            }
            Some(RuleOutcome::NoPorts { peer }) => ("no_ports", *peer, None, Vec::new()),
            Some(RuleOutcome::NoPeer(m)) => (
                "no_peer",
                None,
                None,
                m.iter()
                    .enumerate()
                    .map(|(i, m)| MissJson {
                        peer: i,
                        reason: describe::miss_code(m),
                        detail: describe::miss(m),
                    })
                    .collect(),
            ),
        };
        if let Some(p) = policies.last_mut() {
            p.rules.push(RuleJson {
                index: reason.rule,
                line,
                outcome,
                peer,
                conns,
                misses,
            });
        }
    }
    SideJson {
        isolation,
        allowed: ConnsJson::new(&side.allowed),
        policies,
        tiers: side
            .tiers
            .as_ref()
            .map(|t| tiers_json(cluster, side.direction, t)),
        from_own_node: side.from_own_node,
        undecided: side
            .undecided
            .iter()
            .map(|u| {
                let policy = &cluster.policies[u.policy.index()];
                UndecidedJson {
                    namespace: policy.meta.namespace.clone().unwrap_or_default(),
                    name: policy.meta.name.clone(),
                    rule: u.rule,
                    peer: u.peer,
                    reason: describe::unknown_code(&u.reason),
                    detail: describe::unknown(cluster, &u.reason),
                    conns: ConnsJson::new(&u.conns),
                }
            })
            .collect(),
    }
}

/// Writes `podnet.explain/v1`.
pub fn write_json(
    out: &mut dyn Write,
    cluster: &Cluster,
    e: &Explanation,
    probe: Option<Probe>,
    skipped_documents: usize,
) -> io::Result<()> {
    let doc = ExplainJson {
        schema: EXPLAIN_SCHEMA,
        src: target_json(cluster, &e.src),
        dst: target_json(cluster, &e.dst),
        probe: probe.map(|p| ProbeJson {
            protocol: p.protocol.as_str(),
            port: p.port,
            allowed: e.conns.allows(p.protocol, p.port),
            unknown: e.unknown.allows(p.protocol, p.port),
        }),
        allowed: ConnsJson::new(&e.conns),
        unknown: some_conns(&e.unknown),
        cases: e
            .cases
            .iter()
            .map(|c| CaseJson {
                src: endpoint_json(cluster, &c.src, c.src_pods),
                dst: endpoint_json(cluster, &c.dst, c.dst_pods),
                allowed: ConnsJson::new(&c.verdict.conns),
                unknown: some_conns(&c.verdict.unknown),
                egress: side_json(cluster, &c.verdict.egress),
                ingress: side_json(cluster, &c.verdict.ingress),
            })
            .collect(),
        skipped_documents,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
