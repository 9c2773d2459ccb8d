//! Exposure (PN30xx): which workloads can be reached from outside the
//! cluster, on which ports, and through what: their pod addresses (what
//! NetworkPolicy admits from outside ranges), NodePort and LoadBalancer
//! Services (with or without `loadBalancerSourceRanges`), `externalIPs`,
//! and the hosts and paths of Ingresses, Routes and Gateway API routes
//! (what the front may actually open, by policy).

mod grants;
mod pods;
mod routes;
mod services;

use crate::finding::{Rule, Severity};
use crate::registry::Check;

/// PN3001.
pub const POD_REACHABLE_FROM_OUTSIDE: Rule = Rule {
    code: "PN3001",
    name: "pod-reachable-from-outside",
    short: "A workload's pods accept connections from addresses outside the cluster",
    full: "NetworkPolicy judges connections to a pod's own address from any address outside \
           the cluster's pods: a pod not isolated for ingress, or admitted by an ipBlock, \
           accepts them from wherever its address is routed (VPC-native CNIs route pod \
           addresses in the VPC; overlays to hosts with a route to the cluster CIDR). \
           Reachable from 0.0.0.0/0 or ::/0 is a warning; from narrower ranges, information.",
    help: "Isolate the pods for ingress (a default-deny policy) and admit only the ranges that \
           need them; publish HTTP through an Ingress or a Gateway instead.",
    severity: Severity::Warning,
};

/// PN3002.
pub const NODE_PORT: Rule = Rule {
    code: "PN3002",
    name: "node-port-service",
    short: "A NodePort Service opens a port on every node's addresses",
    full: "A Service of type NodePort makes kube-proxy accept connections on its nodePort on \
           every node, on every node address, and forward them to the Service's backends. \
           Whoever reaches a node reaches the workload, past any load balancer or ingress \
           controller in front of it.",
    help: "Use a ClusterIP Service behind an Ingress or Gateway, or a LoadBalancer with \
           loadBalancerSourceRanges; if NodePort is needed, firewall the node ports.",
    severity: Severity::Warning,
};

/// PN3003.
pub const LOAD_BALANCER_OPEN: Rule = Rule {
    code: "PN3003",
    name: "load-balancer-open-to-all",
    short: "A LoadBalancer Service accepts connections from every address",
    full: "A Service of type LoadBalancer without spec.loadBalancerSourceRanges (or with \
           ranges covering the whole internet) is reachable from any address that can reach \
           the load balancer, and through its NodePorts on every node unless \
           allocateLoadBalancerNodePorts is false.",
    help: "Set spec.loadBalancerSourceRanges to the client ranges, or make the load balancer \
           internal.",
    severity: Severity::Warning,
};

/// PN3004.
pub const LOAD_BALANCER_RESTRICTED: Rule = Rule {
    code: "PN3004",
    name: "load-balancer-source-ranges",
    short: "A LoadBalancer Service accepts connections from its source ranges",
    full: "A Service of type LoadBalancer with spec.loadBalancerSourceRanges is reachable from \
           those ranges through the load balancer (its NodePorts stay open on every node unless \
           allocateLoadBalancerNodePorts is false).",
    help: "Keep the ranges as narrow as the clients need.",
    severity: Severity::Info,
};

/// PN3005.
pub const HTTP_EXPOSURE: Rule = Rule {
    code: "PN3005",
    name: "http-route-exposure",
    short: "An Ingress, Route or Gateway route publishes a workload on a host and path",
    full: "Ingresses and OpenShift Routes (through the ingress controller) and HTTPRoutes and \
           GRPCRoutes (through their Gateways) publish Service ports on hosts and paths; \
           podnet lists the workloads each host and path reaches and the target ports \
           NetworkPolicy lets the front open.",
    help: "Check that every published host and path is meant to be public.",
    severity: Severity::Info,
};

/// PN3006.
pub const HTTP_ROUTE_BLOCKED: Rule = Rule {
    code: "PN3006",
    name: "http-route-blocked-by-policy",
    short: "A published host and path leads to pods the front may not connect to",
    full: "The ingress controller, the ALB or a Gateway's proxy opens its own connection to \
           the backend pod's target port; the backends' ingress policies (and the proxy's \
           egress policies) judge it like any other. When they block it, requests for the \
           host and path fail (502/503/504) although the route looks right.",
    help: "Allow ingress to the backends from the front (the ingress controller's namespace \
           and pods, the Gateway's proxy, or the ALB's subnets) on the target port.",
    severity: Severity::Warning,
};

/// PN3007.
pub const EXTERNAL_IPS: Rule = Rule {
    code: "PN3007",
    name: "service-external-ips",
    short: "A Service claims externalIPs on the nodes",
    full: "spec.externalIPs makes kube-proxy accept traffic for those addresses on every node, \
           for any Service type, with no check that the address belongs to the Service's \
           owner (CVE-2020-8554: it can intercept traffic to any address).",
    help: "Use a LoadBalancer Service instead, and restrict externalIPs with an admission \
           policy (DenyServiceExternalIPs).",
    severity: Severity::Warning,
};

/// PN3008.
pub const REFERENCE_REFUSED: Rule = Rule {
    code: "PN3008",
    name: "reference-without-grant",
    short: "A Gateway API reference crosses namespaces without a ReferenceGrant",
    full: "A route's backendRef to a Service, or a Gateway listener's certificateRef to a \
           Secret, in another namespace is valid only when a ReferenceGrant in that namespace \
           permits it (Gateway API, ReferenceGrant: implementations \"MUST NOT permit \
           cross-namespace references which have no grant\"). Without one the reference is \
           refused: the backend gets no traffic (a rule whose every backend is refused answers \
           HTTP 500, gRPC UNAVAILABLE), and a listener without a certificate it may use fails \
           TLS handshakes.",
    help: "Add a ReferenceGrant in the referent's namespace whose `from` names the route kind \
           (or Gateway) and namespace and whose `to` names the referent's kind, or move the \
           object into the same namespace.",
    severity: Severity::Warning,
};

/// Every exposure check.
pub fn checks() -> Vec<Box<dyn Check>> {
    vec![
        Box::new(pods::PodReachable),
        Box::new(services::NodePorts),
        Box::new(services::LoadBalancers),
        Box::new(routes::HttpRoutes),
        Box::new(services::ExternalIps),
        Box::new(grants::RefusedReferences),
    ]
}
