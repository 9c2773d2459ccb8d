//! Assembly: records from every document become one [`Cluster`]. Namespaces
//! get ids, pods are grouped under their top owner, workloads without live
//! pods get pods from their templates, and labels and port tables are
//! interned. Dataplane objects (nodes, endpoints, pools, the profile) are
//! kept by the [`Store`]. Admin policies (AdminNetworkPolicy,
//! BaselineAdminNetworkPolicy, ClusterNetworkPolicy) are cluster-scoped and
//! kept in input order; Ingresses and Routes, and Gateway API Gateways and
//! routes, are kept in input order and get their namespace ids as Services
//! do.

use std::collections::BTreeMap;

use podnet_model::cluster::NAMESPACE_NAME_LABEL;
use podnet_model::{
    AdminPolicy, Cluster, ContainerPort, LabelSetId, Labels, Namespace, NsId, Pod, PodId, PodNet,
    PodOrigin, PortTableId, ProfileSpec, Source, Workload, WorkloadId, WorkloadKind,
};

use super::records::{OwnerRef, PerPodLabels, PodShape, RawController, RawPod, Record};
use super::store::{self, Key, Store};
use crate::{Diagnostic, Location, Severity};

/// Hash maps keyed by input text, with a fast hasher seeded per process.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Labels a controller sets per pod or per revision: pods of one workload
/// that differ only in these are not "different" for the split warning.
const PER_POD_LABELS: [&str; 8] = [
    "pod-template-hash",
    "controller-revision-hash",
    "pod-template-generation",
    "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index",
    "batch.kubernetes.io/job-completion-index",
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
];

/// Most pods made from one template. Pods of a template are alike (but for
/// a StatefulSet's ordinal labels), so more would only cost memory; a
/// manifest may declare up to 2^31 replicas.
const MAX_TEMPLATE_PODS: u32 = 10_000;

/// Longest ownerReference chain followed (guards against cycles).
const MAX_OWNER_DEPTH: usize = 16;

/// Collects records, then builds the cluster.
#[derive(Default)]
pub struct Assembler {
    namespaces: BTreeMap<String, super::records::RawNamespace>,
    controllers: Vec<RawController>,
    /// Pods, taken one by one when the cluster is built.
    pods: Vec<Option<RawPod>>,
    policies: Vec<super::records::PendingPolicy>,
    services: Vec<super::records::PendingService>,
    exposures: Vec<super::records::PendingExposure>,
    gateways: Vec<super::records::PendingGateway>,
    listener_sets: Vec<super::records::PendingListenerSet>,
    gateway_routes: Vec<super::records::PendingGatewayRoute>,
    reference_grants: Vec<podnet_model::ReferenceGrant>,
    backend_tls_policies: Vec<podnet_model::BackendTlsPolicy>,
    admin: Vec<AdminPolicy>,
    intents: Vec<podnet_model::Intent>,
    multus: super::multus::store::MultusStore,
    governance: super::governance::store::GovernanceStore,
    store: Store,
    /// Every named object, in input order; one replaced by a later
    /// definition is `None`.
    named: Vec<Option<Record>>,
    /// Where each name was last defined: its source and place in `named`.
    seen: HashMap<Key, (Source, usize)>,
    diags: Vec<Diagnostic>,
}

fn source_location(s: &Source) -> Location {
    Location {
        file: s.file.clone(),
        document: Some(s.document),
        path: None,
        line: s.line,
        column: None,
    }
}

