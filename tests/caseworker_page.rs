//! The caseworker page (`/why/{decision_id}`), the what-if tool (`/what-if`) and the landing
//! page in process: a signed link shows the caseworker explanation of that logged decision and
//! nothing the policy or the record holds back; nothing opens without a link or the token; no
//! page or what-if ever enters the decision log; people are named by the staff directory.
//! The regression tests are named after the faults of the old free-text page they guard.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::BufReader;
use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use caselock::audit::{self, SyncMode};
use caselock::serve::{Config, LinkKey, Service};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const POLICY: &str = "tests/fixtures/serve/nottingham.policy";
const TOKEN: &str = "page-test-token-0123456789";
const KEY: [u8; 32] = [0x5a; 32];
/// Fictional people: no real person's name.
const DIRECTORY: &str = "subject_id,display_name,role_title\n\
u-3001,Pat Placeholder,Team Manager\n\
u-2001,Sam Sample,Social Worker\n";

struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("caselock-page-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("token"), format!("{TOKEN}\n")).unwrap();
        std::fs::write(dir.join("directory.csv"), DIRECTORY).unwrap();
        Scratch { dir }
    }

    fn log(&self) -> PathBuf {
        self.dir.join("decisions.jsonl")
    }

    fn config(&self) -> Config {
        Config {
            policies: vec![PathBuf::from(POLICY)],
            log: Some(self.log()),
            log_sync: SyncMode::Data,
            token_file: Some(self.dir.join("token")),
            link_key: Some(LinkKey::new(&KEY).unwrap()),
            directory: Some(self.dir.join("directory.csv")),
            settle: Duration::ZERO,
            ..Config::default()
        }
    }

    fn summary(&self) -> audit::Summary {
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
    headers: axum::http::HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

async fn call(router: &Router, method: &str, uri: &str, auth: Option<&str>, body: String) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    let resp = router
        .clone()
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn bearer() -> String {
    format!("Bearer {TOKEN}")
}

/// `Authorization: Basic` with the token as the password, as a browser sends it.
fn basic() -> String {
    use base64::Engine as _;
    let pair = format!("author:{TOKEN}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// A request that the Nottingham policy refuses, every hidden fact filled in.
fn refused(category: &str) -> Value {
    json!({
        "subject": {"id": "u-1042", "roles": ["social_worker"], "teams": [], "organisation": "council"},
        "action": "view",
        "record": {"id": "J123456", "teams": [],
                   "restriction": {"category": category, "placed_on": "2026-01-01", "owner": "u-3001",
                                   "named_allow": [{"person": "u-4004"}], "named_deny": [{"person": "u-1042"}, {"team": "placements"}]},
                   "allocated_workers": ["u-2001"], "allocated_managers": ["u-3002"]},
        "at": "2026-11-22T10:00:00Z"
    })
}

/// Asks the service to read its policies and directory again, with the token.
async fn reload(router: &Router) -> Reply {
    call(router, "POST", "/v1/reload", Some(&bearer()), String::new()).await
}

/// Decides with the token; returns the decision id.
async fn decide(router: &Router, req: &Value) -> String {
    let r = call(
        router,
        "POST",
        "/v1/decisions",
        Some(&bearer()),
        req.to_string(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["decision_id"].as_str().unwrap().to_string()
}

/// A signed link to the page for a decision, from the service.
async fn link(router: &Router, id: &str) -> String {
    let r = call(
        router,
        "POST",
        &format!("/v1/decisions/{id}/link"),
        Some(&bearer()),
        String::new(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["url"].as_str().unwrap().to_string()
}

/// What must never appear on a caseworker's page or in its address for this request: the
/// record's facts, the rule and policy ids.
async fn hidden(router: &Router, id: &str) -> Vec<String> {
    let audited = call(
        router,
        "GET",
        &format!("/v1/decisions/{id}?explain=auditor"),
        Some(&bearer()),
        String::new(),
    )
    .await
    .json();
    let rule = audited["rule"].as_str().unwrap().to_string();
    let mut v: Vec<String> = [
        "u-3001",
        "u-2001",
        "u-3002",
        "u-4004",
        "u-1042",
        "J123456",
        "placements",
        "Placements",
        "nottingham_escr",
        "ESCR Restrictions Policy",
        "policy.policy",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push(rule);
    v
}

#[tokio::test]
async fn a_signed_link_shows_the_caseworker_explanation_of_that_logged_decision() {
    let scratch = Scratch::new("link");
    let router = Service::new(&scratch.config()).await.unwrap().router();
    let id = decide(&router, &refused("adoption")).await;
    let url = link(&router, &id).await;
    assert!(url.starts_with(&format!("/why/{id}?expires=")), "{url}");
    let r = call(&router, "GET", &url, None, String::new()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(r.headers["cache-control"], "no-store");
    assert_eq!(r.headers["referrer-policy"], "no-referrer");
    let html = &r.body;
    assert!(
        html.contains("<h2 id=\"decision\">You cannot do this</h2>"),
        "{html}"
    );
    assert!(html.contains("You asked to: View the record."), "{html}");
    assert!(html.contains("<p id=\"explanation\">"), "{html}");
    // The contact by the directory's name, never by user id.
    assert!(
        html.contains("<p id=\"contact\">Pat Placeholder, Team Manager ("),
        "{html}"
    );
    assert!(html.contains(&format!("<span id=\"decision-id\">{id}</span>")));
    assert!(
        !html.contains("<script") && !html.contains("<form"),
        "{html}"
    );
    for secret in hidden(&router, &id).await {
        assert!(
            !html.contains(&secret),
            "the page shows `{secret}`:\n{html}"
        );
        assert!(!url.contains(&secret), "the link holds `{secret}`: {url}");
    }
}

#[tokio::test]
async fn a_concealed_category_and_record_facts_never_reach_the_page_or_its_address() {
    let scratch = Scratch::new("concealed");
    let router = Service::new(&scratch.config()).await.unwrap().router();
    let id = decide(&router, &refused("high_profile")).await;
    let url = link(&router, &id).await;
    let r = call(&router, "GET", &url, None, String::new()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut secrets = hidden(&router, &id).await;
    secrets.extend(["high_profile", "High Profile", "witness", "Witness"].map(String::from));
    for secret in secrets {
        assert!(
            !r.body.contains(&secret),
            "the page shows `{secret}`:\n{}",
            r.body
        );
        assert!(!url.contains(&secret), "the link holds `{secret}`: {url}");
    }
}

#[tokio::test]
async fn regression_token_bypass_the_pages_need_a_link_or_the_token() {
    let scratch = Scratch::new("bypass");
    let router = Service::new(&scratch.config()).await.unwrap().router();
    let id = decide(&router, &refused("adoption")).await;
    let other = decide(&router, &refused("adoption")).await;
    let url = link(&router, &id).await;
    let (_, query) = url.split_once('?').unwrap();
    let sig = query.split("sig=").nth(1).unwrap();
    let expires: i64 = query
        .split("expires=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let past = chrono::Utc::now().timestamp() - 10;
    let key = LinkKey::new(&KEY).unwrap();
    let wrong_key = LinkKey::new(&[1; 32]).unwrap();
    let refused_urls = [
        (format!("/why/{id}"), 401),
        (format!("/why/{id}?sig={sig}"), 403),
        (
            format!("/why/{id}?expires={expires}&sig={}", "0".repeat(64)),
            403,
        ),
        (format!("/why/{id}?expires={}&sig={sig}", expires + 60), 403),
        // Another decision's link, a link for someone else, a link signed with another key.
        (format!("/why/{other}?{query}"), 403),
        (
            format!(
                "/why/{id}?expires={expires}&sig={}",
                key.sign(&id, "u-9999", expires)
            ),
            403,
        ),
        (
            format!(
                "/why/{id}?expires={expires}&sig={}",
                wrong_key.sign(&id, "u-1042", expires)
            ),
            403,
        ),
        (
            format!(
                "/why/{id}?expires={past}&sig={}",
                key.sign(&id, "u-1042", past)
            ),
            403,
        ),
        // A malformed or repeated part is a link that is not complete.
        (format!("/why/{id}?expires=soon&sig={sig}"), 400),
        (format!("/why/{id}?{query}&sig={sig}"), 400),
        (
            format!("/why/{id}?expires={expires}&sig={}", sig.to_uppercase()),
            400,
        ),
        // A decision that does not exist looks the same as a link that is not valid.
        (
            format!("/why/caselock:0190f5a4-0000-7000-8000-000000000000?{query}"),
            403,
        ),
    ];
    for (u, status) in refused_urls {
        let r = call(&router, "GET", &u, None, String::new()).await;
        assert_eq!(r.status.as_u16(), status, "{u}: {}", r.body);
        assert!(!r.body.contains("id=\"explanation\""), "{u}: {}", r.body);
        assert!(!r.body.contains("id=\"decision\""), "{u}: {}", r.body);
        if status == 401 {
            assert_eq!(r.headers["www-authenticate"], "Bearer");
        }
    }
    // The token opens the page (for a system that shows it itself); a wrong one does not.
    let r = call(
        &router,
        "GET",
        &format!("/why/{id}"),
        Some(&bearer()),
        String::new(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = call(
        &router,
        "GET",
        &format!("/why/{id}"),
        Some("Bearer nope"),
        String::new(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // The what-if tool: the token as a bearer or as a browser's Basic password, nothing else.
    let r = call(&router, "GET", "/what-if", None, String::new()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert!(
        r.headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic realm=")
    );
    assert!(!r.body.contains("<form"), "{}", r.body);
    for auth in ["Basic YXV0aG9yOndyb25n", "Bearer wrong"] {
        let r = call(&router, "GET", "/what-if", Some(auth), String::new()).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{auth}");
    }
    for auth in [basic(), bearer()] {
        let r = call(&router, "GET", "/what-if", Some(&auth), String::new()).await;
        assert_eq!(r.status, StatusCode::OK, "{auth}: {}", r.body);
    }
    // No link key: no links are issued and none is accepted.
    let mut config = scratch.config();
    config.link_key = None;
    config.log = Some(scratch.dir.join("second.jsonl"));
    let router = Service::new(&config).await.unwrap().router();
    let id = decide(&router, &refused("adoption")).await;
    let r = call(
        &router,
        "POST",
        &format!("/v1/decisions/{id}/link"),
        Some(&bearer()),
        String::new(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let forged = format!(
        "/why/{id}?expires={expires}&sig={}",
        key.sign(&id, "u-1042", expires)
    );
    assert_eq!(
        call(&router, "GET", &forged, None, String::new())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn regression_log_flooding_page_and_what_if_requests_never_enter_the_decision_log() {
    let scratch = Scratch::new("flood");
    let router = Service::new(&scratch.config()).await.unwrap().router();
    let id = decide(&router, &refused("adoption")).await;
    let url = link(&router, &id).await;
    let before = std::fs::read_to_string(scratch.log()).unwrap();
    let what_if = "/what-if?check=1&subject=u-1042&roles=social_worker&organisation=council&action=view&record=J1&category=adoption&owner=u-3001";
    let old_page =
        "/?check=1&subject=u-9&organisation=council&action=view&record=J9&category=adoption";
    for _ in 0..20 {
        assert_eq!(
            call(&router, "GET", what_if, Some(&basic()), String::new())
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            call(&router, "GET", &url, None, String::new()).await.status,
            StatusCode::OK
        );
        assert_eq!(
            call(&router, "GET", old_page, None, String::new())
                .await
                .status,
            StatusCode::OK
        );
        call(&router, "GET", &format!("/why/{id}"), None, String::new()).await;
    }
    assert_eq!(
        std::fs::read_to_string(scratch.log()).unwrap(),
        before,
        "the log grew"
    );
    let s = scratch.summary();
    assert_eq!((s.decisions, s.entries), (1, 2), "{s:?}");
    // And as `caselock audit verify` counts them.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_caselock"))
        .args(["audit", "verify"])
        .arg(scratch.log())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(": 1 decisions (0 allowed, 1 denied)"),
        "{text}"
    );
    // Page requests count in the latency histogram, by route.
    let metrics = call(&router, "GET", "/metrics", Some(&bearer()), String::new())
        .await
        .body;
    for line in [
        "caselock_decision_request_seconds_count{route=\"api\"} 1",
        "caselock_decision_request_seconds_count{route=\"why_page\"} 40",
        "caselock_decision_request_seconds_count{route=\"what_if\"} 20",
    ] {
        assert!(metrics.contains(line), "no `{line}` in\n{metrics}");
    }
}

#[tokio::test]
async fn regression_echo_of_hidden_facts_the_landing_page_reads_nothing_from_its_address() {
    let scratch = Scratch::new("echo");
    let router = Service::new(&scratch.config()).await.unwrap().router();
    let r = call(
        &router,
        "GET",
        "/?check=1&category=hidden_notice&owner=u-3001&named_deny=u-1042&subject=u-1042&record=J123456&policy=nottingham_escr",
        None,
        String::new(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    for echoed in [
        "hidden_notice",
        "u-3001",
        "u-1042",
        "J123456",
        "nottingham_escr",
        "<form",
        "<input",
    ] {
        assert!(
            !r.body.contains(echoed),
            "`{echoed}` on the landing page:\n{}",
            r.body
        );
    }
}

#[tokio::test]
async fn the_what_if_tool_offers_the_policys_own_names_and_shows_the_rule_to_the_author() {
    let scratch = Scratch::new("what-if");
    let router = Service::new(&scratch.config()).await.unwrap().router();
    let blank = call(&router, "GET", "/what-if", Some(&basic()), String::new())
        .await
        .body;
    assert!(blank.contains("What-if tool for policy authors"), "{blank}");
    assert!(
        blank.contains("nothing is written to the decision log"),
        "{blank}"
    );
    for control in [
        "<select id=\"organisation\" name=\"organisation\"",
        "<option value=\"council\">Nottingham City Council (council)</option>",
        "<select id=\"action\" name=\"action\"",
        "<option value=\"add_note\">Add a case note (add_note)</option>",
        "<select id=\"category\" name=\"category\"",
        "<option value=\"\">Not restricted</option>",
        "<option value=\"high_profile\">High Profile Case (high_profile)</option>",
        "<input type=\"checkbox\" id=\"roles\" name=\"roles\" value=\"social_worker\">",
        "<input type=\"checkbox\" id=\"record_teams\" name=\"record_teams\" value=\"emergency_duty\">",
        "<input id=\"subject\" name=\"subject\" type=\"text\"",
    ] {
        assert!(blank.contains(control), "no `{control}`:\n{blank}");
    }
    // No free text where the policy has names: an undeclared one is an error, not a guess.
    let r = call(
        &router,
        "GET",
        "/what-if?check=1&subject=u-1&organisation=counsil&action=print&record=J1&roles=wizard",
        Some(&basic()),
        String::new(),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.starts_with("<!doctype html>") && r.body.contains("<title>Error: "));
    for message in [
        "Their roles: choose from the list; the policy does not declare wizard",
        "Their organisation: choose from the list; the policy does not declare counsil",
        "What they want to do: choose from the list; the policy does not declare print",
    ] {
        assert!(r.body.contains(message), "no `{message}`:\n{}", r.body);
    }
    // A field the form does not have, or a single one given twice, is an error, not ignored.
    let r = call(
        &router,
        "GET",
        "/what-if?check=1&subject=u-1&organisation=council&action=view&record=J1&rolez=iro&action=edit",
        Some(&basic()),
        String::new(),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body
            .contains("The address has a field this form does not have: rolez"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains(
            "<a href=\"#action\">What they want to do was given more than once: give it once</a>"
        ),
        "{}",
        r.body
    );
    // An unknown policy is an error even before anything is asked.
    let r = call(
        &router,
        "GET",
        "/what-if?policy=nowhere",
        Some(&basic()),
        String::new(),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    // Bad ids and dates are named; markup is escaped.
    let r = call(
        &router,
        "GET",
        "/what-if?check=1&subject=%3Cb%3Eu%3C%2Fb%3E&organisation=council&action=view&record=J%011&category=adoption&placed_on=31%2F02%2F2026&allocated_workers=u-1%2C%20%2Cu-%01",
        Some(&basic()),
        String::new(),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body
            .contains("Record id must only contain letters, numbers, spaces and punctuation"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("Restriction placed on must be a real date"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("Allocated workers must be user ids"),
        "{}",
        r.body
    );
    assert!(r.body.contains("&lt;b&gt;u&lt;/b&gt;") && !r.body.contains("<b>u</b>"));
    // A what-if: the caseworker's view, and the rule for the author; never logged.
    let r = call(
        &router,
        "GET",
        "/what-if?check=1&subject=u-1042&roles=social_worker&organisation=council&action=view&record=J1&category=adoption&placed_on=01%2F10%2F2026&owner=u-3001&allocated_workers=u-2001",
        Some(&basic()),
        String::new(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("What a caseworker would see"), "{}", r.body);
    assert!(r.body.contains("You cannot do this"), "{}", r.body);
    assert!(
        r.body.contains("Pat Placeholder, Team Manager"),
        "{}",
        r.body
    );
    assert!(r.body.contains("<code id=\"rule\">adoption."), "{}", r.body);
    assert!(
        r.body
            .contains("A what-if: not a decision, and not logged."),
        "{}",
        r.body
    );
    let allowed = r.body.contains("checked") && r.body.contains("value=\"u-1042\"");
    assert!(allowed, "the form keeps what was asked");
    assert_eq!(scratch.summary().decisions, 0);
}

#[tokio::test]
async fn links_are_issued_only_for_logged_decisions_with_a_sane_lifetime() {
    let scratch = Scratch::new("issue");
    let router = Service::new(&scratch.config()).await.unwrap().router();
    let id = decide(&router, &refused("adoption")).await;
    for (q, status) in [
        ("?lifetime=59", 400),
        ("?lifetime=604801", 400),
        ("?lifetime=ten", 400),
        ("?lifetime=3600", 200),
    ] {
        let r = call(
            &router,
            "POST",
            &format!("/v1/decisions/{id}/link{q}"),
            Some(&bearer()),
            String::new(),
        )
        .await;
        assert_eq!(r.status.as_u16(), status, "{q}: {}", r.body);
        if status == 400 {
            assert_eq!(r.json()["field"], "lifetime");
        } else {
            let expires =
                chrono::DateTime::parse_from_rfc3339(r.json()["expires_at"].as_str().unwrap())
                    .unwrap();
            let left = expires.timestamp() - chrono::Utc::now().timestamp();
            assert!((3590..=3600).contains(&left), "{left}");
        }
    }
    let r = call(
        &router,
        "POST",
        "/v1/decisions/caselock:0190f5a4-0000-7000-8000-000000000000/link",
        Some(&bearer()),
        String::new(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = call(
        &router,
        "POST",
        &format!("/v1/decisions/{id}/link"),
        None,
        String::new(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_directory_with_a_fault_stops_the_service_naming_the_line_and_field() {
    let scratch = Scratch::new("directory");
    std::fs::write(
        scratch.dir.join("directory.csv"),
        "subject_id,display_name,role_title\nu-3001,,Team Manager\n",
    )
    .unwrap();
    let e = Service::new(&scratch.config())
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("directory.csv"), "{e}");
    assert!(
        e.contains("line 2, field `display_name`: must not be empty"),
        "{e}"
    );
}

#[tokio::test]
async fn a_connected_system_links_to_and_opens_only_its_own_decisions() {
    let scratch = Scratch::new("clients");
    for (name, token) in [
        ("system_a", "system-a-token-0123456789"),
        ("system_b", "system-b-token-0123456789"),
    ] {
        std::fs::write(scratch.dir.join(format!("{name}.token")), token).unwrap();
    }
    std::fs::write(
        scratch.dir.join("clients.toml"),
        "[[client]]\nname = \"system_a\"\ntoken-file = \"system_a.token\"\n\n\
         [[client]]\nname = \"system_b\"\ntoken-file = \"system_b.token\"\n",
    )
    .unwrap();
    let mut config = scratch.config();
    config.token_file = None;
    config.clients = Some(scratch.dir.join("clients.toml"));
    let router = Service::new(&config).await.unwrap().router();
    let (a, b) = (
        "Bearer system-a-token-0123456789",
        "Bearer system-b-token-0123456789",
    );
    let r = call(
        &router,
        "POST",
        "/v1/decisions",
        Some(a),
        refused("adoption").to_string(),
    )
    .await;
    let id = r.json()["decision_id"].as_str().unwrap().to_string();
    let link_path = format!("/v1/decisions/{id}/link");
    assert_eq!(
        call(&router, "POST", &link_path, Some(b), String::new())
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = call(&router, "POST", &link_path, Some(a), String::new()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let why = format!("/why/{id}");
    assert_eq!(
        call(&router, "GET", &why, Some(b), String::new())
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(&router, "GET", &why, Some(a), String::new())
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_directory_is_read_again_on_reload_and_a_faulty_one_is_refused() {
    let scratch = Scratch::new("reload");
    let router = Service::new(&scratch.config()).await.unwrap().router();
    let id = decide(&router, &refused("adoption")).await;
    let why = format!("/why/{id}");
    let page = || async {
        call(&router, "GET", &why, Some(&bearer()), String::new())
            .await
            .body
    };
    assert!(page().await.contains("Pat Placeholder"));
    std::fs::write(
        scratch.dir.join("directory.csv"),
        "subject_id,display_name,role_title\nu-3001,Robin Rename,Service Manager\n",
    )
    .unwrap();
    let r = reload(&router).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(page().await.contains("Robin Rename, Service Manager"));
    std::fs::write(
        scratch.dir.join("directory.csv"),
        "subject_id,display_name\n",
    )
    .unwrap();
    let r = reload(&router).await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert!(
        r.json()["detail"]
            .as_str()
            .unwrap()
            .contains("the running directory stays"),
        "{}",
        r.body
    );
    assert!(page().await.contains("Robin Rename"));
}

/// Issue #16 item 4: a refusal by a restriction on a linked record shows the caseworker the
/// refusal, and neither the linked record, its id, the kind of link nor its owner's id, on the
/// page or in its address; the auditor's explanation names the link.
#[tokio::test]
async fn a_linked_record_never_reaches_the_page_or_its_address() {
    let scratch = Scratch::new("linked");
    let config = Config {
        policies: vec![PathBuf::from("examples/policies/linked_records")],
        ..scratch.config()
    };
    let router = Service::new(&config).await.unwrap().router();
    let req = json!({
        "subject": {"id": "u-1042", "roles": ["social_worker"], "organisation": "council"},
        "action": "view",
        "record": {"id": "CR-1", "allocated_workers": ["u-2001"],
                   "links": [{"record": "SAR-777", "link": "adoption_record",
                              "restrictions": [{"category": "adoption", "owner": "u-3001",
                                                "named_allow": [{"person": "u-4004"}]}]}]},
        "at": "2026-11-22T10:00:00Z"
    });
    let id = decide(&router, &req).await;
    let audited = call(
        &router,
        "GET",
        &format!("/v1/decisions/{id}?explain=auditor"),
        Some(&bearer()),
        String::new(),
    )
    .await
    .json();
    let explanation = audited["explanation"].as_str().unwrap();
    assert!(
        explanation.contains("linked record `SAR-777`") && explanation.contains("adoption_record"),
        "{explanation}"
    );
    let url = link(&router, &id).await;
    let r = call(&router, "GET", &url, None, String::new()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body
            .contains("<h2 id=\"decision\">You cannot do this</h2>"),
        "{}",
        r.body
    );
    for secret in [
        "SAR-777",
        "adoption_record",
        "Secure Adoption Record",
        "linked",
        "u-3001",
        "u-4004",
        "u-1042",
        "CR-1",
    ] {
        assert!(
            !r.body.contains(secret),
            "the page shows `{secret}`:\n{}",
            r.body
        );
        assert!(!url.contains(secret), "the link holds `{secret}`: {url}");
    }
}
