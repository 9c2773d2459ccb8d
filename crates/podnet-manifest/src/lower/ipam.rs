//! Address requests that pods make by annotation, read as the IPAM plugins
//! read them: Calico's `cni.projectcalico.org/ipAddrs` (exact addresses) and
//! `ipv4pools`/`ipv6pools` (pool names or CIDRs), and Robin's
//! `robin.io/networks` (pools, optionally with a static address). Each value
//! is a JSON list; a malformed one makes the CNI plugin fail the pod, so it
//! is an error at `metadata.annotations[<key>]`.

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;
use podnet_model::AddressRequest;
use serde::Deserialize;

use crate::path::FieldPath;
use crate::validate::addresses::one_per_family;
use crate::validate::{Checker, names};

/// Calico: exact addresses for the pod.
pub const CALICO_IP_ADDRS: &str = "cni.projectcalico.org/ipAddrs";
/// Calico: IPv4 pools to allocate from.
pub const CALICO_IPV4_POOLS: &str = "cni.projectcalico.org/ipv4pools";
/// Calico: IPv6 pools to allocate from.
pub const CALICO_IPV6_POOLS: &str = "cni.projectcalico.org/ipv6pools";
/// Robin: the pod's networks (`[{"ippool": "...", "staticip": "..."}]`).
pub const ROBIN_NETWORKS: &str = "robin.io/networks";

/// One entry of `robin.io/networks`.
#[derive(Debug, Deserialize)]
struct RobinNetwork {
    ippool: String,
    #[serde(default)]
    staticip: Option<String>,
}

/// The address request of a pod from its annotations (`at` is the path of
/// `metadata.annotations`). Calico's `ipAddrs` takes precedence over its
/// pools, and Calico's annotations over Robin's; an annotation that loses is
/// reported with a warning.
pub fn address_request(
    annotations: Option<&BTreeMap<String, String>>,
    at: &FieldPath,
    c: &mut Checker,
) -> Option<AddressRequest> {
    let annotations = annotations?;
    let get = |key: &'static str| annotations.get(key).map(|v| (key, at.map_key(key), v));
    let mut found: Vec<(&str, AddressRequest)> = Vec::new();
    if let Some((key, path, v)) = get(CALICO_IP_ADDRS)
        && let Some(ips) = calico_ip_addrs(v, &path, c)
    {
        found.push((key, AddressRequest::Static(ips)));
    }
    let mut pools = Vec::new();
    let mut pool_key = None;
    for (key, v4) in [(CALICO_IPV4_POOLS, true), (CALICO_IPV6_POOLS, false)] {
        if let Some((key, path, v)) = get(key)
            && let Some(mut p) = calico_pools(v, v4, &path, c)
        {
            pool_key.get_or_insert(key);
            pools.append(&mut p);
        }
    }
    if let Some(key) = pool_key {
        found.push((key, AddressRequest::FromPools(pools)));
    }
    if let Some((key, path, v)) = get(ROBIN_NETWORKS)
        && let Some(r) = robin_networks(v, &path, c)
    {
        found.push((key, r));
    }
    let mut found = found.into_iter();
    let (winner, request) = found.next()?;
    for (loser, _) in found {
        c.warn(
            at.map_key(loser),
            format!("ignored: `{winner}` takes precedence"),
        );
    }
    Some(request)
}

fn json_list<T: for<'de> Deserialize<'de>>(
    value: &str,
    example: &str,
    path: &FieldPath,
    c: &mut Checker,
) -> Option<Vec<T>> {
    match serde_json::from_str::<Vec<T>>(value) {
        Ok(list) => Some(list),
        Err(e) => {
            c.error(
                path.clone(),
                format!("invalid value `{value}`: must be a JSON list such as `{example}` ({e})"),
            );
            None
        }
    }
}

fn parse_ip(value: &str, path: &FieldPath, c: &mut Checker) -> Option<IpAddr> {
    let ip = value.parse().ok();
    if ip.is_none() {
        c.error(path.clone(), format!("`{value}` is not a valid IP address"));
    }
    ip
}

