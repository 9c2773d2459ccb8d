//! Synthetic clusters shaped like the ones podnet's users run: team
//! namespaces with default deny, web/api/db/cache/worker tiers, DNS egress
//! to kube-system, ingress from the ingress controller on named ports,
//! monitoring scrapes with `endPort` ranges, namespaceSelectors across
//! teams, and egress to the internet through ipBlocks with `except`; a
//! Service per workload (headless for the databases) and a ClusterProfile.
//!
//! The same [`Params`] always give byte-identical manifests. With
//! [`Params::live`], the pods are also written as a running cluster prints
//! them (`kubectl get pods -A -o json`: a `List` of Pods with addresses and
//! owner references), so the reader's List and owner-chain paths and
//! address-aware identities are exercised at scale.

mod admin;
mod live;

use std::fmt::Write as _;

use rand::{RngExt, SeedableRng};
use rand_xorshift::XorShiftRng;

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    /// Total pods (spread over the workloads as replicas).
    pub pods: u32,
    /// Total workloads in the team namespaces.
    pub workloads: u32,
    /// Total NetworkPolicies (spread over the team namespaces).
    pub policies: u32,
    /// Random seed.
    pub seed: u64,
    /// Also write the running pods as a `kubectl get pods -o json` dump.
    pub live: bool,
    /// AdminNetworkPolicies to write (with a BaselineAdminNetworkPolicy
    /// when more than zero).
    pub admin_policies: u32,
}

/// One generated file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// File name, relative.
    pub name: String,
    /// YAML content.
    pub text: String,
}

/// A generated cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    /// The manifests, one file per namespace.
    pub files: Vec<File>,
    /// Namespaces written (teams and infrastructure).
    pub namespaces: u32,
    /// Workloads written.
    pub workloads: u32,
    /// Pods the workloads' replicas add up to.
    pub pods: u32,
    /// NetworkPolicies written.
    pub policies: u32,
}

/// Workloads per team namespace.
const PER_NAMESPACE: u32 = 20;
/// The tiers, cycled through within a namespace.
const TIERS: [Tier; 5] = [Tier::Web, Tier::Api, Tier::Db, Tier::Cache, Tier::Worker];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tier {
    Web,
    Api,
    Db,
    Cache,
    Worker,
}

impl Tier {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Tier::Web => "web",
            Tier::Api => "api",
            Tier::Db => "db",
            Tier::Cache => "cache",
            Tier::Worker => "worker",
        }
    }

    /// Container ports: (name, number, protocol).
    pub(crate) fn ports(self) -> &'static [(&'static str, u16, &'static str)] {
        match self {
            Tier::Web => &[("http", 8080, "TCP"), ("metrics", 9090, "TCP")],
            Tier::Api => &[
                ("https", 8443, "TCP"),
                ("grpc", 9000, "TCP"),
                ("metrics", 9091, "TCP"),
            ],
            Tier::Db => &[("postgres", 5432, "TCP"), ("metrics", 9187, "TCP")],
            Tier::Cache => &[("redis", 6379, "TCP"), ("metrics", 9121, "TCP")],
            Tier::Worker => &[("metrics", 9092, "TCP"), ("statsd", 8125, "UDP")],
        }
    }
}

/// Nodes the cluster's pods are spread over.
pub(crate) const NODES: u32 = 100;

/// The cluster profile: pods from 10.0.0.0/8 in /21 node blocks (room for
/// 2,046 pods a node), Services from 172.30.0.0/16, [`NODES`] nodes named
/// `node-000`... on 192.168.0.0/16 as the live dump names them.
fn profile() -> File {
    let mut text = String::from(
        "# The generated cluster's profile: address ranges and nodes.\napiVersion: podnet.dev/v1alpha1\nkind: ClusterProfile\nmetadata:\n  name: generated\nspec:\n  preset: kubeadm-flannel\n  clusterCIDRs: [10.0.0.0/8]\n  nodeMaskSizeIPv4: 21\n  serviceCIDRs: [172.30.0.0/16]\n  nodes:\n",
    );
    for n in 0..NODES {
        text.push_str(&format!(
            "  - {{name: node-{n:03}, internalIP: 192.168.{}.{}, maxPods: 2000}}\n",
            n / 250,
            n % 250 + 1
        ));
    }
    File {
        name: "profile.yaml".to_owned(),
        text,
    }
}

