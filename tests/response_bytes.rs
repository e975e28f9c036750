//! The fast JSON path gives the same bytes as the reference path: a request read borrowing
//! from its text (`Request::borrowed_from_json`) and its response written straight to an output
//! (`Decider::write_response`) against the request read into owned strings and the `Response`
//! serialised by serde — on every example and fixture request, and on 10,000 random requests
//! over every bundled and example policy.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::{Path, PathBuf};

use caselock::compile::DecisionTable;
use caselock::eval::{Audience, Decider, Request};
use chrono::Utc;
use support::requests::{Rng, random_request};

/// The reference bytes and the fast bytes for one request text, or the two parse errors.
fn both_ways(decider: &Decider, text: &str, audience: Option<Audience>) -> (String, String) {
    let owned = Request::from_json(text);
    let borrowed = Request::borrowed_from_json(text);
    match (owned, borrowed) {
        (Ok(owned), Ok(borrowed)) => {
            assert_eq!(borrowed.to_owned_request(), owned, "{text}");
            // A request without `at` is decided now: decide both at one instant.
            let at = owned.at.unwrap_or_else(Utc::now);
            let d = decider.decide_at(&owned, at);
            let fast_d = decider.decide_at(&borrowed, at);
            assert_eq!(d, fast_d, "{text}");
            let reference = serde_json::to_string(&decider.response(&owned, &d, audience)).unwrap();
            let mut fast = Vec::new();
            decider
                .write_response(&borrowed, &fast_d, audience, &mut fast)
                .unwrap();
            (reference, String::from_utf8(fast).unwrap())
        }
        (Err(a), Err(b)) => (a.to_string(), b.to_string()),
        (a, b) => panic!(
            "one way reads the request and the other does not: {:?} / {:?}\n{text}",
            a.err(),
            b.err()
        ),
    }
}

fn policy_for_fixture(fixture: &Path) -> PathBuf {
    let dir = fixture.parent().and_then(Path::file_name).unwrap();
    match dir.to_str().unwrap() {
        "casework" | "invalid" => PathBuf::from("tests/fixtures/policies/casework.policy"),
        other => Path::new("policies").join(other),
    }
}

/// The bundled policy an example request is for: the file name begins with it.
fn policy_for_example(example: &Path) -> PathBuf {
    let name = example.file_name().unwrap().to_str().unwrap();
    let dir = if name.starts_with("nottingham-recording") {
        "nottingham-recording"
    } else if name.starts_with("nottingham-") {
        "nottingham-escr"
    } else {
        name.split('-').next().unwrap()
    };
    Path::new("policies").join(dir)
}

#[test]
fn every_example_and_fixture_request_writes_the_reference_bytes() {
    let mut cases: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut files = Vec::new();
    support::requests::json_files(Path::new("tests/fixtures/requests"), &mut files);
    cases.extend(files.iter().map(|f| (f.clone(), policy_for_fixture(f))));
    let mut examples = Vec::new();
    support::requests::json_files(Path::new("examples/requests"), &mut examples);
    cases.extend(examples.iter().map(|f| (f.clone(), policy_for_example(f))));
    assert!(cases.len() >= 30, "found {} request files", cases.len());
    for (file, policy) in cases {
        let decider = Decider::new(&support::load(&policy).table);
        let text = std::fs::read_to_string(&file).unwrap();
        for audience in [None, Some(Audience::Caseworker), Some(Audience::Auditor)] {
            let (reference, fast) = both_ways(&decider, &text, audience);
            assert_eq!(fast, reference, "{} ({audience:?})", file.display());
        }
    }
}

#[test]
fn ten_thousand_random_requests_write_the_reference_bytes() {
    // The examples among them: their flags have titles JSON must escape.
    let policies: Vec<(PathBuf, DecisionTable)> = support::bundled()
        .into_iter()
        .map(|p| {
            let t = support::load(&p).table;
            (p, t)
        })
        .collect();
    let deciders: Vec<Decider> = policies.iter().map(|(_, t)| Decider::new(t)).collect();
    let mut rng = Rng(0x0b17_e5a3);
    let mut at_least: [usize; 2] = [0, 0];
    for n in 0..10_000 {
        let k = n % policies.len();
        let text = random_request(&mut rng, &policies[k].1);
        let audience = if n % 10 == 0 {
            Some(Audience::Caseworker)
        } else {
            None
        };
        let (reference, fast) = both_ways(&deciders[k], &text, audience);
        assert_eq!(fast, reference, "{}: {text}", policies[k].0.display());
        at_least[usize::from(reference.contains("\"allow\""))] += 1;
    }
    // The requests reach both outcomes, and some are refused as input errors.
    assert!(at_least.iter().all(|n| *n > 500), "{at_least:?}");
}

#[test]
fn a_date_far_from_now_is_written_as_the_format_string_writes_it() {
    for (date, text) in [("0001-01-01", "0001-01-01"), ("9999-12-31", "9999-12-31")] {
        let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        let message = caselock::eval::words::ReviewOverdueText(d).to_string();
        assert!(message.contains(text), "{message}");
        assert!(message.contains(&d.format("%Y-%m-%d").to_string()));
    }
    let far = chrono::NaiveDate::from_ymd_opt(-1, 1, 1).unwrap();
    assert!(
        caselock::eval::words::ReviewOverdueText(far)
            .to_string()
            .contains(&far.format("%Y-%m-%d").to_string())
    );
}
