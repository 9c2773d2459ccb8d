//! What each Gateway does with a URL request: the listener that takes it
//! (on the URL's port, of the URL's scheme, by hostname precedence: API
//! reference, GatewaySpec `listeners`), then the rule of the HTTPRoutes (or,
//! for a gRPC call, the GRPCRoutes) attached to that listener by the
//! precedence of HTTPRouteRule and GRPCRouteRule `matches`, with the
//! request's method, headers and query; a TLS listener's TLSRoutes by SNI,
//! a TCP or UDP listener's TCPRoutes or UDPRoutes (the oldest route first).
//! Every Gateway with such a listener takes part, one path each; none is
//! chosen silently.

use podnet_model::{GatewayRoute, ListenerProtocol, RouteKind, TlsMode};

use super::tracer::Tracer;
use super::{
    AnswerReason, FrontAnswer, GatewayDecision, GatewayForward, GatewayStep, GrpcStatus,
    InvalidBackends, LbDecision, Scheme, TlsHandling, TraceError, Url,
};
use crate::fronts::{self, Route, RouteSource, gateways, grants};
use crate::gateway_match::{Request, select_listener};
use crate::gateway_select::select_rule;

/// What one Gateway does with the request.
pub(super) enum Decision<'d> {
    /// Forwards it to the Service ports of the matching rule; whether the
    /// Gateway itself opens the backend connections' TLS (it terminates
    /// the client's: HTTP, gRPC, TLS Terminate), so BackendTLSPolicy
    /// applies; and what it answers itself for the backendRefs whose
    /// filters answer (a `RequestRedirect`), one path each.
    Forward(Vec<&'d Route>, bool, Vec<(FrontAnswer, AnswerReason)>),
    /// Answers itself, and why.
    Answer(FrontAnswer, AnswerReason),
}

/// A Gateway with a listener for the request.
pub(super) struct Take<'d> {
    /// Index of its front in `dp.fronts`.
    pub front: usize,
    /// Its decision (the load balancer hop).
    pub what: LbDecision,
    /// Its decision.
    pub decision: Decision<'d>,
}

