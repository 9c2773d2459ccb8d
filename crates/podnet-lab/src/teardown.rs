//! `down`: removes what a run created, found by its name prefix
//! (`pnl<id>-`) and its state file, so it also works after a crash or a
//! killed `up`: the processes in each lab namespace are killed (by their
//! ids, from `ip netns pids`), then the namespaces are deleted, which
//! deletes their links, routes and nftables tables with them.

use crate::exec::{ip, run};
use crate::{Result, state};

/// What [`teardown`] removed.
#[derive(Clone, Debug, Default)]
pub struct Removed {
    /// Run ids.
    pub runs: Vec<String>,
    /// Network namespaces deleted.
    pub netns: usize,
    /// Processes killed.
    pub processes: usize,
}

/// Removes run `id`, or every run's leftovers when `id` is `None`.
pub fn teardown(id: Option<&str>) -> Result<Removed> {
    let runs = match id {
        Some(id) => vec![id.to_owned()],
        None => state::leftover_ids()?,
    };
    let mut removed = Removed::default();
    for run_id in &runs {
        let names = state::lab_netns(Some(run_id))?;
        for ns in &names {
            removed.processes += kill_all(ns);
        }
        for ns in &names {
            // A namespace whose processes are still dying is deleted all
            // the same: only its name goes now, the rest when they exit.
            if ip(&["netns", "del", ns]).is_ok() {
                removed.netns += 1;
            }
        }
        // Nothing is created in the host's namespace; remove anything named
        // like the run there all the same (an interrupted older version).
        let prefix = format!("pnl{run_id}-");
        if let Ok(links) = ip(&["-o", "link", "show"]) {
            for name in links.lines().filter_map(link_name) {
                if name.starts_with(&prefix) {
                    let _ = ip(&["link", "del", name]);
                }
            }
        }
        let table = format!("pnl{run_id}");
        if run("nft", &["list", "table", "inet", &table]).is_ok() {
            let _ = run("nft", &["delete", "table", "inet", &table]);
        }
        state::remove(run_id);
        removed.runs.push(run_id.clone());
    }
    Ok(removed)
}

/// Kills every process in `netns`; how many there were.
fn kill_all(netns: &str) -> usize {
    let Ok(out) = ip(&["netns", "pids", netns]) else {
        return 0;
    };
    let pids: Vec<&str> = out
        .split_whitespace()
        .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    if pids.is_empty() {
        return 0;
    }
    let mut args = vec!["-c", "kill -KILL \"$@\" 2>/dev/null; true", "sh"];
    args.extend(pids.iter().copied());
    let _ = run("sh", &args);
    pids.len()
}

/// The interface name of an `ip -o link show` line (`3: name@peer: ...`).
fn link_name(line: &str) -> Option<&str> {
    let name = line.split(": ").nth(1)?;
    Some(name.split('@').next().unwrap_or(name))
}
