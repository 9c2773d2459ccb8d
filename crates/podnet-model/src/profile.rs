//! The cluster profile: what the YAML of workloads does not say but the
//! dataplane depends on (address ranges, CNI and kube-proxy modes, nodes, the
//! cloud and its controllers). Read from a podnet `ClusterProfile` object,
//! completed from a named preset, and defaulted when absent; the presets'
//! defaults and the completion are the reader's (`podnet_manifest::presets`).

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

use crate::labels::Labels;
use crate::source::Meta;

/// How pod traffic crosses nodes, per CNI and its mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CniMode {
    /// kubenet or the `bridge` plugin: a bridge per node, host routes between
    /// nodes (installed by the cloud route controller or by hand).
    Bridge,
    /// flannel with its `vxlan` backend (UDP 8472 on Linux).
    FlannelVxlan,
    /// Calico with VXLAN encapsulation (UDP 4789).
    CalicoVxlan,
    /// Calico with IP-in-IP encapsulation (IP protocol 4).
    CalicoIpip,
    /// Calico without encapsulation, routes exchanged over BGP.
    CalicoBgp,
    /// Canal: flannel VXLAN for routing (UDP 8472), Calico for policy.
    Canal,
    /// Cilium with its VXLAN tunnel (UDP 8472).
    CiliumOverlay,
    /// Cilium native routing (direct node routes).
    CiliumNative,
    /// Cilium ENI mode: pod addresses are ENI secondary addresses of the VPC.
    CiliumEni,
    /// The AWS VPC CNI: pod addresses are ENI secondary addresses of the VPC.
    AwsVpcCni,
    /// kind's kindnet: a route per other node's block via its address.
    Kindnet,
}

impl CniMode {
    /// Every mode with the name a profile spells it with.
    pub const ALL: [(&'static str, CniMode); 11] = [
        ("bridge", CniMode::Bridge),
        ("flannel-vxlan", CniMode::FlannelVxlan),
        ("calico-vxlan", CniMode::CalicoVxlan),
        ("calico-ipip", CniMode::CalicoIpip),
        ("calico-bgp", CniMode::CalicoBgp),
        ("canal", CniMode::Canal),
        ("cilium-overlay", CniMode::CiliumOverlay),
        ("cilium-native", CniMode::CiliumNative),
        ("cilium-eni", CniMode::CiliumEni),
        ("aws-vpc-cni", CniMode::AwsVpcCni),
        ("kindnet", CniMode::Kindnet),
    ];

    /// The mode a profile names (`kubenet` is an alias of `bridge`).
    pub fn parse(name: &str) -> Option<CniMode> {
        if name == "kubenet" {
            return Some(CniMode::Bridge);
        }
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
    }

    /// The name a profile spells it with.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, m)| *m == self)
            .map_or("bridge", |(n, _)| n)
    }

    /// How packets between pods on different nodes travel.
    pub fn transport(self) -> Transport {
        match self {
            CniMode::FlannelVxlan | CniMode::Canal | CniMode::CiliumOverlay => {
                Transport::Vxlan { port: 8472 }
            }
            CniMode::CalicoVxlan => Transport::Vxlan { port: 4789 },
            CniMode::CalicoIpip => Transport::IpInIp,
            CniMode::CalicoBgp => Transport::Bgp,
            CniMode::CiliumNative | CniMode::Kindnet => Transport::DirectRoutes,
            CniMode::Bridge => Transport::HostRoutes,
            CniMode::CiliumEni | CniMode::AwsVpcCni => Transport::VpcNative,
        }
    }

    /// Whether pod addresses come from the VPC subnets rather than a
    /// cluster CIDR split into node blocks.
    pub fn vpc_native(self) -> bool {
        self.transport() == Transport::VpcNative
    }
}

impl fmt::Display for CniMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a packet between pods on two nodes crosses the underlay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transport {
    /// Encapsulated in VXLAN over UDP `port`, outer addresses the nodes'.
    Vxlan {
        /// The VXLAN UDP port.
        port: u16,
    },
    /// Encapsulated in IP-in-IP (protocol 4), outer addresses the nodes'.
    IpInIp,
    /// Unencapsulated; every node learns the others' blocks over BGP.
    Bgp,
    /// Unencapsulated; each node has a route per other node's block
    /// (the nodes share an L2 segment).
    DirectRoutes,
    /// Unencapsulated; the network between nodes must route pod blocks
    /// (the cloud route controller's routes, or static routes).
    HostRoutes,
    /// Pod addresses are VPC addresses; the VPC routes them to the node.
    VpcNative,
}

