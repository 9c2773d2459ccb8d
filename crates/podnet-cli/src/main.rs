//! The `podnet` binary (see [`entry`]; `kubectl_podnet.rs` is the same
//! program installed as a kubectl plugin).

mod args;
mod cmd;
mod entry;
mod program;
mod session;

/// mimalloc: podnet allocates many small values from several threads at
/// once (parallel parsing), where it is markedly faster than the system
/// allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    entry::run()
}
