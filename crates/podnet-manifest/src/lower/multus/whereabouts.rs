//! whereabouts' IPAM configuration, read as its `LoadIPAMConfig` does:
//! `range` as a CIDR (host bits ignored) or `first-last/len` (the last
//! address with the network's prefix length, `first` inside it),
//! `range_start` and `range_end` overriding the bounds, `exclude` CIDRs, or
//! a list of `ipRanges`, each its own range set (one address per set).

use podnet_model::IpamRange;
use serde_json::{Map, Value};

use super::cni::Json;
use super::ipam::{check_bounds, cidr, ip, objects, opt_ip};

/// whereabouts: `ipRanges`, else the top-level `range`.
pub fn whereabouts(m: &Map<String, Value>, key: &str, j: &mut Json<'_>) -> Vec<Vec<IpamRange>> {
    let listed = objects(m, "ipRanges", key, j);
    if !listed.is_empty() {
        return listed
            .into_iter()
            .filter_map(|(at, r)| whereabouts_range(r, &at, j).map(|r| vec![r]))
            .collect();
    }
    if !m.contains_key("range") {
        j.error(
            &format!("{key}.range"),
            "whereabouts needs `range` or `ipRanges`",
        );
        return Vec::new();
    }
    whereabouts_range(m, key, j)
        .map(|r| vec![vec![r]])
        .unwrap_or_default()
}

/// One whereabouts range: `range` (`10.0.0.0/24` or
/// `10.0.0.10-10.0.0.20/24`), `range_start`, `range_end`, `exclude`.
fn whereabouts_range(r: &Map<String, Value>, at: &str, j: &mut Json<'_>) -> Option<IpamRange> {
    let key = |s: &str| format!("{at}.{s}");
    let Some(written) = j.string(r, "range", &key("range")) else {
        j.error(&key("range"), "a range needs `range`");
        return None;
    };
    let (mut start, mut end, subnet) = match written.split_once('-') {
        Some((first, last)) => {
            let first = ip(first.trim(), &key("range"), j)?;
            let last = cidr(last.trim(), &key("range"), j)?;
            if !last.contains(&first) {
                j.error(
                    &key("range"),
                    format!("range start `{first}` is outside `{}`", last.trunc()),
                );
                return None;
            }
            (Some(first), Some(last.addr()), last.trunc())
        }
        None => (None, None, cidr(written.trim(), &key("range"), j)?.trunc()),
    };
    if let Some(s) = opt_ip(r, "range_start", at, j) {
        start = Some(s);
    }
    if let Some(e) = opt_ip(r, "range_end", at, j) {
        end = Some(e);
    }
    let exclude = match r.get("exclude") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                let k = format!("{at}.exclude[{i}]");
                match v {
                    Value::String(s) => cidr(s, &k, j),
                    _ => {
                        j.error(&k, "must be a CIDR string");
                        None
                    }
                }
            })
            .collect(),
        Some(_) => {
            j.error(&key("exclude"), "must be a list of CIDRs");
            Vec::new()
        }
    };
    let range = IpamRange {
        subnet,
        range_start: start,
        range_end: end,
        gateway: opt_ip(r, "gateway", at, j),
        exclude,
    };
    check_bounds(&range, at, ("range_start", "range_end"), j);
    Some(range)
}

#[cfg(test)]
mod tests {
    use super::super::ipam::tests::{net, parse};

    #[test]
    fn whereabouts_forms() {
        let (i, c) = parse(
            r#"{"type": "whereabouts", "range": "192.168.2.225/28", "exclude": ["192.168.2.229/30"]}"#,
        );
        assert!(!c.has_errors(), "{:?}", c.errors);
        let r = &i.unwrap_or_default().ranges[0][0];
        assert_eq!(r.subnet, net("192.168.2.224/28"));
        assert_eq!(r.exclude, vec![net("192.168.2.229/30")]);
        let (i, c) = parse(r#"{"type": "whereabouts", "range": "10.5.0.10-10.5.0.20/24"}"#);
        assert!(!c.has_errors(), "{:?}", c.errors);
        let r = &i.unwrap_or_default().ranges[0][0];
        assert_eq!(
            (r.range_start, r.range_end),
            ("10.5.0.10".parse().ok(), "10.5.0.20".parse().ok())
        );
        let (i, _) = parse(
            r#"{"type": "whereabouts", "ipRanges": [{"range": "10.6.0.0/24"}, {"range": "fd06::/64"}]}"#,
        );
        assert_eq!(i.unwrap_or_default().ranges.len(), 2);
    }
}
