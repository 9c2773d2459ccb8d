//! `podnet trace` and `podnet ipam`: text and JSON snapshots on every
//! example (and each rke2-aws profile), the JSON contracts, and clear errors
//! for sources and destinations that do not resolve.

use crate::support::{EXAMPLES_WITH_PROFILES, json, podnet};

/// Snapshot name, paths (and profile), from, to, extra arguments.
type TraceCase = (
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
    &'static [&'static str],
);

const TRACES: [TraceCase; 9] = [
    // The issue's case: a pod to a Service name in another namespace, with
    // DNS, DNAT, the route and both policy checks.
    (
        "ecoeco-domains-api-to-postgresql",
        &["examples/ecoeco-domains"],
        "auth/auth-api",
        "postgresql.data",
        &[],
    ),
    (
        "ecoeco-domains-vxlan-and-local",
        &["examples/ecoeco-domains"],
        "chat/chat-api",
        "auth-api.auth",
        &[],
    ),
    (
        "ecoeco-single-short-name",
        &["examples/ecoeco-single"],
        "api/auth-api",
        "postgresql",
        &[],
    ),
    (
        "telecom-ran-to-amf-lb",
        &["examples/telecom"],
        "external:192.168.100.20",
        "10.10.100.0:38412",
        &["--protocol", "SCTP"],
    ),
    (
        "telecom-nrf-headless",
        &["examples/telecom"],
        "telecom-5g-core/amf",
        "nrf",
        &[],
    ),
    (
        "rke2-aws-canal-ccm",
        &[
            "examples/rke2-aws/workloads.yaml",
            "--profile",
            "examples/rke2-aws/profiles/rke2-canal-ccm.yaml",
        ],
        "external:203.0.113.7",
        "k8s-eco-api.elb.ap-northeast-2.amazonaws.com",
        &[],
    ),
    (
        "rke2-aws-canal-albc-ip",
        &[
            "examples/rke2-aws/workloads.yaml",
            "--profile",
            "examples/rke2-aws/profiles/rke2-canal-albc-ip.yaml",
        ],
        "external:203.0.113.7",
        "k8s-eco-api.elb.ap-northeast-2.amazonaws.com",
        &[],
    ),
    (
        "rke2-aws-cilium-eni",
        &[
            "examples/rke2-aws/workloads.yaml",
            "--profile",
            "examples/rke2-aws/profiles/rke2-cilium-eni.yaml",
        ],
        "external:203.0.113.7",
        "k8s-eco-api.elb.ap-northeast-2.amazonaws.com",
        &[],
    ),
    // A URL through the ALB's Ingress: IP targets on an overlay are dropped.
    (
        "ecoeco-domains-url-through-alb",
        &["examples/ecoeco-domains"],
        "external:198.51.100.20",
        "https://api.growbin.app/api/v1/auth/login",
        &[],
    ),
];

