//! Decoding: a parsed document (or each item of a `List`) is dispatched on
//! `apiVersion` and `kind`, decoded into its k8s-openapi type, checked and
//! lowered into records. Problems become located diagnostics.

use std::borrow::Cow;

use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::Value;

use k8s_openapi::api::{
    apps::v1 as apps, batch::v1 as batch, core::v1 as core, discovery::v1 as discovery,
    networking::v1 as net, policy::v1 as policy, rbac::v1 as rbac,
};
use podnet_model::Source;

use crate::document::RawDoc;
use crate::json::{Header, NameOnly, message_without_position};
use crate::kinds::{self, KindSpec, ROBIN_POOL_VERSION, Served};
use crate::limits::{Limits, quoted};
use crate::lower::admin::{v1alpha1 as admin_v1alpha1, v1alpha2 as admin_v1alpha2};
use crate::lower::governance::{GovernanceRecord, pdb, quota, rbac as roles};
use crate::lower::meta::{NameRule, object_meta};
use crate::lower::multus;
use crate::lower::pod::PodMeta;
use crate::lower::records::{RawNamespace, RawPod, Record};
use crate::lower::{
    backend_tls, gateway, grpc_route, http_route, l4_route, listener_set, reference_grant,
};
use crate::lower::{
    endpoints, ingress, metallb, netpol, node, pod, pod_net, pools, profile, route, service,
    service_cidr, workload,
};
use crate::path::{FieldPath, Seg};
use crate::validate::Checker;
use crate::{Diagnostic, Severity};

/// What one document yielded.
#[derive(Debug, Default)]
pub struct DocOutcome {
    /// Objects read.
    pub records: Vec<Record>,
    /// Problems found.
    pub diags: Vec<Diagnostic>,
    /// Objects skipped because of errors.
    pub skipped: u32,
    /// Objects kept although the API server rejects them (`--lenient`).
    pub kept: u32,
    /// Objects of kinds podnet does not model: (apiVersion, kind, where).
    pub ignored: Vec<(String, String, Source)>,
    /// `List` documents read (an empty one is still something analysed).
    pub lists: u32,
    /// Whether some part of the document was not a Kubernetes object.
    pub not_an_object: bool,
}

/// An object's content: a parsed value, or JSON text decoded straight into
/// its Kubernetes type.
#[derive(Clone, Copy, Debug)]
enum Body<'v> {
    Value(&'v Value),
    Json(&'v str),
}

impl Body<'_> {
    /// `Kind ns/name` (or `Kind name` for cluster-scoped kinds) for
    /// diagnostics, read from the content before decoding.
    fn object_name(self, kind: &str) -> String {
        let (name, generate_name, namespace) = match self {
            Body::Value(value) => {
                let meta = value.get("metadata");
                let field = |k: &str| {
                    meta.and_then(|m| m.get(k))
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                };
                (field("name"), field("generateName"), field("namespace"))
            }
            Body::Json(text) => {
                let meta = serde_json::from_str::<NameOnly>(text)
                    .ok()
                    .and_then(|n| n.metadata)
                    .unwrap_or_default();
                (meta.name, meta.generate_name, meta.namespace)
            }
        };
        let name = name.or(generate_name).unwrap_or_else(|| "?".to_owned());
        let name = quoted(&name);
        let namespaced = kinds::find(kind).is_none_or(|k| k.namespaced);
        match namespace {
            Some(ns) if namespaced => format!("{kind} {}/{name}", quoted(&ns)),
            _ if namespaced => format!("{kind} default/{name}"),
            _ => format!("{kind} {name}"),
        }
    }
}

