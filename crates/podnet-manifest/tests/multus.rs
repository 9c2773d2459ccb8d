//! Loading Multus objects end to end with `load_files`:
//! NetworkAttachmentDefinitions of each CNI and IPAM type, the pods'
//! `k8s.v1.cni.cncf.io/networks` selections in both forms,
//! MultiNetworkPolicies with `policy-for`, and every error with its field
//! path and line.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failure is a test failure

use podnet_model::{CniType, IpamKind, NetworkRef};

mod common;
use common::{errors, load, only_error, warnings};

fn one_error(text: &str, path: &str, line: u32) -> String {
    let (l, message) = only_error(text, path, line);
    let _ = l;
    message
}

fn nad(name: &str, config: &str) -> String {
    format!(
        "apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata:\n  name: {name}\n  namespace: tel\nspec:\n  config: '{config}'\n---\n"
    )
}

const ANNOTATION_PATH: &str = "metadata.annotations[k8s.v1.cni.cncf.io/networks]";

#[test]
fn nads_of_each_cni_and_ipam_type() {
    let text = [
        nad(
            "sriov-cp",
            r#"{"cniVersion": "0.3.1", "type": "sriov", "vlan": 100, "ipam": {"type": "static", "addresses": [{"address": "172.20.0.5/16", "gateway": "172.20.0.1"}]}}"#,
        ),
        nad(
            "ovs-up",
            r#"{"type": "ovs", "bridge": "br-up", "vlan": 200, "ipam": {"type": "whereabouts", "range": "172.21.0.0/24", "exclude": ["172.21.0.0/28"]}}"#,
        ),
        nad(
            "mac",
            r#"{"type": "macvlan", "master": "eth1", "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.10.0.0/24", "rangeStart": "10.10.0.100", "rangeEnd": "10.10.0.200", "gateway": "10.10.0.1"}]], "routes": [{"dst": "0.0.0.0/0"}]}}"#,
        ),
        nad("ipv", r#"{"type": "ipvlan", "master": "eth2", "ipam": {"type": "dhcp"}}"#),
        nad(
            "br",
            r#"{"cniVersion": "0.4.0", "name": "br", "plugins": [{"type": "bridge", "bridge": "br0", "ipam": {"type": "host-local", "subnet": "10.20.0.0/16"}}, {"type": "tuning"}]}"#,
        ),
        nad("dev", r#"{"type": "host-device", "device": "ens5f1", "ipam": {}}"#),
        nad("other", r#"{"type": "kube-ovn", "ipam": {"type": "kube-ovn"}}"#),
    ]
    .concat();
    let l = load(&text);
    assert!(errors(&l).is_empty(), "{:#?}", errors(&l));
    let n = &l.cluster.networks;
    assert_eq!(n.len(), 7);
    let by = |name: &str| n.iter().find(|x| x.name == name).unwrap();
    assert_eq!(l.cluster.namespace(by("mac").namespace).name, "tel");
    assert_eq!(by("mac").meta.source.line, Some(17));

    let sriov = &by("sriov-cp").config;
    assert_eq!(
        (sriov.cni_type.clone(), sriov.vlan),
        (CniType::Sriov, Some(100))
    );
    let ipam = sriov.ipam.as_ref().unwrap();
    assert_eq!(ipam.kind, IpamKind::Static);
    assert_eq!(ipam.addresses[0].address.to_string(), "172.20.0.5/16");

    let ovs = &by("ovs-up").config;
    assert_eq!(ovs.cni_type, CniType::Ovs);
    assert_eq!(ovs.bridge.as_deref(), Some("br-up"));
    let r = &ovs.ipam.as_ref().unwrap().ranges[0][0];
    assert_eq!(r.subnet.to_string(), "172.21.0.0/24");
    assert_eq!(r.exclude[0].to_string(), "172.21.0.0/28");

    let mac = &by("mac").config;
    assert_eq!(mac.master.as_deref(), Some("eth1"));
    let ipam = mac.ipam.as_ref().unwrap();
    assert_eq!(ipam.kind, IpamKind::HostLocal);
    assert_eq!(ipam.ranges[0][0].range_start, "10.10.0.100".parse().ok());
    assert_eq!(ipam.routes[0].dst.to_string(), "0.0.0.0/0");

    assert_eq!(by("ipv").config.cni_type, CniType::Ipvlan);
    assert_eq!(by("ipv").config.ipam.as_ref().unwrap().kind, IpamKind::Dhcp);
    let br = &by("br").config;
    assert_eq!(br.cni_type, CniType::Bridge);
    assert_eq!(
        br.ipam.as_ref().unwrap().ranges[0][0].subnet.to_string(),
        "10.20.0.0/16"
    );
    assert_eq!(by("dev").config.cni_type, CniType::HostDevice);
    assert_eq!(by("dev").config.master.as_deref(), Some("ens5f1"));
    assert!(by("dev").config.ipam.is_none());
    assert_eq!(
        by("other").config.ipam.as_ref().unwrap().kind,
        IpamKind::Other("kube-ovn".into())
    );
}

#[test]
fn block_scalar_config_and_missing_config() {
    let text = "apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata: {name: a, namespace: tel}
spec:
  config: |
    {
      \"type\": \"macvlan\",
      \"master\": \"eth1\",
      \"ipam\": {\"type\": \"whereabouts\", \"range\": \"10.1.0.10-10.1.0.20/24\", \"unknownKey\": 1}
    }
---
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata: {name: b, namespace: tel}
";
    let l = load(text);
    assert!(errors(&l).is_empty(), "{:#?}", errors(&l));
    assert_eq!(l.cluster.networks.len(), 2);
    let r = &l.cluster.networks[0].config.ipam.as_ref().unwrap().ranges[0][0];
    assert_eq!(r.range_start, "10.1.0.10".parse().ok());
    assert_eq!(r.range_end, "10.1.0.20".parse().ok());
    let w = warnings(&l);
    assert!(w.iter().any(|m| m.contains("no `spec.config`")), "{w:#?}");
}

const PODS: &str = "apiVersion: v1
kind: Pod
metadata:
  name: amf
  namespace: tel
  annotations:
    k8s.v1.cni.cncf.io/networks: sriov-cp@eth1, other/ovs-up
spec:
  containers: [{name: c, image: i}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: upf, namespace: tel}
spec:
  replicas: 2
  selector: {matchLabels: {app: upf}}
  template:
    metadata:
      labels: {app: upf}
      annotations:
        k8s.v1.cni.cncf.io/networks: '[{\"name\": \"sriov-cp\", \"interface\": \"eth1\", \"ips\": [\"172.20.0.9/16\"], \"mac\": \"02:00:00:00:00:09\"}]'
    spec:
      containers: [{name: c, image: i}]
";

#[test]
fn pods_select_networks_in_both_forms() {
    let text = format!(
        "{}{}{PODS}",
        nad("sriov-cp", r#"{"type": "sriov"}"#),
        "apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata: {name: ovs-up, namespace: other}\nspec: {config: '{\"type\": \"ovs\"}'}\n---\n"
    );
    let l = load(&text);
    assert!(errors(&l).is_empty(), "{:#?}", errors(&l));
    assert!(warnings(&l).is_empty(), "{:#?}", warnings(&l));
    let c = &l.cluster;
    let amf = c.pods.iter().find(|p| p.name == "amf").unwrap();
    let n = &amf.net.networks;
    assert_eq!(n.len(), 2);
    assert_eq!(n[0].name, "sriov-cp");
    assert_eq!(n[0].interface.as_deref(), Some("eth1"));
    assert_eq!(n[0].namespace, None);
    assert_eq!(n[1].network("tel"), NetworkRef::new("other", "ovs-up"));
    assert_eq!(n[0].line, Some(20));

    let upf: Vec<_> = c
        .pods
        .iter()
        .filter(|p| p.name.starts_with("upf"))
        .collect();
    assert_eq!(upf.len(), 2);
    for p in upf {
        let s = &p.net.networks[0];
        assert_eq!(s.ips[0].to_string(), "172.20.0.9/16");
        assert_eq!(s.mac.as_deref(), Some("02:00:00:00:00:09"));
        assert_eq!(s.line, Some(34));
    }
}

#[test]
fn undefined_networks_are_warned_naming_pod_and_network() {
    let l = load(PODS);
    assert!(errors(&l).is_empty(), "{:#?}", errors(&l));
    let w = warnings(&l);
    assert_eq!(w.len(), 3, "{w:#?}");
    assert!(
        w[0].contains("pod tel/amf selects network `tel/sriov-cp`"),
        "{w:#?}"
    );
    assert!(w[0].contains("test.yaml:7"), "{w:#?}");
    assert!(w[1].contains("`other/ovs-up`"), "{w:#?}");
    assert!(
        w[2].contains("Deployment tel/upf selects network `tel/sriov-cp`"),
        "{w:#?}"
    );
}

#[test]
fn bad_annotations_are_errors_at_the_annotation() {
    for (value, needle) in [
        ("a/b/c", "more than one `/`"),
        ("net@e1@e2", "more than one `@`"),
        ("Net1", "lower case"),
        ("net1@a-very-long-interface", "interface name"),
        ("'[{\"name\": \"x\"'", "invalid JSON network selection"),
        (
            "'[{\"name\": \"x\", \"ips\": [\"10.0.0.0/40\"]}]'",
            "not a valid IP",
        ),
    ] {
        let text = format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    k8s.v1.cni.cncf.io/networks: {value}\nspec:\n  containers: [{{name: c, image: i}}]\n"
        );
        let m = one_error(&text, ANNOTATION_PATH, 6);
        assert!(m.contains(needle), "{value}: {m}");
    }
}

#[test]
fn bad_configs_are_errors_at_spec_config() {
    for (config, needle) in [
        ("{\"type\": \"sriov\"", "invalid JSON in `spec.config`"),
        (
            r#"{"type": "macvlan", "ipam": {"type": "host-local", "subnet": "10.0.0.0/33"}}"#,
            "not a valid CIDR",
        ),
        (
            r#"{"type": "macvlan", "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.0.0.0/24", "rangeStart": "10.9.0.1"}]]}}"#,
            "`ipam.ranges[0][0].rangeStart`: `10.9.0.1` is outside subnet `10.0.0.0/24`",
        ),
        (r#"{"type": "ovs", "vlan": 9999}"#, "`vlan`"),
        (
            r#"{"type": "ovs", "ipam": {"type": "whereabouts"}}"#,
            "`range` or `ipRanges`",
        ),
        (
            r#"{"type": "ovs", "ipam": {"type": "static", "addresses": [{"address": "10.1.1.5"}]}}"#,
            "prefix length",
        ),
    ] {
        let m = one_error(&nad("net-a", config), "spec.config", 7);
        assert!(m.contains(needle), "{config}: {m}");
    }
}

const MNP: &str = "apiVersion: k8s.cni.cncf.io/v1beta1
kind: MultiNetworkPolicy
metadata:
  name: up-only-from-smf
  namespace: tel
  annotations:
    k8s.v1.cni.cncf.io/policy-for: ovs-up, core/sriov-cp
spec:
  podSelector: {matchLabels: {app: upf}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector: {matchLabels: {app: smf}}
    - ipBlock: {cidr: 172.21.0.0/24}
    ports:
    - {protocol: UDP, port: 8805}
";

#[test]
fn multi_network_policies_reuse_network_policy_lowering() {
    let text = format!(
        "{}{}{MNP}",
        nad("ovs-up", r#"{"type": "ovs"}"#),
        "apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata: {name: sriov-cp, namespace: core}\nspec: {config: '{\"type\": \"sriov\"}'}\n---\n"
    );
    let l = load(&text);
    assert!(errors(&l).is_empty(), "{:#?}", errors(&l));
    assert!(warnings(&l).is_empty(), "{:#?}", warnings(&l));
    assert!(l.cluster.policies.is_empty(), "not a NetworkPolicy");
    let m = &l.cluster.multi_policies[0];
    assert_eq!(m.policy.meta.kind, "MultiNetworkPolicy");
    assert_eq!(m.policy.meta.qualified_name(), "tel/up-only-from-smf");
    assert_eq!(l.cluster.namespace(m.policy.namespace).name, "tel");
    assert!(m.policy.affects_ingress && !m.policy.affects_egress);
    assert_eq!(m.policy.ingress[0].peers.len(), 2);
    assert_eq!(
        m.policy_for,
        [
            NetworkRef::new("tel", "ovs-up"),
            NetworkRef::new("core", "sriov-cp")
        ]
    );
}

#[test]
fn multi_network_policy_problems() {
    let bad_types = MNP.replace("policyTypes: [Ingress]", "policyTypes: [Sideways]");
    one_error(&bad_types, "spec.policyTypes[0]", 10);
    let bad_for = MNP.replace("ovs-up, core/sriov-cp", "a/b/c");
    let m = one_error(
        &bad_for,
        "metadata.annotations[k8s.v1.cni.cncf.io/policy-for]",
        7,
    );
    assert!(m.contains("a/b/c"), "{m}");
    let v1 = MNP.replace("v1beta1", "v1");
    one_error(&v1, "apiVersion", 1);

    let unannotated = MNP.replace(
        "  annotations:\n    k8s.v1.cni.cncf.io/policy-for: ovs-up, core/sriov-cp\n",
        "",
    );
    let l = load(&unannotated);
    assert!(errors(&l).is_empty(), "{:#?}", errors(&l));
    assert!(l.cluster.multi_policies[0].policy_for.is_empty());
    let w = warnings(&l);
    assert!(
        w.iter().any(|m| m.contains("applies to no network")),
        "{w:#?}"
    );

    let l = load(MNP);
    let w = warnings(&l);
    assert_eq!(w.len(), 2, "{w:#?}");
    assert!(
        w[0].contains("is for network `tel/ovs-up`, which no NetworkAttachmentDefinition defines")
    );
}

#[test]
fn a_second_definition_replaces_the_first() {
    let text = [
        nad("net-a", r#"{"type": "sriov"}"#),
        nad("net-a", r#"{"type": "ovs"}"#),
    ]
    .concat();
    let l = load(&text);
    assert_eq!(l.cluster.networks.len(), 1);
    assert_eq!(l.cluster.networks[0].config.cni_type, CniType::Ovs);
    assert!(warnings(&l)[0].contains("defined twice"));
}
