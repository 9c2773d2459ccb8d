//! Gathering input: files, directories (recursive) and standard input.
//!
//! Reading never leaves the input: a directory walk reads regular files
//! only, follows a symbolic link only when its target lies inside the
//! directory given (and says once which links it did not follow), and
//! refuses devices, FIFOs and sockets. A path named on the command line is
//! read if it is a file, or a FIFO (`<(kubectl ...)`); a device
//! (`/dev/zero`) is refused. Nothing larger than [`Limits::file_bytes`] is
//! read whole. Every file that is not read is an error, counted.

use std::collections::HashSet;
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use crate::limits::Limits;
use crate::{Diagnostic, Location, Severity};

/// One thing the user asked podnet to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// `-`: standard input.
    Stdin,
    /// A file or a directory.
    Path(PathBuf),
}

impl Input {
    /// `-` is standard input, anything else a path.
    pub fn parse(arg: &str) -> Input {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(arg))
        }
    }
}

/// A file's name and content.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The name to show: the path as found, or `<stdin>`.
    pub name: Arc<str>,
    /// The content, UTF-8.
    pub text: Arc<str>,
}

/// A file as read, with where its bytes were not UTF-8.
#[derive(Clone, Debug)]
pub struct ReadFile {
    /// The file; each invalid byte sequence is U+FFFD in its text.
    pub file: SourceFile,
    /// Byte offsets in the text of the U+FFFD that replace invalid bytes:
    /// the documents holding them are not read.
    pub invalid_utf8: Arc<[usize]>,
}

impl From<SourceFile> for ReadFile {
    fn from(file: SourceFile) -> Self {
        ReadFile {
            file,
            invalid_utf8: Arc::new([]),
        }
    }
}

/// What reading the inputs gave.
#[derive(Debug, Default)]
pub struct Gathered {
    /// The files read, in order.
    pub files: Vec<ReadFile>,
    /// Problems: unreadable or refused paths, links not followed.
    pub diagnostics: Vec<Diagnostic>,
    /// Files that exist but were not read (each also an error).
    pub skipped: usize,
}

/// Extensions read when walking directories.
const MANIFEST_EXTENSIONS: [&str; 3] = ["yaml", "yml", "json"];

fn has_manifest_extension(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        MANIFEST_EXTENSIONS
            .iter()
            .any(|m| m.eq_ignore_ascii_case(e))
    })
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|n| n.starts_with('.') && n != "." && n != "..")
}

/// What a path is, as far as reading it goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    File,
    Dir,
    Fifo,
    /// A device, socket or anything else: never read.
    Other(&'static str),
}

fn kind_of(meta: &Metadata) -> Kind {
    let t = meta.file_type();
    if t.is_file() {
        return Kind::File;
    }
    if t.is_dir() {
        return Kind::Dir;
    }
    special_kind(&t)
}

#[cfg(unix)]
fn special_kind(t: &std::fs::FileType) -> Kind {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        Kind::Fifo
    } else if t.is_char_device() {
        Kind::Other("a character device")
    } else if t.is_block_device() {
        Kind::Other("a block device")
    } else if t.is_socket() {
        Kind::Other("a socket")
    } else {
        Kind::Other("not a regular file")
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> Kind {
    Kind::Other("not a regular file")
}

/// Reads every input within [`Limits::DEFAULT`].
pub fn read_inputs(inputs: &[Input]) -> Gathered {
    read_inputs_within(inputs, &Limits::DEFAULT)
}

/// Reads every input. Directories are walked recursively in name order,
/// skipping hidden entries and files without a `.yaml`, `.yml` or `.json`
/// extension; a file named explicitly is read whatever its extension.
/// Standard input is read once per process, however often `-` is given.
pub fn read_inputs_within(inputs: &[Input], limits: &Limits) -> Gathered {
    let mut g = Gathered::default();
    let mut stdin_read = false;
    for input in inputs {
        match input {
            Input::Stdin => {
                if stdin_read {
                    continue;
                }
                stdin_read = true;
                match stdin(limits) {
                    Ok(f) if f.file.text.trim().is_empty() => {
                        g.refuse(
                            "<stdin>",
                            "standard input is empty (did the command feeding it fail?)",
                        );
                    }
                    Ok(f) => g.files.push(f.clone()),
                    Err(e) => g.refuse("<stdin>", e.to_string()),
                }
            }
            Input::Path(path) => read_path(path, limits, &mut g),
        }
    }
    g
}

impl Gathered {
    /// Records a file that exists and was not read.
    fn refuse(&mut self, shown: &str, reason: impl Into<String>) {
        self.skipped += 1;
        self.diagnostics.push(read_error(shown, &reason.into()));
    }
}

/// Why a file's bytes could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
enum ReadError {
    /// The operating system refused (the error's own text).
    #[error("cannot read: {0}")]
    Io(String),
    /// More bytes than the limit.
    #[error("larger than {0} bytes, the most podnet reads from one file")]
    TooLarge(u64),
    /// A regular file whose size is over the limit, found before reading.
    #[error(
        "{size} bytes, larger than {limit} bytes, the most podnet reads from one file: not read"
    )]
    Oversized {
        /// The file's size.
        size: u64,
        /// The limit.
        limit: u64,
    },
}

