//! What decides where a pod may run, checked as the API server does
//! (k8s.io/kubernetes pkg/apis/core/validation): pods' `tolerations`
//! (`ValidateTolerations`) and required node affinity (`ValidateNodeSelector`,
//! `ValidateNodeSelectorRequirement`, `ValidateNodeFieldSelectorRequirement`),
//! and nodes' `taints` (`validateNodeTaints`), for Node objects and the
//! ClusterProfile's nodes alike.

use std::collections::HashSet;

use k8s_openapi::api::core::v1 as core;
use podnet_model::placement::NODE_NAME_FIELD;
use podnet_model::{
    NodeSelectorOperator, NodeSelectorRequirement, NodeSelectorTerm, Taint, TaintEffect,
    Toleration, TolerationOperator,
};

use crate::path::FieldPath;
use crate::validate::{Checker, names, unsupported};

/// The effect names, as `NotSupported` lists them.
const EFFECTS: [&str; 3] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/// `validateTaintEffect`: one of the three effects (empty only where
/// `allow_empty`, meaning every effect).
fn effect(
    written: Option<&str>,
    allow_empty: bool,
    at: &FieldPath,
    c: &mut Checker,
) -> Option<TaintEffect> {
    match written.filter(|e| !e.is_empty()) {
        None => {
            if !allow_empty {
                c.error(at.clone(), "an effect is required");
            }
            None
        }
        Some(e) => {
            let parsed = TaintEffect::parse(e);
            if parsed.is_none() {
                unsupported(at, e, &EFFECTS, c);
            }
            parsed
        }
    }
}

fn label_value(value: &str, at: &FieldPath, c: &mut Checker) {
    for p in names::label_value(value) {
        c.error(at.clone(), format!("invalid value `{value}`: {p}"));
    }
}

fn label_key(key: &str, at: &FieldPath, c: &mut Checker) {
    for p in names::qualified_name(key) {
        c.error(at.clone(), format!("invalid value `{key}`: {p}"));
    }
}

/// `ValidateTolerations`. Invalid entries are left out.
pub fn tolerations(
    list: Option<&[core::Toleration]>,
    at: &FieldPath,
    c: &mut Checker,
) -> Vec<Toleration> {
    let mut out = Vec::new();
    for (i, t) in list.unwrap_or_default().iter().enumerate() {
        let at = at.index(i);
        let errors_before = c.errors.len();
        let key = t.key.clone().unwrap_or_default();
        let value = t.value.clone().unwrap_or_default();
        if !key.is_empty() {
            label_key(&key, &at.key("key"), c);
        }
        let written_operator = t.operator.as_deref().unwrap_or_default();
        if key.is_empty() && written_operator != "Exists" {
            c.error(
                at.key("operator"),
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            );
        }
        let effect = effect(t.effect.as_deref(), true, &at.key("effect"), c);
        if t.toleration_seconds.is_some() && effect != Some(TaintEffect::NoExecute) {
            c.error(
                at.key("effect"),
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            );
        }
        let operator = match written_operator {
            "" | "Equal" => {
                label_value(&value, &at.key("value"), c);
                Some(TolerationOperator::Equal)
            }
            "Exists" => {
                if !value.is_empty() {
                    c.error(
                        at.key("value"),
                        "value must be empty when `operator` is 'Exists'",
                    );
                }
                Some(TolerationOperator::Exists)
            }
            other => {
                // `Lt` and `Gt` exist behind the alpha feature gate
                // TaintTolerationComparisonOperators (off by default).
                unsupported(&at.key("operator"), other, &["Equal", "Exists"], c);
                None
            }
        };
        if let (Some(operator), true) = (operator, c.errors.len() == errors_before) {
            out.push(Toleration {
                key,
                operator,
                value,
                effect,
            });
        }
    }
    out
}

/// `spec.taints` of a node, as `validateNodeTaints` checks them: a
/// qualified-name key, a label value, a required effect, and each
/// (key, effect) pair at most once.
pub fn taints<'a>(
    list: impl IntoIterator<Item = (&'a str, Option<&'a str>, Option<&'a str>)>,
    at: &FieldPath,
    c: &mut Checker,
) -> Vec<Taint> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, (key, value, written_effect)) in list.into_iter().enumerate() {
        let at = at.index(i);
        let errors_before = c.errors.len();
        label_key(key, &at.key("key"), c);
        let value = value.unwrap_or_default();
        label_value(value, &at.key("value"), c);
        let Some(effect) = effect(written_effect, false, &at.key("effect"), c) else {
            continue;
        };
        if !seen.insert((key, effect)) {
            c.error(at.clone(), "taints must be unique by key and effect pair");
            continue;
        }
        if c.errors.len() == errors_before {
            out.push(Taint {
                key: key.to_owned(),
                value: value.to_owned(),
                effect,
            });
        }
    }
    out
}

