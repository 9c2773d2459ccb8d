//! Policy hygiene checks (PN20xx): each one triggered and each one quiet
//! on a correct setup. Test names cite the section of the NetworkPolicy
//! concept page (<https://kubernetes.io/docs/concepts/services-networking/network-policies/>)
//! or the API reference type the rule rests on.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::with_code;
use podnet_audit::Severity;
use podnet_report::audit::Worded as Finding;

/// A Deployment with one replica.
fn deploy(ns: &str, name: &str, labels: &str, ports: &str) -> String {
    format!(
        r#"apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {ns}}}
spec:
  replicas: 1
  selector: {{matchLabels: {labels}}}
  template:
    metadata: {{labels: {labels}}}
    spec:
      containers: [{{name: c, image: x, ports: {ports}}}]
---
"#
    )
}

/// shop/web, shop/api, data/postgresql, and their namespaces.
fn world() -> String {
    [
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n".to_owned(),
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: data, labels: {team: data}}\n---\n"
            .to_owned(),
        deploy(
            "shop",
            "web",
            "{app: web}",
            "[{name: http, containerPort: 8080}]",
        ),
        deploy(
            "shop",
            "api",
            "{app: api}",
            "[{name: http, containerPort: 8000}]",
        ),
        deploy(
            "data",
            "postgresql",
            "{app: postgresql}",
            "[{name: postgres, containerPort: 5432}]",
        ),
    ]
    .concat()
}

/// The cluster DNS as kubeadm deploys it.
fn cluster_dns() -> String {
    [
        deploy(
            "kube-system",
            "coredns",
            "{k8s-app: kube-dns}",
            "[{name: dns, containerPort: 53, protocol: UDP}, {name: dns-tcp, containerPort: 53, protocol: TCP}]",
        ),
        r#"apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system}
spec:
  selector: {k8s-app: kube-dns}
  ports: [{name: dns, port: 53, protocol: UDP}, {name: dns-tcp, port: 53, protocol: TCP}]
---
"#
        .to_owned(),
    ]
    .concat()
}

fn policy(ns: &str, name: &str, spec: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n{spec}---\n"
    )
}

fn check(world: &str, code: &str) -> Vec<Finding> {
    with_code(world, code)
}

fn subjects(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(|f| f.subject.display()).collect()
}

// ------------------------------------------------------------------ PN2001

// "The NetworkPolicy resource": spec.podSelector selects the grouping of
// pods to which the policy applies; one that selects none applies to none.
#[test]
fn pn2001_networkpolicy_resource_podselector_selecting_no_pod() {
    let yaml = world()
        + &policy(
            "shop",
            "web-in",
            "  podSelector: {matchLabels: {app: webb}}\n  policyTypes: [Ingress]\n",
        );
    let f = check(&yaml, "PN2001");
    assert_eq!(subjects(&f), ["NetworkPolicy shop/web-in"]);
    assert_eq!(f[0].severity, Severity::Warning);
    assert!(f[0].message.contains("`app=webb`"), "{}", f[0].message);
    assert_eq!(f[0].help, "did you mean `app: web`?");
    let source = f[0].subject.source.as_ref().expect("provenance");
    assert_eq!(&*source.file, "t.yaml");
    assert!(source.line.is_some());
}

#[test]
fn pn2001_quiet_when_the_podselector_selects_pods() {
    let yaml = world()
        + &policy(
            "shop",
            "web-in",
            "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress]\n",
        )
        + &policy(
            "data",
            "deny",
            "  podSelector: {}\n  policyTypes: [Ingress]\n",
        );
    assert!(check(&yaml, "PN2001").is_empty());
}

// AdminNetworkPolicy `subject`: the pods the policy applies to.
#[test]
fn pn2001_adminnetworkpolicy_subject_selecting_no_pod() {
    let anp = |labels: &str| {
        format!(
            r#"apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {{name: guard}}
spec:
  priority: 10
  subject:
    namespaces: {{matchLabels: {labels}}}
  ingress:
  - {{name: deny-all, action: Deny, from: [{{namespaces: {{}}}}]}}
---
"#
        )
    };
    let f = check(&(world() + &anp("{team: dta}")), "PN2001");
    assert_eq!(subjects(&f), ["AdminNetworkPolicy guard"]);
    assert!(check(&(world() + &anp("{team: data}")), "PN2001").is_empty());
}

