//! What every command shares: reading manifests with progress on a
//! terminal, printing diagnostics in the chosen format, writing results to
//! stdout, and the exit status contract.

use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use podnet_manifest::{Input, LoadOptions, Loaded, Severity};
use podnet_report::ErrorFormat;

use crate::args::{ColorArg, ErrorFormatArg, Global};

/// The exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Success.
    Ok = 0,
    /// An error occurred (invalid input, unreadable file, bad argument).
    Error = 2,
}

/// Settings for one run.
pub struct Session {
    strict: bool,
    quiet: bool,
    error_format: ErrorFormat,
    color: bool,
    interactive: bool,
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
        Session {
            strict: g.strict,
            quiet: g.quiet,
            error_format: match g.error_format {
                ErrorFormatArg::Human => ErrorFormat::Human,
                ErrorFormatArg::Short => ErrorFormat::Short,
                ErrorFormatArg::Json => ErrorFormat::Json,
            },
            color,
            interactive,
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

    /// Reads the manifests and prints their diagnostics. `None` when
    /// `--strict` stopped at an error: print nothing else and exit 2.
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
        let mut stderr = io::stderr().lock();
        for d in &loaded.diagnostics {
            if self.quiet && d.severity == Severity::Warning {
                continue;
            }
            let _ = stderr
                .write_all(podnet_report::render(d, self.error_format, self.color).as_bytes());
        }
        if loaded.stopped {
            let _ = writeln!(
                stderr,
                "podnet: stopped at the first error (--strict); no result printed"
            );
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

    /// Prints what the analysis cannot account for, as warnings.
    pub fn caveats(&self, caveats: &[podnet_engine::Caveat]) {
        if self.quiet {
            return;
        }
        for c in caveats {
            let d = podnet_report::caveat(c);
            let _ = io::stderr()
                .write_all(podnet_report::render(&d, self.error_format, self.color).as_bytes());
        }
    }

    /// Prints a command-line error (an unknown workload name...).
    pub fn error(&self, message: &str) -> Status {
        let d = podnet_manifest::Diagnostic::new(Severity::Error, message);
        let _ = io::stderr()
            .write_all(podnet_report::render(&d, self.error_format, self.color).as_bytes());
        Status::Error
    }

    /// Writes a result to stdout; a closed pipe (`| head`) is not an error.
    pub fn write_stdout(&self, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Status {
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        match write(&mut out).and_then(|()| out.flush()) {
            Ok(()) => Status::Ok,
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Status::Ok,
            Err(e) => self.error(&format!("cannot write the result: {e}")),
        }
    }
}

/// Exit status after a command that read manifests: 2 when any error was
/// reported, whatever the command printed.
pub fn status_after(loaded: &Loaded, printed: Status) -> Status {
    if printed == Status::Error || loaded.has_errors() {
        Status::Error
    } else {
        Status::Ok
    }
}
