//! YAML text to JSON values, read the way `kubectl` reads it.
//!
//! kubectl converts YAML to JSON with sigs.k8s.io/yaml (a go-yaml v2 fork)
//! before the API server sees it, so plain scalars resolve by YAML 1.1 rules:
//! `yes`/`no`/`on`/`off`/`y`/`n` are booleans, `0755` is octal, `1_000` is
//! 1000, and integral floats print as integers in JSON (`port: 80.0` is 80).
//! podnet resolves scalars the same way so that it accepts and rejects what
//! the cluster would. Merge keys (`<<`) and anchors are supported; aliases
//! are bounded so a "billion laughs" document cannot exhaust memory.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};
use serde_json::{Map, Number, Value};

use crate::items::CharRegion;
use crate::limits::Limits;
use crate::path::FieldPath;

/// What a document counts as a node's size when bounding alias expansion:
/// about what a JSON value takes in memory besides its text.
const NODE_BYTES: usize = 32;

/// Bounds on one chunk of YAML text (see [`Limits`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YamlBudget {
    /// Deepest nesting of collections, aliases expanded.
    pub depth: usize,
    /// Bytes aliases may add to the chunk's documents (sizes as
    /// [`Limits::alias_ratio`] counts them).
    pub alias_bytes: usize,
}

impl YamlBudget {
    /// The budget of a chunk of `chunk_bytes` bytes in a file of
    /// `file_bytes` bytes: [`Limits::alias_ratio`] times the chunk, plus the
    /// chunk's share of [`Limits::alias_bytes_per_file`].
    pub fn for_chunk(limits: &Limits, chunk_bytes: usize, file_bytes: usize) -> Self {
        let share = (limits.alias_bytes_per_file as u128 * chunk_bytes as u128)
            .checked_div(file_bytes.max(chunk_bytes) as u128)
            .unwrap_or(0);
        let alias_bytes = chunk_bytes
            .saturating_mul(limits.alias_ratio)
            .saturating_add(usize::try_from(share).unwrap_or(usize::MAX));
        YamlBudget {
            depth: limits.depth,
            alias_bytes,
        }
    }
}

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
    /// Positions of the collections a located record points at, taken
    /// while parsing (see [`Positions`]).
    pub positions: Positions,
}

/// Deepest collection whose position parsing records.
const POSITION_DEPTH: usize = 6;

/// File positions (1-based line and column) of the collections that lowering
/// asks for on every object, not only on errors: the items of sequences
/// (policy rules, peers and ports, Ingress paths, Gateway listeners) and the
/// top-level fields. They are the positions [`crate::lines::LineMap`] would
/// find (a mapping value at its key, a sequence item at its start; the
/// first of duplicate keys), recorded during the one parse so that a
/// NetworkPolicy's rules need no second scan of its text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Positions(HashMap<FieldPath, (u32, u32), foldhash::fast::RandomState>);

impl Positions {
    /// The recorded position of exactly `path`.
    pub fn get(&self, path: &FieldPath) -> Option<(u32, u32)> {
        self.0.get(path).copied()
    }
}

/// A node of the document being built. Plain JSON as long as no anchor or
/// alias is involved; an anchored node is shared (not copied) between its
/// place and its aliases until the document is complete, so anchors cost
/// nothing and aliases cost only what they add to the final value.
#[derive(Clone, Debug)]
enum Node {
    Plain(Value),
    Seq(Vec<Node>),
    Map(BTreeMap<String, Node>),
    Shared(Rc<Anchored>),
}

/// An anchored node with its expanded size and depth.
#[derive(Debug)]
struct Anchored {
    node: Node,
    /// Size when expanded (see [`NODE_BYTES`]).
    cost: usize,
    /// Nesting depth when expanded.
    depth: usize,
}

/// A node with its expanded size and depth.
struct Built {
    node: Node,
    cost: usize,
    depth: usize,
}

