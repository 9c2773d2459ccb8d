//! NetworkPolicy rules checked end to end, from real manifests.
//!
//! `fast_equals_spec` proves the fast engine agrees with the readable spec
//! on random clusters, but both could agree on a wrong reading of
//! Kubernetes. These tests pin the semantics themselves: each one loads a
//! small inline manifest through `podnet-manifest` (so defaulting and
//! lowering are part of what is tested), builds the engine and the
//! connlist, and asserts both what must be allowed and what must be denied.
//!
//! Each test is named after the section of the Kubernetes API reference
//! (networking.k8s.io/v1 NetworkPolicy) or of the concept page
//! <https://kubernetes.io/docs/concepts/services-networking/network-policies/>
//! it checks. Workload-level answers are also cross-checked against the
//! per-pod spec (`semantics::evaluate`), so a wrong connlist cannot hide
//! behind a right spec or the reverse.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::IpAddr;
use std::panic::AssertUnwindSafe;

use podnet_engine::semantics::evaluate;
use podnet_engine::{ConnList, Endpoint, Engine, PeerRef, Target, connlist, resolve};
use podnet_manifest::{LoadOptions, Severity, SourceFile, load_files};
use podnet_model::{Cluster, Conns, HostNetworkMode, PodId, Protocol, WorkloadId};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// A loaded cluster with its connlist and warnings.
struct Analysis {
    cluster: Cluster,
    list: ConnList,
    warnings: Vec<String>,
}

/// Loads files (name, text), asserting they have no error diagnostics.
fn analyse_files(files: &[(&str, &str)]) -> Analysis {
    let sources: Vec<SourceFile> = files
        .iter()
        .map(|(name, text)| SourceFile {
            name: (*name).into(),
            text: (*text).into(),
        })
        .collect();
    let loaded = load_files(&sources, Vec::new(), LoadOptions::default());
    let all: Vec<String> = loaded.diagnostics.iter().map(ToString::to_string).collect();
    assert!(!loaded.has_errors(), "unexpected errors: {all:#?}");
    assert!(!loaded.stopped);
    let warnings = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(ToString::to_string)
        .collect();
    let cluster = loaded.cluster;
    let list = connlist(&Engine::new(&cluster));
    Analysis {
        cluster,
        list,
        warnings,
    }
}

/// Loads one YAML (or JSON) file.
fn analyse(yaml: &str) -> Analysis {
    analyse_files(&[("t.yaml", yaml)])
}

/// The workload-level connections from workload `from` to workload `to`
/// (`ns/name`) of `yaml`.
fn conns(yaml: &str, from: &str, to: &str) -> Conns {
    analyse(yaml).conns(from, to)
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

impl Analysis {
    /// The workload called `ns/name`.
    fn workload(&self, name: &str) -> WorkloadId {
        let found: Vec<WorkloadId> = self
            .cluster
            .workload_ids()
            .filter(|&w| self.cluster.workload_name(w) == name)
            .collect();
        match found.as_slice() {
            [one] => *one,
            _ => panic!(
                "expected one workload `{name}`, found {}; workloads: {:?}",
                found.len(),
                self.workloads()
            ),
        }
    }

    /// The pod called `ns/name`.
    fn pod(&self, name: &str) -> PodId {
        self.cluster
            .pod_ids()
            .find(|&p| self.cluster.pod_name(p) == name)
            .unwrap_or_else(|| panic!("no pod `{name}`"))
    }

    /// Every workload as `ns/Kind/name xN` (N pods), in cluster order.
    fn workloads(&self) -> Vec<String> {
        self.cluster
            .workload_ids()
            .map(|w| {
                let wl = self.cluster.workload(w);
                format!(
                    "{}/{}/{} x{}",
                    self.cluster.namespace(wl.namespace).name,
                    wl.kind.as_str(),
                    wl.name,
                    wl.pods.len()
                )
            })
            .collect()
    }

    /// Whether some warning contains `needle`.
    fn warned(&self, needle: &str) -> bool {
        self.warnings.iter().any(|w| w.contains(needle))
    }

    /// The connlist entry from workload `from` to workload `to` (empty when
    /// absent), checked against the union of the spec over their pods.
    fn conns(&self, from: &str, to: &str) -> Conns {
        let (s, d) = (self.workload(from), self.workload(to));
        let found: Vec<&Conns> = self
            .list
            .connections
            .iter()
            .filter(|c| c.src == PeerRef::Workload(s) && c.dst == PeerRef::Workload(d))
            .map(|c| &c.conns)
            .collect();
        assert!(
            found.len() <= 1,
            "{from} -> {to} listed {} times",
            found.len()
        );
        let listed = found.first().map_or_else(Conns::none, |c| (*c).clone());
        let mut spec = Conns::none();
        if s != d {
            for &p in &self.cluster.workload(s).pods {
                for &q in &self.cluster.workload(d).pods {
                    spec.add(&evaluate(&self.cluster, Endpoint::Pod(p), Endpoint::Pod(q)).conns);
                }
            }
        }
        assert_eq!(listed, spec, "connlist and spec disagree on {from} -> {to}");
        listed
    }

    /// What workload `from` may send to the outside address `addr`.
    fn to_addr(&self, from: &str, addr: &str) -> Conns {
        let w = self.workload(from);
        let a = ip(addr);
        let listed = self.external(|c| {
            c.src == PeerRef::Workload(w) && matches!(&c.dst, PeerRef::External(s) if s.contains(a))
        });
        let mut spec = Conns::none();
        for &p in &self.cluster.workload(w).pods {
            spec.add(&evaluate(&self.cluster, Endpoint::Pod(p), Endpoint::External(a)).conns);
        }
        assert_eq!(
            listed, spec,
            "connlist and spec disagree on {from} -> {addr}"
        );
        listed
    }

    /// What the outside address `addr` may send to workload `to`.
    fn addr_to(&self, addr: &str, to: &str) -> Conns {
        let w = self.workload(to);
        let a = ip(addr);
        let listed = self.external(|c| {
            c.dst == PeerRef::Workload(w) && matches!(&c.src, PeerRef::External(s) if s.contains(a))
        });
        let mut spec = Conns::none();
        for &p in &self.cluster.workload(w).pods {
            spec.add(&evaluate(&self.cluster, Endpoint::External(a), Endpoint::Pod(p)).conns);
        }
        assert_eq!(listed, spec, "connlist and spec disagree on {addr} -> {to}");
        listed
    }

    fn external(&self, pick: impl Fn(&podnet_engine::Connection) -> bool) -> Conns {
        let found: Vec<&Conns> = self
            .list
            .connections
            .iter()
            .filter(|c| pick(c))
            .map(|c| &c.conns)
            .collect();
        assert!(found.len() <= 1, "an address is in {} ranges", found.len());
        found.first().map_or_else(Conns::none, |c| (*c).clone())
    }

    /// The outside ranges workload `from` may reach, as `ranges: conns`.
    fn egress_ranges(&self, from: &str) -> Vec<String> {
        let w = self.workload(from);
        self.list
            .connections
            .iter()
            .filter_map(|c| match (&c.src, &c.dst) {
                (PeerRef::Workload(s), PeerRef::External(set)) if *s == w => {
                    Some(format!("{set}: {}", c.conns))
                }
                _ => None,
            })
            .collect()
    }

    /// The spec's verdict between two pods (`ns/name`).
    fn pod_conns(&self, from: &str, to: &str) -> Conns {
        evaluate(
            &self.cluster,
            Endpoint::Pod(self.pod(from)),
            Endpoint::Pod(self.pod(to)),
        )
        .conns
    }

    /// The whole connlist as `src -> dst: conns` lines.
    fn render(&self) -> Vec<String> {
        let name = |p: &PeerRef| match p {
            PeerRef::Workload(w) => self.cluster.workload_name(*w),
            PeerRef::External(s) => s.to_string(),
            PeerRef::IngressController => "ingress-controller".to_owned(),
            PeerRef::Gateway { namespace, name } => format!("gateway {namespace}/{name}"),
        };
        self.list
            .connections
            .iter()
            .map(|c| format!("{} -> {}: {}", name(&c.src), name(&c.dst), c.conns))
            .collect()
    }
}

/// A running bare Pod with one container and no ports; `labels` is a YAML
/// flow mapping body such as `app: web, tier: db`.
fn pod(ns: &str, name: &str, labels: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels: {{{labels}}}\nspec:\n  containers: [{{name: c, image: busybox}}]\n"
    )
}

/// Like [`pod`], with `status.podIP` (and `podIPs` when `ips` has more).
fn pod_ip(ns: &str, name: &str, labels: &str, ips: &[&str]) -> String {
    let list: Vec<String> = ips.iter().map(|i| format!("{{ip: \"{i}\"}}")).collect();
    format!(
        "{}status:\n  phase: Running\n  podIP: \"{}\"\n  podIPs: [{}]\n",
        pod(ns, name, labels),
        ips[0],
        list.join(", ")
    )
}

/// A Pod whose only container has `ports` (a YAML flow sequence body such
/// as `{name: http, containerPort: 8080}`).
fn pod_ports(ns: &str, name: &str, labels: &str, ports: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels: {{{labels}}}\nspec:\n  containers: [{{name: c, image: busybox, ports: [{ports}]}}]\n"
    )
}

/// Which of `pods` (name, labels) in namespace `x` a deny-all-ingress policy
/// with this `podSelector` (YAML flow mapping) isolates, seen from a client
/// in another namespace.
fn isolated_by(selector: &str, pods: &[(&str, &str)]) -> Vec<String> {
    let mut yaml = pod("clients", "client", "app: client");
    for (name, labels) in pods {
        yaml.push_str(&pod("x", name, labels));
    }
    yaml.push_str(&format!(
        "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: deny, namespace: x}}\nspec:\n  podSelector: {selector}\n  policyTypes: [Ingress]\n"
    ));
    let a = analyse(&yaml);
    pods.iter()
        .filter(|(name, _)| {
            let c = a.conns("clients/client", &format!("x/{name}"));
            assert!(c.is_empty() || c.is_all(), "{name}: {c}");
            c.is_empty()
        })
        .map(|(name, _)| (*name).to_owned())
        .collect()
}

