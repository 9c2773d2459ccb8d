//! The pipeline, in its only order: read the inputs ([`Declared`]), then
//! place and address the pods ([`Analysis`]). Each stage is a type that
//! only the previous one builds, so nothing can be built on the wrong
//! cluster.

use ipnet::IpNet;
use podnet_dataplane::{AddressOrigin, Dataplane, DataplaneOptions, Issue};
use podnet_manifest::{Diagnostic, Input, LoadOptions, LoadStats, Loaded, SourceFile};
use podnet_model::policy::PeerKind;
use podnet_model::{Cluster, Meta, ProfileSpec};

use crate::error::Error;

/// How to read and run the cluster.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Stop at the first invalid document, or at the first error placing
    /// the pods, and build nothing.
    pub strict: bool,
    /// A file holding the ClusterProfile to use, over one in the inputs and
    /// the default preset. MetalLB address pools in the inputs are added
    /// to it.
    pub profile: Option<String>,
    /// The dataplane's choices (`--host-network`, `--pod-addresses`).
    pub dataplane: DataplaneOptions,
    /// Keep documents the API server rejects when what they mean is clear
    /// (`--lenient`: the rules [`podnet_manifest::validate::Lenient`]
    /// names), with a warning each; [`Analysis::has_errors`] stays true.
    pub lenient: bool,
}

/// A stage of the pipeline, for progress reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Reading and validating the inputs.
    Reading,
    /// Scheduling pods on nodes and giving them addresses.
    Placing,
}

/// Follows the pipeline as it runs: progress, and the problems found, in
/// the order they are found. Every method does nothing by default; `()`
/// observes nothing.
pub trait Observer {
    /// A stage starts.
    fn started(&mut self, _stage: Stage) {}
    /// A stage is over.
    fn finished(&mut self, _stage: Stage) {}
    /// Problems found reading an input.
    fn diagnostics(&mut self, _diagnostics: &[Diagnostic]) {}
    /// Problems found placing and addressing the pods, and what was
    /// assumed there.
    fn issues(&mut self, _issues: &[Issue]) {}
    /// Reading is over and `documents` (more than 0) were skipped because
    /// of errors; the rest is analysed.
    fn skipped(&mut self, _documents: usize) {}
    /// Reading is over and `objects` (more than 0) that the API server
    /// rejects were kept because of [`Options::lenient`].
    fn kept(&mut self, _objects: usize) {}
    /// The pods' addresses come from the default profile and a
    /// NetworkPolicy's ipBlock covers them.
    fn assumed_addresses(&mut self, _caveat: &AssumedAddresses) {}
}

impl Observer for () {}

/// Pod addresses podnet assumed (no profile in the inputs or options)
/// that an ipBlock covers: the policy's verdicts depend on the assumption.
#[derive(Clone, Debug)]
pub struct AssumedAddresses {
    /// The default preset's name.
    pub preset: &'static str,
    /// The cluster CIDRs the addresses come from.
    pub cluster_cidrs: Vec<IpNet>,
    /// The first ipBlock found covering them.
    pub ip_block: IpNet,
    /// The NetworkPolicy holding it.
    pub policy: Meta,
}

/// The inputs as read: the declared cluster, before placement.
#[derive(Debug)]
pub struct Declared {
    loaded: Loaded,
    options: Options,
}

impl Declared {
    /// Reads files and directories (or standard input). `Err` when strict
    /// reading stopped at an error, or when there was nothing to analyse;
    /// the observer has seen the diagnostics either way.
    pub fn read(
        inputs: &[Input],
        options: &Options,
        observer: &mut dyn Observer,
    ) -> Result<Declared, Error> {
        observer.started(Stage::Reading);
        let loaded = podnet_manifest::load(
            inputs,
            LoadOptions {
                strict: options.strict,
                lenient: options.lenient,
            },
        );
        observer.finished(Stage::Reading);
        Declared::checked(loaded, options, observer)
    }

    /// Reads files already in memory (named as diagnostics should show).
    pub fn from_files(
        files: &[SourceFile],
        options: &Options,
        observer: &mut dyn Observer,
    ) -> Result<Declared, Error> {
        observer.started(Stage::Reading);
        let loaded = podnet_manifest::load_files(
            files,
            Vec::new(),
            LoadOptions {
                strict: options.strict,
                lenient: options.lenient,
            },
        );
        observer.finished(Stage::Reading);
        Declared::checked(loaded, options, observer)
    }

