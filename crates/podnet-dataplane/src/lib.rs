//! podnet's dataplane model: what happens to a packet, not only whether
//! policy allows it.
//!
//! [`Dataplane::build`] completes the cluster the manifests describe with
//! what a running cluster adds: a profile ([`podnet_model::Profile`]), nodes
//! (declared, or [`assumed`] when the inputs declare none), a node for every
//! pod that fits one ([`schedule`], [`placement`]), addresses ([`ipam`], [`vips`]),
//! Service backends ([`services`]), DNS ([`dns`]), load balancers ([`lb`]).
//! [`trace`] follows one connection hop by hop and asks the engine for the
//! policy verdicts (docs/architecture.md: the dataplane has no policy semantics of its
//! own).

pub mod addr;
pub mod assumed;
pub mod connectivity;
pub mod dns;
pub mod fronts;
pub mod gateway_match;
pub mod gateway_select;
pub mod ipam;
pub mod issue;
pub mod kube_proxy;
pub mod lb;
pub mod networks;
pub mod nodes;
pub mod overlap;
pub mod placement;
pub mod routing;
pub mod schedule;
pub mod service_cidrs;
pub mod services;
pub mod trace;
pub mod vips;

use std::net::IpAddr;

use podnet_model::{Cluster, PodId, Profile, ProfileSpec, ServiceId};

pub use assumed::{AssumedNodes, AssumedPool, Assumptions};
pub use connectivity::Networks;
pub use ipam::{AddressOrigin, BlockUse, PodAddresses, PodIpam, PoolUse};
pub use issue::{Found, Issue};
pub use nodes::{NodeInfo, NodeOrigin};
pub use placement::{PlacementFailure, Rejection, UnplacedPod};
pub use services::Backend;

pub use trace::{Trace, TraceError, TraceFrom, TraceRequest, TraceTo, trace};
pub use vips::ServiceAddresses;

/// How to read what the inputs leave open (docs/semantics.md, "Choices
/// podnet makes"); the defaults are podnet's choices.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DataplaneOptions {
    /// How policies treat host-network pods (`--host-network`).
    pub host_network: podnet_model::HostNetworkMode,
    /// Which pod addresses exist (`--pod-addresses`).
    pub pod_addresses: PodAddresses,
}

/// The cluster as it runs: scheduled, addressed, with Service addresses.
#[derive(Clone, Debug)]
pub struct Dataplane {
    /// The profile in effect.
    pub profile: Profile,
    /// The cluster with DaemonSets expanded, pods on nodes and addressed.
    pub cluster: Cluster,
    /// Nodes, sorted by name.
    pub nodes: Vec<NodeInfo>,
    /// Pod blocks, pools and pod addresses.
    pub ipam: PodIpam,
    /// ClusterIPs and NodePorts.
    pub services: ServiceAddresses,
    /// Per Service, its load-balancer assignment (LoadBalancer Services).
    pub lb: Vec<Option<lb::LbAssignment>>,
    /// Where traffic from outside enters: the ingress controller, an ALB,
    /// Gateways.
    pub fronts: Vec<fronts::Front>,
    /// Every Ingress, Route, HTTPRoute and GRPCRoute backend resolved to pods.
    pub routes: Vec<fronts::Route>,
    /// Cross-namespace Gateway API references no ReferenceGrant permits.
    pub refused: Vec<fronts::RefusedReference>,
    /// Per Multus network (in `cluster.networks` order), its attachments
    /// and their addresses.
    pub secondary: Vec<networks::SecondaryAddresses>,
    /// Problems found while building, and what was assumed (info).
    pub issues: Vec<Issue>,
    /// What podnet assumed where the inputs say nothing.
    pub assumed: Assumptions,
    /// The pods no node took (in the cluster without a node or address).
    pub unplaced: Vec<UnplacedPod>,
    /// Pods by namespace id.
    pods_by_ns: Vec<Vec<PodId>>,
}

