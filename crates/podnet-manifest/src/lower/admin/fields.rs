//! Checks of the scalar and list fields the admin policy kinds share: a
//! required field, list sizes (`minItems`/`maxItems`), `listType=set`,
//! "exactly one field" (`minProperties`/`maxProperties` 1), `priority`, a
//! rule's `name` and `action`.

use std::collections::HashSet;

use podnet_model::AdminAction;

use super::Flavor;
use crate::path::{FieldPath, Seg};
use crate::validate::{Checker, unsupported};

/// The lowest and highest `priority`.
pub const PRIORITY_RANGE: (i64, i64) = (0, 1000);
/// `maxLength` of a rule's `name`.
pub const MAX_RULE_NAME: usize = 100;

/// The last key of `path`: the name of the field it points at.
fn last_key(path: &FieldPath) -> String {
    path.segments()
        .iter()
        .rev()
        .find_map(|s| match s {
            Seg::Key(k) => Some(k.to_string()),
            _ => None,
        })
        .unwrap_or_default()
}

/// A required field: absent is an error naming the field.
pub fn required<T>(value: Option<T>, path: &FieldPath, c: &mut Checker) -> Option<T> {
    if value.is_none() {
        c.error(path.clone(), format!("`{}` is required", last_key(path)));
    }
    value
}

/// Checks the length of a list field: `None` when absent is an error when
/// `required`; present, it must have `min..=max` items. Returns the items.
pub fn sized<'a, T>(
    list: Option<&'a [T]>,
    required: bool,
    max: usize,
    path: &FieldPath,
    c: &mut Checker,
) -> &'a [T] {
    let field = last_key(path);
    match list {
        None if required => c.error(path.clone(), format!("`{field}` is required")),
        Some([]) => c.error(
            path.clone(),
            format!("`{field}` must not be empty: the CRD requires at least 1 item"),
        ),
        Some(items) if items.len() > max => c.error(
            path.clone(),
            format!(
                "too many items: {}, `{field}` may have at most {max}",
                items.len()
            ),
        ),
        _ => {}
    }
    list.unwrap_or_default()
}

/// Reports repeated items of a `listType=set` list.
pub fn no_duplicates(items: &[String], path: &FieldPath, c: &mut Checker) {
    let mut seen = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        if !seen.insert(item.as_str()) {
            c.error(
                path.index(i),
                format!("duplicate value `{item}`: `{}` is a set", last_key(path)),
            );
        }
    }
}

/// Reports an object that does not set exactly one of its fields
/// (`minProperties`/`maxProperties` 1). `fields` are all its fields, each
/// with whether it is set; `what` names the object in the message.
pub fn exactly_one(fields: &[(&str, bool)], what: &str, path: &FieldPath, c: &mut Checker) -> bool {
    let quoted = |names: &[&str]| {
        names
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let all: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
    let set: Vec<&str> = fields.iter().filter(|(_, p)| *p).map(|(n, _)| *n).collect();
    let all = quoted(&all);
    match set.len() {
        1 => true,
        0 => {
            c.error(
                path.clone(),
                format!("{what} must set exactly one of {all}"),
            );
            false
        }
        _ => {
            let set = quoted(&set);
            c.error(
                path.clone(),
                format!("{what} must set exactly one of {all}; it sets {set}"),
            );
            false
        }
    }
}

/// `priority`: required, `minimum` 0, `maximum` 1000.
pub fn priority(value: Option<i64>, path: &FieldPath, c: &mut Checker) -> Option<u32> {
    let p = required(value, path, c)?;
    let (lo, hi) = PRIORITY_RANGE;
    if !(lo..=hi).contains(&p) {
        c.error(
            path.clone(),
            format!("invalid value `{p}`: must be between {lo} and {hi}, inclusive"),
        );
        return None;
    }
    u32::try_from(p).ok()
}

/// A rule's `name`: optional, at most 100 characters; empty is absent.
pub fn rule_name(name: Option<&str>, path: &FieldPath, c: &mut Checker) -> Option<String> {
    let name = name.filter(|n| !n.is_empty())?;
    let len = name.chars().count();
    if len > MAX_RULE_NAME {
        c.error(
            path.clone(),
            format!(
                "invalid value: must be no more than {MAX_RULE_NAME} characters (it has {len})"
            ),
        );
    }
    Some(name.to_owned())
}

/// A rule's `action`: required, one of the kind's actions.
pub fn action(
    value: Option<&str>,
    flavor: &Flavor,
    path: &FieldPath,
    c: &mut Checker,
) -> Option<AdminAction> {
    let v = required(value, path, c)?;
    let found = flavor.actions.iter().find(|(name, _)| *name == v);
    if found.is_none() {
        let names: Vec<&str> = flavor.actions.iter().map(|(n, _)| *n).collect();
        unsupported(path, v, &names, c);
    }
    found.map(|(_, a)| *a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_sizes() {
        let mut c = Checker::default();
        let p = FieldPath::root().key("from");
        sized::<u8>(None, true, 2, &p, &mut c);
        sized::<u8>(Some(&[]), false, 2, &p, &mut c);
        sized(Some(&[1, 2, 3]), false, 2, &p, &mut c);
        sized(Some(&[1, 2]), true, 2, &p, &mut c);
        sized::<u8>(None, false, 2, &p, &mut c);
        let messages: Vec<&str> = c.errors.iter().map(|e| e.1.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("required"));
        assert!(messages[1].contains("must not be empty"));
        assert!(messages[2].contains("at most 2"));
    }
}
