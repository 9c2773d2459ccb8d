//! Load balancers for `type: LoadBalancer` Services: which controller gives
//! the Service an address (none: `<pending>`), from where (MetalLB pools,
//! the cloud), what it targets (instance mode: every registrable node's
//! NodePort, found by `spec.providerID`; IP mode: pod addresses, which must
//! be routable in the VPC) and whether those targets can turn healthy
//! (`externalTrafficPolicy: Local` passes health checks only on nodes with a
//! local ready endpoint). Each conclusion carries its why-chain.

use std::collections::HashSet;
use std::net::IpAddr;

use ipnet::IpNet;
use podnet_model::{
    AwsCloud, Cloud, Cluster, CniMode, LbController, Profile, ServiceId, ServiceType, TargetType,
    TrafficPolicy,
};

use crate::Dataplane;
use crate::addr::{from_int, to_int};
use crate::issue::{Found, Issue, ServiceFound};

/// The address a controller gave a Service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LbAddress {
    /// An address (MetalLB, or reported in `status.loadBalancer`).
    Ip(IpAddr),
    /// A DNS name (cloud load balancers).
    Hostname(String),
}

/// Who serves a LoadBalancer Service and what it gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LbAssignment {
    /// The controller, when one serves the Service.
    pub controller: Option<String>,
    /// Its addresses; empty means `<pending>`.
    pub addresses: Vec<LbAddress>,
    /// Instance or IP targets (cloud load balancers).
    pub target_type: Option<TargetType>,
    /// Why it is pending, when it is.
    pub pending: Vec<String>,
}

/// One target of a load balancer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LbTarget {
    /// A node name (instance targets and L2 announcements) or a pod address.
    pub target: String,
    /// The port the load balancer sends to.
    pub port: u16,
    /// Whether it can be registered and pass health checks.
    pub healthy: bool,
    /// Why not, when not.
    pub problems: Vec<TargetProblem>,
}

impl LbTarget {
    fn new(target: String, port: u16, problems: Vec<TargetProblem>) -> LbTarget {
        LbTarget {
            target,
            port,
            healthy: problems.is_empty(),
            problems,
        }
    }
}

/// Why the VPC has no route to the pod addresses of a CNI that is not
/// VPC-native (the CCM route controller's per-node routes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteGap {
    /// The route controller is off (`--configure-cloud-routes=false`).
    RouteControllerOff,
    /// One route per node is more than the route table holds.
    OverRouteLimit {
        /// Routes needed (one per node).
        routes: usize,
        /// The route table's limit.
        limit: u32,
    },
}

/// Why a load-balancer target cannot be registered or turn healthy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetProblem {
    /// An instance target's node has no `spec.providerID`.
    NoProviderId {
        /// The node.
        node: String,
        /// Whether the instances lack the cluster tag, the reason the
        /// external CCM leaves providerID empty.
        cluster_untagged: bool,
    },
    /// Instance targets need a NodePort and the Service has none.
    NoNodePort,
    /// The Service has no ready endpoint.
    NoReadyEndpoint,
    /// `externalTrafficPolicy: Local` and no ready endpoint on the node.
    NoLocalEndpoint {
        /// The node.
        node: String,
        /// MetalLB (announcements) rather than a cloud health check.
        metallb: bool,
    },
    /// An IP target (a pod address) outside the VPC.
    OutsideVpc {
        /// The pod address.
        ip: IpAddr,
        /// The VPC.
        vpc: IpNet,
        /// The CNI that gave the address.
        cni: CniMode,
    },
    /// An IP target inside the VPC range that the VPC does not route.
    NoVpcRoute {
        /// The pod address.
        ip: IpAddr,
        /// Why there is no route.
        gap: RouteGap,
    },
}