impl Assembler {
    /// Adds one record. A later object with the same kind, namespace and
    /// name replaces the earlier one, as a second `kubectl apply` would. A
    /// second `ClusterProfile` is an error: it is returned, and the record
    /// is dropped.
    pub fn add(&mut self, record: Record) -> Result<(), Box<Diagnostic>> {
        if let Record::Profile(p) = &record
            && let Some(first) = self.store.profile()
        {
            return Err(Box::new(second_profile(first, p)));
        }
        let (key, source) = match &record {
            Record::Namespace(n) => (
                (String::new(), "Namespace".into(), n.name.clone()),
                &n.source,
            ),
            Record::Controller(c) => (
                (c.namespace.clone(), c.kind.as_str().into(), c.name.clone()),
                &c.source,
            ),
            Record::Pod(p) => (
                (p.namespace.clone(), "Pod".into(), p.name.clone()),
                &p.source,
            ),
            Record::Policy(p) => (
                (
                    p.namespace.clone(),
                    "NetworkPolicy".into(),
                    p.policy.meta.name.clone(),
                ),
                &p.policy.meta.source,
            ),
            Record::Service(s) => (
                (
                    s.namespace.clone(),
                    "Service".into(),
                    s.service.meta.name.clone(),
                ),
                &s.service.meta.source,
            ),
            Record::Exposure(e) => (
                (
                    e.namespace.clone(),
                    e.exposure.meta.kind.clone(),
                    e.exposure.meta.name.clone(),
                ),
                &e.exposure.meta.source,
            ),
            Record::Gateway(g) => (
                (
                    g.namespace.clone(),
                    "Gateway".into(),
                    g.gateway.meta.name.clone(),
                ),
                &g.gateway.meta.source,
            ),
            Record::ListenerSet(l) => (
                (
                    l.namespace.clone(),
                    "ListenerSet".into(),
                    l.set.meta.name.clone(),
                ),
                &l.set.meta.source,
            ),
            Record::GatewayRoute(r) => (
                (
                    r.namespace.clone(),
                    r.route.meta.kind.clone(),
                    r.route.meta.name.clone(),
                ),
                &r.route.meta.source,
            ),
            Record::ReferenceGrant(g) => (
                (
                    g.meta.namespace.clone().unwrap_or_default(),
                    "ReferenceGrant".into(),
                    g.meta.name.clone(),
                ),
                &g.meta.source,
            ),
            Record::BackendTlsPolicy(p) => (
                (
                    p.meta.namespace.clone().unwrap_or_default(),
                    "BackendTLSPolicy".into(),
                    p.meta.name.clone(),
                ),
                &p.meta.source,
            ),
            Record::Admin(a) => (
                (String::new(), a.api.kind().into(), a.meta.name.clone()),
                &a.meta.source,
            ),
            Record::Intent(i) => (
                (String::new(), i.meta.kind.clone(), i.meta.name.clone()),
                &i.meta.source,
            ),
            other => match store::key(other)
                .or_else(|| super::multus::store::key(other))
                .or_else(|| super::governance::store::key(other))
            {
                Some(k) => k,
                None => {
                    self.store.add(record);
                    return Ok(());
                }
            },
        };
        let slot = self.named.len();
        if let Some((earlier, earlier_slot)) = self.seen.insert(key.clone(), (source.clone(), slot))
        {
            let (ns, kind, name) = &key;
            let what = if ns.is_empty() {
                format!("{kind} {name}")
            } else {
                format!("{kind} {ns}/{name}")
            };
            let mut d = Diagnostic::new(
                Severity::Warning,
                format!("{what} is defined twice; this definition replaces the one at {earlier}"),
            );
            d.location = Some(source_location(source));
            self.diags.push(d);
            // Dropped when the cluster is built: removing it from its list
            // now would cost a scan per duplicate.
            if let Some(replaced) = self.named.get_mut(earlier_slot) {
                *replaced = None;
            }
        }
        self.named.push(Some(record));
        Ok(())
    }

    /// Room for `n` more records.
    pub fn reserve(&mut self, n: usize) {
        self.named.reserve(n);
    }

    /// Files the named objects that were not replaced, in input order.
    fn file_named(&mut self) {
        let pods = self
            .named
            .iter()
            .filter(|r| matches!(r, Some(Record::Pod(_))))
            .count();
        self.pods.reserve(pods);
        for record in std::mem::take(&mut self.named).into_iter().flatten() {
            match record {
                Record::Namespace(n) => {
                    self.namespaces.insert(n.name.clone(), n);
                }
                Record::Controller(c) => self.controllers.push(c),
                Record::Pod(p) => self.pods.push(Some(p)),
                Record::Policy(p) => self.policies.push(p),
                Record::Service(s) => self.services.push(s),
                Record::Exposure(e) => self.exposures.push(e),
                Record::Gateway(g) => self.gateways.push(g),
                Record::ListenerSet(l) => self.listener_sets.push(l),
                Record::GatewayRoute(r) => self.gateway_routes.push(r),
                Record::ReferenceGrant(g) => self.reference_grants.push(g),
                Record::BackendTlsPolicy(p) => self.backend_tls_policies.push(p),
                Record::Admin(a) => self.admin.push(a),
                Record::Intent(i) => self.intents.push(i),
                other => {
                    if let Some(other) = self.multus.add(other)
                        && let Some(other) = self.governance.add(other)
                    {
                        self.store.add(other);
                    }
                }
            }
        }
    }

