//! The cluster-scoped policy tiers checked end to end, from real manifests:
//! AdminNetworkPolicy and BaselineAdminNetworkPolicy
//! (`policy.networking.k8s.io/v1alpha1`) and ClusterNetworkPolicy
//! (`policy.networking.k8s.io/v1alpha2`), layered over NetworkPolicy.
//!
//! Like `semantics_from_manifests`, each test loads a small inline manifest
//! through `podnet-manifest` and asserts what must be allowed and what must
//! be denied. Every answer is taken from both paths: the readable spec
//! (`semantics::evaluate`) and the fast path (`Engine::pair`,
//! `external_ingress`/`external_egress`, and the workload connlist), which
//! must agree. Each test cites the upstream API text (the Go types of
//! kubernetes-sigs/network-policy-api: `apis/v1alpha1/*_types.go`,
//! `apis/v1alpha2/clusternetworkpolicy_types.go`) it pins.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::IpAddr;

use podnet_engine::semantics::evaluate;
use podnet_engine::{Endpoint, Engine, PeerRef, Target, connlist, explain};
use podnet_manifest::{LoadOptions, SourceFile, load_files};
use podnet_model::{AdminAction, Cluster, Conns, PodId, PortSet, Protocol, Tier};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// A loaded cluster.
struct Analysis {
    cluster: Cluster,
}

/// Loads one YAML file, asserting it has no error diagnostics.
fn analyse(yaml: &str) -> Analysis {
    let sources = [SourceFile {
        name: "t.yaml".into(),
        text: yaml.into(),
    }];
    let loaded = load_files(&sources, Vec::new(), LoadOptions::default());
    let all: Vec<String> = loaded.diagnostics.iter().map(ToString::to_string).collect();
    assert!(!loaded.has_errors(), "unexpected errors: {all:#?}");
    assert!(!loaded.stopped);
    Analysis {
        cluster: loaded.cluster,
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn tcp(port: u16) -> Conns {
    Conns::ports_of(Protocol::Tcp, PortSet::single(port))
}

fn udp(port: u16) -> Conns {
    Conns::ports_of(Protocol::Udp, PortSet::single(port))
}

/// Everything but `c`.
fn all_but(c: &Conns) -> Conns {
    Conns::all().difference(c)
}

impl Analysis {
    /// The pod called `ns/name`.
    fn pod(&self, name: &str) -> PodId {
        self.cluster
            .pod_ids()
            .find(|&p| self.cluster.pod_name(p) == name)
            .unwrap_or_else(|| panic!("no pod `{name}`"))
    }

    /// What pod `from` may open to pod `to` (`ns/name`): the spec, checked
    /// against the fast path's identity pair and the workload connlist (the
    /// test pods are bare Pods, one workload each).
    fn conns(&self, from: &str, to: &str) -> Conns {
        let (s, d) = (self.pod(from), self.pod(to));
        let spec = evaluate(&self.cluster, Endpoint::Pod(s), Endpoint::Pod(d)).conns;
        let engine = Engine::new(&self.cluster);
        let fast = engine.pair(engine.identity_of(s), engine.identity_of(d));
        assert_eq!(spec, fast, "spec and fast path disagree on {from} -> {to}");
        let (ws, wd) = (self.cluster.pod(s).workload, self.cluster.pod(d).workload);
        let listed = connlist(&engine)
            .connections
            .into_iter()
            .find(|c| c.src == PeerRef::Workload(ws) && c.dst == PeerRef::Workload(wd))
            .map_or_else(Conns::none, |c| c.conns);
        assert_eq!(spec, listed, "spec and connlist disagree on {from} -> {to}");
        spec
    }

    /// What pod `from` may open to the outside address `addr`.
    fn to_addr(&self, from: &str, addr: &str) -> Conns {
        let (p, a) = (self.pod(from), ip(addr));
        let spec = evaluate(&self.cluster, Endpoint::Pod(p), Endpoint::External(a)).conns;
        let engine = Engine::new(&self.cluster);
        let fast = external(&engine, engine.external_egress(engine.identity_of(p)), a);
        assert_eq!(
            spec, fast,
            "spec and fast path disagree on {from} -> {addr}"
        );
        spec
    }

    /// What the outside address `addr` may open to pod `to`.
    fn addr_to(&self, addr: &str, to: &str) -> Conns {
        let (p, a) = (self.pod(to), ip(addr));
        let spec = evaluate(&self.cluster, Endpoint::External(a), Endpoint::Pod(p)).conns;
        let engine = Engine::new(&self.cluster);
        let fast = external(&engine, engine.external_ingress(engine.identity_of(p)), a);
        assert_eq!(spec, fast, "spec and fast path disagree on {addr} -> {to}");
        spec
    }

    /// `kind/name` of an admin policy by index.
    fn policy(&self, i: usize) -> String {
        let p = &self.cluster.admin_policies[i];
        format!("{}/{}", p.api.short(), p.meta.name)
    }
}

fn external(
    engine: &Engine<'_>,
    groups: podnet_engine::matrix::ExternalGroups,
    a: IpAddr,
) -> Conns {
    let atom = engine.atoms().atom_of(a);
    groups
        .into_iter()
        .find(|(atoms, _)| atoms.contains(atom))
        .map_or_else(Conns::none, |(_, c)| c)
}

/// A running bare Pod; `labels` is a YAML flow mapping body.
fn pod(ns: &str, name: &str, labels: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels: {{{labels}}}\nspec:\n  containers: [{{name: c, image: busybox}}]\n"
    )
}

/// Like [`pod`], with `status.podIP`.
fn pod_ip(ns: &str, name: &str, labels: &str, addr: &str) -> String {
    format!(
        "{}status:\n  phase: Running\n  podIP: \"{addr}\"\n  podIPs: [{{ip: \"{addr}\"}}]\n",
        pod(ns, name, labels)
    )
}

/// A Pod whose container has `ports` (a YAML flow sequence body).
fn pod_ports(ns: &str, name: &str, labels: &str, ports: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels: {{{labels}}}\nspec:\n  containers: [{{name: c, image: busybox, ports: [{ports}]}}]\n"
    )
}

