//! Diagnostics: what went wrong in the input, where, and how to fix it.
//!
//! Severities follow docs/architecture.md house rule 4: a warning never changes the
//! result; an error skips the document it is about; fatal stops the run.

use std::fmt;
use std::sync::Arc;

use crate::limits::{Limits, shorten_message, truncate};
use crate::path::FieldPath;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// What podnet assumed where the input says nothing (the nodes of a
    /// cluster that declares none); not a problem.
    Info,
    /// Something to know; the analysis is unaffected or made a documented choice.
    Warning,
    /// The document is invalid and was skipped; the rest was analysed.
    Error,
    /// Nothing could be analysed (an unreadable path under `--strict`...).
    Fatal,
}

impl Severity {
    /// `info`, `warning`, `error` or `fatal`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Fatal => "fatal",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in the input a diagnostic points.
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

/// One problem found in the input.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: Severity,
    /// A lowercase sentence without trailing period; user input in backticks.
    pub message: String,
    /// The object it is about (`NetworkPolicy api/default-deny`), when known.
    pub object: Option<String>,
    /// Where it is.
    pub location: Option<Location>,
    /// How to fix it.
    pub help: Option<String>,
    /// The text of the file, for printers that show the offending line.
    pub file_text: Option<Arc<str>>,
}

impl Diagnostic {
    /// A diagnostic without location. Values quoted in the message
    /// (between backticks) longer than [`Limits::quoted_chars`] are cut, as
    /// is a message longer than [`Limits::message_chars`].
    pub fn new(severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            message: shorten_message(message.into()),
            object: None,
            location: None,
            help: None,
            file_text: None,
        }
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(shorten_message(help.into()));
        self
    }

    /// Names the object it is about.
    pub fn with_object(mut self, object: impl Into<String>) -> Self {
        let object = object.into();
        let max = 2 * Limits::DEFAULT.quoted_chars;
        self.object = Some(match truncate(&object, max) {
            std::borrow::Cow::Borrowed(_) => object,
            std::borrow::Cow::Owned(cut) => cut,
        });
        self
    }

    /// Whether this diagnostic makes podnet exit with status 2.
    pub fn is_error(&self) -> bool {
        self.severity >= Severity::Error
    }
}

impl fmt::Display for Diagnostic {
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
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}
