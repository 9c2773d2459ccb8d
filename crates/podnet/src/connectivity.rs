//! What policy allows in the running cluster: the engine, built once per
//! [`Connectivity`] on [`Analysis::cluster`], and the queries that need it
//! (connlist, grouped connlist, explain, audit).

use std::io;

use podnet_audit::summary::{Summary, summarize};
use podnet_audit::{Context, Filter, Finding};
use podnet_dataplane::Networks;
use podnet_dataplane::connectivity::{Flows, KeepPair};
use podnet_engine::groups::GroupLine;
use podnet_engine::{
    Caveat, Engine, Explanation, Filtered, FlowBatch, FlowSource, PeerRef, Scope, Target,
    UndecidedFlows, undecided_flows,
};
use podnet_model::{Cluster, NsId, Problem, WorkloadId};

use crate::error::NameError;
use crate::pipeline::Analysis;

/// Which networks a connection list covers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum NetworkChoice {
    /// The pod network and every Multus network.
    #[default]
    All,
    /// Only the pod network.
    PodNetwork,
    /// Only the Multus network of this NetworkAttachmentDefinition
    /// (`ns/name`).
    Attachment(String),
}

/// What a connection list asks for.
#[derive(Clone, Debug, Default)]
pub struct ConnlistQuery {
    /// Only connections from or to this workload (or a pod's workload).
    pub focus: Option<String>,
    /// Only connections with an end in this namespace.
    pub namespace: Option<String>,
    /// The networks.
    pub networks: NetworkChoice,
}

/// A [`ConnlistQuery`] with its names resolved.
#[derive(Clone, Debug)]
pub struct ConnlistScope {
    focus: Option<WorkloadId>,
    namespace: Option<NsId>,
    networks: Networks,
}

impl Analysis {
    /// Resolves the names of a connection list query (before any engine
    /// is built).
    pub fn connlist_scope(&self, query: &ConnlistQuery) -> Result<ConnlistScope, NameError> {
        let focus = query
            .focus
            .as_deref()
            .map(|name| self.resolve_workload(name))
            .transpose()?;
        let namespace = query
            .namespace
            .as_deref()
            .map(|ns| self.resolve_namespace(ns))
            .transpose()?;
        let networks = match &query.networks {
            NetworkChoice::All => Networks::All,
            NetworkChoice::PodNetwork => Networks::PodNetwork,
            NetworkChoice::Attachment(name) => match self
                .dataplane()
                .network_refs()
                .into_iter()
                .find(|n| n.to_string() == *name)
            {
                Some(n) => Networks::Secondary(n),
                None => return Err(NameError::NoNetwork(name.clone())),
            },
        };
        Ok(ConnlistScope {
            focus,
            namespace,
            networks,
        })
    }

    /// The policy engine over the running cluster, ready for the queries
    /// that judge connections.
    pub fn connectivity(&self) -> Connectivity<'_> {
        Connectivity {
            analysis: self,
            engine: Engine::new(self.cluster()),
        }
    }
}

/// The running cluster with its policy engine.
pub struct Connectivity<'a> {
    analysis: &'a Analysis,
    engine: Engine<'a>,
}

