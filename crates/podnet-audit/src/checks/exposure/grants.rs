//! PN3008: cross-namespace Gateway API references no ReferenceGrant permits
//! (`podnet_dataplane::fronts::grants`): route backendRefs and Gateway
//! listener certificateRefs, one finding per reference, at its line.

use podnet_dataplane::fronts::Referrer;

use super::REFERENCE_REFUSED;
use crate::checks::support::at_line;
use crate::context::Context;
use crate::finding::{Finding, Rule};
use crate::found::{ExposureFound, Found, Referent};
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
            let target = Referent {
                kind: r.kind.clone(),
                namespace: r.namespace.clone(),
                name: r.name.clone(),
            };
            let (subject, found) = match r.from {
                Referrer::RouteBackend { route, rule, .. } => {
                    let route = &c.gateway_routes[route];
                    let all_refused = route.rules[rule]
                        .backends
                        .iter()
                        .all(|b| !podnet_dataplane::fronts::grants::backend_permitted(c, route, b));
                    (
                        at_line(&route.meta, r.line),
                        ExposureFound::BackendRefused {
                            target,
                            rule,
                            route_kind: route.kind,
                            from_namespace: route.meta.namespace.clone().unwrap_or_default(),
                            all_refused,
                        },
                    )
                }
                Referrer::ListenerCertificate {
                    gateway, listener, ..
                } => {
                    let g = &c.gateways[gateway];
                    let l = &g.listeners[listener];
                    let from_namespace = match &l.set {
                        Some(s) => s.namespace_name.clone(),
                        None => g.meta.namespace.clone().unwrap_or_default(),
                    };
                    let none_left = podnet_dataplane::fronts::grants::listener_without_certificate(
                        &ctx.dp.refused,
                        c,
                        gateway,
                        listener,
                    );
                    (
                        at_line(&g.meta, r.line),
                        ExposureFound::CertificateRefused {
                            target,
                            listener: l.name.clone(),
                            listener_set: l.set.is_some(),
                            from_namespace,
                            none_left,
                        },
                    )
                }
            };
            out.push(Finding::new(
                &REFERENCE_REFUSED,
                subject,
                Found::Exposure(found),
            ));
        }
    }
}
