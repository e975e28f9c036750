//! The decision log in a real PostgreSQL: two replicas of `caselock serve` on one database,
//! 10,000 decisions across both, one replica killed with SIGKILL mid-run. Every answered
//! decision is in the database, both chains verify, `audit query --record` returns the right
//! rows, and any replica answers `GET /v1/decisions/{id}` for a decision another one made.
//!
//! The database comes from `CASELOCK_TEST_DATABASE` (a connection string for a role that may
//! create databases; `.ci/run` starts PostgreSQL and sets it). Without it these tests say they
//! were skipped, unless `CASELOCK_REQUIRE_POSTGRES` is set (CI), when they fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

const POLICY: &str = "tests/fixtures/policies/casework.policy";
const TOTAL: usize = 10_000;
const BATCH: usize = 25;
const RECORDS: usize = 40;

/// A fresh database for one test, dropped at the end; `None` (skipped) without PostgreSQL.
struct Database {
    admin: String,
    name: String,
}

impl Database {
    fn create(test: &str) -> Option<Database> {
        let Ok(admin) = std::env::var("CASELOCK_TEST_DATABASE") else {
            assert!(
                std::env::var_os("CASELOCK_REQUIRE_POSTGRES").is_none(),
                "CASELOCK_REQUIRE_POSTGRES is set but CASELOCK_TEST_DATABASE is not: CI must run the PostgreSQL tests"
            );
            eprintln!(
                "skipped: set CASELOCK_TEST_DATABASE to a PostgreSQL connection string (as .ci/run does) to run {test}"
            );
            return None;
        };
        let name = format!("caselock_test_{test}_{}", std::process::id());
        admin_sql(&admin, &format!("DROP DATABASE IF EXISTS {name}"));
        admin_sql(&admin, &format!("CREATE DATABASE {name}"));
        Some(Database { admin, name })
    }