const NP: &str = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n";

// ---------------------------------------------------------------------------
// Small clusters with what must flow in them
// ---------------------------------------------------------------------------

/// What a flow must carry.
enum Want {
    /// No connection.
    Nothing,
    /// All connections.
    All,
    /// Exactly these connections (`Conns` as text, such as `TCP 443`).
    Exactly(&'static str),
}

use Want::{All, Exactly, Nothing};

/// One thing that must hold in a [`Case`]'s cluster; every flow is checked
/// against the per-pod spec too ([`Analysis::conns`]).
enum Expect {
    /// From workload to workload (`ns/name`).
    Conns(&'static str, &'static str, Want),
    /// From a workload to an outside address.
    ToAddr(&'static str, &'static str, Want),
    /// From an outside address to a workload.
    AddrTo(&'static str, &'static str, Want),
    /// The outside ranges a workload may reach, as `ranges: conns`.
    EgressRanges(&'static str, &'static [&'static str]),
    /// Some warning contains this.
    Warned(&'static str),
}

/// A cluster and what must hold in it.
struct Case {
    /// The rule, as a test name would say it; its source is cited above it.
    rule: &'static str,
    /// The manifests, one file.
    yaml: String,
    /// What must hold.
    expect: Vec<Expect>,
}

impl Case {
    /// Loads the cluster and asserts every expectation.
    fn check(&self) {
        let a = analyse(&self.yaml);
        let want = |conns: Conns, want: &Want, what: String| match want {
            Nothing => assert!(conns.is_empty(), "{what}: {conns}"),
            All => assert!(conns.is_all(), "{what}: {conns}"),
            Exactly(text) => assert_eq!(conns.to_string(), *text, "{what}"),
        };
        for e in &self.expect {
            match e {
                Expect::Conns(from, to, w) => want(a.conns(from, to), w, format!("{from} -> {to}")),
                Expect::ToAddr(from, addr, w) => {
                    want(a.to_addr(from, addr), w, format!("{from} -> {addr}"));
                }
                Expect::AddrTo(addr, to, w) => {
                    want(a.addr_to(addr, to), w, format!("{addr} -> {to}"));
                }
                Expect::EgressRanges(from, ranges) => assert_eq!(a.egress_ranges(from), *ranges),
                Expect::Warned(needle) => assert!(a.warned(needle), "{needle}: {:#?}", a.warnings),
            }
        }
    }
}

/// Every [`Case`] of [`cases`]; the failing rules are named together.
#[test]
fn every_case_holds() {
    let failed: Vec<&str> = cases()
        .iter()
        .filter(|case| std::panic::catch_unwind(AssertUnwindSafe(|| case.check())).is_err())
        .map(|case| case.rule)
        .collect();
    assert!(failed.is_empty(), "rules that do not hold: {failed:#?}");
}

/// The cases, grouped like the tests below them.
fn cases() -> Vec<Case> {
    Vec::from([
        // API reference, NetworkPolicySpec.podSelector: "An empty selector matches
        // all pods in the policy's namespace" — and only there (concept page,
        // "Default deny all ingress traffic").
        Case {
            rule: "networkpolicyspec_empty_podselector_selects_all_pods_in_namespace",
            yaml: [
                pod("x", "a", "app: a"),
                pod("x", "b", "app: b"),
                pod("v", "c", "app: c"),
                format!(
                    "{NP}metadata: {{name: default-deny-ingress, namespace: x}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress]\n"
                ),
            ]
            .concat(),
            expect: vec![
                // Every pod of x is isolated for ingress, whatever its labels.
                Expect::Conns("v/c", "x/a", Nothing),
                Expect::Conns("v/c", "x/b", Nothing),
                Expect::Conns("x/a", "x/b", Nothing),
                Expect::AddrTo("8.8.8.8", "x/a", Nothing),
                // v is another namespace: not selected.
                Expect::Conns("x/a", "v/c", All),
                Expect::AddrTo("8.8.8.8", "v/c", All),
                // Ingress only: egress of x is untouched.
                Expect::ToAddr("x/a", "8.8.8.8", All),
            ],
        },
        // "This field is optional. If it is not specified, it defaults to an
        // empty selector": a policy without podSelector selects all pods too.
        Case {
            rule: "networkpolicyspec_empty_podselector_selects_all_pods_in_namespace (cluster 2)",
            yaml: [
                pod("x", "a", "app: a"),
                pod("v", "c", "app: c"),
                format!(
                    "{NP}metadata: {{name: no-selector, namespace: x}}\nspec:\n  policyTypes: [Ingress]\n"
                ),
            ]
            .concat(),
            expect: vec![
                Expect::Conns("v/c", "x/a", Nothing),
                Expect::Conns("x/a", "v/c", All),
            ],
        },
        // API reference, IPBlock: "except is a slice of CIDRs that should not be
        // included within an IPBlock". Outside ranges are reported per range of
        // equal connections, with the excepts carved out.
        Case {
            rule: "ipblock_except_is_carved_out_of_external_ranges",
            yaml: [
                pod("x", "app", "app: app"),
                format!(
                    r#"{NP}metadata: {{name: out, namespace: x}}
spec:
  podSelector: {{}}
  policyTypes: [Egress]
  egress:
  - to: [{{ipBlock: {{cidr: 10.0.0.0/8, except: [10.1.0.0/16, 10.2.0.0/16]}}}}]
    ports: [{{port: 443}}]
  - to: [{{ipBlock: {{cidr: 10.1.0.0/16}}}}]
    ports: [{{port: 53, protocol: UDP}}]
"#
                ),
            ]
            .concat(),
            expect: vec![
                Expect::ToAddr("x/app", "10.0.0.1", Exactly("TCP 443")),
                Expect::ToAddr("x/app", "10.255.255.255", Exactly("TCP 443")),
                Expect::ToAddr("x/app", "10.1.2.3", Exactly("UDP 53")),
                Expect::ToAddr("x/app", "10.2.0.1", Nothing),
                Expect::ToAddr("x/app", "11.0.0.0", Nothing),
                Expect::ToAddr("x/app", "9.255.255.255", Nothing),
                Expect::EgressRanges(
                    "x/app",
                    &[
                        "10.0.0.0/16, 10.3.0.0-10.255.255.255: TCP 443",
                        "10.1.0.0/16: UDP 53",
                    ],
                ),
            ],
        },
        // API reference, IPBlock ("a particular CIDR ... that is allowed to the
        // pods matched by a NetworkPolicySpec's podSelector"): in-cluster pods whose
        // `status.podIP` is in the block match it; pods without a known address
        // cannot be matched by address.
        Case {
            rule: "ipblock_matches_cluster_pods_by_status_podip",
            yaml: [
                pod_ip("c", "inside", "app: c1", &["10.244.1.5"]),
                pod_ip("c", "excepted", "app: c2", &["10.244.9.9"]),
                pod_ip("c", "outside", "app: c3", &["10.245.0.5"]),
                pod("c", "no-ip", "app: c4"),
                pod("x", "db", "app: db"),
                format!(
                    "{NP}metadata: {{name: db, namespace: x}}\nspec:\n  podSelector: {{}}\n  ingress:\n  - from: [{{ipBlock: {{cidr: 10.244.0.0/16, except: [10.244.9.0/24]}}}}]\n"
                ),
            ]
            .concat(),
            expect: vec![
                Expect::Conns("c/inside", "x/db", All),
                Expect::Conns("c/excepted", "x/db", Nothing),
                Expect::Conns("c/outside", "x/db", Nothing),
                Expect::Conns("c/no-ip", "x/db", Nothing),
                Expect::AddrTo("10.244.200.1", "x/db", All),
                Expect::AddrTo("10.244.9.1", "x/db", Nothing),
                Expect::AddrTo("8.8.8.8", "x/db", Nothing),
            ],
        },
        // API-server parsing of legacy CIDR fields (`ParseCIDRSloppy`): a CIDR with
        // host bits set is read as its network, `10.244.1.10/4` as `0.0.0.0/4`;
        // podnet warns but does not reject it.
        Case {
            rule: "ipblock_cidr_with_host_bits_is_masked_with_a_warning",
            yaml: [
                pod("x", "app", "app: app"),
                format!(
                    "{NP}metadata: {{name: out, namespace: x}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{{ipBlock: {{cidr: 10.244.1.10/4}}}}]\n"
                ),
            ]
            .concat(),
            expect: vec![
                Expect::Warned("host bits"),
                Expect::Warned("0.0.0.0/4"),
                Expect::ToAddr("x/app", "0.0.0.1", All),
                Expect::ToAddr("x/app", "10.244.1.10", All),
                Expect::ToAddr("x/app", "15.255.255.255", All),
                Expect::ToAddr("x/app", "16.0.0.0", Nothing),
                Expect::EgressRanges("x/app", &["0.0.0.0/4: All Connections"]),
            ],
        },
        // API reference, NetworkPolicyEgressRule.to: "If this field is empty or
        // missing, this rule matches all destinations"; concept page, "Allow all
        // egress traffic" (`egress: [{}]`).
        Case {
            rule: "allow_all_egress_traffic_empty_rule_matches_all_destinations",
            yaml: [
                pod("x", "app", "app: app"),
                pod("v", "far", "app: far"),
                format!(
                    "{NP}metadata: {{name: deny, namespace: x}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Egress]\n{NP}metadata: {{name: allow-all-egress, namespace: x}}\nspec:\n  podSelector: {{}}\n  egress:\n  - {{}}\n  policyTypes: [Egress]\n"
                ),
            ]
            .concat(),
            expect: vec![
                Expect::Conns("x/app", "v/far", All),
                Expect::ToAddr("x/app", "1.1.1.1", All),
                Expect::ToAddr("x/app", "::1", All),
                Expect::EgressRanges("x/app", &["0.0.0.0/0, ::/0: All Connections"]),
            ],
        },
        // API reference, NetworkPolicyPort.port (named port): for egress the
        // destination is the peer pod, so the name resolves per destination; an
        // outside address has no named ports and matches none.
        Case {
            rule: "networkpolicyport_named_port_resolves_on_egress_peer",
            yaml: [
                pod_ports("x", "web", "app: web", "{name: http, containerPort: 9999}"),
                pod_ports("v", "api", "app: api", "{name: http, containerPort: 8080}"),
                pod_ports("v", "api2", "app: api2", "{name: http, containerPort: 7070}"),
                pod("v", "plain", "app: plain"),
                format!(
                    "{NP}metadata: {{name: web, namespace: x}}\nspec:\n  podSelector: {{matchLabels: {{app: web}}}}\n  policyTypes: [Egress]\n  egress:\n  - ports: [{{port: http}}]\n"
                ),
            ]
            .concat(),
            expect: vec![
                Expect::Conns("x/web", "v/api", Exactly("TCP 8080")),
                Expect::Conns("x/web", "v/api2", Exactly("TCP 7070")),
                Expect::Conns("x/web", "v/plain", Nothing),
                Expect::ToAddr("x/web", "8.8.8.8", Nothing),
            ],
        },
        // API reference, NetworkPolicySpec.policyTypes: "If this field is not
        // specified, it will default based on the existence of ingress or egress
        // rules; policies that contain an egress section are assumed to affect
        // egress, and all policies (whether or not they contain an ingress
        // section) are assumed to affect ingress." An empty `egress: []` is no
        // egress rule.
        Case {
            rule: "networkpolicyspec_policytypes_default_ingress_always_egress_only_with_rules",
            yaml: [
                pod("x", "app", "app: app"),
                pod("v", "far", "app: far"),
                format!(
                    "{NP}metadata: {{name: p, namespace: x}}\nspec:\n  podSelector: {{}}\n  egress: []\n"
                ),
            ]
            .concat(),
            expect: vec![
                Expect::Conns("v/far", "x/app", Nothing),
                Expect::Conns("x/app", "v/far", All),
                Expect::ToAddr("x/app", "8.8.8.8", All),
            ],
        },
        Case {
            rule: "networkpolicyspec_policytypes_default_ingress_always_egress_only_with_rules (cluster 2)",
            yaml: [
                pod("x", "app", "app: app"),
                pod("v", "far", "app: far"),
                format!(
                    "{NP}metadata: {{name: p, namespace: x}}\nspec:\n  podSelector: {{}}\n  egress:\n  - ports: [{{port: 53, protocol: UDP}}]\n"
                ),
            ]
            .concat(),
            expect: vec![
                Expect::Conns("x/app", "v/far", Exactly("UDP 53")),
                Expect::ToAddr("x/app", "8.8.8.8", Exactly("UDP 53")),
                Expect::Conns("v/far", "x/app", Nothing),
            ],
        },
        // API reference, NetworkPolicySpec.policyTypes: with `[Egress]` only, the
        // policy does not affect ingress, so its ingress rules are ignored.
        Case {
            rule: "networkpolicyspec_explicit_egress_policytype_ignores_ingress_rules",
            yaml: [
                pod("x", "app", "app: app"),
                pod("v", "friend", "role: friend"),
                pod("v", "stranger", "role: stranger"),
                format!(
                    "{NP}metadata: {{name: p, namespace: x}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Egress]\n  ingress:\n  - from: [{{namespaceSelector: {{}}, podSelector: {{matchLabels: {{role: friend}}}}}}]\n  egress: []\n"
                ),
            ]
            .concat(),
            expect: vec![
                Expect::Conns("v/stranger", "x/app", All),
                Expect::Conns("v/friend", "x/app", All),
                Expect::AddrTo("8.8.8.8", "x/app", All),
                Expect::Conns("x/app", "v/friend", Nothing),
                Expect::ToAddr("x/app", "8.8.8.8", Nothing),
            ],
        },
        // Concept page, "Default deny all ingress and all egress traffic":
        // `policyTypes: [Ingress, Egress]` with no rules isolates both directions.
        Case {
            rule: "default_deny_all_ingress_and_all_egress_traffic",
            yaml: [
                pod("x", "app", "app: app"),
                pod("v", "far", "app: far"),
                format!(
                    "{NP}metadata: {{name: default-deny-all, namespace: x}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress, Egress]\n  ingress: []\n"
                ),
            ]
            .concat(),
            expect: vec![
                Expect::Conns("x/app", "v/far", Nothing),
                Expect::Conns("v/far", "x/app", Nothing),
                Expect::ToAddr("x/app", "8.8.8.8", Nothing),
                Expect::AddrTo("8.8.8.8", "x/app", Nothing),
                Expect::EgressRanges("x/app", &[]),
                // v is untouched.
                Expect::ToAddr("v/far", "8.8.8.8", All),
            ],
        },
        // Concept page, "The two sorts of pod isolation": by default a pod is
        // non-isolated for ingress and egress (all connections allowed) until a
        // policy selects it and has that direction in its policyTypes.
        Case {
            rule: "pods_selected_by_no_policy_are_non_isolated",
            yaml: [
                pod("x", "db", "app: db"),
                pod("x", "web", "app: web"),
                pod("v", "client", "app: client"),
                format!(
                    "{NP}metadata: {{name: db, namespace: x}}\nspec:\n  podSelector: {{matchLabels: {{app: db}}}}\n  policyTypes: [Ingress, Egress]\n"
                ),
            ]
            .concat(),
            expect: vec![
                Expect::Conns("v/client", "x/web", All),
                Expect::AddrTo("8.8.8.8", "x/web", All),
                Expect::ToAddr("x/web", "8.8.8.8", All),
                Expect::Conns("v/client", "x/db", Nothing),
                Expect::Conns("x/db", "x/web", Nothing),
            ],
        },
        // Concept page, "The two sorts of pod isolation": for a connection from a
        // source pod to a destination pod to be allowed, both the egress policy on
        // the source pod and the ingress policy on the destination pod need to
        // allow it.
        Case {
            rule: "connection_needs_source_egress_and_destination_ingress",
            yaml: [
                pod("x", "web", "app: web"),
                pod("x", "db", "app: db"),
                pod("x", "cache", "app: cache"),
                format!(
                    r#"{NP}metadata: {{name: web-out, namespace: x}}
spec:
  podSelector: {{matchLabels: {{app: web}}}}
  policyTypes: [Egress]
  egress:
  - to: [{{podSelector: {{matchLabels: {{app: db}}}}}}]
    ports: [{{port: 80}}, {{port: 443}}]
  - to: [{{podSelector: {{matchLabels: {{app: cache}}}}}}]
{NP}metadata: {{name: db-in, namespace: x}}
spec:
  podSelector: {{matchLabels: {{app: db}}}}
  ingress:
  - ports: [{{port: 443}}, {{port: 8443}}]
{NP}metadata: {{name: cache-in, namespace: x}}
spec:
  podSelector: {{matchLabels: {{app: cache}}}}
  ingress:
  - from: [{{podSelector: {{matchLabels: {{app: db}}}}}}]
"#
                ),
            ]
            .concat(),
            expect: vec![
                Expect::Conns("x/web", "x/db", Exactly("TCP 443")),
                // web's egress allows cache but cache's ingress does not admit web.
                Expect::Conns("x/web", "x/cache", Nothing),
                // db's egress is open and cache admits db.
                Expect::Conns("x/db", "x/cache", All),
                // db's ingress admits cache on 443, cache's egress is open.
                Expect::Conns("x/cache", "x/db", Exactly("TCP 443,8443")),
            ],
        },
        // API reference, IPBlock.cidr ("Valid examples are "192.168.1.0/24" or
        // "2001:db8::/64""): `::/0` is every IPv6 address and no IPv4 one.
        Case {
            rule: "ipblock_ipv6_all_addresses",
            yaml: [
                pod("x", "app", "app: app"),
                format!(
                    "{NP}metadata: {{name: v6, namespace: x}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{{ipBlock: {{cidr: \"::/0\"}}}}]\n"
                ),
            ]
            .concat(),
            expect: vec![
                Expect::ToAddr("x/app", "2001:db8::1", All),
                Expect::ToAddr("x/app", "::", All),
                Expect::ToAddr("x/app", "8.8.8.8", Nothing),
                Expect::EgressRanges("x/app", &["::/0: All Connections"]),
            ],
        },
        // API reference, IPBlock.except with IPv6, matching outside addresses and
        // pods by their IPv6 `status.podIPs`.
        Case {
            rule: "ipblock_ipv6_cidr_with_except_matches_addresses_and_pods",
            yaml: [
                pod_ip("c", "in", "app: in", &["2001:db8::10"]),
                pod_ip("c", "excepted", "app: ex", &["2001:db8:1::10"]),
                pod_ip("c", "out", "app: out", &["2001:db9::10"]),
                pod("x", "db", "app: db"),
                format!(
                    "{NP}metadata: {{name: db, namespace: x}}\nspec:\n  podSelector: {{}}\n  ingress:\n  - from: [{{ipBlock: {{cidr: \"2001:db8::/32\", except: [\"2001:db8:1::/48\"]}}}}]\n    ports: [{{port: 443}}]\n"
                ),
            ]
            .concat(),
            expect: vec![
                Expect::Conns("c/in", "x/db", Exactly("TCP 443")),
                Expect::Conns("c/excepted", "x/db", Nothing),
                Expect::Conns("c/out", "x/db", Nothing),
                Expect::AddrTo("2001:db8::5", "x/db", Exactly("TCP 443")),
                Expect::AddrTo("2001:db8:2::5", "x/db", Exactly("TCP 443")),
                Expect::AddrTo("2001:db8:1::5", "x/db", Nothing),
                Expect::AddrTo("2001:db9::5", "x/db", Nothing),
                Expect::AddrTo("10.0.0.1", "x/db", Nothing),
            ],
        },
        // Concept page, "Allowing traffic to or from hostNetwork pods": a plugin
        // that cannot tell hostNetwork pod traffic apart "ignores hostNetwork pods
        // when matching podSelector and namespaceSelector" (podnet's documented
        // choice, `semantics` module docs): such pods are never isolated...
        Case {
            rule: "hostnetwork_pods_are_not_selected_as_policy_subjects",
            yaml: [
                pod("v", "client", "app: client"),
                pod("x", "normal", "app: agent"),
                "---\napiVersion: v1\nkind: Pod\nmetadata: {name: host, namespace: x, labels: {app: agent}}\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: busybox}]\n".to_owned(),
                format!(
                    "{NP}metadata: {{name: deny, namespace: x}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress, Egress]\n"
                ),
            ]
            .concat(),
            expect: vec![
                Expect::Conns("v/client", "x/normal", Nothing),
                Expect::Conns("v/client", "x/host", All),
                Expect::ToAddr("x/host", "8.8.8.8", All),
                Expect::ToAddr("x/normal", "8.8.8.8", Nothing),
            ],
        },
    ])
}

// ---------------------------------------------------------------------------
// 1. podSelector {} (NetworkPolicySpec.podSelector; "Default deny all
//    ingress traffic")
// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------
// 2. Label selectors
// ---------------------------------------------------------------------------

/// API reference, LabelSelector.matchLabels: "{key,value} in the matchLabels
/// map is equivalent to an element of matchExpressions, whose key field is
/// key, the operator is In" — every pair must match.
#[test]
fn labelselector_matchlabels_requires_every_pair() {
    let isolated = isolated_by(
        "{matchLabels: {app: db, tier: backend}}",
        &[
            ("both", "app: db, tier: backend"),
            ("extra", "app: db, tier: backend, v: x"),
            ("app-only", "app: db"),
            ("wrong-tier", "app: db, tier: frontend"),
            ("none", ""),
        ],
    );
    assert_eq!(isolated, ["both", "extra"]);
}

/// API reference, LabelSelectorRequirement: `In` — the key is present and
/// its value is in the set.
#[test]
fn labelselectorrequirement_in_matches_listed_values_only() {
    let isolated = isolated_by(
        "{matchExpressions: [{key: env, operator: In, values: [prod, staging]}]}",
        &[
            ("prod", "env: prod"),
            ("staging", "env: staging"),
            ("dev", "env: dev"),
            ("unlabelled", ""),
        ],
    );
    assert_eq!(isolated, ["prod", "staging"]);
}

/// Labels concept page, "Set-based requirement": `NotIn` selects "all
/// resources with key equal to environment and value other than ... and all
/// resources without a label with the environment key".
#[test]
fn labelselectorrequirement_notin_also_matches_pods_without_the_key() {
    let isolated = isolated_by(
        "{matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}",
        &[
            ("prod", "env: prod"),
            ("dev", "env: dev"),
            ("unlabelled", "app: x"),
        ],
    );
    assert_eq!(isolated, ["dev", "unlabelled"]);
}

/// API reference, LabelSelectorRequirement: `Exists` and `DoesNotExist`
/// look at the key only.
#[test]
fn labelselectorrequirement_exists_and_doesnotexist_test_the_key_only() {
    let pods = [
        ("with-value", "canary: \"true\""),
        ("with-empty", "canary: \"\""),
        ("without", "app: x"),
    ];
    assert_eq!(
        isolated_by(
            "{matchExpressions: [{key: canary, operator: Exists}]}",
            &pods
        ),
        ["with-value", "with-empty"]
    );
    assert_eq!(
        isolated_by(
            "{matchExpressions: [{key: canary, operator: DoesNotExist}]}",
            &pods
        ),
        ["without"]
    );
}

/// API reference, LabelSelector: "The requirements are ANDed" — between
/// matchLabels and matchExpressions and between expressions.
#[test]
fn labelselector_requirements_are_anded() {
    let isolated = isolated_by(
        "{matchLabels: {app: db}, matchExpressions: [{key: env, operator: In, values: [prod]}, {key: legacy, operator: DoesNotExist}]}",
        &[
            ("all-three", "app: db, env: prod"),
            ("legacy", "app: db, env: prod, legacy: \"yes\""),
            ("dev", "app: db, env: dev"),
            ("other-app", "app: web, env: prod"),
        ],
    );
    assert_eq!(isolated, ["all-three"]);
}

// ---------------------------------------------------------------------------
// 3. Peers (NetworkPolicyPeer; "Behavior of to and from selectors")
// ---------------------------------------------------------------------------

/// Three namespaces (`a` labelled team=a, `b` labelled team=b, and the
/// policy's `x`) with a client and another pod each, and `x/db` guarded by
/// `peers` (YAML list items under `from:`).
fn peer_world(peers: &str) -> Analysis {
    let mut yaml = String::from(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {team: a}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b, labels: {team: b}}\n",
    );
    for ns in ["a", "b", "x"] {
        yaml.push_str(&pod(ns, "client", "role: client"));
        yaml.push_str(&pod(ns, "other", "role: other"));
    }
    yaml.push_str(&pod("x", "db", "app: db"));
    yaml.push_str(&format!(
        "{NP}metadata: {{name: db, namespace: x}}\nspec:\n  podSelector: {{matchLabels: {{app: db}}}}\n  ingress:\n  - from:\n{peers}"
    ));
    analyse(&yaml)
}

/// Who of `peer_world` reaches x/db (with everything).
fn admitted(a: &Analysis) -> Vec<String> {
    let mut out = Vec::new();
    for ns in ["a", "b", "x"] {
        for name in ["client", "other"] {
            let src = format!("{ns}/{name}");
            let c = a.conns(&src, "x/db");
            assert!(c.is_empty() || c.is_all(), "{src}: {c}");
            if c.is_all() {
                out.push(src);
            }
        }
    }
    assert!(
        a.addr_to("8.8.8.8", "x/db").is_empty(),
        "pod peers are not addresses"
    );
    out
}

/// API reference, NetworkPolicyPeer.podSelector: "If namespaceSelector is
/// also set ... Otherwise it selects the pods matching podSelector in the
/// policy's own namespace."
#[test]
fn networkpolicypeer_podselector_alone_selects_in_policy_namespace() {
    let a = peer_world("    - podSelector: {matchLabels: {role: client}}\n");
    assert_eq!(admitted(&a), ["x/client"]);
}

/// API reference, NetworkPolicyPeer.namespaceSelector: "If podSelector is
/// also set ... Otherwise it selects all pods in the namespaces selected by
/// namespaceSelector."
#[test]
fn networkpolicypeer_namespaceselector_alone_selects_all_pods_of_matching_namespaces() {
    let a = peer_world("    - namespaceSelector: {matchLabels: {team: a}}\n");
    assert_eq!(admitted(&a), ["a/client", "a/other"]);
}

/// Concept page, "Behavior of to and from selectors": a single `from`
/// element with both `namespaceSelector` and `podSelector` admits only pods
/// matching the podSelector in namespaces matching the namespaceSelector
/// (API reference, NetworkPolicyPeer: "the NetworkPolicyPeer as a whole
/// selects the Pods matching PodSelector in the Namespaces selected by
/// NamespaceSelector").
#[test]
fn behavior_of_to_and_from_selectors_one_element_with_both_is_and() {
    let a = peer_world(
        "    - namespaceSelector: {matchLabels: {team: a}}\n      podSelector: {matchLabels: {role: client}}\n",
    );
    assert_eq!(admitted(&a), ["a/client"]);
}

/// Concept page, "Behavior of to and from selectors": the same selectors as
/// two elements of the `from` array are ORed (pods of the policy's namespace
/// matching the podSelector, or any pod of the selected namespaces) — the
/// classic mistake. The result must differ from the one-element form.
#[test]
fn behavior_of_to_and_from_selectors_two_elements_are_or() {
    let a = peer_world(
        "    - namespaceSelector: {matchLabels: {team: a}}\n    - podSelector: {matchLabels: {role: client}}\n",
    );
    assert_eq!(admitted(&a), ["a/client", "a/other", "x/client"]);
    let and = peer_world(
        "    - namespaceSelector: {matchLabels: {team: a}}\n      podSelector: {matchLabels: {role: client}}\n",
    );
    assert_ne!(admitted(&a), admitted(&and));
}

/// API reference, NetworkPolicyPeer.namespaceSelector: an empty selector
/// selects all namespaces (also the policy's own and undeclared ones); it
/// still selects no outside address.
#[test]
fn networkpolicypeer_empty_namespaceselector_selects_all_namespaces() {
    let a = peer_world("    - namespaceSelector: {}\n");
    assert_eq!(
        admitted(&a),
        [
            "a/client", "a/other", "b/client", "b/other", "x/client", "x/other"
        ]
    );
    let b = peer_world(
        "    - namespaceSelector: {}\n      podSelector: {matchLabels: {role: client}}\n",
    );
    assert_eq!(admitted(&b), ["a/client", "b/client", "x/client"]);
}

/// Concept page, "Targeting a Namespace by its name": the control plane sets
/// `kubernetes.io/metadata.name` on all namespaces, so it matches declared
/// namespaces (whatever their own labels say) and namespaces the input only
/// uses without declaring them.
#[test]
fn targeting_a_namespace_by_its_name_uses_kubernetes_io_metadata_name() {
    let yaml = [
        // Declared, with a misleading value the API server overwrites.
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: logging, labels: {team: obs, kubernetes.io/metadata.name: wrong}}\n".to_owned(),
        pod("logging", "shipper", "app: shipper"),
        // Never declared: only its pod says it exists.
        pod("monitoring", "prometheus", "app: prometheus"),
        pod("other", "intruder", "app: prometheus"),
        pod("x", "db", "app: db"),
        format!(
            "{NP}metadata: {{name: db, namespace: x}}\nspec:\n  podSelector: {{}}\n  ingress:\n  - from:\n    - namespaceSelector:\n        matchExpressions: [{{key: kubernetes.io/metadata.name, operator: In, values: [logging, monitoring]}}]\n"
        ),
    ]
    .concat();
    let a = analyse(&yaml);
    assert!(a.conns("logging/shipper", "x/db").is_all());
    assert!(a.conns("monitoring/prometheus", "x/db").is_all());
    assert!(a.conns("other/intruder", "x/db").is_empty());
    let label = |ns: &str| {
        let id = a.cluster.namespace_by_name(ns).unwrap();
        a.cluster
            .namespace(id)
            .labels
            .get("kubernetes.io/metadata.name")
            .map(str::to_owned)
    };
    assert_eq!(label("logging").as_deref(), Some("logging"));
    assert_eq!(label("monitoring").as_deref(), Some("monitoring"));
}

/// Namespaces concept page: objects created without a namespace go to
/// `default` (podnet has no kubectl context). A policy without namespace
/// selects pods without namespace, and its podSelector peers are in
/// `default` too.
#[test]
fn namespaces_objects_without_namespace_are_in_default() {
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: api, labels: {app: api}}
spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: other, labels: {app: web}}
spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
"#;
    let a = analyse(yaml);
    assert!(a.conns("default/web", "default/api").is_all());
    assert!(a.conns("other/web", "default/api").is_empty());
    assert!(a.cluster.namespace_by_name("default").is_some());
}

