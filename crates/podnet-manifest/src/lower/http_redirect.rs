//! The HTTPRoute `filters` podnet reads, of a rule and of a backendRef:
//! `RequestRedirect` (HTTPRequestRedirectFilter, Gateway API reference),
//! checked as the CRD's OpenAPI schema is (the `scheme` and `statusCode`
//! enums, the path modifier's type and its value), and the list's CEL
//! rules. Other filter types are kept by type, not applied.

use podnet_model::{PathModifier, RequestRedirect};
use serde::Deserialize;

use crate::path::FieldPath;
use crate::validate::{Checker, unsupported};

/// HTTPRequestRedirectFilter `statusCode` when omitted:
/// `+kubebuilder:default=302` (kubernetes-sigs/gateway-api
/// apis/v1/httproute_types.go line 1295 at
/// 4564255ac2c35d582249b3cdf261bdf51c8bca32, blob afc4db1e; the CRD
/// config/crd/standard/gateway.networking.k8s.io_httproutes.yaml, blob
/// ee2ae3eb, writes `default: 302` at lines 1176 and 2430).
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

/// Most `filters` of a rule or a backendRef (`MaxItems=16`).
const MAX_FILTERS: usize = 16;
/// Filter types a `filters` list may hold once (HTTPRouteRule and
/// HTTPBackendRef `filters`, apis/v1/httproute_types.go lines 258-262 and
/// 1882-1886 at 4564255a: "... filter cannot be repeated").
const ONCE: [&str; 5] = [
    "CORS",
    "RequestHeaderModifier",
    "ResponseHeaderModifier",
    "RequestRedirect",
    "URLRewrite",
];

/// The CEL rules and the size limit of a rule's or a backendRef's
/// `filters` (apis/v1/httproute_types.go lines 256-262 and 1880-1886 at
/// 4564255a); `at` is the list.
pub fn check_filters(filters: &[HttpRouteFilter], at: &FieldPath, c: &mut Checker) {
    super::gateway::too_many(filters.len(), MAX_FILTERS, at, c);
    let count = |t: &str| {
        filters
            .iter()
            .filter(|f| f.kind.as_deref() == Some(t))
            .count()
    };
    if count("RequestRedirect") > 0 && count("URLRewrite") > 0 {
        c.error(
            at.clone(),
            "May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both".to_owned(),
        );
    }
    for t in ONCE {
        if count(t) > 1 {
            c.error(at.clone(), format!("{t} filter cannot be repeated"));
        }
    }
}

/// The list's first `RequestRedirect` filter, checked; `at` is the rule's
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

    /// HTTPRequestRedirectFilter: statusCode "+kubebuilder:default=302"
    /// (apis/v1/httproute_types.go line 1295 at 4564255a);
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

    /// HTTPRouteRule and HTTPBackendRef `filters` CEL rules
    /// (apis/v1/httproute_types.go lines 257-262, 1881-1886 at 4564255a).
    #[test]
    fn filter_lists_follow_the_crd_cel_rules() {
        let cases: &[(&str, &[&str])] = &[
            (
                r#"[{"type": "RequestRedirect"}, {"type": "RequestHeaderModifier"}]"#,
                &[],
            ),
            (
                r#"[{"type": "RequestRedirect"}, {"type": "URLRewrite"}]"#,
                &[
                    "May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both",
                ],
            ),
            (
                r#"[{"type": "RequestHeaderModifier"}, {"type": "RequestHeaderModifier"}]"#,
                &["RequestHeaderModifier filter cannot be repeated"],
            ),
            (
                r#"[{"type": "RequestMirror"}, {"type": "RequestMirror"}]"#,
                &[],
            ),
        ];
        for (json, want) in cases {
            let filters: Vec<HttpRouteFilter> = serde_json::from_str(json).unwrap();
            let mut c = Checker::default();
            check_filters(&filters, &FieldPath::root().key("filters"), &mut c);
            let got: Vec<&str> = c.errors.iter().map(|(_, m)| m.as_str()).collect();
            assert_eq!(got, *want, "{json}");
        }
    }
}
