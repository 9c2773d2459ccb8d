//! Loading sig-network's policy API end to end with `load_files`:
//! AdminNetworkPolicy and BaselineAdminNetworkPolicy (v1alpha1) and
//! ClusterNetworkPolicy (v1alpha2). Each kind is checked for the model
//! values it lowers to, each validation rule of the CRDs for its field path
//! and line.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is a test failure

use ipnet::IpNet;
use podnet_manifest::{LoadOptions, Loaded, SourceFile, load_files};
use podnet_model::{
    AdminAction, AdminApi, AdminPeer, AdminPolicy, AdminPort, AdminSubject, IpSet, Labels,
    Protocol, Tier,
};

fn load(text: &str) -> Loaded {
    let files = [SourceFile {
        name: "admin.yaml".into(),
        text: text.into(),
    }];
    load_files(&files, Vec::new(), LoadOptions::default())
}

/// `(path, line, message)` of every error.
fn errors(l: &Loaded) -> Vec<(String, Option<u32>, String)> {
    l.diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            let loc = d.location.as_ref();
            (
                loc.and_then(|x| x.path.as_ref())
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                loc.and_then(|x| x.line),
                d.detail.message.clone(),
            )
        })
        .collect()
}

/// `(path, line, message)` of every warning.
fn warnings(l: &Loaded) -> Vec<(String, Option<u32>, String)> {
    l.diagnostics
        .iter()
        .filter(|d| !d.is_error())
        .map(|d| {
            let loc = d.location.as_ref();
            (
                loc.and_then(|x| x.path.as_ref())
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                loc.and_then(|x| x.line),
                d.detail.message.clone(),
            )
        })
        .collect()
}

/// Loads `text` and returns its policies, asserting no error.
fn policies(text: &str) -> (Vec<AdminPolicy>, Loaded) {
    let l = load(text);
    assert!(errors(&l).is_empty(), "{:#?}", errors(&l));
    (l.cluster.admin_policies.clone(), l)
}

