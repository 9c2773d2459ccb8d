//! Endpoints (v1) and EndpointSlices (discovery.k8s.io/v1): the backends of
//! a Service as written or dumped, checked as `ValidateEndpoints` and
//! `ValidateEndpointSlice` do.
//!
//! An `Endpoints` object gives one [`EndpointSet`] per subset (its ports
//! apply to that subset's addresses only); one without subsets gives one
//! empty set, so that its Service is known to have no backends. An
//! EndpointSlice gives one set; podnet needs its
//! `kubernetes.io/service-name` label and skips slices without it, and FQDN
//! slices, with a warning.

use std::collections::HashSet;
use std::net::IpAddr;

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::api::discovery::v1 as discovery;
use podnet_model::{EndpointAddress, EndpointHints, EndpointPort, EndpointSet, Meta, Source};

use super::meta::{NameRule, object_meta};
use super::records::RawEndpoints;
use crate::path::FieldPath;
use crate::validate::UnknownProtocol::Rejected;
use crate::validate::{Checker, addresses, names, protocol, unsupported};

/// The label naming an EndpointSlice's Service.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

/// Most endpoints in one slice.
const MAX_SLICE_ENDPOINTS: usize = 1000;
/// Most addresses of one slice endpoint.
const MAX_ENDPOINT_ADDRESSES: usize = 100;
/// Most `hints.forZones` (and `hints.forNodes`) of one endpoint
/// (`ValidateEndpointSlice`, `maxZoneHints` / `maxNodeHints`).
const MAX_HINTS: usize = 8;

/// Checks and lowers one Endpoints object.
pub fn endpoints(
    e: &core::Endpoints,
    base: &FieldPath,
    source: Source,
    c: &mut Checker,
) -> RawEndpoints {
    let info = object_meta(&e.metadata, NameRule::Subdomain, true, base, c);
    let namespace = info.namespace.unwrap_or_default();
    let meta = Meta {
        kind: "Endpoints".to_owned(),
        namespace: Some(namespace.clone()),
        name: info.name.clone(),
        source: source.clone(),
    };
    let subsets = e.subsets.as_deref().unwrap_or_default();
    let mut sets = Vec::new();
    for (i, subset) in subsets.iter().enumerate() {
        let at = base.key("subsets").index(i);
        let ready = subset.addresses.as_deref().unwrap_or_default();
        let not_ready = subset.not_ready_addresses.as_deref().unwrap_or_default();
        if ready.is_empty() && not_ready.is_empty() {
            c.error(
                at.clone(),
                "must specify `addresses` or `notReadyAddresses`",
            );
        }
        let mut addrs = Vec::new();
        for (field, list, is_ready) in [
            ("addresses", ready, true),
            ("notReadyAddresses", not_ready, false),
        ] {
            for (j, a) in list.iter().enumerate() {
                let at = at.key(field).index(j);
                addrs.extend(endpoints_address(a, is_ready, &at, c));
            }
        }
        let ports_list = subset.ports.as_deref().unwrap_or_default();
        let mut ports = Vec::new();
        for (j, p) in ports_list.iter().enumerate() {
            let at = at.key("ports").index(j);
            let name = p.name.clone().filter(|n| !n.is_empty());
            check_port_name(name.as_deref(), ports_list.len() > 1, &at, c);
            ports.extend(endpoint_port(
                name,
                Some(p.port),
                p.protocol.as_deref(),
                &at,
                c,
            ));
        }
        sets.push(EndpointSet {
            meta: meta.clone(),
            service: info.name.clone(),
            addresses: addrs,
            ports,
        });
    }
    if sets.is_empty() {
        sets.push(EndpointSet {
            meta,
            service: info.name.clone(),
            addresses: Vec::new(),
            ports: Vec::new(),
        });
    }
    RawEndpoints {
        kind: "Endpoints",
        namespace,
        name: info.name,
        source,
        sets,
    }
}

fn endpoints_address(
    a: &core::EndpointAddress,
    ready: bool,
    at: &FieldPath,
    c: &mut Checker,
) -> Option<EndpointAddress> {
    let ip = endpoint_ip(&a.ip, None, &at.key("ip"), c);
    let node_name = node_and_hostname(a.node_name.as_deref(), a.hostname.as_deref(), at, c);
    Some(EndpointAddress {
        ip: ip?,
        ready,
        serving: ready,
        terminating: false,
        node_name,
        zone: None,
        hints: EndpointHints::default(),
        pod: pod_ref(a.target_ref.as_ref()),
        hostname: a.hostname.clone().filter(|h| !h.is_empty()),
    })
}

