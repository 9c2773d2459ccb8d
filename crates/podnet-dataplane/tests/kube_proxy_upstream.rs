//! kube-proxy's own packet-flow tests, asked of podnet's `trace`.
//!
//! `tests/fixtures/upstream/kube-proxy/{iptables,nftables}/*.yaml` restate
//! the `runPacketFlowTests` tables of kubernetes/kubernetes
//! `pkg/proxy/iptables/proxier_test.go` and
//! `pkg/proxy/nftables/proxier_test.go` (file, commit and line per row; see
//! the fixtures' README). For every row this harness builds the cluster the
//! test builds (its Services and EndpointSlices, the node `test-node` with
//! the test's addresses, kube-proxy's settings in the profile, and a pod
//! holding the row's source address when the source is a pod), traces
//! `{sourceIP, destIP, destPort, protocol}` from the right kind of source
//! and compares what kube-proxy on `test-node` did: the endpoints it may
//! DNAT to, REJECT, DROP or no translation, and whether it marked the
//! packet for masquerade.
//!
//! Rows podnet cannot express are skipped by name with their reason (the
//! same list is in docs/dataplane.md, "kube-proxy's own tests"); they are
//! counted, and a skipped row that starts to agree fails the test so the
//! list stays true.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use podnet_dataplane::trace::{Action, Branch, Place, ProxyResult, ProxyVerdict};
use podnet_dataplane::{Dataplane, Trace, TraceFrom, TraceRequest, TraceTo, trace};
use podnet_model::Protocol;
use serde_json::{Value, json};

/// The node every upstream test runs kube-proxy on.
const NODE: &str = "test-node";
/// Namespace of the pods standing for pod source addresses.
const CLIENTS: &str = "podnet-clients";

/// What kube-proxy did with one packet, in the terms of the upstream rows.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Observed {
    /// `dnat`, `REJECT`, `DROP` or `untranslated`.
    verdict: String,
    /// `ip:port` of every endpoint it may pick, sorted.
    endpoints: Vec<String>,
    /// Whether the packet was marked for masquerade.
    masq: bool,
}

/// One upstream row with where it comes from.
struct Row<'a> {
    fixture: &'a Fixture,
    case: Option<String>,
    phase: String,
    flow: &'a Value,
}

impl Row<'_> {
    /// `pkg/proxy/…/proxier_test.go@531be812 line 1851 (TestNoEndpointsReject,
    /// case …, phase …): pod to cluster IP with no endpoints`.
    fn citation(&self) -> String {
        let f = self.fixture;
        let line = self.flow["line"].as_u64().unwrap_or(0);
        let case = self
            .case
            .as_deref()
            .map(|c| format!(", case `{c}`"))
            .unwrap_or_default();
        format!(
            "{}@{} line {line} ({}{case}, phase `{}`): {}",
            f.file,
            &f.commit[..12],
            f.test,
            self.phase,
            self.flow["name"].as_str().unwrap_or_default()
        )
    }
}

/// One fixture file.
struct Fixture {
    path: PathBuf,
    doc: Value,
    mode: String,
    test: String,
    file: String,
    commit: String,
}

fn fixtures() -> Vec<Fixture> {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/upstream/kube-proxy");
    let mut out = Vec::new();
    for mode in ["iptables", "nftables"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(mode))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let doc: Value =
                serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let s = |k: &str| doc["source"][k].as_str().unwrap_or_default().to_owned();
            out.push(Fixture {
                mode: doc["mode"].as_str().unwrap().to_owned(),
                test: s("test"),
                file: s("file"),
                commit: s("commit"),
                doc,
                path,
            });
        }
    }
    out
}

