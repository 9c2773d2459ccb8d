//! The answer of an HTTPRoute rule's `RequestRedirect` filter (Gateway API
//! reference, HTTPRequestRedirectFilter and HTTPPathModifier in
//! kubernetes-sigs/gateway-api `apis/v1/httproute_types.go`).

use podnet_model::{BackendRef, PathMatch, PathMatchKind, PathModifier, RequestRedirect};

use super::url::Url;
use super::{AnswerReason, FrontAnswer};

/// The `Location` of a redirect, as parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The scheme (`http` or `https`).
    pub scheme: String,
    /// The host.
    pub host: String,
    /// The port.
    pub port: u16,
    /// The path.
    pub path: String,
}

impl Location {
    /// The port as the `Location` header writes it: none for HTTP on 80
    /// and HTTPS on 443 (`port`: "Implementations SHOULD NOT add the port
    /// number in the 'Location' header" in these cases).
    pub fn written_port(&self) -> Option<u16> {
        match (self.scheme.as_str(), self.port) {
            ("http", 80) | ("https", 443) => None,
            _ => Some(self.port),
        }
    }
}

/// A backendRef's `RequestRedirect` filter answering the requests sent to
/// it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendRedirect {
    /// The backendRef's Service (namespace, name).
    pub service: (String, String),
    /// Its `weight`, of `of`: the share of the rule's requests it takes.
    pub weight: u32,
    /// The sum of the rule's backendRef weights.
    pub of: u32,
    /// Where to.
    pub to: Location,
}

/// The answers of the backendRefs of an HTTPRoute rule (`backends`) that
/// carry a `RequestRedirect` filter and are `valid`, one per backendRef
/// with a weight. HTTPBackendRef `filters`: "Filters defined at this level
/// should be executed if and only if the request is being forwarded to the
/// backend defined here" (apis/v1/httproute_types.go lines 1872-1873 at
/// 4564255a): the requests the weight sends to such a backendRef get its
/// redirect, as the conformance test HTTPRouteBackendRequestRedirect
/// (conformance/tests/httproute-backend-request-redirect.go lines 50-76)
/// expects; an invalid backendRef's share gets 500 as without the filter.
pub(super) fn backend_redirects(
    backends: &[BackendRef],
    valid: impl Fn(&BackendRef) -> bool,
    url: &Url,
    listener_port: u16,
    matched: Option<&PathMatch>,
) -> Vec<(FrontAnswer, AnswerReason)> {
    let of = backends.iter().map(|b| b.weight).sum();
    backends
        .iter()
        .filter(|b| b.weight > 0 && valid(b))
        .filter_map(|b| {
            let r = b.redirect.as_ref()?;
            Some((
                FrontAnswer::Http(r.status_code),
                AnswerReason::BackendRedirect(BackendRedirect {
                    service: (b.namespace.clone(), b.name.clone()),
                    weight: b.weight,
                    of,
                    to: location(r, url, listener_port, matched),
                }),
            ))
        })
        .collect()
}

/// Where `r` sends a request for `url` taken by a listener on
/// `listener_port`, whose rule matched with `matched`.
pub(super) fn location(
    r: &RequestRedirect,
    url: &Url,
    listener_port: u16,
    matched: Option<&PathMatch>,
) -> Location {
    // `scheme`: "When empty, the scheme of the request is used."
    let scheme = r
        .scheme
        .clone()
        .unwrap_or_else(|| url.scheme.as_str().to_owned());
    // `port`: "If redirect scheme is not-empty, the redirect port MUST be
    // the well-known port associated with the redirect scheme.
    // Specifically "http" to port 80 and "https" to port 443. [...] If
    // redirect scheme is empty, the redirect port MUST be the Gateway
    // Listener port."
    let port = r.port.unwrap_or(match r.scheme.as_deref() {
        Some("http") => 80,
        Some("https") => 443,
        _ => listener_port,
    });
    Location {
        scheme,
        // `hostname`: "When empty, the hostname in the `Host` header of
        // the request is used."
        host: r.hostname.clone().unwrap_or_else(|| url.authority()),
        port,
        // `path`: "When empty, the request path is used as-is."
        path: match &r.path {
            None => url.path.clone(),
            Some(PathModifier::ReplaceFullPath(p)) => p.clone(),
            Some(PathModifier::ReplacePrefixMatch(p)) => match matched {
                Some(m) if m.kind == PathMatchKind::PathPrefix => {
                    replace_prefix(&url.path, &m.value, p)
                }
                // The CRD admits ReplacePrefixMatch only with a PathPrefix
                // match; with any other the path is kept.
                _ => url.path.clone(),
            },
        },
    }
}

/// HTTPPathModifier `replacePrefixMatch`: the matched prefix of `path`
/// (whole path elements; a trailing `/` of either value does not count)
/// replaced by `replacement`, as the field's table of examples shows.
fn replace_prefix(path: &str, prefix: &str, replacement: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    let rest = path.get(prefix.len()..).unwrap_or("");
    let out = format!("{}{rest}", replacement.trim_end_matches('/'));
    if out.is_empty() { "/".to_owned() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// HTTPPathModifier `replacePrefixMatch`: every row of its table
    /// (request path, prefix match, modified prefix, modified path).
    #[test]
    fn replace_prefix_match_follows_the_table_of_http_path_modifier() {
        let rows = [
            ("/foo/bar", "/foo", "/xyz", "/xyz/bar"),
            ("/foo/bar", "/foo", "/xyz/", "/xyz/bar"),
            ("/foo/bar", "/foo/", "/xyz", "/xyz/bar"),
            ("/foo/bar", "/foo/", "/xyz/", "/xyz/bar"),
            ("/foo", "/foo", "/xyz", "/xyz"),
            ("/foo/", "/foo", "/xyz", "/xyz/"),
            ("/foo/bar", "/foo", "", "/bar"),
            ("/foo/", "/foo", "", "/"),
            ("/foo", "/foo", "", "/"),
            ("/foo/", "/foo", "/", "/"),
            ("/foo", "/foo", "/", "/"),
        ];
        for (path, prefix, replacement, want) in rows {
            assert_eq!(
                replace_prefix(path, prefix, replacement),
                want,
                "{path} {prefix} {replacement}"
            );
        }
    }

    /// `port`: given, else the redirect scheme's well-known port, else
    /// the listener's; the Location omits HTTP 80 and HTTPS 443.
    #[test]
    fn redirect_port_follows_the_scheme_and_listener_rules() {
        let url = Url::parse("http://a.example:8080/p").unwrap();
        let cases = [
            (None, None, "http", 8080, Some(8080)),
            (Some("https"), None, "https", 443, None),
            (Some("http"), None, "http", 80, None),
            (None, Some(8083), "http", 8083, Some(8083)),
            (Some("https"), Some(8443), "https", 8443, Some(8443)),
            (None, Some(80), "http", 80, None),
        ];
        for (scheme, port, want_scheme, want_port, written) in cases {
            let r = RequestRedirect {
                scheme: scheme.map(str::to_owned),
                hostname: None,
                path: None,
                port,
                status_code: 302,
            };
            let l = location(&r, &url, 8080, None);
            assert_eq!(
                (
                    l.scheme.as_str(),
                    l.port,
                    l.written_port(),
                    l.host.as_str(),
                    l.path.as_str()
                ),
                (want_scheme, want_port, written, "a.example", "/p"),
                "{scheme:?} {port:?}"
            );
        }
    }
}
