//! IP addresses and CIDRs as the API server parses legacy fields
//! (`IsValidCIDRForLegacyField`, `ParseCIDRSloppy`): IPv4 octets may have
//! leading zeros (read as decimal) and a CIDR may have host bits set (read as
//! its network); both are accepted with a warning. Fields of podnet's own
//! kinds are read strictly ([`strict_cidr`]), and the CRDs' `isCIDR` fields
//! as Go's `netip.ParsePrefix` reads them ([`is_cidr`]).

use std::net::IpAddr;

use ipnet::IpNet;
use podnet_model::IpBlock;

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
    Some(masked(net, value, "the API server reads it", path, c))
}

/// `net` without host bits; when it has some, warns that `value` (as
/// written) is read as its network, saying who reads it (`it is read`).
pub fn masked(net: IpNet, value: &str, reader: &str, path: &FieldPath, c: &mut Checker) -> IpNet {
    if net.trunc() != net {
        c.warn(
            path.clone(),
            format!("`{value}` has host bits set; {reader} as `{}`", net.trunc()),
        );
    }
    net.trunc()
}

/// `maxLength` of a CRD's `isCIDR` field.
pub const MAX_CIDR_LENGTH: usize = 43;

/// A CRD's `isCIDR` field (Go's `netip.ParsePrefix`: no leading zeros in
/// IPv4 octets or in the prefix length, no zone) with no IPv4-mapped IPv6
/// address, at most 43 characters. `isCIDR` accepts host bits set: the CIDR
/// is read as its network, with a warning.
pub fn is_cidr(value: &str, path: &FieldPath, c: &mut Checker) -> Option<IpNet> {
    let len = value.chars().count();
    if len > MAX_CIDR_LENGTH {
        c.error(
            path.clone(),
            format!(
                "invalid value: must be no more than {MAX_CIDR_LENGTH} characters (it has {len})"
            ),
        );
        return None;
    }
    let invalid = |c: &mut Checker, why: &str| {
        c.error(
            path.clone(),
            format!("`{value}` is not a valid CIDR: {why}"),
        );
    };
    let Some((addr, bits)) = value.rsplit_once('/') else {
        invalid(c, "it needs a prefix length, e.g. `/32`");
        return None;
    };
    let Ok(ip) = addr.parse::<IpAddr>() else {
        invalid(
            c,
            "the address is not an IPv4 or IPv6 address (IPv4 octets may not have leading zeros)",
        );
        return None;
    };
    if let IpAddr::V6(v6) = ip
        && v6.to_ipv4_mapped().is_some()
    {
        invalid(c, "IPv4-mapped IPv6 addresses are not allowed");
        return None;
    }
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let digits = !bits.is_empty() && bits.bytes().all(|b| b.is_ascii_digit());
    let leading_zero = bits.len() > 1 && bits.starts_with('0');
    let prefix = bits
        .parse::<u8>()
        .ok()
        .filter(|&p| digits && !leading_zero && p <= max);
    let Some(prefix) = prefix else {
        invalid(
            c,
            &format!("the prefix length must be a number from 0 to {max}, without leading zeros"),
        );
        return None;
    };
    let net = IpNet::new(ip, prefix).ok()?;
    Some(masked(net, value, "it is read", path, c))
}

/// Parses a CIDR of a podnet-owned field: canonical form only, host bits
/// set is an error.
pub fn strict_cidr(value: &str, path: &FieldPath, c: &mut Checker) -> Option<IpNet> {
    let zeros = value.split_once('/').is_some_and(|(addr, len)| {
        strip_octet_zeros(addr).is_some() || (len.len() > 1 && len.starts_with('0'))
    });
    let parsed = value.parse::<IpNet>().ok().filter(|_| !zeros);
    let Some(net) = parsed else {
        c.error(path.clone(), format!("`{value}` is not a valid CIDR"));
        return None;
    };
    if net.trunc() != net {
        c.error(
            path.clone(),
            format!("`{value}` has host bits set: write `{}`", net.trunc()),
        );
        return None;
    }
    Some(net)
}

