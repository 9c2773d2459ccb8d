//! Running the binary and reading what it printed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What one run printed.
#[derive(Debug)]
pub struct Run {
    /// Exit status.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// The workspace root (examples live there).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `podnet ARGS` from the workspace root, with `stdin` piped in.
pub fn podnet_with_stdin(args: &[&str], stdin: &str) -> Run {
    run_with_stdin(Command::new(env!("CARGO_BIN_EXE_podnet")).args(args), stdin)
}

/// Runs `command` from the workspace root, with `stdin` piped in.
pub fn run_with_stdin(command: &mut Command, stdin: &str) -> Run {
    let mut child = command
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the podnet binary runs");
    // podnet may exit before reading all of it (a refused argument): a
    // broken pipe is its answer, not a test failure.
    let written = child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin.as_bytes());
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "stdin: {e}");
    }
    let out = child.wait_with_output().expect("podnet finishes");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `podnet ARGS` from the workspace root.
pub fn podnet(args: &[&str]) -> Run {
    podnet_with_stdin(args, "")
}

/// Writes `files` into a fresh temporary folder and returns its path.
pub fn temp_dir(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("podnet-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (path, text) in files {
        let p = dir.join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("parent dir");
        }
        std::fs::write(p, text).expect("fixture written");
    }
    dir
}

/// Parses stdout as JSON.
pub fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", run.stdout))
}

/// The `--error-format json` diagnostics on stderr.
pub fn diagnostics(run: &Run) -> Vec<serde_json::Value> {
    run.stderr
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("bad diagnostic line ({e}): {l}"))
        })
        .collect()
}

/// `src => dst` pairs of a txt connlist, for concise assertions.
pub fn pairs(run: &Run) -> Vec<String> {
    run.stdout
        .lines()
        .filter(|l| l.contains(" => "))
        .map(ToOwned::to_owned)
        .collect()
}

/// With `--error-format short`: asserts every stderr line is an info
/// diagnostic (what podnet assumed) and returns how many there are.
pub fn only_info(run: &Run) -> usize {
    for line in run.stderr.lines() {
        assert!(line.starts_with("info: "), "not an info line: {line}");
    }
    run.stderr.lines().count()
}

/// Every bundled example with its profile, as (snapshot name, arguments):
/// the clusters whose audit and ipam outputs are snapshotted.
pub const EXAMPLES_WITH_PROFILES: [(&str, &[&str]); 6] = [
    ("ecoeco-single", &["examples/ecoeco-single"]),
    ("ecoeco-domains", &["examples/ecoeco-domains"]),
    ("telecom", &["examples/telecom"]),
    (
        "rke2-aws-canal-ccm",
        &[
            "examples/rke2-aws/workloads.yaml",
            "--profile",
            "examples/rke2-aws/profiles/rke2-canal-ccm.yaml",
        ],
    ),
    (
        "rke2-aws-canal-albc-ip",
        &[
            "examples/rke2-aws/workloads.yaml",
            "--profile",
            "examples/rke2-aws/profiles/rke2-canal-albc-ip.yaml",
        ],
    ),
    (
        "rke2-aws-cilium-eni",
        &[
            "examples/rke2-aws/workloads.yaml",
            "--profile",
            "examples/rke2-aws/profiles/rke2-cilium-eni.yaml",
        ],
    ),
];