/// Decodes one document; `lenient` keeps objects that break only the rules
/// [`Lenient`](crate::validate::Lenient) names.
pub fn decode(doc: &RawDoc<'_>, lenient: bool) -> DocOutcome {
    let mut out = DocOutcome::default();
    let root = FieldPath::root();
    if let Some(text) = doc.json {
        object(doc, Body::Json(text), root, None, None, lenient, &mut out);
    } else if doc.json_list {
        // A JSON List's items are decoded from their text, in parallel.
        let head = &doc.value;
        let kind = str_field(head, "kind").unwrap_or("List");
        match str_field(head, "apiVersion") {
            Some(api_version) => {
                let item = |i: usize| Body::Json(doc.raw_items[i].get());
                let items = Items {
                    count: doc.raw_items.len(),
                    kind,
                    api_version,
                    lenient,
                };
                list(doc, &items, item, &root, &mut out);
            }
            None => list_without_api_version(doc, &root, doc.raw_items.len(), &mut out),
        }
    } else {
        object(
            doc,
            Body::Value(&doc.value),
            root,
            None,
            None,
            lenient,
            &mut out,
        );
    }
    out
}

/// `List` (what `kubectl get` prints) or a typed list such as `PodList`.
fn is_list_kind(kind: &str) -> bool {
    kind.ends_with("List")
}

fn str_field<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

/// A `List` without `apiVersion`: kubectl refuses it ("Object
/// 'apiVersion' is missing"), so none of its items is read.
fn list_without_api_version(
    doc: &RawDoc<'_>,
    base: &FieldPath,
    items: usize,
    out: &mut DocOutcome,
) {
    let count = if items == 1 {
        "its item is"
    } else {
        "its items are"
    };
    out.diags.push(
        doc.diag(
            Severity::Error,
            Some(base.key("apiVersion")),
            format!("`apiVersion` is required: a List without one is refused by kubectl, so {count} not read ({items})"),
        )
        .with_help("add `apiVersion: v1`"),
    );
    out.skipped += u32::try_from(items.max(1)).unwrap_or(u32::MAX);
}

/// Reads one object (or List). `defaults` are the `kind` and `apiVersion`
/// a typed List (`PodList`) gives items that have no `kind`.
fn object(
    doc: &RawDoc<'_>,
    body: Body<'_>,
    base: FieldPath,
    item: Option<u32>,
    defaults: Option<(&str, &str)>,
    lenient: bool,
    out: &mut DocOutcome,
) {
    match body {
        Body::Value(value) => {
            let kind = str_field(value, "kind");
            let api_version = str_field(value, "apiVersion");
            let (kind, api_version) = match (kind, defaults) {
                (None, Some((k, api))) if value.is_object() => (Some(k), api_version.or(Some(api))),
                _ => (kind, api_version),
            };
            typed_object(doc, body, (kind, api_version), base, item, lenient, out);
        }
        Body::Json(text) => match Header::read(text) {
            Some(h) => {
                let (kind, api_version) = match (h.kind.as_deref(), defaults) {
                    (None, Some((k, api))) => (Some(k), h.api_version.as_deref().or(Some(api))),
                    (kind, _) => (kind, h.api_version.as_deref()),
                };
                typed_object(doc, body, (kind, api_version), base, item, lenient, out);
            }
            // Not an object with string `kind` and `apiVersion`: read it
            // whole to say what it is.
            None => match serde_json::from_str::<Value>(text) {
                Ok(value) => object(doc, Body::Value(&value), base, item, defaults, lenient, out),
                Err(e) => {
                    out.diags.push(doc.diag(
                        Severity::Error,
                        Some(base),
                        format!("invalid JSON: {e}"),
                    ));
                    out.skipped += 1;
                }
            },
        },
    }
}

