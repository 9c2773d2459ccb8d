//! The one error type of the command line: why an argument was refused,
//! typed, worded by its `Display` (the text clap and the binary print).

use thiserror::Error;

/// Why a command-line argument, or a combination of them, was refused.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ArgError {
    /// A `dns` question that is neither an address nor a name.
    #[error("`{text}` is not a DNS name or an address: {why}")]
    DnsQuestion {
        /// The argument.
        text: String,
        /// Which rule it breaks.
        why: &'static str,
    },
    /// A number outside `1..=65535` given as a port.
    #[error("`{0}`: a port is between 1 and 65535")]
    PortRange(String),
    /// Not a number where a port is expected.
    #[error("`{0}` is not a port number (1-65535)")]
    NotPort(String),
    /// A count outside its bounds.
    #[error("`{text}`: must be between {min} and {max}")]
    CountRange {
        /// The argument.
        text: String,
        /// The least accepted.
        min: u32,
        /// The most accepted.
        max: u32,
    },
    /// Not a whole number where a count is expected.
    #[error("`{0}` is not a whole number")]
    NotNumber(String),
    /// Not a lab id.
    #[error("`{0}` is not a lab id (four lowercase hex digits, as `podnet lab up` prints)")]
    LabId(String),
    /// A name the Kubernetes name rules refuse.
    #[error("`{text}` is not a valid {what}: {problem}")]
    Name {
        /// What the name names (`namespace`, `name`, `node name`).
        what: &'static str,
        /// The name.
        text: String,
        /// The first rule it breaks.
        problem: String,
    },
    /// A kind that is not letters only.
    #[error("`{0}` is not a kind (letters only: Deployment, svc, po...)")]
    Kind(String),
    /// An argument not of the expected form (`NS/NAME`...).
    #[error("`{text}`: expected {form}")]
    Form {
        /// The argument.
        text: String,
        /// The forms accepted.
        form: &'static str,
    },
    /// A DNS name that breaks RFC 1123.
    #[error("`{text}` is not a valid DNS name: {why}")]
    DnsName {
        /// The argument.
        text: String,
        /// Which rule it breaks.
        why: &'static str,
    },
    /// An IPv6 address with a zone.
    #[error("`{text}`: a zone (`%{zone}`) is not supported; give the address alone")]
    Zone {
        /// The argument.
        text: String,
        /// The zone.
        zone: String,
    },
    /// Looks like an IPv4 address but is not one.
    #[error("`{0}` is not a valid IPv4 address")]
    Ipv4(String),
    /// A bracketed or dotted host that is not an address.
    #[error("`{0}` is not a valid IP address")]
    InvalidIp(String),
    /// `external:` followed by something else than an address.
    #[error("`{0}` is not an IP address")]
    NotIp(String),
    /// A port refused inside a longer argument.
    #[error("`{text}`: {port}")]
    PortIn {
        /// The whole argument.
        text: String,
        /// Why the port was refused.
        port: Box<ArgError>,
    },
    /// Not a `--from` form.
    #[error("{0}; a source is NS/NAME, NS/KIND/NAME, node:NAME, external:IP or an IP address")]
    NotSource(Box<ArgError>),
    /// Not a `--to` form.
    #[error("{0}; a destination is NS/NAME, IP[:PORT], a DNS name[:PORT] or an http(s) URL")]
    NotDestination(Box<ArgError>),
    /// Not an `explain` end.
    #[error(
        "{0}; expected NS/NAME, NS/KIND/NAME, an IP address, ingress-controller or gateway:NS/NAME"
    )]
    NotExplainEnd(Box<ArgError>),
    /// A URL scheme given with an invalid URL.
    #[error(
        "`{0}` is not a valid URL (http(s)://HOST[:PORT]/PATH[?QUERY], tls://HOST[:PORT], tcp://HOST:PORT, udp://HOST:PORT)"
    )]
    Url(String),
    /// An empty `--to`.
    #[error("the destination is empty")]
    EmptyDestination,
    /// A source form given as `--to`.
    #[error("`{0}`: node:NAME and external:IP are sources (--from), not destinations")]
    SourceAsDestination(String),
    /// An empty `--git` revision.
    #[error("the revision is empty")]
    EmptyRevision,
    /// A revision that would read as an option.
    #[error("`{0}`: a revision cannot start with `-`")]
    RevisionOption(String),
    /// A revision with blanks or control characters.
    #[error("`{}` is not a git revision", .0.escape_debug())]
    Revision(String),
    /// An unknown audit rule code.
    #[error("no rule `{0}`; `podnet audit --list-rules` lists them (docs/audit.md)")]
    Rule(String),
    /// Not an HTTP method token.
    #[error("`{0}` is not an HTTP method")]
    Method(String),
    /// Not an HTTP header name token.
    #[error("`{0}` is not an HTTP header name")]
    HeaderName(String),
    /// More than one `--header Host:...`, or an empty one.
    #[error(
        "--header Host: give one non-empty Host (RFC 9112 3.2: a request with more than one Host header, or an invalid one, gets 400)"
    )]
    HostHeader,
    /// Not a valid Gateway name.
    #[error("`{0}` is not a valid Gateway name")]
    GatewayName(String),
    /// `--method`, `--header` or `--grpc` with a URL that is not HTTP.
    #[error("--method, --header and --grpc apply to http:// and https:// URLs, not {0}://")]
    HttpOnly(&'static str),
    /// `--grpc` with a URL that has a path.
    #[error(
        "--grpc: the URL has a path (`{0}`); a gRPC call's path is /SERVICE/METHOD, give only scheme, host and port"
    )]
    GrpcPath(String),
    /// Request options with a destination that is not a URL.
    #[error(
        "--method, --header, --grpc and --gateway apply to a URL destination (--to http(s)://...)"
    )]
    RequestOptions,
}
