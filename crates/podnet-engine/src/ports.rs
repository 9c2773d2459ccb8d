//! Resolving a rule's `ports` on a destination: numbers and ranges as
//! written, named ports on the destination pod's container ports (API
//! reference, NetworkPolicyPort: "a named port on a pod"; the protocol must
//! match too).

use podnet_model::{Conns, ContainerPort, PortMatch, PortSet, PortSpec, Protocol};

/// A rule's ports, split into the part that does not depend on the
/// destination and the named ports that do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulePorts {
    /// Numbers and ranges (everything when the rule lists no ports).
    pub fixed: Conns,
    /// Named ports with their protocol.
    pub named: Vec<(Protocol, String)>,
}

impl RulePorts {
    /// From a rule's `ports`; empty means every port of every protocol.
    pub fn new(specs: &[PortSpec]) -> Self {
        if specs.is_empty() {
            return RulePorts {
                fixed: Conns::all(),
                named: Vec::new(),
            };
        }
        let mut fixed = Conns::none();
        let mut named = Vec::new();
        for spec in specs {
            match &spec.port {
                PortMatch::All => fixed.add(&Conns::ports_of(spec.protocol, PortSet::full())),
                PortMatch::Range(lo, hi) => {
                    fixed.add(&Conns::ports_of(spec.protocol, PortSet::range(*lo, *hi)));
                }
                PortMatch::Named(n) => named.push((spec.protocol, n.clone())),
            }
        }
        RulePorts { fixed, named }
    }

    /// The connections allowed to a pod with these container ports.
    pub fn on_pod(&self, ports: &[ContainerPort]) -> Conns {
        let mut conns = self.fixed.clone();
        for (protocol, name) in &self.named {
            conns.add(&named_port(ports, *protocol, name));
        }
        conns
    }

    /// The connections allowed to an address outside the cluster, where a
    /// named port names nothing.
    pub fn off_cluster(&self) -> &Conns {
        &self.fixed
    }
}

/// Every container port called `name` with `protocol`.
pub fn named_port(ports: &[ContainerPort], protocol: Protocol, name: &str) -> Conns {
    let mut conns = Conns::none();
    for p in ports {
        if p.protocol == protocol && p.name.as_deref() == Some(name) {
            conns.add(&Conns::ports_of(protocol, PortSet::single(p.port)));
        }
    }
    conns
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(protocol: Protocol, port: PortMatch) -> PortSpec {
        PortSpec {
            line: None,
            protocol,
            port,
        }
    }

    fn cport(name: &str, port: u16, protocol: Protocol) -> ContainerPort {
        ContainerPort {
            name: Some(name.into()),
            port,
            protocol,
        }
    }

    #[test]
    fn networkpolicyport_empty_ports_allow_everything() {
        assert!(RulePorts::new(&[]).on_pod(&[]).is_all());
    }

    #[test]
    fn networkpolicyport_protocol_only_means_all_ports_of_it() {
        let r = RulePorts::new(&[spec(Protocol::Udp, PortMatch::All)]);
        let c = r.on_pod(&[]);
        assert!(c.ports(Protocol::Udp).is_full());
        assert!(c.ports(Protocol::Tcp).is_empty());
        assert!(!c.other_protocols());
    }

    #[test]
    fn networkpolicyport_endport_is_inclusive() {
        let c = RulePorts::new(&[spec(Protocol::Tcp, PortMatch::Range(32000, 32768))]).on_pod(&[]);
        assert!(c.allows(Protocol::Tcp, 32000) && c.allows(Protocol::Tcp, 32768));
        assert!(!c.allows(Protocol::Tcp, 32769));
    }

    #[test]
    fn networkpolicyport_named_port_needs_name_and_protocol_on_the_destination() {
        let r = RulePorts::new(&[spec(Protocol::Tcp, PortMatch::Named("http".into()))]);
        let pod = [
            cport("http", 8080, Protocol::Tcp),
            cport("dns", 53, Protocol::Udp),
        ];
        assert!(r.on_pod(&pod).allows(Protocol::Tcp, 8080));
        let udp = [cport("http", 8080, Protocol::Udp)];
        assert!(r.on_pod(&udp).is_empty(), "protocol must match");
        assert!(r.on_pod(&[]).is_empty(), "no such port on the pod");
        assert!(
            r.off_cluster().is_empty(),
            "named ports never match outside addresses"
        );
    }
}
