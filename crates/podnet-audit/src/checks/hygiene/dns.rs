//! PN2005: pods isolated for egress whose resolver cannot reach the cluster
//! DNS on UDP 53 or TCP 53. Pods with `dnsPolicy: ClusterFirst` (or
//! `ClusterFirstWithHostNet`) send their queries to the DNS Service, which
//! kube-proxy sends on to the DNS pods; egress policy judges the
//! connection to the pod (docs "DNS for Services and Pods", Pod's DNS
//! Policy).
//!
//! When the input has the DNS pods (the backends of `kube-system/kube-dns`,
//! or pods labelled `k8s-app=kube-dns`), the engine's verdict to each
//! decides, with every policy tier. When it has none (manifests rarely
//! include kube-system), the egress rules are matched against the pod every
//! cluster runs: namespace `kube-system`, labels `k8s-app=kube-dns`,
//! container ports `dns` (UDP 53) and `dns-tcp` (TCP 53), an address in the
//! cluster CIDR; then NetworkPolicy alone decides, and the check stays
//! quiet when cluster-scoped tiers have egress rules.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use podnet_engine::identity::IdentityId;
use podnet_model::cluster::NAMESPACE_NAME_LABEL;
use podnet_model::policy::PeerKind;
use podnet_model::{
    ContainerPort, DnsPolicy, IpSet, Labels, NamespaceScope, Protocol, ServiceId, WorkloadId,
};

use super::EGRESS_BLOCKS_DNS;
use crate::checks::support::{policy_subjects, synthesised, workload_subject};
use crate::context::Context;
use crate::finding::{Finding, Rule, Severity};
use crate::found::{Found, HygieneFound};
use crate::registry::Check;

/// The DNS Service's namespace and name.
const DNS_SERVICE: (&str, &str) = ("kube-system", "kube-dns");

/// The label of the cluster DNS pods (kubeadm's CoreDNS, kube-dns).
const DNS_LABEL: (&str, &str) = ("k8s-app", "kube-dns");

/// The DNS port.
const DNS_PORT: u16 = 53;

/// PN2005.
pub struct EgressBlocksDns;

/// A DNS pod identity, a protocol and the port it answers on.
type Target = (IdentityId, Protocol, u16);

impl Check for EgressBlocksDns {
    fn rules(&self) -> &'static [Rule] {
        &[EGRESS_BLOCKS_DNS]
    }

    fn run(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let cluster = ctx.cluster();
        let engine = ctx.engine;
        let targets = dns_targets(ctx);
        let stand_in = targets.is_empty();
        if stand_in && cluster.admin_policies.iter().any(|a| !a.egress.is_empty()) {
            return;
        }
        let mut isolating: HashMap<IdentityId, Vec<String>> = HashMap::new();
        for policy in cluster.policies.iter().filter(|p| p.affects_egress) {
            for s in policy_subjects(ctx, policy) {
                isolating
                    .entry(s)
                    .or_default()
                    .push(policy.meta.qualified_name());
            }
        }
        let skip = synthesised(ctx);
        // Per workload: UDP missing, TCP missing, isolating policies,
        // isolated by admin policies only.
        let mut per_workload: BTreeMap<WorkloadId, (bool, bool, BTreeSet<String>, bool)> =
            BTreeMap::new();
        for (s, id) in engine.identities().list.iter().enumerate() {
            let admin = engine.compiled().admin.egress.applies(s);
            if id.host_network || !(engine.compiled().egress.isolated[s] || admin) {
                continue;
            }
            let (udp, tcp) = if stand_in {
                stand_in_missing(ctx, s)
            } else {
                (
                    missing(ctx, s, &targets, Protocol::Udp),
                    missing(ctx, s, &targets, Protocol::Tcp),
                )
            };
            if !udp && !tcp {
                continue;
            }
            for &p in &id.pods {
                let pod = cluster.pod(p);
                let cluster_dns = matches!(
                    pod.net.dns_policy,
                    DnsPolicy::ClusterFirst | DnsPolicy::ClusterFirstWithHostNet
                );
                if !cluster_dns || skip.contains(&pod.workload) {
                    continue;
                }
                let entry = per_workload.entry(pod.workload).or_default();
                entry.0 |= udp;
                entry.1 |= tcp;
                entry
                    .2
                    .extend(isolating.get(&s).into_iter().flatten().cloned());
                entry.3 |= admin && !isolating.contains_key(&s);
            }
        }
        for (w, (udp, tcp, policies, admin)) in per_workload {
            let finding = Finding::new(
                &EGRESS_BLOCKS_DNS,
                workload_subject(cluster, w),
                Found::Hygiene(HygieneFound::EgressBlocksDns {
                    policies,
                    admin,
                    udp,
                    tcp,
                    stand_in,
                }),
            );
            out.push(if udp {
                finding
            } else {
                finding.with_severity(Severity::Warning)
            });
        }
    }
}

