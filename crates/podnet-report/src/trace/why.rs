//! A trace's path labels and reasons in words (the same in text and JSON).

use podnet_dataplane::lb::RouteGap;
use podnet_dataplane::trace::{
    AnswerReason, DropReason, FrontEnd, FrontName, InvalidBackends, Location, PathLabel, PortMiss,
    TraceEnd,
};
use podnet_model::{Cluster, ServiceId};

use crate::lb::problems_text;

fn service(c: &Cluster, id: ServiceId) -> String {
    c.services[id.index()].meta.qualified_name()
}

/// What a path stands for (`endpoint default/web-1 10.244.1.2:8080`).
pub(super) fn label_text(c: &Cluster, l: &PathLabel) -> String {
    match l {
        PathLabel::Endpoint {
            pod: Some(p),
            ip,
            port,
        } => format!("endpoint {} {ip}:{port}", c.pod_name(*p)),
        PathLabel::Endpoint {
            pod: None,
            ip,
            port,
        } => format!("endpoint {ip}:{port}"),
        PathLabel::Pod { pod, ip, port } => format!("pod {} {ip}:{port}", c.pod_name(*pod)),
        PathLabel::ServiceEndpoint {
            service: s,
            pod,
            ip,
            port,
        } => format!(
            "Service {} endpoint {} {ip}:{port}",
            service(c, *s),
            c.pod_name(*pod)
        ),
        PathLabel::UnaddressedEndpoint {
            service: s,
            pod,
            port,
        } => format!(
            "Service {} endpoint {} (no declared address):{port}",
            service(c, *s),
            c.pod_name(*pod)
        ),
        PathLabel::IpTarget { pod, ip, port } => {
            format!("IP target {} {ip}:{port}", c.pod_name(*pod))
        }
        PathLabel::Node {
            node,
            host_network: None,
        } => format!("node `{node}`"),
        PathLabel::Node {
            node,
            host_network: Some((port, protocol)),
        } => format!("node `{node}` host network (no NodePort {port}/{protocol} there)"),
        PathLabel::Outside(ip) => format!("{ip} outside the cluster"),
        PathLabel::LoadBalancer(name) => format!("load balancer {name}"),
        PathLabel::LocalhostNodePort => "localhost NodePort".to_owned(),
        PathLabel::NoEndpoint => "no endpoint".to_owned(),
        PathLabel::Dropped => "dropped".to_owned(),
        PathLabel::AnsweredByGateway => "answered by the Gateway".to_owned(),
        PathLabel::Front(name) => front_name(name),
        PathLabel::ViaFront(name, inner) => {
            format!("{}: {}", front_name(name), label_text(c, inner))
        }
        PathLabel::ARecord(ip, inner) => format!("A record {ip}: {}", label_text(c, inner)),
    }
}

fn front_name(f: &FrontName) -> String {
    match f {
        FrontName::Alb => "ALB".to_owned(),
        FrontName::IngressController => "ingress controller".to_owned(),
        FrontName::Gateway { namespace, name } => format!("Gateway {namespace}/{name}"),
    }
}

/// Why a packet is dropped, on the hop that drops it.
pub(super) fn drop_text(c: &Cluster, why: &DropReason) -> String {
    match why {
        DropReason::PodFromOutside => {
            "pod addresses are not routed from outside the cluster".to_owned()
        }
        DropReason::LocalhostNodePort => "kube-proxy serves NodePorts on 127.0.0.1 only in iptables mode with localhostNodePorts (never in nftables mode, never on ::1): the packet is not translated".to_owned(),
        other => outcome_reason_text(c, other),
    }
}

