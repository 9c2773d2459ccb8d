//! Policy hygiene (PN20xx): NetworkPolicies that say something other than
//! what their authors meant. A policy or a peer that selects nothing (a
//! label typo), a rule other rules already cover, a named port nobody
//! defines, egress isolation that cuts pods off the cluster DNS, a rule
//! open to the whole internet, rules `policyTypes` switches off. Each
//! check reads the engine's compiled policies, so "selects" and "allows"
//! mean exactly what the engine computes.

mod dns;
mod internet;
mod named_ports;
mod selects;
mod shadow;
mod suggest;

use crate::finding::{Rule, Severity};
use crate::registry::Check;

/// PN2001.
pub const SELECTS_NO_POD: Rule = Rule {
    code: "PN2001",
    name: "policy-selects-no-pod",
    short: "A policy's podSelector (or an admin policy's subject) selects no pod",
    full: "A NetworkPolicy applies to the pods its spec.podSelector selects in its namespace \
           (an AdminNetworkPolicy or BaselineAdminNetworkPolicy to its subject). When it selects \
           no pod of the input, it isolates nothing and allows nothing: usually a label typo, \
           a policy left behind by a removed workload, or one applied to the wrong namespace.",
    help: "Fix the selector to the labels the pods carry (podnet suggests the closest), move \
           the policy to the pods' namespace, or delete it.",
    severity: Severity::Warning,
};

/// PN2002.
pub const PEER_MATCHES_NOTHING: Rule = Rule {
    code: "PN2002",
    name: "peer-matches-nothing",
    short: "A from/to peer's podSelector or namespaceSelector matches nothing",
    full: "A rule allows traffic from (ingress) or to (egress) the peers its from/to entries \
           select. A namespaceSelector that matches no namespace, or a podSelector that matches \
           no pod in the namespaces it draws from, allows nothing: the connection the rule was \
           written for stays blocked. The cause is nearly always a typo in a label key or value.",
    help: "Use the labels the peer pods and namespaces carry; podnet names the closest existing \
           label.",
    severity: Severity::Warning,
};

/// PN2003.
pub const RULE_SHADOWED: Rule = Rule {
    code: "PN2003",
    name: "rule-shadowed",
    short: "A rule allows nothing that other rules for the same pods do not already allow",
    full: "NetworkPolicies are additive: a pod isolated in a direction allows the union of \
           what every rule of every policy selecting it allows. A rule whose peers and ports \
           are, for every pod it applies to, inside the union of the other rules' is dead \
           weight; removing it changes nothing, and narrowing it changes nothing either, which \
           is often not what its author expected.",
    help: "Remove the rule, or narrow the broader rules if this one was meant to be the only \
           way in or out.",
    severity: Severity::Info,
};

/// PN2004.
pub const NAMED_PORT_UNDEFINED: Rule = Rule {
    code: "PN2004",
    name: "named-port-undefined",
    short: "A rule names a port no pod it could apply to defines",
    full: "A named port in a NetworkPolicy rule resolves on the destination pod: the selected \
           pods for ingress, the peer pods for egress, and only to a container port of that \
           name and protocol. When no such pod defines it, that port entry allows nothing.",
    help: "Name the port as the containers declare it (name and protocol), or use the number.",
    severity: Severity::Warning,
};

/// PN2005.
pub const EGRESS_BLOCKS_DNS: Rule = Rule {
    code: "PN2005",
    name: "egress-blocks-dns",
    short: "Pods isolated for egress cannot reach the cluster DNS on UDP or TCP 53",
    full: "Once a policy isolates a pod for egress, only what egress rules allow leaves it, \
           and that includes the queries its resolver sends to the cluster DNS \
           (kube-system/kube-dns, pods labelled k8s-app=kube-dns). Without UDP 53 names do not \
           resolve at all; without TCP 53 large answers (truncated over UDP) fail.",
    help: "Add an egress rule to namespace kube-system, pods k8s-app=kube-dns, on UDP 53 and \
           TCP 53.",
    severity: Severity::Error,
};

/// PN2006.
pub const WHOLE_INTERNET: Rule = Rule {
    code: "PN2006",
    name: "rule-allows-whole-internet",
    short: "A rule's ipBlock covers the whole internet (0.0.0.0/0 or ::/0)",
    full: "An ipBlock of 0.0.0.0/0 or ::/0, with excepts that carve out only a small part of \
           it, admits every address on the internet. On ingress the selected pods accept \
           connections from anywhere their address is reachable; on egress they may send \
           anywhere, the usual path for data exfiltration.",
    help: "Narrow the ipBlock to the ranges that need access, or put the workload behind an \
           Ingress or a load balancer with source ranges.",
    severity: Severity::Warning,
};

/// PN2007.
pub const RULES_IGNORED: Rule = Rule {
    code: "PN2007",
    name: "rules-ignored-by-policy-types",
    short: "A policy has rules of a direction its policyTypes leave out",
    full: "spec.policyTypes says which directions a NetworkPolicy isolates; rules of a \
           direction not listed are ignored. Egress rules in a policy whose policyTypes lists \
           only Ingress (or the reverse) never take effect.",
    help: "Add the direction to policyTypes, or remove the rules.",
    severity: Severity::Warning,
};

/// Every policy-hygiene check.
pub fn checks() -> Vec<Box<dyn Check>> {
    vec![
        Box::new(selects::SelectsNoPod),
        Box::new(selects::PeerMatchesNothing),
        Box::new(shadow::Shadowed),
        Box::new(named_ports::NamedPortUndefined),
        Box::new(dns::EgressBlocksDns),
        Box::new(internet::WholeInternet),
        Box::new(internet::RulesIgnored),
    ]
}
