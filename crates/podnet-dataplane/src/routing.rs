//! Routing between nodes per CNI mode (course notes 003/004): same node
//! through the node's bridge or host routes; across nodes by VXLAN or
//! IP-in-IP encapsulation with the nodes' addresses outside, by routes
//! learnt over BGP, by direct routes on a shared segment, by the network's
//! (cloud) routes, or natively in the VPC. Also masquerade: traffic leaving
//! the pod network takes its node's address unless the destination is in a
//! non-masquerade range.

use std::net::IpAddr;

use podnet_model::{Cloud, CniMode, Transport};

use crate::Dataplane;
use crate::trace::{Action, Hop, Packet, Place};

impl Dataplane {
    /// How pods on one node reach each other.
    pub fn local_path(&self) -> &'static str {
        match self.profile.cni {
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

    /// The first internal address of a node.
    pub fn node_ip(&self, node: &str) -> Option<IpAddr> {
        self.node(node)
            .and_then(|n| n.internal_ips.first().copied())
    }

    /// The block of `node` holding addresses of `ip`'s family.
    fn block_of(&self, node: &str, family_of: IpAddr) -> Option<ipnet::IpNet> {
        let i = self
            .nodes
            .binary_search_by(|n| n.name.as_str().cmp(node))
            .ok()?;
        self.ipam.node_blocks[i]
            .iter()
            .find(|b| b.network().is_ipv4() == family_of.is_ipv4())
            .copied()
    }

    /// Hops carrying `packet` from node `from` to node `to` (different nodes).
    /// Returns the hops and, if the packet cannot get there, why.
    pub fn cross_nodes(&self, from: &str, to: &str, packet: &Packet) -> (Vec<Hop>, Option<String>) {
        let mut hops = Vec::new();
        let (Some(src_ip), Some(dst_ip)) = (self.node_ip(from), self.node_ip(to)) else {
            return (
                hops,
                Some(format!(
                    "node `{from}` or `{to}` has no address in the model"
                )),
            );
        };
        let block = self
            .block_of(to, packet.dst)
            .map_or_else(|| packet.dst.to_string(), |b| b.to_string());
        let transport = self.profile.cni.transport();
        let node = |n: &str| Place::Node(n.to_owned());
        match transport {
            Transport::Vxlan { port } => {
                let dev = match self.profile.cni {
                    CniMode::CalicoVxlan => "vxlan.calico",
                    CniMode::CiliumOverlay => "cilium_vxlan",
                    _ => "flannel.1",
                };
                hops.push(Hop::same(
                    node(from),
                    Action::Route {
                        route: format!("{block} via {dst_ip} dev {dev} onlink"),
                    },
                    packet,
                ));
                let outer = packet.encapsulated(src_ip, dst_ip, format!("UDP {port} (VXLAN)"));
                hops.push(Hop::new(
                    node(from),
                    Action::Encapsulate {
                        kind: format!("VXLAN, UDP port {port}"),
                    },
                    packet,
                    &outer,
                ));
                hops.push(Hop::same(
                    Place::Underlay,
                    Action::Forward {
                        via: format!("underlay {src_ip} -> {dst_ip}"),
                    },
                    &outer,
                ));
                hops.push(Hop::new(
                    node(to),
                    Action::Decapsulate {
                        kind: format!("{dev} (VXLAN)"),
                    },
                    &outer,
                    packet,
                ));
            }
            Transport::IpInIp => {
                hops.push(Hop::same(
                    node(from),
                    Action::Route {
                        route: format!("{block} via {dst_ip} dev tunl0 onlink"),
                    },
                    packet,
                ));
                let outer = packet.encapsulated(src_ip, dst_ip, "IP protocol 4 (IP-in-IP)".into());
                hops.push(Hop::new(
                    node(from),
                    Action::Encapsulate {
                        kind: "IP-in-IP".into(),
                    },
                    packet,
                    &outer,
                ));
                hops.push(Hop::same(
                    Place::Underlay,
                    Action::Forward {
                        via: format!("underlay {src_ip} -> {dst_ip}"),
                    },
                    &outer,
                ));
                hops.push(Hop::new(
                    node(to),
                    Action::Decapsulate {
                        kind: "tunl0 (IP-in-IP)".into(),
                    },
                    &outer,
                    packet,
                ));
            }
            Transport::Bgp => {
                hops.push(Hop::same(
                    node(from),
                    Action::Route {
                        route: format!(
                            "{block} via {dst_ip} dev eth0 proto bird (learnt over BGP)"
                        ),
                    },
                    packet,
                ));
                hops.push(Hop::same(
                    Place::Underlay,
                    Action::Forward {
                        via: format!("underlay, unencapsulated, to {dst_ip}"),
                    },
                    packet,
                ));
            }
            Transport::DirectRoutes => {
                hops.push(Hop::same(
                    node(from),
                    Action::Route {
                        route: format!("{block} via {dst_ip} dev eth0"),
                    },
                    packet,
                ));
                hops.push(Hop::same(
                    Place::Underlay,
                    Action::Forward {
                        via: format!("shared segment, unencapsulated, to {dst_ip}"),
                    },
                    packet,
                ));
            }
            Transport::HostRoutes => {
                hops.push(Hop::same(
                    node(from),
                    Action::Route {
                        route: format!(
                            "default via the network gateway dev eth0 ({block} is not local)"
                        ),
                    },
                    packet,
                ));
                if let Cloud::Aws(aws) = &self.profile.cloud {
                    if !aws.route_controller {
                        return (
                            hops,
                            Some(format!(
                                "the VPC route table has no route for {block}: the CCM route controller is off (--configure-cloud-routes=false)"
                            )),
                        );
                    }
                    if self.nodes.len() > aws.route_table_limit as usize {
                        return (
                            hops,
                            Some(format!(
                                "{} node routes exceed the VPC route table limit of {}",
                                self.nodes.len(),
                                aws.route_table_limit
                            )),
                        );
                    }
                    hops.push(Hop::same(
                        Place::Cloud("VPC route table".into()),
                        Action::Route {
                            route: format!(
                                "{block} -> instance of node `{to}` (added by the route controller)"
                            ),
                        },
                        packet,
                    ));
                } else {
                    hops.push(Hop::same(Place::Underlay, Action::Forward {
                        via: format!("the network's static route {block} via {dst_ip} (kubenet expects one per node)"),
                    }, packet));
                }
            }
            Transport::VpcNative => {
                hops.push(Hop::same(
                    node(from),
                    Action::Route {
                        route: format!(
                            "{} via the VPC (ENI secondary address of node `{to}`)",
                            packet.dst
                        ),
                    },
                    packet,
                ));
                hops.push(Hop::same(
                    Place::Cloud("VPC".into()),
                    Action::Forward {
                        via: format!("VPC delivers {} to the ENI of {dst_ip}", packet.dst),
                    },
                    packet,
                ));
            }
        }
        (hops, None)
    }

    /// Whether traffic from a pod to `dst` leaves with its node's address:
    /// everything outside the cluster CIDRs and the non-masquerade ranges
    /// (and, for VPC-native CNIs, outside the VPC).
    pub fn masquerades(&self, dst: IpAddr) -> bool {
        let keep = self.profile.cluster_cidrs.iter().any(|c| c.contains(&dst))
            || self.profile.non_masquerade.iter().any(|c| c.contains(&dst))
            || match &self.profile.cloud {
                Cloud::Aws(aws) if self.profile.cni.vpc_native() => aws.vpc_cidr.contains(&dst),
                _ => false,
            };
        !keep
    }
}
