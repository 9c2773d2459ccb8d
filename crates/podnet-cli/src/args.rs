//! The command line, as clap derives it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use podnet_cli::values::{
    self, ExplainEnd, NamespaceName, NetworkName, ObjectRef, TraceFrom, TraceTo,
};

/// podnet models a Kubernetes cluster's network from the YAML you deploy and
/// answers who can reach whom, on which ports, and why.
#[derive(Debug, Parser)]
#[command(name = "podnet", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Options shared by every command.
    #[command(flatten)]
    pub global: Global,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command.
#[derive(Debug, Args)]
pub struct Global {
    /// Stop at the first invalid document and print no result.
    #[arg(long, global = true)]
    pub strict: bool,
    /// How to print warnings and errors on stderr.
    #[arg(long, value_enum, default_value_t = ErrorFormatArg::Human, global = true)]
    pub error_format: ErrorFormatArg,
    /// When to colour stderr.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, global = true)]
    pub color: ColorArg,
    /// Do not print warnings (errors are still printed).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// A file holding the ClusterProfile to use (over one in the inputs and
    /// the default preset).
    #[arg(long, value_name = "FILE", global = true)]
    pub profile: Option<String>,
    /// How policies treat host-network pods: `node` (never selected, their
    /// traffic is their node's, which enters every pod of the node) or
    /// `pod` (selected by their labels like any pod); docs/semantics.md.
    #[arg(long, value_enum, default_value_t = HostNetworkArg::Node, global = true)]
    pub host_network: HostNetworkArg,
    /// Which pod addresses exist: `assigned` (pods without
    /// `status.podIP` get their node's next address) or `declared` (only
    /// addresses the input states; other pods match no ipBlock).
    #[arg(long, value_enum, default_value_t = PodAddressesArg::Assigned, global = true)]
    pub pod_addresses: PodAddressesArg,
    /// Keep documents the API server rejects when their meaning is clear
    /// (a name with `_`, unnamed ports of a multi-port Service, a container
    /// port without `containerPort`, an admin policy peer without a
    /// required selector), with a warning each; the exit status stays 2
    /// (docs/semantics.md).
    #[arg(long, global = true)]
    pub lenient: bool,
}

/// `--host-network`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum HostNetworkArg {
    /// Host-network traffic is node traffic.
    Node,
    /// Host-network pods are selected like other pods.
    Pod,
}

/// `--pod-addresses`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum PodAddressesArg {
    /// Pods without an address in the input get one from the profile.
    Assigned,
    /// Only addresses the input states exist.
    Declared,
}

impl Global {
    /// The dataplane options these flags set.
    pub fn dataplane_options(&self) -> podnet::dataplane::DataplaneOptions {
        podnet::dataplane::DataplaneOptions {
            host_network: match self.host_network {
                HostNetworkArg::Node => podnet::model::HostNetworkMode::Node,
                HostNetworkArg::Pod => podnet::model::HostNetworkMode::Pod,
            },
            pod_addresses: match self.pod_addresses {
                PodAddressesArg::Assigned => podnet::dataplane::PodAddresses::Assigned,
                PodAddressesArg::Declared => podnet::dataplane::PodAddresses::Declared,
            },
        }
    }
}

/// `--error-format`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ErrorFormatArg {
    /// With the offending line of the file.
    Human,
    /// One line per diagnostic: file:line:col: severity: message.
    Short,
    /// One JSON object per line (podnet.diagnostic/v1).
    Json,
}

