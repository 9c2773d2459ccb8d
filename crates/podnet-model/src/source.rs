//! Provenance: where in the user's files an object came from.

use std::fmt;
use std::sync::Arc;

/// A place in the input: file, document and line.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Source {
    /// The file as the user named it (`-` or `<stdin>` for standard input).
    pub file: Arc<str>,
    /// 1-based index of the document in the file.
    pub document: u32,
    /// 1-based line of the object's start in the file, when known.
    pub line: Option<u32>,
    /// Index in the `items` of a `List` document, when the object is an item.
    pub item: Option<u32>,
}

impl fmt::Display for Source {
    /// `file:line` when the line is known, else `file (document N)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.file, line),
            None => write!(f, "{} (document {})", self.file, self.document),
        }
    }
}

/// Identity and provenance of a Kubernetes object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Meta {
    /// The object's kind (`NetworkPolicy`, `Deployment`...).
    pub kind: String,
    /// The namespace, for namespaced kinds.
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
    /// Where it was read.
    pub source: Source,
}

impl Meta {
    /// `namespace/name`, or `name` for cluster-scoped objects.
    pub fn qualified_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}/{}", self.name),
            None => self.name.clone(),
        }
    }
}
