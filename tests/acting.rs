//! Acting for a colleague (issue #15): a deputy asks as themselves and names the colleague they
//! cover for; a valid window decides with the colleague's rights and the deputy's own denies, a
//! window that does not count decides with the deputy's own rights and says why, and a policy
//! that lets nobody act refuses. The request contract, the library, both explanations and the
//! HTTP service read `acting_for` alike.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;

use axum::body::Body;
use axum::http::StatusCode;
use caselock::eval::{Audience, Basis, Decider, FailReason, Outcome, Request, WarningCode};
use caselock::serve::{Config, Service};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const POLICY: &str = "examples/policies/deputy_cover";

fn decider(policy: &str) -> Decider {
    Decider::new(&support::load(Path::new(policy)).table)
}

/// `u-1` asking to `action` a child protection record allocated to `u-2`, acting for `u-2` when
/// `acting` is given.
fn request(action: &str, acting: Option<Value>) -> Value {
    let mut r = json!({
        "subject": {"id": "u-1", "roles": ["social_worker"], "organisation": "council"},
        "action": action,
        "record": {"id": "C1", "restriction": {"category": "child_protection",
                                               "placed_on": "2026-11-01"},
                   "allocated_workers": ["u-2"]},
        "at": "2026-11-22T10:00:00Z"
    });
    if let Some(a) = acting {
        r["acting_for"] = a;
    }
    r
}

/// A week's cover for `u-2`, approved by a team manager.
fn cover() -> Value {
    json!({
        "subject": {"id": "u-2", "roles": ["social_worker"], "organisation": "council"},
        "approved_by": {"id": "u-3", "roles": ["team_manager"]},
        "from": "2026-11-20T09:00:00Z",
        "until": "2026-11-27T09:00:00Z"
    })
}

fn read(v: &Value) -> Request {
    Request::from_json(&v.to_string()).unwrap()
}

#[test]
fn a_request_without_acting_for_reads_and_writes_as_before() {
    let none = read(&request("view", None));
    assert!(none.acting_for.is_none());
    let written = serde_json::to_value(&none).unwrap();
    assert!(written.get("acting_for").is_none(), "{written}");
    assert_eq!(read(&request("view", Some(Value::Null))), none);
    let acting = read(&request("view", Some(cover())));
    let back = serde_json::to_value(&acting).unwrap();
    assert_eq!(read(&back), acting);
}

#[test]
fn a_malformed_window_is_an_input_error_naming_the_field() {
    let mut misspelt = cover();
    misspelt["colleague"] = json!("u-2");
    let mut untimed = cover();
    untimed.as_object_mut().unwrap().remove("until");
    let mut bad_time = cover();
    bad_time["from"] = json!("2026-11-20 09:00");
    let mut listed = cover();
    listed["subject"] = json!(["u-2", [], [], "council"]);
    for (acting, said) in [
        (misspelt, "colleague"),
        (untimed, "until"),
        (bad_time, "`acting_for.from`"),
        (listed, "`acting_for.subject`"),
        (json!("u-2"), "`acting_for`"),
    ] {
        let err = Request::from_json(&request("view", Some(acting.clone())).to_string())
            .expect_err(&acting.to_string());
        assert!(err.0.contains(said), "{acting}: {}", err.0);
    }
}

#[test]
fn a_policy_that_lets_nobody_act_refuses_and_says_why() {
    let d = decider("examples/policies/remote_access");
    let mut r = request("view", Some(cover()));
    r["record"] = json!({"id": "C1"});
    r["context"] = json!({"network": "council"});
    let req = read(&r);
    let decision = d.decide(&req);
    assert_eq!(
        decision.basis,
        Basis::FailClosed(FailReason::ActingNotAllowed)
    );
    let auditor = d.response(&req, &decision, Some(Audience::Auditor));
    assert!(
        auditor.reasons[0].contains("the policy lets nobody act for anyone"),
        "{:?}",
        auditor.reasons
    );
    // Without it, the same request is decided.
    r.as_object_mut().unwrap().remove("acting_for");
    assert_eq!(d.decide(&read(&r)).outcome, Outcome::Allow);
}