// ---------------------------------------------------------------------------
// 4. ipBlock (IPBlock)
// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------
// 5. Empty from/to
// ---------------------------------------------------------------------------

/// API reference, NetworkPolicyIngressRule.from: "If this field is empty or
/// missing, this rule matches all sources (traffic not restricted by
/// source)" — other namespaces and outside addresses of both families too.
#[test]
fn networkpolicyingressrule_empty_or_missing_from_matches_all_sources() {
    for rule in [
        "  - ports: [{port: 80}]\n",
        "  - from: []\n    ports: [{port: 80}]\n",
    ] {
        let yaml = [
            pod("x", "db", "app: db"),
            pod("v", "far", "app: far"),
            format!(
                "{NP}metadata: {{name: db, namespace: x}}\nspec:\n  podSelector: {{}}\n  ingress:\n{rule}"
            ),
        ]
        .concat();
        let a = analyse(&yaml);
        assert_eq!(a.conns("v/far", "x/db").to_string(), "TCP 80", "{rule}");
        assert_eq!(a.addr_to("8.8.8.8", "x/db").to_string(), "TCP 80");
        assert_eq!(a.addr_to("2001:db8::1", "x/db").to_string(), "TCP 80");
        assert!(!a.conns("v/far", "x/db").allows(Protocol::Tcp, 81));
    }
}

