//! URL traces through Gateways with requests as clients send them: method,
//! headers, query string, gRPC calls; several Gateways for one request;
//! ReferenceGrant on backendRefs and listener certificateRefs. The request
//! tables transcribe the conformance tests of kubernetes-sigs/gateway-api
//! at commit 4564255ac2c35d582249b3cdf261bdf51c8bca32 (file, blob and line
//! at each table); the manifests are transcribed from the same files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::{answers, build, delivered, trace_request};
use podnet_dataplane::issue::FrontFound;
use podnet_dataplane::trace::{
    AnswerReason, FrontAnswer, FrontName, GrpcCall, GrpcStatus, Outcome, PathLabel, TraceError, Url,
};
use podnet_dataplane::{Dataplane, Found, TraceFrom, TraceRequest, TraceTo};
use podnet_model::Protocol;

/// The base of the conformance suite (conformance/base/manifests.yaml, blob
/// f997e91a4dc3f58ab3b81ef6a05c81afde01c4d4): namespace
/// `gateway-conformance-infra` (lines 9-14), Gateway `same-namespace`
/// (lines 16-29), and the echo backends `infra-backend-v1..v3` (Service
/// port 8080 to target port 3000, lines 124-232), one replica each here.
fn base() -> String {
    let mut out = String::from(
        r#"
apiVersion: v1
kind: Namespace
metadata: {name: gateway-conformance-infra, labels: {gateway-conformance: infra}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: same-namespace, namespace: gateway-conformance-infra}
spec:
  gatewayClassName: example
  listeners:
  - name: http
    port: 80
    protocol: HTTP
    allowedRoutes: {namespaces: {from: Same}}
---
"#,
    );
    for v in ["v1", "v2", "v3"] {
        out.push_str(&format!(
            r#"
apiVersion: v1
kind: Service
metadata: {{name: infra-backend-{v}, namespace: gateway-conformance-infra}}
spec:
  selector: {{app: infra-backend-{v}}}
  ports: [{{name: first-port, port: 8080, targetPort: 3000}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: infra-backend-{v}, namespace: gateway-conformance-infra}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: infra-backend-{v}}}}}
  template:
    metadata: {{labels: {{app: infra-backend-{v}}}}}
    spec:
      containers: [{{name: echo, image: echo-basic, ports: [{{containerPort: 3000}}]}}]
---
"#
        ));
    }
    out
}

/// The backend (Deployment name) a request reaches, or the status the
/// Gateway answers with.
fn outcome(dp: &Dataplane, url: Url) -> String {
    let t = trace_request(dp, url);
    let to = delivered(dp, &t);
    if let Some(pod) = to.first() {
        return deployment(pod.rsplit('/').next().unwrap_or_default()).to_owned();
    }
    match answers(&t).first() {
        Some(FrontAnswer::Http(code)) => code.to_string(),
        Some(FrontAnswer::Grpc(s)) => format!("{s:?}"),
        Some(a) => format!("{a:?}"),
        None => format!("{:?}", t.end),
    }
}

/// The Deployment of a pod podnet names `<deployment>-<ordinal>`.
fn deployment(pod: &str) -> &str {
    pod.rsplit_once('-').map_or(pod, |(d, _)| d)
}

/// Request headers of a table row.
type Headers = &'static [(&'static str, &'static str)];

/// A request: `METHOD PATH?QUERY` with `name: value` headers.
fn request(method: &str, path_query: &str, headers: &[(&str, &str)]) -> Url {
    let mut url = Url::parse(&format!("http://gw.example{path_query}")).expect("url");
    url.request.method = method.to_owned();
    url.request.headers = headers
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    url
}

