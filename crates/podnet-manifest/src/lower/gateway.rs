//! Gateway API `Gateway` (gateway.networking.k8s.io/v1, and v1beta1 which
//! shares the schema), read with podnet's own serde types (k8s-openapi has
//! no Gateway API types) and checked as the API server checks the CRD's
//! OpenAPI schema and CEL rules. Listener TLS certificates, `infrastructure`
//! and `allowedListeners` are not read.

use std::net::IpAddr;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use podnet_model::{
    AllowedRoutes, CertificateRef, Gateway, Listener, ListenerProtocol, Meta, NsId,
    RouteNamespaces, Source, TlsMode,
};
use serde::Deserialize;

use super::meta::{NameRule, object_meta};
use super::netpol::LineOf;
use super::records::PendingGateway;
use crate::path::FieldPath;
use crate::validate::{Checker, names, selector, unsupported};

/// The Gateway API group.
pub const GROUP: &str = "gateway.networking.k8s.io";
/// Most listeners of a Gateway.
const MAX_LISTENERS: usize = 64;
/// Most `addresses` of a Gateway.
const MAX_ADDRESSES: usize = 16;
/// Most `tls.certificateRefs` of a Listener.
const MAX_CERTIFICATE_REFS: usize = 64;
/// Most `allowedRoutes.kinds` of a Listener.
const MAX_ROUTE_KINDS: usize = 8;

/// A `Gateway`.
#[derive(Debug, Default, Deserialize)]
pub struct GatewayObject {
    /// Metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Spec.
    #[serde(default)]
    pub spec: GatewaySpec,
}

/// The fields of a Gateway spec podnet reads.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewaySpec {
    /// `gatewayClassName`.
    pub gateway_class_name: Option<String>,
    /// `listeners`.
    #[serde(default)]
    pub listeners: Vec<ListenerSpec>,
    /// `addresses`.
    #[serde(default)]
    pub addresses: Vec<AddressSpec>,
    /// `allowedListeners`.
    pub allowed_listeners: Option<AllowedListenersSpec>,
}

/// `allowedListeners`: which namespaces' ListenerSets may attach.
#[derive(Debug, Default, Deserialize)]
pub struct AllowedListenersSpec {
    /// `namespaces`.
    pub namespaces: Option<RouteNamespacesSpec>,
}

/// One `listeners` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerSpec {
    /// `name`.
    pub name: Option<String>,
    /// `hostname`.
    pub hostname: Option<String>,
    /// `port`.
    pub port: Option<i64>,
    /// `protocol`.
    pub protocol: Option<String>,
    /// `tls`.
    pub tls: Option<ListenerTls>,
    /// `allowedRoutes`.
    pub allowed_routes: Option<AllowedRoutesSpec>,
}

/// `tls` of a listener.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerTls {
    /// `mode` (Terminate when omitted).
    pub mode: Option<String>,
    /// `certificateRefs`.
    #[serde(default)]
    pub certificate_refs: Vec<SecretObjectReference>,
    /// `options`: only whether there are some is read.
    #[serde(default)]
    pub options: serde_json::Map<String, serde_json::Value>,
}

