//! Typed values of command-line arguments, checked by clap before any
//! input is read: a port is `1..=65535`, an address an `IpAddr`, a name a
//! valid Kubernetes or DNS name, and each form of `--from`/`--to` a variant
//! of its own. Anything else is refused with a message saying which forms
//! are accepted (clap exits with status 2).

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::ops::Deref;

use podnet::dataplane::trace::{GrpcCall, Url};
use podnet::manifest::validate::names;

use crate::error::ArgError;

/// A `dns` question: an address (asks its PTR) or a name of labels (letters,
/// digits, `-`, `_` for SRV labels), each 1 to 63 characters, at most 253
/// in all, with or without the final dot (RFC 1035 2.3.4, RFC 2782).
pub fn dns_question(text: &str) -> Result<String, ArgError> {
    if text.parse::<std::net::IpAddr>().is_ok() {
        return Ok(text.to_owned());
    }
    let name = text.strip_suffix('.').unwrap_or(text);
    let bad = |why: &'static str| {
        Err(ArgError::DnsQuestion {
            text: text.to_owned(),
            why,
        })
    };
    if name.is_empty() {
        return bad("it is empty");
    }
    if name.len() > 253 {
        return bad("longer than 253 characters");
    }
    for label in name.split('.') {
        if label.is_empty() || label.len() > 63 {
            return bad("every label has 1 to 63 characters");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return bad("only letters, digits, `-`, `_` and `.` are allowed");
        }
    }
    Ok(text.to_owned())
}

/// A port: 1 to 65535.
pub fn port(text: &str) -> Result<u16, ArgError> {
    match text.parse::<u32>() {
        Ok(n @ 1..=65535) => u16::try_from(n).map_err(|_| ArgError::PortRange(text.to_owned())),
        Ok(_) => Err(ArgError::PortRange(text.to_owned())),
        Err(_) => Err(ArgError::NotPort(text.to_owned())),
    }
}

/// A count within `1..=max`.
fn count(text: &str, min: u32, max: u32) -> Result<u32, ArgError> {
    let range = || ArgError::CountRange {
        text: text.to_owned(),
        min,
        max,
    };
    match text.parse::<u64>() {
        Ok(n) if (u64::from(min)..=u64::from(max)).contains(&n) => {
            u32::try_from(n).map_err(|_| range())
        }
        Ok(_) => Err(range()),
        Err(_) => Err(ArgError::NotNumber(text.to_owned())),
    }
}

/// Most pods `podnet generate` writes (the live dump of a million pods is
/// 1.4 GB).
pub const MAX_GENERATED_PODS: u32 = 1_000_000;

/// `generate --pods`: 1 to [`MAX_GENERATED_PODS`].
pub fn generated_pods(text: &str) -> Result<u32, ArgError> {
    count(text, 1, MAX_GENERATED_PODS)
}

/// `generate --workloads`: 1 to 100,000.
pub fn generated_workloads(text: &str) -> Result<u32, ArgError> {
    count(text, 1, 100_000)
}

/// `generate --policies`: 0 to 100,000.
pub fn generated_policies(text: &str) -> Result<u32, ArgError> {
    count(text, 0, 100_000)
}

/// `generate --admin-policies`: 0 to 1,000 (one per priority).
pub fn generated_admin_policies(text: &str) -> Result<u32, ArgError> {
    count(text, 0, 1_000)
}

/// `lab --id`: a lab's id as `podnet lab up` makes them (four hex digits),
/// never a path.
pub fn lab_id(text: &str) -> Result<String, ArgError> {
    if text.len() == 4
        && text
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        Ok(text.to_owned())
    } else {
        Err(ArgError::LabId(text.to_owned()))
    }
}

/// A timeout in milliseconds: 1 to 600,000 (ten minutes).
pub fn timeout_ms(text: &str) -> Result<u64, ArgError> {
    count(text, 1, 600_000).map(u64::from)
}

