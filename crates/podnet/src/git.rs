//! Files as they are at a git revision, for comparing a working tree
//! with its history (`git` is run; nothing is written to the repository).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Why the files at a revision could not be written out.
#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    /// `git` could not be started.
    #[error("cannot run git: {0}")]
    Run(std::io::Error),
    /// `git` failed; what it said.
    #[error("{0}")]
    Git(String),
    /// A path could not be read or written.
    #[error("`{path}`: {source}")]
    Path {
        /// The path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A temporary directory could not be made.
    #[error("cannot create `{path}`: {source}")]
    TempDir {
        /// The directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error("{0}")]
    Write(std::io::Error),
    /// Every name was taken.
    #[error("cannot create a temporary directory")]
    NoTempDir,
    /// A path outside the repository of the first.
    #[error("`{path}` is outside the repository {root}")]
    OutsideRepository {
        /// The path.
        path: String,
        /// The repository's root.
        root: String,
    },
    /// A path that is not UTF-8.
    #[error("`{0}`: the path is not UTF-8")]
    NotUtf8(String),
    /// A path the revision does not have.
    #[error("`{path}` does not exist at {rev}")]
    Missing {
        /// The path, relative to the repository.
        path: String,
        /// The revision.
        rev: String,
    },
    /// No path given.
    #[error("no path to compare")]
    NoPaths,
}

/// Paths as they are at a revision, in a directory removed on drop.
#[derive(Debug)]
pub struct Checkout {
    dir: PathBuf,
    paths: Vec<String>,
}

impl Checkout {
    /// Writes every file under `paths` at `rev` into a temporary
    /// directory, keeping their paths relative to the root of the
    /// repository holding the first path.
    pub fn at(rev: &str, paths: &[String]) -> Result<Checkout, CheckoutError> {
        let first = paths.first().ok_or(CheckoutError::NoPaths)?;
        let first = canonical(first)?;
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
        let root = canonical(&root)?;
        let dir = fresh_dir()?;
        let mut checkout = Checkout {
            dir: dir.clone(),
            paths: Vec::new(),
        };
        for p in paths {
            let abs = canonical(p)?;
            let rel = abs
                .strip_prefix(&root)
                .map_err(|_| CheckoutError::OutsideRepository {
                    path: p.clone(),
                    root: root.display().to_string(),
                })?
                .to_str()
                .ok_or_else(|| CheckoutError::NotUtf8(p.clone()))?
                .to_owned();
            // The repository's root is `.`; `-z` keeps names as they are
            // (git quotes non-ASCII names otherwise).
            let spec = if rel.is_empty() { "." } else { rel.as_str() };
            let listing = git(&root, &["ls-tree", "-r", "-z", rev, "--", spec])?;
            // `MODE TYPE HASH\tPATH`, NUL-terminated; only files (blobs),
            // not submodules.
            let files: Vec<String> = listing
                .split(|&b| b == 0)
                .filter_map(|entry| {
                    let entry = std::str::from_utf8(entry).ok()?;
                    let (meta, path) = entry.split_once('\t')?;
                    (meta.split(' ').nth(1) == Some("blob")).then(|| path.to_owned())
                })
                .collect();
            if files.is_empty() {
                return Err(CheckoutError::Missing {
                    path: spec.to_owned(),
                    rev: rev.to_owned(),
                });
            }
            for f in files {
                let content = git(&root, &["show", &format!("{rev}:{f}")])?;
                let target = dir.join(&f);
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent).map_err(CheckoutError::Write)?;
                }
                std::fs::write(&target, content).map_err(CheckoutError::Write)?;
            }
            checkout
                .paths
                .push(dir.join(&rel).to_string_lossy().into_owned());
        }
        Ok(checkout)
    }

    /// The paths, in the temporary directory, in the order given.
    pub fn paths(&self) -> &[String] {
        &self.paths
    }
}

impl Drop for Checkout {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn canonical(path: &str) -> Result<PathBuf, CheckoutError> {
    std::fs::canonicalize(path).map_err(|source| CheckoutError::Path {
        path: path.to_owned(),
        source,
    })
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, CheckoutError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(CheckoutError::Run)?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(CheckoutError::Git(
            String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        ))
    }
}

/// A new directory of our own under the temporary directory.
fn fresh_dir() -> Result<PathBuf, CheckoutError> {
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
            Err(source) => {
                return Err(CheckoutError::TempDir {
                    path: dir.display().to_string(),
                    source,
                });
            }
        }
    }
    Err(CheckoutError::NoTempDir)
}
