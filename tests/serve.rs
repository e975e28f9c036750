//! The decision service in process (`tower::ServiceExt::oneshot`, no sockets): every route,
//! every kind of bad input, the token, batches, reloads, metrics, the OpenAPI document, and the
//! decision log verifying after each run (the pages: tests/caseworker_page.rs).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::BufReader;
use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use caselock::audit::{self, SyncMode};
use caselock::serve::{Config, MAX_BATCH, MAX_BODY, PROBLEM_JSON, ROUTES, Service};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

// A frozen copy of an early Nottingham policy: the bundled one changes as it is refined.
const POLICY: &str = "tests/fixtures/serve/nottingham.policy";
const SECOND: &str = "tests/fixtures/policies/bare.policy";

/// A scratch directory with a copy of the Nottingham policy (so reload tests can edit it).
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("caselock-serve-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("nottingham")).unwrap();
        std::fs::copy(POLICY, dir.join("nottingham/policy.policy")).unwrap();
        Scratch { dir }
    }

    fn policy(&self) -> PathBuf {
        self.dir.join("nottingham")
    }

    fn log(&self) -> PathBuf {
        self.dir.join("decisions.jsonl")
    }

    fn config(&self) -> Config {
        Config {
            policies: vec![self.policy()],
            default_policy: None,
            log: Some(self.log()),
            log_sync: SyncMode::Data,
            token_file: None,
            watch: None,
            settle: Duration::ZERO,
            ..Config::default()
        }
    }

    /// Verifies the log and returns its summary.
    fn verify_log(&self) -> audit::Summary {
        let f = std::fs::File::open(self.log()).unwrap();
        audit::verify(BufReader::new(f), None, &audit::Chain::Unkeyed).unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

struct Reply {
    status: StatusCode,
    content_type: String,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts a problem body with this status, and returns it.
    fn problem(&self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "{}", self.text());
        assert_eq!(self.content_type, PROBLEM_JSON, "{}", self.text());
        let p = self.json();
        assert_eq!(p["status"], status);
        assert!(p["detail"].as_str().is_some_and(|d| !d.is_empty()));
        assert!(
            p["type"]
                .as_str()
                .unwrap()
                .starts_with("urn:caselock:problem:")
        );
        p
    }
}

async fn call(router: &Router, method: &str, uri: &str, body: impl Into<Body>) -> Reply {
    call_with(router, method, uri, body, None).await
}

