//! Splitting a YAML stream into documents before parsing, so that one broken
//! document is skipped without losing the others, and documents can be
//! parsed in parallel.
//!
//! kubectl (k8s.io/apimachinery `yaml.YAMLReader`) splits on lines that are
//! exactly `---`. podnet also splits on `--- # comment` and `--- !tag` lines:
//! a `---` at column 0 followed by a blank always starts a new YAML document,
//! and counting them keeps "document N" aligned with what a person counts.
//! The marker line stays at the start of its chunk so content after the
//! marker (`--- {a: 1}`) is parsed.

/// A slice of a file holding one document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk<'a> {
    /// The text, starting with its `---` line when it has one.
    pub text: &'a str,
    /// 1-based line of `text`'s first line in the file.
    pub first_line: u32,
}

fn is_document_marker(line: &str) -> bool {
    is_marker(line, "---")
}

/// `...` ends a document; the next document may follow without `---`.
fn is_end_marker(line: &str) -> bool {
    is_marker(line, "...")
}

fn is_marker(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker)
        .is_some_and(|rest| rest.chars().next().is_none_or(char::is_whitespace))
}

/// Whether a chunk holds nothing but its markers and whitespace.
fn is_blank(chunk: &str) -> bool {
    chunk
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_end() == "---" || l.trim_end() == "...")
}

/// The chunks of `text` that hold more than a marker and whitespace.
pub fn split_yaml(text: &str) -> Vec<Chunk<'_>> {
    let mut chunks = Vec::new();
    let mut start = 0usize;
    let mut start_line = 1u32;
    let mut line_no = 1u32;
    let mut pos = 0usize;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        let line = text[pos..end].trim_end_matches(['\n', '\r']);
        if pos > start && is_document_marker(line) {
            if !is_blank(&text[start..pos]) {
                chunks.push(Chunk {
                    text: &text[start..pos],
                    first_line: start_line,
                });
            }
            start = pos;
            start_line = line_no;
        }
        if is_end_marker(line) {
            if !is_blank(&text[start..end]) {
                chunks.push(Chunk {
                    text: &text[start..end],
                    first_line: start_line,
                });
            }
            start = end;
            start_line = line_no.saturating_add(1);
        }
        pos = end;
        line_no = line_no.saturating_add(1);
    }
    if !is_blank(&text[start..]) {
        chunks.push(Chunk {
            text: &text[start..],
            first_line: start_line,
        });
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_marker_lines() {
        let t = "a: 1\n---\nb: 2\n--- # comment\nc: 3\n---   \n\n---\nd: 4";
        let c = split_yaml(t);
        let firsts: Vec<u32> = c.iter().map(|c| c.first_line).collect();
        assert_eq!(firsts, [1, 2, 4, 8]);
        assert_eq!(c[0].text, "a: 1\n");
        assert_eq!(c[1].text, "---\nb: 2\n");
        assert_eq!(c[3].text, "---\nd: 4");
    }

    #[test]
    fn leading_marker_and_crlf() {
        let c = split_yaml("---\r\na: 1\r\n---\r\nb: 2\r\n");
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].first_line, 1);
        assert_eq!(c[1].first_line, 3);
    }

    #[test]
    fn indented_dashes_and_longer_rules_do_not_split() {
        assert_eq!(split_yaml("a: |\n  ---\n  x\n").len(), 1);
        assert_eq!(split_yaml("a: 1\n----\nb: 2\n").len(), 1);
    }

    #[test]
    fn end_markers_end_a_chunk() {
        let c = split_yaml("a: 1\n...\nb: 2\n...\n---\nc: 3\n");
        let firsts: Vec<u32> = c.iter().map(|c| c.first_line).collect();
        assert_eq!(firsts, [1, 3, 5]);
        assert_eq!(c[0].text, "a: 1\n...\n");
    }

    #[test]
    fn content_on_the_marker_line_is_kept() {
        let c = split_yaml("a: 1\n--- {b: 2}\n");
        assert_eq!(c[1].text, "--- {b: 2}\n");
    }
}