    /// Builds the cluster; returns it with the assembly's diagnostics.
    pub fn finish(mut self) -> (Cluster, Vec<Diagnostic>) {
        self.file_named();
        let Assembler {
            namespaces: declared,
            controllers,
            mut pods,
            mut policies,
            mut services,
            mut exposures,
            mut gateways,
            mut listener_sets,
            mut gateway_routes,
            reference_grants,
            backend_tls_policies,
            admin,
            intents,
            multus,
            governance,
            store,
            diags,
            ..
        } = self;
        let mut b = Builder {
            cluster: Cluster::default(),
            label_ids: HashMap::default(),
            port_ids: HashMap::default(),
            diags,
        };

        // Namespaces: declared ones and every one an object lives in.
        let mut names: BTreeMap<String, Option<Source>> = declared
            .iter()
            .map(|(n, raw)| (n.clone(), Some(raw.source.clone())))
            .collect();
        let referenced = controllers
            .iter()
            .map(|c| &c.namespace)
            .chain(pods.iter().flatten().map(|p| &p.namespace))
            .chain(policies.iter().map(|p| &p.namespace))
            .chain(services.iter().map(|s| &s.namespace))
            .chain(exposures.iter().map(|e| &e.namespace))
            .chain(gateways.iter().map(|g| &g.namespace))
            .chain(listener_sets.iter().map(|l| &l.namespace))
            .chain(gateway_routes.iter().map(|r| &r.namespace))
            .chain(multus.namespaces())
            .chain(governance.namespaces());
        for ns in referenced {
            names.entry(ns.clone()).or_insert(None);
        }
        let mut ns_ids = std::collections::HashMap::new();
        for (i, (name, source)) in names.into_iter().enumerate() {
            let mut labels = declared
                .get(&name)
                .map(|n| n.labels.clone())
                .unwrap_or_default();
            labels.insert(NAMESPACE_NAME_LABEL, name.clone());
            ns_ids.insert(name.clone(), NsId::from_index(i));
            b.cluster.namespaces.push(Namespace {
                name,
                labels,
                declared: source,
            });
        }

        // Owner chains.
        let by_key: HashMap<Key, usize> = controllers
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (
                    (
                        c.namespace.clone(),
                        c.kind.as_str().to_owned(),
                        c.name.clone(),
                    ),
                    i,
                )
            })
            .collect();
        let top_of = |ns: &str, start: Key| -> Key {
            let mut key = start;
            for _ in 0..MAX_OWNER_DEPTH {
                let Some(owner) = by_key
                    .get(&key)
                    .and_then(|&i| controllers[i].owner.as_ref())
                else {
                    break;
                };
                key = (ns.to_owned(), owner.kind.clone(), owner.name.clone());
            }
            key
        };

        let mut groups: BTreeMap<(String, String, String), Group> = BTreeMap::new();
        for (i, c) in controllers.iter().enumerate() {
            let (ns, kind, name) = top_of(
                &c.namespace,
                (
                    c.namespace.clone(),
                    c.kind.as_str().to_owned(),
                    c.name.clone(),
                ),
            );
            groups
                .entry((ns, name, kind))
                .or_default()
                .controllers
                .push(i);
        }
        for (i, p) in pods.iter().enumerate() {
            let Some(p) = p else { continue };
            if p.terminated {
                continue;
            }
            let start = pod_owner(p, &by_key);
            let (ns, kind, name) = match start {
                Some(owner) => top_of(&p.namespace, (p.namespace.clone(), owner.kind, owner.name)),
                None => (p.namespace.clone(), "Pod".to_owned(), p.name.clone()),
            };
            groups.entry((ns, name, kind)).or_default().pods.push(i);
        }

        for ((ns, name, kind), group) in groups {
            let Some(&ns_id) = ns_ids.get(&ns) else {
                continue;
            };
            let wid = WorkloadId::from_index(b.cluster.workloads.len());
            let key = (ns.clone(), kind.clone(), name.clone());
            let top = by_key.get(&key).map(|&i| &controllers[i]);
            let source = match (top, kind.as_str()) {
                (Some(c), _) => Some(c.source.clone()),
                (None, "Pod") => group
                    .pods
                    .first()
                    .and_then(|&i| pods[i].as_ref())
                    .map(|p| p.source.clone()),
                _ => None,
            };
            b.cluster.workloads.push(Workload {
                kind: WorkloadKind::from_kind(&kind),
                namespace: ns_id,
                name: name.clone(),
                source,
                pods: Vec::new(),
                replicas: top.and_then(|c| c.declared_replicas),
            });
            if group.pods.is_empty() {
                // Template pods: the top owner's when it is in the input,
                // otherwise each present descendant's (old ReplicaSets of a
                // missing Deployment have 0 replicas and add nothing).
                let sources: Vec<&RawController> = match top {
                    Some(c) => vec![c],
                    None => group.controllers.iter().map(|&i| &controllers[i]).collect(),
                };
                for c in sources {
                    b.template_pods(wid, ns_id, c);
                }
            } else {
                let mut live: Vec<RawPod> =
                    group.pods.iter().filter_map(|&i| pods[i].take()).collect();
                live.sort_by(|a, z| a.name.cmp(&z.name));
                for p in live {
                    let RawPod {
                        name,
                        mut shape,
                        ips,
                        source,
                        ..
                    } = p;
                    let labels = std::mem::take(&mut shape.labels);
                    let net = std::mem::take(&mut shape.net);
                    b.push_pod(
                        wid,
                        ns_id,
                        name,
                        &shape,
                        labels,
                        net,
                        ips,
                        PodOrigin::Object(source),
                    );
                }
            }
            b.warn_if_split(wid);
        }
        drop(pods);

        for p in &mut policies {
            if let Some(&id) = ns_ids.get(&p.namespace) {
                p.policy.namespace = id;
            }
        }
        for s in &mut services {
            if let Some(&id) = ns_ids.get(&s.namespace) {
                s.service.namespace = id;
            }
        }
        for e in &mut exposures {
            if let Some(&id) = ns_ids.get(&e.namespace) {
                e.exposure.namespace = id;
            }
        }
        b.cluster.policies = policies.into_iter().map(|p| p.policy).collect();
        b.cluster.services = services.into_iter().map(|s| s.service).collect();
        b.cluster.exposures = exposures.into_iter().map(|e| e.exposure).collect();
        for g in &mut gateways {
            if let Some(&id) = ns_ids.get(&g.namespace) {
                g.gateway.namespace = id;
            }
        }
        for r in &mut gateway_routes {
            if let Some(&id) = ns_ids.get(&r.namespace) {
                r.route.namespace = id;
            }
        }
        for l in &mut listener_sets {
            if let Some(&id) = ns_ids.get(&l.namespace) {
                l.set.namespace = id;
            }
        }
        b.cluster.listener_sets = listener_sets.into_iter().map(|l| l.set).collect();
        b.cluster.gateways = gateways.into_iter().map(|g| g.gateway).collect();
        b.cluster.gateway_routes = gateway_routes.into_iter().map(|r| r.route).collect();
        b.cluster.reference_grants = reference_grants;
        b.cluster.backend_tls_policies = backend_tls_policies;
        b.cluster.admin_policies = admin;
        b.cluster.intents = intents;
        store.finish(&mut b.cluster);
        governance.finish(&mut b.cluster);
        let undefined = multus.finish(&ns_ids, &mut b.cluster);
        b.diags.extend(undefined);
        (b.cluster, b.diags)
    }
}

