//! The hand-written request reader (`Request::scanned_from_json`) reads a request exactly as
//! serde's reader does, or declines it: on every example and fixture request, on 10,000 random
//! requests over every bundled policy, and on random requests mutated by proptest (bytes and
//! tokens inserted or deleted, keys given twice or unknown, escapes, whitespace, nulls, numbers,
//! values of other types). Declining is always safe; accepting differently is the bug.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::sync::LazyLock;

use caselock::compile::DecisionTable;
use caselock::eval::{Object, Request, RequestReader, Text};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use support::requests::{Rng, random_request};

/// The one law: whatever the fast reader accepts, serde's readers accept too, as the same
/// request. Returns whether the fast reader accepted.
fn agrees(text: &str) -> bool {
    let Some(fast) = Request::scanned_from_json(text) else {
        return false;
    };
    let serde = serde_json::from_str::<Object<Request<Text>>>(text).map(|o| o.0);
    match serde {
        Ok(serde) => assert_eq!(fast, serde, "{text}"),
        Err(e) => panic!("the fast reader accepts what serde refuses ({e}):\n{text}"),
    }
    // `Request::from_json` and the service read through the fast reader too: its owned copy
    // must be what serde's owned reader gives.
    let owned = serde_json::from_str::<Object<Request>>(text).map(|o| o.0);
    assert_eq!(fast.to_owned_request(), owned.unwrap(), "{text}");
    assert_eq!(Request::from_json(text).unwrap(), fast.to_owned_request());
    true
}

#[test]
fn every_example_and_fixture_request_is_read_alike_or_declined() {
    let mut files = Vec::new();
    support::requests::json_files(Path::new("tests/fixtures/requests"), &mut files);
    support::requests::json_files(Path::new("examples/requests"), &mut files);
    assert!(files.len() >= 30, "found {} request files", files.len());
    let mut accepted = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        if agrees(&text) {
            accepted += 1;
        } else if !file.starts_with("tests/fixtures/requests/invalid") {
            // Only a request serde refuses, or one using what the reader leaves to serde, is
            // declined.
            let leaves = ["\\", "\"change\"", "\"approvals\""];
            assert!(
                Request::from_json(&text).is_err() || leaves.iter().any(|l| text.contains(l)),
                "declined {}",
                file.display()
            );
        }
    }
    assert!(accepted >= 25, "accepted {accepted} of {}", files.len());
}

/// Every bundled and example policy's table, loaded once.
static TABLES: LazyLock<Vec<DecisionTable>> = LazyLock::new(|| {
    support::bundled()
        .iter()
        .map(|p| support::load(p).table)
        .collect()
});

fn random(seed: u64) -> String {
    let mut rng = Rng(seed);
    let k = rng.below(TABLES.len());
    random_request(&mut rng, &TABLES[k])
}

/// A random request without the escaped ids the generator puts in some, so that the reader
/// accepts most of them before they are mutated.
fn plain(seed: u64) -> String {
    random(seed)
        .replace("\\u00e9", "e")
        .replace("\\\"q\\\"", "q")
}

#[test]
fn ten_thousand_random_requests_are_read_alike_or_declined() {
    let mut accepted = 0;
    for seed in 0..10_000u64 {
        accepted += usize::from(agrees(&random(seed)));
    }
    // Requests with an escaped id or a refused list entry are declined, the rest read.
    assert!(accepted > 4_000, "accepted {accepted} of 10,000");
}

/// Tokens a mutation inserts anywhere: whitespace JSON does and does not allow, punctuation,
/// escapes, control characters, literals and numbers serde reads in its own ways.
const TOKENS: &[&str] = &[
    " ",
    "\t",
    "\n",
    "\r",
    "\u{c}",
    "\u{a0}",
    ",",
    ":",
    "{",
    "}",
    "[",
    "]",
    "\"",
    "\\",
    "\\n",
    "\\u00e9",
    "\\\"",
    "\\/",
    "null",
    "true",
    "0",
    "01",
    "-1",
    "-0",
    "1.5",
    "1e3",
    "4294967296",
    "é",
    "\u{0}",
    "\u{1f}",
    "\u{7f}",
    "x",
    "Z",
    "T",
    "+01:00",
];

