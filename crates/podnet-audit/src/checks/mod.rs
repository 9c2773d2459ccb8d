//! The checks, one module per area (codes PN1xxx namespace strategy,
//! PN2xxx policy hygiene, PN3xxx exposure, PN4xxx IPAM, PN5xxx load
//! balancers).

use crate::registry::Check;

/// Every check, in code order.
pub fn all() -> Vec<Box<dyn Check>> {
    Vec::new()
}