/// Concept page, "Allow all ingress traffic": `ingress: [{}]` admits
/// everything even next to a default-deny policy.
#[test]
fn allow_all_ingress_traffic_overrides_default_deny() {
    let base = [
        pod("x", "db", "app: db"),
        pod("v", "far", "app: far"),
        format!("{NP}metadata: {{name: deny, namespace: x}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress]\n"),
    ]
    .concat();
    let denied = analyse(&base);
    assert!(denied.conns("v/far", "x/db").is_empty());
    let allowed = analyse(&format!(
        "{base}{NP}metadata: {{name: allow-all-ingress, namespace: x}}\nspec:\n  podSelector: {{}}\n  ingress:\n  - {{}}\n  policyTypes: [Ingress]\n"
    ));
    assert!(allowed.conns("v/far", "x/db").is_all());
    assert!(allowed.addr_to("203.0.113.9", "x/db").is_all());
}

// ---------------------------------------------------------------------------
// 6. Ports (NetworkPolicyPort)
// ---------------------------------------------------------------------------

fn port_world(ports: &str) -> Analysis {
    let yaml = [
        pod("v", "client", "app: client"),
        pod_ports(
            "x",
            "db",
            "app: db",
            "{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}",
        ),
        format!(
            "{NP}metadata: {{name: db, namespace: x}}\nspec:\n  podSelector: {{}}\n  ingress:\n  - ports: {ports}\n"
        ),
    ]
    .concat();
    analyse(&yaml)
}

