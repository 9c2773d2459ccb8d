//! Field paths inside a document (`spec.ingress[0].from[1].ipBlock.cidr`),
//! used to point diagnostics at the offending field and to find its line.

use std::fmt;

/// One step of a [`FieldPath`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Seg {
    /// A mapping key (a struct field or a map key such as a label key).
    Key(String),
    /// A sequence index.
    Index(usize),
}

/// A path from a document's root to one of its nodes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FieldPath(Vec<Seg>);

impl FieldPath {
    /// The document root.
    pub fn root() -> Self {
        FieldPath(Vec::new())
    }

    /// A path from `.`-separated field names (no indices).
    pub fn fields(dotted: &str) -> Self {
        FieldPath(
            dotted
                .split('.')
                .filter(|s| !s.is_empty())
                .map(|s| Seg::Key(s.to_owned()))
                .collect(),
        )
    }

    /// This path extended by a key.
    pub fn key(&self, key: &str) -> Self {
        let mut p = self.clone();
        p.0.push(Seg::Key(key.to_owned()));
        p
    }

    /// This path extended by an index.
    pub fn index(&self, i: usize) -> Self {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }

    /// This path followed by `rest`.
    pub fn join(&self, rest: &FieldPath) -> Self {
        let mut p = self.clone();
        p.0.extend(rest.0.iter().cloned());
        p
    }

    /// The steps.
    pub fn segments(&self) -> &[Seg] {
        &self.0
    }

    /// Whether this is the root.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// Builds a path from serde_path_to_error's path.
    pub fn from_serde(path: &serde_path_to_error::Path) -> Self {
        use serde_path_to_error::Segment;
        FieldPath(
            path.iter()
                .filter_map(|s| match s {
                    Segment::Seq { index } => Some(Seg::Index(*index)),
                    Segment::Map { key } => Some(Seg::Key(key.clone())),
                    Segment::Enum { variant } => Some(Seg::Key(variant.clone())),
                    Segment::Unknown => None,
                })
                .collect(),
        )
    }
}

/// Whether `key` prints as `.key` (a plain field name) rather than `[key]`.
fn is_plain_field(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl fmt::Display for FieldPath {
    /// Kubernetes field-path style: `spec.ports[0].port`,
    /// `metadata.labels[app.kubernetes.io/name]`; `<root>` for the root.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("<root>");
        }
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if is_plain_field(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Seg::Key(k) => write!(f, "[{k}]")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_kubernetes_field_paths() {
        let p = FieldPath::fields("spec.ingress")
            .index(0)
            .key("from")
            .index(1)
            .key("ipBlock");
        assert_eq!(p.to_string(), "spec.ingress[0].from[1].ipBlock");
        let l = FieldPath::fields("metadata.labels").key("app.kubernetes.io/name");
        assert_eq!(l.to_string(), "metadata.labels[app.kubernetes.io/name]");
        assert_eq!(FieldPath::root().to_string(), "<root>");
    }
}