/// Why a path ends dropped or rejected (the drop hop says the same, in
/// more detail for two reasons).
pub(super) fn outcome_reason_text(c: &Cluster, why: &DropReason) -> String {
    match why {
        DropReason::PodFromOutside => "pod addresses are not reachable from outside".to_owned(),
        DropReason::LocalhostNodePort => "NodePort on the loopback address not served by kube-proxy (nftables mode, ::1 or localhostNodePorts: false)".to_owned(),
        DropReason::ClusterIpFromOutside => "ClusterIPs answer only inside the cluster; from outside nothing routes to the service CIDR".to_owned(),
        DropReason::NodeWithoutAddress { from, to } => {
            format!("node `{from}` or `{to}` has no address in the model")
        }
        DropReason::NoVpcRoute {
            block,
            gap: RouteGap::RouteControllerOff,
        } => format!(
            "the VPC route table has no route for {block}: the CCM route controller is off (--configure-cloud-routes=false)"
        ),
        DropReason::NoVpcRoute {
            gap: RouteGap::OverRouteLimit { routes, limit },
            ..
        } => format!("{routes} node routes exceed the VPC route table limit of {limit}"),
        DropReason::NoPodAtAddress(ip) => {
            format!("{ip} is in the cluster CIDR but no pod holds it")
        }
        DropReason::NoServicePort {
            service: s,
            protocol,
            port,
            then,
        } => format!(
            "Service {} has no {protocol} port {port}{}",
            service(c, *s),
            match then {
                None => "",
                Some(PortMiss::Untranslated) => {
                    ": kube-proxy leaves the packet untranslated and nothing answers it"
                }
                Some(PortMiss::Reject) => ": kube-proxy rejects",
            }
        ),
        DropReason::NoServingEndpoint(s) => format!(
            "Service {} has no ready or serving endpoint: kube-proxy rejects",
            service(c, *s)
        ),
        DropReason::NoReadyEndpoint(s) => format!(
            "Service {} has no ready endpoint: kube-proxy rejects",
            service(c, *s)
        ),
        DropReason::NoEndpoints(s) => format!(
            "Service {} has no endpoints (no pod matches its selector, or none has the target port): kube-proxy rejects",
            service(c, *s)
        ),
        DropReason::OutsideSourceRanges(s) => format!(
            "the client is outside loadBalancerSourceRanges of Service {}: kube-proxy drops",
            service(c, *s)
        ),
        DropReason::NoLocalEndpoint { internal, node } => format!(
            "{}TrafficPolicy: Local and no ready endpoint on node `{node}`: dropped",
            if *internal { "internal" } else { "external" }
        ),
        DropReason::UnallocatedServiceAddress => {
            "no Service holds this address of the service CIDR: kube-proxy (nftables) drops it"
                .to_owned()
        }
        DropReason::NoLoadBalancerTarget => "the load balancer has no target".to_owned(),
        DropReason::NoHealthyTarget {
            targets,
            first,
            problems,
        } => format!(
            "none of its {targets} targets is healthy; {first}: {}",
            problems_text(problems).join("; ")
        ),
        DropReason::IpTarget(problems) => problems_text(problems).join("; "),
        DropReason::Front(end) => front_end_text(end),
    }
}

fn front_end_text(end: &FrontEnd) -> String {
    match end {
        FrontEnd::AlbWithoutSubnet => {
            "the ALB has no subnet: the profile's AWS subnets all hold nodes".to_owned()
        }
        FrontEnd::GatewayWithoutPod { namespace, name } => {
            format!("Gateway {namespace}/{name} has no proxy pod with an address")
        }
        FrontEnd::NoIngressControllerPod(namespace) => {
            format!("no ingress controller pod with an address in namespace `{namespace}`")
        }
        FrontEnd::NoServingPod => "the route's Service has no serving pod".to_owned(),
    }
}

