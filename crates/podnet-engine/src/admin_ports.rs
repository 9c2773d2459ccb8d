//! An admin rule's ports (`ports` of v1alpha1, `protocols` of v1alpha2) as
//! [`RulePorts`]: numbers and ranges as written; a named port matches the
//! destination's container ports of that name whatever their protocol
//! (policy API: "NamedPort selects a port on a pod(s) based on name").

use podnet_model::{AdminPort, Conns, PortSet, Protocol};

use crate::ports::RulePorts;

/// The ports of an admin rule; `None` (no `ports`) is every connection.
pub fn admin_rule_ports(ports: Option<&[AdminPort]>) -> RulePorts {
    let Some(ports) = ports else {
        return RulePorts {
            fixed: Conns::all(),
            named: Vec::new(),
        };
    };
    let mut fixed = Conns::none();
    let mut named = Vec::new();
    for p in ports {
        match p {
            AdminPort::Number { protocol, port } => {
                fixed.add(&Conns::ports_of(*protocol, PortSet::single(*port)));
            }
            AdminPort::Range {
                protocol,
                start,
                end,
            } => fixed.add(&Conns::ports_of(*protocol, PortSet::range(*start, *end))),
            AdminPort::Named(name) => {
                for protocol in [Protocol::Tcp, Protocol::Udp, Protocol::Sctp] {
                    named.push((protocol, name.clone()));
                }
            }
        }
    }
    RulePorts { fixed, named }
}

#[cfg(test)]
mod tests {
    use podnet_model::ContainerPort;

    use super::*;

    #[test]
    fn a_named_port_matches_any_protocol_and_absent_ports_match_everything() {
        let pod = [
            ContainerPort {
                name: Some("dns".into()),
                port: 53,
                protocol: Protocol::Udp,
            },
            ContainerPort {
                name: Some("dns".into()),
                port: 53,
                protocol: Protocol::Tcp,
            },
        ];
        let named = admin_rule_ports(Some(&[AdminPort::Named("dns".into())]));
        let on = named.on_pod(&pod);
        assert!(on.allows(Protocol::Udp, 53) && on.allows(Protocol::Tcp, 53));
        assert!(!on.allows(Protocol::Tcp, 54));
        assert!(named.off_cluster().is_empty());
        assert!(admin_rule_ports(None).on_pod(&pod).is_all());
        let range = admin_rule_ports(Some(&[AdminPort::Range {
            protocol: Protocol::Tcp,
            start: 8000,
            end: 8080,
        }]));
        assert!(range.off_cluster().allows(Protocol::Tcp, 8080));
        assert!(!range.off_cluster().allows(Protocol::Udp, 8080));
    }
}