/// kube-proxy's options, as its `KubeProxyConfiguration`
/// (kubeproxy.config.k8s.io/v1alpha1) says them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeProxyOptions {
    /// `iptables.masqueradeAll` / `nftables.masqueradeAll`: masquerade
    /// every packet to a ClusterIP (default false).
    pub masquerade_all: bool,
    /// `detectLocalMode: ClusterCIDR` (the default here): traffic from the
    /// cluster CIDRs is pod traffic. `false` stands for a detector that
    /// recognises nothing (kube-proxy's no-op detector).
    pub detect_local: bool,
    /// `nodePortAddresses`: the node addresses NodePorts answer on. `None`
    /// is the mode's default: every local address in iptables and ipvs
    /// mode, the node's primary addresses in nftables mode (kube-proxy
    /// 1.31+, `--nodeport-addresses primary`).
    pub node_port_addresses: Option<Vec<IpNet>>,
    /// `iptables.localhostNodePorts` (default true): IPv4 NodePorts answer
    /// on 127.0.0.1 in iptables mode.
    pub localhost_node_ports: bool,
}

impl Default for KubeProxyOptions {
    fn default() -> Self {
        KubeProxyOptions {
            masquerade_all: false,
            detect_local: true,
            node_port_addresses: None,
            localhost_node_ports: true,
        }
    }
}

/// kube-proxy's mode (or its replacement).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProxyMode {
    /// iptables DNAT chains (rules grow with services and endpoints).
    Iptables,
    /// IPVS virtual servers (deprecated in Kubernetes 1.35, KEP-5495).
    Ipvs,
    /// nftables maps (NodePorts only on node addresses, not 127.0.0.1).
    Nftables,
    /// Replaced by eBPF (Cilium kube-proxy replacement): socket-level load
    /// balancing, service lookups in maps.
    Ebpf,
}

impl ProxyMode {
    /// Every mode with the name a profile spells it with.
    pub const ALL: [(&'static str, ProxyMode); 4] = [
        ("iptables", ProxyMode::Iptables),
        ("ipvs", ProxyMode::Ipvs),
        ("nftables", ProxyMode::Nftables),
        ("ebpf", ProxyMode::Ebpf),
    ];

    /// The mode a profile names.
    pub fn parse(name: &str) -> Option<ProxyMode> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
    }

    /// The name a profile spells it with.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, m)| *m == self)
            .map_or("iptables", |(n, _)| n)
    }
}

/// Which controller gives LoadBalancer Services an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LbController {
    /// None: LoadBalancer Services stay `<pending>`.
    None,
    /// The cloud controller manager's service controller (classic/NLB,
    /// instance targets through NodePorts).
    Ccm,
    /// The AWS Load Balancer Controller (NLB/ALB, instance or IP targets).
    AwsLbc,
}

impl LbController {
    /// Every controller with the name a profile spells it with.
    pub const ALL: [(&'static str, LbController); 3] = [
        ("none", LbController::None),
        ("ccm", LbController::Ccm),
        ("aws-lbc", LbController::AwsLbc),
    ];

    /// The controller a profile names.
    pub fn parse(name: &str) -> Option<LbController> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
    }

    /// The name a profile spells it with.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, m)| *m == self)
            .map_or("none", |(n, _)| n)
    }
}

/// Where a cloud load balancer sends traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetType {
    /// Nodes' NodePorts (registered by instance id, from `spec.providerID`).
    Instance,
    /// Pod addresses directly (must be routable in the VPC).
    Ip,
}

impl TargetType {
    /// The target type a profile or annotation names.
    pub fn parse(name: &str) -> Option<TargetType> {
        match name {
            "instance" => Some(TargetType::Instance),
            "ip" => Some(TargetType::Ip),
            _ => None,
        }
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            TargetType::Instance => "instance",
            TargetType::Ip => "ip",
        }
    }
}

/// One VPC subnet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subnet {
    /// Its id or name.
    pub name: String,
    /// Its range.
    pub cidr: IpNet,
    /// Its availability zone.
    pub zone: Option<String>,
}