// ------------------------------------------------------------------ PN2002

fn api_egress_to(peer: &str) -> String {
    policy(
        "shop",
        "api-out",
        &format!(
            "  podSelector: {{matchLabels: {{app: api}}}}\n  policyTypes: [Egress]\n  egress:\n  - to:\n{peer}    ports: [{{port: 5432}}]\n"
        ),
    )
}

// "Behavior of to and from selectors": namespaceSelector and podSelector
// in one element select the pods with those labels in those namespaces; a
// value typo selects none.
#[test]
fn pn2002_behavior_of_to_and_from_selectors_pod_label_typo_suggests_the_closest_label() {
    let yaml = world()
        + &api_egress_to(
            "    - namespaceSelector: {matchLabels: {team: data}}\n      podSelector: {matchLabels: {app: postgres}}\n",
        );
    let f = check(&yaml, "PN2002");
    assert_eq!(subjects(&f), ["NetworkPolicy shop/api-out"]);
    assert!(
        f[0].message.contains(
            "spec.egress[0].to[0]: podSelector `app=postgres` matches no pod in namespace `data`"
        ),
        "{}",
        f[0].message
    );
    assert_eq!(f[0].help, "did you mean `app: postgresql`?");
    assert!(f[0].subject.source.as_ref().unwrap().line.is_some());
}

#[test]
fn pn2002_behavior_of_to_and_from_selectors_namespace_typo_suggests_the_closest_namespace() {
    let yaml = world()
        + &api_egress_to(
            "    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: dtaa}}\n      podSelector: {matchLabels: {app: postgresql}}\n",
        );
    let f = check(&yaml, "PN2002");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message.contains("namespaceSelector"),
        "{}",
        f[0].message
    );
    assert_eq!(
        f[0].help,
        "did you mean `kubernetes.io/metadata.name: data`?"
    );
}

// The correct peer, and the cluster DNS in kube-system (which the input
// does not declare, as is common) are both quiet.
#[test]
fn pn2002_quiet_on_matching_peers_and_on_undeclared_system_namespaces() {
    let yaml = world()
        + &api_egress_to(
            "    - namespaceSelector: {matchLabels: {team: data}}\n      podSelector: {matchLabels: {app: postgresql}}\n    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}\n      podSelector: {matchLabels: {k8s-app: kube-dns}}\n",
        );
    assert!(check(&yaml, "PN2002").is_empty());
}

// ------------------------------------------------------------------ PN2003

// "The two sorts of pod isolation": policies are additive; a rule whose
// peers and ports another rule for the same pods already allows adds
// nothing.
#[test]
fn pn2003_two_sorts_of_pod_isolation_policies_are_additive_so_a_covered_rule_is_shadowed() {
    let yaml = world()
        + &policy(
            "shop",
            "api-from-web",
            "  podSelector: {matchLabels: {app: api}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: web}}}]\n    ports: [{port: 8000}]\n",
        )
        + &policy(
            "shop",
            "api-from-shop",
            "  podSelector: {matchLabels: {app: api}}\n  ingress:\n  - from: [{podSelector: {}}]\n    ports: [{port: 8000, endPort: 8100}]\n",
        );
    let f = check(&yaml, "PN2003");
    assert_eq!(subjects(&f), ["NetworkPolicy shop/api-from-web"]);
    assert_eq!(f[0].severity, Severity::Info);
    assert!(
        f[0].message
            .contains("spec.ingress[0] allows nothing beyond what other rules for the same pods allow: NetworkPolicy shop/api-from-shop spec.ingress[0]"),
        "{}",
        f[0].message
    );
}

