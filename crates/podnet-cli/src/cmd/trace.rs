//! `podnet trace`: one connection, hop by hop.

use podnet::dataplane::TraceError;
use podnet::{TraceDestination, TraceQuery, TraceQueryError, TraceSource};
use podnet_cli::values;
use podnet_report::trace::{write_json, write_text};

use crate::args::{TextOrJson, TraceArgs};
use crate::cmd::explain::protocol;
use crate::session::{Session, Status, status_after};

/// Runs the command.
pub fn run(session: &Session, args: &TraceArgs) -> Status {
    let Some(analysis) = session.analyse(&args.paths) else {
        return Status::Error;
    };
    let query = TraceQuery {
        from: args.from.as_ref().map(source),
        to: destination(&args.to),
        port: args.port,
        protocol: protocol(args.protocol),
    };
    let t = match analysis.trace(&query) {
        Ok(t) => t,
        Err(TraceQueryError::To(e)) => return session.error(&format!("--to: {e}")),
        Err(TraceQueryError::From(e)) => return session.error(&format!("--from: {e}")),
        Err(TraceQueryError::NoSource) => {
            return session.error("--from: required unless --to is a URL");
        }
        Err(TraceQueryError::Trace(e @ TraceError::NeedPort(..))) => {
            return session.error(&format!("{e}; say which with --port"));
        }
        Err(TraceQueryError::Trace(e)) => return session.error(&e.to_string()),
    };
    let dp = analysis.dataplane();
    let printed = session.write_stdout(|out| match args.output {
        TextOrJson::Txt => write_text(out, dp, &t),
        TextOrJson::Json => write_json(out, dp, &t),
    });
    status_after(&analysis, printed)
}

fn source(from: &values::TraceFrom) -> TraceSource {
    match from {
        values::TraceFrom::Node(name) => TraceSource::Node(name.clone()),
        values::TraceFrom::External(ip) => TraceSource::External(*ip),
        values::TraceFrom::Address(ip) => TraceSource::Address(*ip),
        values::TraceFrom::Object(name) => TraceSource::Named(name.to_string()),
    }
}

fn destination(to: &values::TraceTo) -> TraceDestination {
    match to {
        values::TraceTo::Url(u) => TraceDestination::Url(u.clone()),
        values::TraceTo::Address(ip, port) => TraceDestination::Address(*ip, *port),
        values::TraceTo::Name(name, port) => TraceDestination::DnsName(name.to_string(), *port),
        values::TraceTo::Object(name) => TraceDestination::Named(name.to_string()),
    }
}
