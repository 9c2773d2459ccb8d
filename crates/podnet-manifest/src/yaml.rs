//! YAML text to JSON values, read the way `kubectl` reads it.
//!
//! kubectl converts YAML to JSON with sigs.k8s.io/yaml (a go-yaml v2 fork)
//! before the API server sees it, so plain scalars resolve by YAML 1.1 rules:
//! `yes`/`no`/`on`/`off`/`y`/`n` are booleans, `0755` is octal, `1_000` is
//! 1000, and integral floats print as integers in JSON (`port: 80.0` is 80).
//! podnet resolves scalars the same way so that it accepts and rejects what
//! the cluster would. Merge keys (`<<`) and anchors are supported; aliases
//! are bounded so a "billion laughs" document cannot exhaust memory.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};
use serde_json::{Map, Number, Value};

use crate::items::CharRegion;

/// Deepest nesting accepted (real manifests stay far below).
const MAX_DEPTH: usize = 256;
/// Most nodes alias expansion may create in one chunk.
const MAX_ALIAS_NODES: usize = 1_000_000;

/// A YAML syntax or conversion error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    /// What is wrong, lowercase.
    pub message: String,
    /// 1-based line in the file.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// One document parsed from YAML text.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedDoc {
    /// The document as JSON.
    pub value: Value,
    /// Its position among the text's documents, empty ones included.
    pub ordinal: usize,
    /// 1-based line of the document's root node in the file.
    pub line: u32,
    /// Where the items of a root `items` sequence lie (a `List`), as char
    /// indices into the parsed text.
    pub items: Vec<CharRegion>,
}

enum Frame {
    Seq {
        items: Vec<Value>,
        anchor: usize,
    },
    Map {
        map: Map<String, Value>,
        key: Option<PendingKey>,
        anchor: usize,
        /// Keys that came from a merge (`<<`): explicit keys override them.
        merged: Vec<String>,
    },
}

struct PendingKey {
    name: String,
    is_merge: bool,
    span: Span,
}

struct Builder {
    stack: Vec<Frame>,
    /// Anchored values with their nesting depth.
    anchors: HashMap<usize, (Value, usize)>,
    alias_nodes: usize,
    line_offset: u32,
    docs: Vec<ParsedDoc>,
    root: Option<Value>,
    root_line: u32,
    /// Documents started so far.
    started: usize,
    /// Items of the root `items` sequence seen so far.
    items: Vec<CharRegion>,
    /// Whether events are inside the root `items` sequence.
    in_items: bool,
}

