//! `podnet report`: the page of every bundled example, checked for its data
//! against the other commands, then opened in headless Chromium (Debian's
//! `chromium` driven by `chromedriver`) and checked as a user sees it: the
//! matrix's cells, a click's explanation, the filters, the change marks,
//! no console errors, no network access. Screenshots of every part land
//! in `target/tmp/report/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::support::{EXAMPLES_WITH_PROFILES, Run, json as stdout_json, podnet};
use crate::webdriver::Browser;

/// An example (arguments as [`EXAMPLES_WITH_PROFILES`]) and what it is
/// compared with.
struct Case {
    name: &'static str,
    args: &'static [&'static str],
    compare: Option<&'static str>,
}

/// Every bundled example with its profile; the domain split compared with
/// one namespace, as the README shows.
fn cases() -> Vec<Case> {
    EXAMPLES_WITH_PROFILES
        .iter()
        .map(|&(name, args)| Case {
            name,
            args,
            compare: (name == "ecoeco-domains").then_some("examples/ecoeco-single"),
        })
        .collect()
}

/// `podnet COMMAND ARGS... EXTRA...`.
fn on_case(command: &str, case: &Case, extra: &[&str]) -> Run {
    let mut args = vec![command];
    args.extend(case.args);
    args.extend(extra);
    podnet(&args)
}

const TABS: [&str; 6] = [
    "overview",
    "connectivity",
    "explain",
    "findings",
    "addresses",
    "change",
];

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report");
    std::fs::create_dir_all(&dir).expect("target/tmp/report");
    dir
}

/// Writes the case's report; returns its file and the run.
fn report(case: &Case) -> (PathBuf, Run) {
    let file = out_dir().join(format!("{}.html", case.name));
    let file_arg = file.display().to_string();
    let mut extra = vec!["--out", &file_arg];
    if let Some(old) = case.compare {
        extra.extend(["--compare", old]);
    }
    let run = on_case("report", case, &extra);
    assert_eq!(run.code, 0, "{}: {}", case.name, run.stderr);
    (file, run)
}

/// The page's embedded `podnet.report/v1` document.
fn embedded(file: &PathBuf) -> Value {
    let page = std::fs::read_to_string(file).expect("report written");
    let start = r#"<script id="podnet-data" type="application/json">"#;
    let at = page.find(start).expect("data script") + start.len();
    let len = page[at..].find("</script>").expect("data script ends");
    serde_json::from_str(&page[at..at + len]).expect("embedded JSON")
}

/// How the page names the end of a connlist or diff PEER.
fn end_name(peer: &Value) -> String {
    if let Some(w) = peer.get("workload") {
        return w["namespace"].as_str().expect("namespace").to_owned();
    }
    if let Some(r) = peer.get("external") {
        let list: Vec<&str> = r
            .as_array()
            .expect("ranges")
            .iter()
            .map(|x| x.as_str().expect("range"))
            .collect();
        return list.join(", ");
    }
    if peer.get("ingress_controller").is_some() {
        return "[ingress-controller]".to_owned();
    }
    let g = &peer["gateway"];
    format!(
        "{}/{}",
        g["namespace"].as_str().expect("ns"),
        g["name"].as_str().expect("name")
    )
}

fn connections(case: &Case) -> Vec<Value> {
    let run = on_case("connlist", case, &["-o", "json"]);
    stdout_json(&run)["connections"]
        .as_array()
        .expect("connections")
        .clone()
}

/// Whether CONNS allows `protocol`/`port`.
fn allows(conns: &Value, protocol: &str, port: u64) -> bool {
    conns["all"] == true
        || conns["ports"][protocol]
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| {
                let r = r.as_str().expect("range");
                let (lo, hi) = r.split_once('-').unwrap_or((r, r));
                (lo.parse::<u64>().expect("port")..=hi.parse().expect("port")).contains(&port)
            })
}

type Cells = BTreeSet<(String, String)>;

