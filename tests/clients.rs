//! Per-client credentials in process: each connected system has its own token and its own
//! names, every logged decision records the client, and revoking one client (removing it and
//! reloading) leaves the other as it was.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use caselock::audit::{self, Chain, Event, SyncMode};
use caselock::serve::{Config, Service};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sha2::Digest;
use tower::ServiceExt;

const POLICY: &str = "tests/fixtures/policies/casework.policy";
const LIQUID_TOKEN: &str = "liquid-logic-secret-token-0001";
const MOSAIC_TOKEN: &str = "mosaic-secret-token-0002";

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("clients-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("systems")).unwrap();
    for s in ["liquid_logic", "mosaic"] {
        std::fs::copy(
            format!("tests/fixtures/systems/{s}.toml"),
            dir.join(format!("systems/{s}.toml")),
        )
        .unwrap();
    }
    std::fs::write(dir.join("liquid.token"), format!("{LIQUID_TOKEN}\n")).unwrap();
    dir
}

/// Liquid Logic's token from a file, Mosaic's given as its SHA-256 only.
fn clients_file(with_mosaic: bool) -> String {
    let mut text = String::from(
        "[[client]]\nname = \"liquid_logic\"\ntoken-file = \"liquid.token\"\nmapping = \"systems/liquid_logic.toml\"\n",
    );
    if with_mosaic {
        let digest: String = sha2::Sha256::digest(MOSAIC_TOKEN.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        text.push_str(&format!(
            "\n[[client]]\nname = \"mosaic\"\ntoken-sha256 = \"{digest}\"\nmapping = \"systems/mosaic.toml\"\n"
        ));
    }
    text
}

async fn start(dir: &Path) -> Router {
    let config = Config {
        policies: vec![POLICY.into()],
        log: Some(dir.join("decisions.jsonl")),
        log_sync: SyncMode::Os,
        clients: Some(dir.join("clients.toml")),
        watch: None,
        settle: Duration::ZERO,
        instance: "replica-a".to_string(),
        ..Config::default()
    };
    Service::new(&config).await.unwrap().router()
}

async fn call(
    app: &Router,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let body = if body.is_null() {
        Body::empty()
    } else {
        Body::from(body.to_string())
    };
    let resp = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// The casework policy's allowed request, in a system's own names.
fn request(role: &str, team: &str, organisation: &str) -> Value {
    json!({
        "subject": {"id": "u-2001", "roles": [role], "teams": [team], "organisation": organisation},
        "action": "view",
        "record": {"id": "R100",
                   "restriction": {"category": "adoption", "placed_on": "2026-10-01", "owner": "u-3001"},
                   "allocated_workers": ["u-2001"], "allocated_managers": ["u-3001"]},
        "at": "2026-11-20T10:00:00Z"
    })
}

fn logged_clients(dir: &Path) -> Vec<(String, Option<String>)> {
    let f = std::fs::File::open(dir.join("decisions.jsonl")).unwrap();
    audit::verify(std::io::BufReader::new(f), None, &Chain::Unkeyed).unwrap();
    std::fs::read_to_string(dir.join("decisions.jsonl"))
        .unwrap()
        .lines()
        .filter_map(|l| audit::open(l, &Chain::Unkeyed).ok())
        .filter_map(|(e, _)| match e.event {
            Event::Decision(d) => Some((d.decision_id, d.client)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn each_system_has_its_own_token_and_names_and_is_logged_as_the_client() {
    let dir = scratch("own");
    std::fs::write(dir.join("clients.toml"), clients_file(true)).unwrap();
    let app = start(&dir).await;
    let (s, liquid) = call(
        &app,
        "POST",
        "/v1/decisions",
        Some(LIQUID_TOKEN),
        request("Social Worker", "EDT", "NCC"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{liquid}");
    assert_eq!(liquid["decision"], "allow", "{liquid}");
    let (s, mosaic) = call(
        &app,
        "POST",
        "/v1/decisions",
        Some(MOSAIC_TOKEN),
        request("SWK", "ADULT-EDT", "COUNCIL"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{mosaic}");
    assert_eq!(mosaic["decision"], "allow");
    assert_eq!(mosaic["rule"], liquid["rule"]);
    // Each system's names mean nothing to the other: Mosaic's words through Liquid Logic's
    // token are refused, naming the system and the value.
    let (s, wrong) = call(
        &app,
        "POST",
        "/v1/decisions",
        Some(LIQUID_TOKEN),
        request("SWK", "EDT", "NCC"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(wrong["decision"], "deny");
    let reason = wrong["reasons"][0].as_str().unwrap();
    assert!(
        reason.contains("`SWK`") && reason.contains("system `liquid_logic`"),
        "{reason}"
    );
    let (s, _) = call(
        &app,
        "POST",
        "/v1/decisions",
        Some("not-a-client"),
        request("SWK", "EDT", "NCC"),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = call(
        &app,
        "POST",
        "/v1/decisions",
        None,
        request("SWK", "EDT", "NCC"),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let logged = logged_clients(&dir);
    let want = [
        (liquid["decision_id"].as_str().unwrap(), "liquid_logic"),
        (mosaic["decision_id"].as_str().unwrap(), "mosaic"),
        (wrong["decision_id"].as_str().unwrap(), "liquid_logic"),
    ];
    assert_eq!(logged.len(), want.len());
    for ((id, client), (want_id, want_client)) in logged.iter().zip(want) {
        assert_eq!(id, want_id);
        assert_eq!(client.as_deref(), Some(want_client));
    }
    let (_, policy) = call(&app, "GET", "/v1/policy", Some(MOSAIC_TOKEN), Value::Null).await;
    assert_eq!(policy["clients"], json!(["liquid_logic", "mosaic"]));
}

#[tokio::test]
async fn revoking_one_client_leaves_the_other_as_it_was() {
    let dir = scratch("revoke");
    std::fs::write(dir.join("clients.toml"), clients_file(true)).unwrap();
    let app = start(&dir).await;
    let mosaic_req = request("SWK", "ADULT-EDT", "COUNCIL");
    let liquid_req = request("Social Worker", "EDT", "NCC");
    let (s, _) = call(
        &app,
        "POST",
        "/v1/decisions",
        Some(MOSAIC_TOKEN),
        mosaic_req.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    std::fs::write(dir.join("clients.toml"), clients_file(false)).unwrap();
    let (s, reloaded) = call(&app, "POST", "/v1/reload", Some(LIQUID_TOKEN), Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{reloaded}");
    assert_eq!(reloaded["clients"], json!(["liquid_logic"]));
    let (s, _) = call(
        &app,
        "POST",
        "/v1/decisions",
        Some(MOSAIC_TOKEN),
        mosaic_req.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "the revoked client is refused");
    let (s, d) = call(
        &app,
        "POST",
        "/v1/decisions",
        Some(LIQUID_TOKEN),
        liquid_req.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        d["decision"], "allow",
        "the other client is served as before"
    );
    // A broken clients file is refused and the running clients stay.
    std::fs::write(dir.join("clients.toml"), "[[client]]\nname = \"x\"\n").unwrap();
    let (s, refused) = call(&app, "POST", "/v1/reload", Some(LIQUID_TOKEN), Value::Null).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["detail"].as_str().unwrap().contains("`token-file`"),
        "{refused}"
    );
    let (s, d) = call(
        &app,
        "POST",
        "/v1/decisions",
        Some(LIQUID_TOKEN),
        liquid_req,
    )
    .await;
    assert_eq!((s, d["decision"].clone()), (StatusCode::OK, json!("allow")));
}

#[tokio::test]
async fn a_clients_file_that_is_wrong_refuses_to_start_naming_the_client_and_field() {
    let dir = scratch("bad");
    let unknown_target = format!(
        "[[client]]\nname = \"a\"\ntoken-file = \"liquid.token\"\nmapping = \"{}/tests/fixtures/mappings/CL0151_unknown_target.toml\"\n",
        env!("CARGO_MANIFEST_DIR")
    );
    for (text, want) in [
        (
            "[[client]]\nname = \"a\"\ntoken-file = \"liquid.token\"\n[[client]]\nname = \"b\"\ntoken-file = \"liquid.token\"\n",
            "same token",
        ),
        (unknown_target.as_str(), "CL0151"),
        (
            "[[client]]\nname = \"a b\"\ntoken-file = \"liquid.token\"\n",
            "`name`",
        ),
        (
            "[[client]]\nname = \"a\"\ntoken_file = \"liquid.token\"\n",
            "unknown field",
        ),
        ("", "lists no"),
    ] {
        std::fs::write(dir.join("clients.toml"), text).unwrap();
        let config = Config {
            policies: vec![POLICY.into()],
            clients: Some(dir.join("clients.toml")),
            settle: Duration::ZERO,
            ..Config::default()
        };
        let err = Service::new(&config).await.unwrap_err().to_string();
        assert!(err.contains(want), "{want}: {err}");
    }
}

/// `audit query` on a file log: by record (ignoring case), by subject, by time, in each format.
#[tokio::test]
async fn audit_query_answers_who_opened_a_record_from_a_file_log() {
    let dir = scratch("query");
    std::fs::write(dir.join("clients.toml"), clients_file(true)).unwrap();
    let app = start(&dir).await;
    let mut other = request("Social Worker", "EDT", "NCC");
    other["record"]["id"] = json!("R200");
    other["subject"]["id"] = json!("u-7");
    let (_, one) = call(
        &app,
        "POST",
        "/v1/decisions",
        Some(LIQUID_TOKEN),
        request("Social Worker", "EDT", "NCC"),
    )
    .await;
    let (_, two) = call(
        &app,
        "POST",
        "/v1/decisions",
        Some(MOSAIC_TOKEN),
        request("SWK", "ADULT-EDT", "COUNCIL"),
    )
    .await;
    let (_, three) = call(&app, "POST", "/v1/decisions", Some(LIQUID_TOKEN), other).await;
    let log = dir.join("decisions.jsonl");
    let query = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_caselock"))
            .args(["audit", "query", "--log", log.to_str().unwrap()])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let rows: Vec<Value> =
        serde_json::from_str(&query(&["--record", "r100", "--format", "json"])).unwrap();
    let ids: Vec<&str> = rows
        .iter()
        .map(|r| r["decision_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            one["decision_id"].as_str().unwrap(),
            two["decision_id"].as_str().unwrap()
        ]
    );
    assert_eq!(rows[0]["client"], "liquid_logic");
    assert_eq!(rows[1]["client"], "mosaic");
    assert_eq!(rows[0]["instance"], "replica-a");
    let csv = query(&["--subject", "U-7", "--format", "csv"]);
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.starts_with("time,instance,client,decision_id,subject,record"));
    assert!(csv.contains(three["decision_id"].as_str().unwrap()));
    let text = query(&[
        "--from",
        "2000-01-01T00:00:00Z",
        "--to",
        "2100-01-01T00:00:00Z",
    ]);
    assert!(text.ends_with("3 decisions\n"), "{text}");
    let none = query(&["--from", "2100-01-01T00:00:00Z"]);
    assert!(none.ends_with("0 decisions\n"), "{none}");
}

/// Rotation without a restart: the file is archived as `PATH.SEQ`, a new file continues the
/// chain, the chain verifies across both, and a restarted service continues the new file.
#[tokio::test]
async fn a_rotated_file_log_continues_its_chain_across_files_and_restarts() {
    let dir = scratch("rotate");
    std::fs::write(dir.join("clients.toml"), clients_file(false)).unwrap();
    let config = Config {
        policies: vec![POLICY.into()],
        log: Some(dir.join("decisions.jsonl")),
        log_sync: SyncMode::Data,
        clients: Some(dir.join("clients.toml")),
        settle: Duration::ZERO,
        instance: "replica-a".to_string(),
        ..Config::default()
    };
    let req = request("Social Worker", "EDT", "NCC");
    let archived = {
        let service = Service::new(&config).await.unwrap();
        let app = service.router();
        for _ in 0..3 {
            let (s, _) = call(
                &app,
                "POST",
                "/v1/decisions",
                Some(LIQUID_TOKEN),
                req.clone(),
            )
            .await;
            assert_eq!(s, StatusCode::OK);
        }
        let archived = service.rotate_log().await.unwrap();
        assert_eq!(archived, dir.join("decisions.jsonl.4"));
        let (s, d) = call(
            &app,
            "POST",
            "/v1/decisions",
            Some(LIQUID_TOKEN),
            req.clone(),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let id = d["decision_id"].as_str().unwrap();
        let (s, again) = call(
            &app,
            "GET",
            &format!("/v1/decisions/{id}"),
            Some(LIQUID_TOKEN),
            Value::Null,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{again}");
        archived
    };
    let current = dir.join("decisions.jsonl");
    let verify = |files: &[&Path]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_caselock"))
            .args(["audit", "verify"])
            .args(files)
            .output()
            .unwrap()
    };
    let both = verify(&[&archived, &current]);
    let text = String::from_utf8_lossy(&both.stdout);
    assert!(both.status.success(), "{text}");
    assert!(text.starts_with("ok: 5 entries"), "{text}");
    // Alone, the new file does not start the chain: refused, unless `--continues` says so.
    assert_eq!(verify(&[&current]).status.code(), Some(1));
    let alone = verify(&[Path::new("--continues"), &current]);
    let text = String::from_utf8_lossy(&alone.stdout);
    assert!(alone.status.success(), "{text}");
    assert!(
        text.contains("continues a rotated file, from entry 5"),
        "{text}"
    );
    // Out of order, the chain does not hold.
    let swapped = verify(&[&current, &archived]);
    assert_eq!(swapped.status.code(), Some(1));
    // A restarted service continues the new file.
    let app = Service::new(&config).await.unwrap().router();
    let (s, _) = call(&app, "POST", "/v1/decisions", Some(LIQUID_TOKEN), req).await;
    assert_eq!(s, StatusCode::OK);
    drop(app);
    let all = verify(&[&archived, &current]);
    let text = String::from_utf8_lossy(&all.stdout);
    assert!(
        all.status.success() && text.starts_with("ok: 7 entries"),
        "{text}"
    );
    // The archive beside the log must join it: with its last line cut, the service refuses.
    let kept = std::fs::read_to_string(&archived).unwrap();
    let cut: Vec<&str> = kept.lines().collect();
    std::fs::write(&archived, format!("{}\n", cut[..cut.len() - 1].join("\n"))).unwrap();
    let err = Service::new(&config).await.unwrap_err().to_string();
    assert!(
        err.contains("continues") && err.contains("decisions.jsonl.4"),
        "{err}"
    );
    // An archive moved away (to a backup) cannot be checked: the service continues.
    std::fs::remove_file(&archived).unwrap();
    assert!(Service::new(&config).await.is_ok());
}
