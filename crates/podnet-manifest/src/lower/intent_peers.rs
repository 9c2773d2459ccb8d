//! The endpoints and ports of a `ConnectivityIntent`: pods by namespace
//! and labels, a workload by `namespace/name`, or an `ipBlock`; ports as
//! NetworkPolicy writes them. The types deny unknown fields (a misspelt
//! `podSelector` or `matchLabel` is an error, not an empty selector).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1 as meta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use podnet_model::{EndpointSelector, IpBlock, PortMatch, PortSpec, SelectorKind};
use serde::Deserialize;

use super::netpol::LineOf;
use crate::path::FieldPath;
use crate::validate::UnknownProtocol::Rejected;
use crate::validate::selector::label_selector;
use crate::validate::{Checker, addresses, names, protocol};

/// A label selector (`matchLabels`, `matchExpressions`), strict.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SelectorDef {
    /// `matchLabels`.
    pub match_labels: Option<BTreeMap<String, String>>,
    /// `matchExpressions`.
    pub match_expressions: Option<Vec<RequirementDef>>,
}

/// One `matchExpressions` entry, strict.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RequirementDef {
    /// `key`.
    pub key: String,
    /// `operator`.
    pub operator: String,
    /// `values`.
    pub values: Option<Vec<String>>,
}

impl SelectorDef {
    /// The Kubernetes type, for the API server's checks.
    pub fn to_k8s(&self) -> meta::LabelSelector {
        meta::LabelSelector {
            match_labels: self.match_labels.clone(),
            match_expressions: self.match_expressions.as_ref().map(|l| {
                l.iter()
                    .map(|r| meta::LabelSelectorRequirement {
                        key: r.key.clone(),
                        operator: r.operator.clone(),
                        values: r.values.clone(),
                    })
                    .collect()
            }),
        }
    }
}

/// `ipBlock`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IpBlockDef {
    /// `cidr`.
    pub cidr: Option<String>,
    /// `except`.
    pub except: Option<Vec<String>>,
}

/// One `from`/`to` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EndpointDef {
    /// A namespace by name.
    pub namespace: Option<String>,
    /// Namespaces by labels.
    pub namespace_selector: Option<SelectorDef>,
    /// Pods by labels.
    pub pod_selector: Option<SelectorDef>,
    /// `namespace/name` of a workload.
    pub workload: Option<String>,
    /// Addresses outside the cluster's pods.
    pub ip_block: Option<IpBlockDef>,
    /// This source's ports (only in `only.from`).
    pub ports: Option<Vec<PortDef>>,
}

/// One `ports` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PortDef {
    /// `TCP` (default), `UDP` or `SCTP`.
    pub protocol: Option<String>,
    /// A number or a container port name; absent: every port.
    pub port: Option<IntOrString>,
    /// The last port of a range starting at `port`.
    pub end_port: Option<i64>,
}

/// Checks and lowers one endpoint, with its own `ports` when
/// `with_ports` allows them.
pub fn endpoint(
    e: &EndpointDef,
    with_ports: bool,
    at: &FieldPath,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> Option<(EndpointSelector, Option<Vec<PortSpec>>)> {
    let own_ports = match (&e.ports, with_ports) {
        (Some(_), false) => {
            c.error(
                at.key("ports"),
                "`ports` of a single endpoint is only allowed in `only.from`; put `ports` next to `from` and `to`",
            );
            None
        }
        (Some(list), true) => Some(ports(Some(list), &at.key("ports"), line_of, c)),
        (None, _) => None,
    };
    let pods = e.namespace.is_some() || e.namespace_selector.is_some() || e.pod_selector.is_some();
    let kind = match (&e.ip_block, &e.workload, pods) {
        (None, None, false) => {
            c.error(
                at.clone(),
                "an endpoint must set `namespace`, `namespaceSelector`, `podSelector`, `workload` or `ipBlock` (`namespaceSelector: {}` selects every pod)",
            );
            return None;
        }
        (Some(_), Some(_), _) | (Some(_), _, true) | (_, Some(_), true) => {
            c.error(
                at.clone(),
                "`ipBlock` and `workload` may not be combined with each other or with `namespace`, `namespaceSelector` or `podSelector`",
            );
            return None;
        }
        (Some(b), None, false) => SelectorKind::IpBlock(ip_block(b, &at.key("ipBlock"), c)?),
        (None, Some(w), false) => workload(w, &at.key("workload"), c)?,
        (None, None, true) => {
            if let Some(ns) = &e.namespace {
                c.check(&at.key("namespace"), ns, names::dns1123_label(ns));
            }
            let selector = |s: &Option<SelectorDef>, field: &'static str, c: &mut Checker| {
                s.as_ref()
                    .map(|s| label_selector(Some(&s.to_k8s()), &at.key(field), c))
            };
            SelectorKind::Pods {
                namespace: e.namespace.clone(),
                namespace_selector: selector(&e.namespace_selector, "namespaceSelector", c),
                pod_selector: selector(&e.pod_selector, "podSelector", c).unwrap_or_default(),
            }
        }
    };
    Some((
        EndpointSelector {
            line: line_of(at),
            kind,
        },
        own_ports,
    ))
}

