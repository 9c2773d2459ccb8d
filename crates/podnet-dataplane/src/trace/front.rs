//! Traces of a URL (`https://host/path`): the request reaches the fronts
//! that may serve it — Gateways with a listener for it (see
//! `super::gateway`), and the ingress controller's pod or an ALB, which
//! picks the route the way the Ingress API describes (the longest matching
//! path of the rules whose host matches, Exact before Prefix at equal
//! length, else the default backend). A front terminates HTTP and opens a
//! new TCP connection to one of the Service's pods on its target port — one
//! branch per pod, each with the policy checks of that new connection —
//! or answers itself (a Gateway's 404, 500, gRPC status, failed TLS
//! handshake). With several fronts, each has its own paths.

use podnet_engine::Endpoint;
use podnet_engine::semantics::evaluate;
use podnet_model::exposure::host_matches;
use podnet_model::{Cloud, PathType, PodId, Protocol, ServiceId};

use super::deliver::drop_branch;
use super::gateway::Decision;
use super::tracer::{Origin, Tracer};
use super::{
    Action, AnswerReason, Branch, CloudPart, DropReason, ExposureDecision, FrontAnswer, FrontEnd,
    FrontName, Hop, LbDecision, Outcome, Packet, PathLabel, Place, Scheme, TlsHandling, Trace,
    TraceEnd, TraceError, Url, hoist_common_prefix,
};
use crate::fronts::{self, Route, RouteSource};

/// The exposure and path a request selects.
struct Selected {
    exposure: usize,
    path: Option<(String, PathType)>,
}

/// The front serving a request through an Ingress or Route, the routes it
/// may use, and why.
struct Choice<'d> {
    front: usize,
    routes: Vec<&'d Route>,
    what: LbDecision,
}

/// What one front does with a request: hops before its paths split, the
/// paths, and why there is none.
struct FrontPaths {
    /// The front, by name (labels its paths when there are several fronts).
    name: FrontName,
    /// Its decision (the load balancer hop).
    prefix: Vec<Hop>,
    /// One per serving pod, or its answer.
    branches: Vec<Branch>,
    /// Why it forwards nowhere, when it does not.
    end: Option<FrontEnd>,
}

/// The Service ports behind `routes`.
pub(super) fn services(dp: &crate::Dataplane, routes: &[&Route]) -> Vec<(ServiceId, u16)> {
    routes
        .iter()
        .map(|r| {
            let s = &dp.cluster.services[r.service.index()];
            (r.service, s.ports[r.port].port)
        })
        .collect()
}

/// The path to a backend pod without an address (only under
/// `--pod-addresses=declared`): it exists, and policy's verdict on the
/// front's connection to it is the one `connlist` counts, but nothing can
/// be followed to it. `src` is the front (its pod, or its address) and
/// `missing` the pod without an address: the backend, or the front's own
/// pod.
fn unaddressed(
    c: &podnet_model::Cluster,
    src: Endpoint,
    route: &Route,
    (pod, port): (PodId, u16),
    missing: PodId,
) -> Branch {
    let verdict = evaluate(c, src, Endpoint::Pod(pod));
    Branch {
        label: PathLabel::UnaddressedEndpoint {
            service: route.service,
            pod,
            port,
        },
        hops: Vec::new(),
        outcome: Outcome::Unaddressed {
            pod: missing,
            port,
            allowed: verdict.conns.allows(route.protocol, port),
        },
    }
}

/// A path the Gateway answers itself.
fn answered_branch((answer, why): (FrontAnswer, AnswerReason)) -> Branch {
    Branch {
        label: PathLabel::AnsweredByGateway,
        hops: Vec::new(),
        outcome: Outcome::Answered(answer, why),
    }
}

/// What happens to TLS for `url` given whether the front has TLS for it.
pub(super) fn tls_handling(url: &Url, covered: bool) -> TlsHandling {
    if !url.scheme.tls() {
        TlsHandling::None
    } else if covered {
        TlsHandling::Terminated(url.host.clone())
    } else {
        TlsHandling::DefaultCertificate(url.host.clone())
    }
}