/// conformance/tests/httproute-query-param-matching.yaml (blob
/// 6411c64ab92777fdfbda671c404be32b1fb83e19), lines 1-111.
const QUERY_ROUTE: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: query-param-matching, namespace: gateway-conformance-infra}
spec:
  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{queryParams: [{name: animal, value: whale}]}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{queryParams: [{name: animal, value: dolphin}]}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
  - matches:
    - queryParams: [{name: animal, value: dolphin}, {name: color, value: blue}]
    - queryParams: [{name: ANIMAL, value: Whale}]
    backendRefs: [{name: infra-backend-v3, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /path1}, queryParams: [{name: animal, value: whale}]}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{headers: [{name: version, value: one}], queryParams: [{name: animal, value: whale}]}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
  - matches:
    - path: {type: PathPrefix, value: /path2}
      headers: [{name: version, value: two}]
      queryParams: [{name: animal, value: whale}]
    backendRefs: [{name: infra-backend-v3, port: 8080}]
  - matches:
    - path: {type: PathPrefix, value: /path3}
      queryParams: [{name: animal, value: shark}]
    - path: {type: PathPrefix, value: /path4}
      headers: [{name: version, value: three}]
      queryParams: [{name: animal, value: kraken}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /path5}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{queryParams: [{name: animal, value: hydra}]}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
  - matches: [{headers: [{name: version, value: four}]}]
    backendRefs: [{name: infra-backend-v3, port: 8080}]
---
"#;

// conformance/tests/httproute-query-param-matching.go (blob
// 7d260e4ce0c2a0ea37e516c9f72de21c2615b86d), the rows at lines 50-150;
// the precedence rows (5-path beats query, headers beat query) follow the
// HTTPRouteRule `matches` ordering of the API reference.
#[test]
fn query_params_match_as_the_conformance_test_says() {
    let dp = build(&format!("{}{QUERY_ROUTE}", base()));
    let rows: &[(u32, &str, Headers, &str)] = &[
        (50, "/?animal=whale", &[], "infra-backend-v1"),
        (54, "/?animal=dolphin", &[], "infra-backend-v2"),
        (58, "/?animal=dolphin&color=blue", &[], "infra-backend-v3"),
        (62, "/?ANIMAL=Whale", &[], "infra-backend-v3"),
        (
            66,
            "/?animal=whale&otherparam=irrelevant",
            &[],
            "infra-backend-v1",
        ),
        (70, "/?animal=dolphin&color=yellow", &[], "infra-backend-v2"),
        (74, "/?color=blue", &[], "404"),
        (77, "/?animal=dog", &[], "404"),
        (80, "/?animal=whaledolphin", &[], "404"),
        (83, "/", &[], "404"),
        (90, "/path1?animal=whale", &[], "infra-backend-v1"),
        (
            95,
            "/?animal=whale",
            &[("version", "one")],
            "infra-backend-v2",
        ),
        (
            100,
            "/path2?animal=whale",
            &[("version", "two")],
            "infra-backend-v3",
        ),
        (110, "/path3?animal=shark", &[], "infra-backend-v1"),
        (
            115,
            "/path4?animal=kraken",
            &[("version", "three")],
            "infra-backend-v1",
        ),
        (125, "/?animal=shark", &[], "404"),
        (129, "/path4?animal=kraken", &[], "404"),
        (138, "/path5?animal=hydra", &[], "infra-backend-v1"),
        (
            143,
            "/?animal=hydra",
            &[("version", "four")],
            "infra-backend-v3",
        ),
    ];
    for (line, pq, headers, want) in rows {
        let got = outcome(&dp, request("GET", pq, headers));
        assert_eq!(
            got, *want,
            "httproute-query-param-matching.go:{line} {pq} {headers:?}"
        );
    }
}

