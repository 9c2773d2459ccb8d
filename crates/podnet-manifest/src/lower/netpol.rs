//! NetworkPolicy (networking.k8s.io/v1): `ValidateNetworkPolicy` of the API
//! server, its defaulting (policyTypes, protocol), and the normalised model
//! with the line of every rule, peer and port.

use k8s_openapi::api::networking::v1 as net;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use podnet_model::policy::PeerKind;
use podnet_model::{
    IpBlock, Meta, NamespaceScope, NetworkPolicy, NsId, Peer, PolicyRule, PortMatch, PortSpec,
    Source,
};

use super::meta::{NameRule, object_meta};
use super::records::PendingPolicy;
use crate::path::FieldPath;
use crate::validate::UnknownProtocol::Rejected;
use crate::validate::selector::label_selector;
use crate::validate::{Checker, addresses, names, protocol};

/// Finds the line of a field of the document being lowered.
pub type LineOf<'a> = &'a dyn Fn(&FieldPath) -> Option<u32>;

/// Checks and lowers one NetworkPolicy.
pub fn network_policy(
    np: &net::NetworkPolicy,
    base: &FieldPath,
    source: Source,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> PendingPolicy {
    let info = object_meta(&np.metadata, NameRule::Subdomain, true, base, c);
    let namespace = info.namespace.unwrap_or_default();
    let spec_path = base.key("spec");
    let default_spec = net::NetworkPolicySpec::default();
    let spec = np.spec.as_ref().unwrap_or(&default_spec);
    let pod_selector = label_selector(spec.pod_selector.as_ref(), &spec_path.key("podSelector"), c);

    let ingress: Vec<PolicyRule> = spec
        .ingress
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, r)| {
            let at = spec_path.key("ingress").index(i);
            rule(
                r.from.as_deref(),
                r.ports.as_deref(),
                "from",
                &at,
                line_of,
                c,
            )
        })
        .collect();
    let egress: Vec<PolicyRule> = spec
        .egress
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, r)| {
            let at = spec_path.key("egress").index(i);
            rule(r.to.as_deref(), r.ports.as_deref(), "to", &at, line_of, c)
        })
        .collect();

    let (affects_ingress, affects_egress, explicit) = policy_types(spec, &spec_path, c);
    PendingPolicy {
        namespace: namespace.clone(),
        policy: NetworkPolicy {
            meta: Meta {
                kind: "NetworkPolicy".to_owned(),
                namespace: Some(namespace),
                name: info.name,
                source,
            },
            namespace: NsId(u32::MAX),
            pod_selector,
            affects_ingress,
            affects_egress,
            explicit_policy_types: explicit,
            ingress,
            egress,
        },
    }
}

/// `policyTypes`, or its default (API reference, NetworkPolicySpec):
/// Ingress always, Egress when the policy has any egress rule.
fn policy_types(
    spec: &net::NetworkPolicySpec,
    at: &FieldPath,
    c: &mut Checker,
) -> (bool, bool, bool) {
    let Some(types) = spec.policy_types.as_ref().filter(|t| !t.is_empty()) else {
        let has_egress = spec.egress.as_ref().is_some_and(|e| !e.is_empty());
        return (true, has_egress, false);
    };
    let at = at.key("policyTypes");
    if types.len() > 2 {
        c.error(at.clone(), "may not specify more than two policyTypes");
    }
    let (mut ingress, mut egress) = (false, false);
    for (i, t) in types.iter().enumerate() {
        match t.as_str() {
            "Ingress" => ingress = true,
            "Egress" => egress = true,
            other => c.error(
                at.index(i),
                format!(
                    "unsupported value `{other}`: supported values are \"Ingress\", \"Egress\""
                ),
            ),
        }
    }
    (ingress, egress, true)
}

