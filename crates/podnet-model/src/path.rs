//! Field paths inside a document (`spec.ingress[0].from[1].ipBlock.cidr`),
//! used to point diagnostics at the offending field and to find its line.

use std::borrow::Cow;
use std::fmt;

use crate::limits::quoted;

/// One step of a [`FieldPath`]. Field names are mostly literals, borrowed
/// rather than copied: paths are built for every field read.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Seg {
    /// A field of an object.
    Key(Cow<'static, str>),
    /// A key of a map (a label key, a selector key): printed as `[key]`.
    MapKey(Cow<'static, str>),
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
                .map(|s| Seg::Key(Cow::Owned(s.to_owned())))
                .collect(),
        )
    }

    /// This path extended by one step, in one allocation.
    fn with(&self, seg: Seg) -> Self {
        let mut v = Vec::with_capacity(self.0.len() + 1);
        v.extend(self.0.iter().cloned());
        v.push(seg);
        FieldPath(v)
    }

    /// This path extended by a key (a literal field name is not copied).
    pub fn key(&self, key: impl Into<Cow<'static, str>>) -> Self {
        self.with(Seg::Key(key.into()))
    }

    /// This path extended by a map key (a label key...).
    pub fn map_key(&self, key: &str) -> Self {
        self.with(Seg::MapKey(Cow::Owned(key.to_owned())))
    }

    /// This path extended by an index.
    pub fn index(&self, i: usize) -> Self {
        self.with(Seg::Index(i))
    }

    /// This path followed by `rest`.
    pub fn join(&self, rest: &FieldPath) -> Self {
        let mut p = self.clone();
        p.0.extend(rest.0.iter().cloned());
        p
    }

    /// This path without its first `n` steps.
    pub fn skip(&self, n: usize) -> Self {
        FieldPath(self.0.iter().skip(n).cloned().collect())
    }

    /// The steps.
    pub fn segments(&self) -> &[Seg] {
        &self.0
    }

    /// Whether this is the root.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// A path of these steps.
    pub fn from_segments(segments: Vec<Seg>) -> Self {
        FieldPath(segments)
    }

    /// The same path with map keys as plain keys (how documents store them).
    pub fn normalized(&self) -> Vec<Seg> {
        self.0
            .iter()
            .map(|s| match s {
                Seg::MapKey(k) => Seg::Key(k.clone()),
                other => other.clone(),
            })
            .collect()
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
    /// Keys longer than [`crate::Limits::quoted_chars`] are cut with `…`.
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
                    f.write_str(&quoted(k))?;
                }
                Seg::Key(k) | Seg::MapKey(k) => write!(f, "[{}]", quoted(k))?,
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
        let l = FieldPath::fields("metadata.labels").map_key("app.kubernetes.io/name");
        assert_eq!(l.to_string(), "metadata.labels[app.kubernetes.io/name]");
        assert_eq!(
            FieldPath::fields("metadata.labels")
                .map_key("app")
                .to_string(),
            "metadata.labels[app]"
        );
        assert_eq!(FieldPath::root().to_string(), "<root>");
    }
}