/// How many probes run at once: 1 to 1,024.
pub fn jobs(text: &str) -> Result<usize, ArgError> {
    count(text, 1, 1_024).map(|n| n as usize)
}

/// `text` is not of the accepted `form`.
fn form(text: &str, form: &'static str) -> ArgError {
    ArgError::Form {
        text: text.to_owned(),
        form,
    }
}

/// A port refused inside the longer argument `text`.
fn port_in(text: &str, port: ArgError) -> ArgError {
    ArgError::PortIn {
        text: text.to_owned(),
        port: Box::new(port),
    }
}

/// Why `text` is not a valid name, if it is not: the first problem the
/// check reports.
fn check(what: &'static str, text: &str, problems: Vec<String>) -> Result<(), ArgError> {
    match problems.into_iter().next() {
        None => Ok(()),
        Some(problem) => Err(ArgError::Name {
            what,
            text: text.to_owned(),
            problem,
        }),
    }
}

fn check_kind(text: &str) -> Result<(), ArgError> {
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(())
    } else {
        Err(ArgError::Kind(text.to_owned()))
    }
}

/// A workload, pod or Service: `NS/NAME`, `NS/KIND/NAME` or a bare `NAME`
/// (when only one object has it), each part a valid Kubernetes name. It
/// reads as its text, which `podnet::Analysis::resolve` looks up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectRef(String);

impl ObjectRef {
    /// Parses `NS/NAME`, `NS/KIND/NAME` or `NAME`.
    pub fn parse(text: &str) -> Result<ObjectRef, ArgError> {
        let parts: Vec<&str> = text.split('/').collect();
        match parts.as_slice() {
            [name] => check("name", name, names::dns1123_subdomain(name))?,
            [ns, name] => {
                check("namespace", ns, names::dns1123_label(ns))?;
                check("name", name, names::dns1123_subdomain(name))?;
            }
            [ns, kind, name] => {
                check("namespace", ns, names::dns1123_label(ns))?;
                check_kind(kind)?;
                check("name", name, names::dns1123_subdomain(name))?;
            }
            _ => {
                return Err(form(text, "NS/NAME, NS/KIND/NAME or NAME"));
            }
        }
        Ok(ObjectRef(text.to_owned()))
    }
}

impl Deref for ObjectRef {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A namespace name (an RFC 1123 label).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespaceName(String);

impl NamespaceName {
    /// Checks `text`.
    pub fn parse(text: &str) -> Result<NamespaceName, ArgError> {
        check("namespace", text, names::dns1123_label(text))?;
        Ok(NamespaceName(text.to_owned()))
    }
}

impl Deref for NamespaceName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NamespaceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `connlist --network`: `default` or a NetworkAttachmentDefinition
/// `NS/NAME`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkName(String);

impl NetworkName {
    /// Checks `text`.
    pub fn parse(text: &str) -> Result<NetworkName, ArgError> {
        if text != "default" {
            match text.split_once('/') {
                Some((ns, name)) => {
                    check("namespace", ns, names::dns1123_label(ns))?;
                    check("name", name, names::dns1123_subdomain(name))?;
                }
                None => return Err(form(text, "`default` or NS/NAME")),
            }
        }
        Ok(NetworkName(text.to_owned()))
    }
}

impl Deref for NetworkName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NetworkName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A DNS name as typed in a pod (`postgresql`, `postgresql.data`,
/// `api.example.com.`): labels of letters, digits and `-` (not at either
/// end), at most 63 characters each and 253 in all, the last one not all
/// digits (RFC 1123 2.1, RFC 3696 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsName(String);

impl DnsName {
    /// Checks `text`.
    pub fn parse(text: &str) -> Result<DnsName, ArgError> {
        let name = text.strip_suffix('.').unwrap_or(text);
        let bad = |why: &'static str| {
            Err(ArgError::DnsName {
                text: text.to_owned(),
                why,
            })
        };
        if name.is_empty() {
            return bad("it is empty");
        }
        if name.len() > 253 {
            return bad("longer than 253 characters");
        }
        for label in name.split('.') {
            if label.is_empty() {
                return bad("an empty label");
            }
            if label.len() > 63 {
                return bad("a label longer than 63 characters");
            }
            if !label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            {
                return bad("only letters, digits, `-` and `.` are allowed");
            }
            if label.starts_with('-') || label.ends_with('-') {
                return bad("a label starts or ends with `-`");
            }
        }
        if name
            .rsplit('.')
            .next()
            .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()))
        {
            return bad("the last label is all digits");
        }
        Ok(DnsName(text.to_owned()))
    }
}