impl Dataplane {
    /// Builds the running cluster from `cluster`, with `profile` (a
    /// `--profile` file's) over the one in the input over the default.
    pub fn build(cluster: &Cluster, profile: Option<&ProfileSpec>) -> Dataplane {
        Self::build_with(cluster, profile, DataplaneOptions::default())
    }

    /// [`Dataplane::build`] reading what the inputs leave open as
    /// `options` say.
    pub fn build_with(
        cluster: &Cluster,
        profile: Option<&ProfileSpec>,
        options: DataplaneOptions,
    ) -> Dataplane {
        let spec = profile
            .or(cluster.profile.as_ref())
            .cloned()
            .unwrap_or_default();
        let mut profile = podnet_manifest::presets::resolve(&spec);
        let mut issues = Vec::new();
        issues.extend(overlap::check(cluster, &profile));
        service_cidrs::merge(
            cluster,
            spec.service_cidrs.is_some(),
            &mut profile,
            &mut issues,
        );
        let mut merged = cluster.clone();
        issues.extend(fronts::gateways::merge_listener_sets(&mut merged));
        let (declared, added) = fronts::add_missing(merged, &profile);
        let (nodes, scheduled, assumed_nodes) = if nodes::declared(cluster, spec.nodes.is_some()) {
            let nodes = nodes::merge_nodes(&declared, &profile, spec.nodes.is_some(), &mut issues);
            let scheduled = schedule::schedule(&declared, &nodes);
            (nodes, scheduled, None)
        } else {
            let (nodes, scheduled, assumed) = assumed::place(&declared, &profile, &mut issues);
            (nodes, scheduled, Some(assumed))
        };
        let widened_cidrs = if spec.cluster_cidrs.is_none() {
            let avoid: Vec<podnet_model::IpSet> = overlap::ranges(cluster, &profile)
                .into_iter()
                .filter(|r| r.kind != overlap::RangeKind::ClusterCidr)
                .map(|r| r.set)
                .collect();
            assumed::widen_cluster_cidrs(&mut profile, nodes.len(), &avoid)
        } else {
            Vec::new()
        };
        let assumed = Assumptions {
            nodes: assumed_nodes,
            widened_cidrs,
        };
        issues.extend(assumed::info(&profile, &assumed));
        issues.extend(schedule::unplaced_issues(
            &scheduled.cluster,
            &scheduled.unplaced,
        ));
        issues.extend(schedule::overloaded(&nodes, &scheduled.load));
        let unplaced = scheduled.unplaced;
        let mut running = scheduled.cluster;
        running.host_network_mode = options.host_network;
        // Node blocks come from the cluster CIDRs: when the profile writes
        // them, every pod address is inside them, assumed or real.
        if spec.cluster_cidrs.is_some() && !profile.cni.vpc_native() {
            running.pod_cidrs.clone_from(&profile.cluster_cidrs);
        }
        let ipam = ipam::allocate(
            &running,
            &profile,
            &nodes,
            options.pod_addresses,
            &mut issues,
        );
        for ((pod, ips), origin) in running
            .pods
            .iter_mut()
            .zip(&ipam.pod_ips)
            .zip(&ipam.origins)
        {
            pod.ips.clone_from(ips);
            pod.ips_assumed = match origin {
                AddressOrigin::NodeBlock | AddressOrigin::VpcSubnet(_) => true,
                AddressOrigin::HostNetwork => pod.node_name.as_ref().is_none_or(|n| {
                    nodes
                        .iter()
                        .all(|node| &node.name != n || node.source.is_none())
                }),
                AddressOrigin::Status
                | AddressOrigin::Pool(_)
                | AddressOrigin::Unassigned
                | AddressOrigin::Undeclared => false,
            };
        }
        // Every node, not only Node objects, for policies that select nodes.
        running.nodes = nodes
            .iter()
            .zip(&ipam.node_blocks)
            .map(|(n, blocks)| n.to_model(blocks, profile.meta.as_ref()))
            .collect();
        let secondary: Vec<networks::SecondaryAddresses> = running
            .networks
            .iter()
            .map(|n| {
                let network = podnet_model::NetworkRef::new(
                    running.namespace(n.namespace).name.clone(),
                    n.name.clone(),
                );
                networks::secondary_addresses(&running, &network)
            })
            .collect();
        for s in &secondary {
            issues.extend(s.issues.iter().cloned());
        }
        let services = vips::allocate(&running, &profile, &mut issues);
        let lb = lb::assign(&running, &profile, &mut issues);
        let mut pods_by_ns = vec![Vec::new(); running.namespaces.len()];
        for id in running.pod_ids() {
            pods_by_ns[running.pod(id).namespace.index()].push(id);
        }
        let fronts = fronts::fronts(&running, &profile, &nodes, &added);
        let mut dp = Dataplane {
            profile,
            cluster: running,
            nodes,
            ipam,
            services,
            lb,
            fronts,
            routes: Vec::new(),
            refused: Vec::new(),
            secondary,
            issues,
            assumed,
            unplaced,
            pods_by_ns,
        };
        let (routes, route_issues) = fronts::routes(&dp);
        dp.routes = routes;
        dp.issues.extend(route_issues);
        dp.refused = fronts::grants::refused(&dp.cluster);
        dp.issues
            .extend(fronts::grants::certificate_issues(&dp.cluster, &dp.refused));
        dp
    }

