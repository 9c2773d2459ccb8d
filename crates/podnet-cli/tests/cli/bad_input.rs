//! Bad input: every validation rule, located diagnostics, exit codes.
