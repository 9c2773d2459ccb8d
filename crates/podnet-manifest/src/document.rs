//! Documents: one parsed YAML or JSON document with where it came from, and
//! the means to turn a field path into a located diagnostic.

use std::sync::OnceLock;

use rayon::prelude::*;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::input::SourceFile;
use crate::items::{ItemRegion, TextCursor, to_byte_regions};
use crate::json::TopLevel;
use crate::limits::Limits;
use crate::lines::LineMap;
use crate::path::{FieldPath, Seg};
use crate::split::split_yaml;
use crate::yaml::{Positions, YamlBudget, parse_documents_within};
use crate::{Diagnostic, Location, Severity};

/// One document of a file.
#[derive(Debug)]
pub struct RawDoc<'f> {
    /// The file it is in.
    pub file: &'f SourceFile,
    /// 1-based index in the file.
    pub index: u32,
    /// 1-based line of its root node.
    pub line: u32,
    /// The content. For a JSON `List`, without its items (see
    /// [`RawDoc::raw_items`]); `null` for a JSON object, which is decoded
    /// from its text ([`RawDoc::json`]).
    pub value: Value,
    /// A JSON object's text, decoded straight into its Kubernetes type.
    pub json: Option<&'f str>,
    /// Whether this is a JSON `List` (a `kind` ending in `List` and an
    /// `items` array) whose items are [`RawDoc::raw_items`].
    pub json_list: bool,
    /// The items of a JSON `List`, not parsed yet.
    pub raw_items: Vec<&'f RawValue>,
    text: &'f str,
    first_line: u32,
    first_column: u32,
    ordinal: usize,
    lines: OnceLock<LineMap>,
    /// Positions the parse recorded (YAML documents only).
    positions: Positions,
    /// The items of a `List` document, each located on its own.
    items: Vec<ItemRegion>,
    item_lines: Vec<OnceLock<LineMap>>,
}

impl<'f> RawDoc<'f> {
    /// The whole content as one value, JSON List items included.
    pub fn full_value(&self) -> Value {
        if let Some(text) = self.json {
            return serde_json::from_str(text).unwrap_or(Value::Null);
        }
        let mut value = self.value.clone();
        if !self.raw_items.is_empty()
            && let Some(items) = value.get_mut("items").and_then(Value::as_array_mut)
        {
            items.extend(
                self.raw_items
                    .iter()
                    .map(|r| serde_json::from_str(r.get()).unwrap_or(Value::Null)),
            );
        }
        value
    }

    #[allow(clippy::too_many_arguments)]
    fn new(
        file: &'f SourceFile,
        index: u32,
        line: u32,
        value: Value,
        text: &'f str,
        first_line: u32,
        first_column: u32,
        ordinal: usize,
        items: Vec<ItemRegion>,
    ) -> Self {
        RawDoc {
            file,
            index,
            line,
            value,
            json: None,
            json_list: false,
            raw_items: Vec::new(),
            text,
            first_line,
            first_column,
            ordinal,
            lines: OnceLock::new(),
            positions: Positions::default(),
            item_lines: items.iter().map(|_| OnceLock::new()).collect(),
            items,
        }
    }

    /// This document with the positions its parse recorded.
    fn with_positions(mut self, positions: Positions) -> Self {
        self.positions = positions;
        self
    }

    /// Line and column of `path` (or its nearest ancestor) in the file.
    /// Within a `List`'s items, only the item in question is re-read.
    pub fn locate(&self, path: &FieldPath) -> Option<(u32, u32)> {
        if path.is_root() {
            return Some((self.line, 1));
        }
        if let [Seg::Key(k), Seg::Index(i), ..] = path.segments()
            && k == "items"
            && let Some(region) = self.items.get(*i)
        {
            let start = Some((region.line, region.column));
            let rest = path.skip(2);
            if rest.is_root() {
                return start;
            }
            let first_column = if region.flow { region.column } else { 1 };
            return self.item_lines[*i]
                .get_or_init(|| {
                    LineMap::build(&region.text(self.text), region.line, first_column, 0)
                })
                .locate(&rest)
                .or(start);
        }
        if let Some(at) = self.positions.get(path) {
            return Some(at);
        }
        self.lines
            .get_or_init(|| {
                LineMap::build(self.text, self.first_line, self.first_column, self.ordinal)
            })
            .locate(path)
            // Text the line map cannot read (JSON nested deeper than the
            // YAML parser goes): the document's start.
            .or(Some((self.line, self.first_column)))
    }

