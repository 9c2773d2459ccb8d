//! podnet's own `ConnectivityIntent` (podnet.dev/v1alpha1, cluster-scoped):
//! one declared intent per object, `metadata.name` its name, `spec` exactly
//! one of `allow`, `deny`, `only` or `isolate` and an optional `severity`.
//! podnet owns the kind, so its serde types deny unknown fields: a typo is
//! an error with its path and line. Endpoints and ports are checked in
//! [`intent_peers`](super::intent_peers).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use podnet_model::{
    EndpointSelector, Flows, Intent, IntentRule, IsolateRule, Meta, OnlyRule, OnlySource,
    SelectorKind, Severity, Source,
};
use serde::Deserialize;

use super::admin::fields::exactly_one;
use super::intent_peers::{EndpointDef, PortDef, SelectorDef, endpoint, ports};
use super::meta::{NameRule, object_meta};
use super::netpol::LineOf;
use crate::path::FieldPath;
use crate::validate::selector::label_selector;
use crate::validate::{Checker, names, unsupported};

/// The kind's name.
pub const KIND: &str = "ConnectivityIntent";

/// A `ConnectivityIntent` object.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IntentObject {
    /// `apiVersion` (checked by the decoder).
    pub api_version: String,
    /// `kind` (checked by the decoder).
    pub kind: String,
    /// Metadata; `name` is required.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The intent.
    pub spec: Option<IntentSpecDef>,
}

/// `spec` of a `ConnectivityIntent`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IntentSpecDef {
    /// `info`, `warning` or `error` (the default).
    pub severity: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// Must be reachable.
    pub allow: Option<FlowsDef>,
    /// Must not be reachable.
    pub deny: Option<FlowsDef>,
    /// Only these sources, on these ports.
    pub only: Option<OnlyDef>,
    /// Groups of namespaces never reach each other.
    pub isolate: Option<IsolateDef>,
}

/// `allow` and `deny`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FlowsDef {
    /// Sources.
    pub from: Option<Vec<EndpointDef>>,
    /// Destinations.
    pub to: Option<Vec<EndpointDef>>,
    /// Ports (none: any connection).
    pub ports: Option<Vec<PortDef>>,
}

/// `only`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OnlyDef {
    /// The protected targets.
    pub to: Option<Vec<EndpointDef>>,
    /// The permitted sources, each optionally with its own `ports`.
    pub from: Option<Vec<EndpointDef>>,
    /// The ports of sources that list none.
    pub ports: Option<Vec<PortDef>>,
}

/// `isolate`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IsolateDef {
    /// The label whose value groups namespaces.
    pub namespace_label: Option<String>,
    /// Which namespaces take part.
    pub namespace_selector: Option<SelectorDef>,
}

/// Checks and lowers one `ConnectivityIntent`; `None` when it has no
/// usable rule (the errors say why).
pub fn connectivity_intent(
    o: &IntentObject,
    base: &FieldPath,
    source: Source,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> Option<Intent> {
    let info = object_meta(&o.metadata, NameRule::Subdomain, false, base, c);
    let at = base.key("spec");
    let Some(spec) = &o.spec else {
        c.error(
            at,
            "`spec` is required: it sets one of `allow`, `deny`, `only` or `isolate`",
        );
        return None;
    };
    let severity = match spec.severity.as_deref() {
        None => Intent::DEFAULT_SEVERITY,
        Some(s) => Severity::parse(s).unwrap_or_else(|| {
            let all: Vec<&str> = Severity::SPELLED.iter().map(|(n, _)| *n).collect();
            unsupported(&at.key("severity"), s, &all, c);
            Intent::DEFAULT_SEVERITY
        }),
    };
    let set = [
        ("allow", spec.allow.is_some()),
        ("deny", spec.deny.is_some()),
        ("only", spec.only.is_some()),
        ("isolate", spec.isolate.is_some()),
    ];
    if !exactly_one(&set, "an intent", &at, c) {
        return None;
    }
    let rule = if let Some(f) = &spec.allow {
        IntentRule::Allow(flows(f, &at.key("allow"), line_of, c))
    } else if let Some(f) = &spec.deny {
        IntentRule::Deny(flows(f, &at.key("deny"), line_of, c))
    } else if let Some(o) = &spec.only {
        IntentRule::Only(only(o, &at.key("only"), line_of, c))
    } else {
        IntentRule::Isolate(isolate(
            spec.isolate.as_ref()?,
            &at.key("isolate"),
            line_of,
            c,
        ))
    };
    Some(Intent {
        meta: Meta {
            kind: KIND.to_owned(),
            namespace: None,
            name: info.name,
            source,
        },
        severity,
        description: spec.description.clone(),
        rule,
    })
}

/// A required, non-empty list of endpoints; `with_ports` says whether its
/// entries may carry `ports`.
fn endpoint_list(
    list: Option<&[EndpointDef]>,
    with_ports: bool,
    at: &FieldPath,
    line_of: LineOf<'_>,
    c: &mut Checker,
) -> Vec<(EndpointSelector, Option<Vec<podnet_model::PortSpec>>)> {
    let field = match at.segments().last() {
        Some(crate::path::Seg::Key(k)) => k.to_string(),
        _ => String::new(),
    };
    match list {
        None => {
            c.error(at.clone(), format!("`{field}` is required"));
            Vec::new()
        }
        Some([]) => {
            c.error(
                at.clone(),
                format!("`{field}` must not be empty: list at least one endpoint"),
            );
            Vec::new()
        }
        Some(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, e)| endpoint(e, with_ports, &at.index(i), line_of, c))
            .collect(),
    }
}

