//! Bad input: every validation rule, located diagnostics, exit codes.
//!
//! Most tests write one file holding a valid Deployment (`shop/web`,
//! document 1) followed by one invalid document (document 2), run
//! `podnet connlist --error-format json` on it and check that the invalid
//! document is reported at the right field and line, skipped, and that the
//! valid one is still analysed (exit status 2, results on stdout).

use std::panic::AssertUnwindSafe;

use serde_json::Value;

use crate::support::{Run, diagnostics, json, pairs, podnet, podnet_with_stdin, temp_dir};

/// A valid workload: document 1 of every two-document fixture.
const WEB: &str = r"apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 8080, name: http}]}]}
";

/// A connlist line that exists only when `WEB` was analysed.
const WEB_OUT: &str = "shop/web[Deployment] => 0.0.0.0/0, ::/0 : All Connections";

/// `WEB`, then `bad` as document 2.
fn with_web(bad: &str) -> String {
    format!("{WEB}---\n{bad}")
}

/// The file line of the first line of `bad` containing `needle`, `bad`
/// being document 2 after `WEB` (0 when absent, which no assertion expects).
fn line_in_bad(bad: &str, needle: &str) -> u64 {
    let web_lines = WEB.lines().count() as u64;
    bad.lines()
        .position(|l| l.contains(needle))
        .map_or(0, |i| web_lines + 2 + i as u64)
}

/// Runs `connlist --error-format json` (plus `extra`) on `files` written
/// into a fresh folder named `name`; every path is relative to that folder.
fn run_files(name: &str, files: &[(&str, &str)], extra: &[&str]) -> Run {
    let dir = temp_dir(&format!("bad-{name}"), files);
    let paths: Vec<String> = files
        .iter()
        .map(|(p, _)| dir.join(p).display().to_string())
        .collect();
    let mut args = vec!["connlist", "--error-format", "json"];
    args.extend(paths.iter().map(String::as_str));
    args.extend_from_slice(extra);
    podnet(&args)
}

/// The error diagnostics of a run.
fn errors(run: &Run) -> Vec<Value> {
    diagnostics(run)
        .into_iter()
        .filter(|d| d["severity"] == "error")
        .collect()
}

/// The warning diagnostics of a run.
fn warnings(run: &Run) -> Vec<Value> {
    diagnostics(run)
        .into_iter()
        .filter(|d| d["severity"] == "warning")
        .collect()
}

/// Asserts what every rejected document shares: exit 2, the result still
/// printed with `WEB` analysed, and the txt footer counting `skipped`.
fn assert_partial_result(run: &Run, skipped: usize) {
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    assert!(
        pairs(run).iter().any(|l| l == WEB_OUT),
        "the valid document is still analysed: {}",
        run.stdout
    );
    let footer = if skipped == 1 {
        "# 1 document was skipped because of errors (see stderr)".to_owned()
    } else {
        format!("# {skipped} documents were skipped because of errors (see stderr)")
    };
    assert_eq!(
        run.stdout.lines().last(),
        Some(footer.as_str()),
        "{}",
        run.stdout
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

/// Runs `WEB` + `bad` and asserts `bad` is rejected with exactly one error,
/// at `path` of document 2, whose message contains `message`. Returns it.
fn rejected(name: &str, bad: &str, path: &str, message: &str) -> Value {
    let text = with_web(bad);
    let run = run_files(name, &[("in.yaml", &text)], &[]);
    assert_partial_result(&run, 1);
    let errs = errors(&run);
    assert_eq!(errs.len(), 1, "exactly one error: {errs:#?}");
    let d = errs[0].clone();
    assert_eq!(d["path"], path, "{d}");
    assert_eq!(d["document"], 2, "{d}");
    assert!(
        d["file"].as_str().is_some_and(|f| f.ends_with("in.yaml")),
        "{d}"
    );
    assert!(
        d["message"].as_str().is_some_and(|m| m.contains(message)),
        "message should contain {message:?}: {d}"
    );
    d
}

/// Asserts that of the pods `one`, `two` and `three` only `two` was
/// skipped (one document counted), the others analysed.
fn assert_two_skipped_one_and_three_analysed(run: &Run) {
    let out = json(run);
    assert_eq!(out["skipped_documents"], 1);
    let names: Vec<&str> = out["connections"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["src"]["workload"]["name"].as_str())
        .collect();
    assert!(
        names.contains(&"one") && names.contains(&"three"),
        "{names:?}"
    );
    assert!(!names.contains(&"two"), "{names:?}");
}

/// A NetworkPolicy `shop/np` with `spec` (block YAML indented by two).
fn policy(spec: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: np, namespace: shop}}\nspec:\n  podSelector: {{matchLabels: {{app: web}}}}\n{spec}"
    )
}

/// A document (`bad`, document 2 after `WEB`) that breaks one validation
/// rule: it must be rejected with exactly one error, at `path`, while `WEB`
/// is still analysed ([`rejected`]).
struct Rejection {
    /// The rule, as a test name would say it (also the fixture's folder).
    rule: &'static str,
    /// The invalid document.
    bad: String,
    /// The error's field path.
    path: &'static str,
    /// Part of the error's message.
    message: &'static str,
    /// More that the error must say.
    also: &'static [Also],
}