/// Standard input, read once (within the first call's limits).
fn stdin(limits: &Limits) -> Result<&'static ReadFile, ReadError> {
    static STDIN: OnceLock<Result<ReadFile, ReadError>> = OnceLock::new();
    STDIN
        .get_or_init(|| {
            read_bounded(std::io::stdin().lock(), 0, limits.file_bytes)
                .map(|bytes| decode("<stdin>".to_owned(), bytes))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Reads at most `limit` bytes; more is an error. Memory grows with what
/// was read, never beyond `limit` (plus one read buffer).
fn read_bounded(mut r: impl Read, size_hint: u64, limit: u64) -> Result<Vec<u8>, ReadError> {
    let limit_usize = usize::try_from(limit).unwrap_or(usize::MAX);
    let hint = usize::try_from(size_hint.min(limit)).unwrap_or(0);
    let mut out: Vec<u8> = Vec::with_capacity(hint);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => return Ok(out),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ReadError::Io(e.to_string())),
        };
        if out.len().saturating_add(n) > limit_usize {
            return Err(ReadError::TooLarge(limit));
        }
        if out.capacity() < out.len() + n {
            let wanted = (out.capacity().saturating_mul(2))
                .max(out.len() + n)
                .min(limit_usize);
            out.reserve_exact(wanted - out.len());
        }
        out.extend_from_slice(&buf[..n]);
    }
}

fn read_path(path: &Path, limits: &Limits, g: &mut Gathered) {
    let shown = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            g.refuse(&shown, format!("cannot read: {e}"));
            return;
        }
    };
    match kind_of(&meta) {
        Kind::Dir => walk(path, limits, g),
        Kind::File | Kind::Fifo => read_file(path, &meta, shown, limits, g),
        Kind::Other(what) => g.refuse(&shown, format!("{what}, not a file: not read")),
    }
}

fn read_file(path: &Path, meta: &Metadata, shown: String, limits: &Limits, g: &mut Gathered) {
    match read_whole(path, meta, shown.clone(), limits) {
        Ok(file) => g.files.push(file),
        Err(reason) => g.refuse(&shown, reason.to_string()),
    }
}

/// Reads and decodes one file, or says why it was not read.
fn read_whole(
    path: &Path,
    meta: &Metadata,
    shown: String,
    limits: &Limits,
) -> Result<ReadFile, ReadError> {
    if meta.is_file() && meta.len() > limits.file_bytes {
        return Err(ReadError::Oversized {
            size: meta.len(),
            limit: limits.file_bytes,
        });
    }
    File::open(path)
        .map_err(|e| ReadError::Io(e.to_string()))
        .and_then(|f| read_bounded(f, meta.len(), limits.file_bytes))
        .map(|bytes| decode(shown, bytes))
}

/// A regular file a directory walk found, read after the walk (files are
/// read and decoded in parallel, results kept in walk order).
struct Pending {
    path: PathBuf,
    meta: Metadata,
    /// How many diagnostics the walk had made when it found the file: a
    /// refusal goes there, so the report keeps walk order.
    diagnostics_before: usize,
}

