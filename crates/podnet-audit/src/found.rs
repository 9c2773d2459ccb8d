//! What a check found, as typed data: the objects, ports, address ranges
//! and counts a finding's message and help are made of. Each variant is
//! one kind of finding; podnet-report words them (`podnet_report::audit`).

/// What a check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// Transitional: a finding still worded by its check.
    Worded {
        /// The message.
        message: String,
        /// The help line.
        help: String,
    },
}