/// conformance/tests/httproute-method-matching.yaml (blob
/// 162ef4cc197af8f2c3f41ff23a485eada624a6dd), lines 1-98.
const METHOD_ROUTE: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: method-matching, namespace: gateway-conformance-infra}
spec:
  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{method: POST}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{method: GET}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /path1}, method: GET}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{headers: [{name: version, value: one}], method: PUT}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /path2}, headers: [{name: version, value: two}], method: POST}]
    backendRefs: [{name: infra-backend-v3, port: 8080}]
  - matches:
    - path: {type: PathPrefix, value: /path3}
      method: PATCH
    - path: {type: PathPrefix, value: /path4}
      headers: [{name: version, value: three}]
      method: DELETE
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /path5}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{method: PATCH}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
  - matches: [{headers: [{name: version, value: four}]}]
    backendRefs: [{name: infra-backend-v3, port: 8080}]
---
"#;

// conformance/tests/httproute-method-matching.go (blob
// 456b076e9bbb93b30bf74d7052bc890cdf353625), the rows at lines 51-123.
#[test]
fn methods_match_as_the_conformance_test_says() {
    let dp = build(&format!("{}{METHOD_ROUTE}", base()));
    let rows: &[(u32, &str, &str, Headers, &str)] = &[
        (52, "POST", "/", &[], "infra-backend-v1"),
        (56, "GET", "/", &[], "infra-backend-v2"),
        (60, "HEAD", "/", &[], "404"),
        (68, "GET", "/path1", &[], "infra-backend-v1"),
        (73, "PUT", "/", &[("version", "one")], "infra-backend-v2"),
        (
            78,
            "POST",
            "/path2",
            &[("version", "two")],
            "infra-backend-v3",
        ),
        (88, "PATCH", "/path3", &[], "infra-backend-v1"),
        (
            93,
            "DELETE",
            "/path4",
            &[("version", "three")],
            "infra-backend-v1",
        ),
        (103, "PUT", "/", &[], "404"),
        (107, "DELETE", "/path4", &[], "404"),
        (116, "PATCH", "/path5", &[], "infra-backend-v1"),
        (
            121,
            "PATCH",
            "/",
            &[("version", "four")],
            "infra-backend-v2",
        ),
    ];
    for (line, method, path, headers, want) in rows {
        let got = outcome(&dp, request(method, path, headers));
        assert_eq!(
            got, *want,
            "httproute-method-matching.go:{line} {method} {path} {headers:?}"
        );
    }
}

/// conformance/tests/grpcroute-exact-method-matching.yaml (blob
/// ce65fe065e95cc0dc2697a07b9da1e1716ee5100), lines 1-23; the gRPC echo
/// backends of the base (lines 614-726) are `grpc-infra-backend-v1/v2`,
/// here the HTTP ones stand in (only routing is traced).
const GRPC_ROUTE: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: exact-matching, namespace: gateway-conformance-infra}
spec:
  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{method: {service: gateway_api_conformance.echo_basic.grpcecho.GrpcEcho, method: Echo}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{method: {service: gateway_api_conformance.echo_basic.grpcecho.GrpcEcho, method: EchoTwo}}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
---
"#;

/// A gRPC call to the Gateway's address.
fn grpc(method: &str) -> Url {
    let call = GrpcCall::parse(&format!(
        "gateway_api_conformance.echo_basic.grpcecho.GrpcEcho/{method}"
    ))
    .expect("call");
    Url::parse("http://gw.example")
        .expect("url")
        .with_grpc(call)
}

// conformance/tests/grpcroute-exact-method-matching.go (blob
// f25724a2f7c4a400af5d7c88d1e143a16f96d843), rows at lines 52-63: Echo to
// v1, EchoTwo to v2, EchoThree `Unimplemented`. A gRPC call is matched
// against GRPCRoutes only: a plain GET of the same host finds no HTTPRoute.
#[test]
fn grpc_calls_match_grpc_routes_and_unmatched_methods_are_unimplemented() {
    let dp = build(&format!("{}{GRPC_ROUTE}", base()));
    assert_eq!(outcome(&dp, grpc("Echo")), "infra-backend-v1");
    assert_eq!(outcome(&dp, grpc("EchoTwo")), "infra-backend-v2");
    assert_eq!(outcome(&dp, grpc("EchoThree")), "Unimplemented");
    assert_eq!(outcome(&dp, request("GET", "/", &[])), "404");
}

/// A second Gateway with a listener for the same port and every host.
const SECOND_GATEWAY: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: other, namespace: gateway-conformance-infra}
spec:
  gatewayClassName: example
  listeners:
  - name: http
    port: 80
    protocol: HTTP
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: on-other, namespace: gateway-conformance-infra}
spec:
  parentRefs: [{name: other}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /other}}]
    backendRefs: [{name: infra-backend-v3, port: 8080}]
