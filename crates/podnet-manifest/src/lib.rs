//! Reading Kubernetes manifests into podnet's [`Cluster`].
//!
//! Input is what people have: files and directories of YAML or JSON,
//! multi-document streams, `kind: List` dumps from `kubectl get -o yaml`,
//! the output of `kubectl kustomize` and `helm template`, or standard input.
//! Each document is validated as the API server would; an invalid document
//! is reported with file, document, field path and line, skipped, and the
//! rest is analysed.

pub mod decode;
pub mod diagnostic;
pub mod document;
pub mod input;
pub mod items;
pub mod kinds;
pub mod lines;
pub mod lower;
pub mod path;
pub mod split;
pub mod validate;
pub mod yaml;

use std::collections::BTreeMap;

use podnet_model::{Cluster, Source};
use rayon::prelude::*;

pub use diagnostic::{Diagnostic, Location, Severity};
pub use input::{Input, SourceFile};
pub use path::FieldPath;

use decode::{DocOutcome, decode};
use document::parse_file;
use lower::assemble::Assembler;

/// How to read.
#[derive(Clone, Copy, Debug, Default)]
pub struct LoadOptions {
    /// Stop at the first error (and build no cluster).
    pub strict: bool,
}

/// Counts of what was read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadStats {
    /// Files read.
    pub files: usize,
    /// Documents parsed (List items count once, as their document).
    pub documents: usize,
    /// Documents or List items skipped because of errors.
    pub skipped: usize,
}

/// The result of reading.
#[derive(Debug)]
pub struct Loaded {
    /// The cluster (empty when `strict` stopped the run).
    pub cluster: Cluster,
    /// Every diagnostic, in input order, then assembly's.
    pub diagnostics: Vec<Diagnostic>,
    /// Counts.
    pub stats: LoadStats,
    /// Whether `strict` stopped at an error.
    pub stopped: bool,
}

impl Loaded {
    /// Whether any error was reported (exit status 2).
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Reads inputs from disk or stdin.
pub fn load(inputs: &[Input], options: LoadOptions) -> Loaded {
    let mut diags = Vec::new();
    let files = input::read_inputs(inputs, &mut diags);
    load_files(&files, diags, options)
}

/// Reads already-loaded files; `diags` are earlier problems (unreadable
/// paths) to report first.
pub fn load_files(
    files: &[SourceFile],
    mut diags: Vec<Diagnostic>,
    options: LoadOptions,
) -> Loaded {
    let mut stats = LoadStats {
        files: files.len(),
        ..LoadStats::default()
    };
    let stop = |diags: Vec<Diagnostic>, stats| Loaded {
        cluster: Cluster::default(),
        diagnostics: diags,
        stats,
        stopped: true,
    };
    if options.strict && diags.iter().any(Diagnostic::is_error) {
        return stop(diags, stats);
    }
    let per_file: Vec<Vec<Result<DocOutcome, Box<Diagnostic>>>> = files
        .par_iter()
        .map(|f| {
            parse_file(f)
                .into_par_iter()
                .map(|doc| doc.map(|d| decode(&d)))
                .collect()
        })
        .collect();

    let mut assembler = Assembler::default();
    let mut ignored: BTreeMap<String, (usize, Source, String)> = BTreeMap::new();
    for (file, outcomes) in files.iter().zip(per_file) {
        let mut objects = 0usize;
        let mut not_objects = Vec::new();
        for (i, outcome) in outcomes.into_iter().enumerate() {
            stats.documents += 1;
            let outcome = match outcome {
                Ok(o) => o,
                Err(d) => {
                    stats.skipped += 1;
                    let is_error = d.is_error();
                    diags.push(*d);
                    if options.strict && is_error {
                        return stop(diags, stats);
                    }
                    continue;
                }
            };
            for d in outcome.diags {
                let is_error = d.is_error();
                diags.push(d);
                if options.strict && is_error {
                    return stop(diags, stats);
                }
            }
            stats.skipped += outcome.skipped as usize;
            objects += outcome.records.len() + outcome.skipped as usize + outcome.ignored.len();
            if outcome.not_an_object {
                not_objects.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
            }
            for (api_version, kind, source) in outcome.ignored {
                let entry = ignored.entry(kind).or_insert((0, source, api_version));
                entry.0 += 1;
            }
            for r in outcome.records {
                if let Err(d) = assembler.add(r) {
                    stats.skipped += 1;
                    diags.push(*d);
                    if options.strict {
                        return stop(diags, stats);
                    }
                }
            }
        }
        diags.extend(not_object_warnings(file, objects, &not_objects));
    }
    for (kind, (count, first, api_version)) in ignored {
        let plural = if count == 1 { "object" } else { "objects" };
        let mut d = Diagnostic::new(
            Severity::Warning,
            format!(
                "ignored {count} `{kind}` {plural} ({api_version}): podnet does not model this kind"
            ),
        );
        d.location = Some(Location {
            file: first.file.clone(),
            document: Some(first.document),
            path: None,
            line: first.line,
            column: None,
        });
        diags.push(d);
    }
    let (cluster, assembly_diags) = assembler.finish();
    diags.extend(assembly_diags);
    Loaded {
        cluster,
        diagnostics: diags,
        stats,
        stopped: false,
    }
}

fn not_object_warnings(file: &SourceFile, objects: usize, docs: &[u32]) -> Vec<Diagnostic> {
    let at = |document: Option<u32>| Location {
        file: file.name.clone(),
        document,
        ..Location::default()
    };
    if docs.is_empty() {
        return Vec::new();
    }
    if objects == 0 {
        let mut d = Diagnostic::new(
            Severity::Warning,
            "not a Kubernetes manifest (no document has `apiVersion` and `kind`); skipped",
        );
        d.location = Some(at(None));
        return vec![d];
    }
    docs.iter()
        .map(|&n| {
            let mut d = Diagnostic::new(
                Severity::Warning,
                "not a Kubernetes object (no `apiVersion` and `kind`); skipped",
            );
            d.location = Some(at(Some(n)));
            d
        })
        .collect()
}