/// Keys a mutation adds to an object: every field of the contract (so a field given twice), in
/// another case, and fields this reader does not know.
const KEYS: &[&str] = &[
    "subject",
    "action",
    "record",
    "temporary_grants",
    "at",
    "context",
    "change",
    "approvals",
    "id",
    "roles",
    "teams",
    "organisation",
    "section",
    "restriction",
    "restrictions",
    "allocated_workers",
    "allocated_managers",
    "relatives",
    "authors",
    "flags",
    "category",
    "placed_on",
    "last_reviewed",
    "review_by",
    "owner",
    "named_allow",
    "named_deny",
    "flag",
    "granted_at",
    "duration",
    "approved_by",
    "kind",
    "renewals",
    "actions",
    "person",
    "team",
    "role",
    "Action",
    "acting_for",
    "facts",
    "linked_records",
    "",
];

/// Values a mutation puts in place of another or beside a key: every type, valid and invalid
/// forms of ids, dates, times, durations and counts.
const VALUES: &[&str] = &[
    "null",
    "[]",
    "{}",
    "\"x\"",
    "\"u-1\"",
    "\"\"",
    "\" u-1\"",
    "0",
    "3",
    "-3",
    "3.0",
    "true",
    "\"2026-01-01\"",
    "\"2026-1-1\"",
    "\"1800-01-01\"",
    "\"2026-02-30\"",
    "\"2026-01-01T00:00:00Z\"",
    "\"2026-01-01T00:00:60Z\"",
    "\"2026-01-01T00:00:00+00:00\"",
    "\"2026-01-01t00:00:00z\"",
    "\"24h\"",
    "\"0h\"",
    "\"2 fortnights\"",
    "[\"a\"]",
    "[null]",
    "[\"a\",]",
    "{\"team\":\"x\"}",
    "{\"person\":\"u-1\",\"team\":\"x\"}",
    "[{\"person\":\"u-1\"}]",
    "[{\"person\":\"\"}]",
    "[{\"role\":\"x\"}]",
    "[{\"persons\":\"u-1\"}]",
    "{\"id\":\"u-1\"}",
    "{\"a\":\"b\",\"a\":\"c\"}",
    "{\"network\":\"ncc\"}",
    "{\"category\":\"adoption\"}",
];

/// One change to a request's text.
#[derive(Debug, Clone)]
enum Mutation {
    /// A token inserted at a position.
    Insert(Index, usize),
    /// Up to eight characters deleted from a position.
    Delete(Index, usize),
    /// `"KEY":VALUE,` added at the start of an object.
    AddField(Index, usize, usize),
    /// A key's value replaced (everything up to the next `,`, `}` or `]`).
    Replace(Index, usize),
    /// JSON whitespace after a `,`, `:`, `{` or `[`, where serde allows it.
    Space(Index, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 0..TOKENS.len()).prop_map(|(i, t)| Mutation::Insert(i, t)),
        (any::<Index>(), 1..9usize).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<Index>(), 0..KEYS.len(), 0..VALUES.len())
            .prop_map(|(i, k, v)| Mutation::AddField(i, k, v)),
        (any::<Index>(), 0..VALUES.len()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        (any::<Index>(), 0..4usize).prop_map(|(i, w)| Mutation::Space(i, w)),
    ]
}

/// The character boundaries of `text` at which `pattern` ends (or every boundary, for `""`).
fn places(text: &str, pattern: &str) -> Vec<usize> {
    if pattern.is_empty() {
        return text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
    }
    text.match_indices(pattern)
        .map(|(i, p)| i + p.len())
        .collect()
}

fn apply(text: &mut String, m: &Mutation) {
    match m {
        Mutation::Insert(at, t) => {
            let p = places(text, "");
            text.insert_str(p[at.index(p.len())], TOKENS[*t]);
        }
        Mutation::Delete(at, n) => {
            let p = places(text, "");
            let i = at.index(p.len());
            let end = p[(i + n).min(p.len() - 1)];
            text.replace_range(p[i]..end, "");
        }
        Mutation::AddField(at, k, v) => {
            let p = places(text, "{");
            if !p.is_empty() {
                let field = format!("\"{}\":{},", KEYS[*k], VALUES[*v]);
                text.insert_str(p[at.index(p.len())], &field);
            }
        }
        Mutation::Space(at, w) => {
            let p: Vec<usize> = [",", ":", "{", "["]
                .iter()
                .flat_map(|c| places(text, c))
                .collect();
            if !p.is_empty() {
                text.insert_str(p[at.index(p.len())], [" ", "\t", "\n", "\r\n  "][*w]);
            }
        }
        Mutation::Replace(at, v) => {
            let p = places(text, "\":");
            if !p.is_empty() {
                let start = p[at.index(p.len())];
                let end = text[start..]
                    .find([',', '}', ']'])
                    .map_or(text.len(), |e| start + e);
                text.replace_range(start..end, VALUES[*v]);
            }
        }
    }
}