/// More that a [`Rejection`]'s error must say.
enum Also {
    /// Its line is that of the first line of `bad` holding this text.
    Line(&'static str),
    /// Its object (`Kind namespace/name`).
    Object(&'static str),
    /// Part of its help.
    Help(&'static str),
    /// Another part of its message.
    Message(&'static str),
}

impl Rejection {
    /// Runs the case and asserts all it says about the error.
    fn check(&self) {
        let d = rejected(self.rule, &self.bad, self.path, self.message);
        for also in self.also {
            match also {
                Also::Line(needle) => assert_eq!(d["line"], line_in_bad(&self.bad, needle)),
                Also::Object(object) => assert_eq!(d["object"], *object),
                Also::Help(part) => assert!(
                    d["help"].as_str().is_some_and(|h| h.contains(part)),
                    "the help should contain {part:?}: {d}"
                ),
                Also::Message(part) => assert!(
                    d["message"].as_str().is_some_and(|m| m.contains(part)),
                    "the message should contain {part:?}: {d}"
                ),
            }
        }
    }
}

/// Every [`Rejection`] of [`rejections`], each in its own run; the failing
/// rules are named together at the end.
#[test]
fn every_invalid_document_is_rejected_at_its_field() {
    let cases = rejections();
    let mut rules: Vec<&str> = cases.iter().map(|c| c.rule).collect();
    rules.sort_unstable();
    rules.dedup();
    assert_eq!(rules.len(), cases.len(), "rule names are unique");
    let failed: Vec<&str> = cases
        .iter()
        .filter(|case| std::panic::catch_unwind(AssertUnwindSafe(|| case.check())).is_err())
        .map(|case| case.rule)
        .collect();
    assert!(failed.is_empty(), "not rejected as expected: {failed:#?}");
}

/// The validation rules whose breach is one located error.
fn rejections() -> Vec<Rejection> {
    vec![
        Rejection {
            rule: "networkpolicy_selector_operator_must_be_known",
            bad: policy(
                "  ingress:
  - from:
    - podSelector:
        matchExpressions:
        - {key: app, operator: Equals, values: [api]}
",
            ),
            path: "spec.ingress[0].from[0].podSelector.matchExpressions[0].operator",
            message: "`Equals` is not a valid selector operator",
            also: &[
                Also::Object("NetworkPolicy shop/np"),
                Also::Line("operator: Equals"),
            ],
        },
        Rejection {
            rule: "networkpolicy_selector_exists_forbids_values",
            bad: policy(
                "  ingress:
  - from:
    - namespaceSelector:
        matchExpressions:
        - key: team
          operator: Exists
          values: [a]
",
            ),
            path: "spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values",
            message: "values may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            also: &[Also::Line("values: [a]")],
        },
        Rejection {
            rule: "networkpolicy_selector_does_not_exist_forbids_values",
            bad: policy(
                "  egress:
  - to:
    - podSelector:
        matchExpressions:
        - {key: team, operator: DoesNotExist, values: [a]}
",
            ),
            path: "spec.egress[0].to[0].podSelector.matchExpressions[0].values",
            message: "values may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            also: &[],
        },
        Rejection {
            rule: "networkpolicy_match_labels_key_must_be_a_qualified_name",
            bad: policy(
                "  ingress:
  - from:
    - podSelector:
        matchLabels:
          -app: api
",
            ),
            path: "spec.ingress[0].from[0].podSelector.matchLabels[-app]",
            message: "invalid label key `-app`",
            also: &[Also::Line("-app: api")],
        },
        Rejection {
            rule: "networkpolicy_match_labels_key_prefix_must_be_a_dns_subdomain",
            bad: policy(
                "  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          Example.COM/team: a
",
            ),
            path: "spec.ingress[0].from[0].namespaceSelector.matchLabels[Example.COM/team]",
            message: "prefix part",
            also: &[Also::Line("Example.COM/team")],
        },
        Rejection {
            rule: "networkpolicy_match_expressions_key_must_be_a_qualified_name",
            bad: policy(
                "  ingress:
  - from:
    - podSelector:
        matchExpressions:
        - key: a/b/c
          operator: Exists
",
            ),
            path: "spec.ingress[0].from[0].podSelector.matchExpressions[0].key",
            message: "invalid label key `a/b/c`",
            also: &[Also::Line("key: a/b/c")],
        },
        Rejection {
            rule: "networkpolicy_label_value_must_be_valid",
            bad: policy(
                "  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: -api
",
            ),
            path: "spec.ingress[0].from[0].podSelector.matchLabels[app]",
            message: "invalid label value `-api`",
            also: &[Also::Line("app: -api")],
        },
        Rejection {
            rule: "networkpolicy_expression_value_must_be_a_valid_label_value",
            bad: policy(
                "  ingress:
  - from:
    - podSelector:
        matchExpressions:
        - key: app
          operator: In
          values: [api, \"a b\"]
",
            ),
            path: "spec.ingress[0].from[0].podSelector.matchExpressions[0].values[1]",
            message: "invalid label value `a b`",
            also: &[],
        },
        Rejection {
            rule: "networkpolicy_label_value_longer_than_63_is_rejected",
            bad: policy(&format!(
                "  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: {}
",
                "a".repeat(64)
            )),
            path: "spec.ingress[0].from[0].podSelector.matchLabels[app]",
            message: "must be no more than 63 characters",
            also: &[],
        },
        Rejection {
            rule: "networkpolicy_cidr_needs_a_prefix_length",
            bad: policy(
                "  ingress:
  - from:
    - ipBlock:
        cidr: 10.0.0.0
",
            ),
            path: "spec.ingress[0].from[0].ipBlock.cidr",
            message: "`10.0.0.0` is not a valid CIDR",
            also: &[Also::Message("prefix length"), Also::Line("cidr: 10.0.0.0")],
        },
        Rejection {
            rule: "networkpolicy_cidr_prefix_above_32_is_rejected",
            bad: policy(
                "  egress:
  - to:
    - ipBlock:
        cidr: 10.0.0.0/33
",
            ),
            path: "spec.egress[0].to[0].ipBlock.cidr",
            message: "`10.0.0.0/33` is not a valid CIDR",
            also: &[Also::Line("cidr: 10.0.0.0/33")],
        },
        Rejection {
            rule: "networkpolicy_cidr_garbage_is_rejected",
            bad: policy(
                "  ingress:
  - from:
    - podSelector: {}
    - ipBlock:
        cidr: not-a-network/8
",
            ),
            path: "spec.ingress[0].from[1].ipBlock.cidr",
            message: "`not-a-network/8` is not a valid CIDR",
            also: &[],
        },
        Rejection {
            rule: "networkpolicy_except_outside_cidr_is_rejected",
            bad: policy(
                "  ingress:
  - from:
    - ipBlock:
        cidr: 10.0.0.0/8
        except:
        - 10.1.0.0/16
        - 192.168.0.0/16
",
            ),
            path: "spec.ingress[0].from[0].ipBlock.except[1]",
            message: "`192.168.0.0/16` must be a strict subset of `cidr`",
            also: &[Also::Line("192.168.0.0/16")],
        },
        Rejection {
            rule: "networkpolicy_except_equal_to_cidr_is_rejected",
            bad: policy(
                "  egress:
  - to:
    - ipBlock:
        cidr: 10.0.0.0/8
        except: [10.0.0.0/8]
",
            ),
            path: "spec.egress[0].to[0].ipBlock.except[0]",
            message: "must be a strict subset of `cidr`",
            also: &[],
        },
        Rejection {
            rule: "networkpolicy_except_wider_than_cidr_is_rejected",
            bad: policy(
                "  ingress:
  - from:
    - ipBlock:
        cidr: 10.1.0.0/16
        except: [10.0.0.0/8]
",
            ),
            path: "spec.ingress[0].from[0].ipBlock.except[0]",
            message: "must be a strict subset of `cidr`",
            also: &[],
        },
        Rejection {
            rule: "networkpolicy_port_zero_is_rejected",
            bad: policy(
                "  ingress:
  - ports:
    - port: 0
",
            ),
            path: "spec.ingress[0].ports[0].port",
            message: "invalid value `0`: must be between 1 and 65535, inclusive",
            also: &[Also::Line("port: 0")],
        },
        Rejection {
            rule: "networkpolicy_port_above_65535_is_rejected",
            bad: policy(
                "  egress:
  - ports:
    - protocol: UDP
      port: 53
    - port: 65536
",
            ),
            path: "spec.egress[0].ports[1].port",
            message: "invalid value `65536`: must be between 1 and 65535, inclusive",
            also: &[],
        },
        Rejection {
            rule: "networkpolicy_endport_above_65535_is_rejected",
            bad: policy(
                "  ingress:
  - ports:
    - port: 80
      endPort: 70000
",
            ),
            path: "spec.ingress[0].ports[0].endPort",
            message: "invalid value `70000`: must be between 1 and 65535, inclusive",
            also: &[],
        },
        Rejection {
            rule: "networkpolicy_endport_with_a_named_port_is_rejected",
            bad: policy(
                "  ingress:
  - ports:
    - port: http
      endPort: 90
",
            ),
            path: "spec.ingress[0].ports[0].endPort",
            message: "may not be specified when `port` is non-numeric",
            also: &[Also::Line("endPort: 90")],
        },
        Rejection {
            rule: "networkpolicy_endport_without_port_is_rejected",
            bad: policy(
                "  ingress:
  - ports:
    - protocol: TCP
      endPort: 90
",
            ),
            path: "spec.ingress[0].ports[0].endPort",
            message: "may not be specified when `port` is not specified",
            also: &[],
        },
        Rejection {
            rule: "networkpolicy_protocol_is_case_sensitive",
            bad: policy(
                "  ingress:
  - ports:
    - protocol: tcp
      port: 80
",
            ),
            path: "spec.ingress[0].ports[0].protocol",
            message: "unsupported value `tcp`",
            also: &[Also::Message("\"TCP\""), Also::Line("protocol: tcp")],
        },
        Rejection {
            rule: "networkpolicy_protocol_icmp_is_rejected",
            bad: policy(
                "  egress:
  - ports:
    - protocol: ICMP
",
            ),
            path: "spec.egress[0].ports[0].protocol",
            message: "unsupported value `ICMP`",
            also: &[],
        },
        Rejection {
            rule: "networkpolicy_peer_with_ipblock_and_pod_selector_is_rejected",
            bad: policy(
                "  ingress:
  - from:
    - podSelector: {}
    - ipBlock: {cidr: 10.0.0.0/8}
      podSelector: {matchLabels: {app: api}}
",
            ),
            path: "spec.ingress[0].from[1]",
            message: "may not specify both ipBlock and another peer",
            also: &[Also::Line("ipBlock: {cidr")],
        },
        Rejection {
            rule: "networkpolicy_peer_with_ipblock_and_namespace_selector_is_rejected",
            bad: policy(
                "  egress:
  - to:
    - ipBlock: {cidr: 10.0.0.0/8}
      namespaceSelector: {}
",
            ),
            path: "spec.egress[0].to[0]",
            message: "may not specify both ipBlock and another peer",
            also: &[],
        },
        Rejection {
            rule: "networkpolicy_empty_peer_is_rejected",
            bad: policy(
                "  ingress:
  - from:
    - {}
",
            ),
            path: "spec.ingress[0].from[0]",
            message: "must specify a peer",
            also: &[Also::Line("- {}")],
        },
        Rejection {
            rule: "networkpolicy_policy_types_unknown_value_is_rejected",
            bad: policy(
                "  policyTypes:
  - Ingress
  - Egres
",
            ),
            path: "spec.policyTypes[1]",
            message: "unsupported value `Egres`",
            also: &[Also::Line("- Egres")],
        },
        Rejection {
            rule: "networkpolicy_more_than_two_policy_types_are_rejected",
            bad: policy("  policyTypes: [Ingress, Egress, Ingress]\n"),
            path: "spec.policyTypes",
            message: "may not specify more than two policyTypes",
            also: &[Also::Line("policyTypes")],
        },
        Rejection {
            rule: "networkpolicy_named_port_must_contain_a_letter",
            bad: policy(
                "  ingress:
  - ports:
    - port: \"80\"
",
            ),
            path: "spec.ingress[0].ports[0].port",
            message: "must contain at least one letter (a-z)",
            also: &[Also::Message("`80`")],
        },
        Rejection {
            rule: "networkpolicy_named_port_must_be_an_iana_service_name",
            bad: policy(
                "  ingress:
  - ports:
    - port: web--http
",
            ),
            path: "spec.ingress[0].ports[0].port",
            message: "must not contain consecutive hyphens",
            also: &[],
        },
        Rejection {
            rule: "networkpolicy_name_must_be_a_dns_subdomain",
            bad: "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: Allow_Web
  namespace: shop
spec:
  podSelector: {}
"
            .to_owned(),
            path: "metadata.name",
            message: "invalid value `Allow_Web`: a lowercase RFC 1123 subdomain",
            also: &[Also::Line("name: Allow_Web")],
        },
        Rejection {
            rule: "networkpolicy_without_name_is_rejected",
            bad: "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {namespace: shop}
spec: {podSelector: {}}
"
            .to_owned(),
            path: "metadata.name",
            message: "name or generateName is required",
            also: &[],
        },
        Rejection {
            rule: "container_port_out_of_range_is_rejected",
            bad: api_with_ports("[{containerPort: 8080}, {containerPort: 70000}]"),
            path: "spec.template.spec.containers[0].ports[1].containerPort",
            message: "invalid value `70000`: must be between 1 and 65535, inclusive",
            also: &[
                Also::Object("Deployment shop/api"),
                Also::Line("containerPort: 70000"),
            ],
        },
        Rejection {
            rule: "container_port_zero_is_rejected",
            bad: api_with_ports("[{containerPort: 0}]"),
            path: "spec.template.spec.containers[0].ports[0].containerPort",
            message: "must be between 1 and 65535",
            also: &[],
        },
        Rejection {
            rule: "container_port_name_must_be_an_iana_service_name",
            bad: api_with_ports("[{containerPort: 8080, name: http_alt}]"),
            path: "spec.template.spec.containers[0].ports[0].name",
            message: "invalid value `http_alt`: must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
            also: &[],
        },
        Rejection {
            rule: "container_port_name_longer_than_15_is_rejected",
            bad: api_with_ports("[{containerPort: 8080, name: metrics-endpoint1}]"),
            path: "spec.template.spec.containers[0].ports[0].name",
            message: "must be no more than 15 characters",
            also: &[],
        },
        Rejection {
            rule: "container_port_names_must_be_unique_within_a_container",
            bad: api_with_ports(
                "[{containerPort: 8080, name: http}, {containerPort: 8081, name: http}]",
            ),
            path: "spec.template.spec.containers[0].ports[1].name",
            message: "duplicate port name `http`",
            also: &[],
        },
        Rejection {
            rule: "container_port_protocol_must_be_known",
            bad: api_with_ports("[{containerPort: 8080, protocol: HTTP}]"),
            path: "spec.template.spec.containers[0].ports[0].protocol",
            message: "unsupported value `HTTP`",
            also: &[],
        },
        Rejection {
            rule: "deployment_selector_must_match_template_labels",
            bad: "apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: backend}
    spec: {containers: [{name: c, image: nginx}]}
"
            .to_owned(),
            path: "spec.template.metadata.labels",
            message: "does not match template `labels`",
            also: &[Also::Line("labels: {app: backend}")],
        },
        Rejection {
            rule: "deployment_selector_must_not_be_empty",
            bad: "apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, image: nginx}]}
"
            .to_owned(),
            path: "spec.selector",
            message: "empty selector is not valid for a Deployment",
            also: &[Also::Line("selector: {}")],
        },
        Rejection {
            rule: "deployment_replicas_must_not_be_negative",
            bad: "apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  replicas: -1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, image: nginx}]}
"
            .to_owned(),
            path: "spec.replicas",
            message: "invalid value `-1`: must be greater than or equal to 0",
            also: &[Also::Line("replicas: -1")],
        },
        Rejection {
            rule: "deployment_extensions_v1beta1_is_not_served",
            bad: "apiVersion: extensions/v1beta1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, image: nginx}]}
"
            .to_owned(),
            path: "apiVersion",
            message: "Deployment `extensions/v1beta1` is not served by Kubernetes",
            also: &[Also::Help("apps/v1"), Also::Line("extensions/v1beta1")],
        },
        Rejection {
            rule: "known_kind_without_api_version_is_rejected",
            bad: "kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api}, ports: [{port: 80}]}
"
            .to_owned(),
            path: "apiVersion",
            message: "`apiVersion` is required",
            also: &[],
        },
        Rejection {
            rule: "unquoted_yes_label_value_is_a_type_error_with_a_quoting_hint",
            bad: "apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  labels:
    example.com/exposed: yes
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, image: nginx}]}
"
            .to_owned(),
            path: "metadata.labels[example.com/exposed]",
            message: "invalid type: boolean `true`, expected a string",
            also: &[Also::Help("quote"), Also::Line("example.com/exposed: yes")],
        },
        Rejection {
            rule: "unquoted_number_where_a_string_is_expected_is_a_type_error",
            bad: "apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {version: 2}}
spec: {containers: [{name: c, image: nginx}]}
"
            .to_owned(),
            path: "metadata.labels[version]",
            message: "invalid type: integer `2`, expected a string",
            also: &[Also::Help("quote")],
        },
        Rejection {
            rule: "namespace_name_must_be_a_dns_label",
            bad: "apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: Shop_Prod
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, image: nginx}]}
"
            .to_owned(),
            path: "metadata.namespace",
            message: "invalid value `Shop_Prod`: a lowercase RFC 1123 label",
            also: &[Also::Line("namespace: Shop_Prod")],
        },
        Rejection {
            rule: "namespace_object_name_must_be_a_dns_label",
            bad: "apiVersion: v1
kind: Namespace
metadata: {name: shop.prod}
"
            .to_owned(),
            path: "metadata.name",
            message: "invalid value `shop.prod`: a lowercase RFC 1123 label",
            also: &[],
        },
        Rejection {
            rule: "pod_ip_must_be_a_valid_ip_address",
            bad: "apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c, image: nginx}]}
status:
  phase: Running
  podIP: 10.0.0.300
"
            .to_owned(),
            path: "status.podIP",
            message: "`10.0.0.300` is not a valid IP address",
            also: &[
                Also::Object("Pod shop/api"),
                Also::Line("podIP: 10.0.0.300"),
            ],
        },
        Rejection {
            rule: "service_port_out_of_range_is_rejected",
            bad: "apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports:
  - port: 65536
    targetPort: 8080
"
            .to_owned(),
            path: "spec.ports[0].port",
            message: "invalid value `65536`: must be between 1 and 65535, inclusive",
            also: &[Also::Object("Service shop/web"), Also::Line("port: 65536")],
        },
        Rejection {
            rule: "service_name_must_be_a_dns1035_label",
            bad: "apiVersion: v1
kind: Service
metadata: {name: 1web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80}]}
"
            .to_owned(),
            path: "metadata.name",
            message: "invalid value `1web`: a DNS-1035 label",
            also: &[],
        },
    ]
}

