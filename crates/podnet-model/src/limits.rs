//! The bounds podnet puts on what it reads, in one place.
//!
//! Every resource the reader spends grows with the input's size, and these
//! limits bound what a small hostile input can make it spend: a file that
//! never ends (`/dev/zero`, `yes |`), anchors and aliases that multiply a
//! document ("billion laughs"), nesting that would exhaust the stack, and
//! values so long that echoing them floods the terminal. Exceeding a limit
//! is an error located at the file (and document) concerned; the rest of
//! the input is analysed. docs/diagnostics.md lists the same table.
//!
//! Together they keep the reader's memory within about 100 times the
//! input's size for the worst shapes (real manifests take 5 to 20 times):
//! no input of under 10 MB needs more than 1 GB.

/// The limits on what is read; [`Limits::DEFAULT`] is what podnet uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest file (or standard input) read, in bytes. Larger ones are
    /// refused without being read whole.
    pub file_bytes: u64,
    /// Most documents in one file (`---`-separated YAML or a JSON stream);
    /// the ones after it are not read.
    pub documents_per_file: usize,
    /// Most items in one `List` document.
    pub list_items: usize,
    /// Deepest nesting of collections in a document, aliases expanded.
    pub depth: usize,
    /// What aliases may add to one document, as a multiple of the
    /// document's own size in bytes...
    pub alias_ratio: usize,
    /// ...plus the document's share, by size, of this many bytes per file.
    /// Sizes count 32 bytes per node plus the text of each scalar, close to
    /// what the expanded value takes in memory.
    pub alias_bytes_per_file: usize,
    /// Longest value quoted in a message, in characters; longer ones are
    /// cut and end with `…`.
    pub quoted_chars: usize,
    /// Longest message, in characters (cut with `…`).
    pub message_chars: usize,
    /// Longest source line shown in a diagnostic excerpt, in characters.
    pub excerpt_chars: usize,
}

impl Limits {
    /// The limits podnet applies.
    pub const DEFAULT: Limits = Limits {
        file_bytes: 1 << 30,
        documents_per_file: 100_000,
        list_items: 1_000_000,
        depth: 256,
        alias_ratio: 32,
        alias_bytes_per_file: 32 << 20,
        quoted_chars: 120,
        message_chars: 2_000,
        excerpt_chars: 160,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// `text` cut to at most `max` characters, ending with `…` when cut.
pub fn truncate(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => text.into(),
        Some(_) => {
            let keep = max.saturating_sub(1);
            let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
            format!("{}…", &text[..end]).into()
        }
    }
}

/// A value to quote in a message: cut to [`Limits::quoted_chars`].
pub fn quoted(value: &str) -> std::borrow::Cow<'_, str> {
    truncate(value, Limits::DEFAULT.quoted_chars)
}

/// A message with every backtick-quoted value cut to
/// [`Limits::quoted_chars`], and the whole cut to [`Limits::message_chars`].
pub fn shorten_message(message: String) -> String {
    let limits = Limits::DEFAULT;
    let long_quote = message
        .split('`')
        .skip(1)
        .step_by(2)
        .any(|q| q.len() > limits.quoted_chars);
    let message = if long_quote {
        message
            .split('`')
            .enumerate()
            .map(|(i, part)| {
                if i % 2 == 1 {
                    truncate(part, limits.quoted_chars)
                } else {
                    part.into()
                }
            })
            .collect::<Vec<_>>()
            .join("`")
    } else {
        message
    };
    if message.len() > limits.message_chars {
        truncate(&message, limits.message_chars).into_owned()
    } else {
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_short_text_and_marks_cuts() {
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcd", 3), "ab…");
        assert_eq!(truncate("ééééé", 4), "ééé…");
        assert_eq!(truncate("", 0), "");
    }

    #[test]
    fn messages_cut_long_quoted_values_and_keep_the_rest() {
        let long = "v".repeat(10_000);
        let m = shorten_message(format!(
            "invalid label value `{long}`: must be 63 characters"
        ));
        assert!(m.ends_with("…`: must be 63 characters"), "{m}");
        assert_eq!(
            m.chars().count(),
            "invalid label value ``: must be 63 characters".len() + 120
        );
        let all_ticks = "`".repeat(100_000);
        let m = shorten_message(all_ticks);
        assert_eq!(m.chars().count(), Limits::DEFAULT.message_chars);
        assert!(m.ends_with('…'));
        assert_eq!(shorten_message("plain".to_owned()), "plain");
    }
}
