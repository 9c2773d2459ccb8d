//! The words of the policy-hygiene findings (PN2001-PN2007).

use podnet_audit::checks::hygiene::{
    NAMED_PORT_UNDEFINED, PEER_MATCHES_NOTHING, SELECTS_NO_POD, WHOLE_INTERNET,
};
use podnet_audit::found::{HygieneFound, LabelHint, NamedPortPods, PeerMiss, RuleRef};
use podnet_model::{AdminSubject, Direction};

use super::addresses::describe_addresses;
use super::{object, short_list};

/// What is wrong.
pub(super) fn message(found: &HygieneFound) -> String {
    match found {
        HygieneFound::SelectsNoPod {
            selector,
            namespace,
            no_pods,
            ..
        } => format!(
            "podSelector `{selector}` selects no pod in namespace `{namespace}`{}",
            if *no_pods {
                " (the input has no pod there)"
            } else {
                ""
            }
        ),
        HygieneFound::AdminSelectsNoPod { subject } => {
            let subject = match subject {
                AdminSubject::Namespaces(ns) => format!("namespaces `{ns}`"),
                AdminSubject::Pods(p) => {
                    format!("namespaces `{}`, pods `{}`", p.namespaces, p.pods)
                }
            };
            format!("subject ({subject}) selects no pod")
        }
        HygieneFound::PeerMatchesNothing {
            direction,
            rule,
            peer,
            miss,
            ..
        } => {
            let side = match direction {
                Direction::Ingress => "from",
                Direction::Egress => "to",
            };
            let what = match miss {
                PeerMiss::NoNamespace(sel) => {
                    format!("namespaceSelector `{sel}` matches no namespace")
                }
                PeerMiss::NoPod(pods, namespaces) => {
                    let names: Vec<String> = namespaces.iter().map(|n| format!("`{n}`")).collect();
                    format!(
                        "podSelector `{pods}` matches no pod in namespace{} {}",
                        if names.len() == 1 { "" } else { "s" },
                        short_list(&names, 4)
                    )
                }
            };
            format!("spec.{}[{rule}].{side}[{peer}]: {what}", direction.field())
        }
        HygieneFound::RuleShadowed {
            direction,
            rule,
            by,
        } => {
            let by: Vec<String> = by.iter().map(rule_name).collect();
            format!(
                "spec.{}[{rule}] allows nothing beyond what other rules for the same pods allow: {}",
                direction.field(),
                short_list(&by, 3)
            )
        }
        HygieneFound::NamedPortUndefined {
            direction,
            rule,
            port,
            name,
            protocol,
            pods,
            none,
            other_protocols,
        } => {
            let whose = match pods {
                NamedPortPods::Selected => "no pod the policy selects",
                NamedPortPods::IpBlocksOnly => {
                    "the rule's peers are only ipBlocks outside the pods, where"
                }
                NamedPortPods::Peers => "no peer pod of the rule",
            };
            let mut message = format!("named port `{name}` ({protocol}): {whose} defines it");
            if *none {
                message =
                    format!("named port `{name}` ({protocol}): {whose} named ports match nothing");
            } else if !other_protocols.is_empty() {
                let list: Vec<&str> = other_protocols.iter().map(|p| p.as_str()).collect();
                message.push_str(&format!(
                    " (pods name a {} port `{name}`; the protocol must match too)",
                    list.join("/")
                ));
            }
            format!(
                "spec.{}[{rule}].ports[{port}]: {message}",
                direction.field()
            )
        }
        HygieneFound::EgressBlocksDns {
            policies,
            admin,
            udp,
            tcp,
            stand_in,
        } => {
            let dns = if *stand_in {
                "the cluster DNS (kube-system pods labelled k8s-app=kube-dns; not in the input)"
            } else {
                "the cluster DNS (Service kube-system/kube-dns)"
            };
            let ports = match (udp, tcp) {
                (true, true) => "UDP 53 nor TCP 53: names do not resolve",
                (true, false) => "UDP 53: names do not resolve",
                _ => "TCP 53: answers too large for UDP fail",
            };
            let mut by = policies.clone();
            if *admin {
                by.insert("cluster-scoped admin policies".to_owned());
            }
            let by: Vec<String> = by.into_iter().collect();
            format!(
                "pods are isolated for egress (by {}) and cannot reach {dns} on {ports}",
                short_list(&by, 3)
            )
        }
        HygieneFound::WholeInternet {
            direction,
            rule,
            workloads,
            addresses,
            ports,
        } => {
            let pods = if workloads.is_empty() {
                "the selected pods (none in the input)".to_owned()
            } else {
                let names: Vec<String> = workloads.iter().map(object).collect();
                short_list(&names, 3)
            };
            let ports = if ports.is_empty() {
                "every port".to_owned()
            } else {
                let list: Vec<String> = ports.iter().map(ToString::to_string).collect();
                list.join(", ")
            };
            let what = match direction {
                Direction::Ingress => format!(
                    "admits {} to {pods} on {ports}",
                    describe_addresses(addresses)
                ),
                Direction::Egress => {
                    format!(
                        "lets {pods} reach {} on {ports}",
                        describe_addresses(addresses)
                    )
                }
            };
            format!("spec.{}[{rule}] {what}", direction.field())
        }
        HygieneFound::RulesIgnored { direction, count } => format!(
            "{count} {} rule{} ignored: policyTypes does not list {}",
            direction.field(),
            if *count == 1 { " is" } else { "s are" },
            direction.as_str()
        ),
    }
}

/// How to fix it.
pub(super) fn help(found: &HygieneFound) -> String {
    match found {
        HygieneFound::SelectsNoPod { hint, .. } => hint_text(hint.as_ref(), SELECTS_NO_POD.help),
        HygieneFound::AdminSelectsNoPod { .. } => {
            "fix the subject's selectors to labels the namespaces and pods carry, or delete the policy".to_owned()
        }
        HygieneFound::PeerMatchesNothing { hint, .. } => {
            hint_text(hint.as_ref(), PEER_MATCHES_NOTHING.help)
        }
        HygieneFound::RuleShadowed { .. } => {
            "remove this rule, or narrow the rules that cover it if it was meant to be the only way through".to_owned()
        }
        HygieneFound::NamedPortUndefined { .. } => NAMED_PORT_UNDEFINED.help.to_owned(),
        HygieneFound::EgressBlocksDns { udp, tcp, .. } => format!(
            "allow egress to namespace kube-system, pods k8s-app=kube-dns, on {}",
            match (udp, tcp) {
                (true, true) => "UDP 53 and TCP 53",
                (true, false) => "UDP 53",
                _ => "TCP 53",
            }
        ),
        HygieneFound::WholeInternet { .. } => WHOLE_INTERNET.help.to_owned(),
        HygieneFound::RulesIgnored { direction, .. } => format!(
            "add `{}` to spec.policyTypes, or remove spec.{}",
            direction.as_str(),
            direction.field()
        ),
    }
}

/// "did you mean `k: v`?", the labels there are, or the rule's help.
fn hint_text(hint: Option<&LabelHint>, otherwise: &str) -> String {
    match hint {
        Some(LabelHint::Closest(label)) => format!("did you mean `{label}`?"),
        Some(LabelHint::Existing(values)) => {
            let list: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
            format!(
                "no existing label is close; labels with these keys: {}",
                list.join(", ")
            )
        }
        None => otherwise.to_owned(),
    }
}

/// `NetworkPolicy ns/name spec.ingress[0]`.
fn rule_name(r: &RuleRef) -> String {
    format!(
        "NetworkPolicy {} spec.{}[{}]",
        r.policy,
        r.direction.field(),
        r.index
    )
}