// Of two identical rules only the later is reported: removing both would
// change what is allowed.
#[test]
fn pn2003_of_two_identical_rules_only_the_later_is_shadowed() {
    let rule = "  - from: [{podSelector: {matchLabels: {app: web}}}]\n    ports: [{port: http}]\n";
    let yaml = world()
        + &policy(
            "shop",
            "api-in",
            &format!("  podSelector: {{matchLabels: {{app: api}}}}\n  ingress:\n{rule}{rule}"),
        );
    let f = check(&yaml, "PN2003");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message.starts_with("spec.ingress[1]"),
        "{}",
        f[0].message
    );
}

#[test]
fn pn2003_quiet_when_each_rule_adds_something() {
    let yaml = world()
        + &policy(
            "shop",
            "api-in",
            "  podSelector: {matchLabels: {app: api}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: web}}}]\n    ports: [{port: 8000}]\n  - from: [{podSelector: {}}]\n    ports: [{port: 9000}]\n  - from: [{namespaceSelector: {matchLabels: {team: data}}}]\n",
        );
    assert!(check(&yaml, "PN2003").is_empty());
}

// ------------------------------------------------------------------ PN2004

// NetworkPolicyPort `port`: "a named port on a pod", resolved on the
// destination: the selected pods for ingress.
#[test]
fn pn2004_networkpolicyport_named_port_no_selected_pod_defines() {
    let yaml = world()
        + &policy(
            "shop",
            "api-in",
            "  podSelector: {matchLabels: {app: api}}\n  ingress:\n  - ports: [{port: metrics}, {port: http, protocol: UDP}]\n",
        );
    let f = check(&yaml, "PN2004");
    let messages: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(messages.contains(
        &"spec.ingress[0].ports[0]: named port `metrics` (TCP): no pod the policy selects defines it"
    ));
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("spec.ingress[0].ports[1]")
                && m.contains("the protocol must match too"))
    );
}

// ... and the peer pods for egress.
#[test]
fn pn2004_networkpolicyport_named_port_no_egress_peer_defines() {
    let yaml = world()
        + &policy(
            "shop",
            "api-out",
            "  podSelector: {matchLabels: {app: api}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{namespaceSelector: {matchLabels: {team: data}}}]\n    ports: [{port: pg}]\n",
        );
    let f = check(&yaml, "PN2004");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(f[0].message.contains("no peer pod of the rule defines it"));
}

#[test]
fn pn2004_quiet_when_the_destination_defines_the_named_port() {
    let yaml = world()
        + &policy(
            "shop",
            "api",
            "  podSelector: {matchLabels: {app: api}}\n  policyTypes: [Ingress, Egress]\n  ingress:\n  - ports: [{port: http}]\n  egress:\n  - to: [{namespaceSelector: {matchLabels: {team: data}}}]\n    ports: [{port: postgres}]\n",
        );
    assert!(check(&yaml, "PN2004").is_empty());
}

// ------------------------------------------------------------------ PN2005

const DENY_EGRESS: &str = "  podSelector: {}\n  policyTypes: [Egress]\n";

fn allow_dns(ports: &str) -> String {
    policy(
        "shop",
        "allow-dns",
        &format!(
            "  podSelector: {{}}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: kube-system}}}}\n      podSelector: {{matchLabels: {{k8s-app: kube-dns}}}}\n    ports: {ports}\n"
        ),
    )
}

// "Default deny all egress traffic" isolates every pod of the namespace for
// egress, queries to the cluster DNS included (docs "DNS for Services and
// Pods": ClusterFirst pods resolve through kube-system/kube-dns).
#[test]
fn pn2005_default_deny_all_egress_traffic_cuts_pods_off_the_cluster_dns() {
    let yaml = world() + &cluster_dns() + &policy("shop", "deny-egress", DENY_EGRESS);
    let f = check(&yaml, "PN2005");
    assert_eq!(subjects(&f), ["Deployment shop/api", "Deployment shop/web"]);
    assert!(f.iter().all(|f| f.severity == Severity::Error));
    assert!(
        f[0].message
            .contains("(by shop/deny-egress) and cannot reach the cluster DNS (Service kube-system/kube-dns) on UDP 53 nor TCP 53"),
        "{}",
        f[0].message
    );
}

