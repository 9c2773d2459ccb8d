//! `podnet connlist` on the bundled examples: every example in every format
//! is snapshot-tested, and the JSON follows docs/connlist-json.md.

use crate::support::{json, podnet, temp_dir};

const EXAMPLES: [&str; 3] = ["ecoeco-single", "ecoeco-domains", "telecom"];
const FORMATS: [&str; 5] = ["txt", "json", "csv", "md", "dot"];

#[test]
fn every_example_in_every_format() {
    for example in EXAMPLES {
        for format in FORMATS {
            let run = podnet(&[
                "connlist",
                &format!("examples/{example}"),
                "--output",
                format,
                "--quiet",
            ]);
            assert_eq!(run.code, 0, "{example} {format}: {}", run.stderr);
            insta::assert_snapshot!(format!("connlist_{example}_{format}"), run.stdout);
        }
    }
}

#[test]
fn json_follows_the_v1_contract() {
    for example in EXAMPLES {
        let run = podnet(&[
            "connlist",
            &format!("examples/{example}"),
            "-o",
            "json",
            "-q",
        ]);
        let v = json(&run);
        assert_eq!(v["schema"], "podnet.connlist/v1");
        assert_eq!(v["skipped_documents"], 0);
        for c in v["connections"].as_array().expect("connections is a list") {
            for end in ["src", "dst"] {
                let peer = c[end].as_object().expect("a peer is an object");
                assert_eq!(peer.len(), 1, "a PEER has exactly one key: {peer:?}");
                let (kind, body) = peer.iter().next().expect("one key");
                match kind.as_str() {
                    "workload" => {
                        for k in ["namespace", "name", "kind"] {
                            assert!(body[k].is_string(), "{body}");
                        }
                    }
                    "external" => assert!(body.as_array().is_some_and(|a| !a.is_empty())),
                    "gateway" => {
                        assert_eq!(end, "src", "traffic enters from the gateway");
                        assert!(body["namespace"].is_string() && body["name"].is_string());
                    }
                    "ingress_controller" => {
                        assert_eq!(end, "src", "traffic enters from the controller");
                        assert!(body.as_object().is_some_and(serde_json::Map::is_empty));
                    }
                    other => panic!("unexpected peer type {other}"),
                }
            }
            let conns = &c["conns"];
            match conns["all"].as_bool() {
                Some(true) => assert!(conns.get("ports").is_none()),
                Some(false) => assert!(conns["ports"].is_object()),
                None => panic!("conns.all must be a boolean: {conns}"),
            }
            assert_ne!(c["src"], c["dst"], "self connections are omitted");
        }
    }
}

#[test]
fn assumed_pod_addresses_under_an_ipblock_give_a_caveat() {
    // Without a ClusterProfile, pods get addresses from the default preset
    // (10.244.0.0/16); a policy whose ipBlock covers them depends on it.
    let dir = temp_dir(
        "default-profile-caveat",
        &[(
            "in.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec:\n  containers: [{name: c, image: i}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: shop}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n  ingress:\n  - from: [{ipBlock: {cidr: 10.0.0.0/8}}]\n",
        )],
    );
    let run = podnet(&["connlist", dir.to_str().unwrap(), "--error-format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("default profile (kubeadm-flannel: 10.244.0.0/16)")
            && run
                .stderr
                .contains("ipBlock 10.0.0.0/8 of NetworkPolicy shop/np"),
        "{}",
        run.stderr
    );
    // The examples declare their profiles: no assumption, no caveat.
    for example in EXAMPLES {
        let run = podnet(&["connlist", &format!("examples/{example}"), "-o", "json"]);
        assert!(
            !run.stderr.contains("default profile"),
            "{example}: {}",
            run.stderr
        );
    }
}

#[test]
fn admin_policies_sharing_a_priority_give_a_warning() {
    // Policy API: "If two (or more) policies with the same priority could
    // both match a connection, then the implementation can apply any of
    // the matching policies": podnet keeps input order and says so.
    let anp = |name: &str| {
        format!(
            "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {{name: {name}}}\nspec:\n  priority: 7\n  subject: {{namespaces: {{}}}}\n  ingress:\n  - action: Deny\n    from: [{{namespaces: {{}}}}]\n"
        )
    };
    let text = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: web, namespace: shop}}\nspec:\n  containers: [{{name: c, image: i}}]\n---\n{}---\n{}",
        anp("first"),
        anp("second")
    );
    let dir = temp_dir("same-priority", &[("in.yaml", &text)]);
    let run = podnet(&["connlist", dir.to_str().unwrap(), "--error-format", "short"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "AdminNetworkPolicy first, AdminNetworkPolicy second share Admin-tier priority 7"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn network_selects_one_network_and_every_row_names_its_network() {
    // Multus: the SR-IOV control plane is governed by MultiNetworkPolicy,
    // not NetworkPolicy; `--network` keeps only that network's rows.
    let run = podnet(&[
        "connlist",
        "examples/telecom",
        "--network",
        "telecom-5g-core/sriov-net1",
        "-o",
        "json",
        "-q",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v = json(&run);
    let rows = v["connections"].as_array().expect("a list");
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|c| c["network"] == "telecom-5g-core/sriov-net1")
    );
    assert!(rows.iter().any(|c| {
        c["src"]["workload"]["name"] == "smf"
            && c["dst"]["workload"]["name"] == "upf"
            && c["conns"]["ports"]["UDP"][0] == "8805"
    }));
    let run = podnet(&[
        "connlist",
        "examples/telecom",
        "--network",
        "default",
        "-o",
        "json",
        "-q",
    ]);
    let v = json(&run);
    assert!(
        v["connections"]
            .as_array()
            .expect("a list")
            .iter()
            .all(|c| c["network"] == "default")
    );
    let run = podnet(&[
        "connlist",
        "examples/telecom",
        "--network",
        "nope/none",
        "-q",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("no NetworkAttachmentDefinition `nope/none`"),
        "{}",
        run.stderr
    );
}
