//! Helpers the lowering modules' unit tests share.

use podnet_model::Source;

/// The source of a test's object: document 1 of file `t`.
pub fn source() -> Source {
    Source {
        file: "t".into(),
        document: 1,
        line: None,
        item: None,
    }
}
