//! Gateway API (gateway.networking.k8s.io/v1): `Gateway` listeners and the
//! `HTTPRoute` and `GRPCRoute` rules attached to them, normalised with the
//! CRD's defaults applied. How a request is matched against them is in
//! the dataplane crate (`gateway_match`, `gateway_select`); semantics follow
//! the Gateway API reference (<https://gateway-api.sigs.k8s.io/reference/spec/>).

use crate::ids::NsId;
use crate::labels::Labels;
use crate::selector::LabelSelector;
use crate::source::Meta;

/// A Listener's `protocol`. The core values are case-insensitive (API
/// reference, ProtocolType); anything else is implementation-specific.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ListenerProtocol {
    /// `HTTP`: cleartext HTTP/1.1 (and maybe h2c).
    Http,
    /// `HTTPS`: HTTP over TLS.
    Https,
    /// `TLS`: TLS sessions over TCP.
    Tls,
    /// `TCP`.
    Tcp,
    /// `UDP`.
    Udp,
    /// A domain-prefixed implementation-specific protocol, as written.
    Other(String),
}

impl ListenerProtocol {
    /// Parses `protocol`, the core values case-insensitively.
    pub fn parse(s: &str) -> Self {
        match s.to_ascii_uppercase().as_str() {
            "HTTP" => ListenerProtocol::Http,
            "HTTPS" => ListenerProtocol::Https,
            "TLS" => ListenerProtocol::Tls,
            "TCP" => ListenerProtocol::Tcp,
            "UDP" => ListenerProtocol::Udp,
            _ => ListenerProtocol::Other(s.to_owned()),
        }
    }

    /// The route kinds a Listener of this protocol accepts when
    /// `allowedRoutes.kinds` is empty (API reference, AllowedRoutes `kinds`:
    /// "determined using the Listener protocol"): HTTPRoute and GRPCRoute on
    /// HTTP and HTTPS, TLSRoute on TLS, TCPRoute on TCP, UDPRoute on UDP
    /// (ProtocolType: "HTTPRoute ... TLSRoute ... TCPRoute ... UDPRoute").
    pub fn default_route_kinds(&self) -> &'static [RouteKind] {
        match self {
            ListenerProtocol::Http | ListenerProtocol::Https => &[RouteKind::Http, RouteKind::Grpc],
            ListenerProtocol::Tls => &[RouteKind::Tls],
            ListenerProtocol::Tcp => &[RouteKind::Tcp],
            ListenerProtocol::Udp => &[RouteKind::Udp],
            ListenerProtocol::Other(_) => &[],
        }
    }
}

/// A Listener's `tls.mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TlsMode {
    /// TLS ends at the Gateway (the default).
    Terminate,
    /// TLS passes through to the backend (TLSRoute only).
    Passthrough,
}

/// A `tls.certificateRefs` entry (API reference, SecretObjectReference):
/// a Secret unless `group`/`kind` say otherwise; in another namespace it
/// needs a ReferenceGrant there from the Gateway's namespace (GatewayTLSConfig
/// `certificateRefs`: such references "are invalid UNLESS there is a
/// ReferenceGrant in the target namespace that allows the certificate to be
/// attached").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateRef {
    /// `group` (`""`, the core group, when omitted).
    pub group: String,
    /// `kind` (`Secret` when omitted).
    pub kind: String,
    /// `namespace`, the Gateway's own when omitted.
    pub namespace: String,
    /// `name`.
    pub name: String,
    /// Line of the entry in its file.
    pub line: Option<u32>,
}

/// `allowedRoutes.namespaces.from`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum RouteNamespaces {
    /// Only Routes in the Gateway's namespace (the default).
    #[default]
    Same,
    /// Routes in every namespace.
    All,
    /// Routes in namespaces whose labels match the selector.
    Selector(LabelSelector),
}