// ---------------------------------------------------------------------------
// NetworkPolicy
// ---------------------------------------------------------------------------

#[test]
fn networkpolicy_selector_in_and_notin_require_values() {
    let bad = policy(
        "  ingress:
  - from:
    - podSelector:
        matchExpressions:
        - {key: app, operator: In}
        - key: tier
          operator: NotIn
          values: []
",
    );
    let text = with_web(&bad);
    let run = run_files("np-in-values", &[("in.yaml", &text)], &[]);
    assert_partial_result(&run, 1);
    let errs = errors(&run);
    let paths: Vec<&str> = errs.iter().filter_map(|d| d["path"].as_str()).collect();
    assert_eq!(
        paths,
        [
            "spec.ingress[0].from[0].podSelector.matchExpressions[0].values",
            "spec.ingress[0].from[0].podSelector.matchExpressions[1].values",
        ],
        "{errs:#?}"
    );
    for d in &errs {
        assert!(
            d["message"].as_str().is_some_and(
                |m| m.contains("values must be specified when `operator` is 'In' or 'NotIn'")
            ),
            "{d}"
        );
    }
    // `values` is absent in the first: the error points at the expression.
    assert_eq!(errs[0]["line"], line_in_bad(&bad, "operator: In}"));
    assert_eq!(errs[1]["line"], line_in_bad(&bad, "values: []"));
}

