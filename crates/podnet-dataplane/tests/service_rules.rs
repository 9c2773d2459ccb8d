//! Service, scheduling and load-balancer rules of the dataplane model
//! (docs/dataplane.md, "Services", "Scheduling", "Load balancers").

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::{
    assert_no_errors, build, client_pod, cluster_ips, errors, errors_with, ip, ips, node_ports,
    outcomes, pod, pod_ips, pod_node, run, service,
};
use podnet_dataplane::issue::ServiceFound;
use podnet_dataplane::lb::{LbAddress, TargetProblem};
use podnet_dataplane::trace::{Action, DropReason, Outcome};
use podnet_dataplane::{Backend, Found, TraceFrom, TraceTo};

fn svc(ns: &str, name: &str, spec: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n{spec}---\n"
    )
}

// ---------------------------------------------------------------- targetPort

const NAMED_PORTS: &str = concat!(
    r#"
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Pod
metadata: {name: web-a, namespace: default, labels: {app: web}}
spec:
  nodeName: node-1
  containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: web-b, namespace: default, labels: {app: web}}
spec:
  nodeName: node-2
  containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 9090}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: web-c, namespace: default, labels: {app: web}}
spec:
  nodeName: node-1
  containers: [{name: web, image: nginx, ports: [{name: metrics, containerPort: 8080}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: web-d, namespace: default, labels: {app: web}}
spec:
  nodeName: node-1
  containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080, protocol: UDP}]}]
---
"#,
    client_pod!("client", "node-3")
);

// docs/dataplane.md, Services, "Backends as the EndpointSlice controller
// computes them": a named targetPort resolves per pod to its container port
// of that name and protocol; a pod without it is no backend for that port.
#[test]
fn named_target_port_resolves_per_pod() {
    let dp = build(NAMED_PORTS);
    assert_no_errors(&dp);
    let id = service(&dp, "default/web");
    let backends = dp.backends(id);
    assert_eq!(backends.len(), 1);
    let got: Vec<(String, u16)> = backends[0]
        .iter()
        .map(|b: &Backend| (dp.cluster.pod_name(b.pod.unwrap()), b.port))
        .collect();
    assert_eq!(
        got,
        vec![
            ("default/web-a".into(), 8080),
            ("default/web-b".into(), 9090)
        ]
    );
    assert_eq!(backends[0][0].ip, pod_ips(&dp, "default/web-a")[0]);
    assert_eq!(backends[0][1].ip, pod_ips(&dp, "default/web-b")[0]);

    // The trace's DNAT picks each backend with its own port.
    let t = run(
        &dp,
        TraceFrom::Pod(pod(&dp, "default/client")),
        TraceTo::Address(cluster_ips(&dp, "default/web")[0]),
        Some(80),
    );
    let mut dnat: Vec<(std::net::IpAddr, u16)> = t
        .branches
        .iter()
        .flat_map(|b| common::path(&t, b))
        .filter(|h| matches!(h.action, Action::Dnat { .. }))
        .map(|h| (h.after.dst, h.after.port))
        .collect();
    dnat.sort();
    let mut want = vec![
        (pod_ips(&dp, "default/web-a")[0], 8080),
        (pod_ips(&dp, "default/web-b")[0], 9090),
    ];
    want.sort();
    assert_eq!(dnat, want);
    let mut delivered: Vec<Outcome> = outcomes(&t);
    delivered.sort_by_key(|o| format!("{o:?}"));
    let mut want = vec![
        Outcome::Delivered(pod(&dp, "default/web-a")),
        Outcome::Delivered(pod(&dp, "default/web-b")),
    ];
    want.sort_by_key(|o| format!("{o:?}"));
    assert_eq!(delivered, want);
}

// --------------------------------------------------------------- ClusterIPs

