//! `podnet diff OLD NEW` or `podnet diff --git REV PATHS...`: the flows a
//! change adds, removes and changes. With `--git`, OLD is the PATHS as
//! they are at REV in the repository they sit in, read with `git` into a
//! temporary directory; NEW is the working tree.

use std::path::{Path, PathBuf};
use std::process::Command;

use podnet_dataplane::Dataplane;
use podnet_engine::{DiffOptions, Engine};
use podnet_report::diff::{DiffFormat, DiffPrint, Skipped, write_diff};

use crate::args::{DiffArgs, DiffOutput};
use crate::session::{Session, Status};

/// Runs the command.
pub fn run(session: &Session, args: &DiffArgs) -> Status {
    let (old_paths, new_paths, _checkout) = match &args.git {
        Some(rev) => {
            if args.paths.is_empty() {
                return session.error("--git REV needs the PATHS to compare");
            }
            match checkout(rev, &args.paths) {
                Ok(c) => (c.paths.clone(), args.paths.clone(), Some(c)),
                Err(e) => return session.error(&format!("--git {rev}: {e}")),
            }
        }
        None => match args.paths.as_slice() {
            [old, new] if old == "-" && new == "-" => {
                return session
                    .error("OLD and NEW are both standard input; give one of them as a path");
            }
            [old, new] => (vec![old.clone()], vec![new.clone()], None),
            _ => return session.error("give OLD and NEW, or --git REV PATHS..."),
        },
    };
    let Some(old) = session.load(&old_paths) else {
        return Status::Error;
    };
    let Some(new) = session.load(&new_paths) else {
        return Status::Error;
    };
    let Some(old_run) = session.running(&old) else {
        return Status::Error;
    };
    let Some(new_run) = session.running(&new) else {
        return Status::Error;
    };
    let bar = session.progress("comparing connectivity");
    let old_engine = Engine::new(&old_run.dp.cluster);
    let new_engine = Engine::new(&new_run.dp.cluster);
    let d = Dataplane::diff(
        (&old_run.dp, &old_engine),
        (&new_run.dp, &new_engine),
        DiffOptions {
            ignore_namespace: args.ignore_namespace,
            list_unchanged: args.unchanged,
        },
    );
    bar.finish_and_clear();
    let format = match args.output {
        DiffOutput::Txt => DiffFormat::Txt,
        DiffOutput::Json => DiffFormat::Json,
        DiffOutput::Csv => DiffFormat::Csv,
        DiffOutput::Md => DiffFormat::Md,
    };
    let skipped = Skipped {
        old: old.stats.skipped,
        new: new.stats.skipped,
    };
    let print = DiffPrint {
        skipped,
        unchanged: args.unchanged,
    };
    let printed = session.write_stdout(|out| write_diff(out, &d, format, print));
    let input_errors = old.has_errors() || new.has_errors() || old_run.errors || new_run.errors;
    if printed == Status::Error || input_errors {
        Status::Error
    } else if args.exit_code && !d.is_empty() {
        Status::Findings
    } else {
        Status::Ok
    }
}

/// PATHS as they are at a revision, in a directory removed on drop.
struct Checkout {
    dir: PathBuf,
    paths: Vec<String>,
}

impl Drop for Checkout {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

/// A new directory of our own under the temporary directory.
fn fresh_dir() -> Result<PathBuf, String> {
    let base = std::env::temp_dir();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    for attempt in 0..100u32 {
        let dir = base.join(format!(
            "podnet-diff-{}-{nanos}-{attempt}",
            std::process::id()
        ));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(format!("cannot create `{}`: {e}", dir.display())),
        }
    }
    Err("cannot create a temporary directory".to_owned())
}

/// Writes every file under `paths` at `rev` into a temporary directory,
/// keeping their paths relative to the repository root.
fn checkout(rev: &str, paths: &[String]) -> Result<Checkout, String> {
    // The repository holding the first path.
    let first = std::fs::canonicalize(&paths[0]).map_err(|e| format!("`{}`: {e}", paths[0]))?;
    let probe = if first.is_dir() {
        first.clone()
    } else {
        first
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or(first.clone())
    };
    let root = String::from_utf8_lossy(&git(&probe, &["rev-parse", "--show-toplevel"])?)
        .trim()
        .to_owned();
    let root = std::fs::canonicalize(&root).map_err(|e| format!("`{root}`: {e}"))?;
    let dir = fresh_dir()?;
    let mut checkout = Checkout {
        dir: dir.clone(),
        paths: Vec::new(),
    };
    for p in paths {
        let abs = std::fs::canonicalize(p).map_err(|e| format!("`{p}`: {e}"))?;
        let rel = abs
            .strip_prefix(&root)
            .map_err(|_| format!("`{p}` is outside the repository {}", root.display()))?
            .to_str()
            .ok_or_else(|| format!("`{p}`: the path is not UTF-8"))?
            .to_owned();
        // The repository's root is `.`; `-z` keeps names as they are
        // (git quotes non-ASCII names otherwise).
        let spec = if rel.is_empty() { "." } else { rel.as_str() };
        let listing = git(&root, &["ls-tree", "-r", "-z", rev, "--", spec])?;
        // `MODE TYPE HASH\tPATH`, NUL-terminated; only files (blobs), not
        // submodules.
        let files: Vec<String> = listing
            .split(|&b| b == 0)
            .filter_map(|entry| {
                let entry = std::str::from_utf8(entry).ok()?;
                let (meta, path) = entry.split_once('\t')?;
                (meta.split(' ').nth(1) == Some("blob")).then(|| path.to_owned())
            })
            .collect();
        if files.is_empty() {
            return Err(format!("`{spec}` does not exist at {rev}"));
        }
        for f in files {
            let content = git(&root, &["show", &format!("{rev}:{f}")])?;
            let target = dir.join(&f);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            std::fs::write(&target, content).map_err(|e| e.to_string())?;
        }
        checkout
            .paths
            .push(dir.join(&rel).to_string_lossy().into_owned());
    }
    Ok(checkout)
}