/// Reads the files a walk found, in parallel, and records them in walk
/// order.
fn read_pending(pending: Vec<Pending>, limits: &Limits, g: &mut Gathered) {
    let read: Vec<(usize, String, Result<ReadFile, ReadError>)> = pending
        .into_par_iter()
        .map(|p| {
            let shown = p.path.display().to_string();
            let result = read_whole(&p.path, &p.meta, shown.clone(), limits);
            (p.diagnostics_before, shown, result)
        })
        .collect();
    let mut inserted = 0;
    for (at, shown, result) in read {
        match result {
            Ok(file) => g.files.push(file),
            Err(reason) => {
                g.skipped += 1;
                g.diagnostics
                    .insert(at + inserted, read_error(&shown, &reason.to_string()));
                inserted += 1;
            }
        }
    }
}

/// A symbolic link a walk did not follow, and why.
struct NotFollowed {
    link: String,
    why: &'static str,
}

/// A directory walk: only regular files, links only within the tree.
struct Walk {
    /// The tree's root, as the user named it and resolved.
    root: PathBuf,
    /// Directories and files already reached (resolved paths).
    seen: HashSet<PathBuf>,
    not_followed: Vec<NotFollowed>,
    /// Regular files found, read once the walk is done.
    pending: Vec<Pending>,
}

fn walk(path: &Path, limits: &Limits, g: &mut Gathered) {
    let shown = path.display().to_string();
    let root = match std::fs::canonicalize(path) {
        Ok(r) => r,
        Err(e) => {
            g.refuse(&shown, format!("cannot read: {e}"));
            return;
        }
    };
    let before = g.files.len();
    let errors_before = g.skipped;
    let mut w = Walk {
        seen: HashSet::from([root.clone()]),
        root: root.clone(),
        not_followed: Vec::new(),
        pending: Vec::new(),
    };
    // The entries left to visit in each open directory, depth first in
    // name order: a subdirectory's files come right after its name.
    let mut stack: Vec<std::vec::IntoIter<(PathBuf, PathBuf)>> = Vec::new();
    if let Some(entries) = list_dir(path, &root, g) {
        stack.push(entries);
    }
    while let Some(top) = stack.last_mut() {
        let Some((shown_path, real_path)) = top.next() else {
            stack.pop();
            continue;
        };
        if let Some((dir, real)) = w.entry(&shown_path, &real_path, g)
            && let Some(entries) = list_dir(&dir, &real, g)
        {
            stack.push(entries);
        }
    }
    read_pending(std::mem::take(&mut w.pending), limits, g);
    w.report_not_followed(&shown, g);
    if g.files.len() == before && g.skipped == errors_before {
        let mut d = Diagnostic::new(
            Severity::Warning,
            "no .yaml, .yml or .json file in this directory",
        );
        d.location = Some(Location {
            file: shown.into(),
            ..Location::default()
        });
        g.diagnostics.push(d);
    }
}

/// A directory's visible entries in name order: (path to show, resolved
/// path).
fn list_dir(
    dir: &Path,
    real: &Path,
    g: &mut Gathered,
) -> Option<std::vec::IntoIter<(PathBuf, PathBuf)>> {
    let mut entries: Vec<std::fs::DirEntry> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(Result::ok).collect(),
        Err(e) => {
            g.refuse(
                &dir.display().to_string(),
                format!("cannot read directory: {e}"),
            );
            return None;
        }
    };
    entries.sort_by_key(std::fs::DirEntry::file_name);
    let visible: Vec<(PathBuf, PathBuf)> = entries
        .into_iter()
        .filter(|e| !is_hidden(&e.file_name()))
        .map(|e| (e.path(), real.join(e.file_name())))
        .collect();
    Some(visible.into_iter())
}

impl Walk {
    /// Reads one directory entry; returns a directory to walk.
    fn entry(&mut self, shown: &Path, real: &Path, g: &mut Gathered) -> Option<(PathBuf, PathBuf)> {
        let meta = match std::fs::symlink_metadata(shown) {
            Ok(m) => m,
            Err(e) => {
                if has_manifest_extension(shown) {
                    g.refuse(&shown.display().to_string(), format!("cannot read: {e}"));
                }
                return None;
            }
        };
        if meta.file_type().is_symlink() {
            return self.link(shown, g);
        }
        self.reached(shown, real.to_path_buf(), &meta, g)
    }