/// Parses every document of `text`; `first_line` is the file line of the
/// text's first line. Empty documents are dropped.
pub fn parse_documents(text: &str, first_line: u32) -> Result<Vec<ParsedDoc>, YamlError> {
    let mut b = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_nodes: 0,
        line_offset: first_line.saturating_sub(1),
        docs: Vec::new(),
        root: None,
        root_line: first_line,
        started: 0,
        items: Vec::new(),
        in_items: false,
    };
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| YamlError {
            message: e.info().to_owned(),
            line: to_u32(e.marker().line()).saturating_add(b.line_offset),
            column: to_u32(e.marker().col()).saturating_add(1),
        })?;
        b.event(event, span)?;
    }
    Ok(b.docs)
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Builder {
    fn err(&self, span: Span, message: impl Into<String>) -> YamlError {
        YamlError {
            message: message.into(),
            line: to_u32(span.start.line()).saturating_add(self.line_offset),
            column: to_u32(span.start.col()).saturating_add(1),
        }
    }

    /// Notes where the items of a root `items:` sequence start and end.
    fn track_items(&mut self, event: &Event<'_>, span: Span) {
        let depth = self.stack.len();
        let starts_node = matches!(
            event,
            Event::Scalar(..)
                | Event::Alias(_)
                | Event::SequenceStart(..)
                | Event::MappingStart(..)
        );
        if !self.in_items {
            let under_items_key = depth == 1
                && matches!(self.stack.last(), Some(Frame::Map { key: Some(k), .. }) if k.name == "items");
            self.in_items = under_items_key && matches!(event, Event::SequenceStart(..));
            return;
        }
        if depth == 2 && matches!(event, Event::SequenceEnd) {
            self.in_items = false;
        } else if depth == 2 && starts_node {
            self.items.push(CharRegion {
                start: span.start.index(),
                end: span.end.index(),
                line: to_u32(span.start.line()).saturating_add(self.line_offset),
                column: to_u32(span.start.col()).saturating_add(1),
            });
        } else if let Some(item) = self.items.last_mut() {
            // Block collections end with an empty span at the next token;
            // only scalars, aliases and flow ends mark where an item ends.
            let marks_end =
                matches!(event, Event::Scalar(..) | Event::Alias(_)) || !span.is_empty();
            if depth >= 2 && marks_end {
                item.end = item.end.max(span.end.index());
            }
        }
    }

    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), YamlError> {
        self.track_items(&event, span);
        match event {
            Event::DocumentStart(_) => {
                self.root = None;
                self.anchors.clear();
                self.started += 1;
                self.items.clear();
                self.in_items = false;
            }
            Event::DocumentEnd => {
                if let Some(value) = self.root.take()
                    && !value.is_null()
                {
                    self.docs.push(ParsedDoc {
                        value,
                        ordinal: self.started.saturating_sub(1),
                        line: self.root_line,
                        items: std::mem::take(&mut self.items),
                    });
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let value = scalar(&text, style, tag.as_deref()).map_err(|m| self.err(span, m))?;
                let is_merge = style == ScalarStyle::Plain && text == "<<";
                self.remember(anchor, &value);
                self.push(value, span, is_merge)?;
            }
            Event::SequenceStart(anchor, _) => {
                self.open(span)?;
                self.stack.push(Frame::Seq {
                    items: Vec::new(),
                    anchor,
                });
            }
            Event::MappingStart(anchor, _) => {
                self.open(span)?;
                self.stack.push(Frame::Map {
                    map: Map::new(),
                    key: None,
                    anchor,
                    merged: Vec::new(),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (value, anchor) = match self.stack.pop() {
                    Some(Frame::Seq { items, anchor }) => (Value::Array(items), anchor),
                    Some(Frame::Map { map, anchor, .. }) => (Value::Object(map), anchor),
                    None => return Err(self.err(span, "unbalanced collection end")),
                };
                self.remember(anchor, &value);
                self.push(value, span, false)?;
            }
            Event::Alias(id) => {
                let (value, depth) = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| self.err(span, "alias to an unknown anchor"))?;
                if self.stack.len() + depth > MAX_DEPTH {
                    return Err(self.err(
                        span,
                        format!("aliases nest values deeper than {MAX_DEPTH} levels"),
                    ));
                }
                self.alias_nodes += count_nodes(&value);
                if self.alias_nodes > MAX_ALIAS_NODES {
                    return Err(self.err(
                        span,
                        "aliases expand to too many nodes (a \"billion laughs\" document?)",
                    ));
                }
                self.push(value, span, false)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn open(&mut self, span: Span) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.err(span, format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        if self.stack.is_empty() {
            self.root_line = to_u32(span.start.line()).saturating_add(self.line_offset);
        }
        Ok(())
    }

    fn remember(&mut self, anchor: usize, value: &Value) {
        if anchor != 0 {
            self.anchors
                .insert(anchor, (value.clone(), depth_of(value)));
        }
    }

    fn push(&mut self, value: Value, span: Span, is_merge: bool) -> Result<(), YamlError> {
        let line_offset = self.line_offset;
        match self.stack.last_mut() {
            None => {
                if !matches!(value, Value::Array(_) | Value::Object(_)) {
                    self.root_line = to_u32(span.start.line()).saturating_add(line_offset);
                }
                self.root = Some(value);
                Ok(())
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(value);
                Ok(())
            }
            Some(Frame::Map {
                map, key, merged, ..
            }) => match key.take() {
                None => {
                    let name = match value {
                        Value::String(s) => s,
                        Value::Null => "null".to_owned(),
                        Value::Bool(b) => b.to_string(),
                        Value::Number(n) => n.to_string(),
                        Value::Array(_) | Value::Object(_) => {
                            return Err(self.err(span, "a mapping key must be a scalar"));
                        }
                    };
                    *key = Some(PendingKey {
                        name,
                        is_merge,
                        span,
                    });
                    Ok(())
                }
                Some(k) if k.is_merge => merge(map, merged, value).map_err(|m| YamlError {
                    message: m.to_owned(),
                    line: to_u32(k.span.start.line()).saturating_add(line_offset),
                    column: to_u32(k.span.start.col()).saturating_add(1),
                }),
                Some(k) => {
                    if let Some(i) = merged.iter().position(|m| *m == k.name) {
                        merged.swap_remove(i);
                    } else if map.contains_key(&k.name) {
                        return Err(YamlError {
                            message: format!("duplicate key `{}`", k.name),
                            line: to_u32(k.span.start.line()).saturating_add(line_offset),
                            column: to_u32(k.span.start.col()).saturating_add(1),
                        });
                    }
                    map.insert(k.name, value);
                    Ok(())
                }
            },
        }
    }
}

/// Applies a YAML merge key: keys of the merged mapping(s) not already set.
fn merge(
    map: &mut Map<String, Value>,
    merged: &mut Vec<String>,
    value: Value,
) -> Result<(), &'static str> {
    let sources = match value {
        Value::Object(m) => vec![m],
        Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Value::Object(m) => Ok(m),
                _ => Err("a merge key (`<<`) takes a mapping or a list of mappings"),
            })
            .collect::<Result<_, _>>()?,
        _ => return Err("a merge key (`<<`) takes a mapping or a list of mappings"),
    };
    for source in sources {
        for (k, v) in source {
            if !map.contains_key(&k) {
                merged.push(k.clone());
                map.insert(k, v);
            }
        }
    }
    Ok(())
}

/// Nesting depth of a value (a scalar is 0); values here are never deeper
/// than `MAX_DEPTH`, so the recursion is bounded.
fn depth_of(v: &Value) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(depth_of).max().unwrap_or(0),
        Value::Object(m) => 1 + m.values().map(depth_of).max().unwrap_or(0),
        _ => 0,
    }
}