---
"#;

// Two Gateways with a listener on port 80 for every host: both may take
// the request (which one does depends on the address the client resolves,
// which the manifests do not say), so the trace has a path for each, and
// `--gateway` picks one. HTTPRouteMultipleGateways
// (httproute-multiple-gateways.go) sends the same host to two Gateways.
#[test]
fn several_gateways_give_a_path_each_and_one_can_be_picked() {
    let dp = build(&format!("{}{METHOD_ROUTE}{SECOND_GATEWAY}", base()));
    let t = trace_request(&dp, request("GET", "/other", &[]));
    let fronts: Vec<&str> = t
        .branches
        .iter()
        .filter_map(|b| match &b.label {
            PathLabel::ViaFront(FrontName::Gateway { namespace, name }, _)
                if namespace == "gateway-conformance-infra" =>
            {
                Some(name.as_str())
            }
            _ => None,
        })
        .collect();
    assert!(
        fronts.contains(&"same-namespace") && fronts.contains(&"other"),
        "{:#?}",
        t.branches
    );
    // same-namespace: GET matches rule 2 (v2); other: /other goes to v3.
    let pods = delivered(&dp, &t);
    let reached: Vec<&str> = pods.iter().map(|p| deployment(p)).collect();
    assert_eq!(
        reached,
        [
            "gateway-conformance-infra/infra-backend-v2",
            "gateway-conformance-infra/infra-backend-v3"
        ]
    );
    let mut only = request("GET", "/", &[]);
    only.request.gateway = Some(("gateway-conformance-infra".into(), "other".into()));
    let t = trace_request(&dp, only.clone());
    assert_eq!(answers(&t), [FrontAnswer::Http(404)]);
    assert!(t.branches.iter().all(|b| !matches!(
        &b.label,
        PathLabel::ViaFront(FrontName::Gateway { name, .. }, _) if name == "same-namespace"
    )));
    only.request.gateway = Some(("gateway-conformance-infra".into(), "missing".into()));
    let err = podnet_dataplane::trace(
        &dp,
        &TraceRequest {
            from: TraceFrom::External("203.0.113.10".parse().expect("ip")),
            to: TraceTo::Url(only),
            port: None,
            protocol: Protocol::Tcp,
        },
    );
    assert_eq!(
        err.err(),
        Some(TraceError::UnknownGateway(
            "gateway-conformance-infra/missing".into()
        ))
    );
}

/// A route in `gateway-conformance-web-backend` to a Service of
/// `gateway-conformance-infra`, after HTTPRouteReferenceGrant
/// (conformance/tests/httproute-reference-grant.yaml), here with a GRPCRoute
/// as well: ReferenceGrant governs the backendRefs of every route kind.
const CROSS_GRPC: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: apps}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: all-namespaces, namespace: gateway-conformance-infra}
spec:
  gatewayClassName: example
  listeners:
  - name: http
    port: 8000
    protocol: HTTP
    allowedRoutes: {namespaces: {from: All}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: cross, namespace: apps}
spec:
  parentRefs: [{name: all-namespaces, namespace: gateway-conformance-infra}]
  rules:
  - backendRefs: [{name: infra-backend-v1, namespace: gateway-conformance-infra, port: 8080}]
---
"#;

const GRPC_GRANT: &str = r#"
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: apps-grpc, namespace: gateway-conformance-infra}
spec:
  from: [{group: gateway.networking.k8s.io, kind: GRPCRoute, namespace: apps}]
  to: [{group: "", kind: Service}]
