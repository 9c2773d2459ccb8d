//! The words of audit findings: each [`Found`] as a message and a help
//! line, the way the checks' data reads to people. The printers show
//! findings only through [`worded`].

use podnet_audit::{Finding, Found, Object, Severity, Subject};

mod addresses;
mod exposure;
mod hygiene;
mod ipam;
mod lb;
mod namespace;
mod placement;

/// A finding with its message and help line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Worded {
    /// The rule's code.
    pub code: &'static str,
    /// Its severity.
    pub severity: Severity,
    /// What it concerns.
    pub subject: Subject,
    /// What is wrong, one line, specific to the subject.
    pub message: String,
    /// How to fix it there.
    pub help: String,
}

/// The findings worded, sorted by code, then subject, then message, without
/// repeats.
pub fn worded(findings: &[Finding]) -> Vec<Worded> {
    let mut out: Vec<Worded> = findings
        .iter()
        .map(|f| Worded {
            code: f.code,
            severity: f.severity,
            subject: f.subject.clone(),
            message: message(&f.found),
            help: help(&f.found),
        })
        .collect();
    out.sort_by(|a, b| (a.code, &a.subject, &a.message).cmp(&(b.code, &b.subject, &b.message)));
    out.dedup();
    out
}

/// What is wrong.
pub fn message(found: &Found) -> String {
    match found {
        Found::Namespace(n) => namespace::message(n),
        Found::Hygiene(h) => hygiene::message(h),
        Found::Exposure(e) => exposure::message(e),
        Found::Ipam(i) => ipam::message(i),
        Found::Lb(l) => lb::message(l),
        Found::Placement(p) => placement::message(p),
    }
}

/// How to fix it.
pub fn help(found: &Found) -> String {
    match found {
        Found::Namespace(n) => namespace::help(n),
        Found::Hygiene(h) => hygiene::help(h),
        Found::Exposure(e) => exposure::help(e),
        Found::Ipam(i) => ipam::help(i),
        Found::Lb(l) => lb::help(l),
        Found::Placement(p) => placement::help(p),
    }
}

/// `Kind ns/name`.
fn object(o: &Object) -> String {
    format!("{} {}", o.kind, o.name)
}

/// The first `max` items, then how many more.
fn short_list(items: &[String], max: usize) -> String {
    if items.len() <= max {
        return items.join(", ");
    }
    format!("{} and {} more", items[..max].join(", "), items.len() - max)
}

/// `a, b, c` of at most five items, then `and N more`.
fn first_five(items: &[String]) -> String {
    let mut shown = items.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > 5 {
        shown.push_str(&format!(" and {} more", items.len() - 5));
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use podnet_audit::checks::namespace::rules::NO_QUOTA;
    use podnet_audit::found::NamespaceFound;

    fn no_quota(namespace: &str, workloads: usize) -> Finding {
        Finding::new(
            &NO_QUOTA,
            Subject::named("Namespace", None, "shop"),
            Found::Namespace(NamespaceFound::NoQuota {
                namespace: namespace.into(),
                workloads,
            }),
        )
    }

    #[test]
    fn findings_of_one_subject_are_ordered_by_their_words_without_repeats() {
        // Found in this order; "runs 10" sorts before "runs 9" as text.
        let found = [
            no_quota("shop", 9),
            no_quota("shop", 10),
            no_quota("shop", 9),
        ];
        let messages: Vec<String> = worded(&found).into_iter().map(|w| w.message).collect();
        assert_eq!(
            messages,
            [
                "namespace `shop` runs 10 workload(s) and has no ResourceQuota",
                "namespace `shop` runs 9 workload(s) and has no ResourceQuota",
            ]
        );
    }

    #[test]
    fn long_lists_are_cut() {
        let items: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        assert_eq!(short_list(&items, 3), "a, b, c and 2 more");
        assert_eq!(short_list(&items[..2], 3), "a, b");
    }
}
