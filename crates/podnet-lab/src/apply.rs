//! `apply`: builds a [`LabPlan`] as root with iproute2 and nftables. Every
//! namespace carries the run's prefix and every link is created inside a
//! lab namespace (never in the host's), so deleting the namespaces removes
//! everything; the state file is written first, so a crash mid-way leaves
//! nothing `down` cannot find.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::exec::{ip, ip_batch, run, run_with_stdin};
use crate::plan::{ClientPlan, LabPlan, NodePlan, PodPlan, Transport};
use crate::{LabError, Result, cancel, state};

/// Builds `plan`; listeners run `agent lab-listen` (the podnet binary).
/// On error or Ctrl-C the caller removes the lab with
/// [`crate::teardown::teardown`].
pub fn apply(plan: &LabPlan, agent: &Path) -> Result<()> {
    state::save(plan)?;
    cancel::check()?;
    underlay(plan)?;
    for node in &plan.nodes {
        cancel::check()?;
        build_node(plan, node)?;
    }
    for client in &plan.clients {
        cancel::check()?;
        build_client(plan, client)?;
    }
    let mut listeners = Vec::new();
    for pod in &plan.pods {
        cancel::check()?;
        build_pod(plan, pod)?;
        if !pod.listeners.is_empty() {
            listeners.push((pod.netns.as_str(), spawn_listener(pod, agent)?));
        }
    }
    for (netns, child) in listeners {
        cancel::check()?;
        wait_ready(netns, child)?;
    }
    Ok(())
}

fn underlay(plan: &LabPlan) -> Result<()> {
    let u = plan.underlay.as_str();
    ip(&["netns", "add", u])?;
    ip_batch(
        Some(u),
        &[
            "link set lo up".to_owned(),
            format!("link add {} type bridge", plan.underlay_bridge),
            format!("link set {} up", plan.underlay_bridge),
        ],
    )
}

/// Creates namespace `ns` with interface `interface`, the peer of
/// `underlay_port` on the underlay bridge (nodes and outside clients).
fn attach_to_underlay(
    plan: &LabPlan,
    ns: &str,
    underlay_port: &str,
    interface: &str,
) -> Result<()> {
    ip(&["netns", "add", ns])?;
    ip(&[
        "-n",
        &plan.underlay,
        "link",
        "add",
        underlay_port,
        "type",
        "veth",
        "peer",
        "name",
        interface,
        "netns",
        ns,
    ])?;
    ip(&[
        "-n",
        &plan.underlay,
        "link",
        "set",
        underlay_port,
        "master",
        &plan.underlay_bridge,
        "up",
    ])?;
    Ok(())
}

fn build_node(plan: &LabPlan, node: &NodePlan) -> Result<()> {
    let ns = node.netns.as_str();
    attach_to_underlay(plan, ns, &node.underlay_port, &node.uplink)?;
    sysctl(
        ns,
        &[
            ("net/ipv4/ip_forward", "1"),
            ("net/ipv4/conf/all/rp_filter", "0"),
            ("net/ipv4/conf/default/rp_filter", "0"),
            ("net/bridge/bridge-nf-call-iptables", "1"),
        ],
    )?;
    let mut lines = vec![
        "link set lo up".to_owned(),
        format!("link set {} up", node.uplink),
        format!("addr add {}/32 dev {}", node.address, node.uplink),
        format!("link add {} type bridge", node.bridge),
    ];
    for a in &node.bridge_addresses {
        lines.push(format!("addr add {a} dev {}", node.bridge));
    }
    lines.push(format!("link set {} up", node.bridge));
    let mut fdb = Vec::new();
    if let (Transport::Vxlan { port }, Some(vx)) = (plan.transport, &node.vxlan) {
        lines.push(format!(
            "link add {} type vxlan id 1 local {} dstport {port} nolearning dev {}",
            vx.device, node.address, node.uplink
        ));
        lines.push(format!("link set {} address {}", vx.device, vx.mac));
        lines.push(format!("addr add {}/32 dev {}", vx.address, vx.device));
        lines.push(format!("link set {} up", vx.device));
        for (mac, vtep, underlay) in &vx.peers {
            lines.push(format!(
                "neigh add {vtep} lladdr {mac} dev {} nud permanent",
                vx.device
            ));
            fdb.push(format!("fdb append {mac} dev {} dst {underlay}", vx.device));
        }
    }
    for r in &node.routes {
        lines.push(format!("route add {r}"));
    }
    ip_batch(Some(ns), &lines)?;
    if !fdb.is_empty() {
        let mut text = fdb.join("\n");
        text.push('\n');
        run_with_stdin("bridge", &["-n", ns, "-batch", "-"], Some(&text))?;
    }
    run_with_stdin(
        "ip",
        &["netns", "exec", ns, "nft", "-f", "-"],
        Some(&node.nftables),
    )?;
    Ok(())
}