---
"#;

// GRPCRouteRule backendRefs: "If all entries in BackendRefs are invalid
// ... all traffic which matches this rule MUST receive an UNAVAILABLE
// status"; ReferenceGrant: implementations "MUST NOT permit
// cross-namespace references which have no grant".
#[test]
fn a_grpc_route_to_another_namespace_needs_a_grant_else_unavailable() {
    let call = || {
        Url::parse("http://gw.example:8000")
            .expect("url")
            .with_grpc(GrpcCall::parse("pkg.Svc/Get").expect("call"))
    };
    let dp = build(&format!("{}{CROSS_GRPC}", base()));
    let t = trace_request(&dp, call());
    assert_eq!(answers(&t), [FrontAnswer::Grpc(GrpcStatus::Unavailable)]);
    assert_eq!(dp.refused.len(), 1, "{:?}", dp.refused);
    assert_eq!(dp.refused[0].name, "infra-backend-v1");
    assert!(dp.refused[0].line.is_some());
    let dp = build(&format!("{}{CROSS_GRPC}{GRPC_GRANT}", base()));
    assert!(dp.refused.is_empty());
    assert_eq!(outcome(&dp, call()), "infra-backend-v1");
}

/// An HTTPS listener whose certificate is a Secret in another namespace,
/// as the base's `gateway-conformance-infra` Gateways do with
/// `tls-validity-checks-certificate` (conformance/base/manifests.yaml
/// lines 31-62), here from namespace `edge`.
const CERT_ELSEWHERE: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: edge}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: tls, namespace: edge}
spec:
  gatewayClassName: example
  listeners:
  - name: https
    port: 443
    protocol: HTTPS
    allowedRoutes: {namespaces: {from: All}}
    tls:
      certificateRefs:
      - {group: "", kind: Secret, name: tls-validity-checks-certificate, namespace: gateway-conformance-infra}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: secure, namespace: gateway-conformance-infra}
spec:
  parentRefs: [{name: tls, namespace: edge}]
  rules:
  - backendRefs: [{name: infra-backend-v1, port: 8080}]
---
"#;

const CERT_GRANT: &str = r#"
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: edge-certs, namespace: gateway-conformance-infra}
spec:
  from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: edge}]
  to: [{group: "", kind: Secret, name: tls-validity-checks-certificate}]
---
"#;

// GatewayTLSConfig certificateRefs: "References to a resource in different
// namespace are invalid UNLESS there is a ReferenceGrant in the target
// namespace that allows the certificate to be attached" (ResolvedRefs
// False, RefNotPermitted). With its only certificate refused the listener
// has none to present: podnet answers with a failed TLS handshake.
#[test]
fn a_listener_certificate_in_another_namespace_needs_a_grant() {
    let url = || Url::parse("https://secure.example.com/").expect("url");
    let dp = build(&format!("{}{CERT_ELSEWHERE}", base()));
    let t = trace_request(&dp, url());
    assert_eq!(answers(&t), [FrontAnswer::TlsHandshakeFailure], "{t:#?}");
    assert_eq!(dp.refused.len(), 1);
    assert_eq!(
        (dp.refused[0].kind.as_str(), dp.refused[0].line.is_some()),
        ("Secret", true)
    );
    assert!(
        dp.issues.iter().any(|i| matches!(&i.detail,
            Found::Front(FrontFound::CertificateRefused { kind, namespace, name, .. })
                if kind == "Secret"
                    && namespace == "gateway-conformance-infra"
                    && name == "tls-validity-checks-certificate")),
        "{:#?}",
        dp.issues
    );
    // A grant from Gateways of `edge` (not from HTTPRoutes) admits it.
    let dp = build(&format!("{}{CERT_ELSEWHERE}{CERT_GRANT}", base()));
    assert!(dp.refused.is_empty());
    assert_eq!(outcome(&dp, url()), "infra-backend-v1");
    let wrong = CERT_GRANT.replace("kind: Gateway,", "kind: HTTPRoute,");
    let dp = build(&format!("{}{CERT_ELSEWHERE}{wrong}", base()));
    assert_eq!(dp.refused.len(), 1);
    let t = trace_request(&dp, url());
    assert!(matches!(
        t.branches.first().map(|b| &b.outcome),
        Some(Outcome::Answered(FrontAnswer::TlsHandshakeFailure, _))
    ));
}