impl Deref for DnsName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// Whether `text` looks like an IPv4 address (digits and dots only).
fn looks_ipv4(text: &str) -> bool {
    text.contains('.') && text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

/// An address, refusing what looks like one but is not.
fn address(text: &str) -> Result<Option<IpAddr>, ArgError> {
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(Some(ip));
    }
    if let Some((ip, zone)) = text.split_once('%')
        && ip.parse::<IpAddr>().is_ok()
    {
        return Err(ArgError::Zone {
            text: text.to_owned(),
            zone: zone.to_owned(),
        });
    }
    if looks_ipv4(text) {
        return Err(ArgError::Ipv4(text.to_owned()));
    }
    Ok(None)
}

/// An address with an optional port: `IP`, `IPv4:PORT`, `[IPv6]:PORT`.
fn address_and_port(text: &str) -> Result<Option<(IpAddr, Option<u16>)>, ArgError> {
    if let Some(ip) = address(text)? {
        return Ok(Some((ip, None)));
    }
    if let Ok(sa) = text.parse::<SocketAddr>() {
        return if sa.port() == 0 {
            Err(ArgError::PortRange(text.to_owned()))
        } else {
            Ok(Some((sa.ip(), Some(sa.port()))))
        };
    }
    // `[v6]:PORT` or `IPv4:PORT` with a bad port or address.
    let (host, port_text) = match text.rsplit_once(':') {
        Some((h, p)) if h.starts_with('[') && h.ends_with(']') => (&h[1..h.len() - 1], p),
        Some((h, p)) if looks_ipv4(h) => (h, p),
        _ => return Ok(None),
    };
    let ip = address(host)?.ok_or_else(|| ArgError::InvalidIp(host.to_owned()))?;
    port(port_text)
        .map(|p| Some((ip, Some(p))))
        .map_err(|e| port_in(text, e))
}

/// `trace --from`: a workload or pod, `node:NAME`, `external:IP`, or an
/// address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceFrom {
    /// `node:NAME`: a node's host network.
    Node(String),
    /// `external:IP`: an address outside the cluster.
    External(IpAddr),
    /// An address: a pod's, a node's, or outside.
    Address(IpAddr),
    /// A workload or pod.
    Object(ObjectRef),
}

impl TraceFrom {
    /// Parses one of the forms.
    pub fn parse(text: &str) -> Result<TraceFrom, ArgError> {
        if let Some(name) = text.strip_prefix("node:") {
            check("node name", name, names::dns1123_subdomain(name))?;
            return Ok(TraceFrom::Node(name.to_owned()));
        }
        if let Some(ip) = text.strip_prefix("external:") {
            return match address(ip)? {
                Some(ip) => Ok(TraceFrom::External(ip)),
                None => Err(ArgError::NotIp(ip.to_owned())),
            };
        }
        if let Some(ip) = address(text)? {
            return Ok(TraceFrom::Address(ip));
        }
        ObjectRef::parse(text)
            .map(TraceFrom::Object)
            .map_err(|e| ArgError::NotSource(Box::new(e)))
    }
}

/// `trace --to`: a URL, an address with an optional port, a workload, pod
/// or Service, or a DNS name with an optional port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceTo {
    /// `http(s)://host[:port]/path?query`, `tls://host[:port]`,
    /// `tcp://host:port`, `udp://host:port`.
    Url(Url),
    /// `IP`, `IPv4:PORT` or `[IPv6]:PORT`.
    Address(IpAddr, Option<u16>),
    /// `NS/NAME` or `NS/KIND/NAME`.
    Object(ObjectRef),
    /// A DNS name as typed in the source pod, with an optional `:PORT`.
    Name(DnsName, Option<u16>),
}

