//! The decision log: an append-only JSON-lines file in which every entry carries its own SHA-256
//! and the SHA-256 of the entry before it, so an edited, removed, inserted or reordered line is
//! found by [`verify`] (`caselock audit verify LOG`), which says which line.
//!
//! A line is the entry serialised as compact JSON without its `hash`, with
//! `,"hash":"<alg>:<hex>"}` put in place of the closing brace; the hash is the SHA-256 of that
//! JSON text (ending in `}`), or, in a keyed log, its HMAC-SHA256 under the log's secret key
//! ([`Chain`]), so that nobody without the key can append or rewrite lines that verify. The
//! first entry's `prev` is [`GENESIS`]. Entries hold IDs only —
//! subject, record, rule and policy ids and the request (which carries ids and the policy's own
//! vocabulary) — never a person's name. The format and its durability are documented in
//! docs/service.md.

mod archive;
mod decision_id;
mod key;
pub mod postgres;
pub(crate) mod query;
mod sink;
mod stdout;
mod writer;

use std::io::BufRead;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::eval::{Outcome, Request};

pub use decision_id::{DecisionId, valid_instance};
pub use key::{Chain, LogKey};
pub(crate) use postgres::PgLog;
pub(crate) use query::{Filter, Found};
pub(crate) use sink::Sink;
pub(crate) use stdout::StdoutLog;
pub use writer::{LogError, LogWriter, Pending, SyncMode};

/// The `prev` of the first entry of a log.
pub const GENESIS: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/// The text a line ends with before the hash's algorithm and hex digits.
const HASH_FIELD: &str = ",\"hash\":\"";

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Its line number, from 1.
    pub seq: u64,
    /// When it was written (for a decision: when it was decided).
    pub time: DateTime<Utc>,
    /// What happened.
    #[serde(flatten)]
    pub event: Event,
    /// The hash of the entry before it, or [`GENESIS`].
    pub prev: String,
}

/// What an entry records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A decision the service answered.
    Decision(Box<DecisionEntry>),
    /// A policy version started being served (at start-up or on reload).
    PolicyLoaded(PolicyEntry),
    /// A reload was refused; the running version goes on being served.
    PolicyRejected(RejectedEntry),
}

/// A decision: who asked to do what to which record, the answer and the rule that gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionEntry {
    /// The id the service answered with.
    pub decision_id: String,
    /// The policy's id.
    pub policy_id: String,
    /// The policy's version, if it declares one.
    pub policy_version: Option<u32>,
    /// The SHA-256 of the policy's sources.
    pub policy_hash: String,
    /// The subject's id.
    pub subject: String,
    /// The record's id.
    pub record: String,
    /// The action.
    pub action: String,
    /// Allow or deny.
    pub decision: Outcome,
    /// The deciding rule's id (absent when the evaluator refused the request).
    pub rule: Option<String>,
    /// The connected system that asked (its name in the service's clients file); absent when
    /// the service has no per-client credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// The request as decided, with `at` filled in, so the decision can be explained again.
    pub request: Request,
}

/// A policy version the service started serving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyEntry {
    /// The policy's id.
    pub policy_id: String,
    /// The policy's version, if it declares one.
    pub policy_version: Option<u32>,
    /// The SHA-256 of the policy's sources.
    pub policy_hash: String,
}

/// A reload that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedEntry {
    /// The id of the policy that goes on being served.
    pub policy_id: String,
    /// Why the new version was refused.
    pub error: String,
}

/// The last entry of a log: how many entries and the hash a next entry chains from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The number of entries.
    pub seq: u64,
    /// The last entry's hash, or [`GENESIS`] for an empty log.
    pub hash: String,
}

impl Head {
    /// The head of an empty log.
    pub fn genesis() -> Head {
        Head {
            seq: 0,
            hash: GENESIS.to_string(),
        }
    }
}

impl std::fmt::Display for Head {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

impl std::str::FromStr for Head {
    type Err = String;