/// The error for a second `ClusterProfile`, at its source.
fn second_profile(first: &ProfileSpec, second: &ProfileSpec) -> Diagnostic {
    let at = |p: &ProfileSpec| p.meta.as_ref().map(|m| (m.name.clone(), m.source.clone()));
    let mut d = Diagnostic::new(
        Severity::Error,
        match at(first) {
            Some((_, s)) => format!("only one ClusterProfile per input; the first is at {s}"),
            None => "only one ClusterProfile per input".to_owned(),
        },
    )
    .with_help("merge the profiles into one, or pass only one of them");
    if let Some((name, source)) = at(second) {
        d = d.with_object(format!("ClusterProfile {name}"));
        d.location = Some(source_location(&source));
    }
    d
}

/// The controller a pod belongs to, by its ownerReference. Mirror pods
/// (owned by their Node) are bare pods. A ReplicaSet missing from the input
/// whose name is `<deployment>-<pod-template-hash>` is resolved to that
/// Deployment, as the Deployment controller names them.
fn pod_owner(p: &RawPod, present: &HashMap<Key, usize>) -> Option<OwnerRef> {
    let owner = p.owner.clone()?;
    if owner.kind == "Node" {
        return None;
    }
    if owner.kind == "ReplicaSet"
        && !present.contains_key(&(p.namespace.clone(), owner.kind.clone(), owner.name.clone()))
        && let Some(hash) = p.shape.labels.get("pod-template-hash")
        && let Some(deployment) = owner.name.strip_suffix(&format!("-{hash}"))
    {
        return Some(OwnerRef {
            kind: "Deployment".to_owned(),
            name: deployment.to_owned(),
        });
    }
    Some(owner)
}

#[derive(Default)]
struct Group {
    controllers: Vec<usize>,
    pods: Vec<usize>,
}

struct Builder {
    cluster: Cluster,
    label_ids: HashMap<Labels, LabelSetId>,
    port_ids: HashMap<Vec<ContainerPort>, PortTableId>,
    diags: Vec<Diagnostic>,
}

