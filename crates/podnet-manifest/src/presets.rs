//! The named presets of a `ClusterProfile` with their real defaults, and the
//! completion of a profile from its preset: what a `ClusterProfile` leaves
//! out is its preset's (the default preset's when it names none), as the
//! API server completes an object with its defaults when it reads it. The
//! reader checks the completed profile (`lower::profile_check`) and the
//! dataplane builds on it, so completion lives here, below both, rather
//! than in the model, which holds the data only.

use std::net::IpAddr;

use ipnet::IpNet;
use podnet_model::{
    AwsCloud, Cloud, CniMode, DnsPodsMode, KubeProxyOptions, LbController, Preset, Profile,
    ProfileNode, ProfileSpec, ProxyMode, Subnet, TargetType,
};

/// The preset used when no profile names one.
pub const DEFAULT_PRESET: Preset = Preset::KubeadmFlannel;

fn net(s: &str) -> Vec<IpNet> {
    s.parse().map(|n| vec![n]).unwrap_or_default()
}

fn aws(lb_controller: LbController, target_type: TargetType, ccm: bool) -> Cloud {
    let subnet = |name: &str, cidr: &str, zone: &str| Subnet {
        name: name.to_owned(),
        cidr: cidr.parse().unwrap_or_else(|_| IpNet::default()),
        zone: Some(zone.to_owned()),
    };
    Cloud::Aws(AwsCloud {
        vpc_cidr: "10.0.0.0/16".parse().unwrap_or_else(|_| IpNet::default()),
        subnets: vec![
            subnet("subnet-a", "10.0.0.0/19", "ap-northeast-2a"),
            subnet("subnet-c", "10.0.32.0/19", "ap-northeast-2c"),
        ],
        route_table_limit: 50,
        ccm,
        route_controller: false,
        cluster_tagged: true,
        lb_controller,
        target_type,
    })
}

/// How many nodes a preset describes.
pub const PRESET_NODE_COUNT: usize = 3;

/// `base` plus `offset` as an IPv4 address (saturating).
fn ipv4_plus(base: [u8; 4], offset: usize) -> IpAddr {
    let offset = u32::try_from(offset).unwrap_or(u32::MAX);
    IpAddr::from(
        u32::from_be_bytes(base)
            .saturating_add(offset)
            .to_be_bytes(),
    )
}

/// The `index`-th node (0-based) of `preset`: the first
/// [`PRESET_NODE_COUNT`] are the nodes its profile lists; later ones
/// continue the same pattern (names, addresses, zones), for clusters that
/// need more nodes than the preset lists.
pub fn node(preset: Preset, index: usize) -> ProfileNode {
    match preset {
        Preset::KubeadmFlannel => {
            const ZONES: [&str; 3] = ["zone-a", "zone-b", "zone-c"];
            ProfileNode {
                name: format!("node-{}", index + 1),
                internal_ips: vec![ipv4_plus([192, 168, 0, 11], index)],
                zone: Some(ZONES[index % ZONES.len()].to_owned()),
                ..ProfileNode::default()
            }
        }
        Preset::Kind => ProfileNode {
            name: match index {
                0 => "kind-control-plane".to_owned(),
                1 => "kind-worker".to_owned(),
                n => format!("kind-worker{n}"),
            },
            internal_ips: vec![ipv4_plus([172, 18, 0, 2], index)],
            ..ProfileNode::default()
        },
        Preset::Rke2Canal | Preset::Rke2CiliumEni | Preset::EksVpcCni => {
            // Alternating zones, each node in its zone's subnet.
            const ZONES: [(&str, [u8; 4]); 2] = [
                ("ap-northeast-2a", [10, 0, 1, 10]),
                ("ap-northeast-2c", [10, 0, 33, 10]),
            ];
            let (zone, base) = ZONES[index % ZONES.len()];
            let ip = ipv4_plus(base, index / ZONES.len());
            ProfileNode {
                name: format!("ip-{}", ip.to_string().replace('.', "-")),
                internal_ips: vec![ip],
                zone: Some(zone.to_owned()),
                instance_type: Some("m5.large".to_owned()),
                provider_id: Some(format!("aws:///{zone}/i-0{:015x}", 0xa11c0de + index)),
                max_pods: Some(29),
                ..ProfileNode::default()
            }
        }
    }
}

/// The nodes `preset`'s profile lists.
fn nodes(preset: Preset) -> Vec<ProfileNode> {
    (0..PRESET_NODE_COUNT).map(|i| node(preset, i)).collect()
}

/// The profile `preset` describes.
pub fn profile(preset: Preset) -> Profile {
    let base = Profile {
        meta: None,
        preset,
        cluster_cidrs: net("10.244.0.0/16"),
        node_mask_v4: 24,
        node_mask_v6: 64,
        service_cidrs: net("10.96.0.0/12"),
        cluster_domain: "cluster.local".to_owned(),
        nodes: nodes(preset),
        cni: CniMode::FlannelVxlan,
        proxy: ProxyMode::Iptables,
        kube_proxy: KubeProxyOptions::default(),
        non_masquerade: Vec::new(),
        cloud: Cloud::None,
        metallb: Vec::new(),
        ingress_namespace: "ingress-nginx".to_owned(),
        dns_pods: DnsPodsMode::Insecure,
    };
    match preset {
        Preset::KubeadmFlannel => base,
        Preset::Rke2Canal => Profile {
            cluster_cidrs: net("10.42.0.0/16"),
            service_cidrs: net("10.43.0.0/16"),
            cni: CniMode::Canal,
            cloud: aws(LbController::Ccm, TargetType::Instance, true),
            ingress_namespace: "kube-system".to_owned(),
            ..base
        },
        Preset::Rke2CiliumEni => Profile {
            cluster_cidrs: net("10.0.0.0/16"),
            service_cidrs: net("10.43.0.0/16"),
            cni: CniMode::CiliumEni,
            proxy: ProxyMode::Ebpf,
            cloud: aws(LbController::AwsLbc, TargetType::Ip, true),
            ingress_namespace: "kube-system".to_owned(),
            ..base
        },
        Preset::EksVpcCni => Profile {
            cluster_cidrs: net("10.0.0.0/16"),
            service_cidrs: net("10.100.0.0/16"),
            cni: CniMode::AwsVpcCni,
            cloud: aws(LbController::AwsLbc, TargetType::Ip, true),
            ..base
        },
        Preset::Kind => Profile {
            service_cidrs: net("10.96.0.0/16"),
            cni: CniMode::Kindnet,
            ..base
        },
    }
}