/// The Node object's `spec.taints`.
pub fn node_taints(list: Option<&[core::Taint]>, at: &FieldPath, c: &mut Checker) -> Vec<Taint> {
    taints(
        list.unwrap_or_default()
            .iter()
            .map(|t| (t.key.as_str(), t.value.as_deref(), Some(t.effect.as_str()))),
        at,
        c,
    )
}

/// `spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`
/// (at `at` = `spec.affinity`): its terms, or `None` when the pod has no
/// required node affinity. Preferred terms only rank nodes and are not read.
pub fn required_node_affinity(
    affinity: Option<&core::Affinity>,
    at: &FieldPath,
    c: &mut Checker,
) -> Option<Vec<NodeSelectorTerm>> {
    let required = affinity?
        .node_affinity
        .as_ref()?
        .required_during_scheduling_ignored_during_execution
        .as_ref()?;
    let at = at
        .key("nodeAffinity")
        .key("requiredDuringSchedulingIgnoredDuringExecution")
        .key("nodeSelectorTerms");
    if required.node_selector_terms.is_empty() {
        c.error(at, "must have at least one node selector term");
        return Some(Vec::new());
    }
    let terms = required
        .node_selector_terms
        .iter()
        .enumerate()
        .map(|(i, term)| {
            let at = at.index(i);
            NodeSelectorTerm {
                match_expressions: term
                    .match_expressions
                    .iter()
                    .flatten()
                    .enumerate()
                    .filter_map(|(j, r)| {
                        label_requirement(r, &at.key("matchExpressions").index(j), c)
                    })
                    .collect(),
                match_fields: term
                    .match_fields
                    .iter()
                    .flatten()
                    .enumerate()
                    .filter_map(|(j, r)| field_requirement(r, &at.key("matchFields").index(j), c))
                    .collect(),
            }
        })
        .collect();
    Some(terms)
}

fn operator(written: &str, at: &FieldPath, c: &mut Checker) -> Option<NodeSelectorOperator> {
    let parsed = NodeSelectorOperator::parse(written);
    if parsed.is_none() {
        c.error(
            at.clone(),
            format!("invalid value `{written}`: not a valid selector operator"),
        );
    }
    parsed
}