/// The items of a sequence being built: plain until a shared node arrives.
enum Items {
    Plain(Vec<Value>),
    Mixed(Vec<Node>),
}

impl Items {
    fn len(&self) -> usize {
        match self {
            Items::Plain(items) => items.len(),
            Items::Mixed(items) => items.len(),
        }
    }

    fn push(&mut self, node: Node) {
        match (self, node) {
            (Items::Plain(items), Node::Plain(v)) => items.push(v),
            (Items::Mixed(items), node) => items.push(node),
            (this @ Items::Plain(_), node) => {
                let Items::Plain(items) = std::mem::replace(this, Items::Mixed(Vec::new())) else {
                    return;
                };
                let mut mixed: Vec<Node> = items.into_iter().map(Node::Plain).collect();
                mixed.push(node);
                *this = Items::Mixed(mixed);
            }
        }
    }

    fn into_node(self) -> Node {
        match self {
            Items::Plain(items) => Node::Plain(Value::Array(items)),
            Items::Mixed(items) => Node::Seq(items),
        }
    }
}

/// The entries of a mapping being built: plain until a shared node arrives.
enum Entries {
    Plain(Map<String, Value>),
    Mixed(BTreeMap<String, Node>),
}

impl Entries {
    fn contains_key(&self, key: &str) -> bool {
        match self {
            Entries::Plain(m) => m.contains_key(key),
            Entries::Mixed(m) => m.contains_key(key),
        }
    }

    fn insert(&mut self, key: String, node: Node) {
        match (self, node) {
            (Entries::Plain(m), Node::Plain(v)) => {
                m.insert(key, v);
            }
            (Entries::Mixed(m), node) => {
                m.insert(key, node);
            }
            (this @ Entries::Plain(_), node) => {
                let Entries::Plain(m) = std::mem::replace(this, Entries::Mixed(BTreeMap::new()))
                else {
                    return;
                };
                let mut mixed: BTreeMap<String, Node> =
                    m.into_iter().map(|(k, v)| (k, Node::Plain(v))).collect();
                mixed.insert(key, node);
                *this = Entries::Mixed(mixed);
            }
        }
    }

    fn into_node(self) -> Node {
        match self {
            Entries::Plain(m) => Node::Plain(Value::Object(m)),
            Entries::Mixed(m) => Node::Map(m),
        }
    }
}

enum Frame {
    Seq {
        items: Items,
        anchor: usize,
        cost: usize,
        depth: usize,
    },
    Map {
        map: Entries,
        key: Option<PendingKey>,
        anchor: usize,
        /// Keys that came from a merge (`<<`): explicit keys override them.
        merged: HashSet<String>,
        cost: usize,
        depth: usize,
    },
}

struct PendingKey {
    name: String,
    is_merge: bool,
    span: Span,
}

struct Builder {
    stack: Vec<Frame>,
    /// Anchored nodes of the current document.
    anchors: HashMap<usize, Rc<Anchored>>,
    budget: YamlBudget,
    /// Bytes aliases added so far.
    alias_bytes: usize,
    /// Bytes of shared nodes copied into finished values.
    copied_bytes: usize,
    line_offset: u32,
    docs: Vec<ParsedDoc>,
    root: Option<Node>,
    root_line: u32,
    /// Documents started so far.
    started: usize,
    /// Items of the root `items` sequence seen so far.
    items: Vec<CharRegion>,
    /// Whether events are inside the root `items` sequence.
    in_items: bool,
    /// Positions recorded in the current document.
    positions: Positions,
}

/// Parses every document of `text`; `first_line` is the file line of the
/// text's first line. Empty documents are dropped. Bounded as if `text`
/// were a whole file ([`Limits::DEFAULT`]).
pub fn parse_documents(text: &str, first_line: u32) -> Result<Vec<ParsedDoc>, YamlError> {
    let budget = YamlBudget::for_chunk(&Limits::DEFAULT, text.len(), text.len());
    parse_documents_within(text, first_line, budget)
}