impl Tracer<'_> {
    /// Every Gateway (or only the one `--gateway` names, or those whose
    /// `spec.addresses` hold the URL's host) with a listener for `url`, in
    /// input order, with what it does.
    pub(super) fn via_gateways(&self, url: &Url) -> Result<Vec<Take<'_>>, TraceError> {
        let c = &self.dp.cluster;
        let named = |g: &podnet_model::Gateway, (ns, name): &(String, String)| {
            g.meta.namespace.as_deref() == Some(ns.as_str()) && g.meta.name == *name
        };
        if let Some(want) = &url.request.gateway
            && !c.gateways.iter().any(|g| named(g, want))
        {
            return Err(TraceError::UnknownGateway(format!("{}/{}", want.0, want.1)));
        }
        // GatewaySpec `addresses`: "a request for the address(es) on the
        // 'outside of the Gateway', that traffic bound for this Gateway
        // will use"; "The implementation MUST bind all Listeners to every
        // GatewayAddress that it assigns to the Gateway". A URL to such an
        // address reaches that Gateway only.
        let at_address: Vec<usize> = (0..c.gateways.len())
            .filter(|&g| {
                c.gateways[g]
                    .addresses
                    .iter()
                    .any(|a| same_address(a, &url.host))
            })
            .collect();
        let asked = |g: usize| match &url.request.gateway {
            Some(want) => named(&c.gateways[g], want),
            None => at_address.is_empty() || at_address.contains(&g),
        };
        Ok((0..c.gateways.len())
            .filter(|&g| asked(g))
            .filter_map(|g| {
                let addressed = url.request.gateway.is_some() || at_address.contains(&g);
                self.gateway_take(url, g, addressed)
            })
            .collect())
    }

    /// What Gateway `g` does with `url`, if a listener of it takes it;
    /// `addressed`: the request is sent to the Gateway's address (it is
    /// named with `--gateway`, or the URL's host is one of its
    /// `spec.addresses`), so the Gateway answers it even when no
    /// listener's hostname matches.
    fn gateway_take(&self, url: &Url, g: usize, addressed: bool) -> Option<Take<'_>> {
        let dp = self.dp;
        let c = &dp.cluster;
        let gateway = &c.gateways[g];
        let protocols: &[ListenerProtocol] = match url.scheme {
            Scheme::Http => &[ListenerProtocol::Http],
            Scheme::Https => &[ListenerProtocol::Https, ListenerProtocol::Tls],
            Scheme::Tls => &[ListenerProtocol::Tls],
            Scheme::Tcp => &[ListenerProtocol::Tcp],
            Scheme::Udp => &[ListenerProtocol::Udp],
        };
        let on_port = || {
            gateway
                .listeners
                .iter()
                .filter(|l| protocols.contains(&l.protocol) && l.port == url.port)
        };
        // Listener `hostname`: "TLS: The Listener Hostname MUST match the
        // SNI. HTTP: [...] the Host header of the request. HTTPS: [...]
        // SHOULD match both the SNI and Host header" (apis/v1/
        // gateway_types.go lines 377-383 at 4564255a). Over TLS the server
        // name (the URL's host) picks the listener, then the Host is
        // checked against it ([`misdirected`]); over HTTP the Host does.
        let authority = url.authority();
        let by = if url.scheme.tls() {
            url.host.as_str()
        } else {
            authority.as_str()
        };
        let Some(listener) = select_listener(on_port(), url.port, by) else {
            return self.no_listener_for_host(url, by, g, addressed, on_port().next()?);
        };
        let li = gateway
            .listeners
            .iter()
            .position(|l| std::ptr::eq(l, listener))?;
        let front = fronts::GATEWAYS + g;
        let head = |step| {
            LbDecision::Gateway(Box::new(GatewayDecision {
                gateway: gateway.meta.qualified_name(),
                listener: listener.name.clone(),
                protocol: listener.protocol.clone(),
                port: listener.port,
                request: url.clone(),
                step,
            }))
        };
        if url.scheme.tls()
            && listener.tls == Some(TlsMode::Terminate)
            && grants::listener_without_certificate(&dp.refused, c, g, li)
        {
            return Some(Take {
                front,
                what: head(GatewayStep::CertificatesRefused),
                decision: Decision::Answer(
                    FrontAnswer::TlsHandshakeFailure,
                    AnswerReason::NoCertificate,
                ),
            });
        }
        if url.scheme == Scheme::Https
            && listener.protocol == ListenerProtocol::Https
            && let Some(m) = misdirected(on_port(), listener, url.port, &authority)
        {
            let host_listener = m.map(|l| l.name.clone());
            let (answer, why) = match (&host_listener, url.request.grpc.is_some()) {
                (Some(_), _) => (FrontAnswer::Http(421), AnswerReason::Misdirected),
                (None, false) => (FrontAnswer::Http(404), AnswerReason::HostOfNoListener),
                (None, true) => (
                    FrontAnswer::Grpc(GrpcStatus::Unimplemented),
                    AnswerReason::HostOfNoListener,
                ),
            };
            return Some(Take {
                front,
                what: head(GatewayStep::Misdirected { host_listener }),
                decision: Decision::Answer(answer, why),
            });
        }
        let kind = match listener.protocol {
            ListenerProtocol::Tls => RouteKind::Tls,
            ListenerProtocol::Tcp => RouteKind::Tcp,
            ListenerProtocol::Udp => RouteKind::Udp,
            _ if url.request.grpc.is_some() => RouteKind::Grpc,
            _ => RouteKind::Http,
        };
        let attached: Vec<&GatewayRoute> = c
            .gateway_routes
            .iter()
            .filter(|r| gateways::attached_listeners(c, g, r).contains(&li))
            .collect();
        let headers = pairs(&url.request.headers);
        let query = pairs(&url.query);
        let req = Request {
            host: &authority,
            path: &url.path,
            method: &url.request.method,
            headers: &headers,
            query: &query,
        };
        let Some(sel) = select_rule(attached, kind, listener.hostname.as_deref(), &req) else {
            let answer = match kind {
                RouteKind::Grpc => FrontAnswer::Grpc(GrpcStatus::Unimplemented),
                RouteKind::Http => FrontAnswer::Http(404),
                RouteKind::Tls | RouteKind::Tcp | RouteKind::Udp => FrontAnswer::ConnectionRejected,
            };
            return Some(Take {
                front,
                what: head(GatewayStep::NoRoute(kind)),
                decision: Decision::Answer(answer, AnswerReason::NoRuleMatches(kind)),
            });
        };
        let ri = c
            .gateway_routes
            .iter()
            .position(|r| std::ptr::eq(r, sel.route))?;
        let source = RouteSource::Gateway {
            route: ri,
            rule: sel.rule_index,
        };
        let routes: Vec<&Route> = dp
            .routes
            .iter()
            .filter(|r| r.via.source == source && r.front == front && r.weight > 0)
            .collect();
        let rule = &sel.route.rules[sel.rule_index];
        let refused: Vec<(String, String)> = rule
            .backends
            .iter()
            .filter(|b| !grants::backend_permitted(c, sel.route, b))
            .map(|b| (b.namespace.clone(), b.name.clone()))
            .collect();
        let rule_step = |forward| GatewayStep::Rule {
            route_kind: sel.route.meta.kind.to_string(),
            route: sel.route.meta.qualified_name(),
            rule: sel.rule_index + 1,
            matched: sel.match_index + 1,
            forward,
        };
        // HTTPRouteRule backendRefs: "If all entries in BackendRefs are
        // invalid, and there are also no filters specified in this route
        // rule, all traffic which matches this rule MUST receive a 500
        // status code"; GRPCRouteRule: "an UNAVAILABLE status".
        // TCPRouteRule, TLSRouteRule, UDPRouteRule backendRefs: the
        // implementation "MUST actively reject connection attempts".
        // HTTPBackendRef `backendRef`: a BackendRef is invalid if "It
        // refers to an unknown or unsupported kind of resource", "a
        // resource that does not exist", or crosses namespaces without a
        // ReferenceGrant.
        // HTTPRouteFilter `RequestRedirect`: "a filter that responds to
        // the request with an HTTP redirection"; the backends are not used.
        if kind == RouteKind::Http
            && let Some(r) = &rule.redirect
        {
            let matched = rule.matches[sel.match_index].path.as_ref();
            let to = super::redirect::location(r, url, listener.port, matched);
            return Some(Take {
                front,
                what: head(rule_step(None)),
                decision: Decision::Answer(
                    FrontAnswer::Http(r.status_code),
                    AnswerReason::Redirect(to),
                ),
            });
        }
        let invalid = |why| {
            let answer = match kind {
                RouteKind::Grpc => FrontAnswer::Grpc(GrpcStatus::Unavailable),
                RouteKind::Http => FrontAnswer::Http(500),
                RouteKind::Tls | RouteKind::Tcp | RouteKind::Udp => FrontAnswer::ConnectionRejected,
            };
            Some(Take {
                front,
                what: head(rule_step(None)),
                decision: Decision::Answer(answer, why),
            })
        };
        if !refused.is_empty()
            && refused.len() == rule.backends.len()
            && rule.unsupported.is_empty()
        {
            return invalid(AnswerReason::BackendsRefused(refused));
        }
        let not_found: Vec<(String, String)> = rule
            .backends
            .iter()
            .filter(|b| grants::backend_permitted(c, sel.route, b))
            .filter(|b| {
                c.namespace_by_name(&b.namespace)
                    .and_then(|ns| fronts::routes::find_service(c, ns, &b.name))
                    .is_none()
            })
            .map(|b| (b.namespace.clone(), b.name.clone()))
            .collect();
        if rule.filters == 0 && refused.len() + not_found.len() == rule.backends.len() {
            return invalid(AnswerReason::NoValidBackend(InvalidBackends {
                refused,
                not_found,
                unsupported: rule.unsupported.clone(),
            }));
        }
        let answered = if kind == RouteKind::Http {
            let valid = |b: &podnet_model::BackendRef| {
                let key = (b.namespace.clone(), b.name.clone());
                !refused.contains(&key) && !not_found.contains(&key)
            };
            let matched = rule.matches[sel.match_index].path.as_ref();
            super::redirect::backend_redirects(&rule.backends, valid, url, listener.port, matched)
        } else {
            Vec::new()
        };
        if routes.is_empty() && !answered.is_empty() {
            return Some(Take {
                front,
                what: head(rule_step(None)),
                decision: Decision::Forward(routes, false, answered),
            });
        }
        let tls = match (kind, listener.tls) {
            (RouteKind::Tls, Some(TlsMode::Passthrough)) => {
                TlsHandling::Passthrough(url.host.clone())
            }
            _ => super::front::tls_handling(url, listener.tls.is_some()),
        };
        Some(Take {
            front,
            what: head(rule_step(Some(GatewayForward {
                tls,
                services: super::front::services(dp, &routes),
                refused,
                kind,
            }))),
            decision: Decision::Forward(
                routes,
                kind != RouteKind::Tcp
                    && kind != RouteKind::Udp
                    && !(kind == RouteKind::Tls && listener.tls == Some(TlsMode::Passthrough)),
                answered,
            ),
        })
    }
}