#[test]
fn networkpolicy_port_endport_below_port_is_rejected() {
    let bad = policy(
        "  ingress:
  - ports:
    - port: 80
    - port: 8080
      endPort: 8000
",
    );
    let d = rejected(
        "np-endport-below",
        &bad,
        "spec.ingress[0].ports[1].endPort",
        "must be greater than or equal to `port`",
    );
    assert_eq!(d["line"], line_in_bad(&bad, "endPort: 8000"));
    assert!(d["column"].as_u64().is_some_and(|c| c > 1), "{d}");
}

// ---------------------------------------------------------------------------
// Workloads, pods, namespaces, services
// ---------------------------------------------------------------------------

/// A Deployment `shop/api` whose only container has `ports` (flow YAML).
fn api_with_ports(ports: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata: {{name: api, namespace: shop}}
spec:
  selector: {{matchLabels: {{app: api}}}}
  template:
    metadata: {{labels: {{app: api}}}}
    spec:
      containers:
      - name: c
        image: nginx
        ports: {ports}
"
    )
}

#[test]
fn service_ports_need_names_when_there_are_several() {
    let bad = "apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports:
  - port: 80
  - port: 443
";
    let text = with_web(bad);
    let run = run_files("svc-port-names", &[("in.yaml", &text)], &[]);
    assert_partial_result(&run, 1);
    let errs = errors(&run);
    let paths: Vec<&str> = errs.iter().filter_map(|d| d["path"].as_str()).collect();
    assert_eq!(
        paths,
        ["spec.ports[0].name", "spec.ports[1].name"],
        "{errs:#?}"
    );
    for d in &errs {
        assert!(
            d["message"].as_str().is_some_and(
                |m| m.contains("name is required when a Service has more than one port")
            ),
            "{d}"
        );
        assert_eq!(d["document"], 2);
    }
    assert_eq!(errs[0]["line"], line_in_bad(bad, "port: 80"));
    assert_eq!(errs[1]["line"], line_in_bad(bad, "port: 443"));
}

