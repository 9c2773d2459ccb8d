//! Where a pod may run: node taints, pod tolerations and required node
//! affinity, with the matching rules of the scheduler (Kubernetes docs
//! "Taints and Tolerations" and "Assigning Pods to Nodes"; k8s.io/api
//! core/v1 `Toleration.ToleratesTaint`; k8s.io/component-helpers
//! `scheduling/corev1/nodeaffinity`; k8s.io/apimachinery `labels.Requirement`).

use std::fmt;

use crate::labels::Labels;

/// What a taint does to pods that do not tolerate it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TaintEffect {
    /// New pods are not scheduled on the node.
    NoSchedule,
    /// The scheduler tries to avoid the node (a preference: never blocks).
    PreferNoSchedule,
    /// New pods are not scheduled and running pods are evicted.
    NoExecute,
}

impl TaintEffect {
    /// Every effect with its API spelling.
    pub const ALL: [(&'static str, TaintEffect); 3] = [
        ("NoSchedule", TaintEffect::NoSchedule),
        ("PreferNoSchedule", TaintEffect::PreferNoSchedule),
        ("NoExecute", TaintEffect::NoExecute),
    ];

    /// The effect the API spells `name`.
    pub fn parse(name: &str) -> Option<TaintEffect> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, e)| *e)
    }

    /// Its API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TaintEffect::NoSchedule => "NoSchedule",
            TaintEffect::PreferNoSchedule => "PreferNoSchedule",
            TaintEffect::NoExecute => "NoExecute",
        }
    }

    /// Whether an untolerated taint with this effect keeps a new pod off the
    /// node (the scheduler's TaintToleration filter and the DaemonSet
    /// controller consider `NoSchedule` and `NoExecute`).
    pub fn blocks_scheduling(self) -> bool {
        matches!(self, TaintEffect::NoSchedule | TaintEffect::NoExecute)
    }
}

/// One taint of a node (`spec.taints[]`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Taint {
    /// `key`.
    pub key: String,
    /// `value` (empty when not set).
    pub value: String,
    /// `effect`.
    pub effect: TaintEffect,
}

impl Taint {
    /// A taint without a value.
    pub fn new(key: impl Into<String>, effect: TaintEffect) -> Taint {
        Taint {
            key: key.into(),
            value: String::new(),
            effect,
        }
    }
}

impl fmt::Display for Taint {
    /// kubectl's spelling: `key=value:Effect`, or `key:Effect`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.is_empty() {
            write!(f, "{}:{}", self.key, self.effect.as_str())
        } else {
            write!(f, "{}={}:{}", self.key, self.value, self.effect.as_str())
        }
    }
}

/// How a toleration compares its value with a taint's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TolerationOperator {
    /// `Equal` (the default): the values are equal.
    Equal,
    /// `Exists`: any value.
    Exists,
}

/// One toleration of a pod (`spec.tolerations[]`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Toleration {
    /// `key`; empty (with `Exists`) matches every key.
    pub key: String,
    /// `operator`.
    pub operator: TolerationOperator,
    /// `value` (empty when not set).
    pub value: String,
    /// `effect`; `None` matches every effect.
    pub effect: Option<TaintEffect>,
}

impl Toleration {
    /// `operator: Exists` for `key` with `effect`, as the DaemonSet
    /// controller adds them.
    pub fn exists(key: impl Into<String>, effect: TaintEffect) -> Toleration {
        Toleration {
            key: key.into(),
            operator: TolerationOperator::Exists,
            value: String::new(),
            effect: Some(effect),
        }
    }

    /// `ToleratesTaint`: the effect matches (or is not set), the key
    /// matches (or is empty), and the value is equal (`Equal`) or anything
    /// (`Exists`).
    pub fn tolerates(&self, taint: &Taint) -> bool {
        if self.effect.is_some_and(|e| e != taint.effect) {
            return false;
        }
        if !self.key.is_empty() && self.key != taint.key {
            return false;
        }
        match self.operator {
            TolerationOperator::Equal => self.value == taint.value,
            TolerationOperator::Exists => true,
        }
    }
}

