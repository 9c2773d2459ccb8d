//! The request a URL trace sends: `http(s)://host[:port]/path?query`, the
//! method, headers, a gRPC call, and the Gateway asked, as a client sends
//! them and as HTTPRoute and GRPCRoute `matches` see them (Gateway API
//! reference, HTTPRouteMatch, GRPCRouteMatch); or a TLS session, a TCP
//! connection or UDP datagrams to a Gateway's TLS, TCP or UDP listener
//! (`tls://host:port`, `tcp://host:port`, `udp://host:port`).

/// How the client talks to the front.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// `http://`: HTTP/1.1 (or h2c for gRPC).
    Http,
    /// `https://`: HTTP over TLS, the host as SNI.
    Https,
    /// `tls://`: a TLS session, the host as SNI (TLSRoute).
    Tls,
    /// `tcp://`: a TCP connection (TCPRoute).
    Tcp,
    /// `udp://`: UDP datagrams (UDPRoute).
    Udp,
}

impl Scheme {
    /// As written before `://`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
            Scheme::Tls => "tls",
            Scheme::Tcp => "tcp",
            Scheme::Udp => "udp",
        }
    }

    /// The port when the URL gives none (HTTP 80, HTTPS and TLS 443; TCP and
    /// UDP need one).
    pub fn default_port(self) -> Option<u16> {
        match self {
            Scheme::Http => Some(80),
            Scheme::Https | Scheme::Tls => Some(443),
            Scheme::Tcp | Scheme::Udp => None,
        }
    }

    /// Whether the client speaks TLS to the front (and sends SNI).
    pub fn tls(self) -> bool {
        matches!(self, Scheme::Https | Scheme::Tls)
    }

    /// Whether requests are HTTP (routed by HTTPRoute or GRPCRoute).
    pub fn http(self) -> bool {
        matches!(self, Scheme::Http | Scheme::Https)
    }
}

/// A parsed `scheme://host[:port]/path[?query]` destination and how the
/// request is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    /// How the client talks to the front.
    pub scheme: Scheme,
    /// The host, lowercased.
    pub host: String,
    /// The port the client connects to (the scheme's default unless given).
    pub port: u16,
    /// The path (`/` when empty), without query or fragment; for a gRPC
    /// call, `/SERVICE/METHOD`.
    pub path: String,
    /// The query string's `name=value` pairs, in order, as written (not
    /// percent-decoded); a parameter without `=` has an empty value.
    pub query: Vec<(String, String)>,
    /// Method, headers, gRPC call, Gateway.
    pub request: HttpRequest,
}

/// How the request is sent, beyond its URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method, upper case (`GET` unless given; `POST` for gRPC).
    pub method: String,
    /// Headers as given, in order (names compare case-insensitively).
    pub headers: Vec<(String, String)>,
    /// A gRPC call: matched against GRPCRoutes instead of HTTPRoutes.
    pub grpc: Option<GrpcCall>,
    /// Only this Gateway (`namespace`, `name`) is asked; else every Gateway
    /// with a listener for the request, one path each.
    pub gateway: Option<(String, String)>,
}

impl Default for HttpRequest {
    fn default() -> Self {
        HttpRequest {
            method: "GET".to_owned(),
            headers: Vec::new(),
            grpc: None,
            gateway: None,
        }
    }
}

/// A gRPC call: `SERVICE/METHOD`, sent as `POST /SERVICE/METHOD` (gRPC over
/// HTTP/2, PROTOCOL-HTTP2.md: `:path` is `/` Service-Name `/` method name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrpcCall {
    /// The fully qualified service (`pkg.Service`).
    pub service: String,
    /// The method.
    pub method: String,
}

impl GrpcCall {
    /// Parses `SERVICE/METHOD` (both non-empty, no other `/`).
    pub fn parse(text: &str) -> Option<GrpcCall> {
        let (service, method) = text.trim_start_matches('/').split_once('/')?;
        if service.is_empty() || method.is_empty() || method.contains('/') {
            return None;
        }
        Some(GrpcCall {
            service: service.to_owned(),
            method: method.to_owned(),
        })
    }

    /// The HTTP/2 `:path`.
    pub fn path(&self) -> String {
        format!("/{}/{}", self.service, self.method)
    }
}