/// Assigns addresses to every LoadBalancer Service, in namespace/name order.
pub fn assign(
    cluster: &Cluster,
    profile: &Profile,
    issues: &mut Vec<Issue>,
) -> Vec<Option<LbAssignment>> {
    let mut out: Vec<Option<LbAssignment>> = vec![None; cluster.services.len()];
    let mut used: HashSet<IpAddr> = HashSet::new();
    let mut order: Vec<usize> = (0..cluster.services.len())
        .filter(|&i| cluster.services[i].service_type == ServiceType::LoadBalancer)
        .collect();
    order.sort_by(|&a, &b| {
        cluster.services[a]
            .meta
            .qualified_name()
            .cmp(&cluster.services[b].meta.qualified_name())
    });
    for &i in &order {
        for ip in &cluster.services[i].load_balancer.status_ips {
            used.insert(*ip);
        }
    }
    for i in order {
        let s = &cluster.services[i];
        let lb = &s.load_balancer;
        let observed: Vec<LbAddress> = lb
            .status_ips
            .iter()
            .map(|ip| LbAddress::Ip(*ip))
            .chain(lb.status_hostnames.iter().cloned().map(LbAddress::Hostname))
            .collect();
        let assignment = match &profile.cloud {
            Cloud::Aws(aws) => {
                let controller = match aws.lb_controller {
                    LbController::None => None,
                    LbController::Ccm => Some("cloud-controller-manager (service controller)"),
                    LbController::AwsLbc => Some("aws-load-balancer-controller"),
                };
                // The CCM's (legacy) service controller only registers
                // instances; the AWS Load Balancer Controller honours the
                // nlb-target-type annotation, else its default.
                let target_type = match aws.lb_controller {
                    LbController::AwsLbc => lb
                        .aws_target_type
                        .as_deref()
                        .and_then(TargetType::parse)
                        .unwrap_or(aws.target_type),
                    _ => TargetType::Instance,
                };
                match controller {
                    None => LbAssignment {
                        controller: None,
                        addresses: observed,
                        target_type: None,
                        pending: vec![
                            "no load-balancer controller runs (profile cloud.aws.loadBalancerController: none)".into(),
                            "nothing provisions an AWS load balancer, so EXTERNAL-IP stays <pending>".into(),
                        ],
                    },
                    Some(c) => {
                        let region = aws
                            .subnets
                            .first()
                            .and_then(|s| s.zone.as_deref())
                            .map_or("us-east-1", |z| z.trim_end_matches(|ch: char| ch.is_ascii_lowercase()))
                            .to_owned();
                        let ns = s.meta.namespace.as_deref().unwrap_or("default");
                        let addresses = if observed.is_empty() {
                            vec![LbAddress::Hostname(format!(
                                "k8s-{ns}-{}.elb.{region}.amazonaws.com",
                                s.meta.name
                            ))]
                        } else {
                            observed
                        };
                        LbAssignment {
                            controller: Some(c.to_owned()),
                            addresses,
                            target_type: Some(target_type),
                            pending: Vec::new(),
                        }
                    }
                }
            }
            Cloud::None => metallb(s, profile, &mut used, observed, issues),
        };
        out[i] = Some(assignment);
    }
    out
}

fn metallb(
    s: &podnet_model::Service,
    profile: &Profile,
    used: &mut HashSet<IpAddr>,
    observed: Vec<LbAddress>,
    issues: &mut Vec<Issue>,
) -> LbAssignment {
    let lb = &s.load_balancer;
    if !observed.is_empty() {
        return LbAssignment {
            controller: Some("reported in status.loadBalancer".into()),
            addresses: observed,
            target_type: None,
            pending: Vec::new(),
        };
    }
    if profile.metallb.is_empty() {
        return LbAssignment {
            controller: None,
            addresses: Vec::new(),
            target_type: None,
            pending: vec![
                "the cluster has no cloud (profile cloud: none) and no MetalLB address pool".into(),
                "nothing assigns an external address, so EXTERNAL-IP stays <pending>".into(),
            ],
        };
    }
    let pools: Vec<&podnet_model::AddressPool> = match &lb.address_pool {
        Some(name) => profile.metallb.iter().filter(|p| &p.name == name).collect(),
        None => profile
            .metallb
            .iter()
            .filter(|p| p.auto_assign || !lb.requested_ips.is_empty())
            .collect(),
    };
    let in_pool = |ip: IpAddr| {
        pools.iter().any(|p| {
            p.ranges.iter().any(|(a, b)| {
                a.is_ipv4() == ip.is_ipv4() && (to_int(*a)..=to_int(*b)).contains(&to_int(ip))
            })
        })
    };
    let pending = |why: String| LbAssignment {
        controller: Some("metallb".into()),
        addresses: Vec::new(),
        target_type: None,
        pending: vec![why, "MetalLB leaves EXTERNAL-IP <pending>".into()],
    };
    if !lb.requested_ips.is_empty() {
        let mut addresses = Vec::new();
        for ip in &lb.requested_ips {
            if !in_pool(*ip) {
                return pending(format!(
                    "the requested address {ip} is in no MetalLB pool it may use"
                ));
            }
            if !used.insert(*ip) {
                issues.push(
                    Issue::warning(Found::Service(ServiceFound::SharedLoadBalancerIp {
                        service: s.meta.qualified_name(),
                        ip: *ip,
                    }))
                    .at(
                        format!("Service {}", s.meta.qualified_name()),
                        Some(&s.meta.source),
                    ),
                );
            }
            addresses.push(LbAddress::Ip(*ip));
        }
        return LbAssignment {
            controller: Some("metallb".into()),
            addresses,
            target_type: None,
            pending: Vec::new(),
        };
    }
    if pools.is_empty() {
        return pending(match &lb.address_pool {
            Some(name) => format!("no MetalLB pool is called `{name}`"),
            None => "no MetalLB pool has autoAssign enabled".into(),
        });
    }
    for p in &pools {
        for (a, b) in &p.ranges {
            let (lo, hi) = (to_int(*a), to_int(*b));
            let mut v = lo;
            while v <= hi {
                let ip = from_int(*a, v);
                v += 1;
                let buggy = p.avoid_buggy_ips
                    && matches!(ip, IpAddr::V4(x) if matches!(x.octets()[3], 0 | 255));
                if !buggy && !used.contains(&ip) {
                    used.insert(ip);
                    return LbAssignment {
                        controller: Some(format!("metallb (pool {})", p.name)),
                        addresses: vec![LbAddress::Ip(ip)],
                        target_type: None,
                        pending: Vec::new(),
                    };
                }
            }
        }
    }
    let names: Vec<&str> = pools.iter().map(|p| p.name.as_str()).collect();
    pending(format!(
        "MetalLB pool(s) {} are exhausted",
        names.join(", ")
    ))
}