impl TraceTo {
    /// Parses one of the forms.
    pub fn parse(text: &str) -> Result<TraceTo, ArgError> {
        if ["http://", "https://", "tls://", "tcp://", "udp://"]
            .iter()
            .any(|s| text.starts_with(s))
        {
            return Url::parse(text)
                .map(TraceTo::Url)
                .ok_or_else(|| ArgError::Url(text.to_owned()));
        }
        if text.is_empty() {
            return Err(ArgError::EmptyDestination);
        }
        if text.starts_with("node:") || text.starts_with("external:") {
            return Err(ArgError::SourceAsDestination(text.to_owned()));
        }
        if let Some((ip, port)) = address_and_port(text)? {
            return Ok(TraceTo::Address(ip, port));
        }
        if text.contains('/') {
            return ObjectRef::parse(text).map(TraceTo::Object);
        }
        let (name, port) = match text.rsplit_once(':') {
            Some((name, p)) => (name, Some(port(p).map_err(|e| port_in(text, e))?)),
            None => (text, None),
        };
        DnsName::parse(name)
            .map(|n| TraceTo::Name(n, port))
            .map_err(|e| ArgError::NotDestination(Box::new(e)))
    }
}

/// What `explain --from`/`--to` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExplainEnd {
    /// `ingress-controller`: connlist's pseudo-peer.
    IngressController,
    /// `gateway:NS/NAME`: a Gateway's proxy pods.
    Gateway {
        /// The Gateway's namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
    /// An address.
    Address(IpAddr),
    /// A workload, pod or Service.
    Object(ObjectRef),
}

impl ExplainEnd {
    /// Parses one of the forms.
    pub fn parse(text: &str) -> Result<ExplainEnd, ArgError> {
        if text == "ingress-controller" {
            return Ok(ExplainEnd::IngressController);
        }
        if let Some(gateway) = text.strip_prefix("gateway:") {
            let Some((ns, name)) = gateway.split_once('/') else {
                return Err(form(text, "gateway:NS/NAME"));
            };
            check("namespace", ns, names::dns1123_label(ns))?;
            check("name", name, names::dns1123_subdomain(name))?;
            return Ok(ExplainEnd::Gateway {
                namespace: ns.to_owned(),
                name: name.to_owned(),
            });
        }
        if let Some(ip) = address(text)? {
            return Ok(ExplainEnd::Address(ip));
        }
        ObjectRef::parse(text)
            .map(ExplainEnd::Object)
            .map_err(|e| ArgError::NotExplainEnd(Box::new(e)))
    }
}

/// `diff --git REV`: a revision for `git`, never an option (`-...`).
pub fn git_revision(text: &str) -> Result<String, ArgError> {
    if text.is_empty() {
        return Err(ArgError::EmptyRevision);
    }
    if text.starts_with('-') {
        return Err(ArgError::RevisionOption(text.to_owned()));
    }
    if text.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(ArgError::Revision(text.to_owned()));
    }
    Ok(text.to_owned())
}

/// `audit --only`/`--disable`: a rule's code.
pub fn rule_code(text: &str) -> Result<String, ArgError> {
    if podnet::audit::rules().iter().any(|r| r.code == text) {
        Ok(text.to_owned())
    } else {
        Err(ArgError::Rule(text.to_owned()))
    }
}