/// The first taint of `taints` that keeps a new pod with `tolerations` off
/// the node (`FindMatchingUntoleratedTaint` over `NoSchedule` and
/// `NoExecute` taints).
pub fn untolerated<'t>(taints: &'t [Taint], tolerations: &[Toleration]) -> Option<&'t Taint> {
    taints
        .iter()
        .filter(|t| t.effect.blocks_scheduling())
        .find(|t| !tolerations.iter().any(|tol| tol.tolerates(t)))
}

/// The operator of a node selector requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeSelectorOperator {
    /// The label's value is one of the values.
    In,
    /// The label is absent or its value is none of the values.
    NotIn,
    /// The label is present.
    Exists,
    /// The label is absent.
    DoesNotExist,
    /// The label's value, as an integer, is greater than the value.
    Gt,
    /// The label's value, as an integer, is less than the value.
    Lt,
}

impl NodeSelectorOperator {
    /// Every operator with its API spelling.
    pub const ALL: [(&'static str, NodeSelectorOperator); 6] = [
        ("In", NodeSelectorOperator::In),
        ("NotIn", NodeSelectorOperator::NotIn),
        ("Exists", NodeSelectorOperator::Exists),
        ("DoesNotExist", NodeSelectorOperator::DoesNotExist),
        ("Gt", NodeSelectorOperator::Gt),
        ("Lt", NodeSelectorOperator::Lt),
    ];

    /// The operator the API spells `name`.
    pub fn parse(name: &str) -> Option<NodeSelectorOperator> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, o)| *o)
    }
}

/// One requirement of a node selector term, on a label (`matchExpressions`)
/// or on the node's name (`matchFields` with key `metadata.name`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeSelectorRequirement {
    /// The label key (or `metadata.name`).
    pub key: String,
    /// The operator.
    pub operator: NodeSelectorOperator,
    /// The values.
    pub values: Vec<String>,
}

impl NodeSelectorRequirement {
    /// `labels.Requirement.Matches` for a value that is present or not.
    /// `Gt` and `Lt` compare integers; a value that is not one matches
    /// nothing (the selector does not parse, or the label is skipped).
    fn matches_value(&self, value: Option<&str>) -> bool {
        let listed = |v: &str| self.values.iter().any(|x| x == v);
        let compare = |cmp: fn(i64, i64) -> bool| {
            let (Some(v), [bound]) = (value, self.values.as_slice()) else {
                return false;
            };
            match (v.parse::<i64>(), bound.parse::<i64>()) {
                (Ok(v), Ok(bound)) => cmp(v, bound),
                _ => false,
            }
        };
        match self.operator {
            NodeSelectorOperator::In => value.is_some_and(listed),
            NodeSelectorOperator::NotIn => !value.is_some_and(listed),
            NodeSelectorOperator::Exists => value.is_some(),
            NodeSelectorOperator::DoesNotExist => value.is_none(),
            NodeSelectorOperator::Gt => compare(|v, b| v > b),
            NodeSelectorOperator::Lt => compare(|v, b| v < b),
        }
    }
}

impl fmt::Display for NodeSelectorRequirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let values = self.values.join(",");
        match self.operator {
            NodeSelectorOperator::In if self.values.len() == 1 => {
                write!(f, "{}={values}", self.key)
            }
            NodeSelectorOperator::In => write!(f, "{} in ({values})", self.key),
            NodeSelectorOperator::NotIn => write!(f, "{} notin ({values})", self.key),
            NodeSelectorOperator::Exists => write!(f, "{}", self.key),
            NodeSelectorOperator::DoesNotExist => write!(f, "!{}", self.key),
            NodeSelectorOperator::Gt => write!(f, "{}>{values}", self.key),
            NodeSelectorOperator::Lt => write!(f, "{}<{values}", self.key),
        }
    }
}