/// API reference, NetworkPolicyPort.protocol: "If not specified, this field
/// defaults to TCP"; `port` as a number allows that port only.
#[test]
fn networkpolicyport_number_with_default_protocol_tcp() {
    let c = port_world("[{port: 5432}]").conns("v/client", "x/db");
    assert_eq!(c.to_string(), "TCP 5432");
    assert!(c.allows(Protocol::Tcp, 5432));
    assert!(!c.allows(Protocol::Udp, 5432));
    assert!(!c.allows(Protocol::Tcp, 5433));
    assert!(!c.other_protocols());
}

/// API reference, NetworkPolicyPort.protocol: TCP, UDP or SCTP, each
/// entry for its own protocol only.
#[test]
fn networkpolicyport_protocols_tcp_udp_sctp() {
    let c = port_world("[{port: 80}, {port: 53, protocol: UDP}, {port: 9, protocol: SCTP}]")
        .conns("v/client", "x/db");
    assert_eq!(c.to_string(), "TCP 80; UDP 53; SCTP 9");
    assert!(!c.allows(Protocol::Tcp, 53));
    assert!(!c.allows(Protocol::Udp, 80));
    assert!(!c.allows(Protocol::Sctp, 80));
}

/// API reference, NetworkPolicyPort.port: "If this field is not provided,
/// this matches all port names and numbers" — of the entry's protocol only.
#[test]
fn networkpolicyport_protocol_without_port_matches_all_ports_of_that_protocol() {
    let c = port_world("[{protocol: UDP}]").conns("v/client", "x/db");
    assert!(c.ports(Protocol::Udp).is_full());
    assert!(c.ports(Protocol::Tcp).is_empty());
    assert!(c.ports(Protocol::Sctp).is_empty());
    assert!(!c.is_all());
    assert_eq!(c.to_string(), "UDP all ports");
}

/// API reference, NetworkPolicyPort.endPort and concept page "Targeting a
/// range of ports": the range `port..=endPort` is inclusive.
#[test]
fn targeting_a_range_of_ports_endport_is_inclusive() {
    let c = port_world("[{protocol: TCP, port: 32000, endPort: 32768}]").conns("v/client", "x/db");
    assert!(c.allows(Protocol::Tcp, 32000));
    assert!(c.allows(Protocol::Tcp, 32400));
    assert!(c.allows(Protocol::Tcp, 32768));
    assert!(!c.allows(Protocol::Tcp, 31999));
    assert!(!c.allows(Protocol::Tcp, 32769));
    assert_eq!(c.to_string(), "TCP 32000-32768");
}

/// API reference, NetworkPolicyIngressRule.ports: "If this field is empty or
/// missing, this rule matches all ports" — every protocol, others included.
#[test]
fn networkpolicyingressrule_missing_ports_allows_all_connections() {
    let yaml = [
        pod("v", "client", "app: client"),
        pod("x", "db", "app: db"),
        format!(
            "{NP}metadata: {{name: db, namespace: x}}\nspec:\n  podSelector: {{}}\n  ingress:\n  - from: [{{namespaceSelector: {{}}}}]\n"
        ),
    ]
    .concat();
    let c = conns(&yaml, "v/client", "x/db");
    assert!(c.is_all());
    assert!(c.other_protocols());
    assert_eq!(c.to_string(), "All Connections");
}

/// API reference, NetworkPolicyPort.port: "a named port on a pod". For
/// ingress the destination is the selected pod: its container port names
/// count, not the source's.
#[test]
fn networkpolicyport_named_port_resolves_on_ingress_destination() {
    let yaml = [
        pod_ports("v", "client", "app: client", "{name: http, containerPort: 9090}"),
        pod_ports("x", "db", "app: db", "{name: http, containerPort: 8080}"),
        format!(
            "{NP}metadata: {{name: db, namespace: x}}\nspec:\n  podSelector: {{}}\n  ingress:\n  - ports: [{{port: http}}]\n"
        ),
    ]
    .concat();
    let a = analyse(&yaml);
    let c = a.conns("v/client", "x/db");
    assert_eq!(c.to_string(), "TCP 8080");
    assert!(!c.allows(Protocol::Tcp, 9090));
    assert_eq!(a.addr_to("192.0.2.1", "x/db").to_string(), "TCP 8080");
}

/// API reference, NetworkPolicyPort: the named port must exist on the pod
/// with the entry's protocol: `dns` with the default TCP does not match a
/// UDP container port called `dns`.
#[test]
fn networkpolicyport_named_port_needs_matching_protocol() {
    assert!(
        port_world("[{port: dns}]")
            .conns("v/client", "x/db")
            .is_empty()
    );
    assert_eq!(
        port_world("[{port: dns, protocol: UDP}]")
            .conns("v/client", "x/db")
            .to_string(),
        "UDP 53"
    );
    assert!(
        port_world("[{port: http, protocol: UDP}]")
            .conns("v/client", "x/db")
            .is_empty()
    );
}