    /// Reads `SEQ:sha256:HEX`, as `audit verify` prints it.
    fn from_str(s: &str) -> Result<Head, String> {
        let (seq, hash) = s
            .split_once(':')
            .ok_or_else(|| format!("expected `SEQ:sha256:HEX`, found `{s}`"))?;
        let seq = seq
            .parse()
            .map_err(|_| format!("`{seq}` is not an entry count"))?;
        if !is_hash(hash) {
            return Err(format!(
                "`{hash}` is not a `sha256:` or `hmac-sha256:` hash"
            ));
        }
        Ok(Head {
            seq,
            hash: hash.to_string(),
        })
    }
}

/// Serialises an entry as one line (without the newline) and returns it with its hash.
pub fn seal(entry: &Entry, chain: &Chain) -> (String, String) {
    let mut line = crate::json::to_string(entry);
    let hash = chain.digest(&line);
    line.pop();
    line.push_str(HASH_FIELD);
    line.push_str(&hash);
    line.push_str("\"}");
    (line, hash)
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn is_hex64(h: &str) -> bool {
    h.len() == 64 && h.bytes().all(|b| HEX.contains(&b))
}

fn is_hash(s: &str) -> bool {
    key::ALGORITHMS
        .iter()
        .any(|a| s.strip_prefix(a).is_some_and(is_hex64))
}

/// Reads one line back: its entry and its hash, after checking the line's own hash (or HMAC).
pub fn open(line: &str, chain: &Chain) -> Result<(Entry, String), String> {
    let cut = line
        .rfind(HASH_FIELD)
        .ok_or("the line does not end with its `hash` field")?;
    let (body, tail) = line.split_at(cut);
    let recorded = tail
        .strip_prefix(HASH_FIELD)
        .and_then(|t| t.strip_suffix("\"}"))
        .ok_or("the line does not end with its `hash` field")?;
    if !is_hash(recorded) {
        return Err("the line's `hash` is not a SHA-256 or HMAC-SHA256".to_string());
    }
    let sealed = format!("{body}}}");
    chain.check(&sealed, recorded)?;
    let entry: Entry =
        serde_json::from_str(&sealed).map_err(|e| format!("not a log entry: {e}"))?;
    Ok((entry, recorded.to_string()))
}

/// What a verified log holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    /// Entries in all.
    pub entries: u64,
    /// Decisions.
    pub decisions: u64,
    /// Of which allowed.
    pub allowed: u64,
    /// Policy versions loaded.
    pub policies_loaded: u64,
    /// Reloads refused.
    pub policies_rejected: u64,
    /// The first entry's time.
    pub first: Option<DateTime<Utc>>,
    /// The last entry's time.
    pub last: Option<DateTime<Utc>>,
    /// The hash the next entry would chain from.
    pub head: Option<Head>,
    /// Whether every line's HMAC was checked with the log's key (else only the SHA-256 chain).
    pub keyed: bool,
    /// Where the chain starts when it continues an earlier (rotated) file: that file's last
    /// entry. `None`: from the genesis value.
    pub start: Option<Head>,
}

/// Where a log stops being trustworthy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct Broken {
    /// The first line that fails, from 1 (one past the end when lines are missing at the end).
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

/// Checks every line's hash, chain link and sequence number, and, when given, that the log
/// reaches `expected` with the same hash there (which is how removing the last lines, or
/// rewriting the whole chain, is detected).
pub fn verify(
    input: impl BufRead,
    expected: Option<&Head>,
    chain: &Chain,
) -> Result<Summary, Broken> {
    let mut v = Verifier::new(expected, chain);
    v.lines(input)?;
    v.finish()
}

/// As [`verify`], but the first line may continue a rotated file's chain (its `seq` after
/// that file's last entry and its `prev` that entry's hash), as the file a rotation starts
/// does; [`Summary::start`] says where it starts. Checking the earlier files with it
/// (`audit verify OLD... NEW`) is what shows that nothing before it was removed.
pub(crate) fn verify_continuing(
    input: impl BufRead,
    expected: Option<&Head>,
    chain: &Chain,
) -> Result<Summary, Broken> {
    let mut v = Verifier::new(expected, chain);
    v.continuing = true;
    v.lines(input)?;
    v.finish()
}

impl Verifier<'_> {
    /// Checks every line of a file, in order.
    pub fn lines(&mut self, mut input: impl BufRead) -> Result<(), Broken> {
        let v = self;
        let mut line = Vec::new();
        loop {
            line.clear();
            match input.read_until(b'\n', &mut line) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => return Err(v.broken(format!("cannot read: {e}"))),
            }
            if line.pop() != Some(b'\n') {
                return Err(v.broken(
                    "the last line is incomplete (a write was cut off; it was never answered)"
                        .to_string(),
                ));
            }
            let text = std::str::from_utf8(&line).map_err(|_| v.broken("not UTF-8".to_string()))?;
            v.line(text)?;
        }
        Ok(())
    }
}

