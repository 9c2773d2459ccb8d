//! The `ipam` section of a CNI configuration, read as the IPAM plugins read
//! it: host-local (`ranges` range sets, or the older flat `subnet`,
//! `rangeStart`, `rangeEnd`, `gateway`; subnets without host bits, ranges
//! inside their subnet and not overlapping, gateway defaulting to the
//! subnet's first address), whereabouts ([`super::whereabouts`]), static
//! (`addresses` with prefix lengths) and dhcp, with `gateway` and `routes`.
//! Keys podnet does not read are ignored, as the plugins ignore them.

use std::net::IpAddr;

use ipnet::IpNet;
use podnet_model::multus::{ip_to_u128, u128_to_ip};
use podnet_model::{CniIpam, CniRoute, IpamKind, IpamRange, StaticAddress};
use serde_json::{Map, Value};

use super::cni::Json;

/// Reads `ipam` (`key` is its JSON path). `None` when it names no `type`
/// (`"ipam": {}` is how L2-only attachments are written).
pub fn ipam(m: &Map<String, Value>, key: &str, j: &mut Json<'_>) -> Option<CniIpam> {
    let k = |s: &str| format!("{key}.{s}");
    let kind = match j.string(m, "type", &k("type")) {
        Some(t) if !t.is_empty() => IpamKind::from_name(t),
        _ => {
            if !m.is_empty() {
                j.warn(
                    &k("type"),
                    "no IPAM `type`: the attachment gets no addresses",
                );
            }
            return None;
        }
    };
    let mut out = CniIpam {
        kind: kind.clone(),
        gateway: j
            .string(m, "gateway", &k("gateway"))
            .and_then(|s| ip(s, &k("gateway"), j)),
        routes: routes(m, key, j),
        ..CniIpam::default()
    };
    match kind {
        IpamKind::HostLocal => out.ranges = host_local(m, key, j),
        IpamKind::Whereabouts => out.ranges = super::whereabouts::whereabouts(m, key, j),
        IpamKind::Static => out.addresses = static_addresses(m, key, j),
        IpamKind::Dhcp | IpamKind::Other(_) => {}
    }
    check_overlaps(&out.ranges, key, j);
    Some(out)
}

pub(super) fn ip(s: &str, key: &str, j: &mut Json<'_>) -> Option<IpAddr> {
    let parsed = s.parse().ok();
    if parsed.is_none() {
        j.error(key, format!("`{s}` is not a valid IP address"));
    }
    parsed
}

pub(super) fn cidr(s: &str, key: &str, j: &mut Json<'_>) -> Option<IpNet> {
    let parsed = s.parse().ok();
    if parsed.is_none() {
        j.error(key, format!("`{s}` is not a valid CIDR"));
    }
    parsed
}

/// The objects of a list at `key` of `m`, with their JSON paths.
pub(super) fn objects<'v>(
    m: &'v Map<String, Value>,
    field: &str,
    key: &str,
    j: &mut Json<'_>,
) -> Vec<(String, &'v Map<String, Value>)> {
    let at = format!("{key}.{field}");
    match m.get(field) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                let path = format!("{at}[{i}]");
                match v {
                    Value::Object(o) => Some((path, o)),
                    _ => {
                        j.error(&path, "must be an object");
                        None
                    }
                }
            })
            .collect(),
        Some(_) => {
            j.error(&at, "must be a list");
            Vec::new()
        }
    }
}

/// `routes`: `dst` required.
fn routes(m: &Map<String, Value>, key: &str, j: &mut Json<'_>) -> Vec<CniRoute> {
    objects(m, "routes", key, j)
        .into_iter()
        .filter_map(|(at, r)| {
            let dst_key = format!("{at}.dst");
            let Some(dst) = j.string(r, "dst", &dst_key) else {
                j.error(&dst_key, "a route needs `dst`");
                return None;
            };
            let dst = cidr(dst, &dst_key, j)?;
            let gw_key = format!("{at}.gw");
            let gw = j.string(r, "gw", &gw_key).and_then(|s| ip(s, &gw_key, j));
            Some(CniRoute { dst, gw })
        })
        .collect()
}

