//! What runs inside a pod's namespace, served by the podnet binary itself
//! (hidden subcommands), so the lab needs no images:
//!
//! * [`listen`] (`podnet lab-listen`): on the pod's declared ports, TCP
//!   accepts, writes the source address it sees and closes; UDP echoes with
//!   the source address it sees; SCTP accepts and closes. Says `ready` once
//!   every socket is bound;
//! * [`probe_lines`] (`podnet lab-probe`): connects to each target read from
//!   standard input, all in parallel, with a timeout, and prints one line
//!   per target (with the source address the listener saw, when it said).

use std::io::{self, BufRead, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::thread;
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, Socket, Type};

/// The IP protocol number of SCTP.
const IPPROTO_SCTP: i32 = 132;

/// How many probes one prober has in flight at once.
const IN_FLIGHT: usize = 64;

/// The payload of UDP probes.
const PAYLOAD: &[u8] = b"podnet-lab";

/// Binds every port, prints `ready` (or `error: ...`) on standard output,
/// then serves until killed. SCTP ports are skipped when the kernel lacks
/// SCTP (the prober skips them too).
pub fn listen(tcp: &[u16], udp: &[u16], sctp: &[u16]) -> io::Result<()> {
    let any = |port| SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port);
    let mut handles = Vec::new();
    let bound = (|| -> io::Result<()> {
        for &port in tcp {
            let l = TcpListener::bind(any(port))?;
            handles.push(thread::spawn(move || {
                for conn in l.incoming() {
                    let Ok(mut conn) = conn else { continue };
                    // The source address as seen here (after any SNAT on
                    // the way), for the prober to compare with the model.
                    if let Ok(peer) = conn.peer_addr() {
                        let _ = writeln!(conn, "{}", peer.ip());
                    }
                }
            }));
        }
        for &port in udp {
            let s = UdpSocket::bind(any(port))?;
            handles.push(thread::spawn(move || {
                let mut buf = [0u8; 512];
                loop {
                    if let Ok((n, from)) = s.recv_from(&mut buf) {
                        let mut reply = buf[..n].to_vec();
                        reply.extend_from_slice(format!(" {}", from.ip()).as_bytes());
                        let _ = s.send_to(&reply, from);
                    }
                }
            }));
        }
        for &port in sctp {
            let Ok(s) = Socket::new(
                Domain::IPV4,
                Type::STREAM,
                Some(Protocol::from(IPPROTO_SCTP)),
            ) else {
                break;
            };
            s.set_reuse_address(true)?;
            s.bind(&any(port).into())?;
            s.listen(128)?;
            handles.push(thread::spawn(move || {
                loop {
                    let _ = s.accept();
                }
            }));
        }
        Ok(())
    })();
    let mut out = io::stdout();
    match &bound {
        Ok(()) => writeln!(out, "ready")?,
        Err(e) => writeln!(out, "error: {e}")?,
    }
    out.flush()?;
    bound?;
    for h in handles {
        let _ = h.join();
    }
    Ok(())
}

/// One target of a prober: `tcp 10.0.0.1 80`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// `tcp`, `udp` or `sctp`.
    pub protocol: String,
    /// The address.
    pub ip: IpAddr,
    /// The port.
    pub port: u16,
}

impl Target {
    /// Parses `tcp 10.0.0.1 80`.
    pub fn parse(line: &str) -> Option<Target> {
        let mut w = line.split_whitespace();
        let protocol = w.next()?.to_owned();
        let ip = w.next()?.parse().ok()?;
        let port = w.next()?.parse().ok()?;
        Some(Target { protocol, ip, port })
    }
}

