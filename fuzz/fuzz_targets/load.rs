//! `cargo +nightly fuzz run load`: see fuzz/README.md.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| podnet_fuzz::load(data));
