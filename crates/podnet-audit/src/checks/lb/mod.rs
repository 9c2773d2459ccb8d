//! Load-balancer diagnosis (PN5xxx): per `type: LoadBalancer` Service, why
//! it has no address or no healthy target, as the why-chain of an AWS
//! root-cause analysis ("why is no target registered? -> no providerID ->
//! why? -> the cluster tag"), each chain ending in the fixes. The dataplane
//! decides (`lb::assign`, `Dataplane::lb_targets` and its typed
//! `TargetProblem`s); this module only reads and words its conclusions.
//!
//! When the Service's target type fails on AWS, the other one is weighed
//! too, as a root-cause analysis does: instance targets failing on providerID and IP
//! targets that would be unreachable on an overlay are two independent
//! failure paths, and only a VPC-native CNI closes both (`paths`).

mod paths;

use std::collections::BTreeSet;
use std::net::IpAddr;

use podnet_dataplane::Dataplane;
use podnet_dataplane::lb::{LbAssignment, LbTarget, TargetProblem};
use podnet_model::{AwsCloud, Cloud, ServiceId, TargetType, TrafficPolicy};

use crate::context::Context;
use crate::finding::{Finding, Rule, Severity, Subject};
use crate::found::{Found, LbFound, LbPlatform};
use crate::registry::Check;

/// PN5001: no controller gives the Service an address.
pub const PENDING: Rule = Rule {
    code: "PN5001",
    name: "load-balancer-pending",
    short: "LoadBalancer Service whose EXTERNAL-IP stays <pending>",
    full: "A Service of type LoadBalancer gets an address only from a load-balancer controller: a cloud controller manager's service controller, the AWS Load Balancer Controller, or MetalLB (or kube-vip) on bare metal. Without one, or when MetalLB has no usable address for it, EXTERNAL-IP stays <pending> forever and nothing outside the cluster reaches the Service.",
    help: "run a load-balancer controller (the AWS Load Balancer Controller or the cloud controller manager on AWS, MetalLB with an IPAddressPool on bare metal), or use a NodePort or an Ingress",
    severity: Severity::Error,
};

/// PN5002: instance targets whose nodes cannot be registered.
pub const INSTANCE_UNREGISTRABLE: Rule = Rule {
    code: "PN5002",
    name: "load-balancer-instance-targets-unregistrable",
    short: "instance-mode load balancer whose nodes have no spec.providerID",
    full: "Instance targets are the nodes' NodePorts; the controller finds each node's EC2 instance through spec.providerID (aws:///<zone>/<instance-id>). With the external cloud provider the kubelet leaves providerID empty and the CCM's node controller sets it, but only for instances carrying the cluster tag (kubernetes.io/cluster/<name>) it may describe. A node without providerID is never registered in the target group; without any, the load balancer has no target (failure path A: instance targets without providerID).",
    help: "tag the instances kubernetes.io/cluster/<name>=owned and give the CCM ec2:DescribeInstances so it sets spec.providerID, or set it on the Node; or use IP targets with a VPC-native CNI",
    severity: Severity::Error,
};

/// PN5003: IP targets the load balancer cannot reach.
pub const IP_UNREACHABLE: Rule = Rule {
    code: "PN5003",
    name: "load-balancer-ip-targets-unreachable",
    short: "IP-mode load balancer whose pod addresses the VPC does not route",
    full: "IP targets are pod addresses, registered and health-checked from the VPC. An overlay CNI (Canal, flannel VXLAN, Calico or Cilium tunnels) gives pods addresses of the cluster CIDR that only exist inside its tunnels; the VPC reaches them only through per-node routes, which the CCM route controller adds when it runs (--configure-cloud-routes) and while the route table has room (50 routes by default). Otherwise every target stays unhealthy (failure path B: IP targets on an overlay).",
    help: "use a VPC-native CNI (Cilium ENI mode, the AWS VPC CNI) so pods hold VPC addresses, or instance targets; the route controller is no lasting fix: one route per node, within the route-table limit",
    severity: Severity::Error,
};

/// PN5004: `externalTrafficPolicy: Local` with nodes that hold no endpoint.
pub const LOCAL_WITHOUT_ENDPOINT: Rule = Rule {
    code: "PN5004",
    name: "load-balancer-local-policy-nodes-without-endpoint",
    short: "externalTrafficPolicy: Local with nodes running no ready endpoint",
    full: "With externalTrafficPolicy: Local a node forwards load-balancer traffic only to endpoints on itself, so the load balancer's health check fails on every node without a ready endpoint (MetalLB does not announce from them). That is by design, but those targets show unhealthy, traffic concentrates on the nodes that hold endpoints, and losing them loses the Service.",
    help: "run an endpoint on every node the load balancer targets (a DaemonSet, or topology spread with enough replicas), use IP targets, or set externalTrafficPolicy: Cluster (the client address is then lost to SNAT)",
    severity: Severity::Warning,
};

/// PN5005: no ready endpoint behind the load balancer.
pub const NO_READY_ENDPOINT: Rule = Rule {
    code: "PN5005",
    name: "load-balancer-without-ready-endpoint",
    short: "LoadBalancer Service with no ready endpoint",
    full: "A load balancer's targets pass their health checks only when the Service has ready endpoints: pods of its namespace matching its selector, ready, with the target port. Without one every target is unhealthy whatever the network does.",
    help: "fix the selector or the targetPort so that ready pods back the Service",
    severity: Severity::Error,
};

