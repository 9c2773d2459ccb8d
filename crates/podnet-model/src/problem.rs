//! Problems: one type for what reading the inputs, placing the pods and
//! the engine find, with one severity scale and one location type. The
//! detail is typed data for every stage but reading (whose messages are
//! its own sentences, [`Message`]); podnet-report words the rest.
//!
//! Severities follow docs/architecture.md house rule 4: a warning never
//! changes the result; an error skips the document (or the part of the
//! model) it is about; fatal stops the run.

use std::fmt;
use std::sync::Arc;

use crate::limits::{Limits, shorten_message, truncate};
use crate::path::FieldPath;
use crate::source::Source;

/// How bad a problem is; `--fail-on` and the exit status compare with
/// this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// What podnet assumed where the input says nothing (the nodes of a
    /// cluster that declares none), or something merely worth knowing.
    Info,
    /// Something to know; the analysis is unaffected or made a documented
    /// choice.
    Warning,
    /// The input is invalid or the cluster would fail here; that part was
    /// skipped and the rest analysed.
    Error,
    /// Nothing could be analysed (an unreadable path under `--strict`...).
    Fatal,
}

impl Severity {
    /// The severities a manifest may spell (`spec.severity` of an
    /// intent), lowest first.
    pub const SPELLED: [(&'static str, Severity); 3] = [
        ("info", Severity::Info),
        ("warning", Severity::Warning),
        ("error", Severity::Error),
    ];

    /// `info`, `warning`, `error` or `fatal`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Fatal => "fatal",
        }
    }

    /// Parses a spelling of [`Severity::SPELLED`] (never `fatal`).
    pub fn parse(s: &str) -> Option<Severity> {
        Severity::SPELLED
            .iter()
            .find(|(n, _)| *n == s)
            .map(|(_, v)| *v)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in the input a problem points.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    /// The file as the user named it.
    pub file: Arc<str>,
    /// 1-based document index in the file.
    pub document: Option<u32>,
    /// The field, when the problem is one field.
    pub path: Option<FieldPath>,
    /// 1-based line in the file.
    pub line: Option<u32>,
    /// 1-based column (in characters) in the line.
    pub column: Option<u32>,
}

impl Location {
    /// Where an object was declared: its file, document and line.
    pub fn of(source: &Source) -> Location {
        Location {
            file: source.file.clone(),
            document: Some(source.document),
            path: None,
            line: source.line,
            column: None,
        }
    }
}

/// One problem: how bad, what it concerns, where, and what it is (`D`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem<D> {
    /// How bad it is.
    pub severity: Severity,
    /// The object it is about (`NetworkPolicy api/default-deny`), when known.
    pub object: Option<String>,
    /// Where it is.
    pub location: Option<Location>,
    /// What it is.
    pub detail: D,
}

impl<D> Problem<D> {
    /// A problem without object or location.
    pub fn of(severity: Severity, detail: D) -> Self {
        Problem {
            severity,
            object: None,
            location: None,
            detail,
        }
    }

    /// An error.
    pub fn error(detail: D) -> Self {
        Problem::of(Severity::Error, detail)
    }

    /// A warning.
    pub fn warning(detail: D) -> Self {
        Problem::of(Severity::Warning, detail)
    }

    /// A note on what was assumed.
    pub fn info(detail: D) -> Self {
        Problem::of(Severity::Info, detail)
    }

    /// Names the object (`Kind ns/name`) and where it was declared.
    pub fn at(mut self, object: impl Into<String>, source: Option<&Source>) -> Self {
        self.object = Some(object.into());
        self.location = source.map(Location::of);
        self
    }

    /// Whether this problem makes podnet exit with status 2.
    pub fn is_error(&self) -> bool {
        self.severity >= Severity::Error
    }

    /// The same problem with its detail turned into another (worded, for
    /// a printer).
    pub fn map<E>(self, f: impl FnOnce(D) -> E) -> Problem<E> {
        Problem {
            severity: self.severity,
            object: self.object,
            location: self.location,
            detail: f(self.detail),
        }
    }
}

/// A problem in words: what reading the input says (its messages are the
/// reader's own), or what podnet-report made of a typed detail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// A lowercase sentence without trailing period; user input in backticks.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// The text of the file, for printers that show the offending line.
    pub file_text: Option<Arc<str>>,
}

/// A problem in words, as printers show it.
pub type Diagnostic = Problem<Message>;

impl Problem<Message> {
    /// A diagnostic without location. Values quoted in the message
    /// (between backticks) longer than [`Limits::quoted_chars`] are cut, as
    /// is a message longer than [`Limits::message_chars`].
    pub fn new(severity: Severity, message: impl Into<String>) -> Self {
        Problem::of(
            severity,
            Message {
                message: shorten_message(message.into()),
                help: None,
                file_text: None,
            },
        )
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.detail.help = Some(shorten_message(help.into()));
        self
    }

    /// Names the object it is about, cut to twice
    /// [`Limits::quoted_chars`].
    pub fn with_object(mut self, object: impl Into<String>) -> Self {
        let object = object.into();
        let max = 2 * Limits::DEFAULT.quoted_chars;
        self.object = Some(match truncate(&object, max) {
            std::borrow::Cow::Borrowed(_) => object,
            std::borrow::Cow::Owned(cut) => cut,
        });
        self
    }
}

impl fmt::Display for Problem<Message> {
    /// The one-line form: `file:line:col: severity: [document N: ][path: ]message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{}", loc.file)?;
            if let Some(line) = loc.line {
                write!(f, ":{line}")?;
                if let Some(col) = loc.column {
                    write!(f, ":{col}")?;
                }
            }
            f.write_str(": ")?;
        }
        write!(f, "{}: ", self.severity)?;
        if let Some(doc) = self.location.as_ref().and_then(|l| l.document) {
            write!(f, "document {doc}: ")?;
        }
        if let Some(obj) = &self.object {
            write!(f, "{obj}: ")?;
        }
        if let Some(path) = self.location.as_ref().and_then(|l| l.path.as_ref()) {
            write!(f, "{path}: ")?;
        }
        f.write_str(&self.detail.message)?;
        if let Some(help) = &self.detail.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_spell_every_severity_but_fatal() {
        for (name, s) in Severity::SPELLED {
            assert_eq!(Severity::parse(name), Some(s));
            assert_eq!(s.as_str(), name);
        }
        assert_eq!(Severity::parse("fatal"), None);
    }

    #[test]
    fn the_one_line_form_names_file_line_document_object_and_help() {
        let mut d = Diagnostic::new(Severity::Error, "bad `x`")
            .with_object("Service a/b")
            .with_help("fix it");
        d.location = Some(Location::of(&Source {
            file: "f.yaml".into(),
            document: 2,
            line: Some(7),
            item: None,
        }));
        assert_eq!(
            d.to_string(),
            "f.yaml:7: error: document 2: Service a/b: bad `x` (help: fix it)"
        );
        assert!(d.is_error());
        assert!(!Diagnostic::new(Severity::Warning, "w").is_error());
    }
}
