//! `podnet synth`: the policies written for the bundled examples from
//! their intents (snapshots), checked independently by `podnet verify` on
//! the examples with their own policies removed; one file per namespace
//! with `--out`; and a contradiction reported as a conflict (exit 1).

use std::path::Path;

use crate::support::{podnet, root, temp_dir};

const EXAMPLES: [&str; 2] = ["ecoeco-domains", "telecom"];

#[test]
fn synth_of_each_example_passes_its_own_check() {
    for name in EXAMPLES {
        let intents = format!("examples/{name}/intents.yaml");
        let dir = format!("examples/{name}");
        let run = podnet(&["synth", "--intents", &intents, &dir, "-q"]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains("self-check passed"),
            "{name}: {}",
            run.stderr
        );
        insta::assert_snapshot!(format!("synth_{name}"), run.stdout);
    }
}

/// Copies an example without its policies (of every tier) into a temporary
/// folder.
fn without_policies(name: &str) -> std::path::PathBuf {
    let src = root().join("examples").join(name);
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&src).expect("example dir") {
        let path = entry.expect("entry").path();
        let file = path
            .file_name()
            .and_then(|f| f.to_str())
            .expect("utf-8 name")
            .to_owned();
        let text = std::fs::read_to_string(&path).expect("readable");
        let kept = if file.ends_with(".yaml") {
            text.split("\n---")
                .filter(|doc| {
                    !doc.lines()
                        .any(|l| l.starts_with("kind: ") && l.trim_end().ends_with("NetworkPolicy"))
                })
                .collect::<Vec<_>>()
                .join("\n---")
        } else {
            text
        };
        files.push((file, kept));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(f, t)| (f.as_str(), t.as_str()))
        .collect();
    temp_dir(&format!("synth-{name}"), &refs)
}

#[test]
fn verify_accepts_the_synthesised_policies_of_each_example() {
    for name in EXAMPLES {
        let bare = without_policies(name);
        let bare_str = bare.to_string_lossy().into_owned();
        let intents = bare.join("intents.yaml").to_string_lossy().into_owned();
        let out = bare.join("synthesised");
        let out_str = out.to_string_lossy().into_owned();
        let run = podnet(&[
            "synth",
            "--intents",
            &intents,
            &bare_str,
            "--out",
            &out_str,
            "-q",
        ]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "--out writes files only");
        // One file per namespace holding workloads.
        let files: Vec<String> = std::fs::read_dir(&out)
            .expect("out dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert!(files.iter().all(|f| f.ends_with(".yaml")), "{files:?}");
        assert!(files.contains(&"kube-system.yaml".to_owned()), "{files:?}");
        // podnet reads them back without a diagnostic, and the intents hold.
        let verify = podnet(&["verify", &bare_str]);
        assert_eq!(verify.code, 0, "{name}: {}{}", verify.stdout, verify.stderr);
        let _ = std::fs::remove_dir_all(Path::new(&bare));
    }
}

const CONFLICTING: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels:
    app: web
spec:
  containers:
  - name: c
    image: nginx
    ports:
    - containerPort: 80
---
apiVersion: v1
kind: Pod
metadata:
  name: db
  namespace: store
  labels:
    app: db
spec:
  containers:
  - name: c
    image: postgres
    ports:
    - containerPort: 5432
---
apiVersion: podnet.dev/v1alpha1
kind: ConnectivityIntent
metadata:
  name: web-reaches-db
spec:
  allow:
    from:
    - workload: shop/web
    to:
    - workload: store/db
    ports:
    - port: 5432
---
apiVersion: podnet.dev/v1alpha1
kind: ConnectivityIntent
metadata:
  name: shop-never-reaches-store
spec:
  deny:
    from:
    - namespace: shop
    to:
    - namespace: store
"#;

#[test]
fn an_allow_contradicting_a_deny_is_a_conflict() {
    let dir = temp_dir("synth-conflict", &[("all.yaml", CONFLICTING)]);
    let file = dir.join("all.yaml").to_string_lossy().into_owned();
    let run = podnet(&["synth", "--intents", &file, "-q"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "conflict: intent `shop-never-reaches-store` forbids shop/web -> store/db, which `web-reaches-db` demands"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("self-check FAILED"), "{}", run.stderr);
    // The policies are still written, as JSON on request.
    let json = podnet(&["synth", "--intents", &file, "-o", "json", "-q"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(v["kind"], "List");
    assert!(v["items"].as_array().is_some_and(|a| a.len() >= 4));
    let _ = std::fs::remove_dir_all(&dir);
}