/// Checks a chain one line at a time, wherever its lines are kept (a file, or a database's
/// rows in order): [`verify`] for files, the PostgreSQL sink per instance.
#[derive(Debug)]
pub(crate) struct Verifier<'a> {
    summary: Summary,
    head: Head,
    at_expected: Option<String>,
    expected: Option<&'a Head>,
    chain: &'a Chain,
    /// Whether the first line may continue a rotated file's chain.
    continuing: bool,
}

impl<'a> Verifier<'a> {
    /// A verifier for a chain from its genesis, to reach `expected` if given.
    pub fn new(expected: Option<&'a Head>, chain: &'a Chain) -> Verifier<'a> {
        Verifier {
            summary: Summary {
                keyed: chain.is_keyed(),
                ..Summary::default()
            },
            head: Head::genesis(),
            at_expected: None,
            expected,
            chain,
            continuing: false,
        }
    }

    /// Lets the first line continue a rotated file's chain (see [`verify_continuing`]).
    pub fn continuing(mut self) -> Self {
        self.continuing = true;
        self
    }

    /// A fault at the next line.
    pub fn broken(&self, message: String) -> Broken {
        Broken {
            line: self.head.seq + 1,
            message,
        }
    }

    /// Checks the next line (without its newline) and returns its entry.
    pub fn line(&mut self, text: &str) -> Result<Entry, Broken> {
        let (entry, hash) = open(text, self.chain).map_err(|m| self.broken(m))?;
        if self.continuing && self.head.seq == 0 && entry.seq > 1 {
            self.head = Head {
                seq: entry.seq - 1,
                hash: entry.prev.clone(),
            };
            self.summary.start = Some(self.head.clone());
        }
        self.continuing = false;
        let number = self.head.seq + 1;
        if entry.prev != self.head.hash {
            let before = if number == 1 {
                "the genesis value".to_string()
            } else {
                format!("line {}", number - 1)
            };
            return Err(self.broken(format!(
                "`prev` does not match the hash of {before}: a line was removed or inserted here, or the lines were reordered"
            )));
        }
        if entry.seq != number {
            return Err(self.broken(format!(
                "`seq` is {} but this is line {number}: lines were removed, inserted or reordered",
                entry.seq
            )));
        }
        let summary = &mut self.summary;
        summary.first.get_or_insert(entry.time);
        summary.last = Some(entry.time);
        match &entry.event {
            Event::Decision(d) => {
                summary.decisions += 1;
                summary.allowed += u64::from(d.decision == Outcome::Allow);
            }
            Event::PolicyLoaded(_) => summary.policies_loaded += 1,
            Event::PolicyRejected(_) => summary.policies_rejected += 1,
        }
        if self.expected.is_some_and(|w| w.seq == number) {
            self.at_expected = Some(hash.clone());
        }
        self.head = Head { seq: number, hash };
        Ok(entry)
    }

    /// The summary, after checking that the chain reaches the expected head.
    pub fn finish(self) -> Result<Summary, Broken> {
        let Verifier {
            mut summary,
            head,
            at_expected,
            expected,
            ..
        } = self;
        if let Some(want) = expected {
            if head.seq < want.seq {
                return Err(Broken {
                    line: head.seq + 1,
                    message: format!(
                        "the log ends after {} entries but the expected head is entry {}: lines were removed from the end",
                        head.seq, want.seq
                    ),
                });
            }
            let found = at_expected.unwrap_or_else(|| GENESIS.to_string());
            if found != want.hash {
                return Err(Broken {
                    line: want.seq,
                    message: "this entry's hash is not the expected head: the log was rewritten"
                        .to_string(),
                });
            }
        }
        summary.entries = head.seq - summary.start.as_ref().map_or(0, |s| s.seq);
        summary.head = Some(head);
        Ok(summary)
    }
}
