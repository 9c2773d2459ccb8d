//! "Did you mean": the existing label closest to a selector requirement
//! that matches nothing, kept only when swapping it in makes the selector
//! match something (so the suggestion is never a label that fails too).

use std::collections::BTreeSet;

use podnet_model::{LabelSelector, Labels, Operator, Requirement};

/// Below this similarity a label is not offered.
const THRESHOLD: f64 = 0.6;

/// How alike two labels are, 0 to 1: the value's spelling when the key is
/// the same, the key's when the value is, else both (discounted).
fn score(key: &str, value: Option<&str>, k: &str, v: &str) -> f64 {
    let sim = strsim::normalized_damerau_levenshtein;
    match value {
        Some(value) if key == k => sim(value, v),
        Some(value) if value == v => sim(key, k),
        Some(value) => 0.8 * sim(&format!("{key}={value}"), &format!("{k}={v}")),
        None => sim(key, k),
    }
}

/// The closest `key: value` among the labels of `candidates` to an unmet
/// `In` or `Exists` requirement of `selector`, such that the selector with
/// it in place of the requirement matches one of the candidates.
pub fn closest_label(selector: &LabelSelector, candidates: &[&Labels]) -> Option<String> {
    let pairs: BTreeSet<(&str, &str)> = candidates.iter().flat_map(|l| l.iter()).collect();
    let mut scored: Vec<(f64, usize, &str, &str)> = Vec::new();
    for (ri, req) in selector.requirements().iter().enumerate() {
        if candidates.iter().any(|l| req.matches(l)) {
            // Some candidate meets it: the typo is elsewhere.
            continue;
        }
        let values: Vec<Option<&str>> = match req.operator {
            Operator::In => req.values.iter().map(|v| Some(v.as_str())).collect(),
            Operator::Exists => vec![None],
            Operator::NotIn | Operator::DoesNotExist => continue,
        };
        for value in values {
            for &(k, v) in &pairs {
                if k == req.key && value.is_none_or(|x| x == v) {
                    continue;
                }
                let s = score(&req.key, value, k, v);
                if s >= THRESHOLD {
                    scored.push((s, ri, k, v));
                }
            }
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.2, a.3).cmp(&(b.2, b.3))));
    scored.into_iter().find_map(|(_, ri, k, v)| {
        let replaced = replace(selector, ri, k, v);
        candidates
            .iter()
            .any(|l| replaced.matches(l))
            .then(|| format!("{k}: {v}"))
    })
}

/// `selector` with requirement `index` replaced by `key In (value)`.
fn replace(selector: &LabelSelector, index: usize, key: &str, value: &str) -> LabelSelector {
    let reqs: Vec<Requirement> = selector
        .requirements()
        .iter()
        .enumerate()
        .map(|(i, r)| {
            if i == index {
                Requirement::new(key, Operator::In, vec![value.to_owned()])
            } else {
                r.clone()
            }
        })
        .collect();
    LabelSelector::new([], reqs)
}

/// Up to `max` values the candidates carry for the keys of `selector`'s
/// requirements, as `key: value`, for when nothing is close.
pub fn existing_values(
    selector: &LabelSelector,
    candidates: &[&Labels],
    max: usize,
) -> Vec<String> {
    let keys: BTreeSet<&str> = selector
        .requirements()
        .iter()
        .map(|r| r.key.as_str())
        .collect();
    let found: BTreeSet<String> = candidates
        .iter()
        .flat_map(|l| l.iter())
        .filter(|(k, _)| keys.contains(k))
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    found.into_iter().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().copied().collect()
    }

    fn sel(pairs: &[(&str, &str)]) -> LabelSelector {
        LabelSelector::new(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
            [],
        )
    }

    #[test]
    fn a_truncated_value_suggests_the_full_one() {
        let pg = labels(&[("app", "postgresql"), ("tier", "data")]);
        let redis = labels(&[("app", "redis"), ("tier", "data")]);
        assert_eq!(
            closest_label(&sel(&[("app", "postgres")]), &[&pg, &redis]).as_deref(),
            Some("app: postgresql")
        );
    }

    #[test]
    fn a_misspelt_key_suggests_the_right_key() {
        let web = labels(&[("app", "web")]);
        assert_eq!(
            closest_label(&sel(&[("ap", "web")]), &[&web]).as_deref(),
            Some("app: web")
        );
    }

    #[test]
    fn nothing_close_suggests_nothing() {
        let web = labels(&[("app", "web")]);
        assert_eq!(closest_label(&sel(&[("team", "payments")]), &[&web]), None);
        assert_eq!(
            existing_values(&sel(&[("app", "db")]), &[&web], 3),
            ["app: web"]
        );
    }
}