/// `allowedRoutes`: which Routes may attach to a Listener.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllowedRoutes {
    /// Namespaces the Routes may live in.
    pub from: RouteNamespaces,
    /// `kinds[].kind` of the Gateway API group (empty: by protocol).
    pub kinds: Vec<String>,
}

/// One Listener of a Gateway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listener {
    /// `name`, unique in the Gateway.
    pub name: String,
    /// `hostname`, possibly a wildcard (`*.example.com`); `None` matches
    /// every host.
    pub hostname: Option<String>,
    /// `port`.
    pub port: u16,
    /// `protocol`.
    pub protocol: ListenerProtocol,
    /// `tls.mode` when `tls` is set.
    pub tls: Option<TlsMode>,
    /// `tls.certificateRefs`, in order.
    pub certificate_refs: Vec<CertificateRef>,
    /// `allowedRoutes`.
    pub allowed_routes: AllowedRoutes,
    /// Line of the listener in its file.
    pub line: Option<u32>,
    /// The ListenerSet this listener comes from, when it is not the
    /// Gateway's own (routes attach to it through that ListenerSet).
    pub set: Option<ListenerSetRef>,
}

/// The ListenerSet a listener of a Gateway comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenerSetRef {
    /// Its namespace.
    pub namespace: NsId,
    /// Its namespace's name.
    pub namespace_name: String,
    /// Its name.
    pub name: String,
}

/// A `ListenerSet` (gateway.networking.k8s.io/v1, Gateway API v1.5;
/// GEP-1713): listeners attached to a parent Gateway, which accepts them when
/// its `spec.allowedListeners` admits the ListenerSet's namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenerSet {
    /// Identity and provenance.
    pub meta: Meta,
    /// Its namespace.
    pub namespace: NsId,
    /// `spec.parentRef.namespace` (the ListenerSet's when omitted).
    pub parent_namespace: String,
    /// `spec.parentRef.name`.
    pub parent_name: String,
    /// `spec.listeners`, in order.
    pub listeners: Vec<Listener>,
}

impl Listener {
    /// Whether a Route of `kind` may attach: it is listed in
    /// `allowedRoutes.kinds`, or the list is empty and the protocol accepts it.
    pub fn allows_kind(&self, kind: RouteKind) -> bool {
        if self.allowed_routes.kinds.is_empty() {
            self.protocol.default_route_kinds().contains(&kind)
        } else {
            self.allowed_routes.kinds.iter().any(|k| k == kind.as_str())
        }
    }

    /// Whether a Route in namespace `route_ns` (with labels `route_ns_labels`)
    /// may attach to this Listener of a Gateway in `gateway_ns`
    /// (`allowedRoutes.namespaces`).
    pub fn allows_namespace(
        &self,
        gateway_ns: NsId,
        route_ns: NsId,
        route_ns_labels: &Labels,
    ) -> bool {
        // A ListenerSet's listener: `Same` is the ListenerSet's namespace.
        let owner = self.set.as_ref().map_or(gateway_ns, |s| s.namespace);
        match &self.allowed_routes.from {
            RouteNamespaces::Same => owner == route_ns,
            RouteNamespaces::All => true,
            RouteNamespaces::Selector(s) => s.matches(route_ns_labels),
        }
    }
}

/// A Gateway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gateway {
    /// Identity and provenance.
    pub meta: Meta,
    /// Its namespace.
    pub namespace: NsId,
    /// `gatewayClassName`.
    pub class: String,
    /// `listeners`, in order.
    pub listeners: Vec<Listener>,
    /// `addresses[].value` that are set, in order.
    pub addresses: Vec<String>,
    /// `allowedListeners.namespaces.from`: the namespaces whose
    /// ListenerSets may attach; `None` (the default) admits none.
    pub allowed_listeners: Option<RouteNamespaces>,
}

/// The kind of a Gateway API route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RouteKind {
    /// `HTTPRoute`.
    Http,
    /// `GRPCRoute`.
    Grpc,
    /// `TLSRoute`: TLS sessions by SNI, passed through or terminated.
    Tls,
    /// `TCPRoute`: TCP connections.
    Tcp,
    /// `UDPRoute`: UDP datagrams.
    Udp,
}