fn count_nodes(v: &Value) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Value::Object(m) => 1 + m.values().map(count_nodes).sum::<usize>(),
        _ => 1,
    }
}

/// Resolves one scalar to JSON as go-yaml v2 and sigs.k8s.io/yaml would.
fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<Value, String> {
    if let Some(tag) = tag.filter(|t| t.is_yaml_core_schema()) {
        return match tag.suffix.as_str() {
            "str" | "binary" | "timestamp" => Ok(Value::String(text.to_string())),
            "null" => Ok(Value::Null),
            "bool" => bool_of(text)
                .map(Value::Bool)
                .ok_or_else(|| format!("`{text}` is not a boolean")),
            "int" => int_of(text).ok_or_else(|| format!("`{text}` is not an integer")),
            "float" => float_of(text).ok_or_else(|| format!("`{text}` is not a number"))?,
            _ => Ok(resolve_plain(text)?),
        };
    }
    if style != ScalarStyle::Plain {
        return Ok(Value::String(text.to_string()));
    }
    resolve_plain(text)
}

fn resolve_plain(text: &str) -> Result<Value, String> {
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Ok(Value::Null);
    }
    if let Some(b) = bool_of(text) {
        return Ok(Value::Bool(b));
    }
    if let Some(v) = int_of(text) {
        return Ok(v);
    }
    if let Some(v) = float_of(text) {
        return v;
    }
    Ok(Value::String(text.to_owned()))
}

/// YAML 1.1 booleans as go-yaml v2 resolves them.
fn bool_of(text: &str) -> Option<bool> {
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Some(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Some(false)
        }
        _ => None,
    }
}

/// Integers as Go's `strconv.ParseInt(s, 0, 64)` after removing `_`.
fn int_of(text: &str) -> Option<Value> {
    let plain: String = text.chars().filter(|&c| c != '_').collect();
    let (negative, digits) = match plain.as_bytes().first() {
        Some(b'-') => (true, &plain[1..]),
        Some(b'+') => (false, &plain[1..]),
        _ => (false, plain.as_str()),
    };
    if digits.is_empty() {
        return None;
    }
    let (radix, body) = if let Some(rest) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        (16, rest)
    } else if let Some(rest) = digits
        .strip_prefix("0o")
        .or_else(|| digits.strip_prefix("0O"))
    {
        (8, rest)
    } else if let Some(rest) = digits
        .strip_prefix("0b")
        .or_else(|| digits.strip_prefix("0B"))
    {
        (2, rest)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(body, radix).ok()?;
    if negative {
        let v = i64::try_from(magnitude)
            .ok()
            .and_then(i64::checked_neg)
            .or(if magnitude == 1 << 63 {
                Some(i64::MIN)
            } else {
                None
            })?;
        Some(Value::Number(Number::from(v)))
    } else {
        Some(Value::Number(Number::from(magnitude)))
    }
}

