//! The caseworker page in a real headless browser (Debian's `chromium`, which `.ci/run`
//! installs): load the page, fill in the form, submit it, read the explanation and take a
//! screenshot, driving Chromium over the DevTools protocol with a minimal WebSocket client.
//!
//! Without a `chromium` on the PATH the test says so and passes, unless
//! `CASELOCK_REQUIRE_BROWSER=1` (set by `.ci/run`), when it fails.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .filter_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join(name))
                    .find(|p| p.is_file())
            })
        })
        .next()
}

/// Starts a process and returns it with the first stderr line containing `marker`.
fn start(cmd: &mut Command, marker: &str) -> (Killed, String) {
    let mut child = cmd
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let wanted = marker.to_string();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if !sent && line.contains(&wanted) {
                let _ = tx.send(line);
                sent = true;
            }
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("no `{marker}` line from {cmd:?}"));
    (Killed(child), line)
}

/// A WebSocket client connection, as much as the DevTools protocol needs.
struct Socket {
    s: TcpStream,
    next_id: u64,
    /// Events that arrived while waiting for a command's result.
    events: Vec<String>,
}

impl Socket {
    fn connect(url: &str) -> Socket {
        let rest = url.strip_prefix("ws://").unwrap();
        let (host, path) = rest.split_at(rest.find('/').unwrap());
        let mut s = TcpStream::connect(host).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        .unwrap();
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let mut b = [0u8; 1];
            s.read_exact(&mut b).unwrap();
            head.push(b[0]);
        }
        let head = String::from_utf8_lossy(&head);
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        Socket {
            s,
            next_id: 1,
            events: Vec::new(),
        }
    }

    fn send(&mut self, text: &str) {
        let payload = text.as_bytes();
        let mut frame = vec![0x81u8];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n < 65536 => {
                frame.push(0x80 | 126);
                frame.extend((n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend((n as u64).to_be_bytes());
            }
        }
        let mask = [0x12u8, 0x34, 0x56, 0x78];
        frame.extend(mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.s.write_all(&frame).unwrap();
    }

    fn receive(&mut self) -> Value {
        let mut message = Vec::new();
        loop {
            let mut h = [0u8; 2];
            self.s.read_exact(&mut h).unwrap();
            let len = match h[1] & 0x7f {
                126 => {
                    let mut b = [0u8; 2];
                    self.s.read_exact(&mut b).unwrap();
                    u64::from(u16::from_be_bytes(b))
                }
                127 => {
                    let mut b = [0u8; 8];
                    self.s.read_exact(&mut b).unwrap();
                    u64::from_be_bytes(b)
                }
                n => u64::from(n),
            };
            let mut payload = vec![0u8; len as usize];
            self.s.read_exact(&mut payload).unwrap();
            message.extend(payload);
            if h[0] & 0x80 != 0 {
                break;
            }
        }
        serde_json::from_slice(&message).unwrap()
    }

    /// Sends a command and returns its result, passing over events.
    fn command(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"id": id, "method": method, "params": params}).to_string());
        loop {
            let m = self.receive();
            if m["id"] == id {
                assert!(m.get("error").is_none(), "{method}: {m}");
                return m["result"].clone();
            }
            if let Some(e) = m["method"].as_str() {
                self.events.push(e.to_string());
            }
        }
    }

    /// Waits for an event (or takes it if it already came).
    fn event(&mut self, method: &str) {
        if let Some(i) = self.events.iter().position(|e| e == method) {
            self.events.drain(..=i);
            return;
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if self.receive()["method"] == method {
                return;
            }
        }
        panic!("no {method} event");
    }

    fn eval(&mut self, js: &str) -> Value {
        let r = self.command(
            "Runtime.evaluate",
            json!({"expression": js, "returnByValue": true}),
        );
        r["result"]["value"].clone()
    }
}

