//! `--lenient` ([`LoadOptions::lenient`]): a document that breaks only one
//! of the API rules [`Lenient`] names is kept, with a warning naming the
//! rule; by default it is skipped with an error, as the API server rejects
//! it. Every row cites the validation it sets aside.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is a test failure

use podnet_manifest::validate::Lenient;
use podnet_manifest::{LoadOptions, Loaded, Severity, SourceFile, load_files};
use podnet_model::Cluster;

fn load(text: &str, lenient: bool) -> Loaded {
    let files = [SourceFile {
        name: "in.yaml".into(),
        text: text.into(),
    }];
    load_files(
        &files,
        Vec::new(),
        LoadOptions {
            strict: false,
            lenient,
        },
    )
}

/// One rule set aside: the document, the rule, the path of the problem,
/// and what the kept object must look like.
struct Row {
    /// The API validation it breaks (file and function upstream).
    cites: &'static str,
    rule: Lenient,
    yaml: &'static str,
    path: &'static str,
    kept: fn(&Cluster) -> bool,
}

const ROWS: &[Row] = &[
    Row {
        cites: "k8s.io/kubernetes pkg/apis/core/validation ValidatePodName = NameIsDNSSubdomain",
        rule: Lenient::NameSyntax,
        yaml: "apiVersion: v1\nkind: Pod\nmetadata: {name: web_1, namespace: shop}\nspec: {containers: [{name: c, image: i}]}\n",
        path: "metadata.name",
        kept: |c| c.pods.iter().any(|p| p.name == "web_1"),
    },
    Row {
        cites: "apimachinery ValidateObjectMeta: metadata.namespace must be a DNS-1123 label (ValidateNamespaceName)",
        rule: Lenient::NameSyntax,
        yaml: "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: Shop}\nspec: {containers: [{name: c, image: i}]}\n",
        path: "metadata.namespace",
        kept: |c| c.namespaces.iter().any(|n| n.name == "Shop"),
    },
    Row {
        cites: "k8s.io/kubernetes pkg/apis/networking/validation ValidateNetworkPolicyName = NameIsDNSSubdomain",
        rule: Lenient::NameSyntax,
        yaml: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny_all, namespace: shop}\nspec: {podSelector: {}}\n",
        path: "metadata.name",
        kept: |c| c.policies.iter().any(|p| p.meta.name == "deny_all"),
    },
    Row {
        cites: "k8s.io/kubernetes pkg/apis/core/validation ValidateServiceName = NameIsDNS1035Label",
        rule: Lenient::NameSyntax,
        yaml: "apiVersion: v1\nkind: Service\nmetadata: {name: 1web, namespace: shop}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n",
        path: "metadata.name",
        kept: |c| c.services.iter().any(|s| s.meta.name == "1web"),
    },
    Row {
        cites: "k8s.io/kubernetes pkg/apis/core/validation validateServicePort: \"name\" Required when len(spec.ports) > 1",
        rule: Lenient::ServicePortName,
        yaml: "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {selector: {app: web}, ports: [{name: http, port: 80}, {port: 443}]}\n",
        path: "spec.ports[1].name",
        kept: |c| {
            c.services.iter().any(|s| {
                s.ports
                    .iter()
                    .map(|p| (p.port, p.name.is_some()))
                    .collect::<Vec<_>>()
                    == [(80, true), (443, false)]
            })
        },
    },
    Row {
        cites: "k8s.io/kubernetes pkg/apis/core/validation validateContainerPorts: containerPort must be in 1..65535 (absent decodes as 0)",
        rule: Lenient::ContainerPortZero,
        yaml: "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec: {containers: [{name: c, image: i, ports: [{name: udps, protocol: UDP}, {containerPort: 80}]}]}\n",
        path: "spec.containers[0].ports[0].containerPort",
        kept: |c| {
            c.pods.iter().any(|p| {
                let ports = &c.port_tables[p.ports.index()];
                ports.len() == 1 && ports[0].port == 80
            })
        },
    },
    Row {
        cites: "kubernetes-sigs/network-policy-api apis/v1alpha1/shared_types.go NamespacedPod (0eec1b0, lines 38-46): podSelector has no omitempty, so the CRD requires it",
        rule: Lenient::AdminSelectorRequired,
        yaml: "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: a}\nspec:\n  priority: 1\n  subject: {namespaces: {}}\n  ingress: [{name: r, action: Deny, from: [{pods: {namespaceSelector: {matchLabels: {team: x}}}}]}]\n",
        path: "spec.ingress[0].from[0].pods.podSelector",
        kept: |c| c.admin_policies.len() == 1,
    },
    Row {
        cites: "kubernetes-sigs/network-policy-api apis/v1alpha1/shared_types.go NamespacedPod (0eec1b0, lines 38-46): namespaceSelector has no omitempty, so the CRD requires it",
        rule: Lenient::AdminSelectorRequired,
        yaml: "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec:\n  subject: {pods: {podSelector: {}}}\n  egress: [{name: r, action: Deny, to: [{namespaces: {}}]}]\n",
        path: "spec.subject.pods.namespaceSelector",
        kept: |c| c.admin_policies.len() == 1,
    },
];

