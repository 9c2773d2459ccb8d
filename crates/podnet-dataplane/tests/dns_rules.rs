//! DNS rules of the dataplane model (docs/dataplane.md, "DNS"): the pod's
//! search path and ndots, Service, headless, StatefulSet, ExternalName and
//! SRV answers, and a custom cluster domain.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::{build, cluster_ips, ip, ips, pod, pod_ips, service};
use podnet_dataplane::dns::{Answer, Query};

/// Two namespaces, a Service `svc` in each (b's with two pods behind it),
/// an ExternalName, a headless Service with a StatefulSet and a not-ready
/// pod, and a client pod in `a`.
const CLUSTER: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: a}
spec:
  containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: a}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: b}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: b}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: b}
spec:
  type: ExternalName
  externalName: db.example.com
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: b}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{name: sql, port: 5432, targetPort: 5432}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: b}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: postgres, ports: [{name: sql, containerPort: 5432}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: db-stale, namespace: b, labels: {app: db}}
spec:
  nodeName: node-1
  containers: [{name: db, image: postgres, ports: [{name: sql, containerPort: 5432}]}]
status:
  podIP: 10.244.0.200
  conditions: [{type: Ready, status: "False"}]
"#;

fn q(name: &str, answer: Option<Answer>) -> Query {
    Query {
        name: name.to_owned(),
        answer,
    }
}

// docs: DNS for Services and Pods, namespaces of Services ("a query for
// `data.test` from a pod in `prod` goes through the search path"): from
// namespace `a`, `svc.b` is first tried as `svc.b.a.svc.cluster.local`
// (NXDOMAIN), then as `svc.b.svc.cluster.local`.
#[test]
fn search_path_resolves_svc_dot_namespace_through_the_second_suffix() {
    let dp = build(CLUSTER);
    let client = pod(&dp, "a/client");
    let r = dp.resolve_name("svc.b", Some(client));
    let b_svc = service(&dp, "b/svc");
    assert_eq!(cluster_ips(&dp, "b/svc"), ips(&["10.96.1.1"]));
    assert_eq!(
        r.queries,
        vec![
            q("svc.b.a.svc.cluster.local", None),
            q(
                "svc.b.svc.cluster.local",
                Some(Answer::ClusterIp {
                    service: b_svc,
                    ips: ips(&["10.96.1.1"]),
                })
            ),
        ]
    );
    // The pod asks the cluster DNS Service's address (the tenth of the
    // service CIDR), even with no kube-dns Service in the input.
    assert_eq!(r.nameserver, Some(ip("10.96.0.10")));
}

// docs: DNS for Services and Pods, namespaces of Services ("DNS queries that
// don't specify a namespace are limited to the pod's namespace").
#[test]
fn search_path_short_name_resolves_in_the_pods_own_namespace_first() {
    let dp = build(CLUSTER);
    let r = dp.resolve_name("svc", Some(pod(&dp, "a/client")));
    assert_eq!(cluster_ips(&dp, "a/svc"), ips(&["10.96.1.0"]));
    assert_eq!(
        r.queries,
        vec![q(
            "svc.a.svc.cluster.local",
            Some(Answer::ClusterIp {
                service: service(&dp, "a/svc"),
                ips: ips(&["10.96.1.0"]),
            })
        )]
    );
    // Two labels that are no Service: every suffix, then as is; the third
    // suffix (the bare cluster domain) answers `svc.b.svc`.
    let r = dp.resolve_name("svc.b.svc", Some(pod(&dp, "a/client")));
    let names: Vec<&str> = r.queries.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "svc.b.svc.a.svc.cluster.local",
            "svc.b.svc.svc.cluster.local",
            "svc.b.svc.cluster.local"
        ]
    );
    assert!(matches!(r.answer(), Some(Answer::ClusterIp { .. })));
    // From namespace b the same short name is b's Service.
    let from_b = dp.resolve_name("svc", Some(pod(&dp, "b/web-0")));
    assert_eq!(from_b.queries.len(), 1);
    assert_eq!(from_b.queries[0].name, "svc.b.svc.cluster.local");
    assert_eq!(
        from_b.answer(),
        Some(&Answer::ClusterIp {
            service: service(&dp, "b/svc"),
            ips: ips(&["10.96.1.1"]),
        })
    );
}

