//! `ConnectivityIntent` (podnet.dev/v1alpha1): valid intents are read into
//! `Cluster::intents` with their lines; invalid ones are errors with file,
//! line and field path, and are skipped like any invalid manifest.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use podnet_manifest::{LoadOptions, Loaded, SourceFile, load_files};
use podnet_model::{IntentRule, PortMatch, Protocol, SelectorKind, Severity};

fn load(text: &str) -> Loaded {
    let files = [SourceFile {
        name: "intents.yaml".into(),
        text: text.into(),
    }];
    load_files(&files, Vec::new(), LoadOptions::default())
}

fn intent(spec: &str) -> String {
    format!(
        "apiVersion: podnet.dev/v1alpha1\nkind: ConnectivityIntent\nmetadata:\n  name: i\nspec:\n{spec}"
    )
}

/// The single error: (line, path, message).
fn error(text: &str) -> (Option<u32>, String, String) {
    let l = load(text);
    let errors: Vec<_> = l.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{:#?}", l.diagnostics);
    assert!(l.cluster.intents.is_empty(), "an invalid intent is skipped");
    assert_eq!(l.stats.skipped, 1);
    let loc = errors[0].location.as_ref().unwrap();
    assert_eq!(&*loc.file, "intents.yaml");
    let path = loc
        .path
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    (loc.line, path, errors[0].detail.message.clone())
}

#[test]
fn a_valid_intent_of_each_rule() {
    let text = [
        intent("  severity: warning\n  description: web to db\n  allow:\n    from:\n    - namespace: a\n      podSelector: {matchLabels: {app: web}}\n    to:\n    - workload: b/db\n    ports:\n    - port: 5432\n    - protocol: UDP\n      port: 1000\n      endPort: 2000\n"),
        intent("  deny:\n    from: [{namespaceSelector: {matchLabels: {env: dev}}}]\n    to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]\n").replace("name: i", "name: j"),
        intent("  only:\n    to: [{namespace: data}]\n    from:\n    - namespaceSelector: {}\n    - workload: monitoring/prometheus\n      ports: [{port: metrics}]\n    ports: [{port: 5432}]\n").replace("name: i", "name: k"),
        intent("  isolate:\n    namespaceLabel: tenant\n    namespaceSelector: {matchExpressions: [{key: tenant, operator: NotIn, values: [shared]}]}\n").replace("name: i", "name: l"),
    ]
    .join("---\n");
    let l = load(&text);
    assert!(!l.has_errors(), "{:#?}", l.diagnostics);
    let intents = &l.cluster.intents;
    assert_eq!(intents.len(), 4);
    assert_eq!(intents[0].meta.name, "i");
    assert_eq!(intents[0].meta.kind, "ConnectivityIntent");
    assert_eq!(intents[0].meta.source.line, Some(1));
    assert_eq!(intents[0].severity, Severity::Warning);
    assert_eq!(intents[0].description.as_deref(), Some("web to db"));
    let IntentRule::Allow(f) = &intents[0].rule else {
        panic!("allow")
    };
    assert_eq!(f.from[0].line, Some(10));
    assert!(
        matches!(&f.to[0].kind, SelectorKind::Workload { namespace, name } if namespace == "b" && name == "db")
    );
    assert_eq!(f.ports[1].protocol, Protocol::Udp);
    assert_eq!(f.ports[1].port, PortMatch::Range(1000, 2000));
    assert_eq!(intents[1].severity, Severity::Error, "the default");
    let IntentRule::Deny(d) = &intents[1].rule else {
        panic!("deny")
    };
    assert!(matches!(&d.to[0].kind, SelectorKind::IpBlock(b) if b.except.len() == 1));
    let IntentRule::Only(o) = &intents[2].rule else {
        panic!("only")
    };
    assert_eq!(o.ports_of(&o.from[0]).len(), 1, "the rule's ports");
    assert_eq!(
        o.ports_of(&o.from[1])[0].port,
        PortMatch::Named("metrics".into())
    );
    let IntentRule::Isolate(r) = &intents[3].rule else {
        panic!("isolate")
    };
    assert_eq!(r.namespace_label, "tenant");
    assert!(r.namespace_selector.is_some());
}

#[test]
fn unknown_selector_field() {
    let (line, path, msg) = error(&intent(
        "  deny:\n    from:\n    - podSelector: {matchLabel: {app: web}}\n    to: [{namespace: b}]\n",
    ));
    assert_eq!(path, "spec.deny.from[0].podSelector.matchLabel");
    assert!(msg.contains("unknown field `matchLabel`"), "{msg}");
    assert_eq!(line, Some(8));
    let (_, path, msg) = error(&intent(
        "  deny:\n    from: [{podSelectr: {}}]\n    to: [{namespace: b}]\n",
    ));
    assert_eq!(path, "spec.deny.from[0].podSelectr");
    assert!(msg.contains("unknown field"), "{msg}");
}

#[test]
fn empty_lists_and_empty_endpoints() {
    let (line, path, msg) = error(&intent(
        "  allow:\n    from: []\n    to: [{namespace: b}]\n",
    ));
    assert_eq!(path, "spec.allow.from");
    assert!(msg.contains("must not be empty"), "{msg}");
    assert_eq!(line, Some(7));
    let (_, path, msg) = error(&intent("  allow:\n    to: [{namespace: b}]\n"));
    assert_eq!(path, "spec.allow.from");
    assert!(msg.contains("is required"), "{msg}");
    let (_, path, msg) = error(&intent(
        "  deny:\n    from: [{}]\n    to: [{namespace: b}]\n",
    ));
    assert_eq!(path, "spec.deny.from[0]");
    assert!(msg.contains("must set"), "{msg}");
    let (_, path, _) = error(&intent("  isolate: {}\n"));
    assert_eq!(path, "spec.isolate.namespaceLabel");
}

#[test]
fn port_range_backwards() {
    let (line, path, msg) = error(&intent(
        "  deny:\n    from: [{namespace: a}]\n    to: [{namespace: b}]\n    ports:\n    - port: 9000\n      endPort: 8000\n",
    ));
    assert_eq!(path, "spec.deny.ports[0].endPort");
    assert!(msg.contains("backwards"), "{msg}");
    assert_eq!(line, Some(11), "the `endPort` line");
    let (_, path, _) = error(&intent(
        "  deny:\n    from: [{namespace: a}]\n    to: [{namespace: b}]\n    ports: [{port: 0}]\n",
    ));
    assert_eq!(path, "spec.deny.ports[0].port");
    let (_, path, _) = error(&intent(
        "  deny:\n    from: [{namespace: a}]\n    to: [{namespace: b}]\n    ports: [{protocol: tcp, port: 80}]\n",
    ));
    assert_eq!(path, "spec.deny.ports[0].protocol");
}

#[test]
fn zero_or_two_rules() {
    let (_, path, msg) = error(&intent("  severity: info\n"));
    assert_eq!(path, "spec");
    assert!(
        msg.contains("exactly one of `allow`, `deny`, `only`, `isolate`"),
        "{msg}"
    );
    let (_, path, msg) = error(&intent(
        "  allow: {from: [{namespace: a}], to: [{namespace: b}]}\n  deny: {from: [{namespace: a}], to: [{namespace: b}]}\n",
    ));
    assert_eq!(path, "spec");
    assert!(msg.contains("it sets `allow`, `deny`"), "{msg}");
    let (_, path, _) =
        error("apiVersion: podnet.dev/v1alpha1\nkind: ConnectivityIntent\nmetadata:\n  name: i\n");
    assert_eq!(path, "spec");
}

#[test]
fn bad_cidr_and_bad_combinations() {
    let (line, path, msg) = error(&intent(
        "  deny:\n    from: [{namespace: a}]\n    to:\n    - ipBlock: {cidr: 10.0.0.1/8}\n",
    ));
    assert_eq!(path, "spec.deny.to[0].ipBlock.cidr");
    assert!(msg.contains("host bits"), "{msg}");
    assert_eq!(line, Some(9));
    let (_, path, _) = error(&intent(
        "  deny:\n    from: [{namespace: a}]\n    to:\n    - ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/16]}\n",
    ));
    assert_eq!(path, "spec.deny.to[0].ipBlock.except[0]");
    let (_, path, _) = error(&intent(
        "  deny:\n    from: [{namespace: a}]\n    to: [{ipBlock: {cidr: bogus}}]\n",
    ));
    assert_eq!(path, "spec.deny.to[0].ipBlock.cidr");
    let (_, path, _) = error(&intent(
        "  deny:\n    from: [{workload: a/web, namespace: a}]\n    to: [{namespace: b}]\n",
    ));
    assert_eq!(path, "spec.deny.from[0]");
    let (_, path, _) = error(&intent(
        "  deny:\n    from: [{workload: web}]\n    to: [{namespace: b}]\n",
    ));
    assert_eq!(path, "spec.deny.from[0].workload");
    let (_, path, _) = error(&intent(
        "  deny:\n    from: [{namespace: a, ports: [{port: 80}]}]\n    to: [{namespace: b}]\n",
    ));
    assert_eq!(path, "spec.deny.from[0].ports");
    let (_, path, _) = error(&intent(
        "  deny:\n    from: [{ipBlock: {cidr: 10.0.0.0/8}}]\n    to: [{ipBlock: {cidr: 11.0.0.0/8}}]\n",
    ));
    assert_eq!(path, "spec.deny");
    let (_, path, _) = error(&intent(
        "  severity: fatal\n  isolate: {namespaceLabel: t}\n",
    ));
    assert_eq!(path, "spec.severity");
}

#[test]
fn a_later_intent_of_the_same_name_replaces_the_earlier() {
    let a = intent("  isolate: {namespaceLabel: a}\n");
    let b = intent("  isolate: {namespaceLabel: b}\n");
    let l = load(&format!("{a}---\n{b}"));
    assert_eq!(l.cluster.intents.len(), 1);
    let IntentRule::Isolate(r) = &l.cluster.intents[0].rule else {
        panic!("isolate")
    };
    assert_eq!(r.namespace_label, "b");
    assert!(l.cluster.namespaces.is_empty(), "intents add no namespace");
}