// docs/dataplane.md, Services, "ClusterIPs": kube-system/kube-dns holds the
// tenth address; the others take the upper band (KEP-3070: the lower 256 of
// a /12 are left for static choices) in namespace/name order, skipping
// addresses the manifests fix.
#[test]
fn kube_dns_gets_the_tenth_address_and_others_the_upper_band() {
    let port = "  selector: {app: x}\n  ports: [{port: 80}]\n";
    let yaml = [
        svc("zeta", "last", port),
        svc(
            "kube-system",
            "kube-dns",
            "  selector: {k8s-app: kube-dns}\n  ports: [{name: dns, port: 53, protocol: UDP}]\n",
        ),
        svc("alpha", "first", port),
        svc(
            "beta",
            "fixed",
            "  clusterIP: 10.96.1.1\n  selector: {app: x}\n  ports: [{port: 80}]\n",
        ),
        svc(
            "beta",
            "low",
            "  clusterIP: 10.96.0.50\n  selector: {app: x}\n  ports: [{port: 80}]\n",
        ),
        svc(
            "gamma",
            "headless",
            "  clusterIP: None\n  selector: {app: x}\n  ports: [{port: 80}]\n",
        ),
    ]
    .concat();
    let dp = build(&yaml);
    assert_no_errors(&dp);
    assert_eq!(dp.services.dns_ip, Some(ip("10.96.0.10")));
    assert_eq!(
        cluster_ips(&dp, "kube-system/kube-dns"),
        ips(&["10.96.0.10"])
    );
    assert_eq!(cluster_ips(&dp, "alpha/first"), ips(&["10.96.1.0"]));
    // Explicit addresses honoured, in the lower band and in the upper one.
    assert_eq!(cluster_ips(&dp, "beta/low"), ips(&["10.96.0.50"]));
    assert_eq!(cluster_ips(&dp, "beta/fixed"), ips(&["10.96.1.1"]));
    // zeta/last comes after alpha/first and skips beta/fixed's address.
    assert_eq!(cluster_ips(&dp, "zeta/last"), ips(&["10.96.1.2"]));
    assert!(cluster_ips(&dp, "gamma/headless").is_empty());
}

// docs/dataplane.md, Services: a clusterIP outside the service CIDR is an
// error (the API server rejects it); the Service gets no ClusterIP.
#[test]
fn cluster_ip_outside_the_service_cidr_is_an_error() {
    let yaml = svc(
        "default",
        "stray",
        "  clusterIP: 10.200.0.5\n  selector: {app: x}\n  ports: [{port: 80}]\n",
    );
    let dp = build(&yaml);
    let e = errors(&dp);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(
        matches!(&e[0].detail, Found::Service(ServiceFound::ClusterIpOutside { ip, cidrs, .. })
            if ip.to_string() == "10.200.0.5" && cidrs.iter().map(ToString::to_string).eq(["10.96.0.0/12"])),
        "{e:#?}"
    );
    assert_eq!(e[0].object.as_deref(), Some("Service default/stray"));
    assert!(cluster_ips(&dp, "default/stray").is_empty());
}

// ---------------------------------------------------------------- NodePorts

// docs/dataplane.md, Services, "NodePorts": dynamic ports start above the
// KEP-3668 static band (min(max(16, 2768/32), 128) = 86 ports: 30086), in
// namespace/name order, skipping explicit nodePorts.
#[test]
fn node_ports_start_at_30086_in_namespace_name_order() {
    let np = "  type: NodePort\n  selector: {app: x}\n";
    let yaml = [
        svc("zeta", "one", &format!("{np}  ports: [{{port: 80}}]\n")),
        svc(
            "alpha",
            "two",
            &format!("{np}  ports: [{{name: a, port: 80}}, {{name: b, port: 443}}]\n"),
        ),
        svc(
            "beta",
            "fixed",
            &format!("{np}  ports: [{{port: 80, nodePort: 30088}}]\n"),
        ),
        svc(
            "beta",
            "plain",
            "  selector: {app: x}\n  ports: [{port: 80}]\n",
        ),
    ]
    .concat();
    let dp = build(&yaml);
    assert_no_errors(&dp);
    assert_eq!(node_ports(&dp, "alpha/two"), vec![Some(30086), Some(30087)]);
    assert_eq!(node_ports(&dp, "beta/fixed"), vec![Some(30088)]);
    assert_eq!(node_ports(&dp, "beta/plain"), vec![None]);
    assert_eq!(node_ports(&dp, "zeta/one"), vec![Some(30089)]);
}