/// PN5006: instance targets without a NodePort.
pub const NO_NODE_PORT: Rule = Rule {
    code: "PN5006",
    name: "load-balancer-instance-targets-without-nodeport",
    short: "instance-mode load balancer on a Service without NodePorts",
    full: "Instance targets send to every node's NodePort. With allocateLoadBalancerNodePorts: false the Service has none, so instance targets have nowhere to send.",
    help: "allow NodePorts (allocateLoadBalancerNodePorts: true) or use IP targets with a VPC-native CNI",
    severity: Severity::Error,
};

const RULES: &[Rule] = &[
    PENDING,
    INSTANCE_UNREGISTRABLE,
    IP_UNREACHABLE,
    LOCAL_WITHOUT_ENDPOINT,
    NO_READY_ENDPOINT,
    NO_NODE_PORT,
];

/// The load-balancer checks.
pub struct LoadBalancers;

impl Check for LoadBalancers {
    fn rules(&self) -> &'static [Rule] {
        RULES
    }

    fn run(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for (i, assignment) in ctx.dp.lb.iter().enumerate() {
            if let Some(a) = assignment {
                Lb::new(ctx.dp, ServiceId::from_index(i), a).diagnose(out);
            }
        }
    }
}

/// One LoadBalancer Service under diagnosis.
struct Lb<'a> {
    dp: &'a Dataplane,
    id: ServiceId,
    /// `namespace/name`.
    name: String,
    subject: Subject,
    assignment: &'a LbAssignment,
    /// The dataplane's targets with their problems.
    targets: Vec<LbTarget>,
    /// The cloud, when it is AWS.
    aws: Option<&'a AwsCloud>,
}

impl<'a> Lb<'a> {
    fn new(dp: &'a Dataplane, id: ServiceId, assignment: &'a LbAssignment) -> Lb<'a> {
        let svc = &dp.cluster.services[id.index()];
        Lb {
            dp,
            id,
            name: svc.meta.qualified_name(),
            subject: Subject::of(&svc.meta),
            assignment,
            targets: dp.lb_targets(id),
            aws: match &dp.profile.cloud {
                Cloud::Aws(aws) => Some(aws),
                Cloud::None => None,
            },
        }
    }

    /// A finding of `rule` on the Service.
    fn finding(&self, rule: &Rule, found: LbFound) -> Finding {
        Finding::new(rule, self.subject.clone(), Found::Lb(found))
    }

    /// The serving pod addresses of the Service.
    fn serving_ips(&self) -> Vec<IpAddr> {
        let set: BTreeSet<IpAddr> = self
            .dp
            .backends(self.id)
            .iter()
            .flatten()
            .filter(|b| b.serving)
            .map(|b| b.ip)
            .collect();
        set.into_iter().collect()
    }

    fn diagnose(&self, out: &mut Vec<Finding>) {
        let a = self.assignment;
        if a.addresses.is_empty() {
            self.pending(out);
            return;
        }
        if self.serving_ips().is_empty() {
            out.push(self.finding(
                &NO_READY_ENDPOINT,
                LbFound::NoReadyEndpoint {
                    service: self.name.clone(),
                    controller: a.controller.clone(),
                },
            ));
        }
        if let Some(aws) = self.aws {
            let instance_failed = self.instance(aws, out);
            let ip_failed = self.ip(aws, out);
            if instance_failed && a.target_type != Some(TargetType::Ip) {
                self.ip_alternative(aws, out);
            }
            if ip_failed {
                self.instance_alternative(aws, out);
            }
        }
        self.local_policy(out);
    }

    /// PN5001.
    fn pending(&self, out: &mut Vec<Finding>) {
        let a = self.assignment;
        let platform = match &self.dp.profile.cloud {
            Cloud::Aws(_) => LbPlatform::Aws,
            Cloud::None if a.controller.is_some() => LbPlatform::MetalLb,
            Cloud::None => LbPlatform::Nothing,
        };
        out.push(self.finding(
            &PENDING,
            LbFound::Pending {
                service: self.name.clone(),
                steps: a.pending.clone(),
                platform,
            },
        ));
    }

    /// PN5004: `externalTrafficPolicy: Local` and nodes without a local
    /// endpoint.
    fn local_policy(&self, out: &mut Vec<Finding>) {
        let svc = &self.dp.cluster.services[self.id.index()];
        if svc.external_traffic_policy != TrafficPolicy::Local {
            return;
        }
        let mut metallb = false;
        let without: Vec<String> = self
            .targets
            .iter()
            .filter(|t| {
                t.problems.iter().any(|p| match p {
                    TargetProblem::NoLocalEndpoint { metallb: m, .. } => {
                        metallb |= *m;
                        true
                    }
                    _ => false,
                })
            })
            .map(|t| t.target.clone())
            .collect();
        if without.is_empty() {
            return;
        }
        let with: BTreeSet<String> = self
            .dp
            .backends(self.id)
            .iter()
            .flatten()
            .filter(|b| b.serving)
            .filter_map(|b| b.node.clone())
            .collect();
        out.push(self.finding(
            &LOCAL_WITHOUT_ENDPOINT,
            LbFound::LocalWithoutEndpoint {
                service: self.name.clone(),
                controller: self.assignment.controller.clone(),
                with,
                without,
                targets: self.targets.len(),
                metallb,
            },
        ));
    }
}