/// `workload: namespace/name`.
fn workload(value: &str, at: &FieldPath, c: &mut Checker) -> Option<SelectorKind> {
    let Some((ns, name)) = value.split_once('/') else {
        c.error(
            at.clone(),
            format!("`{value}` is not `namespace/name`: write the workload's namespace, a slash and its name"),
        );
        return None;
    };
    let before = c.errors.len();
    c.check(at, ns, names::dns1123_label(ns));
    c.check(at, name, names::dns1123_subdomain(name));
    (c.errors.len() == before).then(|| SelectorKind::Workload {
        namespace: ns.to_owned(),
        name: name.to_owned(),
    })
}

/// `ipBlock`: a canonical `cidr`, each `except` a strict subset of it.
fn ip_block(b: &IpBlockDef, at: &FieldPath, c: &mut Checker) -> Option<IpBlock> {
    let except = b.except.as_deref().unwrap_or_default();
    addresses::ip_block(b.cidr.as_deref(), except, addresses::strict_cidr, at, c)
}

/// A `ports` list (absent or empty: any connection).
pub fn ports(
    list: Option<&[PortDef]>,
    at: &FieldPath,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> Vec<PortSpec> {
    list.unwrap_or_default()
        .iter()
        .enumerate()
        .filter_map(|(i, p)| port(p, &at.index(i), line_of, c))
        .collect()
}

fn port(p: &PortDef, at: &FieldPath, line_of: LineOf<'_>, c: &mut Checker) -> Option<PortSpec> {
    let protocol = protocol(p.protocol.as_deref(), Rejected, &at.key("protocol"), c);
    let number = |n: i64, field: &'static str, c: &mut Checker| {
        names::port_number(n)
            .map_err(|m| c.error(at.key(field), format!("invalid value `{n}`: {m}")))
            .ok()
    };
    let port = match (&p.port, p.end_port) {
        (None, None) => Some(PortMatch::All),
        (None, Some(end)) => {
            c.error(
                at.key("endPort"),
                format!("invalid value `{end}`: may not be specified when `port` is not specified"),
            );
            None
        }
        (Some(IntOrString::Int(n)), end) => {
            let start = number(i64::from(*n), "port", c);
            let end = match end {
                None => start,
                Some(e) => number(e, "endPort", c),
            };
            match (start, end) {
                (Some(s), Some(e)) if s <= e => Some(PortMatch::Range(s, e)),
                (Some(s), Some(e)) => {
                    c.error(
                        at.key("endPort"),
                        format!("port range backwards: `endPort` {e} is before `port` {s}; write the lower port first"),
                    );
                    None
                }
                _ => None,
            }
        }
        (Some(IntOrString::String(name)), end) => {
            super::netpol::named_port(name, end, "a name", at, c)
        }
    };
    Some(PortSpec {
        line: line_of(at),
        protocol: protocol?,
        port: port?,
    })
}