impl Dataplane {
    /// Why a load balancer with IP targets (an NLB or ALB of the AWS Load
    /// Balancer Controller) cannot reach pod address `ip`; empty when it can.
    pub fn ip_target_causes(&self, aws: &AwsCloud, ip: IpAddr) -> Vec<TargetProblem> {
        if !aws.vpc_cidr.contains(&ip) {
            return vec![TargetProblem::OutsideVpc {
                ip,
                vpc: aws.vpc_cidr,
                cni: self.profile.cni,
            }];
        }
        if self.profile.cni.vpc_native() {
            return Vec::new();
        }
        self.vpc_route_gap(aws)
            .map(|gap| TargetProblem::NoVpcRoute { ip, gap })
            .into_iter()
            .collect()
    }

    /// Why the VPC holds no route to the pod blocks (the CCM route
    /// controller's one route per node), if it does not.
    pub fn vpc_route_gap(&self, aws: &AwsCloud) -> Option<RouteGap> {
        if !aws.route_controller {
            Some(RouteGap::RouteControllerOff)
        } else if self.nodes.len() > aws.route_table_limit as usize {
            Some(RouteGap::OverRouteLimit {
                routes: self.nodes.len(),
                limit: aws.route_table_limit,
            })
        } else {
            None
        }
    }

    /// The targets of a LoadBalancer Service and whether each can serve.
    pub fn lb_targets(&self, id: ServiceId) -> Vec<LbTarget> {
        let svc = &self.cluster.services[id.index()];
        let Some(Some(assignment)) = self.lb.get(id.index()) else {
            return Vec::new();
        };
        if assignment.addresses.is_empty() {
            return Vec::new();
        }
        let backends = self.backends(id);
        let serving: Vec<&crate::Backend> =
            backends.iter().flatten().filter(|b| b.serving).collect();
        let local = svc.external_traffic_policy == TrafficPolicy::Local;
        let mut out = Vec::new();
        match (&self.profile.cloud, assignment.target_type) {
            (Cloud::Aws(aws), Some(TargetType::Ip)) => {
                for b in &serving {
                    let problems = self.ip_target_causes(aws, b.ip);
                    out.push(LbTarget::new(b.ip.to_string(), b.port, problems));
                }
            }
            (Cloud::Aws(aws), _) => {
                let node_port = svc.ports.first().and(
                    self.services.node_ports[id.index()]
                        .first()
                        .copied()
                        .flatten(),
                );
                for n in &self.nodes {
                    let mut problems = Vec::new();
                    if n.provider_id.is_none() {
                        problems.push(TargetProblem::NoProviderId {
                            node: n.name.clone(),
                            cluster_untagged: !aws.cluster_tagged,
                        });
                    }
                    if node_port.is_none() {
                        problems.push(TargetProblem::NoNodePort);
                    }
                    if serving.is_empty() {
                        problems.push(TargetProblem::NoReadyEndpoint);
                    } else if local && !serving.iter().any(|b| b.node.as_deref() == Some(&n.name)) {
                        problems.push(TargetProblem::NoLocalEndpoint {
                            node: n.name.clone(),
                            metallb: false,
                        });
                    }
                    out.push(LbTarget::new(
                        n.name.clone(),
                        node_port.unwrap_or(0),
                        problems,
                    ));
                }
            }
            (Cloud::None, _) => {
                for n in &self.nodes {
                    let mut problems = Vec::new();
                    if serving.is_empty() {
                        problems.push(TargetProblem::NoReadyEndpoint);
                    } else if local && !serving.iter().any(|b| b.node.as_deref() == Some(&n.name)) {
                        problems.push(TargetProblem::NoLocalEndpoint {
                            node: n.name.clone(),
                            metallb: true,
                        });
                    }
                    out.push(LbTarget::new(
                        n.name.clone(),
                        svc.ports.first().map_or(0, |p| p.port),
                        problems,
                    ));
                }
            }
        }
        out
    }

    /// The LoadBalancer Service whose load balancer has the DNS name `name`.
    pub fn service_by_lb_name(&self, name: &str) -> Option<ServiceId> {
        self.lb
            .iter()
            .position(|a| {
                a.as_ref().is_some_and(|a| {
                    a.addresses.iter().any(
                        |x| matches!(x, LbAddress::Hostname(h) if h.eq_ignore_ascii_case(name)),
                    )
                })
            })
            .map(ServiceId::from_index)
    }

    /// The LoadBalancer Service holding `ip`.
    pub fn service_by_lb_ip(&self, ip: IpAddr) -> Option<ServiceId> {
        self.lb
            .iter()
            .position(|a| {
                a.as_ref()
                    .is_some_and(|a| a.addresses.contains(&LbAddress::Ip(ip)))
            })
            .map(ServiceId::from_index)
    }
}