// ---------------------------------------------------------------------------
// 7. policyTypes (NetworkPolicySpec.policyTypes)
// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------
// 8-10. Combining policies and directions
// ---------------------------------------------------------------------------

/// Concept page, "The two sorts of pod isolation": network policies do not
/// conflict, they are additive: what a direction allows is the union of
/// what the policies selecting the pod for that direction allow.
#[test]
fn network_policies_are_additive() {
    let yaml = [
        pod("v", "client", "app: client"),
        pod("x", "db", "app: db"),
        format!(
            "{NP}metadata: {{name: https, namespace: x}}\nspec:\n  podSelector: {{matchLabels: {{app: db}}}}\n  ingress: [{{ports: [{{port: 443}}]}}]\n{NP}metadata: {{name: http, namespace: x}}\nspec:\n  podSelector: {{}}\n  ingress: [{{ports: [{{port: 80}}]}}]\n"
        ),
    ]
    .concat();
    let c = conns(&yaml, "v/client", "x/db");
    assert_eq!(c.to_string(), "TCP 80,443");
    assert!(!c.allows(Protocol::Tcp, 8080));
}

// ---------------------------------------------------------------------------
// 11. IPv6 and dual stack
// ---------------------------------------------------------------------------

/// API reference, PodStatus.podIPs ("Pods may be allocated at most 1 value
/// for each of IPv4 and IPv6"): a dual-stack pod is matched by an ipBlock of
/// either family.
#[test]
fn ipblock_matches_dual_stack_pod_by_either_family() {
    let policy = |cidr: &str| {
        format!(
            "{NP}metadata: {{name: db, namespace: x}}\nspec:\n  podSelector: {{}}\n  ingress:\n  - from: [{{ipBlock: {{cidr: \"{cidr}\"}}}}]\n"
        )
    };
    for cidr in ["10.244.0.0/16", "fd00::/8"] {
        let yaml = [
            pod_ip("c", "dual", "app: dual", &["10.244.0.5", "fd00::5"]),
            pod_ip("c", "v4only", "app: v4", &["10.245.0.5"]),
            pod_ip("c", "v6only", "app: v6", &["fe80::5"]),
            pod("x", "db", "app: db"),
            policy(cidr),
        ]
        .concat();
        let a = analyse(&yaml);
        assert!(a.conns("c/dual", "x/db").is_all(), "{cidr}");
        assert!(a.conns("c/v4only", "x/db").is_empty(), "{cidr}");
        assert!(a.conns("c/v6only", "x/db").is_empty(), "{cidr}");
    }
}

// ---------------------------------------------------------------------------
// 12. hostNetwork pods
// ---------------------------------------------------------------------------

/// Concept page, "Allowing traffic to or from hostNetwork pods": ...nor
/// matched as peers by pod or namespace selectors; "traffic to/from
/// hostNetwork pods is treated the same as all other traffic to/from the
/// node IP", so an ipBlock holding that IP matches.
#[test]
fn hostnetwork_pods_are_not_matched_by_peer_selectors() {
    let host = |name: &str, ip: &str| {
        format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: v, labels: {{app: agent}}}}\nspec:\n  hostNetwork: true\n  containers: [{{name: c, image: busybox}}]\nstatus: {{podIP: \"{ip}\"}}\n"
        )
    };
    let yaml = [
        pod("v", "normal", "app: agent"),
        host("host", "192.168.0.10"),
        pod("x", "db", "app: db"),
        format!(
            "{NP}metadata: {{name: db, namespace: x}}\nspec:\n  podSelector: {{}}\n  ingress:\n  - from: [{{namespaceSelector: {{}}}}, {{namespaceSelector: {{}}, podSelector: {{matchLabels: {{app: agent}}}}}}]\n    ports: [{{port: 80}}]\n  - from: [{{ipBlock: {{cidr: 192.168.0.0/24}}}}]\n    ports: [{{port: 9100}}]\n"
        ),
    ]
    .concat();
    let a = analyse(&yaml);
    assert_eq!(a.conns("v/normal", "x/db").to_string(), "TCP 80");
    assert_eq!(a.conns("v/host", "x/db").to_string(), "TCP 9100");
}

/// Concept page, "The two sorts of pod isolation": "When a pod is isolated
/// for ingress, the only allowed connections into the pod are those from
/// the pod's node and those allowed by the ingress list of some
/// NetworkPolicy". A host-network pod is its node's traffic: it reaches an
/// isolated pod on its own node whatever the policies say, and not one on
/// another node. connlist (the fast path), the readable spec (explain) and
/// each pod's verdict agree.
#[test]
fn traffic_from_the_pods_node_is_always_allowed_into_it() {
    let on = |name: &str, node: &str, extra: &str| {
        format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: x, labels: {{app: {name}}}}}\nspec:\n  nodeName: {node}\n{extra}  containers: [{{name: c, image: busybox, ports: [{{containerPort: 80}}]}}]\n"
        )
    };
    let yaml = [
        on("agent", "n1", "  hostNetwork: true\n"),
        on("near", "n1", ""),
        on("far", "n2", ""),
        format!("{NP}metadata: {{name: deny, namespace: x}}\nspec:\n  podSelector: {{}}\n"),
    ]
    .concat();
    let a = analyse(&yaml);
    assert!(a.conns("x/agent", "x/near").is_all());
    assert!(a.conns("x/agent", "x/far").is_empty());
    assert!(a.conns("x/near", "x/far").is_empty());
    let pod = |name: &str| {
        let w = a.workload(&format!("x/{name}"));
        Endpoint::Pod(a.cluster.workload(w).pods[0])
    };
    let near = evaluate(&a.cluster, pod("agent"), pod("near"));
    assert!(near.ingress.from_own_node && near.conns.is_all());
    let far = evaluate(&a.cluster, pod("agent"), pod("far"));
    assert!(!far.ingress.from_own_node && far.conns.is_empty());
}

/// Concept page, "NetworkPolicy and `hostNetwork` pods", the other option
/// the docs allow ([`HostNetworkMode::Pod`], `--host-network=pod`): "The
/// network plugin can distinguish hostNetwork pod traffic from all other
/// traffic ..., and will apply NetworkPolicy to hostNetwork pods just like
/// it does to pod-network pods." Selectors select them by their labels, as subjects and peers,
/// and their traffic gets no node exemption.
#[test]
fn hostnetwork_pods_are_selected_like_pods_with_host_network_pod() {
    let on = |name: &str, node: &str, extra: &str| {
        format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: x, labels: {{app: {name}}}}}\nspec:\n  nodeName: {node}\n{extra}  containers: [{{name: c, image: busybox, ports: [{{containerPort: 80}}]}}]\n"
        )
    };
    let yaml = [
        on("agent", "n1", "  hostNetwork: true\n"),
        on("near", "n1", ""),
        on("client", "n2", ""),
        format!("{NP}metadata: {{name: deny, namespace: x}}\nspec:\n  podSelector: {{}}\n"),
        format!(
            "{NP}metadata: {{name: agent, namespace: x}}\nspec:\n  podSelector: {{matchLabels: {{app: agent}}}}\n  ingress: [{{from: [{{podSelector: {{matchLabels: {{app: client}}}}}}]}}]\n"
        ),
    ]
    .concat();
    let mut a = analyse(&yaml);
    assert!(a.conns("x/agent", "x/near").is_all());
    assert!(a.conns("x/client", "x/agent").is_all());
    a.cluster.host_network_mode = HostNetworkMode::Pod;
    a.list = connlist(&Engine::new(&a.cluster));
    assert!(a.conns("x/agent", "x/near").is_empty(), "no node exemption");
    assert!(a.conns("x/client", "x/agent").is_all(), "selected as peer");
    assert!(
        a.conns("x/near", "x/agent").is_empty(),
        "selected as subject"
    );
}

// ---------------------------------------------------------------------------
// 13. Workloads
// ---------------------------------------------------------------------------

/// Workload resources (Deployment, StatefulSet, DaemonSet, Job, CronJob,
/// ReplicaSet, ReplicationController) make pods from their templates, whose
/// labels policies select; bare Pods are workloads of kind Pod.
#[test]
fn workload_resources_make_pods_from_their_templates() {
    let yaml = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: deploy, namespace: w}
spec:
  replicas: 2
  selector: {matchLabels: {app: deploy}}
  template:
    metadata: {labels: {app: deploy, tier: w}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: sts, namespace: w}
spec:
  serviceName: sts
  replicas: 3
  selector: {matchLabels: {app: sts}}
  template:
    metadata: {labels: {app: sts, tier: w}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds, namespace: w}
spec:
  selector: {matchLabels: {app: ds}}
  template:
    metadata: {labels: {app: ds, tier: w}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: job, namespace: w}
spec:
  template:
    metadata: {labels: {app: job, tier: w}}
    spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cron, namespace: w}
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: cron, tier: w}}
        spec: {restartPolicy: OnFailure, containers: [{name: c, image: busybox}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs, namespace: w}
spec:
  replicas: 1
  selector: {matchLabels: {app: rs}}
  template:
    metadata: {labels: {app: rs, tier: w}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: rc, namespace: w}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: rc, tier: w}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: bare, namespace: w, labels: {app: bare, tier: w}}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: c}
spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: tier-w, namespace: w}
spec:
  podSelector: {matchLabels: {tier: w}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: c}}}]
    ports: [{port: 8080}]