/// `ValidateNodeSelectorRequirement` for a new object: values required for
/// `In`/`NotIn`, forbidden for `Exists`/`DoesNotExist`, exactly one for
/// `Gt`/`Lt`; a qualified-name key; label values (new pods may not carry
/// invalid ones in required node affinity).
fn label_requirement(
    r: &core::NodeSelectorRequirement,
    at: &FieldPath,
    c: &mut Checker,
) -> Option<NodeSelectorRequirement> {
    use NodeSelectorOperator::*;
    let errors_before = c.errors.len();
    let values = r.values.clone().unwrap_or_default();
    let op = operator(&r.operator, &at.key("operator"), c);
    match op {
        Some(In | NotIn) if values.is_empty() => c.error(
            at.key("values"),
            "values must be specified when `operator` is 'In' or 'NotIn'",
        ),
        Some(Exists | DoesNotExist) if !values.is_empty() => c.error(
            at.key("values"),
            "values may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        ),
        Some(Gt | Lt) if values.len() != 1 => c.error(
            at.key("values"),
            "must be specified single value when `operator` is 'Lt' or 'Gt'",
        ),
        Some(Gt | Lt) if values[0].parse::<i64>().is_err() => c.warn(
            at.key("values").index(0),
            format!(
                "`{}` is not an integer: the scheduler compares `Gt` and `Lt` values as integers, so this requirement matches no node",
                values[0]
            ),
        ),
        _ => {}
    }
    label_key(&r.key, &at.key("key"), c);
    for (i, v) in values.iter().enumerate() {
        label_value(v, &at.key("values").index(i), c);
    }
    let operator = op?;
    (c.errors.len() == errors_before).then(|| NodeSelectorRequirement {
        key: r.key.clone(),
        operator,
        values,
    })
}

/// `ValidateNodeFieldSelectorRequirement`: `In` or `NotIn` with exactly
/// one value, on `metadata.name` only, the value a node name.
fn field_requirement(
    r: &core::NodeSelectorRequirement,
    at: &FieldPath,
    c: &mut Checker,
) -> Option<NodeSelectorRequirement> {
    let errors_before = c.errors.len();
    let values = r.values.clone().unwrap_or_default();
    let op = match r.operator.as_str() {
        "In" => Some(NodeSelectorOperator::In),
        "NotIn" => Some(NodeSelectorOperator::NotIn),
        other => {
            c.error(
                at.key("operator"),
                format!("invalid value `{other}`: not a valid selector operator"),
            );
            None
        }
    };
    if op.is_some() && values.len() != 1 {
        c.error(
            at.key("values"),
            "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
        );
    }
    if r.key == NODE_NAME_FIELD {
        for (i, v) in values.iter().enumerate() {
            c.check(&at.key("values").index(i), v, names::dns1123_subdomain(v));
        }
    } else {
        c.error(
            at.key("key"),
            format!("invalid value `{}`: not a valid field selector key", r.key),
        );
    }
    let operator = op?;
    (c.errors.len() == errors_before).then(|| NodeSelectorRequirement {
        key: r.key.clone(),
        operator,
        values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: serde_json::Value) -> core::PodSpec {
        serde_json::from_value(json).unwrap_or_default()
    }

    fn read(s: &core::PodSpec) -> (Vec<Toleration>, Option<Vec<NodeSelectorTerm>>, Checker) {
        let mut c = Checker::default();
        let at = FieldPath::fields("spec");
        let t = tolerations(s.tolerations.as_deref(), &at.key("tolerations"), &mut c);
        let a = required_node_affinity(s.affinity.as_ref(), &at.key("affinity"), &mut c);
        (t, a, c)
    }

    fn first_error(json: serde_json::Value) -> Option<(String, String)> {
        let (_, _, c) = read(&spec(json));
        c.errors.first().map(|(p, m)| (p.to_string(), m.clone()))
    }

    fn affinity(expr: serde_json::Value) -> serde_json::Value {
        serde_json::json!({"containers": [], "affinity": {"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [expr]}}}})
    }

    const TERM0: &str = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]";

    #[test]
    fn valid_tolerations_and_affinity_are_read() {
        let s = spec(serde_json::json!({
            "containers": [],
            "tolerations": [
                {"operator": "Exists"},
                {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"},
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
            ],
            "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]},
                                      {"key": "cores", "operator": "Gt", "values": ["4"]}]},
                {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-1"]}]}
            ]}}}
        }));
        let (tolerations, affinity, c) = read(&s);
        assert!(c.errors.is_empty() && c.warnings.is_empty(), "{:?}", c);
        assert_eq!(tolerations.len(), 3);
        assert_eq!(tolerations[1].operator, TolerationOperator::Equal);
        assert_eq!(tolerations[2].effect, Some(TaintEffect::NoExecute));
        let terms = affinity.unwrap_or_default();
        assert_eq!(terms.len(), 2);
        assert_eq!(terms[0].match_expressions.len(), 2);
        assert_eq!(terms[1].match_fields[0].values, ["node-1"]);
    }

    /// The messages and paths of `ValidateTolerations`
    /// (pkg/apis/core/validation), one case per rule.
    #[test]
    fn bad_tolerations_are_errors_at_their_field() {
        for (toleration, path, message) in [
            (
                serde_json::json!({"key": "-bad"}),
                "spec.tolerations[0].key",
                "invalid value `-bad`",
            ),
            (
                serde_json::json!({"value": "x"}),
                "spec.tolerations[0].operator",
                "operator must be Exists when `key` is empty",
            ),
            (
                serde_json::json!({"key": "k", "operator": "Exists", "value": "v"}),
                "spec.tolerations[0].value",
                "value must be empty",
            ),
            (
                serde_json::json!({"key": "k", "operator": "Gt", "value": "1"}),
                "spec.tolerations[0].operator",
                "unsupported value `Gt`",
            ),
            (
                serde_json::json!({"key": "k", "value": "a b"}),
                "spec.tolerations[0].value",
                "invalid value `a b`",
            ),
            (
                serde_json::json!({"key": "k", "effect": "NoEvict"}),
                "spec.tolerations[0].effect",
                "unsupported value `NoEvict`",
            ),
            (
                serde_json::json!({"key": "k", "effect": "NoSchedule", "tolerationSeconds": 5}),
                "spec.tolerations[0].effect",
                "effect must be 'NoExecute'",
            ),
        ] {
            let (p, m) =
                first_error(serde_json::json!({"containers": [], "tolerations": [toleration]}))
                    .unwrap_or_else(|| panic!("no error for {toleration}"));
            assert_eq!(p, path, "{toleration}");
            assert!(m.contains(message), "{toleration}: {m}");
        }
    }

    /// `ValidateNodeSelectorRequirement` and
    /// `ValidateNodeFieldSelectorRequirement`, one case per rule.
    #[test]
    fn bad_node_affinity_is_an_error_at_its_field() {
        for (term, path, message) in [
            (
                serde_json::json!({"matchExpressions": [{"key": "k", "operator": "Near"}]}),
                "matchExpressions[0].operator",
                "not a valid selector operator",
            ),
            (
                serde_json::json!({"matchExpressions": [{"key": "k", "operator": "In"}]}),
                "matchExpressions[0].values",
                "must be specified when `operator` is 'In' or 'NotIn'",
            ),
            (
                serde_json::json!({"matchExpressions": [{"key": "k", "operator": "NotIn", "values": []}]}),
                "matchExpressions[0].values",
                "must be specified",
            ),
            (
                serde_json::json!({"matchExpressions": [{"key": "k", "operator": "Exists", "values": ["v"]}]}),
                "matchExpressions[0].values",
                "may not be specified",
            ),
            (
                serde_json::json!({"matchExpressions": [{"key": "k", "operator": "Gt", "values": ["1", "2"]}]}),
                "matchExpressions[0].values",
                "single value",
            ),
            (
                serde_json::json!({"matchExpressions": [{"key": "k", "operator": "Lt"}]}),
                "matchExpressions[0].values",
                "single value",
            ),
            (
                serde_json::json!({"matchExpressions": [{"key": "", "operator": "Exists"}]}),
                "matchExpressions[0].key",
                "invalid value ``",
            ),
            (
                serde_json::json!({"matchExpressions": [{"key": "k", "operator": "In", "values": ["-x"]}]}),
                "matchExpressions[0].values[0]",
                "invalid value `-x`",
            ),
            (
                serde_json::json!({"matchFields": [{"key": "spec.nodeName", "operator": "In", "values": ["n"]}]}),
                "matchFields[0].key",
                "not a valid field selector key",
            ),
            (
                serde_json::json!({"matchFields": [{"key": "metadata.name", "operator": "Exists"}]}),
                "matchFields[0].operator",
                "not a valid selector operator",
            ),
            (
                serde_json::json!({"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["a", "b"]}]}),
                "matchFields[0].values",
                "must be only one value",
            ),
        ] {
            let (p, m) = first_error(affinity(term.clone()))
                .unwrap_or_else(|| panic!("no error for {term}"));
            assert_eq!(p, format!("{TERM0}.{path}"), "{term}");
            assert!(m.contains(message), "{term}: {m}");
        }
        let (p, m) = first_error(
            serde_json::json!({"containers": [], "affinity": {"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}}}}),
        )
        .unwrap_or_default();
        assert!(p.ends_with("nodeSelectorTerms"), "{p}");
        assert!(m.contains("at least one node selector term"), "{m}");
    }

    /// The API server accepts any single value for `Gt`/`Lt`; the scheduler
    /// reads it as an integer, so a non-integer matches nothing: a warning.
    #[test]
    fn a_non_integer_gt_value_is_a_warning() {
        let (_, affinity, c) = read(&spec(affinity(serde_json::json!(
            {"matchExpressions": [{"key": "cores", "operator": "Gt", "values": ["many"]}]}
        ))));
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(
            c.warnings[0].0.to_string(),
            format!("{TERM0}.matchExpressions[0].values[0]")
        );
        assert_eq!(affinity.map(|t| t[0].match_expressions.len()), Some(1));
    }

    /// `validateNodeTaints`, one case per rule.
    #[test]
    fn node_taints_are_checked() {
        let mut c = Checker::default();
        let at = FieldPath::fields("spec.taints");
        let read = taints(
            [
                ("dedicated", Some("gpu"), Some("NoSchedule")),
                ("dedicated", Some("db"), Some("NoSchedule")),
                ("-k", None, Some("NoSchedule")),
                ("k", Some("a b"), Some("NoExecute")),
                ("k", None, Some("Evict")),
                ("k2", None, None),
            ],
            &at,
            &mut c,
        );
        assert_eq!(read.len(), 1);
        let errors: Vec<String> = c.errors.iter().map(|(p, _)| p.to_string()).collect();
        assert_eq!(
            errors,
            [
                "spec.taints[1]",
                "spec.taints[2].key",
                "spec.taints[3].value",
                "spec.taints[4].effect",
                "spec.taints[5].effect"
            ]
        );
        assert!(c.errors[0].1.contains("unique by key and effect"));
    }
}
