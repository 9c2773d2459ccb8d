//! `podnet dns`: every query a pod's resolver sends for a name, with the
//! cluster DNS's response code and answer section, as text or JSON
//! (`podnet.dns/v1`, docs/dns-json.md).

use std::io::{self, Write};

use podnet_dataplane::Dataplane;
use podnet_dataplane::dns::message::{Authority, DnsResponse, Record, RecordData};
use podnet_dataplane::dns::{DnsExchange, NDOTS};
use serde::Serialize;

/// The JSON schema name.
pub const DNS_SCHEMA: &str = "podnet.dns/v1";

fn data_text(r: &Record) -> String {
    match &r.data {
        RecordData::Address(ip) => ip.to_string(),
        RecordData::Srv {
            priority,
            weight,
            port,
            target,
        } => format!("{priority} {weight} {port} {target}"),
        RecordData::Ptr(t) | RecordData::Cname(t) => t.clone(),
        RecordData::Txt(t) => format!("\"{t}\""),
        RecordData::Soa { mname, rname } => format!("{mname} {rname}"),
    }
}

fn status(r: &DnsResponse) -> &'static str {
    match r.authority {
        Authority::Forwarded => "FORWARDED",
        Authority::Cluster => r.rcode.name(),
    }
}

/// Writes the exchange as text: a header, then per query its question,
/// status and answer records in zone-file form.
pub fn write_text(out: &mut dyn Write, dp: &Dataplane, x: &DnsExchange) -> io::Result<()> {
    let from = x.from.map_or_else(
        || "no pod (fully qualified)".to_owned(),
        |p| dp.cluster.pod_name(p),
    );
    writeln!(out, "name {}  from {from}", x.typed)?;
    match x.nameserver {
        Some(ns) => writeln!(
            out,
            "nameserver {ns} (cluster DNS, pods {})",
            dp.profile.dns_pods.name()
        )?,
        None => writeln!(out, "nameserver: the node's resolver (outside the model)")?,
    }
    if !x.search.is_empty() {
        writeln!(out, "search {}  ndots:{NDOTS}", x.search.join(" "))?;
    }
    for r in &x.responses {
        writeln!(out)?;
        writeln!(out, ";; {} {}  {}", r.qname, r.qtype.name(), status(r))?;
        if r.authority == Authority::Forwarded {
            writeln!(
                out,
                ";; outside the cluster domain: the upstream resolver answers (not modelled)"
            )?;
        }
        for rr in &r.answer {
            writeln!(
                out,
                "{}\t{}\tIN\t{}\t{}",
                rr.owner,
                rr.ttl,
                rr.rtype().name(),
                data_text(rr)
            )?;
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct DnsJson<'a> {
    schema: &'static str,
    profile: String,
    name: &'a str,
    from: Option<String>,
    nameserver: Option<String>,
    search: &'a [String],
    ndots: usize,
    pods: &'static str,
    queries: Vec<QueryJson>,
}

#[derive(Serialize)]
struct QueryJson {
    qname: String,
    qtype: &'static str,
    rcode: &'static str,
    forwarded: bool,
    answer: Vec<RecordJson>,
}

#[derive(Serialize)]
struct RecordJson {
    owner: String,
    ttl: u32,
    #[serde(rename = "type")]
    rtype: &'static str,
    data: String,
}

/// Writes the exchange as `podnet.dns/v1` JSON.
pub fn write_json(out: &mut dyn Write, dp: &Dataplane, x: &DnsExchange) -> io::Result<()> {
    let doc = DnsJson {
        schema: DNS_SCHEMA,
        profile: dp.profile.label(),
        name: &x.typed,
        from: x.from.map(|p| dp.cluster.pod_name(p)),
        nameserver: x.nameserver.map(|ip| ip.to_string()),
        search: &x.search,
        ndots: NDOTS,
        pods: dp.profile.dns_pods.name(),
        queries: x
            .responses
            .iter()
            .map(|r| QueryJson {
                qname: r.qname.clone(),
                qtype: r.qtype.name(),
                rcode: r.rcode.name(),
                forwarded: r.authority == Authority::Forwarded,
                answer: r
                    .answer
                    .iter()
                    .map(|rr| RecordJson {
                        owner: rr.owner.clone(),
                        ttl: rr.ttl,
                        rtype: rr.rtype().name(),
                        data: data_text(rr),
                    })
                    .collect(),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}