// docs: DNS for Services and Pods / resolv.conf(5): a name ending in a dot is
// absolute, tried only as is, never with a search suffix.
#[test]
fn search_path_trailing_dot_is_tried_only_as_is() {
    let dp = build(CLUSTER);
    let client = pod(&dp, "a/client");
    let r = dp.resolve_name("svc.b.svc.cluster.local.", Some(client));
    assert_eq!(
        r.queries,
        vec![q(
            "svc.b.svc.cluster.local",
            Some(Answer::ClusterIp {
                service: service(&dp, "b/svc"),
                ips: ips(&["10.96.1.1"]),
            })
        )]
    );
    // `svc.b.` is absolute too: no search suffix, so it leaves the cluster
    // domain and is forwarded upstream instead of finding b's Service.
    let r = dp.resolve_name("svc.b.", Some(client));
    assert_eq!(r.queries, vec![q("svc.b", Some(Answer::Upstream))]);
}

// docs: DNS for Services and Pods, "options ndots:5": fewer than five dots,
// the search list comes first (a fully qualified Service name with four dots
// costs three NXDOMAINs); five dots or more, the name is tried as is first.
#[test]
fn ndots_five_decides_whether_the_name_is_tried_as_is_first() {
    let dp = build(CLUSTER);
    let client = pod(&dp, "a/client");
    let four = dp.resolve_name("svc.b.svc.cluster.local", Some(client));
    let names: Vec<&str> = four.queries.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "svc.b.svc.cluster.local.a.svc.cluster.local",
            "svc.b.svc.cluster.local.svc.cluster.local",
            "svc.b.svc.cluster.local.cluster.local",
            "svc.b.svc.cluster.local",
        ]
    );
    assert!(four.queries[..3].iter().all(|q| q.answer.is_none()));
    assert!(matches!(four.answer(), Some(Answer::ClusterIp { .. })));

    // Five dots: tried as is first, answered at once.
    let five = dp.resolve_name("db-0.db.b.svc.cluster.local", Some(client));
    assert_eq!(five.queries.len(), 1, "{:#?}", five.queries);
    assert_eq!(five.queries[0].name, "db-0.db.b.svc.cluster.local");
    assert_eq!(
        five.answer(),
        Some(&Answer::PodHostname {
            pod: pod(&dp, "b/db-0"),
            ips: pod_ips(&dp, "b/db-0"),
        })
    );
}

// docs: DNS for Services and Pods, headless Services ("A/AAAA records ...
// resolve to the set of IPs of all of the Pods selected by the Service"),
// ready ones only (publishNotReadyAddresses unset).
#[test]
fn headless_service_returns_ready_pod_addresses() {
    let dp = build(CLUSTER);
    assert_eq!(pod_ips(&dp, "b/db-stale"), ips(&["10.244.0.200"]));
    let db0 = pod_ips(&dp, "b/db-0");
    let db1 = pod_ips(&dp, "b/db-1");
    assert_eq!(db0.len(), 1);
    assert_eq!(db1.len(), 1);
    let mut want = vec![db0[0], db1[0]];
    want.sort();
    assert_eq!(
        dp.lookup("db.b.svc.cluster.local"),
        Some(Answer::Headless {
            service: service(&dp, "b/db"),
            ips: want,
        })
    );
    assert!(cluster_ips(&dp, "b/db").is_empty());
}

// docs: DNS for Services and Pods, "A/AAAA records" of pods: a StatefulSet
// pod is `<pod>.<serviceName>.<ns>.svc.<domain>` (the controller sets
// hostname and subdomain).
#[test]
fn statefulset_pod_has_a_hostname_record_under_its_service() {
    let dp = build(CLUSTER);
    for name in ["db-0", "db-1"] {
        let p = pod(&dp, &format!("b/{name}"));
        assert_eq!(
            dp.lookup(&format!("{name}.db.b.svc.cluster.local")),
            Some(Answer::PodHostname {
                pod: p,
                ips: dp.cluster.pod(p).ips.clone(),
            })
        );
    }
    assert_eq!(dp.lookup("db-2.db.b.svc.cluster.local"), None);
    // Not under a Service that is not headless.
    assert_eq!(dp.lookup("web-0.svc.b.svc.cluster.local"), None);
}