/// An endpoint address: valid, of the slice's family when one is given, and
/// not special (`ValidateEndpointIP`).
fn endpoint_ip(value: &str, v4: Option<bool>, path: &FieldPath, c: &mut Checker) -> Option<IpAddr> {
    let ip = addresses::ip(value, path, c)?;
    if let Some(v4) = v4
        && ip.is_ipv4() != v4
    {
        let family = if v4 { "IPv4" } else { "IPv6" };
        c.error(
            path.clone(),
            format!("invalid value `{value}`: must be an {family} address"),
        );
        return None;
    }
    addresses::non_special_ip(ip, path, c);
    Some(ip)
}

/// Checks `nodeName` (subdomain) and `hostname` (label); returns the node.
fn node_and_hostname(
    node: Option<&str>,
    hostname: Option<&str>,
    at: &FieldPath,
    c: &mut Checker,
) -> Option<String> {
    if let Some(h) = hostname.filter(|h| !h.is_empty()) {
        c.check(&at.key("hostname"), h, names::dns1123_label(h));
    }
    let node = node.filter(|n| !n.is_empty())?;
    c.check(&at.key("nodeName"), node, names::dns1123_subdomain(node));
    Some(node.to_owned())
}

fn pod_ref(target: Option<&core::ObjectReference>) -> Option<String> {
    let t = target?;
    if t.kind.as_deref() == Some("Pod") {
        t.name.clone().filter(|n| !n.is_empty())
    } else {
        None
    }
}

fn check_port_name(name: Option<&str>, required: bool, at: &FieldPath, c: &mut Checker) {
    match name {
        None if required => c.error(
            at.key("name"),
            "name is required when there is more than one port",
        ),
        Some(n) => c.check(&at.key("name"), n, names::dns1123_label(n)),
        None => {}
    }
}

fn endpoint_port(
    name: Option<String>,
    port: Option<i32>,
    proto: Option<&str>,
    at: &FieldPath,
    c: &mut Checker,
) -> Option<EndpointPort> {
    let protocol = protocol(proto, Rejected, &at.key("protocol"), c);
    let port = port?;
    let port = names::port_number(i64::from(port))
        .map_err(|m| c.error(at.key("port"), format!("invalid value `{port}`: {m}")))
        .ok()?;
    Some(EndpointPort {
        name,
        port,
        protocol: protocol?,
    })
}

/// Checks and lowers one EndpointSlice; `None` (with a warning) for slices
/// podnet does not model.
pub fn endpoint_slice(
    s: &discovery::EndpointSlice,
    base: &FieldPath,
    source: Source,
    c: &mut Checker,
) -> Option<RawEndpoints> {
    let info = object_meta(&s.metadata, NameRule::Subdomain, true, base, c);
    let namespace = info.namespace.unwrap_or_default();
    let v4 = match s.address_type.as_str() {
        "IPv4" => true,
        "IPv6" => false,
        "FQDN" => {
            c.warn(
                base.key("addressType"),
                "FQDN endpoints are not modelled; this EndpointSlice is ignored",
            );
            return None;
        }
        other => {
            unsupported(
                &base.key("addressType"),
                other,
                &["FQDN", "IPv4", "IPv6"],
                c,
            );
            return None;
        }
    };
    let list = s.endpoints.as_deref().unwrap_or_default();
    if list.len() > MAX_SLICE_ENDPOINTS {
        c.error(
            base.key("endpoints"),
            format!("must have at most {MAX_SLICE_ENDPOINTS} items"),
        );
    }
    let mut addrs = Vec::new();
    for (i, e) in list.iter().enumerate() {
        let at = base.key("endpoints").index(i);
        addrs.extend(slice_endpoint(e, v4, &at, c));
    }
    let ports = slice_ports(s.ports.as_deref().unwrap_or_default(), base, c);
    let Some(service) = info.labels.get(SERVICE_NAME_LABEL).map(str::to_owned) else {
        c.warn(
            base.key("metadata").key("labels"),
            format!("no `{SERVICE_NAME_LABEL}` label: podnet cannot tell which Service this EndpointSlice belongs to; ignored"),
        );
        return None;
    };
    let meta = Meta {
        kind: "EndpointSlice".to_owned(),
        namespace: Some(namespace.clone()),
        name: info.name.clone(),
        source: source.clone(),
    };
    Some(RawEndpoints {
        kind: "EndpointSlice",
        namespace,
        name: info.name,
        source,
        sets: vec![EndpointSet {
            meta,
            service,
            addresses: addrs,
            ports,
        }],
    })
}

