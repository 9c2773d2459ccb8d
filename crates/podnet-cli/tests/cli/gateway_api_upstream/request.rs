//! A conformance row as `podnet trace` arguments, and podnet's answer.

use serde_json::Value;

use super::manifests::Doc;

/// The Host a request carries when the test sets none: the address the
/// suite read from the Gateway's status (conformance/utils/kubernetes/
/// helpers.go lines 524-556). Any address a listener hostname cannot
/// match does; the row's Gateway is named with `--gateway`.
const GATEWAY_ADDRESS: &str = "192.0.2.80";

/// The `trace` arguments (after the input file) for `row` of a fixture
/// whose documents are `docs`.
pub fn args(row: &Value, docs: &[Doc]) -> Vec<String> {
    let q = &row["request"];
    let to = &row["sent_to"];
    let port = to["port"].as_u64().unwrap();
    let scheme = row["scheme"].as_str().unwrap();
    let mut a = vec![
        "--gateway".to_owned(),
        to["gateway"].as_str().unwrap().to_owned(),
    ];
    let host = |v: &Value| v.as_str().unwrap_or(GATEWAY_ADDRESS).to_owned();
    let headers = |map: &Value, a: &mut Vec<String>| {
        for (name, value) in map.as_object().into_iter().flatten() {
            a.push("--header".to_owned());
            a.push(format!("{name}:{}", value.as_str().unwrap()));
        }
    };
    match scheme {
        "http" | "https" => {
            let query = q["query"]
                .as_str()
                .map(|s| format!("?{s}"))
                .unwrap_or_default();
            let path = q["path"].as_str().unwrap();
            // Over TLS the URL's host is the server name (SNI); a Host that
            // differs is sent as a header (`--header Host:`), as the
            // misdirected-request rows do (tls.MakeTLSRequest... with
            // `serverName` and `Host`).
            let host = host(&q["host"]);
            let sni = q["sni"].as_str().unwrap_or(&host).to_owned();
            let url = format!("{scheme}://{sni}:{port}{path}{query}");
            a.extend(["--to".to_owned(), url]);
            if sni != host {
                a.extend(["--header".to_owned(), format!("Host:{host}")]);
            }
            a.extend([
                "--method".to_owned(),
                q["method"].as_str().unwrap().to_owned(),
            ]);
            headers(&q["headers"], &mut a);
        }
        "grpc (h2c)" => {
            let url = format!("http://{}:{port}", host(&q["authority"]));
            let call = format!(
                "{}/{}",
                q["service"].as_str().unwrap(),
                q["method"].as_str().unwrap()
            );
            a.extend(["--to".to_owned(), url, "--grpc".to_owned(), call]);
            headers(&q["metadata"], &mut a);
        }
        "tls" => {
            let sni = server_name(q["sni"].as_str().unwrap(), docs);
            a.extend(["--to".to_owned(), format!("tls://{sni}:{port}")]);
        }
        "tcp" | "udp" => {
            a.extend([
                "--to".to_owned(),
                format!("{scheme}://{GATEWAY_ADDRESS}:{port}"),
            ]);
        }
        other => panic!("unknown scheme {other}"),
    }
    a
}

/// The SNI of a TLS row: a literal, or `<…>` naming the TLSRoute whose
/// first hostname the test reads from its status (`<hostname of TLSRoute
/// NAME …>`, or `<the TLSRoute's only hostname …>`).
fn server_name(sni: &str, docs: &[Doc]) -> String {
    let Some(described) = sni.strip_prefix('<') else {
        return sni.to_owned();
    };
    let named = described
        .split_once("TLSRoute ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .filter(|n| !n.starts_with("only"));
    let routes: Vec<&Value> = docs
        .iter()
        .map(|d| &d.value)
        .filter(|v| v["kind"] == "TLSRoute")
        .filter(|v| named.is_none_or(|n| v["metadata"]["name"] == n))
        .collect();
    assert_eq!(routes.len(), 1, "{sni}: which TLSRoute?");
    routes[0]["spec"]["hostnames"][0]
        .as_str()
        .unwrap()
        .to_owned()
}

/// What podnet answered for one path (or, with no path, the whole trace).
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    /// Delivered to pod `namespace/name`.
    Pod(String, String),
    /// The Gateway answered an HTTP status.
    Http(u64),
    /// The Gateway answered a gRPC status.
    Grpc(String),
    /// The Gateway answered with a redirect: the status and the
    /// `Location`'s scheme, host, port (as written: none for HTTP on 80
    /// and HTTPS on 443) and path.
    Redirect(u64, Location),
    /// The Gateway refused the connection (no status).
    Refused,
    /// Anything else: the outcome and detail, or the trace's `end`.
    Other(String),
}

/// podnet's answers, one per path, from `trace -o json`.
pub fn answers(trace: &Value) -> Vec<Answer> {
    let paths = trace["paths"].as_array().cloned().unwrap_or_default();
    if paths.is_empty() {
        return vec![Answer::Other(format!("no path: {}", trace["end"]))];
    }
    paths
        .iter()
        .map(|p| match p["outcome"].as_str().unwrap() {
            "delivered" => {
                let label = p["label"].as_str().unwrap();
                let pod = label
                    .split_once("endpoint ")
                    .and_then(|(_, rest)| rest.split_whitespace().next())
                    .and_then(|p| p.split_once('/'))
                    .unwrap_or_else(|| panic!("delivered path without endpoint: {label}"));
                Answer::Pod(pod.0.to_owned(), pod.1.to_owned())
            }
            "answered" if p["redirect"].is_object() => {
                let r = &p["redirect"];
                let text = |k: &str| r[k].as_str().unwrap().to_owned();
                let port = r["port"].as_u64().unwrap();
                let scheme = text("scheme");
                let written = !matches!((scheme.as_str(), port), ("http", 80) | ("https", 443));
                Answer::Redirect(
                    p["http_status"].as_u64().unwrap(),
                    Location {
                        scheme,
                        host: text("host"),
                        port: written.then(|| port.to_string()),
                        path: text("path"),
                    },
                )
            }
            "answered" => match (p["http_status"].as_u64(), p["grpc_status"].as_str()) {
                (Some(code), _) => Answer::Http(code),
                (None, Some(s)) => Answer::Grpc(s.to_owned()),
                (None, None) => Answer::Refused,
            },
            other => Answer::Other(format!("{other}: {}", p["detail"])),
        })
        .collect()
}

/// A redirect's `Location`, as upstream's roundtripper reads it.
#[derive(Debug, PartialEq, Eq)]
pub struct Location {
    /// The scheme.
    pub scheme: String,
    /// The host name.
    pub host: String,
    /// The port, when the header writes one.
    pub port: Option<String>,
    /// The path.
    pub path: String,
}
