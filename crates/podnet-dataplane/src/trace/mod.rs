//! `trace`: one connection followed hop by hop, from a DNS name as typed in
//! the source pod to the pod that answers: DNS, kube-proxy's DNAT (one
//! branch per endpoint it may pick), routing per CNI, SNAT, and the policy
//! checks, whose verdicts come from the engine's readable spec.
//!
//! Policy is evaluated on the addresses the destination sees: after DNAT
//! (implementations enforce NetworkPolicy on the chosen endpoint, not the
//! Service VIP) and after SNAT (a NodePort with `externalTrafficPolicy:
//! Cluster` hides the client behind the node's address). Traffic from the
//! destination pod's own node is always allowed (NetworkPolicy concept page:
//! "traffic to and from the node where a Pod is running is always allowed").
//!
//! The public types and [`trace`] live here; the walk itself is split by
//! stage: `tracer` starts it (source, DNS, which kind of address),
//! `service` follows Service VIPs and load balancers, `deliver` ends each
//! branch at a pod, a node or outside. A trace holds no prose: `why` (path
//! labels, drop and answer reasons, trace ends), `step` (routes,
//! forwarding, SNAT, encapsulation) and `decision` (load balancers and
//! fronts) are data that `podnet-report` words.

mod decision;
mod deliver;
mod front;
mod gateway;
mod redirect;
mod service;
mod step;
mod tracer;
mod url;
mod why;

use std::net::IpAddr;

use podnet_engine::Side;
use podnet_model::{Direction, PodId, Protocol, ProxyMode, ServiceId};

use crate::Dataplane;
use crate::dns::Resolution;

pub use crate::kube_proxy::{
    HintsIgnored, ProxyChain, ProxyMatch, ProxyResult, ProxyVerdict, Topology,
};
pub use decision::{
    ExposureDecision, GatewayDecision, GatewayForward, GatewayStep, LbDecision, TlsHandling,
};
pub use redirect::{BackendRedirect, Location};
pub use step::{CloudPart, DnatMatch, Encapsulation, ForwardVia, RouteStep, SnatReason};
use tracer::Tracer;
pub use url::{GrpcCall, HttpRequest, Scheme, Url};
pub use why::{
    AnswerReason, DropReason, FrontEnd, FrontName, InvalidBackends, PathLabel, PortMiss, TraceEnd,
};

/// Where a hop happens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// Inside a pod's network namespace.
    Pod(PodId),
    /// On a node (its root network namespace).
    Node(String),
    /// The network between nodes.
    Underlay,
    /// A cloud component (VPC, load balancer).
    Cloud(CloudPart),
    /// Outside the cluster.
    Outside,
}

/// The outer header of an encapsulated packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outer {
    /// Outer source (the sending node).
    pub src: IpAddr,
    /// Outer destination (the receiving node).
    pub dst: IpAddr,
    /// What carries it (VXLAN on a UDP port, IP-in-IP).
    pub carrier: Encapsulation,
}

/// A packet's addresses at one point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Destination port.
    pub port: u16,
    /// Protocol.
    pub protocol: Protocol,
    /// The outer header while encapsulated.
    pub outer: Option<Outer>,
    /// The destination's name when it has no address podnet knows (a cloud
    /// load balancer's DNS name).
    pub dst_name: Option<String>,
}

impl Packet {
    /// The packet wrapped in an outer header.
    pub fn encapsulated(&self, src: IpAddr, dst: IpAddr, carrier: Encapsulation) -> Packet {
        Packet {
            outer: Some(Outer { src, dst, carrier }),
            ..self.clone()
        }
    }
}