/// An outside client: a namespace on the underlay bridge with its address
/// and routes (every node's address, load-balancer addresses through the
/// node that takes them).
fn build_client(plan: &LabPlan, client: &ClientPlan) -> Result<()> {
    let ns = client.netns.as_str();
    attach_to_underlay(plan, ns, &client.underlay_port, &client.interface)?;
    let mut lines = vec![
        "link set lo up".to_owned(),
        format!("link set {} up", client.interface),
        format!("addr add {}/32 dev {}", client.address, client.interface),
    ];
    for r in &client.routes {
        lines.push(format!("route add {r}"));
    }
    ip_batch(Some(ns), &lines)
}

fn build_pod(plan: &LabPlan, pod: &PodPlan) -> Result<()> {
    let node = plan.nodes.get(pod.node).ok_or_else(|| LabError::Command {
        command: format!("build {}", pod.netns),
        message: format!("node {} is not in the plan", pod.node),
    })?;
    let ns = pod.netns.as_str();
    ip(&["netns", "add", ns])?;
    ip(&[
        "-n",
        &node.netns,
        "link",
        "add",
        &pod.host_veth,
        "type",
        "veth",
        "peer",
        "name",
        &pod.interface,
        "netns",
        ns,
    ])?;
    ip(&[
        "-n",
        &node.netns,
        "link",
        "set",
        &pod.host_veth,
        "master",
        &node.bridge,
        "up",
    ])?;
    let onlink = if pod.onlink { " onlink" } else { "" };
    let mut lines = vec![
        "link set lo up".to_owned(),
        format!("link set {} address {}", pod.interface, pod.mac),
        format!("addr add {} dev {}", pod.address, pod.interface),
        format!("link set {} up", pod.interface),
        format!(
            "route add default via {} dev {}{onlink}",
            pod.gateway, pod.interface
        ),
    ];
    for route in &pod.routes {
        lines.push(format!(
            "route add {route} via {} dev {}",
            pod.gateway, pod.interface
        ));
    }
    for (ip, mac) in &pod.neighbors {
        lines.push(format!(
            "neigh replace {ip} lladdr {mac} dev {} nud permanent",
            pod.interface
        ));
    }
    ip_batch(Some(ns), &lines)
}

/// Writes sysctls inside `netns` (through /proc/sys, which shows the
/// namespace of the process that opens it).
fn sysctl(netns: &str, settings: &[(&str, &str)]) -> Result<()> {
    let script: Vec<String> = settings
        .iter()
        .map(|(k, v)| format!("echo {v} > /proc/sys/{k}"))
        .collect();
    run(
        "ip",
        &["netns", "exec", netns, "sh", "-c", &script.join(" && ")],
    )
    .map(|_| ())
}

/// Starts `podnet lab-listen` in the pod's namespace, in a process group of
/// its own (Ctrl-C in the terminal does not reach it; `down` kills it).
fn spawn_listener(pod: &PodPlan, agent: &Path) -> Result<Child> {
    let mut cmd = Command::new("ip");
    cmd.args(["netns", "exec", &pod.netns])
        .arg(agent)
        .arg("lab-listen")
        .args(pod.listeners.args())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0);
    cmd.spawn().map_err(|e| LabError::Listener {
        netns: pod.netns.clone(),
        message: e.to_string(),
    })
}

/// Waits for the listener's `ready` line.
fn wait_ready(netns: &str, mut child: Child) -> Result<()> {
    let Some(out) = child.stdout.take() else {
        return Err(LabError::Listener {
            netns: netns.to_owned(),
            message: "no standard output".to_owned(),
        });
    };
    let mut line = String::new();
    let _ = BufReader::new(out).read_line(&mut line);
    if line.trim() == "ready" {
        Ok(())
    } else {
        Err(LabError::Listener {
            netns: netns.to_owned(),
            message: if line.trim().is_empty() {
                "it exited without a word".to_owned()
            } else {
                line.trim().to_owned()
            },
        })
    }
}
