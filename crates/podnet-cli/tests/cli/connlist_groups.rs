//! `podnet connlist --group` on the bundled examples: every example in
//! every format is snapshot-tested, the JSON follows
//! docs/connlist-groups-json.md and states as many connections as the pair
//! list; a long dense list hints at `--group`. (That expanding the groups
//! gives exactly the pair list is property-tested in podnet-engine.)

use crate::support::{json, podnet, temp_dir};

const EXAMPLES: [&str; 3] = ["ecoeco-single", "ecoeco-domains", "telecom"];
const FORMATS: [&str; 4] = ["txt", "json", "csv", "md"];

#[test]
fn every_example_grouped_in_every_format() {
    for example in EXAMPLES {
        for format in FORMATS {
            let run = podnet(&[
                "connlist",
                &format!("examples/{example}"),
                "--group",
                "--output",
                format,
                "--quiet",
            ]);
            assert_eq!(run.code, 0, "{example} {format}: {}", run.stderr);
            insta::assert_snapshot!(format!("groups_{example}_{format}"), run.stdout);
        }
    }
}

#[test]
fn grouped_json_follows_its_contract_and_counts_every_connection() {
    for example in EXAMPLES {
        let path = format!("examples/{example}");
        let list = json(&podnet(&["connlist", &path, "-o", "json", "-q"]));
        let run = podnet(&["connlist", &path, "--group", "-o", "json", "-q"]);
        let v = json(&run);
        assert_eq!(v["schema"], "podnet.connlist-groups/v1");
        assert_eq!(v["skipped_documents"], 0);
        let groups = v["groups"].as_array().expect("groups is a list");
        let total: u64 = groups
            .iter()
            .map(|g| g["pairs"].as_u64().expect("pairs"))
            .sum();
        let listed = list["connections"].as_array().expect("a list").len() as u64;
        assert_eq!(total, listed, "{example}");
        assert_eq!(v["connections"].as_u64(), Some(listed));
        assert!(groups.len() < list["connections"].as_array().map_or(0, Vec::len));
        for g in groups {
            for end in ["src", "dst"] {
                let e = g[end].as_object().expect("an end is an object");
                assert_eq!(e.len(), 1, "{e:?}");
                if let Some(terms) = e.get("workloads") {
                    for t in terms.as_array().expect("terms") {
                        let keys: Vec<&str> = t
                            .as_object()
                            .expect("a term is an object")
                            .keys()
                            .map(String::as_str)
                            .collect();
                        assert!(
                            matches!(
                                keys.as_slice(),
                                ["namespaces"]
                                    | ["namespace_selector"]
                                    | ["namespaces", "pod_selector"]
                                    | ["workload"]
                            ),
                            "{keys:?}"
                        );
                    }
                }
            }
            assert!(g["conns"]["all"].is_boolean());
            assert!(g["network"].is_string());
        }
    }
}

/// Grouped JSON carries the pair list's `unknown` list
/// (docs/connlist-groups-json.md): the same entries for the whole cluster
/// and for runs focused on a workload or a namespace of an unknown entry.
#[test]
fn grouped_json_carries_the_pair_lists_unknown_answers() {
    let mut seen = 0;
    let rollout = temp_dir(
        "groups-unknown",
        &[("c.yaml", &crate::unknown::rollout_yaml())],
    );
    let mut inputs: Vec<String> = EXAMPLES.iter().map(|e| format!("examples/{e}")).collect();
    inputs.push(rollout.to_str().expect("utf-8 path").to_owned());
    for path in inputs {
        let example = &path;
        let whole = json(&podnet(&["connlist", &path, "-o", "json", "-q"]));
        let mut runs: Vec<Vec<String>> = vec![Vec::new()];
        if let Some(entry) = whole["unknown"].as_array().and_then(|l| l.first()) {
            let w = &entry["dst"];
            let ns = w["namespace"].as_str().expect("namespace").to_owned();
            let name = w["name"].as_str().expect("name").to_owned();
            runs.push(vec!["--namespace".into(), ns.clone()]);
            runs.push(vec!["--focus-workload".into(), format!("{ns}/{name}")]);
        }
        for extra in runs {
            let mut args: Vec<&str> = vec!["connlist", &path, "-o", "json", "-q"];
            args.extend(extra.iter().map(String::as_str));
            let pairs = json(&podnet(&args));
            args.push("--group");
            let groups = json(&podnet(&args));
            for key in ["unknown", "unknown_truncated"] {
                assert_eq!(groups.get(key), pairs.get(key), "{example} {extra:?} {key}");
            }
            seen += pairs["unknown"].as_array().map_or(0, Vec::len);
        }
    }
    assert!(seen > 0, "some example has unknown answers");
}

#[test]
fn grouping_prints_no_graph() {
    let run = podnet(&["connlist", "examples/telecom", "--group", "-o", "dot", "-q"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--group"), "{}", run.stderr);
}

/// 120 pods of their own, nothing isolated: 14,520 connections (with the
/// outside ranges), which `--group` states in three lines.
#[test]
fn a_long_dense_list_hints_at_grouping() {
    let mut text = String::new();
    for i in 0..120 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: open}}\nspec: {{containers: [{{name: c, image: x}}]}}\n"
        ));
    }
    let dir = temp_dir("group-hint", &[("pods.yaml", &text)]);
    let dir = dir.to_string_lossy();
    let run = podnet(&["connlist", &dir, "-q"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let last = run.stdout.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("# 14520 connections between 120 workloads: `podnet connlist --group`"),
        "{last}"
    );
    let grouped = podnet(&["connlist", &dir, "--group", "-q"]);
    assert_eq!(
        grouped.stdout,
        "open/* => open/* : All Connections\nopen/* => 0.0.0.0/0, ::/0 : All Connections\n0.0.0.0/0, ::/0 => open/* : All Connections\n# 3 lines state 14520 connections\n"
    );
    // A short list has no hint.
    let short = podnet(&["connlist", "examples/telecom", "-q"]);
    assert!(!short.stdout.contains("--group"));
}
