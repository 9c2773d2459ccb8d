//! Namespace strategy (PN1001..PN1011), the checks a namespace strategy is weighed by
//! namespace strategies by: isolation (default deny per direction),
//! resource isolation (ResourceQuota, LimitRange, pods admission would
//! reject), fault isolation (PodDisruptionBudgets), RBAC (the `default`
//! ServiceAccount, `cluster-admin` and wildcard grants) and the flows that
//! cross namespace boundaries. [`scope`] says how system namespaces are
//! treated; [`crate::summary`] turns the same facts into the strategy table.

pub mod disruption;
pub mod flows;
pub mod isolation;
pub mod rbac;
pub mod resources;
pub mod rules;
pub mod scope;

use crate::context::Context;
use crate::finding::{Finding, Rule};
use crate::registry::Check;

/// The namespace-strategy check.
pub struct NamespaceStrategy;

impl Check for NamespaceStrategy {
    fn rules(&self) -> &'static [Rule] {
        &rules::RULES
    }

    fn run(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let scope = scope::Scope::new(ctx);
        isolation::run(&scope, out);
        resources::run(&scope, out);
        disruption::run(&scope, out);
        rbac::run(&scope, out);
        flows::run(ctx, &scope, out);
    }
}