/// `--color`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ColorArg {
    /// Colour when stderr is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the allowed connections between workloads and with outside addresses.
    Connlist(ConnlistArgs),
    /// Explain why traffic between two workloads, pods, services or addresses is allowed or denied.
    Explain(ExplainArgs),
    /// Follow one connection hop by hop: DNS, Service DNAT, routing, NAT and policy.
    Trace(Box<TraceArgs>),
    /// Ask the modelled cluster DNS a question as a pod's resolver would:
    /// every query with its answer section (docs/dns-json.md).
    Dns(DnsArgs),
    /// Check namespace strategy, policy hygiene, exposure, IPAM and load
    /// balancers; findings with stable codes (docs/audit.md).
    Audit(AuditArgs),
    /// Compare the connectivity of two versions: added, removed and changed
    /// flows.
    Diff(DiffArgs),
    /// Check ConnectivityIntents against the policies; counterexamples with
    /// their explanation (docs/intents.md).
    Verify(VerifyArgs),
    /// Show address allocation: node blocks, static pools, Service addresses, load balancers.
    Ipam(IpamArgs),
    /// Write one self-contained HTML page: overview, connectivity matrix
    /// and graph, explanations, findings, addresses, change (docs/report.md).
    Report(ReportArgs),
    /// Write least-privilege NetworkPolicies realising ConnectivityIntents,
    /// and check them (docs/synth.md).
    Synth(SynthArgs),
    /// Write a deterministic synthetic cluster (for benchmarks and trials).
    Generate(GenerateArgs),
    /// Build the cluster in Linux network namespaces, probe it with real
    /// packets and compare with the model (root; docs/lab.md).
    Lab(crate::cmd::lab::LabArgs),
    /// Print a shell completion script, generated from these definitions.
    Completions(CompletionsArgs),
    /// Write the manual page (roff), generated from these definitions.
    Man(ManArgs),
    /// The lab's listener inside a pod's namespace.
    #[command(hide = true)]
    LabListen(crate::cmd::lab::ListenArgs),
    /// The lab's prober inside a pod's namespace.
    #[command(hide = true)]
    LabProbe(crate::cmd::lab::ProbeAgentArgs),
}

/// `podnet completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `podnet man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write one page per command (`podnet.1`, `podnet-connlist.1`, ...)
    /// into this folder (created if missing) instead of printing `podnet.1`
    /// on stdout.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// `podnet trace`.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// Manifest files or directories (`-` for stdin).
    #[arg(required = true, value_name = "PATHS")]
    pub paths: Vec<String>,
    /// Source: a workload or pod (`ns/name`, `ns/Kind/name`), `node:NAME` or
    /// `external:IP`; for a URL destination it defaults to
    /// `external:203.0.113.10`.
    #[arg(long, value_name = "SRC", value_parser = TraceFrom::parse)]
    pub from: Option<TraceFrom>,
    /// Destination: a workload or pod (`ns/name`), a DNS name as typed in
    /// the source pod (`postgresql.data`), `IP[:PORT]` (pod IP, ClusterIP,
    /// node address for a NodePort, load-balancer address), or a URL
    /// (`https://host/path?query`) served through a Gateway, an Ingress or
    /// a Route.
    #[arg(long, value_name = "DST", value_parser = TraceTo::parse)]
    pub to: TraceTo,
    /// URL only: the request method (default GET), matched against
    /// HTTPRoute `method` matches.
    #[arg(long, value_name = "METHOD", value_parser = values::http_method)]
    pub method: Option<String>,
    /// URL only: a request header, matched against HTTPRoute and GRPCRoute
    /// `headers` matches (repeatable). `Host:NAME` sends another Host
    /// (authority) than the URL's host, which stays the connection's target
    /// and TLS server name.
    #[arg(long = "header", value_name = "NAME:VALUE", value_parser = values::http_header)]
    pub headers: Vec<(String, String)>,
    /// URL only: send the gRPC call SERVICE/METHOD (POST /SERVICE/METHOD),
    /// matched against GRPCRoutes; the URL gives host and port.
    #[arg(long, value_name = "SERVICE/METHOD", value_parser = values::grpc_call, conflicts_with = "method")]
    pub grpc: Option<podnet::dataplane::trace::GrpcCall>,
    /// URL only: ask this Gateway only (default: every Gateway with a
    /// listener for the URL, one path each).
    #[arg(long, value_name = "NS/NAME", value_parser = values::gateway_ref)]
    pub gateway: Option<(String, String)>,
    /// Destination port, 1-65535 (inferred when the destination has
    /// exactly one).
    #[arg(long, value_parser = values::port)]
    pub port: Option<u16>,
    /// Protocol.
    #[arg(long, value_enum, default_value_t = ProtocolArg::Tcp)]
    pub protocol: ProtocolArg,
    /// Output format: txt, or json (podnet.trace/v1, docs/trace-json.md).
    #[arg(short, long, value_enum, default_value_t = TextOrJson::Txt)]
    pub output: TextOrJson,
}

