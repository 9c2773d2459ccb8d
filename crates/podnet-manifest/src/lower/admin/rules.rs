//! The rule walk the admin policy kinds share: `subject`, then the
//! `ingress` and `egress` rules, each with a `name`, an `action`, its peers
//! (`from` or `to`), its ports (v1alpha1's `ports`, v1alpha2's `protocols`)
//! and the rule-level CEL rule on named ports. The versions' rule types are
//! made by [`rule_defs`] and differ only in their field names and item types.

use podnet_model::{AdminPeer, AdminPolicy, AdminPort, AdminRule, AdminSubject, Meta, Tier};

use super::Flavor;
use super::fields::{action, rule_name, sized};
use super::subject::{SelectorsDef, subject};
use crate::lower::netpol::LineOf;
use crate::path::FieldPath;
use crate::validate::Checker;

/// A peer of a rule (`from` or `to` item).
pub trait PeerItem {
    /// Checks and lowers the peer.
    fn lower(&self, flavor: &Flavor, path: &FieldPath, c: &mut Checker) -> Option<AdminPeer>;
    /// The field of a peer that has no named ports (`networks`, `nodes`,
    /// `domainNames`), for the rule-level CEL rule.
    fn without_named_ports(&self) -> Option<&'static str>;
}

/// A port of a rule (`ports` or `protocols` item).
pub trait PortItem {
    /// Checks and lowers the port; `None` when it is invalid or matches
    /// nothing.
    fn lower(&self, path: &FieldPath, c: &mut Checker) -> Option<AdminPort>;
    /// The field and value of the port's named port, when it is one.
    fn named(&self) -> Option<(&'static str, &str)>;
}

/// A rule of one direction of one version.
pub trait RuleDef {
    /// An item of the peers.
    type Peer: PeerItem;
    /// An item of the ports.
    type Port: PortItem;
    /// The field of the peers: `from` or `to`.
    const PEERS: &'static str;
    /// The field of the ports: `ports` or `protocols`.
    const PORTS: &'static str;
    /// `name`.
    fn name(&self) -> Option<&str>;
    /// `action`.
    fn action(&self) -> Option<&str>;
    /// The peers.
    fn peers(&self) -> Option<&[Self::Peer]>;
    /// The ports.
    fn ports(&self) -> Option<&[Self::Port]>;
}

/// Defines a version's `IngressRuleDef` (peers `from`) and `EgressRuleDef`
/// (peers `to`) with the version's ports field, each with `name`,
/// `action`, its peers and its ports in that order (as serde lists them),
/// and their [`RuleDef`]. `$limits` says how many peers and ports they take.
macro_rules! rule_defs {
    ($ports:ident: $port:ty, $limits:literal) => {
        $crate::lower::admin::rules::rule_defs!(@one
            IngressRuleDef, "An ingress rule", $limits,
            from: $crate::lower::admin::subject::SelectorsDef, $ports: $port);
        $crate::lower::admin::rules::rule_defs!(@one
            EgressRuleDef, "An egress rule", $limits,
            to: $crate::lower::admin::peers::EgressPeerDef, $ports: $port);
    };
    (@one $name:ident, $what:literal, $limits:literal,
        $peers:ident: $peer:ty, $ports:ident: $port:ty) => {
        #[doc = concat!($what, ": ", $limits, ".")]
        #[derive(Debug, Default, ::serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        pub struct $name {
            /// `name`.
            pub name: Option<String>,
            /// `action` (required).
            pub action: Option<String>,
            #[doc = concat!("`", stringify!($peers), "` (required).")]
            pub $peers: Option<Vec<$peer>>,
            #[doc = concat!("`", stringify!($ports), "` (at least one item when present).")]
            pub $ports: Option<Vec<$port>>,
        }

        impl $crate::lower::admin::rules::RuleDef for $name {
            type Peer = $peer;
            type Port = $port;
            const PEERS: &'static str = stringify!($peers);
            const PORTS: &'static str = stringify!($ports);
            fn name(&self) -> Option<&str> {
                self.name.as_deref()
            }
            fn action(&self) -> Option<&str> {
                self.action.as_deref()
            }
            fn peers(&self) -> Option<&[$peer]> {
                self.$peers.as_deref()
            }
            fn ports(&self) -> Option<&[$port]> {
                self.$ports.as_deref()
            }
        }
    };
}
pub(crate) use rule_defs;