fn cells_where(conns: &[Value], keep: impl Fn(&Value) -> bool) -> Cells {
    conns
        .iter()
        .filter(|c| keep(c))
        .map(|c| (end_name(&c["src"]), end_name(&c["dst"])))
        .collect()
}

/// The change marks `podnet diff` implies: per cell, `changed` when a
/// flow changed or flows were both added and removed.
fn expected_marks(old: &str, new: &str) -> BTreeMap<(String, String), String> {
    let run = podnet(&["diff", old, new, "-o", "json"]);
    let mut kinds: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for c in stdout_json(&run)["changes"].as_array().expect("changes") {
        kinds
            .entry((end_name(&c["src"]), end_name(&c["dst"])))
            .or_default()
            .insert(c["change"].as_str().expect("change").to_owned());
    }
    kinds
        .into_iter()
        .map(|(k, set)| {
            let kind = if set.contains("changed") || set.len() > 1 {
                "changed"
            } else {
                set.iter().next().expect("a kind")
            };
            (k, kind.to_owned())
        })
        .collect()
}

#[test]
fn report_embeds_what_the_other_commands_say() {
    for case in &cases() {
        let (file, run) = report(case);
        // stderr says where the page is, its size and what it holds.
        assert!(
            run.stderr.contains(&format!("wrote {}", file.display()))
                && (run.stderr.contains(" kB: ") || run.stderr.contains(" MB: "))
                && run.stderr.contains(" namespaces, "),
            "{}: {}",
            case.name,
            run.stderr
        );
        let doc = embedded(&file);
        assert_eq!(doc["schema"], "podnet.report/v1");
        // `--output json` writes exactly the page's data.
        let data = out_dir().join(format!("{}.json", case.name));
        let data_arg = data.display().to_string();
        let mut extra = vec!["--out", data_arg.as_str(), "-o", "json"];
        if let Some(old) = case.compare {
            extra.extend(["--compare", old]);
        }
        let run = on_case("report", case, &extra);
        assert_eq!(run.code, 0, "{}: {}", case.name, run.stderr);
        let written = std::fs::read_to_string(&data).expect("data written");
        let written: Value = serde_json::from_str(&written).expect("report JSON");
        assert_eq!(written, doc, "{}", case.name);
        let conns = connections(case);
        assert_eq!(doc["matrix"]["pairs"], json!(conns.len()), "{}", case.name);
        let groups = stdout_json(&on_case("connlist", case, &["--group", "-o", "json"]));
        assert_eq!(
            doc["groups"].as_array().map(Vec::len),
            groups["groups"].as_array().map(Vec::len),
            "{}",
            case.name
        );
        let audit = stdout_json(&on_case("audit", case, &["-o", "json"]));
        assert_eq!(doc["audit"], audit, "{}", case.name);
        let ipam = stdout_json(&on_case("ipam", case, &["-o", "json"]));
        assert_eq!(doc["ipam"], ipam, "{}", case.name);
        assert_eq!(doc["change"].is_null(), case.compare.is_none());
        // Every embedded explanation is `podnet explain`'s text: checked
        // for the first and the last.
        let members = doc["matrix"]["members"].as_array().expect("members");
        let list = doc["explanations"].as_array().expect("explanations");
        assert!(!list.is_empty(), "{}", case.name);
        for e in [&list[0], &list[list.len() - 1]] {
            let name = |k: &str| {
                members[e[k].as_u64().expect("index") as usize]["explain"]
                    .as_str()
                    .expect("explain name")
                    .to_owned()
            };
            let cli = on_case(
                "explain",
                case,
                &["--from", &name("src"), "--to", &name("dst")],
            );
            assert_eq!(cli.code, 0, "{}", cli.stderr);
            assert_eq!(
                e["text"].as_str(),
                Some(cli.stdout.as_str()),
                "{}",
                case.name
            );
        }
    }
}