    /// A path reached in the tree, with its resolved path and metadata.
    fn reached(
        &mut self,
        shown: &Path,
        real: PathBuf,
        meta: &Metadata,
        g: &mut Gathered,
    ) -> Option<(PathBuf, PathBuf)> {
        match kind_of(meta) {
            Kind::Dir => self
                .seen
                .insert(real.clone())
                .then(|| (shown.to_path_buf(), real)),
            Kind::File if has_manifest_extension(shown) => {
                if self.seen.insert(real) {
                    self.pending.push(Pending {
                        path: shown.to_path_buf(),
                        meta: meta.clone(),
                        diagnostics_before: g.diagnostics.len(),
                    });
                }
                None
            }
            Kind::Fifo if has_manifest_extension(shown) => {
                g.refuse(
                    &shown.display().to_string(),
                    "a FIFO, not a regular file: not read in a directory walk (name it on the command line to read it)",
                );
                None
            }
            Kind::Other(what) if has_manifest_extension(shown) => {
                g.refuse(
                    &shown.display().to_string(),
                    format!("{what}, not a regular file: not read"),
                );
                None
            }
            Kind::File | Kind::Fifo | Kind::Other(_) => None,
        }
    }

    /// A symbolic link: followed only into the tree, never in a loop.
    fn link(&mut self, shown: &Path, g: &mut Gathered) -> Option<(PathBuf, PathBuf)> {
        match self.link_target(shown) {
            Ok((target, meta)) => self.reached(shown, target, &meta, g),
            Err(why) => {
                self.not_followed.push(NotFollowed {
                    link: shown.display().to_string(),
                    why,
                });
                None
            }
        }
    }

    fn link_target(&self, shown: &Path) -> Result<(PathBuf, Metadata), &'static str> {
        let target = std::fs::canonicalize(shown).map_err(|_| "broken")?;
        if !target.starts_with(&self.root) {
            return Err("leads outside the tree");
        }
        let meta = std::fs::metadata(&target).map_err(|_| "broken")?;
        if meta.is_dir()
            && shown
                .parent()
                .is_some_and(|p| real_of(p).starts_with(&target))
        {
            return Err("a loop");
        }
        Ok((target, meta))
    }

    /// Says once which links were not followed.
    fn report_not_followed(&self, root: &str, g: &mut Gathered) {
        const SHOWN: usize = 5;
        let n = self.not_followed.len();
        if n == 0 {
            return;
        }
        let mut listed: Vec<String> = self
            .not_followed
            .iter()
            .take(SHOWN)
            .map(|l| format!("`{}` ({})", l.link, l.why))
            .collect();
        if n > SHOWN {
            listed.push(format!("and {} more", n - SHOWN));
        }
        let links = if n == 1 { "link" } else { "links" };
        let mut d = Diagnostic::new(
            Severity::Warning,
            format!("did not follow {n} symbolic {links}: {}", listed.join(", ")),
        )
        .with_help(
            "podnet follows a symbolic link only when its target lies inside the directory given",
        );
        d.location = Some(Location {
            file: root.into(),
            ..Location::default()
        });
        g.diagnostics.push(d);
    }
}

fn real_of(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The text of a file: a leading byte-order mark dropped, line breaks made
/// of a lone CR (old Mac files) turned into LF as YAML reads them, and each
/// invalid UTF-8 sequence replaced by U+FFFD, remembered so that the
/// documents holding one are reported and skipped, as kubectl skips them.
pub fn decode(name: String, mut bytes: Vec<u8>) -> ReadFile {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    lone_cr_to_lf(&mut bytes);
    let (text, invalid) = match String::from_utf8(bytes) {
        Ok(text) => (text, Vec::new()),
        Err(e) => lossy(e.as_bytes()),
    };
    ReadFile {
        file: SourceFile {
            name: name.into(),
            text: text.into(),
        },
        invalid_utf8: invalid.into(),
    }
}

/// YAML 1.2 (5.4 Line Break Characters) takes CR, LF and CRLF as line
/// breaks; podnet splits documents and counts lines on LF only.
fn lone_cr_to_lf(bytes: &mut [u8]) {
    let mut from = 0;
    while let Some(offset) = memchr::memchr(b'\r', &bytes[from..]) {
        let i = from + offset;
        if bytes.get(i + 1) != Some(&b'\n') {
            bytes[i] = b'\n';
        }
        from = i + 1;
    }
}

fn lossy(bytes: &[u8]) -> (String, Vec<usize>) {
    let mut text = String::with_capacity(bytes.len() + 16);
    let mut invalid = Vec::new();
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            invalid.push(text.len());
            text.push(char::REPLACEMENT_CHARACTER);
        }
    }
    (text, invalid)
}