fn path_of(d: &podnet_manifest::Diagnostic) -> String {
    d.location
        .as_ref()
        .and_then(|l| l.path.as_ref())
        .map(ToString::to_string)
        .unwrap_or_default()
}

#[test]
fn each_rule_skips_by_default_and_is_kept_with_a_warning_under_lenient() {
    for row in ROWS {
        let strict = load(row.yaml, false);
        assert!(strict.has_errors(), "{}", row.cites);
        assert_eq!(strict.stats.skipped, 1, "{}: skipped by default", row.cites);
        assert_eq!(strict.stats.kept, 0, "{}", row.cites);
        assert!(
            !(row.kept)(&strict.cluster),
            "{}: not in the cluster by default",
            row.cites
        );
        let errors: Vec<String> = strict
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(path_of)
            .collect();
        assert_eq!(errors, [row.path], "{}", row.cites);

        let lenient = load(row.yaml, true);
        assert!(lenient.has_errors(), "{}: exit status stays 2", row.cites);
        assert_eq!(lenient.stats.skipped, 0, "{}", row.cites);
        assert_eq!(lenient.stats.kept, 1, "{}", row.cites);
        assert!((row.kept)(&lenient.cluster), "{}: kept", row.cites);
        assert!(
            lenient.diagnostics.iter().all(|d| !d.is_error()),
            "{}: {:?}",
            row.cites,
            lenient.diagnostics
        );
        let warning = lenient
            .diagnostics
            .iter()
            .find(|d| d.severity == Severity::Warning && path_of(d) == row.path)
            .unwrap_or_else(|| panic!("{}: {:?}", row.cites, lenient.diagnostics));
        assert!(
            warning.detail.message.contains(row.rule.api_rule())
                && warning.detail.message.contains("kept (--lenient)"),
            "{}: the warning names the rule: {}",
            row.cites,
            warning.detail.message
        );
    }
}

/// A document with an error `--lenient` does not set aside is skipped as
/// before, and the problem it would have set aside is an error too.
#[test]
fn other_errors_still_skip_the_document() {
    let yaml = "apiVersion: v1\nkind: Service\nmetadata: {name: web_1, namespace: shop}\nspec: {type: Bogus, ports: [{port: 80}]}\n";
    let l = load(yaml, true);
    assert_eq!(l.stats.skipped, 1);
    assert_eq!(l.stats.kept, 0);
    let errors: Vec<String> = l
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(path_of)
        .collect();
    assert_eq!(errors, ["spec.type", "metadata.name"]);
    assert!(l.cluster.services.is_empty());
}

/// Only the zero value qualifies: a `containerPort` out of range says a
/// number, just not a valid one.
#[test]
fn an_out_of_range_container_port_is_not_set_aside() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec: {containers: [{name: c, image: i, ports: [{containerPort: 70000}]}]}\n";
    let l = load(yaml, true);
    assert_eq!((l.stats.skipped, l.stats.kept), (1, 0));
}

/// Valid input is read the same either way, without warnings.
#[test]
fn valid_input_is_unchanged() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec: {containers: [{name: c, image: i, ports: [{containerPort: 80}]}]}\n";
    let (a, b) = (load(yaml, false), load(yaml, true));
    assert!(!a.has_errors() && !b.has_errors());
    assert_eq!(a.diagnostics.len(), b.diagnostics.len());
    assert_eq!(b.stats.kept, 0);
}
