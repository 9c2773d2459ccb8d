//! The pod annotation `k8s.v1.cni.cncf.io/networks`, read as Multus'
//! `parsePodNetworkAnnotation` does: a JSON list when the value contains
//! `[`, `{` or `"`, else comma-separated `[namespace/]name[@interface]`
//! items. A value Multus rejects makes the pod fail to start, so it is an
//! error at `metadata.annotations[k8s.v1.cni.cncf.io/networks]`.

use std::collections::BTreeMap;

use ipnet::IpNet;
use podnet_model::NetworkSelection;
use podnet_model::multus::NETWORKS_ANNOTATION;
use serde::Deserialize;

use crate::path::FieldPath;
use crate::validate::Checker;

/// Longest interface name (`IFNAMSIZ - 1`).
const MAX_IFNAME: usize = 15;

/// One element of the JSON form (Multus' `NetworkSelectionElement`; other
/// fields are not modelled).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Element {
    name: String,
    namespace: Option<String>,
    ips: Option<Vec<String>>,
    mac: Option<String>,
    interface: Option<String>,
    /// Before Multus 3.2.
    #[serde(rename = "interfaceRequest")]
    interface_request: Option<String>,
}

/// The networks a pod selects (`at` is the path of `metadata.annotations`);
/// empty when the annotation is absent, empty, or invalid (with errors).
pub fn networks(
    annotations: Option<&BTreeMap<String, String>>,
    at: &FieldPath,
    c: &mut Checker,
) -> Vec<NetworkSelection> {
    let Some(value) = annotations.and_then(|a| a.get(NETWORKS_ANNOTATION)) else {
        return Vec::new();
    };
    let path = at.map_key(NETWORKS_ANNOTATION);
    let errors = c.errors.len();
    let list = if value.trim().is_empty() {
        Vec::new()
    } else if value.contains(['[', '{', '"']) {
        json_form(value, &path, c)
    } else {
        value
            .split(',')
            .filter_map(|item| short_item(item.trim(), &path, c))
            .collect()
    };
    if c.errors.len() == errors {
        list
    } else {
        Vec::new()
    }
}

/// `parsePodNetworkObjectName`: `[namespace/]name[@interface]`.
fn short_item(item: &str, path: &FieldPath, c: &mut Checker) -> Option<NetworkSelection> {
    let slash: Vec<&str> = item.split('/').collect();
    let (namespace, rest) = match slash.as_slice() {
        [name] => (None, *name),
        [ns, name] => (Some(ns.trim()), *name),
        _ => {
            c.error(
                path.clone(),
                format!(
                    "invalid network `{item}`: more than one `/`; write `namespace/name@interface`"
                ),
            );
            return None;
        }
    };
    let at: Vec<&str> = rest.split('@').collect();
    let (name, interface) = match at.as_slice() {
        [name] => (name.trim(), None),
        [name, iface] => (name.trim(), Some(iface.trim())),
        _ => {
            c.error(
                path.clone(),
                format!(
                    "invalid network `{item}`: more than one `@`; write `namespace/name@interface`"
                ),
            );
            return None;
        }
    };
    for part in namespace.iter().chain([&name]) {
        if !part.is_empty() && !is_label(part) {
            c.error(
                path.clone(),
                format!(
                    "invalid network `{item}`: `{part}` must consist of lower case alphanumeric characters or '-', and start and end with an alphanumeric character"
                ),
            );
            return None;
        }
    }
    let interface = interface.filter(|i| !i.is_empty()).map(str::to_owned);
    selection(
        namespace.filter(|n| !n.is_empty()).map(str::to_owned),
        name.to_owned(),
        interface,
        Vec::new(),
        None,
        item,
        path,
        c,
    )
}

/// The JSON list form.
fn json_form(value: &str, path: &FieldPath, c: &mut Checker) -> Vec<NetworkSelection> {
    let list: Vec<Element> = match serde_json::from_str(value) {
        Ok(l) => l,
        Err(e) => {
            c.error(
                path.clone(),
                format!(
                    "invalid JSON network selection: {e}; write a list such as `[{{\"name\": \"net1\", \"interface\": \"eth1\"}}]`"
                ),
            );
            return Vec::new();
        }
    };
    list.into_iter()
        .filter_map(|e| {
            let what = e.name.clone();
            let ips: Vec<IpNet> = e
                .ips
                .iter()
                .flatten()
                .filter_map(|s| requested_ip(s, &what, path, c))
                .collect();
            let interface = e
                .interface
                .filter(|i| !i.is_empty())
                .or(e.interface_request.filter(|i| !i.is_empty()));
            if let Some(mac) = e.mac.as_deref().filter(|m| !m.is_empty())
                && !is_mac(mac)
            {
                c.error(
                    path.clone(),
                    format!("network `{what}`: `{mac}` is not a valid MAC address"),
                );
            }
            selection(
                e.namespace.filter(|n| !n.is_empty()),
                e.name,
                interface,
                ips,
                e.mac.filter(|m| !m.is_empty()),
                &what,
                path,
                c,
            )
        })
        .collect()
}

