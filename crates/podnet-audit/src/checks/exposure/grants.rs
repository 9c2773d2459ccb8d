//! PN3008: cross-namespace Gateway API references no ReferenceGrant permits
//! (`podnet_dataplane::fronts::grants`): route backendRefs and Gateway
//! listener certificateRefs, one finding per reference, at its line.

use podnet_dataplane::fronts::Referrer;

use super::REFERENCE_REFUSED;
use crate::checks::support::at_line;
use crate::context::Context;
use crate::finding::{Finding, Rule};
use crate::registry::Check;

/// PN3008.
pub struct RefusedReferences;

impl Check for RefusedReferences {
    fn rules(&self) -> &'static [Rule] {
        &[REFERENCE_REFUSED]
    }

    fn run(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let c = ctx.cluster();
        for r in &ctx.dp.refused {
            let target = format!("{} {}/{}", r.kind, r.namespace, r.name);
            let grant = format!(
                "a ReferenceGrant in namespace `{}` with `to` kind `{}`",
                r.namespace, r.kind
            );
            let (subject, message, help) = match r.from {
                Referrer::RouteBackend { route, rule, .. } => {
                    let route = &c.gateway_routes[route];
                    let from_ns = route.meta.namespace.as_deref().unwrap_or_default();
                    let rule_of = &route.rules[rule];
                    let all = rule_of
                        .backends
                        .iter()
                        .all(|b| !podnet_dataplane::fronts::grants::backend_permitted(c, route, b));
                    let effect = match (all, route.kind) {
                        (true, podnet_model::RouteKind::Grpc) => {
                            "every backend of the rule is refused: its requests get UNAVAILABLE"
                        }
                        (true, _) => {
                            "every backend of the rule is refused: its requests get HTTP 500"
                        }
                        (false, _) => "this backend gets no traffic",
                    };
                    (
                        at_line(&route.meta, r.line),
                        format!(
                            "rule {} backendRef to {target} crosses from namespace `{from_ns}` without a ReferenceGrant: refused, {effect}",
                            rule + 1
                        ),
                        format!(
                            "add {grant} and `from` kind `{}` namespace `{from_ns}`",
                            route.kind.as_str()
                        ),
                    )
                }
                Referrer::ListenerCertificate {
                    gateway, listener, ..
                } => {
                    let g = &c.gateways[gateway];
                    let l = &g.listeners[listener];
                    let (from_kind, from_ns) = match &l.set {
                        Some(s) => ("ListenerSet", s.namespace_name.as_str()),
                        None => ("Gateway", g.meta.namespace.as_deref().unwrap_or_default()),
                    };
                    let none_left = podnet_dataplane::fronts::grants::listener_without_certificate(
                        &ctx.dp.refused,
                        c,
                        gateway,
                        listener,
                    );
                    (
                        at_line(&g.meta, r.line),
                        format!(
                            "listener `{}` certificateRef to {target} crosses from namespace `{from_ns}` without a ReferenceGrant: refused{}",
                            l.name,
                            if none_left {
                                ", the listener has no certificate and TLS handshakes fail"
                            } else {
                                ""
                            }
                        ),
                        format!("add {grant} and `from` kind `{from_kind}` namespace `{from_ns}`"),
                    )
                }
            };
            out.push(Finding::worded(&REFERENCE_REFUSED, subject, message, help));
        }
    }
}