#[test]
fn report_of_a_change_embeds_diff_and_verify() {
    let all = cases();
    let case = all
        .iter()
        .find(|c| c.compare.is_some())
        .expect("a compared case");
    let (file, _) = report(case);
    let doc = embedded(&file);
    let diff = stdout_json(&podnet(&[
        "diff",
        "examples/ecoeco-single",
        "examples/ecoeco-domains",
        "-o",
        "json",
    ]));
    assert_eq!(doc["change"]["diff"], diff);
    assert_eq!(doc["change"]["against"], "examples/ecoeco-single");
    let verify = podnet(&["verify", "examples/ecoeco-domains", "-o", "json"]);
    if verify.code == 2 {
        assert!(doc["verify"].is_null());
    } else {
        assert_eq!(doc["verify"], stdout_json(&verify));
    }
}

#[test]
fn report_refuses_compare_with_git() {
    let run = podnet(&[
        "report",
        "examples/ecoeco-single",
        "--compare",
        "examples/ecoeco-single",
        "--git",
        "HEAD",
        "--out",
        "/dev/null",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--compare"), "{}", run.stderr);
}

/// A browser, or `None` after saying clearly why the test is skipped
/// (with `PODNET_REQUIRE_BROWSER` set, as CI does, no browser fails).
fn browser(test: &str) -> Option<Browser> {
    match Browser::start() {
        Ok(b) => Some(b),
        Err(why) if std::env::var_os("PODNET_REQUIRE_BROWSER").is_some() => {
            panic!(
                "{test}: no headless browser can start ({why}) and PODNET_REQUIRE_BROWSER is set"
            )
        }
        Err(why) => {
            eprintln!("SKIPPED {test}: no headless browser can start: {why}");
            None
        }
    }
}

/// The `[src, dst]` of the cells `css` selects.
fn page_cells(b: &Browser, css: &str) -> Cells {
    let v = b.eval(
        "return [...document.querySelectorAll(arguments[0])].map(td => [td.dataset.src, td.dataset.dst]);",
        &[json!(css)],
    );
    v.as_array()
        .expect("cells")
        .iter()
        .map(|p| {
            (
                p[0].as_str().expect("src").to_owned(),
                p[1].as_str().expect("dst").to_owned(),
            )
        })
        .collect()
}

/// The cells whose ends match the search as the page defines it: the
/// end's name, or a workload of it, contains the text.
fn searched(doc: &Value, all: &Cells, q: &str) -> Cells {
    let m = &doc["matrix"];
    let ends = m["ends"].as_array().expect("ends");
    let matches = |name: &str| {
        name.to_lowercase().contains(q)
            || m["members"].as_array().expect("members").iter().any(|x| {
                ends[x["end"].as_u64().expect("end") as usize]["name"] == name
                    && x["name"].as_str().expect("name").to_lowercase().contains(q)
            })
    };
    all.iter()
        .filter(|(s, d)| matches(s) || matches(d))
        .cloned()
        .collect()
}

#[test]
fn report_works_in_headless_chromium() {
    let Some(b) = browser("report_works_in_headless_chromium") else {
        return;
    };
    let shots = out_dir();
    for case in &cases() {
        let (file, _) = report(case);
        let doc = embedded(&file);
        b.open(&file);
        b.wait_for("return document.body.dataset.ready === 'true';");

        // All six parts, each drawn; a screenshot of each.
        for (n, tab) in TABS.iter().enumerate() {
            b.click(&format!("nav button[data-tab={tab}]"));
            let shown = b.eval(
                "const s = document.querySelector('section.tab.active'); return [s.id, s.querySelector('h2') !== null || s.id === 'connectivity', s.offsetHeight];",
                &[],
            );
            assert_eq!(shown[0], *tab, "{}", case.name);
            assert_eq!(shown[1], true, "{}: {tab} has its heading", case.name);
            assert!(
                shown[2].as_u64() > Some(50),
                "{}: {tab} is drawn",
                case.name
            );
            b.screenshot(&shots.join(format!("{}-{}-{tab}.png", case.name, n + 1)));
        }

        // The matrix has exactly the cells the pair list implies.
        b.click("nav button[data-tab=connectivity]");
        let conns = connections(case);
        let all = cells_where(&conns, |_| true);
        assert_eq!(
            page_cells(&b, "#matrix-table td.allowed"),
            all,
            "{}",
            case.name
        );

        // Clicking a cell zooms into its workloads; clicking a pair shows
        // the explanation `podnet explain` prints.
        let namespaces: BTreeSet<String> = doc["overview"]["namespaces"]
            .as_array()
            .expect("namespaces")
            .iter()
            .map(|n| n["name"].as_str().expect("name").to_owned())
            .collect();
        let (s, d) = all
            .iter()
            .find(|(s, d)| namespaces.contains(s) && namespaces.contains(d))
            .expect("a cell between namespaces");
        b.click(&format!(
            "#matrix-table td.allowed[data-src=\"{s}\"][data-dst=\"{d}\"]"
        ));
        b.wait_for("return document.querySelector('#zoomed h2') !== null;");
        let title = b.eval(
            "return document.querySelector('#zoomed h2').textContent;",
            &[],
        );
        assert_eq!(title, json!(format!("{s} \u{2192} {d}")));
        b.click("#pairs-table td.allowed");
        b.wait_for("return document.querySelector('#zoom-explain pre') !== null;");
        let shown = b.eval(
            "return [document.querySelector('#zoom-explain pre').textContent, document.querySelector('#zoom-explain code').textContent];",
            &[],
        );
        let command = shown[1].as_str().expect("command");
        let words: Vec<&str> = command.split_whitespace().collect();
        let arg = |flag: &str| {
            let i = words.iter().position(|w| *w == flag).expect("flag");
            words[i + 1]
        };
        let cli = on_case(
            "explain",
            case,
            &["--from", arg("--from"), "--to", arg("--to")],
        );
        assert_eq!(
            shown[0].as_str(),
            Some(cli.stdout.as_str()),
            "{}",
            case.name
        );
        b.eval("document.getElementById('zoomed').scrollIntoView();", &[]);
        b.screenshot(&shots.join(format!("{}-2-connectivity-zoom.png", case.name)));

        // Search keeps the cells with an end that matches.
        let q = conns
            .iter()
            .find_map(|c| c["src"]["workload"]["name"].as_str())
            .expect("a workload")
            .to_lowercase();
        b.type_into("#search", &q);
        let found = page_cells(&b, "#matrix-table td.allowed");
        assert_eq!(found, searched(&doc, &all, &q), "{}: search {q}", case.name);
        b.type_into("#search", "");

        // The port filter keeps the cells where some pair allows it.
        let port = conns
            .iter()
            .find_map(|c| c["conns"]["ports"]["TCP"][0].as_str())
            .map(|r| {
                r.split('-')
                    .next()
                    .expect("lo")
                    .parse::<u64>()
                    .expect("port")
            });
        if let Some(port) = port {
            b.type_into("#f-port", &port.to_string());
            let kept = page_cells(&b, "#matrix-table td.allowed");
            assert_eq!(
                kept,
                cells_where(&conns, |c| allows(&c["conns"], "TCP", port)),
                "{}: port {port}",
                case.name
            );
            b.type_into("#f-port", "");
            assert_eq!(page_cells(&b, "#matrix-table td.allowed"), all);
        }

        // The change marks the cells `podnet diff` implies.
        if let Some(old) = case.compare {
            let expected = expected_marks(old, case.args[0]);
            assert!(!expected.is_empty());
            let v = b.eval(
                "return [...document.querySelectorAll('#matrix-table td[class*=chg-]')].map(td => [td.dataset.src, td.dataset.dst, [...td.classList].find(c => c.startsWith('chg-')).slice(4)]);",
                &[],
            );
            let marked: BTreeMap<(String, String), String> = v
                .as_array()
                .expect("marks")
                .iter()
                .map(|x| {
                    let t = |i: usize| x[i].as_str().expect("text").to_owned();
                    ((t(0), t(1)), t(2))
                })
                .collect();
            assert_eq!(marked, expected, "{}", case.name);
            b.screenshot(&shots.join(format!("{}-2-connectivity-matrix.png", case.name)));
        }

        // The graph view draws.
        b.eval("window.scrollTo(0, 0);", &[]);
        b.click("#v-graph");
        b.wait_for("return document.querySelectorAll('#graph canvas').length > 0;");
        std::thread::sleep(std::time::Duration::from_millis(300));
        b.screenshot(&shots.join(format!("{}-2-connectivity-graph.png", case.name)));
        b.click("#v-matrix");

        // Nothing was fetched and nothing went wrong.
        let fetched = b.eval(
            "return performance.getEntriesByType('resource').map(r => r.name);",
            &[],
        );
        assert_eq!(fetched, json!([]), "{}", case.name);
        assert_eq!(b.console_errors(), Vec::<String>::new(), "{}", case.name);
    }
}

fn git(dir: &std::path::Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git runs")
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn report_with_git_compares_with_the_revision_as_diff_does() {
    // Commit one namespace's cluster, then replace it with the domain
    // split in the working tree.
    let dir = crate::support::temp_dir("report-git", &[]);
    let cluster = dir.join("cluster");
    let copy = |from: &str| {
        let _ = std::fs::remove_dir_all(&cluster);
        std::fs::create_dir_all(&cluster).expect("cluster dir");
        let src = crate::support::root().join(from);
        for entry in std::fs::read_dir(&src).expect("example") {
            let entry = entry.expect("entry");
            if entry.path().is_file() {
                std::fs::copy(entry.path(), cluster.join(entry.file_name())).expect("copied");
            }
        }
    };
    copy("examples/ecoeco-single");
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "single"]);
    copy("examples/ecoeco-domains");
    let path = cluster.to_str().expect("utf-8");
    let file = out_dir().join("git.html");
    let out = file.to_str().expect("utf-8");
    let run = podnet(&["report", path, "--git", "HEAD", "--out", out, "-q"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = embedded(&file);
    assert_eq!(doc["change"]["against"], "git HEAD");
    let diff = stdout_json(&podnet(&[
        "diff", "--git", "HEAD", path, "-o", "json", "-q",
    ]));
    assert!(!diff["changes"].as_array().expect("changes").is_empty());
    assert_eq!(doc["change"]["diff"], diff);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_dense_clusters_report_stays_bounded() {
    // 10,000 pods in 1,000 workloads, no policy: a million pairs, far
    // past what the page embeds one by one; the page keeps the grouped
    // view and says on stderr what it left out.
    let dir = crate::support::temp_dir("report-dense", &[]);
    let cluster = dir.join("cluster");
    let cluster = cluster.to_str().expect("utf-8");
    let generated = podnet(&[
        "generate",
        "--out",
        cluster,
        "--pods",
        "10000",
        "--workloads",
        "1000",
        "--policies",
        "0",
    ]);
    assert_eq!(generated.code, 0, "{}", generated.stderr);
    let file = dir.join("dense.html");
    let out = file.to_str().expect("utf-8");
    let run = podnet(&["report", cluster, "--out", out, "-q"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let size = std::fs::metadata(&file).expect("written").len();
    assert!(size < 15_000_000, "{size} bytes");
    let doc = embedded(&file);
    let m = &doc["matrix"];
    let pairs = m["pairs"].as_u64().expect("pairs");
    let left_out = m["pairs_left_out"].as_u64().expect("left out");
    assert!(
        pairs > 20_000 && left_out > 0,
        "{pairs} pairs, {left_out} left out"
    );
    let embedded_pairs: usize = m["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .filter_map(|c| c[8].as_array().map(Vec::len))
        .sum();
    assert!(embedded_pairs <= 20_000, "{embedded_pairs}");
    assert_eq!(embedded_pairs as u64, pairs - left_out);
    assert!(doc["explanations"].as_array().expect("list").len() <= 1_000);
    assert!(
        run.stderr
            .contains("connections are shown by their grouped lines only"),
        "{}",
        run.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}