/// A host-network Pod on `node` with the node's address.
fn host_pod(ns: &str, name: &str, labels: &str, node: &str, addr: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels: {{{labels}}}\nspec:\n  hostNetwork: true\n  nodeName: {node}\n  containers: [{{name: c, image: busybox}}]\nstatus:\n  phase: Running\n  hostIP: \"{addr}\"\n  podIP: \"{addr}\"\n  podIPs: [{{ip: \"{addr}\"}}]\n"
    )
}

/// A Namespace with labels.
fn namespace(name: &str, labels: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n  labels: {{{labels}}}\n"
    )
}

const NP: &str = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n";
const ANP: &str = "---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\n";
const BANP: &str =
    "---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\n";
const CNP: &str =
    "---\napiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\n";

/// A client namespace `c` (pods `c/web`, `c/other`) and a server `x/db`.
fn world() -> String {
    [
        namespace("c", "team: clients"),
        namespace("x", "team: data"),
        pod("c", "web", "app: web"),
        pod("c", "other", "app: other"),
        pod("x", "db", "app: db"),
    ]
    .concat()
}

/// A NetworkPolicy in `x` selecting `db` for ingress, allowing `c/web`.
fn np_db_from_web() -> String {
    format!(
        r#"{NP}metadata: {{name: db, namespace: x}}
spec:
  podSelector: {{matchLabels: {{app: db}}}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {{matchLabels: {{team: clients}}}}
      podSelector: {{matchLabels: {{app: web}}}}
"#
    )
}

/// A NetworkPolicy denying all ingress in `x`.
fn np_deny_all_ingress() -> String {
    format!(
        "{NP}metadata: {{name: deny, namespace: x}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress]\n"
    )
}

// ---------------------------------------------------------------------------
// Actions over NetworkPolicy
// ---------------------------------------------------------------------------

/// v1alpha1 `AdminNetworkPolicyRuleActionDeny`: "matching traffic will be
/// denied before being checked against NetworkPolicy or
/// BaselineAdminNetworkPolicy rules. Pods will never receive traffic which
/// has been matched by a "Deny" rule in an AdminNetworkPolicy." The
/// NetworkPolicy allowing `web` still decides the ports the Deny rule does
/// not match.
#[test]
fn admin_deny_overrides_a_networkpolicy_allow() {
    let yaml = [
        world(),
        np_db_from_web(),
        format!(
            r#"{ANP}metadata: {{name: no-db-port}}
spec:
  priority: 10
  subject:
    namespaces: {{matchLabels: {{team: data}}}}
  ingress:
  - name: deny-5432
    action: Deny
    from:
    - namespaces: {{matchLabels: {{team: clients}}}}
    ports:
    - portNumber: {{protocol: TCP, port: 5432}}
"#
        ),
    ]
    .concat();
    let a = analyse(&yaml);
    assert_eq!(a.conns("c/web", "x/db"), all_but(&tcp(5432)));
    assert!(
        a.conns("c/other", "x/db").is_empty(),
        "NetworkPolicy still denies"
    );
}

/// v1alpha1 `AdminNetworkPolicyRuleActionAllow`: "matching traffic will be
/// allowed regardless of NetworkPolicy and BaselineAdminNetworkPolicy
/// rules"; the rule's Allow action: "allows the selected traffic (even if
/// it would otherwise have been denied by NetworkPolicy)".
#[test]
fn admin_allow_overrides_a_networkpolicy_default_deny() {
    let yaml = [
        world(),
        namespace("mon", "team: monitoring"),
        pod("mon", "prom", "app: prom"),
        np_deny_all_ingress(),
        format!(
            r#"{ANP}metadata: {{name: allow-monitoring}}
spec:
  priority: 10
  subject:
    namespaces: {{}}
  ingress:
  - action: Allow
    from:
    - namespaces: {{matchLabels: {{team: monitoring}}}}
    ports:
    - portNumber: {{protocol: TCP, port: 9090}}
"#
        ),
    ]
    .concat();
    let a = analyse(&yaml);
    assert_eq!(a.conns("mon/prom", "x/db"), tcp(9090));
    assert!(a.conns("c/web", "x/db").is_empty());
    // Pods no NetworkPolicy isolates are untouched.
    assert!(a.conns("mon/prom", "c/web").is_all());
}

/// v1alpha2 Accept: "Accepts the selected traffic, allowing it into the
/// destination. No further ClusterNetworkPolicy or NetworkPolicy rules will
/// be processed." `protocols` entries are or-ed: a UDP port and a
/// `destinationNamedPort` (the destination's container port of that name).
#[test]
fn admin_cnp_accept_overrides_networkpolicy_on_its_protocols() {
    let yaml = [
        world(),
        pod_ports("x", "api", "app: api", "{name: http, containerPort: 8080}"),
        np_deny_all_ingress(),
        format!(
            r#"{CNP}metadata: {{name: accept-clients}}
spec:
  tier: Admin
  priority: 4
  subject: {{namespaces: {{matchLabels: {{team: data}}}}}}
  ingress:
  - action: Accept
    from: [{{namespaces: {{matchLabels: {{team: clients}}}}}}]
    protocols:
    - udp: {{destinationPort: {{number: 53}}}}
    - destinationNamedPort: http
"#
        ),
    ]
    .concat();
    let a = analyse(&yaml);
    assert_eq!(a.conns("c/web", "x/db"), udp(53));
    assert_eq!(a.conns("c/web", "x/api"), udp(53).union(&tcp(8080)));
}

/// Each tier decides one direction of one pod: an Admin Allow on `db`'s
/// ingress ("allows the selected traffic (even if it would otherwise have
/// been denied by NetworkPolicy)") says nothing of the client's egress,
/// which its own NetworkPolicy still denies (NetworkPolicy concept page:
/// "both the egress policy on the source pod and the ingress policy on the
/// destination pod need to allow the connection").
#[test]
fn admin_allow_decides_only_its_own_direction() {
    let yaml = [
        world(),
        format!(
            "{NP}metadata: {{name: no-egress, namespace: c}}\nspec:\n  podSelector: {{matchLabels: {{app: web}}}}\n  policyTypes: [Egress]\n"
        ),
        np_deny_all_ingress(),
        format!(
            r#"{ANP}metadata: {{name: allow-clients}}
spec:
  priority: 4
  subject: {{namespaces: {{matchLabels: {{team: data}}}}}}
  ingress:
  - action: Allow
    from: [{{namespaces: {{matchLabels: {{team: clients}}}}}}]
"#
        ),
    ]
    .concat();
    let a = analyse(&yaml);
    assert!(a.conns("c/web", "x/db").is_empty());
    assert!(a.conns("c/other", "x/db").is_all());
}

/// v1alpha1 Pass: "instructs the selected traffic to skip any remaining ANP
/// rules, and then pass execution to any NetworkPolicies that select the
/// pod." The lower-precedence Deny is skipped and the NetworkPolicy
/// (isolating `db`) decides: `web` allowed, `other` denied.
#[test]
fn pass_hands_the_decision_to_networkpolicy() {
    let yaml = [
        world(),
        np_db_from_web(),
        format!(
            r#"{ANP}metadata: {{name: delegate}}
spec:
  priority: 1
  subject:
    namespaces: {{matchLabels: {{team: data}}}}
  ingress:
  - action: Pass
    from:
    - namespaces: {{matchLabels: {{team: clients}}}}
{ANP}metadata: {{name: deny-all}}
spec:
  priority: 2
  subject:
    namespaces: {{}}
  ingress:
  - action: Deny
    from:
    - namespaces: {{}}
"#
        ),
    ]
    .concat();
    let a = analyse(&yaml);
    assert!(a.conns("c/web", "x/db").is_all());
    assert!(a.conns("c/other", "x/db").is_empty());
    // Where no Pass precedes it, the Deny decides: nothing reaches `c/web`.
    assert!(a.conns("x/db", "c/web").is_empty());
}

/// v1alpha1 Pass: "If the pod is not selected by any NetworkPolicies then
/// execution is passed to any BaselineAdminNetworkPolicies that select the
/// pod." A pod no NetworkPolicy selects: the Pass hands the flow to the
/// BANP, whose Deny decides; the explanation's `tiers` records the Pass
/// rule, then the BANP rule.
#[test]
fn pass_then_baseline_deny_for_a_pod_no_networkpolicy_selects() {
    let yaml = [
        world(),
        format!(
            r#"{ANP}metadata: {{name: delegate}}
spec:
  priority: 1
  subject:
    namespaces: {{matchLabels: {{team: data}}}}
  ingress:
  - name: pass-clients
    action: Pass
    from:
    - namespaces: {{matchLabels: {{team: clients}}}}
{BANP}metadata: {{name: default}}
spec:
  subject:
    namespaces: {{matchLabels: {{team: data}}}}
  ingress:
  - name: allow-web
    action: Allow
    from:
    - pods:
        namespaceSelector: {{}}
        podSelector: {{matchLabels: {{app: web}}}}
  - name: deny-rest
    action: Deny
    from:
    - namespaces: {{}}
"#
        ),
    ]
    .concat();
    let a = analyse(&yaml);
    assert!(a.conns("c/other", "x/db").is_empty());
    assert!(a.conns("c/web", "x/db").is_all());

    let engine = Engine::new(&a.cluster);
    let e = explain(
        &engine,
        &Target::Pod(a.pod("c/other")),
        &Target::Pod(a.pod("x/db")),
    );
    assert_eq!(e.cases.len(), 1);
    assert!(e.conns.is_empty());
    let tiers = e.cases[0]
        .verdict
        .ingress
        .tiers
        .as_ref()
        .expect("tiers apply");
    assert!(!tiers.np_applies);
    let admin: Vec<_> = tiers
        .admin
        .iter()
        .map(|r| (a.policy(r.policy), r.rule, r.action, r.conns.is_all()))
        .collect();
    assert_eq!(
        admin,
        [("ANP/delegate".to_owned(), 0, AdminAction::Pass, true)]
    );
    assert!(tiers.np_scope.is_all());
    let baseline: Vec<_> = tiers
        .baseline
        .iter()
        .map(|r| (a.policy(r.policy), r.rule, r.action, r.conns.is_all()))
        .collect();
    assert_eq!(
        baseline,
        [("BANP/default".to_owned(), 1, AdminAction::Deny, true)]
    );
    assert!(tiers.default.is_empty());
    assert_eq!(
        a.cluster.admin_policies[tiers.baseline[0].policy].tier,
        Tier::Baseline
    );
}

// ---------------------------------------------------------------------------
// Precedence
// ---------------------------------------------------------------------------

/// v1alpha1 `priority`: "Rules with lower priority values have higher
/// precedence, and are checked before rules with higher priority values"
/// — whatever the input order.
#[test]
fn anp_lower_priority_value_goes_first() {
    let policies = |allow: u32, deny: u32| {
        [
            world(),
            np_deny_all_ingress(),
            format!(
                r#"{ANP}metadata: {{name: allow}}
spec:
  priority: {allow}
  subject: {{namespaces: {{}}}}
  ingress:
  - action: Allow
    from: [{{namespaces: {{matchLabels: {{team: clients}}}}}}]
{ANP}metadata: {{name: deny}}
spec:
  priority: {deny}
  subject: {{namespaces: {{}}}}
  ingress:
  - action: Deny
    from: [{{namespaces: {{matchLabels: {{team: clients}}}}}}]
    ports: [{{portNumber: {{protocol: TCP, port: 80}}}}]
"#
            ),
        ]
        .concat()
    };
    // The Deny (priority 10) precedes the Allow (20) listed before it.
    let a = analyse(&policies(20, 10));
    assert_eq!(a.conns("c/web", "x/db"), all_but(&tcp(80)));
    // The Allow (10) now precedes the Deny (20): everything allowed.
    let a = analyse(&policies(10, 20));
    assert!(a.conns("c/web", "x/db").is_all());
}

/// v1alpha1 `priority`: "The relative precedence of the rules within a
/// single ANP object (all of which share the priority) will be determined
/// by the order in which the rule is written. Thus, a rule that appears at
/// the top of the ingress/egress rules would take the highest precedence."
#[test]
fn anp_rules_apply_in_written_order() {
    let rules = |first: &str, second: &str| {
        [
            world(),
            format!(
                r#"{ANP}metadata: {{name: ordered}}
spec:
  priority: 5
  subject: {{namespaces: {{matchLabels: {{team: data}}}}}}
  ingress:
{first}{second}"#
            ),
        ]
        .concat()
    };
    let deny80 = "  - action: Deny\n    from: [{namespaces: {}}]\n    ports: [{portNumber: {protocol: TCP, port: 80}}]\n";
    let allow_all = "  - action: Allow\n    from: [{namespaces: {}}]\n";
    let a = analyse(&rules(deny80, allow_all));
    assert_eq!(a.conns("c/web", "x/db"), all_but(&tcp(80)));
    let a = analyse(&rules(allow_all, deny80));
    assert!(a.conns("c/web", "x/db").is_all());
}

/// v1alpha1 `priority`: "The behavior is undefined if two ANP objects have
/// same priority" (v1alpha2: "the implementation can apply any of the
/// matching policies"). podnet's documented choice (`tiers` module doc):
/// equal priorities go in input order, the first object listed first.
#[test]
fn equal_priorities_go_in_input_order() {
    let allow = format!(
        "{ANP}metadata: {{name: allow}}\nspec:\n  priority: 7\n  subject: {{namespaces: {{}}}}\n  ingress:\n  - action: Allow\n    from: [{{namespaces: {{}}}}]\n"
    );
    let deny = format!(
        "{ANP}metadata: {{name: deny}}\nspec:\n  priority: 7\n  subject: {{namespaces: {{}}}}\n  ingress:\n  - action: Deny\n    from: [{{namespaces: {{}}}}]\n"
    );
    let a = analyse(&[world(), allow.clone(), deny.clone()].concat());
    assert!(a.conns("c/web", "x/db").is_all());
    let a = analyse(&[world(), deny, allow].concat());
    assert!(a.conns("c/web", "x/db").is_empty());
}

/// v1alpha2 `tier`: "Policy tiers are evaluated in the following order:
/// Admin tier, NetworkPolicy tier, Baseline tier" and `priority` orders
/// policies "within its tier": an Admin ClusterNetworkPolicy and an
/// AdminNetworkPolicy in one input share the Admin tier, by priority.
#[test]
fn admin_cnp_and_anp_are_ordered_by_priority_together() {
    let yaml = |cnp_priority: u32| {
        [
            world(),
            np_deny_all_ingress(),
            format!(
                r#"{ANP}metadata: {{name: allow-clients}}
spec:
  priority: 10
  subject: {{namespaces: {{}}}}
  ingress:
  - action: Allow
    from: [{{namespaces: {{matchLabels: {{team: clients}}}}}}]
{CNP}metadata: {{name: no-http}}
spec:
  tier: Admin
  priority: {cnp_priority}
  subject: {{namespaces: {{}}}}
  ingress:
  - action: Deny
    from: [{{namespaces: {{}}}}]
    protocols:
    - tcp: {{destinationPort: {{number: 80}}}}
"#
            ),
        ]
        .concat()
    };
    let a = analyse(&yaml(5));
    assert_eq!(a.conns("c/web", "x/db"), all_but(&tcp(80)));
    let a = analyse(&yaml(15));
    assert!(a.conns("c/web", "x/db").is_all());
}

/// v1alpha2 Pass: "Skips all further ClusterNetworkPolicy rules in the
/// current tier for the selected traffic, and passes evaluation to the
/// next tier"; after the Baseline tier, "If a given connection wasn't
/// allowed or denied by any of the tiers, the default kubernetes policy is
/// applied, which says that all pods can communicate with each other."
#[test]
fn baseline_cnp_pass_means_allowed_by_default() {
    let yaml = [
        world(),
        format!(
            r#"{CNP}metadata: {{name: skip-web}}
spec:
  tier: Baseline
  priority: 0
  subject: {{namespaces: {{matchLabels: {{team: data}}}}}}
  ingress:
  - action: Pass
    from:
    - pods: {{namespaceSelector: {{}}, podSelector: {{matchLabels: {{app: web}}}}}}
{CNP}metadata: {{name: deny-all}}
spec:
  tier: Baseline
  priority: 1
  subject: {{namespaces: {{matchLabels: {{team: data}}}}}}
  ingress:
  - action: Deny
    from: [{{namespaces: {{}}}}]
"#
        ),
    ]
    .concat();
    let a = analyse(&yaml);
    assert!(a.conns("c/web", "x/db").is_all());
    assert!(a.conns("c/other", "x/db").is_empty());
}

/// v1alpha2 `tier`: "v1.NetworkPolicy always makes a final decision for
/// selected pods. Further evaluation only happens for Pods not selected by
/// a v1.NetworkPolicy"; BANP `ingress`/`egress`: "rules to be applied to
/// the selected pods if they are not matched by any AdminNetworkPolicy or
/// NetworkPolicy rules". Selection is per direction, as NetworkPolicy
/// isolation is: `db` is isolated for ingress only, so the BANP decides its
/// egress but not its ingress.
#[test]
fn banp_applies_only_where_no_networkpolicy_selects_the_pod() {
    let yaml = [
        world(),
        pod("x", "cache", "app: cache"),
        np_db_from_web(),
        format!(
            r#"{BANP}metadata: {{name: default}}
spec:
  subject: {{namespaces: {{matchLabels: {{team: data}}}}}}
  ingress:
  - action: Deny
    from: [{{namespaces: {{}}}}]
  egress:
  - action: Deny
    to: [{{namespaces: {{}}}}]
"#
        ),
    ]
    .concat();
    let a = analyse(&yaml);
    // db's ingress: the NetworkPolicy decides (web allowed, other denied).
    assert!(a.conns("c/web", "x/db").is_all());
    assert!(a.conns("c/other", "x/db").is_empty());
    // cache: no NetworkPolicy, the BANP denies.
    assert!(a.conns("c/web", "x/cache").is_empty());
    // db's egress: no NetworkPolicy for Egress, the BANP denies.
    assert!(a.conns("x/db", "c/web").is_empty());
    // Pods the BANP does not select are untouched.
    assert!(a.conns("c/web", "c/other").is_all());
}

// ---------------------------------------------------------------------------
// Peers
// ---------------------------------------------------------------------------

/// v1alpha1/v1alpha2 egress peer `networks`: "This is intended for
/// representing entities that live outside the cluster ... but note that
/// cluster-internal traffic will be checked against the rule as well. So if
/// you Accept or Deny traffic to "0.0.0.0/0", that will allow or deny all
/// IPv4 pod-to-pod traffic as well."
#[test]
fn egress_networks_match_outside_addresses_and_pods_inside() {
    let yaml = [
        world(),
        pod_ip("x", "inside", "app: in", "10.244.1.5"),
        pod_ip("x", "outside", "app: out", "10.244.2.5"),
        format!(
            r#"{ANP}metadata: {{name: no-subnet}}
spec:
  priority: 3
  subject: {{namespaces: {{matchLabels: {{team: clients}}}}}}
  egress:
  - action: Deny
    to:
    - networks: [10.244.1.0/24]
"#
        ),
    ]
    .concat();
    let a = analyse(&yaml);
    assert!(a.to_addr("c/web", "10.244.1.200").is_empty());
    assert!(a.to_addr("c/web", "10.244.0.255").is_all());
    assert!(a.to_addr("c/web", "8.8.8.8").is_all());
    assert!(a.conns("c/web", "x/inside").is_empty());
    assert!(a.conns("c/web", "x/outside").is_all());
    // A pod without a known address cannot be matched by address.
    assert!(a.conns("c/web", "x/db").is_all());
    // Egress only: traffic into `c` is not the rule's.
    assert!(a.addr_to("10.244.1.200", "c/web").is_all());
}

/// The same `networks` text goes on: "If you don't want that, add a rule
/// that Passes all pod traffic before the Networks rule." With the Pass
/// first, pods inside `0.0.0.0/0` are left to NetworkPolicy (none here:
/// allowed), outside addresses are denied.
#[test]
fn pass_pod_traffic_before_a_networks_deny() {
    let yaml = [
        world(),
        pod_ip("x", "inside", "app: in", "10.244.1.5"),
        format!(
            r#"{ANP}metadata: {{name: egress-lockdown}}
spec:
  priority: 3
  subject: {{namespaces: {{matchLabels: {{team: clients}}}}}}
  egress:
  - action: Pass
    to: [{{namespaces: {{}}}}]
  - action: Deny
    to:
    - networks: [0.0.0.0/0]
"#
        ),
    ]
    .concat();
    let a = analyse(&yaml);
    assert!(a.conns("c/web", "x/inside").is_all());
    assert!(a.to_addr("c/web", "10.244.1.200").is_empty());
    assert!(a.to_addr("c/web", "8.8.8.8").is_empty());
    // IPv6 is outside `0.0.0.0/0`.
    assert!(a.to_addr("c/web", "2001:db8::1").is_all());
}

/// v1alpha1/v1alpha2 egress peer `nodes`: "It selects the nodeIPs as the
/// peer type by matching on the IPs present in the node.Status.Addresses
/// field of the node." Both InternalIP and ExternalIP addresses of the
/// selected nodes match, and so does a host-network pod on such an address.
#[test]
fn egress_nodes_match_the_selected_nodes_addresses() {
    let node = |name: &str, labels: &str, internal: &str, external: &str| {
        format!(
            "---\napiVersion: v1\nkind: Node\nmetadata:\n  name: {name}\n  labels: {{{labels}}}\nstatus:\n  addresses:\n  - {{type: InternalIP, address: \"{internal}\"}}\n  - {{type: ExternalIP, address: \"{external}\"}}\n  - {{type: Hostname, address: {name}}}\n"
        )
    };
    let yaml = [
        world(),
        node(
            "cp1",
            "node-role.kubernetes.io/control-plane: \"\"",
            "192.168.10.1",
            "203.0.113.10",
        ),
        node("w1", "node-role.kubernetes.io/worker: \"\"", "192.168.10.2", "203.0.113.11"),
        host_pod("kube-system", "apiserver", "component: kube-apiserver", "cp1", "192.168.10.1"),
        format!(
            r#"{ANP}metadata: {{name: no-control-plane}}
spec:
  priority: 3
  subject: {{namespaces: {{matchLabels: {{team: clients}}}}}}
  egress:
  - action: Deny
    to:
    - nodes: {{matchExpressions: [{{key: node-role.kubernetes.io/control-plane, operator: Exists}}]}}
    ports:
    - portNumber: {{protocol: TCP, port: 6443}}
"#
        ),
    ]
    .concat();
    let a = analyse(&yaml);
    assert_eq!(a.cluster.nodes.len(), 2, "the engine reads `cluster.nodes`");
    assert_eq!(a.to_addr("c/web", "192.168.10.1"), all_but(&tcp(6443)));
    assert_eq!(a.to_addr("c/web", "203.0.113.10"), all_but(&tcp(6443)));
    assert!(a.to_addr("c/web", "192.168.10.2").is_all());
    assert!(a.to_addr("c/web", "203.0.113.11").is_all());
    assert_eq!(
        a.conns("c/web", "kube-system/apiserver"),
        all_but(&tcp(6443))
    );
    assert!(a.conns("c/web", "x/db").is_all());
}

/// Subject and peers: "Note that host-networked pods are not included in
/// subject selection" (v1alpha2 `ClusterNetworkPolicySubject`) and "Note
/// that host-networked pods are not included in this type of peer"
/// (`namespaces` and `pods` peers).
#[test]
fn host_network_pods_are_never_subjects_nor_selector_peers() {
    let yaml = [
        world(),
        host_pod("x", "agent", "app: agent", "n1", "192.168.10.7"),
        format!(
            r#"{ANP}metadata: {{name: lockdown}}
spec:
  priority: 1
  subject: {{namespaces: {{}}}}
  ingress:
  - action: Deny
    from: [{{namespaces: {{}}}}]
"#
        ),
    ]
    .concat();
    let a = analyse(&yaml);
    // Pod-network pods deny each other.
    assert!(a.conns("c/web", "x/db").is_empty());
    // The host-network pod is not a subject: its ingress is untouched.
    assert!(a.conns("c/web", "x/agent").is_all());
    // Nor a `namespaces` peer: its traffic to a subject is not the rule's.
    assert!(a.conns("x/agent", "x/db").is_all());
}

// ---------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------

/// v1alpha1 `AdminNetworkPolicyPort.namedPort`: "NamedPort selects a port
/// on a pod(s) based on name" — it has no protocol, so it matches the
/// destination's container ports of that name whatever their protocol.
#[test]
fn anp_named_port_matches_any_protocol() {
    let yaml = [
        world(),
        pod_ports(
            "x",
            "dns",
            "app: dns",
            "{name: dns, containerPort: 53, protocol: UDP}",
        ),
        pod_ports("x", "mdns", "app: mdns", "{name: dns, containerPort: 5353}"),
        format!(
            r#"{ANP}metadata: {{name: no-dns}}
spec:
  priority: 3
  subject: {{namespaces: {{matchLabels: {{team: data}}}}}}
  ingress:
  - action: Deny
    from: [{{namespaces: {{}}}}]
    ports:
    - namedPort: dns
"#
        ),
    ]
    .concat();
    let a = analyse(&yaml);
    assert_eq!(a.conns("c/web", "x/dns"), all_but(&udp(53)));
    assert_eq!(a.conns("c/web", "x/mdns"), all_but(&tcp(5353)));
    // A pod without the name: nothing matched.
    assert!(a.conns("c/web", "x/db").is_all());
}

/// v1alpha1 `PortRange`: "an inclusive range of ports from the assigned
/// Start value to End value", its protocol "If not specified, this field
/// defaults to TCP."
#[test]
fn anp_port_range_is_inclusive_and_defaults_to_tcp() {
    let yaml = [
        world(),
        format!(
            r#"{ANP}metadata: {{name: no-range}}
spec:
  priority: 3
  subject: {{namespaces: {{matchLabels: {{team: data}}}}}}
  ingress:
  - action: Deny
    from: [{{namespaces: {{}}}}]
    ports:
    - portRange: {{start: 8000, end: 8080}}
"#
        ),
    ]
    .concat();
    let a = analyse(&yaml);
    let c = a.conns("c/web", "x/db");
    assert_eq!(
        c,
        all_but(&Conns::ports_of(Protocol::Tcp, PortSet::range(8000, 8080)))
    );
    assert!(!c.allows(Protocol::Tcp, 8000) && !c.allows(Protocol::Tcp, 8080));
    assert!(c.allows(Protocol::Tcp, 7999) && c.allows(Protocol::Tcp, 8081));
    assert!(c.allows(Protocol::Udp, 8000));
}
