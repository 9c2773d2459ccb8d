//! The choices the documentation leaves open, as options
//! (docs/semantics.md, "Choices podnet makes"), and the answers every
//! command must share.

use crate::support::{json, pairs, podnet, temp_dir};

/// A host-network agent on node n1, an isolated pod on n1 and one on n2.
const NODE_LOCAL: &str = "apiVersion: v1
kind: Node
metadata: {name: n1}
status: {addresses: [{type: InternalIP, address: 192.168.0.11}]}
---
apiVersion: v1
kind: Node
metadata: {name: n2}
status: {addresses: [{type: InternalIP, address: 192.168.0.12}]}
---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: x, labels: {app: agent}}
spec: {nodeName: n1, hostNetwork: true, containers: [{name: c, image: agent}]}
---
apiVersion: v1
kind: Pod
metadata: {name: near, namespace: x, labels: {app: web}}
spec: {nodeName: n1, containers: [{name: c, image: web, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: far, namespace: x, labels: {app: web}}
spec: {nodeName: n2, containers: [{name: c, image: web, ports: [{containerPort: 80}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: x}
spec: {podSelector: {}}
";

/// Whether connlist, explain and trace allow `x/agent` to reach `x/DST` on
/// TCP 80 under `extra` options.
fn answers(dir: &str, dst: &str, extra: &[&str]) -> [bool; 3] {
    let with = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(extra);
        all.push("-q");
        podnet(&all)
    };
    let connlist = with(&["connlist", dir]);
    assert_eq!(connlist.code, 0, "{}", connlist.stderr);
    let listed = pairs(&connlist)
        .iter()
        .any(|l| l.starts_with(&format!("x/agent[Pod] => x/{dst}[Pod]")));
    let to = format!("x/{dst}");
    let explain = with(&[
        "explain", dir, "--from", "x/agent", "--to", &to, "--port", "80", "-o", "json",
    ]);
    let explained = json(&explain)["probe"]["allowed"] == true;
    let trace = with(&[
        "trace", dir, "--from", "x/agent", "--to", &to, "--port", "80", "-o", "json",
    ]);
    let traced = json(&trace)["reachable"] == true;
    [listed, explained, traced]
}

/// Concept page, "The two sorts of pod isolation": the only connections
/// into an isolated pod "are those from the pod's node and those allowed by
/// the ingress list of some NetworkPolicy". connlist, explain and trace
/// give that one answer for a host-network pod (its node's traffic); with
/// `--host-network=pod` the pod is told apart from its node and the policy
/// applies to it.
#[test]
fn traffic_from_the_pods_node_gets_one_answer_from_every_command() {
    let dir = temp_dir("node-local", &[("c.yaml", NODE_LOCAL)]);
    let dir = dir.to_str().expect("utf-8 path");
    let cases: [(&str, &[&str], bool); 4] = [
        ("near", &[], true),
        ("far", &[], false),
        ("near", &["--host-network=pod"], false),
        ("far", &["--host-network=pod"], false),
    ];
    for (dst, extra, expected) in cases {
        assert_eq!(
            answers(dir, dst, extra),
            [expected; 3],
            "x/agent -> x/{dst} {extra:?}: connlist, explain, trace"
        );
    }
}

/// `--pod-addresses=declared`: only addresses the input states exist, so a
/// template pod matches no ipBlock (and the answer carries the caveat);
/// by default it gets its node's next address, which 10.244.0.0/16 holds.
#[test]
fn declared_pod_addresses_leave_template_pods_outside_ipblocks() {
    let yaml = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: x}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: x, labels: {app: db}}
spec: {containers: [{name: db, image: db, ports: [{containerPort: 5432}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: x}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{ipBlock: {cidr: 10.244.0.0/16}}]}]
";
    let dir = temp_dir("declared", &[("c.yaml", yaml)]);
    let dir = dir.to_str().expect("utf-8 path");
    let web_to_db = |extra: &[&str]| {
        let mut args = vec!["connlist", dir];
        args.extend_from_slice(extra);
        let run = podnet(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        (
            pairs(&run)
                .iter()
                .any(|l| l.starts_with("x/web[Deployment] => x/db[Pod]")),
            run.stderr,
        )
    };
    let (assigned, _) = web_to_db(&[]);
    assert!(assigned, "an assigned 10.244 address is in the ipBlock");
    let (declared, stderr) = web_to_db(&["--pod-addresses=declared"]);
    assert!(!declared, "no declared address, no ipBlock match");
    assert!(stderr.contains("no known address"), "{stderr}");
}

/// `--pod-addresses=declared` takes away addresses, not pods: a running pod
/// whose address the input does not state is still a Service backend (the
/// EndpointSlice controller lists every ready pod the selector matches,
/// docs "Service", "EndpointSlices"), so an Ingress reaches it. Found by
/// the netpol-analyzer comparison (`demo_app_with_routes_and_ingress`,
/// `acs-security-demos`): the `ingress_controller` rows vanished.
#[test]
fn declared_pod_addresses_keep_ingress_backends() {
    let yaml = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: x}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: x}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: x}
spec:
  rules:
  - http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
";
    let deny = format!(
        "{yaml}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: deny, namespace: x}}
spec: {{podSelector: {{}}, policyTypes: [Ingress]}}
"
    );
    for (name, yaml, allowed) in [("open", yaml.to_owned(), true), ("deny", deny, false)] {
        let dir = temp_dir(&format!("declared-ingress-{name}"), &[("c.yaml", &yaml)]);
        let dir = dir.to_str().expect("utf-8 path");
        for extra in [&[][..], &["--pod-addresses=declared"][..]] {
            let mut args = vec!["connlist", dir, "-q"];
            args.extend_from_slice(extra);
            let run = podnet(&args);
            assert_eq!(run.code, 0, "{}", run.stderr);
            assert_eq!(
                pairs(&run)
                    .contains(&"[ingress-controller] => x/web[Deployment] : TCP 8080".to_owned()),
                allowed,
                "{name} {extra:?}: {}",
                run.stdout
            );
            // trace through the Ingress says the same of the backend: under
            // `declared` it exists without an address, with the verdict
            // connlist counts (not a silently missing path).
            let mut args = vec![
                "trace",
                dir,
                "--to",
                "http://shop.example/",
                "-o",
                "json",
                "-q",
            ];
            args.extend_from_slice(extra);
            let run = podnet(&args);
            let t = json(&run);
            let paths = t["paths"].as_array().expect("paths");
            assert_eq!(paths.len(), 1, "{name} {extra:?}: {t}");
            let path = &paths[0];
            if extra.is_empty() {
                let want = if allowed { "delivered" } else { "denied" };
                assert_eq!(path["outcome"], want, "{name}: {t}");
            } else {
                assert_eq!(path["outcome"], "unaddressed", "{name}: {t}");
                let label = path["label"].as_str().unwrap_or_default();
                assert!(
                    label.contains("x/web-") && label.contains("no declared address"),
                    "{label}"
                );
                let detail = path["detail"].as_str().unwrap_or_default();
                let verdict = if allowed {
                    "policy allows 8080/TCP"
                } else {
                    "policy denies 8080/TCP"
                };
                assert!(detail.contains(verdict), "{name}: {detail}");
                assert_eq!(t["reachable"], false, "{name}: {t}");
            }
        }
    }
}

