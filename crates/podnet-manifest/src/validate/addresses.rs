//! IP addresses and CIDRs as the API server parses legacy fields
//! (`IsValidCIDRForLegacyField`, `ParseCIDRSloppy`): IPv4 octets may have
//! leading zeros (read as decimal) and a CIDR may have host bits set (read as
//! its network); both are accepted with a warning.

use std::net::IpAddr;

use ipnet::IpNet;

use super::Checker;
use crate::path::FieldPath;

/// Drops leading zeros of IPv4 octets (`010.001.0.0` -> `10.1.0.0`).
fn strip_octet_zeros(addr: &str) -> Option<String> {
    if addr.contains(':') || !addr.contains('.') {
        return None;
    }
    let parts: Vec<&str> = addr.split('.').collect();
    if !parts.iter().any(|p| p.len() > 1 && p.starts_with('0')) {
        return None;
    }
    Some(
        parts
            .iter()
            .map(|p| {
                let t = p.trim_start_matches('0');
                if t.is_empty() { "0" } else { t }
            })
            .collect::<Vec<_>>()
            .join("."),
    )
}

/// Parses an IP address field.
pub fn ip(value: &str, path: &FieldPath, c: &mut Checker) -> Option<IpAddr> {
    if let Ok(a) = value.parse() {
        return Some(a);
    }
    if let Some(fixed) = strip_octet_zeros(value)
        && let Ok(a) = fixed.parse()
    {
        c.warn(
            path.clone(),
            format!("`{value}` has leading zeros; it is read as `{a}`"),
        );
        return Some(a);
    }
    c.error(path.clone(), format!("`{value}` is not a valid IP address"));
    None
}

/// Parses a CIDR field, masking host bits with a warning.
pub fn cidr(value: &str, path: &FieldPath, c: &mut Checker) -> Option<IpNet> {
    let Some((addr, len)) = value.split_once('/') else {
        c.error(
            path.clone(),
            format!("`{value}` is not a valid CIDR: it needs a prefix length, e.g. `{value}/32`"),
        );
        return None;
    };
    let digits_ok = !len.is_empty() && len.bytes().all(|b| b.is_ascii_digit());
    let len_num = len.trim_start_matches('0');
    let len_num = if len_num.is_empty() { "0" } else { len_num };
    let addr_fixed = strip_octet_zeros(addr);
    let canonical = format!("{}/{}", addr_fixed.as_deref().unwrap_or(addr), len_num);
    let parsed: Option<IpNet> = if digits_ok {
        canonical.parse().ok()
    } else {
        None
    };
    let Some(net) = parsed else {
        c.error(path.clone(), format!("`{value}` is not a valid CIDR"));
        return None;
    };
    if addr_fixed.is_some() || len_num != len {
        c.warn(
            path.clone(),
            format!(
                "`{value}` has leading zeros; it is read as `{}`",
                net.trunc()
            ),
        );
    }
    if net.trunc() != net {
        c.warn(
            path.clone(),
            format!(
                "`{value}` has host bits set; the API server reads it as `{}`",
                net.trunc()
            ),
        );
    }
    Some(net.trunc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> (Option<IpNet>, Checker) {
        let mut c = Checker::default();
        (cidr(s, &FieldPath::root(), &mut c), c)
    }

    #[test]
    fn host_bits_are_masked_with_a_warning() {
        let (n, c) = parse("10.244.1.10/4");
        assert_eq!(n.unwrap().to_string(), "0.0.0.0/4");
        assert_eq!(c.warnings.len(), 1);
        assert!(c.errors.is_empty());
    }

    #[test]
    fn canonical_cidrs_are_silent() {
        let (n, c) = parse("2001:db8::/32");
        assert_eq!(n.unwrap().to_string(), "2001:db8::/32");
        assert!(c.warnings.is_empty() && c.errors.is_empty());
    }

    #[test]
    fn leading_zeros_are_decimal_with_a_warning() {
        let (n, c) = parse("010.0.0.0/08");
        assert_eq!(n.unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(c.warnings.len(), 1);
    }

    #[test]
    fn bad_cidrs_are_errors() {
        for s in [
            "10.0.0.0",
            "10.0.0.0/33",
            "300.0.0.0/8",
            "x/8",
            "10.0.0.0/-1",
            "::/129",
            "",
        ] {
            let (n, c) = parse(s);
            assert!(n.is_none() && c.has_errors(), "{s}");
        }
    }
}