#[test]
fn a_url_trace_needs_no_from_and_other_traces_do() {
    let run = podnet(&[
        "trace",
        "examples/ecoeco-domains",
        "--to",
        "https://api.growbin.app/api/v1/chat",
        "-q",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("trace external 203.0.113.10 -> https://api.growbin.app/api/v1/chat")
    );
    let run = podnet(&[
        "trace",
        "examples/ecoeco-domains",
        "--to",
        "postgresql.data",
        "-q",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--from: required unless --to is a URL"),
        "{}",
        run.stderr
    );
}

#[test]
fn trace_examples_as_text_and_json() {
    for (name, paths, from, to, extra) in TRACES {
        for output in ["txt", "json"] {
            let mut args = vec!["trace"];
            args.extend(paths);
            args.extend(["--from", from, "--to", to, "-o", output, "-q"]);
            args.extend(extra);
            let run = podnet(&args);
            assert_eq!(run.code, 0, "{name}: {}", run.stderr);
            assert!(run.stderr.is_empty(), "{name}: {}", run.stderr);
            insta::assert_snapshot!(format!("trace_{name}_{output}"), run.stdout);
        }
    }
}

#[test]
fn trace_to_a_service_in_another_namespace_shows_every_step() {
    let run = podnet(&[
        "trace",
        "examples/ecoeco-domains",
        "--from",
        "auth/auth-api",
        "--to",
        "postgresql.data",
        "-o",
        "json",
    ]);
    let v = json(&run);
    assert_eq!(v["schema"], "podnet.trace/v1");
    assert_eq!(v["reachable"], true);
    let mut kinds: Vec<String> = Vec::new();
    for h in v["hops"].as_array().unwrap() {
        kinds.push(h["action"].as_str().unwrap().to_owned());
    }
    for h in v["paths"][0]["hops"].as_array().unwrap() {
        kinds.push(h["action"].as_str().unwrap().to_owned());
    }
    let order = [
        "dns",
        "send",
        "dnat",
        "egress_policy",
        "route",
        "ingress_policy",
        "deliver",
    ];
    let mut at = 0;
    for k in &kinds {
        if at < order.len() && k == order[at] {
            at += 1;
        }
    }
    assert_eq!(at, order.len(), "hops in order {order:?}, got {kinds:?}");
    let dns = &v["hops"][0]["detail"];
    assert!(
        dns.to_string()
            .contains("postgresql.data.auth.svc.cluster.local  NXDOMAIN"),
        "the search path tries the pod's namespace first: {dns}"
    );
}

#[test]
fn ipam_examples_as_text_and_json() {
    for (name, paths) in EXAMPLES_WITH_PROFILES {
        for output in ["txt", "json"] {
            let mut args = vec!["ipam"];
            args.extend(paths);
            args.extend(["-o", output, "-q"]);
            let run = podnet(&args);
            assert_eq!(run.code, 0, "{name}: {}", run.stderr);
            insta::assert_snapshot!(format!("ipam_{name}_{output}"), run.stdout);
        }
        let mut args = vec!["ipam"];
        args.extend(paths);
        args.extend(["-o", "json"]);
        assert_eq!(json(&podnet(&args))["schema"], "podnet.ipam/v1");
    }
}

#[test]
fn trace_names_what_it_cannot_find() {
    let cases: [(&[&str], &str); 4] = [
        (
            &["--from", "node:nope", "--to", "postgresql.data"],
            "no node is called `nope`",
        ),
        (
            &["--from", "external:not-an-ip", "--to", "postgresql.data"],
            "`not-an-ip` is not an IP address",
        ),
        (&["--from", "auth/auth-api", "--to", "data/nope"], "--to"),
        (
            &["--from", "auth/auth-api", "--to", "rabbitmq.data"],
            "has 2 ports; say which with --port",
        ),
    ];
    for (args, expected) in cases {
        let mut all = vec!["trace", "examples/ecoeco-domains"];
        all.extend(args);
        let run = podnet(&all);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stdout);
        assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
}

#[test]
fn a_bad_profile_file_is_an_error_with_its_line() {
    let dir = crate::support::temp_dir(
        "bad-profile",
        &[(
            "profile.yaml",
            "apiVersion: podnet.dev/v1alpha1\nkind: ClusterProfile\nmetadata: {name: p}\nspec:\n  cni: weave\n",
        )],
    );
    let profile = dir.join("profile.yaml");
    let run = podnet(&[
        "ipam",
        "examples/ecoeco-single",
        "--profile",
        profile.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("weave"), "{}", run.stderr);
    assert!(
        run.stderr.contains("flannel-vxlan"),
        "lists the known modes: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains(":5"),
        "points at the line: {}",
        run.stderr
    );
}

/// Service `web` (PreferSameZone) with endpoints in zone-a (node-1) and
/// zone-b (node-2) of the default preset, a client on node-1, an extra
/// ServiceCIDR, and a bad ServiceCIDR (the rest is still analysed).
const TOPOLOGY: &str = r#"apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, labels: {app: web}}
spec: {nodeName: node-1, containers: [{name: web, image: nginx, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-2, namespace: shop, labels: {app: web}}
spec: {nodeName: node-2, containers: [{name: web, image: nginx, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop}
spec: {nodeName: node-1, containers: [{name: c, image: busybox}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  clusterIP: 10.200.0.80
  selector: {app: web}
  trafficDistribution: PreferSameZone
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: ServiceCIDR
metadata: {name: extra}
spec: {cidrs: [10.200.0.0/24]}
---
apiVersion: networking.k8s.io/v1
kind: ServiceCIDR
metadata: {name: broken}
spec: {cidrs: [10.201.0.1/24]}
"#;

// KEP-4444 / KEP-3015 (trafficDistribution), kube-proxy topology.go
// (CategorizeEndpoints), KEP-1880 (ServiceCIDR): the trace says which
// topology rule chose the endpoints, in text and JSON; a bad ServiceCIDR is
// reported with its file, document, path and line, and exits 2 after the
// rest was analysed.
#[test]
fn trace_shows_the_topology_rule_and_reads_service_cidrs() {
    let dir = crate::support::temp_dir("topology", &[("cluster.yaml", TOPOLOGY)]);
    let file = dir.join("cluster.yaml");
    let args = |output: &'static str| {
        vec![
            "trace".to_owned(),
            file.to_string_lossy().into_owned(),
            "--from".into(),
            "shop/client".into(),
            "--to".into(),
            "10.200.0.80:80".into(),
            "-o".into(),
            output.into(),
        ]
    };
    let text = args("txt");
    let run = podnet(&text.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("topology: PreferSameZone: only endpoints hinted for zone `zone-a`"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("path 1/1"),
        "only the zone-a endpoint: {}",
        run.stdout
    );
    assert!(
        run.stderr.contains("spec.cidrs[0]") && run.stderr.contains("cluster.yaml:33"),
        "{}",
        run.stderr
    );
    let json_args = args("json");
    let run = podnet(&json_args.iter().map(String::as_str).collect::<Vec<_>>());
    let v = json(&run);
    let topology: Vec<&serde_json::Value> = v["paths"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["hops"].as_array().into_iter().flatten())
        .filter_map(|h| {
            h["kube_proxy"]["topology"]
                .as_object()
                .map(|_| &h["kube_proxy"]["topology"])
        })
        .collect();
    assert_eq!(
        topology
            .first()
            .map(|t| (t["mode"].clone(), t["zone"].clone())),
        Some((
            serde_json::json!("prefer_same_zone"),
            serde_json::json!("zone-a")
        )),
        "{}",
        run.stdout
    );
}