fn rule(
    peers: Option<&[net::NetworkPolicyPeer]>,
    ports: Option<&[net::NetworkPolicyPort]>,
    peer_field: &'static str,
    at: &FieldPath,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> PolicyRule {
    PolicyRule {
        line: line_of(at),
        peers: peers
            .unwrap_or_default()
            .iter()
            .enumerate()
            .filter_map(|(i, p)| peer(p, &at.key(peer_field).index(i), line_of, c))
            .collect(),
        ports: ports
            .unwrap_or_default()
            .iter()
            .enumerate()
            .filter_map(|(i, p)| port(p, &at.key("ports").index(i), line_of, c))
            .collect(),
    }
}

/// `ValidateNetworkPolicyPeer`: exactly one of ipBlock or pod/namespace
/// selectors.
fn peer(
    p: &net::NetworkPolicyPeer,
    at: &FieldPath,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> Option<Peer> {
    let line = line_of(at);
    match (&p.ip_block, &p.pod_selector, &p.namespace_selector) {
        (None, None, None) => {
            c.error(
                at.clone(),
                "must specify a peer: podSelector, namespaceSelector or ipBlock",
            );
            None
        }
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            c.error(at.clone(), "may not specify both ipBlock and another peer");
            None
        }
        (Some(b), None, None) => ip_block(b, &at.key("ipBlock"), c).map(|b| Peer {
            line,
            kind: PeerKind::IpBlock(b),
        }),
        (None, pods, namespaces) => {
            let pods = label_selector(pods.as_ref(), &at.key("podSelector"), c);
            let namespaces = match namespaces {
                None => NamespaceScope::PolicyNamespace,
                Some(ns) => NamespaceScope::Selected(label_selector(
                    Some(ns),
                    &at.key("namespaceSelector"),
                    c,
                )),
            };
            Some(Peer {
                line,
                kind: PeerKind::Pods { namespaces, pods },
            })
        }
    }
}

/// `ValidateIPBlock`: valid CIDRs, each `except` a strict subset of `cidr`.
fn ip_block(b: &net::IPBlock, at: &FieldPath, c: &mut Checker) -> Option<IpBlock> {
    let except = b.except.as_deref().unwrap_or_default();
    addresses::ip_block(Some(&b.cidr), except, addresses::cidr, at, c)
}

/// `ValidateNetworkPolicyPort`, with the protocol defaulting to TCP.
fn port(
    p: &net::NetworkPolicyPort,
    at: &FieldPath,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> Option<PortSpec> {
    let protocol = protocol(p.protocol.as_deref(), Rejected, &at.key("protocol"), c);
    let port = match (&p.port, p.end_port) {
        (None, None) => Some(PortMatch::All),
        (None, Some(end)) => {
            c.error(
                at.key("endPort"),
                format!("invalid value `{end}`: may not be specified when `port` is not specified"),
            );
            None
        }
        (Some(IntOrString::Int(n)), end) => {
            let start = names::port_number(i64::from(*n))
                .map_err(|m| c.error(at.key("port"), format!("invalid value `{n}`: {m}")))
                .ok();
            let end = match end {
                None => start,
                Some(e) => {
                    if e < *n {
                        c.error(
                            at.key("endPort"),
                            format!("invalid value `{e}`: must be greater than or equal to `port`"),
                        );
                    }
                    names::port_number(i64::from(e))
                        .map_err(|m| {
                            c.error(at.key("endPort"), format!("invalid value `{e}`: {m}"))
                        })
                        .ok()
                }
            };
            match (start, end) {
                (Some(s), Some(e)) if s <= e => Some(PortMatch::Range(s, e)),
                _ => None,
            }
        }
        (Some(IntOrString::String(name)), end) => {
            named_port(name, end.map(i64::from), "non-numeric", at, c)
        }
    };
    Some(PortSpec {
        line: line_of(at),
        protocol: protocol?,
        port: port?,
    })
}

/// A named `port`: a valid port name, and no `endPort` (which is an error
/// saying the port is `what`, e.g. `non-numeric`).
pub(crate) fn named_port(
    name: &str,
    end: Option<i64>,
    what: &str,
    at: &FieldPath,
    c: &mut Checker,
) -> Option<PortMatch> {
    if let Some(e) = end {
        c.error(
            at.key("endPort"),
            format!("invalid value `{e}`: may not be specified when `port` is {what}"),
        );
    }
    let problems = names::port_name(name);
    if problems.is_empty() {
        Some(PortMatch::Named(name.to_owned()))
    } else {
        c.check(&at.key("port"), name, problems);
        None
    }
}
