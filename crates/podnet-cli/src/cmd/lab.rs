//! `podnet lab up|probe|down|run|plan`: the modelled cluster built in
//! network namespaces and probed with real packets (crate `podnet-lab`),
//! plus the hidden agents that run inside the pods' namespaces
//! (`lab-listen`, `lab-probe`).

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use podnet::lab::probe::{ProbeOptions, ProbeReport};
use podnet::lab::{LabError, LabPlan, RenderOptions, TransportChoice};
use podnet::lab_run::{self, LabRunError};
use podnet_cli::values;

use crate::args::TextOrJson;
use crate::session::{Session, Status};

/// `podnet lab`.
#[derive(Debug, Args)]
pub struct LabArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: LabCommand,
}

/// The lab's commands.
#[derive(Debug, Subcommand)]
pub enum LabCommand {
    /// Build the cluster in network namespaces (root): nodes, pods,
    /// routes, nftables policy, listeners.
    Up(UpArgs),
    /// Probe every pod from every pod and compare with the engine
    /// (exit 1 on any disagreement).
    Probe(ProbeArgs),
    /// Remove a lab (every lab's leftovers without `--id`).
    Down(DownArgs),
    /// Up, probe, down: the everyday way to use the lab.
    Run(RunArgs),
    /// Print the plan `up` would build, without building it (no root
    /// needed).
    Plan(PlanArgs),
}

/// Where the lab comes from.
#[derive(Debug, Args)]
pub struct UpArgs {
    /// Manifest files or directories (`-` for stdin).
    #[arg(required = true, value_name = "PATHS")]
    pub paths: Vec<String>,
    /// How pods on different nodes reach each other: as the profile's CNI
    /// does (VXLAN when it encapsulates in VXLAN), or plain routes.
    #[arg(long, value_enum, default_value_t = TransportArg::Profile)]
    pub transport: TransportArg,
    /// Do not translate or probe Service ClusterIPs.
    #[arg(long)]
    pub no_services: bool,
}

/// `podnet lab plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The cluster.
    #[command(flatten)]
    pub up: UpArgs,
    /// Output format: txt, or json (the state file's form).
    #[arg(short, long, value_enum, default_value_t = TextOrJson::Txt)]
    pub output: TextOrJson,
}

/// `--transport`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum TransportArg {
    /// As the profile's CNI mode.
    Profile,
    /// Plain routes via the node addresses.
    Routes,
}

/// How to probe.
#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// The lab's id (needed only when several are up).
    #[arg(long, value_parser = values::lab_id)]
    pub id: Option<String>,
    /// How to probe and print.
    #[command(flatten)]
    pub probing: ProbingArgs,
}

/// How `probe` and `run` probe and print.
#[derive(Debug, Args)]
pub struct ProbingArgs {
    /// Output format: txt (truth tables), or json (podnet.lab/v1).
    #[arg(short, long, value_enum, default_value_t = TextOrJson::Txt)]
    pub output: TextOrJson,
    /// How long a probe waits for an answer, in milliseconds.
    #[arg(long, default_value_t = 1000, value_parser = values::timeout_ms)]
    pub timeout_ms: u64,
    /// How many pods probe at once.
    #[arg(long, default_value_t = 16, value_parser = values::jobs)]
    pub jobs: usize,
}

/// `podnet lab down`.
#[derive(Debug, Args)]
pub struct DownArgs {
    /// The lab's id; without it, every lab's leftovers are removed.
    #[arg(long, value_parser = values::lab_id)]
    pub id: Option<String>,
}

/// `podnet lab run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The cluster.
    #[command(flatten)]
    pub up: UpArgs,
    /// How to probe and print.
    #[command(flatten)]
    pub probing: ProbingArgs,
}

/// `podnet lab-listen` (hidden): the listener inside a pod's namespace.
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// TCP ports.
    #[arg(long, value_delimiter = ',', value_parser = values::port)]
    pub tcp: Vec<u16>,
    /// UDP ports.
    #[arg(long, value_delimiter = ',', value_parser = values::port)]
    pub udp: Vec<u16>,
    /// SCTP ports.
    #[arg(long, value_delimiter = ',', value_parser = values::port)]
    pub sctp: Vec<u16>,
}