/// `template` with each `(line, text)` replacing that 1-based line (`text`
/// may hold several lines).
fn with(template: &str, changes: &[(usize, &str)]) -> String {
    template
        .lines()
        .enumerate()
        .map(|(i, l)| {
            changes
                .iter()
                .find(|(n, _)| *n == i + 1)
                .map_or(l, |(_, t)| t)
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Asserts exactly one error, at `path` on `line`, that the object was
/// skipped, and returns the message.
fn one_error(text: &str, path: &str, line: u32) -> String {
    let l = load(text);
    let e = errors(&l);
    assert_eq!(e.len(), 1, "{e:#?}\n{text}");
    assert_eq!(e[0].0, path, "{e:#?}\n{text}");
    assert_eq!(e[0].1, Some(line), "{e:#?}\n{text}");
    assert_eq!(l.stats.skipped, 1);
    assert!(l.cluster.admin_policies.is_empty());
    e[0].2.clone()
}

fn set(cidrs: &[&str]) -> IpSet {
    cidrs.iter().fold(IpSet::empty(), |s, c| {
        s.union(&IpSet::from_net(&c.parse::<IpNet>().unwrap()))
    })
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

const ANP: &str = r#"apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata:
  name: cluster-control
spec:
  priority: 20
  subject:
    namespaces: {}
  ingress:
  - name: allow-monitoring
    action: Allow
    from:
    - namespaces:
        matchLabels: {team: monitoring}
    ports:
    - portNumber: {port: 9090}
  egress:
  - name: deny-metadata
    action: Deny
    to:
    - networks: [169.254.169.254/32]
    ports:
    - portRange: {start: 80, end: 443}
"#;

const BANP: &str = r#"apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata:
  name: default
spec:
  subject:
    pods:
      namespaceSelector: {matchLabels: {tenant: a}}
      podSelector: {}
  ingress:
  - action: Deny
    from:
    - namespaces: {}
  egress:
  - action: Allow
    to:
    - nodes: {matchLabels: {node-role.kubernetes.io/control-plane: ""}}
    ports:
    - portNumber: {protocol: TCP, port: 6443}
"#;

const CNP: &str = r#"apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: web-baseline
spec:
  tier: Baseline
  priority: 5
  subject:
    pods:
      podSelector: {matchLabels: {app: web}}
  ingress:
  - name: from-lb
    action: Accept
    from:
    - pods: {namespaceSelector: {matchLabels: {role: lb}}, podSelector: {}}
    protocols:
    - tcp: {destinationPort: {number: 8080}}
  egress:
  - name: dns
    action: Accept
    to:
    - namespaces: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
    protocols:
    - udp: {destinationPort: {number: 53}}
    - destinationNamedPort: dns-tcp
  - action: Deny
    to:
    - networks: [0.0.0.0/0, "::/0"]
"#;

// ---------------------------------------------------------------------------
// Lowering
// ---------------------------------------------------------------------------

#[test]
fn admin_network_policy_lowers() {
    let text = with(
        ANP,
        &[(
            16,
            "    - portNumber: {port: 9090}\n    - namedPort: metrics\n    - portRange: {protocol: UDP, start: 5000, end: 5010}",
        )],
    );
    let (p, l) = policies(&text);
    assert!(warnings(&l).is_empty(), "{:#?}", warnings(&l));
    assert_eq!(p.len(), 1);
    let p = &p[0];
    assert_eq!(p.api, AdminApi::AdminNetworkPolicy);
    assert_eq!(p.meta.kind, "AdminNetworkPolicy");
    assert_eq!(p.meta.name, "cluster-control");
    assert_eq!(p.meta.namespace, None);
    assert_eq!(p.meta.source.line, Some(1));
    assert_eq!((p.tier, p.priority), (Tier::Admin, Some(20)));
    let AdminSubject::Namespaces(all) = &p.subject else {
        panic!("{:?}", p.subject)
    };
    assert!(all.is_empty());

    let rule = &p.ingress[0];
    assert_eq!(rule.name.as_deref(), Some("allow-monitoring"));
    assert_eq!(rule.line, Some(10));
    assert_eq!(rule.action, AdminAction::Allow);
    let [AdminPeer::Namespaces(sel)] = rule.peers.as_slice() else {
        panic!("{:?}", rule.peers)
    };
    assert!(sel.matches(&labels(&[("team", "monitoring")])));
    assert!(!sel.matches(&labels(&[("team", "web")])));
    assert_eq!(
        rule.ports,
        Some(vec![
            AdminPort::Number {
                protocol: Protocol::Tcp,
                port: 9090
            },
            AdminPort::Named("metrics".into()),
            AdminPort::Range {
                protocol: Protocol::Udp,
                start: 5000,
                end: 5010
            },
        ]),
        "protocol defaults to TCP"
    );

    // The ingress rule grew by two lines.
    let rule = &p.egress[0];
    assert_eq!(rule.line, Some(20));
    assert_eq!(rule.action, AdminAction::Deny);
    assert_eq!(
        rule.peers,
        vec![AdminPeer::Networks(set(&["169.254.169.254/32"]))]
    );
    assert_eq!(
        rule.ports,
        Some(vec![AdminPort::Range {
            protocol: Protocol::Tcp,
            start: 80,
            end: 443
        }])
    );
}

#[test]
fn pass_and_subject_pods_and_peers_of_every_form() {
    let text = with(
        ANP,
        &[
            (
                8,
                "    pods:\n      namespaceSelector: {matchLabels: {env: prod}}\n      podSelector: {matchExpressions: [{key: app, operator: In, values: [api, web]}]}",
            ),
            (11, "    action: Pass"),
            (
                21,
                "    - networks: [10.0.0.0/8, 10.1.0.0/16, 192.168.0.0/24, fd00::/8]\n    - nodes: {}\n    - pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}\n    - namespaces: {matchLabels: {env: dev}}",
            ),
        ],
    );
    let (p, _) = policies(&text);
    let p = &p[0];
    let AdminSubject::Pods(pods) = &p.subject else {
        panic!("{:?}", p.subject)
    };
    assert!(pods.namespaces.matches(&labels(&[("env", "prod")])));
    assert!(pods.pods.matches(&labels(&[("app", "web")])));
    assert!(!pods.pods.matches(&labels(&[("app", "db")])));
    assert_eq!(p.ingress[0].action, AdminAction::Pass);
    let peers = &p.egress[0].peers;
    assert_eq!(peers.len(), 4);
    // One peer: the union of its CIDRs.
    assert_eq!(
        peers[0],
        AdminPeer::Networks(set(&["10.0.0.0/8", "192.168.0.0/24", "fd00::/8"]))
    );
    assert!(matches!(&peers[1], AdminPeer::Nodes(s) if s.is_empty()));
    assert!(
        matches!(&peers[2], AdminPeer::Pods(np) if np.namespaces.is_empty() && !np.pods.is_empty())
    );
    assert!(matches!(&peers[3], AdminPeer::Namespaces(s) if !s.is_empty()));
}

#[test]
fn baseline_admin_network_policy_lowers() {
    let (p, l) = policies(BANP);
    assert!(warnings(&l).is_empty(), "{:#?}", warnings(&l));
    let p = &p[0];
    assert_eq!(p.api, AdminApi::BaselineAdminNetworkPolicy);
    assert_eq!((p.tier, p.priority), (Tier::Baseline, None));
    assert_eq!(p.meta.name, "default");
    let AdminSubject::Pods(pods) = &p.subject else {
        panic!("{:?}", p.subject)
    };
    assert!(pods.namespaces.matches(&labels(&[("tenant", "a")])));
    assert!(pods.pods.is_empty());
    assert_eq!(p.ingress[0].action, AdminAction::Deny);
    assert_eq!(p.ingress[0].line, Some(11));
    assert_eq!(p.ingress[0].ports, None, "no ports: every port");
    assert_eq!(p.egress[0].action, AdminAction::Allow);
    assert_eq!(p.egress[0].line, Some(15));
    assert!(matches!(&p.egress[0].peers[..], [AdminPeer::Nodes(s)] if !s.is_empty()));
    assert_eq!(
        p.egress[0].ports,
        Some(vec![AdminPort::Number {
            protocol: Protocol::Tcp,
            port: 6443
        }])
    );
}

#[test]
fn cluster_network_policy_lowers() {
    let text = with(
        CNP,
        &[(
            17,
            "    - tcp: {destinationPort: {number: 8080}}\n    - sctp: {destinationPort: {range: {start: 1, end: 65535}}}\n    - udp: {destinationPort: {range: {start: 5000, end: 5010}}}",
        )],
    );
    let (p, l) = policies(&text);
    assert!(warnings(&l).is_empty(), "{:#?}", warnings(&l));
    let p = &p[0];
    assert_eq!(p.api, AdminApi::ClusterNetworkPolicy);
    assert_eq!((p.tier, p.priority), (Tier::Baseline, Some(5)));
    let AdminSubject::Pods(pods) = &p.subject else {
        panic!("{:?}", p.subject)
    };
    assert!(
        pods.namespaces.is_empty(),
        "namespaceSelector is optional in v1alpha2: every namespace"
    );
    assert!(pods.pods.matches(&labels(&[("app", "web")])));

    let rule = &p.ingress[0];
    assert_eq!(rule.name.as_deref(), Some("from-lb"));
    assert_eq!(rule.line, Some(12));
    assert_eq!(rule.action, AdminAction::Allow, "Accept is Allow");
    assert!(
        matches!(&rule.peers[..], [AdminPeer::Pods(np)] if np.namespaces.matches(&labels(&[("role", "lb")])))
    );
    assert_eq!(
        rule.ports,
        Some(vec![
            AdminPort::Number {
                protocol: Protocol::Tcp,
                port: 8080
            },
            // Every SCTP port: the way to write it (`sctp: {}` is invalid).
            AdminPort::Range {
                protocol: Protocol::Sctp,
                start: 1,
                end: 65535
            },
            AdminPort::Range {
                protocol: Protocol::Udp,
                start: 5000,
                end: 5010
            },
        ])
    );

    let dns = &p.egress[0];
    assert_eq!(dns.line, Some(21));
    assert_eq!(
        dns.ports,
        Some(vec![
            AdminPort::Number {
                protocol: Protocol::Udp,
                port: 53
            },
            AdminPort::Named("dns-tcp".into()),
        ])
    );
    let deny = &p.egress[1];
    assert_eq!(deny.name, None);
    assert_eq!(deny.line, Some(28));
    assert_eq!(deny.action, AdminAction::Deny);
    assert_eq!(deny.peers, vec![AdminPeer::Networks(IpSet::full())]);
    assert_eq!(deny.ports, None);
}

#[test]
fn cluster_network_policy_admin_tier_and_pass() {
    let text = with(CNP, &[(6, "  tier: Admin"), (13, "    action: Pass")]);
    let (p, _) = policies(&text);
    assert_eq!((p[0].tier, p[0].priority), (Tier::Admin, Some(5)));
    assert_eq!(p[0].ingress[0].action, AdminAction::Pass);
}

#[test]
fn both_api_versions_in_one_input_keep_input_order() {
    let second_cnp = with(CNP, &[(4, "  name: second")]);
    let text = format!("{CNP}---\n{ANP}---\n{BANP}---\n{second_cnp}");
    let (p, l) = policies(&text);
    let got: Vec<(AdminApi, &str, u32)> = p
        .iter()
        .map(|p| (p.api, p.meta.name.as_str(), p.meta.source.document))
        .collect();
    assert_eq!(
        got,
        [
            (AdminApi::ClusterNetworkPolicy, "web-baseline", 1),
            (AdminApi::AdminNetworkPolicy, "cluster-control", 2),
            (AdminApi::BaselineAdminNetworkPolicy, "default", 3),
            (AdminApi::ClusterNetworkPolicy, "second", 4),
        ]
    );
    assert_eq!(l.stats.documents, 4);
    // Rule lines are lines of the file, not of the document.
    let anp_start = CNP.lines().count() as u32 + 2;
    assert_eq!(p[1].meta.source.line, Some(anp_start));
    assert_eq!(p[1].ingress[0].line, Some(anp_start + 9));
}

#[test]
fn list_items_are_read() {
    let text = r#"apiVersion: v1
kind: List
items:
- apiVersion: policy.networking.k8s.io/v1alpha1
  kind: AdminNetworkPolicy
  metadata: {name: a, resourceVersion: "12", managedFields: []}
  spec:
    priority: 3
    subject: {namespaces: {}}
    egress:
    - action: Allow
      to: [{namespaces: {}}]
  status:
    conditions: [{type: Ready, status: "True"}]
- apiVersion: policy.networking.k8s.io/v1alpha2
  kind: ClusterNetworkPolicy
  metadata: {name: b}
  spec:
    tier: Admin
    priority: 3
    subject: {namespaces: {}}
"#;
    let (p, _) = policies(text);
    assert_eq!(p.len(), 2);
    assert_eq!(p[0].egress[0].line, Some(11));
    assert_eq!(p[0].meta.source.item, Some(0));
    assert_eq!(p[1].meta.source.item, Some(1));
}

#[test]
fn a_namespace_is_ignored_with_a_warning() {
    let (p, l) = policies(&with(
        ANP,
        &[(4, "  name: cluster-control\n  namespace: prod")],
    ));
    assert_eq!(p[0].meta.namespace, None);
    let w = warnings(&l);
    assert_eq!(w.len(), 1, "{w:#?}");
    assert_eq!((w[0].0.as_str(), w[0].1), ("metadata.namespace", Some(5)));
}

#[test]
fn later_definitions_replace_earlier_ones_per_kind() {
    let other = with(ANP, &[(6, "  priority: 30")]);
    let cnp_same_name = with(CNP, &[(4, "  name: cluster-control")]);
    let text = format!("{ANP}---\n{cnp_same_name}---\n{other}");
    let (p, l) = policies(&text);
    let got: Vec<(AdminApi, Option<u32>)> = p.iter().map(|p| (p.api, p.priority)).collect();
    assert_eq!(
        got,
        [
            (AdminApi::ClusterNetworkPolicy, Some(5)),
            (AdminApi::AdminNetworkPolicy, Some(30)),
        ]
    );
    let w = warnings(&l);
    assert_eq!(w.len(), 1, "{w:#?}");
    assert!(
        w[0].2
            .contains("AdminNetworkPolicy cluster-control is defined twice"),
        "{w:#?}"
    );
}

#[test]
fn versions_and_other_groups() {
    let l = load(&with(
        CNP,
        &[(1, "apiVersion: policy.networking.k8s.io/v1beta1")],
    ));
    let e = errors(&l);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!((e[0].0.as_str(), e[0].1), ("apiVersion", Some(1)));
    assert!(
        e[0].2.contains("policy.networking.k8s.io/v1alpha2"),
        "{e:#?}"
    );
    // AdminNetworkPolicy is read in v1alpha1 only.
    let l = load(&with(
        ANP,
        &[(1, "apiVersion: policy.networking.k8s.io/v1alpha2")],
    ));
    assert_eq!(errors(&l).len(), 1);
    // Antrea's ClusterNetworkPolicy is another kind: not modelled.
    let l = load(&with(CNP, &[(1, "apiVersion: crd.antrea.io/v1beta1")]));
    assert!(errors(&l).is_empty());
    assert!(l.cluster.admin_policies.is_empty());
    let w = warnings(&l);
    assert!(w[0].2.contains("does not model"), "{w:#?}");
}

#[test]
fn cidr_host_bits_are_accepted_with_a_warning() {
    let (p, l) = policies(&with(ANP, &[(21, "    - networks: [10.1.2.3/8]")]));
    assert_eq!(
        p[0].egress[0].peers,
        vec![AdminPeer::Networks(set(&["10.0.0.0/8"]))]
    );
    let w = warnings(&l);
    assert_eq!(w.len(), 1, "{w:#?}");
    assert_eq!(
        (w[0].0.as_str(), w[0].1),
        ("spec.egress[0].to[0].networks[0]", Some(21))
    );
    assert!(w[0].2.contains("host bits"), "{w:#?}");
}

#[test]
fn what_the_api_server_accepts_but_matches_nothing_is_a_warning() {
    // v1alpha1 port ranges have no CEL rule; an unknown protocol string is
    // accepted (the CRD types `protocol` as a string); a named port no
    // container can have; domainNames, which podnet does not resolve.
    let text = with(
        ANP,
        &[
            (
                16,
                "    - portRange: {start: 90, end: 80}\n    - portNumber: {port: 1, protocol: ICMP}\n    - namedPort: HTTP",
            ),
            (21, "    - domainNames: ['*.example.com']"),
        ],
    );
    let (p, l) = policies(&text);
    let w: Vec<(String, Option<u32>)> = warnings(&l).into_iter().map(|w| (w.0, w.1)).collect();
    assert_eq!(
        w,
        [
            ("spec.ingress[0].ports[0].portRange".into(), Some(16)),
            (
                "spec.ingress[0].ports[1].portNumber.protocol".into(),
                Some(17)
            ),
            ("spec.ingress[0].ports[2].namedPort".into(), Some(18)),
            ("spec.egress[0].to[0].domainNames".into(), Some(23)),
        ]
    );
    assert_eq!(
        p[0].ingress[0].ports,
        Some(vec![AdminPort::Named("HTTP".into())])
    );
    assert_eq!(
        p[0].egress[0].peers,
        vec![AdminPeer::Networks(IpSet::empty())]
    );
}

// ---------------------------------------------------------------------------
// Validation: AdminNetworkPolicy
// ---------------------------------------------------------------------------

#[test]
fn anp_spec_errors() {
    let m = one_error(&with(ANP, &[(6, "  priority: 1001")]), "spec.priority", 6);
    assert!(m.contains("between 0 and 1000"), "{m}");
    one_error(&with(ANP, &[(6, "  priority: -1")]), "spec.priority", 6);
    // A missing field is located at its parent.
    let m = one_error(&with(ANP, &[(6, "")]), "spec.priority", 5);
    assert!(m.contains("required"), "{m}");
    let m = one_error(&with(ANP, &[(7, ""), (8, "")]), "spec.subject", 5);
    assert!(m.contains("required"), "{m}");
    let no_spec: String = ANP.lines().take(4).collect::<Vec<_>>().join("\n") + "\n";
    one_error(&no_spec, "spec", 1);
    let m = one_error(&with(ANP, &[(8, "    {}")]), "spec.subject", 7);
    assert!(m.contains("exactly one of `namespaces`, `pods`"), "{m}");
    let m = one_error(
        &with(
            ANP,
            &[(
                8,
                "    namespaces: {}\n    pods: {namespaceSelector: {}, podSelector: {}}",
            )],
        ),
        "spec.subject",
        7,
    );
    assert!(m.contains("it sets `namespaces`, `pods`"), "{m}");
    let m = one_error(
        &with(ANP, &[(8, "    pods:\n      podSelector: {}")]),
        "spec.subject.pods.namespaceSelector",
        8,
    );
    assert!(m.contains("`namespaceSelector` is required"), "{m}");
    one_error(
        &with(ANP, &[(8, "    pods:\n      namespaceSelector: {}")]),
        "spec.subject.pods.podSelector",
        8,
    );
    // Selectors are checked as NetworkPolicy's are.
    one_error(
        &with(
            ANP,
            &[(
                8,
                "    namespaces: {matchExpressions: [{key: a, operator: Equals}]}",
            )],
        ),
        "spec.subject.namespaces.matchExpressions[0].operator",
        8,
    );
    one_error(
        &with(ANP, &[(14, "        matchLabels: {team: -monitoring}")]),
        "spec.ingress[0].from[0].namespaces.matchLabels[team]",
        14,
    );
    // A typo is an unknown field.
    let m = one_error(&with(ANP, &[(6, "  priorty: 20")]), "spec.priorty", 6);
    assert!(m.contains("unknown field `priorty`"), "{m}");
}

#[test]
fn anp_rule_errors() {
    let long = format!("  - name: {}", "x".repeat(101));
    let m = one_error(&with(ANP, &[(10, &long)]), "spec.ingress[0].name", 10);
    assert!(m.contains("no more than 100 characters"), "{m}");
    let m = one_error(
        &with(ANP, &[(11, "    action: Accept")]),
        "spec.ingress[0].action",
        11,
    );
    assert!(m.contains(r#""Allow", "Deny", "Pass""#), "{m}");
    one_error(
        &with(ANP, &[(19, "    action:")]),
        "spec.egress[0].action",
        19,
    );
    let m = one_error(
        &with(ANP, &[(12, "    from: []"), (13, ""), (14, "")]),
        "spec.ingress[0].from",
        12,
    );
    assert!(m.contains("must not be empty"), "{m}");
    let m = one_error(&with(ANP, &[(20, ""), (21, "")]), "spec.egress[0].to", 18);
    assert!(m.contains("`to` is required"), "{m}");
    let m = one_error(
        &with(ANP, &[(15, "    ports: []"), (16, "")]),
        "spec.ingress[0].ports",
        15,
    );
    assert!(m.contains("must not be empty"), "{m}");
    // Ingress peers have no networks: an unknown field.
    let m = one_error(
        &with(ANP, &[(13, "    - networks: [10.0.0.0/8]"), (14, "")]),
        "spec.ingress[0].from[0].networks",
        13,
    );
    assert!(m.contains("unknown field `networks`"), "{m}");
    let m = one_error(
        &with(ANP, &[(21, "    - {networks: [10.0.0.0/8], nodes: {}}")]),
        "spec.egress[0].to[0]",
        21,
    );
    assert!(m.contains("exactly one of"), "{m}");
}

#[test]
fn anp_count_limits() {
    let rule = "  - {action: Allow, from: [{namespaces: {}}]}";
    let rules = vec![rule; 101].join("\n");
    let text = with(
        ANP,
        &[
            (10, &rules),
            (11, ""),
            (12, ""),
            (13, ""),
            (14, ""),
            (15, ""),
            (16, ""),
        ],
    );
    let m = one_error(&text, "spec.ingress", 9);
    assert!(m.contains("101") && m.contains("at most 100"), "{m}");
    let peers = format!("    from: [{}]", vec!["{namespaces: {}}"; 101].join(", "));
    one_error(
        &with(ANP, &[(12, &peers), (13, ""), (14, "")]),
        "spec.ingress[0].from",
        12,
    );
    let ports = format!("    ports: [{}]", vec!["{namedPort: a}"; 101].join(", "));
    one_error(
        &with(ANP, &[(15, &ports), (16, "")]),
        "spec.ingress[0].ports",
        15,
    );
    let nets: Vec<String> = (0..26).map(|i| format!("10.{i}.0.0/16")).collect();
    let nets = format!("    - networks: [{}]", nets.join(", "));
    let m = one_error(
        &with(ANP, &[(21, &nets)]),
        "spec.egress[0].to[0].networks",
        21,
    );
    assert!(m.contains("at most 25"), "{m}");
}

#[test]
fn anp_port_errors() {
    let port = |line: &str| with(ANP, &[(16, line)]);
    let m = one_error(
        &port("    - {portNumber: {port: 80}, namedPort: http}"),
        "spec.ingress[0].ports[0]",
        16,
    );
    assert!(
        m.contains("exactly one of `portNumber`, `namedPort`, `portRange`"),
        "{m}"
    );
    one_error(&port("    - {}"), "spec.ingress[0].ports[0]", 16);
    let m = one_error(
        &port("    - portNumber: {port: 65536}"),
        "spec.ingress[0].ports[0].portNumber.port",
        16,
    );
    assert!(m.contains("between 1 and 65535"), "{m}");
    one_error(
        &port("    - portNumber: {protocol: UDP}"),
        "spec.ingress[0].ports[0].portNumber.port",
        16,
    );
    one_error(
        &port("    - portRange: {start: 0, end: 10}"),
        "spec.ingress[0].ports[0].portRange.start",
        16,
    );
    one_error(
        &port("    - portRange: {start: 10}"),
        "spec.ingress[0].ports[0].portRange.end",
        16,
    );
    let m = one_error(
        &port("    - portNumber: {port: \"80\"}"),
        "spec.ingress[0].ports[0].portNumber.port",
        16,
    );
    assert!(m.contains("invalid type"), "{m}");
}

#[test]
fn anp_network_errors() {
    let net = |cidr: &str| with(ANP, &[(21, &format!("    - networks: [{cidr}]"))]);
    for bad in [
        "10.0.0.0",
        "10.0.0.0/33",
        "010.0.0.0/8",
        "10.0.0.0/08",
        "\"::ffff:10.0.0.0/104\"",
        "not-a-cidr/8",
    ] {
        let m = one_error(&net(bad), "spec.egress[0].to[0].networks[0]", 21);
        assert!(m.contains("not a valid CIDR"), "{bad}: {m}");
    }
    let long = format!("\"{}/64\"", "0:".repeat(20) + "0");
    let m = one_error(&net(&long), "spec.egress[0].to[0].networks[0]", 21);
    assert!(m.contains("no more than 43 characters"), "{m}");
    let m = one_error(
        &net("10.0.0.0/8, 192.168.0.0/16, 10.0.0.0/8"),
        "spec.egress[0].to[0].networks[2]",
        21,
    );
    assert!(m.contains("duplicate value `10.0.0.0/8`"), "{m}");
    one_error(&net(""), "spec.egress[0].to[0].networks", 21);
}

#[test]
fn anp_named_ports_need_pod_peers() {
    // The rule-level CEL rule of egress rules: networks, nodes and
    // domainNames peers have no named ports.
    for peer in [
        "    - networks: [10.0.0.0/8]",
        "    - nodes: {}",
        "    - domainNames: [example.com]",
    ] {
        let text = with(ANP, &[(21, peer), (23, "    - namedPort: http")]);
        let m = one_error(&text, "spec.egress[0].ports[0].namedPort", 23);
        assert!(m.contains("no named ports"), "{m}");
    }
    // With pod peers, named ports are fine; in ingress rules too.
    let text = with(
        ANP,
        &[(21, "    - namespaces: {}"), (23, "    - namedPort: http")],
    );
    policies(&text);
}

#[test]
fn anp_domain_name_errors() {
    let m = one_error(
        &with(ANP, &[(21, "    - domainNames: [localhost]")]),
        "spec.egress[0].to[0].domainNames[0]",
        21,
    );
    assert!(m.contains("domain name"), "{m}");
    one_error(
        &with(ANP, &[(21, "    - domainNames: [a.io, a.io]")]),
        "spec.egress[0].to[0].domainNames[1]",
        21,
    );
}

// ---------------------------------------------------------------------------
// Validation: BaselineAdminNetworkPolicy
// ---------------------------------------------------------------------------

#[test]
fn banp_errors() {
    let m = one_error(&with(BANP, &[(4, "  name: tenant-a")]), "metadata.name", 4);
    assert!(m.contains(r#"metadata.name "default""#), "{m}");
    // A generated name is not `default` either.
    let m = one_error(
        &with(BANP, &[(4, "  generateName: default-")]),
        "metadata.name",
        3,
    );
    assert!(m.contains(r#"must be "default""#), "{m}");
    let m = one_error(
        &with(BANP, &[(11, "  - action: Pass")]),
        "spec.ingress[0].action",
        11,
    );
    assert!(m.contains(r#""Allow", "Deny""#), "{m}");
    let m = one_error(
        &with(BANP, &[(5, "spec:\n  priority: 1")]),
        "spec.priority",
        6,
    );
    assert!(m.contains("no priority"), "{m}");
    let m = one_error(
        &with(BANP, &[(17, "    - domainNames: [example.com]")]),
        "spec.egress[0].to[0].domainNames",
        17,
    );
    assert!(m.contains("unknown field `domainNames`"), "{m}");
    one_error(
        &with(
            BANP,
            &[
                (17, "    - networks: [10.0.0.0/8]"),
                (19, "    - namedPort: https"),
            ],
        ),
        "spec.egress[0].ports[0].namedPort",
        19,
    );
    one_error(
        &with(BANP, &[(8, "")]),
        "spec.subject.pods.namespaceSelector",
        7,
    );
}

// ---------------------------------------------------------------------------
// Validation: ClusterNetworkPolicy
// ---------------------------------------------------------------------------

#[test]
fn cnp_spec_errors() {
    let m = one_error(&with(CNP, &[(6, "  tier: Developer")]), "spec.tier", 6);
    assert!(m.contains(r#""Admin", "Baseline""#), "{m}");
    one_error(&with(CNP, &[(6, "")]), "spec.tier", 5);
    one_error(&with(CNP, &[(7, "")]), "spec.priority", 5);
    one_error(&with(CNP, &[(7, "  priority: 1001")]), "spec.priority", 7);
    one_error(
        &with(CNP, &[(10, "      namespaceSelector: {}")]),
        "spec.subject.pods.podSelector",
        9,
    );
    let m = one_error(
        &with(CNP, &[(13, "    action: Allow")]),
        "spec.ingress[0].action",
        13,
    );
    assert!(m.contains(r#""Accept", "Deny", "Pass""#), "{m}");
}

#[test]
fn cnp_count_limits() {
    let rule = "  - {action: Deny, to: [{namespaces: {}}]}";
    let rules = vec![rule; 26].join("\n");
    let mut changes: Vec<(usize, &str)> = vec![(19, rules.as_str())];
    changes.extend((20..=28).map(|l| (l, "")));
    let m = one_error(&with(CNP, &changes), "spec.egress", 18);
    assert!(m.contains("at most 25"), "{m}");
    let peers = format!("    from: [{}]", vec!["{namespaces: {}}"; 26].join(", "));
    one_error(
        &with(CNP, &[(14, &peers), (15, "")]),
        "spec.ingress[0].from",
        14,
    );
    let protocols = format!(
        "    protocols: [{}]",
        vec!["{destinationNamedPort: http}"; 26].join(", ")
    );
    one_error(
        &with(CNP, &[(16, &protocols), (17, "")]),
        "spec.ingress[0].protocols",
        16,
    );
    one_error(
        &with(CNP, &[(16, "    protocols: []"), (17, "")]),
        "spec.ingress[0].protocols",
        16,
    );
}

#[test]
fn cnp_protocol_errors() {
    let proto = |line: &str| with(CNP, &[(17, line)]);
    // `tcp` has minProperties 1: a protocol without destinationPort is
    // rejected; every port is `range: {start: 1, end: 65535}`.
    let m = one_error(
        &proto("    - tcp: {}"),
        "spec.ingress[0].protocols[0].tcp",
        17,
    );
    assert!(m.contains("start: 1, end: 65535"), "{m}");
    let m = one_error(
        &proto(
            "    - {tcp: {destinationPort: {number: 80}}, udp: {destinationPort: {number: 80}}}",
        ),
        "spec.ingress[0].protocols[0]",
        17,
    );
    assert!(m.contains("it sets `tcp`, `udp`"), "{m}");
    one_error(&proto("    - {}"), "spec.ingress[0].protocols[0]", 17);
    one_error(
        &proto("    - tcp: {destinationPort: {}}"),
        "spec.ingress[0].protocols[0].tcp.destinationPort",
        17,
    );
    one_error(
        &proto("    - tcp: {destinationPort: {number: 80, range: {start: 1, end: 2}}}"),
        "spec.ingress[0].protocols[0].tcp.destinationPort",
        17,
    );
    one_error(
        &proto("    - tcp: {destinationPort: {number: 0}}"),
        "spec.ingress[0].protocols[0].tcp.destinationPort.number",
        17,
    );
    // The CEL rule of v1alpha2 port ranges: start < end, strictly.
    for range in ["{start: 80, end: 80}", "{start: 90, end: 80}"] {
        let m = one_error(
            &proto(&format!(
                "    - udp: {{destinationPort: {{range: {range}}}}}"
            )),
            "spec.ingress[0].protocols[0].udp.destinationPort.range",
            17,
        );
        assert!(m.contains("less than `end`"), "{m}");
    }
    one_error(
        &proto("    - sctp: {destinationPort: {range: {start: 80}}}"),
        "spec.ingress[0].protocols[0].sctp.destinationPort.range.end",
        17,
    );
    let m = one_error(
        &proto("    - tcp: {destinationPort: {port: 80}}"),
        "spec.ingress[0].protocols[0].tcp.destinationPort.port",
        17,
    );
    assert!(m.contains("unknown field `port`"), "{m}");
}

#[test]
fn cnp_peer_errors() {
    let m = one_error(
        &with(
            CNP,
            &[(
                28,
                "    - networks: [0.0.0.0/0]\n      domainNames: [example.com]",
            )],
        ),
        "spec.egress[1].to[0]",
        28,
    );
    assert!(m.contains("`domainNames`"), "{m}");
    one_error(
        &with(CNP, &[(28, "    - networks: [0.0.0.0/0, 0.0.0.0/0]")]),
        "spec.egress[1].to[0].networks[1]",
        28,
    );
    // A named port with a networks peer (CEL): the named port's line.
    let m = one_error(
        &with(CNP, &[(22, "    - networks: [10.0.0.0/8]")]),
        "spec.egress[0].protocols[1].destinationNamedPort",
        25,
    );
    assert!(m.contains("`to[0]` is `networks`"), "{m}");
    one_error(
        &with(CNP, &[(22, "    - nodes: {matchLabels: {a: b}}")]),
        "spec.egress[0].protocols[1].destinationNamedPort",
        25,
    );
    // Ingress peers are namespaces or pods only.
    one_error(
        &with(CNP, &[(15, "    - nodes: {}")]),
        "spec.ingress[0].from[0].nodes",
        15,
    );
}

#[test]
fn strict_stops_at_the_first_admin_error() {
    let files = [SourceFile {
        name: "admin.yaml".into(),
        text: format!("{}---\n{ANP}", with(CNP, &[(6, "  tier: Developer")])).into(),
    }];
    let l = load_files(
        &files,
        Vec::new(),
        LoadOptions {
            strict: true,
            ..LoadOptions::default()
        },
    );
    assert!(l.stopped);
    assert!(l.cluster.admin_policies.is_empty());
}
