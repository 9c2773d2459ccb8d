//! Name, label and port-name rules of the API server
//! (k8s.io/apimachinery/pkg/util/validation). Each check returns the
//! problems found, as the API server's messages phrase them.

/// `[A-Za-z0-9]` at both ends, `[-A-Za-z0-9_.]` inside.
fn is_label_body(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if f.is_ascii_alphanumeric() && l.is_ascii_alphanumeric() => b
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.')),
        _ => false,
    }
}

/// RFC 1123 label: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`.
fn is_rfc1123_label_body(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if is_lower_alnum(*f) && is_lower_alnum(*l) => {
            b.iter().all(|&c| is_lower_alnum(c) || c == b'-')
        }
        _ => false,
    }
}

fn is_lower_alnum(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// `IsDNS1123Label`: namespace names and the like.
pub fn dns1123_label(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push("must be no more than 63 characters".to_owned());
    }
    if !is_rfc1123_label_body(s) {
        errs.push("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name' or '123-abc')".to_owned());
    }
    errs
}

/// `IsDNS1123Subdomain`: most object names.
pub fn dns1123_subdomain(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 253 {
        errs.push("must be no more than 253 characters".to_owned());
    }
    if !s.split('.').all(is_rfc1123_label_body) {
        errs.push("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')".to_owned());
    }
    errs
}

/// `IsWildcardDNS1123Subdomain`: `*.` followed by an RFC 1123 subdomain
/// (Ingress hosts with a wildcard).
pub fn wildcard_dns1123_subdomain(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 253 {
        errs.push("must be no more than 253 characters".to_owned());
    }
    let ok = s
        .strip_prefix("*.")
        .is_some_and(|rest| rest.split('.').all(is_rfc1123_label_body));
    if !ok {
        errs.push("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com')".to_owned());
    }
    errs
}

/// `IsDNS1035Label`: Service names.
pub fn dns1035_label(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push("must be no more than 63 characters".to_owned());
    }
    if !is_rfc1123_label_body(s) || !s.as_bytes()[0].is_ascii_lowercase() {
        errs.push("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name' or 'abc-123')".to_owned());
    }
    errs
}

/// `IsQualifiedName`: label keys (`[prefix/]name`).
pub fn qualified_name(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let (prefix, name) = match s.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    if let Some(prefix) = prefix {
        if prefix.is_empty() {
            errs.push("prefix part must be non-empty".to_owned());
        } else {
            errs.extend(
                dns1123_subdomain(prefix)
                    .into_iter()
                    .map(|e| format!("prefix part {e}")),
            );
        }
        if name.contains('/') {
            errs.push("a qualified name must consist of a name with an optional DNS subdomain prefix and one '/' (e.g. 'example.com/MyName')".to_owned());
            return errs;
        }
    }
    if name.is_empty() {
        errs.push("name part must be non-empty".to_owned());
    } else {
        if name.len() > 63 {
            errs.push("name part must be no more than 63 characters".to_owned());
        }
        if !is_label_body(name) {
            errs.push("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', 'my.name' or '123-abc')".to_owned());
        }
    }
    errs
}

/// `IsValidLabelValue`.
pub fn label_value(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push("must be no more than 63 characters".to_owned());
    }
    if !s.is_empty() && !is_label_body(s) {
        errs.push("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', 'my_value' or '12345')".to_owned());
    }
    errs
}

/// `IsValidPortName` (IANA_SVC_NAME): container and Service port names.
pub fn port_name(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 15 {
        errs.push("must be no more than 15 characters".to_owned());
    }
    if !s.bytes().all(|c| is_lower_alnum(c) || c == b'-') {
        errs.push(
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)".to_owned(),
        );
    }
    if s.contains("--") {
        errs.push("must not contain consecutive hyphens".to_owned());
    }
    if !s.bytes().any(|c| c.is_ascii_lowercase()) {
        errs.push("must contain at least one letter (a-z)".to_owned());
    }
    if s.starts_with('-') || s.ends_with('-') {
        errs.push("must not begin or end with a hyphen".to_owned());
    }
    errs
}

/// A port number outside 1..=65535.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("must be between 1 and 65535, inclusive")]
pub struct PortOutOfRange;

/// `IsValidPortNum`: the port when within 1..=65535.
pub fn port_number(n: i64) -> Result<u16, PortOutOfRange> {
    u16::try_from(n)
        .ok()
        .filter(|&p| p >= 1)
        .ok_or(PortOutOfRange)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_keys() {
        assert!(qualified_name("app").is_empty());
        assert!(qualified_name("app.kubernetes.io/name").is_empty());
        assert!(qualified_name("kubernetes.io/metadata.name").is_empty());
        assert!(!qualified_name("-app").is_empty());
        assert!(!qualified_name("Example.com/app").is_empty());
        assert!(!qualified_name("a/b/c").is_empty());
        assert!(!qualified_name("/app").is_empty());
        assert!(!qualified_name(&"a".repeat(64)).is_empty());
    }

    #[test]
    fn label_values() {
        assert!(label_value("").is_empty());
        assert!(label_value("My_Value.1").is_empty());
        assert!(!label_value("-x").is_empty());
        assert!(!label_value("a b").is_empty());
        assert!(!label_value(&"a".repeat(64)).is_empty());
    }

    #[test]
    fn dns_names() {
        assert!(dns1123_label("my-ns").is_empty());
        assert!(!dns1123_label("My-ns").is_empty());
        assert!(!dns1123_label("a.b").is_empty());
        assert!(dns1123_subdomain("a.b-c").is_empty());
        assert!(!dns1123_subdomain("a..b").is_empty());
        assert!(dns1035_label("svc-1").is_empty());
        assert!(!dns1035_label("1svc").is_empty());
        assert!(wildcard_dns1123_subdomain("*.example.com").is_empty());
        assert!(!wildcard_dns1123_subdomain("*").is_empty());
        assert!(!wildcard_dns1123_subdomain("a.*.example.com").is_empty());
        assert!(!wildcard_dns1123_subdomain("*.*.example.com").is_empty());
    }

    #[test]
    fn port_names_follow_iana_svc_name() {
        assert!(port_name("http").is_empty());
        assert!(port_name("serve-80-tcp").is_empty());
        assert!(!port_name("80").is_empty(), "needs a letter");
        assert!(!port_name("a--b").is_empty());
        assert!(!port_name("-ab").is_empty());
        assert!(!port_name("HTTP").is_empty());
        assert!(!port_name("abcdefghijklmnop").is_empty());
    }

    #[test]
    fn port_numbers() {
        assert_eq!(port_number(1), Ok(1));
        assert_eq!(port_number(65535), Ok(65535));
        assert!(port_number(0).is_err());
        assert!(port_number(65536).is_err());
        assert!(port_number(-1).is_err());
    }
}
