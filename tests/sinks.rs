//! The standard-output sink: a real `caselock serve --log-stdout` process writes one chained
//! JSON line per decision to standard output (before answering), and the lines verify as a log.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use caselock::audit::{self, Chain};

#[test]
fn the_stdout_sink_writes_lines_that_verify_before_answering() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_caselock"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--watch-interval",
            "0",
            "--log-stdout",
        ])
        .args([
            "--policy",
            "tests/fixtures/policies/casework.policy",
            "--instance",
            "shipper",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("logging to `standard output`"), "{first}");
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .to_string();
    let body =
        std::fs::read_to_string("tests/fixtures/requests/casework/allowed_via_grant.json").unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let mut lines = vec![line.clone()];
    for _ in 0..3 {
        let mut s = TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "POST /v1/decisions HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        let id = answer
            .split("\"decision_id\":\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_string();
        // The line was written before the answer: it is there to read now.
        line.clear();
        stdout.read_line(&mut line).unwrap();
        assert!(line.contains(&id), "{line}");
        lines.push(line.clone());
    }
    let _ = child.kill();
    let _ = child.wait();
    let summary = audit::verify(lines.concat().as_bytes(), None, &Chain::Unkeyed).unwrap();
    assert_eq!(
        (summary.entries, summary.decisions, summary.policies_loaded),
        (4, 3, 1)
    );
}