impl RouteKind {
    /// The kind as written in manifests.
    pub fn as_str(self) -> &'static str {
        match self {
            RouteKind::Http => "HTTPRoute",
            RouteKind::Grpc => "GRPCRoute",
            RouteKind::Tls => "TLSRoute",
            RouteKind::Tcp => "TCPRoute",
            RouteKind::Udp => "UDPRoute",
        }
    }

    /// The transport the Gateway's proxy uses to reach the backends.
    pub fn transport(self) -> crate::Protocol {
        match self {
            RouteKind::Udp => crate::Protocol::Udp,
            _ => crate::Protocol::Tcp,
        }
    }
}

/// What a `parentRefs` entry names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ParentKind {
    /// A Gateway: its own listeners.
    #[default]
    Gateway,
    /// A ListenerSet: its listeners, on its parent Gateway.
    ListenerSet,
}

/// A `parentRefs` entry naming a Gateway or a ListenerSet (other parents
/// are not modelled).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParentRef {
    /// Gateway or ListenerSet.
    pub kind: ParentKind,
    /// `namespace`, the route's own when omitted.
    pub namespace: String,
    /// `name` of the Gateway or ListenerSet.
    pub name: String,
    /// `sectionName`: one Listener by name.
    pub section_name: Option<String>,
    /// `port`: the Listeners on that port.
    pub port: Option<u16>,
}

impl ParentRef {
    /// Whether this reference selects `listener` of its Gateway: both
    /// `sectionName` and `port`, when set, must match (API reference,
    /// ParentReference).
    pub fn selects(&self, listener: &Listener) -> bool {
        self.section_name
            .as_ref()
            .is_none_or(|s| *s == listener.name)
            && self.port.is_none_or(|p| p == listener.port)
    }
}

/// A `backendRefs` entry naming a Service port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendRef {
    /// `namespace`, the route's own when omitted (another namespace needs
    /// a ReferenceGrant there: [`reference_permitted`]).
    pub namespace: String,
    /// The Service's `name`.
    pub name: String,
    /// The Service `port`.
    pub port: Option<u16>,
    /// `weight` (1 when omitted; 0 receives nothing).
    pub weight: u32,
    /// The `type` of each of its `filters` (HTTPBackendRef and
    /// GRPCBackendRef `filters`: "executed if and only if the request is
    /// being forwarded to the backend defined here"), in order.
    pub filters: Vec<String>,
    /// Its `RequestRedirect` filter (HTTPRoute only): requests sent to this
    /// backendRef are answered with the redirect instead.
    pub redirect: Option<RequestRedirect>,
    /// Line of the entry in its file.
    pub line: Option<u32>,
}

/// How a path matches (API reference, PathMatchType).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PathMatchKind {
    /// The whole path, case-sensitive.
    Exact,
    /// Element-wise prefix on `/`-separated segments.
    PathPrefix,
    /// An RE2 regular expression over the whole path (implementation-specific).
    RegularExpression,
}

/// How a header, query parameter or gRPC method value matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueMatchKind {
    /// Equal, case-sensitive.
    Exact,
    /// An RE2 regular expression over the whole value (implementation-specific).
    RegularExpression,
}

/// `matches[].path`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathMatch {
    /// `type` (PathPrefix when omitted).
    pub kind: PathMatchKind,
    /// `value` (`/` when omitted).
    pub value: String,
}

/// A header (or query parameter) match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderMatch {
    /// `name`: case-insensitive for headers, exact for query parameters.
    pub name: String,
    /// `value`.
    pub value: String,
    /// `type` (Exact when omitted).
    pub kind: ValueMatchKind,
}