/// The DNS pods of the input with the port each answers on, per protocol:
/// the serving backends of `kube-system/kube-dns`' port 53, else the pods
/// labelled `k8s-app=kube-dns` on 53.
fn dns_targets(ctx: &Context<'_>) -> Vec<Target> {
    let cluster = ctx.cluster();
    let ids = ctx.engine.identities();
    let mut out: BTreeSet<Target> = BTreeSet::new();
    let service = cluster.services.iter().position(|s| {
        cluster.namespace(s.namespace).name == DNS_SERVICE.0 && s.meta.name == DNS_SERVICE.1
    });
    if let Some(i) = service {
        let backends = ctx.dp.backends(ServiceId::from_index(i));
        for (port, per_port) in cluster.services[i].ports.iter().zip(&backends) {
            if port.port != DNS_PORT || port.protocol == Protocol::Sctp {
                continue;
            }
            for b in per_port.iter().filter(|b| b.serving) {
                if let Some(pod) = b.pod {
                    out.insert((ids.of_pod[pod.index()], port.protocol, b.port));
                }
            }
        }
    }
    if out.is_empty() {
        for (m, member) in ids.members.list.iter().enumerate() {
            let labels = &cluster.label_sets[member.labels.index()];
            if !member.host_network && labels.get(DNS_LABEL.0) == Some(DNS_LABEL.1) {
                let i = ids.of_member[m];
                out.insert((i, Protocol::Udp, DNS_PORT));
                out.insert((i, Protocol::Tcp, DNS_PORT));
            }
        }
    }
    out.into_iter().collect()
}

/// Whether `src` misses some DNS target of `protocol` (every DNS pod must
/// answer: kube-proxy may pick any).
fn missing(ctx: &Context<'_>, src: IdentityId, targets: &[Target], protocol: Protocol) -> bool {
    targets
        .iter()
        .filter(|t| t.1 == protocol)
        .any(|&(dst, proto, port)| !ctx.engine.pair(src, dst).allows(proto, port))
}

/// UDP and TCP missing towards the stand-in DNS pod, by NetworkPolicy.
fn stand_in_missing(ctx: &Context<'_>, src: IdentityId) -> (bool, bool) {
    let engine = ctx.engine;
    let cluster = ctx.cluster();
    if !engine.compiled().egress.isolated[src] {
        return (false, false);
    }
    let ns_labels = cluster
        .namespace_by_name(DNS_SERVICE.0)
        .map(|n| cluster.namespace(n).labels.clone())
        .unwrap_or_else(|| {
            let mut l = Labels::new();
            l.insert(NAMESPACE_NAME_LABEL, DNS_SERVICE.0);
            l
        });
    let mut pod_labels = Labels::new();
    pod_labels.insert(DNS_LABEL.0, DNS_LABEL.1);
    let ports = [("dns", Protocol::Udp), ("dns-tcp", Protocol::Tcp)].map(|(name, protocol)| {
        ContainerPort {
            name: Some(name.to_owned()),
            port: DNS_PORT,
            protocol,
        }
    });
    let pod_network = ctx
        .dp
        .profile
        .cluster_cidrs
        .iter()
        .fold(IpSet::empty(), |s, c| s.union(&IpSet::from_net(c)));
    let mut allowed = podnet_model::Conns::none();
    for &r in &engine.compiled().egress.rules[src] {
        let compiled = &engine.compiled().rules[r];
        let policy = &cluster.policies[compiled.policy.index()];
        let Some(rule) = policy.rules(compiled.direction).get(compiled.index) else {
            continue;
        };
        let matches = rule.peers.is_empty()
            || rule.peers.iter().any(|peer| match &peer.kind {
                PeerKind::Pods { namespaces, pods } => {
                    let ns = match namespaces {
                        NamespaceScope::PolicyNamespace => {
                            cluster.namespace(policy.namespace).name == DNS_SERVICE.0
                        }
                        NamespaceScope::Selected(sel) => sel.matches(&ns_labels),
                    };
                    ns && pods.matches(&pod_labels)
                }
                PeerKind::IpBlock(block) => {
                    !pod_network.is_empty() && pod_network.is_subset(&block.addresses)
                }
            });
        if matches {
            allowed.add(&compiled.ports.on_pod(&ports));
        }
    }
    (
        !allowed.allows(Protocol::Udp, DNS_PORT),
        !allowed.allows(Protocol::Tcp, DNS_PORT),
    )
}
