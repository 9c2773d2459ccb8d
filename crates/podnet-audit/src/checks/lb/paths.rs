//! The two failure paths of an RKE2 cluster on AWS: instance targets that cannot
//! be registered (no `spec.providerID`, and why the CCM left it empty) and
//! IP targets the VPC cannot reach (an overlay's pod addresses, no route
//! controller or too many routes). The path of the Service's own target
//! type is an error; when it fails, the other path is weighed too and
//! reported as a warning when it would fail as well.

use podnet_dataplane::lb::{RouteGap, TargetProblem};
use podnet_model::{AwsCloud, LbController, TargetType};

use super::{INSTANCE_UNREGISTRABLE, IP_UNREACHABLE, Lb, NO_NODE_PORT, list};
use crate::finding::{Finding, Severity};

impl Lb<'_> {
    /// PN5002 and PN5006 for instance targets; whether no target can be
    /// registered.
    pub(super) fn instance(&self, aws: &AwsCloud, out: &mut Vec<Finding>) -> bool {
        if self.assignment.target_type == Some(TargetType::Ip) {
            return false;
        }
        if self
            .targets
            .iter()
            .any(|t| t.problems.contains(&TargetProblem::NoNodePort))
        {
            out.push(self.finding(
                &NO_NODE_PORT,
                &[
                    format!(
                        "Service {}: {} makes instance targets, which send to each node's NodePort",
                        self.name,
                        self.controller()
                    ),
                    "allocateLoadBalancerNodePorts: false leaves the Service without one".to_owned(),
                    "no target can be registered".to_owned(),
                ],
                NO_NODE_PORT.help,
            ));
        }
        let missing: Vec<String> = self
            .targets
            .iter()
            .filter(|t| {
                t.problems
                    .iter()
                    .any(|p| matches!(p, TargetProblem::NoProviderId { .. }))
            })
            .map(|t| t.target.clone())
            .collect();
        if missing.is_empty() {
            return false;
        }
        let all = missing.len() == self.targets.len();
        let port = self.targets.iter().map(|t| t.port).find(|&p| p != 0);
        let mut chain = vec![format!(
            "Service {}: {} makes instance targets (each node's NodePort{})",
            self.name,
            self.controller(),
            port.map(|p| format!(" {p}")).unwrap_or_default()
        )];
        chain.extend(provider_id_chain(aws, &missing, self.targets.len()));
        chain.push(if all {
            "the target group gets no target: the load balancer never turns healthy".to_owned()
        } else {
            "those nodes never receive load-balancer traffic".to_owned()
        });
        let finding = self.finding(&INSTANCE_UNREGISTRABLE, &chain, self.instance_help(aws));
        out.push(if all {
            finding
        } else {
            finding.with_severity(Severity::Warning)
        });
        all
    }

    /// PN5003 for IP targets; whether they fail.
    pub(super) fn ip(&self, aws: &AwsCloud, out: &mut Vec<Finding>) -> bool {
        if self.assignment.target_type != Some(TargetType::Ip)
            || self.targets.iter().all(|t| t.healthy)
        {
            return false;
        }
        let because = self.unreachable_chain(aws);
        if because.is_empty() {
            return false;
        }
        let mut chain = vec![format!(
            "Service {}: {} registers IP targets (pod addresses)",
            self.name,
            self.controller()
        )];
        chain.extend(because);
        out.push(self.finding(&IP_UNREACHABLE, &chain, self.ip_help(aws)));
        true
    }

    /// Instance targets failed: would IP targets work? (The second
    /// failure path.)
    pub(super) fn ip_alternative(&self, aws: &AwsCloud, out: &mut Vec<Finding>) {
        let because = self.unreachable_chain(aws);
        if because.is_empty() {
            return;
        }
        let mut chain = vec![format!(
            "Service {}: IP targets, the other way (the AWS Load Balancer Controller registering pod addresses), would fail too",
            self.name
        )];
        chain.extend(because);
        out.push(
            self.finding(&IP_UNREACHABLE, &chain, IP_UNREACHABLE.help)
                .with_severity(Severity::Warning),
        );
    }

    /// IP targets failed: would instance targets register?
    pub(super) fn instance_alternative(&self, aws: &AwsCloud, out: &mut Vec<Finding>) {
        let missing: Vec<String> = self
            .dp
            .nodes
            .iter()
            .filter(|n| n.provider_id.is_none())
            .map(|n| n.name.clone())
            .collect();
        if missing.is_empty() {
            return;
        }
        let mut chain = vec![format!(
            "Service {}: instance targets, the other way (each node's NodePort), would fail too",
            self.name
        )];
        chain.extend(provider_id_chain(aws, &missing, self.dp.nodes.len()));
        out.push(
            self.finding(&INSTANCE_UNREGISTRABLE, &chain, self.instance_help(aws))
                .with_severity(Severity::Warning),
        );
    }

    /// Why the serving pod addresses are unreachable from the VPC, from the
    /// dataplane's problems for each; empty when they are reachable.
    fn unreachable_chain(&self, aws: &AwsCloud) -> Vec<String> {
        let dp = self.dp;
        let mut outside = Vec::new();
        let mut unrouted = Vec::new();
        let mut gap = None;
        for ip in self.serving_ips() {
            for p in dp.ip_target_causes(aws, ip) {
                match p {
                    TargetProblem::OutsideVpc { ip, .. } => outside.push(ip.to_string()),
                    TargetProblem::NoVpcRoute { ip, gap: g } => {
                        unrouted.push(ip.to_string());
                        gap = Some(g);
                    }
                    _ => {}
                }
            }
        }
        if outside.is_empty() && unrouted.is_empty() {
            return Vec::new();
        }
        let cni = dp.profile.cni;
        let mut chain = Vec::new();
        if !outside.is_empty() {
            chain.push(format!(
                "{cni} is not VPC-native: pods get {} from the cluster CIDR {}, outside the VPC {}",
                list(outside),
                list(dp.profile.cluster_cidrs.iter().map(ToString::to_string)),
                aws.vpc_cidr
            ));
            gap = gap.or(dp.vpc_route_gap(aws));
        }
        if !unrouted.is_empty() {
            chain.push(format!(
                "pods get {} inside the VPC range, but {cni} does not make them VPC addresses",
                list(unrouted)
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

    fn instance_help(&self, aws: &AwsCloud) -> String {
        let mut help = if aws.cluster_tagged {
            "set spec.providerID (aws:///<zone>/<instance-id>) on every Node, or run the CCM so that its node controller sets it".to_owned()
        } else {
            "tag the instances kubernetes.io/cluster/<name>=owned and give the CCM ec2:DescribeInstances so its node controller sets spec.providerID (or set it on each Node)".to_owned()
        };
        if self.dp.profile.cni.vpc_native() {
            help.push_str(
                "; or use IP targets (the AWS Load Balancer Controller): pods already hold VPC addresses",
            );
        } else {
            help.push_str("; or move to IP targets with the AWS Load Balancer Controller and a VPC-native CNI (Cilium ENI mode, the AWS VPC CNI)");
        }
        help
    }

    fn ip_help(&self, aws: &AwsCloud) -> String {
        let mut help = IP_UNREACHABLE.help.to_owned();
        let registrable = self.dp.nodes.iter().all(|n| n.provider_id.is_some());
        if registrable && aws.lb_controller != LbController::None {
            help.push_str(" (every node has spec.providerID, so instance targets would register)");
        }
        help
    }
}

/// Why nodes lack providerID, and what that does.
fn provider_id_chain(aws: &AwsCloud, missing: &[String], total: usize) -> Vec<String> {
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
