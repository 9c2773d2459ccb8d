//! Diagnostics on stderr: `human` (with the offending line, via miette),
//! `short` (one line each, like compilers print), and `json` (one object
//! per line, for CI).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use podnet_model::limits::Limits;
use podnet_model::{Diagnostic, Problem, Severity};
use serde::Serialize;

use crate::text::escape;

/// A caveat of the analysis as a diagnostic.
pub fn caveat(c: &Problem<podnet_engine::Caveat>) -> Diagnostic {
    match &c.detail {
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
                c.severity,
                format!(
                    "{pods} pods have no known address (no node takes them, or `--pod-addresses=declared` keeps only the addresses the input states), so no ipBlock matches them; {}{more} may cover pod addresses in a real cluster",
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
            c.severity,
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

/// Renders one diagnostic. `color` adds ANSI colours to `human`. To render
/// many, use a [`DiagnosticPrinter`]: it reads each file's lines once.
pub fn render(d: &Diagnostic, format: ErrorFormat, color: bool) -> String {
    DiagnosticPrinter::new(format, color).render(d)
}

/// Renders diagnostics, remembering where each file's lines start so that
/// an excerpt costs the length of its lines, not of the file.
pub struct DiagnosticPrinter {
    format: ErrorFormat,
    color: bool,
    /// Line starts of each file seen, by the address of its text (the
    /// `Arc` is kept so the address stays the file's).
    lines: HashMap<usize, (Arc<str>, Vec<usize>)>,
}

impl DiagnosticPrinter {
    /// A printer for `format`; `color` adds ANSI colours to `human`.
    pub fn new(format: ErrorFormat, color: bool) -> Self {
        DiagnosticPrinter {
            format,
            color,
            lines: HashMap::new(),
        }
    }

    /// Renders one diagnostic, ending with a line break. Control
    /// characters of the input are escaped in `human` and `short`
    /// ([`crate::text::escape`]); `json` escapes them as JSON does.
    pub fn render(&mut self, d: &Diagnostic) -> String {
        match self.format {
            ErrorFormat::Short => format!("{}\n", escape(&d.to_string())),
            ErrorFormat::Json => {
                let mut s = serde_json::to_string(&DiagnosticJson::new(d)).unwrap_or_default();
                s.push('\n');
                s
            }
            ErrorFormat::Human => self.human(d),
        }
    }

    fn line_starts(&mut self, text: &Arc<str>) -> &[usize] {
        let key = text.as_ptr() as usize;
        &self
            .lines
            .entry(key)
            .or_insert_with(|| {
                let starts = std::iter::once(0)
                    .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                    .collect();
                (text.clone(), starts)
            })
            .1
    }

    fn human(&mut self, d: &Diagnostic) -> String {
        let loc = d.location.as_ref();
        let snippet = match (loc, loc.and_then(|l| l.line), &d.detail.file_text) {
            (Some(l), Some(line), Some(text)) => {
                let starts = self.line_starts(text).to_vec();
                Snippet::new(&l.file, text, &starts, line, l.column.unwrap_or(1))
            }
            _ => None,
        };
        let report = Report {
            d,
            span: snippet.as_ref().map(|s| s.span),
            source: snippet,
        };
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let mut out = String::new();
        let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
        if handler.render_report(&mut out, &report).is_err() {
            return format!("{}\n", escape(&d.to_string()));
        }
        if report.span.is_none()
            && let Some(l) = loc
        {
            // No excerpt to show: still say where.
            let line = l.line.map(|n| format!(":{n}")).unwrap_or_default();
            let doc = l
                .document
                .map(|n| format!(" (document {n})"))
                .unwrap_or_default();
            out.push_str(&format!("  at {}{line}{doc}\n", escape(&l.file)));
        }
        out
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
            message: &d.detail.message,
            object: d.object.as_deref(),
            file: loc.map(|l| &*l.file),
            document: loc.and_then(|l| l.document),
            path: loc.and_then(|l| l.path.as_ref()).map(ToString::to_string),
            line: loc.and_then(|l| l.line),
            column: loc.and_then(|l| l.column),
            help: d.detail.help.as_deref(),
        }
    }
}

/// The lines around a diagnostic, escaped and cut to
/// [`Limits::excerpt_chars`], for miette: it reads only these, never the
/// whole file.
struct Snippet {
    /// The file's name, escaped.
    name: String,
    /// The lines, joined by `\n`.
    text: String,
    /// 0-based number of the first line.
    first_line: usize,
    line_count: usize,
    /// 0-based line and column of the diagnostic in the file.
    at: (usize, usize),
    /// The span to underline, in `text`.
    span: SourceSpan,
}

impl Snippet {
    /// The lines around `line` (1-based) of `text`, whose lines start at
    /// `starts`, and the span from `column` (1-based, in characters) to
    /// the end of the line.
    fn new(file: &str, text: &str, starts: &[usize], line: u32, column: u32) -> Option<Snippet> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        starts.get(index)?;
        let line_text = |i: usize| -> &str {
            let start = starts[i];
            let end = starts.get(i + 1).map_or(text.len(), |&e| e - 1);
            text.get(start..end.max(start))
                .unwrap_or_default()
                .trim_end_matches('\r')
        };
        let first = index.saturating_sub(1);
        let last = (index + 1).min(starts.len() - 1);
        let column0 = usize::try_from(column).unwrap_or(1).saturating_sub(1);
        let mut out = String::new();
        let mut span = SourceSpan::new(0.into(), 1);
        for i in first..=last {
            if i > first {
                out.push('\n');
            }
            let origin = out.len();
            let (shown, at) = shown_line(line_text(i), if i == index { column0 } else { 0 });
            if i == index {
                let len = shown[at..].trim_end().len().max(1);
                span = SourceSpan::new((origin + at).into(), len);
            }
            out.push_str(&shown);
        }
        Some(Snippet {
            name: escape(file).into_owned(),
            text: out,
            first_line: first,
            line_count: last - first + 1,
            at: (index, column0),
            span,
        })
    }
}

/// A source line as shown: escaped, and cut to [`Limits::excerpt_chars`]
/// around character `column` (0-based). Returns it with the byte offset
/// of that character in it.
fn shown_line(line: &str, column: usize) -> (String, usize) {
    let max = Limits::DEFAULT.excerpt_chars;
    let chars = line.chars().count();
    let column = column.min(chars);
    let skip = if column + 20 > max {
        column.saturating_sub(max / 4)
    } else {
        0
    };
    let mut out = String::new();
    let mut at = 0;
    if skip > 0 {
        out.push('…');
    }
    for (i, c) in line.chars().enumerate().skip(skip) {
        if i == column {
            at = out.len();
        }
        if i >= skip + max {
            out.push('…');
            return (out, at);
        }
        out.push_str(&escape(c.encode_utf8(&mut [0; 4])));
    }
    if column >= chars {
        at = out.len();
    }
    (out, at)
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        if before == 0 && after == 0 {
            // The label alone: miette prints its line and column.
            let start = span.offset().min(self.text.len());
            let end = (start + span.len()).min(self.text.len());
            return Ok(Box::new(MietteSpanContents::new_named(
                self.name.clone(),
                &self.text.as_bytes()[start..end],
                *span,
                self.at.0,
                self.at.1,
                1,
            )));
        }
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            self.text.as_bytes(),
            SourceSpan::new(0.into(), self.text.len()),
            self.first_line,
            0,
            self.line_count,
        )))
    }
}

/// miette's view of a diagnostic.
struct Report<'a> {
    d: &'a Diagnostic,
    source: Option<Snippet>,
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
            write!(f, "{}: ", escape(obj))?;
        }
        if let Some(path) = self.d.location.as_ref().and_then(|l| l.path.as_ref()) {
            write!(f, "{}: ", escape(&path.to_string()))?;
        }
        f.write_str(&escape(&self.d.detail.message))
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
            .detail
            .help
            .as_ref()
            .map(|h| Box::new(escape(h)) as Box<dyn fmt::Display>)
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
