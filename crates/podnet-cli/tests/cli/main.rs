//! The one integration test binary (docs/architecture.md house rule 6): runs the real
//! `podnet` binary on the bundled examples and on fixtures.

// Test harness code: a failed expectation is a failed test.
#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]

mod support;

mod audit;
mod bad_input;
mod choices;
mod conformance;
mod connlist;
mod connlist_groups;
mod conventions;
mod diff;
mod dns;
mod explain;
mod fuzz_replay;
mod gateway;
mod gateway_api_upstream;
mod gateway_hosts;
mod hostile;
mod inputs;
mod lab;
mod netpol_analyzer;
mod placement;
mod realworld;
mod report;
mod synth;
mod trace;
mod unknown;
mod verify;
mod webdriver;
