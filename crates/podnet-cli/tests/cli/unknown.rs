//! Three-valued answers (docs/semantics.md, "Choices podnet makes"): a
//! named port that the destination workload's pods do not all define
//! alike makes `explain`, `connlist -o json` (pairs and `--group`, focused
//! or not) and `verify` answer `unknown` with the reason.
//!
//! API reference (networking.k8s.io/v1, NetworkPolicyPort): `port` "can
//! either be a numerical or named port on a pod"; the concept page
//! <https://kubernetes.io/docs/concepts/services-networking/network-policies/>
//! resolves it on each destination pod.

use serde_json::Value;

use crate::support::{json, podnet, temp_dir};

/// StatefulSet `web` in a rollout: `web-0` defines `http` as 8080, `web-1`
/// (the new revision) does not name its port. A client, a policy allowing
/// the `http` port into `web`, and two intents about TCP 8080.
const ROLLOUT: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web-0
  namespace: x
  labels: {app: web}
  ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: web, uid: u1, controller: true}]
spec: {containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]}
status: {phase: Running, podIP: 10.244.0.10}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-1
  namespace: x
  labels: {app: web}
  ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: web, uid: u1, controller: true}]
spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 8080}]}]}
status: {phase: Running, podIP: 10.244.0.11}
";

/// The same workload from a template: every pod defines `http`.
const TEMPLATE: &str = "apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: x}
spec:
  replicas: 2
  serviceName: web
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]}
";

const REST: &str = "---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: x, labels: {app: client}}
spec: {containers: [{name: c, image: c}]}
status: {phase: Running, podIP: 10.244.0.20}
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: z, labels: {app: other}}
spec: {containers: [{name: c, image: c}]}
status: {phase: Running, podIP: 10.244.0.30}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-http, namespace: x}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {app: client}}}], ports: [{port: http}]}]
---
apiVersion: podnet.dev/v1alpha1
kind: ConnectivityIntent
metadata: {name: client-reaches-web}
spec:
  allow:
    from: [{namespace: x, podSelector: {matchLabels: {app: client}}}]
    to: [{namespace: x, podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 8080}]
";

/// The rollout with its client, policy and intent: connlist has unknown
/// answers for it.
pub(crate) fn rollout_yaml() -> String {
    format!("{ROLLOUT}{REST}")
}

/// The `unknown` entry of a connlist JSON document for client -> web.
fn unknown_entry(doc: &Value) -> Option<&Value> {
    doc.get("unknown")?
        .as_array()?
        .iter()
        .find(|e| e["src"]["name"] == "client" && e["dst"]["name"] == "web")
}

#[test]
fn a_named_port_the_workloads_pods_do_not_all_define_is_unknown_in_every_command() {
    for (name, workload, unknown) in [("rollout", ROLLOUT, true), ("template", TEMPLATE, false)] {
        let yaml = format!("{workload}{REST}");
        let dir = temp_dir(&format!("named-port-{name}"), &[("c.yaml", &yaml)]);
        let dir = dir.to_str().expect("utf-8 path");

        let explain = podnet(&[
            "explain", dir, "--from", "x/client", "--to", "x/web", "--port", "8080", "-o", "json",
            "-q",
        ]);
        assert_eq!(explain.code, 0, "{}", explain.stderr);
        let e = json(&explain);
        assert_eq!(e["probe"]["unknown"] == true, unknown, "{name}: {e}");
        if unknown {
            let text = e.to_string();
            assert!(text.contains("\"named_port\""), "{name}: {e}");
        }

        // The pair list, grouped or not, whole or focused, says the same.
        for extra in [
            &[][..],
            &["--group"][..],
            &["--focus-workload", "x/web"][..],
            &["--namespace", "x"][..],
            &["--group", "--focus-workload", "x/client"][..],
            &["--group", "--namespace", "x"][..],
        ] {
            let mut args = vec!["connlist", dir, "-o", "json", "-q"];
            args.extend_from_slice(extra);
            let run = podnet(&args);
            assert_eq!(run.code, 0, "{extra:?}: {}", run.stderr);
            let c = json(&run);
            match unknown_entry(&c) {
                Some(entry) if unknown => {
                    assert_eq!(
                        entry["conns"]["ports"]["TCP"],
                        serde_json::json!(["8080"]),
                        "{extra:?}: {c}"
                    );
                    let rule = &entry["rules"][0];
                    assert_eq!(rule["reason"], "named_port", "{extra:?}: {c}");
                    assert_eq!(rule["name"], "web-http", "{extra:?}: {c}");
                    assert_eq!(rule["direction"], "ingress", "{extra:?}: {c}");
                    let detail = rule["detail"].as_str().unwrap_or_default();
                    assert!(
                        detail.contains("TCP/http") && detail.contains("1 of 2"),
                        "{detail}"
                    );
                }
                None if !unknown => assert!(c.get("unknown").is_none(), "{name} {extra:?}: {c}"),
                other => panic!("{name} {extra:?}: unknown entry {other:?} in {c}"),
            }
        }
        // A pod named by itself is decided by its own ports.
        let own = podnet(&[
            "explain", dir, "--from", "x/client", "--to", "x/web-1", "--port", "8080", "-o",
            "json", "-q",
        ]);
        assert_eq!(own.code, 0, "{}", own.stderr);
        let o = json(&own);
        assert_ne!(o["probe"]["unknown"], true, "{name}: {o}");

        let verify = podnet(&["verify", dir, "-o", "json", "-q"]);
        let v = json(&verify);
        let intent = &v["intents"][0];
        if unknown {
            // web-1 does not give 8080: missing, but only for that pod.
            assert_eq!(intent["holds"], false, "{v}");
            assert_eq!(intent["unknown"], true, "{v}");
            assert_eq!(v["violated"], 0, "{v}");
            assert_eq!(verify.code, 1, "{}", verify.stderr);
        } else {
            assert_eq!(intent["holds"], true, "{v}");
            assert_eq!(verify.code, 0, "{}", verify.stderr);
        }
    }
}