impl Builder {
    fn template_pods(&mut self, wid: WorkloadId, ns: NsId, c: &RawController) {
        if c.pod_count > MAX_TEMPLATE_PODS {
            let mut d = Diagnostic::new(
                Severity::Warning,
                format!(
                    "{} {}/{} makes {} pods; podnet models the first {MAX_TEMPLATE_PODS} (pods of one template are alike)",
                    c.kind.as_str(),
                    c.namespace,
                    c.name,
                    c.pod_count
                ),
            );
            d.location = Some(source_location(&c.source));
            self.diags.push(d);
        }
        for ordinal in 0..c.pod_count.min(MAX_TEMPLATE_PODS) {
            let mut labels = c.template.labels.clone();
            let mut net = c.template.net.clone();
            let name = match &c.per_pod {
                PerPodLabels::StatefulSet {
                    first,
                    service_name,
                } => {
                    let index = first.saturating_add(ordinal);
                    let name = format!("{}-{index}", c.name);
                    labels.insert("statefulset.kubernetes.io/pod-name", name.clone());
                    labels.insert("apps.kubernetes.io/pod-index", index.to_string());
                    // The StatefulSet controller's `initIdentity` sets both,
                    // whatever the template says.
                    net.hostname = Some(name.clone());
                    net.subdomain = service_name.clone();
                    name
                }
                PerPodLabels::Job => {
                    labels.insert("batch.kubernetes.io/job-name", c.name.clone());
                    labels.insert("job-name", c.name.clone());
                    format!("{}-{ordinal}", c.name)
                }
                PerPodLabels::None => format!("{}-{ordinal}", c.name),
            };
            self.push_pod(
                wid,
                ns,
                name,
                &c.template,
                labels,
                net,
                Vec::new(),
                PodOrigin::Template { ordinal },
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push_pod(
        &mut self,
        wid: WorkloadId,
        ns: NsId,
        name: String,
        shape: &PodShape,
        labels: Labels,
        net: PodNet,
        ips: Vec<std::net::IpAddr>,
        origin: PodOrigin,
    ) {
        let labels_id = match self.label_ids.get(&labels) {
            Some(&id) => id,
            None => {
                let id = LabelSetId::from_index(self.label_ids.len());
                self.label_ids.insert(labels.clone(), id);
                self.cluster.label_sets.push(labels);
                id
            }
        };
        let ports_id = match self.port_ids.get(&shape.ports) {
            Some(&id) => id,
            None => {
                let id = PortTableId::from_index(self.port_ids.len());
                self.port_ids.insert(shape.ports.clone(), id);
                self.cluster.port_tables.push(shape.ports.clone());
                id
            }
        };
        let pid = PodId::from_index(self.cluster.pods.len());
        self.cluster.pods.push(Pod {
            name,
            namespace: ns,
            workload: wid,
            labels: labels_id,
            ports: ports_id,
            ips,
            ips_assumed: false,
            host_network: shape.host_network,
            node_name: shape.node_name.clone(),
            origin,
            net,
            admission: shape.admission.clone(),
        });
        self.cluster.workloads[wid.index()].pods.push(pid);
    }

    /// Pods of one workload whose labels differ (beyond per-pod labels) are
    /// analysed separately and reported together: the workload's connections
    /// are the union of its pods'. Say so.
    fn warn_if_split(&mut self, wid: WorkloadId) {
        let w = &self.cluster.workloads[wid.index()];
        let first = w.pods.first().map(|&p| self.cluster.pods[p.index()].labels);
        if w.pods
            .iter()
            .all(|&p| Some(self.cluster.pods[p.index()].labels) == first)
        {
            return;
        }
        let mut distinct: Vec<Labels> = w
            .pods
            .iter()
            .map(|&p| {
                self.cluster.label_sets[self.cluster.pods[p.index()].labels.index()]
                    .without(|k| PER_POD_LABELS.contains(&k))
            })
            .collect();
        distinct.sort();
        distinct.dedup();
        if distinct.len() < 2 {
            return;
        }
        let shown: Vec<String> = distinct.iter().map(|l| format!("{{{l}}}")).collect();
        let mut d = Diagnostic::new(
            Severity::Warning,
            format!(
                "pods of {} {} have {} different label sets ({}); podnet reports the union of their connections",
                w.kind.as_str(),
                self.cluster.workload_name(wid),
                distinct.len(),
                shown.join(", ")
            ),
        )
        .with_help("a rollout in progress? `podnet explain` shows each pod's verdict");
        d.location = w.source.as_ref().map(source_location);
        self.diags.push(d);
    }
}