    /// The backends of each port of a Service.
    pub fn backends(&self, id: ServiceId) -> Vec<Vec<Backend>> {
        let ns = self.cluster.services[id.index()].namespace;
        services::backends(&self.cluster, &self.pods_by_ns[ns.index()], id)
    }

    /// The pods serving each port of a Service, with their target port:
    /// the serving [`Dataplane::backends`], and the pods whose address the
    /// input does not state (`--pod-addresses=declared`), which serve all
    /// the same.
    pub fn serving_pods(&self, id: ServiceId) -> Vec<Vec<(PodId, u16)>> {
        let ns = self.cluster.services[id.index()].namespace;
        let unstated =
            services::unstated_backends(&self.cluster, &self.pods_by_ns[ns.index()], id, |p| {
                self.ipam.origins[p.index()] == AddressOrigin::Undeclared
            });
        self.backends(id)
            .into_iter()
            .zip(unstated)
            .map(|(backends, unstated)| {
                let mut pods: Vec<(PodId, u16)> = backends
                    .iter()
                    .filter(|b| b.serving)
                    .filter_map(|b| b.pod.map(|p| (p, b.port)))
                    .collect();
                pods.dedup();
                pods.extend(unstated);
                pods
            })
            .collect()
    }

    /// The node called `name`.
    pub fn node(&self, name: &str) -> Option<&NodeInfo> {
        self.nodes
            .binary_search_by(|n| n.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.nodes[i])
    }

    /// The pod holding `ip`.
    pub fn pod_by_ip(&self, ip: IpAddr) -> Option<PodId> {
        self.cluster
            .pod_ids()
            .find(|&p| !self.cluster.pod(p).host_network && self.cluster.pod(p).ips.contains(&ip))
    }

    /// The node holding `ip` as an internal or external address.
    pub fn node_by_ip(&self, ip: IpAddr) -> Option<&NodeInfo> {
        self.nodes
            .iter()
            .find(|n| n.internal_ips.contains(&ip) || n.external_ips.contains(&ip))
    }

    /// The Service whose ClusterIP is `ip`.
    pub fn service_by_ip(&self, ip: IpAddr) -> Option<ServiceId> {
        self.services
            .cluster_ips
            .iter()
            .position(|ips| ips.contains(&ip))
            .map(ServiceId::from_index)
    }

    /// Whether `ip` is inside the pod network (a cluster CIDR or, for
    /// VPC-native CNIs, a pod's address).
    pub fn in_pod_network(&self, ip: IpAddr) -> bool {
        if self.profile.cni.vpc_native() {
            // Pods share the VPC's subnets with every other host there.
            return self.pod_by_ip(ip).is_some();
        }
        self.profile.cluster_cidrs.iter().any(|c| c.contains(&ip))
    }
}