impl Tracer<'_> {
    /// `--to IP[:PORT]` where IP is one of a Gateway's `spec.addresses`
    /// (GatewaySpec `addresses`: "The implementation MUST bind all
    /// Listeners to every GatewayAddress that it assigns to the Gateway"):
    /// what a client sends there, as a URL of the scheme of the Gateway's
    /// listener on PORT (`http://IP:PORT/` for HTTP, `https://` for HTTPS,
    /// `tls://`, `tcp://`; `udp://` for a UDP trace), which only that
    /// Gateway takes. The port may be omitted when the Gateway's listeners
    /// have one. `None` when no Gateway has the address, or none of them a
    /// listener of the trace's transport on the port.
    pub(super) fn gateway_address_url(
        &self,
        ip: std::net::IpAddr,
        port: Option<u16>,
    ) -> Result<Option<Url>, TraceError> {
        let host = match ip {
            std::net::IpAddr::V4(v4) => v4.to_string(),
            std::net::IpAddr::V6(v6) => format!("[{v6}]"),
        };
        let gateways: Vec<&podnet_model::Gateway> = self
            .dp
            .cluster
            .gateways
            .iter()
            .filter(|g| g.addresses.iter().any(|a| same_address(a, &host)))
            .collect();
        let Some(first) = gateways.first() else {
            return Ok(None);
        };
        let listeners = || gateways.iter().flat_map(|g| g.listeners.iter());
        let port = match port {
            Some(p) => p,
            None => super::tracer::single_port(
                listeners().map(|l| l.port),
                &format!("Gateway {}", first.meta.qualified_name()),
            )?,
        };
        let udp = self.req.protocol == podnet_model::Protocol::Udp;
        let scheme = listeners()
            .filter(|l| l.port == port && (l.protocol == ListenerProtocol::Udp) == udp)
            .find_map(|l| match l.protocol {
                ListenerProtocol::Http => Some("http"),
                ListenerProtocol::Https => Some("https"),
                ListenerProtocol::Tls => Some("tls"),
                ListenerProtocol::Tcp => Some("tcp"),
                ListenerProtocol::Udp => Some("udp"),
                ListenerProtocol::Other(_) => None,
            });
        Ok(scheme.and_then(|s| Url::parse(&format!("{s}://{host}:{port}"))))
    }

    /// Gateway `g` has `first`, a listener of the URL's protocol on its
    /// port, but none whose hostname matches `host` (the server name over
    /// TLS, else the Host): when the
    /// request is sent to the Gateway's address, it answers as when no
    /// route matches (HTTP 404, gRPC UNIMPLEMENTED, a rejected TLS
    /// connection), as the conformance tests HTTPRouteListenerHostnameMatching
    /// (httproute-listener-hostname-matching.go lines 87-90),
    /// HTTPRouteHostnameIntersection, GRPCRouteListenerHostnameMatching and
    /// TLSRouteHostnameIntersection (tlsroute-hostname-intersection.go line
    /// 78) of kubernetes-sigs/gateway-api 4564255a expect.
    fn no_listener_for_host(
        &self,
        url: &Url,
        host: &str,
        g: usize,
        addressed: bool,
        first: &podnet_model::Listener,
    ) -> Option<Take<'_>> {
        if !addressed {
            return None;
        }
        let kind = match first.protocol {
            ListenerProtocol::Tls => RouteKind::Tls,
            ListenerProtocol::Tcp => RouteKind::Tcp,
            ListenerProtocol::Udp => RouteKind::Udp,
            _ if url.request.grpc.is_some() => RouteKind::Grpc,
            _ => RouteKind::Http,
        };
        let answer = match kind {
            RouteKind::Grpc => FrontAnswer::Grpc(GrpcStatus::Unimplemented),
            RouteKind::Http => FrontAnswer::Http(404),
            RouteKind::Tls | RouteKind::Tcp | RouteKind::Udp => FrontAnswer::ConnectionRejected,
        };
        let gateway = &self.dp.cluster.gateways[g];
        Some(Take {
            front: fronts::GATEWAYS + g,
            what: LbDecision::Gateway(Box::new(GatewayDecision {
                gateway: gateway.meta.qualified_name(),
                listener: String::new(),
                protocol: first.protocol.clone(),
                port: url.port,
                request: url.clone(),
                step: GatewayStep::NoListenerForHost,
            })),
            decision: Decision::Answer(answer, AnswerReason::NoListenerForHost(host.to_owned())),
        })
    }
}

