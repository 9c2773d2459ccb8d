//! The running pods of a generated cluster, as `kubectl get pods -A -o json`
//! prints them: a `List` of Pods with owner references (Deployment pods to
//! their ReplicaSet `<name>-<hash>`, which the dump does not hold; StatefulSet
//! pods to their StatefulSet), controller-added labels, nodes and addresses
//! from the cluster CIDR 10.0.0.0/8.

use serde_json::{Value, json};

use crate::{NODES, WorkloadSpec};

/// The pod-template-hash every generated Deployment's ReplicaSet has.
const TEMPLATE_HASH: &str = "5d8f9c7b6";

/// The dump, one JSON document.
pub(crate) fn pods_dump(specs: &[WorkloadSpec]) -> String {
    let mut items = Vec::new();
    let mut next_ip = 0u32;
    for spec in specs {
        for ordinal in 0..spec.replicas {
            items.push(pod(spec, ordinal, next_ip));
            next_ip += 1;
        }
    }
    let list = json!({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items});
    serde_json::to_string_pretty(&list).unwrap_or_default()
}

fn pod(spec: &WorkloadSpec, ordinal: u32, n: u32) -> Value {
    let ip = format!("10.{}.{}.{}", 1 + n / 65536, (n / 256) % 256, n % 256);
    let mut labels = json!({
        "app": spec.name,
        "tier": spec.tier.name(),
        "version": format!("v{}", spec.version),
    });
    let (name, owner) = if spec.kind() == "StatefulSet" {
        let name = format!("{}-{ordinal}", spec.name);
        labels["statefulset.kubernetes.io/pod-name"] = json!(name);
        labels["apps.kubernetes.io/pod-index"] = json!(ordinal.to_string());
        labels["controller-revision-hash"] = json!(format!("{}-{TEMPLATE_HASH}", spec.name));
        (
            name,
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "name": spec.name}),
        )
    } else {
        labels["pod-template-hash"] = json!(TEMPLATE_HASH);
        let rs = format!("{}-{TEMPLATE_HASH}", spec.name);
        (
            format!("{rs}-{ordinal:05x}"),
            json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs}),
        )
    };
    let mut owner = owner;
    owner["uid"] = json!(format!("00000000-0000-4000-8000-{n:012x}"));
    owner["controller"] = json!(true);
    owner["blockOwnerDeletion"] = json!(true);
    let ports: Vec<Value> = spec
        .tier
        .ports()
        .iter()
        .map(
            |(pname, port, proto)| json!({"name": pname, "containerPort": port, "protocol": proto}),
        )
        .collect();
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": spec.ns,
            "labels": labels,
            "ownerReferences": [owner],
        },
        "spec": {
            "nodeName": format!("node-{:03}", n % NODES),
            "containers": [{
                "name": "main",
                "image": format!("registry.example.com/{}/{}:1.0", spec.ns, spec.name),
                "ports": ports,
            }],
        },
        "status": {
            "phase": "Running",
            "podIP": ip,
            "podIPs": [{"ip": ip}],
        },
    })
}