/// A spec's `subject` and rules, lowered.
#[derive(Debug)]
pub struct Body {
    /// The subject; `None` when it is invalid.
    pub subject: Option<AdminSubject>,
    /// The ingress rules.
    pub ingress: Vec<AdminRule>,
    /// The egress rules.
    pub egress: Vec<AdminRule>,
}

impl Body {
    /// The policy, when the subject is valid.
    pub fn policy(
        self,
        meta: Meta,
        flavor: &Flavor,
        tier: Tier,
        priority: Option<u32>,
    ) -> Option<AdminPolicy> {
        Some(AdminPolicy {
            meta,
            api: flavor.api,
            tier,
            priority,
            subject: self.subject?,
            ingress: self.ingress,
            egress: self.egress,
        })
    }
}

/// Checks and lowers a spec's `subject`, `ingress` and `egress` (`at` is
/// the spec's path).
pub fn body<I: RuleDef, E: RuleDef>(
    subject_def: Option<&SelectorsDef>,
    ingress: Option<&[I]>,
    egress: Option<&[E]>,
    flavor: &Flavor,
    at: &FieldPath,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> Body {
    Body {
        subject: subject(subject_def, flavor, &at.key("subject"), c),
        ingress: rules(ingress, flavor, &at.key("ingress"), line_of, c),
        egress: rules(egress, flavor, &at.key("egress"), line_of, c),
    }
}

/// `ingress` or `egress`: at most the kind's number of rules.
fn rules<R: RuleDef>(
    list: Option<&[R]>,
    flavor: &Flavor,
    at: &FieldPath,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> Vec<AdminRule> {
    sized(list, false, flavor.max_rules, at, c)
        .iter()
        .enumerate()
        .filter_map(|(i, r)| rule(r, flavor, &at.index(i), line_of, c))
        .collect()
}

fn rule<R: RuleDef>(
    r: &R,
    flavor: &Flavor,
    at: &FieldPath,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> Option<AdminRule> {
    let name = rule_name(r.name(), &at.key("name"), c);
    let action = action(r.action(), flavor, &at.key("action"), c);
    let peers_at = at.key(R::PEERS);
    let defs = sized(r.peers(), true, flavor.max_peers, &peers_at, c);
    let peers = defs
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.lower(flavor, &peers_at.index(i), c))
        .collect();
    let ports_at = at.key(R::PORTS);
    let ports = ports(r.ports(), flavor, &ports_at, c);
    let named: Vec<(FieldPath, &str)> = r
        .ports()
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, p)| {
            let (field, name) = p.named()?;
            Some((ports_at.index(i).key(field), name))
        })
        .collect();
    named_ports_need_pods(defs, R::PEERS, &named, c);
    Some(AdminRule {
        name,
        line: line_of(at),
        action: action?,
        peers,
        ports,
    })
}

/// The ports of a rule: absent is every port; present, at least one and at
/// most the kind's number. A port that matches nothing (an unknown
/// protocol, an empty range) is left out.
fn ports<P: PortItem>(
    list: Option<&[P]>,
    flavor: &Flavor,
    at: &FieldPath,
    c: &mut Checker,
) -> Option<Vec<AdminPort>> {
    let list = list?;
    sized(Some(list), false, flavor.max_ports, at, c);
    Some(
        list.iter()
            .enumerate()
            .filter_map(|(i, p)| p.lower(&at.index(i), c))
            .collect(),
    )
}

/// The rule-level CEL rule of egress rules: a named port cannot be used
/// with a peer that has no named ports (`networks`, `nodes`,
/// `domainNames`). `named` are the paths and names of the rule's named
/// ports; `field` is the field of the peers.
fn named_ports_need_pods<P: PeerItem>(
    peers: &[P],
    field: &str,
    named: &[(FieldPath, &str)],
    c: &mut Checker,
) {
    let Some((i, kind)) = peers
        .iter()
        .enumerate()
        .find_map(|(i, p)| p.without_named_ports().map(|f| (i, f)))
    else {
        return;
    };
    for (path, name) in named {
        c.error(
            path.clone(),
            format!("named port `{name}` cannot be used in this rule: its peer `{field}[{i}]` is `{kind}`, and networks/nodes/domainNames peers have no named ports"),
        );
    }
}