// docs/profile.md, Problems reported: a NodePort taken twice is an error
// (for the later Service in namespace/name order).
#[test]
fn duplicate_node_port_is_an_error() {
    let spec = "  type: NodePort\n  selector: {app: x}\n  ports: [{port: 80, nodePort: 31000}]\n";
    let yaml = [svc("b", "second", spec), svc("a", "first", spec)].concat();
    let dp = build(&yaml);
    assert_eq!(node_ports(&dp, "a/first"), vec![Some(31000)]);
    assert_eq!(node_ports(&dp, "b/second"), vec![None]);
    let e = errors(&dp);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0].object.as_deref(), Some("Service b/second"));
    assert_eq!(
        errors_with(&dp, &["NodePortTaken", "port: 31000", "other: \"a/first\""]).len(),
        1
    );
}

// --------------------------------------------------------------- Scheduling

const NODES: &str = r#"
apiVersion: v1
kind: Node
metadata: {name: zeta, labels: {role: worker}}
status: {addresses: [{type: InternalIP, address: 192.168.0.13}]}
---
apiVersion: v1
kind: Node
metadata: {name: alpha, labels: {role: worker}}
status: {addresses: [{type: InternalIP, address: 192.168.0.11}]}
---
apiVersion: v1
kind: Node
metadata: {name: mid, labels: {role: control-plane}}
status: {addresses: [{type: InternalIP, address: 192.168.0.12}]}
---
apiVersion: v1
kind: Node
metadata: {name: cordoned, labels: {role: worker}}
spec: {unschedulable: true}
status: {addresses: [{type: InternalIP, address: 192.168.0.14}]}
---
"#;

// docs/dataplane.md, Scheduling: a DaemonSet runs one pod `<name>-<node>` on
// every node its nodeSelector admits, cordoned nodes included.
#[test]
fn daemonset_runs_one_pod_per_admitted_node() {
    let yaml = format!(
        "{NODES}{}",
        r#"
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      nodeSelector: {role: worker}
      containers: [{name: agent, image: agent}]
"#
    );
    let dp = build(&yaml);
    assert_no_errors(&dp);
    let mut got: Vec<(String, Option<String>)> = dp
        .cluster
        .pod_ids()
        .map(|p| (dp.cluster.pod_name(p), dp.cluster.pod(p).node_name.clone()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("kube-system/agent-alpha".into(), Some("alpha".into())),
            ("kube-system/agent-cordoned".into(), Some("cordoned".into())),
            ("kube-system/agent-zeta".into(), Some("zeta".into())),
        ]
    );
    // Each has an address of its node's block (blocks in name order:
    // alpha .0, cordoned .1, mid .2, zeta .3).
    assert_eq!(
        pod_ips(&dp, "kube-system/agent-alpha"),
        ips(&["10.244.0.2"])
    );
    assert_eq!(
        pod_ips(&dp, "kube-system/agent-cordoned"),
        ips(&["10.244.1.2"])
    );
    assert_eq!(pod_ips(&dp, "kube-system/agent-zeta"), ips(&["10.244.3.2"]));
}

// docs/dataplane.md, Scheduling: a pod no node takes stays Pending, without
// a node or an address: a warning naming the cause, never an error.
#[test]
fn node_selector_matching_no_node_is_a_warning_and_no_address() {
    let yaml = format!(
        "{NODES}{}",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: gpu, namespace: default}
spec:
  nodeSelector: {accelerator: gpu}
  containers: [{name: c, image: cuda}]
"#
    );
    let dp = build(&yaml);
    assert_eq!(pod_node(&dp, "default/gpu"), None);
    assert!(pod_ips(&dp, "default/gpu").is_empty());
    assert!(errors(&dp).is_empty(), "{:#?}", errors(&dp));
    assert_eq!(dp.unplaced.len(), 1);
    let w: Vec<_> = dp
        .issues
        .iter()
        .filter_map(|i| match &i.detail {
            Found::Unplaced(u) => Some((i, u)),
            _ => None,
        })
        .collect();
    assert_eq!(w.len(), 1, "{:#?}", dp.issues);
    let (w, u) = w[0];
    assert!(
        !u.stand_in
            && u.pods == 1
            && u.failure
                .to_string()
                .contains("didn't match Pod's node affinity/selector")
            && u.requires.as_deref() == Some("nodeSelector accelerator=gpu"),
        "{u:?}"
    );
    assert_eq!(w.object.as_deref(), Some("Pod default/gpu"));
}