#[test]
fn mutated_requests_are_both_accepted_and_declined() {
    // The law below is not vacuous: many mutated requests are still read, and many declined.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut accepted, mut declined) = (0, 0);
    for seed in 0..2_000u64 {
        let ms = prop::collection::vec(mutation(), 1..3)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let mut text = plain(seed);
        for m in &ms {
            apply(&mut text, m);
        }
        if agrees(&text) {
            accepted += 1;
        } else {
            declined += 1;
        }
    }
    assert!(
        accepted > 200 && declined > 1_000,
        "{accepted} / {declined}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn a_mutated_request_is_read_alike_or_declined(
        seed in any::<u64>(),
        ms in prop::collection::vec(mutation(), 1..4),
    ) {
        let mut text = plain(seed);
        for m in &ms {
            apply(&mut text, m);
        }
        agrees(&text);
    }
}

/// One `RequestReader` reads request after request as each is read alone: the request it keeps
/// and empties for the next carries nothing over, whichever fields the one before gave, and
/// whether it was read, declined halfway or refused.
#[test]
fn a_reader_reads_each_request_of_a_stream_as_if_it_were_alone() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let texts: Vec<String> = (0..3_000u64)
        .map(|seed| match seed % 4 {
            0 => random(seed),
            1 => {
                let mut text = plain(seed);
                let ms = prop::collection::vec(mutation(), 1..3)
                    .new_tree(&mut runner)
                    .unwrap()
                    .current();
                for m in &ms {
                    apply(&mut text, m);
                }
                text
            }
            // Cut short: read some way, then declined (and refused).
            2 => {
                let text = plain(seed);
                let cut = text.floor_char_boundary(text.len() * 3 / 4);
                text[..cut].to_string()
            }
            _ => plain(seed),
        })
        .collect();
    // Every field the reader reads, then none of them, a restriction with nothing but its
    // category, and a record's list of restrictions, in turn (random requests leave some
    // fields out all the time or give them all the time).
    let every = r#"{"subject":{"id":"u-1","roles":["a","b"],"teams":["t"],"organisation":"council"},"action":"view","record":{"id":"J1","section":"s","teams":["t"],"restriction":{"category":"c","placed_on":"2026-05-01","last_reviewed":"2026-06-01","review_by":"2026-07-01","owner":"u-2","named_allow":[{"person":"u-3"}],"named_deny":[{"team":"t"}]},"allocated_workers":["u-1"],"allocated_managers":["u-2"],"subject":"u-9","relatives":["u-4"],"authors":["u-5"],"flags":[{"flag":"f","placed_on":"2026-05-01"}]},"temporary_grants":[{"subject":"u-1","record":"J1","actions":["view"],"granted_at":"2026-11-01T10:00:00Z","duration":"P7D","approved_by":"u-2"}],"at":"2026-11-22T10:00:00Z","context":{"network":"n"}}"#;
    let none =
        r#"{"subject":{"id":"u-1","organisation":"council"},"action":"view","record":{"id":"J1"}}"#;
    let several = r#"{"subject":{"id":"u-1","organisation":"council"},"action":"view","record":{"id":"J1","restrictions":[{"category":"c","named_allow":[{"role":"r"}]},{"category":"d","named_deny":[{"person":"u-1"}]}]}}"#;
    let bare = r#"{"subject":{"id":"u-1","organisation":"council"},"action":"view","record":{"id":"J1","restriction":{"category":"d"}}}"#;
    let cut = &every[..every.len() / 2];
    let turns = [
        every, bare, none, several, none, every, several, bare, every, cut, bare, cut, several,
    ];
    let texts: Vec<&str> = turns
        .into_iter()
        .chain(texts.iter().map(String::as_str))
        .collect();
    let mut reader = RequestReader::default();
    let mut read = 0;
    for text in texts {
        let alone = Request::borrowed_from_json(text)
            .map(|r| r.to_owned_request())
            .map_err(|e| e.to_string());
        let streamed = reader
            .read(text, |r| r.to_owned_request())
            .map_err(|e| e.to_string());
        read += usize::from(streamed.is_ok());
        assert_eq!(streamed, alone, "{text}");
    }
    assert!(read > 1_500, "read {read}");
}

