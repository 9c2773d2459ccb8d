//! Validation as the API server does it, for every field podnet reads.
//! Checks collect problems with their field paths; the decoder turns them
//! into located diagnostics and skips the document when there are errors.

pub mod addresses;
pub mod names;
pub mod quantity;
pub mod ranges;
pub mod selector;

use std::collections::BTreeMap;

use podnet_model::{Labels, Protocol};

use crate::limits::{quoted, shorten_message};
use crate::path::FieldPath;

/// Records `NotSupported` for `value` at `path`, listing `supported` as the
/// API server does (quoted, in the order given).
pub fn unsupported(path: &FieldPath, value: &str, supported: &[&str], c: &mut Checker) {
    let list: Vec<String> = supported.iter().map(|s| format!("\"{s}\"")).collect();
    c.error(
        path.clone(),
        format!(
            "unsupported value `{value}`: supported values are {}",
            list.join(", ")
        ),
    );
}

/// Problems found in one object.
#[derive(Debug, Default)]
pub struct Checker {
    /// Problems the API server rejects: the object is skipped.
    pub errors: Vec<(FieldPath, String)>,
    /// Problems the API server accepts with a warning (or podnet notes).
    pub warnings: Vec<(FieldPath, String)>,
    /// Whether rules [`Lenient`] names are set aside (`--lenient`).
    pub lenient: bool,
    /// Problems the API server rejects that `--lenient` set aside, with
    /// the rule each breaks: the object is kept (unless it has errors too),
    /// and reading still ends with exit status 2.
    pub kept: Vec<(FieldPath, String, Lenient)>,
}

impl Checker {
    /// Records an error at `path`; long quoted values are cut
    /// ([`crate::limits::shorten_message`]).
    pub fn error(&mut self, path: FieldPath, message: impl Into<String>) {
        self.errors.push((path, shorten_message(message.into())));
    }

    /// Records a warning at `path`; long quoted values are cut.
    pub fn warn(&mut self, path: FieldPath, message: impl Into<String>) {
        self.warnings.push((path, shorten_message(message.into())));
    }

    /// Records each message of a name check as an error about `value`.
    pub fn check(&mut self, path: &FieldPath, value: &str, problems: Vec<String>) {
        let value = quoted(value);
        for p in problems {
            self.error(path.clone(), format!("invalid value `{value}`: {p}"));
        }
    }

    /// A checker for `--lenient` reading when `lenient` is set.
    pub fn new(lenient: bool) -> Self {
        Checker {
            lenient,
            ..Checker::default()
        }
    }

    /// Records a breach of `rule`: an error, or under `--lenient` a kept
    /// problem whose message names the rule and what podnet reads.
    pub fn set_aside(&mut self, rule: Lenient, path: FieldPath, message: impl Into<String>) {
        if self.lenient {
            self.kept
                .push((path, shorten_message(message.into()), rule));
        } else {
            self.error(path, message);
        }
    }

    /// Records each message of a name check about `value` as a breach of
    /// `rule` ([`Checker::set_aside`]).
    pub fn check_set_aside(
        &mut self,
        rule: Lenient,
        path: &FieldPath,
        value: &str,
        problems: Vec<String>,
    ) {
        let value = quoted(value);
        for p in problems {
            self.set_aside(rule, path.clone(), format!("invalid value `{value}`: {p}"));
        }
    }

    /// Whether any error was recorded.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// The API rules `--lenient` sets aside: breaking one makes the API server
/// reject the object, but what the object means is not in doubt. Every
/// other rule still skips the object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lenient {
    /// `metadata.name` or `metadata.namespace` that is not the DNS name its
    /// kind requires (`a_b`, `Web`): the name is only an identifier.
    NameSyntax,
    /// A Service with more than one port, one of them without a `name`:
    /// each port still says its number, protocol and target.
    ServicePortName,
    /// A container port without `containerPort` (Go decodes the absent
    /// field as 0): the port has no number, so no traffic reaches it.
    ContainerPortZero,
    /// A `NamespacedPod` of an admin policy without its required
    /// `namespaceSelector` or `podSelector`: Go decodes the absent selector
    /// as the empty one, which selects everything.
    AdminSelectorRequired,
}

impl Lenient {
    /// The API rule broken, as the API server's validation names it.
    pub fn api_rule(self) -> &'static str {
        match self {
            Lenient::NameSyntax => "ValidateObjectMeta: the name must be a DNS label or subdomain",
            Lenient::ServicePortName => {
                "ValidateService: a Service with more than one port must name each"
            }
            Lenient::ContainerPortZero => {
                "validateContainerPorts: containerPort must be between 1 and 65535"
            }
            Lenient::AdminSelectorRequired => {
                "the policy.networking.k8s.io CRD schema: NamespacedPod requires namespaceSelector and podSelector"
            }
        }
    }

    /// The warning for `message`, a breach of this rule that `--lenient`
    /// set aside: what was wrong, the rule, and what podnet reads.
    pub fn kept_message(self, message: &str) -> String {
        format!(
            "{message}; kept (--lenient) although the API server rejects it ({}): {}",
            self.api_rule(),
            self.reading()
        )
    }

    /// What podnet reads the object as.
    pub fn reading(self) -> &'static str {
        match self {
            Lenient::NameSyntax => "podnet uses the name as written",
            Lenient::ServicePortName => "podnet reads the port without a name",
            Lenient::ContainerPortZero => "podnet leaves the port out (no traffic has port 0)",
            Lenient::AdminSelectorRequired => {
                "podnet reads the absent selector as `{}`, which selects everything"
            }
        }
    }
}

/// `ValidateLabels`: checks a label map and returns it as [`Labels`].
pub fn labels(map: Option<&BTreeMap<String, String>>, path: &FieldPath, c: &mut Checker) -> Labels {
    let Some(map) = map else {
        return Labels::new();
    };
    for (k, v) in map {
        let at = path.map_key(k);
        for p in names::qualified_name(k) {
            c.error(
                at.clone(),
                format!("invalid label key `{}`: {p}", quoted(k)),
            );
        }
        for p in names::label_value(v) {
            c.error(
                at.clone(),
                format!("invalid label value `{}`: {p}", quoted(v)),
            );
        }
    }
    map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// What an unknown `protocol` value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnknownProtocol {
    /// An error: the field is an enum the API server checks.
    Rejected,
    /// A warning: the field is a plain string the API server accepts, and
    /// the port matches no traffic.
    MatchesNothing,
}

/// A `protocol` field: TCP when absent, else exactly `TCP`, `UDP` or `SCTP`
/// (the API server is case-sensitive); any other value is `unknown`.
pub fn protocol(
    value: Option<&str>,
    unknown: UnknownProtocol,
    path: &FieldPath,
    c: &mut Checker,
) -> Option<Protocol> {
    let Some(s) = value else {
        return Some(Protocol::Tcp);
    };
    let p = Protocol::parse(s);
    if p.is_none() {
        match unknown {
            UnknownProtocol::Rejected => c.error(
                path.clone(),
                format!("unsupported value `{s}`: supported values are \"SCTP\", \"TCP\", \"UDP\""),
            ),
            UnknownProtocol::MatchesNothing => c.warn(
                path.clone(),
                format!("`{s}` is not `TCP`, `UDP` or `SCTP` (the API server accepts any string here): this port matches no traffic"),
            ),
        }
    }
    p
}