    fn checked(
        loaded: Loaded,
        options: &Options,
        observer: &mut dyn Observer,
    ) -> Result<Declared, Error> {
        observer.diagnostics(&loaded.diagnostics);
        if loaded.stopped {
            return Err(Error::Stopped);
        }
        if loaded.stats.objects == 0 {
            return Err(Error::Empty);
        }
        if loaded.stats.skipped > 0 {
            observer.skipped(loaded.stats.skipped);
        }
        if loaded.stats.kept > 0 {
            observer.kept(loaded.stats.kept);
        }
        Ok(Declared {
            loaded,
            options: options.clone(),
        })
    }

    /// The cluster the inputs declare.
    pub fn cluster(&self) -> &Cluster {
        &self.loaded.cluster
    }

    /// Counts of what was read.
    pub fn stats(&self) -> LoadStats {
        self.loaded.stats
    }

    /// Whether reading reported an error.
    pub fn has_errors(&self) -> bool {
        self.loaded.has_errors()
    }

    /// Places and addresses the pods: the profile (the options', else the
    /// input's, else the default preset) applied. `Err` when the profile
    /// file cannot be used or strict running stops at an error.
    pub fn run(self, observer: &mut dyn Observer) -> Result<Analysis, Error> {
        let profile = match &self.options.profile {
            None => None,
            Some(file) => Some(read_profile(file, observer)?),
        };
        let cluster = &self.loaded.cluster;
        let profile = profile.map(|p| with_input_pools(p, cluster));
        let explicit =
            profile.is_some() || cluster.profile.as_ref().is_some_and(|p| p.meta.is_some());
        observer.started(Stage::Placing);
        let dataplane = Dataplane::build_with(cluster, profile.as_ref(), self.options.dataplane);
        observer.finished(Stage::Placing);
        let placement_errors = dataplane.issues.iter().any(Issue::is_error);
        observer.issues(&dataplane.issues);
        if self.options.strict && placement_errors {
            return Err(Error::Stopped);
        }
        if !explicit && let Some(caveat) = assumed_addresses(&dataplane) {
            observer.assumed_addresses(&caveat);
        }
        Ok(Analysis {
            loaded: self.loaded,
            dataplane,
            placement_errors,
        })
    }
}

/// A cluster read, placed and addressed: what every query runs on.
///
/// Built only by [`Analysis::new`] (or [`Declared::run`]), in order: the
/// declared cluster, then the running one; an engine over the running
/// cluster comes from [`Analysis::connectivity`].
///
/// ```
/// use podnet::{Analysis, Options, SourceFile};
///
/// const CLUSTER: &str = "
/// apiVersion: apps/v1
/// kind: Deployment
/// metadata: {name: web, namespace: shop}
/// spec:
///   selector: {matchLabels: {app: web}}
///   template:
///     metadata: {labels: {app: web}}
///     spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]}
/// ---
/// apiVersion: apps/v1
/// kind: Deployment
/// metadata: {name: db, namespace: shop}
/// spec:
///   selector: {matchLabels: {app: db}}
///   template:
///     metadata: {labels: {app: db}}
///     spec: {containers: [{name: db, image: postgres, ports: [{containerPort: 5432}]}]}
/// ---
/// apiVersion: networking.k8s.io/v1
/// kind: NetworkPolicy
/// metadata: {name: only-web-to-db, namespace: shop}
/// spec:
///   podSelector: {}
///   ingress:
///   - from: [{podSelector: {matchLabels: {app: web}}}]
///     ports: [{port: 5432}]
/// ";
///
/// let files = [SourceFile { name: "cluster.yaml".into(), text: CLUSTER.into() }];
/// let analysis = Analysis::from_files(&files, &Options::default(), &mut ())?;
/// assert!(!analysis.has_errors());
///
/// // Names resolve as on the command line.
/// let web = analysis.resolve("shop/web")?;
/// let db = analysis.resolve("shop/db")?;
///
/// // Why web may reach db, and db not web (every pod of `shop` is
/// // isolated for ingress; only web's connections to 5432 are allowed).
/// let connectivity = analysis.connectivity();
/// let there = connectivity.explain(&web, &db);
/// let back = connectivity.explain(&db, &web);
/// assert!(!there.conns.is_empty());
/// assert!(back.conns.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Analysis {
    loaded: Loaded,
    dataplane: Dataplane,
    placement_errors: bool,
}

