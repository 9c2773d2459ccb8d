//! What every check reads: the running cluster (scheduled, addressed, with
//! Services, fronts and load balancers) and the engine built on it.

use podnet_dataplane::Dataplane;
use podnet_engine::Engine;
use podnet_model::Cluster;

/// The inputs of a check.
pub struct Context<'a> {
    /// The dataplane model; `dp.cluster` is the running cluster.
    pub dp: &'a Dataplane,
    /// The engine over `dp.cluster`.
    pub engine: &'a Engine<'a>,
}

impl<'a> Context<'a> {
    /// The context for a dataplane and its engine.
    pub fn new(dp: &'a Dataplane, engine: &'a Engine<'a>) -> Context<'a> {
        Context { dp, engine }
    }

    /// The running cluster.
    pub fn cluster(&self) -> &'a Cluster {
        &self.dp.cluster
    }
}
