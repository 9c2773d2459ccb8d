//! `cargo +nightly fuzz run read_documents`: see fuzz/README.md.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| podnet_fuzz::read_documents(data));