/// The field `matchFields` can select on.
pub const NODE_NAME_FIELD: &str = "metadata.name";

/// One node selector term: its requirements are ANDed.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeSelectorTerm {
    /// `matchExpressions`, on the node's labels.
    pub match_expressions: Vec<NodeSelectorRequirement>,
    /// `matchFields`, on the node's name.
    pub match_fields: Vec<NodeSelectorRequirement>,
}

impl NodeSelectorTerm {
    /// Whether the term is empty: it then selects no node.
    pub fn is_empty(&self) -> bool {
        self.match_expressions.is_empty() && self.match_fields.is_empty()
    }

    /// Whether a node with `labels` called `name` satisfies every
    /// requirement. An empty term matches no node.
    pub fn matches(&self, labels: &Labels, name: &str) -> bool {
        !self.is_empty()
            && self
                .match_expressions
                .iter()
                .all(|r| r.matches_value(labels.get(&r.key)))
            && self
                .match_fields
                .iter()
                .all(|r| r.key == NODE_NAME_FIELD && r.matches_value(Some(name)))
    }
}

impl fmt::Display for NodeSelectorTerm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("<nothing>");
        }
        for (i, r) in self
            .match_expressions
            .iter()
            .chain(&self.match_fields)
            .enumerate()
        {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

/// What a pod requires of its node: `nodeSelector` and the required node
/// affinity (`requiredDuringSchedulingIgnoredDuringExecution`), both of
/// which must hold (`nodeaffinity.GetRequiredNodeAffinity`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeRequirements<'a> {
    /// `spec.nodeSelector`: every label with exactly this value.
    pub node_selector: &'a Labels,
    /// The required terms, ORed; `None` when the pod has none.
    pub affinity: Option<&'a [NodeSelectorTerm]>,
}

impl NodeRequirements<'_> {
    /// Whether a node with `labels` called `name` satisfies them.
    pub fn matches(&self, labels: &Labels, name: &str) -> bool {
        self.node_selector
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self
                .affinity
                .is_none_or(|terms| terms.iter().any(|t| t.matches(labels, name)))
    }

    /// Whether they admit every node.
    pub fn is_empty(&self) -> bool {
        self.node_selector.is_empty() && self.affinity.is_none()
    }
}