/// `ValidateNonSpecialIP`: an address traffic can be sent to from outside
/// the node (Service `externalIPs`, endpoint addresses).
pub fn non_special_ip(ip: IpAddr, path: &FieldPath, c: &mut Checker) {
    let problem = match ip {
        IpAddr::V4(a) if a.is_unspecified() => Some("may not be unspecified (0.0.0.0)"),
        IpAddr::V6(a) if a.is_unspecified() => Some("may not be unspecified (::)"),
        IpAddr::V4(a) if a.is_loopback() => {
            Some("may not be in the loopback range (127.0.0.0/8, ::1/128)")
        }
        IpAddr::V6(a) if a.is_loopback() => {
            Some("may not be in the loopback range (127.0.0.0/8, ::1/128)")
        }
        IpAddr::V4(a) if a.is_link_local() => {
            Some("may not be in the link-local range (169.254.0.0/16, fe80::/10)")
        }
        IpAddr::V6(a) if a.segments()[0] & 0xffc0 == 0xfe80 => {
            Some("may not be in the link-local range (169.254.0.0/16, fe80::/10)")
        }
        IpAddr::V4(a) if a.octets()[..3] == [224, 0, 0] => {
            Some("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")
        }
        IpAddr::V6(a) if a.segments()[0] >> 8 == 0xff && a.segments()[0] & 0xf == 2 => {
            Some("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")
        }
        _ => None,
    };
    if let Some(p) = problem {
        c.error(path.clone(), format!("invalid value `{ip}`: {p}"));
    }
}

/// Reports every item after the first of its IP family: fields that hold
/// "at most one per family" (podCIDRs, clusterCIDRs...).
pub fn one_per_family<T>(
    items: &[(FieldPath, T)],
    is_v4: impl Fn(&T) -> bool,
    what: &str,
    c: &mut Checker,
) {
    let (mut v4, mut v6) = (false, false);
    for (path, item) in items {
        let seen = if is_v4(item) { &mut v4 } else { &mut v6 };
        if *seen {
            c.error(
                path.clone(),
                format!("may specify no more than one {what} for each IP family"),
            );
        }
        *seen = true;
    }
}

/// How a CIDR field is read: [`cidr`] or [`strict_cidr`].
pub type CidrReader = fn(&str, &FieldPath, &mut Checker) -> Option<IpNet>;

/// `ValidateIPBlock` (API reference, IPBlock): `cidr` is required and each
/// `except` entry must be a strict subset of it; both read by `read`. Shared
/// by NetworkPolicy peers and intents so the two cannot drift.
pub fn ip_block(
    cidr: Option<&str>,
    except: &[String],
    read: CidrReader,
    at: &FieldPath,
    c: &mut Checker,
) -> Option<IpBlock> {
    let Some(cidr) = cidr.filter(|s| !s.is_empty()) else {
        c.error(at.key("cidr"), "`cidr` is required");
        return None;
    };
    let cidr = read(cidr, &at.key("cidr"), c)?;
    let mut kept = Vec::new();
    for (i, e) in except.iter().enumerate() {
        let path = at.key("except").index(i);
        let Some(net) = read(e, &path, c) else {
            continue;
        };
        if !cidr.contains(&net.network()) || cidr.prefix_len() >= net.prefix_len() {
            c.error(
                path,
                format!("`{e}` must be a strict subset of `cidr` ({cidr})"),
            );
            continue;
        }
        kept.push(net);
    }
    Some(IpBlock::new(cidr, kept))
}

#[cfg(test)]
mod tests {
    use super::*;

    type Parser = fn(&str, &FieldPath, &mut Checker) -> Option<IpNet>;

    fn parse_with(f: Parser, s: &str) -> (Option<IpNet>, Checker) {
        let mut c = Checker::default();
        (f(s, &FieldPath::root(), &mut c), c)
    }

    fn parse(s: &str) -> (Option<IpNet>, Checker) {
        parse_with(cidr, s)
    }

