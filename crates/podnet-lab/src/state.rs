//! The state file of a run (`/run/podnet-lab/<id>.json`, or under
//! `PODNET_LAB_STATE_DIR`): the plan, written before anything is created,
//! so `down` finds what a crashed `up` left, and `probe` needs no
//! manifests. Together with the name prefix (`pnl<id>-`) it is how the lab
//! finds what is its own.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::exec::ip;
use crate::plan::LabPlan;
use crate::{LabError, Result};

/// The folder of state files.
pub fn dir() -> PathBuf {
    std::env::var_os("PODNET_LAB_STATE_DIR")
        .map_or_else(|| PathBuf::from("/run/podnet-lab"), PathBuf::from)
}

/// The state file of run `id`.
pub fn path(id: &str) -> PathBuf {
    dir().join(format!("{id}.json"))
}

/// Writes the plan of its run.
pub fn save(plan: &LabPlan) -> Result<()> {
    let p = path(&plan.id);
    let err = |e: &dyn std::fmt::Display| LabError::State {
        path: p.display().to_string(),
        message: e.to_string(),
    };
    std::fs::create_dir_all(dir()).map_err(|e| err(&e))?;
    let text = serde_json::to_string(plan).map_err(|e| err(&e))?;
    std::fs::write(&p, text).map_err(|e| err(&e))
}

/// Reads the plan of run `id`.
pub fn load(id: &str) -> Result<LabPlan> {
    let p = path(id);
    let text = std::fs::read_to_string(&p).map_err(|_| LabError::NoLab(id.to_owned()))?;
    serde_json::from_str(&text).map_err(|e| LabError::State {
        path: p.display().to_string(),
        message: e.to_string(),
    })
}

/// Removes the state file of run `id` (absent is fine).
pub fn remove(id: &str) {
    let _ = std::fs::remove_file(path(id));
}

/// The ids of runs with a state file.
pub fn ids() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir())
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let id = name.strip_suffix(".json")?;
            is_id(id).then(|| id.to_owned())
        })
        .collect();
    out.sort();
    out
}

/// Whether `id` looks like a run id: four lower-case hex digits.
pub fn is_id(id: &str) -> bool {
    id.len() == 4
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The run id of a lab name (`pnl1a2b-p3` -> `1a2b`).
pub fn id_of_name(name: &str) -> Option<&str> {
    let rest = name.strip_prefix("pnl")?;
    let (id, _) = rest.split_once('-')?;
    is_id(id).then_some(id)
}

/// The network namespaces named like a lab's (of run `id`, or of any run).
pub fn lab_netns(id: Option<&str>) -> Result<Vec<String>> {
    let out = ip(&["netns", "list"])?;
    Ok(out
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| id_of_name(n).is_some_and(|i| id.is_none_or(|want| want == i)))
        .map(str::to_owned)
        .collect())
}

/// Ids of every run with something left: a state file or a namespace.
pub fn leftover_ids() -> Result<Vec<String>> {
    let mut ids = ids();
    for ns in lab_netns(None)? {
        if let Some(id) = id_of_name(&ns)
            && !ids.iter().any(|i| i == id)
        {
            ids.push(id.to_owned());
        }
    }
    ids.sort();
    Ok(ids)
}

/// A fresh run id, unlike any left over.
pub fn new_id(taken: &[String]) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut x = nanos ^ std::process::id().rotate_left(16);
    loop {
        let id = format!("{:04x}", x & 0xffff);
        if !taken.contains(&id) {
            return id;
        }
        x = x.wrapping_mul(2_654_435_761).wrapping_add(1);
    }
}