/// A GRPCRoute `matches[].method`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrpcMethodMatch {
    /// `type` (Exact when omitted).
    pub kind: ValueMatchKind,
    /// `service` (any when `None`).
    pub service: Option<String>,
    /// `method` (any when `None`).
    pub method: Option<String>,
}

/// One `matches` entry; all its conditions must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RouteMatch {
    /// HTTPRoute `path` (always set on an HTTPRoute: `PathPrefix /` by
    /// default); `None` on a GRPCRoute.
    pub path: Option<PathMatch>,
    /// `headers`, ANDed (only the first of equivalent names is kept).
    pub headers: Vec<HeaderMatch>,
    /// HTTPRoute `queryParams`, ANDed.
    pub query_params: Vec<HeaderMatch>,
    /// HTTPRoute `method` (upper case).
    pub method: Option<String>,
    /// GRPCRoute `method`.
    pub grpc: Option<GrpcMethodMatch>,
}

/// One `rules` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteRule {
    /// `name`.
    pub name: Option<String>,
    /// `matches`, ORed; never empty (an HTTPRoute rule without matches has
    /// `PathPrefix /`, a GRPCRoute rule one empty match: every request).
    pub matches: Vec<RouteMatch>,
    /// `backendRefs` to Services (other kinds are skipped).
    pub backends: Vec<BackendRef>,
    /// `backendRefs` of kinds podnet does not model (`Kind` or
    /// `Kind.group`): invalid backends for the 500 rule (HTTPBackendRef:
    /// "It refers to an unknown or unsupported kind of resource").
    pub unsupported: Vec<String>,
    /// How many `filters` the rule has (HTTPRoute, GRPCRoute; 0 for the
    /// other kinds): a rule without valid backendRefs answers 500 only
    /// when it has none.
    pub filters: usize,
    /// The rule's `RequestRedirect` filter (HTTPRoute only): the Gateway
    /// answers with a redirect instead of forwarding.
    pub redirect: Option<RequestRedirect>,
    /// Line of the rule in its file.
    pub line: Option<u32>,
}

/// An HTTPRoute rule's `RequestRedirect` filter (Gateway API reference,
/// HTTPRequestRedirectFilter).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRedirect {
    /// `scheme` (`http` or `https`; the request's when `None`).
    pub scheme: Option<String>,
    /// `hostname` (the request's Host when `None`).
    pub hostname: Option<String>,
    /// `path` (the request's path when `None`).
    pub path: Option<PathModifier>,
    /// `port` (derived from the scheme or the listener when `None`).
    pub port: Option<u16>,
    /// `statusCode` (302 when omitted).
    pub status_code: u16,
}

/// An HTTPPathModifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathModifier {
    /// `ReplaceFullPath`: the whole path.
    ReplaceFullPath(String),
    /// `ReplacePrefixMatch`: the part the rule's PathPrefix match matched.
    ReplacePrefixMatch(String),
}

/// An HTTPRoute, GRPCRoute, TLSRoute, TCPRoute or UDPRoute (the last three
/// have one match-everything `matches` entry per rule).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayRoute {
    /// Identity and provenance.
    pub meta: Meta,
    /// Its namespace.
    pub namespace: NsId,
    /// Which kind of route.
    pub kind: RouteKind,
    /// `metadata.creationTimestamp` in Unix seconds, when given (the oldest
    /// route wins ties).
    pub created: Option<i64>,
    /// `parentRefs` to Gateways.
    pub parents: Vec<ParentRef>,
    /// `hostnames` (empty: every host the listener accepts).
    pub hostnames: Vec<String>,
    /// `rules`, in order.
    pub rules: Vec<RouteRule>,
}

/// A `ReferenceGrant` (gateway.networking.k8s.io/v1beta1, v1): objects of
/// the `from` kinds in the `from` namespaces may refer to objects of the
/// `to` kinds (all, or the one named) in the grant's own namespace (Gateway
/// API reference, ReferenceGrant; GEP-709).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferenceGrant {
    /// Identity and provenance (its namespace is the target namespace).
    pub meta: Meta,
    /// `spec.from`.
    pub from: Vec<GrantFrom>,
    /// `spec.to`.
    pub to: Vec<GrantTo>,
}