/// Checks what both forms share: a name, and the interface name rule.
#[allow(clippy::too_many_arguments)]
fn selection(
    namespace: Option<String>,
    name: String,
    interface: Option<String>,
    ips: Vec<IpNet>,
    mac: Option<String>,
    item: &str,
    path: &FieldPath,
    c: &mut Checker,
) -> Option<NetworkSelection> {
    if name.is_empty() {
        c.error(
            path.clone(),
            format!("invalid network `{item}`: the network name is empty"),
        );
        return None;
    }
    if let Some(i) = &interface
        && (i.len() > MAX_IFNAME || i.contains([' ', '\t', '\n', '\x0b', '\x0c', '\r', '/']))
    {
        c.error(
            path.clone(),
            format!(
                "invalid interface name `{i}` for network `{name}`: at most {MAX_IFNAME} characters, without `/` or spaces"
            ),
        );
        return None;
    }
    Some(NetworkSelection {
        namespace,
        name,
        interface,
        ips,
        mac,
        line: None,
    })
}

/// One of `ips`: a CIDR, or an address (read with a full-length prefix).
fn requested_ip(s: &str, network: &str, path: &FieldPath, c: &mut Checker) -> Option<IpNet> {
    let parsed = if s.contains('/') {
        s.parse::<IpNet>().ok()
    } else {
        s.parse::<std::net::IpAddr>().ok().map(IpNet::from)
    };
    if parsed.is_none() {
        c.error(
            path.clone(),
            format!("network `{network}`: `{s}` is not a valid IP address or CIDR"),
        );
    }
    parsed
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, Multus' check of names.
fn is_label(s: &str) -> bool {
    let ok = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = s.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(&f), Some(&l)) => ok(f) && ok(l) && bytes.iter().all(|&b| ok(b) || b == b'-'),
        _ => false,
    }
}

/// Go's `net.ParseMAC`: 6, 8 or 20 octets as `xx:xx...`, `xx-xx...` or
/// `xxxx.xxxx...`.
fn is_mac(s: &str) -> bool {
    let hex = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit());
    let octets = |count: usize| [6, 8, 20].contains(&count);
    for sep in [':', '-'] {
        let parts: Vec<&str> = s.split(sep).collect();
        if parts.len() > 1 {
            return octets(parts.len()) && parts.iter().all(|p| hex(p, 2));
        }
    }
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() > 1 && octets(parts.len() * 2) && parts.iter().all(|p| hex(p, 4))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: &str) -> (Vec<NetworkSelection>, Checker) {
        let map = BTreeMap::from([(NETWORKS_ANNOTATION.to_owned(), value.to_owned())]);
        let mut c = Checker::default();
        let n = networks(
            Some(&map),
            &FieldPath::fields("metadata.annotations"),
            &mut c,
        );
        (n, c)
    }

    #[test]
    fn short_form() {
        let (n, c) = parse("net1, other-ns/net2 ,net3@eth5,ns/n4@eth6");
        assert!(!c.has_errors(), "{:?}", c.errors);
        let got: Vec<(Option<&str>, &str, Option<&str>)> = n
            .iter()
            .map(|s| {
                (
                    s.namespace.as_deref(),
                    s.name.as_str(),
                    s.interface.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (None, "net1", None),
                (Some("other-ns"), "net2", None),
                (None, "net3", Some("eth5")),
                (Some("ns"), "n4", Some("eth6")),
            ]
        );
        assert_eq!(n[1].network("pods").to_string(), "other-ns/net2");
        assert_eq!(n[0].network("pods").to_string(), "pods/net1");
    }

    #[test]
    fn json_form_reads_ips_mac_and_old_interface_key() {
        let (n, c) = parse(
            r#"[{"name": "sriov", "namespace": "tel", "interface": "eth1", "ips": ["10.1.1.5/24", "fd00::5"], "mac": "c2:b0:57:49:47:f1"},
                {"name": "ovs", "interfaceRequest": "eth2"}]"#,
        );
        assert!(!c.has_errors(), "{:?}", c.errors);
        assert_eq!(n.len(), 2);
        assert_eq!(n[0].namespace.as_deref(), Some("tel"));
        assert_eq!(n[0].ips[0].to_string(), "10.1.1.5/24");
        assert_eq!(n[0].ips[1].to_string(), "fd00::5/128");
        assert_eq!(n[0].mac.as_deref(), Some("c2:b0:57:49:47:f1"));
        assert_eq!(n[1].interface.as_deref(), Some("eth2"));
    }

    #[test]
    fn empty_value_selects_nothing() {
        let (n, c) = parse("  ");
        assert!(n.is_empty() && !c.has_errors());
    }

    #[test]
    fn bad_values_are_errors_at_the_annotation() {
        for v in [
            "a/b/c",
            "net@eth1@eth2",
            "Net1",
            "ns_x/net",
            "net1,",
            "net@this-name-is-too-long",
            "[{\"name\": \"n\"",
            r#"[{"name": "n", "ips": ["10.0.0.300"]}]"#,
            r#"[{"name": "n", "mac": "zz:00:00:00:00:00"}]"#,
            r#"[{"namespace": "x"}]"#,
        ] {
            let (n, c) = parse(v);
            assert!(n.is_empty() && c.has_errors(), "{v}");
            assert_eq!(
                c.errors[0].0.to_string(),
                format!("metadata.annotations[{NETWORKS_ANNOTATION}]"),
                "{v}"
            );
        }
    }

    #[test]
    fn mac_forms() {
        assert!(is_mac("00:00:5e:00:53:01"));
        assert!(is_mac("00-00-5e-00-53-01"));
        assert!(is_mac("0000.5e00.5301"));
        assert!(!is_mac("00:00:5e:00:53"));
        assert!(!is_mac("00005e005301"));
    }
}