    /// A diagnostic about `path` of this document.
    pub fn diag(
        &self,
        severity: Severity,
        path: Option<FieldPath>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let pos = path
            .as_ref()
            .map_or(Some((self.line, 1)), |p| self.locate(p));
        let mut d = Diagnostic::new(severity, message);
        d.location = Some(Location {
            file: self.file.name.clone(),
            document: Some(self.index),
            path: path.filter(|p| !p.is_root()),
            line: pos.map(|p| p.0),
            column: pos.map(|p| p.1),
        });
        d.detail.file_text = Some(self.file.text.clone());
        d
    }
}

/// A document, or the error that kept it from being read.
pub type DocResult<'f> = Result<RawDoc<'f>, Box<Diagnostic>>;

/// The documents of one file.
#[derive(Debug)]
pub struct ParsedFile<'f> {
    /// Every document, in order.
    pub docs: Vec<DocResult<'f>>,
    /// Documents past [`Limits::documents_per_file`], not read (one of
    /// `docs` is the error saying so).
    pub unread: usize,
}

/// Whether the text is JSON (the first non-blank character opens an object
/// or array), as kubectl's YAMLOrJSONDecoder decides.
fn looks_like_json(text: &str) -> bool {
    matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'['))
}

/// Parses every document of a file, in order, within [`Limits::DEFAULT`].
pub fn parse_file(file: &SourceFile) -> Vec<DocResult<'_>> {
    parse_file_within(file, &[], &Limits::DEFAULT).docs
}

/// Parses every document of a file, in order. `invalid_utf8` are the byte
/// offsets of characters that replaced invalid UTF-8 (see
/// [`crate::input::ReadFile`]): the documents holding one are errors.
pub fn parse_file_within<'f>(
    file: &'f SourceFile,
    invalid_utf8: &[usize],
    limits: &Limits,
) -> ParsedFile<'f> {
    if looks_like_json(&file.text) {
        parse_json(file, invalid_utf8, limits)
    } else {
        parse_yaml(file, invalid_utf8, limits)
    }
}

fn file_diag(file: &SourceFile, index: u32, line: u32, column: u32, message: String) -> Diagnostic {
    let mut d = Diagnostic::new(Severity::Error, message);
    d.location = Some(Location {
        file: file.name.clone(),
        document: Some(index),
        path: None,
        line: Some(line),
        column: Some(column),
    });
    d.detail.file_text = Some(file.text.clone());
    d
}

/// The first offset of `invalid` in `start..end`.
fn first_invalid(invalid: &[usize], start: usize, end: usize) -> Option<usize> {
    let i = invalid.partition_point(|&o| o < start);
    invalid.get(i).copied().filter(|&o| o < end)
}

/// The error for a document holding invalid UTF-8 at `line`, `column`.
fn not_utf8(file: &SourceFile, index: u32, (line, column): (u32, u32)) -> Box<Diagnostic> {
    Box::new(
        file_diag(
            file,
            index,
            line,
            column,
            "the document is not valid UTF-8 (an invalid byte sequence, shown as U+FFFD)"
                .to_owned(),
        )
        .with_help(
            "Kubernetes manifests are UTF-8 text; re-encode the file (the document was skipped)",
        ),
    )
}

/// The error for documents past the limit.
fn too_many(
    file: &SourceFile,
    index: u32,
    line: u32,
    unread: usize,
    limits: &Limits,
) -> Box<Diagnostic> {
    Box::new(
        file_diag(
            file,
            index,
            line,
            1,
            format!(
                "more than {} documents in this file: this one and the {} after it are not read",
                limits.documents_per_file,
                unread.saturating_sub(1)
            ),
        )
        .with_help("split the file"),
    )
}