/// `podnet dns`.
#[derive(Debug, Args)]
pub struct DnsArgs {
    /// The name, as typed in the pod (`web.prod`) or fully qualified
    /// (`web.prod.svc.cluster.local.`), or an address (asks its PTR).
    #[arg(value_name = "NAME", value_parser = values::dns_question)]
    pub name: String,
    /// Manifest files or directories (`-` for stdin).
    #[arg(required = true, value_name = "PATHS")]
    pub paths: Vec<String>,
    /// The asking pod or workload (`ns/name`): its search path and ndots
    /// apply. Without it the name is asked as fully qualified.
    #[arg(long, value_name = "POD", value_parser = ObjectRef::parse)]
    pub from: Option<ObjectRef>,
    /// Query type.
    #[arg(long = "type", value_enum, default_value_t = DnsType::A)]
    pub qtype: DnsType,
    /// Output format: txt, or json (podnet.dns/v1, docs/dns-json.md).
    #[arg(short, long, value_enum, default_value_t = TextOrJson::Txt)]
    pub output: TextOrJson,
}

/// `--type` of `podnet dns`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DnsType {
    /// IPv4 addresses.
    #[value(name = "A")]
    A,
    /// IPv6 addresses.
    #[value(name = "AAAA")]
    Aaaa,
    /// Service locations.
    #[value(name = "SRV")]
    Srv,
    /// Names of an address.
    #[value(name = "PTR")]
    Ptr,
    /// Aliases.
    #[value(name = "CNAME")]
    Cname,
    /// Every record of the name.
    #[value(name = "ANY")]
    Any,
}

/// `podnet diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// OLD and NEW (files or directories); with `--git`, the paths to
    /// compare with their state at REV.
    #[arg(value_name = "PATHS")]
    pub paths: Vec<String>,
    /// Compare the working tree's PATHS with the same paths at this git
    /// revision of the repository they are in.
    #[arg(long, value_name = "REV", value_parser = values::git_revision)]
    pub git: Option<String>,
    /// Output format: txt, json (podnet.diff/v1, docs/diff-json.md), csv, md.
    #[arg(short, long, value_enum, default_value_t = DiffOutput::Txt)]
    pub output: DiffOutput,
    /// Exit 1 when there are differences (like `git diff --exit-code`).
    #[arg(long)]
    pub exit_code: bool,
    /// Match workloads by name and kind, ignoring their namespace (for
    /// migrations that move workloads between namespaces); they print as
    /// `*/name`.
    #[arg(long)]
    pub ignore_namespace: bool,
    /// List the flows that stayed the same too (`=` lines, `unchanged`
    /// rows).
    #[arg(long)]
    pub unchanged: bool,
}

/// `--output` of diff.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DiffOutput {
    /// `+`, `-` and `~` lines.
    Txt,
    /// podnet.diff/v1.
    Json,
    /// CSV with a header.
    Csv,
    /// A Markdown table.
    Md,
}

/// `podnet verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Manifest files or directories (`-` for stdin); ConnectivityIntents
    /// among them are checked.
    #[arg(required = true, value_name = "PATHS")]
    pub paths: Vec<String>,
    /// More intents, from these files (repeatable).
    #[arg(long, value_name = "FILE")]
    pub intents: Vec<String>,
    /// Output format: txt, json (podnet.verify/v1, docs/verify-json.md) or
    /// sarif.
    #[arg(short, long, value_enum, default_value_t = VerifyOutput::Txt)]
    pub output: VerifyOutput,
}

/// `--output` of verify.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum VerifyOutput {
    /// Text with explanations.
    Txt,
    /// podnet.verify/v1.
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

