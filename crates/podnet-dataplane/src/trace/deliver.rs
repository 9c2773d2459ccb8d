//! The ends of a trace's branches: delivery to a pod (the policy checks on
//! both sides, routing between nodes), to a node's host network, or out of
//! the cluster (masquerade), and drops.

use podnet_engine::Endpoint;
use podnet_engine::semantics::{evaluate, from_own_node};
use podnet_model::{Direction, PodId};

use super::tracer::{Origin, Tracer};
use super::{
    Action, Branch, DropReason, ForwardVia, Hop, Outcome, Packet, PathLabel, Place, RouteStep,
    SnatReason,
};

impl Tracer<'_> {
    /// From `at` (a node, where the packet is now) to pod `dst`.
    pub(super) fn to_pod(
        &self,
        origin: &Origin,
        at: Option<&str>,
        packet: Packet,
        dst: PodId,
        mut hops: Vec<Hop>,
        label: PathLabel,
    ) -> Branch {
        let dp = self.dp;
        let c = &dp.cluster;
        let dst_pod = c.pod(dst);
        let dst_node = dst_pod.node_name.clone().unwrap_or_default();
        // Ingress sees the packet's source after any SNAT; the source pod's
        // egress is checked on its node before the SNAT.
        let policy_pod = origin.policy_pod(c);
        let src_ep = match policy_pod {
            Some(p) if packet.src == origin.ip => Endpoint::Pod(p),
            _ => Endpoint::External(packet.src),
        };
        let verdict = evaluate(c, src_ep, Endpoint::Pod(dst));
        let egress = match policy_pod {
            Some(p) if src_ep != Endpoint::Pod(p) => {
                Some(evaluate(c, Endpoint::Pod(p), Endpoint::Pod(dst)).egress)
            }
            Some(_) => Some(verdict.egress.clone()),
            None => None,
        };
        let proto = packet.protocol;
        let here = at
            .map(str::to_owned)
            .or_else(|| origin.node.clone())
            .unwrap_or_default();
        // Egress of the source pod, enforced on its node.
        if let (Some(egress), Some(src)) = (egress, policy_pod) {
            let allowed = egress.allowed.allows(proto, packet.port);
            hops.push(Hop::same(
                Place::Node(origin.node.clone().unwrap_or_default()),
                Action::Policy {
                    direction: Direction::Egress,
                    subject: src,
                    allowed,
                    side: Box::new(egress),
                    node_local: false,
                },
                &packet,
            ));
            if !allowed {
                return Branch {
                    label,
                    hops,
                    outcome: Outcome::Denied(Direction::Egress),
                };
            }
        }
        if origin.place == Place::Outside && at.is_none() {
            return Branch {
                label,
                hops: vec![Hop::same(
                    Place::Outside,
                    Action::Drop {
                        why: DropReason::PodFromOutside,
                    },
                    &packet,
                )],
                outcome: Outcome::Dropped(DropReason::PodFromOutside),
            };
        }
        if here != dst_node && !here.is_empty() {
            let (mut route, fail) = dp.cross_nodes(&here, &dst_node, &packet);
            hops.append(&mut route);
            if let Some(why) = fail {
                hops.push(Hop::same(
                    Place::Underlay,
                    Action::Drop { why: why.clone() },
                    &packet,
                ));
                return Branch {
                    label,
                    hops,
                    outcome: Outcome::Dropped(why),
                };
            }
        }
        let last_leg = if here == dst_node {
            Action::Route {
                route: RouteStep::Local {
                    dst: packet.dst,
                    node: dst_node.clone(),
                    cni: dp.profile.cni,
                },
            }
        } else {
            Action::Forward {
                via: ForwardVia::Veth(dst_node.clone()),
            }
        };
        hops.push(Hop::same(Place::Node(dst_node.clone()), last_leg, &packet));
        // From the destination's node (concept page: the only connections
        // into an isolated pod are "those from the pod's node" and those
        // its policies allow): a host-network source's own packet as the
        // engine judges that pod (`from_own_node`), any other packet by
        // the node's address.
        let node_local = match origin.host_pod.filter(|_| packet.src == origin.ip) {
            Some(h) => from_own_node(c, Endpoint::Pod(h), Endpoint::Pod(dst)),
            None => dp.node_ip(&dst_node) == Some(packet.src),
        };
        let allowed = node_local || verdict.ingress.allowed.allows(proto, packet.port);
        hops.push(Hop::same(
            Place::Node(dst_node.clone()),
            Action::Policy {
                direction: Direction::Ingress,
                subject: dst,
                allowed,
                side: Box::new(verdict.ingress.clone()),
                node_local,
            },
            &packet,
        ));
        if !allowed {
            return Branch {
                label,
                hops,
                outcome: Outcome::Denied(Direction::Ingress),
            };
        }
        let declared = dst_pod.host_network
            || c.pod_ports(dst)
                .iter()
                .any(|p| p.port == packet.port && p.protocol == proto);
        hops.push(Hop::same(
            Place::Pod(dst),
            Action::Deliver { declared },
            &packet,
        ));
        Branch {
            label,
            hops,
            outcome: Outcome::Delivered(dst),
        }
    }

    pub(super) fn to_node(&self, origin: &Origin, packet: &Packet, node: &str) -> Branch {
        let mut hops = Vec::new();
        self.leave_pod(origin, packet, &mut hops);
        // Egress to the pod's own node is judged like any address: the
        // concept page exempts only traffic *from* the node into the pod,
        // and `explain` and `connlist` judge it so.
        if !self.egress_off_pods(origin, packet, &mut hops) {
            return Branch {
                label: PathLabel::Node {
                    node: node.to_owned(),
                    host_network: None,
                },
                hops,
                outcome: Outcome::Denied(Direction::Egress),
            };
        }
        hops.push(Hop::same(
            Place::Node(node.to_owned()),
            Action::Deliver { declared: true },
            packet,
        ));
        Branch {
            label: PathLabel::Node {
                node: node.to_owned(),
                host_network: Some((packet.port, packet.protocol)),
            },
            hops,
            outcome: Outcome::ReachedNode(node.to_owned()),
        }
    }

    /// The source pod's egress check for an address no pod holds (a node,
    /// outside). Whether it passes (trivially when the source is no pod).
    fn egress_off_pods(&self, origin: &Origin, packet: &Packet, hops: &mut Vec<Hop>) -> bool {
        let Some(p) = origin.pod else { return true };
        let verdict = evaluate(
            &self.dp.cluster,
            Endpoint::Pod(p),
            Endpoint::External(packet.dst),
        );
        let allowed = verdict.egress.allowed.allows(packet.protocol, packet.port);
        hops.push(Hop::same(
            Place::Node(origin.node.clone().unwrap_or_default()),
            Action::Policy {
                direction: Direction::Egress,
                subject: p,
                allowed,
                side: Box::new(verdict.egress),
                node_local: false,
            },
            packet,
        ));
        allowed
    }

    /// To an address outside the pods; `send` when the packet still has to
    /// leave the source pod.
    pub(super) fn to_outside(&self, origin: &Origin, packet: &Packet, send: bool) -> Branch {
        let dp = self.dp;
        let mut hops = Vec::new();
        if send {
            self.leave_pod(origin, packet, &mut hops);
        }
        let label = PathLabel::Outside(packet.dst);
        if origin.pod.is_some() {
            if !self.egress_off_pods(origin, packet, &mut hops) {
                return Branch {
                    label,
                    hops,
                    outcome: Outcome::Denied(Direction::Egress),
                };
            }
            if dp.in_pod_network(packet.dst) {
                let why = DropReason::NoPodAtAddress(packet.dst);
                hops.push(Hop::same(
                    Place::Node(origin.node.clone().unwrap_or_default()),
                    Action::Drop { why: why.clone() },
                    packet,
                ));
                return Branch {
                    label,
                    hops,
                    outcome: Outcome::Dropped(why),
                };
            }
            if dp.masquerades(packet.dst)
                && let Some(ip) = origin.node.as_deref().and_then(|n| dp.node_ip(n))
            {
                let after = Packet {
                    src: ip,
                    ..packet.clone()
                };
                hops.push(Hop::new(
                    Place::Node(origin.node.clone().unwrap_or_default()),
                    Action::Snat {
                        why: SnatReason::Masquerade,
                    },
                    packet,
                    &after,
                ));
                hops.push(Hop::same(
                    Place::Outside,
                    Action::Forward {
                        via: ForwardVia::NodeEth0,
                    },
                    &after,
                ));
                return Branch {
                    label,
                    hops,
                    outcome: Outcome::LeftCluster,
                };
            }
        }
        hops.push(Hop::same(
            Place::Outside,
            Action::Forward {
                via: ForwardVia::Unchanged,
            },
            packet,
        ));
        Branch {
            label,
            hops,
            outcome: Outcome::LeftCluster,
        }
    }
}

/// A branch dropped where it starts.
pub(super) fn drop_branch(origin: &Origin, packet: &Packet, why: DropReason) -> Branch {
    Branch {
        label: PathLabel::Dropped,
        hops: vec![Hop::same(
            origin.place.clone(),
            Action::Drop { why: why.clone() },
            packet,
        )],
        outcome: Outcome::Dropped(why),
    }
}