/// Kubernetes ignores `hostPort: 0` (validation checks it only when non-zero).
#[test]
fn container_host_port_zero_is_accepted() {
    let text = with_web(&api_with_ports("[{containerPort: 8080, hostPort: 0}]"));
    let run = run_files("ctr-hostport-zero", &[("in.yaml", &text)], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(errors(&run).is_empty(), "{}", run.stderr);
}

/// Kubernetes defaults `targetPort: 0` (and `""`) to `port`.
#[test]
fn service_target_port_zero_defaults_to_port() {
    let bad = "apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 8080, targetPort: 0}]
";
    let run = run_files("svc-targetport-zero", &[("in.yaml", &with_web(bad))], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(errors(&run).is_empty(), "{}", run.stderr);
}

// ---------------------------------------------------------------------------
// Syntax and encoding
// ---------------------------------------------------------------------------

/// A bare Pod `shop/NAME` with label `app: NAME` (4 lines).
fn pod(name: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: shop, labels: {{app: {name}}}}}\nspec: {{containers: [{{name: c, image: nginx}}]}}\n"
    )
}

#[test]
fn yaml_syntax_error_skips_only_its_document() {
    // Lines 1-4: pod one; 5: ---; 6-11: the broken document; 12: ---; 13-16: pod three.
    let broken = "apiVersion: v1
kind: Pod
metadata:
  name: two
   namespace: shop
spec: {containers: [{name: c, image: nginx}]}
";
    let text = format!("{}---\n{broken}---\n{}", pod("one"), pod("three"));
    let run = run_files("yaml-syntax", &[("three.yaml", &text)], &["-o", "json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let errs = errors(&run);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let d = &errs[0];
    assert!(
        d["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("invalid YAML")),
        "{d}"
    );
    assert_eq!(d["document"], 2);
    let line = d["line"].as_u64().unwrap_or(0);
    assert!(
        (6..=11).contains(&line),
        "the line is inside document 2: {d}"
    );
    assert_eq!(line, 10, "the over-indented line: {d}");
    assert_two_skipped_one_and_three_analysed(&run);
}

#[test]
fn unclosed_flow_mapping_is_reported_in_its_document() {
    let broken = "apiVersion: v1
kind: Pod
metadata: {name: two, namespace: shop
spec: {containers: [{name: c, image: nginx}]}
";
    let text = format!("{WEB}---\n{broken}---\n{}", pod("three"));
    let run = run_files("yaml-unclosed", &[("in.yaml", &text)], &[]);
    assert_partial_result(&run, 1);
    let errs = errors(&run);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0]["document"], 2);
    let first = line_in_bad(broken, "apiVersion");
    let last = first + broken.lines().count() as u64;
    let line = errs[0]["line"].as_u64().unwrap_or(0);
    assert!((first..=last).contains(&line), "{}", errs[0]);
    assert!(
        pairs(&run)
            .iter()
            .any(|l| l.starts_with("shop/three[Pod] =>")),
        "{}",
        run.stdout
    );
}

#[test]
fn invalid_json_file_is_rejected_and_other_files_are_analysed() {
    let bad =
        "{\"apiVersion\": \"v1\", \"kind\": \"Pod\",\n \"metadata\": {\"name\": \"api\",}\n}\n";
    let run = run_files("bad-json", &[("web.yaml", WEB), ("bad.json", bad)], &[]);
    assert_partial_result(&run, 1);
    let errs = errors(&run);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let d = &errs[0];
    assert!(
        d["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("invalid JSON")),
        "{d}"
    );
    assert!(
        d["file"].as_str().is_some_and(|f| f.ends_with("bad.json")),
        "{d}"
    );
    assert_eq!(d["document"], 1);
    assert_eq!(d["line"], 2);
}

#[test]
fn duplicate_mapping_key_is_rejected() {
    let bad = "apiVersion: v1
kind: Pod
metadata:
  name: api
  namespace: shop
  name: api2
spec: {containers: [{name: c, image: nginx}]}
";
    let text = with_web(bad);
    let run = run_files("dup-key", &[("in.yaml", &text)], &[]);
    assert_partial_result(&run, 1);
    let errs = errors(&run);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let d = &errs[0];
    assert!(
        d["message"]
            .as_str()
            .is_some_and(|m| m.contains("duplicate key `name`")),
        "{d}"
    );
    assert_eq!(d["document"], 2);
    assert_eq!(d["line"], line_in_bad(bad, "name: api2"));
}

#[test]
fn non_utf8_file_is_rejected_and_other_files_are_analysed() {
    let dir = temp_dir("bad-non-utf8", &[("web.yaml", WEB)]);
    let latin1 = b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: caf\xe9\n";
    std::fs::write(dir.join("latin1.yaml"), latin1).expect("fixture written");
    let run = podnet(&[
        "connlist",
        "--error-format",
        "json",
        &dir.display().to_string(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(pairs(&run).iter().any(|l| l == WEB_OUT), "{}", run.stdout);
    let errs = errors(&run);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let d = &errs[0];
    assert!(
        d["message"]
            .as_str()
            .is_some_and(|m| m.contains("not valid UTF-8")),
        "{d}"
    );
    assert!(
        d["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("latin1.yaml")),
        "{d}"
    );
    assert_eq!(d["line"], 4);
}

// ---------------------------------------------------------------------------
// Lists
// ---------------------------------------------------------------------------

#[test]
fn invalid_list_item_is_skipped_and_the_other_items_are_analysed() {
    let list = "apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: one, namespace: shop, labels: {app: one}}
  spec: {containers: [{name: c, image: nginx}]}
- apiVersion: v1
  kind: Pod
  metadata: {name: two, namespace: shop}
  spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 70000}]}]}
- apiVersion: v1
  kind: Pod
  metadata: {name: three, namespace: shop, labels: {app: three}}
  spec: {containers: [{name: c, image: nginx}]}
";
    let run = run_files("list-item", &[("list.yaml", list)], &["-o", "json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let errs = errors(&run);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let d = &errs[0];
    assert_eq!(
        d["path"],
        "items[1].spec.containers[0].ports[0].containerPort"
    );
    assert_eq!(d["document"], 1);
    assert_eq!(d["object"], "Pod shop/two");
    assert_eq!(d["line"], 11);
    assert_two_skipped_one_and_three_analysed(&run);
}

#[test]
fn typed_list_items_without_kind_are_validated() {
    let list = "apiVersion: v1
kind: PodList
items:
- metadata: {name: one, namespace: shop, labels: {app: one}}
  spec: {containers: [{name: c, image: nginx}]}
- metadata: {name: Two, namespace: shop}
  spec: {containers: [{name: c, image: nginx}]}
";
    let run = run_files("typed-list", &[("list.yaml", list)], &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let errs = errors(&run);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0]["path"], "items[1].metadata.name");
    assert!(
        pairs(&run)
            .iter()
            .any(|l| l.starts_with("shop/one[Pod] =>")),
        "{}",
        run.stdout
    );
}

// ---------------------------------------------------------------------------
// Warnings never change the exit status
// ---------------------------------------------------------------------------

#[test]
fn cidr_with_host_bits_is_accepted_and_masked_with_a_warning() {
    let bad = policy(
        "  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock:
        cidr: 10.244.1.10/4
",
    );
    let text = with_web(&bad);
    let run = run_files("cidr-host-bits", &[("in.yaml", &text)], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(errors(&run).is_empty(), "{}", run.stderr);
    // The masked 0.0.0.0/4 covers the default profile's pod addresses: that
    // caveat is the other warning.
    let warns: Vec<_> = warnings(&run)
        .into_iter()
        .filter(|w| w.get("path").is_some())
        .collect();
    assert_eq!(warns.len(), 1, "{warns:#?}");
    assert!(run.stderr.contains("default profile"), "{}", run.stderr);
    let w = &warns[0];
    assert_eq!(w["path"], "spec.egress[0].to[0].ipBlock.cidr");
    assert_eq!(w["line"], line_in_bad(&bad, "cidr: 10.244.1.10/4"));
    assert!(
        w["message"]
            .as_str()
            .is_some_and(|m| m.contains("host bits") && m.contains("0.0.0.0/4")),
        "{w}"
    );
    // The policy is analysed with the masked network: web's only egress.
    let web_out: Vec<String> = pairs(&run)
        .into_iter()
        .filter(|l| l.starts_with("shop/web[Deployment] =>"))
        .collect();
    assert_eq!(
        web_out,
        ["shop/web[Deployment] => 0.0.0.0/4 : All Connections"]
    );
    assert!(!run.stdout.contains("skipped"), "{}", run.stdout);
}

#[test]
fn unknown_kinds_get_one_warning_per_kind_with_a_count() {
    let cm = |name: &str| {
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: shop}}\n")
    };
    let a = format!("{WEB}---\n{}---\n{}", cm("a"), cm("b"));
    let b = format!(
        "{}---\napiVersion: v1\nkind: Secret\nmetadata: {{name: s, namespace: shop}}\n",
        cm("c")
    );
    let run = run_files("unknown-kinds", &[("a.yaml", &a), ("b.yaml", &b)], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(pairs(&run).iter().any(|l| l == WEB_OUT), "{}", run.stdout);
    let warns = warnings(&run);
    assert_eq!(warns.len(), 2, "one per kind: {warns:#?}");
    let cms: Vec<&Value> = warns
        .iter()
        .filter(|w| {
            w["message"]
                .as_str()
                .is_some_and(|m| m.contains("`ConfigMap`"))
        })
        .collect();
    assert_eq!(cms.len(), 1, "{warns:#?}");
    assert!(
        cms[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("ignored 3 `ConfigMap` objects")),
        "{}",
        cms[0]
    );
    assert!(
        cms[0]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("a.yaml")),
        "first seen"
    );
    assert_eq!(cms[0]["document"], 2);
    assert!(
        warns.iter().any(|w| w["message"]
            .as_str()
            .is_some_and(|m| m.contains("ignored 1 `Secret` object "))),
        "{warns:#?}"
    );
}

#[test]
fn yaml_file_without_kubernetes_objects_gets_a_not_a_manifest_warning() {
    let values = "replicaCount: 2
image:
  repository: nginx
  tag: \"1.27\"
service: {type: ClusterIP, port: 80}
";
    let run = run_files(
        "helm-values",
        &[("web.yaml", WEB), ("values.yaml", values)],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(pairs(&run).iter().any(|l| l == WEB_OUT), "{}", run.stdout);
    let warns = warnings(&run);
    assert_eq!(warns.len(), 1, "{warns:#?}");
    assert!(
        warns[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("not a Kubernetes manifest")),
        "{}",
        warns[0]
    );
    assert!(
        warns[0]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("values.yaml")),
        "{}",
        warns[0]
    );
}

#[test]
fn directory_without_manifest_files_gets_a_warning() {
    let dir = temp_dir(
        "bad-no-manifests",
        &[
            ("web.yaml", WEB),
            ("docs/README.md", "# notes\n"),
            ("docs/.hidden.yaml", ""),
        ],
    );
    let docs = dir.join("docs").display().to_string();
    let web = dir.join("web.yaml").display().to_string();
    let run = podnet(&["connlist", "--error-format", "json", &web, &docs]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(pairs(&run).iter().any(|l| l == WEB_OUT), "{}", run.stdout);
    let warns = warnings(&run);
    assert_eq!(warns.len(), 1, "{warns:#?}");
    assert_eq!(warns[0]["file"], docs.as_str());
    assert!(
        warns[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("no .yaml, .yml or .json file")),
        "{}",
        warns[0]
    );
}

#[test]
fn object_defined_twice_gets_a_warning_and_the_later_one_wins() {
    let again = WEB.replace("containerPort: 8080", "containerPort: 9090");
    let text = format!("{WEB}---\n{again}");
    let run = run_files("defined-twice", &[("in.yaml", &text)], &["-o", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warns = warnings(&run);
    assert_eq!(warns.len(), 1, "{warns:#?}");
    let w = &warns[0];
    assert!(
        w["message"]
            .as_str()
            .is_some_and(|m| m.contains("Deployment shop/web is defined twice")),
        "{w}"
    );
    assert_eq!(w["document"], 2);
    assert_eq!(json(&run)["skipped_documents"], 0);
}

#[test]
fn generate_name_gets_a_warning() {
    let bad = "apiVersion: v1
kind: Pod
metadata: {generateName: job-, namespace: shop, labels: {app: job}}
spec: {containers: [{name: c, image: nginx}]}
";
    let run = run_files("generate-name", &[("in.yaml", &with_web(bad))], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warns = warnings(&run);
    assert_eq!(warns.len(), 1, "{warns:#?}");
    assert_eq!(warns[0]["path"], "metadata.generateName");
    assert!(
        pairs(&run)
            .iter()
            .any(|l| l.starts_with("shop/job-[Pod] =>")),
        "{}",
        run.stdout
    );
}

#[test]
fn quiet_hides_warnings_but_not_errors() {
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop}\n";
    let bad = policy("  ingress:\n  - ports:\n    - port: 0\n");
    let text = format!("{WEB}---\n{cm}---\n{bad}");
    let loud = run_files("quiet-loud", &[("in.yaml", &text)], &[]);
    assert_eq!(warnings(&loud).len(), 1, "{}", loud.stderr);
    assert_eq!(errors(&loud).len(), 1, "{}", loud.stderr);
    let quiet = run_files("quiet", &[("in.yaml", &text)], &["-q"]);
    assert_eq!(quiet.code, 2, "{}", quiet.stderr);
    assert!(warnings(&quiet).is_empty(), "{}", quiet.stderr);
    let errs = errors(&quiet);
    assert_eq!(errs.len(), 1, "{}", quiet.stderr);
    assert_eq!(errs[0]["path"], "spec.ingress[0].ports[0].port");
    assert!(
        pairs(&quiet).iter().any(|l| l == WEB_OUT),
        "{}",
        quiet.stdout
    );
}

// ---------------------------------------------------------------------------
// Global behaviour: exit status, counts, formats, inputs
// ---------------------------------------------------------------------------

#[test]
fn errors_exit_2_and_the_result_counts_skipped_documents() {
    let np = policy("  ingress:\n  - ports:\n    - port: 0\n");
    let svc = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{port: 0}]}\n";
    let text = format!("{WEB}---\n{np}---\n{svc}");
    let dir = temp_dir("bad-skipped-count", &[("in.yaml", &text)]);
    let file = dir.join("in.yaml").display().to_string();

    let out = podnet(&["connlist", &file, "-o", "json", "-q"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let v = json(&out);
    assert_eq!(v["skipped_documents"], 2);
    assert!(
        v["connections"]
            .as_array()
            .is_some_and(|cs| cs.iter().any(|c| c["src"]["workload"]["name"] == "web")),
        "{v}"
    );

    let txt = podnet(&["connlist", &file, "-q"]);
    assert_eq!(txt.code, 2);
    assert_eq!(
        txt.stdout.lines().last(),
        Some("# 2 documents were skipped because of errors (see stderr)")
    );
    assert!(pairs(&txt).iter().any(|l| l == WEB_OUT), "{}", txt.stdout);
    assert!(
        txt.stderr.contains(
            "podnet: 2 documents were skipped because of errors; the result covers the rest"
        ),
        "{}",
        txt.stderr
    );

    for format in ["csv", "md", "dot"] {
        let r = podnet(&["connlist", &file, "-o", format, "-q"]);
        assert_eq!(r.code, 2, "{format}: {}", r.stderr);
        assert!(r.stdout.contains("shop/web"), "{format}: {}", r.stdout);
    }
}

#[test]
fn valid_input_has_no_skipped_footer_and_exits_0() {
    let run = run_files("all-valid", &[("in.yaml", WEB)], &["-o", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Only the line saying which nodes podnet assumed.
    let severities: Vec<Value> = diagnostics(&run)
        .into_iter()
        .map(|d| d["severity"].clone())
        .collect();
    assert_eq!(severities, ["info"], "{}", run.stderr);
    assert_eq!(json(&run)["skipped_documents"], 0);
}

#[test]
fn strict_stops_at_the_first_error_with_empty_stdout() {
    let np = policy("  ingress:\n  - ports:\n    - port: 0\n");
    let svc = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{port: 0}]}\n";
    let text = format!("{WEB}---\n{np}---\n{svc}");
    for format in ["txt", "json"] {
        let run = run_files(
            &format!("strict-{format}"),
            &[("in.yaml", &text)],
            &["--strict", "-o", format],
        );
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert_eq!(run.stdout, "", "no result under --strict");
        let errs = errors(&run);
        assert_eq!(errs.len(), 1, "only the first error: {errs:#?}");
        assert_eq!(errs[0]["document"], 2);
        assert!(run.stderr.contains("--strict"), "{}", run.stderr);
    }
}

#[test]
fn strict_does_not_stop_at_warnings() {
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop}\n";
    let text = format!("{WEB}---\n{cm}");
    let run = run_files("strict-warning", &[("in.yaml", &text)], &["--strict"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(pairs(&run).iter().any(|l| l == WEB_OUT), "{}", run.stdout);
}

#[test]
fn nonexistent_path_is_an_error() {
    let dir = temp_dir("bad-missing-path", &[("web.yaml", WEB)]);
    let web = dir.join("web.yaml").display().to_string();
    let missing = dir.join("no-such-file.yaml").display().to_string();
    let run = podnet(&["connlist", "--error-format", "json", &web, &missing]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let errs = errors(&run);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0]["file"], missing.as_str());
    assert!(
        errs[0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("cannot read")),
        "{}",
        errs[0]
    );
    assert!(pairs(&run).iter().any(|l| l == WEB_OUT), "{}", run.stdout);

    let strict = podnet(&["connlist", "--strict", &web, &missing]);
    assert_eq!(strict.code, 2);
    assert_eq!(strict.stdout, "");
}

#[test]
fn stdin_is_read_and_its_errors_name_stdin() {
    let bad = policy("  ingress:\n  - ports:\n    - port: 80\n      endPort: 79\n");
    let text = with_web(&bad);
    let run = podnet_with_stdin(&["connlist", "-", "--error-format", "json"], &text);
    assert_partial_result(&run, 1);
    let errs = errors(&run);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0]["file"], "<stdin>");
    assert_eq!(errs[0]["document"], 2);
    assert_eq!(errs[0]["path"], "spec.ingress[0].ports[0].endPort");
    assert_eq!(errs[0]["line"], line_in_bad(&bad, "endPort: 79"));
}

#[test]
fn short_error_format_is_one_line_per_diagnostic() {
    let bad = policy("  ingress:\n  - ports:\n    - port: 80\n      endPort: 79\n");
    let text = with_web(&bad);
    let run = podnet_with_stdin(&["connlist", "-", "--error-format", "short"], &text);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let line = line_in_bad(&bad, "endPort: 79");
    let expected = format!(
        "<stdin>:{line}:7: error: document 2: NetworkPolicy shop/np: spec.ingress[0].ports[0].endPort: invalid value `79`: must be greater than or equal to `port`"
    );
    assert!(
        run.stderr.lines().any(|l| l == expected),
        "expected {expected:?} in:\n{}",
        run.stderr
    );
}

#[test]
fn short_error_format_prints_the_help() {
    let bad = "apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {enabled: on}}
spec: {containers: [{name: c, image: nginx}]}
";
    let run = podnet_with_stdin(
        &["connlist", "-", "--error-format", "short"],
        &with_web(bad),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.lines().any(|l| l.starts_with("<stdin>:")
            && l.contains(": error: document 2: Pod ")
            && l.contains("metadata.labels[enabled]: invalid type: boolean `true`")
            && l.contains("(help: YAML 1.1 reads unquoted")),
        "{}",
        run.stderr
    );
}

#[test]
fn human_error_format_names_the_file_line_and_document() {
    let bad = policy("  ingress:\n  - ports:\n    - port: 80\n      endPort: 79\n");
    let run = podnet_with_stdin(&["connlist", "-"], &with_web(&bad));
    assert_eq!(run.code, 2, "{}", run.stderr);
    let line = line_in_bad(&bad, "endPort: 79");
    for needle in [
        format!("<stdin>:{line}:7"),
        "document 2".to_owned(),
        "spec.ingress[0].ports[0].endPort".to_owned(),
        "endPort: 79".to_owned(),
    ] {
        assert!(
            run.stderr.contains(&needle),
            "{needle:?} in:\n{}",
            run.stderr
        );
    }
}

#[test]
fn hostile_inputs_never_panic() {
    let mut deep = "[".repeat(5_000);
    deep.push('\n');
    let mut laughs = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let p = i - 1;
        laughs.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let inputs = [
        deep,
        laughs,
        "apiVersion: v1\nkind: Pod\nmetadata: [1, 2]\n".to_owned(),
        "apiVersion: 1\nkind: 2\n".to_owned(),
        "apiVersion: v1\nkind: List\nitems: 7\n".to_owned(),
        "apiVersion: v1\nkind: List\nitems: [7, null, [], {kind: Pod}]\n".to_owned(),
        "? [a, b]\n: c\n".to_owned(),
        "a: *unknown\n".to_owned(),
        "\u{feff}apiVersion: v1\nkind: Pod\n".to_owned(),
        "apiVersion: v1\r\nkind: Pod\r\nmetadata: {name: x\r\n".to_owned(),
        "{\"apiVersion\": \"v1\", \"kind\": \"Pod\"".to_owned(),
    ];
    for input in &inputs {
        let run = podnet_with_stdin(&["connlist", "-", "--error-format", "json"], input);
        assert!(
            !run.stderr.contains("panicked"),
            "{input:?}: {}",
            run.stderr
        );
        assert!(run.code == 0 || run.code == 2, "{input:?}: {}", run.code);
        for d in diagnostics(&run) {
            assert_eq!(d["schema"], "podnet.diagnostic/v1");
        }
    }
}