/// What happened at a hop.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A DNS lookup through the pod's resolver.
    Dns(Resolution),
    /// The packet leaves the pod: eth0, to its veth peer on the node.
    Send {
        /// The pod's node.
        node: String,
    },
    /// kube-proxy (or its replacement) rewrote the destination.
    Dnat {
        /// The Service.
        service: ServiceId,
        /// What matched (ClusterIP, NodePort, load-balancer address).
        matched: DnatMatch,
        /// How many endpoints it chooses among.
        choices: usize,
        /// Which implementation did it (kube-proxy's mode, or eBPF).
        by: ProxyMode,
        /// `sessionAffinity: ClientIP` timeout, when set.
        affinity: Option<u32>,
    },
    /// The source was rewritten.
    Snat {
        /// Why.
        why: SnatReason,
    },
    /// A routing decision.
    Route {
        /// The route used.
        route: RouteStep,
    },
    /// Forwarded without change.
    Forward {
        /// Through what.
        via: ForwardVia,
    },
    /// Wrapped in an outer header.
    Encapsulate {
        /// How.
        kind: Encapsulation,
    },
    /// The outer header removed.
    Decapsulate {
        /// By which device (`flannel.1`, `tunl0`...).
        dev: &'static str,
        /// Which encapsulation.
        kind: Encapsulation,
    },
    /// The front opens TLS to the backend: a Gateway API BackendTLSPolicy
    /// governs the Service port.
    BackendTls {
        /// The policy, `namespace/name`.
        policy: String,
        /// SNI, and the name the backend's certificate must carry.
        hostname: String,
        /// The CA certificates that validate it (`Kind/name`).
        ca_certificates: Vec<String>,
        /// Validated against the system's CA certificates.
        system_ca: bool,
    },
    /// A cloud or MetalLB load balancer took the packet.
    LoadBalancer {
        /// What it did.
        what: LbDecision,
    },
    /// A NetworkPolicy check.
    Policy {
        /// Egress of the source or ingress of the destination.
        direction: Direction,
        /// Whether it passes.
        allowed: bool,
        /// The pod whose policies these are: the source for egress, the
        /// destination for ingress.
        subject: PodId,
        /// The engine's verdict for the direction.
        side: Box<Side>,
        /// Allowed because the source is the destination pod's own node.
        node_local: bool,
    },
    /// Arrived.
    Deliver {
        /// Whether a container declares the port and protocol.
        declared: bool,
    },
    /// Dropped.
    Drop {
        /// Why.
        why: DropReason,
    },
    /// kube-proxy's decision on a node: what matched, the chains that
    /// decided, DNAT/REJECT/DROP/untranslated and masquerade.
    KubeProxy(Box<ProxyVerdict>),
}

/// One step.
#[derive(Clone, Debug, PartialEq)]
pub struct Hop {
    /// Where.
    pub place: Place,
    /// What.
    pub action: Action,
    /// The packet before.
    pub before: Packet,
    /// The packet after.
    pub after: Packet,
}

impl Hop {
    /// A hop changing the packet.
    pub fn new(place: Place, action: Action, before: &Packet, after: &Packet) -> Hop {
        Hop {
            place,
            action,
            before: before.clone(),
            after: after.clone(),
        }
    }

    /// A hop leaving the packet as it is.
    pub fn same(place: Place, action: Action, packet: &Packet) -> Hop {
        Hop::new(place, action, packet, packet)
    }
}

/// How a branch ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Delivered to a pod.
    Delivered(PodId),
    /// Delivered to a node's own network namespace.
    ReachedNode(String),
    /// Left the cluster.
    LeftCluster,
    /// Denied by NetworkPolicy in this direction.
    Denied(Direction),
    /// Dropped by the dataplane.
    Dropped(DropReason),
    /// Rejected by the dataplane (ICMP unreachable or TCP reset back to
    /// the client: kube-proxy's REJECT), as opposed to silently dropped.
    Rejected(DropReason),
    /// A front (a Gateway) answered the request itself instead of
    /// forwarding it, and why.
    Answered(FrontAnswer, AnswerReason),
    /// A front's backend pod, or the front's own pod, that the input
    /// gives no address (`--pod-addresses=declared`): it exists and runs,
    /// as `connlist` counts it, but no packet to the backend can be
    /// followed.
    Unaddressed {
        /// The pod without an address.
        pod: PodId,
        /// The backend's target port the front connects to.
        port: u16,
        /// Whether NetworkPolicy allows the front's connection to it on
        /// the branch's port (the verdict `connlist` reports).
        allowed: bool,
    },
}

/// What a Gateway answers when it forwards nothing (Gateway API reference).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrontAnswer {
    /// An HTTP status: 404 when no HTTPRoute rule matches, 500 when every
    /// backendRef of the matching rule is invalid (HTTPRouteRule
    /// `backendRefs`).
    Http(u16),
    /// A gRPC status.
    Grpc(GrpcStatus),
    /// The TLS handshake fails: the listener has no certificate it may use.
    TlsHandshakeFailure,
    /// The connection is rejected: no TLSRoute, TCPRoute or UDPRoute takes
    /// it, or every backendRef of its rule is invalid (TCPRouteRule
    /// `backendRefs`: implementations "MUST actively reject connection
    /// attempts").
    ConnectionRejected,
}