fn typed_object(
    doc: &RawDoc<'_>,
    body: Body<'_>,
    (kind, api_version): (Option<&str>, Option<&str>),
    base: FieldPath,
    item: Option<u32>,
    lenient: bool,
    out: &mut DocOutcome,
) {
    let list_items = match body {
        Body::Value(v) => v.get("items").and_then(Value::as_array),
        Body::Json(_) => None,
    };
    if let (Some(kind), Some(items)) = (kind, list_items)
        && is_list_kind(kind)
    {
        match api_version {
            Some(api_version) => {
                let item = |i: usize| Body::Value(&items[i]);
                let items = Items {
                    count: items.len(),
                    kind,
                    api_version,
                    lenient,
                };
                list(doc, &items, item, &base, out);
            }
            None => list_without_api_version(doc, &base, items.len(), out),
        }
        return;
    }
    let (Some(kind), Some(api_version)) = (kind, api_version) else {
        if kind.is_some_and(|k| kinds::find(k).is_some()) {
            let d = doc.diag(
                Severity::Error,
                Some(base.key("apiVersion")),
                "`apiVersion` is required",
            );
            out.diags.push(d);
            out.skipped += 1;
        } else {
            out.not_an_object = true;
        }
        return;
    };
    let line = doc.locate(&base).map(|p| p.0);
    let source = Source {
        file: doc.file.name.clone(),
        document: doc.index,
        line,
        item,
    };
    match kinds::served(kind, api_version) {
        Served::Yes(spec) => {
            let mut c = Checker::new(lenient);
            decode_known(doc, body, spec, api_version, &base, source, &mut c, out);
        }
        Served::WrongVersion(spec) => {
            out.diags.push(wrong_version(doc, &base, spec, api_version));
            out.skipped += 1;
        }
        Served::Unknown => out
            .ignored
            .push((api_version.to_owned(), kind.to_owned(), source)),
    }
}

/// A kind podnet reads, in a version it does not.
fn wrong_version(
    doc: &RawDoc<'_>,
    base: &FieldPath,
    spec: KindSpec,
    api_version: &str,
) -> Diagnostic {
    let kind = spec.kind;
    let quoted: Vec<String> = spec.versions.iter().map(|v| format!("`{v}`")).collect();
    let versions = quoted.join(" or ");
    let path = Some(base.key("apiVersion"));
    if spec.crd {
        doc.diag(
            Severity::Error,
            path,
            format!("{kind} `{api_version}` is not a version podnet reads; podnet reads {kind} as {versions}"),
        )
        .with_help(format!("change apiVersion to {versions}"))
    } else {
        doc.diag(
            Severity::Error,
            path,
            format!("{kind} `{api_version}` is not served by Kubernetes; podnet reads {kind} as {versions}"),
        )
        .with_help(format!("change apiVersion to {versions} (kubectl convert can migrate old manifests)"))
    }
}

/// A List's header: how many items, its `kind` and `apiVersion`, and how
/// to read them.
struct Items<'a> {
    count: usize,
    kind: &'a str,
    api_version: &'a str,
    lenient: bool,
}

/// `kind: List` (what `kubectl get -o yaml` prints) and typed lists such as
/// `PodList`, whose items may omit `kind` and `apiVersion`. Items past
/// [`Limits::list_items`] are not read.
fn list<'v>(
    doc: &RawDoc<'_>,
    items: &Items<'_>,
    item: impl Fn(usize) -> Body<'v> + Sync,
    base: &FieldPath,
    out: &mut DocOutcome,
) {
    let &Items {
        count,
        kind,
        api_version,
        lenient,
    } = items;
    out.lists += 1;
    let max = Limits::DEFAULT.list_items;
    if count > max {
        out.diags.push(
            doc.diag(
                Severity::Error,
                Some(base.key("items").index(max)),
                format!(
                    "more than {max} items in this List: this one and the {} after it are not read",
                    count - max - 1
                ),
            )
            .with_help("split the List"),
        );
        out.skipped += u32::try_from(count - max).unwrap_or(u32::MAX);
    }
    let item_kind = kind.strip_suffix("List").filter(|k| !k.is_empty());
    let defaults = item_kind.map(|k| (k, api_version));
    // Items are independent: decode them in parallel, report in order.
    let outcomes: Vec<DocOutcome> = (0..count.min(max))
        .into_par_iter()
        .map(|i| {
            let mut one = DocOutcome::default();
            let path = base.key("items").index(i);
            let item_no = u32::try_from(i).ok();
            object(doc, item(i), path, item_no, defaults, lenient, &mut one);
            one
        })
        .collect();
    out.records
        .reserve(outcomes.iter().map(|o| o.records.len()).sum());
    for one in outcomes {
        out.records.extend(one.records);
        out.diags.extend(one.diags);
        out.skipped += one.skipped;
        out.kept += one.kept;
        out.ignored.extend(one.ignored);
        out.lists += one.lists;
        out.not_an_object |= one.not_an_object;
    }
}