"#;
    let a = analyse(yaml);
    assert_eq!(
        a.workloads(),
        [
            "c/Pod/client x1",
            "w/Pod/bare x1",
            "w/CronJob/cron x1",
            "w/Deployment/deploy x2",
            "w/DaemonSet/ds x1",
            "w/Job/job x1",
            "w/ReplicationController/rc x2",
            "w/ReplicaSet/rs x1",
            "w/StatefulSet/sts x3",
        ]
    );
    for w in ["bare", "cron", "deploy", "ds", "job", "rc", "rs", "sts"] {
        let name = format!("w/{w}");
        assert_eq!(a.conns("c/client", &name).to_string(), "TCP 8080", "{w}");
        assert!(a.conns(&name, "c/client").is_all(), "{w}");
        assert!(a.addr_to("8.8.8.8", &name).is_empty(), "{w}");
    }
    // Policies select pods in their namespace: w's pods do not admit each
    // other.
    assert!(a.conns("w/deploy", "w/sts").is_empty());
}

/// Owners and dependents (concept page "Owners and Dependents"): live Pods
/// are reported as their top owner, Pod → ReplicaSet → Deployment and Pod →
/// Job → CronJob; an owner present in the input is listed once, its live
/// pods replacing its template pods.
#[test]
fn owners_and_dependents_pods_are_reported_as_their_top_owner() {
    let yaml = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-5d8fb
  namespace: shop
  labels: {app: web, pod-template-hash: 5d8fb}
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u1, controller: true}]
spec:
  replicas: 2
  selector: {matchLabels: {app: web, pod-template-hash: 5d8fb}}
  template:
    metadata: {labels: {app: web, pod-template-hash: 5d8fb}}
    spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-5d8fb-aaaaa
  namespace: shop
  labels: {app: web, pod-template-hash: 5d8fb}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d8fb, uid: u2, controller: true}]
spec: {containers: [{name: web, image: nginx}]}
status: {phase: Running, podIP: 10.244.0.10}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-5d8fb-bbbbb
  namespace: shop
  labels: {app: web, pod-template-hash: 5d8fb}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d8fb, uid: u2, controller: true}]
spec: {containers: [{name: web, image: nginx}]}
status: {phase: Running, podIP: 10.244.0.11}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup, namespace: shop}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: backup}}
        spec: {restartPolicy: OnFailure, containers: [{name: b, image: busybox}]}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: backup-28900
  namespace: shop
  ownerReferences: [{apiVersion: batch/v1, kind: CronJob, name: backup, uid: u3, controller: true}]
spec:
  template:
    metadata: {labels: {app: backup}}
    spec: {restartPolicy: OnFailure, containers: [{name: b, image: busybox}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: backup-28900-q7xkz
  namespace: shop
  labels: {app: backup, job-name: backup-28900, batch.kubernetes.io/job-name: backup-28900}
  ownerReferences: [{apiVersion: batch/v1, kind: Job, name: backup-28900, uid: u4, controller: true}]
spec: {restartPolicy: OnFailure, containers: [{name: b, image: busybox}]}
status: {phase: Running, podIP: 10.244.0.20}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {matchLabels: {job-name: backup-28900}}}]
    ports: [{port: 443}]
"#;
    let a = analyse(yaml);
    assert_eq!(
        a.workloads(),
        ["shop/CronJob/backup x1", "shop/Deployment/web x2"]
    );
    assert_eq!(a.conns("shop/backup", "shop/web").to_string(), "TCP 443");
    assert!(a.conns("shop/web", "shop/backup").is_all());
    let pods: Vec<String> = a
        .cluster
        .workload(a.workload("shop/web"))
        .pods
        .iter()
        .map(|&p| a.cluster.pod_name(p))
        .collect();
    assert_eq!(pods, ["shop/web-5d8fb-aaaaa", "shop/web-5d8fb-bbbbb"]);
    // Listed once: exactly one row from backup to web.
    assert_eq!(
        a.render()
            .iter()
            .filter(|r| r.starts_with("shop/backup -> shop/web"))
            .count(),
        1
    );
}

/// API reference, JobSpec.selector: "Normally, the system sets this field
/// for you" (manualSelector: "When false or unset, the system pick labels
/// unique to this job and appends those labels to the pod template"). A Job
/// as `kubectl get -o yaml` prints it carries that generated selector and
/// must be read, so that Pod → Job → CronJob resolves from a live dump.
#[test]
fn jobspec_selector_set_by_the_system_is_accepted() {
    let yaml = r#"
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup, namespace: shop, uid: 11111111-aaaa-bbbb-cccc-000000000001}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: backup}}
        spec: {restartPolicy: OnFailure, containers: [{name: b, image: busybox}]}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: backup-28900
  namespace: shop
  uid: 22222222-aaaa-bbbb-cccc-000000000002
  labels:
    batch.kubernetes.io/controller-uid: 22222222-aaaa-bbbb-cccc-000000000002
    batch.kubernetes.io/job-name: backup-28900
    controller-uid: 22222222-aaaa-bbbb-cccc-000000000002
    job-name: backup-28900
  ownerReferences: [{apiVersion: batch/v1, kind: CronJob, name: backup, uid: 11111111-aaaa-bbbb-cccc-000000000001, controller: true}]
spec:
  backoffLimit: 6
  completions: 1
  parallelism: 1
  selector:
    matchLabels: {batch.kubernetes.io/controller-uid: 22222222-aaaa-bbbb-cccc-000000000002}
  template:
    metadata:
      labels:
        app: backup
        batch.kubernetes.io/controller-uid: 22222222-aaaa-bbbb-cccc-000000000002
        batch.kubernetes.io/job-name: backup-28900
        controller-uid: 22222222-aaaa-bbbb-cccc-000000000002
        job-name: backup-28900
    spec: {restartPolicy: OnFailure, containers: [{name: b, image: busybox}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: backup-28900-q7xkz
  namespace: shop
  labels:
    app: backup
    batch.kubernetes.io/controller-uid: 22222222-aaaa-bbbb-cccc-000000000002
    batch.kubernetes.io/job-name: backup-28900
    controller-uid: 22222222-aaaa-bbbb-cccc-000000000002
    job-name: backup-28900
  ownerReferences: [{apiVersion: batch/v1, kind: Job, name: backup-28900, uid: 22222222-aaaa-bbbb-cccc-000000000002, controller: true}]
spec: {restartPolicy: OnFailure, containers: [{name: b, image: busybox}]}
status: {phase: Running, podIP: 10.244.0.20}
"#;
    let a = analyse(yaml);
    assert_eq!(a.workloads(), ["shop/CronJob/backup x1"]);
}

/// Deployments concept page, "Pod-template-hash label": the Deployment
/// controller names ReplicaSets `<deployment>-<pod-template-hash>`, so a Pod
/// owned by a ReplicaSet missing from the input is reported as that
/// Deployment; an owner name that does not end in the hash stays a
/// ReplicaSet.
#[test]
fn pod_template_hash_pod_of_missing_replicaset_is_its_deployment() {
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata:
  name: api-7c9f8b6d4-x2x9p
  namespace: shop
  labels: {app: api, pod-template-hash: 7c9f8b6d4}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: api-7c9f8b6d4, uid: u1, controller: true}]
spec: {containers: [{name: api, image: api}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: odd-abcde
  namespace: shop
  labels: {app: odd, pod-template-hash: 7c9f8b6d4}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: odd, uid: u2, controller: true}]
spec: {containers: [{name: odd, image: odd}]}
"#;
    let a = analyse(yaml);
    assert_eq!(
        a.workloads(),
        ["shop/Deployment/api x1", "shop/ReplicaSet/odd x1"]
    );
    assert!(a.conns("shop/api", "shop/odd").is_all());
}

/// Deployment `spec.replicas: 0` runs no pod: nothing can connect to or
/// from it, so the connlist has no row for it.
#[test]
fn deploymentspec_replicas_zero_has_no_connections() {
    let yaml = [
        pod("x", "client", "app: client"),
        r#"---
apiVersion: apps/v1
kind: Deployment
metadata: {name: idle, namespace: x}
spec:
  replicas: 0
  selector: {matchLabels: {app: idle}}
  template:
    metadata: {labels: {app: idle}}
    spec: {containers: [{name: c, image: nginx}]}
"#
        .to_owned(),
    ]
    .concat();
    let a = analyse(&yaml);
    assert_eq!(a.workloads(), ["x/Pod/client x1", "x/Deployment/idle x0"]);
    assert!(a.conns("x/client", "x/idle").is_empty());
    assert!(
        a.render().iter().all(|r| !r.contains("x/idle")),
        "{:#?}",
        a.render()
    );
    assert!(!a.render().is_empty());
}

/// StatefulSet concept page, "Pod Name Label": "the StatefulSet controller
/// ... adds a label, statefulset.kubernetes.io/pod-name, that is set to the
/// name of the Pod", so a policy can target one replica.
#[test]
fn statefulset_pod_name_label_selects_one_replica() {
    let yaml = r#"
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  serviceName: db
  replicas: 3
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: pg, image: postgres}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: data}
spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: primary, namespace: data}
spec:
  podSelector: {matchLabels: {statefulset.kubernetes.io/pod-name: db-0}}
  policyTypes: [Ingress]
"#;
    let a = analyse(yaml);
    assert!(a.pod_conns("data/client", "data/db-0").is_empty());
    assert!(a.pod_conns("data/client", "data/db-1").is_all());
    assert!(a.pod_conns("data/client", "data/db-2").is_all());
    // The workload is the union of its pods.
    assert!(a.conns("data/client", "data/db").is_all());
    // Pod-name labels differ per pod by design: no split warning.
    assert!(!a.warned("different label sets"), "{:#?}", a.warnings);
}

