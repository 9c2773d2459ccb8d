//! The words of audit findings: each [`Found`] as a message and a help
//! line, the way the checks' data reads to people. The printers show
//! findings only through [`worded`].

use podnet_audit::{Finding, Found, Severity, Subject};

/// A finding with its message and help line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Worded {
    /// The rule's code.
    pub code: &'static str,
    /// Its severity.
    pub severity: Severity,
    /// What it concerns.
    pub subject: Subject,
    /// What is wrong, one line, specific to the subject.
    pub message: String,
    /// How to fix it there.
    pub help: String,
}

/// The findings worded, sorted by code, then subject, then message, without
/// repeats.
pub fn worded(findings: &[Finding]) -> Vec<Worded> {
    let mut out: Vec<Worded> = findings
        .iter()
        .map(|f| Worded {
            code: f.code,
            severity: f.severity,
            subject: f.subject.clone(),
            message: message(&f.found),
            help: help(&f.found),
        })
        .collect();
    out.sort_by(|a, b| (a.code, &a.subject, &a.message).cmp(&(b.code, &b.subject, &b.message)));
    out.dedup();
    out
}

/// What is wrong.
pub fn message(found: &Found) -> String {
    match found {
        Found::Worded { message, .. } => message.clone(),
    }
}

/// How to fix it.
pub fn help(found: &Found) -> String {
    match found {
        Found::Worded { help, .. } => help.clone(),
    }
}