/// Generates a cluster.
pub fn generate(params: Params) -> Generated {
    let mut rng = XorShiftRng::seed_from_u64(params.seed);
    let teams = params.workloads.div_ceil(PER_NAMESPACE).max(1);
    let mut files = vec![infrastructure(), profile()];
    let mut workloads = 0;
    let mut pods = 0;
    let mut policies = 0;
    let mut specs = Vec::new();
    for t in 0..teams {
        let ns = format!("team-{t:04}");
        let n_workloads = PER_NAMESPACE.min(params.workloads.saturating_sub(t * PER_NAMESPACE));
        let mut text = String::new();
        namespace(&mut text, &ns, t, &mut rng);
        for w in 0..n_workloads {
            let index = t * PER_NAMESPACE + w;
            let spec = WorkloadSpec::new(&ns, w, share(params.pods, params.workloads, index));
            workload(&mut text, &spec);
            workloads += 1;
            pods += spec.replicas;
            specs.push(spec);
        }
        let budget = share(params.policies, teams, t);
        policies += team_policies(&mut text, &ns, t, teams, budget, &mut rng);
        files.push(File {
            name: format!("{ns}.yaml"),
            text,
        });
    }
    if params.admin_policies > 0 {
        files.push(admin::admin_policies(params.admin_policies, teams));
    }
    if params.live {
        files.push(File {
            name: "pods.json".to_owned(),
            text: live::pods_dump(&specs),
        });
    }
    Generated {
        files,
        namespaces: teams + 3,
        workloads,
        pods,
        policies,
    }
}

/// Item `i`'s share when `total` is spread evenly over `parts`.
fn share(total: u32, parts: u32, i: u32) -> u32 {
    let parts = parts.max(1);
    total / parts + u32::from(i < total % parts)
}

fn infrastructure() -> File {
    let text = r#"apiVersion: v1
kind: Namespace
metadata:
  name: kube-system
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: coredns
  namespace: kube-system
spec:
  replicas: 2
  selector:
    matchLabels:
      k8s-app: kube-dns
  template:
    metadata:
      labels:
        k8s-app: kube-dns
    spec:
      containers:
      - name: coredns
        image: registry.k8s.io/coredns/coredns:v1.11.1
        ports:
        - {name: dns, containerPort: 53, protocol: UDP}
        - {name: dns-tcp, containerPort: 53, protocol: TCP}
        - {name: metrics, containerPort: 9153, protocol: TCP}
---
apiVersion: v1
kind: Namespace
metadata:
  name: ingress-nginx
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ingress-nginx-controller
  namespace: ingress-nginx
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: ingress-nginx
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ingress-nginx
    spec:
      containers:
      - name: controller
        image: registry.k8s.io/ingress-nginx/controller:v1.10.0
        ports:
        - {name: http, containerPort: 80}
        - {name: https, containerPort: 443}
---
apiVersion: v1
kind: Namespace
metadata:
  name: monitoring
  labels:
    purpose: monitoring
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: prometheus
  namespace: monitoring
spec:
  replicas: 2
  serviceName: prometheus
  selector:
    matchLabels:
      app: prometheus
  template:
    metadata:
      labels:
        app: prometheus
    spec:
      containers:
      - name: prometheus
        image: quay.io/prometheus/prometheus:v2.51.0
        ports:
        - {name: web, containerPort: 9090}
"#;
    File {
        name: "00-infrastructure.yaml".to_owned(),
        text: text.to_owned(),
    }
}

