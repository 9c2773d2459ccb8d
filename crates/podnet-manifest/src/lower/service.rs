//! Services (v1): type, selector, cluster IPs, ports and `externalName`,
//! checked as `ValidateService` does; traffic policies and load-balancer
//! fields are read by [`service_traffic`](super::service_traffic) and
//! [`service_lb`](super::service_lb).

use std::collections::HashSet;

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use podnet_model::{Meta, NsId, Service, ServicePort, ServiceType, Source, TargetPort};

use super::meta::{NameRule, object_meta};
use super::records::PendingService;
use super::service_lb::load_balancer;
use super::service_traffic::{
    external_ips, external_traffic_policy, internal_traffic_policy, session_affinity,
    traffic_distribution,
};
use crate::path::FieldPath;
use crate::validate::UnknownProtocol::Rejected;
use crate::validate::{Checker, Lenient, addresses, labels, names, protocol};

/// Checks and lowers one Service.
pub fn service(
    s: &core::Service,
    base: &FieldPath,
    source: Source,
    c: &mut Checker,
) -> PendingService {
    let info = object_meta(&s.metadata, NameRule::Dns1035, true, base, c);
    let namespace = info.namespace.unwrap_or_default();
    let at = base.key("spec");
    let default_spec = core::ServiceSpec::default();
    let spec = s.spec.as_ref().unwrap_or(&default_spec);
    let service_type = match spec.type_.as_deref() {
        None | Some("ClusterIP") => ServiceType::ClusterIp,
        Some("NodePort") => ServiceType::NodePort,
        Some("LoadBalancer") => ServiceType::LoadBalancer,
        Some("ExternalName") => ServiceType::ExternalName,
        Some(other) => {
            c.error(at.key("type"), format!("unsupported value `{other}`: supported values are \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""));
            ServiceType::ClusterIp
        }
    };
    let external_name = external_name(spec, service_type, &at, c);
    let selector = spec
        .selector
        .as_ref()
        .filter(|m| !m.is_empty())
        .map(|m| labels(Some(m), &at.key("selector"), c));
    let (cluster_ips, headless) = cluster_ips(spec, &at, c);
    if service_type == ServiceType::ExternalName && (!cluster_ips.is_empty() || headless) {
        let field = if spec.cluster_ips.is_some() {
            "clusterIPs"
        } else {
            "clusterIP"
        };
        c.error(at.key(field), "may not be set for ExternalName services");
    }
    let ports = ports(spec, service_type, &at, c);
    let external_ips = external_ips(spec, service_type, &at, c);
    let external_traffic_policy =
        external_traffic_policy(spec, service_type, !external_ips.is_empty(), &at, c);
    let internal_traffic_policy = internal_traffic_policy(spec, &at, c);
    let traffic_distribution = traffic_distribution(spec, &at, c);
    let session_affinity = session_affinity(spec, headless, &at, c);
    let load_balancer = load_balancer(s, service_type, base, c);
    PendingService {
        namespace: namespace.clone(),
        service: Service {
            meta: Meta {
                kind: "Service".to_owned(),
                namespace: Some(namespace),
                name: info.name,
                source,
            },
            namespace: NsId(u32::MAX),
            service_type,
            selector,
            cluster_ips,
            headless,
            ports,
            external_name,
            external_traffic_policy,
            internal_traffic_policy,
            traffic_distribution,
            session_affinity,
            publish_not_ready: spec.publish_not_ready_addresses.unwrap_or(false),
            external_ips,
            load_balancer,
        },
    }
}

/// `externalName` of an ExternalName Service: required, an RFC 1123
/// subdomain once a trailing dot (a fully qualified name) is removed. Other
/// types do not use it.
fn external_name(
    spec: &core::ServiceSpec,
    service_type: ServiceType,
    at: &FieldPath,
    c: &mut Checker,
) -> Option<String> {
    if service_type != ServiceType::ExternalName {
        return None;
    }
    let path = at.key("externalName");
    let written = spec.external_name.as_deref().unwrap_or_default();
    let cname = written.strip_suffix('.').unwrap_or(written);
    if cname.is_empty() {
        c.error(path, "externalName is required for type ExternalName");
        return None;
    }
    let problems = names::dns1123_subdomain(cname);
    let ok = problems.is_empty();
    c.check(&path, written, problems);
    ok.then(|| cname.to_owned())
}

fn cluster_ips(
    spec: &core::ServiceSpec,
    at: &FieldPath,
    c: &mut Checker,
) -> (Vec<std::net::IpAddr>, bool) {
    let mut written: Vec<(FieldPath, &str)> = Vec::new();
    if let Some(ips) = &spec.cluster_ips {
        for (i, ip) in ips.iter().enumerate() {
            written.push((at.key("clusterIPs").index(i), ip));
        }
    } else if let Some(ip) = &spec.cluster_ip {
        written.push((at.key("clusterIP"), ip));
    }
    if written.iter().any(|(_, ip)| *ip == "None") {
        return (Vec::new(), true);
    }
    let ips = written
        .into_iter()
        .filter(|(_, ip)| !ip.is_empty())
        .filter_map(|(path, ip)| addresses::ip(ip, &path, c))
        .collect();
    (ips, false)
}

fn ports(
    spec: &core::ServiceSpec,
    service_type: ServiceType,
    at: &FieldPath,
    c: &mut Checker,
) -> Vec<ServicePort> {
    let list = spec.ports.as_deref().unwrap_or_default();
    let mut names_seen = HashSet::new();
    let mut out = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let at = at.key("ports").index(i);
        let name = p.name.clone().filter(|n| !n.is_empty());
        match &name {
            None if list.len() > 1 => c.set_aside(
                Lenient::ServicePortName,
                at.key("name"),
                "name is required when a Service has more than one port",
            ),
            Some(n) => {
                c.check(&at.key("name"), n, names::dns1123_label(n));
                if !names_seen.insert(n.clone()) {
                    c.error(at.key("name"), format!("duplicate port name `{n}`"));
                }
            }
            None => {}
        }
        let protocol = protocol(p.protocol.as_deref(), Rejected, &at.key("protocol"), c);
        let port = names::port_number(i64::from(p.port))
            .map_err(|m| c.error(at.key("port"), format!("invalid value `{}`: {m}", p.port)))
            .ok();
        // `SetDefaults_Service`: an absent, 0 or empty targetPort is `port`.
        let target_port = match &p.target_port {
            None | Some(IntOrString::Int(0)) => port.map(TargetPort::Number),
            Some(IntOrString::String(s)) if s.is_empty() => port.map(TargetPort::Number),
            Some(IntOrString::Int(n)) => names::port_number(i64::from(*n))
                .map_err(|m| c.error(at.key("targetPort"), format!("invalid value `{n}`: {m}")))
                .ok()
                .map(TargetPort::Number),
            Some(IntOrString::String(s)) => {
                let problems = names::port_name(s);
                if problems.is_empty() {
                    Some(TargetPort::Named(s.clone()))
                } else {
                    c.check(&at.key("targetPort"), s, problems);
                    None
                }
            }
        };
        let node_port = p.node_port.filter(|&n| n != 0).and_then(|n| {
            if service_type == ServiceType::ClusterIp {
                c.error(
                    at.key("nodePort"),
                    "may not be used when `type` is 'ClusterIP'",
                );
            }
            names::port_number(i64::from(n))
                .map_err(|m| c.error(at.key("nodePort"), format!("invalid value `{n}`: {m}")))
                .ok()
        });
        if let (Some(protocol), Some(port), Some(target_port)) = (protocol, port, target_port) {
            out.push(ServicePort {
                name,
                protocol,
                port,
                target_port,
                node_port,
            });
        }
    }
    out
}
