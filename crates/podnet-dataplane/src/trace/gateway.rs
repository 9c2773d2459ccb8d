//! What each Gateway does with a URL request: the listener that takes it
//! (on the URL's port, of the URL's scheme, by hostname precedence: API
//! reference, GatewaySpec `listeners`), then the rule of the HTTPRoutes (or,
//! for a gRPC call, the GRPCRoutes) attached to that listener by the
//! precedence of HTTPRouteRule and GRPCRouteRule `matches`, with the
//! request's method, headers and query; a TLS listener's TLSRoutes by SNI,
//! a TCP or UDP listener's TCPRoutes or UDPRoutes (the oldest route first).
//! Every Gateway with such a listener takes part, one path each; none is
//! chosen silently.

use podnet_model::{
    GatewayRoute, ListenerProtocol, Request, RouteKind, TlsMode, select_listener, select_rule,
};

use super::tracer::Tracer;
use super::{
    AnswerReason, FrontAnswer, GatewayDecision, GatewayForward, GatewayStep, GrpcStatus,
    LbDecision, Scheme, TlsHandling, TraceError, Url,
};
use crate::fronts::{self, Route, RouteSource, gateways, grants};

/// What one Gateway does with the request.
pub(super) enum Decision<'d> {
    /// Forwards it to the Service ports of the matching rule; whether the
    /// Gateway itself opens the backend connections' TLS (it terminates
    /// the client's: HTTP, gRPC, TLS Terminate), so BackendTLSPolicy
    /// applies.
    Forward(Vec<&'d Route>, bool),
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
    /// Every Gateway (or only the one `--gateway` names) with a listener
    /// for `url`, in input order, with what it does.
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
        Ok((0..c.gateways.len())
            .filter(|&g| {
                url.request
                    .gateway
                    .as_ref()
                    .is_none_or(|want| named(&c.gateways[g], want))
            })
            .filter_map(|g| self.gateway_take(url, g))
            .collect())
    }

    /// What Gateway `g` does with `url`, if a listener of it takes it.
    fn gateway_take(&self, url: &Url, g: usize) -> Option<Take<'_>> {
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
        let listener = select_listener(
            gateway
                .listeners
                .iter()
                .filter(|l| protocols.contains(&l.protocol)),
            url.port,
            &url.host,
        )?;
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
            host: &url.host,
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
        if !refused.is_empty() && refused.len() == rule.backends.len() {
            // HTTPRouteRule backendRefs: "If all entries in BackendRefs are
            // invalid, and there are also no filters specified in this
            // route rule, all traffic which matches this rule MUST receive a
            // 500 status code"; GRPCRouteRule: "an UNAVAILABLE status".
            // TCPRouteRule, TLSRouteRule, UDPRouteRule backendRefs: the
            // implementation "MUST actively reject connection attempts".
            let answer = match kind {
                RouteKind::Grpc => FrontAnswer::Grpc(GrpcStatus::Unavailable),
                RouteKind::Http => FrontAnswer::Http(500),
                RouteKind::Tls | RouteKind::Tcp | RouteKind::Udp => FrontAnswer::ConnectionRejected,
            };
            return Some(Take {
                front,
                what: head(rule_step(None)),
                decision: Decision::Answer(answer, AnswerReason::BackendsRefused(refused)),
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
            ),
        })
    }
}

/// Borrowed pairs.
fn pairs(list: &[(String, String)]) -> Vec<(&str, &str)> {
    list.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect()
}
