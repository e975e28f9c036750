//! The real `caselock serve` on an ephemeral loopback port: the token, a reload on SIGHUP, and
//! a graceful shutdown on SIGTERM that still answers (and logs) a request in flight.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const REQUEST: &str = r#"{"subject": {"id": "u-2001", "roles": ["social_worker"], "organisation": "council"},
  "action": "view", "record": {"id": "J1", "restriction": {"category": "adoption"},
  "allocated_workers": ["u-2001"]}}"#;

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(policy: &Path, log: &Path, token: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_caselock"))
        .args(["serve", "--addr", "127.0.0.1:0", "--watch-interval", "0"])
        .arg("--policy")
        .arg(policy)
        .arg("--log")
        .arg(log)
        .arg("--token-file")
        .arg(token)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let addr = support::announced_addr(&mut child);
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    Server { child, addr }
}

/// Sends one HTTP/1.1 request and returns the status and body.
fn http(addr: &str, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    read_response(&mut s)
}

fn read_response(s: &mut TcpStream) -> (u16, String) {
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status in `{text}`"));
    let body = text.split_once("\r\n\r\n").map(|x| x.1).unwrap_or_default();
    (status, body.to_string())
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("caselock-serve-process-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("policy")).unwrap();
    std::fs::copy(
        "tests/fixtures/serve/nottingham.policy",
        dir.join("policy/policy.policy"),
    )
    .unwrap();
    std::fs::write(dir.join("token"), "process-test-token\n").unwrap();
    dir
}

fn hash(addr: &str) -> String {
    let (_, body) = http(addr, "GET", "/v1/policy", Some("process-test-token"), "");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["hash"].as_str().unwrap().to_string()
}

#[test]
fn serves_reloads_on_sighup_and_drains_on_sigterm() {
    let dir = scratch();
    let log = dir.join("decisions.jsonl");
    let mut server = start(&dir.join("policy"), &log, &dir.join("token"));
    let addr = server.addr.clone();
    let token = Some("process-test-token");

    let (status, body) = http(&addr, "POST", "/v1/decisions", token, REQUEST);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"decision\":\"allow\""), "{body}");
    assert_eq!(http(&addr, "POST", "/v1/decisions", None, REQUEST).0, 401);
    assert_eq!(http(&addr, "GET", "/healthz", None, "").0, 200);

    // SIGHUP: the changed policy is served.
    let before = hash(&addr);
    let file = dir.join("policy/policy.policy");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\n# reviewed\n")).unwrap();
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-HUP", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while hash(&addr) == before {
        assert!(
            Instant::now() < deadline,
            "SIGHUP did not reload the policy"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    // A request in flight when SIGTERM arrives is still answered, then the service exits.
    let mut slow = TcpStream::connect(&addr).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let (head, tail) = REQUEST.split_at(REQUEST.len() / 2);
    write!(
        slow,
        "POST /v1/decisions HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer process-test-token\r\nContent-Length: {}\r\n\r\n{head}",
        REQUEST.len()
    )
    .unwrap();
    slow.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    std::thread::sleep(Duration::from_millis(200));
    // While draining, `/readyz` is still reachable and says 503 (a load balancer stops
    // sending), and `/metrics` needs the token.
    assert_eq!(http(&addr, "GET", "/readyz", None, "").0, 503);
    assert_eq!(http(&addr, "GET", "/metrics", None, "").0, 401);
    slow.write_all(tail.as_bytes()).unwrap();
    let (status, body) = read_response(&mut slow);
    assert_eq!(status, 200, "{body}");
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");

    let out = Command::new(env!("CARGO_BIN_EXE_caselock"))
        .args(["audit", "verify"])
        .arg(&log)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("2 decisions"), "{stdout}");
    assert!(
        stdout.contains("2 policy loads"),
        "{stdout}\n{}",
        std::fs::read_to_string(&log).unwrap()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
