//! Validation as the API server does it, for every field podnet reads.
//! Checks collect problems with their field paths; the decoder turns them
//! into located diagnostics and skips the document when there are errors.

pub mod addresses;
pub mod names;
pub mod quantity;
pub mod ranges;
pub mod selector;

use std::collections::BTreeMap;

use podnet_model::{Labels, Protocol};

use crate::limits::{quoted, shorten_message};
use crate::path::FieldPath;

/// Records `NotSupported` for `value` at `path`, listing `supported` as the
/// API server does (quoted, in the order given).
pub fn unsupported(path: &FieldPath, value: &str, supported: &[&str], c: &mut Checker) {
    let list: Vec<String> = supported.iter().map(|s| format!("\"{s}\"")).collect();
    c.error(
        path.clone(),
        format!(
            "unsupported value `{value}`: supported values are {}",
            list.join(", ")
        ),
    );
}

/// Problems found in one object.
#[derive(Debug, Default)]
pub struct Checker {
    /// Problems the API server rejects: the object is skipped.
    pub errors: Vec<(FieldPath, String)>,
    /// Problems the API server accepts with a warning (or podnet notes).
    pub warnings: Vec<(FieldPath, String)>,
}

impl Checker {
    /// Records an error at `path`; long quoted values are cut
    /// ([`crate::limits::shorten_message`]).
    pub fn error(&mut self, path: FieldPath, message: impl Into<String>) {
        self.errors.push((path, shorten_message(message.into())));
    }

    /// Records a warning at `path`; long quoted values are cut.
    pub fn warn(&mut self, path: FieldPath, message: impl Into<String>) {
        self.warnings.push((path, shorten_message(message.into())));
    }

    /// Records each message of a name check as an error about `value`.
    pub fn check(&mut self, path: &FieldPath, value: &str, problems: Vec<String>) {
        let value = quoted(value);
        for p in problems {
            self.error(path.clone(), format!("invalid value `{value}`: {p}"));
        }
    }

    /// Whether any error was recorded.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// `ValidateLabels`: checks a label map and returns it as [`Labels`].
pub fn labels(map: Option<&BTreeMap<String, String>>, path: &FieldPath, c: &mut Checker) -> Labels {
    let Some(map) = map else {
        return Labels::new();
    };
    for (k, v) in map {
        let at = path.map_key(k);
        for p in names::qualified_name(k) {
            c.error(
                at.clone(),
                format!("invalid label key `{}`: {p}", quoted(k)),
            );
        }
        for p in names::label_value(v) {
            c.error(
                at.clone(),
                format!("invalid label value `{}`: {p}", quoted(v)),
            );
        }
    }
    map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// What an unknown `protocol` value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnknownProtocol {
    /// An error: the field is an enum the API server checks.
    Rejected,
    /// A warning: the field is a plain string the API server accepts, and
    /// the port matches no traffic.
    MatchesNothing,
}

/// A `protocol` field: TCP when absent, else exactly `TCP`, `UDP` or `SCTP`
/// (the API server is case-sensitive); any other value is `unknown`.
pub fn protocol(
    value: Option<&str>,
    unknown: UnknownProtocol,
    path: &FieldPath,
    c: &mut Checker,
) -> Option<Protocol> {
    let Some(s) = value else {
        return Some(Protocol::Tcp);
    };
    let p = Protocol::parse(s);
    if p.is_none() {
        match unknown {
            UnknownProtocol::Rejected => c.error(
                path.clone(),
                format!("unsupported value `{s}`: supported values are \"SCTP\", \"TCP\", \"UDP\""),
            ),
            UnknownProtocol::MatchesNothing => c.warn(
                path.clone(),
                format!("`{s}` is not `TCP`, `UDP` or `SCTP` (the API server accepts any string here): this port matches no traffic"),
            ),
        }
    }
    p
}
