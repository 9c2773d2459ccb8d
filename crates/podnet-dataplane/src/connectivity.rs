//! The whole connection list of a running cluster: the engine's workload and
//! outside rows on the pod network, the rows of the fronts (ingress
//! controller, ALB, Gateways) in place of the proxies podnet added, and
//! the rows of every Multus network (or only the networks asked for).
//!
//! The rows are streamed in their documented order (network, then source,
//! then destination): the pod network first (workload sources, outside
//! sources, then the fronts), then each secondary network by name.

use std::collections::HashMap;
use std::io;

use podnet_engine::{ConnList, Engine, Flow, FlowBatch, FlowSource, PeerRef, Scope, collect, rows};
use podnet_model::{NetworkRef, NsId, WorkloadId, WorkloadKind};

use crate::{Dataplane, fronts, networks};

/// Which networks to list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Networks {
    /// The pod network and every secondary network.
    All,
    /// Only the pod network.
    PodNetwork,
    /// Only this secondary network.
    Secondary(NetworkRef),
}

impl Dataplane {
    /// Every secondary network, as references.
    pub fn network_refs(&self) -> Vec<NetworkRef> {
        self.secondary.iter().map(|s| s.network.clone()).collect()
    }

    /// The allowed connections on `which` networks; `engine` is built on
    /// `self.cluster`.
    pub fn connlist(&self, engine: &Engine<'_>, which: &Networks) -> ConnList {
        collect(&self.flows(engine, which, Scope::all()))
    }

    /// The allowed connections on `which` networks within `scope`, as a
    /// stream in order; `engine` is built on `self.cluster`.
    pub fn flows<'a, 'e, 'c>(
        &'a self,
        engine: &'e Engine<'c>,
        which: &Networks,
        scope: Scope,
    ) -> Flows<'a, 'e, 'c> {
        Flows {
            dp: self,
            engine,
            which: which.clone(),
            scope,
        }
    }
}

/// The connections of a running cluster, streamed ([`Dataplane::flows`]).
pub struct Flows<'a, 'e, 'c> {
    dp: &'a Dataplane,
    engine: &'e Engine<'c>,
    which: Networks,
    scope: Scope,
}

impl Flows<'_, '_, '_> {
    fn pod_network(&self, sink: &mut dyn FnMut(FlowBatch<'_>) -> io::Result<()>) -> io::Result<()> {
        let engine = self.engine;
        let dp = self.dp;
        let mut scope = self.scope.clone();
        scope
            .hidden
            .extend(dp.fronts.iter().filter_map(|f| f.synthesised));
        rows(engine, scope.clone()).for_each_batch(sink)?;
        let reached = fronts::connections(engine, &dp.fronts, &dp.routes);
        let front_flows: Vec<Flow> = reached
            .iter()
            .filter(|r| !r.conns.is_empty())
            .map(|r| Flow {
                src: match &r.front {
                    fronts::FrontKind::IngressController => PeerRef::IngressController,
                    fronts::FrontKind::Gateway { namespace, name } => PeerRef::Gateway {
                        namespace: namespace.clone(),
                        name: name.clone(),
                    },
                },
                dst: PeerRef::Workload(r.dst),
                conns: engine.conns.intern(r.conns.clone()),
            })
            .filter(|f| scope.keeps(&f.src, &f.dst))
            .collect();
        if front_flows.is_empty() {
            return Ok(());
        }
        sink(FlowBatch {
            table: &engine.conns,
            network: None,
            flows: &front_flows,
        })
    }

    fn secondary(
        &self,
        addresses: &networks::SecondaryAddresses,
        sink: &mut dyn FnMut(FlowBatch<'_>) -> io::Result<()>,
    ) -> io::Result<()> {
        let running = &self.dp.cluster;
        let projected = networks::project_with(running, addresses);
        let engine = Engine::new(&projected);
        let by_key: HashMap<(NsId, &str, &WorkloadKind), WorkloadId> = running
            .workload_ids()
            .map(|w| {
                let wl = running.workload(w);
                ((wl.namespace, wl.name.as_str(), &wl.kind), w)
            })
            .collect();
        // Projected workloads keep the running order: the mapping keeps
        // the rows' order.
        let to_running: Vec<Option<WorkloadId>> = projected
            .workloads
            .iter()
            .map(|wl| {
                by_key
                    .get(&(wl.namespace, wl.name.as_str(), &wl.kind))
                    .copied()
            })
            .collect();
        let scope = Scope {
            focus: self.scope.focus.as_ref().map(|focus| {
                (0..to_running.len())
                    .filter(|&i| to_running[i].is_some_and(|w| focus.binary_search(&w).is_ok()))
                    .map(WorkloadId::from_index)
                    .collect()
            }),
            hidden: Vec::new(),
        };
        let map = |peer: &PeerRef| -> Option<PeerRef> {
            match peer {
                PeerRef::Workload(w) => to_running[w.index()].map(PeerRef::Workload),
                other => Some(other.clone()),
            }
        };
        let name = addresses.network.to_string();
        rows(&engine, scope).for_each_batch(&mut |batch| {
            let flows: Vec<Flow> = batch
                .flows
                .iter()
                .filter_map(|f| {
                    Some(Flow {
                        src: map(&f.src)?,
                        dst: map(&f.dst)?,
                        conns: f.conns,
                    })
                })
                .filter(|f| self.scope.keeps(&f.src, &f.dst))
                .collect();
            if flows.is_empty() {
                return Ok(());
            }
            sink(FlowBatch {
                table: batch.table,
                network: Some(&name),
                flows: &flows,
            })
        })
    }
}

impl FlowSource for Flows<'_, '_, '_> {
    fn for_each_batch(
        &self,
        sink: &mut dyn FnMut(FlowBatch<'_>) -> io::Result<()>,
    ) -> io::Result<()> {
        if matches!(self.which, Networks::All | Networks::PodNetwork) {
            self.pod_network(sink)?;
        }
        let mut secondary: Vec<&networks::SecondaryAddresses> = self
            .dp
            .secondary
            .iter()
            .filter(|s| match &self.which {
                Networks::All => true,
                Networks::PodNetwork => false,
                Networks::Secondary(n) => s.network == *n,
            })
            .collect();
        secondary.sort_by_cached_key(|s| s.network.to_string());
        for addresses in secondary {
            self.secondary(addresses, sink)?;
        }
        Ok(())
    }
}