/// Job concept page ("job-name" / "batch.kubernetes.io/job-name" labels set
/// on the Job's pods): policies can select a Job's pods by its name.
#[test]
fn job_pods_get_job_name_labels() {
    let yaml = r#"
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: data}
spec:
  template:
    spec: {restartPolicy: Never, containers: [{name: m, image: migrate}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: report, namespace: data}
spec:
  template:
    spec: {restartPolicy: Never, containers: [{name: r, image: report}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: data, labels: {app: db}}
spec: {containers: [{name: pg, image: postgres}]}
---
apiVersion: v1
kind: Pod
metadata: {name: cache, namespace: data, labels: {app: cache}}
spec: {containers: [{name: redis, image: redis}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: data}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {job-name: migrate}}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: cache, namespace: data}
spec:
  podSelector: {matchLabels: {app: cache}}
  ingress:
  - from: [{podSelector: {matchLabels: {batch.kubernetes.io/job-name: report}}}]
"#;
    let a = analyse(yaml);
    assert!(a.conns("data/migrate", "data/db").is_all());
    assert!(a.conns("data/report", "data/db").is_empty());
    assert!(a.conns("data/report", "data/cache").is_all());
    assert!(a.conns("data/migrate", "data/cache").is_empty());
}

/// Pod Lifecycle concept page, "Pod phase": Succeeded and Failed pods have
/// terminated and take part in no traffic.
#[test]
fn pod_phase_succeeded_and_failed_pods_are_ignored() {
    let with_phase = |name: &str, phase: &str| {
        format!("{}status: {{phase: {phase}}}\n", pod("x", name, "app: x"))
    };
    let yaml = [
        with_phase("done", "Succeeded"),
        with_phase("crashed", "Failed"),
        with_phase("running", "Running"),
        with_phase("starting", "Pending"),
    ]
    .concat();
    let a = analyse(&yaml);
    assert_eq!(a.workloads(), ["x/Pod/running x1", "x/Pod/starting x1"]);
    assert!(a.conns("x/running", "x/starting").is_all());
    assert!(
        a.render()
            .iter()
            .all(|r| !r.contains("done") && !r.contains("crashed"))
    );
}

/// podnet's documented choice (connlist module docs): pods of one workload
/// with different labels (a rollout in progress) are reported as one, with
/// the union of their connections, and a warning.
#[test]
fn pods_of_one_workload_with_different_labels_warn_and_union() {
    let rs_pod = |name: &str, version: &str| {
        format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: x\n  labels: {{app: web, version: {version}}}\n  ownerReferences: [{{apiVersion: apps/v1, kind: ReplicaSet, name: web-abc12, uid: u1, controller: true}}]\nspec: {{containers: [{{name: c, image: web}}]}}\n"
        )
    };
    let yaml = [
        rs_pod("web-abc12-aaaaa", "v1"),
        rs_pod("web-abc12-bbbbb", "v2"),
        pod("x", "db", "app: db"),
        format!(
            "{NP}metadata: {{name: db, namespace: x}}\nspec:\n  podSelector: {{matchLabels: {{app: db}}}}\n  ingress:\n  - from: [{{podSelector: {{matchLabels: {{version: v1}}}}}}]\n    ports: [{{port: 80}}]\n  - from: [{{podSelector: {{matchLabels: {{version: v2}}}}}}]\n    ports: [{{port: 443}}]\n"
        ),
    ]
    .concat();
    let a = analyse(&yaml);
    assert!(a.warned("different label sets"), "{:#?}", a.warnings);
    assert_eq!(a.workloads(), ["x/Pod/db x1", "x/ReplicaSet/web-abc12 x2"]);
    assert_eq!(a.conns("x/web-abc12", "x/db").to_string(), "TCP 80,443");
    assert_eq!(
        a.pod_conns("x/web-abc12-aaaaa", "x/db").to_string(),
        "TCP 80"
    );
    assert_eq!(
        a.pod_conns("x/web-abc12-bbbbb", "x/db").to_string(),
        "TCP 443"
    );
}

// ---------------------------------------------------------------------------
// 14. Input shapes
// ---------------------------------------------------------------------------

/// The scenario of the input-shape tests: x/db admits only x/web on TCP 80.
fn check_web_db(a: &Analysis) {
    assert_eq!(a.conns("x/web", "x/db").to_string(), "TCP 80");
    assert!(a.conns("x/other", "x/db").is_empty());
    assert!(a.conns("x/db", "x/web").is_all());
}

/// `kubectl get -o yaml` prints `kind: List` with full objects as items.
#[test]
fn kubectl_list_items_are_read() {
    let yaml = r#"
apiVersion: v1
kind: List
metadata: {resourceVersion: ""}
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: web, namespace: x, labels: {app: web}}
  spec: {containers: [{name: c, image: web}]}
- apiVersion: v1
  kind: Pod
  metadata: {name: other, namespace: x, labels: {app: other}}
  spec: {containers: [{name: c, image: other}]}
- apiVersion: v1
  kind: Pod
  metadata: {name: db, namespace: x, labels: {app: db}}
  spec: {containers: [{name: c, image: db}]}
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: db, namespace: x}
  spec:
    podSelector: {matchLabels: {app: db}}
    ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 80}]}]
"#;
    check_web_db(&analyse(yaml));
}

/// Typed lists (`PodList`, `NetworkPolicyList`, as the API returns them)
/// whose items omit `kind` and `apiVersion`.
#[test]
fn typed_lists_items_without_kind_are_read() {
    let yaml = r#"
apiVersion: v1
kind: PodList
items:
- metadata: {name: web, namespace: x, labels: {app: web}}
  spec: {containers: [{name: c, image: web}]}
- metadata: {name: other, namespace: x, labels: {app: other}}
  spec: {containers: [{name: c, image: other}]}
- metadata: {name: db, namespace: x, labels: {app: db}}
  spec: {containers: [{name: c, image: db}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicyList
items:
- metadata: {name: db, namespace: x}
  spec:
    podSelector: {matchLabels: {app: db}}
    ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 80}]}]
"#;
    check_web_db(&analyse(yaml));
}

/// Multi-document YAML streams (`---`), including empty documents and
/// comments, and several files read together.
#[test]
fn multi_document_yaml_and_several_files() {
    let pods = [
        "# pods\n".to_owned(),
        pod("x", "web", "app: web"),
        "---\n# nothing here\n".to_owned(),
        pod("x", "other", "app: other"),
        pod("x", "db", "app: db"),
    ]
    .concat();
    let policy = r#"---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: x}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from:
    - podSelector: {matchLabels: {app: web}}
    ports:
    - port: 80
...
"#;
    check_web_db(&analyse(&format!("{pods}{policy}")));
    check_web_db(&analyse_files(&[("pods.yaml", &pods), ("np.yml", policy)]));
}

/// JSON input (kubectl reads JSON as well as YAML): a `List` in JSON.
#[test]
fn json_input_is_read() {
    let json = r#"{
  "apiVersion": "v1",
  "kind": "List",
  "items": [
    {"apiVersion": "v1", "kind": "Pod",
     "metadata": {"name": "web", "namespace": "x", "labels": {"app": "web"}},
     "spec": {"containers": [{"name": "c", "image": "web"}]}},
    {"apiVersion": "v1", "kind": "Pod",
     "metadata": {"name": "other", "namespace": "x", "labels": {"app": "other"}},
     "spec": {"containers": [{"name": "c", "image": "other"}]}},
    {"apiVersion": "v1", "kind": "Pod",
     "metadata": {"name": "db", "namespace": "x", "labels": {"app": "db"}},
     "spec": {"containers": [{"name": "c", "image": "db"}]}},
    {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
     "metadata": {"name": "db", "namespace": "x"},
     "spec": {"podSelector": {"matchLabels": {"app": "db"}},
              "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}],
                           "ports": [{"port": 80, "protocol": "TCP"}]}]}}
  ]
}"#;
    check_web_db(&analyse_files(&[("all.json", json)]));
}

// ---------------------------------------------------------------------------
// 15. Connlist shape
// ---------------------------------------------------------------------------

/// podnet's connlist contract (connlist module docs): a workload's
/// connections to itself are omitted, even with several pods.
#[test]
fn connlist_omits_self_connections() {
    let yaml = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: x}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: web}]}
"#;
    let a = analyse(yaml);
    assert!(a.conns("x/web", "x/web").is_empty());
    // Its pods may reach each other (no policy), but that is not listed.
    let p = &a.cluster.workload(a.workload("x/web")).pods;
    assert!(
        evaluate(&a.cluster, Endpoint::Pod(p[0]), Endpoint::Pod(p[1]))
            .conns
            .is_all()
    );
    assert_eq!(
        a.render(),
        [
            "x/web -> 0.0.0.0/0, ::/0: All Connections",
            "0.0.0.0/0, ::/0 -> x/web: All Connections",
        ]
    );
}

/// podnet's connlist contract: rows sorted by source then destination,
/// workloads (in namespace/name order, whatever the input order) before
/// outside ranges.
#[test]
fn connlist_is_sorted_workloads_by_namespace_and_name_then_external() {
    let yaml = [
        pod("b", "z", "app: z"),
        pod("a", "w", "app: w"),
        pod("b", "a", "app: a"),
        pod("a", "x", "app: x"),
    ]
    .concat();
    let a = analyse(&yaml);
    let all = "0.0.0.0/0, ::/0";
    let names = ["a/w", "a/x", "b/a", "b/z"];
    let mut expected = Vec::new();
    for s in names {
        for d in names {
            if s != d {
                expected.push(format!("{s} -> {d}: All Connections"));
            }
        }
        expected.push(format!("{s} -> {all}: All Connections"));
    }
    for d in names {
        expected.push(format!("{all} -> {d}: All Connections"));
    }
    assert_eq!(a.render(), expected);
    // resolve finds the same workloads by name.
    for n in names {
        assert_eq!(resolve(&a.cluster, n), Ok(Target::Workload(a.workload(n))));
    }
}