impl Analysis {
    /// Reads `inputs` and runs them: [`Declared::read`] then
    /// [`Declared::run`].
    pub fn new(
        inputs: &[Input],
        options: &Options,
        observer: &mut dyn Observer,
    ) -> Result<Analysis, Error> {
        Declared::read(inputs, options, observer)?.run(observer)
    }

    /// Reads files in memory and runs them.
    pub fn from_files(
        files: &[SourceFile],
        options: &Options,
        observer: &mut dyn Observer,
    ) -> Result<Analysis, Error> {
        Declared::from_files(files, options, observer)?.run(observer)
    }

    /// The cluster the inputs declare, before placement.
    pub fn declared(&self) -> &Cluster {
        &self.loaded.cluster
    }

    /// The running cluster: DaemonSets expanded, pods on nodes, addressed.
    pub fn cluster(&self) -> &Cluster {
        &self.dataplane.cluster
    }

    /// The dataplane: nodes, addresses, Services, load balancers, fronts.
    pub fn dataplane(&self) -> &Dataplane {
        &self.dataplane
    }

    /// Counts of what was read.
    pub fn stats(&self) -> LoadStats {
        self.loaded.stats
    }

    /// Documents skipped because of errors.
    pub fn skipped_documents(&self) -> usize {
        self.loaded.stats.skipped
    }

    /// Whether reading or placing reported an error (the result covers
    /// the rest).
    pub fn has_errors(&self) -> bool {
        self.loaded.has_errors() || self.placement_errors
    }
}

/// Reads a `--profile` file strictly.
fn read_profile(file: &str, observer: &mut dyn Observer) -> Result<ProfileSpec, Error> {
    let from_file = podnet_manifest::load(
        &[Input::parse(file)],
        LoadOptions {
            strict: true,
            ..LoadOptions::default()
        },
    );
    observer.diagnostics(&from_file.diagnostics);
    if from_file.has_errors() {
        return Err(Error::InvalidProfile {
            file: file.to_owned(),
        });
    }
    from_file.cluster.profile.ok_or_else(|| Error::NoProfile {
        file: file.to_owned(),
    })
}

/// MetalLB IPAddressPools in the inputs belong to the cluster whatever
/// profile file describes it.
fn with_input_pools(mut profile: ProfileSpec, cluster: &Cluster) -> ProfileSpec {
    let pools = cluster.profile.as_ref().and_then(|i| i.metallb.as_ref());
    for pool in pools.into_iter().flatten().filter(|a| a.meta.is_some()) {
        profile
            .metallb
            .get_or_insert_with(Vec::new)
            .push(pool.clone());
    }
    profile
}

