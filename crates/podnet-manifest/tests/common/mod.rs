//! Shared helpers of the manifest tests: load inline YAML as one file, and
//! list its errors (field path, line, message) and warnings.

#![allow(dead_code)]

use podnet_manifest::{LoadOptions, Loaded, SourceFile, load_files};

/// Loads `text` as the file `test.yaml`.
pub fn load(text: &str) -> Loaded {
    let files = [SourceFile {
        name: "test.yaml".into(),
        text: text.into(),
    }];
    load_files(&files, Vec::new(), LoadOptions::default())
}

/// `(path, line, message)` of every error.
pub fn errors(l: &Loaded) -> Vec<(String, Option<u32>, String)> {
    l.diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            let loc = d.location.as_ref();
            (
                loc.and_then(|x| x.path.as_ref())
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                loc.and_then(|x| x.line),
                d.detail.message.clone(),
            )
        })
        .collect()
}

/// Every warning, rendered.
pub fn warnings(l: &Loaded) -> Vec<String> {
    l.diagnostics
        .iter()
        .filter(|d| !d.is_error())
        .map(|d| d.to_string())
        .collect()
}

/// Loads `text`, asserts exactly one error at `path` on `line` and one
/// skipped document, and returns the load and the error's message.
pub fn only_error(text: &str, path: &str, line: u32) -> (Loaded, String) {
    let l = load(text);
    let e = errors(&l);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0].0, path, "{e:#?}");
    assert_eq!(e[0].1, Some(line), "{e:#?}");
    assert_eq!(l.stats.skipped, 1);
    let message = e[0].2.clone();
    (l, message)
}
