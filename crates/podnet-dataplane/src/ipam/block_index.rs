//! The first node block holding an address, without scanning every
//! block: a block holds an address exactly when the address cut to the
//! block's prefix length is the block's network, so the blocks are
//! indexed by prefix length and network.

use std::collections::HashMap;
use std::net::IpAddr;

use ipnet::IpNet;

/// Blocks by prefix length and network; the first block wins where
/// several hold the same address (as a scan in order would pick).
pub(super) struct BlockIndex {
    /// Per prefix length (and family): network to the first block's position.
    by_prefix: Vec<(bool, u8, HashMap<IpAddr, usize>)>,
}

impl BlockIndex {
    /// Indexes `blocks` by position.
    pub(super) fn new(blocks: impl Iterator<Item = IpNet>) -> Self {
        let mut by_prefix: Vec<(bool, u8, HashMap<IpAddr, usize>)> = Vec::new();
        for (i, cidr) in blocks.enumerate() {
            let v4 = matches!(cidr, IpNet::V4(_));
            let len = cidr.prefix_len();
            let at = match by_prefix.iter().position(|(f, l, _)| *f == v4 && *l == len) {
                Some(at) => at,
                None => {
                    by_prefix.push((v4, len, HashMap::new()));
                    by_prefix.len() - 1
                }
            };
            by_prefix[at].2.entry(cidr.network()).or_insert(i);
        }
        BlockIndex { by_prefix }
    }

    /// The position of the first block holding `ip`.
    pub(super) fn find(&self, ip: IpAddr) -> Option<usize> {
        self.by_prefix
            .iter()
            .filter(|(v4, _, _)| *v4 == ip.is_ipv4())
            .filter_map(|(_, len, networks)| {
                let network = IpNet::new(ip, *len).ok()?.network();
                networks.get(&network).copied()
            })
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    /// The index answers what a scan of the blocks in order answers,
    /// overlapping and repeated blocks included.
    #[test]
    fn finds_the_first_block_a_scan_would_find() {
        let blocks = [
            "10.0.1.0/24",
            "10.0.0.0/16",
            "10.0.1.0/24",
            "10.0.2.0/25",
            "fd00::/64",
            "10.0.2.128/25",
            "0.0.0.0/0",
        ]
        .map(net);
        let index = BlockIndex::new(blocks.iter().copied());
        for ip in [
            "10.0.1.7",
            "10.0.0.9",
            "10.0.2.1",
            "10.0.2.200",
            "10.1.0.1",
            "192.168.0.1",
            "fd00::5",
            "fd01::5",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            let scan = blocks.iter().position(|b| b.contains(&ip));
            assert_eq!(index.find(ip), scan, "{ip}");
        }
    }
}
