//! What a trace's paths stand for and why they end, as data: the printers
//! (`podnet-report`) word them.

use std::net::IpAddr;

use podnet_model::{PodId, Protocol, RouteKind, ServiceId};

use super::Scheme;
use crate::lb::{RouteGap, TargetProblem};

/// What one path of a trace stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathLabel {
    /// An endpoint kube-proxy may pick: its pod (none for an endpoint of a
    /// selector-less Service outside the pods), address and port.
    Endpoint {
        /// The endpoint's pod.
        pod: Option<PodId>,
        /// Its address.
        ip: IpAddr,
        /// Its port.
        port: u16,
    },
    /// A pod sent to directly, by its address.
    Pod {
        /// The pod.
        pod: PodId,
        /// The address.
        ip: IpAddr,
        /// The port.
        port: u16,
    },
    /// A Service endpoint a front (Gateway, ingress controller, ALB)
    /// opens a connection to.
    ServiceEndpoint {
        /// The Service.
        service: ServiceId,
        /// The endpoint's pod.
        pod: PodId,
        /// Its address.
        ip: IpAddr,
        /// Its port.
        port: u16,
    },
    /// A Service backend of a front whose pod has no address in the
    /// input (`--pod-addresses=declared`).
    UnaddressedEndpoint {
        /// The Service.
        service: ServiceId,
        /// The backend pod.
        pod: PodId,
        /// Its target port.
        port: u16,
    },
    /// An IP target (a pod address) of a cloud load balancer.
    IpTarget {
        /// The pod.
        pod: PodId,
        /// Its address.
        ip: IpAddr,
        /// The port.
        port: u16,
    },
    /// A node: the packet reaches its host network (on a port and
    /// protocol that is no NodePort there), or the source's egress to it
    /// is denied (`host_network` is then `None`).
    Node {
        /// The node.
        node: String,
        /// The packet's port and protocol when it reached the host network.
        host_network: Option<(u16, Protocol)>,
    },
    /// An address outside the cluster.
    Outside(IpAddr),
    /// A load balancer, by its address or DNS name.
    LoadBalancer(String),
    /// A NodePort on a node's loopback address.
    LocalhostNodePort,
    /// kube-proxy finds no endpoint.
    NoEndpoint,
    /// The packet is dropped before any choice.
    Dropped,
    /// A Gateway answers the request itself.
    AnsweredByGateway,
    /// A front that forwards nowhere (its reason is the outcome).
    Front(FrontName),
    /// One of several fronts that take a request, and the path through it.
    ViaFront(FrontName, Box<PathLabel>),
    /// One of several addresses a name resolves to, and the path to it.
    ARecord(IpAddr, Box<PathLabel>),
}

/// A front by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrontName {
    /// The AWS Application Load Balancer.
    Alb,
    /// The ingress controller.
    IngressController,
    /// A Gateway.
    Gateway {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
}

/// Why the dataplane drops (or rejects) a packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// A pod address sent to from outside the cluster: nothing routes it.
    PodFromOutside,
    /// A ClusterIP sent to from outside the cluster.
    ClusterIpFromOutside,
    /// One of the two nodes has no address in the model.
    NodeWithoutAddress {
        /// The sending node.
        from: String,
        /// The receiving node.
        to: String,
    },
    /// The VPC route table has no route to a node's pod block.
    NoVpcRoute {
        /// The destination node's block.
        block: String,
        /// Why the route is missing.
        gap: RouteGap,
    },
    /// An address in the cluster CIDR that no pod holds.
    NoPodAtAddress(IpAddr),
    /// The Service has no port of this protocol and number.
    NoServicePort {
        /// The Service.
        service: ServiceId,
        /// The protocol.
        protocol: Protocol,
        /// The port.
        port: u16,
        /// What kube-proxy then does, when it decided.
        then: Option<PortMiss>,
    },
    /// The Service has no ready or serving endpoint; kube-proxy rejects.
    NoServingEndpoint(ServiceId),
    /// The Service has endpoints but none ready; kube-proxy rejects.
    NoReadyEndpoint(ServiceId),
    /// The Service has no endpoint at all; kube-proxy rejects.
    NoEndpoints(ServiceId),
    /// The client is outside `loadBalancerSourceRanges`; kube-proxy drops.
    OutsideSourceRanges(ServiceId),
    /// A `Local` traffic policy and no ready endpoint on the node.
    NoLocalEndpoint {
        /// `internalTrafficPolicy` (else `externalTrafficPolicy`).
        internal: bool,
        /// The node.
        node: String,
    },
    /// An address of the service CIDR no Service holds (nftables drops it).
    UnallocatedServiceAddress,
    /// A NodePort on a loopback address kube-proxy does not serve.
    LocalhostNodePort,
    /// The load balancer has no target.
    NoLoadBalancerTarget,
    /// None of the load balancer's targets is healthy: how many, and the
    /// first one with its problems.
    NoHealthyTarget {
        /// How many targets.
        targets: usize,
        /// The first target.
        first: String,
        /// Its problems.
        problems: Vec<TargetProblem>,
    },
    /// The ALB cannot reach the pod address (IP targets).
    IpTarget(Vec<TargetProblem>),
    /// A front forwards nowhere.
    Front(FrontEnd),
}

