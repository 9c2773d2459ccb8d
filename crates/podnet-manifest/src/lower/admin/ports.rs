//! Port fields the admin policy kinds share: named ports, port numbers and
//! the two ends of a port range.

use super::fields::required;
use crate::path::FieldPath;
use crate::validate::{Checker, names};

/// A named port: kept as written; a name no container port can have
/// (`IANA_SVC_NAME`) matches nothing (warning).
pub fn named_port(name: &str, path: &FieldPath, c: &mut Checker) -> String {
    let problems = names::port_name(name);
    if let Some(p) = problems.first() {
        c.warn(
            path.clone(),
            format!("`{name}` is not a valid container port name ({p}): it matches no port"),
        );
    }
    name.to_owned()
}

/// A port number field (`port`, `start`, `end`, `number`): required,
/// 1..=65535.
pub fn port_number(value: Option<i64>, path: &FieldPath, c: &mut Checker) -> Option<u16> {
    let n = required(value, path, c)?;
    names::port_number(n)
        .map_err(|m| c.error(path.clone(), format!("invalid value `{n}`: {m}")))
        .ok()
}

/// A port range's `start` and `end` (`path` is the range's), both port
/// numbers; whether `start` may be `end` or after it is the version's.
pub fn range_ends(
    start: Option<i64>,
    end: Option<i64>,
    path: &FieldPath,
    c: &mut Checker,
) -> Option<(u16, u16)> {
    let start = port_number(start, &path.key("start"), c);
    let end = port_number(end, &path.key("end"), c);
    Some((start?, end?))
}