/// Deserialises into `T`, reporting a type error with its field path. The
/// path is tracked only when decoding fails (decoding again), so reading
/// valid input costs no bookkeeping.
fn typed<T: DeserializeOwned>(
    doc: &RawDoc<'_>,
    body: Body<'_>,
    base: &FieldPath,
    kind: &str,
    out: &mut DocOutcome,
) -> Option<T> {
    let fast = match body {
        Body::Value(value) => T::deserialize(value).ok(),
        Body::Json(text) => serde_json::from_str(text).ok(),
    };
    if fast.is_some() {
        return fast;
    }
    let (path, message) = match body {
        Body::Value(value) => match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(t) => return Some(t),
            Err(e) => (field_path(e.path()), e.into_inner().to_string()),
        },
        Body::Json(text) => {
            let mut de = serde_json::Deserializer::from_str(text);
            match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Ok(t) => return Some(t),
                Err(e) => (field_path(e.path()), message_without_position(e.inner())),
            }
        }
    };
    let mut d = doc
        .diag(Severity::Error, Some(base.join(&path)), message)
        .with_object(body.object_name(kind));
    if let Some(help) = type_help(&d.detail.message) {
        d = d.with_help(help);
    }
    out.diags.push(d);
    out.skipped += 1;
    None
}

fn type_help(message: &str) -> Option<&'static str> {
    if message.contains("invalid type: boolean") && message.contains("expected a string") {
        return Some(
            "YAML 1.1 reads unquoted yes/no/on/off/y/n as booleans, as kubectl does; quote the value",
        );
    }
    if message.contains("invalid type: integer") && message.contains("expected a string") {
        return Some("quote the value to make it a string");
    }
    None
}