/// `podnet audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Manifest files or directories (`-` for stdin).
    #[arg(required_unless_present = "list_rules", value_name = "PATHS")]
    pub paths: Vec<String>,
    /// List every rule (code, severity, name, description) instead of
    /// auditing; with `-o json`, as JSON.
    #[arg(long)]
    pub list_rules: bool,
    /// Output format: txt, json (podnet.audit/v1, docs/audit-json.md) or
    /// sarif (SARIF 2.1.0 for code scanning).
    #[arg(short, long, value_enum, default_value_t = AuditOutput::Txt)]
    pub output: AuditOutput,
    /// Exit 1 when a finding of this severity or higher is reported.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<SeverityArg>,
    /// Do not run these rules (repeat or comma-separate codes).
    #[arg(long, value_name = "CODE", value_delimiter = ',', value_parser = values::rule_code)]
    pub disable: Vec<String>,
    /// Run only these rules (repeat or comma-separate codes).
    #[arg(long, value_name = "CODE", value_delimiter = ',', value_parser = values::rule_code)]
    pub only: Vec<String>,
}

/// `--output` of audit.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum AuditOutput {
    /// Text for people.
    Txt,
    /// podnet.audit/v1.
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

/// A finding severity on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SeverityArg {
    /// Any finding.
    Info,
    /// Warnings and errors.
    Warning,
    /// Errors only.
    Error,
}

/// `podnet synth`.
#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Manifest files or directories (`-` for stdin) holding the workloads;
    /// their policies are ignored (default: the --intents files).
    #[arg(value_name = "PATHS")]
    pub paths: Vec<String>,
    /// A file or directory of ConnectivityIntents to realise (repeatable).
    #[arg(long, required = true, value_name = "FILE")]
    pub intents: Vec<String>,
    /// Write one file per namespace, `DIR/<namespace>.yaml`, instead of
    /// one stream to stdout.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Output format: yaml, or json (a v1 List).
    #[arg(short, long, value_enum, default_value_t = SynthOutput::Yaml)]
    pub output: SynthOutput,
}

/// `--output` of synth.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SynthOutput {
    /// A YAML stream, each policy led by a comment naming its intents.
    Yaml,
    /// A `v1` `List` of the policies.
    Json,
}

/// `podnet report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Manifest files or directories (`-` for stdin).
    #[arg(required = true, value_name = "PATHS")]
    pub paths: Vec<String>,
    /// Compare with this older version (a file or directory; repeatable):
    /// the change part lists and marks the flows it adds, removes and
    /// changes.
    #[arg(long, value_name = "OLD", conflicts_with = "git")]
    pub compare: Vec<String>,
    /// Compare with the PATHS as they are at this git revision.
    #[arg(long, value_name = "REV", value_parser = values::git_revision)]
    pub git: Option<String>,
    /// More ConnectivityIntents to verify, from these files (repeatable);
    /// those in the inputs are always verified.
    #[arg(long, value_name = "FILE")]
    pub intents: Vec<String>,
    /// The file to write: the HTML page, or with `--output json` its data.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Output format: html (one self-contained page), or json (only the
    /// page's data, podnet.report/v1, docs/report.md).
    #[arg(short, long, value_enum, default_value_t = ReportOutput::Html)]
    pub output: ReportOutput,
}

/// `--output` of report.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ReportOutput {
    /// The self-contained HTML page.
    Html,
    /// The page's data document, `podnet.report/v1`.
    Json,
}

/// `podnet ipam`.
#[derive(Debug, Args)]
pub struct IpamArgs {
    /// Manifest files or directories (`-` for stdin).
    #[arg(required = true, value_name = "PATHS")]
    pub paths: Vec<String>,
    /// Output format: txt, or json (podnet.ipam/v1, docs/ipam-json.md).
    #[arg(short, long, value_enum, default_value_t = TextOrJson::Txt)]
    pub output: TextOrJson,
}