/// `podnet lab-probe` (hidden): the prober inside a pod's namespace; reads
/// `PROTO IP PORT` lines on stdin.
#[derive(Debug, Args)]
pub struct ProbeAgentArgs {
    /// How long a probe waits, in milliseconds.
    #[arg(long, default_value_t = 1000, value_parser = values::timeout_ms)]
    pub timeout_ms: u64,
}

/// Runs `podnet lab ...`.
pub fn run(session: &Session, args: &LabArgs) -> Status {
    match &args.command {
        LabCommand::Plan(a) => plan(session, a),
        LabCommand::Up(a) => {
            if let Err(s) = ready(session) {
                return s;
            }
            match up(session, a) {
                Ok(plan) => {
                    let _ = writeln!(
                        io::stderr(),
                        "podnet lab {}: up ({} nodes, {} pods); `podnet lab probe`, then `podnet lab down --id {}`",
                        plan.id,
                        plan.nodes.len(),
                        plan.pods.len(),
                        plan.id
                    );
                    Status::Ok
                }
                Err(s) => s,
            }
        }
        LabCommand::Probe(a) => {
            if let Err(s) = ready(session) {
                return s;
            }
            let plan = match lab_run::find(a.id.as_deref()) {
                Ok(p) => p,
                Err(e) => return lab_run_error(session, e),
            };
            probe_and_print(session, &plan, a.probing.output, options(&a.probing), false)
        }
        LabCommand::Down(a) => {
            if let Err(s) = ready(session) {
                return s;
            }
            down(session, a.id.as_deref())
        }
        LabCommand::Run(a) => {
            if let Err(s) = ready(session) {
                return s;
            }
            let plan = match up(session, &a.up) {
                Ok(p) => p,
                Err(s) => return s,
            };
            let status =
                probe_and_print(session, &plan, a.probing.output, options(&a.probing), true);
            let down = down_quiet(session, &plan.id);
            if down == Status::Error {
                Status::Error
            } else {
                status
            }
        }
    }
}

/// Runs `podnet lab-listen`.
pub fn listen(args: &ListenArgs) -> Status {
    match podnet::lab::agent::listen(&args.tcp, &args.udp, &args.sctp) {
        Ok(()) => Status::Ok,
        Err(_) => Status::Error,
    }
}

/// Runs `podnet lab-probe`.
pub fn probe_agent(args: &ProbeAgentArgs) -> Status {
    let stdin = io::stdin().lock();
    let mut out = io::stdout().lock();
    match podnet::lab::agent::probe_lines(stdin, &mut out, Duration::from_millis(args.timeout_ms)) {
        Ok(()) => Status::Ok,
        Err(_) => Status::Error,
    }
}

fn options(probing: &ProbingArgs) -> ProbeOptions {
    ProbeOptions {
        timeout: Duration::from_millis(probing.timeout_ms),
        jobs: probing.jobs,
    }
}

/// Checks root and tools, and installs the Ctrl-C handler.
fn ready(session: &Session) -> Result<(), Status> {
    if let Err(e) = podnet::lab::preflight::check() {
        return Err(lab_error(session, &e));
    }
    podnet::lab::cancel::install();
    Ok(())
}

fn lab_error(session: &Session, e: &LabError) -> Status {
    session.error(&e.to_string())
}

/// The facade's lifecycle errors, worded with the commands that help.
fn lab_run_error(session: &Session, e: LabRunError) -> Status {
    let e = match e {
        LabRunError::Lab(e) => e,
        LabRunError::Leftovers(ids) => LabError::Leftovers(format!(
            "run {} (remove with `podnet lab down`, or `podnet lab down --id ID` for one)",
            ids.join(", ")
        )),
        LabRunError::NoLab => LabError::NoLab("(any)".to_owned()),
        LabRunError::Several(ids) => {
            LabError::NoLab(format!("(several are: {}; pass --id)", ids.join(", ")))
        }
    };
    lab_error(session, &e)
}