#[test]
fn an_undeclared_name_of_the_colleague_or_approver_fails_closed_naming_the_field() {
    let d = decider(POLICY);
    let with = |path: &[&str], value: Value| {
        let mut a = cover();
        let mut at = &mut a;
        for p in &path[..path.len() - 1] {
            at = &mut at[*p];
        }
        at[path[path.len() - 1]] = value;
        a
    };
    for (acting, reason, field) in [
        (
            with(&["subject", "roles"], json!(["social_workr"])),
            FailReason::UnknownActingRole(0),
            "acting_for.subject.roles",
        ),
        (
            with(&["subject", "teams"], json!(["north", "east"])),
            FailReason::UnknownActingTeam(1),
            "acting_for.subject.teams",
        ),
        (
            with(&["subject", "organisation"], json!("police")),
            FailReason::UnknownActingOrganisation,
            "acting_for.subject",
        ),
        (
            with(&["approved_by", "teams"], json!(["cover"])),
            FailReason::UnknownActingApproverTeam(0),
            "acting_for.approved_by.teams",
        ),
    ] {
        let req = read(&request("view", Some(acting.clone())));
        let decision = d.decide(&req);
        assert_eq!(decision.basis, Basis::FailClosed(reason), "{acting}");
        let auditor = d.response(&req, &decision, Some(Audience::Auditor));
        let text = auditor.explanation.unwrap_or_default();
        assert!(text.contains(&format!("`{field}")), "{acting}: {text}");
    }
}

#[test]
fn the_explanations_say_whom_the_deputy_acts_for() {
    let d = decider(POLICY);
    let req = read(&request("edit", Some(cover())));
    let decision = d.decide(&req);
    assert_eq!(decision.outcome, Outcome::Allow);
    assert!(decision.acting);
    let told = d.explain(&req, &decision, Audience::Caseworker);
    assert!(
        told.contains("on behalf of u-2, with their rights"),
        "{told}"
    );
    let audit = d.explain(&req, &decision, Audience::Auditor);
    assert!(audit.contains("Acting for: `u-2`"), "{audit}");
    assert!(audit.contains("approved by `u-3`"), "{audit}");
    assert!(
        audit.contains("The subject's own facts, for denies"),
        "{audit}"
    );
}

#[test]
fn a_deny_that_matches_the_deputy_is_traced_to_them() {
    let d = decider(POLICY);
    let mut r = request("edit", Some(cover()));
    r["subject"]["roles"] = json!(["business_support"]);
    let req = read(&r);
    let decision = d.decide(&req);
    assert_eq!(decision.outcome, Outcome::Deny);
    assert_eq!(d.rule_id(&decision), Some("unrestricted.deny.1"));
    let trace = d.trace(&req, &decision);
    let step = trace.iter().find(|s| s.decided).unwrap();
    assert!(step.matched, "{step:?}");
    assert!(step.why.contains("the subject themselves"), "{step:?}");
}

#[test]
fn a_refused_deputy_is_told_nothing_the_category_conceals() {
    let d = decider(POLICY);
    // A member of staff's record, concealed (`denied_view none`), opened on a colleague's behalf.
    let mut r = request("view", Some(cover()));
    r["record"] = json!({"id": "S1", "restriction": {"category": "staff_record"},
                         "subject": "u-7", "allocated_workers": ["u-2"]});
    let req = read(&r);
    let decision = d.decide(&req);
    assert_eq!(decision.outcome, Outcome::Deny);
    let resp = d.response(&req, &decision, Some(Audience::Caseworker));
    let told = resp.explanation.clone().unwrap_or_default();
    for secret in ["staff", "acting_for", "record_subject", "u-7", "deny"] {
        assert!(!told.contains(secret), "{secret}: {told}");
    }
    assert!(resp.rule.is_none() && resp.deny_kind.is_none(), "{resp:?}");
    assert!(told.contains("on behalf of u-2"), "{told}");
}

#[test]
fn a_window_that_does_not_count_is_told_even_to_a_refused_deputy() {
    let d = decider(POLICY);
    let mut late = cover();
    late["until"] = json!("2026-11-21T09:00:00Z");
    let req = read(&request("view", Some(late)));
    let decision = d.decide(&req);
    assert_eq!(decision.outcome, Outcome::Deny);
    assert!(!decision.acting);
    let resp = d.response(&req, &decision, None);
    let w = resp
        .warnings
        .iter()
        .find(|w| w.code == WarningCode::ActingNotValid)
        .unwrap_or_else(|| panic!("{resp:?}"));
    assert!(w.message.contains("the window has ended"), "{}", w.message);
    let told = d.explain(&req, &decision, Audience::Caseworker);
    assert!(
        told.contains("Acting for u-2 does not count: the window has ended."),
        "{told}"
    );
}

async fn router() -> axum::Router {
    let config = Config {
        policies: vec![POLICY.into()],
        ..Config::default()
    };
    Service::new(&config).await.unwrap().router()
}

#[tokio::test]
async fn the_service_decides_a_request_acting_for_a_colleague() {
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
    let (status, a) = post(request("edit", Some(cover()))).await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!(a["decision"], "allow", "{a}");
    assert_eq!(a["rule"], "child_protection.grant.2", "{a}");
    let (status, d) = post(request("edit", None)).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["decision"], "deny", "{d}");
    let mut bad = cover();
    bad["until"] = json!("next week");
    let (status, p) = post(request("edit", Some(bad))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{p}");
    assert_eq!(p["field"], "acting_for.until", "{p}");
}
