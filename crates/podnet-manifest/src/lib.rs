//! Reading Kubernetes manifests into podnet's [`Cluster`].
//!
//! Input is what people have: files and directories of YAML or JSON,
//! multi-document streams, `kind: List` dumps from `kubectl get -o yaml`,
//! the output of `kubectl kustomize` and `helm template`, or standard input.
//! Each document is validated as the API server would; an invalid document
//! is reported with file, document, field path and line, skipped, and the
//! rest is analysed.

pub mod decode;
pub mod document;
pub mod input;
pub mod items;
pub mod json;
pub mod kinds;
pub mod lines;
pub mod lower;
pub mod presets;
pub mod split;
pub mod validate;
pub mod yaml;

use std::collections::BTreeMap;

use podnet_model::{Cluster, Source};
use rayon::prelude::*;

pub use input::{Input, ReadFile, SourceFile};
pub use limits::Limits;
pub use path::FieldPath;
pub use podnet_model::problem::{Diagnostic, Location, Message, Severity};
pub use podnet_model::{limits, path};

use decode::{DocOutcome, decode};
use document::parse_file_within;
use lower::assemble::Assembler;

/// How to read.
#[derive(Clone, Copy, Debug, Default)]
pub struct LoadOptions {
    /// Stop at the first error (and build no cluster).
    pub strict: bool,
    /// Keep objects that break only the API rules
    /// [`Lenient`](validate::Lenient) names, with a warning each; reading
    /// still reports errors ([`Loaded::has_errors`]).
    pub lenient: bool,
}

/// Counts of what was read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadStats {
    /// Files read.
    pub files: usize,
    /// Documents parsed (List items count once, as their document).
    pub documents: usize,
    /// Files, documents or List items not analysed: skipped because of
    /// errors, unreadable, refused or past a limit.
    pub skipped: usize,
    /// Objects the API server rejects, kept because of
    /// [`LoadOptions::lenient`].
    pub kept: usize,
    /// Kubernetes objects found (read, skipped or of kinds podnet does not
    /// model) and `List` documents: 0 means there was nothing to analyse.
    pub objects: usize,
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
    /// Whether any error was reported, or an object the API server
    /// rejects was kept ([`LoadOptions::lenient`]): exit status 2.
    pub fn has_errors(&self) -> bool {
        self.stats.kept > 0 || self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Reads inputs from disk or stdin. Input holding no Kubernetes object at
/// all (empty files, empty standard input) is an error: a failed `kubectl
/// ... | podnet` must not look like a cluster without connections.
pub fn load(inputs: &[Input], options: LoadOptions) -> Loaded {
    let gathered = input::read_inputs(inputs);
    let mut loaded = load_read(
        &gathered.files,
        gathered.diagnostics,
        gathered.skipped,
        options,
    );
    if !loaded.stopped && loaded.stats.objects == 0 && !loaded.has_errors() {
        let mut d = Diagnostic::new(
            Severity::Error,
            "nothing to analyse: the input holds no Kubernetes object (a document with `apiVersion` and `kind`)",
        )
        .with_help("check the paths; an empty file or standard input usually means the command that wrote it failed");
        if let [only] = gathered.files.as_slice() {
            d.location = Some(Location {
                file: only.file.name.clone(),
                ..Location::default()
            });
        }
        loaded.diagnostics.push(d);
        if options.strict {
            loaded.stopped = true;
            loaded.cluster = Cluster::default();
        }
    }
    loaded
}

/// Reads already-loaded files; `diags` are earlier problems (unreadable
/// paths) to report first.
pub fn load_files(files: &[SourceFile], diags: Vec<Diagnostic>, options: LoadOptions) -> Loaded {
    let read: Vec<ReadFile> = files.iter().cloned().map(ReadFile::from).collect();
    load_read(&read, diags, 0, options)
}

/// Reads files as they were read from disk ([`input::decode`]): their
/// documents holding invalid UTF-8 are errors.
pub fn load_read_files(files: &[ReadFile], options: LoadOptions) -> Loaded {
    load_read(files, Vec::new(), 0, options)
}

/// What one file gave: its documents decoded, in order.
type FileOutcome = (Vec<Result<DocOutcome, Box<Diagnostic>>>, usize);

fn load_read(
    files: &[ReadFile],
    mut diags: Vec<Diagnostic>,
    unread_files: usize,
    options: LoadOptions,
) -> Loaded {
    let limits = Limits::DEFAULT;
    let mut stats = LoadStats {
        files: files.len(),
        skipped: unread_files,
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
    // Files, their documents and List items are read in parallel.
    let per_file: Vec<FileOutcome> = files
        .par_iter()
        .map(|f| {
            let parsed = parse_file_within(&f.file, &f.invalid_utf8, &limits);
            let outcomes = parsed
                .docs
                .into_par_iter()
                .map(|doc| doc.map(|d| decode(&d, options.lenient)))
                .collect();
            (outcomes, parsed.unread)
        })
        .collect();

    let mut assembler = Assembler::default();
    assembler.reserve(
        per_file
            .iter()
            .flat_map(|(outcomes, _)| outcomes.iter().flatten())
            .map(|o| o.records.len())
            .sum(),
    );
    let mut ignored: BTreeMap<String, (usize, Source, String)> = BTreeMap::new();
    for (file, (outcomes, unread)) in files.iter().zip(per_file) {
        let file = &file.file;
        let mut objects = 0usize;
        let mut not_objects = Vec::new();
        let documents = outcomes.len();
        stats.skipped += unread.saturating_sub(1);
        for (i, outcome) in outcomes.into_iter().enumerate() {
            stats.documents += 1;
            let outcome = match outcome {
                Ok(o) => o,
                Err(d) => {
                    stats.skipped += 1;
                    stats.objects += 1;
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
            stats.kept += outcome.kept as usize;
            let found = outcome.records.len() + outcome.skipped as usize + outcome.ignored.len();
            objects += found;
            stats.objects += found + outcome.lists as usize;
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
        if documents == 0 {
            diags.push(no_document_warning(file));
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

/// A file without any document: empty, blank or only comments.
fn no_document_warning(file: &SourceFile) -> Diagnostic {
    let mut d = Diagnostic::new(
        Severity::Warning,
        "no document in this file (it is empty or holds only comments)",
    );
    d.location = Some(Location {
        file: file.name.clone(),
        ..Location::default()
    });
    d
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