/// `cni.projectcalico.org/ipAddrs`: at most one address per family.
fn calico_ip_addrs(value: &str, path: &FieldPath, c: &mut Checker) -> Option<Vec<IpAddr>> {
    let list: Vec<String> = json_list(value, r#"["10.0.0.5"]"#, path, c)?;
    let errors = c.errors.len();
    let ips: Vec<IpAddr> = list.iter().filter_map(|s| parse_ip(s, path, c)).collect();
    let located: Vec<(FieldPath, IpAddr)> = ips.iter().map(|ip| (path.clone(), *ip)).collect();
    one_per_family(&located, IpAddr::is_ipv4, "address", c);
    (c.errors.len() == errors && !ips.is_empty()).then_some(ips)
}

/// `cni.projectcalico.org/ipv4pools` / `ipv6pools`: pool names, or CIDRs
/// of the right family.
fn calico_pools(value: &str, v4: bool, path: &FieldPath, c: &mut Checker) -> Option<Vec<String>> {
    let list: Vec<String> = json_list(value, r#"["default-ipv4-ippool"]"#, path, c)?;
    let errors = c.errors.len();
    for p in &list {
        if p.contains('/') {
            match p.parse::<IpNet>() {
                Ok(net) if matches!(net, IpNet::V4(_)) != v4 => c.error(
                    path.clone(),
                    format!("`{p}` is not an IPv{} pool", if v4 { 4 } else { 6 }),
                ),
                Ok(_) => {}
                Err(_) => c.error(path.clone(), format!("`{p}` is not a valid CIDR")),
            }
        } else {
            let problems = names::dns1123_subdomain(p);
            c.check(path, p, problems);
        }
    }
    (c.errors.len() == errors && !list.is_empty()).then_some(list)
}

/// `robin.io/networks`: static addresses when every network names one,
/// else the pools. A mix keeps the static addresses, with a warning.
fn robin_networks(value: &str, path: &FieldPath, c: &mut Checker) -> Option<AddressRequest> {
    let list: Vec<RobinNetwork> = json_list(
        value,
        r#"[{"ippool": "pool-a", "staticip": "10.0.0.5"}]"#,
        path,
        c,
    )?;
    let errors = c.errors.len();
    for n in &list {
        if n.ippool.is_empty() {
            c.error(path.clone(), "`ippool` must not be empty");
        }
    }
    let statics: Vec<IpAddr> = list
        .iter()
        .filter_map(|n| n.staticip.as_deref())
        .filter_map(|s| parse_ip(s, path, c))
        .collect();
    if c.errors.len() != errors || list.is_empty() {
        return None;
    }
    if statics.is_empty() {
        return Some(AddressRequest::FromPools(
            list.into_iter().map(|n| n.ippool).collect(),
        ));
    }
    if statics.len() < list.len() {
        c.warn(
            path.clone(),
            "networks without `staticip` are not modelled: podnet uses the static addresses only",
        );
    }
    Some(AddressRequest::Static(statics))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(pairs: &[(&str, &str)]) -> (Option<AddressRequest>, Checker) {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut c = Checker::default();
        let at = FieldPath::fields("metadata.annotations");
        (address_request(Some(&map), &at, &mut c), c)
    }

    fn ips(list: &[&str]) -> Vec<IpAddr> {
        list.iter().filter_map(|s| s.parse().ok()).collect()
    }

    #[test]
    fn calico_ip_addrs_are_static() {
        let (r, c) = request(&[(CALICO_IP_ADDRS, r#"["10.0.0.5", "fd00::5"]"#)]);
        assert_eq!(
            r,
            Some(AddressRequest::Static(ips(&["10.0.0.5", "fd00::5"])))
        );
        assert!(!c.has_errors());
    }

    #[test]
    fn calico_pools_of_both_families() {
        let (r, c) = request(&[
            (CALICO_IPV4_POOLS, r#"["pool-a", "10.1.0.0/16"]"#),
            (CALICO_IPV6_POOLS, r#"["fd00:1::/64"]"#),
        ]);
        assert_eq!(
            r,
            Some(AddressRequest::FromPools(vec![
                "pool-a".into(),
                "10.1.0.0/16".into(),
                "fd00:1::/64".into()
            ]))
        );
        assert!(!c.has_errors(), "{:?}", c.errors);
    }

    #[test]
    fn robin_networks_static_or_pools() {
        let (r, _) = request(&[(ROBIN_NETWORKS, r#"[{"ippool": "pool-a"}]"#)]);
        assert_eq!(r, Some(AddressRequest::FromPools(vec!["pool-a".into()])));
        let (r, c) = request(&[(
            ROBIN_NETWORKS,
            r#"[{"ippool": "pool-a", "staticip": "172.20.0.10"}]"#,
        )]);
        assert_eq!(r, Some(AddressRequest::Static(ips(&["172.20.0.10"]))));
        assert!(c.warnings.is_empty());
    }

    #[test]
    fn malformed_values_are_errors_at_the_annotation() {
        for (k, v) in [
            (CALICO_IP_ADDRS, "10.0.0.5"),
            (CALICO_IP_ADDRS, r#"["10.0.0.300"]"#),
            (CALICO_IP_ADDRS, r#"["10.0.0.5", "10.0.0.6"]"#),
            (CALICO_IPV4_POOLS, r#"["fd00::/64"]"#),
            (CALICO_IPV4_POOLS, r#"["Pool_A"]"#),
            (ROBIN_NETWORKS, r#"[{"staticip": "10.0.0.1"}]"#),
            (ROBIN_NETWORKS, r#"[{"ippool": "a", "staticip": "x"}]"#),
        ] {
            let (r, c) = request(&[(k, v)]);
            assert!(r.is_none() && c.has_errors(), "{k}: {v}");
            assert_eq!(
                c.errors[0].0.to_string(),
                format!("metadata.annotations[{k}]")
            );
        }
    }

    #[test]
    fn precedence_is_warned() {
        let (r, c) = request(&[
            (CALICO_IP_ADDRS, r#"["10.0.0.5"]"#),
            (ROBIN_NETWORKS, r#"[{"ippool": "pool-a"}]"#),
        ]);
        assert_eq!(r, Some(AddressRequest::Static(ips(&["10.0.0.5"]))));
        assert_eq!(c.warnings.len(), 1);
        assert_eq!(
            c.warnings[0].0.to_string(),
            format!("metadata.annotations[{ROBIN_NETWORKS}]")
        );
    }
}