#[test]
fn what_the_reader_leaves_to_serde() {
    let base = r#"{"subject":{"id":"u-1","organisation":"council"},"action":"read","record":{"id":"r-1"}}"#;
    assert!(agrees(base));
    for (text, why) in [
        (base.replace("\"read\"", "\"re\\u0061d\""), "an escape"),
        (
            base.replace("\"action\"", "\"acting_for\":\"u-2\",\"action\""),
            "an unknown key",
        ),
        (
            base.replace("\"action\"", "\"action\":\"read\",\"action\""),
            "a key twice",
        ),
        (
            base.replace("}}", "},\"at\":\"2026-01-01T00:00:00+00:00\"}"),
            "a time with an offset",
        ),
        (
            base.replace("}}", "},\"change\":{\"category\":\"x\"}}"),
            "a lifecycle change",
        ),
        (base.replace("\"r-1\"}", "\"r-1\",}"), "a trailing comma"),
        (format!("{base}\u{c}"), "a form feed after the object"),
        (format!("[{base}]"), "an array"),
    ] {
        assert!(Request::scanned_from_json(&text).is_none(), "{why}: {text}");
        agrees(&text);
    }
}

#[test]
fn every_character_class_at_every_offset_of_a_string() {
    // The reader looks for the end of a string eight bytes at a time: a quote, a backslash or a
    // control character at any offset of a long or short string is found, or declined, alike.
    for len in 0..24 {
        for at in 0..=len {
            for c in [
                "\"", "\\", "\\\"", "\\u0041", "\u{0}", "\u{1f}", "\t", "\u{7f}", "é", " ",
            ] {
                let mut name = "a".repeat(len);
                name.insert_str(at, c);
                for text in [
                    format!(
                        r#"{{"subject":{{"id":"u-1","organisation":"council"}},"action":"{name}","record":{{"id":"r-1"}}}}"#
                    ),
                    format!(
                        r#"{{"subject":{{"id":"{name}","organisation":"council"}},"action":"read","record":{{"id":"r-1"}}}}"#
                    ),
                ] {
                    agrees(&text);
                }
            }
        }
    }
}

/// Regression (the key expected after a field skips those serde leaves out): a record and a
/// request giving any of their fields, in serde's order or the reverse, are read as serde reads
/// them, and a key given twice is still declined wherever it comes.
#[test]
fn fields_in_either_order_with_or_without_the_rare_ones_are_read_alike() {
    const RECORD: [&str; 11] = [
        r#""id":"J1""#,
        r#""section":"health""#,
        r#""teams":["t"]"#,
        r#""restriction":null"#,
        r#""restrictions":[]"#,
        r#""allocated_workers":["u-1"]"#,
        r#""allocated_managers":[]"#,
        r#""subject":"p-1""#,
        r#""relatives":["p-2"]"#,
        r#""authors":["u-2"]"#,
        r#""flags":[]"#,
    ];
    const SUBJECT: &str = r#""subject":{"id":"u-1","roles":["r"],"organisation":"o"}"#;
    const AFTER: [&str; 4] = [
        r#""temporary_grants":[]"#,
        r#""at":"2026-11-22T10:00:00Z""#,
        r#""context":{"network":"ncc"}"#,
        r#""approvals":[]"#,
    ];
    let mut read = 0;
    // The id is required: every other field of the record is there or not.
    for given in (0..1u32 << RECORD.len()).filter(|m| m & 1 == 1) {
        let mut fields: Vec<&str> = (0..RECORD.len())
            .filter(|i| given & (1 << i) != 0)
            .map(|i| RECORD[i])
            .collect();
        let mut after: Vec<&str> = (0..AFTER.len())
            .filter(|i| given & (1 << (i + 2)) != 0)
            .map(|i| AFTER[i])
            .collect();
        for reversed in [false, true] {
            if reversed {
                fields.reverse();
                after.reverse();
            }
            let record = format!("\"record\":{{{}}}", fields.join(","));
            let mut top = vec![SUBJECT, r#""action":"view""#, &record];
            top.extend(&after);
            let text = format!("{{{}}}", top.join(","));
            assert!(agrees(&text), "declined: {text}");
            read += 1;
            let last = fields.last().copied().unwrap_or_default();
            let twice = text.replacen(last, &format!("{last},{last}"), 1);
            assert!(Request::scanned_from_json(&twice).is_none(), "{twice}");
        }
    }
    assert_eq!(read, 2048);
}