fn flows(f: &FlowsDef, at: &FieldPath, line_of: LineOf<'_>, c: &mut Checker) -> Flows {
    let from = endpoint_list(f.from.as_deref(), false, &at.key("from"), line_of, c);
    let to = endpoint_list(f.to.as_deref(), false, &at.key("to"), line_of, c);
    let external = |l: &[(EndpointSelector, _)]| {
        !l.is_empty()
            && l.iter()
                .all(|(e, _)| matches!(e.kind, SelectorKind::IpBlock(_)))
    };
    if external(&from) && external(&to) {
        c.error(
            at.clone(),
            "`from` and `to` are both address ranges: an intent must select pods on one side",
        );
    }
    Flows {
        line: line_of(at),
        from: from.into_iter().map(|(e, _)| e).collect(),
        to: to.into_iter().map(|(e, _)| e).collect(),
        ports: ports(f.ports.as_deref(), &at.key("ports"), line_of, c),
    }
}

fn only(o: &OnlyDef, at: &FieldPath, line_of: LineOf<'_>, c: &mut Checker) -> OnlyRule {
    let to = endpoint_list(o.to.as_deref(), false, &at.key("to"), line_of, c);
    if to
        .iter()
        .any(|(e, _)| matches!(e.kind, SelectorKind::IpBlock(_)))
    {
        c.error(
            at.key("to"),
            "`only` protects pods: its targets may not be an `ipBlock` (use `deny` for traffic leaving the cluster)",
        );
    }
    let from = endpoint_list(o.from.as_deref(), true, &at.key("from"), line_of, c);
    OnlyRule {
        line: line_of(at),
        to: to.into_iter().map(|(e, _)| e).collect(),
        from: from
            .into_iter()
            .map(|(selector, ports)| OnlySource { selector, ports })
            .collect(),
        ports: ports(o.ports.as_deref(), &at.key("ports"), line_of, c),
    }
}

fn isolate(d: &IsolateDef, at: &FieldPath, line_of: LineOf<'_>, c: &mut Checker) -> IsolateRule {
    let key_at = at.key("namespaceLabel");
    let namespace_label = match d.namespace_label.as_deref() {
        None | Some("") => {
            c.error(
                key_at,
                "`namespaceLabel` is required: the label whose value groups namespaces",
            );
            String::new()
        }
        Some(k) => {
            for p in names::qualified_name(k) {
                c.error(key_at.clone(), format!("invalid label key `{k}`: {p}"));
            }
            k.to_owned()
        }
    };
    let namespace_selector = d.namespace_selector.as_ref().map(|s| {
        let sel = s.to_k8s();
        label_selector(Some(&sel), &at.key("namespaceSelector"), c)
    });
    IsolateRule {
        line: line_of(at),
        namespace_label,
        namespace_selector,
    }
}
