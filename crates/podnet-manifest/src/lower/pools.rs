//! Static address pools: Calico `IPPool` (crd.projectcalico.org/v1 and
//! projectcalico.org/v3, one resource) and Robin `IPPool` (robin.io/v1). Both
//! kinds are CRDs, read with podnet's own serde types; fields podnet does not
//! use (`ipipMode`, `vxlanMode`, `allowedUses`...) are ignored.

use std::net::IpAddr;

use ipnet::IpNet;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use podnet_model::{IpPool, Labels, Meta, PoolFlavor, PoolRoute, Source};
use serde::Deserialize;

use super::meta::{NameRule, object_meta};
use crate::path::FieldPath;
use crate::validate::{Checker, addresses, names};

/// A Calico `IPPool`.
#[derive(Debug, Default, Deserialize)]
pub struct CalicoIpPool {
    /// Metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Spec.
    #[serde(default)]
    pub spec: CalicoIpPoolSpec,
}

/// The fields of a Calico `IPPool` spec podnet reads.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalicoIpPoolSpec {
    /// `cidr` (required).
    pub cidr: Option<String>,
    /// `blockSize`.
    pub block_size: Option<i64>,
    /// `natOutgoing`.
    pub nat_outgoing: Option<bool>,
    /// `disabled`.
    pub disabled: Option<bool>,
    /// `nodeSelector` (a Calico selector expression).
    pub node_selector: Option<String>,
}

/// A Robin `IPPool`.
#[derive(Debug, Default, Deserialize)]
pub struct RobinIpPool {
    /// Metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Spec.
    #[serde(default)]
    pub spec: RobinIpPoolSpec,
}

/// The fields of a Robin `IPPool` spec podnet reads.
#[derive(Debug, Default, Deserialize)]
pub struct RobinIpPoolSpec {
    /// `subnet` (required).
    pub subnet: Option<String>,
    /// `gateway`.
    pub gateway: Option<String>,
    /// `ranges`.
    #[serde(default)]
    pub ranges: Vec<RobinRange>,
    /// `reserved` addresses.
    #[serde(default)]
    pub reserved: Vec<String>,
    /// `vlan`.
    pub vlan: Option<i64>,
    /// `routes`.
    #[serde(default)]
    pub routes: Vec<RobinRoute>,
}

/// One `ranges` entry.
#[derive(Debug, Deserialize)]
pub struct RobinRange {
    /// First address.
    pub start: String,
    /// Last address.
    pub end: String,
}

/// One `routes` entry.
#[derive(Debug, Deserialize)]
pub struct RobinRoute {
    /// Destination CIDR.
    pub dst: String,
    /// Next hop.
    pub gw: String,
}

fn pool_meta(meta: &ObjectMeta, base: &FieldPath, source: Source, c: &mut Checker) -> Meta {
    let info = object_meta(meta, NameRule::Subdomain, false, base, c);
    Meta {
        kind: "IPPool".to_owned(),
        namespace: None,
        name: info.name,
        source,
    }
}

fn empty_pool(meta: Meta, flavor: PoolFlavor, cidr: IpNet) -> IpPool {
    IpPool {
        meta,
        flavor,
        cidr,
        ranges: Vec::new(),
        gateway: None,
        reserved: Vec::new(),
        vlan: None,
        routes: Vec::new(),
        block_size: None,
        nat_outgoing: false,
        disabled: false,
        node_selector: Labels::new(),
    }
}

/// Checks and lowers a Calico `IPPool`: `cidr` required, `blockSize`
/// 20..=32 for IPv4 (default 26) and 116..=128 for IPv6 (default 122), and
/// the pool at least one block large.
pub fn calico(
    p: &CalicoIpPool,
    base: &FieldPath,
    source: Source,
    c: &mut Checker,
) -> Option<IpPool> {
    let meta = pool_meta(&p.metadata, base, source, c);
    let at = base.key("spec");
    let Some(written) = p.spec.cidr.as_deref().filter(|s| !s.is_empty()) else {
        c.error(at.key("cidr"), "cidr is required");
        return None;
    };
    let cidr = addresses::cidr(written, &at.key("cidr"), c)?;
    let (default, range) = match cidr {
        IpNet::V4(_) => (26, 20..=32),
        IpNet::V6(_) => (122, 116..=128),
    };
    let block = p.spec.block_size.unwrap_or(default);
    if !range.contains(&block) {
        c.error(
            at.key("blockSize"),
            format!(
                "invalid value `{block}`: must be between {} and {} for an IPv{} pool",
                range.start(),
                range.end(),
                if cidr.addr().is_ipv4() { 4 } else { 6 }
            ),
        );
    } else if i64::from(cidr.prefix_len()) > block {
        c.error(
            at.key("cidr"),
            format!("`{written}` is smaller than one block (`blockSize` {block}): it must be at least a /{block}"),
        );
    }
    let node_selector = p
        .spec
        .node_selector
        .as_deref()
        .map_or_else(Labels::new, |s| {
            calico_selector(s, &at.key("nodeSelector"), c)
        });
    Some(IpPool {
        block_size: u8::try_from(block).ok(),
        nat_outgoing: p.spec.nat_outgoing.unwrap_or(false),
        disabled: p.spec.disabled.unwrap_or(false),
        node_selector,
        ..empty_pool(meta, PoolFlavor::Calico, cidr)
    })
}

