//! Where each item of a `List` document lies in the file.
//!
//! `kubectl get -A -o yaml` (or `-o json`) prints a whole cluster as one
//! document whose `items` hold every object. Knowing each item's place lets
//! podnet give items their own line without indexing the whole document,
//! find a field's line by re-reading only that item, and decode the items in
//! parallel. JSON items are not even parsed until they are decoded, so a
//! large dump never sits in memory as one value.

use serde::Deserialize;
use serde_json::value::RawValue;

/// One item's text in its document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemRegion {
    /// Byte offset of the item's first character in the document's text.
    pub start: usize,
    /// Byte offset just past the item's last character.
    pub end: usize,
    /// 1-based line of the item's start in the file.
    pub line: u32,
    /// 1-based column of the item's start.
    pub column: u32,
    /// Whether the item is written in flow style (`{...}`, JSON): its text
    /// parses on its own; a block item needs its first line indented.
    pub flow: bool,
}

impl ItemRegion {
    /// The item's text, ready to parse on its own with the item's first line
    /// at `line` and its first character at `column`: block items get their
    /// first line indented to their column, so indentation stays consistent.
    pub fn text<'t>(&self, doc_text: &'t str) -> std::borrow::Cow<'t, str> {
        let body = doc_text.get(self.start..self.end).unwrap_or_default();
        if self.flow {
            body.into()
        } else {
            let pad = " ".repeat(self.column.saturating_sub(1) as usize);
            format!("{pad}{body}").into()
        }
    }
}

/// Item starts recorded while parsing YAML: char indices, to be converted to
/// byte offsets once parsing is over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CharRegion {
    /// Char index of the start.
    pub start: usize,
    /// Char index just past the end.
    pub end: usize,
    /// 1-based file line of the start.
    pub line: u32,
    /// 1-based column of the start.
    pub column: u32,
}

/// Converts char-indexed regions of `text` to byte offsets (regions in
/// order of their start).
pub fn to_byte_regions(text: &str, regions: &[CharRegion]) -> Vec<ItemRegion> {
    let mut needed: Vec<usize> = regions.iter().flat_map(|r| [r.start, r.end]).collect();
    needed.sort_unstable();
    needed.dedup();
    let mut bytes = std::collections::HashMap::with_capacity(needed.len());
    let mut want = needed.iter().peekable();
    for (chars, (byte, _)) in text.char_indices().enumerate() {
        while want.peek().is_some_and(|&&w| w == chars) {
            bytes.insert(chars, byte);
            want.next();
        }
        if want.peek().is_none() {
            break;
        }
    }
    let at = |c: usize| bytes.get(&c).copied().unwrap_or(text.len());
    regions
        .iter()
        .map(|r| {
            let (start, end) = (at(r.start), at(r.end).max(at(r.start)));
            ItemRegion {
                start,
                end,
                line: r.line,
                column: r.column,
                flow: matches!(text.as_bytes().get(start), Some(b'{' | b'[')),
            }
        })
        .collect()
}

/// The shape of a JSON `List` document, with its items left unparsed.
#[derive(Deserialize)]
pub struct JsonList<'a> {
    /// `apiVersion`.
    #[serde(rename = "apiVersion")]
    pub api_version: Option<String>,
    /// `kind`.
    pub kind: Option<String>,
    /// `items`, as raw JSON text.
    #[serde(borrow)]
    pub items: Vec<&'a RawValue>,
}

impl<'a> JsonList<'a> {
    /// Reads `text` as a List, if it is one (an object with an `items` array).
    pub fn parse(text: &'a str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    /// The document without its items (`"items": []`).
    pub fn head(&self) -> serde_json::Value {
        serde_json::json!({"apiVersion": self.api_version, "kind": self.kind, "items": []})
    }

    /// Where each item lies in `text` (the document's text, which starts at
    /// file line `first_line`, column `first_column`).
    pub fn regions(&self, text: &str, first_line: u32, first_column: u32) -> Vec<ItemRegion> {
        let base = text.as_ptr() as usize;
        let mut line = first_line;
        let mut line_start = 0usize;
        let mut scanned = 0usize;
        let mut out = Vec::with_capacity(self.items.len());
        for item in &self.items {
            let start = (item.get().as_ptr() as usize)
                .saturating_sub(base)
                .min(text.len());
            let end = (start + item.get().len()).min(text.len());
            for (i, b) in text.as_bytes()[scanned..start].iter().enumerate() {
                if *b == b'\n' {
                    line = line.saturating_add(1);
                    line_start = scanned + i + 1;
                }
            }
            scanned = start;
            let chars = text[line_start..start].chars().count();
            let column = if line_start == 0 {
                first_column.saturating_add(u32::try_from(chars).unwrap_or(u32::MAX))
            } else {
                u32::try_from(chars + 1).unwrap_or(u32::MAX)
            };
            out.push(ItemRegion {
                start,
                end,
                line,
                column,
                flow: true,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_items_with_lines_and_columns() {
        let text = "{\"kind\": \"List\", \"items\": [\n  {\"a\": 1},\n  {\"b\":\n 2}]}";
        let items = JsonList::parse(text).unwrap().regions(text, 10, 1);
        assert_eq!(items.len(), 2);
        assert_eq!((items[0].line, items[0].column), (11, 3));
        assert_eq!(&text[items[0].start..items[0].end], "{\"a\": 1}");
        assert_eq!((items[1].line, items[1].column), (12, 3));
        assert_eq!(items[1].text(text), "{\"b\":\n 2}");
    }

    #[test]
    fn block_items_are_indented_to_their_column() {
        let r = ItemRegion {
            start: 2,
            end: 18,
            line: 4,
            column: 3,
            flow: false,
        };
        assert_eq!(r.text("- a: 1\n  b: [x, y]\n"), "  a: 1\n  b: [x, y]");
    }
}
