//! The `cloud` and `metallb` parts of a `ClusterProfile`: the AWS VPC and its
//! subnets, which controllers run, and MetalLB pools written in the profile.

use std::collections::HashSet;

use ipnet::IpNet;
use podnet_model::{AddressPool, AwsCloud, Cloud, LbController, Subnet, TargetType};
use serde::Deserialize;

use super::metallb::address_ranges;
use crate::path::FieldPath;
use crate::validate::addresses::strict_cidr;
use crate::validate::{Checker, names, unsupported};

/// The default number of routes a VPC route table holds.
pub const DEFAULT_ROUTE_TABLE_LIMIT: u32 = 50;

/// `spec.cloud`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudDef {
    /// `none` or `aws` (inferred from `aws` when omitted).
    pub provider: Option<String>,
    /// The AWS side.
    pub aws: Option<AwsDef>,
}

/// `spec.cloud.aws`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AwsDef {
    /// The VPC range (required).
    #[serde(rename = "vpcCIDR")]
    pub vpc_cidr: Option<String>,
    /// Subnets, inside the VPC.
    #[serde(default)]
    pub subnets: Vec<SubnetDef>,
    /// Routes per route table (default 50).
    pub route_table_limit: Option<i64>,
    /// Whether a cloud controller manager runs (default true).
    pub ccm: Option<bool>,
    /// Whether its route controller runs (default false).
    pub route_controller: Option<bool>,
    /// Whether the CCM finds the instances (default true).
    pub cluster_tagged: Option<bool>,
    /// `none`, `ccm` or `aws-lbc` (default `ccm` with a CCM, else `none`).
    pub load_balancer_controller: Option<String>,
    /// `instance` (default) or `ip`.
    pub target_type: Option<String>,
}

/// One `subnets` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubnetDef {
    /// Id or name.
    pub name: String,
    /// Range.
    pub cidr: String,
    /// Availability zone.
    pub zone: Option<String>,
}

/// `spec.metallb`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetallbDef {
    /// Pools.
    #[serde(default)]
    pub pools: Vec<MetallbPoolDef>,
}

/// One `metallb.pools` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MetallbPoolDef {
    /// Pool name.
    pub name: String,
    /// CIDRs or `first-last` ranges.
    #[serde(default)]
    pub addresses: Vec<String>,
    /// Default true.
    pub auto_assign: Option<bool>,
    /// Default false.
    #[serde(rename = "avoidBuggyIPs")]
    pub avoid_buggy_ips: Option<bool>,
}

/// Checks and lowers `cloud` (at `at`).
pub fn cloud(d: &CloudDef, at: &FieldPath, c: &mut Checker) -> Option<Cloud> {
    let provider = d
        .provider
        .as_deref()
        .unwrap_or(if d.aws.is_some() { "aws" } else { "none" });
    match provider {
        "none" => {
            if d.aws.is_some() {
                c.warn(at.key("aws"), "ignored: `provider` is `none`");
            }
            Some(Cloud::None)
        }
        "aws" => match &d.aws {
            Some(a) => aws(a, &at.key("aws"), c).map(Cloud::Aws),
            None => {
                c.error(at.key("aws"), "required when `provider` is `aws`");
                None
            }
        },
        other => {
            unsupported(&at.key("provider"), other, &["aws", "none"], c);
            None
        }
    }
}

fn aws(d: &AwsDef, at: &FieldPath, c: &mut Checker) -> Option<AwsCloud> {
    let vpc = match d.vpc_cidr.as_deref() {
        Some(v) => strict_cidr(v, &at.key("vpcCIDR"), c),
        None => {
            c.error(at.key("vpcCIDR"), "vpcCIDR is required");
            None
        }
    };
    let subnets = subnets(&d.subnets, vpc, &at.key("subnets"), c);
    let route_table_limit = match d.route_table_limit {
        None => Some(DEFAULT_ROUTE_TABLE_LIMIT),
        Some(n) => match u32::try_from(n) {
            Ok(n) if n >= 1 => Some(n),
            _ => {
                c.error(
                    at.key("routeTableLimit"),
                    format!("invalid value `{n}`: must be greater than 0"),
                );
                None
            }
        },
    };
    let ccm = d.ccm.unwrap_or(true);
    let lb_path = at.key("loadBalancerController");
    let lb_controller = match d.load_balancer_controller.as_deref() {
        None if ccm => Some(LbController::Ccm),
        None => Some(LbController::None),
        Some(name) => {
            let found = LbController::parse(name);
            match found {
                None => {
                    let all: Vec<&str> = LbController::ALL.iter().map(|(n, _)| *n).collect();
                    unsupported(&lb_path, name, &all, c);
                }
                Some(LbController::Ccm) if !ccm => c.error(
                    lb_path,
                    "`ccm` needs a cloud controller manager: set `ccm: true`",
                ),
                Some(_) => {}
            }
            found
        }
    };
    let target_type = match d.target_type.as_deref() {
        None => Some(TargetType::Instance),
        Some(name) => {
            let found = TargetType::parse(name);
            if found.is_none() {
                unsupported(&at.key("targetType"), name, &["instance", "ip"], c);
            }
            found
        }
    };
    Some(AwsCloud {
        vpc_cidr: vpc?,
        subnets,
        route_table_limit: route_table_limit?,
        ccm,
        route_controller: d.route_controller.unwrap_or(false),
        cluster_tagged: d.cluster_tagged.unwrap_or(true),
        lb_controller: lb_controller?,
        target_type: target_type?,
    })
}

/// Subnets: named uniquely, strict CIDRs inside the VPC.
fn subnets(list: &[SubnetDef], vpc: Option<IpNet>, at: &FieldPath, c: &mut Checker) -> Vec<Subnet> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, s) in list.iter().enumerate() {
        let at = at.index(i);
        if s.name.is_empty() {
            c.error(at.key("name"), "name is required");
        } else if !seen.insert(s.name.as_str()) {
            c.error(
                at.key("name"),
                format!("duplicate subnet name `{}`", s.name),
            );
        }
        let Some(cidr) = strict_cidr(&s.cidr, &at.key("cidr"), c) else {
            continue;
        };
        if let Some(vpc) = vpc
            && !vpc.contains(&cidr)
        {
            c.error(
                at.key("cidr"),
                format!("subnet `{cidr}` is outside the VPC `{vpc}`"),
            );
        }
        out.push(Subnet {
            name: s.name.clone(),
            cidr,
            zone: s.zone.clone(),
        });
    }
    out
}

/// Checks and lowers `metallb` (at `at`): pools with unique names.
pub fn metallb(d: &MetallbDef, at: &FieldPath, c: &mut Checker) -> Vec<AddressPool> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, p) in d.pools.iter().enumerate() {
        let at = at.key("pools").index(i);
        if p.name.is_empty() {
            c.error(at.key("name"), "name is required");
        } else {
            c.check(&at.key("name"), &p.name, names::dns1123_subdomain(&p.name));
            if !seen.insert(p.name.as_str()) {
                c.error(at.key("name"), format!("duplicate pool name `{}`", p.name));
            }
        }
        out.push(AddressPool {
            name: p.name.clone(),
            ranges: address_ranges(&p.addresses, &at.key("addresses"), c),
            auto_assign: p.auto_assign.unwrap_or(true),
            avoid_buggy_ips: p.avoid_buggy_ips.unwrap_or(false),
            meta: None,
        });
    }
    out
}