/// Reads targets from `input`, probes them all at once, and writes
/// `tcp 10.0.0.1 80 connected|refused|timeout|unsupported|error:...` lines,
/// `connected` followed by the source address the listener saw when it
/// said (TCP and UDP).
pub fn probe_lines(input: impl BufRead, out: &mut impl Write, timeout: Duration) -> io::Result<()> {
    let targets: Vec<Target> = input
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| Target::parse(&l))
        .collect();
    // At most IN_FLIGHT probes at once, to keep bursts small.
    let mut results: Vec<String> = Vec::with_capacity(targets.len());
    for chunk in targets.chunks(IN_FLIGHT) {
        thread::scope(|s| {
            let handles: Vec<_> = chunk
                .iter()
                .map(|t| s.spawn(move || probe_one(t, timeout)))
                .collect();
            results.extend(handles.into_iter().map(|h| {
                h.join()
                    .unwrap_or_else(|_| "error:prober-crashed".to_owned())
            }));
        });
    }
    for (t, r) in targets.iter().zip(results) {
        writeln!(out, "{} {} {} {r}", t.protocol, t.ip, t.port)?;
    }
    out.flush()
}

/// Probes one target: `connected` (with the source address the listener
/// saw, when it said), `refused`, `timeout`, `unsupported` or
/// `error:<kind>`.
pub fn probe_one(t: &Target, timeout: Duration) -> String {
    let addr = SocketAddr::new(t.ip, t.port);
    // A connection attempt whose first packets were lost (a burst of ARP
    // broadcasts overflowing a backlog) is tried once more, whatever the
    // expectation: only a second timeout counts as dropped.
    let twice = |f: &dyn Fn() -> io::Result<Option<IpAddr>>| match f() {
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
            ) =>
        {
            f()
        }
        other => other,
    };
    let outcome = match t.protocol.as_str() {
        "tcp" => {
            twice(&|| TcpStream::connect_timeout(&addr, timeout).map(|s| tcp_seen(s, timeout)))
        }
        "udp" => udp_echo(addr, timeout),
        "sctp" => match Socket::new(
            Domain::for_address(addr),
            Type::STREAM,
            Some(Protocol::from(IPPROTO_SCTP)),
        ) {
            Ok(s) => match s.connect_timeout(&addr.into(), timeout) {
                Err(e) if e.kind() == io::ErrorKind::TimedOut => Socket::new(
                    Domain::for_address(addr),
                    Type::STREAM,
                    Some(Protocol::from(IPPROTO_SCTP)),
                )
                .and_then(|s| s.connect_timeout(&addr.into(), timeout)),
                other => other,
            }
            .map(|()| None),
            Err(_) => return "unsupported".to_owned(),
        },
        other => return format!("error:unknown-protocol-{other}"),
    };
    match outcome {
        Ok(Some(seen)) => format!("connected {seen}"),
        Ok(None) => "connected".to_owned(),
        Err(e) => match e.kind() {
            io::ErrorKind::ConnectionRefused => "refused".to_owned(),
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => "timeout".to_owned(),
            kind => format!("error:{kind:?}"),
        },
    }
}

/// The source address the TCP listener says it saw, when it says it in
/// time.
fn tcp_seen(mut s: TcpStream, timeout: Duration) -> Option<IpAddr> {
    s.set_read_timeout(Some(timeout)).ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

/// Sends the payload and waits for its echo, resending a few times within
/// `timeout`; the source address the listener saw, when it said.
fn udp_echo(addr: SocketAddr, timeout: Duration) -> io::Result<Option<IpAddr>> {
    let s = UdpSocket::bind(SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0))?;
    s.connect(addr)?;
    let start = Instant::now();
    let slice = timeout / 4;
    let mut buf = [0u8; 512];
    while start.elapsed() < timeout {
        s.send(PAYLOAD)?;
        s.set_read_timeout(Some(slice.max(Duration::from_millis(10))))?;
        match s.recv(&mut buf) {
            Ok(n) if buf[..n].starts_with(PAYLOAD) => {
                let seen = std::str::from_utf8(&buf[PAYLOAD.len()..n])
                    .ok()
                    .and_then(|t| t.trim().parse().ok());
                return Ok(seen);
            }
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::from(io::ErrorKind::TimedOut))
}