/// The Calico selectors podnet understands: `all()` (or empty) and
/// `key == 'value'` terms joined by `&&`. Anything else is treated as all
/// nodes, with a warning.
fn calico_selector(s: &str, path: &FieldPath, c: &mut Checker) -> Labels {
    let s = s.trim();
    if s.is_empty() || s == "all()" {
        return Labels::new();
    }
    let term = |t: &str| -> Option<(String, String)> {
        let (k, v) = t.split_once("==")?;
        let (k, v) = (k.trim(), v.trim());
        let quoted = |q: char| v.len() >= 2 && v.starts_with(q) && v.ends_with(q);
        let v = if quoted('\'') || quoted('"') {
            &v[1..v.len() - 1]
        } else {
            return None;
        };
        let valid = names::qualified_name(k).is_empty() && names::label_value(v).is_empty();
        valid.then(|| (k.to_owned(), v.to_owned()))
    };
    let terms: Option<Vec<(String, String)>> = s.split("&&").map(term).collect();
    match terms {
        Some(t) => t.into_iter().collect(),
        None => {
            c.warn(
                path.clone(),
                format!("podnet reads only `all()` and `key == 'value'` terms joined by `&&`; `{s}` is treated as all nodes"),
            );
            Labels::new()
        }
    }
}

/// Checks and lowers a Robin `IPPool`: `subnet` required; the gateway,
/// ranges and reserved addresses inside it; ranges ordered; `vlan`
/// 1..=4094; routes to CIDRs via addresses.
pub fn robin(p: &RobinIpPool, base: &FieldPath, source: Source, c: &mut Checker) -> Option<IpPool> {
    let meta = pool_meta(&p.metadata, base, source, c);
    let at = base.key("spec");
    let Some(written) = p.spec.subnet.as_deref().filter(|s| !s.is_empty()) else {
        c.error(at.key("subnet"), "subnet is required");
        return None;
    };
    let subnet = addresses::cidr(written, &at.key("subnet"), c)?;
    let inside = |value: &str, path: FieldPath, c: &mut Checker| -> Option<IpAddr> {
        let ip = addresses::ip(value, &path, c)?;
        if !subnet.contains(&ip) {
            c.error(path, format!("`{value}` is outside the subnet `{subnet}`"));
            return None;
        }
        Some(ip)
    };
    let gateway = p
        .spec
        .gateway
        .as_deref()
        .filter(|g| !g.is_empty())
        .and_then(|g| inside(g, at.key("gateway"), c));
    let mut ranges = Vec::new();
    for (i, r) in p.spec.ranges.iter().enumerate() {
        let r_at = at.key("ranges").index(i);
        let start = inside(&r.start, r_at.key("start"), c);
        let end = inside(&r.end, r_at.key("end"), c);
        if let (Some(start), Some(end)) = (start, end) {
            if start > end {
                c.error(
                    r_at.key("end"),
                    format!("`{end}` is before `start` ({start})"),
                );
            } else {
                ranges.push((start, end));
            }
        }
    }
    let reserved = p
        .spec
        .reserved
        .iter()
        .enumerate()
        .filter_map(|(i, r)| inside(r, at.key("reserved").index(i), c))
        .collect();
    let vlan = p.spec.vlan.and_then(|v| match u16::try_from(v) {
        Ok(v) if (1..=4094).contains(&v) => Some(v),
        _ => {
            c.error(
                at.key("vlan"),
                format!("invalid value `{v}`: must be between 1 and 4094, inclusive"),
            );
            None
        }
    });
    let mut routes = Vec::new();
    for (i, r) in p.spec.routes.iter().enumerate() {
        let r_at = at.key("routes").index(i);
        let dst = addresses::cidr(&r.dst, &r_at.key("dst"), c);
        let gw = addresses::ip(&r.gw, &r_at.key("gw"), c);
        if let (Some(dst), Some(gw)) = (dst, gw) {
            routes.push(PoolRoute { dst, gw });
        }
    }
    Some(IpPool {
        ranges,
        gateway,
        reserved,
        vlan,
        routes,
        ..empty_pool(meta, PoolFlavor::Robin, subnet)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::testing::source;

    fn calico_pool(json: serde_json::Value) -> (Option<IpPool>, Checker) {
        let p: CalicoIpPool = serde_json::from_value(json).unwrap_or_default();
        let mut c = Checker::default();
        (calico(&p, &FieldPath::root(), source(), &mut c), c)
    }

    fn robin_pool(json: serde_json::Value) -> (Option<IpPool>, Checker) {
        let p: RobinIpPool = serde_json::from_value(json).unwrap_or_default();
        let mut c = Checker::default();
        (robin(&p, &FieldPath::root(), source(), &mut c), c)
    }

    #[test]
    fn calico_defaults_and_selector() {
        let (p, c) = calico_pool(serde_json::json!({
            "metadata": {"name": "default-ipv4-ippool"},
            "spec": {"cidr": "10.1.0.0/16", "natOutgoing": true, "ipipMode": "Always",
                     "nodeSelector": "zone == 'a' && rack == \"r1\""}
        }));
        assert!(!c.has_errors() && c.warnings.is_empty(), "{c:?}");
        let p = p.unwrap();
        assert_eq!(p.block_size, Some(26));
        assert!(p.nat_outgoing && !p.disabled);
        assert_eq!(p.node_selector.get("zone"), Some("a"));
        assert_eq!(p.node_selector.get("rack"), Some("r1"));
        let (p, _) = calico_pool(serde_json::json!({
            "metadata": {"name": "v6"}, "spec": {"cidr": "fd00::/48", "nodeSelector": "all()"}
        }));
        let p = p.unwrap();
        assert_eq!(p.block_size, Some(122));
        assert!(p.node_selector.is_empty());
    }

    #[test]
    fn calico_complex_selectors_are_all_nodes_with_a_warning() {
        let (p, c) = calico_pool(serde_json::json!({
            "metadata": {"name": "p"}, "spec": {"cidr": "10.1.0.0/16", "nodeSelector": "has(edge)"}
        }));
        assert!(p.unwrap().node_selector.is_empty());
        assert_eq!(c.warnings[0].0.to_string(), "spec.nodeSelector");
    }

    #[test]
    fn calico_errors() {
        for (spec, path) in [
            (serde_json::json!({}), "spec.cidr"),
            (
                serde_json::json!({"cidr": "10.1.0.0/16", "blockSize": 19}),
                "spec.blockSize",
            ),
            (
                serde_json::json!({"cidr": "fd00::/48", "blockSize": 26}),
                "spec.blockSize",
            ),
            (serde_json::json!({"cidr": "10.1.0.0/28"}), "spec.cidr"),
        ] {
            let (_, c) = calico_pool(serde_json::json!({"metadata": {"name": "p"}, "spec": spec}));
            assert_eq!(
                c.errors.first().map(|e| e.0.to_string()).as_deref(),
                Some(path)
            );
        }
    }

    #[test]
    fn robin_pool_fields() {
        let (p, c) = robin_pool(serde_json::json!({
            "metadata": {"name": "pool-5g-core"},
            "spec": {"subnet": "172.20.0.0/16", "gateway": "172.20.0.1",
                     "ranges": [{"start": "172.20.0.10", "end": "172.20.0.250"}],
                     "reserved": ["172.20.0.254"], "vlan": 100,
                     "routes": [{"dst": "10.0.0.0/8", "gw": "172.20.0.254"}]}
        }));
        assert!(!c.has_errors(), "{:?}", c.errors);
        let p = p.unwrap();
        assert_eq!(p.flavor, PoolFlavor::Robin);
        assert_eq!(p.cidr.to_string(), "172.20.0.0/16");
        assert_eq!(p.gateway, "172.20.0.1".parse().ok());
        assert_eq!(p.ranges.len(), 1);
        assert_eq!(p.reserved.len(), 1);
        assert_eq!(p.vlan, Some(100));
        assert_eq!(p.routes.len(), 1);
    }

    #[test]
    fn robin_errors() {
        for (spec, path) in [
            (serde_json::json!({}), "spec.subnet"),
            (
                serde_json::json!({"subnet": "172.20.0.0/16", "gateway": "172.21.0.1"}),
                "spec.gateway",
            ),
            (
                serde_json::json!({"subnet": "172.20.0.0/16", "ranges": [{"start": "172.20.0.9", "end": "172.21.0.1"}]}),
                "spec.ranges[0].end",
            ),
            (
                serde_json::json!({"subnet": "172.20.0.0/16", "ranges": [{"start": "172.20.0.9", "end": "172.20.0.1"}]}),
                "spec.ranges[0].end",
            ),
            (
                serde_json::json!({"subnet": "172.20.0.0/16", "reserved": ["1.1.1.1"]}),
                "spec.reserved[0]",
            ),
            (
                serde_json::json!({"subnet": "172.20.0.0/16", "vlan": 4095}),
                "spec.vlan",
            ),
            (
                serde_json::json!({"subnet": "172.20.0.0/16", "routes": [{"dst": "10.0.0.0", "gw": "172.20.0.1"}]}),
                "spec.routes[0].dst",
            ),
        ] {
            let (_, c) = robin_pool(serde_json::json!({"metadata": {"name": "p"}, "spec": spec}));
            assert_eq!(
                c.errors.first().map(|e| e.0.to_string()).as_deref(),
                Some(path)
            );
        }
    }
}