#[allow(clippy::too_many_arguments)]
fn decode_known(
    doc: &RawDoc<'_>,
    value: Body<'_>,
    spec: KindSpec,
    api_version: &str,
    base: &FieldPath,
    source: Source,
    c: &mut Checker,
    out: &mut DocOutcome,
) {
    let kind = spec.kind;
    let mut record: Option<Record> = match kind {
        "Namespace" => typed::<core::Namespace>(doc, value, base, kind, out).map(|n| {
            let info = object_meta(&n.metadata, NameRule::Label, false, base, c);
            Record::Namespace(RawNamespace {
                name: info.name,
                labels: info.labels,
                source,
            })
        }),
        "Pod" => typed::<core::Pod>(doc, value, base, kind, out).map(|p| {
            let info = object_meta(&p.metadata, NameRule::Subdomain, true, base, c);
            let meta = PodMeta {
                labels: info.labels,
                annotations: p.metadata.annotations.as_ref(),
                at: base.key("metadata"),
            };
            let mut shape = pod::pod_shape(p.spec.as_ref(), meta, &base.key("spec"), c);
            let status = p.status.as_ref();
            let ips = pod::pod_ips(status, base, c);
            shape.net.not_ready = pod_net::not_ready(status);
            shape.net.host_ip = pod_net::host_ip(status, base, c);
            let phase = status.and_then(|s| s.phase.as_deref());
            Record::Pod(RawPod {
                namespace: info.namespace.unwrap_or_default(),
                name: info.name,
                shape,
                ips,
                owner: info.owner,
                source,
                terminated: matches!(phase, Some("Succeeded" | "Failed")),
            })
        }),
        "Deployment" => typed::<apps::Deployment>(doc, value, base, kind, out)
            .and_then(|d| workload::deployment(&d, base, source, c))
            .map(Record::Controller),
        "ReplicaSet" => typed::<apps::ReplicaSet>(doc, value, base, kind, out)
            .and_then(|r| workload::replica_set(&r, base, source, c))
            .map(Record::Controller),
        "StatefulSet" => typed::<apps::StatefulSet>(doc, value, base, kind, out)
            .and_then(|s| workload::stateful_set(&s, base, source, c))
            .map(Record::Controller),
        "DaemonSet" => typed::<apps::DaemonSet>(doc, value, base, kind, out)
            .and_then(|d| workload::daemon_set(&d, base, source, c))
            .map(Record::Controller),
        "ReplicationController" => {
            typed::<core::ReplicationController>(doc, value, base, kind, out)
                .and_then(|r| workload::replication_controller(&r, base, source, c))
                .map(Record::Controller)
        }
        "Job" => typed::<batch::Job>(doc, value, base, kind, out)
            .and_then(|j| workload::job(&j, base, source, c))
            .map(Record::Controller),
        "CronJob" => typed::<batch::CronJob>(doc, value, base, kind, out)
            .and_then(|j| workload::cron_job(&j, base, source, c))
            .map(Record::Controller),
        "Service" => typed::<core::Service>(doc, value, base, kind, out)
            .map(|s| Record::Service(service::service(&s, base, source, c))),
        "NetworkPolicy" => typed::<net::NetworkPolicy>(doc, value, base, kind, out).map(|np| {
            let line_of = |p: &FieldPath| doc.locate(p).map(|l| l.0);
            Record::Policy(netpol::network_policy(&np, base, source, &line_of, c))
        }),
        "Ingress" => typed::<net::Ingress>(doc, value, base, kind, out).map(|i| {
            let line_of = |p: &FieldPath| doc.locate(p).map(|l| l.0);
            Record::Exposure(ingress::ingress(&i, base, source, &line_of, c))
        }),
        _ => decode_more(doc, value, kind, api_version, base, source, c, out),
    };
    if let Some(r) = record.as_mut() {
        let line_of = |p: &FieldPath| doc.locate(p).map(|l| l.0);
        multus::locate_selections(r, kind, base, &line_of);
    }
    if c.warnings.is_empty() && c.errors.is_empty() && c.kept.is_empty() {
        out.records.extend(record);
        return;
    }
    let object = value.object_name(kind);
    let say = |out: &mut DocOutcome, severity, path, message| {
        out.diags.push(
            doc.diag(severity, Some(path), message)
                .with_object(object.clone()),
        );
    };
    for (path, message) in std::mem::take(&mut c.warnings) {
        say(out, Severity::Warning, path, message);
    }
    if c.errors.is_empty() {
        let kept = std::mem::take(&mut c.kept);
        if !kept.is_empty() && record.is_some() {
            out.kept += 1;
        }
        for (path, message, rule) in kept {
            say(out, Severity::Warning, path, rule.kept_message(&message));
        }
        out.records.extend(record);
    } else {
        // Skipped anyway: what `--lenient` would set aside is an error too.
        let kept = std::mem::take(&mut c.kept)
            .into_iter()
            .map(|(p, m, _)| (p, m));
        for (path, message) in std::mem::take(&mut c.errors).into_iter().chain(kept) {
            say(out, Severity::Error, path, message);
        }
        out.skipped += 1;
    }
}