fn parse_yaml<'f>(file: &'f SourceFile, invalid: &[usize], limits: &Limits) -> ParsedFile<'f> {
    let mut chunks = split_yaml(&file.text);
    let extra = chunks.split_off(chunks.len().min(limits.documents_per_file));
    let base = file.text.as_ptr() as usize;
    let parsed: Vec<_> = chunks
        .par_iter()
        .map(|c| {
            let start = (c.text.as_ptr() as usize).saturating_sub(base);
            if let Some(at) = first_invalid(invalid, start, start + c.text.len()) {
                return (c, Err(at));
            }
            let budget = YamlBudget::for_chunk(limits, c.text.len(), file.text.len());
            (c, Ok(parse_documents_within(c.text, c.first_line, budget)))
        })
        .collect();
    let mut out = Vec::with_capacity(parsed.len());
    let mut index = 0u32;
    for (chunk, result) in parsed {
        match result {
            Err(at) => {
                index += 1;
                let start = (chunk.text.as_ptr() as usize).saturating_sub(base);
                let mut cursor = TextCursor::new(chunk.text, chunk.first_line, 1);
                let at = cursor.advance_to(at.saturating_sub(start));
                out.push(Err(not_utf8(file, index, at)));
            }
            Ok(Ok(docs)) => {
                for doc in docs {
                    index += 1;
                    let items = to_byte_regions(chunk.text, &doc.items);
                    out.push(Ok(RawDoc::new(
                        file,
                        index,
                        doc.line,
                        doc.value,
                        chunk.text,
                        chunk.first_line,
                        1,
                        doc.ordinal,
                        items,
                    )
                    .with_positions(doc.positions)));
                }
            }
            Ok(Err(e)) => {
                index += 1;
                out.push(Err(Box::new(
                    file_diag(
                        file,
                        index,
                        e.line,
                        e.column,
                        format!("invalid YAML: {}", e.message),
                    )
                    .with_help("the document was skipped; fix the syntax and run again"),
                )));
            }
        }
    }
    let unread = extra.len();
    if let Some(first) = extra.first() {
        out.push(Err(too_many(
            file,
            index + 1,
            first.first_line,
            unread,
            limits,
        )));
    }
    ParsedFile { docs: out, unread }
}

fn parse_json<'f>(file: &'f SourceFile, invalid: &[usize], limits: &Limits) -> ParsedFile<'f> {
    let text: &'f str = &file.text;
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<TopLevel<'f>>();
    let mut cursor = TextCursor::new(text, 1, 1);
    let mut index = 0u32;
    let mut end = 0usize;
    let mut unread = 0usize;
    while let Some(next) = stream.next() {
        index = index.saturating_add(1);
        let start = end + (text.len() - end - text[end..].trim_start().len());
        end = stream.byte_offset();
        let top = match next {
            Ok(top) => top,
            Err(e) => {
                let line = u32::try_from(e.line()).unwrap_or(u32::MAX);
                // serde_json counts columns from 1 but says 0 at a line break.
                let column = u32::try_from(e.column()).unwrap_or(u32::MAX).max(1);
                out.push(Err(Box::new(
                    file_diag(file, index, line, column, format!("invalid JSON: {e}")).with_help(
                        "the rest of the file was skipped; fix the syntax and run again",
                    ),
                )));
                break;
            }
        };
        if index as usize > limits.documents_per_file {
            let line = cursor.advance_to(start).0;
            unread = 1 + stream.by_ref().take_while(Result::is_ok).count();
            out.push(Err(too_many(file, index, line, unread, limits)));
            break;
        }
        if let Some(at) = first_invalid(invalid, start, end) {
            out.push(Err(not_utf8(file, index, cursor.advance_to(at))));
            continue;
        }
        let doc_text = &text[start..end.max(start)];
        let (first_line, first_column) = cursor.advance_to(start);
        out.push(json_doc(
            file,
            index,
            top,
            doc_text,
            (first_line, first_column),
            &mut cursor,
        ));
    }
    ParsedFile { docs: out, unread }
}

