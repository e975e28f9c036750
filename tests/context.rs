//! Request context (issue #15): where and why a request is made, as the policy's `context`
//! declarations name it. A request that leaves a context out holds none of its atoms; one that
//! states a context or value the policy does not declare fails closed naming the field; the
//! request contract, the library and the HTTP service read `context` alike.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;

use axum::body::Body;
use axum::http::StatusCode;
use caselock::eval::{Audience, Basis, Decider, FailReason, Outcome, Request};
use caselock::serve::{Config, Service};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const POLICY: &str = "examples/policies/remote_access";

fn decider() -> Decider {
    Decider::new(&support::load(Path::new(POLICY)).table)
}

/// The allocated worker asking to view a child protection record, with `context` (if any).
fn request(context: Option<Value>) -> Value {
    let mut r = json!({
        "subject": {"id": "u-1", "roles": ["social_worker"], "organisation": "council"},
        "action": "view",
        "record": {"id": "C2", "restriction": {"category": "child_protection"},
                   "allocated_workers": ["u-1"]},
        "at": "2026-11-22T10:00:00Z"
    });
    if let Some(c) = context {
        r["context"] = c;
    }
    r
}

fn read(v: &Value) -> Request {
    Request::from_json(&v.to_string()).unwrap()
}

#[test]
fn a_request_without_context_reads_and_writes_as_before() {
    let none = read(&request(None));
    assert!(none.context.is_empty());
    // Written back, it carries no `context` field: a decision log or an echo is unchanged.
    let written = serde_json::to_value(&none).unwrap();
    assert!(written.get("context").is_none(), "{written}");
    // `null` and `{}` are the same request.
    assert_eq!(read(&request(Some(Value::Null))), none);
    assert_eq!(read(&request(Some(json!({})))), none);
    // Stated, it reads back in the order given.
    let stated = read(&request(Some(
        json!({"purpose": "casework", "network": "council"}),
    )));
    let back = serde_json::to_value(&stated).unwrap();
    assert_eq!(
        back["context"],
        json!({"purpose": "casework", "network": "council"})
    );
    assert_eq!(read(&back), stated);
}

