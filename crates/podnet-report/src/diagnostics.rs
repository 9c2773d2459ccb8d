//! Diagnostics on stderr: `human` (with the offending line, via miette),
//! `short` (one line each, like compilers print), and `json` (one object
//! per line, for CI).

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use podnet_manifest::{Diagnostic, Severity};
use serde::Serialize;

/// A caveat of the analysis as a warning diagnostic.
pub fn caveat(c: &podnet_engine::Caveat) -> Diagnostic {
    match c {
        podnet_engine::Caveat::UnaddressedPods {
            pods,
            wide_blocks,
            wide_count,
        } => {
            let shown: Vec<String> = wide_blocks
                .iter()
                .map(|(b, p)| format!("`{b}` ({p})"))
                .collect();
            let more = if *wide_count > wide_blocks.len() {
                format!(" and {} more", wide_count - wide_blocks.len())
            } else {
                String::new()
            };
            Diagnostic::new(
                Severity::Warning,
                format!(
                    "{pods} pods have no known address (they come from templates, or no node takes them), so no ipBlock matches them; {}{more} may cover pod addresses in a real cluster",
                    shown.join(", ")
                ),
            )
            .with_help("podnet reports these ipBlocks against outside addresses only; give pods addresses (a live dump with status.podIP) to see which pods they match")
        }
        podnet_engine::Caveat::SamePriority {
            tier,
            priority,
            policies,
        } => Diagnostic::new(
            Severity::Warning,
            format!(
                "{} share {tier:?}-tier priority {priority}: the API leaves their order undefined, podnet evaluates them in input order",
                policies.join(", ")
            ),
        )
        .with_help("give each policy its own priority where their rules could match the same connection"),
    }
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorFormat {
    /// With source excerpts.
    Human,
    /// One line each.
    Short,
    /// JSON lines.
    Json,
}

/// Renders one diagnostic. `color` adds ANSI colours to `human`.
pub fn render(d: &Diagnostic, format: ErrorFormat, color: bool) -> String {
    match format {
        ErrorFormat::Short => format!("{d}\n"),
        ErrorFormat::Json => {
            let mut s = serde_json::to_string(&DiagnosticJson::new(d)).unwrap_or_default();
            s.push('\n');
            s
        }
        ErrorFormat::Human => human(d, color),
    }
}

/// A diagnostic as one JSON object (`podnet.diagnostic/v1`).
#[derive(Serialize)]
struct DiagnosticJson<'a> {
    schema: &'static str,
    severity: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    document: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
}

impl<'a> DiagnosticJson<'a> {
    fn new(d: &'a Diagnostic) -> Self {
        let loc = d.location.as_ref();
        DiagnosticJson {
            schema: "podnet.diagnostic/v1",
            severity: d.severity.as_str(),
            message: &d.message,
            object: d.object.as_deref(),
            file: loc.map(|l| &*l.file),
            document: loc.and_then(|l| l.document),
            path: loc.and_then(|l| l.path.as_ref()).map(ToString::to_string),
            line: loc.and_then(|l| l.line),
            column: loc.and_then(|l| l.column),
            help: d.help.as_deref(),
        }
    }
}

/// miette's view of a diagnostic.
struct Report<'a> {
    d: &'a Diagnostic,
    source: Option<NamedSource<Arc<str>>>,
    span: Option<SourceSpan>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.d)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(obj) = &self.d.object {
            write!(f, "{obj}: ")?;
        }
        if let Some(path) = self.d.location.as_ref().and_then(|l| l.path.as_ref()) {
            write!(f, "{path}: ")?;
        }
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Info => miette::Severity::Advice,
            Severity::Warning => miette::Severity::Warning,
            Severity::Error | Severity::Fatal => miette::Severity::Error,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.d
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span?;
        let doc = self.d.location.as_ref().and_then(|l| l.document);
        let label = doc.map(|n| format!("document {n}"));
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            label, span,
        ))))
    }
}

/// Byte span of the rest of `line` from `column` (1-based, in characters).
fn span_at(text: &str, line: u32, column: u32) -> Option<SourceSpan> {
    let start_of_line = if line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(line as usize - 2)?.0 + 1
    };
    let rest = &text[start_of_line..];
    let line_text = rest
        .split('\n')
        .next()
        .unwrap_or_default()
        .trim_end_matches('\r');
    let col_byte = line_text
        .char_indices()
        .nth(column.saturating_sub(1) as usize)
        .map_or(0, |(i, _)| i);
    let len = line_text[col_byte..].trim_end().len().max(1);
    Some(SourceSpan::new((start_of_line + col_byte).into(), len))
}

fn human(d: &Diagnostic, color: bool) -> String {
    let loc = d.location.as_ref();
    let span = match (loc.and_then(|l| l.line), &d.file_text) {
        (Some(line), Some(text)) => span_at(text, line, loc.and_then(|l| l.column).unwrap_or(1)),
        _ => None,
    };
    let source = match (&d.file_text, loc) {
        (Some(text), Some(l)) if span.is_some() => Some(NamedSource::new(&*l.file, text.clone())),
        _ => None,
    };
    let report = Report { d, source, span };
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut out = String::new();
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
    if handler.render_report(&mut out, &report).is_err() {
        return format!("{d}\n");
    }
    if span.is_none()
        && let Some(l) = loc
    {
        // No excerpt to show: still say where.
        let line = l.line.map(|n| format!(":{n}")).unwrap_or_default();
        let doc = l
            .document
            .map(|n| format!(" (document {n})"))
            .unwrap_or_default();
        out.push_str(&format!("  at {}{line}{doc}\n", l.file));
    }
    out
}
