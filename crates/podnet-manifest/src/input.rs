//! Gathering input: files, directories (recursive) and standard input.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use walkdir::WalkDir;

use crate::diagnostic::{Diagnostic, Location, Severity};

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

/// Reads every input. Directories are walked recursively in name order,
/// skipping hidden entries and files without a `.yaml`, `.yml` or `.json`
/// extension; a file named explicitly is read whatever its extension.
/// Unreadable paths become errors in `diags`.
pub fn read_inputs(inputs: &[Input], diags: &mut Vec<Diagnostic>) -> Vec<SourceFile> {
    let mut files = Vec::new();
    let mut stdin_read = false;
    for input in inputs {
        match input {
            Input::Stdin => {
                if stdin_read {
                    continue;
                }
                stdin_read = true;
                let mut bytes = Vec::new();
                match std::io::stdin().read_to_end(&mut bytes) {
                    Ok(_) => push_file(&mut files, diags, "<stdin>".into(), bytes),
                    Err(e) => diags.push(read_error("<stdin>", &e.to_string())),
                }
            }
            Input::Path(path) => read_path(path, &mut files, diags),
        }
    }
    files
}

fn read_path(path: &Path, files: &mut Vec<SourceFile>, diags: &mut Vec<Diagnostic>) {
    let shown = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            diags.push(read_error(&shown, &e.to_string()));
            return;
        }
    };
    if !meta.is_dir() {
        read_file(path, shown, files, diags);
        return;
    }
    let walker = WalkDir::new(path)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
    let before = files.len();
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() && has_manifest_extension(e.path()) => {
                read_file(e.path(), e.path().display().to_string(), files, diags);
            }
            Ok(_) => {}
            Err(e) => {
                let at = e
                    .path()
                    .map_or_else(|| shown.clone(), |p| p.display().to_string());
                diags.push(read_error(&at, &e.to_string()));
            }
        }
    }
    if files.len() == before {
        let mut d = Diagnostic::new(
            Severity::Warning,
            "no .yaml, .yml or .json file in this directory",
        );
        d.location = Some(Location {
            file: shown.into(),
            ..Location::default()
        });
        diags.push(d);
    }
}

fn read_file(path: &Path, shown: String, files: &mut Vec<SourceFile>, diags: &mut Vec<Diagnostic>) {
    match std::fs::read(path) {
        Ok(bytes) => push_file(files, diags, shown, bytes),
        Err(e) => diags.push(read_error(&shown, &e.to_string())),
    }
}

fn push_file(
    files: &mut Vec<SourceFile>,
    diags: &mut Vec<Diagnostic>,
    name: String,
    bytes: Vec<u8>,
) {
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..'\u{feff}'.len_utf8());
            }
            files.push(SourceFile {
                name: name.into(),
                text: text.into(),
            });
        }
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            let mut d = Diagnostic::new(
                Severity::Error,
                format!("file is not valid UTF-8 (first bad byte at offset {offset})"),
            )
            .with_help("Kubernetes manifests are UTF-8 text; re-encode the file");
            d.location = Some(Location {
                file: name.into(),
                line: u32::try_from(line).ok(),
                ..Location::default()
            });
            diags.push(d);
        }
    }
}

fn read_error(shown: &str, reason: &str) -> Diagnostic {
    let mut d = Diagnostic::new(Severity::Error, format!("cannot read: {reason}"));
    d.location = Some(Location {
        file: shown.into(),
        ..Location::default()
    });
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_path_is_an_error() {
        let mut diags = Vec::new();
        let files = read_inputs(&[Input::parse("/nonexistent/podnet")], &mut diags);
        assert!(files.is_empty());
        assert_eq!(diags.len(), 1);
        assert!(diags[0].is_error());
    }

    #[test]
    fn directories_are_walked_in_order_skipping_hidden_and_other_extensions() {
        let dir = std::env::temp_dir().join(format!("podnet-input-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::create_dir_all(dir.join(".git")).unwrap();
        std::fs::write(dir.join("b.yaml"), "b: 1").unwrap();
        std::fs::write(dir.join("a.JSON"), "{}").unwrap();
        std::fs::write(dir.join("sub/c.yml"), "c: 1").unwrap();
        std::fs::write(dir.join("notes.txt"), "x").unwrap();
        std::fs::write(dir.join(".git/d.yaml"), "d: 1").unwrap();
        std::fs::write(dir.join("bad.yaml"), [0xff, 0xfe]).unwrap();
        let mut diags = Vec::new();
        let files = read_inputs(&[Input::Path(dir.clone())], &mut diags);
        let names: Vec<String> = files
            .iter()
            .map(|f| {
                Path::new(&*f.name)
                    .strip_prefix(&dir)
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(names, ["a.JSON", "b.yaml", "sub/c.yml"]);
        assert_eq!(diags.len(), 1, "the non-UTF-8 file");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_directory_without_manifests_is_a_warning() {
        let dir = std::env::temp_dir().join(format!("podnet-input-empty-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("notes.txt"), "x").unwrap();
        let mut diags = Vec::new();
        assert!(read_inputs(&[Input::Path(dir.clone())], &mut diags).is_empty());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].severity, Severity::Warning);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
