//! Pods and pod templates: labels, container ports, host networking and
//! addresses, checked as the API server's pod validation does.

use std::collections::{BTreeMap, HashSet};
use std::net::IpAddr;

use k8s_openapi::api::core::v1 as core;
use podnet_model::{ContainerPort, Labels, PodNet};

use super::pod_net::pod_net;
use super::records::PodShape;
use crate::path::FieldPath;
use crate::validate::UnknownProtocol::Rejected;
use crate::validate::{Checker, Lenient, addresses, names, protocol};

/// What a pod's (or template's) metadata contributes to its shape.
pub struct PodMeta<'a> {
    /// Checked `labels`.
    pub labels: Labels,
    /// `annotations`, for address requests.
    pub annotations: Option<&'a BTreeMap<String, String>>,
    /// Where the metadata is (`metadata`, `spec.template.metadata`...).
    pub at: FieldPath,
}

/// The network-relevant part of `spec` (at `at`), with labels and
/// annotations from the object or template metadata.
pub fn pod_shape(
    spec: Option<&core::PodSpec>,
    meta: PodMeta<'_>,
    at: &FieldPath,
    c: &mut Checker,
) -> PodShape {
    let labels = meta.labels;
    let Some(spec) = spec else {
        c.error(at.clone(), "a pod spec is required");
        return PodShape {
            labels,
            ports: Vec::new(),
            host_network: false,
            node_name: None,
            net: PodNet::default(),
            admission: podnet_model::PodAdmission::default(),
        };
    };
    if spec.containers.is_empty() {
        c.error(at.key("containers"), "at least one container is required");
    }
    let mut ports = Vec::new();
    for (i, ctr) in spec.containers.iter().enumerate() {
        container_ports(ctr, &at.key("containers").index(i), &mut ports, c);
    }
    // Sidecars (init containers with restartPolicy: Always) keep running and
    // serve their ports for the pod's life.
    for (i, ctr) in spec.init_containers.iter().flatten().enumerate() {
        if ctr.restart_policy.as_deref() == Some("Always") {
            container_ports(ctr, &at.key("initContainers").index(i), &mut ports, c);
        }
    }
    ports.sort();
    ports.dedup();
    PodShape {
        labels,
        ports,
        host_network: spec.host_network.unwrap_or(false),
        node_name: spec.node_name.clone().filter(|n| !n.is_empty()),
        net: pod_net(spec, meta.annotations, &meta.at, at, c),
        admission: super::governance::pod::pod_admission(spec, at, c),
    }
}

/// `validateContainerPorts`: names are IANA service names unique within the
/// container, numbers within 1..=65535 (`hostPort` only when not 0),
/// protocol TCP, UDP or SCTP.
fn container_ports(
    ctr: &core::Container,
    at: &FieldPath,
    out: &mut Vec<ContainerPort>,
    c: &mut Checker,
) {
    let mut seen = HashSet::new();
    for (i, p) in ctr.ports.iter().flatten().enumerate() {
        let at = at.key("ports").index(i);
        let name = p.name.clone().filter(|n| !n.is_empty());
        if let Some(n) = &name {
            let problems = names::port_name(n);
            if !problems.is_empty() {
                c.check(&at.key("name"), n, problems);
            } else if !seen.insert(n.clone()) {
                c.error(
                    at.key("name"),
                    format!("duplicate port name `{n}` in this container"),
                );
            }
        }
        let number = match names::port_number(i64::from(p.container_port)) {
            Ok(n) => Some(n),
            Err(m) => {
                let message = format!("invalid value `{}`: {m}", p.container_port);
                let path = at.key("containerPort");
                // Absent, the field is Go's zero value: a port without a
                // number, which `--lenient` can leave out.
                if p.container_port == 0 {
                    c.set_aside(Lenient::ContainerPortZero, path, message);
                } else {
                    c.error(path, message);
                }
                None
            }
        };
        if let Some(h) = p.host_port.filter(|&h| h != 0)
            && let Err(m) = names::port_number(i64::from(h))
        {
            c.error(at.key("hostPort"), format!("invalid value `{h}`: {m}"));
        }
        let protocol = protocol(p.protocol.as_deref(), Rejected, &at.key("protocol"), c);
        if let (Some(port), Some(protocol)) = (number, protocol) {
            out.push(ContainerPort {
                name,
                port,
                protocol,
            });
        }
    }
}

/// The pod's addresses from `status.podIPs` (or `status.podIP`): at most one
/// per family, `podIPs[0]` equal to `podIP`.
pub fn pod_ips(status: Option<&core::PodStatus>, base: &FieldPath, c: &mut Checker) -> Vec<IpAddr> {
    let Some(status) = status else {
        return Vec::new();
    };
    let at = base.key("status");
    let single = status
        .pod_ip
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|s| addresses::ip(s, &at.key("podIP"), c));
    let mut ips = Vec::new();
    for (i, p) in status.pod_ips.iter().flatten().enumerate() {
        let path = at.key("podIPs").index(i).key("ip");
        if let Some(ip) = addresses::ip(&p.ip, &path, c) {
            if ips.iter().any(|x: &IpAddr| x.is_ipv4() == ip.is_ipv4()) {
                c.error(path, "may specify no more than one IP for each IP family");
            }
            ips.push(ip);
        }
    }
    match (single, ips.first()) {
        (Some(s), Some(first)) if s != *first => {
            c.error(
                at.key("podIPs").index(0).key("ip"),
                format!("must be equal to `podIP` ({s})"),
            );
        }
        (Some(s), None) => ips.push(s),
        _ => {}
    }
    ips
}
