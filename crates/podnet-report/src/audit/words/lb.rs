//! The words of the load-balancer findings (PN5001-PN5006): each a chain
//! of causes joined by ` -> `, from the Service to the symptom.

use podnet_audit::checks::lb::{
    IP_UNREACHABLE, LOCAL_WITHOUT_ENDPOINT, NO_NODE_PORT, NO_READY_ENDPOINT,
};
use podnet_audit::found::{AwsFacts, LbFound, LbPlatform, TargetPath};
use podnet_dataplane::lb::RouteGap;

use super::first_five;

/// What is wrong: the chain of causes.
pub(super) fn message(found: &LbFound) -> String {
    chain(found).join(" -> ")
}

/// The causes, one per step.
fn chain(found: &LbFound) -> Vec<String> {
    match found {
        LbFound::Pending { service, steps, .. } => {
            let mut chain = vec![format!("Service {service} is type LoadBalancer")];
            chain.extend(steps.iter().cloned());
            chain
        }
        LbFound::NoReadyEndpoint {
            service,
            controller,
        } => vec![
            format!("Service {service}: no ready pod matches its selector with its target port"),
            format!("{} has no endpoint to send to", who(controller.as_deref())),
            "every target fails its health check".to_owned(),
        ],
        LbFound::NoNodePort {
            service,
            controller,
        } => vec![
            format!(
                "Service {service}: {} makes instance targets, which send to each node's NodePort",
                who(controller.as_deref())
            ),
            "allocateLoadBalancerNodePorts: false leaves the Service without one".to_owned(),
            "no target can be registered".to_owned(),
        ],
        LbFound::InstanceUnregistrable {
            service,
            controller,
            path,
            port,
            missing,
            total,
            all,
            aws,
        } => {
            let mut chain = vec![match path {
                TargetPath::Chosen => format!(
                    "Service {service}: {} makes instance targets (each node's NodePort{})",
                    who(controller.as_deref()),
                    port.map(|p| format!(" {p}")).unwrap_or_default()
                ),
                TargetPath::Alternative => format!(
                    "Service {service}: instance targets, the other way (each node's NodePort), would fail too"
                ),
            }];
            chain.extend(provider_id_chain(aws, missing, *total));
            if *path == TargetPath::Chosen {
                chain.push(if *all {
                    "the target group gets no target: the load balancer never turns healthy"
                        .to_owned()
                } else {
                    "those nodes never receive load-balancer traffic".to_owned()
                });
            }
            chain
        }
        LbFound::IpUnreachable {
            service,
            controller,
            path,
            cni,
            outside,
            cluster_cidrs,
            vpc_cidr,
            unrouted,
            gap,
            ..
        } => {
            let mut chain = vec![match path {
                TargetPath::Chosen => format!(
                    "Service {service}: {} registers IP targets (pod addresses)",
                    who(controller.as_deref())
                ),
                TargetPath::Alternative => format!(
                    "Service {service}: IP targets, the other way (the AWS Load Balancer Controller registering pod addresses), would fail too"
                ),
            }];
            if !outside.is_empty() {
                chain.push(format!(
                    "{cni} is not VPC-native: pods get {} from the cluster CIDR {}, outside the VPC {vpc_cidr}",
                    list(outside.iter().map(ToString::to_string)),
                    list(cluster_cidrs.iter().map(ToString::to_string)),
                ));
            }
            if !unrouted.is_empty() {
                chain.push(format!(
                    "pods get {} inside the VPC range, but {cni} does not make them VPC addresses",
                    list(unrouted.iter().map(ToString::to_string))
                ));
            }
            match gap {
                Some(RouteGap::RouteControllerOff) => chain.push(
                    "no route bypasses the overlay: the CCM route controller is off (--configure-cloud-routes=false), so the VPC route table has no route to the pod blocks".to_owned(),
                ),
                Some(RouteGap::OverRouteLimit { routes, limit }) => chain.push(format!(
                    "the route controller needs one route per node, {routes}, more than the route table's limit of {limit}"
                )),
                None => {}
            }
            chain.push("the VPC cannot reach the pod addresses: targets stay unhealthy".to_owned());
            chain
        }
        LbFound::LocalWithoutEndpoint {
            service,
            controller,
            with,
            without,
            targets,
            metallb,
        } => {
            let effect = if *metallb {
                format!(
                    "MetalLB announces the address only from {}",
                    list(with.iter().cloned())
                )
            } else {
                format!(
                    "{}'s health checks fail on the other {} of {targets} nodes ({}), by design",
                    who(controller.as_deref()),
                    without.len(),
                    list(without.iter().cloned())
                )
            };
            vec![
                format!("Service {service}: externalTrafficPolicy: Local"),
                format!(
                    "nodes forward only to endpoints on themselves, and ready endpoints run on {} only",
                    list(with.iter().cloned())
                ),
                effect,
                "traffic concentrates there; losing them loses the Service".to_owned(),
            ]
        }
    }
}

