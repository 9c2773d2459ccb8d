//! The one resolver: names as people type them (`ns/name`, `ns/Kind/name`,
//! a unique bare name, an address, a node, a front of the cluster) to what
//! each query starts from or goes to.

use std::net::{IpAddr, Ipv4Addr};

use podnet_dataplane::fronts::{FrontKind, reach};
use podnet_dataplane::trace::Url;
use podnet_dataplane::{TraceFrom, TraceTo};
use podnet_engine::{ResolveError, Target};
use podnet_model::{NsId, PodId, ServiceId, WorkloadId};

use crate::error::NameError;
use crate::pipeline::Analysis;

/// Where a trace starts, as asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceSource {
    /// A node's host network, by name.
    Node(String),
    /// An address outside the cluster.
    External(IpAddr),
    /// An address: a pod's, a node's, else outside.
    Address(IpAddr),
    /// A workload or pod, by name.
    Named(String),
}

/// Where a trace goes, as asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceDestination {
    /// A URL served through an Ingress, Route or Gateway.
    Url(Url),
    /// An address, with the port it names.
    Address(IpAddr, Option<u16>),
    /// A DNS name as typed in the source pod, with the port it names.
    DnsName(String, Option<u16>),
    /// A workload, pod or Service, by name.
    Named(String),
}

/// One end of an explanation, as asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExplainEnd {
    /// The ingress controller (its pods, else the ALB's address): the
    /// source of connlist's `ingress-controller` pseudo-peer.
    IngressController,
    /// A Gateway's proxy pods.
    Gateway {
        /// The Gateway's namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
    /// An address.
    Address(IpAddr),
    /// A workload, pod or Service, by name.
    Named(String),
}

/// The client of a URL trace without a source (TEST-NET-3, RFC 5737).
pub const URL_CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 10));

impl Analysis {
    /// Resolves a name in the running cluster: `ns/name` (a workload over
    /// a pod over a Service), `ns/Kind/name`, a unique bare name, or an
    /// address.
    pub fn resolve(&self, name: &str) -> Result<Target, ResolveError> {
        podnet_engine::resolve(self.cluster(), name)
    }

    /// The pod a name stands for: the pod, or a workload's first pod with
    /// an address (the one a trace or a DNS question starts from).
    pub fn resolve_pod(&self, name: &str) -> Result<PodId, NameError> {
        match self.resolve(name)? {
            Target::Pod(p) => Ok(p),
            Target::Workload(w) => self.addressed_pod(w, name),
            _ => Err(NameError::NotAPod(name.to_owned())),
        }
    }

    /// The workload a name stands for (a pod stands for its workload).
    pub fn resolve_workload(&self, name: &str) -> Result<WorkloadId, NameError> {
        match self.resolve(name)? {
            Target::Workload(w) => Ok(w),
            Target::Pod(p) => Ok(self.cluster().pod(p).workload),
            _ => Err(NameError::NotAWorkload(name.to_owned())),
        }
    }

    /// The namespace called `name`.
    pub fn resolve_namespace(&self, name: &str) -> Result<NsId, NameError> {
        self.cluster()
            .namespace_by_name(name)
            .ok_or_else(|| NameError::NoNamespace(name.to_owned()))
    }

    /// The fully qualified name of a Service (`name.ns.svc.<domain>.`).
    pub fn service_fqdn(&self, id: ServiceId) -> String {
        let dp = self.dataplane();
        let svc = &dp.cluster.services[id.index()];
        let ns = svc.meta.namespace.as_deref().unwrap_or("default");
        format!("{}.{ns}.svc.{}.", svc.meta.name, dp.profile.cluster_domain)
    }

    /// One end of an explanation.
    pub fn explain_end(&self, end: &ExplainEnd) -> Result<Target, NameError> {
        match end {
            // Without a controller, a workload may be called so.
            ExplainEnd::IngressController => match self.front(&FrontKind::IngressController) {
                Some(t) => Ok(t),
                None => Ok(self.resolve("ingress-controller")?),
            },
            ExplainEnd::Gateway { namespace, name } => self
                .front(&FrontKind::Gateway {
                    namespace: namespace.clone(),
                    name: name.clone(),
                })
                .ok_or_else(|| NameError::NoGateway {
                    namespace: namespace.clone(),
                    name: name.clone(),
                }),
            ExplainEnd::Address(ip) => Ok(self.resolve(&ip.to_string())?),
            ExplainEnd::Named(name) => Ok(self.resolve(name)?),
        }
    }

    /// Where a trace starts, in the running cluster.
    pub fn trace_source(&self, from: &TraceSource) -> Result<TraceFrom, NameError> {
        let dp = self.dataplane();
        match from {
            TraceSource::Node(name) => dp
                .node(name)
                .map(|n| TraceFrom::Node(n.name.clone()))
                .ok_or_else(|| NameError::NoNode {
                    name: name.clone(),
                    nodes: dp.nodes.iter().map(|n| n.name.clone()).collect(),
                }),
            TraceSource::External(ip) => Ok(TraceFrom::External(*ip)),
            TraceSource::Address(ip) => Ok(match dp.pod_by_ip(*ip) {
                Some(p) => TraceFrom::Pod(p),
                None => match dp.node_by_ip(*ip) {
                    Some(n) => TraceFrom::Node(n.name.clone()),
                    None => TraceFrom::External(*ip),
                },
            }),
            TraceSource::Named(name) => match self.resolve(name)? {
                Target::Pod(p) => Ok(TraceFrom::Pod(p)),
                Target::Workload(w) => self.addressed_pod(w, name).map(TraceFrom::Pod),
                Target::Address(ip) => Ok(TraceFrom::External(ip)),
                Target::Service(_) => Err(NameError::ServiceAsSource(name.clone())),
            },
        }
    }

