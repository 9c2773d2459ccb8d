//! The one integration test binary (DESIGN.md house rule 6): runs the real
//! `podnet` binary on the bundled examples and on fixtures.

mod support;

mod bad_input;
mod connlist;
mod explain;
mod inputs;
