//! `kubectl-podnet`: the `podnet` binary under the name kubectl runs as the
//! plugin `kubectl podnet` (see [`program::KUBECTL_PLUGIN`]). It is the same
//! program as `main.rs`; only help and usage name it `kubectl podnet`.

mod args;
mod cmd;
mod entry;
mod program;
mod session;

/// As in `main.rs`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    entry::run()
}
