//! The Gateway API conformance requests of kubernetes-sigs/gateway-api
//! (`conformance/tests/*.go` at 4564255ac2c35d582249b3cdf261bdf51c8bca32,
//! Apache-2.0), replayed through the real binary (issue 20). The rows are
//! in `tests/fixtures/upstream/gateway-api/<ShortName>.yaml`, each with
//! its upstream file and lines; the manifests they name are transcribed in
//! that folder's `manifests/` (see ../README.md there).
//!
//! Every row runs `podnet trace -o json --gateway NS/NAME --to URL` (with
//! `--method`, `--header`, the query string, `--grpc`) against the
//! fixture's cluster, and podnet's answer is compared with the row's
//! expectation as upstream's `CompareRoundTrip` compares routing
//! (conformance/utils/http/http.go lines 355-520): the status, and for a
//! 200 the answering pod's namespace and name prefix (the backend
//! Deployment, which is also the Service's name); for a redirect row the
//! status and the `Location` (see [`redirect_agrees`]). What other filters
//! do to the request or response (`checks_beyond_routing`) is not
//! compared; such
//! rows count as agreeing when the routing agrees, and are counted apart.
//! A row podnet cannot express is listed in [`skips::SKIPS`] with the
//! reason, which docs/dataplane.md states; a listed row must still differ.

mod manifests;
mod request;
mod skips;

use std::path::PathBuf;

use serde_json::Value;

use crate::support::{podnet, root, temp_dir};
use request::Answer;

/// The fixture folder, relative to the workspace root.
const FIXTURES: &str = "tests/fixtures/upstream/gateway-api";

fn fixtures() -> PathBuf {
    root().join(FIXTURES)
}

/// Every fixture but the index, by file name.
fn read_fixtures() -> Vec<Value> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .filter(|p| !p.ends_with("index.yaml"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            let fx: Value =
                serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            assert_eq!(fx["schema"], "podnet.upstream/gateway-api-conformance/v1");
            fx
        })
        .collect()
}

/// A row's name: `ShortName:LINE` (upstream line of the request literal),
/// ` run N` when a table is sent to several Gateways, and the path or
/// listener when one literal is sent several times otherwise.
fn row_name(short: &str, row: &Value, rows: &[Value]) -> String {
    let mut name = format!("{short}:{}", row["line"]);
    if let Some(run) = row["run"].as_u64() {
        name.push_str(&format!(" run {run}"));
    }
    let twins = rows
        .iter()
        .filter(|r| r["line"] == row["line"] && r["run"] == row["run"])
        .count();
    if twins > 1 {
        let which = row["request"]["path"]
            .as_str()
            .or(row["sent_to"]["address_listener"].as_str())
            .unwrap();
        name.push_str(&format!(" {which}"));
    }
    name
}