/// host-local: `ranges` (a list of range sets), else the flat form.
fn host_local(m: &Map<String, Value>, key: &str, j: &mut Json<'_>) -> Vec<Vec<IpamRange>> {
    let Some(sets) = m.get("ranges").filter(|v| !v.is_null()) else {
        if m.contains_key("subnet") {
            return host_local_range(m, key, j)
                .map(|r| vec![vec![r]])
                .unwrap_or_default();
        }
        j.error(
            &format!("{key}.ranges"),
            "host-local needs `ranges` or `subnet`",
        );
        return Vec::new();
    };
    let Value::Array(sets) = sets else {
        j.error(
            &format!("{key}.ranges"),
            "must be a list of range sets (lists)",
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, set) in sets.iter().enumerate() {
        let at = format!("{key}.ranges[{i}]");
        let Value::Array(ranges) = set else {
            j.error(&at, "must be a list of ranges");
            continue;
        };
        let set: Vec<IpamRange> = ranges
            .iter()
            .enumerate()
            .filter_map(|(n, r)| {
                let at = format!("{at}[{n}]");
                match r {
                    Value::Object(o) => host_local_range(o, &at, j),
                    _ => {
                        j.error(&at, "must be an object");
                        None
                    }
                }
            })
            .collect();
        if set.is_empty() {
            j.error(&at, "a range set needs at least one range");
        }
        out.push(set);
    }
    out
}

/// One host-local range (`at` is its JSON path).
fn host_local_range(r: &Map<String, Value>, at: &str, j: &mut Json<'_>) -> Option<IpamRange> {
    let key = |s: &str| format!("{at}.{s}");
    let Some(subnet) = j.string(r, "subnet", &key("subnet")) else {
        j.error(&key("subnet"), "a range needs `subnet`");
        return None;
    };
    let subnet = cidr(subnet, &key("subnet"), j)?;
    if subnet.addr() != subnet.network() {
        j.error(
            &key("subnet"),
            format!(
                "`{subnet}` has host bits set; for a prefix length of {} the network address is {}",
                subnet.prefix_len(),
                subnet.network()
            ),
        );
        return None;
    }
    let mut range = IpamRange {
        subnet,
        range_start: opt_ip(r, "rangeStart", at, j),
        range_end: opt_ip(r, "rangeEnd", at, j),
        gateway: opt_ip(r, "gateway", at, j),
        exclude: Vec::new(),
    };
    // host-local's default gateway: the subnet's first address.
    if range.gateway.is_none() {
        range.gateway = u128_to_ip(
            ip_to_u128(subnet.network()).saturating_add(1),
            subnet.addr(),
        );
    }
    check_bounds(&range, at, ("rangeStart", "rangeEnd"), j);
    Some(range)
}

pub(super) fn opt_ip(
    r: &Map<String, Value>,
    field: &str,
    at: &str,
    j: &mut Json<'_>,
) -> Option<IpAddr> {
    let key = format!("{at}.{field}");
    j.string(r, field, &key).and_then(|s| ip(s, &key, j))
}

/// Start and end inside the subnet, start not after end.
pub(super) fn check_bounds(r: &IpamRange, at: &str, names: (&str, &str), j: &mut Json<'_>) {
    for (name, v) in [(names.0, r.range_start), (names.1, r.range_end)] {
        if let Some(v) = v
            && !r.subnet.contains(&v)
        {
            j.error(
                &format!("{at}.{name}"),
                format!("`{v}` is outside subnet `{}`", r.subnet),
            );
        }
    }
    if let (Some(s), Some(e)) = (r.range_start, r.range_end)
        && r.subnet.contains(&s)
        && r.subnet.contains(&e)
        && ip_to_u128(s) > ip_to_u128(e)
    {
        j.error(
            &format!("{at}.{}", names.0),
            format!("`{s}` is after `{}` `{e}`", names.1),
        );
    }
}

/// static: `addresses`, each `address` with its prefix length.
fn static_addresses(m: &Map<String, Value>, key: &str, j: &mut Json<'_>) -> Vec<StaticAddress> {
    objects(m, "addresses", key, j)
        .into_iter()
        .filter_map(|(at, a)| {
            let k = format!("{at}.address");
            let Some(written) = j.string(a, "address", &k) else {
                j.error(&k, "an address is required");
                return None;
            };
            if !written.contains('/') {
                j.error(
                    &k,
                    format!("`{written}` needs a prefix length, e.g. `{written}/24`"),
                );
                return None;
            }
            let address = cidr(written, &k, j)?;
            Some(StaticAddress {
                address,
                gateway: opt_ip(a, "gateway", &at, j),
            })
        })
        .collect()
}

/// Ranges of one configuration must not overlap (host-local's check;
/// whereabouts ranges would hand out the same addresses twice).
fn check_overlaps(sets: &[Vec<IpamRange>], key: &str, j: &mut Json<'_>) {
    let all: Vec<&IpamRange> = sets.iter().flatten().collect();
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            let ((a0, a1), (b0, b1)) = (a.bounds(), b.bounds());
            if a0.is_ipv4() == b0.is_ipv4()
                && ip_to_u128(a0) <= ip_to_u128(b1)
                && ip_to_u128(b0) <= ip_to_u128(a1)
            {
                j.error(
                    key,
                    format!("range `{}` overlaps range `{}`", a.subnet, b.subnet),
                );
                return;
            }
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::path::FieldPath;
    use crate::validate::Checker;

    /// Reads the `ipam` of a CNI config given as JSON text.
    pub(in crate::lower::multus) fn parse(json: &str) -> (Option<CniIpam>, Checker) {
        let mut c = Checker::default();
        let at = FieldPath::fields("spec.config");
        let v: Value = serde_json::from_str(json).unwrap_or_default();
        let out = match &v {
            Value::Object(m) => ipam(m, "ipam", &mut Json { at: &at, c: &mut c }),
            _ => None,
        };
        (out, c)
    }

    /// A network from its text.
    pub(in crate::lower::multus) fn net(s: &str) -> IpNet {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn host_local_sets_and_flat_form() {
        let (i, c) = parse(
            r#"{"type": "host-local", "ranges": [[{"subnet": "10.1.0.0/24", "rangeStart": "10.1.0.10", "rangeEnd": "10.1.0.20"}], [{"subnet": "fd00::/64"}]],
                "routes": [{"dst": "0.0.0.0/0", "gw": "10.1.0.1"}]}"#,
        );
        assert!(!c.has_errors(), "{:?}", c.errors);
        let i = i.unwrap_or_default();
        assert_eq!(i.ranges.len(), 2);
        assert_eq!(i.ranges[0][0].gateway, "10.1.0.1".parse().ok());
        assert_eq!(i.routes[0].dst, net("0.0.0.0/0"));
        let (i, c) =
            parse(r#"{"type": "host-local", "subnet": "10.2.0.0/16", "gateway": "10.2.0.254"}"#);
        assert!(!c.has_errors(), "{:?}", c.errors);
        let i = i.unwrap_or_default();
        assert_eq!(i.ranges[0][0].subnet, net("10.2.0.0/16"));
        assert_eq!(i.ranges[0][0].gateway, "10.2.0.254".parse().ok());
    }

    #[test]
    fn static_and_dhcp() {
        let (i, c) = parse(
            r#"{"type": "static", "addresses": [{"address": "10.1.1.5/24", "gateway": "10.1.1.1"}]}"#,
        );
        assert!(!c.has_errors(), "{:?}", c.errors);
        assert_eq!(
            i.unwrap_or_default().addresses[0].address,
            net("10.1.1.5/24")
        );
        let (i, c) = parse(r#"{"type": "dhcp", "daemonSocketPath": "/run/cni/dhcp.sock"}"#);
        assert!(!c.has_errors());
        assert_eq!(i.map(|i| i.kind), Some(IpamKind::Dhcp));
        let (i, c) = parse("{}");
        assert!(i.is_none() && !c.has_errors() && c.warnings.is_empty());
    }

    #[test]
    fn errors_name_the_key() {
        for (json, needle) in [
            (
                r#"{"type": "host-local", "subnet": "10.1.0.0/33"}"#,
                "`ipam.subnet`",
            ),
            (
                r#"{"type": "host-local", "subnet": "10.1.0.5/24"}"#,
                "host bits",
            ),
            (
                r#"{"type": "host-local", "ranges": [[{"subnet": "10.1.0.0/24", "rangeStart": "10.2.0.1"}]]}"#,
                "`ipam.ranges[0][0].rangeStart`",
            ),
            (
                r#"{"type": "host-local", "ranges": [[{"subnet": "10.1.0.0/24", "rangeStart": "10.1.0.9", "rangeEnd": "10.1.0.3"}]]}"#,
                "is after",
            ),
            (
                r#"{"type": "host-local", "ranges": [[{"subnet": "10.1.0.0/24"}], [{"subnet": "10.1.0.0/25"}]]}"#,
                "overlaps",
            ),
            (r#"{"type": "host-local"}"#, "`ranges` or `subnet`"),
            (
                r#"{"type": "whereabouts", "range": "10.1.0.0/24", "range_start": "10.9.0.1"}"#,
                "`ipam.range_start`",
            ),
            (
                r#"{"type": "whereabouts", "range": "10.1.0.50-10.2.0.9/24"}"#,
                "outside",
            ),
            (
                r#"{"type": "whereabouts", "range": "10.1.0.0/24", "exclude": ["10.1.0.300/32"]}"#,
                "`ipam.exclude[0]`",
            ),
            (
                r#"{"type": "static", "addresses": [{"address": "10.1.1.5"}]}"#,
                "prefix length",
            ),
            (
                r#"{"type": "static", "routes": [{"gw": "10.0.0.1"}]}"#,
                "`ipam.routes[0].dst`",
            ),
        ] {
            let (_, c) = parse(json);
            assert!(
                c.errors.first().is_some_and(|e| e.1.contains(needle)),
                "{json}: {:?}",
                c.errors
            );
        }
    }
}
