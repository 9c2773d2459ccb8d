//! A hop's route, forwarding, SNAT, encapsulation and place in words.

use podnet_dataplane::trace::{
    CloudPart, DnatMatch, Encapsulation, ForwardVia, RouteStep, SnatReason,
};
use podnet_model::{CniMode, ProxyMode};

/// A cloud component's name.
pub(super) fn cloud_text(p: CloudPart) -> &'static str {
    match p {
        CloudPart::LoadBalancer => "load balancer",
        CloudPart::Alb => "ALB",
        CloudPart::VpcRouteTable => "VPC route table",
        CloudPart::Vpc => "VPC",
    }
}

/// What a DNAT matched.
pub(super) fn dnat_match_text(m: &DnatMatch) -> String {
    match m {
        DnatMatch::ClusterIp => "ClusterIP".to_owned(),
        DnatMatch::NodePort { port, node } => format!("NodePort {port} on node `{node}`"),
        DnatMatch::ExternalIp => "external IP".to_owned(),
        DnatMatch::LoadBalancer => "LoadBalancer address".to_owned(),
    }
}

/// Which rule set did a DNAT.
pub(super) fn dnat_by_text(mode: ProxyMode) -> &'static str {
    match mode {
        ProxyMode::Iptables => {
            "kube-proxy (iptables: KUBE-SERVICES -> KUBE-SVC chain, random choice)"
        }
        ProxyMode::Ipvs => "kube-proxy (IPVS virtual server, round robin)",
        ProxyMode::Nftables => "kube-proxy (nftables service map, random choice)",
        ProxyMode::Ebpf => "eBPF service map (kube-proxy replacement)",
    }
}

/// Why the source was rewritten.
pub(super) fn snat_text(why: SnatReason) -> &'static str {
    match why {
        SnatReason::Masquerade => {
            "masquerade: the destination is outside the pod network and the non-masquerade ranges"
        }
        SnatReason::KubeProxyMark => {
            "kube-proxy marked the packet for masquerade (KUBE-MARK-MASQ / mark-for-masquerade): SNAT to the node's address"
        }
        SnatReason::ExternalTrafficCluster => {
            "externalTrafficPolicy: Cluster: masquerade to the node's address (the client address is lost)"
        }
        SnatReason::Hairpin => {
            "hairpin: the pod reached itself through its Service; masqueraded so the reply returns through the node"
        }
    }
}

/// How pods on one node reach each other, per CNI.
fn local_path(cni: CniMode) -> &'static str {
    match cni {
        CniMode::Bridge | CniMode::FlannelVxlan | CniMode::Canal => {
            "bridge cni0 forwards between the two veths"
        }
        CniMode::CalicoVxlan | CniMode::CalicoIpip | CniMode::CalicoBgp => {
            "host route to the destination's cali* veth (/32 per pod)"
        }
        CniMode::CiliumOverlay | CniMode::CiliumNative | CniMode::CiliumEni => {
            "Cilium's eBPF program redirects to the destination's lxc* veth"
        }
        CniMode::AwsVpcCni => "host route to the destination's eni* veth (/32 per pod)",
        CniMode::Kindnet => "host route to the destination's veth (ptp)",
    }
}

/// The route used.
pub(super) fn route_text(r: &RouteStep) -> String {
    match r {
        RouteStep::Local { dst, node, cni } => {
            format!("{dst} is local to `{node}`: {}", local_path(*cni))
        }
        RouteStep::Tunnel { block, via, dev } => format!("{block} via {via} dev {dev} onlink"),
        RouteStep::Bgp { block, via } => {
            format!("{block} via {via} dev eth0 proto bird (learnt over BGP)")
        }
        RouteStep::Direct { block, via } => format!("{block} via {via} dev eth0"),
        RouteStep::DefaultGateway { block } => {
            format!("default via the network gateway dev eth0 ({block} is not local)")
        }
        RouteStep::VpcRouteTable { block, node } => {
            format!("{block} -> instance of node `{node}` (added by the route controller)")
        }
        RouteStep::VpcNative { dst, node } => {
            format!("{dst} via the VPC (ENI secondary address of node `{node}`)")
        }
    }
}

/// How a packet is forwarded.
pub(super) fn forward_text(v: &ForwardVia) -> String {
    match v {
        ForwardVia::Veth(node) => format!("to the destination's veth on `{node}`"),
        ForwardVia::NodeEth0 => "leaves through the node's eth0".to_owned(),
        ForwardVia::Unchanged => "leaves the cluster unchanged".to_owned(),
        ForwardVia::Underlay { src, dst } => format!("underlay {src} -> {dst}"),
        ForwardVia::Unencapsulated(dst) => format!("underlay, unencapsulated, to {dst}"),
        ForwardVia::SharedSegment(dst) => format!("shared segment, unencapsulated, to {dst}"),
        ForwardVia::StaticRoute { block, via } => {
            format!("the network's static route {block} via {via} (kubenet expects one per node)")
        }
        ForwardVia::VpcToEni { dst, node_ip } => {
            format!("VPC delivers {dst} to the ENI of {node_ip}")
        }
    }
}

/// An encapsulation, as the hop that wraps the packet says it.
pub(super) fn encapsulation_text(e: Encapsulation) -> String {
    match e {
        Encapsulation::Vxlan(port) => format!("VXLAN, UDP port {port}"),
        Encapsulation::IpInIp => "IP-in-IP".to_owned(),
    }
}

/// The encapsulation's short name.
pub(super) fn encapsulation_name(e: Encapsulation) -> &'static str {
    match e {
        Encapsulation::Vxlan(_) => "VXLAN",
        Encapsulation::IpInIp => "IP-in-IP",
    }
}

/// What carries an outer header.
pub(super) fn carrier_text(e: Encapsulation) -> String {
    match e {
        Encapsulation::Vxlan(port) => format!("UDP {port} (VXLAN)"),
        Encapsulation::IpInIp => "IP protocol 4 (IP-in-IP)".to_owned(),
    }
}