/// The AWS side of a cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsCloud {
    /// The VPC's range.
    pub vpc_cidr: IpNet,
    /// Its subnets.
    pub subnets: Vec<Subnet>,
    /// Most routes a VPC route table holds (50 by default).
    pub route_table_limit: u32,
    /// Whether a cloud controller manager runs.
    pub ccm: bool,
    /// Whether its route controller runs (`--configure-cloud-routes`).
    pub route_controller: bool,
    /// Whether the CCM finds the cluster's instances (its cluster tag and
    /// permissions are right); when false it leaves `spec.providerID` empty.
    pub cluster_tagged: bool,
    /// Which controller serves LoadBalancer Services.
    pub lb_controller: LbController,
    /// The load-balancer controller's default target type.
    pub target_type: TargetType,
}

/// The cloud the cluster runs in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cloud {
    /// Bare metal or unknown: no cloud controllers.
    None,
    /// Amazon Web Services.
    Aws(AwsCloud),
}

/// A MetalLB `IPAddressPool`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressPool {
    /// Its name.
    pub name: String,
    /// Its addresses, as first..=last ranges (CIDRs are converted).
    pub ranges: Vec<(IpAddr, IpAddr)>,
    /// `autoAssign` (true by default): whether Services without a
    /// requested address draw from it.
    pub auto_assign: bool,
    /// `avoidBuggyIPs`: skip `.0` and `.255` addresses.
    pub avoid_buggy_ips: bool,
    /// Where it was declared.
    pub meta: Option<Meta>,
}

/// A node as the profile describes it (a `Node` object with the same name
/// wins where both say something).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ProfileNode {
    /// Its name.
    pub name: String,
    /// Its addresses (InternalIP).
    pub internal_ips: Vec<IpAddr>,
    /// Its ExternalIP addresses.
    pub external_ips: Vec<IpAddr>,
    /// `topology.kubernetes.io/zone`.
    pub zone: Option<String>,
    /// `node.kubernetes.io/instance-type`.
    pub instance_type: Option<String>,
    /// `spec.providerID`.
    pub provider_id: Option<String>,
    /// Most pods the kubelet runs (`maxPods`).
    pub max_pods: Option<u32>,
    /// Extra labels.
    pub labels: Labels,
    /// Pod CIDRs, when fixed.
    pub pod_cidrs: Vec<IpNet>,
    /// Taints (`spec.taints` of its Node).
    pub taints: Vec<crate::placement::Taint>,
}

/// The named presets, with their real defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Preset {
    /// kubeadm with flannel: 10.244.0.0/16, services 10.96.0.0/12,
    /// VXLAN UDP 8472, kube-proxy iptables.
    KubeadmFlannel,
    /// RKE2 with Canal: 10.42.0.0/16, services 10.43.0.0/16, VXLAN 8472.
    Rke2Canal,
    /// RKE2 with Cilium in ENI mode on AWS: VPC-native pod addresses, AWS
    /// Load Balancer Controller in IP mode.
    Rke2CiliumEni,
    /// EKS with the AWS VPC CNI: VPC-native pod addresses, services
    /// 10.100.0.0/16, AWS Load Balancer Controller.
    EksVpcCni,
    /// kind: 10.244.0.0/16, services 10.96.0.0/16, kindnet's direct
    /// routes, one control-plane and two workers.
    Kind,
}

impl Preset {
    /// Every preset with its name.
    pub const ALL: [(&'static str, Preset); 5] = [
        ("kubeadm-flannel", Preset::KubeadmFlannel),
        ("rke2-canal", Preset::Rke2Canal),
        ("rke2-cilium-eni", Preset::Rke2CiliumEni),
        ("eks-vpc-cni", Preset::EksVpcCni),
        ("kind", Preset::Kind),
    ];

    /// The preset called `name`.
    pub fn parse(name: &str) -> Option<Preset> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, p)| *p)
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, p)| *p == self)
            .map_or("kubeadm-flannel", |(n, _)| n)
    }
}