/// Deep-merges `over` into `base` (objects by key, anything else replaced).
fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                merge(b.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// The environment of one case: the file's, with the case's overrides
/// (`node.primary_ip` is written as a dotted key there).
fn environment(f: &Fixture, case: &Value) -> Value {
    let mut env = f.doc["environment"].clone();
    if let Some(over) = case.get("environment_overrides") {
        let mut over = over.clone();
        if let Some(ip) = over
            .as_object_mut()
            .and_then(|o| o.remove("node.primary_ip"))
        {
            env["node"]["primary_ip"] = ip;
        }
        merge(&mut env, &over);
    }
    if let Some(fam) = case.get("ip_family") {
        env["ip_family"] = fam.clone();
    }
    env
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn pod_name(ip: &str) -> String {
    format!("client-{}", ip.replace(['.', ':'], "-"))
}

/// The whole input of one phase: profile, node, source pods, and the
/// test's Services and EndpointSlices, as one multi-document YAML text
/// (each document written as JSON, which is YAML).
fn input(f: &Fixture, env: &Value, manifests: &Value, pod_sources: &BTreeSet<String>) -> String {
    let proxier = &env["proxier"];
    let v6 = env["ip_family"].as_str() == Some("IPv6");
    let service_cidrs = {
        let set = strings(&proxier["serviceCIDRs"]);
        if set.is_empty() {
            f.doc["equivalent_manifests"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|m| strings(&m["object"]["spec"]["cidrs"]))
                .collect()
        } else {
            set
        }
    };
    let mut service_cidrs: Vec<String> = service_cidrs
        .into_iter()
        .filter(|c| c.contains(':') == v6)
        .collect();
    // The iptables tests state no IPv6 service CIDR (the iptables proxier
    // does not use one); podnet needs one holding the ClusterIPs, so the
    // /112 of the first IPv6 ClusterIP stands in for it.
    if service_cidrs.is_empty() && f.mode == "iptables" {
        let first = manifests
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["spec"]["clusterIP"].as_str())
            .find_map(|s| s.parse::<std::net::Ipv6Addr>().ok());
        if let Some(ip) = first {
            let net = ipnet::Ipv6Net::new(ip, 112).unwrap().trunc();
            service_cidrs.push(net.to_string());
        }
    }
    let mut kube_proxy = json!({
        "masqueradeAll": proxier["masqueradeAll"].as_bool().unwrap_or(false),
    });
    let node_port_addresses = strings(&proxier["nodePortAddresses"]);
    if !node_port_addresses.is_empty() {
        kube_proxy["nodePortAddresses"] = json!(node_port_addresses);
    }
    if let Some(l) = proxier["localhostNodePorts"].as_bool() {
        kube_proxy["localhostNodePorts"] = json!(l);
    }
    if proxier["localDetector"]["mode"].as_str() == Some("none") {
        kube_proxy["detectLocalMode"] = json!("None");
    }
    let mut profile_spec = json!({
        "preset": "kubeadm-flannel",
        "clusterCIDRs": env["pod_cidrs"].clone(),
        "nodeMaskSizeIPv6": 96,
        "kubeProxy": f.mode,
        "kubeProxyOptions": kube_proxy,
    });
    if !service_cidrs.is_empty() {
        profile_spec["serviceCIDRs"] = json!(service_cidrs);
    }
    let mut docs = vec![json!({
        "apiVersion": "podnet.dev/v1alpha1",
        "kind": "ClusterProfile",
        "metadata": {"name": "kube-proxy-test"},
        "spec": profile_spec,
    })];
    // test-node: the fake proxier's node with the fake interfaces'
    // addresses; the primary address first (kube-proxy's nodeIP).
    let primary = env["node"]["primary_ip"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut addresses = vec![json!({"type": "InternalIP", "address": primary})];
    for a in strings(&env["node"]["local_addresses"]) {
        let ip: IpAddr = a.parse().unwrap();
        if a != primary && !ip.is_loopback() {
            addresses.push(json!({"type": "InternalIP", "address": a}));
        }
    }
    docs.push(json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": NODE},
        "status": {"addresses": addresses},
    }));
    for ip in pod_sources {
        docs.push(json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": pod_name(ip), "namespace": CLIENTS},
            "spec": {"nodeName": NODE, "containers": [{"name": "c", "image": "client"}]},
            "status": {"podIP": ip, "podIPs": [{"ip": ip}]},
        }));
    }
    docs.extend(manifests.as_array().cloned().unwrap_or_default());
    let mut text = String::new();
    for d in docs {
        writeln!(text, "---\n{d}").unwrap();
    }
    text
}