impl<'a> Connectivity<'a> {
    /// The engine (identities, compiled policies) over the running cluster.
    pub fn engine(&self) -> &Engine<'a> {
        &self.engine
    }

    /// What the analysis cannot account for.
    pub fn caveats(&self) -> Vec<Problem<Caveat>> {
        self.engine.caveats()
    }

    /// Every allowed connection in scope, streamed in order.
    pub fn connlist<'s>(&'s self, scope: &ConnlistScope) -> ConnlistFlows<'s> {
        let dp = self.analysis.dataplane();
        ConnlistFlows {
            flows: dp.flows(&self.engine, &scope.networks, self.scope(scope)),
            cluster: &dp.cluster,
            // A focus outside the namespace: keep its connections with the
            // namespace.
            namespace: scope.focus.and(scope.namespace),
        }
    }

    /// The connections in scope that the input cannot decide (pod
    /// network only: none when the scope keeps only a Multus network):
    /// pairs of workloads where a rule's peer meets an address podnet
    /// assumed or a namespace the input does not declare, or its named
    /// port a workload whose pods do not all define it alike.
    pub fn undecided(&self, scope: &ConnlistScope) -> UndecidedFlows {
        if matches!(scope.networks, Networks::Secondary(_)) {
            return UndecidedFlows::default();
        }
        let mut all = undecided_flows(&self.engine);
        let cluster = self.analysis.cluster();
        all.flows.retain(|f| {
            let ends = [f.src, f.dst];
            scope.focus.is_none_or(|w| ends.contains(&w))
                && scope
                    .namespace
                    .is_none_or(|ns| ends.iter().any(|&w| cluster.workload(w).namespace == ns))
        });
        all
    }

    /// The allowed connections in scope, stated in few lines.
    pub fn groups(&self, scope: &ConnlistScope) -> Vec<GroupLine> {
        let dp = self.analysis.dataplane();
        let cluster = &dp.cluster;
        let keep = |s: &PeerRef, d: &PeerRef| {
            scope
                .namespace
                .is_none_or(|ns| in_namespace(cluster, s, ns) || in_namespace(cluster, d, ns))
        };
        let filter: Option<&KeepPair<'_>> =
            (scope.focus.is_some() && scope.namespace.is_some()).then_some(&keep);
        dp.groups(&self.engine, &scope.networks, self.scope(scope), filter)
    }

    /// Why traffic from `src` to `dst` is allowed or denied.
    pub fn explain(&self, src: &Target, dst: &Target) -> Explanation {
        podnet_engine::explain(&self.engine, src, dst)
    }

    /// Every audit check the filter keeps, and the cluster's summary.
    pub fn audit(&self, filter: &Filter) -> AuditReport {
        let ctx = Context::new(self.analysis.dataplane(), &self.engine);
        AuditReport {
            findings: podnet_audit::audit(&ctx, filter),
            summary: summarize(&ctx),
        }
    }

    fn scope(&self, scope: &ConnlistScope) -> Scope {
        let cluster = self.analysis.cluster();
        match (scope.focus, scope.namespace) {
            (Some(w), _) => Scope::focus(vec![w]),
            (None, Some(ns)) => Scope::focus(
                cluster
                    .workload_ids()
                    .filter(|&w| cluster.workload(w).namespace == ns)
                    .collect(),
            ),
            (None, None) => Scope::all(),
        }
    }
}

/// What an audit found.
#[derive(Debug)]
pub struct AuditReport {
    /// The findings, in order.
    pub findings: Vec<Finding>,
    /// The cluster's figures.
    pub summary: Summary,
}

/// The connections of a connection list, streamed.
pub struct ConnlistFlows<'s> {
    flows: Flows<'s, 's, 's>,
    cluster: &'s Cluster,
    /// With a focus and a namespace: only the connections with an end in
    /// the namespace.
    namespace: Option<NsId>,
}

impl FlowSource for ConnlistFlows<'_> {
    fn for_each_batch(
        &self,
        sink: &mut dyn FnMut(FlowBatch<'_>) -> io::Result<()>,
    ) -> io::Result<()> {
        match self.namespace {
            None => self.flows.for_each_batch(sink),
            Some(ns) => Filtered {
                source: &self.flows,
                keep: |s: &PeerRef, d: &PeerRef| {
                    in_namespace(self.cluster, s, ns) || in_namespace(self.cluster, d, ns)
                },
            }
            .for_each_batch(sink),
        }
    }
}

fn in_namespace(cluster: &Cluster, peer: &PeerRef, ns: NsId) -> bool {
    matches!(peer, PeerRef::Workload(w) if cluster.workload(*w).namespace == ns)
}