impl Tracer<'_> {
    /// The paths of a front that answers every request itself: its
    /// decision, then one path per answer.
    fn answered_paths(
        &self,
        name: FrontName,
        front: usize,
        what: LbDecision,
        answers: Vec<(FrontAnswer, AnswerReason)>,
        packet: &Packet,
    ) -> FrontPaths {
        FrontPaths {
            name,
            prefix: vec![Hop::same(
                self.front_place(front),
                Action::LoadBalancer { what },
                packet,
            )],
            branches: answers.into_iter().map(answered_branch).collect(),
            end: None,
        }
    }

    /// Follows a URL through the fronts that may serve it: every Gateway
    /// with a listener for it (or the one `--gateway` names), else the
    /// ingress controller or ALB of the Ingress or Route that matches; one
    /// path per front when there are several.
    pub(super) fn via_front(&self, client: &Origin, url: &Url) -> Result<Trace, TraceError> {
        let packet = Packet {
            src: client.ip,
            dst: client.ip,
            port: url.port,
            protocol: if url.scheme == Scheme::Udp {
                Protocol::Udp
            } else {
                Protocol::Tcp
            },
            outer: None,
            dst_name: Some(url.host.clone()),
        };
        let mut trace = Trace {
            request: self.req.clone(),
            src: client.ip,
            port: url.port,
            hops: Vec::new(),
            branches: Vec::new(),
            end: None,
        };
        let mut fronts: Vec<FrontPaths> = self
            .via_gateways(url)?
            .into_iter()
            .map(|take| {
                let name = self.front_name(take.front);
                match take.decision {
                    Decision::Forward(routes, _, answered) if routes.is_empty() => {
                        self.answered_paths(name, take.front, take.what, answered, &packet)
                    }
                    Decision::Forward(routes, backend_tls, answered) => {
                        let mut paths = self.front_paths(
                            name,
                            take.front,
                            take.what,
                            (&routes, backend_tls),
                            &packet,
                        );
                        paths
                            .branches
                            .extend(answered.into_iter().map(answered_branch));
                        paths
                    }
                    Decision::Answer(answer, why) => self.answered_paths(
                        name,
                        take.front,
                        take.what,
                        vec![(answer, why)],
                        &packet,
                    ),
                }
            })
            .collect();
        if url.request.gateway.is_none()
            && url.scheme.http()
            && let Some(choice) = self.via_exposure(url)
        {
            let name = self.front_name(choice.front);
            fronts.push(self.front_paths(
                name,
                choice.front,
                choice.what,
                (&choice.routes, false),
                &packet,
            ));
        }
        match fronts.len() {
            0 => {
                trace.end = Some(TraceEnd::NoFront {
                    scheme: url.scheme,
                    host: url.host.clone(),
                    port: url.port,
                    path: url.path.clone(),
                });
            }
            1 => {
                let Some(f) = fronts.pop() else {
                    return Ok(trace);
                };
                trace.hops = f.prefix;
                trace.branches = f.branches;
                trace.end = f.end.map(TraceEnd::Front);
                hoist_common_prefix(&mut trace.hops, &mut trace.branches);
            }
            _ => {
                for f in fronts {
                    let FrontPaths {
                        name,
                        prefix,
                        branches,
                        end,
                    } = f;
                    if let Some(end) = end {
                        trace.branches.push(Branch {
                            label: PathLabel::Front(name.clone()),
                            hops: prefix.clone(),
                            outcome: Outcome::Dropped(DropReason::Front(end)),
                        });
                    }
                    trace.branches.extend(branches.into_iter().map(|b| {
                        let mut hops = prefix.clone();
                        hops.extend(b.hops);
                        Branch {
                            label: PathLabel::ViaFront(name.clone(), Box::new(b.label)),
                            hops,
                            outcome: b.outcome,
                        }
                    }));
                }
            }
        }
        Ok(trace)
    }

    /// A front by name (a Gateway, the ingress controller, the ALB).
    fn front_name(&self, front: usize) -> FrontName {
        match &self.dp.fronts[front].kind {
            _ if front == fronts::ALB => FrontName::Alb,
            fronts::FrontKind::Gateway { namespace, name } => FrontName::Gateway {
                namespace: namespace.clone(),
                name: name.clone(),
            },
            fronts::FrontKind::IngressController => FrontName::IngressController,
        }
    }

    /// Where a front acts: its first pod with an address, or the ALB.
    fn front_place(&self, front: usize) -> Place {
        if front == fronts::ALB {
            return Place::Cloud(CloudPart::Alb);
        }
        let c = &self.dp.cluster;
        self.dp.fronts[front]
            .pods
            .iter()
            .find(|&&p| !c.pod(p).ips.is_empty())
            .map_or(Place::Outside, |&p| Place::Pod(p))
    }

    /// The paths through one front forwarding to `routes`: its decision
    /// (`what`), then one path per serving pod, each a new connection from
    /// the front with its own policy checks, in TLS when a BackendTLSPolicy
    /// governs the Service port and `backend_tls` (the front originates the
    /// backend's TLS).
    fn front_paths(
        &self,
        name: FrontName,
        front_index: usize,
        what: LbDecision,
        (routes, backend_tls): (&[&Route], bool),
        packet: &Packet,
    ) -> FrontPaths {
        let dp = self.dp;
        let c = &dp.cluster;
        let mut out = FrontPaths {
            name,
            prefix: Vec::new(),
            branches: Vec::new(),
            end: None,
        };
        let front = &dp.fronts[front_index];
        let (origin, place) = if front_index == fronts::ALB {
            let ip = front
                .subnets
                .first()
                .and_then(fronts::reach::representative);
            let Some(ip) = ip else {
                out.end = Some(FrontEnd::AlbWithoutSubnet);
                return out;
            };
            let place = Place::Cloud(CloudPart::Alb);
            let origin = Origin {
                ip,
                node: None,
                pod: None,
                host_pod: None,
                place: place.clone(),
            };
            (origin, place)
        } else {
            let addressed = front.pods.iter().find(|&&p| !c.pod(p).ips.is_empty());
            if let (None, Some(&pod)) = (addressed, front.pods.first()) {
                // Under `--pod-addresses=declared` the front's pods may have
                // no address: they still run, and connlist judges their
                // connections by policy; no packet can be followed.
                out.prefix.push(Hop::same(
                    Place::Pod(pod),
                    Action::LoadBalancer { what },
                    packet,
                ));
                for route in routes {
                    for &backend in &route.pods {
                        out.branches
                            .push(unaddressed(c, Endpoint::Pod(pod), route, backend, pod));
                    }
                }
                if out.branches.is_empty() {
                    out.end = Some(FrontEnd::NoServingPod);
                }
                return out;
            }
            let Some(&pod) = addressed else {
                out.end = Some(match &front.kind {
                    fronts::FrontKind::Gateway { namespace, name } => FrontEnd::GatewayWithoutPod {
                        namespace: namespace.clone(),
                        name: name.clone(),
                    },
                    fronts::FrontKind::IngressController => {
                        FrontEnd::NoIngressControllerPod(dp.profile.ingress_namespace.clone())
                    }
                });
                return out;
            };
            let p = c.pod(pod);
            let origin = Origin {
                ip: p.ips[0],
                node: p.node_name.clone(),
                pod: Some(pod),
                host_pod: None,
                place: Place::Pod(pod),
            };
            (origin, Place::Pod(pod))
        };
        out.prefix
            .push(Hop::same(place, Action::LoadBalancer { what }, packet));
        for route in routes {
            for &(pod, port) in &route.pods {
                let Some(&ip) = c.pod(pod).ips.first() else {
                    let src = origin
                        .policy_pod(c)
                        .map_or(Endpoint::External(origin.ip), Endpoint::Pod);
                    out.branches
                        .push(unaddressed(c, src, route, (pod, port), pod));
                    continue;
                };
                let label = PathLabel::ServiceEndpoint {
                    service: route.service,
                    pod,
                    ip,
                    port,
                };
                let leg = Packet {
                    src: origin.ip,
                    dst: ip,
                    port,
                    protocol: route.protocol,
                    outer: None,
                    dst_name: None,
                };
                let branch = if let (Cloud::Aws(aws), true) =
                    (&dp.profile.cloud, front_index == fronts::ALB)
                {
                    let problems = dp.ip_target_causes(aws, ip);
                    if problems.is_empty() {
                        self.to_pod(&origin, None, leg, pod, Vec::new(), label)
                    } else {
                        Branch {
                            label,
                            ..drop_branch(&origin, &leg, DropReason::IpTarget(problems))
                        }
                    }
                } else {
                    let mut hops = Vec::new();
                    if let Some(p) = backend_tls
                        .then(|| fronts::backend_tls::policy_for(c, route.service, route.port))
                        .flatten()
                    {
                        hops.push(Hop::same(
                            origin.place.clone(),
                            Action::BackendTls {
                                policy: p.meta.qualified_name(),
                                hostname: p.hostname.clone(),
                                ca_certificates: p.ca_certificates.clone(),
                                system_ca: p.system_ca,
                            },
                            &leg,
                        ));
                    }
                    self.leave_pod(&origin, &leg, &mut hops);
                    self.to_pod(&origin, None, leg, pod, hops, label)
                };
                out.branches.push(branch);
            }
        }
        if out.branches.is_empty() {
            out.end = Some(FrontEnd::NoServingPod);
        }
        out
    }

    /// The Ingress or Route a request for `url` selects.
    fn via_exposure(&self, url: &Url) -> Option<Choice<'_>> {
        let dp = self.dp;
        let selected = self.select(url)?;
        let exposure = &dp.cluster.exposures[selected.exposure];
        let authority = url.authority();
        let routes: Vec<&Route> = dp
            .routes
            .iter()
            .filter(|r| {
                r.via.source == RouteSource::Exposure(selected.exposure)
                    && r.via.path == selected.path
                    && host_matches(r.via.host.as_deref(), &authority)
                    && r.weight > 0
            })
            .collect();
        let what = describe(dp, selected.exposure, &selected.path, url, &routes);
        Some(Choice {
            front: fronts::front_of(exposure, &dp.profile),
            routes,
            what,
        })
    }

    /// The exposure and path a request for `url` selects.
    fn select(&self, url: &Url) -> Option<Selected> {
        let mut best: Option<(Selected, (bool, usize, bool))> = None;
        // Ingress rule `host`: matched against the request's Host header
        // (IngressRule in the Kubernetes API reference).
        let authority = url.authority();
        for (i, e) in self.dp.cluster.exposures.iter().enumerate() {
            let Some((_, path)) = e.route(&authority, &url.path) else {
                continue;
            };
            // Rule paths beat default backends; then longer paths; then Exact.
            let rank = match path {
                Some(p) => (
                    true,
                    p.path.trim_end_matches('/').len(),
                    p.path_type == PathType::Exact,
                ),
                None => (false, 0, false),
            };
            if best.as_ref().is_none_or(|(_, r)| rank > *r) {
                let selected = Selected {
                    exposure: i,
                    path: path.map(|p| (p.path.clone(), p.path_type)),
                };
                best = Some((selected, rank));
            }
        }
        best.map(|(s, _)| s)
    }
}

/// The front's decision for an Ingress or Route.
fn describe(
    dp: &crate::Dataplane,
    exposure: usize,
    path: &Option<(String, PathType)>,
    url: &Url,
    routes: &[&Route],
) -> LbDecision {
    let e = &dp.cluster.exposures[exposure];
    let covered = e.tls_hosts.iter().any(|h| host_matches(Some(h), &url.host));
    LbDecision::Exposure(Box::new(ExposureDecision {
        exposure,
        path: path.clone(),
        host: url.authority(),
        services: services(dp, routes),
        tls: tls_handling(url, covered),
    }))
}