    /// Where a trace goes, in the running cluster, with the port the
    /// destination names.
    pub fn trace_destination(
        &self,
        to: &TraceDestination,
    ) -> Result<(TraceTo, Option<u16>), NameError> {
        match to {
            TraceDestination::Url(u) => Ok((TraceTo::Url(u.clone()), None)),
            TraceDestination::Address(ip, port) => Ok((TraceTo::Address(*ip), *port)),
            TraceDestination::DnsName(name, port) => Ok((TraceTo::Name(name.clone()), *port)),
            TraceDestination::Named(name) => match self.resolve(name)? {
                Target::Pod(p) => Ok((TraceTo::Pod(p), None)),
                Target::Workload(w) => self.addressed_pod(w, name).map(|p| (TraceTo::Pod(p), None)),
                Target::Service(s) => Ok((TraceTo::Name(self.service_fqdn(s)), None)),
                Target::Address(ip) => Ok((TraceTo::Address(ip), None)),
            },
        }
    }

    /// The first pod of a workload that has an address.
    fn addressed_pod(&self, w: WorkloadId, name: &str) -> Result<PodId, NameError> {
        let cluster = self.cluster();
        cluster
            .workload(w)
            .pods
            .iter()
            .copied()
            .find(|&p| !cluster.pod(p).ips.is_empty())
            .ok_or_else(|| NameError::NoAddressedPod(name.to_owned()))
    }

    /// The ingress controller (its pods, else the ALB's first address) or
    /// a Gateway's proxy pods: the sources of connlist's pseudo-peers.
    fn front(&self, kind: &FrontKind) -> Option<Target> {
        let dp = self.dataplane();
        let front = match kind {
            FrontKind::IngressController => dp
                .fronts
                .iter()
                .find(|f| f.kind == *kind && !f.pods.is_empty())
                .or_else(|| {
                    dp.fronts
                        .iter()
                        .find(|f| f.kind == *kind && !f.subnets.is_empty())
                })?,
            _ => dp.fronts.iter().find(|f| f.kind == *kind)?,
        };
        match front.pods.first() {
            Some(&p) => Some(Target::Workload(dp.cluster.pod(p).workload)),
            None => front
                .subnets
                .first()
                .and_then(reach::representative)
                .map(Target::Address),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Options;
    use podnet_manifest::SourceFile;

    const CLUSTER: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: front, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80}]
";

    fn analysis() -> Analysis {
        let files = [SourceFile {
            name: "cluster.yaml".into(),
            text: CLUSTER.into(),
        }];
        Analysis::from_files(&files, &Options::default(), &mut ()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_service_is_traced_to_by_its_cluster_dns_name() {
        let a = analysis();
        let (to, port) = a
            .trace_destination(&TraceDestination::Named("shop/front".to_owned()))
            .unwrap_or_else(|e| panic!("{e}"));
        // kubernetes.io/docs/concepts/services-networking/dns-pod-service/
        assert_eq!(
            to,
            TraceTo::Name("front.shop.svc.cluster.local.".to_owned())
        );
        assert_eq!(port, None);
    }

    #[test]
    fn names_resolve_to_what_each_query_needs() {
        let a = analysis();
        let web = a
            .resolve_workload("shop/web")
            .unwrap_or_else(|e| panic!("{e}"));
        let pod = a.cluster().workload(web).pods[0];
        assert_eq!(
            a.resolve_pod("shop/web"),
            Ok(pod),
            "a workload's addressed pod"
        );
        let pod_name = a.cluster().pod_name(pod);
        assert_eq!(a.resolve_workload(&pod_name), Ok(web), "a pod's workload");
        let errors: [(Result<(), NameError>, NameError); 5] = [
            (
                a.resolve_pod("shop/Service/front").map(drop),
                NameError::NotAPod("shop/Service/front".to_owned()),
            ),
            (
                a.resolve_workload("shop/Service/front").map(drop),
                NameError::NotAWorkload("shop/Service/front".to_owned()),
            ),
            (
                a.trace_source(&TraceSource::Named("shop/Service/front".to_owned()))
                    .map(drop),
                NameError::ServiceAsSource("shop/Service/front".to_owned()),
            ),
            (
                a.explain_end(&ExplainEnd::Gateway {
                    namespace: "infra".to_owned(),
                    name: "edge".to_owned(),
                })
                .map(drop),
                NameError::NoGateway {
                    namespace: "infra".to_owned(),
                    name: "edge".to_owned(),
                },
            ),
            (
                a.resolve_namespace("nope").map(drop),
                NameError::NoNamespace("nope".to_owned()),
            ),
        ];
        for (got, want) in errors {
            assert_eq!(got, Err(want));
        }
    }

    #[test]
    fn an_unknown_node_lists_the_nodes() {
        let a = analysis();
        let got = a.trace_source(&TraceSource::Node("nope".to_owned()));
        assert!(
            matches!(&got, Err(NameError::NoNode { name, nodes }) if name == "nope" && !nodes.is_empty()),
            "{got:?}"
        );
    }
}