// docs/dataplane.md, Scheduling: other pods go to the admitted uncordoned
// node running the fewest pods, ties by node name; pods already bound
// (`nodeName`) count first.
#[test]
fn scheduling_spreads_to_the_least_loaded_node_ties_by_name() {
    let yaml = format!(
        "{NODES}{}",
        concat!(
            client_pod!("bound", "alpha"),
            r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 5
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      nodeSelector: {role: worker}
      containers: [{name: w, image: w}]
"#
        )
    );
    let dp = build(&yaml);
    assert_no_errors(&dp);
    // alpha starts with 1 (bound), mid and zeta with 0; cordoned is skipped.
    let placed: Vec<Option<String>> = (0..5)
        .map(|i| pod_node(&dp, &format!("default/web-{i}")))
        .collect();
    let want: Vec<Option<String>> = ["mid", "zeta", "alpha", "mid", "zeta"]
        .iter()
        .map(|s| Some((*s).to_owned()))
        .collect();
    assert_eq!(placed, want);
    // Loads now alpha 2, mid 2, zeta 2: the workers (role=worker: alpha,
    // zeta; cordoned excluded) go to alpha then zeta.
    assert_eq!(pod_node(&dp, "default/worker-0").as_deref(), Some("alpha"));
    assert_eq!(pod_node(&dp, "default/worker-1").as_deref(), Some("zeta"));
}

// ----------------------------------------------------------- Load balancers

const LB_APP: &str = r#"
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web2, namespace: default}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx, ports: [{containerPort: 8080}]}]
---
"#;

fn lb(dp: &podnet_dataplane::Dataplane, name: &str) -> podnet_dataplane::lb::LbAssignment {
    dp.lb[service(dp, name).index()]
        .clone()
        .expect("a LoadBalancer assignment")
}

// docs/dataplane.md, Load balancers: with no controller (cloud none, no
// MetalLB pool) EXTERNAL-IP stays <pending>, with the reason.
#[test]
fn load_balancer_without_cloud_or_metallb_is_pending_with_a_reason() {
    let dp = build(LB_APP);
    let a = lb(&dp, "default/web");
    assert!(a.addresses.is_empty());
    assert_eq!(a.controller, None);
    assert!(
        a.pending
            .iter()
            .any(|r| r.contains("no MetalLB address pool")),
        "{:?}",
        a.pending
    );
    assert!(dp.lb_targets(service(&dp, "default/web")).is_empty());
    // Still a NodePort Service underneath.
    assert_eq!(node_ports(&dp, "default/web"), vec![Some(30086)]);
}

// docs/dataplane.md, Load balancers, MetalLB: the first auto-assign pool's
// next free address; `avoidBuggyIPs` skips .0 (and .255).
#[test]
fn metallb_assigns_the_first_address_and_avoid_buggy_ips_skips_dot_zero() {
    let plain = format!(
        "{LB_APP}{}",
        r#"
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: lan, namespace: metallb-system}
spec:
  addresses: [192.168.10.0/24]
"#
    );
    let dp = build(&plain);
    assert_eq!(
        lb(&dp, "default/web").addresses,
        vec![LbAddress::Ip(ip("192.168.10.0"))]
    );
    assert_eq!(
        lb(&dp, "default/web2").addresses,
        vec![LbAddress::Ip(ip("192.168.10.1"))]
    );

    let buggy = format!(
        "{LB_APP}{}",
        r#"
apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {name: lan}
spec:
  metallb:
    pools: [{name: lan, addresses: [192.168.10.0/24], avoidBuggyIPs: true}]
"#
    );
    let dp = build(&buggy);
    let a = lb(&dp, "default/web");
    assert_eq!(a.addresses, vec![LbAddress::Ip(ip("192.168.10.1"))]);
    assert!(a.pending.is_empty());
    assert_eq!(
        lb(&dp, "default/web2").addresses,
        vec![LbAddress::Ip(ip("192.168.10.2"))]
    );
}