// docs: Service, type ExternalName ("returns a CNAME record with the value
// of externalName").
#[test]
fn external_name_service_answers_a_cname() {
    let dp = build(CLUSTER);
    let r = dp.resolve_name("ext.b", Some(pod(&dp, "a/client")));
    assert_eq!(
        r.answer(),
        Some(&Answer::Cname {
            service: service(&dp, "b/ext"),
            target: "db.example.com".into(),
        })
    );
    assert_eq!(r.queries.len(), 2);
    assert!(cluster_ips(&dp, "b/ext").is_empty());
}

// docs: DNS for Services and Pods, SRV records ("_port-name._port-protocol.
// my-svc.my-namespace.svc.cluster-domain.example").
#[test]
fn srv_records_for_named_ports() {
    let dp = build(CLUSTER);
    assert_eq!(
        dp.lookup("_http._tcp.svc.b.svc.cluster.local"),
        Some(Answer::Srv {
            service: service(&dp, "b/svc"),
            records: vec![("svc.b.svc.cluster.local".into(), 80)],
        })
    );
    // Headless: one record per ready pod, named by its hostname.
    let Some(Answer::Srv { records, .. }) = dp.lookup("_sql._tcp.db.b.svc.cluster.local") else {
        panic!("no SRV answer for the headless Service");
    };
    let mut records = records;
    records.sort();
    assert_eq!(
        records,
        vec![
            ("db-0.db.b.svc.cluster.local".to_owned(), 5432),
            ("db-1.db.b.svc.cluster.local".to_owned(), 5432),
        ]
    );
    // Wrong protocol or unknown port name: NXDOMAIN.
    assert_eq!(dp.lookup("_http._udp.svc.b.svc.cluster.local"), None);
    assert_eq!(dp.lookup("_grpc._tcp.svc.b.svc.cluster.local"), None);
}

// docs/profile.md, `clusterDomain`; docs: DNS for Services and Pods (the
// search path is built from the cluster domain).
#[test]
fn custom_cluster_domain_from_the_profile() {
    let yaml = format!(
        "{CLUSTER}\n---\napiVersion: podnet.dev/v1alpha1\nkind: ClusterProfile\nmetadata: {{name: corp}}\nspec:\n  clusterDomain: corp.internal\n"
    );
    let dp = build(&yaml);
    assert_eq!(dp.profile.cluster_domain, "corp.internal");
    let r = dp.resolve_name("svc.b", Some(pod(&dp, "a/client")));
    let names: Vec<&str> = r.queries.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(
        names,
        ["svc.b.a.svc.corp.internal", "svc.b.svc.corp.internal"]
    );
    assert!(matches!(r.answer(), Some(Answer::ClusterIp { .. })));
    assert!(matches!(
        dp.lookup("svc.b.svc.corp.internal"),
        Some(Answer::ClusterIp { .. })
    ));
    // cluster.local is not the cluster's domain any more: forwarded upstream.
    assert_eq!(dp.lookup("svc.b.svc.cluster.local"), Some(Answer::Upstream));
}

// docs: DNS for Services and Pods, "A/AAAA records" of Pods:
// `a-b-c-d.<ns>.pod.<domain>` answers the address in the name.
#[test]
fn pod_a_record_decodes_the_dashed_address() {
    let dp = build(CLUSTER);
    assert_eq!(
        dp.lookup("10-244-1-2.b.pod.cluster.local"),
        Some(Answer::PodIp(ip("10.244.1.2")))
    );
    assert_eq!(dp.lookup("not-an-address.b.pod.cluster.local"), None);
}

