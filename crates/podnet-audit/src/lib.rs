//! `podnet audit`: checks over the running cluster and its policies, each a
//! [`Rule`] with a stable code, reported as [`Finding`]s (docs/architecture.md: the
//! audit crate holds checks and findings; printing is podnet-report's).

pub mod checks;
pub mod context;
pub mod finding;
pub mod found;
pub mod registry;
pub mod summary;

pub use context::Context;
pub use finding::{Finding, Rule, Severity, Subject};
pub use found::{Found, Object};
pub use registry::{Check, checks, rule, rules};

/// Which rules to run: `--only` and `--disable`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// When not empty, only these codes.
    pub only: Vec<String>,
    /// Never these codes.
    pub disable: Vec<String>,
}

impl Filter {
    /// Whether findings of `code` are kept.
    pub fn keeps(&self, code: &str) -> bool {
        (self.only.is_empty() || self.only.iter().any(|c| c == code))
            && !self.disable.iter().any(|c| c == code)
    }
}

/// Runs every check and returns the findings `filter` keeps, sorted by
/// code, then subject (in the order the checks found them within one
/// subject: podnet-report orders those by their message), without
/// repeats.
pub fn audit(ctx: &Context<'_>, filter: &Filter) -> Vec<Finding> {
    let mut out = Vec::new();
    for check in checks() {
        if check.rules().iter().any(|r| filter.keeps(r.code)) {
            check.run(ctx, &mut out);
        }
    }
    out.retain(|f| filter.keeps(f.code));
    out.sort_by(|a, b| (a.code, &a.subject).cmp(&(b.code, &b.subject)));
    out.dedup();
    out
}