impl fmt::Display for NodeRequirements<'_> {
    /// `nodeSelector a=b` and/or `affinity <term> or <term>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.node_selector.is_empty() {
            write!(f, "nodeSelector {}", self.node_selector)?;
        }
        if let Some(terms) = self.affinity {
            if !self.node_selector.is_empty() {
                f.write_str(" and ")?;
            }
            f.write_str("node affinity ")?;
            for (i, t) in terms.iter().enumerate() {
                if i > 0 {
                    f.write_str(" or ")?;
                }
                write!(f, "{t}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(key: &str, op: NodeSelectorOperator, values: &[&str]) -> NodeSelectorRequirement {
        NodeSelectorRequirement {
            key: key.into(),
            operator: op,
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        }
    }

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().copied().collect()
    }

    /// k8s.io/api core/v1 toleration_test.go `TestTolerationToleratesTaint`.
    #[test]
    fn tolerations_match_taints_as_tolerates_taint_does() {
        let taint = Taint {
            key: "foo".into(),
            value: "bar".into(),
            effect: TaintEffect::NoSchedule,
        };
        let tol = |key: &str, op, value: &str, effect| Toleration {
            key: key.into(),
            operator: op,
            value: value.into(),
            effect,
        };
        use TolerationOperator::{Equal, Exists};
        for (t, expected, why) in [
            (
                tol("foo", Exists, "", Some(TaintEffect::NoSchedule)),
                true,
                "Exists, same key and effect",
            ),
            (
                tol("foo", Equal, "bar", Some(TaintEffect::NoSchedule)),
                true,
                "Equal, same value",
            ),
            (
                tol("foo", Equal, "baz", Some(TaintEffect::NoSchedule)),
                false,
                "Equal, other value",
            ),
            (
                tol("foo", Exists, "", Some(TaintEffect::NoExecute)),
                false,
                "other effect",
            ),
            (
                tol("foo", Exists, "", None),
                true,
                "no effect matches every effect",
            ),
            (tol("other", Exists, "", None), false, "other key"),
            (
                tol("", Exists, "", None),
                true,
                "empty key with Exists tolerates everything",
            ),
            (
                tol("", Exists, "", Some(TaintEffect::NoExecute)),
                false,
                "empty key, other effect",
            ),
        ] {
            assert_eq!(t.tolerates(&taint), expected, "{why}");
        }
    }

    #[test]
    fn prefer_no_schedule_never_blocks() {
        let taints = [Taint::new("soft", TaintEffect::PreferNoSchedule)];
        assert_eq!(untolerated(&taints, &[]), None);
        let taints = [Taint::new("hard", TaintEffect::NoExecute)];
        assert_eq!(untolerated(&taints, &[]), Some(&taints[0]));
    }

    /// apimachinery labels `Requirement.Matches`: NotIn matches an absent
    /// label, Gt/Lt compare integers and never match a non-integer.
    #[test]
    fn requirements_match_as_label_requirements_do() {
        use NodeSelectorOperator::*;
        let node = labels(&[("zone", "a"), ("cores", "8"), ("gen", "x")]);
        for (r, expected) in [
            (req("zone", In, &["a", "b"]), true),
            (req("zone", In, &["b"]), false),
            (req("zone", NotIn, &["b"]), true),
            (req("zone", NotIn, &["a"]), false),
            (req("absent", NotIn, &["a"]), true),
            (req("zone", Exists, &[]), true),
            (req("absent", Exists, &[]), false),
            (req("absent", DoesNotExist, &[]), true),
            (req("zone", DoesNotExist, &[]), false),
            (req("cores", Gt, &["4"]), true),
            (req("cores", Gt, &["8"]), false),
            (req("cores", Lt, &["16"]), true),
            (req("cores", Lt, &["08"]), false),
            (req("gen", Gt, &["1"]), false),
            (req("cores", Gt, &["four"]), false),
            (req("absent", Lt, &["4"]), false),
        ] {
            let term = NodeSelectorTerm {
                match_expressions: vec![r.clone()],
                match_fields: Vec::new(),
            };
            assert_eq!(term.matches(&node, "n1"), expected, "{r}");
        }
    }

    #[test]
    fn terms_are_ored_and_expressions_anded() {
        use NodeSelectorOperator::*;
        let node = labels(&[("zone", "a"), ("disk", "ssd")]);
        let term = |reqs: Vec<NodeSelectorRequirement>| NodeSelectorTerm {
            match_expressions: reqs,
            match_fields: Vec::new(),
        };
        let both = [term(vec![
            req("zone", In, &["a"]),
            req("disk", In, &["hdd"]),
        ])];
        let either = [
            term(vec![req("zone", In, &["b"])]),
            term(vec![req("disk", In, &["ssd"])]),
        ];
        let empty = Labels::new();
        let reqs = |affinity| NodeRequirements {
            node_selector: &empty,
            affinity: Some(affinity),
        };
        assert!(!reqs(&both).matches(&node, "n"));
        assert!(reqs(&either).matches(&node, "n"));
        assert!(!reqs(&[NodeSelectorTerm::default()]).matches(&node, "n"));
    }

    #[test]
    fn match_fields_select_the_node_name() {
        use NodeSelectorOperator::*;
        let term = NodeSelectorTerm {
            match_expressions: Vec::new(),
            match_fields: vec![req(NODE_NAME_FIELD, In, &["n1"])],
        };
        assert!(term.matches(&Labels::new(), "n1"));
        assert!(!term.matches(&Labels::new(), "n2"));
    }
}
