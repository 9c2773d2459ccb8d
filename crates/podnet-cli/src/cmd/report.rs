//! `podnet report PATHS... [--compare OLD... | --git REV] --out FILE`: one
//! self-contained HTML page (or, with `--output json`, its data) with the overview, the connectivity matrix and
//! graph, explanations, findings, addresses and the change
//! (docs/report.md).

use std::fs;

use podnet::audit::{Filter, rules};
use podnet::engine::{DiffOptions, Target};
use podnet::git::Checkout;
use podnet::{Analysis, ConnlistQuery};
use podnet_report::diff::Skipped;
use podnet_report::html::{AuditPart, ChangePart, Report, ReportFormat, VerifyPart, write_report};

use crate::args::{ReportArgs, ReportOutput};
use crate::session::{Session, Status, status_after};

/// Runs the command.
pub fn run(session: &Session, args: &ReportArgs) -> Status {
    let (analysis, old, against, _checkout) = match (&args.git, args.compare.is_empty()) {
        (Some(rev), _) => {
            let checkout = match Checkout::at(rev, &args.paths) {
                Ok(c) => c,
                Err(e) => return session.error(&format!("--git {rev}: {e}")),
            };
            let Some((old, new)) = session.analyse_pair(checkout.paths(), &args.paths) else {
                return Status::Error;
            };
            (new, Some(old), format!("git {rev}"), Some(checkout))
        }
        (None, false) => {
            let Some((old, new)) = session.analyse_pair(&args.compare, &args.paths) else {
                return Status::Error;
            };
            (new, Some(old), args.compare.join(" "), None)
        }
        (None, true) => {
            let Some(a) = session.analyse(&args.paths) else {
                return Status::Error;
            };
            (a, None, String::new(), None)
        }
    };
    let mut intents = analysis.cluster().intents.clone();
    for file in &args.intents {
        let Some(extra) = session.intents(file) else {
            return Status::Error;
        };
        intents.extend(extra);
    }
    let scope = match analysis.connlist_scope(&ConnlistQuery::default()) {
        Ok(s) => s,
        Err(e) => return session.error(&e.to_string()),
    };
    let bar = session.progress("computing connectivity");
    let connectivity = analysis.connectivity();
    session.caveats(&connectivity.caveats());
    let flows = connectivity.connlist(&scope);
    let groups = connectivity.groups(&scope);
    bar.finish_and_clear();
    let bar = session.progress("auditing");
    let audit = connectivity.audit(&Filter::default());
    let known = rules();
    bar.finish_and_clear();
    let diff = old.as_ref().map(|old| {
        let bar = session.progress("comparing connectivity");
        let d = podnet::diff(old, &analysis, DiffOptions::default());
        bar.finish_and_clear();
        d
    });
    let results = (!intents.is_empty()).then(|| analysis.verify(&intents));
    let explain = |a, b| connectivity.explain(&Target::Workload(a), &Target::Workload(b));
    let report = Report {
        inputs: &args.paths,
        cluster: analysis.cluster(),
        dataplane: analysis.dataplane(),
        flows: &flows,
        groups: &groups,
        audit: AuditPart {
            findings: &audit.findings,
            summary: &audit.summary,
            rules: &known,
        },
        change: diff.as_ref().map(|d| ChangePart {
            against,
            diff: d,
            skipped: Skipped {
                old: old.as_ref().map_or(0, Analysis::skipped_documents),
                new: analysis.skipped_documents(),
            },
        }),
        verify: results.as_ref().map(|r| VerifyPart {
            intents: &intents,
            results: r,
        }),
        explain: &explain,
        skipped_documents: analysis.skipped_documents(),
    };
    let bar = session.progress("writing the report");
    let mut page = Vec::new();
    let format = match args.output {
        ReportOutput::Html => ReportFormat::Html,
        ReportOutput::Json => ReportFormat::Json,
    };
    let written = write_report(&mut page, &report, format);
    bar.finish_and_clear();
    let contents = match written {
        Ok(c) => c,
        Err(e) => return session.error(&format!("cannot build the report: {e}")),
    };
    if let Err(e) = fs::write(&args.out, &page) {
        return session.error(&format!("cannot write {}: {e}", args.out.display()));
    }
    session.note(&format!(
        "podnet: wrote {} ({})",
        args.out.display(),
        contents.summary()
    ));
    let status = status_after(&analysis, Status::Ok);
    if old.as_ref().is_some_and(Analysis::has_errors) {
        Status::Error
    } else {
        status
    }
}
