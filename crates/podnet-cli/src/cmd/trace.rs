//! `podnet trace`: one connection, hop by hop.

use podnet::dataplane::TraceError;
use podnet::{TraceDestination, TraceQuery, TraceQueryError, TraceSource};
use podnet_cli::error::ArgError;
use podnet_cli::values;
use podnet_report::trace::{write_json, write_text};

use crate::args::{TextOrJson, TraceArgs};
use crate::cmd::explain::protocol;
use crate::session::{Session, Status, status_after};

/// Runs the command.
pub fn run(session: &Session, args: &TraceArgs) -> Status {
    let to = match destination(args) {
        Ok(to) => to,
        Err(e) => return session.error(&e.to_string()),
    };
    let Some(analysis) = session.analyse(&args.paths) else {
        return Status::Error;
    };
    let query = TraceQuery {
        from: args.from.as_ref().map(source),
        to,
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

/// The destination, with the request options of a URL (refused for any
/// other destination).
fn destination(args: &TraceArgs) -> Result<TraceDestination, ArgError> {
    let request_options = args.method.is_some()
        || !args.headers.is_empty()
        || args.grpc.is_some()
        || args.gateway.is_some();
    let to = match &args.to {
        values::TraceTo::Url(u) => {
            let mut url = u.clone();
            let http_only =
                args.method.is_some() || !args.headers.is_empty() || args.grpc.is_some();
            if http_only && !url.scheme.http() {
                return Err(ArgError::HttpOnly(url.scheme.as_str()));
            }
            if let Some(call) = &args.grpc {
                if url.path != "/" {
                    return Err(ArgError::GrpcPath(url.path.clone()));
                }
                url = url.with_grpc(call.clone());
            }
            if let Some(m) = &args.method {
                url.request.method.clone_from(m);
            }
            let hosts: Vec<&str> = args
                .headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case("host"))
                .map(|(_, v)| v.as_str())
                .collect();
            if hosts.len() > 1 || hosts.iter().any(|h| h.is_empty()) {
                return Err(ArgError::HostHeader);
            }
            url.request.headers.clone_from(&args.headers);
            url.request.gateway.clone_from(&args.gateway);
            return Ok(TraceDestination::Url(url));
        }
        values::TraceTo::Address(ip, port) => TraceDestination::Address(*ip, *port),
        values::TraceTo::Name(name, port) => TraceDestination::DnsName(name.to_string(), *port),
        values::TraceTo::Object(name) => TraceDestination::Named(name.to_string()),
    };
    if request_options {
        return Err(ArgError::RequestOptions);
    }
    Ok(to)
}
