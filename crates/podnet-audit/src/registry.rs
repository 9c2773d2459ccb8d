//! The [`Check`] trait and the registry of every check, in code order.

use crate::context::Context;
use crate::finding::{Finding, Rule};

/// A group of related rules evaluated together.
pub trait Check: Sync {
    /// The rules this check can report.
    fn rules(&self) -> &'static [Rule];
    /// Appends its findings for `ctx`.
    fn run(&self, ctx: &Context<'_>, out: &mut Vec<Finding>);
}

/// Every check podnet has.
pub fn checks() -> Vec<Box<dyn Check>> {
    crate::checks::all()
}

/// Every rule, sorted by code.
pub fn rules() -> Vec<Rule> {
    let mut rules: Vec<Rule> = checks()
        .iter()
        .flat_map(|c| c.rules().iter().copied())
        .collect();
    rules.sort_by_key(|r| r.code);
    rules
}

/// The rule with `code`.
pub fn rule(code: &str) -> Option<Rule> {
    rules().into_iter().find(|r| r.code == code)
}
