//! IPAM checks (PN4xxx): address ranges that overlap, pools and node blocks
//! too small for what draws from them, static addresses taken twice or
//! landing on a gateway or reserved address, and one VLAN carrying two
//! subnets (tenants' dedicated pools; per-node blocks). The
//! dataplane allocates (`ipam`, `overlap::ranges`, `networks`); these
//! checks read its results and say what to change.

mod capacity;
mod ranges;
mod statics;

use podnet_dataplane::Dataplane;
use podnet_model::{Cluster, PodId, PodOrigin};

use crate::context::Context;
use crate::finding::{Finding, Rule, Severity, Subject};
use crate::registry::Check;

/// PN4001: two address ranges share addresses.
pub const OVERLAP: Rule = Rule {
    code: "PN4001",
    name: "address-ranges-overlap",
    short: "address ranges that share addresses",
    full: "The cluster (pod) CIDR, the service CIDR, the nodes' and the VPC's addresses, MetalLB pools, static pools (Calico and Robin IPPools) and the ranges of Multus secondary networks must not share addresses: a packet to a shared address may be taken for a pod, a Service VIP or a node, and two allocators may hand the same address out twice. Tenants' dedicated pools (172.20.0.0/16, 172.21.0.0/16) must stay disjoint.",
    help: "keep the ranges disjoint: move or shrink one of them",
    severity: Severity::Error,
};

/// PN4002: a static pool cannot give every pod drawing from it an address.
pub const POOL_EXHAUSTED: Rule = Rule {
    code: "PN4002",
    name: "ip-pool-exhausted",
    short: "static IP pool smaller than the replicas that draw from it",
    full: "Pods that ask a static pool for an address (Calico ipv4pools/ipv6pools, Robin robin.io/networks ippool) get none once its ranges are used up, and stay in ContainerCreating. A pool that is exactly full leaves no room for the surge pod of a rolling update.",
    help: "add a range to the pool or lower the replicas drawing from it",
    severity: Severity::Error,
};

/// PN4003: a node's pod block holds fewer addresses than its maxPods.
pub const BLOCK_TOO_SMALL: Rule = Rule {
    code: "PN4003",
    name: "node-block-smaller-than-max-pods",
    short: "per-node pod block smaller than the node's maxPods",
    full: "Each node hands its pods addresses from its block of the cluster CIDR (host-local: the block minus the network, gateway and broadcast addresses). When the block holds fewer addresses than the kubelet's maxPods, the scheduler keeps placing pods the node cannot address.",
    help: "use a shorter node mask (nodeMaskSizeIPv4/IPv6, kube-controller-manager --node-cidr-mask-size) or lower maxPods",
    severity: Severity::Warning,
};

/// PN4004: the cluster CIDR has fewer node blocks than there are nodes.
pub const CLUSTER_CIDR_TOO_SMALL: Rule = Rule {
    code: "PN4004",
    name: "cluster-cidr-too-small",
    short: "cluster CIDR with fewer node blocks than nodes",
    full: "The node IPAM controller cuts the cluster CIDR into blocks of the node mask size, one per node. When there are more nodes than blocks, the nodes left over get no pod CIDR and none of their pods gets an address.",
    help: "widen the cluster CIDR or lengthen the node mask",
    severity: Severity::Error,
};

/// PN4005: one static address requested by several pods.
pub const DUPLICATE_STATIC: Rule = Rule {
    code: "PN4005",
    name: "duplicate-static-address",
    short: "static address requested or reported by more than one pod",
    full: "A static address (Calico cni.projectcalico.org/ipAddrs, Robin staticip, a Multus network's requested ips, status.podIP) fits one pod. A second pod asking for it does not start, or, on a secondary network, both answer ARP for it. A workload with several replicas and one static address in its template asks for it once per replica.",
    help: "give each pod its own address: one per replica (a StatefulSet with per-pod annotations), or draw from a pool",
    severity: Severity::Error,
};

/// PN4006: a static address that its pool never hands out.
pub const RESERVED_ASSIGNED: Rule = Rule {
    code: "PN4006",
    name: "reserved-address-assigned",
    short: "static address on a gateway, reserved, network or broadcast address",
    full: "Pools keep some addresses back: the gateway, the reserved list (Robin's .1 and .254), the network and broadcast addresses, excluded ranges of a secondary network, the nodes' own addresses. A pod given one of them collides with the router or the node, and the IPAM plugin refuses it.",
    help: "pick an address inside the pool's ranges that is not its gateway nor reserved",
    severity: Severity::Error,
};

/// PN4007: one VLAN id on two different subnets.
pub const VLAN_SUBNETS: Rule = Rule {
    code: "PN4007",
    name: "vlan-on-several-subnets",
    short: "one VLAN carrying two different subnets",
    full: "A VLAN is one broadcast domain, normally one subnet: Robin IPPools and Multus networks (SR-IOV, OVS, macvlan) that tag the same VLAN id with disjoint subnets put two tenants' traffic on one segment, or one of the VLAN ids is mistyped.",
    help: "give each subnet its own VLAN id, or put both on one subnet",
    severity: Severity::Warning,
};

const RULES: &[Rule] = &[
    OVERLAP,
    POOL_EXHAUSTED,
    BLOCK_TOO_SMALL,
    CLUSTER_CIDR_TOO_SMALL,
    DUPLICATE_STATIC,
    RESERVED_ASSIGNED,
    VLAN_SUBNETS,
];

/// The IPAM checks.
pub struct Ipam;

impl Check for Ipam {
    fn rules(&self) -> &'static [Rule] {
        RULES
    }

    fn run(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        ranges::overlaps(ctx.dp, out);
        ranges::vlans(ctx.dp, out);
        capacity::pools(ctx.dp, out);
        capacity::node_blocks(ctx.dp, out);
        capacity::cluster_cidrs(ctx.dp, out);
        statics::duplicates(ctx.dp, out);
        statics::reserved(ctx.dp, out);
    }
}

/// The profile, as a subject.
fn profile_subject(dp: &Dataplane) -> Subject {
    match &dp.profile.meta {
        Some(meta) => Subject::of(meta),
        None => Subject::named("ClusterProfile", None, &dp.profile.label()),
    }
}

/// A node, as a subject: its Node object, else the profile that declares it.
fn node_subject(dp: &Dataplane, node: usize) -> Subject {
    let n = &dp.nodes[node];
    Subject {
        kind: "Node".to_owned(),
        namespace: None,
        name: n.name.clone(),
        source: n.source.clone().or(profile_subject(dp).source),
    }
}

/// A pod, as a subject: its Pod object, else its workload.
fn pod_subject(cluster: &Cluster, pod: PodId) -> Subject {
    let p = cluster.pod(pod);
    let ns = cluster.namespace(p.namespace).name.clone();
    match &p.origin {
        PodOrigin::Object(source) => Subject {
            kind: "Pod".to_owned(),
            namespace: Some(ns),
            name: p.name.clone(),
            source: Some(source.clone()),
        },
        PodOrigin::Template { .. } => {
            let w = cluster.workload(p.workload);
            Subject {
                kind: w.kind.as_str().to_owned(),
                namespace: Some(ns),
                name: w.name.clone(),
                source: w.source.clone(),
            }
        }
    }
}
