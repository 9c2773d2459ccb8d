//! Lowering: from checked Kubernetes objects to the records the assembler
//! turns into a [`Cluster`](podnet_model::Cluster).

pub mod assemble;
pub mod meta;
pub mod netpol;
pub mod pod;
pub mod records;
pub mod service;
pub mod workload;
