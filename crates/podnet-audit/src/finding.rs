//! What a check reports: a [`Finding`] with a stable code from a [`Rule`],
//! a severity, the object it concerns with where it was declared, and what
//! it found as typed data ([`Found`]); podnet-report words the message and
//! the help line.

use podnet_model::{Meta, Source};

use crate::found::Found;

/// How serious a finding is (`--fail-on` compares with this order): the
/// one severity scale of every problem.
pub use podnet_model::Severity;

/// A check's rule: its stable code and the texts SARIF and `--explain`
/// show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable code (`PN1001`).
    pub code: &'static str,
    /// Short kebab-case name (`namespace-without-default-deny`).
    pub name: &'static str,
    /// One line.
    pub short: &'static str,
    /// A paragraph: what it checks and why it matters.
    pub full: &'static str,
    /// How to fix it, in general.
    pub help: &'static str,
    /// Default severity.
    pub severity: Severity,
}

/// The object a finding concerns.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Subject {
    /// Kind (`Namespace`, `NetworkPolicy`, `Deployment`, `Cluster`...).
    pub kind: String,
    /// Namespace, for namespaced objects.
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
    /// Where it was declared, when it was.
    pub source: Option<Source>,
}

impl Subject {
    /// The subject for a model object's provenance.
    pub fn of(meta: &Meta) -> Subject {
        Subject {
            kind: meta.kind.clone(),
            namespace: meta.namespace.clone(),
            name: meta.name.clone(),
            source: Some(meta.source.clone()),
        }
    }

    /// A subject without provenance (a namespace only referenced, the
    /// cluster as a whole).
    pub fn named(kind: &str, namespace: Option<&str>, name: &str) -> Subject {
        Subject {
            kind: kind.to_owned(),
            namespace: namespace.map(str::to_owned),
            name: name.to_owned(),
            source: None,
        }
    }

    /// `Kind ns/name` or `Kind name`.
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

/// One finding: what a check found, as data; podnet-report words it
/// (`podnet_report::audit::worded`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule's code.
    pub code: &'static str,
    /// Severity (the rule's unless the check raises or lowers it).
    pub severity: Severity,
    /// What it concerns.
    pub subject: Subject,
    /// What the check found there.
    pub found: Found,
}

impl Finding {
    /// A finding of `rule` at its default severity.
    pub fn new(rule: &Rule, subject: Subject, found: Found) -> Finding {
        Finding {
            code: rule.code,
            severity: rule.severity,
            subject,
            found,
        }
    }

    /// The same finding at another severity.
    pub fn with_severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }
}
