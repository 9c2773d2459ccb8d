//! Making input safe to print on a terminal.
//!
//! Manifests are untrusted: a label value, a file name or a policy name can
//! hold terminal escape sequences (`ESC [2J` clears the screen, `ESC ]52`
//! writes the clipboard) or bidirectional overrides that reorder what is
//! shown. Everything human-readable podnet prints goes through [`escape`]
//! or [`EscapingWriter`]: control characters print as Rust escapes
//! (`\u{1b}`), so the bytes reach the terminal as visible text.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io;

/// Whether `c` must not reach a terminal as it is: C0 and C1 controls and
/// DEL (tab and line feed too: diagnostics are single lines), and the
/// Unicode bidirectional formatting characters.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every [`is_unsafe`] character escaped.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    out.into()
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if is_unsafe(c) => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
        c => out.push(c),
    }
}

/// A writer for human-readable output (text, tables, Markdown, CSV, dot):
/// line feeds and tabs pass, every other [`is_unsafe`] character is
/// escaped. Bytes that are not UTF-8 are written as `\x..`. JSON passes
/// unchanged (its strings never hold raw control characters).
pub struct EscapingWriter<W: io::Write> {
    inner: W,
    /// An incomplete UTF-8 sequence carried to the next write.
    pending: Vec<u8>,
}

impl<W: io::Write> EscapingWriter<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        EscapingWriter {
            inner,
            pending: Vec::new(),
        }
    }

    /// The wrapped writer, once everything was written.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.flush_pending()?;
        Ok(self.inner)
    }

    fn flush_pending(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let bytes = std::mem::take(&mut self.pending);
        let mut out = String::new();
        for b in bytes {
            let _ = write!(out, "\\x{b:02x}");
        }
        self.inner.write_all(out.as_bytes())
    }

    fn write_text(&mut self, text: &str) -> io::Result<()> {
        if !text.chars().any(|c| c != '\n' && c != '\t' && is_unsafe(c)) {
            return self.inner.write_all(text.as_bytes());
        }
        let mut out = String::with_capacity(text.len() + 8);
        for c in text.chars() {
            if c == '\n' || c == '\t' {
                out.push(c);
            } else {
                push_escaped(&mut out, c);
            }
        }
        self.inner.write_all(out.as_bytes())
    }
}

impl<W: io::Write> io::Write for EscapingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut bytes = std::mem::take(&mut self.pending);
        bytes.extend_from_slice(buf);
        let mut rest: &[u8] = &bytes;
        while !rest.is_empty() {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    self.write_text(text)?;
                    rest = &[];
                }
                Err(e) => {
                    let (valid, after) = rest.split_at(e.valid_up_to());
                    self.write_text(std::str::from_utf8(valid).unwrap_or_default())?;
                    match e.error_len() {
                        // Cut in the middle of a character: wait for more.
                        None => {
                            self.pending = after.to_vec();
                            rest = &[];
                        }
                        Some(n) => {
                            let mut shown = String::new();
                            for b in &after[..n] {
                                let _ = write!(shown, "\\x{b:02x}");
                            }
                            self.inner.write_all(shown.as_bytes())?;
                            rest = &after[n..];
                        }
                    }
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn controls_and_bidi_overrides_are_escaped() {
        assert_eq!(escape("plain é"), "plain é");
        assert_eq!(
            escape("\u{1b}[2J\u{1b}]52;c;aGk=\u{7}"),
            "\\u{1b}[2J\\u{1b}]52;c;aGk=\\u{7}"
        );
        assert_eq!(escape("a\nb\tc\r"), "a\\nb\\tc\\r");
        assert_eq!(escape("\u{9b}31m"), "\\u{9b}31m", "C1 CSI");
        assert_eq!(escape("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(escape("\u{7f}"), "\\u{7f}");
    }

    #[test]
    fn the_writer_keeps_lines_and_tabs_and_joins_split_characters() {
        let mut w = EscapingWriter::new(Vec::new());
        w.write_all(b"a\tb\n\x1b[31m").unwrap();
        let e = "é".as_bytes();
        w.write_all(&e[..1]).unwrap();
        w.write_all(&e[1..]).unwrap();
        w.write_all(b" \xff end\n").unwrap();
        w.write_all(&e[..1]).unwrap();
        let out = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(out, "a\tb\n\\u{1b}[31mé \\xff end\n\\xc3");
    }
}
