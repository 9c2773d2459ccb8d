//! What every command shares: reading manifests with progress on a
//! terminal, printing diagnostics in the chosen format, writing results to
//! stdout, and the exit status contract.

use std::cell::RefCell;
use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use podnet_dataplane::{AddressOrigin, Dataplane, Issue, IssueSeverity};
use podnet_manifest::{Diagnostic, Input, LoadOptions, Loaded, Location, Severity};
use podnet_report::text::EscapingWriter;
use podnet_report::{DiagnosticPrinter, ErrorFormat};

use crate::args::{ColorArg, ErrorFormatArg, Global};

/// The exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Success.
    Ok = 0,
    /// Findings at or above `--fail-on` (audit), differences (diff
    /// `--exit-code`), violations (verify).
    Findings = 1,
    /// An error occurred (invalid input, unreadable file, bad argument).
    Error = 2,
}

/// Settings for one run.
pub struct Session {
    profile: Option<String>,
    options: podnet_dataplane::DataplaneOptions,
    strict: bool,
    quiet: bool,
    interactive: bool,
    /// Renders diagnostics; it remembers each file's lines.
    printer: RefCell<DiagnosticPrinter>,
}

impl Session {
    /// From the global options and the terminal.
    pub fn new(g: &Global) -> Self {
        let interactive = io::stderr().is_terminal();
        let color = match g.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => interactive && std::env::var_os("NO_COLOR").is_none(),
        };
        let format = match g.error_format {
            ErrorFormatArg::Human => ErrorFormat::Human,
            ErrorFormatArg::Short => ErrorFormat::Short,
            ErrorFormatArg::Json => ErrorFormat::Json,
        };
        Session {
            profile: g.profile.clone(),
            options: g.dataplane_options(),
            strict: g.strict,
            quiet: g.quiet,
            interactive,
            printer: RefCell::new(DiagnosticPrinter::new(format, color)),
        }
    }

    /// A spinner on stderr when it is a terminal, hidden otherwise.
    pub fn progress(&self, message: &'static str) -> ProgressBar {
        if !self.interactive {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new_spinner().with_message(message);
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    }

    /// A counter on stderr while results stream to stdout, when stderr is a
    /// terminal and stdout is not (else hidden: it would mix with them).
    pub fn counter(&self, message: &'static str) -> ProgressBar {
        if !self.interactive || io::stdout().is_terminal() {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new_spinner().with_message(message);
        if let Ok(style) = ProgressStyle::with_template("{spinner} {human_pos} {msg} {elapsed}") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    }

    /// Reads the manifests and prints their diagnostics. `None` when
    /// `--strict` stopped at an error, or when there was nothing to
    /// analyse: print nothing else and exit 2.
    pub fn load(&self, paths: &[String]) -> Option<Loaded> {
        let inputs: Vec<Input> = paths.iter().map(|p| Input::parse(p)).collect();
        let bar = self.progress("reading manifests");
        let loaded = podnet_manifest::load(
            &inputs,
            LoadOptions {
                strict: self.strict,
            },
        );
        bar.finish_and_clear();
        self.print_diagnostics(&loaded.diagnostics);
        let mut stderr = io::stderr().lock();
        if loaded.stopped {
            let _ = writeln!(
                stderr,
                "podnet: stopped at the first error (--strict); no result printed"
            );
            return None;
        }
        if loaded.stats.objects == 0 {
            let _ = writeln!(stderr, "podnet: nothing to analyse; no result printed");
            return None;
        }
        if loaded.stats.skipped > 0 {
            let n = loaded.stats.skipped;
            let docs = if n == 1 {
                "document was"
            } else {
                "documents were"
            };
            let _ = writeln!(
                stderr,
                "podnet: {n} {docs} skipped because of errors; the result covers the rest"
            );
        }
        Some(loaded)
    }

    /// Reads a side file (`--intents`) strictly: its diagnostics are
    /// printed, and any error makes it `None`.
    pub fn load_side_file(&self, file: &str) -> Option<Loaded> {
        let loaded = podnet_manifest::load(&[Input::parse(file)], LoadOptions { strict: true });
        self.print_diagnostics(&loaded.diagnostics);
        (!loaded.has_errors()).then_some(loaded)
    }

    /// Reads an `--intents` file strictly; `None` (after saying why) when
    /// it has errors or holds no ConnectivityIntent.
    pub fn load_intents(&self, file: &str) -> Option<Loaded> {
        let loaded = self.load_side_file(file)?;
        if loaded.cluster.intents.is_empty() {
            self.error(&format!(
                "--intents `{file}`: no ConnectivityIntent (podnet.dev/v1alpha1) in it"
            ));
            return None;
        }
        Some(loaded)
    }

    /// The running cluster: the profile (`--profile`, else the input's,
    /// else the default preset) applied, pods scheduled and addressed.
    /// Prints the dataplane's problems; `None` when `--profile` could not
    /// be read or `--strict` stops at a problem.
    pub fn running(&self, loaded: &Loaded) -> Option<Running> {
        let mut errors = false;
        let profile = match &self.profile {
            None => None,
            Some(file) => {
                let from_file =
                    podnet_manifest::load(&[Input::parse(file)], LoadOptions { strict: true });
                self.print_diagnostics(&from_file.diagnostics);
                if from_file.has_errors() {
                    return None;
                }
                match from_file.cluster.profile {
                    Some(p) => Some(p),
                    None => {
                        self.error(&format!(
                            "--profile `{file}` holds no ClusterProfile (podnet.dev/v1alpha1)"
                        ));
                        return None;
                    }
                }
            }
        };
        // MetalLB IPAddressPools in the inputs belong to the cluster whatever
        // profile file describes it.
        let profile = profile.map(|mut p| {
            let pools = loaded
                .cluster
                .profile
                .as_ref()
                .and_then(|i| i.metallb.as_ref());
            for pool in pools.into_iter().flatten().filter(|a| a.meta.is_some()) {
                p.metallb.get_or_insert_with(Vec::new).push(pool.clone());
            }
            p
        });
        let explicit = profile.is_some()
            || loaded
                .cluster
                .profile
                .as_ref()
                .is_some_and(|p| p.meta.is_some());
        let bar = self.progress("scheduling and addressing pods");
        let dp = Dataplane::build_with(&loaded.cluster, profile.as_ref(), self.options);
        bar.finish_and_clear();
        let diags: Vec<Diagnostic> = dp.issues.iter().map(issue_diagnostic).collect();
        errors |= diags.iter().any(Diagnostic::is_error);
        self.print_diagnostics(&diags);
        if self.strict && errors {
            let _ = writeln!(
                io::stderr(),
                "podnet: stopped at the first error (--strict); no result printed"
            );
            return None;
        }
        if !explicit && !self.quiet {
            self.default_profile_caveat(&dp);
        }
        Some(Running { dp, errors })
    }

    /// Warns when pod addresses come from the default profile and some
    /// ipBlock covers them, so the verdicts depend on that assumption.
    fn default_profile_caveat(&self, dp: &Dataplane) {
        let cidrs = &dp.profile.cluster_cidrs;
        let covering = dp.cluster.policies.iter().find_map(|p| {
            p.ingress
                .iter()
                .chain(&p.egress)
                .flat_map(|r| &r.peers)
                .find_map(|peer| match &peer.kind {
                    podnet_model::policy::PeerKind::IpBlock(b)
                        if cidrs.iter().any(|c| {
                            b.cidr.contains(&c.network()) || c.contains(&b.cidr.network())
                        }) =>
                    {
                        Some((p.meta.clone(), b.cidr))
                    }
                    _ => None,
                })
        });
        if let Some((meta, cidr)) = covering {
            let unaddressed = dp
                .ipam
                .origins
                .iter()
                .any(|o| !matches!(o, AddressOrigin::Status | AddressOrigin::Unassigned));
            if unaddressed {
                let mut d = Diagnostic::new(
                    Severity::Warning,
                    format!(
                        "pod addresses come from the default profile ({}: {}), and ipBlock {cidr} of NetworkPolicy {} covers them; its verdicts depend on that assumption",
                        dp.profile.preset.name(),
                        cidrs.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                        meta.qualified_name()
                    ),
                )
                .with_help("add a ClusterProfile with your cluster's CIDRs to the inputs, or pass --profile FILE");
                d.location = Some(Location {
                    file: meta.source.file.clone(),
                    document: Some(meta.source.document),
                    path: None,
                    line: meta.source.line,
                    column: None,
                });
                self.print_diagnostics(&[d]);
            }
        }
    }

    fn print_diagnostics(&self, diags: &[Diagnostic]) {
        let mut printer = self.printer.borrow_mut();
        let mut stderr = io::stderr().lock();
        for d in diags {
            if self.quiet && !d.is_error() {
                continue;
            }
            let _ = stderr.write_all(printer.render(d).as_bytes());
        }
    }

    /// Prints what the analysis cannot account for, as warnings.
    pub fn caveats(&self, caveats: &[podnet_engine::Caveat]) {
        if self.quiet {
            return;
        }
        let diags: Vec<Diagnostic> = caveats.iter().map(podnet_report::caveat).collect();
        self.print_diagnostics(&diags);
    }

    /// Prints a command-line error (an unknown workload name...).
    pub fn error(&self, message: &str) -> Status {
        let d = podnet_manifest::Diagnostic::new(Severity::Error, message);
        let _ = io::stderr().write_all(self.printer.borrow_mut().render(&d).as_bytes());
        Status::Error
    }

    /// Writes a result to stdout, control characters from the input
    /// escaped ([`EscapingWriter`]); a closed pipe (`| head`) is not an
    /// error.
    pub fn write_stdout(&self, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Status {
        let stdout = io::stdout();
        let mut out = EscapingWriter::new(io::BufWriter::new(stdout.lock()));
        let result = write(&mut out)
            .and_then(|()| out.into_inner())
            .and_then(|mut w| w.flush());
        match result {
            Ok(()) => Status::Ok,
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Status::Ok,
            Err(e) => self.error(&format!("cannot write the result: {e}")),
        }
    }
}

/// The cluster as it runs, and whether building it found errors.
pub struct Running {
    /// The dataplane.
    pub dp: Dataplane,
    /// Whether the dataplane reported errors (exhausted pools...).
    pub errors: bool,
}

/// A dataplane problem as a diagnostic.
fn issue_diagnostic(issue: &Issue) -> Diagnostic {
    let severity = match issue.severity {
        IssueSeverity::Info => Severity::Info,
        IssueSeverity::Warning => Severity::Warning,
        IssueSeverity::Error => Severity::Error,
    };
    let mut d = Diagnostic::new(severity, issue.message.clone());
    if let Some(o) = &issue.object {
        d = d.with_object(o.clone());
    }
    if let Some(h) = &issue.help {
        d = d.with_help(h.clone());
    }
    d.location = issue.source.as_ref().map(|s| Location {
        file: s.file.clone(),
        document: Some(s.document),
        path: None,
        line: s.line,
        column: None,
    });
    d
}

/// Exit status after a command that read manifests: 2 when any error was
/// reported, whatever the command printed.
pub fn status_after(loaded: &Loaded, running: &Running, printed: Status) -> Status {
    if printed == Status::Error || loaded.has_errors() || running.errors {
        Status::Error
    } else {
        Status::Ok
    }
}