/// What kube-proxy does with a packet for a port the Service lacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortMiss {
    /// Leaves it untranslated; nothing answers it.
    Untranslated,
    /// Rejects it.
    Reject,
}

/// Why a front forwards a request nowhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrontEnd {
    /// The ALB has no subnet (the profile's AWS subnets all hold nodes).
    AlbWithoutSubnet,
    /// The Gateway has no proxy pod with an address.
    GatewayWithoutPod {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
    /// No ingress controller pod has an address in the namespace.
    NoIngressControllerPod(String),
    /// The route's Services have no serving pod.
    NoServingPod,
}

/// Why a front answers a request itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnswerReason {
    /// The listener has no certificate it may use: every certificateRef
    /// crosses namespaces without a ReferenceGrant.
    NoCertificate,
    /// No rule of this kind of route matches the request.
    NoRuleMatches(RouteKind),
    /// The request reached the Gateway, but no listener's hostname matches
    /// its host (the host).
    NoListenerForHost(String),
    /// The request's Host selects another HTTPS listener on the port than
    /// the one its TLS server name selected: 421 Misdirected Request.
    Misdirected,
    /// The request's Host matches no listener on the port, while its TLS
    /// server name selected one: 404.
    HostOfNoListener,
    /// Every backendRef of the rule is refused: the Services, by
    /// namespace and name.
    BackendsRefused(Vec<(String, String)>),
    /// The rule has no filters and no valid backendRef: none at all, or
    /// each refused, naming a Service that does not exist, or of a kind
    /// podnet does not model.
    NoValidBackend(InvalidBackends),
    /// The rule's `RequestRedirect` filter answers (the status is the
    /// answer's): where to.
    Redirect(super::Location),
    /// The `RequestRedirect` filter of the backendRef the request is sent
    /// to answers (the status is the answer's).
    BackendRedirect(super::BackendRedirect),
}

/// The invalid backendRefs of a rule (HTTPBackendRef `backendRef`: "A
/// BackendRef is invalid if ...").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InvalidBackends {
    /// Refused without a ReferenceGrant (namespace, name).
    pub refused: Vec<(String, String)>,
    /// Naming a Service that is not in the input (namespace, name).
    pub not_found: Vec<(String, String)>,
    /// Of a kind podnet does not model (`Kind` or `Kind.group`).
    pub unsupported: Vec<String>,
}

/// Why a trace has no path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceEnd {
    /// The name does not resolve (NXDOMAIN).
    NxDomain(String),
    /// The name exists but holds no address (NOERROR, no data).
    NoData(String),
    /// The name is outside the cluster domain; the upstream resolver
    /// answers.
    Upstream(String),
    /// A CNAME to a name resolved outside the cluster.
    Cname(String),
    /// SRV records: their targets and ports.
    Srv(Vec<(String, u16)>),
    /// A headless Service without ready endpoints: the answer is empty.
    EmptyHeadless,
    /// No address of the source's family.
    NoAddressOfFamily,
    /// No Gateway listener, Ingress or Route takes the URL.
    NoFront {
        /// The URL's scheme.
        scheme: Scheme,
        /// Its host.
        host: String,
        /// Its port.
        port: u16,
        /// Its path.
        path: String,
    },
    /// The only front forwards nowhere.
    Front(FrontEnd),
}