/// A gRPC status code a Gateway answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrpcStatus {
    /// `UNIMPLEMENTED` (12): no GRPCRoute rule matches the method.
    Unimplemented,
    /// `UNAVAILABLE` (14): every backendRef of the matching rule is invalid
    /// (GRPCRouteRule `backendRefs`).
    Unavailable,
}

/// One possible path (kube-proxy picks one endpoint per connection).
#[derive(Clone, Debug, PartialEq)]
pub struct Branch {
    /// What this branch stands for (an endpoint, a node, a front...).
    pub label: PathLabel,
    /// Its hops.
    pub hops: Vec<Hop>,
    /// Its end.
    pub outcome: Outcome,
}

/// Where a trace starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceFrom {
    /// A pod.
    Pod(PodId),
    /// A node's host network.
    Node(String),
    /// An address outside the cluster.
    External(IpAddr),
    /// A node's host network, sending from one of its addresses (or
    /// 127.0.0.1 / ::1).
    NodeAddress {
        /// The node.
        node: String,
        /// The source address.
        ip: IpAddr,
    },
}

/// Where a trace goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceTo {
    /// A pod's address.
    Pod(PodId),
    /// A DNS name, as typed inside the source.
    Name(String),
    /// An address (pod, ClusterIP, node, load balancer, outside).
    Address(IpAddr),
    /// An `http(s)://` URL served through an Ingress or Route.
    Url(Url),
}

/// A trace request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceRequest {
    /// Source.
    pub from: TraceFrom,
    /// Destination.
    pub to: TraceTo,
    /// Destination port; inferred when the target has exactly one.
    pub port: Option<u16>,
    /// Protocol.
    pub protocol: Protocol,
}

/// A trace.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// The request.
    pub request: TraceRequest,
    /// The source address.
    pub src: IpAddr,
    /// The port used.
    pub port: u16,
    /// Hops before the paths split.
    pub hops: Vec<Hop>,
    /// The possible paths.
    pub branches: Vec<Branch>,
    /// Why there is no branch, when there is none.
    pub end: Option<TraceEnd>,
}

impl Trace {
    /// Whether some branch delivers the packet.
    pub fn reachable(&self) -> bool {
        self.branches.iter().any(|b| {
            matches!(
                b.outcome,
                Outcome::Delivered(_) | Outcome::ReachedNode(_) | Outcome::LeftCluster
            )
        })
    }
}

/// Why a trace cannot start.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TraceError {
    /// The source pod has no address.
    #[error("pod `{0}` has no address (it is not scheduled or its pool is exhausted)")]
    NoAddress(String),
    /// The node is unknown.
    #[error("no node is called `{0}`")]
    UnknownNode(String),
    /// `--gateway` names a Gateway the input does not have.
    #[error("no Gateway is called `{0}`")]
    UnknownGateway(String),
    /// No port given and none can be inferred: the destination (its
    /// description) and how many ports it has. The caller says how to give
    /// one.
    #[error("{0} has {1} ports")]
    NeedPort(String, usize),
}

/// Traces one connection.
pub fn trace(dp: &Dataplane, req: &TraceRequest) -> Result<Trace, TraceError> {
    Tracer { dp, req }.run()
}

/// Moves the hops every branch starts with (the pod sending, a load
/// balancer) before the split, so each path shows only where it differs.
fn hoist_common_prefix(hops: &mut Vec<Hop>, branches: &mut [Branch]) {
    if branches.len() < 2 {
        return;
    }
    let Some(first) = branches.first() else {
        return;
    };
    let mut n = first.hops.len();
    for b in branches.iter().skip(1) {
        n = n.min(
            b.hops
                .iter()
                .zip(&first.hops)
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    // Keep at least one hop per branch.
    let shortest = branches.iter().map(|b| b.hops.len()).min().unwrap_or(0);
    n = n.min(shortest.saturating_sub(1));
    if n == 0 {
        return;
    }
    hops.extend(first.hops[..n].iter().cloned());
    for b in branches.iter_mut() {
        b.hops.drain(..n);
    }
}
