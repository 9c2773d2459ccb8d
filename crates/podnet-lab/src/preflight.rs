//! What the lab needs from the machine, checked before anything is
//! created: root, iproute2 and nftables, and (per probe) SCTP.

use crate::exec::which;
use crate::{LabError, Result};

/// Checks root, `ip` and `nft`; the error says exactly what is missing.
pub fn check() -> Result<()> {
    let mut missing = Vec::new();
    match effective_uid() {
        Some(0) => {}
        Some(uid) => missing.push(format!(
            "root (running as uid {uid}; the lab creates network namespaces and nftables rules)"
        )),
        None => missing.push("Linux with /proc (cannot read /proc/self/status)".to_owned()),
    }
    if !which("ip") {
        missing.push("`ip` (install iproute2)".to_owned());
    }
    if !which("nft") {
        missing.push("`nft` (install nftables)".to_owned());
    }
    if !std::path::Path::new("/proc/sys/net/bridge").exists() && missing.is_empty() {
        missing.push(
            "bridge netfilter (`br_netfilter`, for policy between pods of one node)".to_owned(),
        );
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(LabError::Unsupported(format!(
            "missing {}",
            missing.join(", ")
        )))
    }
}

/// The effective user id, from `/proc/self/status`.
pub fn effective_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

/// Whether the kernel can open SCTP sockets.
pub fn sctp_supported() -> bool {
    socket2::Socket::new(
        socket2::Domain::IPV4,
        socket2::Type::STREAM,
        Some(socket2::Protocol::from(132)),
    )
    .is_ok()
}