/// A `certificateRefs` entry (SecretObjectReference).
#[derive(Debug, Default, Deserialize)]
pub struct SecretObjectReference {
    /// `group` (the core group when omitted).
    pub group: Option<String>,
    /// `kind` (Secret when omitted).
    pub kind: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `namespace` (the Gateway's when omitted).
    pub namespace: Option<String>,
}

/// `allowedRoutes`.
#[derive(Debug, Default, Deserialize)]
pub struct AllowedRoutesSpec {
    /// `namespaces`.
    pub namespaces: Option<RouteNamespacesSpec>,
    /// `kinds`.
    #[serde(default)]
    pub kinds: Vec<RouteGroupKind>,
}

/// `allowedRoutes.namespaces`.
#[derive(Debug, Default, Deserialize)]
pub struct RouteNamespacesSpec {
    /// `from` (Same when omitted).
    pub from: Option<String>,
    /// `selector`.
    pub selector: Option<LabelSelector>,
}

/// `allowedRoutes.kinds[]`.
#[derive(Debug, Default, Deserialize)]
pub struct RouteGroupKind {
    /// `group` (the Gateway API group when omitted).
    pub group: Option<String>,
    /// `kind`.
    #[serde(default)]
    pub kind: String,
}

/// `addresses[]`.
#[derive(Debug, Default, Deserialize)]
pub struct AddressSpec {
    /// `type` (IPAddress when omitted).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `value`.
    pub value: Option<String>,
}

/// A list longer than the schema's `maxItems`.
pub fn too_many(len: usize, max: usize, at: &FieldPath, c: &mut Checker) {
    if len > max {
        c.error(
            at.clone(),
            format!("too many: {len}: must have at most {max} items"),
        );
    }
}

/// A `Hostname`: an RFC 1123 subdomain, or `*.` and one; not an IP address.
pub fn check_hostname(host: &str, at: &FieldPath, c: &mut Checker) {
    if host.parse::<IpAddr>().is_ok() {
        c.error(
            at.clone(),
            format!("invalid value `{host}`: must be a DNS name, not an IP address"),
        );
        return;
    }
    let problems = if host.contains('*') {
        names::wildcard_dns1123_subdomain(host)
    } else {
        names::dns1123_subdomain(host)
    };
    c.check(at, host, problems);
}

/// A `PortNumber` (1-65535) that may be required.
pub fn port(value: Option<i64>, required: bool, at: &FieldPath, c: &mut Checker) -> Option<u16> {
    match value {
        None if required => {
            c.error(at.clone(), "port is required");
            None
        }
        None => None,
        Some(n) => names::port_number(n)
            .map_err(|m| c.error(at.clone(), format!("invalid value `{n}`: {m}")))
            .ok(),
    }
}

/// Checks and lowers one Gateway.
pub fn gateway(
    g: &GatewayObject,
    base: &FieldPath,
    source: Source,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> PendingGateway {
    let info = object_meta(&g.metadata, NameRule::Subdomain, true, base, c);
    let namespace = info.namespace.unwrap_or_default();
    let at = base.key("spec");
    let spec = &g.spec;
    let class = spec.gateway_class_name.clone().unwrap_or_default();
    if class.is_empty() {
        c.error(at.key("gatewayClassName"), "gatewayClassName is required");
    } else if class.len() > 253 {
        c.error(
            at.key("gatewayClassName"),
            "must be no more than 253 characters",
        );
    }
    let list_at = at.key("listeners");
    if spec.listeners.is_empty() {
        c.error(list_at.clone(), "at least one listener is required");
    }
    too_many(spec.listeners.len(), MAX_LISTENERS, &list_at, c);
    let listeners: Vec<Listener> = spec
        .listeners
        .iter()
        .enumerate()
        .filter_map(|(i, l)| listener(l, &namespace, &list_at.index(i), line_of, c))
        .collect();
    distinct(&spec.listeners, &list_at, c);
    PendingGateway {
        namespace: namespace.clone(),
        gateway: Gateway {
            meta: Meta {
                kind: "Gateway".to_owned(),
                namespace: Some(namespace),
                name: info.name,
                source,
            },
            namespace: NsId(u32::MAX),
            class,
            listeners,
            addresses: addresses(&spec.addresses, &at.key("addresses"), c),
            allowed_listeners: allowed_listeners(
                spec.allowed_listeners.as_ref(),
                &at.key("allowedListeners"),
                c,
            ),
        },
    }
}

/// `allowedListeners.namespaces.from`: `None` (the default), `Same`, `All`
/// or `Selector` (API reference, AllowedListeners).
fn allowed_listeners(
    a: Option<&AllowedListenersSpec>,
    at: &FieldPath,
    c: &mut Checker,
) -> Option<RouteNamespaces> {
    let ns = a.and_then(|a| a.namespaces.as_ref())?;
    let ns_at = at.key("namespaces");
    match ns.from.as_deref() {
        None | Some("None") => None,
        Some("Same") => Some(RouteNamespaces::Same),
        Some("All") => Some(RouteNamespaces::All),
        Some("Selector") => match &ns.selector {
            Some(s) => Some(RouteNamespaces::Selector(selector::label_selector(
                Some(s),
                &ns_at.key("selector"),
                c,
            ))),
            None => {
                c.warn(
                    ns_at.key("selector"),
                    "selector must be specified when `from` is Selector: podnet admits no ListenerSet",
                );
                None
            }
        },
        Some(other) => {
            unsupported(
                &ns_at.key("from"),
                other,
                &["All", "None", "Same", "Selector"],
                c,
            );
            None
        }
    }
}

/// The CEL rules over the listener list: unique names, and a unique
/// combination of port, protocol and hostname.
pub(super) fn distinct(listeners: &[ListenerSpec], at: &FieldPath, c: &mut Checker) {
    for (i, l) in listeners.iter().enumerate() {
        let earlier = &listeners[..i];
        if l.name.as_ref().is_some_and(|n| !n.is_empty())
            && earlier.iter().any(|e| e.name == l.name)
        {
            c.error(
                at.index(i).key("name"),
                "Listener name must be unique within the Gateway",
            );
        }
        if earlier
            .iter()
            .any(|e| e.port == l.port && e.protocol == l.protocol && e.hostname == l.hostname)
        {
            c.error(
                at.index(i),
                "Combination of port, protocol and hostname must be unique for each listener",
            );
        }
    }
}

/// `ProtocolType`: a core name (`[a-zA-Z0-9]` with inner `-`) or a
/// domain-prefixed path.
fn valid_protocol(p: &str) -> bool {
    let b = p.as_bytes();
    let plain = matches!((b.first(), b.last()), (Some(f), Some(l)) if f.is_ascii_alphanumeric() && l.is_ascii_alphanumeric())
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-');
    let prefixed = p.split_once('/').is_some_and(|(domain, name)| {
        names::dns1123_subdomain(domain).is_empty()
            && !name.is_empty()
            && name.bytes().all(|c| c.is_ascii_alphanumeric())
    });
    p.len() <= 255 && (plain || prefixed)
}

pub(super) fn listener(
    l: &ListenerSpec,
    gateway_ns: &str,
    at: &FieldPath,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> Option<Listener> {
    let name = l.name.clone().unwrap_or_default();
    if name.is_empty() {
        c.error(at.key("name"), "name is required");
    } else {
        c.check(&at.key("name"), &name, names::dns1123_subdomain(&name));
    }
    let hostname = l.hostname.clone().filter(|h| !h.is_empty());
    if let Some(h) = &hostname {
        check_hostname(h, &at.key("hostname"), c);
    }
    let port = port(l.port, true, &at.key("port"), c);
    let written = l.protocol.as_deref().unwrap_or_default();
    if written.is_empty() {
        c.error(at.key("protocol"), "protocol is required");
    } else if !valid_protocol(written) {
        c.error(
            at.key("protocol"),
            format!("invalid value `{written}`: must be HTTP, HTTPS, TLS, TCP, UDP or a domain-prefixed path (e.g. 'example.com/bar')"),
        );
    }
    let protocol = ListenerProtocol::parse(written);
    if let ListenerProtocol::Other(p) = &protocol
        && !p.is_empty()
    {
        c.warn(
            at.key("protocol"),
            format!("`{p}` is not a core protocol: podnet attaches no route to this listener"),
        );
    }
    let tls = listener_tls(l, &protocol, at, c);
    let certificate_refs = certificate_refs(
        l,
        gateway_ns,
        &at.key("tls").key("certificateRefs"),
        line_of,
        c,
    );
    if hostname.is_some() && matches!(protocol, ListenerProtocol::Tcp | ListenerProtocol::Udp) {
        c.error(
            at.key("hostname"),
            "hostname must not be specified for protocols ['TCP', 'UDP']",
        );
    }
    let allowed_routes = allowed_routes(l.allowed_routes.as_ref(), &at.key("allowedRoutes"), c);
    Some(Listener {
        name,
        hostname,
        port: port?,
        protocol,
        tls,
        certificate_refs,
        allowed_routes,
        line: line_of(at),
        set: None,
    })
}

/// `tls.certificateRefs`: at most 64 (CRD `maxItems`), each named; the
/// namespace defaults to the Gateway's.
fn certificate_refs(
    l: &ListenerSpec,
    gateway_ns: &str,
    at: &FieldPath,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> Vec<CertificateRef> {
    let Some(tls) = &l.tls else {
        return Vec::new();
    };
    too_many(tls.certificate_refs.len(), MAX_CERTIFICATE_REFS, at, c);
    let mut out = Vec::new();
    for (i, r) in tls.certificate_refs.iter().enumerate() {
        let at = at.index(i);
        let name = r.name.clone().unwrap_or_default();
        if name.is_empty() {
            c.error(at.key("name"), "name is required");
            continue;
        }
        if let Some(ns) = &r.namespace {
            c.check(&at.key("namespace"), ns, names::dns1123_label(ns));
        }
        out.push(CertificateRef {
            group: r.group.clone().unwrap_or_default(),
            kind: r.kind.clone().unwrap_or_else(|| "Secret".to_owned()),
            namespace: r
                .namespace
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| gateway_ns.to_owned()),
            name,
            line: line_of(&at),
        });
    }
    out
}

/// `tls` and the CEL rules tying it to the protocol.
fn listener_tls(
    l: &ListenerSpec,
    protocol: &ListenerProtocol,
    at: &FieldPath,
    c: &mut Checker,
) -> Option<TlsMode> {
    let tls_at = at.key("tls");
    let Some(tls) = &l.tls else {
        match protocol {
            ListenerProtocol::Tls => c.error(at.clone(), "tls mode must be set for protocol TLS"),
            ListenerProtocol::Https => c.warn(
                at.clone(),
                "an HTTPS listener without `tls` has no certificate: controllers do not accept it",
            ),
            _ => {}
        }
        return None;
    };
    if matches!(
        protocol,
        ListenerProtocol::Http | ListenerProtocol::Tcp | ListenerProtocol::Udp
    ) {
        c.error(
            tls_at.clone(),
            "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']",
        );
    }
    let mode = match tls.mode.as_deref() {
        None | Some("Terminate") => TlsMode::Terminate,
        Some("Passthrough") => TlsMode::Passthrough,
        Some(other) => {
            unsupported(&tls_at.key("mode"), other, &["Terminate", "Passthrough"], c);
            TlsMode::Terminate
        }
    };
    if *protocol == ListenerProtocol::Https && mode != TlsMode::Terminate {
        c.error(
            tls_at.clone(),
            "tls mode must be Terminate for protocol HTTPS",
        );
    }
    if mode == TlsMode::Terminate && tls.certificate_refs.is_empty() && tls.options.is_empty() {
        c.error(
            tls_at,
            "certificateRefs or options must be specified when mode is Terminate",
        );
    }
    Some(mode)
}

fn allowed_routes(a: Option<&AllowedRoutesSpec>, at: &FieldPath, c: &mut Checker) -> AllowedRoutes {
    let Some(a) = a else {
        return AllowedRoutes::default();
    };
    let ns_at = at.key("namespaces");
    let ns = a.namespaces.as_ref();
    let from = match ns.and_then(|n| n.from.as_deref()) {
        None | Some("Same") => RouteNamespaces::Same,
        Some("All") => RouteNamespaces::All,
        Some("Selector") => match ns.and_then(|n| n.selector.as_ref()) {
            Some(s) => RouteNamespaces::Selector(selector::label_selector(
                Some(s),
                &ns_at.key("selector"),
                c,
            )),
            None => {
                c.warn(
                    ns_at.key("selector"),
                    "selector must be specified when `from` is Selector: podnet reads it as Same",
                );
                RouteNamespaces::Same
            }
        },
        Some(other) => {
            unsupported(&ns_at.key("from"), other, &["All", "Selector", "Same"], c);
            RouteNamespaces::Same
        }
    };
    too_many(a.kinds.len(), MAX_ROUTE_KINDS, &at.key("kinds"), c);
    let mut kinds = Vec::new();
    for (i, k) in a.kinds.iter().enumerate() {
        if k.kind.is_empty() {
            c.error(at.key("kinds").index(i).key("kind"), "kind is required");
            continue;
        }
        // A kind of another group never names a route podnet reads.
        kinds.push(match k.group.as_deref() {
            None | Some(GROUP) => k.kind.clone(),
            Some(g) => format!("{g}/{}", k.kind),
        });
    }
    AllowedRoutes { from, kinds }
}

/// `addresses`: IPAddress values are IP addresses, Hostname values
/// hostnames, each unique; other types are kept as written.
fn addresses(list: &[AddressSpec], at: &FieldPath, c: &mut Checker) -> Vec<String> {
    too_many(list.len(), MAX_ADDRESSES, at, c);
    let mut out: Vec<(&str, String)> = Vec::new();
    for (i, a) in list.iter().enumerate() {
        let kind = a.kind.as_deref().unwrap_or("IPAddress");
        let Some(value) = a.value.clone().filter(|v| !v.is_empty()) else {
            continue;
        };
        let value_at = at.index(i).key("value");
        match kind {
            "IPAddress" if value.parse::<IpAddr>().is_err() => c.error(
                value_at,
                format!("invalid value `{value}`: must be an IP address"),
            ),
            "Hostname" => check_hostname(&value, &value_at, c),
            _ => {}
        }
        if matches!(kind, "IPAddress" | "Hostname")
            && out.iter().any(|(k, v)| *k == kind && *v == value)
        {
            c.error(at.clone(), format!("{kind} values must be unique"));
        }
        out.push((kind, value));
    }
    out.into_iter().map(|(_, v)| v).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::testing::source;

    fn lower(json: serde_json::Value) -> (Gateway, Vec<(String, String)>, usize) {
        let g: GatewayObject = serde_json::from_value(json).unwrap_or_default();
        let mut c = Checker::default();
        let p = gateway(&g, &FieldPath::root(), source(), &|_| Some(5), &mut c);
        let errors = c
            .errors
            .iter()
            .map(|(p, m)| (p.to_string(), m.clone()))
            .collect();
        (p.gateway, errors, c.warnings.len())
    }

    #[test]
    fn listeners_and_defaults() {
        let (g, errors, warnings) = lower(serde_json::json!({
            "metadata": {"name": "gw", "namespace": "infra"},
            "spec": {"gatewayClassName": "eg", "listeners": [
                {"name": "http", "port": 80, "protocol": "http"},
                {"name": "https", "port": 443, "protocol": "HTTPS", "hostname": "*.example.com",
                 "tls": {"certificateRefs": [{"name": "cert"}]},
                 "allowedRoutes": {"namespaces": {"from": "Selector",
                    "selector": {"matchLabels": {"team": "a"}}},
                    "kinds": [{"kind": "HTTPRoute"}, {"group": "example.com", "kind": "X"}]}}],
                "addresses": [{"value": "10.0.0.1"}, {"type": "Hostname", "value": "gw.example.com"}]}
        }));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(warnings, 0);
        assert_eq!(g.class, "eg");
        assert_eq!(g.addresses, ["10.0.0.1", "gw.example.com"]);
        let [http, https] = &g.listeners[..] else {
            panic!("{:?}", g.listeners)
        };
        assert_eq!(http.protocol, ListenerProtocol::Http);
        assert_eq!(http.allowed_routes.from, RouteNamespaces::Same);
        assert_eq!(http.line, Some(5));
        assert_eq!(https.tls, Some(TlsMode::Terminate));
        assert_eq!(https.hostname.as_deref(), Some("*.example.com"));
        assert!(matches!(
            https.allowed_routes.from,
            RouteNamespaces::Selector(_)
        ));
        assert_eq!(https.allowed_routes.kinds, ["HTTPRoute", "example.com/X"]);
    }

    #[test]
    fn protocols() {
        assert!(valid_protocol("HTTP") && valid_protocol("example.com/bar"));
        assert!(!valid_protocol("example.com") && !valid_protocol("-x"));
    }
}