/// Reads the manifests and renders the plan of run `id`.
fn render(session: &Session, args: &UpArgs, id: &str) -> Result<LabPlan, Status> {
    let analysis = session.analyse(&args.paths).ok_or(Status::Error)?;
    let options = RenderOptions {
        transport: match args.transport {
            TransportArg::Profile => TransportChoice::Profile,
            TransportArg::Routes => TransportChoice::Routes,
        },
        services: !args.no_services,
    };
    analysis.lab_plan(id, &options).ok_or_else(|| {
        session
            .error("the inputs have errors (see above); the lab builds only inputs without errors")
    })
}

fn plan(session: &Session, args: &PlanArgs) -> Status {
    let plan = match render(session, &args.up, "0000") {
        Ok(p) => p,
        Err(s) => return s,
    };
    session.write_stdout(|out| match args.output {
        TextOrJson::Txt => out.write_all(podnet_report::lab::plan_text(&plan, true).as_bytes()),
        TextOrJson::Json => {
            serde_json::to_writer_pretty(&mut *out, &plan).map_err(io::Error::other)?;
            writeln!(out)
        }
    })
}

/// Builds a lab; on failure or Ctrl-C removes what was built.
fn up(session: &Session, args: &UpArgs) -> Result<LabPlan, Status> {
    let id = lab_run::new_run_id().map_err(|e| lab_run_error(session, e))?;
    let plan = render(session, args, &id)?;
    let agent = agent_path(session)?;
    if let Err(e) = lab_run::build(&plan, &agent) {
        let status = lab_error(session, &e);
        let _ = writeln!(
            io::stderr(),
            "podnet lab {}: removed what was built",
            plan.id
        );
        return Err(status);
    }
    Ok(plan)
}

fn agent_path(session: &Session) -> Result<PathBuf, Status> {
    std::env::current_exe().map_err(|e| {
        session.error(&format!(
            "cannot find the podnet binary for the lab's agents: {e}"
        ))
    })
}

/// Probes, prints, and says 1 on disagreement. On Ctrl-C removes the lab
/// (unless `run` does it anyway).
fn probe_and_print(
    session: &Session,
    plan: &LabPlan,
    output: TextOrJson,
    options: ProbeOptions,
    in_run: bool,
) -> Status {
    let agent = match agent_path(session) {
        Ok(a) => a,
        Err(s) => return s,
    };
    let report: ProbeReport = match podnet::lab::probe::probe(plan, &agent, options) {
        Ok(r) => r,
        Err(e) => {
            let status = lab_error(session, &e);
            if matches!(e, LabError::Interrupted) && !in_run {
                let _ = down_quiet(session, &plan.id);
            }
            return status;
        }
    };
    let printed = session.write_stdout(|out| match output {
        TextOrJson::Txt => podnet_report::lab::write_table_text(out, plan, &report),
        TextOrJson::Json => podnet_report::lab::write_table_json(out, plan, &report),
    });
    if printed == Status::Error {
        Status::Error
    } else if report.disagreements() > 0 {
        Status::Findings
    } else {
        Status::Ok
    }
}

fn down(session: &Session, id: Option<&str>) -> Status {
    match podnet::lab::teardown::teardown(id) {
        Ok(r) => {
            let _ = writeln!(
                io::stderr(),
                "podnet lab: removed {} run(s) ({}), {} namespaces, {} processes",
                r.runs.len(),
                r.runs.join(", "),
                r.netns,
                r.processes
            );
            Status::Ok
        }
        Err(e) => lab_error(session, &e),
    }
}

fn down_quiet(session: &Session, id: &str) -> Status {
    match podnet::lab::teardown::teardown(Some(id)) {
        Ok(_) => Status::Ok,
        Err(e) => lab_error(session, &e),
    }
}