async fn call_with(
    router: &Router,
    method: &str,
    uri: &str,
    body: impl Into<Body>,
    token: Option<&str>,
) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let resp = router
        .clone()
        .oneshot(req.body(body.into()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let content_type = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Reply {
        status,
        content_type,
        body,
    }
}

/// A request: `roles` for the subject, on a record restricted as `category` (or unrestricted).
fn request(subject: &str, roles: &[&str], org: &str, category: Option<&str>) -> Value {
    let restriction = category.map(|c| {
        json!({"category": c, "placed_on": "2026-10-01", "owner": "u-3001",
               "named_allow": [], "named_deny": []})
    });
    json!({
        "subject": {"id": subject, "roles": roles, "teams": [], "organisation": org},
        "action": "view",
        "record": {"id": "J123456", "restriction": restriction,
                   "allocated_workers": ["u-2001"], "allocated_managers": ["u-3001"]},
        "at": "2026-11-22T10:00:00Z"
    })
}

fn allowed() -> Value {
    request("u-2001", &["social_worker"], "council", Some("adoption"))
}

fn refused() -> Value {
    request("u-1042", &["social_worker"], "council", Some("adoption"))
}

async fn service(config: &Config) -> (Service, Router) {
    let s = Service::new(config).await.unwrap();
    let r = s.router();
    (s, r)
}

#[tokio::test]
async fn decides_one_request_and_batches_with_ids_and_policy() {
    let scratch = Scratch::new("decide");
    let (_s, router) = service(&scratch.config()).await;

    let r = call(&router, "POST", "/v1/decisions", allowed().to_string()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.content_type, "application/json");
    let a = r.json();
    assert_eq!(a["decision"], "allow");
    assert_eq!(a["policy_id"], "nottingham_escr");
    assert_eq!(a["policy_version"], 4);
    assert_eq!(a["policy_hash"].as_str().unwrap().len(), 64);
    // `instance:uuidv7`, never a line number.
    let id = a["decision_id"].as_str().unwrap();
    assert!(id.starts_with("caselock:"), "{id}");
    assert!(audit::DecisionId::parse(id).is_some(), "{id}");
    assert!(
        a.get("explanation").is_none(),
        "no explanation unless asked"
    );

    // A deny is a 200, with the kind of deny.
    let r = call(
        &router,
        "POST",
        "/v1/decisions?explain=caseworker",
        refused().to_string(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let d = r.json();
    assert_eq!(d["decision"], "deny");
    assert_eq!(d["deny_kind"], "not_permitted");
    assert!(d["explanation"].as_str().unwrap().contains("Not permitted"));
    assert!(d.get("trace").is_none());

    let r = call(
        &router,
        "POST",
        "/v1/decisions?explain=auditor",
        refused().to_string(),
    )
    .await;
    assert!(r.json()["trace"].as_array().is_some_and(|t| !t.is_empty()));

    // A batch: an array, in order, each with its own id.
    let partner = request(
        "u-5",
        &["social_worker"],
        "partner_agency",
        Some("adoption"),
    );
    let batch = json!([allowed(), refused(), partner]);
    let r = call(&router, "POST", "/v1/decisions", batch.to_string()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let out = r.json();
    let out = out.as_array().unwrap();
    let words: Vec<&str> = out
        .iter()
        .map(|d| d["decision"].as_str().unwrap())
        .collect();
    assert_eq!(words, ["allow", "deny", "deny"]);
    assert_eq!(out[2]["deny_kind"], "forbidden");
    let ids: std::collections::HashSet<&str> = out
        .iter()
        .map(|d| d["decision_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
    // An empty batch is an empty answer.
    let r = call(&router, "POST", "/v1/decisions", "[]").await;
    assert_eq!((r.status, r.json()), (StatusCode::OK, json!([])));

    // Every decision is in the log, which verifies: 1 policy load + 6 decisions.
    let s = scratch.verify_log();
    assert_eq!(
        (s.entries, s.decisions, s.allowed, s.policies_loaded),
        (7, 6, 2, 1)
    );
    let log = std::fs::read_to_string(scratch.log()).unwrap();
    assert!(log.contains("\"subject\":\"u-1042\""));
    assert!(!log.contains("Nottingham"), "the log holds ids, not names");
}

#[tokio::test]
async fn bad_input_is_a_problem_naming_the_field_never_a_500() {
    let scratch = Scratch::new("bad");
    let (_s, router) = service(&scratch.config()).await;
    let post = |body: String| {
        let router = router.clone();
        async move { call(&router, "POST", "/v1/decisions", body).await }
    };

    let p = post("{\"subject\": ".to_string()).await.problem(400);
    assert!(
        p["detail"].as_str().unwrap().contains("malformed JSON"),
        "{p}"
    );
    post("{} trailing".to_string()).await.problem(400);
    post(String::new()).await.problem(400);
    post("42".to_string()).await.problem(400);
    post("\u{1}garbage".to_string()).await.problem(400);

    let mut wrong = allowed();
    wrong["subject"]["roles"] = json!("social_worker");
    assert_eq!(
        post(wrong.to_string()).await.problem(400)["field"],
        "subject.roles"
    );

    let mut missing = allowed();
    missing["record"].as_object_mut().unwrap().remove("id");
    assert_eq!(
        post(missing.to_string()).await.problem(400)["field"],
        "record.id"
    );

    let mut unknown = allowed();
    unknown["record"]["allocated_worker"] = json!(["u-1"]);
    assert_eq!(
        post(unknown.to_string()).await.problem(400)["field"],
        "record.allocated_worker"
    );

    // Ids that are empty or padded, and untyped list entries, are input errors naming the field.
    let mut empty = allowed();
    empty["subject"]["id"] = json!("");
    assert_eq!(
        post(empty.to_string()).await.problem(400)["field"],
        "subject.id"
    );
    let mut padded = allowed();
    padded["record"]["allocated_workers"] = json!(["u-2001 "]);
    assert_eq!(
        post(padded.to_string()).await.problem(400)["field"],
        "record.allocated_workers[0]"
    );
    let mut untyped = allowed();
    untyped["record"]["restriction"]["named_deny"] = json!(["placements"]);
    assert_eq!(
        post(untyped.to_string()).await.problem(400)["field"],
        "record.restriction.named_deny[0]"
    );

    let mut date = allowed();
    date["record"]["restriction"]["placed_on"] = json!("2026-02-30");
    assert_eq!(
        post(date.to_string()).await.problem(400)["field"],
        "record.restriction.placed_on"
    );

    let mut time = allowed();
    time["at"] = json!("yesterday");
    assert_eq!(post(time.to_string()).await.problem(400)["field"], "at");

    // In a batch, the field names the item.
    let mut second = refused();
    second["action"] = json!(7);
    let batch = json!([allowed(), second]);
    assert_eq!(
        post(batch.to_string()).await.problem(400)["field"],
        "[1].action"
    );

    let big = format!("[{}]", vec![allowed().to_string(); MAX_BATCH + 1].join(","));
    assert!(big.len() < MAX_BODY);
    post(big).await.problem(400);

    let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(MAX_BODY));
    post(huge).await.problem(413);

    let r = call(
        &router,
        "POST",
        "/v1/decisions?explain=everyone",
        allowed().to_string(),
    )
    .await;
    assert_eq!(r.problem(400)["field"], "explain");

    // An unknown category or action is decided: a fail-closed deny. Only the auditor's view
    // names it, since the value comes from the record (issue #14).
    let witchcraft = request("u-1", &["social_worker"], "council", Some("witchcraft")).to_string();
    let r = post(witchcraft.clone()).await;
    assert_eq!(r.status, StatusCode::OK);
    let d = r.json();
    assert_eq!(d["decision"], "deny");
    assert!(!d.to_string().contains("witchcraft"), "{d}");
    let r = call(&router, "POST", "/v1/decisions?explain=auditor", witchcraft).await;
    assert!(
        r.json()["reasons"].to_string().contains("witchcraft"),
        "{}",
        r.text()
    );
    let mut action = allowed();
    action["action"] = json!("delete");
    assert_eq!(post(action.to_string()).await.json()["decision"], "deny");

    // Unknown routes and methods are problems too.
    call(&router, "GET", "/v1/nothing", Body::empty())
        .await
        .problem(404);
    call(&router, "GET", "/v1/decisions", Body::empty())
        .await
        .problem(405);
    call(
        &router,
        "POST",
        "/v1/policies/nope/decisions",
        allowed().to_string(),
    )
    .await
    .problem(404);

    // Refused input is not logged; the log still verifies (the three decisions: the unknown
    // category twice, once with the auditor's view, and the unknown action).
    let s = scratch.verify_log();
    assert_eq!(s.decisions, 3);
}

#[tokio::test]
async fn arrays_where_objects_belong_and_impossible_times_are_refused_naming_the_field() {
    let scratch = Scratch::new("shapes");
    let (_s, router) = service(&scratch.config()).await;
    let field = |body: Value| {
        let router = router.clone();
        async move {
            call(&router, "POST", "/v1/decisions", body.to_string())
                .await
                .problem(400)["field"]
                .clone()
        }
    };
    let good = allowed();
    // A batch is an array of request objects; a request written as an array of its values is not.
    let values = json!([good["subject"], good["action"], good["record"]]);
    assert_eq!(field(json!([good.clone(), values])).await, "[1]");
    let mut subject = allowed();
    subject["subject"] = json!(["u-1", [], [], "council"]);
    assert_eq!(field(subject).await, "subject");
    for (path, value) in [
        ("at", "2026-11-20T23:59:60Z"),
        ("at", "1899-12-31T23:59:59Z"),
        ("at", "2201-01-01T00:00:00Z"),
        ("record.restriction.review_by", "9999-12-31"),
        ("record.restriction.placed_on", "2026-5-1"),
        ("record.restriction.last_reviewed", "26-05-01"),
    ] {
        let mut bad = allowed();
        let mut at = &mut bad;
        let (parents, last) = path.rsplit_once('.').map_or(("", path), |(p, l)| (p, l));
        for key in parents.split('.').filter(|k| !k.is_empty()) {
            at = &mut at[key];
        }
        at[last] = json!(value);
        assert_eq!(field(bad).await, path, "{value}");
    }
}

#[tokio::test]
async fn the_token_guards_every_v1_route_and_only_those() {
    let scratch = Scratch::new("token");
    let token_file = scratch.dir.join("token");
    std::fs::write(&token_file, "s3cret-token\n").unwrap();
    let mut config = scratch.config();
    config.token_file = Some(token_file);
    config.link_key = Some(caselock::serve::LinkKey::new(&[7; 32]).unwrap());
    let (_s, router) = service(&config).await;
    let id = call_with(
        &router,
        "POST",
        "/v1/decisions",
        allowed().to_string(),
        Some("s3cret-token"),
    )
    .await
    .json()["decision_id"]
        .as_str()
        .unwrap()
        .to_string();

    for route in ROUTES
        .iter()
        .filter(|r| r.contains(" /v1/") || r.ends_with(" /metrics"))
    {
        let (method, path) = route.split_once(' ').unwrap();
        let path = path
            .replace("{policy_id}", "nottingham_escr")
            .replace("{decision_id}", &id);
        for token in [None, Some("wrong"), Some("s3cret-token2"), Some("s")] {
            let r = call_with(&router, method, &path, allowed().to_string(), token).await;
            r.problem(401);
        }
        let r = call_with(
            &router,
            method,
            &path,
            allowed().to_string(),
            Some("s3cret-token"),
        )
        .await;
        assert!(r.status.is_success(), "{route}: {}", r.text());
    }
    // The scheme name is case-insensitive (RFC 9110); other schemes are refused.
    for (value, ok) in [
        ("bearer s3cret-token", true),
        ("BEARER  s3cret-token ", true),
        ("Basic s3cret-token", false),
        ("Bearers3cret-token", false),
        ("s3cret-token", false),
    ] {
        let req = Request::builder()
            .uri("/v1/policy")
            .header("authorization", value)
            .body(Body::empty())
            .unwrap();
        let status = router.clone().oneshot(req).await.unwrap().status();
        assert_eq!(status.is_success(), ok, "{value}: {status}");
    }
    for open in ["/", "/healthz", "/readyz", "/openapi.json"] {
        assert_eq!(
            call(&router, "GET", open, Body::empty()).await.status,
            StatusCode::OK
        );
    }
    // An empty token file refuses to start.
    let empty = scratch.dir.join("empty");
    std::fs::write(&empty, " \n").unwrap();
    config.token_file = Some(empty);
    assert!(Service::new(&config).await.is_err());
}

#[tokio::test]
async fn a_logged_decision_is_explained_again() {
    let scratch = Scratch::new("logged");
    let (_s, router) = service(&scratch.config()).await;
    let d = call(&router, "POST", "/v1/decisions", refused().to_string())
        .await
        .json();
    let id = d["decision_id"].as_str().unwrap();

    let r = call(
        &router,
        "GET",
        &format!("/v1/decisions/{id}"),
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let again = r.json();
    assert_eq!(again["decision_id"], id);
    assert_eq!(again["decision"], "deny");
    assert_eq!(again["matches_log"], true);
    assert_eq!(again["rule"], d["rule"]);
    assert!(
        again["explanation"]
            .as_str()
            .unwrap()
            .contains("Not permitted")
    );
    assert_eq!(again["request"]["subject"]["id"], "u-1042");
    let r = call(
        &router,
        "GET",
        &format!("/v1/decisions/{id}?explain=auditor"),
        Body::empty(),
    )
    .await;
    assert!(r.json()["trace"].is_array());

    for missing in ["d999", "d1", "x", "d0", "d-1", "d01"] {
        // d1 is the policy-load entry, not a decision.
        call(
            &router,
            "GET",
            &format!("/v1/decisions/{missing}"),
            Body::empty(),
        )
        .await
        .problem(404);
    }

    // Without a log there is nothing to look up, and decisions still get ids.
    let mut config = scratch.config();
    config.log = None;
    let (_s, router) = service(&config).await;
    let d = call(&router, "POST", "/v1/decisions", refused().to_string())
        .await
        .json();
    assert!(d["decision_id"].is_string());
    call(&router, "GET", "/v1/decisions/d1", Body::empty())
        .await
        .problem(404);
}

#[tokio::test]
async fn several_policies_are_served_with_a_default() {
    let scratch = Scratch::new("several");
    let mut config = scratch.config();
    config.policies.push(PathBuf::from(SECOND));
    let (s, router) = service(&config).await;
    assert_eq!(s.policy_ids(), ["nottingham_escr", "bare"]);

    let bare = json!({"subject": {"id": "u-1", "roles": ["worker"], "organisation": "council"},
                      "action": "view", "record": {"id": "R1", "restriction": {"category": "sensitive"}}});
    let r = call(
        &router,
        "POST",
        "/v1/policies/bare/decisions",
        bare.to_string(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["policy_id"], "bare");
    // The default is the first policy given: `sensitive` is no category of it, so fail closed.
    let r = call(&router, "POST", "/v1/decisions", bare.to_string())
        .await
        .json();
    assert_eq!(r["policy_id"], "nottingham_escr");
    assert_eq!(r["decision"], "deny");

    let p = call(&router, "GET", "/v1/policy", Body::empty())
        .await
        .json();
    assert_eq!(p["id"], "nottingham_escr");
    assert_eq!(p["policies"].as_array().unwrap().len(), 2);
    assert_eq!(p["policies"][1]["id"], "bare");
    assert_eq!(p["policies"][1]["default"], false);
    // One writer per log: this service lets go of it before the next one opens it.
    drop((s, router));

    config.default_policy = Some("bare".to_string());
    let (s, router) = service(&config).await;
    let r = call(&router, "POST", "/v1/decisions", bare.to_string())
        .await
        .json();
    assert_eq!(r["policy_id"], "bare");
    drop((s, router));
    config.default_policy = Some("nope".to_string());
    assert!(Service::new(&config).await.is_err());
    // The same policy twice is refused.
    config.default_policy = None;
    config.policies.push(scratch.policy());
    assert!(Service::new(&config).await.is_err());
}

#[tokio::test]
async fn policy_health_and_readiness() {
    let scratch = Scratch::new("policy");
    let (s, router) = service(&scratch.config()).await;
    let p = call(&router, "GET", "/v1/policy", Body::empty())
        .await
        .json();
    assert_eq!(p["id"], "nottingham_escr");
    assert_eq!(p["version"], 4);
    assert_eq!(p["categories"], json!(["adoption", "high_profile"]));
    assert!(p["loaded_at"].is_string());
    assert!(p["last_reload_error"].is_null());
    assert_eq!(p["log"]["entries"], 1);
    assert!(p["log"]["head"].as_str().unwrap().starts_with("1:sha256:"));

    let r = call(&router, "GET", "/healthz", Body::empty()).await;
    assert_eq!((r.status, r.text().as_str()), (StatusCode::OK, "ok\n"));
    assert_eq!(
        call(&router, "GET", "/readyz", Body::empty()).await.json()["ready"],
        true
    );
    s.drain();
    call(&router, "GET", "/readyz", Body::empty())
        .await
        .problem(503);
}

#[tokio::test]
async fn reload_swaps_a_good_policy_and_keeps_serving_through_a_bad_one() {
    let scratch = Scratch::new("reload");
    let (_s, router) = service(&scratch.config()).await;
    let file = scratch.policy().join("policy.policy");
    let original = std::fs::read_to_string(&file).unwrap();
    let hash = |router: Router| async move {
        call(&router, "GET", "/v1/policy", Body::empty())
            .await
            .json()["hash"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let first = hash(router.clone()).await;

    let r = call(&router, "POST", "/v1/reload", Body::empty()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["results"][0]["result"], "unchanged");

    // A good change: the partner ban is lifted for high-profile cases.
    let changed = original.replacen(
        "deny all to partner organisations absolute\n  review every 90 days by role team_manager\n  denied_view minimal\n  disclose contact, temporary, reason, exclusion",
        "review every 90 days by role team_manager\n  denied_view minimal\n  disclose contact, temporary, reason, exclusion",
        1,
    );
    assert_ne!(changed, original);
    std::fs::write(&file, &changed).unwrap();
    let r = call(&router, "POST", "/v1/reload", Body::empty()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["results"][0]["result"], "reloaded");
    let second = hash(router.clone()).await;
    assert_ne!(first, second);
    let d = call(&router, "POST", "/v1/decisions", refused().to_string())
        .await
        .json();
    assert_eq!(d["policy_hash"], second);

    // A broken policy is refused; the running version goes on; the error is shown.
    std::fs::write(
        &file,
        format!("{changed}\ncategory broken {{\n  grant view to nobody_at_all\n"),
    )
    .unwrap();
    let r = call(&router, "POST", "/v1/reload", Body::empty()).await;
    let p = r.problem(422);
    assert_eq!(p["results"][0]["result"], "rejected");
    assert_eq!(hash(router.clone()).await, second);
    let status = call(&router, "GET", "/v1/policy", Body::empty())
        .await
        .json();
    assert!(
        status["last_reload_error"]["error"]
            .as_str()
            .unwrap()
            .contains("policy.policy"),
        "{status}"
    );
    let d = call(&router, "POST", "/v1/decisions", allowed().to_string()).await;
    assert_eq!(d.json()["decision"], "allow");

    // Fixed: served, and the error cleared.
    std::fs::write(&file, &original).unwrap();
    let r = call(&router, "POST", "/v1/reload", Body::empty()).await;
    assert_eq!(r.json()["results"][0]["result"], "reloaded");
    assert_eq!(hash(router.clone()).await, first);
    let status = call(&router, "GET", "/v1/policy", Body::empty())
        .await
        .json();
    assert!(status["last_reload_error"].is_null());

    // A decision made under the version since replaced is still explained with that version.
    let old = d.json();
    let again = call(
        &router,
        "GET",
        &format!("/v1/decisions/{}", old["decision_id"].as_str().unwrap()),
        Body::empty(),
    )
    .await
    .json();
    assert_eq!(again["policy_hash"], second);
    assert_eq!(again["matches_log"], true);

    let metrics = call(&router, "GET", "/metrics", Body::empty()).await.text();
    assert!(
        metrics.contains("caselock_reloads_total{result=\"reloaded\"} 2"),
        "{metrics}"
    );
    assert!(metrics.contains("caselock_reloads_total{result=\"rejected\"} 1"));
    assert!(metrics.contains("caselock_reloads_total{result=\"unchanged\"} 1"));

    // The log records each version served and the refusal, and verifies.
    let s = scratch.verify_log();
    assert_eq!(
        (s.policies_loaded, s.policies_rejected, s.decisions),
        (3, 1, 2)
    );
}

#[tokio::test]
async fn a_changed_file_is_picked_up_by_the_watcher() {
    let scratch = Scratch::new("watch");
    let (s, router) = service(&scratch.config()).await;
    s.watch(Duration::from_millis(50));
    let file = scratch.policy().join("policy.policy");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\n# reviewed again\n")).unwrap();
    let mut reloaded = false;
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(25)).await;
        let m = call(&router, "GET", "/metrics", Body::empty()).await.text();
        if m.contains("caselock_reloads_total{result=\"reloaded\"} 1") {
            reloaded = true;
            break;
        }
    }
    assert!(reloaded, "the watcher did not reload the changed policy");
    assert_eq!(scratch.verify_log().policies_loaded, 2);
}

#[cfg(unix)]
#[tokio::test]
async fn a_policy_file_linked_outside_its_directory_is_refused_without_showing_it() {
    let scratch = Scratch::new("symlink");
    let (_s, router) = service(&scratch.config()).await;
    // A file outside the policy directory whose first line would be echoed by a parse error.
    let secret = scratch.dir.join("secret.txt");
    std::fs::write(&secret, "root-SECRET-LINE:x:0:0\n").unwrap();
    std::os::unix::fs::symlink(&secret, scratch.policy().join("zz.policy")).unwrap();
    let r = call(&router, "POST", "/v1/reload", Body::empty()).await;
    let p = r.problem(422);
    let text = p.to_string();
    assert!(text.contains("symbolic link"), "{text}");
    assert!(!text.contains("SECRET"), "{text}");
    let status = call(&router, "GET", "/v1/policy", Body::empty())
        .await
        .text();
    assert!(status.contains("symbolic link"), "{status}");
    assert!(!status.contains("SECRET"), "{status}");
    let log = std::fs::read_to_string(scratch.log()).unwrap();
    assert!(log.contains("policy_rejected"), "{log}");
    assert!(!log.contains("SECRET"), "{log}");

    // A file inside the directory that does not parse is refused one line per error, with its
    // place and code, and without the source snippet a terminal rendering shows.
    std::fs::remove_file(scratch.policy().join("zz.policy")).unwrap();
    std::fs::write(scratch.policy().join("zz.policy"), "oops\nsecond-LINE\n").unwrap();
    let r = call(&router, "POST", "/v1/reload", Body::empty()).await;
    let text = r.problem(422).to_string();
    assert!(text.contains("zz.policy:1: error[CL"), "{text}");
    assert!(!text.contains("second-LINE"), "{text}");
}

#[tokio::test]
async fn metrics_count_decisions_latency_and_errors() {
    let scratch = Scratch::new("metrics");
    let (_s, router) = service(&scratch.config()).await;
    call(&router, "POST", "/v1/decisions", allowed().to_string()).await;
    call(
        &router,
        "POST",
        "/v1/decisions",
        json!([refused(), refused()]).to_string(),
    )
    .await;
    call(&router, "POST", "/v1/decisions", "{").await;
    let r = call(&router, "GET", "/metrics", Body::empty()).await;
    assert!(r.content_type.starts_with("text/plain; version=0.0.4"));
    let m = r.text();
    for line in [
        "caselock_decisions_total{policy=\"nottingham_escr\",outcome=\"allow\"} 1",
        "caselock_decisions_total{policy=\"nottingham_escr\",outcome=\"deny\"} 2",
        "caselock_decision_request_seconds_bucket{route=\"api\",le=\"+Inf\"} 3",
        "caselock_decision_request_seconds_count{route=\"api\"} 3",
        "caselock_decision_request_seconds_count{route=\"why_page\"} 0",
        "caselock_http_errors_total{status=\"400\"} 1",
        "caselock_log_entries 4",
        "# TYPE caselock_decision_request_seconds histogram",
    ] {
        assert!(m.lines().any(|l| l == line), "missing `{line}` in\n{m}");
    }
    assert!(m.contains("caselock_policy_info{policy=\"nottingham_escr\",version=\"4\""));
}

#[tokio::test]
async fn the_openapi_document_describes_exactly_the_routes() {
    let scratch = Scratch::new("openapi");
    let (_s, router) = service(&scratch.config()).await;
    let served = call(&router, "GET", "/openapi.json", Body::empty()).await;
    let file = std::fs::read_to_string("docs/openapi.json").unwrap();
    assert_eq!(served.text(), file, "/openapi.json is docs/openapi.json");
    let doc: Value = serde_json::from_str(&file).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| format!("{} {path}", m.to_uppercase()))
        })
        .collect();
    documented.sort();
    let mut routes: Vec<String> = ROUTES.iter().map(|r| r.to_string()).collect();
    routes.sort();
    assert_eq!(documented, routes);
    // Every route in the list is really served (none answers 404).
    for route in ROUTES {
        let (method, path) = route.split_once(' ').unwrap();
        let path = path
            .replace("{policy_id}", "nottingham_escr")
            .replace("{decision_id}", "d1");
        let r = call(&router, method, &path, Body::empty()).await;
        let not_found_route = r.status == StatusCode::NOT_FOUND
            && r.json()["detail"]
                .as_str()
                .unwrap()
                .starts_with("no such route");
        assert!(!not_found_route, "{route} is not served");
    }
    // Every `$ref` resolves.
    let text = file.as_str();
    for r in text.split("\"$ref\": \"#/").skip(1) {
        let target = r.split('"').next().unwrap();
        let pointer = format!("/{target}");
        assert!(doc.pointer(&pointer).is_some(), "dangling $ref {target}");
    }
}

/// The log a run leaves verifies with `caselock audit verify`, and reopening continues it.
#[tokio::test]
async fn the_log_continues_across_restarts() {
    let scratch = Scratch::new("restart");
    for _ in 0..2 {
        let (_s, router) = service(&scratch.config()).await;
        call(
            &router,
            "POST",
            "/v1/decisions",
            json!([allowed(), refused()]).to_string(),
        )
        .await;
    }
    let s = scratch.verify_log();
    assert_eq!((s.entries, s.decisions, s.policies_loaded), (6, 4, 2));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_caselock"))
        .args(["audit", "verify"])
        .arg(scratch.log())
        .arg("--head")
        .arg(s.head.unwrap().to_string())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

mod never_a_500 {
    use super::*;
    use proptest::prelude::*;

    fn check(
        router: &Router,
        rt: &tokio::runtime::Runtime,
        body: Vec<u8>,
    ) -> Result<(), TestCaseError> {
        let r = rt.block_on(call(
            router,
            "POST",
            "/v1/decisions?explain=caseworker",
            body,
        ));
        prop_assert!(
            [200, 400].contains(&r.status.as_u16()),
            "status {}: {}",
            r.status,
            r.text()
        );
        if r.status == StatusCode::BAD_REQUEST {
            prop_assert_eq!(r.content_type.as_str(), PROBLEM_JSON);
        } else {
            prop_assert!(r.json()["decision"].is_string() || r.json().is_array());
        }
        Ok(())
    }

    /// One service for every case (no log: nothing to clean up).
    fn served() -> &'static (tokio::runtime::Runtime, Router) {
        static SERVED: std::sync::OnceLock<(tokio::runtime::Runtime, Router)> =
            std::sync::OnceLock::new();
        SERVED.get_or_init(|| {
            let config = Config {
                policies: vec![PathBuf::from(POLICY)],
                default_policy: None,
                log: None,
                log_sync: SyncMode::Data,
                token_file: None,
                watch: None,
                settle: Duration::ZERO,
                ..Config::default()
            };
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let router = rt.block_on(Service::new(&config)).unwrap().router();
            (rt, router)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any bytes, and any valid request with a span of it replaced, get a decision or a
        /// problem: never a 500, never a panic.
        #[test]
        fn arbitrary_and_mangled_bodies(
            bytes in prop::collection::vec(any::<u8>(), 0..200),
            at in any::<prop::sample::Index>(),
            len in 0usize..12,
            with in "[ -~]{0,12}",
        ) {
            let (rt, router) = served();
            check(router, rt, bytes)?;
            let text = refused().to_string();
            let start = at.index(text.len());
            let end = (start + len).min(text.len());
            let mangled = format!("{}{with}{}", &text[..start], &text[end..]);
            check(router, rt, mangled.into_bytes())?;
        }
    }
}