/// A `ClusterProfile` as written: every field optional, completed from its
/// preset (or the default preset) by the reader (`podnet_manifest::presets::resolve`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileSpec {
    /// Where it was declared; `None` for the built-in default.
    pub meta: Option<Meta>,
    /// `preset`.
    pub preset: Option<Preset>,
    /// `clusterCIDRs` (one per family).
    pub cluster_cidrs: Option<Vec<IpNet>>,
    /// `nodeMaskSizeIPv4`.
    pub node_mask_v4: Option<u8>,
    /// `nodeMaskSizeIPv6`.
    pub node_mask_v6: Option<u8>,
    /// `serviceCIDRs` (one per family).
    pub service_cidrs: Option<Vec<IpNet>>,
    /// `clusterDomain`.
    pub cluster_domain: Option<String>,
    /// `nodes`.
    pub nodes: Option<Vec<ProfileNode>>,
    /// `cni`.
    pub cni: Option<CniMode>,
    /// `kubeProxy`.
    pub proxy: Option<ProxyMode>,
    /// `kubeProxyOptions`.
    pub kube_proxy: Option<KubeProxyOptions>,
    /// `nonMasqueradeCIDRs`.
    pub non_masquerade: Option<Vec<IpNet>>,
    /// `cloud`.
    pub cloud: Option<Cloud>,
    /// `metallb.pools`.
    pub metallb: Option<Vec<AddressPool>>,
    /// `ingressNamespace`: where the ingress controller runs.
    pub ingress_namespace: Option<String>,
    /// `dnsPods`: CoreDNS's `pods` option.
    pub dns_pods: Option<DnsPodsMode>,
}

/// A complete profile: every field known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// Where it was declared; `None` for the built-in default.
    pub meta: Option<Meta>,
    /// The preset it was completed from.
    pub preset: Preset,
    /// Pod address ranges, one per family, IPv4 first.
    pub cluster_cidrs: Vec<IpNet>,
    /// Per-node block size for IPv4.
    pub node_mask_v4: u8,
    /// Per-node block size for IPv6.
    pub node_mask_v6: u8,
    /// Service address ranges, one per family.
    pub service_cidrs: Vec<IpNet>,
    /// The DNS suffix of Services (`cluster.local`).
    pub cluster_domain: String,
    /// Nodes the profile declares (merged with Node objects later).
    pub nodes: Vec<ProfileNode>,
    /// CNI mode.
    pub cni: CniMode,
    /// kube-proxy mode.
    pub proxy: ProxyMode,
    /// kube-proxy's options (its KubeProxyConfiguration).
    pub kube_proxy: KubeProxyOptions,
    /// Destinations pods reach without masquerade (besides the cluster CIDRs).
    pub non_masquerade: Vec<IpNet>,
    /// The cloud.
    pub cloud: Cloud,
    /// MetalLB address pools.
    pub metallb: Vec<AddressPool>,
    /// Namespace of the ingress controller.
    pub ingress_namespace: String,
    /// How the cluster DNS answers `<a-b-c-d>.<ns>.pod.<domain>`.
    pub dns_pods: DnsPodsMode,
}

/// CoreDNS `kubernetes` plugin option `pods` (coredns plugin/kubernetes
/// README, "pods POD-MODE"): whether names `<a-b-c-d>.<ns>.pod.<zone>`
/// answer. The Kubernetes DNS specification defines no pod names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DnsPodsMode {
    /// `pods disabled`: no pod names (CoreDNS's own default).
    Disabled,
    /// `pods insecure`: the address in the name, unchecked (the Corefile
    /// kubeadm and most distributions install).
    #[default]
    Insecure,
    /// `pods verified`: only when a pod of that namespace has the address.
    Verified,
}

impl DnsPodsMode {
    /// Every mode with its profile spelling.
    pub const ALL: [(&'static str, DnsPodsMode); 3] = [
        ("disabled", DnsPodsMode::Disabled),
        ("insecure", DnsPodsMode::Insecure),
        ("verified", DnsPodsMode::Verified),
    ];

    /// Its profile spelling.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, m)| *m == self)
            .map_or("insecure", |(n, _)| n)
    }
}

impl Profile {
    /// The name to show: the profile object's, else `preset <name>`.
    pub fn label(&self) -> String {
        match &self.meta {
            Some(m) => m.name.clone(),
            None => format!("preset {}", self.preset.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (name, mode) in CniMode::ALL {
            assert_eq!(CniMode::parse(name), Some(mode));
            assert_eq!(mode.name(), name);
        }
        for (name, p) in Preset::ALL {
            assert_eq!(Preset::parse(name), Some(p));
        }
        assert_eq!(CniMode::parse("kubenet"), Some(CniMode::Bridge));
        assert_eq!(CniMode::parse("weave"), None);
    }
}