// docs/dataplane.md, DNS: `dnsPolicy: Default` and host-network pods with
// `ClusterFirst` use the node's resolver, not the cluster DNS.
#[test]
fn dns_policy_default_and_host_network_use_the_node_resolver() {
    let yaml = format!(
        "{CLUSTER}{}",
        r#"
---
apiVersion: v1
kind: Pod
metadata: {name: plain, namespace: a}
spec:
  dnsPolicy: Default
  containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata: {name: host, namespace: a}
spec:
  hostNetwork: true
  containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: Pod
metadata: {name: host-cluster, namespace: a}
spec:
  hostNetwork: true
  dnsPolicy: ClusterFirstWithHostNet
  containers: [{name: c, image: busybox}]
"#
    );
    let dp = build(&yaml);
    for name in ["a/plain", "a/host"] {
        let r = dp.resolve_name("svc.b", Some(pod(&dp, name)));
        assert_eq!(r.nameserver, None, "{name}");
        assert_eq!(
            r.queries,
            vec![q("svc.b", Some(Answer::Upstream))],
            "{name}"
        );
    }
    let r = dp.resolve_name("svc.b", Some(pod(&dp, "a/host-cluster")));
    assert_eq!(r.nameserver, Some(ip("10.96.0.10")));
    assert_eq!(r.queries.len(), 2);
    assert!(matches!(r.answer(), Some(Answer::ClusterIp { .. })));
}

/// A headless Service without ports over the StatefulSet's pods (two ready,
/// `db-stale` not ready), a Deployment behind a headless Service, and a pod
/// with a subdomain but no hostname.
const MORE_HEADLESS: &str = r#"
---
apiVersion: v1
kind: Service
metadata: {name: db-any, namespace: b}
spec:
  clusterIP: None
  selector: {app: db}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: b}
spec:
  clusterIP: None
  selector: {app: api}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: b}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: api, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: lone, namespace: b, labels: {app: other}}
spec:
  subdomain: db
  containers: [{name: c, image: busybox}]
"#;

// docs: DNS for Services and Pods, headless Services: the A records are the
// ready endpoints, also for a Service without ports (the EndpointSlice
// controller still publishes its pods, with their ready condition).
#[test]
fn headless_service_without_ports_returns_only_ready_pods() {
    let dp = build(&format!("{CLUSTER}{MORE_HEADLESS}"));
    let mut want = vec![pod_ips(&dp, "b/db-0")[0], pod_ips(&dp, "b/db-1")[0]];
    want.sort();
    assert_eq!(
        dp.lookup("db-any.b.svc.cluster.local"),
        Some(Answer::Headless {
            service: service(&dp, "b/db-any"),
            ips: want,
        })
    );
}

// docs: DNS for Services and Pods, SRV records: for a headless Service, one
// per ready pod named `<hostname>.<svc>...` when the pod has a hostname
// under that Service, else by its dashed address (what CoreDNS does with an
// EndpointSlice endpoint without `hostname`).
#[test]
fn headless_srv_targets_of_pods_without_hostname_are_dashed_addresses() {
    let dp = build(&format!("{CLUSTER}{MORE_HEADLESS}"));
    let api = pod_ips(&dp, "b/api-0")[0];
    let dashed = api.to_string().replace('.', "-");
    let target = format!("{dashed}.api.b.svc.cluster.local");
    assert_eq!(
        dp.lookup("_http._tcp.api.b.svc.cluster.local"),
        Some(Answer::Srv {
            service: service(&dp, "b/api"),
            records: vec![(target.clone(), 8080)],
        })
    );
}

// docs: DNS for Services and Pods, "Pod's hostname and subdomain fields":
// "A and AAAA records are not created for Pod names since hostname is
// missing for the Pod": a subdomain without a hostname gives no record of
// its own.
#[test]
fn pod_with_a_subdomain_but_no_hostname_has_no_record_of_its_own() {
    let dp = build(&format!("{CLUSTER}{MORE_HEADLESS}"));
    assert_eq!(pod_ips(&dp, "b/lone").len(), 1);
    assert_eq!(dp.lookup("lone.db.b.svc.cluster.local"), None);
}