/// The kinds of the dataplane (nodes, endpoints, pools and the profile) and
/// the admin policy tiers.
#[allow(clippy::too_many_arguments)]
fn decode_more(
    doc: &RawDoc<'_>,
    value: Body<'_>,
    kind: &str,
    api_version: &str,
    base: &FieldPath,
    source: Source,
    c: &mut Checker,
    out: &mut DocOutcome,
) -> Option<Record> {
    match kind {
        "Node" => typed::<core::Node>(doc, value, base, kind, out)
            .map(|n| Record::Node(node::node(&n, base, source, c))),
        "Endpoints" => typed::<core::Endpoints>(doc, value, base, kind, out)
            .map(|e| Record::Endpoints(endpoints::endpoints(&e, base, source, c))),
        "EndpointSlice" => typed::<discovery::EndpointSlice>(doc, value, base, kind, out)
            .and_then(|s| endpoints::endpoint_slice(&s, base, source, c))
            .map(Record::Endpoints),
        "ServiceCIDR" => typed::<net::ServiceCIDR>(doc, value, base, kind, out)
            .map(|s| Record::ServiceCidr(service_cidr::service_cidr(&s, base, source, c))),
        "IPPool" if api_version == ROBIN_POOL_VERSION => {
            typed::<pools::RobinIpPool>(doc, value, base, kind, out)
                .and_then(|p| pools::robin(&p, base, source, c))
                .map(Record::Pool)
        }
        "IPPool" => typed::<pools::CalicoIpPool>(doc, value, base, kind, out)
            .and_then(|p| pools::calico(&p, base, source, c))
            .map(Record::Pool),
        "IPAddressPool" => typed::<metallb::IpAddressPool>(doc, value, base, kind, out)
            .map(|p| Record::AddressPool(metallb::ip_address_pool(&p, base, source, c))),
        "Route" => typed::<route::Route>(doc, value, base, kind, out).map(|r| {
            let line_of = |p: &FieldPath| doc.locate(p).map(|l| l.0);
            Record::Exposure(route::route(&r, base, source, &line_of, c))
        }),
        "Gateway" => typed::<gateway::GatewayObject>(doc, value, base, kind, out).map(|g| {
            let line_of = |p: &FieldPath| doc.locate(p).map(|l| l.0);
            Record::Gateway(gateway::gateway(&g, base, source, &line_of, c))
        }),
        "HTTPRoute" => typed::<http_route::HttpRouteObject>(doc, value, base, kind, out).map(|r| {
            let line_of = |p: &FieldPath| doc.locate(p).map(|l| l.0);
            Record::GatewayRoute(http_route::http_route(&r, base, source, &line_of, c))
        }),
        "GRPCRoute" => typed::<grpc_route::GrpcRouteObject>(doc, value, base, kind, out).map(|r| {
            let line_of = |p: &FieldPath| doc.locate(p).map(|l| l.0);
            Record::GatewayRoute(grpc_route::grpc_route(&r, base, source, &line_of, c))
        }),
        "BackendTLSPolicy" => {
            typed::<backend_tls::BackendTlsPolicyObject>(doc, value, base, kind, out).map(|p| {
                Record::BackendTlsPolicy(backend_tls::backend_tls_policy(&p, base, source, c))
            })
        }
        "ListenerSet" => {
            typed::<listener_set::ListenerSetObject>(doc, value, base, kind, out).map(|l| {
                let line_of = |p: &FieldPath| doc.locate(p).map(|l| l.0);
                Record::ListenerSet(listener_set::listener_set(&l, base, source, &line_of, c))
            })
        }
        "TLSRoute" | "TCPRoute" | "UDPRoute" => {
            let route_kind = match kind {
                "TLSRoute" => podnet_model::RouteKind::Tls,
                "TCPRoute" => podnet_model::RouteKind::Tcp,
                _ => podnet_model::RouteKind::Udp,
            };
            typed::<l4_route::L4RouteObject>(doc, value, base, kind, out).map(|r| {
                let line_of = |p: &FieldPath| doc.locate(p).map(|l| l.0);
                Record::GatewayRoute(l4_route::l4_route(
                    &r, route_kind, base, source, &line_of, c,
                ))
            })
        }
        "ReferenceGrant" => {
            typed::<reference_grant::ReferenceGrantObject>(doc, value, base, kind, out).map(|g| {
                Record::ReferenceGrant(reference_grant::reference_grant(&g, base, source, c))
            })
        }
        "NetworkAttachmentDefinition" => typed::<multus::Nad>(doc, value, base, kind, out)
            .map(|n| Record::Network(multus::network_attachment(&n, base, source, c))),
        "MultiNetworkPolicy" => typed::<multus::Mnp>(doc, value, base, kind, out).map(|p| {
            let line_of = |p: &FieldPath| doc.locate(p).map(|l| l.0);
            Record::MultiPolicy(multus::multi_network_policy(&p, base, source, &line_of, c))
        }),
        "ResourceQuota"
        | "LimitRange"
        | "PodDisruptionBudget"
        | "ServiceAccount"
        | "Role"
        | "ClusterRole"
        | "RoleBinding"
        | "ClusterRoleBinding" => {
            decode_governance(doc, value, kind, base, source, c, out).map(Record::Governance)
        }
        "ClusterProfile" => typed::<profile::ClusterProfile>(doc, value, base, kind, out)
            .map(|p| Record::Profile(profile::cluster_profile(&p, base, source, c))),
        "ConnectivityIntent" => {
            let line_of = |p: &FieldPath| doc.locate(p).map(|l| l.0);
            typed::<crate::lower::intent::IntentObject>(doc, value, base, kind, out)
                .and_then(|o| {
                    crate::lower::intent::connectivity_intent(&o, base, source, &line_of, c)
                })
                .map(Record::Intent)
        }
        "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy" => {
            let line_of = |p: &FieldPath| doc.locate(p).map(|l| l.0);
            let lower = if kind == "AdminNetworkPolicy" {
                admin_v1alpha1::admin_network_policy
            } else {
                admin_v1alpha1::baseline_admin_network_policy
            };
            typed::<admin_v1alpha1::Object>(doc, value, base, kind, out)
                .and_then(|p| lower(&p, base, source, &line_of, c))
                .map(Record::Admin)
        }
        "ClusterNetworkPolicy" => {
            let line_of = |p: &FieldPath| doc.locate(p).map(|l| l.0);
            typed::<admin_v1alpha2::Object>(doc, value, base, kind, out)
                .and_then(|p| admin_v1alpha2::cluster_network_policy(&p, base, source, &line_of, c))
                .map(Record::Admin)
        }
        _ => None,
    }
}

