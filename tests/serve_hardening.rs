//! The real `caselock serve` under attack and under faults, on loopback ports it picks itself:
//! half-written policies, forged and wrongly signed bundles, slow clients, two servers on one
//! log, a log deleted under load, and forged lines appended to a keyed log. Timeouts are set
//! short by flags so each test takes a few seconds.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use caselock::audit::{self, Chain, Entry, LogKey};
use caselock::compile::{self, Bundle, DecisionTable, RowEffect};
use sha2::{Digest, Sha256};

const FIXTURE: &str = "tests/fixtures/serve/nottingham.policy";

/// A partner agency asks to view an adoption record: the policy denies it absolutely.
const PARTNER: &str = r#"{"subject": {"id": "u-9", "roles": ["social_worker"], "organisation": "partner_agency"},
  "action": "view", "record": {"id": "J1", "restriction": {"category": "adoption"},
  "allocated_workers": ["u-9"]}}"#;

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

fn caselock() -> Command {
    Command::new(env!("CARGO_BIN_EXE_caselock"))
}

fn run(args: &[&str]) -> Output {
    caselock().args(args).output().unwrap()
}

/// Starts `caselock serve` with these arguments on a port it picks; waits for its address.
fn start(args: &[&str]) -> Server {
    let mut child = caselock()
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let addr = support::announced_addr(&mut child);
    Server { child, addr }
}

/// One HTTP/1.1 request on a new connection: status and body.
fn http(addr: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut text = String::new();
    let _ = s.read_to_string(&mut text);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|x| x.1).unwrap_or_default();
    (status, body.to_string())
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("serve-hardening")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn policy_loads(log: &Path) -> usize {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .filter(|l| l.contains("\"event\":\"policy_loaded\""))
        .count()
}