/// [`parse_documents`] within `budget`.
pub fn parse_documents_within(
    text: &str,
    first_line: u32,
    budget: YamlBudget,
) -> Result<Vec<ParsedDoc>, YamlError> {
    parse_counted(text, first_line, budget).0
}

/// What parsing spent on aliases, to check the bounds hold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct YamlStats {
    /// Bytes aliases added, as the budget counts them.
    pub alias_bytes: usize,
    /// Bytes of shared nodes copied into the finished values (at most
    /// `alias_bytes` plus what merge keys copy from the text itself).
    pub copied_bytes: usize,
}

/// [`parse_documents_within`], also saying what aliases cost.
pub fn parse_counted(
    text: &str,
    first_line: u32,
    budget: YamlBudget,
) -> (Result<Vec<ParsedDoc>, YamlError>, YamlStats) {
    let mut b = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        budget,
        alias_bytes: 0,
        copied_bytes: 0,
        line_offset: first_line.saturating_sub(1),
        docs: Vec::new(),
        root: None,
        root_line: first_line,
        started: 0,
        items: Vec::new(),
        in_items: false,
        positions: Positions::default(),
    };
    let result = parse_events(text, &mut b).map(|()| std::mem::take(&mut b.docs));
    let stats = YamlStats {
        alias_bytes: b.alias_bytes,
        copied_bytes: b.copied_bytes,
    };
    (result, stats)
}

