//! The `podnet` command line's typed argument values, as a library so that
//! they can be tested and fuzzed apart from the binary (`fuzz/`).

pub mod error;
pub mod values;
