//! Naming things on the command line: `ns/name`, `ns/Kind/name`, a bare
//! name when it is unique, or an IP address.

use std::net::IpAddr;

use podnet_model::{Cluster, PodId, ServiceId, WorkloadId};

/// What a name on the command line refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A workload.
    Workload(WorkloadId),
    /// One pod.
    Pod(PodId),
    /// The pods a Service selects.
    Service(ServiceId),
    /// An address (not a known pod's).
    Address(IpAddr),
}

/// Why a name could not be resolved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// Nothing has that name; close names, if any.
    #[error("no workload, pod or service `{query}`{}", did_you_mean(suggestions))]
    NotFound {
        /// The name as given.
        query: String,
        /// Similar existing names.
        suggestions: Vec<String>,
    },
    /// Several things have that name.
    #[error("`{query}` names several objects ({}); use ns/Kind/name", candidates.join(", "))]
    Ambiguous {
        /// The name as given.
        query: String,
        /// `ns/Kind/name` of each.
        candidates: Vec<String>,
    },
}

fn did_you_mean(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        return String::new();
    }
    let names: Vec<String> = suggestions.iter().map(|s| format!("`{s}`")).collect();
    format!("; did you mean {}?", names.join(" or "))
}

/// One nameable object with its full name.
struct Named {
    namespace: String,
    kind: String,
    name: String,
    target: Target,
}

fn everything(cluster: &Cluster) -> Vec<Named> {
    let mut all = Vec::new();
    for w in cluster.workload_ids() {
        let wl = cluster.workload(w);
        all.push(Named {
            namespace: cluster.namespace(wl.namespace).name.clone(),
            kind: wl.kind.as_str().to_owned(),
            name: wl.name.clone(),
            target: Target::Workload(w),
        });
    }
    for p in cluster.pod_ids() {
        let pod = cluster.pod(p);
        all.push(Named {
            namespace: cluster.namespace(pod.namespace).name.clone(),
            kind: "Pod".to_owned(),
            name: pod.name.clone(),
            target: Target::Pod(p),
        });
    }
    for (i, s) in cluster.services.iter().enumerate() {
        all.push(Named {
            namespace: cluster.namespace(s.namespace).name.clone(),
            kind: "Service".to_owned(),
            name: s.meta.name.clone(),
            target: Target::Service(ServiceId::from_index(i)),
        });
    }
    all
}

fn kind_matches(kind: &str, asked: &str) -> bool {
    let asked = asked.to_ascii_lowercase();
    kind.eq_ignore_ascii_case(&asked)
        || match kind {
            "Service" => asked == "svc",
            "Deployment" => asked == "deploy",
            "StatefulSet" => asked == "sts",
            "DaemonSet" => asked == "ds",
            "ReplicaSet" => asked == "rs",
            "ReplicationController" => asked == "rc",
            "CronJob" => asked == "cj",
            "Pod" => asked == "po",
            _ => false,
        }
}

/// Resolves a name. With `ns/name`, a workload wins over a pod of the same
/// name, and a pod over a Service.
pub fn resolve(cluster: &Cluster, query: &str) -> Result<Target, ResolveError> {
    if let Ok(ip) = query.parse::<IpAddr>() {
        return Ok(cluster
            .pod_ids()
            .find(|&p| cluster.pod(p).ips.contains(&ip))
            .map_or(Target::Address(ip), Target::Pod));
    }
    let all = everything(cluster);
    let parts: Vec<&str> = query.split('/').collect();
    let matches: Vec<&Named> = match parts.as_slice() {
        [ns, kind, name] => all
            .iter()
            .filter(|n| n.namespace == *ns && n.name == *name && kind_matches(&n.kind, kind))
            .collect(),
        [ns, name] => all
            .iter()
            .filter(|n| n.namespace == *ns && n.name == *name)
            .collect(),
        [name] => all.iter().filter(|n| n.name == *name).collect(),
        _ => Vec::new(),
    };
    // Prefer workloads, then pods, then services.
    let rank = |n: &&Named| match n.target {
        Target::Workload(_) => 0,
        Target::Pod(_) => 1,
        _ => 2,
    };
    let best = matches.iter().map(rank).min();
    let top: Vec<&&Named> = matches.iter().filter(|n| Some(rank(n)) == best).collect();
    match top.as_slice() {
        [one] => Ok(one.target.clone()),
        [] => {
            let mut scored: Vec<(f64, String)> = all
                .iter()
                .map(|n| format!("{}/{}", n.namespace, n.name))
                .map(|full| (strsim::jaro_winkler(query, &full), full))
                .filter(|(s, _)| *s > 0.85)
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            scored.dedup_by(|a, b| a.1 == b.1);
            Err(ResolveError::NotFound {
                query: query.to_owned(),
                suggestions: scored.into_iter().take(3).map(|(_, n)| n).collect(),
            })
        }
        many => Err(ResolveError::Ambiguous {
            query: query.to_owned(),
            candidates: many
                .iter()
                .map(|n| format!("{}/{}/{}", n.namespace, n.kind, n.name))
                .collect(),
        }),
    }
}