/// How to fix it.
pub(super) fn help(found: &LbFound) -> String {
    match found {
        LbFound::Pending { platform, .. } => match platform {
            LbPlatform::Aws => {
                "run a load-balancer controller: the AWS Load Balancer Controller (IP targets, with a VPC-native CNI) or the cloud controller manager's service controller (instance targets); profile cloud.aws.loadBalancerController"
            }
            LbPlatform::MetalLb => {
                "give MetalLB a usable address for it: widen the IPAddressPool, fix loadBalancerIP or the address-pool annotation, or enable autoAssign"
            }
            LbPlatform::Nothing => {
                "deploy MetalLB (or kube-vip) with an IPAddressPool (metallb.io/v1beta1), or use a NodePort or an Ingress"
            }
        }
        .to_owned(),
        LbFound::NoReadyEndpoint { .. } => NO_READY_ENDPOINT.help.to_owned(),
        LbFound::NoNodePort { .. } => NO_NODE_PORT.help.to_owned(),
        LbFound::InstanceUnregistrable { aws, .. } => {
            let mut help = if aws.cluster_tagged {
                "set spec.providerID (aws:///<zone>/<instance-id>) on every Node, or run the CCM so that its node controller sets it".to_owned()
            } else {
                "tag the instances kubernetes.io/cluster/<name>=owned and give the CCM ec2:DescribeInstances so its node controller sets spec.providerID (or set it on each Node)".to_owned()
            };
            if aws.vpc_native {
                help.push_str(
                    "; or use IP targets (the AWS Load Balancer Controller): pods already hold VPC addresses",
                );
            } else {
                help.push_str("; or move to IP targets with the AWS Load Balancer Controller and a VPC-native CNI (Cilium ENI mode, the AWS VPC CNI)");
            }
            help
        }
        LbFound::IpUnreachable {
            path,
            instance_would_register,
            ..
        } => {
            let mut help = IP_UNREACHABLE.help.to_owned();
            if *path == TargetPath::Chosen && *instance_would_register {
                help.push_str(
                    " (every node has spec.providerID, so instance targets would register)",
                );
            }
            help
        }
        LbFound::LocalWithoutEndpoint { .. } => LOCAL_WITHOUT_ENDPOINT.help.to_owned(),
    }
}

/// The controller, or `the load-balancer controller`.
fn who(controller: Option<&str>) -> &str {
    controller.unwrap_or("the load-balancer controller")
}

/// Why nodes lack spec.providerID, and what follows.
fn provider_id_chain(aws: &AwsFacts, missing: &[String], total: usize) -> Vec<String> {
    vec![
        format!(
            "{} of {total} nodes ({}) {} no spec.providerID (aws:///<zone>/<instance-id>)",
            missing.len(),
            list(missing.iter().cloned()),
            if missing.len() == 1 { "has" } else { "have" }
        ),
        if !aws.cluster_tagged {
            "the external CCM's node controller leaves it empty: the instances lack the cluster tag kubernetes.io/cluster/<name> or the IAM permissions to describe them (profile cloud.aws.clusterTagged: false)".to_owned()
        } else if aws.ccm {
            "with --cloud-provider=external the kubelet does not set it and the CCM has not (the Node objects say none)".to_owned()
        } else {
            "no cloud controller manager runs to set it (profile cloud.aws.ccm: false)".to_owned()
        },
        "the controller cannot map those nodes to EC2 instances, so it never registers them"
            .to_owned(),
    ]
}

/// `a, b, c` of at most five names, then `and N more`.
fn list<I: IntoIterator<Item = String>>(items: I) -> String {
    let all: Vec<String> = items.into_iter().collect();
    first_five(&all)
}
