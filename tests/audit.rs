//! The decision log: the chain written by the writer verifies, continues across reopening, and
//! any single edit, removal, insertion or swap of lines is found at the right line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Cursor;
use std::process::Command;

use caselock::audit::{
    self, Chain, DecisionEntry, Entry, Event, GENESIS, Head, LogWriter, Pending, PolicyEntry,
    SyncMode,
};
use caselock::eval::{Outcome, Request};
use chrono::{TimeZone, Utc};
use proptest::prelude::*;

fn request(subject: &str, record: &str) -> Request {
    Request::from_json(&format!(
        r#"{{"subject": {{"id": "{subject}", "roles": ["social_worker"], "organisation": "council"}},
            "action": "view", "record": {{"id": "{record}"}}, "at": "2026-11-22T10:00:00Z"}}"#
    ))
    .unwrap()
}

fn decision(i: u64) -> Event {
    Event::Decision(Box::new(DecisionEntry {
        decision_id: format!("test:{}", uuid_for(i)),
        policy_id: "casework".into(),
        policy_version: Some(1),
        policy_hash: "abc".into(),
        subject: format!("u-{i}"),
        record: format!("R{i}"),
        action: "view".into(),
        decision: if i % 3 == 0 {
            Outcome::Deny
        } else {
            Outcome::Allow
        },
        rule: Some("adoption.grant.1".into()),
        client: None,
        request: request(&format!("u-{i}"), &format!("R{i}")),
    }))
}

/// A fixed UUIDv7-shaped id per entry, so logs are reproducible.
fn uuid_for(i: u64) -> String {
    format!("01900000-0000-7000-8000-{i:012x}")
}

/// A log of `n` entries, chained by hand with [`audit::seal`], as lines.
fn lines(n: u64) -> Vec<String> {
    let mut prev = GENESIS.to_string();
    (1..=n)
        .map(|seq| {
            let entry = Entry {
                seq,
                time: Utc.timestamp_opt(1_800_000_000 + seq as i64, 0).unwrap(),
                event: decision(seq),
                prev: prev.clone(),
            };
            let (line, hash) = audit::seal(&entry, &audit::Chain::Unkeyed);
            prev = hash;
            line
        })
        .collect()
}