/// When pod addresses come from the default profile and some ipBlock
/// covers them: the verdicts depend on that assumption.
fn assumed_addresses(dp: &Dataplane) -> Option<AssumedAddresses> {
    let cidrs = &dp.profile.cluster_cidrs;
    let (policy, ip_block) = dp.cluster.policies.iter().find_map(|p| {
        p.ingress
            .iter()
            .chain(&p.egress)
            .flat_map(|r| &r.peers)
            .find_map(|peer| match &peer.kind {
                PeerKind::IpBlock(b)
                    if cidrs.iter().any(|c| {
                        b.cidr.contains(&c.network()) || c.contains(&b.cidr.network())
                    }) =>
                {
                    Some((p.meta.clone(), b.cidr))
                }
                _ => None,
            })
    })?;
    let unaddressed = dp.ipam.origins.iter().any(|o| *o != AddressOrigin::Status);
    unaddressed.then(|| AssumedAddresses {
        preset: dp.profile.preset.name(),
        cluster_cidrs: cidrs.clone(),
        ip_block,
        policy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(yaml: &str) -> Vec<SourceFile> {
        vec![SourceFile {
            name: "test.yaml".into(),
            text: yaml.into(),
        }]
    }

    /// What an observer saw, in order.
    #[derive(Default)]
    struct Seen {
        events: Vec<String>,
        caveat: Option<AssumedAddresses>,
    }

    impl Observer for Seen {
        fn started(&mut self, stage: Stage) {
            self.events.push(format!("start {stage:?}"));
        }
        fn finished(&mut self, stage: Stage) {
            self.events.push(format!("end {stage:?}"));
        }
        fn diagnostics(&mut self, diagnostics: &[Diagnostic]) {
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            if errors > 0 {
                self.events.push(format!("{errors} errors"));
            }
        }
        fn skipped(&mut self, documents: usize) {
            self.events.push(format!("skipped {documents}"));
        }
        fn assumed_addresses(&mut self, caveat: &AssumedAddresses) {
            self.caveat = Some(caveat.clone());
        }
    }

    const NAMESPACE: &str = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n";
    const INVALID: &str = "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: Not_Valid}\n";

    #[test]
    fn the_pipeline_reads_then_places_or_says_why_not() {
        let invalid = format!("{NAMESPACE}{INVALID}");
        /// Input, strict, outcome, what the observer saw.
        type Case<'a> = (&'a str, bool, Result<(), Error>, &'a [&'a str]);
        let cases: &[Case<'_>] = &[
            (
                NAMESPACE,
                false,
                Ok(()),
                &[
                    "start Reading",
                    "end Reading",
                    "start Placing",
                    "end Placing",
                ],
            ),
            (
                "# nothing\n",
                false,
                Err(Error::Empty),
                &["start Reading", "end Reading"],
            ),
            (
                &invalid,
                false,
                Ok(()),
                &[
                    "start Reading",
                    "end Reading",
                    "1 errors",
                    "skipped 1",
                    "start Placing",
                    "end Placing",
                ],
            ),
            (
                &invalid,
                true,
                Err(Error::Stopped),
                &["start Reading", "end Reading", "1 errors"],
            ),
        ];
        for (yaml, strict, want, events) in cases {
            let mut seen = Seen::default();
            let options = Options {
                strict: *strict,
                ..Options::default()
            };
            let got = Analysis::from_files(&files(yaml), &options, &mut seen);
            match (&got, want) {
                (Ok(a), Ok(())) => assert_eq!(a.has_errors(), yaml.contains("Not_Valid")),
                (Err(e), Err(w)) => assert_eq!(e, w),
                _ => panic!("{yaml:?}: got {got:?}, want {want:?}"),
            }
            assert_eq!(&seen.events, events, "{yaml:?}");
        }
    }

    #[test]
    fn a_profile_file_must_hold_a_cluster_profile() {
        let options = Options {
            profile: Some("no-such-profile-file.yaml".to_owned()),
            ..Options::default()
        };
        let got = Analysis::from_files(&files(NAMESPACE), &options, &mut ());
        assert!(
            matches!(got, Err(Error::InvalidProfile { ref file }) if file == "no-such-profile-file.yaml"),
            "{got:?}"
        );
    }

    #[test]
    fn metallb_pools_in_the_inputs_join_the_profile_given() {
        let yaml = "apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: pool, namespace: metallb-system}\nspec:\n  addresses: [192.0.2.0/28]\n";
        let declared = Declared::from_files(&files(yaml), &Options::default(), &mut ())
            .unwrap_or_else(|e| panic!("{e}"));
        let profile = with_input_pools(ProfileSpec::default(), declared.cluster());
        let pools = profile.metallb.unwrap_or_default();
        assert_eq!(pools.len(), 1);
        assert!(pools[0].meta.as_ref().is_some_and(|m| m.name == "pool"));
    }

    /// docs/profiles.md: addresses podnet assumes are labelled as assumed
    /// when a policy's verdicts depend on them.
    #[test]
    fn assumed_addresses_under_an_ip_block_are_reported() {
        let policy = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec: {containers: [{name: c, image: nginx}]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: from-pods, namespace: shop}\nspec:\n  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}}]}]\n";
        let elsewhere = policy.replace("10.0.0.0/8", "192.0.2.0/24");
        let profile = format!(
            "{policy}---\napiVersion: podnet.dev/v1alpha1\nkind: ClusterProfile\nmetadata: {{name: mine}}\nspec: {{clusterCIDRs: [10.1.0.0/16]}}\n"
        );
        // (input, whether the caveat is reported)
        let cases = [(policy, true), (&elsewhere, false), (&profile, false)];
        for (yaml, want) in cases {
            let mut seen = Seen::default();
            Analysis::from_files(&files(yaml), &Options::default(), &mut seen)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(seen.caveat.is_some(), want, "{yaml}");
            if let Some(c) = seen.caveat {
                assert_eq!(c.policy.name, "from-pods");
                assert_eq!(c.ip_block.to_string(), "10.0.0.0/8");
            }
        }
    }
}
