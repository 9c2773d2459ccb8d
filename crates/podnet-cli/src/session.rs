//! What every command shares: running the pipeline with progress on a
//! terminal, printing diagnostics in the chosen format, writing results to
//! stdout, and the exit status contract.

use std::cell::RefCell;
use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use podnet::manifest::{Diagnostic, Location, Severity};
use podnet::model::Intent;
use podnet::{Analysis, AssumedAddresses, Declared, Error, Input, Observer, Options, Stage};
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
    options: Options,
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
            options: Options {
                strict: g.strict,
                profile: g.profile.clone(),
                dataplane: g.dataplane_options(),
                lenient: g.lenient,
            },
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

    /// Reads the manifests and runs the cluster, printing what is found on
    /// the way. `None` (after saying why) when there is no result to
    /// print: exit 2.
    pub fn analyse(&self, paths: &[String]) -> Option<Analysis> {
        let result = Analysis::new(&inputs(paths), &self.options, &mut self.observer());
        self.built(result)
    }

    /// Reads the manifests only (see [`Session::run`]).
    pub fn declared(&self, paths: &[String]) -> Option<Declared> {
        let result = Declared::read(&inputs(paths), &self.options, &mut self.observer());
        self.built(result)
    }

    /// Runs manifests read by [`Session::declared`].
    pub fn run(&self, declared: Declared) -> Option<Analysis> {
        let result = declared.run(&mut self.observer());
        self.built(result)
    }

    /// Reads two versions, then runs both.
    pub fn analyse_pair(&self, old: &[String], new: &[String]) -> Option<(Analysis, Analysis)> {
        let result = podnet::read_pair(
            &inputs(old),
            &inputs(new),
            &self.options,
            &mut self.observer(),
        );
        self.built(result)
    }

    /// Reads an `--intents` file strictly; `None` (after saying why) when
    /// it has errors or holds no ConnectivityIntent.
    pub fn intents(&self, file: &str) -> Option<Vec<Intent>> {
        self.built(podnet::read_intents(file, &mut self.observer()))
    }

    fn observer(&self) -> Printing<'_> {
        Printing {
            session: self,
            bar: None,
        }
    }

    /// The result, or `None` after saying why there is none.
    fn built<T>(&self, result: Result<T, Error>) -> Option<T> {
        let e = match result {
            Ok(t) => return Some(t),
            Err(e) => e,
        };
        let mut stderr = io::stderr().lock();
        match e {
            Error::Stopped => {
                let _ = writeln!(
                    stderr,
                    "podnet: stopped at the first error (--strict); no result printed"
                );
            }
            Error::Empty => {
                let _ = writeln!(stderr, "podnet: nothing to analyse; no result printed");
            }
            // Their diagnostics say why.
            Error::InvalidProfile { .. } | Error::InvalidIntents { .. } => {}
            Error::NoProfile { file } => {
                drop(stderr);
                self.error(&format!(
                    "--profile `{file}` holds no ClusterProfile (podnet.dev/v1alpha1)"
                ));
            }
            Error::NoIntents { file } => {
                drop(stderr);
                self.error(&format!(
                    "--intents `{file}`: no ConnectivityIntent (podnet.dev/v1alpha1) in it"
                ));
            }
        }
        None
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
    pub fn caveats(&self, caveats: &[podnet::model::Problem<podnet::engine::Caveat>]) {
        if self.quiet {
            return;
        }
        let diags: Vec<Diagnostic> = caveats.iter().map(podnet_report::caveat).collect();
        self.print_diagnostics(&diags);
    }

    /// Prints a line about the result on stderr (what a written file
    /// holds), whatever `--quiet` says: it is not a warning.
    pub fn note(&self, line: &str) {
        let _ = writeln!(io::stderr(), "{line}");
    }

    /// Prints a command-line error (an unknown workload name...).
    pub fn error(&self, message: &str) -> Status {
        let d = Diagnostic::new(Severity::Error, message);
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

fn inputs(paths: &[String]) -> Vec<Input> {
    paths.iter().map(|p| Input::parse(p)).collect()
}

/// Follows the pipeline: a spinner per stage, diagnostics as they come.
struct Printing<'s> {
    session: &'s Session,
    bar: Option<ProgressBar>,
}

impl Observer for Printing<'_> {
    fn started(&mut self, stage: Stage) {
        self.bar = Some(self.session.progress(match stage {
            Stage::Reading => "reading manifests",
            Stage::Placing => "scheduling and addressing pods",
        }));
    }

    fn finished(&mut self, _stage: Stage) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    fn diagnostics(&mut self, diagnostics: &[Diagnostic]) {
        self.session.print_diagnostics(diagnostics);
    }

    fn issues(&mut self, issues: &[podnet::dataplane::Issue]) {
        let diagnostics: Vec<Diagnostic> =
            issues.iter().map(podnet_report::placement::issue).collect();
        self.session.print_diagnostics(&diagnostics);
    }

    fn skipped(&mut self, documents: usize) {
        let docs = if documents == 1 {
            "document was"
        } else {
            "documents were"
        };
        let _ = writeln!(
            io::stderr(),
            "podnet: {documents} {docs} skipped because of errors; the result covers the rest"
        );
    }

    fn kept(&mut self, objects: usize) {
        let what = if objects == 1 {
            "object the API server rejects was"
        } else {
            "objects the API server rejects were"
        };
        let _ = writeln!(
            io::stderr(),
            "podnet: {objects} {what} kept (--lenient); the exit status stays 2"
        );
    }

    fn assumed_addresses(&mut self, caveat: &AssumedAddresses) {
        if self.session.quiet {
            return;
        }
        let cidrs: Vec<String> = caveat
            .cluster_cidrs
            .iter()
            .map(ToString::to_string)
            .collect();
        let meta = &caveat.policy;
        let mut d = Diagnostic::new(
            Severity::Warning,
            format!(
                "pod addresses come from the default profile ({}: {}), and ipBlock {} of NetworkPolicy {} covers them; its verdicts depend on that assumption",
                caveat.preset,
                cidrs.join(", "),
                caveat.ip_block,
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
        self.session.print_diagnostics(&[d]);
    }
}

/// Exit status after a command that read manifests: 2 when any error was
/// reported, whatever the command printed.
pub fn status_after(analysis: &Analysis, printed: Status) -> Status {
    if printed == Status::Error || analysis.has_errors() {
        Status::Error
    } else {
        Status::Ok
    }
}
