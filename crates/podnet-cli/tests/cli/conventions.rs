//! What people expect of a command line: shell completions and manual pages
//! generated from the clap definitions, and the kubectl plugin
//! `kubectl-podnet` (issue 18, "Conventions people expect").

use std::path::Path;
use std::process::Command;

use crate::support::{podnet, podnet_with_stdin, run_with_stdin};

/// The kubectl plugin executable cargo built beside `podnet`.
const KUBECTL_PODNET: &str = env!("CARGO_BIN_EXE_kubectl-podnet");

/// Visible commands every generated script and page must name.
const COMMANDS: [&str; 5] = ["connlist", "explain", "audit", "completions", "man"];

/// A hidden command (the lab's listener agent) must not be offered. (Its
/// sibling `lab-probe` shares its name with the visible `lab probe`, so
/// the scripts and pages name it rightly.)
const HIDDEN: [&str; 1] = ["lab-listen"];

/// One manifest file with workloads and policies, as `kubectl get -o yaml`
/// would pipe it.
const STDIN_MANIFEST: &str = "examples/rke2-aws/workloads.yaml";

#[test]
fn completions_for_each_shell_name_the_visible_commands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = podnet(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stderr.is_empty(), "{shell}: {}", run.stderr);
        for command in COMMANDS {
            assert!(
                run.stdout.contains(command),
                "{shell} script lacks `{command}`"
            );
        }
        for hidden in HIDDEN {
            assert!(
                !run.stdout.contains(hidden),
                "{shell} script offers `{hidden}`"
            );
        }
        // Options come from the definitions too.
        assert!(
            run.stdout.contains("error-format"),
            "{shell} script lacks options"
        );
    }
}

#[test]
fn bash_completion_script_is_valid_bash() {
    let run = podnet(&["completions", "bash"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let checked = run_with_stdin(Command::new("bash").arg("-n"), &run.stdout);
    assert_eq!(checked.code, 0, "bash -n: {}", checked.stderr);
}

#[test]
fn completions_refuse_an_unknown_shell() {
    let run = podnet(&["completions", "tcsh"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("invalid value 'tcsh'"),
        "{}",
        run.stderr
    );
}

#[test]
fn man_prints_the_podnet_page_on_stdout() {
    let run = podnet(&["man"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        &run.stdout[..80]
    );
    assert!(
        run.stdout.contains("\n.TH podnet 1  \"podnet "),
        "no .TH line"
    );
    for command in COMMANDS {
        assert!(
            run.stdout.contains(&format!("podnet\\-{command}(1)")),
            "page lacks `{command}`"
        );
    }
    for hidden in HIDDEN {
        assert!(!run.stdout.contains(hidden), "page names `{hidden}`");
    }
}

#[test]
fn man_out_writes_one_page_per_visible_command() {
    let dir = std::env::temp_dir().join(format!("podnet-cli-{}-man", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let run = podnet(&["man", "--out", dir.to_str().expect("UTF-8 temp dir")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .expect("the folder was created")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    assert_eq!(
        run.stdout,
        format!("wrote {} manual pages to {}\n", pages.len(), dir.display())
    );
    for page in [
        "podnet.1",
        "podnet-connlist.1",
        "podnet-man.1",
        "podnet-lab.1",
    ] {
        assert!(pages.iter().any(|p| p == page), "no {page} in {pages:?}");
    }
    for hidden in HIDDEN {
        assert!(
            !pages.iter().any(|p| p.contains(hidden)),
            "{hidden} in {pages:?}"
        );
    }
    let connlist = std::fs::read_to_string(dir.join("podnet-connlist.1")).expect("page");
    assert!(
        connlist.contains("\n.TH podnet-connlist 1  \"podnet "),
        "{connlist}"
    );
    assert!(connlist.contains("podnet\\-connlist"), "{connlist}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn kubectl_plugin_help_names_kubectl_podnet() {
    for (args, usage) in [
        (&["--help"][..], "Usage: kubectl podnet [OPTIONS] <COMMAND>"),
        (
            &["connlist", "--help"][..],
            "Usage: kubectl podnet connlist [OPTIONS]",
        ),
    ] {
        let run = run_with_stdin(Command::new(KUBECTL_PODNET).args(args), "");
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(run.stdout.contains(usage), "{args:?}: {}", run.stdout);
        // The same help text apart from the program name.
        let podnet_help = podnet(args);
        assert_eq!(
            run.stdout.replace("kubectl podnet", "podnet"),
            podnet_help.stdout,
            "{args:?}"
        );
    }
}

#[test]
fn kubectl_plugin_reads_stdin_like_podnet() {
    let manifest = std::fs::read_to_string(crate::support::root().join(STDIN_MANIFEST))
        .expect("example manifest");
    let expected = podnet_with_stdin(&["connlist", "-"], &manifest);
    assert_eq!(expected.code, 0, "{}", expected.stderr);
    assert!(expected.stdout.contains(" => "), "{}", expected.stdout);
    let plugin = run_with_stdin(
        Command::new(KUBECTL_PODNET).args(["connlist", "-"]),
        &manifest,
    );
    assert_eq!(
        (plugin.code, &plugin.stdout, &plugin.stderr),
        (expected.code, &expected.stdout, &expected.stderr)
    );
}

/// With kubectl installed (Debian's `kubectl` runs plugins without a
/// cluster), `kubectl podnet connlist -` finds `kubectl-podnet` on PATH.
#[test]
fn kubectl_runs_the_plugin_from_path() {
    let Some(kubectl) = on_path("kubectl") else {
        eprintln!("SKIPPED kubectl_runs_the_plugin_from_path: no `kubectl` on PATH");
        return;
    };
    let plugin_dir = Path::new(KUBECTL_PODNET).parent().expect("binary folder");
    let path = std::env::join_paths(std::iter::once(plugin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("PATH");
    let manifest = std::fs::read_to_string(crate::support::root().join(STDIN_MANIFEST))
        .expect("example manifest");
    let expected = podnet_with_stdin(&["connlist", "-"], &manifest);
    let via_kubectl = run_with_stdin(
        Command::new(&kubectl)
            .args(["podnet", "connlist", "-"])
            .env("PATH", &path)
            // No cluster and no kubeconfig are needed for a plugin.
            .env("KUBECONFIG", "/nonexistent/kubeconfig"),
        &manifest,
    );
    assert_eq!(
        (via_kubectl.code, &via_kubectl.stdout),
        (expected.code, &expected.stdout),
        "stderr: {}",
        via_kubectl.stderr
    );
    let help = run_with_stdin(
        Command::new(&kubectl)
            .args(["podnet", "--help"])
            .env("PATH", &path),
        "",
    );
    assert_eq!(help.code, 0, "{}", help.stderr);
    assert!(
        help.stdout.contains("Usage: kubectl podnet"),
        "{}",
        help.stdout
    );
}

/// The first `name` executable on PATH.
fn on_path(name: &str) -> Option<std::path::PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}