    fn url(&self) -> String {
        format!("{} dbname={}", self.admin, self.name)
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        admin_sql(
            &self.admin,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn admin_sql(admin: &str, sql: &str) {
    block_on(async {
        let client = caselock::audit::postgres::connect(admin).await.unwrap();
        client.batch_execute(sql).await.unwrap();
    });
}

fn logged_ids(url: &str) -> HashMap<String, String> {
    block_on(async {
        let client = caselock::audit::postgres::connect(url).await.unwrap();
        client
            .query(
                "SELECT decision_id, record FROM caselock_decision_log WHERE event = 'decision'",
                &[],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect()
    })
}

struct Replica {
    child: Child,
    addr: String,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn replica(url: &str, instance: &str) -> Replica {
    let mut child = Command::new(env!("CARGO_BIN_EXE_caselock"))
        .args(["serve", "--addr", "127.0.0.1:0", "--watch-interval", "0"])
        .args(["--policy", POLICY, "--instance", instance, "--threads", "2"])
        .args(["--log-database", url])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let addr = support::announced_addr(&mut child);
    Replica { child, addr }
}

/// One HTTP/1.1 exchange; `None` when the replica cannot be reached or hangs up.
fn http(addr: &str, method: &str, path: &str, body: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let status = text.split(' ').nth(1)?.parse().ok()?;
    Some((status, text.split_once("\r\n\r\n")?.1.to_string()))
}

fn batch(first: usize) -> String {
    let reqs: Vec<Value> = (first..first + BATCH)
        .map(|n| {
            json!({
                "subject": {"id": format!("u-{}", n % 17), "roles": ["worker"], "organisation": "council"},
                "action": "view",
                "record": {"id": format!("R{}", n % RECORDS),
                           "restriction": {"category": "adoption", "placed_on": "2026-10-01"},
                           "allocated_workers": [format!("u-{}", n % 5)]},
                "at": "2026-11-20T10:00:00Z"
            })
        })
        .collect();
    Value::Array(reqs).to_string()
}

fn caselock(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_caselock"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn two_replicas_on_one_database_lose_no_answered_decision_when_one_is_killed() {
    let Some(db) = Database::create("replicas") else {
        return;
    };
    let url = db.url();
    let a = replica(&url, "replica-a");
    let b = Arc::new(Mutex::new(Some(replica(&url, "replica-b"))));
    let b_addr = b.lock().unwrap().as_ref().unwrap().addr.clone();
    let next = Arc::new(AtomicUsize::new(0));
    let answered: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (next, answered, b) = (next.clone(), answered.clone(), b.clone());
            let (a_addr, b_addr) = (a.addr.clone(), b_addr.clone());
            std::thread::spawn(move || {
                loop {
                    let first = next.fetch_add(BATCH, Ordering::Relaxed);
                    if first >= TOTAL {
                        return;
                    }
                    // Kill replica b when 40% of the batches have been handed out.
                    if first == TOTAL * 2 / 5 / BATCH * BATCH {
                        if let Some(mut r) = b.lock().unwrap().take() {
                            r.child.kill().unwrap();
                            r.child.wait().unwrap();
                        }
                    }
                    let body = batch(first);
                    // Alternate replicas, as a load balancer would; what b cannot answer goes
                    // to a.
                    let order = if (first / BATCH + w) % 2 == 0 {
                        [&b_addr, &a_addr]
                    } else {
                        [&a_addr, &b_addr]
                    };
                    let reply = order
                        .iter()
                        .find_map(|addr| http(addr, "POST", "/v1/decisions", &body))
                        .filter(|(s, _)| *s == 200)
                        .unwrap_or_else(|| panic!("batch {first} was answered by neither replica"));
                    let decisions: Vec<Value> = serde_json::from_str(&reply.1).unwrap();
                    assert_eq!(decisions.len(), BATCH);
                    let mut got = answered.lock().unwrap();
                    for (i, d) in decisions.iter().enumerate() {
                        let id = d["decision_id"].as_str().unwrap().to_string();
                        got.push((id, format!("R{}", (first + i) % RECORDS)));
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let answered = answered.lock().unwrap().clone();
    assert_eq!(answered.len(), TOTAL);
    let by_b = answered
        .iter()
        .filter(|(id, _)| id.starts_with("replica-b:"))
        .count();
    assert!(by_b > 0, "replica b answered before it was killed");

    // Every answered decision is in the database.
    let logged = logged_ids(&url);
    let missing: Vec<&String> = answered
        .iter()
        .map(|(id, _)| id)
        .filter(|id| !logged.contains_key(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "{} answered decisions are not logged: {:?}",
        missing.len(),
        &missing[..missing.len().min(3)]
    );

    // Both chains verify.
    let out = caselock(&["audit", "verify", "--database", &url]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("instance `replica-a`: ok") && text.contains("instance `replica-b`: ok"),
        "{text}"
    );

    // `audit query --record` returns exactly the logged decisions about that record.
    let out = caselock(&[
        "audit",
        "query",
        "--database",
        &url,
        "--record",
        "r7",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let got: HashSet<&str> = rows
        .iter()
        .map(|r| r["decision_id"].as_str().unwrap())
        .collect();
    let want: HashSet<&str> = logged
        .iter()
        .filter(|(_, r)| r.as_str() == "R7")
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(got, want);
    for (id, record) in &answered {
        assert_eq!(
            got.contains(id.as_str()),
            record == "R7",
            "{id} about {record}"
        );
    }
    assert!(rows.iter().all(|r| r["record"] == "R7"));
    assert!(got.len() >= TOTAL / RECORDS, "{}", got.len());

    // Any replica answers for a decision another one made (b's, asked of a).
    let (b_id, _) = answered
        .iter()
        .find(|(id, _)| id.starts_with("replica-b:"))
        .unwrap();
    let (status, body) = http(&a.addr, "GET", &format!("/v1/decisions/{b_id}"), "").unwrap();
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["decision_id"], b_id.as_str());
    assert_eq!(v["matches_log"], true);

    // A restarted b continues its own chain from the database.
    let b2 = replica(&url, "replica-b");
    let (status, _) = http(&b2.addr, "POST", "/v1/decisions", &batch(0)).unwrap();
    assert_eq!(status, 200);
    let out = caselock(&[
        "audit",
        "verify",
        "--database",
        &url,
        "--instance",
        "replica-b",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_second_service_with_the_same_instance_name_refuses_to_start() {
    let Some(db) = Database::create("instance_lock") else {
        return;
    };
    let url = db.url();
    let _first = replica(&url, "same");
    let out = Command::new(env!("CARGO_BIN_EXE_caselock"))
        .args(["serve", "--addr", "127.0.0.1:0", "--watch-interval", "0"])
        .args([
            "--policy",
            POLICY,
            "--instance",
            "same",
            "--log-database",
            &url,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("in use by another writer"));
}

#[test]
fn an_edited_row_is_found_by_verify() {
    let Some(db) = Database::create("edited") else {
        return;
    };
    let url = db.url();
    {
        let r = replica(&url, "edit");
        let (status, _) = http(&r.addr, "POST", "/v1/decisions", &batch(0)).unwrap();
        assert_eq!(status, 200);
    }
    // The record column is what queries use: changing it without the line is detected.
    admin_sql(
        &url,
        "UPDATE caselock_decision_log SET record = 'R999' WHERE seq = 3",
    );
    let out = caselock(&["audit", "verify", "--database", &url]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("line 3") && text.contains("columns"),
        "{text}"
    );
    // Changing the line itself breaks its hash.
    admin_sql(
        &url,
        "UPDATE caselock_decision_log SET record = 'R1', line = replace(line, '\"R1\"', '\"R2\"') WHERE seq = 3",
    );
    let out = caselock(&["audit", "verify", "--database", &url]);
    assert_eq!(out.status.code(), Some(1));
}