fn load(text: &str, what: &str) -> Dataplane {
    let loaded = podnet_manifest::load_files(
        &[podnet_manifest::SourceFile {
            name: "kube-proxy-test.yaml".into(),
            text: text.into(),
        }],
        Vec::new(),
        podnet_manifest::LoadOptions::default(),
    );
    let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{what}: manifest errors: {errors:#?}");
    Dataplane::build(&loaded.cluster, None)
}

/// The source of a row, as podnet names it.
fn source(dp: &Dataplane, flow: &Value) -> TraceFrom {
    let ip: IpAddr = flow["sourceIP"].as_str().unwrap().parse().unwrap();
    match flow["source_class"].as_str().unwrap_or_default() {
        "pod" => TraceFrom::Pod(
            dp.cluster
                .pod_ids()
                .find(|&p| dp.cluster.pod(p).ips.contains(&ip))
                .unwrap_or_else(|| panic!("no client pod holds {ip}")),
        ),
        "node" | "localhost" => TraceFrom::NodeAddress {
            node: NODE.into(),
            ip,
        },
        _ => TraceFrom::External(ip),
    }
}

/// What kube-proxy on `test-node` did in `t`.
fn observe(t: &Trace) -> Observed {
    let decided: Vec<&ProxyVerdict> = t
        .hops
        .iter()
        .chain(t.branches.iter().flat_map(|b| &b.hops))
        .filter_map(|h| match &h.action {
            Action::KubeProxy(v) => Some(v.as_ref()),
            _ => None,
        })
        .collect();
    let endpoints: BTreeSet<String> = t.branches.iter().filter_map(dnat_of).collect();
    let verdict = if !endpoints.is_empty() {
        "dnat"
    } else {
        match decided.first().map(|v| &v.result) {
            Some(ProxyResult::Reject) => "REJECT",
            Some(ProxyResult::Drop) => "DROP",
            _ => "untranslated",
        }
    };
    Observed {
        verdict: verdict.to_owned(),
        endpoints: endpoints.into_iter().collect(),
        masq: decided.iter().any(|v| v.masquerade),
    }
}

/// The endpoint kube-proxy DNATed a branch to.
fn dnat_of(b: &Branch) -> Option<String> {
    b.hops.iter().find_map(|h| match (&h.action, &h.place) {
        (Action::Dnat { .. }, Place::Node(n)) if n == NODE => Some(match h.after.dst {
            IpAddr::V6(v6) => format!("[{v6}]:{}", h.after.port),
            v4 => format!("{v4}:{}", h.after.port),
        }),
        _ => None,
    })
}

fn expected(flow: &Value) -> Observed {
    let e = &flow["expect"];
    let verdict = match e["verdict"].as_str().unwrap() {
        // The tracer's ACCEPT: filter chains let the packet through
        // untranslated.
        "ACCEPT" => "untranslated",
        v => v,
    };
    let mut endpoints = strings(&e["endpoints"]);
    endpoints.sort();
    Observed {
        verdict: verdict.to_owned(),
        endpoints,
        masq: e["masq"].as_bool().unwrap_or(false),
    }
}

/// Why rows from outside to a ClusterIP are skipped.
const OUTSIDE_TO_CLUSTER_IP: &str = "the tracer hands a packet from outside the cluster to the ClusterIP straight to the node; podnet routes nothing from outside to the service CIDR (no route exists unless an administrator adds one), so it drops the packet before any node";
/// Why the nftables IPv6 ClusterIP row is skipped.
const CLUSTER_IP_OUTSIDE_SERVICE_CIDR: &str = "the Service's ClusterIP fd00:172:30::41 lies outside the test's IPv6 service CIDR fd00:10:96::/112; the API server refuses such a Service and podnet reports it as an error and gives it no ClusterIP";

/// Rows podnet cannot express: mode, fixture file stem, row line, case
/// name prefix (`None`: every case), reason (docs/dataplane.md, "kube-proxy's own
/// tests").
const SKIPPED: &[(&str, &str, u64, Option<&str>, &str)] = &[
    (
        "iptables",
        "TestInternalExternalMasquerade",
        5122,
        None,
        OUTSIDE_TO_CLUSTER_IP,
    ),
    (
        "iptables",
        "TestInternalExternalMasquerade",
        5232,
        None,
        OUTSIDE_TO_CLUSTER_IP,
    ),
    (
        "iptables",
        "TestInternalExternalMasquerade",
        5343,
        None,
        OUTSIDE_TO_CLUSTER_IP,
    ),
    (
        "nftables",
        "TestInternalExternalMasquerade",
        3437,
        None,
        OUTSIDE_TO_CLUSTER_IP,
    ),
    (
        "nftables",
        "TestInternalExternalMasquerade",
        3536,
        None,
        OUTSIDE_TO_CLUSTER_IP,
    ),
    (
        "nftables",
        "TestInternalExternalMasquerade",
        3636,
        None,
        OUTSIDE_TO_CLUSTER_IP,
    ),
    (
        "nftables",
        "TestNodePorts",
        1015,
        Some("ipv6"),
        CLUSTER_IP_OUTSIDE_SERVICE_CIDR,
    ),
];

#[test]
fn kube_proxy_packet_flow_tests_agree() {
    let fixtures = fixtures();
    let mut agree = 0usize;
    let mut skipped = 0usize;
    let mut untranscribable = 0usize;
    let mut failures = Vec::new();
    let mut per_file: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for f in &fixtures {
        let stem = f.path.file_stem().unwrap().to_string_lossy().into_owned();
        let key = format!("{}/{stem}", f.mode);
        if f.doc.get("untranscribable").is_some() {
            // TestTracePacket: a literal iptables ruleset, not cluster
            // objects; counted apart.
            untranscribable +=
                usize::try_from(f.doc["untranscribable"]["rows"].as_u64().unwrap_or(0)).unwrap();
            continue;
        }
        for case in f.doc["cases"].as_array().unwrap() {
            let env = environment(f, case);
            let case_name = case["name"].as_str().map(str::to_owned);
            for phase in case["phases"].as_array().unwrap() {
                let flows = phase["flows"].as_array().cloned().unwrap_or_default();
                let pod_sources: BTreeSet<String> = flows
                    .iter()
                    .filter(|fl| fl["source_class"] == "pod")
                    .map(|fl| fl["sourceIP"].as_str().unwrap().to_owned())
                    .collect();
                let phase_name = phase["name"].as_str().unwrap_or_default().to_owned();
                let text = input(f, &env, &phase["manifests"], &pod_sources);
                let dp = load(&text, &format!("{key} {case_name:?} {phase_name}"));
                for flow in &flows {
                    let row = Row {
                        fixture: f,
                        case: case_name.clone(),
                        phase: phase_name.clone(),
                        flow,
                    };
                    let line = flow["line"].as_u64().unwrap_or(0);
                    let skip = SKIPPED.iter().find(|(m, s, l, c, _)| {
                        *m == f.mode
                            && *s == stem
                            && *l == line
                            && c.is_none_or(|c| {
                                case_name.as_deref().is_some_and(|n| n.starts_with(c))
                            })
                    });
                    let want = expected(flow);
                    let got = ask(&dp, flow);
                    let entry = per_file.entry(key.clone()).or_default();
                    entry.1 += 1;
                    match (got == Some(want.clone()), skip) {
                        (true, None) => {
                            agree += 1;
                            entry.0 += 1;
                        }
                        (false, Some(_)) => skipped += 1,
                        (true, Some((_, _, _, _, why))) => failures.push(format!(
                            "{}\n    listed as not expressible ({why}) but agrees now: remove it from SKIPPED and docs/dataplane.md",
                            row.citation()
                        )),
                        (false, None) => failures.push(format!(
                            "{}\n    {} {}:{} {} from {}\n    upstream: {want:?}\n    podnet:   {got:?}",
                            row.citation(),
                            flow["protocol"].as_str().unwrap_or("TCP"),
                            flow["destIP"].as_str().unwrap_or_default(),
                            flow["destPort"],
                            flow["sourceIP"].as_str().unwrap_or_default(),
                            flow["source_class"].as_str().unwrap_or_default(),
                        )),
                    }
                }
            }
        }
    }
    let total = agree + skipped + failures.len();
    let mut summary = String::new();
    for (k, (a, n)) in &per_file {
        writeln!(summary, "  {k}: {a}/{n}").unwrap();
    }
    eprintln!(
        "kube-proxy packet flows: {agree} agree, {skipped} skipped, {} disagree, of {total} (and {untranscribable} untranscribable rows)\n{summary}",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {total} rows disagree with kube-proxy ({agree} agree, {skipped} skipped):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Traces one row; `None` when podnet refuses the request.
fn ask(dp: &Dataplane, flow: &Value) -> Option<Observed> {
    let protocol = match flow["protocol"].as_str().unwrap_or("TCP") {
        "UDP" => Protocol::Udp,
        "SCTP" => Protocol::Sctp,
        _ => Protocol::Tcp,
    };
    let req = TraceRequest {
        from: source(dp, flow),
        to: TraceTo::Address(flow["destIP"].as_str()?.parse().ok()?),
        port: Some(u16::try_from(flow["destPort"].as_u64()?).ok()?),
        protocol,
    };
    trace(dp, &req).ok().map(|t| observe(&t))
}
