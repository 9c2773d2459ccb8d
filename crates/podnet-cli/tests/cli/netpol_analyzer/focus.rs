//! netpol-analyzer's focus options, applied to podnet's full list as
//! `includePairOfWorkloads` applies them (`pkg/netpol/connlist/connlist.go`
//! lines 606-680): a focus workload matches by name or `namespace/name`;
//! with `focus_direction` the focus workload must be the destination
//! (ingress) or the source (egress); with `focus_workload_peers` the other
//! end must be one of them.

use serde_json::Value;

use super::names::Names;
use super::sets::{Peer, Row};

fn list(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

/// `isPeerFocusWorkload`: true for an empty list.
fn is_focus(peer: &Peer, wanted: &[String], names: &Names) -> bool {
    wanted.is_empty()
        || names.upstream(peer).iter().any(|(ns, name)| {
            wanted
                .iter()
                .any(|w| *w == *name || *w == format!("{ns}/{name}"))
        })
}

/// The rows of `rows` the case's focus options keep.
pub fn workloads(rows: Vec<Row>, options: &Value, names: &Names) -> Vec<Row> {
    let focus = list(&options["focus_workloads"]);
    let peers = list(&options["focus_workload_peers"]);
    let direction = options["focus_direction"].as_str().unwrap_or_default();
    // `isPeerFocusWorkloadPeer`: peers count only with focus workloads.
    let peer_ok = |p: &Peer| focus.is_empty() || is_focus(p, &peers, names);
    rows.into_iter()
        .filter(|(src, dst, _)| match direction {
            "ingress" => is_focus(dst, &focus, names),
            "egress" => is_focus(src, &focus, names),
            _ => true,
        })
        .filter(|(src, dst, _)| {
            (is_focus(src, &focus, names) && peer_ok(dst))
                || (is_focus(dst, &focus, names) && peer_ok(src))
        })
        .collect()
}
