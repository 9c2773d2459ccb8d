//! The bodies of podnet's fuzz targets. `fuzz_targets/*.rs` call them
//! under libFuzzer; the normal test suite replays every input kept in
//! `fuzz/corpus/` and `fuzz/artifacts/` through the same functions
//! (`crates/podnet-cli/tests/cli/fuzz_replay.rs` includes this file), so
//! a crash found once stays fixed.
//!
//! Besides "no panic, no hang, bounded memory" (libFuzzer's own checks),
//! the bodies assert what must hold for any input: errors are located in
//! the file read, human-readable diagnostics carry no control character
//! of the input, and parsed arguments are what they claim to be.

use std::sync::OnceLock;

use podnet_cli::values::{
    self, DnsName, ExplainEnd, NamespaceName, NetworkName, ObjectRef, TraceFrom, TraceTo,
};
use podnet_manifest::document::parse_file_within;
use podnet_manifest::input::decode;
use podnet_manifest::lines::LineMap;
use podnet_manifest::split::split_yaml;
use podnet_manifest::yaml::parse_documents;
use podnet_manifest::{FieldPath, Limits, LoadOptions, load_files, load_read_files};
use podnet_model::Cluster;
use podnet_report::text::is_unsafe;
use podnet_report::{ErrorFormat, render};

/// Paths every document is asked to locate.
fn probe_paths() -> Vec<FieldPath> {
    vec![
        FieldPath::root(),
        FieldPath::fields("metadata.name"),
        FieldPath::fields("spec.ingress")
            .index(0)
            .key("from")
            .index(0),
        FieldPath::fields("items").index(0).key("metadata"),
        FieldPath::fields("items").index(3),
        FieldPath::fields("metadata.labels").map_key("app"),
    ]
}

/// The YAML and JSON reader: bytes as one file split into documents, each
/// located field by field; and the YAML parser, splitter and line map on
/// the text directly.
pub fn read_documents(data: &[u8]) {
    let read = decode("fuzz.yaml".to_owned(), data.to_vec());
    let parsed = parse_file_within(&read.file, &read.invalid_utf8, &Limits::DEFAULT);
    let lines = read.file.text.split('\n').count();
    for doc in parsed.docs.iter().flatten() {
        for path in probe_paths() {
            if let Some((line, column)) = doc.locate(&path) {
                assert!(line >= 1 && column >= 1, "{line}:{column}");
                assert!(line as usize <= lines + 1, "line {line} of {lines}");
            }
        }
        let _ = doc.full_value();
    }
    if let Ok(text) = std::str::from_utf8(data) {
        for chunk in split_yaml(text) {
            let _ = parse_documents(chunk.text, chunk.first_line);
        }
        let map = LineMap::build(text, 1, 1, 0);
        let _ = map.locate(&FieldPath::fields("spec.podSelector"));
    }
}

/// Loading: bytes as a file, decoded, validated and lowered into a
/// cluster. Every error is located in the file; every diagnostic renders
/// in each format, with the input's control characters escaped.
pub fn load(data: &[u8]) {
    let read = decode("fuzz.yaml".to_owned(), data.to_vec());
    let lax = load_read_files(std::slice::from_ref(&read), LoadOptions::default());
    let strict = load_read_files(
        std::slice::from_ref(&read),
        LoadOptions {
            strict: true,
            ..LoadOptions::default()
        },
    );
    assert_eq!(strict.stopped, lax.has_errors());
    for d in &lax.diagnostics {
        if d.is_error() {
            let at = d.location.as_ref();
            assert!(at.is_some(), "error without location: {d}");
        }
        let short = render(d, ErrorFormat::Short, false);
        assert!(
            !short.trim_end_matches('\n').chars().any(is_unsafe),
            "unescaped: {short:?}"
        );
        let human = render(d, ErrorFormat::Human, false);
        assert!(
            !human.chars().any(|c| c != '\n' && is_unsafe(c)),
            "unescaped: {human:?}"
        );
        let json = render(d, ErrorFormat::Json, false);
        assert!(json.ends_with("}\n"), "{json}");
    }
    let c = &lax.cluster;
    for w in &c.workloads {
        assert!(w.namespace.index() < c.namespaces.len());
        for p in &w.pods {
            assert!(p.index() < c.pods.len());
        }
    }
}

/// A small cluster (the bundled EcoEco example) to resolve names in.
fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        let files = [
            (
                "api.yaml",
                include_str!("../../examples/ecoeco-single/api.yaml"),
            ),
            (
                "data.yaml",
                include_str!("../../examples/ecoeco-single/data.yaml"),
            ),
            (
                "platform.yaml",
                include_str!("../../examples/ecoeco-single/platform.yaml"),
            ),
        ]
        .map(|(name, text)| podnet_manifest::SourceFile {
            name: name.into(),
            text: text.into(),
        });
        load_files(&files, Vec::new(), LoadOptions::default()).cluster
    })
}

/// The command line's argument values (`--from`, `--to`, ports, names)
/// and name resolution, on any text.
pub fn arguments(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    if let Ok(to) = TraceTo::parse(text) {
        match to {
            TraceTo::Address(_, Some(port)) | TraceTo::Name(_, Some(port)) => {
                assert_ne!(port, 0, "{text:?}");
            }
            TraceTo::Object(o) => {
                let _ = podnet_engine::resolve(cluster(), &o);
            }
            _ => {}
        }
    }
    if let Ok(TraceFrom::Object(o)) = TraceFrom::parse(text) {
        assert!(o.split('/').count() <= 3, "{text:?}");
        let _ = podnet_engine::resolve(cluster(), &o);
    }
    if let Ok(ExplainEnd::Object(o)) = ExplainEnd::parse(text) {
        let _ = podnet_engine::resolve(cluster(), &o);
    }
    if let Ok(o) = ObjectRef::parse(text) {
        assert!(!o.is_empty() && !o.chars().any(is_unsafe), "{text:?}");
    }
    if let Ok(name) = DnsName::parse(text) {
        assert!(name.len() <= 254, "{text:?}");
        assert!(name.is_ascii(), "{text:?}");
    }
    if let Ok(p) = values::port(text) {
        assert!(p >= 1, "{text:?}");
    }
    let _ = NamespaceName::parse(text);
    let _ = NetworkName::parse(text);
    if let Ok(rev) = values::git_revision(text) {
        assert!(!rev.starts_with('-'), "{text:?}");
    }
    let _ = values::lab_id(text);
    let _ = values::generated_pods(text);
    // Whatever the text, resolving it never panics.
    let _ = podnet_engine::resolve(cluster(), text);
}
