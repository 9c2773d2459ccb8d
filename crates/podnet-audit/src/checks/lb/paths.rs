//! The two failure paths of an RKE2 cluster on AWS: instance targets that cannot
//! be registered (no `spec.providerID`, and why the CCM left it empty) and
//! IP targets the VPC cannot reach (an overlay's pod addresses, no route
//! controller or too many routes). The path of the Service's own target
//! type is an error; when it fails, the other path is weighed too and
//! reported as a warning when it would fail as well.

use podnet_dataplane::lb::TargetProblem;
use podnet_model::{AwsCloud, LbController, TargetType};

use super::{INSTANCE_UNREGISTRABLE, IP_UNREACHABLE, Lb, NO_NODE_PORT};
use crate::finding::{Finding, Severity};
use crate::found::{AwsFacts, LbFound, TargetPath};

impl Lb<'_> {
    /// PN5006 and PN5002 for instance targets; whether no target is left.
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
                LbFound::NoNodePort {
                    service: self.name.clone(),
                    controller: self.assignment.controller.clone(),
                },
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
        let finding = self.finding(
            &INSTANCE_UNREGISTRABLE,
            LbFound::InstanceUnregistrable {
                service: self.name.clone(),
                controller: self.assignment.controller.clone(),
                path: TargetPath::Chosen,
                port: self.targets.iter().map(|t| t.port).find(|&p| p != 0),
                missing,
                total: self.targets.len(),
                all,
                aws: self.aws_facts(aws),
            },
        );
        out.push(if all {
            finding
        } else {
            finding.with_severity(Severity::Warning)
        });
        all
    }

    /// PN5003 for IP targets; whether it was found.
    pub(super) fn ip(&self, aws: &AwsCloud, out: &mut Vec<Finding>) -> bool {
        if self.assignment.target_type != Some(TargetType::Ip)
            || self.targets.iter().all(|t| t.healthy)
        {
            return false;
        }
        let Some(found) = self.unreachable(aws, TargetPath::Chosen) else {
            return false;
        };
        out.push(self.finding(&IP_UNREACHABLE, found));
        true
    }

    /// PN5003 for the IP targets the controller does not use.
    pub(super) fn ip_alternative(&self, aws: &AwsCloud, out: &mut Vec<Finding>) {
        let Some(found) = self.unreachable(aws, TargetPath::Alternative) else {
            return;
        };
        out.push(
            self.finding(&IP_UNREACHABLE, found)
                .with_severity(Severity::Warning),
        );
    }

    /// PN5002 for the instance targets the controller does not use.
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
        out.push(
            self.finding(
                &INSTANCE_UNREGISTRABLE,
                LbFound::InstanceUnregistrable {
                    service: self.name.clone(),
                    controller: self.assignment.controller.clone(),
                    path: TargetPath::Alternative,
                    port: None,
                    missing,
                    total: self.dp.nodes.len(),
                    all: false,
                    aws: self.aws_facts(aws),
                },
            )
            .with_severity(Severity::Warning),
        );
    }

    /// Why the VPC cannot reach the serving pods' addresses, if it cannot.
    fn unreachable(&self, aws: &AwsCloud, path: TargetPath) -> Option<LbFound> {
        let dp = self.dp;
        let mut outside = Vec::new();
        let mut unrouted = Vec::new();
        let mut gap = None;
        for ip in self.serving_ips() {
            for p in dp.ip_target_causes(aws, ip) {
                match p {
                    TargetProblem::OutsideVpc { ip, .. } => outside.push(ip),
                    TargetProblem::NoVpcRoute { ip, gap: g } => {
                        unrouted.push(ip);
                        gap = Some(g);
                    }
                    _ => {}
                }
            }
        }
        if outside.is_empty() && unrouted.is_empty() {
            return None;
        }
        if !outside.is_empty() {
            gap = gap.or(dp.vpc_route_gap(aws));
        }
        let registrable = dp.nodes.iter().all(|n| n.provider_id.is_some());
        Some(LbFound::IpUnreachable {
            service: self.name.clone(),
            controller: self.assignment.controller.clone(),
            path,
            cni: dp.profile.cni,
            outside,
            cluster_cidrs: dp.profile.cluster_cidrs.clone(),
            vpc_cidr: aws.vpc_cidr,
            unrouted,
            gap,
            instance_would_register: registrable && aws.lb_controller != LbController::None,
        })
    }

    /// What the profile says of the AWS account and the CNI.
    fn aws_facts(&self, aws: &AwsCloud) -> AwsFacts {
        AwsFacts {
            cluster_tagged: aws.cluster_tagged,
            ccm: aws.ccm,
            vpc_native: self.dp.profile.cni.vpc_native(),
        }
    }
}
