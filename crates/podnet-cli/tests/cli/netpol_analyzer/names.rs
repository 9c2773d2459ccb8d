//! netpol-analyzer's workload names in podnet's terms.
//!
//! netpol-analyzer names a Pod document by its controlling owner
//! (`pkg/netpol/eval/internal/k8s/pod.go` lines 140-148), so a Pod of a
//! ReplicaSet prints as `default/frontend-99684f7f8[ReplicaSet]`. podnet
//! reports a Pod owned by a ReplicaSet missing from the input, whose name
//! is `<deployment>-<pod-template-hash>`, as that Deployment
//! (docs/semantics.md, "Workloads and pods" and "Choices podnet makes",
//! workload names). Every other name is the same in both.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use super::sets::Peer;

/// The renaming of one input folder.
pub struct Names {
    /// netpol-analyzer's name to podnet's.
    to_podnet: BTreeMap<String, String>,
}

/// Every object of a folder's `.yaml`, `.yml` and `.json` files (List items
/// spread out). Files the YAML reader refuses are left out: they rename
/// nothing (the three TAB-indented Deployments of
/// acs-security-demos-added-workloads, see the fixtures README).
fn objects(dir: &Path, out: &mut Vec<Value>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            objects(&path, out);
            continue;
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if !["yaml", "yml", "json"].contains(&ext) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let docs: Vec<Value> = serde_saphyr::from_multiple(&text).unwrap_or_default();
        for doc in docs {
            match doc["items"].as_array() {
                Some(items) if doc["kind"].as_str().is_some_and(|k| k.ends_with("List")) => {
                    out.extend(items.iter().cloned());
                }
                _ => out.push(doc),
            }
        }
    }
}

impl Names {
    /// The renaming for the input folder `dir`.
    pub fn read(dir: &Path) -> Names {
        let mut all = Vec::new();
        objects(dir, &mut all);
        let key = |o: &Value| {
            let ns = o["metadata"]["namespace"].as_str().unwrap_or("default");
            format!(
                "{ns}/{}",
                o["metadata"]["name"].as_str().unwrap_or_default()
            )
        };
        let replica_sets: BTreeSet<String> = all
            .iter()
            .filter(|o| o["kind"] == "ReplicaSet")
            .map(key)
            .collect();
        let mut to_podnet = BTreeMap::new();
        for pod in all.iter().filter(|o| o["kind"] == "Pod") {
            let meta = &pod["metadata"];
            let ns = meta["namespace"].as_str().unwrap_or("default");
            let Some(hash) = meta["labels"]["pod-template-hash"].as_str() else {
                continue;
            };
            let owners = meta["ownerReferences"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let Some(owner) = owners.iter().find(|o| o["controller"] == true) else {
                continue;
            };
            let name = owner["name"].as_str().unwrap_or_default();
            if owner["kind"] != "ReplicaSet" || replica_sets.contains(&format!("{ns}/{name}")) {
                continue;
            }
            if let Some(deployment) = name.strip_suffix(hash).and_then(|n| n.strip_suffix('-')) {
                to_podnet.insert(
                    format!("{ns}/{name}[ReplicaSet]"),
                    format!("{ns}/{deployment}[Deployment]"),
                );
            }
        }
        Names { to_podnet }
    }

    /// `peer` as podnet names it.
    pub fn podnet(&self, peer: Peer) -> Peer {
        match peer {
            Peer::Workload(w) => Peer::Workload(self.to_podnet.get(&w).cloned().unwrap_or(w)),
            other => other,
        }
    }

    /// The `(namespace, name)` netpol-analyzer gives `peer` (podnet's
    /// naming): its own, and every name mapped to it. The ingress
    /// controller is netpol-analyzer's fake pod `ingress-controller-ns/ingress-controller`
    /// (`pkg/netpol/internal/common/netpol_commands_common.go` lines 36-37).
    pub fn upstream(&self, peer: &Peer) -> Vec<(String, String)> {
        let split = |w: &str| {
            let (ns, rest) = w.split_once('/').unwrap();
            (ns.to_owned(), rest.split('[').next().unwrap().to_owned())
        };
        match peer {
            Peer::IngressController => {
                vec![(
                    "ingress-controller-ns".to_owned(),
                    "ingress-controller".to_owned(),
                )]
            }
            Peer::Workload(w) => std::iter::once(w.as_str())
                .chain(
                    self.to_podnet
                        .iter()
                        .filter(|(_, p)| *p == w)
                        .map(|(u, _)| u.as_str()),
                )
                .map(split)
                .collect(),
            Peer::Outside(..) => Vec::new(),
        }
    }
}