fn read_error(shown: &str, reason: &str) -> Diagnostic {
    let mut d = Diagnostic::new(Severity::Error, reason.to_owned());
    d.location = Some(Location {
        file: shown.into(),
        ..Location::default()
    });
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("podnet-input-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(g: &Gathered, dir: &Path) -> Vec<String> {
        g.files
            .iter()
            .map(|f| {
                Path::new(&*f.file.name)
                    .strip_prefix(dir)
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn missing_path_is_an_error() {
        let g = read_inputs(&[Input::parse("/nonexistent/podnet")]);
        assert!(g.files.is_empty());
        assert_eq!(g.diagnostics.len(), 1);
        assert!(g.diagnostics[0].is_error());
        assert_eq!(g.skipped, 1);
    }

    #[test]
    fn directories_are_walked_in_order_skipping_hidden_and_other_extensions() {
        let dir = temp("walk");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::create_dir_all(dir.join(".git")).unwrap();
        std::fs::write(dir.join("b.yaml"), "b: 1").unwrap();
        std::fs::write(dir.join("a.JSON"), "{}").unwrap();
        std::fs::write(dir.join("sub/c.yml"), "c: 1").unwrap();
        std::fs::write(dir.join("z.yaml"), "z: 1").unwrap();
        std::fs::write(dir.join("notes.txt"), "x").unwrap();
        std::fs::write(dir.join(".git/d.yaml"), "d: 1").unwrap();
        std::fs::write(dir.join("bad.yaml"), [b'a', b':', b' ', 0xff, 0xfe]).unwrap();
        let g = read_inputs(&[Input::Path(dir.clone())]);
        assert_eq!(
            names(&g, &dir),
            ["a.JSON", "b.yaml", "bad.yaml", "sub/c.yml", "z.yaml"]
        );
        assert!(g.diagnostics.is_empty(), "{:?}", g.diagnostics);
        assert_eq!(&*g.files[2].invalid_utf8, [3, 6], "two bad bytes");
        assert_eq!(&*g.files[2].file.text, "a: \u{fffd}\u{fffd}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_directory_without_manifests_is_a_warning() {
        let dir = temp("empty");
        std::fs::write(dir.join("notes.txt"), "x").unwrap();
        let g = read_inputs(&[Input::Path(dir.clone())]);
        assert!(g.files.is_empty());
        assert_eq!(g.diagnostics.len(), 1);
        assert_eq!(g.diagnostics[0].severity, Severity::Warning);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reading_is_bounded() {
        let limit = 1000;
        assert_eq!(
            read_bounded(&[7u8; 1000][..], 0, limit).unwrap().len(),
            1000
        );
        let e = read_bounded(std::io::repeat(0), 0, limit).unwrap_err();
        assert_eq!(e, ReadError::TooLarge(1000));
        let dir = temp("big");
        std::fs::write(dir.join("big.yaml"), vec![b'#'; 2000]).unwrap();
        let small = Limits {
            file_bytes: limit,
            ..Limits::DEFAULT
        };
        let g = read_inputs_within(&[Input::Path(dir.join("big.yaml"))], &small);
        assert!(g.files.is_empty());
        assert_eq!(g.skipped, 1);
        assert!(
            g.diagnostics[0]
                .detail
                .message
                .contains("larger than 1000 bytes")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Files of a walk are read in parallel; what was read and what was
    /// refused still come in walk (name) order.
    #[test]
    fn a_walk_keeps_name_order_for_files_and_refusals() {
        let dir = temp("order");
        let small = Limits {
            file_bytes: 100,
            ..Limits::DEFAULT
        };
        for (name, bytes) in [("a", 10), ("b", 200), ("c", 10), ("d", 300), ("e", 10)] {
            std::fs::write(dir.join(format!("{name}.yaml")), vec![b'#'; bytes]).unwrap();
        }
        let g = read_inputs_within(&[Input::Path(dir.clone())], &small);
        assert_eq!(names(&g, &dir), ["a.yaml", "c.yaml", "e.yaml"]);
        assert_eq!(g.skipped, 2);
        let refused: Vec<&str> = g
            .diagnostics
            .iter()
            .filter_map(|d| d.location.as_ref())
            .map(|l| &*l.file)
            .collect();
        assert_eq!(refused.len(), 2);
        assert!(refused[0].ends_with("b.yaml") && refused[1].ends_with("d.yaml"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn lone_carriage_returns_become_line_feeds() {
        let f = decode("x".to_owned(), b"a: 1\r---\rb: 2\r\nc: 3\r".to_vec());
        assert_eq!(&*f.file.text, "a: 1\n---\nb: 2\r\nc: 3\n");
    }

    #[test]
    fn byte_order_marks_are_dropped_before_offsets_are_taken() {
        let f = decode("x".to_owned(), b"\xEF\xBB\xBFa: \xC3".to_vec());
        assert_eq!(&*f.file.text, "a: \u{fffd}");
        assert_eq!(&*f.invalid_utf8, [3]);
    }

    #[cfg(unix)]
    #[test]
    fn walks_stay_inside_the_tree_and_refuse_special_files() {
        use std::os::unix::fs::symlink;
        let base = temp("links");
        let tree = base.join("tree");
        std::fs::create_dir_all(tree.join("sub")).unwrap();
        std::fs::create_dir_all(base.join("outside")).unwrap();
        std::fs::write(base.join("outside/secret.yaml"), "s: 1").unwrap();
        std::fs::write(tree.join("sub/in.yaml"), "i: 1").unwrap();
        symlink(base.join("outside"), tree.join("out")).unwrap();
        symlink(base.join("outside/secret.yaml"), tree.join("secret.yaml")).unwrap();
        symlink("/dev/zero", tree.join("zero.yaml")).unwrap();
        symlink("sub/in.yaml", tree.join("again.yaml")).unwrap();
        symlink("sub", tree.join("alias")).unwrap();
        symlink("..", tree.join("sub/loop")).unwrap();
        symlink("nowhere.yaml", tree.join("broken.yaml")).unwrap();
        let fifo = std::process::Command::new("mkfifo")
            .arg(tree.join("fifo.yaml"))
            .status()
            .is_ok_and(|s| s.success());
        let g = read_inputs(&[Input::Path(tree.clone())]);
        // `again.yaml` and `alias/` lead to `sub/in.yaml`: read once.
        assert_eq!(names(&g, &tree), ["again.yaml"]);
        let errors: Vec<&Diagnostic> = g.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert_eq!(errors.len(), usize::from(fifo), "{:?}", g.diagnostics);
        assert_eq!(g.skipped, usize::from(fifo));
        let warning = g
            .diagnostics
            .iter()
            .find(|d| d.severity == Severity::Warning)
            .unwrap();
        assert!(
            warning
                .detail
                .message
                .starts_with("did not follow 5 symbolic links"),
            "{}",
            warning.detail.message
        );
        for needle in [
            "broken.yaml` (broken)",
            "out` (leads outside the tree)",
            "secret.yaml` (leads outside the tree)",
            "zero.yaml` (leads outside the tree)",
            "loop` (a loop)",
        ] {
            assert!(
                warning.detail.message.contains(needle),
                "{needle}: {}",
                warning.detail.message
            );
        }
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn devices_named_explicitly_are_refused() {
        let g = read_inputs(&[Input::parse("/dev/zero")]);
        assert!(g.files.is_empty());
        assert_eq!(g.skipped, 1);
        assert!(
            g.diagnostics[0]
                .detail
                .message
                .contains("a character device"),
            "{}",
            g.diagnostics[0].detail.message
        );
    }
}
