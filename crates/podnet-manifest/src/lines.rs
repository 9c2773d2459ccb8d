//! Finding the line of a field: a map from field paths to positions, built by
//! re-reading one document's text. Built only when needed (an error to
//! report, or a policy whose rules explain should point at).

use saphyr_parser::{Event, Parser};

use crate::path::{FieldPath, Seg};

/// Hash maps keyed by input text, with a fast hasher seeded per process.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Positions (1-based line and column in the file) of every node of one
/// document, as a tree: each node is stored once under its parent, so the
/// map takes memory in proportion to the document, however deep it nests.
#[derive(Clone, Debug, Default)]
pub struct LineMap {
    /// Node 0 is the root; the others are reached by (parent, step).
    children: HashMap<(u32, Seg), u32>,
    /// Where each node is.
    positions: Vec<(u32, u32)>,
}

enum Frame {
    Seq(usize),
    Map(Option<(String, (u32, u32))>),
    /// A collection used as a mapping key: its content has no path.
    Skip,
}

impl LineMap {
    /// Reads document number `ordinal` (0-based) of `text`, whose first line
    /// is line `first_line` of the file and whose first character is in
    /// column `first_column` of that line. Unparseable text gives what was
    /// read before the error.
    pub fn build(text: &str, first_line: u32, first_column: u32, ordinal: usize) -> LineMap {
        let mut map = LineMap::default();
        let mut stack: Vec<Frame> = Vec::new();
        // The node ids of the open collections' path from the root.
        let mut path: Vec<u32> = Vec::new();
        let mut doc: Option<usize> = None;
        let offset = first_line.saturating_sub(1);
        for event in Parser::new_from_str(text) {
            let Ok((event, span)) = event else { break };
            let line = u32::try_from(span.start.line()).unwrap_or(u32::MAX);
            let column_offset = if line == 1 { first_column } else { 1 };
            let pos = (
                line.saturating_add(offset),
                u32::try_from(span.start.col())
                    .unwrap_or(u32::MAX)
                    .saturating_add(column_offset),
            );
            if let Event::DocumentStart(_) = event {
                doc = Some(doc.map_or(0, |d| d + 1));
                continue;
            }
            if doc != Some(ordinal) {
                if doc.is_some_and(|d| d > ordinal) {
                    break;
                }
                continue;
            }
            let opens = matches!(event, Event::SequenceStart(..) | Event::MappingStart(..));
            let is_node = opens || matches!(event, Event::Scalar(..) | Event::Alias(_));
            if matches!(event, Event::SequenceEnd | Event::MappingEnd) {
                // Every collection but the root and skipped keys added a step.
                if !matches!(stack.pop(), Some(Frame::Skip) | None) && !stack.is_empty() {
                    path.pop();
                }
                continue;
            }
            if !is_node {
                continue;
            }
            // Where does this node sit?
            let seg = match stack.last_mut() {
                Some(Frame::Skip) => {
                    if opens {
                        stack.push(Frame::Skip);
                    }
                    continue;
                }
                Some(Frame::Map(key @ None)) => {
                    // This node is a key.
                    match event {
                        Event::Scalar(text, ..) => *key = Some((text.into_owned(), pos)),
                        _ => {
                            *key = Some((String::new(), pos));
                            if opens {
                                stack.push(Frame::Skip);
                            }
                        }
                    }
                    continue;
                }
                Some(Frame::Map(key)) => {
                    let (name, key_pos) = key.take().unwrap_or_default();
                    Some(map.add(path.last().copied(), Seg::Key(name.into()), key_pos))
                }
                Some(Frame::Seq(next)) => {
                    let seg = Seg::Index(*next);
                    *next += 1;
                    Some(map.add(path.last().copied(), seg, pos))
                }
                None => {
                    map.set_root(pos);
                    None
                }
            };
            if opens {
                stack.push(match event {
                    Event::SequenceStart(..) => Frame::Seq(0),
                    _ => Frame::Map(None),
                });
                if let Some(seg) = seg {
                    path.push(seg);
                }
            }
        }
        map
    }