impl Url {
    /// Parses an `http://`, `https://`, `tls://`, `tcp://` or `udp://` URL
    /// (the last two with a port); `None` for anything else.
    pub fn parse(text: &str) -> Option<Url> {
        let (scheme, rest) = text.split_once("://")?;
        let scheme = [
            Scheme::Http,
            Scheme::Https,
            Scheme::Tls,
            Scheme::Tcp,
            Scheme::Udp,
        ]
        .into_iter()
        .find(|s| s.as_str() == scheme)?;
        let rest = rest.split('#').next().unwrap_or_default();
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, q),
            None => (rest, ""),
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().ok()?),
            None => (authority, scheme.default_port()?),
        };
        if host.is_empty() || port == 0 || (!scheme.http() && (path != "/" || !query.is_empty())) {
            return None;
        }
        Some(Url {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
            path: if path.is_empty() { "/" } else { path }.to_owned(),
            query: parse_query(query),
            request: HttpRequest::default(),
        })
    }

    /// The host the request names for HTTP routing (RFC 9110 7.2, "Host
    /// and :authority"): the value of a `Host` header given with the
    /// request (`--header Host:NAME[:PORT]`, its port dropped, lowercased;
    /// the first when several are given: `podnet trace` accepts one),
    /// else the URL's host. The URL's host stays the connection's target
    /// and, over TLS, the server name (SNI) the client sends, so the two
    /// may differ as when a client reuses a connection (HTTP/2 connection
    /// coalescing, RFC 9113 9.1.1).
    pub fn authority(&self) -> String {
        let given = self
            .request
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("host"))
            .map(|(_, v)| v.as_str());
        match given {
            Some(v) => strip_port(v).to_ascii_lowercase(),
            None => self.host.clone(),
        }
    }

    /// This URL sent as the gRPC call `call`: `POST /SERVICE/METHOD`.
    pub fn with_grpc(mut self, call: GrpcCall) -> Url {
        self.path = call.path();
        self.request.method = "POST".to_owned();
        self.request.grpc = Some(call);
        self
    }

    /// The URL as written back: scheme, host, port when not the default,
    /// path and query.
    pub fn text(&self) -> String {
        let scheme = self.scheme.as_str();
        let port = if Some(self.port) == self.scheme.default_port() {
            String::new()
        } else {
            format!(":{}", self.port)
        };
        let query = if self.query.is_empty() {
            String::new()
        } else {
            let pairs: Vec<String> = self.query.iter().map(|(n, v)| format!("{n}={v}")).collect();
            format!("?{}", pairs.join("&"))
        };
        format!("{scheme}://{}{port}{}{query}", self.host, self.path)
    }
}

/// `host[:port]` without its port (`[v6]:port` keeps the brackets'
/// address; a bare IPv6 address is kept whole).
fn strip_port(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split_once(']').map_or(authority, |(a, _)| a);
    }
    match authority.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') && p.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => authority,
    }
}

/// `a=1&b=2&c` as pairs, empty parts skipped.
fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((n, v)) => (n.to_owned(), v.to_owned()),
            None => (p.to_owned(), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_ports_paths_queries_and_fragments() {
        use Scheme::{Http, Https, Tcp, Tls, Udp};
        /// Scheme, host, port, path, query.
        type Parsed = (
            Scheme,
            &'static str,
            u16,
            &'static str,
            &'static [(&'static str, &'static str)],
        );
        let cases: &[(&str, Option<Parsed>)] = &[
            (
                "http://Shop.Example.com",
                Some((Http, "shop.example.com", 80, "/", &[])),
            ),
            ("https://h:8443/a/b", Some((Https, "h", 8443, "/a/b", &[]))),
            (
                "http://h/p?animal=whale&color=blue&flag#frag",
                Some((
                    Http,
                    "h",
                    80,
                    "/p",
                    &[("animal", "whale"), ("color", "blue"), ("flag", "")],
                )),
            ),
            ("http://h?x=1", Some((Http, "h", 80, "/", &[("x", "1")]))),
            (
                "tls://db.example.com",
                Some((Tls, "db.example.com", 443, "/", &[])),
            ),
            (
                "tcp://10.0.0.1:5432",
                Some((Tcp, "10.0.0.1", 5432, "/", &[])),
            ),
            ("udp://gw:53", Some((Udp, "gw", 53, "/", &[]))),
            ("tcp://gw", None),
            ("tcp://gw:1/path", None),
            ("ftp://h/", None),
            ("http://:80/", None),
            ("http://h:0/", None),
        ];
        for (text, want) in cases {
            let got = Url::parse(text);
            let got = got.as_ref().map(|u| {
                let q: Vec<(&str, &str)> = u
                    .query
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect();
                (u.scheme, u.host.clone(), u.port, u.path.clone(), q)
            });
            let want =
                want.map(|(s, h, p, path, q)| (s, h.to_owned(), p, path.to_owned(), q.to_vec()));
            assert_eq!(got, want, "{text}");
        }
        let u = Url::parse("http://h:8080/p?a=1").map(|u| u.text());
        assert_eq!(u.as_deref(), Some("http://h:8080/p?a=1"));
    }

    /// RFC 9110 7.2: the Host header names the target's host (and
    /// optional port); without one, the URL's host is the authority.
    #[test]
    fn a_host_header_names_the_authority_and_the_url_host_stays() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[], "sni.example.org"),
            (&[("Host", "Other.Example.org")], "other.example.org"),
            (&[("host", "other.example.org:8443")], "other.example.org"),
            (&[("x-host", "no"), ("HOST", "a.b")], "a.b"),
            (&[("Host", "[2001:db8::1]:443")], "2001:db8::1"),
            (&[("Host", "2001:db8::1")], "2001:db8::1"),
        ];
        for (headers, want) in cases {
            let mut u = Url::parse("https://SNI.example.org/p").unwrap();
            u.request.headers = headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect();
            assert_eq!(u.authority(), *want, "{headers:?}");
            assert_eq!(u.host, "sni.example.org");
        }
    }

    #[test]
    fn a_grpc_call_is_a_post_to_service_slash_method() {
        assert_eq!(GrpcCall::parse("pkg.Svc"), None);
        assert_eq!(GrpcCall::parse("pkg.Svc/"), None);
        assert_eq!(GrpcCall::parse("a/b/c"), None);
        let call = GrpcCall::parse("/pkg.Svc/Get");
        let url = Url::parse("http://g.example.com")
            .zip(call)
            .map(|(u, c)| u.with_grpc(c));
        let url = url.as_ref();
        assert_eq!(url.map(|u| u.path.as_str()), Some("/pkg.Svc/Get"));
        assert_eq!(url.map(|u| u.request.method.as_str()), Some("POST"));
    }
}