    /// API reference, IPBlock: `cidr` is required, every `except` entry a
    /// strict subset; NetworkPolicy and intents say so in the same words.
    #[test]
    fn ip_block_rules_are_the_same_for_every_reader() {
        let mut messages = Vec::new();
        for read in [cidr as CidrReader, strict_cidr] {
            let mut c = Checker::default();
            assert!(ip_block(None, &[], read, &FieldPath::root(), &mut c).is_none());
            let except = ["10.0.0.0/8".to_owned(), "10.1.0.0/16".to_owned()];
            let block = ip_block(
                Some("10.0.0.0/8"),
                &except,
                read,
                &FieldPath::root(),
                &mut c,
            );
            assert!(block.is_some(), "a bad except entry drops only itself");
            messages.push(format!("{:?}", c.errors));
        }
        assert_eq!(messages[0], messages[1]);
        assert!(
            messages[0].contains("`cidr` is required"),
            "{}",
            messages[0]
        );
        assert!(
            messages[0].contains("must be a strict subset"),
            "{}",
            messages[0]
        );
    }

    #[test]
    fn cidrs_follow_is_cidr() {
        for (s, net) in [
            ("10.0.0.0/8", "10.0.0.0/8"),
            ("0.0.0.0/0", "0.0.0.0/0"),
            ("fd00::/8", "fd00::/8"),
            ("64:ff9b::1.2.3.0/120", "64:ff9b::102:300/120"),
        ] {
            let (n, c) = parse_with(is_cidr, s);
            assert_eq!(n.map(|n| n.to_string()).as_deref(), Some(net), "{s}");
            assert!(c.errors.is_empty() && c.warnings.is_empty(), "{s}: {c:?}");
        }
        for s in [
            "10.0.0.0",
            "10.0.0.0/33",
            "::/129",
            "010.0.0.0/8",
            "10.0.0.0/08",
            "10.0.0.0/+8",
            "10.0.0.0/",
            "::ffff:10.0.0.0/104",
            "fe80::%eth0/64",
            "x/8",
            "",
            "1234:5678:9abc:def0:1234:5678:9abc:def0/128x",
        ] {
            let (n, c) = parse_with(is_cidr, s);
            assert!(n.is_none() && c.has_errors(), "{s}");
        }
    }

    #[test]
    fn is_cidr_accepts_host_bits_with_a_warning() {
        let (n, c) = parse_with(is_cidr, "10.1.2.3/8");
        assert_eq!(n.map(|n| n.to_string()).as_deref(), Some("10.0.0.0/8"));
        assert!(c.errors.is_empty());
        assert_eq!(c.warnings.len(), 1);
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

    #[test]
    fn strict_cidrs_reject_host_bits() {
        let mut c = Checker::default();
        let p = FieldPath::root();
        assert!(strict_cidr("10.0.0.1/8", &p, &mut c).is_none());
        assert!(c.errors[0].1.contains("host bits"), "{:?}", c.errors);
        let mut c = Checker::default();
        assert!(strict_cidr("010.0.0.0/8", &p, &mut c).is_none());
        let mut c = Checker::default();
        assert_eq!(
            strict_cidr("fd00::/64", &p, &mut c).map(|n| n.to_string()),
            Some("fd00::/64".to_owned())
        );
        assert!(!c.has_errors());
    }

    #[test]
    fn special_addresses_are_rejected() {
        for (s, bad) in [
            ("0.0.0.0", true),
            ("127.0.0.1", true),
            ("169.254.1.1", true),
            ("224.0.0.5", true),
            ("::1", true),
            ("fe80::1", true),
            ("ff02::1", true),
            ("10.0.0.1", false),
            ("2001:db8::1", false),
        ] {
            let mut c = Checker::default();
            let ip: IpAddr = s.parse().unwrap();
            non_special_ip(ip, &FieldPath::root(), &mut c);
            assert_eq!(c.has_errors(), bad, "{s}");
        }
    }

    #[test]
    fn one_per_family_reports_the_second_of_a_family() {
        let mut c = Checker::default();
        let items: Vec<(FieldPath, IpAddr)> = ["10.0.0.1", "fd00::1", "10.0.0.2"]
            .iter()
            .enumerate()
            .map(|(i, s)| (FieldPath::root().index(i), s.parse().unwrap()))
            .collect();
        one_per_family(&items, IpAddr::is_ipv4, "IP", &mut c);
        assert_eq!(c.errors.len(), 1);
        assert_eq!(c.errors[0].0.to_string(), "[2]");
    }
}