// docs/dataplane.md, Load balancers, AWS: instance targets are registrable
// only with `spec.providerID`.
#[test]
fn aws_ccm_instance_targets_without_provider_id_are_unhealthy() {
    let yaml = format!(
        "{LB_APP}{}",
        r#"
apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {name: no-ids}
spec:
  preset: rke2-canal
  nodes:
  - {name: ip-10-0-1-10, internalIP: 10.0.1.10}
  - {name: ip-10-0-1-11, internalIP: 10.0.1.11}
"#
    );
    let dp = build(&yaml);
    let id = service(&dp, "default/web");
    let a = lb(&dp, "default/web");
    assert_eq!(a.target_type, Some(podnet_model::TargetType::Instance));
    assert_eq!(
        a.addresses,
        vec![LbAddress::Hostname(
            "k8s-default-web.elb.ap-northeast-2.amazonaws.com".into()
        )]
    );
    let targets = dp.lb_targets(id);
    let names: Vec<&str> = targets.iter().map(|t| t.target.as_str()).collect();
    assert_eq!(names, ["ip-10-0-1-10", "ip-10-0-1-11"]);
    for t in &targets {
        assert!(!t.healthy, "{t:?}");
        assert_eq!(t.port, 30086);
        assert!(
            t.problems.iter().any(
                |p| matches!(p, TargetProblem::NoProviderId { node, .. } if *node == t.target)
            ),
            "{:?}",
            t.problems
        );
    }
    // Nothing gets through the load balancer.
    let t = run(
        &dp,
        TraceFrom::External(ip("203.0.113.9")),
        TraceTo::Name("k8s-default-web.elb.ap-northeast-2.amazonaws.com".into()),
        Some(80),
    );
    assert_eq!(t.branches.len(), 1);
    assert!(matches!(
        &t.branches[0].outcome,
        Outcome::Dropped(DropReason::NoHealthyTarget { targets: 2, .. })
    ));
}

// docs/dataplane.md, Load balancers, AWS: IP targets are pod addresses,
// which must be inside the VPC; an overlay CNI's pods are not.
#[test]
fn aws_lbc_ip_targets_with_an_overlay_cni_are_unhealthy() {
    let yaml = format!(
        "{LB_APP}{}",
        r#"
apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {name: lbc-overlay}
spec:
  preset: rke2-canal
  cloud:
    provider: aws
    aws:
      vpcCIDR: 10.0.0.0/16
      subnets: [{name: subnet-a, cidr: 10.0.0.0/19, zone: ap-northeast-2a}]
      loadBalancerController: aws-lbc
      targetType: ip
"#
    );
    let dp = build(&yaml);
    let a = lb(&dp, "default/web");
    assert_eq!(a.target_type, Some(podnet_model::TargetType::Ip));
    let targets = dp.lb_targets(service(&dp, "default/web"));
    let mut got: Vec<&str> = targets.iter().map(|t| t.target.as_str()).collect();
    got.sort_unstable();
    let mut want: Vec<String> = ["default/web-0", "default/web-1"]
        .iter()
        .map(|p| pod_ips(&dp, p)[0].to_string())
        .collect();
    want.sort();
    assert_eq!(got, want);
    assert!(want.iter().all(|w| w.starts_with("10.42.")), "{want:?}");
    for t in &targets {
        assert!(!t.healthy, "{t:?}");
        assert_eq!(t.port, 8080);
        assert!(
            t.problems.iter().any(
                |p| matches!(p, TargetProblem::OutsideVpc { vpc, .. } if vpc.to_string() == "10.0.0.0/16")
            ),
            "{:?}",
            t.problems
        );
    }
}

