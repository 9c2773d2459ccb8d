//! Label selectors (`metav1.LabelSelector`) and how they match a label set.
//!
//! Semantics follow the API reference, "LabelSelector" and
//! <https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#resources-that-support-set-based-requirements>:
//! all requirements are ANDed; `matchLabels` `k: v` is `k In (v)`; an empty
//! selector matches every object; `NotIn` also matches objects without the key.

use std::fmt;

use crate::labels::Labels;

/// A set-based requirement operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operator {
    /// The key is present and its value is one of the values.
    In,
    /// The key is absent, or its value is none of the values.
    NotIn,
    /// The key is present.
    Exists,
    /// The key is absent.
    DoesNotExist,
}

impl Operator {
    /// The operator as written in manifests.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::In => "In",
            Operator::NotIn => "NotIn",
            Operator::Exists => "Exists",
            Operator::DoesNotExist => "DoesNotExist",
        }
    }
}

/// One `matchExpressions` entry.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Requirement {
    /// The label key.
    pub key: String,
    /// How the key's value is tested.
    pub operator: Operator,
    /// Values for `In`/`NotIn`, sorted and without duplicates; empty otherwise.
    pub values: Vec<String>,
}

impl Requirement {
    /// Builds a requirement, normalising the value list.
    pub fn new(key: impl Into<String>, operator: Operator, values: Vec<String>) -> Self {
        let mut values = values;
        values.sort();
        values.dedup();
        Requirement {
            key: key.into(),
            operator,
            values,
        }
    }

    /// Whether `labels` satisfy this requirement.
    pub fn matches(&self, labels: &Labels) -> bool {
        let value = labels.get(&self.key);
        let listed = |v: &str| self.values.binary_search_by(|x| x.as_str().cmp(v)).is_ok();
        match self.operator {
            Operator::In => value.is_some_and(listed),
            Operator::NotIn => !value.is_some_and(listed),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.operator {
            Operator::Exists => write!(f, "{}", self.key),
            Operator::DoesNotExist => write!(f, "!{}", self.key),
            Operator::In if self.values.len() == 1 => write!(f, "{}={}", self.key, self.values[0]),
            Operator::In => write!(f, "{} in ({})", self.key, self.values.join(",")),
            Operator::NotIn => write!(f, "{} notin ({})", self.key, self.values.join(",")),
        }
    }
}

/// A label selector, normalised: `matchLabels` become `In` requirements so
/// that equal selectors compare equal however they were written.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LabelSelector {
    requirements: Vec<Requirement>,
}

impl LabelSelector {
    /// The empty selector, which matches everything.
    pub fn everything() -> Self {
        LabelSelector::default()
    }

    /// A selector from `matchLabels` pairs and `matchExpressions` requirements.
    pub fn new(
        match_labels: impl IntoIterator<Item = (String, String)>,
        match_expressions: impl IntoIterator<Item = Requirement>,
    ) -> Self {
        let mut requirements: Vec<Requirement> = match_labels
            .into_iter()
            .map(|(k, v)| Requirement::new(k, Operator::In, vec![v]))
            .chain(match_expressions)
            .collect();
        requirements.sort();
        requirements.dedup();
        LabelSelector { requirements }
    }

    /// Whether this selector has no requirement (and so selects everything).
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// The requirements, ANDed.
    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }

    /// Whether `labels` satisfy every requirement.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }

    /// The requirements `labels` do not satisfy (empty when it matches).
    pub fn unmet<'a>(&'a self, labels: &'a Labels) -> impl Iterator<Item = &'a Requirement> {
        self.requirements.iter().filter(|r| !r.matches(labels))
    }
}

impl fmt::Display for LabelSelector {
    /// kubectl's selector syntax (`a=b,c in (d,e),!f`), or `<all>` when empty.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.requirements.is_empty() {
            return f.write_str("<all>");
        }
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().copied().collect()
    }

    fn req(key: &str, op: Operator, values: &[&str]) -> Requirement {
        Requirement::new(key, op, values.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn labelselector_empty_selects_everything() {
        assert!(LabelSelector::everything().matches(&labels(&[])));
        assert!(LabelSelector::everything().matches(&labels(&[("a", "b")])));
    }

    #[test]
    fn labelselector_match_labels_need_key_and_equal_value() {
        let s = LabelSelector::new([("app".into(), "web".into())], []);
        assert!(s.matches(&labels(&[("app", "web"), ("x", "y")])));
        assert!(!s.matches(&labels(&[("app", "db")])));
        assert!(!s.matches(&labels(&[])));
    }

    #[test]
    fn labelselector_in_requires_presence() {
        let r = req("tier", Operator::In, &["web", "api"]);
        assert!(r.matches(&labels(&[("tier", "api")])));
        assert!(!r.matches(&labels(&[("tier", "db")])));
        assert!(!r.matches(&labels(&[])));
    }

    #[test]
    fn labelselector_notin_matches_objects_without_the_key() {
        let r = req("tier", Operator::NotIn, &["db"]);
        assert!(r.matches(&labels(&[])));
        assert!(r.matches(&labels(&[("tier", "web")])));
        assert!(!r.matches(&labels(&[("tier", "db")])));
    }

    #[test]
    fn labelselector_exists_and_doesnotexist_ignore_values() {
        let e = req("k", Operator::Exists, &[]);
        let d = req("k", Operator::DoesNotExist, &[]);
        assert!(e.matches(&labels(&[("k", "")])));
        assert!(!d.matches(&labels(&[("k", "")])));
        assert!(!e.matches(&labels(&[])));
        assert!(d.matches(&labels(&[])));
    }

    #[test]
    fn labelselector_requirements_are_anded() {
        let s = LabelSelector::new(
            [("app".into(), "web".into())],
            [req("env", Operator::In, &["prod"])],
        );
        assert!(s.matches(&labels(&[("app", "web"), ("env", "prod")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("env", "dev")])));
    }

    #[test]
    fn match_labels_and_equivalent_in_expression_are_the_same_selector() {
        let a = LabelSelector::new([("app".into(), "web".into())], []);
        let b = LabelSelector::new([], [req("app", Operator::In, &["web"])]);
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "app=web");
    }
}
