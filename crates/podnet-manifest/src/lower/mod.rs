//! Lowering: from checked Kubernetes objects to the records the assembler
//! turns into a [`Cluster`](podnet_model::Cluster).

pub mod admin;
pub mod assemble;
pub mod backend_tls;
pub mod endpoints;
pub mod gateway;
pub mod gateway_route;
pub mod governance;
pub mod grpc_route;
pub mod http_redirect;
pub mod http_route;
pub mod ingress;
pub mod intent;
pub mod intent_peers;
pub mod ipam;
pub mod l4_route;
pub mod listener_set;
pub mod meta;
pub mod metallb;
pub mod multus;
pub mod netpol;
pub mod node;
pub mod pod;
pub mod pod_net;
pub mod pools;
pub mod profile;
pub mod profile_check;
pub mod profile_cloud;
pub mod records;
pub mod reference_grant;
pub mod route;
pub mod scheduling;
pub mod service;
pub mod service_cidr;
pub mod service_lb;
pub mod service_traffic;
pub mod store;
#[cfg(test)]
pub mod testing;
pub mod workload;