/// One slice endpoint. Its addresses are fungible and consumers use the
/// first (kube-proxy does); the others are checked, not modelled.
fn slice_endpoint(
    e: &discovery::Endpoint,
    v4: bool,
    at: &FieldPath,
    c: &mut Checker,
) -> Option<EndpointAddress> {
    if e.addresses.is_empty() {
        c.error(at.key("addresses"), "must contain at least 1 address");
    } else if e.addresses.len() > MAX_ENDPOINT_ADDRESSES {
        c.error(
            at.key("addresses"),
            format!("must have at most {MAX_ENDPOINT_ADDRESSES} items"),
        );
    }
    let ips: Vec<Option<IpAddr>> = e
        .addresses
        .iter()
        .enumerate()
        .map(|(i, a)| endpoint_ip(a, Some(v4), &at.key("addresses").index(i), c))
        .collect();
    let node_name = node_and_hostname(e.node_name.as_deref(), e.hostname.as_deref(), at, c);
    // API reference, EndpointConditions.ready: "nil should be interpreted
    // as true" for consumers.
    let ready = e.conditions.as_ref().and_then(|k| k.ready).unwrap_or(true);
    // EndpointConditions.serving: "nil should be interpreted as ready";
    // terminating: nil is not terminating.
    let serving = e
        .conditions
        .as_ref()
        .and_then(|k| k.serving)
        .unwrap_or(ready);
    let terminating = e
        .conditions
        .as_ref()
        .and_then(|k| k.terminating)
        .unwrap_or(false);
    // ValidateEndpointSlice: `zone` is a label value.
    let zone = e.zone.as_deref().map(|z| {
        c.check(&at.key("zone"), z, names::label_value(z));
        z.to_owned()
    });
    let hints = e
        .hints
        .as_ref()
        .map(|h| slice_hints(h, &at.key("hints"), c))
        .unwrap_or_default();
    Some(EndpointAddress {
        ip: ips.into_iter().next().flatten()?,
        ready,
        serving,
        terminating,
        node_name,
        zone,
        hints,
        pod: pod_ref(e.target_ref.as_ref()),
        hostname: e.hostname.clone().filter(|h| !h.is_empty()),
    })
}

/// `hints` (`validateHints`): at most 8 `forZones`, label values, no
/// duplicates; at most 8 `forNodes`, node names, no duplicates.
fn slice_hints(h: &discovery::EndpointHints, at: &FieldPath, c: &mut Checker) -> EndpointHints {
    let zones: Vec<&str> = h
        .for_zones
        .iter()
        .flatten()
        .map(|z| z.name.as_str())
        .collect();
    let nodes: Vec<&str> = h
        .for_nodes
        .iter()
        .flatten()
        .map(|n| n.name.as_str())
        .collect();
    let check =
        |field: &'static str, list: &[&str], rule: fn(&str) -> Vec<String>, c: &mut Checker| {
            let path = at.key(field);
            if list.len() > MAX_HINTS {
                c.error(path, format!("must have at most {MAX_HINTS} items"));
                return Vec::new();
            }
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            for (i, name) in list.iter().enumerate() {
                let path = path.index(i).key("name");
                if !seen.insert(*name) {
                    c.error(path, format!("duplicate value `{name}`"));
                    continue;
                }
                let problems = rule(name);
                if problems.is_empty() {
                    out.push((*name).to_owned());
                } else {
                    c.check(&path, name, problems);
                }
            }
            out
        };
    EndpointHints {
        for_zones: check("forZones", &zones, names::label_value, c),
        for_nodes: check("forNodes", &nodes, names::dns1123_subdomain, c),
    }
}