// docs/profile.md, Presets, `rke2-cilium-eni`: pods hold VPC addresses, so
// the AWS Load Balancer Controller's IP targets are healthy and a trace from
// outside to the load balancer's name reaches the pods.
#[test]
fn rke2_cilium_eni_ip_targets_are_healthy_and_deliver() {
    let yaml = format!(
        "{LB_APP}{}",
        r#"
apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {name: eni}
spec:
  preset: rke2-cilium-eni
"#
    );
    let dp = build(&yaml);
    assert_no_errors(&dp);
    // Pods take the subnet of their node's address, from the fifth address
    // (AWS keeps the first four).
    let web0 = pod_ips(&dp, "default/web-0");
    let web1 = pod_ips(&dp, "default/web-1");
    let node0 = pod_node(&dp, "default/web-0").unwrap();
    let node1 = pod_node(&dp, "default/web-1").unwrap();
    assert_eq!(
        (node0.as_str(), web0.clone()),
        ("ip-10-0-1-10", ips(&["10.0.0.4"]))
    );
    assert_eq!(
        (node1.as_str(), web1.clone()),
        ("ip-10-0-1-11", ips(&["10.0.0.5"]))
    );
    let a = lb(&dp, "default/web");
    assert_eq!(
        a.controller.as_deref(),
        Some("aws-load-balancer-controller")
    );
    assert_eq!(a.target_type, Some(podnet_model::TargetType::Ip));
    let targets = dp.lb_targets(service(&dp, "default/web"));
    assert_eq!(targets.len(), 2);
    assert!(
        targets.iter().all(|t| t.healthy && t.port == 8080),
        "{targets:#?}"
    );

    let t = run(
        &dp,
        TraceFrom::External(ip("203.0.113.9")),
        TraceTo::Name("k8s-default-web.elb.ap-northeast-2.amazonaws.com".into()),
        Some(80),
    );
    let mut got = outcomes(&t);
    got.sort_by_key(|o| format!("{o:?}"));
    let mut want = vec![
        Outcome::Delivered(pod(&dp, "default/web-0")),
        Outcome::Delivered(pod(&dp, "default/web-1")),
    ];
    want.sort_by_key(|o| format!("{o:?}"));
    assert_eq!(got, want);
    for b in &t.branches {
        assert!(
            matches!(common::path(&t, b)[0].action, Action::LoadBalancer { .. }),
            "{:#?}",
            b.hops
        );
        let last = b.hops.last().unwrap();
        assert!(matches!(last.action, Action::Deliver { declared: true }));
        // IP targets keep the client address.
        assert_eq!(last.after.src, ip("203.0.113.9"));
        assert_eq!(last.after.port, 8080);
    }
}

// docs/dataplane.md, Services, "ClusterIPs": `default/kubernetes` holds the
// first address of the service CIDR (the API server's own Service), also
// when a dump of it carries no clusterIP.
#[test]
fn default_kubernetes_service_holds_the_first_address() {
    let yaml = [
        svc(
            "default",
            "kubernetes",
            "  ports: [{name: https, port: 443, targetPort: 6443}]\n",
        ),
        svc(
            "default",
            "app",
            "  selector: {app: x}\n  ports: [{port: 80}]\n",
        ),
    ]
    .concat();
    let dp = build(&yaml);
    assert_no_errors(&dp);
    assert_eq!(dp.services.api_ip, Some(ip("10.96.0.1")));
    assert_eq!(cluster_ips(&dp, "default/kubernetes"), ips(&["10.96.0.1"]));
    assert_eq!(cluster_ips(&dp, "default/app"), ips(&["10.96.1.0"]));
}

// docs/profile.md, Problems reported: a NodePort taken twice is an error.
// The API server's NodePort allocator is one bitmap over the range, whatever
// the protocol (pkg/registry/core/service/portallocator): only ports of the
// same Service may share a nodePort across TCP and UDP.
#[test]
fn duplicate_node_port_across_protocols_is_an_error() {
    let yaml = [
        svc("a", "tcp", "  type: NodePort\n  selector: {app: x}\n  ports: [{port: 53, nodePort: 31053}]\n"),
        svc("b", "udp", "  type: NodePort\n  selector: {app: x}\n  ports: [{port: 53, protocol: UDP, nodePort: 31053}]\n"),
    ]
    .concat();
    let dp = build(&yaml);
    assert_eq!(node_ports(&dp, "a/tcp"), vec![Some(31053)]);
    assert_eq!(node_ports(&dp, "b/udp"), vec![None]);
    assert_eq!(
        errors_with(&dp, &["NodePortTaken", "port: 31053", "other: \"a/tcp\""]).len(),
        1,
        "{:#?}",
        dp.issues
    );
}