/// `podnet connlist`.
#[derive(Debug, Args)]
pub struct ConnlistArgs {
    /// Manifest files or directories (recursive: .yaml, .yml, .json); `-` reads stdin.
    #[arg(required = true, value_name = "PATHS")]
    pub paths: Vec<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = ConnlistOutput::Txt)]
    pub output: ConnlistOutput,
    /// Only connections from or to this workload (NS/NAME or NS/KIND/NAME).
    #[arg(long, value_name = "NS/NAME", value_parser = ObjectRef::parse)]
    pub focus_workload: Option<ObjectRef>,
    /// Only connections with an end in this namespace.
    #[arg(long, value_name = "NS", value_parser = NamespaceName::parse)]
    pub namespace: Option<NamespaceName>,
    /// Only this network: `default` (the pod network) or a Multus
    /// NetworkAttachmentDefinition `NS/NAME`. Without it, every network.
    #[arg(long, value_name = "NETWORK", value_parser = NetworkName::parse)]
    pub network: Option<NetworkName>,
    /// State the same connections in few lines: whole namespaces, label
    /// selectors, named workloads (podnet.connlist-groups/v1 in JSON;
    /// not with `dot`).
    #[arg(long)]
    pub group: bool,
}

/// `connlist --output`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ConnlistOutput {
    /// `src => dst : conns` lines.
    Txt,
    /// podnet.connlist/v1 (docs/connlist-json.md).
    Json,
    /// CSV with a header.
    Csv,
    /// A Markdown table.
    Md,
    /// A Graphviz graph.
    Dot,
}

/// `podnet explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Manifest files or directories; `-` reads stdin.
    #[arg(required = true, value_name = "PATHS")]
    pub paths: Vec<String>,
    /// The source: NS/NAME, NS/KIND/NAME (a workload, pod or service), an IP
    /// address, `ingress-controller` or `gateway:NS/NAME` (connlist's
    /// pseudo-peers: the controller's or proxy's pods, or the ALB).
    #[arg(long, value_name = "SRC", value_parser = ExplainEnd::parse)]
    pub from: ExplainEnd,
    /// The destination: NS/NAME, NS/KIND/NAME or an IP address.
    #[arg(long, value_name = "DST", value_parser = ExplainEnd::parse)]
    pub to: ExplainEnd,
    /// Judge this one port (1-65535).
    #[arg(long, value_parser = values::port)]
    pub port: Option<u16>,
    /// Protocol of --port.
    #[arg(long, value_enum, default_value_t = ProtocolArg::Tcp, requires = "port")]
    pub protocol: ProtocolArg,
    /// Output format: txt, or json (podnet.explain/v1, docs/explain-json.md).
    #[arg(short, long, value_enum, default_value_t = TextOrJson::Txt)]
    pub output: TextOrJson,
}

/// `--protocol`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ProtocolArg {
    /// TCP.
    #[value(name = "TCP", alias = "tcp")]
    Tcp,
    /// UDP.
    #[value(name = "UDP", alias = "udp")]
    Udp,
    /// SCTP.
    #[value(name = "SCTP", alias = "sctp")]
    Sctp,
}

/// `--output` of explain, trace and ipam: text, or the command's
/// documented JSON schema (named in each command's help).
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum TextOrJson {
    /// Text for people.
    Txt,
    /// The command's versioned JSON schema.
    Json,
}

/// `podnet generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Folder to write the manifests into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Number of pods, 1 to 1,000,000.
    #[arg(long, default_value_t = 1000, value_parser = values::generated_pods)]
    pub pods: u32,
    /// Number of workloads (pods are spread evenly), 1 to 100,000.
    #[arg(long, default_value_t = 100, value_parser = values::generated_workloads)]
    pub workloads: u32,
    /// Number of NetworkPolicies, up to 100,000.
    #[arg(long, default_value_t = 50, value_parser = values::generated_policies)]
    pub policies: u32,
    /// Random seed: the same seed gives the same files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Also write the running pods as `kubectl get pods -A -o json` prints them (pods.json).
    #[arg(long)]
    pub live: bool,
    /// Number of AdminNetworkPolicies, up to 1,000 (plus the
    /// BaselineAdminNetworkPolicy when not 0).
    #[arg(long, default_value_t = 0, value_parser = values::generated_admin_policies)]
    pub admin_policies: u32,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = GenerateOutput::Txt)]
    pub output: GenerateOutput,
}

/// `generate --output`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum GenerateOutput {
    /// A one-line summary.
    Txt,
    /// `{"files": [...], "namespaces": N, ...}`.
    Json,
}
