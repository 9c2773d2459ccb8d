//! Address sets as findings name them: `0.0.0.0/0 except 10.0.0.0/8, ...`
//! for the internet, the first ranges otherwise.

use podnet_audit::found::wide_families;
use podnet_model::IpSet;

use super::short_list;

/// The set per address family: the whole family less its holes when the
/// set covers most of it, else its first ranges.
pub(super) fn describe_addresses(set: &IpSet) -> String {
    let v4 = IpSet::from_net(&ipnet::IpNet::V4(ipnet::Ipv4Net::default()));
    let v6 = IpSet::from_net(&ipnet::IpNet::V6(ipnet::Ipv6Net::default()));
    let [wide4, wide6] = wide_families(set);
    let mut parts = Vec::new();
    for (family, all, wide) in [
        (set.intersection(&v4), &v4, wide4),
        (set.intersection(&v6), &v6, wide6),
    ] {
        if family.is_empty() {
            continue;
        }
        let prefix = all
            .ranges()
            .map(|r| r.to_string())
            .next()
            .unwrap_or_default();
        if wide {
            let holes: Vec<String> = all
                .difference(&family)
                .ranges()
                .map(|r| r.to_string())
                .collect();
            if holes.is_empty() {
                parts.push(prefix);
            } else {
                parts.push(format!("{prefix} except {}", short_list(&holes, 3)));
            }
        } else {
            let ranges: Vec<String> = family.ranges().map(|r| r.to_string()).collect();
            parts.push(short_list(&ranges, 3));
        }
    }
    if parts.is_empty() {
        return "no address".to_owned();
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(nets: &[&str]) -> IpSet {
        nets.iter().fold(IpSet::empty(), |s, n| match n.parse() {
            Ok(net) => s.union(&IpSet::from_net(&net)),
            Err(_) => s,
        })
    }

    #[test]
    fn the_internet_minus_private_ranges_reads_as_except() {
        let private = set(&["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]);
        let s = set(&["0.0.0.0/0"]).difference(&private);
        assert_eq!(
            describe_addresses(&s),
            "0.0.0.0/0 except 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16"
        );
        assert_eq!(
            describe_addresses(&set(&["0.0.0.0/0", "::/0"])),
            "0.0.0.0/0, ::/0"
        );
        assert_eq!(
            describe_addresses(&private),
            "10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16"
        );
        assert_eq!(describe_addresses(&IpSet::empty()), "no address");
    }
}
