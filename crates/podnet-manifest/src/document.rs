//! Documents: one parsed YAML or JSON document with where it came from, and
//! the means to turn a field path into a located diagnostic.

use std::sync::OnceLock;

use rayon::prelude::*;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::input::SourceFile;
use crate::items::{ItemRegion, JsonList, to_byte_regions};
use crate::lines::LineMap;
use crate::path::{FieldPath, Seg};
use crate::split::split_yaml;
use crate::yaml::parse_documents;

/// One document of a file.
#[derive(Debug)]
pub struct RawDoc<'f> {
    /// The file it is in.
    pub file: &'f SourceFile,
    /// 1-based index in the file.
    pub index: u32,
    /// 1-based line of its root node.
    pub line: u32,
    /// The content; for a JSON `List`, without its items (see
    /// [`RawDoc::raw_items`]).
    pub value: Value,
    /// The items of a JSON `List`, not parsed yet.
    pub raw_items: Vec<&'f RawValue>,
    text: &'f str,
    first_line: u32,
    first_column: u32,
    ordinal: usize,
    lines: OnceLock<LineMap>,
    /// The items of a `List` document, each located on its own.
    items: Vec<ItemRegion>,
    item_lines: Vec<OnceLock<LineMap>>,
}

impl<'f> RawDoc<'f> {
    /// The whole content, JSON List items included.
    pub fn full_value(&self) -> Value {
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
            raw_items: Vec::new(),
            text,
            first_line,
            first_column,
            ordinal,
            lines: OnceLock::new(),
            item_lines: items.iter().map(|_| OnceLock::new()).collect(),
            items,
        }
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
        self.lines
            .get_or_init(|| {
                LineMap::build(self.text, self.first_line, self.first_column, self.ordinal)
            })
            .locate(path)
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
        d.file_text = Some(self.file.text.clone());
        d
    }
}

/// A document, or the error that kept it from being read.
pub type DocResult<'f> = Result<RawDoc<'f>, Box<Diagnostic>>;

/// Whether the text is JSON (the first non-blank character opens an object
/// or array), as kubectl's YAMLOrJSONDecoder decides.
fn looks_like_json(text: &str) -> bool {
    matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'['))
}

/// Parses every document of a file, in order.
pub fn parse_file(file: &SourceFile) -> Vec<DocResult<'_>> {
    if looks_like_json(&file.text) {
        parse_json(file)
    } else {
        parse_yaml(file)
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
    d.file_text = Some(file.text.clone());
    d
}

fn parse_yaml(file: &SourceFile) -> Vec<DocResult<'_>> {
    let chunks = split_yaml(&file.text);
    let parsed: Vec<_> = chunks
        .par_iter()
        .map(|c| (c, parse_documents(c.text, c.first_line)))
        .collect();
    let mut out = Vec::with_capacity(parsed.len());
    let mut index = 0u32;
    for (chunk, result) in parsed {
        match result {
            Ok(docs) => {
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
                    )));
                }
            }
            Err(e) => {
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
    out
}

fn parse_json(file: &SourceFile) -> Vec<DocResult<'_>> {
    let text: &str = &file.text;
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<&RawValue>();
    let mut index = 0u32;
    for next in stream.by_ref() {
        index += 1;
        match next {
            Ok(raw) => {
                let doc_text = raw.get();
                let start = (doc_text.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
                let first_line = line_at(text, start);
                let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
                let first_column =
                    u32::try_from(text[line_start..start].chars().count() + 1).unwrap_or(u32::MAX);
                let doc = match JsonList::parse(doc_text) {
                    Some(list) => {
                        let regions = list.regions(doc_text, first_line, first_column);
                        let mut doc = RawDoc::new(
                            file,
                            index,
                            first_line,
                            list.head(),
                            doc_text,
                            first_line,
                            first_column,
                            0,
                            regions,
                        );
                        doc.raw_items = list.items;
                        doc
                    }
                    None => match serde_json::from_str(doc_text) {
                        Ok(value) => RawDoc::new(
                            file,
                            index,
                            first_line,
                            value,
                            doc_text,
                            first_line,
                            first_column,
                            0,
                            Vec::new(),
                        ),
                        // Well-formed but beyond serde_json's nesting limit.
                        Err(e) => {
                            let line = first_line.saturating_add(
                                u32::try_from(e.line())
                                    .unwrap_or(u32::MAX)
                                    .saturating_sub(1),
                            );
                            let column = u32::try_from(e.column()).unwrap_or(u32::MAX).max(1);
                            out.push(Err(Box::new(file_diag(
                                file,
                                index,
                                line,
                                column,
                                format!("invalid JSON: {e}"),
                            ))));
                            continue;
                        }
                    },
                };
                out.push(Ok(doc));
            }
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
        }
    }
    out
}

fn line_at(text: &str, byte: usize) -> u32 {
    let n = text.as_bytes()[..byte]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1;
    u32::try_from(n).unwrap_or(u32::MAX)
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