#[test]
fn a_policy_written_in_two_parts_while_watched_is_never_served_half_written() {
    let dir = scratch("two-parts");
    std::fs::create_dir_all(dir.join("policy")).unwrap();
    let full = std::fs::read_to_string(FIXTURE).unwrap();
    // The first version is a policy that checks on its own (everything before the last
    // category, closed with `end` as a policy file must be), so a watcher that loaded whatever
    // it found would serve it. (A bare prefix never checks: it has no `end`, CL0130.)
    let cut = full.find("category high_profile").unwrap();
    let first = format!("{}end\n", &full[..cut]);
    let partial = dir.join("partial.policy");
    std::fs::write(&partial, &first).unwrap();
    assert_eq!(
        run(&["check", "--no-analysis", s(&partial)]).status.code(),
        Some(0)
    );

    let file = dir.join("policy/policy.policy");
    std::fs::write(&file, format!("{full}\n# the version served first\n")).unwrap();
    let log = dir.join("decisions.jsonl");
    let server = start(&[
        "--policy",
        s(&dir.join("policy")),
        "--log",
        s(&log),
        "--watch-interval",
        "0.1",
        "--settle",
        "1",
    ]);
    let addr = server.addr.clone();

    // A client deciding all the time, noting the policy hash of every decision.
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(std::collections::HashSet::new()));
    let client = {
        let (stop, seen, addr) = (stop.clone(), seen.clone(), addr.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let (status, body) = http(&addr, "POST", "/v1/decisions", PARTNER);
                assert_eq!(status, 200, "{body}");
                let hash = json(&body)["policy_hash"].as_str().unwrap().to_string();
                seen.lock().unwrap().insert(hash);
            }
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let initial = json(&http(&addr, "GET", "/v1/policy", "").1)["hash"]
        .as_str()
        .unwrap()
        .to_string();

    // Written in two goes, 0.4 s apart: four looks of the watcher see the first version alone.
    let mut f = std::fs::File::create(&file).unwrap();
    f.write_all(first.as_bytes()).unwrap();
    f.flush().unwrap();
    drop(f);
    std::thread::sleep(Duration::from_millis(400));
    std::fs::write(&file, &full).unwrap();

    let deadline = Instant::now() + Duration::from_secs(20);
    let last = loop {
        let h = json(&http(&addr, "GET", "/v1/policy", "").1)["hash"]
            .as_str()
            .unwrap()
            .to_string();
        if h != initial {
            break h;
        }
        assert!(
            Instant::now() < deadline,
            "the full policy was never loaded"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    client.join().unwrap();
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.iter().all(|h| *h == initial || *h == last),
        "a decision came from a third version: {seen:?}"
    );
    // The log records every version served: the first and the whole new one, nothing between.
    assert_eq!(
        policy_loads(&log),
        2,
        "{}",
        std::fs::read_to_string(&log).unwrap()
    );
}

/// Keys, and a bundle of the fixture signed by `ci`.
fn signed_bundle(dir: &Path) -> PathBuf {
    for key in ["ci", "other"] {
        let out = run(&["keygen", "-o", s(&dir.join(format!("{key}.key")))]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let bundle = dir.join("policy.bundle.json");
    let out = run(&[
        "compile",
        FIXTURE,
        "-o",
        s(&bundle),
        "--sign",
        s(&dir.join("ci.key")),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    bundle
}

/// The bundle with the partner agency's absolute deny turned into an allow and every hash
/// recomputed, as someone editing it by hand would; the signature is left as it was.
fn forge(bundle: &Path) -> String {
    let mut b: Bundle = serde_json::from_str(&std::fs::read_to_string(bundle).unwrap()).unwrap();
    let t: &mut DecisionTable = &mut b.table;
    for row in t
        .categories
        .iter_mut()
        .flat_map(|c| &mut c.decisions)
        .flat_map(|d| &mut d.rows)
    {
        row.effect = RowEffect::Allow;
    }
    t.table_hash = String::new();
    t.table_hash = hex(&Sha256::digest(serde_json::to_vec(&*t).unwrap()));
    b.manifest.table_sha256 = hex(&Sha256::digest(compile::to_json(&b.table).as_bytes()));
    let text = b.to_json(false);
    // Without a signature check the forgery would pass: it is a well-formed bundle.
    let loaded = compile::load_table(&text).unwrap();
    assert!(
        loaded.categories[0].decisions[0]
            .rows
            .iter()
            .all(|r| r.effect == RowEffect::Allow)
    );
    text
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn no_hash_in(text: &str) {
    let hex64 = regex::Regex::new("[0-9a-f]{64}").unwrap();
    assert!(!hex64.is_match(text), "a hash was printed: {text}");
}

#[test]
fn a_bundle_signed_with_another_key_or_forged_is_refused_and_the_running_policy_stays() {
    let dir = scratch("bundles");
    let bundle = signed_bundle(&dir);
    let request = dir.join("partner.json");
    std::fs::write(&request, PARTNER).unwrap();

    // Signed by `ci`, trusted `other`: refused at start-up, with the reason.
    let out = run(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--no-log",
        "--table",
        s(&bundle),
        "--trust",
        s(&dir.join("other.pub")),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("not by the trusted key"), "{err}");
    no_hash_in(&err);
    let out = run(&[
        "eval",
        "--table",
        s(&bundle),
        "--trust",
        s(&dir.join("other.pub")),
        s(&request),
    ]);
    assert_eq!(out.status.code(), Some(2));

    // A forged bundle (hashes recomputed) is refused by `eval --trust`.
    let forged = dir.join("forged.json");
    std::fs::write(&forged, forge(&bundle)).unwrap();
    let out = run(&[
        "eval",
        "--table",
        s(&forged),
        "--trust",
        s(&dir.join("ci.pub")),
        s(&request),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("signature does not match"), "{err}");
    assert!(out.stdout.is_empty());
    no_hash_in(&err);
    // An unsigned bundle is refused where a signature is required.
    let unsigned = dir.join("unsigned.json");
    assert!(
        run(&["compile", FIXTURE, "-o", s(&unsigned)])
            .status
            .success()
    );
    let out = run(&[
        "eval",
        "--table",
        s(&unsigned),
        "--trust",
        s(&dir.join("ci.pub")),
        s(&request),
    ]);
    assert_eq!(out.status.code(), Some(2));

    // Served from the signed bundle, watched: the forgery, then a bundle signed by `other`,
    // replace it (atomically); both are refused and the partner is still denied.
    let server = start(&[
        "--no-log",
        "--table",
        s(&bundle),
        "--trust",
        s(&dir.join("ci.pub")),
        "--watch-interval",
        "0.1",
    ]);
    let addr = server.addr.clone();
    let (status, body) = http(&addr, "POST", "/v1/decisions", PARTNER);
    assert_eq!(
        (status, json(&body)["decision"].as_str().unwrap()),
        (200, "deny")
    );
    let replace = |text: &str| {
        let tmp = dir.join("next.tmp");
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, &bundle).unwrap();
    };
    let refused_with = |says: &str| {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let p = json(&http(&addr, "GET", "/v1/policy", "").1);
            let error = p["last_reload_error"]["error"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if error.contains(says) {
                no_hash_in(&error);
                break;
            }
            assert!(Instant::now() < deadline, "not refused ({says}): {p}");
            std::thread::sleep(Duration::from_millis(50));
        }
        let (status, body) = http(&addr, "POST", "/v1/decisions", PARTNER);
        assert_eq!(
            (status, json(&body)["decision"].as_str().unwrap()),
            (200, "deny"),
            "{body}"
        );
    };
    replace(&std::fs::read_to_string(&forged).unwrap());
    refused_with("signature does not match");
    let out = run(&[
        "compile",
        FIXTURE,
        "-o",
        s(&dir.join("o.json")),
        "--sign",
        s(&dir.join("other.key")),
    ]);
    assert!(out.status.success());
    replace(&std::fs::read_to_string(dir.join("o.json")).unwrap());
    refused_with("not by the trusted key");
}

#[test]
fn slow_header_and_slow_body_clients_are_dropped_while_a_real_client_is_served() {
    let dir = scratch("slow");
    let server = start(&[
        "--policy",
        FIXTURE,
        "--no-log",
        "--watch-interval",
        "0",
        "--settle",
        "0",
        "--header-timeout",
        "0.5",
        "--request-timeout",
        "0.5",
        "--max-connections",
        "64",
    ]);
    let addr = server.addr.clone();
    let mut slow = Vec::new();
    for i in 0..40 {
        let mut s = TcpStream::connect(&addr).unwrap();
        if i % 2 == 0 {
            // Headers that never end.
            write!(s, "POST /v1/decisions HTTP/1.1\r\nHost: x\r\n").unwrap();
        } else {
            // Headers, then a body that never arrives in full.
            write!(
                s,
                "POST /v1/decisions HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{{",
                PARTNER.len()
            )
            .unwrap();
        }
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        slow.push(s);
    }
    // A keep-alive client that goes quiet after its answer.
    let mut idle = TcpStream::connect(&addr).unwrap();
    write!(
        idle,
        "POST /v1/decisions HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{PARTNER}",
        PARTNER.len()
    )
    .unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let started = Instant::now();
    let (status, body) = http(&addr, "POST", "/v1/decisions", PARTNER);
    assert_eq!(status, 200, "{body}");
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
    // Every slow client is cut off: the connection ends (a slow body gets a 408 first).
    for (i, mut s) in slow.into_iter().enumerate() {
        let mut text = Vec::new();
        let r = s.read_to_end(&mut text);
        assert!(
            r.is_ok() || matches!(r, Err(ref e) if e.kind() == std::io::ErrorKind::ConnectionReset),
            "connection {i} was not closed: {r:?}"
        );
        let text = String::from_utf8_lossy(&text);
        if i % 2 == 1 {
            assert!(text.starts_with("HTTP/1.1 408"), "{text}");
        }
    }
    // The idle keep-alive connection got its answer and was then closed.
    let mut text = Vec::new();
    idle.read_to_end(&mut text).unwrap();
    assert!(String::from_utf8_lossy(&text).starts_with("HTTP/1.1 200"));
    assert!(started.elapsed() < Duration::from_secs(4));
    drop(dir);
}

#[test]
fn a_stalled_client_does_not_stop_sigterm_from_exiting() {
    let mut server = start(&[
        "--policy",
        FIXTURE,
        "--no-log",
        "--watch-interval",
        "0",
        "--settle",
        "0",
        "--header-timeout",
        "60",
        "--request-timeout",
        "60",
        "--drain-timeout",
        "0.5",
    ]);
    let mut stalled = TcpStream::connect(&server.addr).unwrap();
    write!(
        stalled,
        "POST /v1/decisions HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{{",
        PARTNER.len()
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "still running 10 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_second_server_on_the_same_log_is_refused() {
    let dir = scratch("two-servers");
    let log = dir.join("decisions.jsonl");
    let args = [
        "--policy",
        FIXTURE,
        "--log",
        s(&log),
        "--watch-interval",
        "0",
        "--settle",
        "0",
    ];
    let first = start(&args);
    assert_eq!(http(&first.addr, "POST", "/v1/decisions", PARTNER).0, 200);
    let out = caselock()
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("in use by another writer"), "{err}");
    assert_eq!(http(&first.addr, "POST", "/v1/decisions", PARTNER).0, 200);
    // The log was created readable by its owner only.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&log).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn a_log_deleted_under_load_stops_decisions() {
    let dir = scratch("deleted-log");
    let log = dir.join("decisions.jsonl");
    let server = start(&[
        "--policy",
        FIXTURE,
        "--log",
        s(&log),
        "--watch-interval",
        "0",
        "--settle",
        "0",
    ]);
    let addr = server.addr.clone();
    let deleted = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (addr, deleted) = (addr.clone(), deleted.clone());
            std::thread::spawn(move || {
                let mut after = Vec::new();
                for _ in 0..400 {
                    let was_deleted = deleted.load(Ordering::SeqCst);
                    let (status, _) = http(&addr, "POST", "/v1/decisions", PARTNER);
                    if was_deleted {
                        after.push(status);
                    }
                }
                after
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    std::fs::remove_file(&log).unwrap();
    deleted.store(true, Ordering::SeqCst);
    let after: Vec<u16> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    assert!(!after.is_empty());
    // Requests sent after the deletion are refused: none is answered into the deleted file.
    assert!(after.iter().all(|s| *s == 503), "{after:?}");
    assert_eq!(http(&addr, "GET", "/readyz", "").0, 503);
    let (status, body) = http(&addr, "POST", "/v1/decisions", PARTNER);
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("log-unavailable"), "{body}");
    let (_, metrics) = http(&addr, "GET", "/metrics", "");
    assert!(metrics.contains("caselock_log_healthy 0"), "{metrics}");
}

#[test]
fn forged_lines_appended_to_a_keyed_log_are_detected() {
    let dir = scratch("keyed-log");
    let key = dir.join("log.key");
    assert!(
        run(&["keygen", "--log-key", "-o", s(&key)])
            .status
            .success()
    );
    let log = dir.join("decisions.jsonl");
    {
        let server = start(&[
            "--policy",
            FIXTURE,
            "--log",
            s(&log),
            "--log-key",
            s(&key),
            "--watch-interval",
            "0",
            "--settle",
            "0",
        ]);
        for _ in 0..3 {
            assert_eq!(http(&server.addr, "POST", "/v1/decisions", PARTNER).0, 200);
        }
    }
    let verify = |key: Option<&Path>| {
        let mut c = caselock();
        c.args(["audit", "verify", s(&log)]);
        if let Some(k) = key {
            c.args(["--key", s(k)]);
        }
        c.output().unwrap()
    };
    let out = verify(Some(&key));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("checked: keyed"), "{stdout}");
    assert!(stdout.contains("3 decisions"), "{stdout}");
    // Without the key, the keyed log is not passed as verified.
    assert_eq!(verify(None).status.code(), Some(1));
    // Nor is it continued by a service given another key, or none.
    let other = dir.join("other.key");
    assert!(
        run(&["keygen", "--log-key", "-o", s(&other)])
            .status
            .success()
    );
    for key_args in [vec!["--log-key", s(&other)], vec![]] {
        let out = caselock()
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--policy",
                FIXTURE,
                "--log",
                s(&log),
            ])
            .args(["--watch-interval", "0", "--settle", "0"])
            .args(key_args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("does not verify at line 1"), "{err}");
    }

    // Someone who can write the log but lacks the key appends a well-chained line, hashed
    // with SHA-256 and then with a key of their own.
    let genuine = std::fs::read_to_string(&log).unwrap();
    let last = genuine.lines().last().unwrap();
    let (mut entry, hash) = audit::open(last, &Chain::Keyed(LogKey::read(&key).unwrap())).unwrap();
    entry.seq += 1;
    entry.prev = hash;
    let their_key = dir.join("their.key");
    assert!(
        run(&["keygen", "--log-key", "-o", s(&their_key)])
            .status
            .success()
    );
    for chain in [
        Chain::Unkeyed,
        Chain::Keyed(LogKey::read(&their_key).unwrap()),
    ] {
        let forged: &Entry = &entry;
        let (line, _) = audit::seal(forged, &chain);
        std::fs::write(&log, format!("{genuine}{line}\n")).unwrap();
        let out = verify(Some(&key));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{stdout}");
        assert!(stdout.contains("line 5:"), "{stdout}");
    }
}

#[test]
fn metrics_need_the_token_unless_served_on_their_own_address() {
    let dir = scratch("metrics");
    let token = dir.join("token");
    std::fs::write(&token, "metrics-test-token\n").unwrap();
    let bundle = dir.join("b.json");
    assert!(
        run(&["compile", FIXTURE, "-o", s(&bundle)])
            .status
            .success()
    );
    let mut child = caselock()
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--metrics-addr",
            "127.0.0.1:0",
            "--no-log",
        ])
        .args([
            "--table",
            s(&bundle),
            "--allow-unsigned",
            "--token-file",
            s(&token),
        ])
        .args(["--watch-interval", "0"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut text = String::new();
    let (mut main, mut metrics) = (None, None);
    while main.is_none() || metrics.is_none() {
        let line = lines.next().unwrap().unwrap();
        let addr = || {
            line.split("http://")
                .nth(1)
                .and_then(|s| s.split('/').next())
                .map(str::to_string)
        };
        if line.contains("metrics on") {
            metrics = addr();
        } else if line.contains("serving") {
            main = addr();
        }
        text.push_str(&line);
        text.push('\n');
    }
    let server = Server {
        child,
        addr: main.unwrap(),
    };
    let metrics = metrics.unwrap();
    // Start-up says what is not protected (before the metrics address): no log, unsigned
    // bundles.
    assert!(text.contains("no decision log"), "{text}");
    assert!(text.contains("unsigned"), "{text}");
    assert_eq!(http(&server.addr, "GET", "/metrics", "").0, 401);
    let (status, body) = http(&metrics, "GET", "/metrics", "");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("caselock_policy_info"), "{body}");
    // Only the metrics are served there.
    assert_eq!(http(&metrics, "POST", "/v1/decisions", PARTNER).0, 404);
}

#[test]
fn configuration_values_out_of_range_are_usage_errors() {
    for (flag, value) in [
        ("--watch-interval", "1e-12"),
        ("--watch-interval", "NaN"),
        ("--watch-interval", "-1"),
        ("--header-timeout", "0"),
        ("--max-connections", "0"),
        ("--settle", "inf"),
    ] {
        let arg = format!("{flag}={value}");
        let out = run(&["serve", "--policy", FIXTURE, "--no-log", &arg]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}: {err}");
        assert!(err.contains(flag), "{flag} {value}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // Neither a log nor `--no-log`: refused, so a service never runs without a log by accident.
    let out = run(&["serve", "--policy", FIXTURE]);
    assert_eq!(out.status.code(), Some(2));
    // A bundle without `--trust` needs `--allow-unsigned`.
    let dir = scratch("config");
    let bundle = dir.join("b.json");
    assert!(
        run(&["compile", FIXTURE, "-o", s(&bundle)])
            .status
            .success()
    );
    let out = run(&["serve", "--no-log", "--table", s(&bundle)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-unsigned"));
}
