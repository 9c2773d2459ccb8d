//! The checks, one module per area (codes PN1xxx namespace strategy,
//! PN2xxx policy hygiene, PN3xxx exposure, PN4xxx IPAM, PN5xxx load
//! balancers, PN6xxx placement).

pub mod exposure;
pub mod hygiene;
pub mod ipam;
pub mod lb;
pub mod namespace;
pub mod placement;
mod support;

use crate::registry::Check;

/// Every check, in code order.
pub fn all() -> Vec<Box<dyn Check>> {
    let mut all: Vec<Box<dyn Check>> = vec![
        Box::new(namespace::NamespaceStrategy),
        Box::new(ipam::Ipam),
        Box::new(lb::LoadBalancers),
        Box::new(placement::Placement),
    ];
    all.extend(hygiene::checks());
    all.extend(exposure::checks());
    all
}