/// A `spec.from` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantFrom {
    /// `group` (`""` is the core group).
    pub group: String,
    /// `kind`.
    pub kind: String,
    /// `namespace`.
    pub namespace: String,
}

/// A `spec.to` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantTo {
    /// `group` (`""` is the core group).
    pub group: String,
    /// `kind`.
    pub kind: String,
    /// `name`: one object; every object of the kind when `None`.
    pub name: Option<String>,
}

/// A `BackendTLSPolicy` (gateway.networking.k8s.io/v1, Gateway API v1.4;
/// GEP-1897): a Gateway's connections to the target Services (or to one
/// named port, `sectionName`) use TLS with SNI `hostname`, the backend's
/// certificate validated against CA certificates or the system's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendTlsPolicy {
    /// Identity and provenance (its namespace is the targets').
    pub meta: Meta,
    /// `spec.targetRefs` to Services (other kinds are skipped).
    pub targets: Vec<PolicyTarget>,
    /// `spec.validation.hostname`: SNI and the name the certificate must
    /// carry.
    pub hostname: String,
    /// `spec.validation.caCertificateRefs` as `Kind/name`.
    pub ca_certificates: Vec<String>,
    /// `spec.validation.wellKnownCACertificates: System`.
    pub system_ca: bool,
    /// `spec.validation.subjectAltNames` values.
    pub subject_alt_names: Vec<String>,
}

/// A `targetRefs` entry naming a Service, or one of its ports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyTarget {
    /// The Service's name.
    pub name: String,
    /// `sectionName`: a port name of the Service.
    pub section_name: Option<String>,
}

impl BackendTlsPolicy {
    /// Whether it targets port `port_name` of Service `service` in its
    /// namespace `namespace`, and how specifically (`Some(true)`: by
    /// `sectionName`).
    pub fn targets(&self, namespace: &str, service: &str, port_name: Option<&str>) -> Option<bool> {
        if self.meta.namespace.as_deref() != Some(namespace) {
            return None;
        }
        self.targets
            .iter()
            .filter(|t| t.name == service)
            .filter_map(|t| match &t.section_name {
                None => Some(false),
                Some(s) if Some(s.as_str()) == port_name => Some(true),
                Some(_) => None,
            })
            .max()
    }
}

/// The group of Gateway API kinds.
pub const GATEWAY_GROUP: &str = "gateway.networking.k8s.io";

/// One side of a reference: (group, kind, namespace, name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObjectKey<'a> {
    /// API group (`""` for core).
    pub group: &'a str,
    /// Kind.
    pub kind: &'a str,
    /// Namespace.
    pub namespace: &'a str,
    /// Name.
    pub name: &'a str,
}

impl ReferenceGrant {
    /// Whether this grant lets `from` refer to `to`.
    pub fn permits(&self, from: ObjectKey<'_>, to: ObjectKey<'_>) -> bool {
        self.meta.namespace.as_deref() == Some(to.namespace)
            && self.from.iter().any(|f| {
                f.group == from.group && f.kind == from.kind && f.namespace == from.namespace
            })
            && self.to.iter().any(|t| {
                t.group == to.group
                    && t.kind == to.kind
                    && t.name.as_deref().is_none_or(|n| n == to.name)
            })
    }
}

/// Whether `from` may refer to `to`: always within one namespace; across
/// namespaces only with a ReferenceGrant in `to`'s namespace that permits it
/// (Gateway API: implementations "MUST NOT permit cross-namespace
/// references which have no grant").
pub fn reference_permitted(
    grants: &[ReferenceGrant],
    from: ObjectKey<'_>,
    to: ObjectKey<'_>,
) -> bool {
    from.namespace == to.namespace || grants.iter().any(|g| g.permits(from, to))
}
