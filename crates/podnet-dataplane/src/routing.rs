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
use crate::trace::{
    Action, CloudPart, DropReason, Encapsulation, ForwardVia, Hop, Packet, Place, RouteStep,
};

impl Dataplane {
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
    pub fn cross_nodes(
        &self,
        from: &str,
        to: &str,
        packet: &Packet,
    ) -> (Vec<Hop>, Option<DropReason>) {
        let mut hops = Vec::new();
        let (Some(src_ip), Some(dst_ip)) = (self.node_ip(from), self.node_ip(to)) else {
            return (
                hops,
                Some(DropReason::NodeWithoutAddress {
                    from: from.to_owned(),
                    to: to.to_owned(),
                }),
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
                let tunnel = Tunnel {
                    dev,
                    kind: Encapsulation::Vxlan(port),
                };
                tunnel.hops(&mut hops, (from, src_ip), (to, dst_ip), &block, packet);
            }
            Transport::IpInIp => {
                let tunnel = Tunnel {
                    dev: "tunl0",
                    kind: Encapsulation::IpInIp,
                };
                tunnel.hops(&mut hops, (from, src_ip), (to, dst_ip), &block, packet);
            }
            Transport::Bgp => unencapsulated(
                &mut hops,
                from,
                RouteStep::Bgp { block, via: dst_ip },
                ForwardVia::Unencapsulated(dst_ip),
                packet,
            ),
            Transport::DirectRoutes => unencapsulated(
                &mut hops,
                from,
                RouteStep::Direct { block, via: dst_ip },
                ForwardVia::SharedSegment(dst_ip),
                packet,
            ),
            Transport::HostRoutes => {
                hops.push(Hop::same(
                    node(from),
                    Action::Route {
                        route: RouteStep::DefaultGateway {
                            block: block.clone(),
                        },
                    },
                    packet,
                ));
                if let Cloud::Aws(aws) = &self.profile.cloud {
                    if let Some(gap) = self.vpc_route_gap(aws) {
                        return (hops, Some(DropReason::NoVpcRoute { block, gap }));
                    }
                    hops.push(Hop::same(
                        Place::Cloud(CloudPart::VpcRouteTable),
                        Action::Route {
                            route: RouteStep::VpcRouteTable {
                                block,
                                node: to.to_owned(),
                            },
                        },
                        packet,
                    ));
                } else {
                    hops.push(Hop::same(
                        Place::Underlay,
                        Action::Forward {
                            via: ForwardVia::StaticRoute { block, via: dst_ip },
                        },
                        packet,
                    ));
                }
            }
            Transport::VpcNative => {
                hops.push(Hop::same(
                    node(from),
                    Action::Route {
                        route: RouteStep::VpcNative {
                            dst: packet.dst,
                            node: to.to_owned(),
                        },
                    },
                    packet,
                ));
                hops.push(Hop::same(
                    Place::Cloud(CloudPart::Vpc),
                    Action::Forward {
                        via: ForwardVia::VpcToEni {
                            dst: packet.dst,
                            node_ip: dst_ip,
                        },
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

/// An encapsulating device: VXLAN or IP-in-IP.
struct Tunnel {
    /// The device the route points at (`flannel.1`, `tunl0`...).
    dev: &'static str,
    /// What encapsulation it is.
    kind: Encapsulation,
}

impl Tunnel {
    /// Route into the device, encapsulate, cross the underlay, decapsulate.
    fn hops(
        &self,
        hops: &mut Vec<Hop>,
        (from, src_ip): (&str, IpAddr),
        (to, dst_ip): (&str, IpAddr),
        block: &str,
        packet: &Packet,
    ) {
        let dev = self.dev;
        hops.push(Hop::same(
            Place::Node(from.to_owned()),
            Action::Route {
                route: RouteStep::Tunnel {
                    block: block.to_owned(),
                    via: dst_ip,
                    dev,
                },
            },
            packet,
        ));
        let outer = packet.encapsulated(src_ip, dst_ip, self.kind);
        hops.push(Hop::new(
            Place::Node(from.to_owned()),
            Action::Encapsulate { kind: self.kind },
            packet,
            &outer,
        ));
        hops.push(Hop::same(
            Place::Underlay,
            Action::Forward {
                via: ForwardVia::Underlay {
                    src: src_ip,
                    dst: dst_ip,
                },
            },
            &outer,
        ));
        hops.push(Hop::new(
            Place::Node(to.to_owned()),
            Action::Decapsulate {
                dev,
                kind: self.kind,
            },
            &outer,
            packet,
        ));
    }
}

/// A route on the sending node and an unencapsulated crossing.
fn unencapsulated(
    hops: &mut Vec<Hop>,
    from: &str,
    route: RouteStep,
    via: ForwardVia,
    packet: &Packet,
) {
    hops.push(Hop::same(
        Place::Node(from.to_owned()),
        Action::Route { route },
        packet,
    ));
    hops.push(Hop::same(Place::Underlay, Action::Forward { via }, packet));
}
