//! The HTTPRoute rule `filters` podnet reads: `RequestRedirect`
//! (HTTPRequestRedirectFilter, Gateway API reference), checked as the
//! CRD's OpenAPI schema is (the `scheme` and `statusCode` enums, the
//! path modifier's type and its value). Other filter types are counted by
//! the rule, not read.

use podnet_model::{PathModifier, RequestRedirect};
use serde::Deserialize;

use crate::path::FieldPath;
use crate::validate::{Checker, unsupported};

/// HTTPRequestRedirectFilter `statusCode` when omitted: "+kubebuilder:default=302".
const DEFAULT_STATUS: u16 = 302;
/// The `statusCode` enum (301 and 302 Core, 303, 307 and 308 Extended).
const STATUS_CODES: [u16; 5] = [301, 302, 303, 307, 308];

/// One `filters` entry (fields other than `type` and `requestRedirect`
/// are not read).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteFilter {
    /// `type`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `requestRedirect`.
    pub request_redirect: Option<RedirectSpec>,
}

/// `requestRedirect`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RedirectSpec {
    /// `scheme`.
    pub scheme: Option<String>,
    /// `hostname`.
    pub hostname: Option<String>,
    /// `path`.
    pub path: Option<PathModifierSpec>,
    /// `port`.
    pub port: Option<u16>,
    /// `statusCode`.
    pub status_code: Option<u16>,
}

/// `path` (HTTPPathModifier).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PathModifierSpec {
    /// `type`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `replaceFullPath`.
    pub replace_full_path: Option<String>,
    /// `replacePrefixMatch`.
    pub replace_prefix_match: Option<String>,
}

/// The rule's first `RequestRedirect` filter, checked; `at` is the rule's
/// `filters`.
pub fn request_redirect(
    filters: &[HttpRouteFilter],
    at: &FieldPath,
    c: &mut Checker,
) -> Option<RequestRedirect> {
    let (i, spec) = filters.iter().enumerate().find_map(|(i, f)| {
        (f.kind.as_deref() == Some("RequestRedirect")).then_some((i, f.request_redirect.as_ref()))
    })?;
    let at = at.index(i).key("requestRedirect");
    let Some(spec) = spec else {
        c.error(
            at,
            "filter.requestRedirect must be specified for RequestRedirect filter.type".to_owned(),
        );
        return None;
    };
    if let Some(s) = spec.scheme.as_deref()
        && s != "http"
        && s != "https"
    {
        unsupported(&at.key("scheme"), s, &["http", "https"], c);
    }
    let status_code = spec.status_code.unwrap_or(DEFAULT_STATUS);
    if !STATUS_CODES.contains(&status_code) {
        let codes: Vec<String> = STATUS_CODES.iter().map(u16::to_string).collect();
        unsupported(
            &at.key("statusCode"),
            &status_code.to_string(),
            &codes.iter().map(String::as_str).collect::<Vec<_>>(),
            c,
        );
    }
    Some(RequestRedirect {
        scheme: spec.scheme.clone(),
        hostname: spec.hostname.clone(),
        path: spec
            .path
            .as_ref()
            .and_then(|p| path_modifier(p, &at.key("path"), c)),
        port: spec.port,
        status_code,
    })
}

/// An HTTPPathModifier and its CEL rules (the value of the type is set).
fn path_modifier(p: &PathModifierSpec, at: &FieldPath, c: &mut Checker) -> Option<PathModifier> {
    let missing = |field: &'static str, c: &mut Checker| {
        c.error(
            at.key(field),
            format!(
                "{field} must be specified when type is set to '{}'",
                p.kind.as_deref().unwrap_or("")
            ),
        );
        None
    };
    match p.kind.as_deref() {
        Some("ReplaceFullPath") => match &p.replace_full_path {
            Some(v) => Some(PathModifier::ReplaceFullPath(v.clone())),
            None => missing("replaceFullPath", c),
        },
        Some("ReplacePrefixMatch") => match &p.replace_prefix_match {
            Some(v) => Some(PathModifier::ReplacePrefixMatch(v.clone())),
            None => missing("replacePrefixMatch", c),
        },
        other => {
            unsupported(
                &at.key("type"),
                other.unwrap_or(""),
                &["ReplaceFullPath", "ReplacePrefixMatch"],
                c,
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Filters, the redirect's status and path modifier, the error count.
    type Case = (&'static str, Option<(u16, Option<PathModifier>)>, usize);

    fn lower(json: &str) -> (Option<RequestRedirect>, usize) {
        let filters: Vec<HttpRouteFilter> = serde_json::from_str(json).unwrap();
        let mut c = Checker::default();
        let r = request_redirect(&filters, &FieldPath::root().key("filters"), &mut c);
        (r, c.errors.len())
    }

    /// HTTPRequestRedirectFilter: statusCode "+kubebuilder:default=302";
    /// the path modifier's value is read by its type; other filters are
    /// not redirects; values outside the CRD's enums are errors.
    #[test]
    fn request_redirect_filters_lower_with_the_crd_defaults_and_enums() {
        let cases: &[Case] = &[
            (
                r#"[{"type": "RequestRedirect", "requestRedirect": {"hostname": "example.org"}}]"#,
                Some((302, None)),
                0,
            ),
            (
                r#"[{"type": "RequestRedirect", "requestRedirect": {"statusCode": 308}}]"#,
                Some((308, None)),
                0,
            ),
            (
                r#"[{"type": "RequestRedirect", "requestRedirect": {"statusCode": 200}}]"#,
                Some((200, None)),
                1,
            ),
            (
                r#"[{"type": "RequestRedirect", "requestRedirect": {"scheme": "ftp"}}]"#,
                Some((302, None)),
                1,
            ),
            (
                r#"[{"type": "RequestRedirect", "requestRedirect": {"path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/x"}}}]"#,
                Some((302, Some(PathModifier::ReplacePrefixMatch("/x".into())))),
                0,
            ),
            (
                r#"[{"type": "RequestRedirect", "requestRedirect": {"path": {"type": "ReplaceFullPath"}}}]"#,
                Some((302, None)),
                1,
            ),
            (r#"[{"type": "RequestRedirect"}]"#, None, 1),
            (
                r#"[{"type": "RequestHeaderModifier", "requestHeaderModifier": {}}]"#,
                None,
                0,
            ),
        ];
        for (json, want, errors) in cases {
            let (got, n) = lower(json);
            assert_eq!(got.map(|r| (r.status_code, r.path)), *want, "{json}");
            assert_eq!(n, *errors, "{json}");
        }
    }
}
