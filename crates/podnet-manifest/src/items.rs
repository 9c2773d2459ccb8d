//! Where each item of a `List` document lies in the file.
//!
//! `kubectl get -A -o yaml` (or `-o json`) prints a whole cluster as one
//! document whose `items` hold every object. Knowing each item's place lets
//! podnet give items their own line without indexing the whole document,
//! find a field's line by re-reading only that item, and decode the items in
//! parallel. JSON items are not even parsed until they are decoded, so a
//! large dump never sits in memory as one value.

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

/// Line and column of increasing byte offsets of a text, found in one pass
/// however long its lines are.
#[derive(Clone, Debug)]
pub struct TextCursor<'t> {
    text: &'t str,
    /// The line and column of the text's first character.
    origin: (u32, u32),
    pos: usize,
    line: u32,
    column: u32,
}

impl<'t> TextCursor<'t> {
    /// A cursor at the start of `text`, whose first character is at
    /// `line`, `column` (1-based; columns count characters).
    pub fn new(text: &'t str, line: u32, column: u32) -> Self {
        TextCursor {
            text,
            origin: (line, column),
            pos: 0,
            line,
            column,
        }
    }

    /// The line and column of byte `at` (a character boundary). Offsets
    /// are expected in increasing order; an earlier one restarts from the
    /// start of the text.
    pub fn advance_to(&mut self, at: usize) -> (u32, u32) {
        let at = at.min(self.text.len());
        if at < self.pos {
            *self = TextCursor::new(self.text, self.origin.0, self.origin.1);
        }
        let seg = &self.text.as_bytes()[self.pos..at];
        let chars = |from: usize| {
            let n = self.text.get(from..at).map_or(0, |s| s.chars().count());
            u32::try_from(n).unwrap_or(u32::MAX)
        };
        match memchr::memrchr(b'\n', seg) {
            Some(last) => {
                let breaks = memchr::memchr_iter(b'\n', seg).count();
                self.line = self
                    .line
                    .saturating_add(u32::try_from(breaks).unwrap_or(u32::MAX));
                self.column = chars(self.pos + last + 1).saturating_add(1);
            }
            None => self.column = self.column.saturating_add(chars(self.pos)),
        }
        self.pos = at;
        (self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_count_lines_and_columns_in_one_pass() {
        let text = "ab\ncé d\n\nxyz";
        let mut c = TextCursor::new(text, 10, 5);
        assert_eq!(c.advance_to(1), (10, 6));
        assert_eq!(c.advance_to(3), (11, 1));
        assert_eq!(c.advance_to(text.find('d').unwrap()), (11, 4));
        assert_eq!(c.advance_to(text.len()), (13, 4));
        assert_eq!(c.advance_to(0), (10, 5), "going back restarts");
        // One long line: columns keep counting from the last position.
        let line = "é".repeat(1000);
        let mut c = TextCursor::new(&line, 1, 1);
        for i in 1..=1000 {
            assert_eq!(c.advance_to(2 * i), (1, u32::try_from(i).unwrap() + 1));
        }
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