fn http_get(addr: &str, path: &str) -> String {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        &s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    // DevTools keeps the connection open: read exactly Content-Length bytes.
    let mut r = BufReader::new(s);
    let mut len = 0;
    loop {
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).unwrap();
    String::from_utf8(body).unwrap()
}

fn base64_decode(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = A.iter().position(|a| *a == c).unwrap() as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

#[test]
fn a_caseworker_submits_the_page_and_reads_the_explanation() {
    let Some(browser) = chromium() else {
        let required = std::env::var_os("CASELOCK_REQUIRE_BROWSER").is_some_and(|v| v == "1");
        assert!(
            !required,
            "no chromium on the PATH, and CASELOCK_REQUIRE_BROWSER=1"
        );
        eprintln!(
            "SKIPPED a_caseworker_submits_the_page_and_reads_the_explanation: no `chromium` on \
             the PATH (`.ci/run` installs Debian's chromium)"
        );
        return;
    };
    let dir = std::env::temp_dir().join(format!("caselock-browser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    let (_server, line) = start(
        Command::new(env!("CARGO_BIN_EXE_caselock"))
            .args(["serve", "--addr", "127.0.0.1:0", "--watch-interval", "0"])
            .args(["--policy", "tests/fixtures/serve/nottingham.policy"])
            .arg("--log")
            .arg(dir.join("decisions.jsonl")),
        "serving",
    );
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .to_string();

    let (_chrome, line) = start(
        Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--remote-debugging-port=0",
                "--window-size=900,1400",
            ])
            .arg(format!("--user-data-dir={}", dir.join("profile").display()))
            .arg("about:blank"),
        "DevTools listening on",
    );
    let browser_ws = line.split("ws://").nth(1).unwrap();
    let devtools = browser_ws.split('/').next().unwrap();
    let targets: Value = serde_json::from_str(&http_get(devtools, "/json/list")).unwrap();
    let page = targets
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["type"] == "page")
        .unwrap();
    let mut ws = Socket::connect(page["webSocketDebuggerUrl"].as_str().unwrap());
    ws.command("Page.enable", json!({}));
    ws.command("Page.navigate", json!({"url": format!("http://{addr}/")}));
    ws.event("Page.loadEventFired");
    assert_eq!(
        ws.eval("document.title"),
        "Check access to a record – caselock"
    );
    // Every form control has a label the browser associates with it.
    let unlabelled = ws.eval(
        "[...document.querySelectorAll('input:not([type=hidden]),select')].filter(e => e.labels.length === 0).length",
    );
    assert_eq!(unlabelled, 0);

    let fill = [
        ("subject", "u-1042"),
        ("roles", "social_worker"),
        ("organisation", "council"),
        ("action", "view"),
        ("record", "J123456"),
        ("category", "adoption"),
        ("placed_on", "2026-10-01"),
        ("owner", "u-3001"),
        ("allocated_workers", "u-2001"),
    ];
    let js: String = fill
        .iter()
        .map(|(k, v)| format!("document.getElementById('{k}').value = '{v}';"))
        .collect();
    ws.eval(&js);
    ws.eval("document.querySelector('button[type=submit]').click()");
    ws.event("Page.loadEventFired");

    assert_eq!(
        ws.eval("document.getElementById('decision').textContent"),
        "You cannot open this record"
    );
    let explanation = ws.eval("document.getElementById('explanation').textContent");
    let explanation = explanation.as_str().unwrap();
    assert!(explanation.starts_with("Not permitted"), "{explanation}");
    let contact = ws.eval("document.getElementById('contact').textContent");
    assert!(contact.as_str().unwrap().contains("u-3001"), "{contact}");

    let shot = ws.command("Page.captureScreenshot", json!({"format": "png"}));
    let png = base64_decode(shot["data"].as_str().unwrap());
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("caseworker-page.png");
    std::fs::write(&out, &png).unwrap();
    eprintln!("screenshot: {}", out.display());
    let _ = std::fs::remove_dir_all(&dir);
}