fn slice_ports(
    list: &[discovery::EndpointPort],
    base: &FieldPath,
    c: &mut Checker,
) -> Vec<EndpointPort> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let at = base.key("ports").index(i);
        let name = p.name.clone().filter(|n| !n.is_empty());
        check_port_name(name.as_deref(), false, &at, c);
        if !seen.insert(name.clone()) {
            let shown = name.as_deref().unwrap_or("");
            c.error(at.key("name"), format!("duplicate value `{shown}`"));
        }
        if p.port.is_none() {
            c.warn(
                at.key("port"),
                "no port: all ports of the endpoints; podnet ignores this entry",
            );
        }
        out.extend(endpoint_port(name, p.port, p.protocol.as_deref(), &at, c));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::testing::source;

    fn ep(json: serde_json::Value) -> (RawEndpoints, Checker) {
        let e: core::Endpoints = serde_json::from_value(json).unwrap_or_default();
        let mut c = Checker::default();
        (endpoints(&e, &FieldPath::root(), source(), &mut c), c)
    }

    fn slice(json: serde_json::Value) -> (Option<RawEndpoints>, Checker) {
        let s: discovery::EndpointSlice = serde_json::from_value(json).unwrap_or_default();
        let mut c = Checker::default();
        (endpoint_slice(&s, &FieldPath::root(), source(), &mut c), c)
    }

    #[test]
    fn endpoints_give_one_set_per_subset() {
        let (r, c) = ep(serde_json::json!({
            "metadata": {"name": "db", "namespace": "data"},
            "subsets": [
                {"addresses": [{"ip": "10.0.0.1", "nodeName": "n1",
                                "targetRef": {"kind": "Pod", "name": "db-0"}}],
                 "notReadyAddresses": [{"ip": "10.0.0.2"}],
                 "ports": [{"port": 5432}]},
                {"addresses": [{"ip": "10.0.0.3"}],
                 "ports": [{"name": "a", "port": 53, "protocol": "UDP"}, {"name": "b", "port": 53}]}
            ]
        }));
        assert!(!c.has_errors(), "{:?}", c.errors);
        assert_eq!(r.sets.len(), 2);
        let first = &r.sets[0];
        assert_eq!(first.service, "db");
        assert_eq!(first.addresses.len(), 2);
        assert!(first.addresses[0].ready && !first.addresses[1].ready);
        assert_eq!(first.addresses[0].pod.as_deref(), Some("db-0"));
        assert_eq!(first.addresses[0].node_name.as_deref(), Some("n1"));
        assert_eq!(first.ports.len(), 1);
        assert_eq!(r.sets[1].ports.len(), 2);
    }

    #[test]
    fn endpoints_errors() {
        for (json, path) in [
            (
                serde_json::json!({"metadata": {"name": "x"}, "subsets": [{"ports": [{"port": 1}]}]}),
                "subsets[0]",
            ),
            (
                serde_json::json!({"metadata": {"name": "x"}, "subsets": [{"addresses": [{"ip": "127.0.0.1"}]}]}),
                "subsets[0].addresses[0].ip",
            ),
            (
                serde_json::json!({"metadata": {"name": "x"}, "subsets": [{"addresses": [{"ip": "10.0.0.1"}],
                    "ports": [{"port": 1}, {"port": 2}]}]}),
                "subsets[0].ports[0].name",
            ),
            (
                serde_json::json!({"metadata": {"name": "x"}, "subsets": [{"addresses": [{"ip": "10.0.0.1"}],
                    "ports": [{"port": 0}]}]}),
                "subsets[0].ports[0].port",
            ),
        ] {
            let (_, c) = ep(json);
            assert_eq!(
                c.errors.first().map(|e| e.0.to_string()).as_deref(),
                Some(path)
            );
        }
    }

    #[test]
    fn slices() {
        let (r, c) = slice(serde_json::json!({
            "metadata": {"name": "web-abc", "labels": {SERVICE_NAME_LABEL: "web"}},
            "addressType": "IPv4",
            "endpoints": [
                {"addresses": ["10.244.1.5"], "nodeName": "n1", "targetRef": {"kind": "Pod", "name": "web-1"}},
                {"addresses": ["10.244.2.5"], "conditions": {"ready": false}}
            ],
            "ports": [{"name": "http", "port": 80}, {"name": "all"}]
        }));
        assert!(!c.has_errors(), "{:?}", c.errors);
        assert_eq!(c.warnings.len(), 1, "the port without number");
        let r = r.unwrap();
        let set = &r.sets[0];
        assert_eq!(set.service, "web");
        assert!(set.addresses[0].ready, "nil ready is ready");
        assert!(!set.addresses[1].ready);
        assert_eq!(set.ports.len(), 1);
    }

    // API reference, EndpointSlice: endpoints[].zone and hints.forZones /
    // forNodes (KEP-2433, KEP-3015); validateHints: at most 8 of each, no
    // duplicates, label values / node names.
    #[test]
    fn slice_zone_and_hints() {
        let (r, c) = slice(serde_json::json!({
            "metadata": {"name": "web-abc", "labels": {SERVICE_NAME_LABEL: "web"}},
            "addressType": "IPv4",
            "endpoints": [
                {"addresses": ["10.244.1.5"], "nodeName": "n1", "zone": "zone-a",
                 "hints": {"forZones": [{"name": "zone-a"}], "forNodes": [{"name": "n1"}]}},
                {"addresses": ["10.244.2.5"]}
            ]
        }));
        assert!(!c.has_errors(), "{:?}", c.errors);
        let set = &r.unwrap().sets[0];
        let a = &set.addresses[0];
        assert_eq!(a.zone.as_deref(), Some("zone-a"));
        assert_eq!(a.hints.for_zones, ["zone-a"]);
        assert_eq!(a.hints.for_nodes, ["n1"]);
        assert_eq!(set.addresses[1].hints, EndpointHints::default());
        let nine: Vec<serde_json::Value> = (0..9)
            .map(|i| serde_json::json!({"name": format!("z{i}")}))
            .collect();
        for (endpoint, path) in [
            (
                serde_json::json!({"addresses": ["10.0.0.1"], "zone": "zone a"}),
                "endpoints[0].zone",
            ),
            (
                serde_json::json!({"addresses": ["10.0.0.1"],
                    "hints": {"forZones": [{"name": "a"}, {"name": "a"}]}}),
                "endpoints[0].hints.forZones[1].name",
            ),
            (
                serde_json::json!({"addresses": ["10.0.0.1"], "hints": {"forZones": nine}}),
                "endpoints[0].hints.forZones",
            ),
            (
                serde_json::json!({"addresses": ["10.0.0.1"],
                    "hints": {"forNodes": [{"name": "Node_1"}]}}),
                "endpoints[0].hints.forNodes[0].name",
            ),
        ] {
            let (_, c) = slice(serde_json::json!({
                "metadata": {"name": "x", "labels": {SERVICE_NAME_LABEL: "web"}},
                "addressType": "IPv4", "endpoints": [endpoint]
            }));
            assert_eq!(
                c.errors.first().map(|e| e.0.to_string()).as_deref(),
                Some(path)
            );
        }
    }

    #[test]
    fn unmodelled_slices_are_warnings() {
        let (r, c) = slice(serde_json::json!({
            "metadata": {"name": "x"}, "addressType": "IPv4", "endpoints": []
        }));
        assert!(r.is_none() && !c.has_errors() && c.warnings.len() == 1);
        let (r, c) = slice(serde_json::json!({
            "metadata": {"name": "x", "labels": {SERVICE_NAME_LABEL: "web"}}, "addressType": "FQDN"
        }));
        assert!(r.is_none() && !c.has_errors() && c.warnings.len() == 1);
    }

    #[test]
    fn slice_errors() {
        for (json, path) in [
            (
                serde_json::json!({"metadata": {"name": "x"}, "addressType": "IPv5"}),
                "addressType",
            ),
            (
                serde_json::json!({"metadata": {"name": "x"}, "addressType": "IPv6",
                    "endpoints": [{"addresses": ["10.0.0.1"]}]}),
                "endpoints[0].addresses[0]",
            ),
            (
                serde_json::json!({"metadata": {"name": "x"}, "addressType": "IPv4",
                    "endpoints": [{"addresses": []}]}),
                "endpoints[0].addresses",
            ),
            (
                serde_json::json!({"metadata": {"name": "x"}, "addressType": "IPv4",
                    "ports": [{"name": "a", "port": 1}, {"name": "a", "port": 2}]}),
                "ports[1].name",
            ),
        ] {
            let (_, c) = slice(json);
            assert_eq!(
                c.errors.first().map(|e| e.0.to_string()).as_deref(),
                Some(path)
            );
        }
    }
}