/// Whether `t` is an HTTP token (RFC 9110 5.6.2: tchar), as method and
/// header names are.
fn http_token(t: &str) -> bool {
    !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// `trace --method`: an HTTP method token, upper-cased (HTTPRoute `method`
/// values are upper case).
pub fn http_method(text: &str) -> Result<String, ArgError> {
    if http_token(text) {
        Ok(text.to_ascii_uppercase())
    } else {
        Err(ArgError::Method(text.to_owned()))
    }
}

/// `trace --header NAME:VALUE`: a header name token, then the value with
/// surrounding blanks removed (RFC 9110 5.5).
pub fn http_header(text: &str) -> Result<(String, String), ArgError> {
    let Some((name, value)) = text.split_once(':') else {
        return Err(form(text, "NAME:VALUE"));
    };
    if !http_token(name) {
        return Err(ArgError::HeaderName(name.to_owned()));
    }
    Ok((name.to_owned(), value.trim().to_owned()))
}

/// `trace --grpc SERVICE/METHOD`.
pub fn grpc_call(text: &str) -> Result<GrpcCall, ArgError> {
    GrpcCall::parse(text).ok_or_else(|| form(text, "SERVICE/METHOD (pkg.Service/Method)"))
}

/// `trace --gateway NS/NAME`.
pub fn gateway_ref(text: &str) -> Result<(String, String), ArgError> {
    let Some((ns, name)) = text.split_once('/') else {
        return Err(form(text, "NS/NAME"));
    };
    let ns = NamespaceName::parse(ns)?;
    if name.is_empty() || !names::dns1123_subdomain(name).is_empty() {
        return Err(ArgError::GatewayName(name.to_owned()));
    }
    Ok((ns.to_string(), name.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_request_options() {
        assert_eq!(http_method("post"), Ok("POST".to_owned()));
        assert!(http_method("GE T").is_err() && http_method("").is_err());
        assert_eq!(
            http_header("X-Version: v2 "),
            Ok(("X-Version".to_owned(), "v2".to_owned()))
        );
        assert_eq!(http_header("a:"), Ok(("a".to_owned(), String::new())));
        assert!(http_header("novalue").is_err() && http_header(":x").is_err());
        assert!(grpc_call("pkg.Svc/Get").is_ok() && grpc_call("pkg.Svc").is_err());
        assert_eq!(
            gateway_ref("infra/edge"),
            Ok(("infra".to_owned(), "edge".to_owned()))
        );
        assert!(gateway_ref("edge").is_err() && gateway_ref("infra/").is_err());
    }

    #[test]
    fn ports_are_1_to_65535() {
        assert_eq!(port("1"), Ok(1));
        assert_eq!(port("65535"), Ok(65535));
        for bad in ["0", "65536", "-1", "", "http", "99999999999"] {
            assert!(port(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn trace_destinations_are_typed() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let cases: &[(&str, Result<TraceTo, &str>)] = &[
            ("10.0.0.1", Ok(TraceTo::Address(ip("10.0.0.1"), None))),
            (
                "10.0.0.1:443",
                Ok(TraceTo::Address(ip("10.0.0.1"), Some(443))),
            ),
            (
                "[fd00::1]:80",
                Ok(TraceTo::Address(ip("fd00::1"), Some(80))),
            ),
            ("fd00::1", Ok(TraceTo::Address(ip("fd00::1"), None))),
            (
                "postgresql.data",
                Ok(TraceTo::Name(DnsName("postgresql.data".into()), None)),
            ),
            (
                "api.example.com.:8443",
                Ok(TraceTo::Name(
                    DnsName("api.example.com.".into()),
                    Some(8443),
                )),
            ),
            (
                "shop/web",
                Ok(TraceTo::Object(ObjectRef("shop/web".into()))),
            ),
            ("999.1.1.1", Err("is not a valid IPv4 address")),
            ("10.0.0.1:99999", Err("between 1 and 65535")),
            ("10.0.0.1:0", Err("between 1 and 65535")),
            ("[fd00::1]:0", Err("between 1 and 65535")),
            ("fe80::1%eth0", Err("zone")),
            ("", Err("empty")),
            ("node:nope", Err("sources (--from)")),
            ("a b", Err("not a valid DNS name")),
            ("name:http", Err("not a port number")),
            ("-bad.example", Err("starts or ends with `-`")),
            ("https://", Err("not a valid URL")),
            ("tcp://gw", Err("not a valid URL")),
            ("shop/Web", Err("not a valid name")),
        ];
        for (text, want) in cases {
            match (TraceTo::parse(text), want) {
                (Ok(got), Ok(want)) => assert_eq!(&got, want, "{text}"),
                (Err(e), Err(needle)) => assert!(e.to_string().contains(needle), "{text}: {e}"),
                (got, want) => panic!("{text}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn trace_sources_are_typed() {
        assert_eq!(
            TraceFrom::parse("node:worker-1"),
            Ok(TraceFrom::Node("worker-1".into()))
        );
        assert!(TraceFrom::parse("node:").is_err());
        assert!(TraceFrom::parse("external:999.0.0.1").is_err());
        assert!(matches!(
            TraceFrom::parse("external:203.0.113.10"),
            Ok(TraceFrom::External(_))
        ));
        assert!(matches!(
            TraceFrom::parse("shop/Deployment/web"),
            Ok(TraceFrom::Object(_))
        ));
        assert!(TraceFrom::parse("a/b/c/d").is_err());
    }

    #[test]
    fn explain_ends_are_typed() {
        assert_eq!(
            ExplainEnd::parse("ingress-controller"),
            Ok(ExplainEnd::IngressController)
        );
        assert_eq!(
            ExplainEnd::parse("gateway:infra/edge"),
            Ok(ExplainEnd::Gateway {
                namespace: "infra".into(),
                name: "edge".into()
            })
        );
        assert!(ExplainEnd::parse("gateway:edge").is_err());
        assert!(ExplainEnd::parse("10.0.0.256").is_err());
        assert!(ExplainEnd::parse("web").is_ok(), "a bare unique name");
    }

    #[test]
    fn dns_names_follow_rfc_1123() {
        assert!(DnsName::parse(&format!("{}.com", "a".repeat(63))).is_ok());
        assert!(DnsName::parse(&format!("{}.com", "a".repeat(64))).is_err());
        assert!(
            DnsName::parse(&format!("{}a", "a.".repeat(127))).is_err(),
            "255 characters"
        );
        assert!(DnsName::parse("Google.COM").is_ok(), "DNS ignores case");
        assert!(DnsName::parse("a..b").is_err());
        assert!(DnsName::parse(".").is_err());
    }

    #[test]
    fn git_revisions_are_never_options() {
        assert!(git_revision("HEAD~1").is_ok());
        assert!(git_revision("--output=/tmp/x").is_err());
        assert!(git_revision("a b").is_err());
        assert!(git_revision("").is_err());
    }

    #[test]
    fn networks_and_namespaces() {
        assert!(NetworkName::parse("default").is_ok());
        assert!(NetworkName::parse("ran/f1").is_ok());
        assert!(NetworkName::parse("f1").is_err());
        assert!(NamespaceName::parse("Shop").is_err());
    }

    #[test]
    fn lab_arguments_are_bounded() {
        assert!(lab_id("0a1f").is_ok());
        assert!(lab_id("../x").is_err());
        assert!(timeout_ms("0").is_err());
        assert_eq!(jobs("16"), Ok(16));
    }

    #[test]
    fn generated_sizes_are_bounded() {
        assert_eq!(generated_pods("100000"), Ok(100_000));
        assert!(generated_pods("4000000000").is_err());
        assert!(generated_pods("0").is_err());
        assert!(generated_admin_policies("1001").is_err());
    }

    #[test]
    fn dns_questions_are_names_or_addresses() {
        for ok in [
            "web",
            "nrf-0.nrf.ns.svc.cluster.local.",
            "_sbi._tcp.nrf",
            "10.0.0.1",
            "fd00::1",
        ] {
            assert_eq!(dns_question(ok).as_deref(), Ok(ok));
        }
        for bad in ["", ".", "a..b", "a b", "x\u{1b}[2J", &"a".repeat(64)] {
            assert!(dns_question(bad).is_err(), "{bad:?}");
        }
    }
}