/// Floats as go-yaml v2 resolves them; integral values become JSON integers
/// because Go's JSON encoder prints them without a fraction.
fn float_of(text: &str) -> Option<Result<Value, String>> {
    if matches!(
        text,
        ".nan"
            | ".NaN"
            | ".NAN"
            | ".inf"
            | ".Inf"
            | ".INF"
            | "+.inf"
            | "+.Inf"
            | "+.INF"
            | "-.inf"
            | "-.Inf"
            | "-.INF"
    ) {
        return Some(Err(format!("`{text}` cannot be represented in JSON")));
    }
    let plain: String = text.chars().filter(|&c| c != '_').collect();
    if !is_yaml_float(&plain) {
        return None;
    }
    let f: f64 = plain.parse().ok()?;
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        // exact in both f64 and i64
        #[allow(clippy::cast_possible_truncation)]
        return Some(Ok(Value::Number(Number::from(f as i64))));
    }
    Some(
        Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| format!("`{text}` is not a finite number")),
    )
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(text: &str) -> Value {
        let docs = parse_documents(text, 1).unwrap();
        assert_eq!(docs.len(), 1, "{docs:?}");
        docs.into_iter().next().unwrap().value
    }

    #[test]
    fn yaml_1_1_booleans_like_kubectl() {
        assert_eq!(
            one("a: yes\nb: off\nc: y\nd: 'yes'\ne: True"),
            json!({"a": true, "b": false, "c": true, "d": "yes", "e": true})
        );
    }

    #[test]
    fn go_integer_forms() {
        assert_eq!(
            one("a: 0755\nb: 0x1F\nc: 1_000\nd: -5\ne: 0o17\nf: 0b101"),
            json!({"a": 493, "b": 31, "c": 1000, "d": -5, "e": 15, "f": 5})
        );
    }

    #[test]
    fn integral_floats_become_integers_as_go_json_prints_them() {
        assert_eq!(
            one("a: 80.0\nb: 1e3\nc: 1.5\nd: 080"),
            json!({"a": 80, "b": 1000, "c": 1.5, "d": 80})
        );
    }

    #[test]
    fn strings_stay_strings() {
        assert_eq!(
            one("a: 10.0.0.1\nb: \"80\"\nc: 1.2.3\nd: ~\ne:"),
            json!({"a": "10.0.0.1", "b": "80", "c": "1.2.3", "d": null, "e": null})
        );
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let v = one("base: &b {app: web, tier: fe}\nx:\n  <<: *b\n  tier: be\nz: *b");
        assert_eq!(v["x"], json!({"app": "web", "tier": "be"}));
        assert_eq!(v["z"], json!({"app": "web", "tier": "fe"}));
    }

    #[test]
    fn keys_resolve_like_values_as_in_go_yaml_v2() {
        // go-yaml v2 reads the key `y` as the boolean true; sigs.k8s.io/yaml
        // then writes it as the JSON key "true".
        assert_eq!(one("y: 1\n2: b"), json!({"true": 1, "2": "b"}));
    }

    #[test]
    fn duplicate_keys_are_errors_with_their_line() {
        let e = parse_documents("a: 1\nb: 2\na: 3\n", 10).unwrap_err();
        assert_eq!(e.line, 12);
        assert!(e.message.contains("duplicate key `a`"));
    }

    #[test]
    fn syntax_errors_carry_file_lines() {
        let e = parse_documents("a: 1\nb: [1, 2\n", 5).unwrap_err();
        assert!(e.line >= 6, "{e:?}");
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let prev = i - 1;
            s.push_str(&format!("a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
        }
        assert!(
            parse_documents(&s, 1)
                .unwrap_err()
                .message
                .contains("too many nodes")
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let s = "[".repeat(10_000);
        assert!(parse_documents(&s, 1).is_err());
    }

    #[test]
    fn several_documents_and_root_lines() {
        let docs = parse_documents("# c\na: 1\n--- # x\nb: 2\n", 3).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].line, 4);
        assert_eq!(docs[1].line, 6);
    }

    #[test]
    fn empty_documents_are_dropped() {
        assert!(parse_documents("# only a comment\n", 1).unwrap().is_empty());
    }

    #[test]
    fn list_items_are_located() {
        let text =
            "kind: List\nitems:\n- kind: Pod\n  metadata: {name: a}\n- {kind: Pod}\nmetadata: {}\n";
        let docs = parse_documents(text, 5).unwrap();
        let items = &docs[0].items;
        assert_eq!(items.len(), 2);
        assert_eq!((items[0].line, items[0].column), (7, 3));
        assert_eq!(
            &text[items[0].start..items[0].end],
            "kind: Pod\n  metadata: {name: a}"
        );
        assert_eq!((items[1].line, items[1].column), (9, 3));
        assert_eq!(&text[items[1].start..items[1].end], "{kind: Pod}");
    }

    #[test]
    fn json_is_yaml() {
        assert_eq!(
            one("{\"a\": [1, \"x\", true, null]}"),
            json!({"a": [1, "x", true, null]})
        );
    }
}
