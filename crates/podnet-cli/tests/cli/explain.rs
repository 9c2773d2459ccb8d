//! `podnet explain`: text and JSON snapshots on the examples, probes, and
//! clear errors for names that do not resolve.

use crate::support::{json, podnet};

/// (example, from, to, extra args)
const CASES: [(&str, &str, &str, &[&str]); 7] = [
    ("ecoeco-domains", "auth/auth-api", "data/postgresql", &[]),
    (
        "ecoeco-domains",
        "monitoring/prometheus",
        "data/rabbitmq",
        &["--port", "5672"],
    ),
    (
        "ecoeco-domains",
        "10.0.1.20",
        "chat/Deployment/chat-api",
        &["--port", "8000"],
    ),
    (
        "ecoeco-single",
        "monitoring/grafana",
        "api/postgresql",
        &["--port", "5432"],
    ),
    (
        "telecom",
        "telecom-iot/mqtt-broker",
        "telecom-5g-core/amf",
        &[],
    ),
    (
        "telecom",
        "192.168.100.7",
        "telecom-5g-core/amf-0",
        &["--port", "38412", "--protocol", "SCTP"],
    ),
    // The tenant-isolation AdminNetworkPolicy denies what the edge
    // gateway's public ipBlock would let another tenant's pods reach.
    (
        "telecom",
        "telecom-5g-core/amf",
        "telecom-edge/edge-gateway",
        &["--port", "8443"],
    ),
];

#[test]
fn explain_examples_as_text_and_json() {
    for (i, (example, from, to, extra)) in CASES.iter().enumerate() {
        let path = format!("examples/{example}");
        for format in ["txt", "json"] {
            let mut args = vec![
                "explain",
                path.as_str(),
                "--from",
                from,
                "--to",
                to,
                "-q",
                "-o",
                format,
            ];
            args.extend_from_slice(extra);
            let run = podnet(&args);
            assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
            insta::assert_snapshot!(format!("explain_{i}_{example}_{format}"), run.stdout);
        }
    }
}

#[test]
fn explain_probe_answers_allowed_or_denied() {
    let allowed = podnet(&[
        "explain",
        "examples/ecoeco-domains",
        "--from",
        "auth/auth-api",
        "--to",
        "data/postgresql",
        "--port",
        "5432",
        "-q",
        "-o",
        "json",
    ]);
    assert_eq!(json(&allowed)["probe"]["allowed"], true);
    let denied = podnet(&[
        "explain",
        "examples/ecoeco-domains",
        "--from",
        "auth/auth-api",
        "--to",
        "data/postgresql",
        "--port",
        "5433",
        "-q",
    ]);
    assert!(
        denied.stdout.contains("TCP 5433: denied"),
        "{}",
        denied.stdout
    );
    let udp = podnet(&[
        "explain",
        "examples/ecoeco-domains",
        "--from",
        "auth/auth-api",
        "--to",
        "data/postgresql",
        "--port",
        "5432",
        "--protocol",
        "UDP",
        "-q",
        "-o",
        "json",
    ]);
    assert_eq!(json(&udp)["probe"]["allowed"], false);
}

#[test]
fn explain_resolves_services_to_their_pods() {
    let run = podnet(&[
        "explain",
        "examples/ecoeco-domains",
        "--from",
        "chat/chat-api",
        "--to",
        "data/Service/rabbitmq",
        "-q",
        "-o",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v = json(&run);
    assert_eq!(v["dst"]["service"]["name"], "rabbitmq");
    assert_eq!(v["cases"][0]["dst"]["pod"]["workload"]["name"], "rabbitmq");
    assert_eq!(v["allowed"]["ports"]["TCP"][0], "5672");
}

#[test]
fn unknown_names_are_errors_with_suggestions() {
    let run = podnet(&[
        "explain",
        "examples/ecoeco-domains",
        "--from",
        "auth/auth-apii",
        "--to",
        "data/postgresql",
        "-q",
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .contains("no workload, pod or service `auth/auth-apii`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("auth/auth-api"),
        "suggests the close name: {}",
        run.stderr
    );
}

#[test]
fn ambiguous_names_ask_for_the_kind() {
    // `api/postgresql` is a StatefulSet and a Service; the workload wins.
    let run = podnet(&[
        "explain",
        "examples/ecoeco-single",
        "--from",
        "api/auth-api",
        "--to",
        "api/postgresql",
        "-q",
        "-o",
        "json",
    ]);
    assert_eq!(json(&run)["dst"]["workload"]["kind"], "StatefulSet");
    // Two workloads of different kinds with one name are ambiguous.
    let dir = crate::support::temp_dir(
        "ambiguous",
        &[(
            "a.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: c, image: i}]}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: i}]}\n",
        )],
    );
    let dir = dir.display().to_string();
    let run = podnet(&[
        "explain",
        &dir,
        "--from",
        "default/web",
        "--to",
        "default/web",
        "-q",
    ]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("names several objects"),
        "{}",
        run.stderr
    );
    let run = podnet(&[
        "explain",
        &dir,
        "--from",
        "default/Pod/web",
        "--to",
        "default/deploy/web",
        "-q",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn the_ingress_controller_and_gateways_can_be_explained() {
    // ecoeco-domains: the ALB (class alb) connects from the public subnets,
    // which `allow-ingress` admits on the API's port.
    let run = podnet(&[
        "explain",
        "examples/ecoeco-domains",
        "--from",
        "ingress-controller",
        "--to",
        "auth/auth-api",
        "--port",
        "8000",
        "-q",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("10.0.1.4 -> auth/auth-api"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("ipBlock 10.0.1.0/24"), "{}", run.stdout);
    assert!(
        run.stdout.ends_with("result: TCP 8000: allowed\n"),
        "{}",
        run.stdout
    );
    let run = podnet(&[
        "explain",
        "examples/ecoeco-domains",
        "--from",
        "gateway:infra/none",
        "--to",
        "auth/auth-api",
        "-q",
    ]);
    assert_eq!(run.code, 2, "no such Gateway: {}", run.stdout);
}