// docs/dataplane.md, Services: not-ready pods are kept as backends but not
// served unless `publishNotReadyAddresses`.
#[test]
fn not_ready_pods_are_kept_but_not_served_unless_published() {
    let pods = r#"
apiVersion: v1
kind: Pod
metadata: {name: ready, namespace: default, labels: {app: web}}
spec:
  nodeName: node-1
  containers: [{name: web, image: nginx}]
status:
  podIP: 10.244.0.50
  conditions: [{type: Ready, status: "True"}]
---
apiVersion: v1
kind: Pod
metadata: {name: starting, namespace: default, labels: {app: web}}
spec:
  nodeName: node-1
  containers: [{name: web, image: nginx}]
status:
  podIP: 10.244.0.51
  conditions: [{type: Ready, status: "False"}]
---
"#;
    let spec = "  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n";
    let yaml = [
        pods.to_owned(),
        svc("default", "plain", spec),
        svc(
            "default",
            "published",
            &format!("  publishNotReadyAddresses: true\n{spec}"),
        ),
    ]
    .concat();
    let dp = build(&yaml);
    let serving = |name: &str| -> Vec<(std::net::IpAddr, u16, bool)> {
        dp.backends(service(&dp, name))[0]
            .iter()
            .map(|b| (b.ip, b.port, b.serving))
            .collect()
    };
    assert_eq!(
        serving("default/plain"),
        vec![
            (ip("10.244.0.50"), 8080, true),
            (ip("10.244.0.51"), 8080, false)
        ]
    );
    assert_eq!(
        serving("default/published"),
        vec![
            (ip("10.244.0.50"), 8080, true),
            (ip("10.244.0.51"), 8080, true)
        ]
    );
}

// docs/dataplane.md, Services: selector-less Services use the Endpoints of
// the same name, Service and endpoint ports paired by name.
#[test]
fn selectorless_service_takes_endpoints_ports_paired_by_name() {
    let yaml = r#"
apiVersion: v1
kind: Service
metadata: {name: db, namespace: default}
spec:
  ports: [{name: sql, port: 5432}, {name: admin, port: 8080}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: db, namespace: default}
subsets:
- addresses: [{ip: 198.51.100.20}]
  ports: [{name: sql, port: 15432}, {name: other, port: 9999}]
"#;
    let dp = build(yaml);
    let b = dp.backends(service(&dp, "default/db"));
    let got: Vec<Vec<(std::net::IpAddr, u16)>> = b
        .iter()
        .map(|port| port.iter().map(|x| (x.ip, x.port)).collect())
        .collect();
    assert_eq!(got, vec![vec![(ip("198.51.100.20"), 15432)], vec![]]);
}

// docs/dataplane.md, Scheduling: pods go only to nodes with room left
// (`maxPods`).
#[test]
fn scheduling_respects_max_pods() {
    let yaml = r#"
apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {name: small}
spec:
  nodes:
  - {name: a-small, internalIP: 192.168.0.11, maxPods: 1}
  - {name: b-big, internalIP: 192.168.0.12}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
"#;
    let dp = build(yaml);
    assert_no_errors(&dp);
    let placed: Vec<Option<String>> = (0..3)
        .map(|i| pod_node(&dp, &format!("default/web-{i}")))
        .collect();
    assert_eq!(
        placed,
        vec![
            Some("a-small".into()),
            Some("b-big".into()),
            Some("b-big".into())
        ]
    );
}

// docs/dataplane.md, Load balancers, AWS: "`externalTrafficPolicy: Local`
// fails the health check on nodes without a ready endpoint".
#[test]
fn aws_instance_targets_with_external_traffic_policy_local_fail_where_no_endpoint_runs() {
    let yaml = format!(
        "{}{}",
        LB_APP.replace(
            "  type: LoadBalancer\n",
            "  type: LoadBalancer\n  externalTrafficPolicy: Local\n"
        ),
        r#"
apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {name: canal}
spec:
  preset: rke2-canal
"#
    );
    let dp = build(&yaml);
    assert_eq!(
        pod_node(&dp, "default/web-0").as_deref(),
        Some("ip-10-0-1-10")
    );
    assert_eq!(
        pod_node(&dp, "default/web-1").as_deref(),
        Some("ip-10-0-1-11")
    );
    let targets = dp.lb_targets(service(&dp, "default/web"));
    let health: Vec<(&str, bool)> = targets
        .iter()
        .map(|t| (t.target.as_str(), t.healthy))
        .collect();
    assert_eq!(
        health,
        [
            ("ip-10-0-1-10", true),
            ("ip-10-0-1-11", true),
            ("ip-10-0-33-10", false)
        ]
    );
    assert!(
        targets[2].problems.iter().any(|p| matches!(
            p,
            TargetProblem::NoLocalEndpoint { node, .. } if node == "ip-10-0-33-10"
        )),
        "{:?}",
        targets[2].problems
    );
}