/// Why a front answers a request itself.
pub(super) fn answer_reason_text(why: &AnswerReason) -> String {
    match why {
        AnswerReason::NoCertificate => "the listener has no certificate it may use: every certificateRef crosses namespaces without a ReferenceGrant (GatewayTLSConfig certificateRefs)".to_owned(),
        AnswerReason::NoRuleMatches(kind) => {
            format!("no {} rule matches the request", kind.as_str())
        }
        AnswerReason::BackendsRefused(refused) => format!(
            "every backendRef of the rule is refused ({}: cross-namespace without a ReferenceGrant)",
            refused
                .iter()
                .map(|(ns, name)| format!("Service {ns}/{name}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        AnswerReason::NoValidBackend(invalid) => invalid_backends_text(invalid),
        AnswerReason::NoListenerForHost(host) => {
            format!("no listener on the port has a hostname matching `{host}`")
        }
        AnswerReason::Misdirected => "misdirected request: the Host selects another HTTPS listener on the port than the TLS server name did (Listener `hostname`: \"If another Listener does match the Host, the Gateway SHOULD return a 421\")".to_owned(),
        AnswerReason::HostOfNoListener => "the Host matches no listener on the port, while the TLS server name selected one (Listener `hostname`: \"If no other Listener matches the Host, the Gateway MUST return a 404\")".to_owned(),
        AnswerReason::Redirect(to) => format!(
            "the rule's RequestRedirect filter redirects to {}",
            location_text(to)
        ),
        AnswerReason::BackendRedirect(b) => format!(
            "the RequestRedirect filter of the backendRef to Service {}/{} (weight {} of {}) redirects to {}",
            b.service.0,
            b.service.1,
            b.weight,
            b.of,
            location_text(&b.to)
        ),
    }
}

/// A redirect's `Location` header value.
pub(super) fn location_text(to: &Location) -> String {
    let port = to
        .written_port()
        .map(|p| format!(":{p}"))
        .unwrap_or_default();
    format!("{}://{}{port}{}", to.scheme, to.host, to.path)
}

/// A rule without filters whose backendRefs are all invalid (or absent).
fn invalid_backends_text(invalid: &InvalidBackends) -> String {
    let service = |(ns, name): &(String, String)| format!("Service {ns}/{name}");
    let mut why: Vec<String> = Vec::new();
    why.extend(
        invalid
            .refused
            .iter()
            .map(|s| format!("{} crosses namespaces without a ReferenceGrant", service(s))),
    );
    why.extend(
        invalid
            .not_found
            .iter()
            .map(|s| format!("{} is not in the input", service(s))),
    );
    why.extend(
        invalid
            .unsupported
            .iter()
            .map(|k| format!("kind `{k}` is not supported")),
    );
    if why.is_empty() {
        return "the rule has no backendRefs and no filters (HTTPRouteRule backendRefs)".to_owned();
    }
    format!(
        "the rule has no filters and no valid backendRef ({}; HTTPBackendRef backendRef)",
        why.join("; ")
    )
}

/// Why a trace has no path.
pub(super) fn end_text(end: &TraceEnd) -> String {
    match end {
        TraceEnd::NxDomain(name) => format!("`{name}` does not resolve (NXDOMAIN)"),
        TraceEnd::NoData(name) => {
            format!("`{name}` exists but holds no address (NOERROR, no data)")
        }
        TraceEnd::Upstream(name) => format!(
            "`{name}` is outside the cluster domain; the upstream resolver answers, which podnet does not model"
        ),
        TraceEnd::Cname(target) => format!(
            "CNAME to `{target}`, resolved outside the cluster; trace its address with --to IP:PORT"
        ),
        TraceEnd::Srv(records) => format!(
            "SRV records point at {}; trace one of them",
            records
                .iter()
                .map(|(t, p)| format!("{t}:{p}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        TraceEnd::EmptyHeadless => {
            "the headless Service has no ready endpoint: the answer is empty".to_owned()
        }
        TraceEnd::NoAddressOfFamily => "no address of the source's family".to_owned(),
        TraceEnd::NoFront {
            scheme,
            host,
            port,
            path,
        } => format!(
            "no Gateway listener, Ingress or Route takes {} host `{host}` port {port} path `{path}`",
            scheme.as_str()
        ),
        TraceEnd::Front(end) => front_end_text(end),
    }
}
