//! `cargo +nightly fuzz run arguments`: see fuzz/README.md.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| podnet_fuzz::arguments(data));