/// The governance kinds: quotas, limit ranges, disruption budgets, service
/// accounts and RBAC.
fn decode_governance(
    doc: &RawDoc<'_>,
    value: Body<'_>,
    kind: &str,
    base: &FieldPath,
    source: Source,
    c: &mut Checker,
    out: &mut DocOutcome,
) -> Option<GovernanceRecord> {
    let line_of = |p: &FieldPath| doc.locate(p).map(|l| l.0);
    match kind {
        "ResourceQuota" => typed::<core::ResourceQuota>(doc, value, base, kind, out)
            .map(|q| GovernanceRecord::Quota(quota::resource_quota(&q, base, source, c))),
        "LimitRange" => typed::<core::LimitRange>(doc, value, base, kind, out)
            .map(|l| GovernanceRecord::LimitRange(quota::limit_range(&l, base, source, c))),
        "PodDisruptionBudget" => typed::<policy::PodDisruptionBudget>(doc, value, base, kind, out)
            .map(|b| GovernanceRecord::Budget(pdb::pod_disruption_budget(&b, base, source, c))),
        "ServiceAccount" => typed::<core::ServiceAccount>(doc, value, base, kind, out)
            .map(|s| GovernanceRecord::ServiceAccount(roles::service_account(&s, base, source, c))),
        "Role" => typed::<rbac::Role>(doc, value, base, kind, out)
            .map(|r| GovernanceRecord::Role(roles::role(&r, base, source, &line_of, c))),
        "ClusterRole" => typed::<rbac::ClusterRole>(doc, value, base, kind, out)
            .map(|r| GovernanceRecord::Role(roles::cluster_role(&r, base, source, &line_of, c))),
        "RoleBinding" => typed::<rbac::RoleBinding>(doc, value, base, kind, out)
            .map(|b| GovernanceRecord::Binding(roles::role_binding(&b, base, source, c))),
        "ClusterRoleBinding" => typed::<rbac::ClusterRoleBinding>(doc, value, base, kind, out)
            .map(|b| GovernanceRecord::Binding(roles::cluster_role_binding(&b, base, source, c))),
        _ => None,
    }
}