fn namespace(out: &mut String, ns: &str, t: u32, rng: &mut XorShiftRng) {
    let env = if rng.random_range(0..4) == 0 {
        "staging"
    } else {
        "prod"
    };
    let _ = write!(
        out,
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  labels:\n    team: {ns}\n    env: {env}\n    group: g{}\n",
        t % 10
    );
}

/// One workload of a team namespace.
pub(crate) struct WorkloadSpec {
    /// Namespace.
    pub(crate) ns: String,
    /// Name (`<tier>-<nn>`).
    pub(crate) name: String,
    /// Tier.
    pub(crate) tier: Tier,
    /// Replicas.
    pub(crate) replicas: u32,
    /// `version` label value.
    pub(crate) version: u32,
}

impl WorkloadSpec {
    fn new(ns: &str, w: u32, replicas: u32) -> Self {
        let tier = TIERS[(w % 5) as usize];
        WorkloadSpec {
            ns: ns.to_owned(),
            name: format!("{}-{w:02}", tier.name()),
            tier,
            replicas,
            version: w % 3 + 1,
        }
    }

    /// Databases run as StatefulSets, everything else as Deployments.
    pub(crate) fn kind(&self) -> &'static str {
        if self.tier == Tier::Db {
            "StatefulSet"
        } else {
            "Deployment"
        }
    }
}

fn workload(out: &mut String, spec: &WorkloadSpec) {
    let WorkloadSpec {
        ns,
        name,
        tier,
        replicas,
        version,
    } = spec;
    let kind = spec.kind();
    let service_name = if *tier == Tier::Db {
        format!("\n  serviceName: {name}")
    } else {
        String::new()
    };
    let _ = write!(
        out,
        "---\napiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels:\n    app: {name}\nspec:\n  replicas: {replicas}{service_name}\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n        tier: {tier}\n        version: v{version}\n    spec:\n      containers:\n      - name: main\n        image: registry.example.com/{ns}/{name}:1.0\n        ports:\n",
        tier = tier.name(),
    );
    for (pname, port, proto) in tier.ports() {
        let _ = writeln!(
            out,
            "        - {{name: {pname}, containerPort: {port}, protocol: {proto}}}"
        );
    }
    // Its Service (headless for the StatefulSets' stable names), by port name.
    let headless = if *tier == Tier::Db {
        "\n  clusterIP: None"
    } else {
        ""
    };
    let _ = write!(
        out,
        "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:{headless}\n  selector:\n    app: {name}\n  ports:\n"
    );
    for (pname, port, proto) in tier.ports() {
        let _ = writeln!(
            out,
            "  - {{name: {pname}, port: {port}, protocol: {proto}, targetPort: {pname}}}"
        );
    }
}

fn policy_header(out: &mut String, ns: &str, name: &str) {
    let _ = write!(
        out,
        "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n"
    );
}