fn parse_events(text: &str, b: &mut Builder) -> Result<(), YamlError> {
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| YamlError {
            message: e.info().to_owned(),
            line: to_u32(e.marker().line()).saturating_add(b.line_offset),
            column: to_u32(e.marker().col()).saturating_add(1),
        })?;
        b.event(event, span)?;
    }
    Ok(())
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
                self.positions = Positions::default();
            }
            Event::DocumentEnd => {
                // Unshared anchors move into place instead of being copied.
                self.anchors.clear();
                if let Some(root) = self.root.take() {
                    let value = into_value(root, &mut self.copied_bytes);
                    if !value.is_null() {
                        self.docs.push(ParsedDoc {
                            value,
                            ordinal: self.started.saturating_sub(1),
                            line: self.root_line,
                            items: std::mem::take(&mut self.items),
                            positions: std::mem::take(&mut self.positions),
                        });
                    }
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let is_merge = style == ScalarStyle::Plain && text == "<<";
                let cost = NODE_BYTES.saturating_add(text.len());
                let value = scalar(text, style, tag.as_deref())
                    .map_err(|m| self.err(span, m.to_string()))?;
                let built = Built {
                    node: Node::Plain(value),
                    cost,
                    depth: 0,
                };
                let built = self.remember(anchor, built);
                self.push(built, span, is_merge)?;
            }
            Event::SequenceStart(anchor, _) => {
                self.open(span)?;
                self.record_position(span);
                self.stack.push(Frame::Seq {
                    items: Items::Plain(Vec::new()),
                    anchor,
                    cost: NODE_BYTES,
                    depth: 1,
                });
            }
            Event::MappingStart(anchor, _) => {
                self.open(span)?;
                self.record_position(span);
                self.stack.push(Frame::Map {
                    map: Entries::Plain(Map::new()),
                    key: None,
                    anchor,
                    merged: HashSet::new(),
                    cost: NODE_BYTES,
                    depth: 1,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (built, anchor) = match self.stack.pop() {
                    Some(Frame::Seq {
                        items,
                        anchor,
                        cost,
                        depth,
                    }) => (
                        Built {
                            node: items.into_node(),
                            cost,
                            depth,
                        },
                        anchor,
                    ),
                    Some(Frame::Map {
                        map,
                        anchor,
                        cost,
                        depth,
                        ..
                    }) => (
                        Built {
                            node: map.into_node(),
                            cost,
                            depth,
                        },
                        anchor,
                    ),
                    None => return Err(self.err(span, "unbalanced collection end")),
                };
                let built = self.remember(anchor, built);
                self.push(built, span, false)?;
            }
            Event::Alias(id) => {
                let anchored = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| self.err(span, "alias to an unknown anchor"))?;
                let max = self.budget.depth;
                if self.stack.len() + anchored.depth > max {
                    return Err(self.err(
                        span,
                        format!("aliases nest values deeper than {max} levels"),
                    ));
                }
                self.alias_bytes = self.alias_bytes.saturating_add(anchored.cost);
                if self.alias_bytes > self.budget.alias_bytes {
                    return Err(self.err(
                        span,
                        format!(
                            "aliases expand the document past its limit of {} bytes (a \"billion laughs\" document?)",
                            self.budget.alias_bytes
                        ),
                    ));
                }
                let built = Built {
                    cost: anchored.cost,
                    depth: anchored.depth,
                    node: Node::Shared(anchored),
                };
                self.push(built, span, false)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn open(&mut self, span: Span) -> Result<(), YamlError> {
        let max = self.budget.depth;
        if self.stack.len() >= max {
            return Err(self.err(span, format!("nesting deeper than {max} levels")));
        }
        if self.stack.is_empty() {
            self.root_line = to_u32(span.start.line()).saturating_add(self.line_offset);
        }
        Ok(())
    }

    /// Records where a collection starting at `span` sits, when it is a
    /// sequence item or a top-level field (see [`Positions`]).
    fn record_position(&mut self, span: Span) {
        let depth = self.stack.len();
        // A `List`'s items are located by re-reading the item concerned
        // ([`ParsedDoc::items`]), never through these positions.
        if depth == 0 || depth > POSITION_DEPTH || self.in_items {
            return;
        }
        let at = match self.stack.last() {
            Some(Frame::Seq { .. }) => span,
            Some(Frame::Map { key: Some(key), .. }) if depth == 1 => key.span,
            _ => return,
        };
        let mut path = FieldPath::root();
        for frame in &self.stack {
            path = match frame {
                Frame::Seq { items, .. } => path.index(items.len()),
                Frame::Map { key: Some(key), .. } => path.key(key.name.clone()),
                Frame::Map { key: None, .. } => return,
            };
        }
        let position = (
            to_u32(at.start.line()).saturating_add(self.line_offset),
            to_u32(at.start.col()).saturating_add(1),
        );
        // The first of duplicate keys keeps its place, as in the line map.
        self.positions.0.entry(path).or_insert(position);
    }

    /// An anchored node becomes shared: its place and its aliases point at
    /// the same node.
    fn remember(&mut self, anchor: usize, built: Built) -> Built {
        if anchor == 0 {
            return built;
        }
        let shared = Rc::new(Anchored {
            node: built.node,
            cost: built.cost,
            depth: built.depth,
        });
        self.anchors.insert(anchor, Rc::clone(&shared));
        Built {
            node: Node::Shared(shared),
            cost: built.cost,
            depth: built.depth,
        }
    }

    fn push(&mut self, built: Built, span: Span, is_merge: bool) -> Result<(), YamlError> {
        let line_offset = self.line_offset;
        let Built { node, cost, depth } = built;
        match self.stack.last_mut() {
            None => {
                if !is_collection(&node) {
                    self.root_line = to_u32(span.start.line()).saturating_add(line_offset);
                }
                self.root = Some(node);
                Ok(())
            }
            Some(Frame::Seq {
                items,
                cost: total,
                depth: deepest,
                ..
            }) => {
                items.push(node);
                *total = total.saturating_add(cost);
                *deepest = (*deepest).max(depth + 1);
                Ok(())
            }
            Some(Frame::Map {
                map,
                key,
                merged,
                cost: total,
                depth: deepest,
                ..
            }) => match key.take() {
                None => {
                    let Some(name) = key_name(node) else {
                        return Err(self.err(span, "a mapping key must be a scalar"));
                    };
                    *total = total.saturating_add(name.len());
                    *key = Some(PendingKey {
                        name,
                        is_merge,
                        span,
                    });
                    Ok(())
                }
                Some(k) => {
                    *total = total.saturating_add(cost);
                    *deepest = (*deepest).max(depth + 1);
                    let at = |message: String| YamlError {
                        message,
                        line: to_u32(k.span.start.line()).saturating_add(line_offset),
                        column: to_u32(k.span.start.col()).saturating_add(1),
                    };
                    if k.is_merge {
                        return merge(map, merged, node).map_err(|m| at(m.to_owned()));
                    }
                    if !merged.remove(&k.name) && map.contains_key(&k.name) {
                        return Err(at(format!("duplicate key `{}`", k.name)));
                    }
                    map.insert(k.name, node);
                    Ok(())
                }
            },
        }
    }
}

fn is_collection(node: &Node) -> bool {
    match node {
        Node::Plain(v) => v.is_array() || v.is_object(),
        Node::Seq(_) | Node::Map(_) => true,
        Node::Shared(a) => is_collection(&a.node),
    }
}

/// A mapping key as sigs.k8s.io/yaml writes it to JSON; `None` for a
/// collection.
fn key_name(node: Node) -> Option<String> {
    match node {
        Node::Plain(Value::String(s)) => Some(s),
        Node::Plain(Value::Null) => Some("null".to_owned()),
        Node::Plain(Value::Bool(b)) => Some(b.to_string()),
        Node::Plain(Value::Number(n)) => Some(n.to_string()),
        Node::Shared(a) => match Rc::try_unwrap(a) {
            Ok(a) => key_name(a.node),
            Err(a) => key_name(a.node.clone()),
        },
        Node::Plain(Value::Array(_) | Value::Object(_)) | Node::Seq(_) | Node::Map(_) => None,
    }
}

const MERGE_TAKES: &str = "a merge key (`<<`) takes a mapping or a list of mappings";

/// The entries of a mapping node; `None` for anything else.
fn entries(node: Node) -> Option<Vec<(String, Node)>> {
    match node {
        Node::Plain(Value::Object(m)) => {
            Some(m.into_iter().map(|(k, v)| (k, Node::Plain(v))).collect())
        }
        Node::Map(m) => Some(m.into_iter().collect()),
        Node::Shared(a) => match Rc::try_unwrap(a) {
            Ok(a) => entries(a.node),
            Err(a) => entries(a.node.clone()),
        },
        Node::Plain(_) | Node::Seq(_) => None,
    }
}

/// Applies a YAML merge key: keys of the merged mapping(s) not already set.
fn merge(map: &mut Entries, merged: &mut HashSet<String>, node: Node) -> Result<(), &'static str> {
    let sources: Vec<Node> = match node {
        Node::Plain(Value::Array(items)) => items.into_iter().map(Node::Plain).collect(),
        Node::Seq(items) => items,
        Node::Shared(a) if matches!(&a.node, Node::Seq(_) | Node::Plain(Value::Array(_))) => {
            match &a.node {
                Node::Seq(items) => items.clone(),
                Node::Plain(Value::Array(items)) => {
                    items.iter().cloned().map(Node::Plain).collect()
                }
                _ => Vec::new(),
            }
        }
        other => vec![other],
    };
    for source in sources {
        for (k, v) in entries(source).ok_or(MERGE_TAKES)? {
            if !map.contains_key(&k) {
                merged.insert(k.clone());
                map.insert(k, v);
            }
        }
    }
    Ok(())
}

/// The finished value: unshared nodes move, shared ones are copied (their
/// size was counted against the alias budget). Depth is bounded by
/// [`Limits::depth`], so the recursion is too.
fn into_value(node: Node, copied: &mut usize) -> Value {
    match node {
        Node::Plain(v) => v,
        Node::Seq(items) => {
            Value::Array(items.into_iter().map(|n| into_value(n, copied)).collect())
        }
        Node::Map(m) => Value::Object(
            m.into_iter()
                .map(|(k, n)| (k, into_value(n, copied)))
                .collect(),
        ),
        Node::Shared(a) => match Rc::try_unwrap(a) {
            Ok(a) => into_value(a.node, copied),
            Err(a) => {
                *copied = copied.saturating_add(a.cost);
                to_value(&a.node)
            }
        },
    }
}

fn to_value(node: &Node) -> Value {
    match node {
        Node::Plain(v) => v.clone(),
        Node::Seq(items) => Value::Array(items.iter().map(to_value).collect()),
        Node::Map(m) => Value::Object(m.iter().map(|(k, n)| (k.clone(), to_value(n))).collect()),
        Node::Shared(a) => to_value(&a.node),
    }
}

/// Why a scalar has no JSON value; each variant holds the scalar's text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
enum ScalarError {
    /// `!!bool` on something else.
    #[error("`{0}` is not a boolean")]
    Bool(String),
    /// `!!int` on something else.
    #[error("`{0}` is not an integer")]
    Int(String),
    /// `!!float` on something else.
    #[error("`{0}` is not a number")]
    Number(String),
    /// A float beyond f64's range.
    #[error("`{0}` is not a finite number")]
    Finite(String),
    /// `.nan` and the infinities.
    #[error("`{0}` cannot be represented in JSON")]
    Json(String),
}

/// Resolves one scalar to JSON as go-yaml v2 and sigs.k8s.io/yaml would.
/// The scalar's text moves into the value when it is a string (the parser
/// hands plain scalars over as owned strings).
fn scalar(text: Cow<'_, str>, style: ScalarStyle, tag: Option<&Tag>) -> Result<Value, ScalarError> {
    if let Some(tag) = tag.filter(|t| t.is_yaml_core_schema()) {
        let text = text.as_ref();
        return match tag.suffix.as_str() {
            "str" | "binary" | "timestamp" => Ok(Value::String(text.to_string())),
            "null" => Ok(Value::Null),
            "bool" => bool_of(text)
                .map(Value::Bool)
                .ok_or_else(|| ScalarError::Bool(text.to_owned())),
            "int" => int_of(text).ok_or_else(|| ScalarError::Int(text.to_owned())),
            "float" => float_of(text).ok_or_else(|| ScalarError::Number(text.to_owned()))?,
            _ => Ok(resolve_plain(Cow::Borrowed(text))?),
        };
    }
    if style != ScalarStyle::Plain {
        return Ok(Value::String(text.into_owned()));
    }
    resolve_plain(text)
}

fn resolve_plain(text: Cow<'_, str>) -> Result<Value, ScalarError> {
    let text_ref = text.as_ref();
    if matches!(text_ref, "" | "~" | "null" | "Null" | "NULL") {
        return Ok(Value::Null);
    }
    if let Some(b) = bool_of(text_ref) {
        return Ok(Value::Bool(b));
    }
    if may_be_number(text_ref) {
        if let Some(v) = int_of(text_ref) {
            return Ok(v);
        }
        if let Some(v) = float_of(text_ref) {
            return v;
        }
    }
    Ok(Value::String(text.into_owned()))
}

/// Whether go-yaml v2 tries a plain scalar as a number: only when its first
/// character is a digit, a sign or `.` (`resolve_table` in go-yaml v2's
/// resolve.go: hints `D`, `S` and `.`); any other scalar that is not a
/// null or a boolean is a string, `_1` included.
fn may_be_number(text: &str) -> bool {
    matches!(
        text.as_bytes().first(),
        Some(b'0'..=b'9' | b'+' | b'-' | b'.')
    )
}

/// `text` without the `_` separators Go's number parsing is given without.
fn without_underscores(text: &str) -> Cow<'_, str> {
    if text.contains('_') {
        Cow::Owned(text.chars().filter(|&c| c != '_').collect())
    } else {
        Cow::Borrowed(text)
    }
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
    let plain = without_underscores(text);
    let (negative, digits) = match plain.as_bytes().first() {
        Some(b'-') => (true, &plain[1..]),
        Some(b'+') => (false, &plain[1..]),
        _ => (false, &plain[..]),
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
fn float_of(text: &str) -> Option<Result<Value, ScalarError>> {
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
        return Some(Err(ScalarError::Json(text.to_owned())));
    }
    let plain = without_underscores(text);
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
            .ok_or_else(|| ScalarError::Finite(text.to_owned())),
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

    /// Every position the parse records is the one the line map (the
    /// readable spec: a second scan of the text) finds for the same path.
    fn positions_agree_with_the_line_map(text: &str, what: &str) -> usize {
        let Ok(docs) = parse_documents(text, 1) else {
            return 0;
        };
        let mut checked = 0;
        for doc in docs {
            let lines = crate::lines::LineMap::build(text, 1, 1, doc.ordinal);
            for (path, at) in &doc.positions.0 {
                assert_eq!(Some(*at), lines.locate(path), "{what}: {path}");
                checked += 1;
            }
        }
        checked
    }

    #[test]
    fn recorded_positions_are_the_line_maps() {
        let cases = [
            "spec:\n  ingress:\n  - from:\n    - podSelector: {}\n    ports:\n    - port: 80\n  - {}\n",
            "a: [ {b: 1}, [2, {c: 3}] ]\nb:\n- - x: 1\n  - y: 2\n",
            "spec:\n  x: [1]\nspec:\n  x: [{a: 1}]\n",
            "base: &b\n  - {p: 1}\nuse: *b\nmerged:\n  <<: {k: [ {z: 1} ]}\n",
            "---\nkind: A\nspec: {r: [{a: 1}]}\n---\nkind: B\nspec:\n  r:\n  - a: 2\n",
        ];
        let mut checked = 0;
        for (i, text) in cases.iter().enumerate() {
            checked += positions_agree_with_the_line_map(text, &format!("case {i}"));
        }
        assert!(checked >= 15, "{checked}");
        // A List's items are located by re-reading the item: no positions.
        let list = "kind: List\nitems:\n- spec:\n    ports:\n    - port: 80\n- {a: [{b: 1}]}\n";
        let docs = parse_documents(list, 1).unwrap();
        assert!(
            docs[0]
                .positions
                .0
                .keys()
                .all(|p| !p.to_string().starts_with("items[")),
            "{:?}",
            docs[0].positions
        );
    }

    /// The same over every YAML file the repository ships (examples and
    /// vendored fixtures: real manifests no one here wrote).
    #[test]
    fn recorded_positions_are_the_line_maps_on_the_bundled_manifests() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut stack = vec![root.join("examples"), root.join("tests/fixtures")];
        let (mut files, mut checked) = (0, 0);
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml")
                    && let Ok(text) = std::fs::read_to_string(&path)
                {
                    for chunk in crate::split::split_yaml(&text) {
                        checked += positions_agree_with_the_line_map(
                            chunk.text,
                            &path.display().to_string(),
                        );
                    }
                    files += 1;
                }
            }
        }
        assert!(
            files > 100 && checked > 1000,
            "{files} files, {checked} positions"
        );
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
    fn only_scalars_starting_like_numbers_are_numbers() {
        // go-yaml v2 resolve.go: a plain scalar is tried as a number only
        // when `resolve_table` hints a digit, a sign or `.` for its first
        // character.
        assert_eq!(
            one("a: _1\nb: 1_0\nc: +1\nd: .5\ne: -.inf_\nf: x1"),
            json!({"a": "_1", "b": 10, "c": 1, "d": 0.5, "e": "-.inf_", "f": "x1"})
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
                .contains("billion laughs")
        );
    }

    /// Four nested lists of ten aliases of one string: 10,000 copies. Node
    /// counting let a 64 KB string through (1.4 GB); bytes are counted.
    fn string_bomb(len: usize) -> String {
        let mut s = format!("a0: &a0 {}\n", "x".repeat(len));
        for i in 1..5 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            s.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        s
    }

    #[test]
    fn regression_alias_guard_counts_bytes_not_nodes() {
        for len in [64_000, 1_000_000] {
            let text = string_bomb(len);
            let (result, stats) = parse_counted(
                &text,
                1,
                YamlBudget::for_chunk(&Limits::DEFAULT, text.len(), text.len()),
            );
            let e = result.unwrap_err();
            assert!(e.message.contains("billion laughs"), "{e:?}");
            assert!(e.line >= 3, "an alias of a list of aliases: {e:?}");
            assert_eq!(stats.copied_bytes, 0, "refused before anything is copied");
        }
        // The same shape with a short string is read.
        let small = string_bomb(10);
        assert_eq!(parse_documents(&small, 1).unwrap().len(), 1);
    }

    #[test]
    fn regression_nested_anchors_are_not_copied() {
        let mut text = String::from("x:\n");
        for i in 0..250 {
            text.push_str(&format!("{}k{i}: &n{i}\n", "  ".repeat(i + 1)));
        }
        text.push_str(&format!(
            "{}leaf: {}\n",
            "  ".repeat(251),
            "y".repeat(100_000)
        ));
        let budget = YamlBudget::for_chunk(&Limits::DEFAULT, text.len(), text.len());
        let (result, stats) = parse_counted(&text, 1, budget);
        assert_eq!(result.unwrap().len(), 1);
        assert_eq!(stats, YamlStats::default(), "anchors alone cost nothing");
    }

    #[test]
    fn aliases_copy_only_what_the_budget_counted() {
        let text = "a: &a {b: [1, 2, {c: &c x}]}\nd: [*a, *a, *c]\ne: {<<: *a, f: 1}\n";
        let budget = YamlBudget::for_chunk(&Limits::DEFAULT, text.len(), text.len());
        let (result, stats) = parse_counted(text, 1, budget);
        let v = &result.unwrap()[0].value;
        assert_eq!(v["d"][1]["b"][2]["c"], "x");
        assert_eq!(v["d"][2], "x");
        assert_eq!(v["e"]["b"][0], 1);
        assert!(stats.alias_bytes > 0);
        assert!(stats.copied_bytes <= stats.alias_bytes, "{stats:?}");
    }

    #[test]
    fn merge_keys_with_many_keys() {
        let n = 20_000;
        let merged: Vec<String> = (0..n).map(|i| format!("k{i}: v")).collect();
        let mut text = format!("<<: {{{}}}\n", merged.join(", "));
        for i in 0..n {
            text.push_str(&format!("j{i}: w\nk{i}: z\n"));
        }
        let v = one(&text);
        assert_eq!(v.as_object().unwrap().len(), 2 * n);
        assert_eq!(v["k7"], "z", "explicit keys override merged ones");
        let dup = parse_documents("<<: {a: 1}\na: 2\na: 3\n", 1).unwrap_err();
        assert!(dup.message.contains("duplicate key `a`"), "{dup:?}");
    }

    #[test]
    fn alias_budget_scales_with_the_chunk_and_its_share_of_the_file() {
        let l = Limits::DEFAULT;
        let whole = YamlBudget::for_chunk(&l, 1000, 1000);
        assert_eq!(
            whole.alias_bytes,
            1000 * l.alias_ratio + l.alias_bytes_per_file
        );
        let tenth = YamlBudget::for_chunk(&l, 1000, 10_000);
        assert_eq!(
            tenth.alias_bytes,
            1000 * l.alias_ratio + l.alias_bytes_per_file / 10
        );
        assert_eq!(YamlBudget::for_chunk(&l, 0, 0).alias_bytes, 0);
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