/// One JSON document: a `List` keeps its items raw, an object its text.
fn json_doc<'f>(
    file: &'f SourceFile,
    index: u32,
    top: TopLevel<'f>,
    doc_text: &'f str,
    (first_line, first_column): (u32, u32),
    cursor: &mut TextCursor<'f>,
) -> DocResult<'f> {
    let doc = |value: Value, regions: Vec<ItemRegion>| {
        RawDoc::new(
            file,
            index,
            first_line,
            value,
            doc_text,
            first_line,
            first_column,
            0,
            regions,
        )
    };
    let is_list = top
        .string_field("kind")
        .is_some_and(|k| k.ends_with("List"));
    match top {
        TopLevel::Object {
            fields,
            items: Some(items),
            ..
        } if is_list => {
            let mut head = serde_json::Map::new();
            for (k, raw) in fields {
                head.insert(k, serde_json::from_str(raw.get()).unwrap_or(Value::Null));
            }
            head.insert("items".to_owned(), Value::Array(Vec::new()));
            let base = file.text.as_ptr() as usize;
            let regions = items
                .iter()
                .map(|item| {
                    let start = (item.get().as_ptr() as usize).saturating_sub(base);
                    let (line, column) = cursor.advance_to(start);
                    let local = start.saturating_sub(doc_text.as_ptr() as usize - base);
                    ItemRegion {
                        start: local,
                        end: local + item.get().len(),
                        line,
                        column,
                        flow: true,
                    }
                })
                .collect();
            let mut d = doc(Value::Object(head), regions);
            d.json_list = true;
            d.raw_items = items;
            Ok(d)
        }
        TopLevel::Object { .. } if !is_list => {
            let mut d = doc(Value::Null, Vec::new());
            d.json = Some(doc_text);
            Ok(d)
        }
        // Arrays, scalars, odd `items` and Lists without items: read whole.
        _ => match serde_json::from_str(doc_text) {
            Ok(value) => Ok(doc(value, Vec::new())),
            // Well-formed but beyond serde_json's nesting limit.
            Err(e) => {
                let line = first_line.saturating_add(
                    u32::try_from(e.line())
                        .unwrap_or(u32::MAX)
                        .saturating_sub(1),
                );
                let column = u32::try_from(e.column()).unwrap_or(u32::MAX).max(1);
                Err(Box::new(file_diag(
                    file,
                    index,
                    line,
                    column,
                    format!("invalid JSON: {e}"),
                )))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile {
            name: "t.yaml".into(),
            text: text.into(),
        }
    }

    #[test]
    fn a_broken_yaml_document_does_not_hide_the_others() {
        let f = file("a: 1\n---\nb: [\n---\nc: 3\n");
        let docs = parse_file(&f);
        assert_eq!(docs.len(), 3);
        assert!(docs[0].is_ok());
        let err = docs[1].as_ref().unwrap_err();
        assert_eq!(err.location.as_ref().unwrap().document, Some(2));
        let c = docs[2].as_ref().unwrap();
        assert_eq!((c.index, c.line), (3, 5));
    }

    #[test]
    fn json_streams_with_lines() {
        let f = file("{\"a\": 1}\n\n{\"b\":\n  {\"c\": 2}}\n");
        let docs = parse_file(&f);
        let d = docs[1].as_ref().unwrap();
        assert_eq!((d.index, d.line), (2, 3));
        assert_eq!(d.locate(&FieldPath::fields("b.c")).map(|p| p.0), Some(4));
    }

    #[test]
    fn list_items_are_located_on_their_own() {
        let f = file(
            "kind: List\nitems:\n- kind: Pod\n  metadata:\n    name: a\n- kind: Pod\n  metadata:\n    name: b\n",
        );
        let docs = parse_file(&f);
        let d = docs[0].as_ref().unwrap();
        let p = FieldPath::fields("items")
            .index(1)
            .key("metadata")
            .key("name");
        assert_eq!(d.locate(&p), Some((8, 5)));
        assert_eq!(d.locate(&FieldPath::fields("items").index(1)), Some((6, 3)));
        let j = file(
            "{\"kind\": \"List\",\n \"items\": [{\"kind\": \"Pod\",\n   \"metadata\": {\"name\": \"a\"}}]}",
        );
        let docs = parse_file(&j);
        let d = docs[0].as_ref().unwrap();
        let p = FieldPath::fields("items")
            .index(0)
            .key("metadata")
            .key("name");
        assert_eq!(d.locate(&p), Some((3, 17)));
        assert_eq!(
            d.locate(&FieldPath::fields("items").index(0)),
            Some((2, 12))
        );
    }

    #[test]
    fn locate_in_yaml() {
        let f = file("x: 1\n---\nspec:\n  a:\n    b: 2\n");
        let docs = parse_file(&f);
        let d = docs[1].as_ref().unwrap();
        assert_eq!(d.locate(&FieldPath::fields("spec.a.b")), Some((5, 5)));
    }
}