/// Builds a path from serde_path_to_error's path. serde cannot tell a
/// map's keys from an object's fields; keys under the Kubernetes string
/// maps (`labels`, `annotations`, `matchLabels`, `nodeSelector`, a
/// Service's `selector`) are taken as map keys.
fn field_path(path: &serde_path_to_error::Path) -> FieldPath {
    use serde_path_to_error::Segment;
    let segs: Vec<&Segment> = path.iter().collect();
    let mut out = Vec::with_capacity(segs.len());
    for (i, s) in segs.iter().enumerate() {
        let seg = match s {
            Segment::Seq { index } => Seg::Index(*index),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                let parent = out.last().and_then(|p: &Seg| match p {
                    Seg::Key(k) => Some(k.as_ref()),
                    _ => None,
                });
                let next_is_field = matches!(
                    segs.get(i + 1),
                    Some(Segment::Map { .. }) | Some(Segment::Seq { .. })
                );
                let in_map = match parent {
                    Some("labels" | "annotations" | "matchLabels" | "nodeSelector") => true,
                    Some("selector") => {
                        !next_is_field && key != "matchLabels" && key != "matchExpressions"
                    }
                    _ => false,
                };
                if in_map {
                    Seg::MapKey(Cow::Owned(key.clone()))
                } else {
                    Seg::Key(Cow::Owned(key.clone()))
                }
            }
            Segment::Unknown => continue,
        };
        out.push(seg);
    }
    FieldPath::from_segments(out)
}

#[cfg(test)]
mod tests {
    use crate::{LoadOptions, SourceFile, load_files};

    fn load(name: &str, text: &str) -> crate::Loaded {
        let files = [SourceFile {
            name: name.into(),
            text: text.into(),
        }];
        load_files(&files, Vec::new(), LoadOptions::default())
    }

    #[test]
    fn json_list_items_are_decoded_with_their_own_lines() {
        let pod = |n: &str| {
            format!(
                "{{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {{\"name\": \"{n}\"}}, \"spec\": {{\"containers\": [{{\"name\": \"c\", \"image\": \"i\"}}]}}}}"
            )
        };
        let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        let text = format!(
            "{{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n{},\n{deep},\n{}]}}\n",
            pod("a"),
            pod("B")
        );
        let l = load("dump.json", &text);
        assert_eq!(l.cluster.pods.len(), 1, "{:?}", l.diagnostics);
        let lines: Vec<(Option<u32>, String)> = l
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| {
                (
                    d.location.as_ref().and_then(|x| x.line),
                    d.location
                        .as_ref()
                        .and_then(|x| x.path.clone())
                        .map(|p| p.to_string())
                        .unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(
            lines[0],
            (Some(3), "items[1]".to_owned()),
            "the too-deep item"
        );
        assert_eq!(
            lines[1],
            (Some(4), "items[2].metadata.name".to_owned()),
            "the bad name"
        );
        assert_eq!(l.stats.skipped, 2);
    }
}