/// Every answer of a trace: the backends (Deployments) delivered to,
/// sorted and without repeats, then the Gateways' own answers.
fn outcomes(dp: &Dataplane, url: Url) -> Vec<String> {
    let t = trace_request(dp, url);
    let mut out: Vec<String> = delivered(dp, &t)
        .iter()
        .map(|p| deployment(p.rsplit('/').next().unwrap_or_default()).to_owned())
        .collect();
    out.dedup();
    out.extend(answers(&t).iter().map(|a| match a {
        FrontAnswer::Http(code) => code.to_string(),
        other => format!("{other:?}"),
    }));
    out
}

/// Rules whose backendRefs are all invalid or absent. HTTPRouteRule
/// `backendRefs` (API reference, gateway.networking.k8s.io/v1): "If *all*
/// entries in BackendRefs are invalid, and there are also no filters
/// specified in this route rule, *all* traffic which matches this rule MUST
/// receive a 500 status code"; HTTPBackendRef `backendRef`: "A BackendRef
/// is invalid if: It refers to an unknown or unsupported kind of resource
/// ... It refers to a resource that does not exist". One valid backendRef
/// is enough to forward; a rule with filters is outside the rule.
#[test]
fn rules_without_filters_or_a_valid_backend_answer_500() {
    let route = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: invalid, namespace: gateway-conformance-infra}
spec:
  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /missing}}]
    backendRefs: [{name: no-such-service, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /kind}}]
    backendRefs: [{group: example.com, kind: Bucket, name: b, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /none}}]
  - matches: [{path: {type: PathPrefix, value: /one-valid}}]
    backendRefs: [{name: no-such-service, port: 8080}, {name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /filtered}}]
    filters: [{type: RequestHeaderModifier, requestHeaderModifier: {add: [{name: x, value: y}]}}]
    backendRefs: [{name: no-such-service, port: 8080}]
---
"#;
    let dp = build(&format!("{}{route}", base()));
    let rows: &[(&str, &[&str])] = &[
        ("/missing", &["500"]),
        ("/kind", &["500"]),
        ("/none", &["500"]),
        ("/one-valid", &["infra-backend-v1"]),
        ("/filtered", &[]),
    ];
    for (path, want) in rows {
        assert_eq!(outcomes(&dp, request("GET", path, &[])), *want, "{path}");
    }
}

/// Gateway `spec.addresses` (API reference, GatewaySpec `addresses`: "a
/// request for the address(es) on the 'outside of the Gateway', that
/// traffic bound for this Gateway will use"; "The implementation MUST bind
/// all Listeners to every GatewayAddress"): a URL to one reaches that
/// Gateway only. A request at a Gateway's address whose host no listener
/// hostname matches is answered 404, as the conformance test
/// HTTPRouteListenerHostnameMatching expects
/// (httproute-listener-hostname-matching.go lines 87-90 at 4564255a).
#[test]
fn gateway_addresses_pick_the_gateway_and_its_listeners_answer_404() {
    let gateways = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: first, namespace: gateway-conformance-infra}
spec:
  gatewayClassName: example
  addresses: [{type: IPAddress, value: 198.51.100.7}]
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: second, namespace: gateway-conformance-infra}
spec:
  gatewayClassName: example
  addresses: [{type: IPAddress, value: 198.51.100.8}]
  listeners: [{name: http, port: 80, protocol: HTTP, hostname: foo.example}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: to-first, namespace: gateway-conformance-infra}