    fn set_root(&mut self, pos: (u32, u32)) {
        match self.positions.first_mut() {
            Some(root) => *root = pos,
            None => self.positions.push(pos),
        }
    }

    /// Adds the node at `seg` under `parent` (the root when `None`) and
    /// returns its id; a node seen twice (a duplicate key) keeps its first
    /// position.
    fn add(&mut self, parent: Option<u32>, seg: Seg, pos: (u32, u32)) -> u32 {
        if self.positions.is_empty() {
            self.positions.push(pos);
        }
        let next = u32::try_from(self.positions.len()).unwrap_or(u32::MAX);
        let id = *self
            .children
            .entry((parent.unwrap_or(0), seg))
            .or_insert(next);
        if id == next {
            self.positions.push(pos);
        }
        id
    }

    /// How many nodes the map holds (one entry each, whatever their depth).
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// Whether the map holds no node.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// The position of `path`, or of its deepest existing ancestor.
    pub fn locate(&self, path: &FieldPath) -> Option<(u32, u32)> {
        let mut node = 0u32;
        let mut found = self.positions.first().copied();
        for seg in path.segments() {
            let step = match seg {
                Seg::MapKey(k) => Seg::Key(k.clone()),
                other => other.clone(),
            };
            match self.children.get(&(node, step)) {
                Some(&child) => {
                    node = child;
                    found = self.positions.get(child as usize).copied().or(found);
                }
                None => break,
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "apiVersion: v1\nkind: NetworkPolicy\nspec:\n  ingress:\n  - from:\n    - podSelector: {}\n    ports:\n    - port: 80\n      endPort: 70\n";

    #[test]
    fn locates_nested_fields() {
        let m = LineMap::build(DOC, 1, 1, 0);
        let p = FieldPath::fields("spec.ingress")
            .index(0)
            .key("ports")
            .index(0)
            .key("endPort");
        assert_eq!(m.locate(&p), Some((9, 7)));
        let from = FieldPath::fields("spec.ingress")
            .index(0)
            .key("from")
            .index(0);
        assert_eq!(m.locate(&from).map(|p| p.0), Some(6));
    }

    #[test]
    fn missing_fields_fall_back_to_the_nearest_ancestor() {
        let m = LineMap::build(DOC, 20, 1, 0);
        let p = FieldPath::fields("spec.ingress").index(0).key("nothere");
        assert_eq!(m.locate(&p).map(|p| p.0), Some(24));
    }

    /// Regression: the map stored every node's full path, so a wide field
    /// 250 levels deep took memory in depth times width (a 1 MB
    /// NetworkPolicy needed 1 GB). Each node is now one entry.
    #[test]
    fn regression_deep_unknown_fields_take_one_entry_per_node() {
        let depth = 250;
        let width = 10_000;
        let leaves: Vec<String> = (0..width).map(|i| format!("a{i}: 1")).collect();
        let text = format!(
            "spec:\n  bogus: {}{{{}}}{}\n",
            "{f: ".repeat(depth),
            leaves.join(", "),
            "}".repeat(depth)
        );
        let m = LineMap::build(&text, 1, 1, 0);
        // root, spec, bogus, `depth` f's, the innermost mapping's keys.
        assert_eq!(m.len(), 3 + depth + width);
        let mut p = FieldPath::fields("spec.bogus");
        for _ in 0..depth {
            p = p.key("f");
        }
        let column = text.find("a9999").unwrap() - "spec:\n".len() + 1;
        assert_eq!(
            m.locate(&p.key("a9999")),
            Some((2, u32::try_from(column).unwrap()))
        );
    }

    #[test]
    fn picks_the_requested_document() {
        let m = LineMap::build("a: 1\n---\nb: 2\n", 1, 1, 1);
        assert_eq!(m.locate(&FieldPath::fields("b")).map(|p| p.0), Some(3));
        assert_eq!(m.locate(&FieldPath::fields("a")).map(|p| p.0), Some(3));
    }
}
