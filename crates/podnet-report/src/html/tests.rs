use super::*;

#[test]
fn sizes_print_in_powers_of_a_thousand() {
    let cases = [
        (0, "0 B"),
        (999, "999 B"),
        (1_000, "1.0 kB"),
        (14_250, "14.2 kB"),
        (999_949, "999.9 kB"),
        (1_000_000, "1.0 MB"),
        (2_560_000, "2.6 MB"),
    ];
    for (bytes, text) in cases {
        assert_eq!(size_text(bytes), text, "{bytes}");
    }
}

#[test]
fn markers_are_filled_in_order_and_values_are_never_searched() {
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
    let cases: &[Case<'_>] = &[
        ("a{{x}}b{{y}}c", &[("{{x}}", "1"), ("{{y}}", "2")], "a1b2c"),
        // A value holding a later marker stays as it is.
        (
            "{{x}}-{{y}}",
            &[("{{x}}", "{{y}}"), ("{{y}}", "2")],
            "{{y}}-2",
        ),
        // A marker missing from the template is skipped.
        ("{{y}}", &[("{{x}}", "1"), ("{{y}}", "2")], "2"),
    ];
    for (template, parts, expected) in cases {
        assert_eq!(fill(template, parts), *expected, "{template}");
    }
}

#[test]
fn data_cannot_close_its_script_element() {
    // HTML ends a <script> at the first `</script` whatever JSON says
    // (HTML Living Standard, "script data state"); `<` is escaped.
    let data = serde_json::to_string(
        &serde_json::json!({"zz_probe": "</script><script>alert(1)</script>"}),
    )
    .unwrap_or_default();
    let html = page(&data, "t");
    let at = html.find("{\"zz_probe\"").unwrap_or(0);
    let end = html[at..].find("</script>").map_or(0, |i| at + i);
    let embedded = &html[at..end];
    let back: serde_json::Value = serde_json::from_str(embedded).unwrap_or_default();
    assert_eq!(back["zz_probe"], "</script><script>alert(1)</script>");
}

#[test]
fn the_title_is_escaped() {
    let html = page("{}", "podnet report: <b>&");
    assert!(html.contains("<title>podnet report: &lt;b&gt;&amp;</title>"));
}

fn member(end: usize, workload: bool) -> MemberJson {
    MemberJson {
        end,
        name: format!("m{end}"),
        kind: workload.then(|| "Deployment".to_owned()),
        pods: usize::from(workload),
        explain: Some("x".to_owned()),
    }
}

#[test]
fn allowed_pairs_are_explained_first_then_denied_pairs_between_namespaces() {
    let ns = |name: &str| EndJson {
        kind: "namespace",
        name: name.to_owned(),
    };
    let m = MatrixJson {
        ends: vec![
            ns("a"),
            ns("b"),
            EndJson {
                kind: "outside",
                name: "0.0.0.0/0".to_owned(),
            },
        ],
        // Members 0, 1 in a; 2 in b; 3 is the outside range.
        members: vec![
            member(0, true),
            member(0, true),
            member(1, true),
            member(2, false),
        ],
        conns: vec![],
        networks: vec!["default".to_owned()],
        cells: vec![CellJson {
            src: 0,
            dst: 1,
            network: 0,
            pairs: 2,
            possible: 2,
            any_all: false,
            conns: 0,
            lines: vec![],
            // An outside peer's pair is never explained.
            flows: Some(vec![[1, 2, 0], [0, 2, 0], [3, 2, 0]]),
        }],
        pairs: 3,
        pairs_left_out: 0,
        workloads: vec![],
    };
    let (pairs, total) = pairs_to_explain(&m);
    assert_eq!(
        pairs,
        vec![(1, 2), (0, 2), (0, 1), (1, 0), (2, 0), (2, 1)],
        "allowed first, in matrix order; then the denied, namespace by namespace"
    );
    // Pairs of workloads between namespaces, a workload's own pair left out.
    assert_eq!(total, 6);
}

#[test]
fn the_stderr_line_says_what_was_left_out() {
    let c = Contents {
        bytes: 1_234_567,
        namespaces: 3,
        workloads: 9,
        cells: 7,
        pairs: 40,
        pairs_left_out: 0,
        lines: 5,
        explanations: 60,
        explanations_left_out: 12,
        findings: 4,
        changes: Some(8),
        intents: None,
    };
    assert_eq!(
        c.summary(),
        "1.2 MB: 3 namespaces, 9 workloads, 7 matrix cells, 40 connections, 5 grouped lines, 60 explanations, 4 findings, 8 changed flows; 12 pairs show the `podnet explain` command instead of an embedded explanation"
    );
}

#[test]
fn a_cell_is_an_array_in_the_page() {
    let cell = CellJson {
        src: 1,
        dst: 2,
        network: 0,
        pairs: 3,
        possible: 4,
        any_all: true,
        conns: 5,
        lines: vec![6, 7],
        flows: None,
    };
    assert_eq!(
        serde_json::to_value(&cell).unwrap_or_default(),
        serde_json::json!([1, 2, 0, 3, 4, 1, 5, [6, 7], null])
    );
}
