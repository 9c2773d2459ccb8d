//! The namespace-strategy summary on the bundled examples: `ecoeco-single`
//! is the "current" option, `ecoeco-domains` the "domain
//! isolation" (Option 1), and the telecom tenants are domain
//! namespaces too.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use podnet_audit::summary::{Level, Strategy, Summary, summarize};
use podnet_audit::{Context, Filter, audit};
use podnet_dataplane::Dataplane;
use podnet_engine::Engine;
use podnet_manifest::{Input, LoadOptions, load};
use podnet_report::audit::{Worded as Finding, worded};

fn example(name: &str) -> podnet_model::Cluster {
    let path = format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR"));
    let loaded = load(&[Input::Path(path.into())], LoadOptions::default());
    let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    loaded.cluster
}

fn run(name: &str) -> (Summary, Vec<Finding>) {
    let dp = Dataplane::build(&example(name), None);
    let engine = Engine::new(&dp.cluster);
    let ctx = Context::new(&dp, &engine);
    (summarize(&ctx), worded(&audit(&ctx, &Filter::default())))
}

fn row<'s>(s: &'s Summary, ns: &str) -> &'s podnet_audit::summary::NamespaceSummary {
    s.namespaces
        .iter()
        .find(|r| r.name == ns)
        .unwrap_or_else(|| panic!("no row for {ns}: {s:#?}"))
}

fn pn1(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.code.starts_with("PN10"))
        .map(|f| format!("{} {} {}", f.code, f.severity, f.message))
        .collect()
}

#[test]
fn ecoeco_single_is_the_current_option() {
    let (s, findings) = run("ecoeco-single");
    eprintln!("{s:#?}\n{:#?}", pn1(&findings));
    assert_eq!(s.strategy, Strategy::SharedNamespace);
    assert_eq!(s.strategy.label(), "current (one shared namespace)");
    let api = row(&s, "api");
    assert_eq!(api.workloads, 10);
    assert_eq!(api.isolation, Level::None);
    assert_eq!(
        api.policy_coverage,
        "0/10 workloads isolated (ingress+egress)"
    );
    assert!(api.quota.starts_with("no ResourceQuota"), "{}", api.quota);
    assert_eq!(s.cluster.isolation, Level::None);
}

#[test]
fn ecoeco_domains_is_domain_isolation() {
    let (s, findings) = run("ecoeco-domains");
    eprintln!("{s:#?}\n{:#?}", pn1(&findings));
    assert_eq!(s.strategy, Strategy::DomainNamespaces);
    assert_eq!(s.strategy.label(), "domain isolation");
    let auth = row(&s, "auth");
    assert_eq!(auth.isolation, Level::Full);
    assert_eq!(
        auth.policy_coverage,
        "1/1 workloads isolated (ingress+egress)"
    );
    assert!(
        auth.quota.starts_with("ResourceQuota auth-quota ("),
        "{}",
        auth.quota
    );
    assert_eq!(
        auth.fault_isolation,
        "1/1 replicated workloads under a PodDisruptionBudget"
    );
}

#[test]
fn telecom_tenants_are_domain_namespaces() {
    let (s, findings) = run("telecom");
    eprintln!("{s:#?}\n{:#?}", pn1(&findings));
    assert_eq!(s.strategy, Strategy::DomainNamespaces);
    for tenant in ["telecom-5g-core", "telecom-iot", "telecom-edge"] {
        assert_eq!(row(&s, tenant).isolation, Level::Full, "{tenant}");
    }
}