fn text(lines: &[String]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

fn verify(text: &str, head: Option<&Head>) -> Result<audit::Summary, audit::Broken> {
    audit::verify(Cursor::new(text.as_bytes()), head, &audit::Chain::Unkeyed)
}

#[test]
fn an_intact_log_verifies_and_summarises() {
    let log = lines(6);
    let s = verify(&text(&log), None).unwrap();
    assert_eq!((s.entries, s.decisions, s.allowed), (6, 6, 4));
    let head = s.head.unwrap();
    assert_eq!(head.seq, 6);
    assert!(verify(&text(&log), Some(&head)).is_ok());
    // An empty log verifies to the genesis head.
    assert_eq!(verify("", None).unwrap().head, Some(Head::genesis()));
}

#[test]
fn a_line_cut_off_by_a_crash_is_reported() {
    let log = text(&lines(3));
    let torn = &log[..log.len() - 10];
    let err = verify(torn, None).unwrap_err();
    assert_eq!(err.line, 3);
    assert!(err.message.contains("incomplete"), "{err}");
}

#[test]
fn removing_the_last_line_needs_the_recorded_head() {
    let log = lines(4);
    let head = verify(&text(&log), None).unwrap().head.unwrap();
    let shorter = text(&log[..3]);
    assert!(verify(&shorter, None).is_ok());
    let err = verify(&shorter, Some(&head)).unwrap_err();
    assert_eq!(err.line, 4);
    // A log that has grown since the head was recorded still verifies against it.
    let old = verify(&text(&log[..2]), None).unwrap().head.unwrap();
    assert!(verify(&text(&log), Some(&old)).is_ok());
    // A chain rewritten from scratch with other contents does not.
    let mut other = lines(4);
    other.truncate(2);
    let forged: Vec<String> = other.iter().map(|l| l.replace("u-", "x-")).collect();
    assert!(verify(&text(&forged), Some(&old)).is_err());
}

#[derive(Debug, Clone)]
enum Tamper {
    /// Replace byte `at` of line `line` with `byte`.
    Edit {
        line: usize,
        at: usize,
        byte: u8,
    },
    Remove(usize),
    Swap(usize, usize),
    /// Insert a copy of line `from` before line `at`.
    Insert {
        from: usize,
        at: usize,
    },
}

fn tamper() -> impl Strategy<Value = (usize, Tamper)> {
    (2usize..8).prop_flat_map(|n| {
        let edit =
            (0..n, any::<prop::sample::Index>(), 0x20u8..0x7f).prop_map(|(line, at, byte)| {
                Tamper::Edit {
                    line,
                    at: at.index(1 << 16),
                    byte,
                }
            });
        let swap = (0..n, 0..n)
            .prop_filter("two lines", |(a, b)| a != b)
            .prop_map(|(a, b)| Tamper::Swap(a.min(b), a.max(b)));
        let insert = (0..n, 0..=n).prop_map(|(from, at)| Tamper::Insert { from, at });
        let t = prop_oneof![edit, (0..n).prop_map(Tamper::Remove), swap, insert];
        (Just(n), t)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Every single edit, removal, swap or insertion is found, at the line it happened.
    #[test]
    fn any_single_change_is_detected((n, t) in tamper()) {
        let mut log = lines(n as u64);
        let head = verify(&text(&log), None).unwrap().head.unwrap();
        let expected_line = match t.clone() {
            Tamper::Edit { line, at, byte } => {
                let mut bytes = log[line].clone().into_bytes();
                let at = at % bytes.len();
                prop_assume!(bytes[at] != byte);
                bytes[at] = byte;
                log[line] = String::from_utf8(bytes).unwrap();
                line + 1
            }
            Tamper::Remove(i) => {
                log.remove(i);
                i + 1
            }
            Tamper::Swap(a, b) => {
                log.swap(a, b);
                a + 1
            }
            Tamper::Insert { from, at } => {
                let copy = log[from].clone();
                log.insert(at, copy);
                // A copy put just before its original is itself in place; the original is not.
                if from == at { at + 2 } else { at + 1 }
            }
        };
        let err = verify(&text(&log), Some(&head)).unwrap_err();
        prop_assert_eq!(err.line, expected_line as u64, "{:?}: {}", t, err);
    }
}

#[test]
fn the_writer_chains_groups_and_continues_after_reopening() {
    let dir = std::env::temp_dir().join(format!("caselock-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("decisions.jsonl");
    let _ = std::fs::remove_file(&path);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let at = Utc.timestamp_opt(1_800_000_000, 0).unwrap();
    let pending = move |i| Pending {
        time: at,
        event: decision(i),
    };
    rt.block_on(async {
        let log = LogWriter::open(&path, SyncMode::Data, Chain::Unkeyed).unwrap();
        let loaded = Pending {
            time: at,
            event: Event::PolicyLoaded(PolicyEntry {
                policy_id: "casework".into(),
                policy_version: Some(1),
                policy_hash: "abc".into(),
            }),
        };
        assert_eq!(log.append(vec![loaded]).await.unwrap(), 1);
        // Many groups at once: each gets consecutive numbers, in one chain.
        let tasks: Vec<_> = (0..20)
            .map(|g| {
                let log = log.clone();
                let group = vec![pending(2 * g), pending(2 * g + 1)];
                tokio::spawn(async move { log.append(group).await })
            })
            .collect();
        let mut firsts: Vec<u64> = Vec::new();
        for t in tasks {
            firsts.push(t.await.unwrap().unwrap());
        }
        firsts.sort_unstable();
        assert_eq!(firsts, (0..20).map(|g| 2 + 2 * g).collect::<Vec<_>>());
        assert_eq!(log.head().seq, 41);
        let e = log.read(5).unwrap().unwrap();
        let Event::Decision(d) = e.event else {
            panic!("entry 5 is a decision")
        };
        // Looked up by its id, not by its line.
        let again = log.read_decision(&d.decision_id).unwrap().unwrap();
        assert_eq!(again.seq, 5);
        assert!(log.read_decision("test:5").unwrap().is_none());
        assert!(log.read(42).unwrap().is_none());
    });
    rt.block_on(async {
        let log = LogWriter::open(&path, SyncMode::Os, Chain::Unkeyed).unwrap();
        assert_eq!(log.append(vec![pending(99)]).await.unwrap(), 42);
    });
    let out = Command::new(env!("CARGO_BIN_EXE_caselock"))
        .args(["audit", "verify"])
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("ok: 42 entries"), "{stdout}");
    // It says which check it made: an unkeyed chain, which anyone able to write could extend.
    assert!(stdout.contains("checked: unkeyed"), "{stdout}");
    assert!(stdout.contains("41 decisions"), "{stdout}");

    // An edited middle line: exit 1, naming the line.
    let original = std::fs::read_to_string(&path).unwrap();
    let line = original
        .lines()
        .position(|l| l.contains("\"u-7\""))
        .unwrap()
        + 1;
    std::fs::write(&path, original.replacen("\"u-7\"", "\"u-8\"", 1)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_caselock"))
        .args(["audit", "verify"])
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains(&format!("line {line}: ")), "{stdout}");
    // A log that does not verify is not continued.
    assert!(matches!(
        LogWriter::open(&path, SyncMode::Os, Chain::Unkeyed),
        Err(audit::LogError::Broken { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}