/// Writes up to `budget` policies for one team; returns how many.
fn team_policies(
    out: &mut String,
    ns: &str,
    t: u32,
    teams: u32,
    budget: u32,
    rng: &mut XorShiftRng,
) -> u32 {
    let partner = format!("team-{:04}", rng.random_range(0..teams));
    let partner_cidr = format!("203.0.{}.0/24", t % 256);
    let templates: [&dyn Fn(&mut String); 10] = [
        &|o| {
            policy_header(o, ns, "default-deny");
            o.push_str("  podSelector: {}\n  policyTypes: [Ingress, Egress]\n");
        },
        &|o| {
            policy_header(o, ns, "allow-dns");
            o.push_str("  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector:\n        matchLabels:\n          kubernetes.io/metadata.name: kube-system\n      podSelector:\n        matchLabels:\n          k8s-app: kube-dns\n    ports:\n    - {protocol: UDP, port: 53}\n    - {protocol: TCP, port: 53}\n");
        },
        &|o| {
            policy_header(o, ns, "web-from-ingress");
            o.push_str("  podSelector:\n    matchLabels:\n      tier: web\n  ingress:\n  - from:\n    - namespaceSelector:\n        matchLabels:\n          kubernetes.io/metadata.name: ingress-nginx\n    ports:\n    - port: http\n");
        },
        &|o| {
            policy_header(o, ns, "api-from-web");
            o.push_str("  podSelector:\n    matchLabels:\n      tier: api\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels:\n          tier: web\n    ports:\n    - port: https\n    - {port: 9000, endPort: 9010}\n");
        },
        &|o| {
            policy_header(o, ns, "web-to-api");
            o.push_str("  podSelector:\n    matchLabels:\n      tier: web\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - podSelector:\n        matchLabels:\n          tier: api\n    ports:\n    - {port: 8443}\n    - {port: 9000, endPort: 9010}\n");
        },
        &|o| {
            policy_header(o, ns, "data-from-backends");
            o.push_str("  podSelector:\n    matchExpressions:\n    - {key: tier, operator: In, values: [db, cache]}\n  ingress:\n  - from:\n    - podSelector:\n        matchExpressions:\n        - {key: tier, operator: In, values: [api, worker]}\n    ports:\n    - port: postgres\n    - port: redis\n");
        },
        &|o| {
            policy_header(o, ns, "backends-to-data");
            o.push_str("  podSelector:\n    matchExpressions:\n    - {key: tier, operator: In, values: [api, worker]}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - podSelector:\n        matchExpressions:\n        - {key: tier, operator: In, values: [db, cache]}\n    ports:\n    - {port: 5432}\n    - {port: 6379}\n");
        },
        &|o| {
            policy_header(o, ns, "allow-scrape");
            o.push_str("  podSelector:\n    matchExpressions:\n    - {key: tier, operator: Exists}\n  ingress:\n  - from:\n    - namespaceSelector:\n        matchLabels:\n          purpose: monitoring\n      podSelector:\n        matchLabels:\n          app: prometheus\n    ports:\n    - {port: 9090, endPort: 9199}\n");
        },
        &|o| {
            policy_header(o, ns, "egress-internet");
            let _ = write!(
                o,
                "  podSelector:\n    matchLabels:\n      tier: worker\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - ipBlock:\n        cidr: 0.0.0.0/0\n        except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]\n    ports:\n    - {{port: 443}}\n  - to:\n    - ipBlock:\n        cidr: {partner_cidr}\n    ports:\n    - {{port: 8443}}\n"
            );
        },
        &|o| {
            policy_header(o, ns, "api-to-partner");
            let _ = write!(
                o,
                "  podSelector:\n    matchLabels:\n      tier: api\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector:\n        matchLabels:\n          team: {partner}\n      podSelector:\n        matchLabels:\n          tier: api\n    ports:\n    - port: https\n"
            );
        },
    ];
    let mut written = 0;
    for (i, template) in templates.iter().cycle().take(budget as usize).enumerate() {
        if i >= templates.len() {
            // More policies than templates: extra per-workload allowances.
            policy_header(out, ns, &format!("extra-{i}"));
            let _ = write!(
                out,
                "  podSelector:\n    matchLabels:\n      app: web-{:02}\n  ingress:\n  - from:\n    - namespaceSelector:\n        matchLabels:\n          group: g{}\n    ports:\n    - port: http\n",
                (i % 4) * 5,
                rng.random_range(0..10)
            );
        } else {
            template(out);
        }
        written += 1;
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_files() {
        let p = Params {
            pods: 200,
            workloads: 40,
            policies: 25,
            seed: 7,
            live: false,
            admin_policies: 3,
        };
        assert_eq!(generate(p), generate(p));
        let g = generate(p);
        assert_eq!((g.workloads, g.pods, g.policies), (40, 200, 25));
        assert_ne!(generate(Params { seed: 8, ..p }).files, g.files);
    }

    #[test]
    fn uneven_counts_add_up() {
        let g = generate(Params {
            pods: 1001,
            workloads: 33,
            policies: 7,
            seed: 1,
            live: false,
            admin_policies: 0,
        });
        assert_eq!((g.workloads, g.pods, g.policies), (33, 1001, 7));
    }
}