// docs/dataplane.md, Services, "ClusterIPs": the lower
// min(max(16, size/16), 256) addresses are left for static choices: 16 for
// a /24 service CIDR, so the first dynamic address is .16.
#[test]
fn cluster_ip_static_band_of_a_small_service_cidr() {
    let yaml = [
        "apiVersion: podnet.dev/v1alpha1\nkind: ClusterProfile\nmetadata: {name: small}\nspec:\n  serviceCIDRs: [10.43.0.0/24]\n---\n".to_owned(),
        svc("kube-system", "kube-dns", "  selector: {k8s-app: kube-dns}\n  ports: [{port: 53, protocol: UDP}]\n"),
        svc("default", "app", "  selector: {app: x}\n  ports: [{port: 80}]\n"),
    ]
    .concat();
    let dp = build(&yaml);
    assert_no_errors(&dp);
    assert_eq!(
        cluster_ips(&dp, "kube-system/kube-dns"),
        ips(&["10.43.0.10"])
    );
    assert_eq!(cluster_ips(&dp, "default/app"), ips(&["10.43.0.16"]));
}

// docs "Services without selectors" and EndpointSlice API: slices name
// their Service with `kubernetes.io/service-name`; `conditions.ready:
// false` endpoints are kept but not served.
#[test]
fn selectorless_service_takes_endpoint_slices() {
    let yaml = r#"
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: default}
spec:
  ports: [{name: https, port: 443}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ext-1
  namespace: default
  labels: {kubernetes.io/service-name: ext}
addressType: IPv4
ports: [{name: https, port: 8443, protocol: TCP}]
endpoints:
- addresses: [198.51.100.30]
- addresses: [198.51.100.31]
  conditions: {ready: false}
"#;
    let dp = build(yaml);
    let b = dp.backends(service(&dp, "default/ext"));
    let got: Vec<(std::net::IpAddr, u16, bool)> =
        b[0].iter().map(|x| (x.ip, x.port, x.serving)).collect();
    assert_eq!(
        got,
        vec![
            (ip("198.51.100.30"), 8443, true),
            (ip("198.51.100.31"), 8443, false)
        ]
    );
}

// API reference, ServiceSpec `sessionAffinity: ClientIP` with
// `sessionAffinityConfig.clientIP.timeoutSeconds` (10800 when omitted):
// the DNAT hop says the client keeps its endpoint.
#[test]
fn session_affinity_is_carried_into_the_dnat_hop() {
    let yaml = |affinity: &str| {
        format!(
            r#"
apiVersion: v1
kind: Pod
metadata: {{name: client, namespace: default}}
spec: {{containers: [{{name: c, image: i}}]}}
---
apiVersion: v1
kind: Pod
metadata: {{name: web, namespace: default, labels: {{app: web}}}}
spec: {{containers: [{{name: c, image: i, ports: [{{containerPort: 80}}]}}]}}
---
apiVersion: v1
kind: Service
metadata: {{name: web, namespace: default}}
spec:
  selector: {{app: web}}
  ports: [{{port: 80}}]
{affinity}"#
        )
    };
    let affinity_of = |text: &str| {
        let dp = build(text);
        let t = run(
            &dp,
            podnet_dataplane::TraceFrom::Pod(pod(&dp, "default/client")),
            podnet_dataplane::TraceTo::Name("web".into()),
            None,
        );
        t.hops
            .iter()
            .chain(t.branches.iter().flat_map(|b| &b.hops))
            .find_map(|h| match &h.action {
                podnet_dataplane::trace::Action::Dnat { affinity, .. } => Some(*affinity),
                _ => None,
            })
            .expect("a DNAT hop")
    };
    assert_eq!(
        affinity_of(&yaml("  sessionAffinity: ClientIP\n")),
        Some(10800)
    );
    assert_eq!(
        affinity_of(&yaml(
            "  sessionAffinity: ClientIP\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}\n"
        )),
        Some(60)
    );
    assert_eq!(affinity_of(&yaml("")), None);
}