#[test]
fn a_malformed_context_is_an_input_error_naming_the_field() {
    let without = request(None).to_string();
    for (context, said) in [
        (
            r#"{"network": "council", "network": "home"}"#,
            "context `network` is given twice",
        ),
        (r#"{"network": 1}"#, "`context.network`"),
        (r#"["network", "council"]"#, "`context`"),
        (r#""council""#, "`context`"),
    ] {
        // Written as text: a JSON value could not hold the same key twice.
        let text = format!(
            "{},\"context\":{context}}}",
            without.strip_suffix('}').unwrap()
        );
        let e = Request::from_json(&text).unwrap_err().to_string();
        assert!(e.contains(said), "{text}: {e}");
        // The borrowing reader refuses the same requests with the same message.
        let b = Request::borrowed_from_json(&text).unwrap_err().to_string();
        assert_eq!(b, e);
    }
}

#[test]
fn an_undeclared_context_or_value_fails_closed_naming_the_field() {
    let d = decider();
    for (context, reason, field) in [
        (
            json!({"network": "council", "zone": "office"}),
            FailReason::UnknownContext(1),
            "context.zone",
        ),
        (
            json!({"network": "vpn"}),
            FailReason::UnknownContextValue(0),
            "context.network",
        ),
        // Values are names, compared exactly: a differently written value is not the value.
        (
            json!({"network": "Council"}),
            FailReason::UnknownContextValue(0),
            "context.network",
        ),
    ] {
        let req = read(&request(Some(context.clone())));
        let decision = d.decide(&req);
        assert_eq!(decision.outcome, Outcome::Deny, "{context}");
        assert_eq!(decision.basis, Basis::FailClosed(reason), "{context}");
        let auditor = d.response(&req, &decision, Some(Audience::Auditor));
        let text = auditor.explanation.unwrap_or_default();
        assert!(text.contains(&format!("`{field}`")), "{context}: {text}");
    }
}

/// A context left out holds none of its atoms: a grant that needs a value does not fire, and a
/// deny written with `not` does.
#[test]
fn a_context_left_out_holds_none_of_its_values() {
    let d = decider();
    let decide = |context: Option<Value>| {
        let req = read(&request(context));
        let decision = d.decide(&req);
        (decision.outcome, d.rule_id(&decision).map(str::to_string))
    };
    // On site, for casework: the allocated worker's grant.
    assert_eq!(
        decide(Some(json!({"network": "council", "purpose": "casework"}))),
        (Outcome::Allow, Some("child_protection.grant.1".into()))
    );
    // No network: the unrestricted block's `not network council and not network home` refuses.
    assert_eq!(
        decide(Some(json!({"purpose": "casework"}))),
        (Outcome::Deny, Some("unrestricted.deny.1".into()))
    );
    assert_eq!(
        decide(None),
        (Outcome::Deny, Some("unrestricted.deny.1".into()))
    );
    // No purpose: no grant holds, the category's default refuses.
    assert_eq!(
        decide(Some(json!({"network": "council"}))),
        (Outcome::Deny, Some("child_protection.default".into()))
    );
}

#[test]
fn the_caseworker_is_told_in_plain_words() {
    let d = decider();
    let req = read(&request(Some(json!({"network": "public"}))));
    let decision = d.decide(&req);
    let told = d
        .response(&req, &decision, Some(Audience::Caseworker))
        .explanation
        .unwrap_or_default();
    assert!(
        told.contains("not from a council network machine"),
        "{told}"
    );
    assert!(!told.contains("network council"), "{told}");
}

async fn router() -> axum::Router {
    let config = Config {
        policies: vec![POLICY.into()],
        ..Config::default()
    };
    Service::new(&config).await.unwrap().router()
}

async fn get(router: &axum::Router, uri: &str) -> (StatusCode, String) {
    let resp = router
        .clone()
        .oneshot(
            axum::http::Request::builder()
                .uri(uri)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// The what-if tool offers each context as a choice, "Not stated" first, and decides with it.
#[tokio::test]
async fn the_what_if_tool_asks_where_and_why() {
    let router = router().await;
    let (status, page) = get(&router, "/what-if").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Where and why they ask"), "{page}");
    assert!(page.contains("name=\"context-network\""), "{page}");
    assert!(page.contains("from a council network machine"), "{page}");
    let ask = "/what-if?check=1&subject=u-1&roles=social_worker&organisation=council&action=view\
               &record=C2&category=child_protection&allocated_workers=u-1";
    let (status, page) = get(
        &router,
        &format!("{ask}&context-network=council&context-purpose=casework"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("child_protection.grant.1"), "{page}");
    // Left out ("Not stated"): the request states no network and the gate refuses.
    let (status, page) = get(
        &router,
        &format!("{ask}&context-network=&context-purpose=casework"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("unrestricted.deny.1"), "{page}");
    // A value or a context the policy does not declare is a mistake in the form, named.
    let (status, page) = get(&router, &format!("{ask}&context-network=vpn")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("the policy does not declare vpn"), "{page}");
    let (status, page) = get(&router, &format!("{ask}&context-zone=office")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("context-zone"), "{page}");
}

#[tokio::test]
async fn the_service_decides_a_request_with_context() {
    let router = router().await;
    let post = |body: Value| {
        let router = router.clone();
        async move {
            let resp = router
                .oneshot(
                    axum::http::Request::builder()
                        .method("POST")
                        .uri("/v1/decisions")
                        .body(Body::from(body.to_string()))
                        .unwrap(),
                )
                .await
                .unwrap();
            let status = resp.status();
            let bytes = resp.into_body().collect().await.unwrap().to_bytes();
            (status, serde_json::from_slice::<Value>(&bytes).unwrap())
        }
    };
    let (status, a) = post(request(Some(
        json!({"network": "council", "purpose": "casework"}),
    )))
    .await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!(a["decision"], "allow");
    let (status, d) = post(request(None)).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["decision"], "deny");
    // A malformed context is a 400 naming the field.
    let (status, p) = post(request(Some(json!({"network": ["council"]})))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{p}");
    assert_eq!(p["field"], "context.network", "{p}");
}
