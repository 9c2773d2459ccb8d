//! Why a load-balancer target cannot be registered or turn healthy, in
//! words (`ipam` lists them under each target, `trace` on a dropped path).

use podnet_dataplane::lb::{RouteGap, TargetProblem};

/// Every problem's lines, in order.
pub(crate) fn problems_text(problems: &[TargetProblem]) -> Vec<String> {
    problems.iter().flat_map(problem_lines).collect()
}

/// One problem as lines of prose.
fn problem_lines(p: &TargetProblem) -> Vec<String> {
    match p {
        TargetProblem::NoProviderId {
            node,
            cluster_untagged,
        } => {
            let mut out = vec![format!(
                "node `{node}` has no spec.providerID, so the controller cannot find its instance to register"
            )];
            if *cluster_untagged {
                out.push("the external CCM sets providerID only for instances carrying the cluster tag (kubernetes.io/cluster/<name>) with the IAM permissions to describe them".into());
            }
            out
        }
        TargetProblem::NoNodePort => vec!["the Service has no NodePort for instance targets (allocateLoadBalancerNodePorts: false)".into()],
        TargetProblem::NoReadyEndpoint => vec!["the Service has no ready endpoint".into()],
        TargetProblem::NoLocalEndpoint { node, metallb: false } => vec![format!(
            "externalTrafficPolicy: Local and no ready endpoint runs on `{node}`: its health check fails (by design)"
        )],
        TargetProblem::NoLocalEndpoint { node, metallb: true } => vec![format!(
            "externalTrafficPolicy: Local: MetalLB announces only from nodes with a ready endpoint, not `{node}`"
        )],
        TargetProblem::OutsideVpc { ip, vpc, cni } => vec![
            format!(
                "target type ip registers pod addresses, and {ip} is outside the VPC {vpc} ({cni} gives pods {} addresses)",
                if cni.vpc_native() { "VPC" } else { "overlay" }
            ),
            "the load balancer cannot register or reach it; use a VPC-native CNI (cilium-eni, aws-vpc-cni) or instance targets".into(),
        ],
        TargetProblem::NoVpcRoute { ip, gap } => vec![match gap {
            RouteGap::RouteControllerOff => format!(
                "{ip} is inside the VPC range but the VPC has no route to it: the CCM route controller is off (--configure-cloud-routes=false)"
            ),
            RouteGap::OverRouteLimit { routes, limit } => format!(
                "the route controller needs {routes} routes, more than the route table's limit of {limit}"
            ),
        }],
    }
}