spec:
  parentRefs: [{name: first}]
  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: to-second, namespace: gateway-conformance-infra}
spec:
  parentRefs: [{name: second}]
  rules: [{backendRefs: [{name: infra-backend-v2, port: 8080}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: to-same, namespace: gateway-conformance-infra}
spec:
  parentRefs: [{name: same-namespace}]
  rules: [{backendRefs: [{name: infra-backend-v3, port: 8080}]}]
---
"#;
    let dp = build(&format!("{}{gateways}", base()));
    let url = |u: &str| Url::parse(u).expect("url");
    let rows: &[(&str, &[&str])] = &[
        // Any host reaches both Gateways without a hostname on port 80.
        (
            "http://other.example/",
            &["infra-backend-v1", "infra-backend-v3"],
        ),
        ("http://198.51.100.7/", &["infra-backend-v1"]),
        (
            "http://foo.example/",
            &["infra-backend-v1", "infra-backend-v2", "infra-backend-v3"],
        ),
        ("http://198.51.100.8/", &["404"]),
    ];
    for (u, want) in rows {
        assert_eq!(outcomes(&dp, url(u)), *want, "{u}");
    }
    let mut to_second = url("http://other.example/");
    to_second.request.gateway = Some(("gateway-conformance-infra".to_owned(), "second".to_owned()));
    assert_eq!(outcomes(&dp, to_second), ["404"]);
}

/// A redirect row: request path, status, and the Location's scheme, host,
/// port and path.
type RedirectRow = (
    &'static str,
    u16,
    (&'static str, &'static str, u16, &'static str),
);

/// HTTPRoute `RequestRedirect` filters (API reference,
/// HTTPRequestRedirectFilter): the Gateway answers with the filter's
/// status (302 when omitted) and a Location built from the request and
/// the filter, and forwards nothing; the backendRefs are not used. The
/// rows follow conformance/tests/httproute-redirect-path.yaml and
/// httproute-redirect-port-and-scheme.yaml at 4564255a.
#[test]
fn request_redirect_filters_answer_with_their_status_and_location() {
    let route = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: redirect, namespace: gateway-conformance-infra}
spec:
  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /original-prefix}}]
    filters: [{type: RequestRedirect, requestRedirect: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix}}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /full}}]
    filters: [{type: RequestRedirect, requestRedirect: {statusCode: 301, hostname: example.org, path: {type: ReplaceFullPath, replaceFullPath: /replacement-full}}}]
  - matches: [{path: {type: PathPrefix, value: /https}}]
    filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}]
  - matches: [{path: {type: PathPrefix, value: /port}}]
    filters: [{type: RequestRedirect, requestRedirect: {port: 8083, statusCode: 308}}]
---
"#;
    let dp = build(&format!("{}{route}", base()));
    let rows: &[RedirectRow] = &[
        (
            "/original-prefix/lemon",
            302,
            ("http", "gw.example", 80, "/replacement-prefix/lemon"),
        ),
        (
            "/full/x",
            301,
            ("http", "example.org", 80, "/replacement-full"),
        ),
        ("/https/a", 302, ("https", "gw.example", 443, "/https/a")),
        ("/port", 308, ("http", "gw.example", 8083, "/port")),
    ];
    for (path, status, (scheme, host, port, to)) in rows {
        let t = trace_request(&dp, request("GET", path, &[]));
        let got: Vec<_> = t
            .branches
            .iter()
            .map(|b| match &b.outcome {
                Outcome::Answered(FrontAnswer::Http(code), AnswerReason::Redirect(l)) => Some((
                    *code,
                    l.scheme.as_str(),
                    l.host.as_str(),
                    l.port,
                    l.path.as_str(),
                )),
                _ => None,
            })
            .collect();
        assert_eq!(got, [Some((*status, *scheme, *host, *port, *to))], "{path}");
    }
}