/// Go's gRPC code name (`Unimplemented`, `DeadlineExceeded`) as podnet
/// prints it (`UNIMPLEMENTED`, `DEADLINE_EXCEEDED`).
fn grpc_code(go: &str) -> String {
    let mut out = String::new();
    for (i, c) in go.chars().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// Whether podnet's `answers` are what `row` expects; the difference if not.
fn verdict(row: &Value, answers: &[Answer]) -> Result<(), String> {
    let e = &row["expect"];
    let kind = row["row_kind"].as_str().unwrap();
    let each = |ok: &dyn Fn(&Answer) -> bool, want: String| {
        if !answers.is_empty() && answers.iter().all(ok) {
            Ok(())
        } else {
            Err(format!("expected {want}, podnet: {answers:?}"))
        }
    };
    match kind {
        "backend" | "grpc-backend" | "any-backend" | "echo" => {
            let ns = e["namespace"].as_str();
            let backend = e["backend"].as_str();
            each(
                &|a| {
                    matches!(a, Answer::Pod(pns, pod)
                        if ns.is_none_or(|n| n == pns) && backend.is_none_or(|b| pod.starts_with(b)))
                },
                format!("a pod {}/{}*", ns.unwrap_or("*"), backend.unwrap_or("")),
            )
        }
        "status" => {
            let codes: Vec<u64> = e["status"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_u64().unwrap())
                .collect();
            each(
                &|a| matches!(a, Answer::Http(c) if codes.contains(c)),
                format!("HTTP {codes:?}"),
            )
        }
        "grpc-status" => {
            let code = grpc_code(e["code"].as_str().unwrap());
            each(
                &|a| matches!(a, Answer::Grpc(c) if *c == code),
                format!("gRPC {code}"),
            )
        }
        "connection-rejected" => each(
            &|a| *a == Answer::Refused,
            "a refused connection".to_owned(),
        ),
        "redirect" => {
            let codes: Vec<u64> = e["status"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_u64().unwrap())
                .collect();
            let want = &e["redirect"];
            let q = &row["request"];
            each(
                &|a| matches!(a, Answer::Redirect(c, to) if codes.contains(c) && redirect_agrees(want, q, row, to)),
                format!("a redirect {codes:?} to {want}"),
            )
        }
        other => panic!("unknown row kind {other}"),
    }
}

/// Whether podnet's `Location` is the row's `want` (`expect.redirect`) as
/// upstream's `CompareRoundTrip` compares it (conformance/utils/http/
/// http.go, `setRedirectRequestDefaults` and the redirect checks): an
/// omitted Host is not compared, an omitted Scheme or Path is the
/// request's, an omitted Port means the Location writes none or the
/// scheme's well-known port (80, 443).
fn redirect_agrees(want: &Value, q: &Value, row: &Value, to: &request::Location) -> bool {
    let scheme = want["Scheme"]
        .as_str()
        .unwrap_or(row["scheme"].as_str().unwrap());
    let path = want["Path"].as_str().unwrap_or(q["path"].as_str().unwrap());
    let host = want["Host"].as_str().is_none_or(|h| h == to.host);
    let port = match want["Port"].as_str() {
        Some(p) => to.port.as_deref() == Some(p),
        None => to.port.is_none(),
    };
    to.scheme == scheme && to.path == path && host && port
}

/// Runs `row` against `input` (a file path) and returns the verdict.
fn replay(input: &str, row: &Value, docs: &[manifests::Doc]) -> Result<(), String> {
    let mut args = vec![
        "trace".to_owned(),
        "-o".to_owned(),
        "json".to_owned(),
        "-q".to_owned(),
    ];
    args.extend(request::args(row, docs));
    args.push(input.to_owned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = podnet(&args);
    if run.code != 0 && run.code != 1 {
        return Err(format!("exit {}: {}", run.code, run.stderr.trim()));
    }
    let trace: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: stdout is not JSON ({e}): {}", run.stderr));
    verdict(row, &request::answers(&trace))
}

#[test]
fn gateway_api_conformance_rows_agree_except_documented_skips() {
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let dataplane = words(&std::fs::read_to_string(root().join("docs/dataplane.md")).unwrap());
    let transcribed = manifests::Transcribed::read(&fixtures().join("manifests"));
    let dir = temp_dir("gateway-api-upstream", &[]);
    let mut names = Vec::new();
    let (mut agree, mut beyond, mut skipped) = (0, 0, 0);
    let mut failures = Vec::new();
    for fx in read_fixtures() {
        let short = fx["test"]["short_name"].as_str().unwrap().to_owned();
        let rows = fx["rows"].as_array().unwrap();
        let docs = transcribed.of(&fx);
        for row in rows {
            let name = row_name(&short, row, rows);
            let skip = skips::skip_of(&name);
            let input = dir.join(format!("{short}.yaml"));
            let mut cluster = manifests::input(&short, &docs);
            if let Some(state) = skips::state_of(&short, row) {
                cluster = state(&cluster);
            }
            std::fs::write(&input, cluster).unwrap();
            let got = replay(input.to_str().unwrap(), row, &docs);
            match (got, skip) {
                (Ok(()), None) => {
                    agree += 1;
                    if !row["checks_beyond_routing"].is_null() && row["row_kind"] != "redirect" {
                        beyond += 1;
                    }
                }
                (Err(_), Some(_)) => skipped += 1,
                (Ok(()), Some(s)) => failures.push(format!(
                    "{name}: now agrees; remove it from SKIPS (listed because {})",
                    s.reason
                )),
                (Err(d), None) => failures.push(format!("{name}: {d}")),
            }
            names.push(name);
        }
    }
    for s in skips::SKIPS {
        assert!(
            dataplane.contains(&words(s.documented_by)),
            "docs/dataplane.md does not say {:?}",
            s.documented_by
        );
        for row in s.rows {
            assert!(names.iter().any(|n| n == row), "{row}: no such row");
        }
    }
    let total = names.len();
    let differ = failures.len();
    eprintln!(
        "gateway-api conformance: {total} rows, {agree} agree ({beyond} of them also check filters, not compared), {skipped} skipped, {differ} differ"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(agree + skipped, total);
}