/// apimachinery `validateOwnerReference`: "kind must not be empty". The
/// API server rejects such a Pod; podnet skips it with an error (exit 2),
/// instead of a workload of kind `""`.
#[test]
fn an_owner_reference_without_kind_is_rejected() {
    let yaml = "apiVersion: v1
kind: Pod
metadata:
  name: owner-x
  namespace: default
  ownerReferences: [{apiVersion: apps/v1, name: owner, uid: u1, controller: true}]
spec: {containers: [{name: c, image: nginx}]}
";
    let dir = temp_dir("owner-kind", &[("c.yaml", yaml)]);
    let dir = dir.to_str().expect("utf-8 path");
    for strict in [false, true] {
        let mut args = vec!["connlist", dir, "--error-format", "short"];
        if strict {
            args.push("--strict");
        }
        let run = podnet(&args);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains(
                "metadata.ownerReferences[0].kind: invalid value ``: kind must not be empty"
            ),
            "{}",
            run.stderr
        );
        assert!(!run.stdout.contains("owner"), "{}", run.stdout);
    }
}

/// `--lenient` (docs/semantics.md, "Documents the API server rejects"): a
/// NetworkPolicy named with `_` breaks `ValidateNetworkPolicyName`
/// (NameIsDNSSubdomain), and a two-port Service with an unnamed port
/// breaks `validateServicePort` ("name" Required when there is more than
/// one port). By default both are skipped; with `--lenient` both are kept,
/// the policy isolates `web`, each carries a warning naming its rule, and
/// the exit status stays 2.
#[test]
fn lenient_keeps_documents_whose_meaning_is_clear_and_still_exits_2() {
    let yaml = "apiVersion: v1
kind: Pod
metadata: {name: web, namespace: x, labels: {app: web}}
spec: {containers: [{name: c, image: web, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: x, labels: {app: client}}
spec: {containers: [{name: c, image: client}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny_web, namespace: x}
spec: {podSelector: {matchLabels: {app: web}}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: x}
spec: {selector: {app: web}, ports: [{name: http, port: 80}, {port: 8080, targetPort: 80}]}
";
    let dir = temp_dir("lenient", &[("c.yaml", yaml)]);
    let dir = dir.to_str().expect("utf-8 path");
    let run = |extra: &[&str]| {
        let mut args = vec!["connlist", dir, "--error-format", "short"];
        args.extend_from_slice(extra);
        podnet(&args)
    };
    let default = run(&[]);
    assert_eq!(default.code, 2, "{}", default.stderr);
    assert!(
        default.stderr.contains("2 documents were skipped"),
        "{}",
        default.stderr
    );
    assert!(
        pairs(&default)
            .iter()
            .any(|l| l.starts_with("x/client[Pod] => x/web[Pod]")),
        "the policy was skipped: {}",
        default.stdout
    );
    let lenient = run(&["--lenient"]);
    assert_eq!(lenient.code, 2, "{}", lenient.stderr);
    assert!(
        !pairs(&lenient)
            .iter()
            .any(|l| l.starts_with("x/client[Pod] => x/web[Pod]")),
        "the policy was kept and isolates web: {}",
        lenient.stdout
    );
    for expected in [
        "warning: document 3: NetworkPolicy x/deny_web: metadata.name: invalid value `deny_web`",
        "kept (--lenient) although the API server rejects it (ValidateObjectMeta: the name must be a DNS label or subdomain)",
        "spec.ports[1].name: name is required when a Service has more than one port; kept (--lenient) although the API server rejects it (ValidateService: a Service with more than one port must name each)",
        "podnet: 2 objects the API server rejects were kept (--lenient); the exit status stays 2",
    ] {
        assert!(
            lenient.stderr.contains(expected),
            "{expected}\n{}",
            lenient.stderr
        );
    }
    assert!(!lenient.stderr.contains("error:"), "{}", lenient.stderr);
}

/// Three-valued verdicts (docs/semantics.md): API reference,
/// NetworkPolicyPeer, `namespaceSelector` "selects namespaces using
/// cluster-scoped labels". Namespace `a` has no Namespace object, so
/// whether it carries `team: x` is unknown: explain answers `unknown` for
/// the probe, connlist JSON lists the pair under `unknown` with the rule,
/// and verify marks the missing TCP 80 of an `allow` intent `unknown`. With
/// the Namespace declared the same commands answer for sure.
#[test]
fn an_undeclared_namespace_makes_answers_unknown_in_every_command() {
    let pods = "apiVersion: v1
kind: Pod
metadata: {name: client, namespace: a, labels: {app: client}}
spec: {containers: [{name: c, image: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: server, namespace: b, labels: {app: server}}
spec: {containers: [{name: s, image: s, ports: [{containerPort: 80}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: team-x, namespace: b}
spec:
  podSelector: {matchLabels: {app: server}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: x}}}], ports: [{port: 80}]}]
---
apiVersion: podnet.dev/v1alpha1
kind: ConnectivityIntent
metadata: {name: a-never-reaches-b}
spec:
  deny:
    from: [{namespace: a}]
    to: [{namespace: b}]
---
apiVersion: podnet.dev/v1alpha1
kind: ConnectivityIntent
metadata: {name: a-reaches-b}
spec:
  allow:
    from: [{namespace: a}]
    to: [{namespace: b}]
    ports: [{port: 80}]
";
    let declared = format!(
        "apiVersion: v1\nkind: Namespace\nmetadata: {{name: a, labels: {{team: other}}}}\n---\n{pods}"
    );
    for (name, yaml, unknown) in [
        ("undeclared", pods.to_owned(), true),
        ("declared", declared, false),
    ] {
        let dir = temp_dir(&format!("unknown-{name}"), &[("c.yaml", &yaml)]);
        let dir = dir.to_str().expect("utf-8 path");
        let explain = podnet(&[
            "explain", dir, "--from", "a/client", "--to", "b/server", "--port", "80", "-o", "json",
            "-q",
        ]);
        assert_eq!(explain.code, 0, "{}", explain.stderr);
        let e = json(&explain);
        assert_eq!(e["probe"]["unknown"] == true, unknown, "{name}: {e}");
        assert_eq!(
            e["probe"]["allowed"], false,
            "{name}: podnet's reading denies"
        );
        let connlist = podnet(&["connlist", dir, "-o", "json", "-q"]);
        assert_eq!(connlist.code, 0, "{}", connlist.stderr);
        let c = json(&connlist);
        if unknown {
            let entry = &c["unknown"][0];
            assert_eq!(entry["src"]["name"], "client", "{c}");
            assert_eq!(entry["dst"]["name"], "server", "{c}");
            assert_eq!(entry["conns"]["ports"]["TCP"][0], "80", "{c}");
            assert_eq!(entry["rules"][0]["reason"], "undeclared_namespace", "{c}");
            assert_eq!(entry["rules"][0]["name"], "team-x", "{c}");
        } else {
            assert!(c.get("unknown").is_none(), "{c}");
        }
        let verify = podnet(&["verify", dir, "-o", "json", "-q"]);
        assert_eq!(verify.code, 1, "{}", verify.stderr);
        let v = json(&verify);
        // podnet's reading denies, so the deny intent holds either way
        // (only counterexamples under that reading are searched) ...
        assert_eq!(v["intents"][0]["holds"], true, "{name}: {v}");
        // ... and the allow intent's missing TCP 80 rests on the
        // namespace's labels when they are not declared.
        let allow = &v["intents"][1];
        assert_eq!(allow["holds"], false, "{name}: {v}");
        assert_eq!(allow["unknown"] == true, unknown, "{name}: {v}");
        assert_eq!(
            allow["violations"][0]["unknown"] == true,
            unknown,
            "{name}: {v}"
        );
        assert_eq!(v["violated"], if unknown { 0 } else { 1 }, "{name}: {v}");
    }
}

/// An ipBlock outside the pod CIDRs a ClusterProfile writes cannot match
/// a pod whatever address its node's IPAM gives it (host-local hands out
/// addresses of the node's block, a piece of `clusterCIDRs`), so the
/// assumed address leaves nothing open: explain and connlist answer for
/// sure. Without written `clusterCIDRs` (the preset's, an assumption) the
/// answer stays `unknown`.
#[test]
fn an_ipblock_outside_written_pod_cidrs_is_decided_for_assumed_addresses() {
    let pods = "apiVersion: v1
kind: Pod
metadata: {name: client, namespace: a, labels: {app: client}}
spec: {containers: [{name: c, image: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: server, namespace: a, labels: {app: server}}
spec: {containers: [{name: s, image: s, ports: [{containerPort: 80}]}]}
status: {podIP: 10.244.0.200}
---
apiVersion: v1
kind: Namespace
metadata: {name: a}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: lan, namespace: a}
spec:
  podSelector: {matchLabels: {app: server}}
  ingress: [{from: [{ipBlock: {cidr: 192.168.0.0/16}}], ports: [{port: 80}]}]
";
    let profile = "apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {name: p}
spec: {clusterCIDRs: [10.244.0.0/16]}
---
";
    for (name, yaml, unknown) in [
        ("preset", pods.to_owned(), true),
        ("written", format!("{profile}{pods}"), false),
    ] {
        let dir = temp_dir(&format!("pod-cidrs-{name}"), &[("c.yaml", &yaml)]);
        let dir = dir.to_str().expect("utf-8 path");
        let explain = podnet(&[
            "explain", dir, "--from", "a/client", "--to", "a/server", "--port", "80", "-o", "json",
            "-q",
        ]);
        assert_eq!(explain.code, 0, "{}", explain.stderr);
        let e = json(&explain);
        assert_eq!(e["probe"]["unknown"] == true, unknown, "{name}: {e}");
        assert_eq!(e["probe"]["allowed"], false, "{name}: {e}");
        let connlist = podnet(&["connlist", dir, "-o", "json", "-q"]);
        assert_eq!(connlist.code, 0, "{}", connlist.stderr);
        let c = json(&connlist);
        assert_eq!(c.get("unknown").is_some(), unknown, "{name}: {c}");
    }
}
