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

use podnet_engine::groups::{
    GroupLine, RawLine, Universe, describe_lines, group_flows, group_pairs, sort_lines,
};
use podnet_engine::{
    ConnList, Diff, DiffOptions, Engine, EngineSide, Filtered, Flow, FlowBatch, FlowSource,
    PeerRef, Scope, collect, diff_engines, outside_rows, rows,
};
use podnet_model::{NetworkRef, NsId, WorkloadId, WorkloadKind};

use crate::{Dataplane, fronts, networks};

/// Whether a connection (source, destination) is kept.
pub type KeepPair<'a> = dyn Fn(&PeerRef, &PeerRef) -> bool + 'a;

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
        self.pod_network_with(true, sink)
    }

    fn pod_network_without_pairs(
        &self,
        sink: &mut dyn FnMut(FlowBatch<'_>) -> io::Result<()>,
    ) -> io::Result<()> {
        self.pod_network_with(false, sink)
    }

    fn pod_network_with(
        &self,
        pairs: bool,
        sink: &mut dyn FnMut(FlowBatch<'_>) -> io::Result<()>,
    ) -> io::Result<()> {
        let engine = self.engine;
        let dp = self.dp;
        let mut scope = self.scope.clone();
        scope
            .hidden
            .extend(dp.fronts.iter().filter_map(|f| f.synthesised));
        if pairs {
            rows(engine, scope.clone()).for_each_batch(sink)?;
        } else {
            outside_rows(engine, scope.clone()).for_each_batch(sink)?;
        }
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
                conns: engine.conns().intern(r.conns.clone()),
            })
            .filter(|f| scope.keeps(&f.src, &f.dst))
            .collect();
        if front_flows.is_empty() {
            return Ok(());
        }
        sink(FlowBatch {
            table: engine.conns(),
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

impl Flows<'_, '_, '_> {
    fn secondaries(&self, sink: &mut dyn FnMut(FlowBatch<'_>) -> io::Result<()>) -> io::Result<()> {
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

impl FlowSource for Flows<'_, '_, '_> {
    fn for_each_batch(
        &self,
        sink: &mut dyn FnMut(FlowBatch<'_>) -> io::Result<()>,
    ) -> io::Result<()> {
        if matches!(self.which, Networks::All | Networks::PodNetwork) {
            self.pod_network(sink)?;
        }
        self.secondaries(sink)
    }
}

impl Dataplane {
    /// The connections on `which` networks within `scope`, grouped (see
    /// [`podnet_engine::groups`]) and in order. `filter`, when given,
    /// keeps only the connections it accepts (read from the pair list).
    pub fn groups(
        &self,
        engine: &Engine<'_>,
        which: &Networks,
        scope: Scope,
        filter: Option<&KeepPair<'_>>,
    ) -> Vec<GroupLine> {
        let hidden: Vec<WorkloadId> = self.fronts.iter().filter_map(|f| f.synthesised).collect();
        let mut raw: Vec<RawLine> = Vec::new();
        if scope.focus.is_some() || filter.is_some() {
            // Few connections: group the list itself.
            let flows = self.flows(engine, which, scope);
            let keep = |s: &PeerRef, d: &PeerRef| filter.is_none_or(|f| f(s, d));
            raw.extend(group_flows(&Filtered {
                source: &flows,
                keep,
            }));
        } else {
            if matches!(which, Networks::All | Networks::PodNetwork) {
                raw.extend(group_pairs(engine, &hidden));
                let rest = Flows {
                    dp: self,
                    engine,
                    which: Networks::PodNetwork,
                    scope: scope.clone(),
                };
                raw.extend(group_flows(&WithoutPairs(&rest)));
            }
            let secondary = Flows {
                dp: self,
                engine,
                which: which.clone(),
                scope,
            };
            raw.extend(group_flows(&SecondaryOnly(&secondary)));
        }
        sort_lines(&mut raw);
        let universe = Universe::new(&self.cluster, &hidden);
        describe_lines(&self.cluster, &universe, raw)
    }
}

/// The pod network's connections that are not workload pairs: outside
/// ranges and fronts.
struct WithoutPairs<'f, 'a, 'e, 'c>(&'f Flows<'a, 'e, 'c>);

impl FlowSource for WithoutPairs<'_, '_, '_, '_> {
    fn for_each_batch(
        &self,
        sink: &mut dyn FnMut(FlowBatch<'_>) -> io::Result<()>,
    ) -> io::Result<()> {
        self.0.pod_network_without_pairs(sink)
    }
}

/// The secondary networks' connections of a stream.
struct SecondaryOnly<'f, 'a, 'e, 'c>(&'f Flows<'a, 'e, 'c>);

impl FlowSource for SecondaryOnly<'_, '_, '_, '_> {
    fn for_each_batch(
        &self,
        sink: &mut dyn FnMut(FlowBatch<'_>) -> io::Result<()>,
    ) -> io::Result<()> {
        self.0.secondaries(sink)
    }
}

impl Dataplane {
    /// What changed from `old` to `new` (each a running cluster with its
    /// engine), on every network, computed source by source: neither
    /// connection list is held in memory.
    pub fn diff(
        old: (&Dataplane, &Engine<'_>),
        new: (&Dataplane, &Engine<'_>),
        options: DiffOptions,
    ) -> Diff {
        let listed = |dp: &Dataplane| {
            let hidden: Vec<WorkloadId> = dp.fronts.iter().filter_map(|f| f.synthesised).collect();
            let universe = Universe::new(&dp.cluster, &hidden);
            let workloads: Vec<WorkloadId> = (0..dp.cluster.workloads.len())
                .filter(|&i| universe.listed[i])
                .map(WorkloadId::from_index)
                .collect();
            (hidden, workloads)
        };
        let (old_hidden, old_workloads) = listed(old.0);
        let (new_hidden, new_workloads) = listed(new.0);
        let rest = |dp: &Dataplane, engine: &Engine<'_>| -> Vec<podnet_engine::Connection> {
            let flows = dp.flows(engine, &Networks::All, Scope::all());
            let not_pairs = NotPodPairs(&flows);
            collect(&not_pairs).connections
        };
        diff_engines(
            EngineSide {
                engine: old.1,
                hidden: old_hidden,
                workloads: old_workloads,
                rest: rest(old.0, old.1),
            },
            EngineSide {
                engine: new.1,
                hidden: new_hidden,
                workloads: new_workloads,
                rest: rest(new.0, new.1),
            },
            options,
        )
    }
}

/// A running cluster's connections but the pod network's from workloads:
/// from outside ranges and fronts, and every secondary network's.
struct NotPodPairs<'f, 'a, 'e, 'c>(&'f Flows<'a, 'e, 'c>);

impl FlowSource for NotPodPairs<'_, '_, '_, '_> {
    fn for_each_batch(
        &self,
        sink: &mut dyn FnMut(FlowBatch<'_>) -> io::Result<()>,
    ) -> io::Result<()> {
        let keep = |s: &PeerRef, _: &PeerRef| !matches!(s, PeerRef::Workload(_));
        Filtered {
            source: &WithoutPairs(self.0),
            keep,
        }
        .for_each_batch(sink)?;
        self.0.secondaries(sink)
    }
}