// Only UDP 53 allowed: names resolve, answers too large for UDP do not.
#[test]
fn pn2005_default_deny_all_egress_traffic_with_udp_only_misses_tcp_53() {
    let yaml = world()
        + &cluster_dns()
        + &policy("shop", "deny-egress", DENY_EGRESS)
        + &allow_dns("[{protocol: UDP, port: 53}]");
    let f = check(&yaml, "PN2005");
    assert_eq!(f.len(), 2, "{f:#?}");
    assert!(f.iter().all(|f| f.severity == Severity::Warning));
    assert!(
        f[0].message
            .ends_with("on TCP 53: answers too large for UDP fail")
    );
}

#[test]
fn pn2005_quiet_with_egress_to_kube_dns_on_udp_and_tcp_53() {
    let yaml = world()
        + &cluster_dns()
        + &policy("shop", "deny-egress", DENY_EGRESS)
        + &allow_dns("[{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]");
    assert!(check(&yaml, "PN2005").is_empty());
}

// Without the DNS pods in the input, the rules are matched against the
// pod every cluster runs (kube-system, k8s-app=kube-dns).
#[test]
fn pn2005_default_deny_all_egress_traffic_without_dns_pods_in_the_input() {
    let denied = world() + &policy("shop", "deny-egress", DENY_EGRESS);
    let f = check(&denied, "PN2005");
    assert_eq!(f.len(), 2, "{f:#?}");
    assert!(f[0].message.contains("not in the input"));
    let allowed = denied + &allow_dns("[{protocol: UDP, port: dns}, {protocol: TCP, port: 53}]");
    assert!(check(&allowed, "PN2005").is_empty());
}

// ------------------------------------------------------------------ PN2006

// IPBlock `cidr`: 0.0.0.0/0 with a few private excepts is still every
// address on the internet.
#[test]
fn pn2006_ipblock_of_0_0_0_0_slash_0_admits_the_whole_internet() {
    let yaml = world()
        + &policy(
            "shop",
            "web-public",
            "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress, Egress]\n  ingress:\n  - from: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]\n    ports: [{port: 8080}]\n  egress:\n  - to: [{ipBlock: {cidr: '::/0'}}]\n",
        );
    let f = check(&yaml, "PN2006");
    assert_eq!(f.len(), 2, "{f:#?}");
    let ingress = f
        .iter()
        .find(|f| f.message.starts_with("spec.ingress"))
        .unwrap();
    assert_eq!(ingress.severity, Severity::Warning);
    assert_eq!(
        ingress.message,
        "spec.ingress[0] admits 0.0.0.0/0 except 10.0.0.0/8 to Deployment shop/web on TCP 8080"
    );
    let egress = f
        .iter()
        .find(|f| f.message.starts_with("spec.egress"))
        .unwrap();
    assert_eq!(egress.severity, Severity::Info);
}

#[test]
fn pn2006_quiet_on_a_narrow_ipblock() {
    let yaml = world()
        + &policy(
            "shop",
            "web-partner",
            "  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{ipBlock: {cidr: 203.0.113.0/24}}]\n",
        );
    assert!(check(&yaml, "PN2006").is_empty());
}

// ------------------------------------------------------------------ PN2007

// "The NetworkPolicy resource", policyTypes: only the listed directions
// are isolated; rules of the others are ignored.
#[test]
fn pn2007_networkpolicy_resource_policytypes_without_egress_ignores_egress_rules() {
    let yaml = world()
        + &policy(
            "shop",
            "api",
            "  podSelector: {matchLabels: {app: api}}\n  policyTypes: [Ingress]\n  egress:\n  - to: [{podSelector: {}}]\n",
        );
    let f = check(&yaml, "PN2007");
    assert_eq!(subjects(&f), ["NetworkPolicy shop/api"]);
    assert_eq!(
        f[0].message,
        "1 egress rule is ignored: policyTypes does not list Egress"
    );
}

// Without policyTypes, Egress is inferred from the egress rules.
#[test]
fn pn2007_quiet_when_policytypes_is_inferred() {
    let yaml = world()
        + &policy(
            "shop",
            "api",
            "  podSelector: {matchLabels: {app: api}}\n  egress:\n  - to: [{podSelector: {}}]\n",
        );
    assert!(check(&yaml, "PN2007").is_empty());
}
