//! Replays every input the fuzzers keep (`fuzz/corpus/`, their minimised
//! corpora, and `fuzz/artifacts/`, every crash or hang they found) through
//! the fuzz targets' own bodies, on stable, in the normal test suite: what
//! was fixed once stays fixed. See fuzz/README.md.

#[path = "../../../../fuzz/src/lib.rs"]
mod targets;

use crate::support::root;

/// A fuzz target's name and its body.
type Target = (&'static str, fn(&[u8]));

#[test]
fn fuzz_corpus_and_artifacts_replay_cleanly() {
    let bodies: [Target; 3] = [
        ("read_documents", targets::read_documents),
        ("load", targets::load),
        ("arguments", targets::arguments),
    ];
    for (target, body) in bodies {
        let mut replayed = 0;
        for kept in ["corpus", "artifacts"] {
            let dir = root().join("fuzz").join(kept).join(target);
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut files: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
            files.sort();
            let visible = |f: &&std::path::PathBuf| {
                f.is_file()
                    && !f
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            };
            for file in files.iter().filter(visible) {
                let data = std::fs::read(file).expect("a kept input is readable");
                body(&data);
                replayed += 1;
            }
        }
        assert!(replayed > 0, "no input kept for `{target}`");
    }
}
