//! Label selectors: `ValidateLabelSelector` of the API server, then the
//! model's normalised [`LabelSelector`].

use k8s_openapi::apimachinery::pkg::apis::meta::v1 as meta;
use podnet_model::{LabelSelector, Operator, Requirement};

use super::{Checker, labels, names};
use crate::path::FieldPath;

/// Checks and converts a selector. `None` (absent) is the empty selector.
pub fn label_selector(
    sel: Option<&meta::LabelSelector>,
    path: &FieldPath,
    c: &mut Checker,
) -> LabelSelector {
    let Some(sel) = sel else {
        return LabelSelector::everything();
    };
    let match_labels = labels(sel.match_labels.as_ref(), &path.key("matchLabels"), c);
    let mut reqs = Vec::new();
    for (i, expr) in sel.match_expressions.iter().flatten().enumerate() {
        let at = path.key("matchExpressions").index(i);
        if let Some(r) = requirement(expr, &at, c) {
            reqs.push(r);
        }
    }
    LabelSelector::new(
        match_labels
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
        reqs,
    )
}

/// `ValidateLabelSelectorRequirement`.
fn requirement(
    expr: &meta::LabelSelectorRequirement,
    at: &FieldPath,
    c: &mut Checker,
) -> Option<Requirement> {
    let values = expr.values.clone().unwrap_or_default();
    let operator = match expr.operator.as_str() {
        "In" => Some(Operator::In),
        "NotIn" => Some(Operator::NotIn),
        "Exists" => Some(Operator::Exists),
        "DoesNotExist" => Some(Operator::DoesNotExist),
        other => {
            c.error(
                at.key("operator"),
                format!("`{other}` is not a valid selector operator: use In, NotIn, Exists or DoesNotExist"),
            );
            None
        }
    };
    match operator {
        Some(Operator::In | Operator::NotIn) if values.is_empty() => c.error(
            at.key("values"),
            "values must be specified when `operator` is 'In' or 'NotIn'",
        ),
        Some(Operator::Exists | Operator::DoesNotExist) if !values.is_empty() => c.error(
            at.key("values"),
            "values may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        ),
        _ => {}
    }
    for p in names::qualified_name(&expr.key) {
        c.error(
            at.key("key"),
            format!("invalid label key `{}`: {p}", expr.key),
        );
    }
    for (i, v) in values.iter().enumerate() {
        for p in names::label_value(v) {
            c.error(
                at.key("values").index(i),
                format!("invalid label value `{v}`: {p}"),
            );
        }
    }
    operator.map(|op| Requirement::new(expr.key.clone(), op, values))
}
