//! `podnet audit`: every check over the running cluster, as text, JSON or
//! SARIF; `--fail-on` turns findings into exit code 1 for CI gates.

use podnet::audit::{Filter, Severity, rules};
use podnet_report::audit::{
    write_json, write_rules_json, write_rules_text, write_sarif, write_text,
};

use crate::args::{AuditArgs, AuditOutput, SeverityArg};
use crate::session::{Session, Status, status_after};

/// Runs the command.
pub fn run(session: &Session, args: &AuditArgs) -> Status {
    let known = rules();
    if args.list_rules {
        return session.write_stdout(|out| match args.output {
            AuditOutput::Json => write_rules_json(out, &known),
            _ => write_rules_text(out, &known),
        });
    }
    let Some(analysis) = session.analyse(&args.paths) else {
        return Status::Error;
    };
    let bar = session.progress("auditing");
    let filter = Filter {
        only: args.only.clone(),
        disable: args.disable.clone(),
    };
    let report = analysis.connectivity().audit(&filter);
    bar.finish_and_clear();
    let (findings, summary) = (&report.findings, &report.summary);
    let skipped = analysis.skipped_documents();
    let printed = session.write_stdout(|out| match args.output {
        AuditOutput::Txt => write_text(out, findings, summary, skipped),
        AuditOutput::Json => write_json(out, findings, summary, &known, skipped),
        AuditOutput::Sarif => write_sarif(out, findings, &known),
    });
    let status = status_after(&analysis, printed);
    let threshold = args.fail_on.map(|s| match s {
        SeverityArg::Info => Severity::Info,
        SeverityArg::Warning => Severity::Warning,
        SeverityArg::Error => Severity::Error,
    });
    match threshold {
        Some(t) if status == Status::Ok && findings.iter().any(|f| f.severity >= t) => {
            Status::Findings
        }
        _ => status,
    }
}
