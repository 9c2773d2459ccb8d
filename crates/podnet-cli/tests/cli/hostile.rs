//! Hostile and broken input (issue 13): one regression test per defect
//! found by trying the binary as a hostile user would. Each is named after
//! the defect; bounds on memory and time are asserted as bounded output or
//! as errors, never by timing.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::{Run, diagnostics, json, podnet, podnet_with_stdin, root, temp_dir};

/// A Namespace, a Deployment and a Pod in `shop`: something to analyse.
const SHOP: &str = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: nginx}]}\n";

fn errors(run: &Run) -> Vec<serde_json::Value> {
    diagnostics(run)
        .into_iter()
        .filter(|d| d["severity"] == "error")
        .collect()
}

fn workloads(run: &Run) -> Vec<String> {
    let v = json(run);
    let mut names: Vec<String> = v["connections"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| [&c["src"], &c["dst"]])
        .filter_map(|e| e["workload"]["name"].as_str().map(str::to_owned))
        .collect();
    names.sort();
    names.dedup();
    names
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

#[test]
fn regression_empty_inputs_are_an_error_with_exit_2() {
    let dir = temp_dir(
        "hostile-empty",
        &[
            ("empty.yaml", ""),
            ("blank.yaml", "\n \n\t\n"),
            ("comments.yaml", "# nothing here\n"),
            ("markers.yaml", "---\n---\n...\n"),
            ("null.yaml", "null\n"),
            ("empty-object.json", "{}"),
            ("empty-array.json", "[]"),
            ("sub/notes.txt", "x"),
        ],
    );
    let d = |f: &str| path_str(&dir.join(f)).to_owned();
    let runs = [
        podnet(&["connlist", &d("empty.yaml")]),
        podnet(&["connlist", &d("comments.yaml")]),
        podnet(&["connlist", &d("markers.yaml"), &d("blank.yaml")]),
        podnet(&["connlist", &d("null.yaml"), "-o", "json"]),
        podnet(&["connlist", &d("empty-object.json"), &d("empty-array.json")]),
        podnet(&["connlist", &d("sub")]),
        podnet(&["connlist", path_str(&dir)]),
        podnet(&["connlist", "/dev/null"]),
        podnet_with_stdin(&["connlist", "-"], ""),
        podnet_with_stdin(&["audit", "-", "-o", "json"], "\n\n"),
        podnet_with_stdin(&["ipam", "-", "-"], "---\n"),
    ];
    for run in &runs {
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stdout.is_empty(), "no result: {}", run.stdout);
        assert!(
            run.stderr.contains("nothing to analyse")
                || run.stderr.contains("standard input is empty"),
            "{}",
            run.stderr
        );
    }
    // Standard input closed, as `kubectl ... | podnet connlist -` after a
    // failed kubectl can leave it.
    let closed = Command::new("sh")
        .args(["-c", "exec \"$0\" connlist - <&-"])
        .arg(env!("CARGO_BIN_EXE_podnet"))
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .output()
        .expect("sh runs");
    assert_eq!(closed.status.code(), Some(2));
    assert!(closed.stdout.is_empty());
    // An empty List is a cluster without objects, and not an error.
    let list = temp_dir(
        "hostile-empty-list",
        &[("list.yaml", "apiVersion: v1\nkind: List\nitems: []\n")],
    );
    let run = podnet(&["connlist", path_str(&list.join("list.yaml"))]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "no allowed connections\n");
    // An empty file among others is named in a warning.
    let mixed = temp_dir("hostile-empty-mixed", &[("a.yaml", SHOP), ("b.yaml", "")]);
    let run = podnet(&["connlist", path_str(&mixed), "--error-format", "short"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("b.yaml: warning: no document in this file"),
        "{}",
        run.stderr
    );
}

#[test]
fn regression_devices_named_on_the_command_line_are_refused() {
    for device in ["/dev/zero", "/dev/urandom"] {
        let run = podnet(&["connlist", device, "--error-format", "short"]);
        assert_eq!(run.code, 2, "{device}: {}", run.stderr);
        assert!(
            run.stderr.contains("a character device, not a file"),
            "{device}: {}",
            run.stderr
        );
    }
}

#[cfg(unix)]
#[test]
fn regression_directory_walks_never_leave_the_tree() {
    use std::os::unix::fs::symlink;
    let base = temp_dir(
        "hostile-links",
        &[
            ("tree/shop.yaml", SHOP),
            (
                "outside/secret.yaml",
                "apiVersion: v1\nkind: Namespace\nmetadata: {name: outside-secret}\n",
            ),
        ],
    );
    let tree = base.join("tree");
    symlink(base.join("outside"), tree.join("out")).expect("symlink");
    symlink("/", tree.join("root")).expect("symlink");
    symlink("shop.yaml", tree.join("again.yaml")).expect("symlink");
    let run = podnet(&[
        "audit",
        path_str(&tree),
        "-o",
        "json",
        "--error-format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("outside-secret"), "{}", run.stdout);
    let warnings: Vec<serde_json::Value> = diagnostics(&run)
        .into_iter()
        .filter(|d| {
            d["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("did not follow"))
        })
        .collect();
    assert_eq!(warnings.len(), 1, "said once: {}", run.stderr);
    let message = warnings[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("2 symbolic links"), "{message}");
    assert!(
        message.contains("out` (leads outside the tree)"),
        "{message}"
    );
    assert!(
        message.contains("root` (leads outside the tree)"),
        "{message}"
    );
    assert!(
        !run.stderr.contains("defined twice"),
        "a link inside the tree to a file already read is read once: {}",
        run.stderr
    );
}

#[cfg(unix)]
#[test]
fn regression_fifos_and_device_links_in_a_directory_are_reported_and_counted() {
    use std::os::unix::fs::symlink;
    let dir = temp_dir("hostile-special", &[("shop.yaml", SHOP)]);
    let fifo = Command::new("mkfifo")
        .arg(dir.join("fifo.yaml"))
        .status()
        .is_ok_and(|s| s.success());
    assert!(fifo, "mkfifo works");
    symlink("/dev/zero", dir.join("zero.yaml")).expect("symlink");
    let run = podnet(&[
        "connlist",
        path_str(&dir),
        "-o",
        "json",
        "--error-format",
        "json",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(json(&run)["skipped_documents"], 1, "the FIFO");
    let errs = errors(&run);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("fifo.yaml"))
    );
    assert!(
        run.stderr.contains("zero.yaml` (leads outside the tree)"),
        "{}",
        run.stderr
    );
    assert_eq!(workloads(&run), ["web"]);
}

#[test]
fn regression_generate_refuses_sizes_it_cannot_hold() {
    let out = std::env::temp_dir().join(format!("podnet-gen-huge-{}", std::process::id()));
    let out = path_str(&out).to_owned();
    for (flag, value) in [
        ("--pods", "4000000000"),
        ("--pods", "1000001"),
        ("--pods", "0"),
        ("--workloads", "0"),
        ("--policies", "-1"),
        ("--admin-policies", "1001"),
    ] {
        let run = podnet(&["generate", "--out", &out, flag, value]);
        assert_eq!(run.code, 2, "{flag} {value}: {}", run.stderr);
        assert!(run.stderr.contains(value), "{}", run.stderr);
        assert!(!Path::new(&out).exists(), "nothing written");
    }
}

#[test]
fn regression_huge_invalid_label_values_are_cut_in_messages() {
    let value = "v".repeat(1 << 20);
    let bad = format!(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels:\n    x: '{value}'\n"
    );
    for format in ["human", "short", "json"] {
        let run = podnet_with_stdin(&["connlist", "-", "--error-format", format], &bad);
        assert_eq!(run.code, 2, "{}", &run.stderr[..run.stderr.len().min(500)]);
        assert!(
            run.stderr.len() < 4_000,
            "{format}: {} bytes",
            run.stderr.len()
        );
        assert!(run.stderr.contains("v…"), "{format}: {}", run.stderr);
    }
}

#[test]
fn regression_control_characters_in_input_are_escaped() {
    let bad = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels: {x: \"\\e[2J\\e]52;c;aGk=\\a\\u202e\"}\n";
    for format in ["human", "short"] {
        let run = podnet_with_stdin(&["connlist", "-", "--error-format", format], bad);
        assert_eq!(run.code, 2);
        assert!(
            !run.stderr.contains('\u{1b}') && !run.stderr.contains('\u{7}'),
            "{format}: {:?}",
            run.stderr
        );
        assert!(!run.stderr.contains('\u{202e}'), "{format}: bidi override");
        assert!(
            run.stderr.contains("\\u{1b}[2J"),
            "{format}: {}",
            run.stderr
        );
    }
    // Output echoing input (a file name in explain's sources) too.
    let dir = temp_dir("hostile-escape-out", &[]);
    let name = dir.join("np-\u{1b}[31m.yaml");
    std::fs::write(
        &name,
        format!(
            "{SHOP}---\n{}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: deny, namespace: shop}}\nspec: {{podSelector: {{}}}}\n",
            &SHOP[SHOP.find("apiVersion: apps/v1").unwrap_or(0)..]
                .replace("web", "api")
        ),
    )
    .expect("written");
    let run = podnet(&[
        "explain",
        path_str(&dir),
        "--from",
        "shop/api",
        "--to",
        "shop/web",
        "-q",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("np-\\u{1b}[31m.yaml"), "{}", run.stdout);
    assert!(!run.stdout.contains('\u{1b}'));
}

#[test]
fn regression_trace_refuses_destinations_it_cannot_parse() {
    let cases = [
        ("999.1.1.1", "not a valid IPv4 address"),
        ("10.0.0.1:99999", "between 1 and 65535"),
        ("10.0.0.1:0", "between 1 and 65535"),
        ("fe80::1%eth0", "zone"),
        ("", "empty"),
        ("node:nope", "sources (--from)"),
        ("two words", "not a valid DNS name"),
    ];
    for (to, needle) in cases {
        let run = podnet(&[
            "trace",
            "examples/ecoeco-single",
            "--from",
            "api/auth-api",
            "--to",
            to,
        ]);
        assert_eq!(run.code, 2, "{to:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{to:?}");
        assert!(run.stderr.contains(needle), "{to:?}: {}", run.stderr);
    }
    // `--port 0` was refused while `--to IP:0` was not; both are now.
    let run = podnet(&[
        "trace",
        "examples/ecoeco-single",
        "--from",
        "api/auth-api",
        "--to",
        "10.0.0.1",
        "--port",
        "0",
    ]);
    assert_eq!(run.code, 2);
    // What still parses: names with ports, bracketed IPv6 with a port.
    for to in ["postgresql.data:5432", "[fd00::1]:443"] {
        let run = podnet(&[
            "trace",
            "examples/ecoeco-single",
            "--from",
            "api/auth-api",
            "--to",
            to,
            "-q",
        ]);
        assert_eq!(run.code, 0, "{to}: {}", run.stderr);
    }
}

#[test]
fn regression_explain_and_connlist_arguments_are_typed() {
    let cases: [&[&str]; 5] = [
        &[
            "explain",
            "examples/ecoeco-single",
            "--from",
            "a/b/c/d",
            "--to",
            "api/auth-api",
        ],
        &[
            "explain",
            "examples/ecoeco-single",
            "--from",
            "api/auth-api",
            "--to",
            "300.0.0.1",
        ],
        &[
            "explain",
            "examples/ecoeco-single",
            "--from",
            "api/auth-api",
            "--to",
            "api/auth-api",
            "--port",
            "65536",
        ],
        &[
            "connlist",
            "examples/ecoeco-single",
            "--namespace",
            "Not_A_Namespace",
        ],
        &["audit", "examples/ecoeco-single", "--only", "NOPE999"],
    ];
    for args in cases {
        let run = podnet(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}");
    }
    let run = podnet(&["diff", "--git=--output=/tmp/x", "examples/ecoeco-single"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot start with `-`"),
        "{}",
        run.stderr
    );
}

#[test]
fn regression_synth_exits_2_when_an_intents_file_has_errors() {
    let intents = std::fs::read_to_string(root().join("examples/ecoeco-domains/intents.yaml"))
        .expect("example intents");
    let broken = format!(
        "{intents}---\napiVersion: podnet.dev/v1alpha1\nkind: ConnectivityIntent\nmetadata: {{name: Bad_Name}}\nspec: {{}}\n"
    );
    let dir = temp_dir("hostile-synth", &[("intents.yaml", &broken)]);
    let run = podnet(&[
        "synth",
        "--intents",
        path_str(&dir.join("intents.yaml")),
        "examples/ecoeco-domains",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "no policies from half the intents");
    let run = podnet(&["synth", "--intents", path_str(&dir.join("intents.yaml"))]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn regression_intents_files_without_intents_are_refused() {
    let dir = temp_dir(
        "hostile-no-intents",
        &[(
            "ns.yaml",
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n",
        )],
    );
    let file = path_str(&dir.join("ns.yaml")).to_owned();
    for args in [
        vec!["verify", "examples/ecoeco-domains", "--intents", &file],
        vec!["synth", "--intents", &file, "examples/ecoeco-domains"],
        vec![
            "synth",
            "--intents",
            "examples/ecoeco-domains/intents.yaml",
            "--intents",
            &file,
        ],
    ] {
        let run = podnet(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("no ConnectivityIntent"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn regression_list_without_api_version_is_an_error() {
    let list = "kind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: b}\n";
    for (input, name) in [
        (list.to_owned(), "list.yaml"),
        (
            r#"{"kind": "List", "items": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}]}"#
                .to_owned(),
            "list.json",
        ),
    ] {
        let dir = temp_dir("hostile-list", &[(name, &input), ("shop.yaml", SHOP)]);
        let run = podnet(&["connlist", path_str(&dir), "-o", "json", "--error-format", "json"]);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        let errs = errors(&run);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0]["path"], "apiVersion");
        let items = if name == "list.yaml" { 2 } else { 1 };
        assert_eq!(json(&run)["skipped_documents"], items, "{name}");
    }
}

#[test]
fn regression_a_bad_utf8_byte_skips_only_its_document() {
    let mut bytes = SHOP.as_bytes().to_vec();
    bytes.extend_from_slice(
        b"---\n# caf\xe9\napiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n",
    );
    let dir = temp_dir("hostile-utf8", &[]);
    std::fs::write(dir.join("in.yaml"), bytes).expect("written");
    let run = podnet(&[
        "connlist",
        path_str(&dir),
        "-o",
        "json",
        "--error-format",
        "json",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(json(&run)["skipped_documents"], 1);
    let errs = errors(&run);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0]["document"], 3);
    assert_eq!(errs[0]["line"], 14, "the line of the bad byte");
    assert!(
        errs[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("not valid UTF-8"))
    );
    assert_eq!(workloads(&run), ["web"], "the other documents are read");
}

#[test]
fn regression_cr_only_line_endings_split_documents() {
    let text = SHOP.replace('\n', "\r")
        + "---\rapiVersion: v1\rkind: Namespace\rmetadata: {name: b\r---\rapiVersion: v1\rkind: Pod\rmetadata: {name: p, namespace: shop}\rspec: {containers: [{name: c}]}\r";
    let run = podnet_with_stdin(
        &["connlist", "-", "-o", "json", "--error-format", "json"],
        &text,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(json(&run)["skipped_documents"], 1, "only the broken one");
    let errs = errors(&run);
    assert_eq!(errs[0]["document"], 3);
    assert!(errs[0]["line"].as_u64() >= Some(16), "{}", errs[0]);
    assert_eq!(workloads(&run), ["p", "web"]);
}

#[test]
fn regression_json_objects_with_items_keep_their_fields() {
    let ns = r#"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a", "labels": {"team": "x"}}, "items": []}"#;
    let run = podnet_with_stdin(
        &["connlist", "-", "--error-format", "json"],
        &format!(
            "{ns}\n{}",
            r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "a"}, "spec": {"containers": [{"name": "c"}]}}"#
        ),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(errors(&run).is_empty());
}

#[test]
fn regression_diff_refuses_standard_input_twice() {
    let run = podnet_with_stdin(&["diff", "-", "-"], SHOP);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("both standard input"), "{}", run.stderr);
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.email=t@example.invalid", "-c", "user.name=t"])
        .args(args)
        .status()
        .expect("git runs")
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn regression_diff_git_at_the_repository_root_and_with_non_ascii_names() {
    let dir = temp_dir("hostile-git", &[("café.yaml", SHOP)]);
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "v1"]);
    std::fs::write(
        dir.join("café.yaml"),
        SHOP.replace("name: web", "name: api")
            .replace("app: web", "app: api"),
    )
    .expect("written");
    for path in [".", "café.yaml"] {
        let run = Command::new(env!("CARGO_BIN_EXE_podnet"))
            .args(["diff", "--git", "HEAD", path, "-q"])
            .current_dir(&dir)
            .output()
            .expect("podnet runs");
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert_eq!(
            run.status.code(),
            Some(0),
            "{path}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(
            stdout.contains("- shop/web[Deployment]"),
            "{path}: {stdout}"
        );
        assert!(
            stdout.contains("+ shop/api[Deployment]"),
            "{path}: {stdout}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