/// A request misdirected to `taken`, the HTTPS listener the TLS server
/// name selected on `port`, because the Host `authority` is not its:
/// `Some(Some(l))` when `l`, another HTTPS listener on the port, is the
/// one the Host selects (the Gateway answers 421), `Some(None)` when no
/// listener's hostname matches the Host (404); `None` when the Host
/// selects `taken` itself. Listener `hostname` (apis/v1/gateway_types.go
/// lines 390-405 at 4564255a): "Gateways SHOULD match the authority of the
/// requests with all the SNI hostname(s) configured across all the Gateway
/// Listeners on the same port and protocol: If another Listener has an
/// exact match or more specific wildcard entry, the Gateway SHOULD return
/// a 421. If the current Listener (selected by SNI matching during
/// ClientHello) does not match the Host: If another Listener does match
/// the Host, the Gateway SHOULD return a 421. If no other Listener matches
/// the Host, the Gateway MUST return a 404." The conformance test
/// HTTPRouteHTTPSListenerDetectMisdirectedRequests
/// (conformance/tests/httproute-https-listener-detect-misdirected-requests.go
/// lines 74-95 at 4564255a) asks every case.
fn misdirected<'a>(
    on_port: impl Iterator<Item = &'a podnet_model::Listener>,
    taken: &podnet_model::Listener,
    port: u16,
    authority: &str,
) -> Option<Option<&'a podnet_model::Listener>> {
    let https = on_port.filter(|l| l.protocol == ListenerProtocol::Https);
    match select_listener(https, port, authority) {
        Some(l) if std::ptr::eq(l, taken) => None,
        other => Some(other),
    }
}

