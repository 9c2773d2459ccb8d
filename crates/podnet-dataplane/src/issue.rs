//! Problems the dataplane model finds (exhausted pools, addresses outside
//! their ranges, pods no node can hold...), and what it assumed, as typed
//! data with provenance; the CLI renders them like manifest diagnostics.

use podnet_model::Source;

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IssueSeverity {
    /// Not a problem: what podnet assumed where the inputs say nothing
    /// (the nodes of a cluster that declares none).
    Info,
    /// Worth knowing; the model is still what the cluster would do.
    Warning,
    /// The cluster would fail here (a pod without an address, a Service
    /// the API server rejects); the model leaves that part out.
    Error,
}

/// One problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    /// Severity.
    pub severity: IssueSeverity,
    /// What is wrong, one line.
    pub message: String,
    /// The object it concerns, as `Kind ns/name`.
    pub object: Option<String>,
    /// Where that object was declared.
    pub source: Option<Source>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Issue {
    /// An error.
    pub fn error(message: impl Into<String>) -> Self {
        Issue {
            severity: IssueSeverity::Error,
            message: message.into(),
            object: None,
            source: None,
            help: None,
        }
    }

    /// A warning.
    pub fn warning(message: impl Into<String>) -> Self {
        Issue {
            severity: IssueSeverity::Warning,
            ..Issue::error(message)
        }
    }

    /// A note on what was assumed.
    pub fn info(message: impl Into<String>) -> Self {
        Issue {
            severity: IssueSeverity::Info,
            ..Issue::error(message)
        }
    }

    /// Names the object and where it came from.
    pub fn at(mut self, object: impl Into<String>, source: Option<&Source>) -> Self {
        self.object = Some(object.into());
        self.source = source.cloned();
        self
    }

    /// Adds a help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}
