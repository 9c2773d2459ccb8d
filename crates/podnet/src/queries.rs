//! The queries that need no shared engine: trace, DNS, verify, synth,
//! diff and the lab's plan, and reading intents from side files.

use podnet_dataplane::dns::DnsExchange;
use podnet_dataplane::dns::message::RecordType;
use podnet_dataplane::{Dataplane, Trace, TraceFrom, TraceRequest, TraceTo};
use podnet_engine::{Diff, DiffOptions, Engine, IntentResult};
use podnet_lab::{LabPlan, RenderOptions, Verdicts};
use podnet_manifest::{Input, LoadOptions};
use podnet_model::{Intent, Protocol};
use podnet_synth::{SelfCheck, SynthOptions, Synthesis};

use crate::error::{Error, NameError, TraceQueryError};
use crate::pipeline::{Analysis, Declared, Observer};
use crate::resolve::{TraceDestination, TraceSource, URL_CLIENT};

/// A connection to trace, as asked.
#[derive(Clone, Debug)]
pub struct TraceQuery {
    /// The source; without it, only a URL destination can be traced (from
    /// [`URL_CLIENT`]).
    pub from: Option<TraceSource>,
    /// The destination.
    pub to: TraceDestination,
    /// The destination port, over the one the destination names.
    pub port: Option<u16>,
    /// The protocol.
    pub protocol: Protocol,
}

/// Policies written for intents, and their check.
#[derive(Debug)]
pub struct SynthResult {
    /// The policies and notes.
    pub synthesis: Synthesis,
    /// Whether, with them, every intent holds and nothing more is allowed.
    pub check: SelfCheck,
}

impl Analysis {
    /// Follows one connection hop by hop.
    pub fn trace(&self, query: &TraceQuery) -> Result<Trace, TraceQueryError> {
        let (to, port) = self
            .trace_destination(&query.to)
            .map_err(TraceQueryError::To)?;
        let from = match (&query.from, &to) {
            (Some(from), _) => self.trace_source(from).map_err(TraceQueryError::From)?,
            (None, TraceTo::Url(_)) => TraceFrom::External(URL_CLIENT),
            (None, _) => return Err(TraceQueryError::NoSource),
        };
        let request = TraceRequest {
            from,
            to,
            port: query.port.or(port),
            protocol: query.protocol,
        };
        Ok(podnet_dataplane::trace(self.dataplane(), &request)?)
    }

    /// Asks the cluster DNS `name` as the resolver of the pod `from` names
    /// would (its search path and ndots), or as a fully qualified name.
    pub fn ask_dns(
        &self,
        name: &str,
        from: Option<&str>,
        qtype: RecordType,
    ) -> Result<DnsExchange, NameError> {
        let from = from.map(|f| self.resolve_pod(f)).transpose()?;
        Ok(self.dataplane().ask(name, from, qtype))
    }

    /// Checks intents (the inputs' and more) against the policies.
    pub fn verify(&self, intents: &[Intent]) -> Vec<IntentResult> {
        let engine = Engine::with_intents(self.cluster(), intents);
        podnet_engine::verify(&engine, intents)
    }

    /// Writes least-privilege NetworkPolicies realising `intents` for the
    /// workloads of the cluster, and checks them.
    pub fn synthesize(&self, intents: &[Intent]) -> SynthResult {
        let dp = self.dataplane();
        let options = SynthOptions {
            ignore: dp.fronts.iter().filter_map(|f| f.synthesised).collect(),
            pod_cidrs: dp.profile.cluster_cidrs.clone(),
        };
        let synthesis = podnet_synth::synthesize(self.cluster(), intents, &options);
        let check = podnet_synth::self_check(self.cluster(), intents, &synthesis, &options);
        SynthResult { synthesis, check }
    }

    /// The lab (network namespaces) that would build this cluster as run
    /// `id`. `None` when the inputs have errors: namespaces for part of
    /// the input would probe a cluster nobody deploys.
    pub fn lab_plan(&self, id: &str, options: &RenderOptions) -> Option<LabPlan> {
        if self.has_errors() {
            return None;
        }
        let verdicts = Verdicts::compute(self.dataplane());
        Some(podnet_lab::render(self.dataplane(), &verdicts, id, options))
    }
}

/// What changed from `old` to `new`: flows added, removed and changed.
pub fn diff(old: &Analysis, new: &Analysis, options: DiffOptions) -> Diff {
    let old_engine = Engine::new(old.cluster());
    let new_engine = Engine::new(new.cluster());
    Dataplane::diff(
        (old.dataplane(), &old_engine),
        (new.dataplane(), &new_engine),
        options,
    )
}

/// Reads two versions, then runs both (diagnostics in that order: both
/// readings, then both placements).
pub fn read_pair(
    old: &[Input],
    new: &[Input],
    options: &crate::Options,
    observer: &mut dyn Observer,
) -> Result<(Analysis, Analysis), Error> {
    let old = Declared::read(old, options, observer)?;
    let new = Declared::read(new, options, observer)?;
    Ok((old.run(observer)?, new.run(observer)?))
}

/// Reads a side file of ConnectivityIntents strictly.
pub fn read_intents(file: &str, observer: &mut dyn Observer) -> Result<Vec<Intent>, Error> {
    let loaded = podnet_manifest::load(
        &[Input::parse(file)],
        LoadOptions {
            strict: true,
            ..LoadOptions::default()
        },
    );
    observer.diagnostics(&loaded.diagnostics);
    if loaded.has_errors() {
        return Err(Error::InvalidIntents {
            file: file.to_owned(),
        });
    }
    if loaded.cluster.intents.is_empty() {
        return Err(Error::NoIntents {
            file: file.to_owned(),
        });
    }
    Ok(loaded.cluster.intents)
}

impl Declared {
    /// The first of `files` (as given: `-` is standard input) that
    /// declares no ConnectivityIntent.
    pub fn first_without_intents<'f>(&self, files: &'f [String]) -> Option<&'f str> {
        files.iter().map(String::as_str).find(|arg| {
            let shown = if *arg == "-" { "<stdin>" } else { arg };
            !self
                .cluster()
                .intents
                .iter()
                .any(|i| std::path::Path::new(&*i.meta.source.file).starts_with(shown))
        })
    }
}