/// Whether a Gateway address (`spec.addresses[].value`) is `host`: the
/// same IP address, or the same hostname (case-insensitive).
fn same_address(address: &str, host: &str) -> bool {
    match (
        address.parse::<std::net::IpAddr>(),
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>(),
    ) {
        (Ok(a), Ok(h)) => a == h,
        _ => address.eq_ignore_ascii_case(host),
    }
}

/// Borrowed pairs.
fn pairs(list: &[(String, String)]) -> Vec<(&str, &str)> {
    list.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect()
}

#[cfg(test)]
mod tests {
    use podnet_model::{AllowedRoutes, Listener, ListenerProtocol, TlsMode};

    use crate::gateway_match::select_listener;

    use super::misdirected;

    fn https(name: &str, hostname: Option<&str>) -> Listener {
        Listener {
            name: name.to_owned(),
            hostname: hostname.map(str::to_owned),
            port: 443,
            protocol: ListenerProtocol::Https,
            tls: Some(TlsMode::Terminate),
            certificate_refs: Vec::new(),
            allowed_routes: AllowedRoutes::default(),
            line: None,
            set: None,
        }
    }

    /// Every case of the conformance test
    /// HTTPRouteHTTPSListenerDetectMisdirectedRequests
    /// (conformance/tests/httproute-https-listener-detect-misdirected-requests.go
    /// lines 74-95 at 4564255ac2c35d582249b3cdf261bdf51c8bca32) on the
    /// listeners of Gateway same-namespace-with-https-listener
    /// (conformance/base/manifests.yaml lines 31-89): (server name, Host,
    /// the listener the Host selects when it is not the server name's,
    /// `Some(None)` when none matches it).
    #[test]
    fn misdirected_requests_follow_the_listener_hostname_rules() {
        let listeners = [
            https("https", None),
            https("https-with-hostname", Some("second-example.org")),
            https("https-with-wildcard-hostname", Some("*.wildcard.org")),
            https(
                "https-with-hostname-matching-wildcard",
                Some("fourth-example.wildcard.org"),
            ),
        ];
        let cases: &[(&str, &str, Option<Option<&str>>)] = &[
            ("example.org", "example.org", None),
            (
                "example.org",
                "second-example.org",
                Some(Some("https-with-hostname")),
            ),
            ("example.org", "unknown-example.org", None),
            ("second-example.org", "second-example.org", None),
            ("second-example.org", "example.org", Some(Some("https"))),
            (
                "second-example.org",
                "unknown-example.org",
                Some(Some("https")),
            ),
            (
                "third-example.wildcard.org",
                "third-example.wildcard.org",
                None,
            ),
            (
                "third-example.wildcard.org",
                "fith-example.wildcard.org",
                None,
            ),
            (
                "third-example.wildcard.org",
                "fourth-example.wildcard.org",
                Some(Some("https-with-hostname-matching-wildcard")),
            ),
            (
                "third-example.wildcard.org",
                "second-example.org",
                Some(Some("https-with-hostname")),
            ),
            (
                "third-example.wildcard.org",
                "unknown-example.org",
                Some(Some("https")),
            ),
            (
                "fourth-example.wildcard.org",
                "fourth-example.wildcard.org",
                None,
            ),
            (
                "fourth-example.wildcard.org",
                "fith-example.wildcard.org",
                Some(Some("https-with-wildcard-hostname")),
            ),
            ("unknown-example.org", "example.org", None),
            ("unknown-example.org", "unknown-example.org", None),
        ];
        for (sni, host, want) in cases {
            let taken = select_listener(&listeners, 443, sni).unwrap();
            let got = misdirected(listeners.iter(), taken, 443, host);
            assert_eq!(
                got.map(|l| l.map(|l| l.name.as_str())),
                *want,
                "{sni} {host}"
            );
        }
        // Without a catch-all listener, a Host no listener matches: 404.
        let got = misdirected(listeners[1..].iter(), &listeners[1], 443, "other.net");
        assert_eq!(got, Some(None));
    }
}