/// The complete profile: `spec`'s fields over its preset's (the default
/// preset when it names none).
pub fn resolve(spec: &ProfileSpec) -> Profile {
    let base = profile(spec.preset.unwrap_or(DEFAULT_PRESET));
    let pick = |o: &Option<Vec<IpNet>>, d: Vec<IpNet>| o.clone().unwrap_or(d);
    Profile {
        meta: spec.meta.clone(),
        preset: base.preset,
        cluster_cidrs: pick(&spec.cluster_cidrs, base.cluster_cidrs),
        node_mask_v4: spec.node_mask_v4.unwrap_or(base.node_mask_v4),
        node_mask_v6: spec.node_mask_v6.unwrap_or(base.node_mask_v6),
        service_cidrs: pick(&spec.service_cidrs, base.service_cidrs),
        cluster_domain: spec.cluster_domain.clone().unwrap_or(base.cluster_domain),
        nodes: spec.nodes.clone().unwrap_or(base.nodes),
        cni: spec.cni.unwrap_or(base.cni),
        proxy: spec.proxy.unwrap_or(base.proxy),
        kube_proxy: spec.kube_proxy.clone().unwrap_or(base.kube_proxy),
        non_masquerade: pick(&spec.non_masquerade, base.non_masquerade),
        cloud: spec.cloud.clone().unwrap_or(base.cloud),
        metallb: spec.metallb.clone().unwrap_or(base.metallb),
        ingress_namespace: spec
            .ingress_namespace
            .clone()
            .unwrap_or(base.ingress_namespace),
        dns_pods: spec.dns_pods.unwrap_or(base.dns_pods),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use podnet_model::Transport;

    #[test]
    fn rke2_defaults_are_the_documented_ones() {
        // RKE2 docs, "Server configuration": cluster-cidr 10.42.0.0/16,
        // service-cidr 10.43.0.0/16.
        let p = profile(Preset::Rke2Canal);
        assert_eq!(p.cluster_cidrs, net("10.42.0.0/16"));
        assert_eq!(p.service_cidrs, net("10.43.0.0/16"));
        assert_eq!(p.cni.transport(), Transport::Vxlan { port: 8472 });
    }

    #[test]
    fn kubeadm_defaults_are_the_documented_ones() {
        // kubeadm: serviceSubnet 10.96.0.0/12; flannel's net-conf 10.244.0.0/16.
        let p = resolve(&ProfileSpec::default());
        assert_eq!(p.preset, Preset::KubeadmFlannel);
        assert_eq!(p.service_cidrs, net("10.96.0.0/12"));
        assert_eq!(p.cluster_cidrs, net("10.244.0.0/16"));
        assert_eq!(p.cluster_domain, "cluster.local");
        assert_eq!(p.node_mask_v4, 24);
    }

    #[test]
    fn spec_fields_override_the_preset() {
        let spec = ProfileSpec {
            preset: Some(Preset::Rke2Canal),
            cni: Some(CniMode::CalicoBgp),
            cluster_domain: Some("corp.local".into()),
            ..ProfileSpec::default()
        };
        let p = resolve(&spec);
        assert_eq!(p.cni, CniMode::CalicoBgp);
        assert_eq!(p.cluster_domain, "corp.local");
        assert_eq!(p.service_cidrs, net("10.43.0.0/16"));
    }

    /// The preset nodes as they were listed before they were generated.
    #[test]
    fn preset_nodes_are_the_documented_ones() {
        let names =
            |p: Preset| -> Vec<String> { profile(p).nodes.into_iter().map(|n| n.name).collect() };
        assert_eq!(
            names(Preset::KubeadmFlannel),
            ["node-1", "node-2", "node-3"]
        );
        assert_eq!(
            names(Preset::Kind),
            ["kind-control-plane", "kind-worker", "kind-worker2"]
        );
        assert_eq!(
            names(Preset::EksVpcCni),
            ["ip-10-0-1-10", "ip-10-0-33-10", "ip-10-0-1-11"]
        );
        let n = node(Preset::EksVpcCni, 1);
        assert_eq!(n.zone.as_deref(), Some("ap-northeast-2c"));
        assert_eq!(
            n.provider_id.as_deref(),
            Some("aws:///ap-northeast-2c/i-000000000a11c0df")
        );
        assert_eq!(
            node(Preset::KubeadmFlannel, 2).internal_ips,
            vec![IpAddr::from([192, 168, 0, 13])]
        );
        assert_eq!(
            node(Preset::KubeadmFlannel, 3).zone.as_deref(),
            Some("zone-a")
        );
        assert_eq!(
            node(Preset::KubeadmFlannel, 300).internal_ips,
            vec![IpAddr::from([192, 168, 1, 55])]
        );
    }
}
