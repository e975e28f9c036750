//! The compiled table and the evaluator's public output: the table's bytes, loading it back,
//! and for each request fixture the decision JSON with both audiences' explanations.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::{Path, PathBuf};

use caselock::compile::{self, Layer, TableError};
use caselock::eval::{Audience, Basis, Decider, Outcome, Request, words};
use caselock::policy::RestrictionType;

/// The policy a request fixture's directory is for.
fn policy_for(fixture: &Path) -> PathBuf {
    let dir = fixture.parent().and_then(Path::file_name).unwrap();
    match dir.to_str().unwrap() {
        "casework" => PathBuf::from("tests/fixtures/policies/casework.policy"),
        other => Path::new("policies").join(other),
    }
}

fn casework() -> support::Loaded {
    support::load(Path::new("tests/fixtures/policies/casework.policy"))
}

#[test]
fn compiled_table_snapshot() {
    let table = casework().table;
    insta::assert_snapshot!(
        "casework_table",
        serde_json::to_string_pretty(&table).unwrap()
    );
}

#[test]
fn compiling_twice_gives_the_same_bytes_and_loads_back() {
    for path in support::bundled() {
        let a = compile::to_json(&support::load(&path).table);
        let b = compile::to_json(&support::load(&path).table);
        assert_eq!(a, b, "{} compiles to different bytes", path.display());
        let loaded = compile::load_table(&a).unwrap();
        assert_eq!(compile::to_json(&loaded), a);
        assert_eq!(loaded.format_version, compile::FORMAT_VERSION);
        assert_eq!(loaded.source_hash.len(), 64);
    }
}

#[test]
fn a_tampered_table_is_refused() {
    let text = compile::to_json(&casework().table);
    // Turn the absolute deny for partners into a grant, keeping the JSON valid.
    let tampered = text.replacen("\"effect\":\"deny\"", "\"effect\":\"allow\"", 1);
    assert_ne!(tampered, text);
    let err = compile::load_table(&tampered).unwrap_err();
    assert!(matches!(err, TableError::Hash), "{err:?}");
    assert!(err.to_string().contains("edited or corrupted"), "{err}");

    let version = format!("\"format_version\":{}", compile::FORMAT_VERSION);
    let other = text.replacen(&version, "\"format_version\":99", 1);
    assert_ne!(other, text);
    let err = compile::load_table(&other).unwrap_err();
    assert!(
        matches!(err, TableError::Version { found: 99, .. }),
        "{err:?}"
    );

    let err = compile::load_table("{\"hello\": 1}").unwrap_err();
    assert!(matches!(err, TableError::Malformed(_)), "{err:?}");
}

#[test]
fn a_table_whose_hierarchy_loops_or_dangles_is_refused() {
    for (parent, says) in [(0, "its own ancestor"), (9_999, "has no parent 9999")] {
        let mut table = casework().table;
        table.vocabulary.roles[0].parent = Some(parent);
        let err = compile::load_table(&compile::to_json(&table)).unwrap_err();
        assert!(matches!(err, TableError::Malformed(_)), "{err:?}");
        assert!(err.to_string().contains(says), "{err}");
    }
}

/// Sentences as a caseworker reads them: split after a full stop followed by a capital.
fn sentences(text: &str) -> usize {
    let b = text.as_bytes();
    1 + (1..b.len().saturating_sub(1))
        .filter(|&i| b[i - 1] == b'.' && b[i] == b' ' && b[i + 1].is_ascii_uppercase())
        .count()
}

#[test]
fn decisions_and_explanations() {
    insta::glob!(
        "fixtures/requests/{casework,nottingham-escr}/*.json",
        |path| {
            let loaded = support::load(&policy_for(path));
            let decider = Decider::new(&loaded.table);
            let req = Request::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
            let d = decider.decide(&req);
            let response = decider.response(&req, &d, None);
            let caseworker = decider.explain(&req, &d, Audience::Caseworker);
            let auditor = decider.explain(&req, &d, Audience::Auditor);
            let n = sentences(&caseworker);
            assert!(
                (2..=6).contains(&n),
                "{}: {n} sentences:\n{caseworker}",
                path.display()
            );
            let kind = match d.deny_kind {
                Some(k) => words::deny_heading(k),
                None => "Allowed",
            };
            // Without its reason disclosed, a refusal is only "Refused".
            assert!(
                caseworker.starts_with(kind) || caseworker.starts_with("Refused"),
                "{caseworker}"
            );
            // Categories that do not disclose their title or contact: nothing a refused caseworker
            // sees names them.
            if let (Outcome::Deny, Some((c, _))) = (d.outcome, decider.deciding_row(&d)) {
                let shown = format!(
                    "{}\n{caseworker}",
                    serde_json::to_string(&response).unwrap()
                );
                if !c.disclose.title {
                    for secret in std::iter::once(&c.name)
                        .chain(std::iter::once(&c.title))
                        .chain(&c.criteria)
                    {
                        assert!(
                            !shown.to_lowercase().contains(&secret.to_lowercase()),
                            "{}: `{secret}` disclosed:\n{shown}",
                            path.display()
                        );
                    }
                }
                if !c.disclose.contact {
                    let contact = c
                        .contact
                        .iter()
                        .flat_map(|k| k.text.iter().chain([&k.who.description]));
                    let approvers = c
                        .temporary
                        .iter()
                        .flat_map(|t| t.approved_by.iter().map(|a| &a.description));
                    for secret in contact.chain(approvers) {
                        assert!(
                            !shown.contains(secret.as_str()),
                            "`{secret}` disclosed:\n{shown}"
                        );
                    }
                }
                if d.view == caselock::policy::View::None {
                    assert!(
                        !shown.contains("restrict"),
                        "{}: a `denied_view none` refusal says the record is restricted:\n{shown}",
                        path.display()
                    );
                }
            }
            insta::assert_snapshot!(format!(
                "{}\n\n--- caseworker ---\n{caseworker}\n\n--- auditor ---\n{auditor}",
                serde_json::to_string_pretty(&response).unwrap()
            ));
        }
    );
}

#[test]
fn auditor_responses_carry_the_full_trace() {
    let loaded = casework();
    let decider = Decider::new(&loaded.table);
    let text = std::fs::read_to_string("tests/fixtures/requests/casework/concealed_category.json")
        .unwrap();
    let req = Request::from_json(&text).unwrap();
    let d = decider.decide(&req);
    let auditor = decider.response(&req, &d, Some(Audience::Auditor));
    assert_eq!(auditor.rule.as_deref(), Some("mappa.default"));
    let trace = auditor.trace.unwrap();
    assert!(trace.iter().filter(|s| s.decided).count() == 1);
    assert!(
        trace
            .iter()
            .any(|s| s.rule == "mappa.grant.1" && !s.matched)
    );
    // The caseworker's response hides what the auditor's shows.
    let caseworker = decider.response(&req, &d, Some(Audience::Caseworker));
    assert_eq!(caseworker.rule, None);
    assert_eq!(caseworker.trace, None);
}

#[test]
fn invalid_requests_are_clear_input_errors() {
    let cases = [
        ("malformed_time", "invalid time `2026-11-20 10:00`"),
        ("malformed_json", "invalid request"),
        ("misspelt_field", "unknown field `allocated_worker`"),
        ("bad_duration", "invalid duration `1 fortnight`"),
        (
            "empty_subject_id",
            "`subject.id`: invalid id \"\": an id may not be empty",
        ),
        ("empty_owner", "`record.restriction.owner`: invalid id \"\""),
        (
            "padded_allocated_worker",
            "`record.allocated_workers[0]`: invalid id \"u-2001 \": an id may not start or end with whitespace",
        ),
        (
            "control_character_id",
            "an id may not contain control characters",
        ),
        (
            "untyped_named_deny",
            "`record.restriction.named_deny[0]`: ambiguous entry \"placements\"",
        ),
    ];
    for (name, expected) in cases {
        let path = format!("tests/fixtures/requests/invalid/{name}.json");
        let err = Request::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap_err();
        assert!(
            err.to_string().contains(expected),
            "{name}: `{err}` does not say `{expected}`"
        );
    }
}

#[test]
fn fail_closed_decisions_name_the_problem() {
    let loaded = casework();
    let decider = Decider::new(&loaded.table);
    for (name, value) in [
        ("unknown_category", "adoptoin"),
        ("unknown_role", "social_worker"),
        ("unknown_action", "print"),
        // Regression: a differently cased team on an exclusion list was skipped, not refused.
        ("unknown_team_on_exclusion_list", "Fostering"),
        ("unknown_record_team", "fostering_south"),
    ] {
        let path = format!("tests/fixtures/requests/casework/{name}.json");
        let req = Request::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let d = decider.decide(&req);
        assert!(matches!(d.basis, Basis::FailClosed(_)), "{name}: {d:?}");
        assert_eq!(d.outcome, Outcome::Deny);
        // The auditor is told the offending value.
        let r = decider.response(&req, &d, Some(Audience::Auditor));
        assert!(
            r.reasons[0].contains(&format!("`{value}`")),
            "{name}: {:?}",
            r.reasons
        );
        assert_eq!(r.reasons[1], words::FAIL_CLOSED);
        // Issue #14 regression: anyone else is told only that the request failed closed; the
        // value can come from the record ("unknown category `mappa`").
        for audience in [None, Some(Audience::Caseworker)] {
            let told = decider.response(&req, &d, audience);
            assert_eq!(told.reasons, [words::FAIL_CLOSED], "{name}");
            assert_eq!(told.deny_kind, None, "{name}");
            let all = serde_json::to_string(&told).unwrap();
            assert!(!all.contains(value), "{name}: `{value}` echoed: {all}");
        }
    }
}

#[test]
fn semantics_doc_quotes_the_combining_rule_verbatim() {
    let doc = std::fs::read_to_string("docs/semantics.md").unwrap();
    let layers = [
        Layer::AbsoluteDeny,
        Layer::NamedExclusion,
        Layer::TemporaryOverride,
        Layer::Deny,
        Layer::Grant,
        Layer::Temporary,
        Layer::Default,
    ];
    let mut sentences: Vec<&str> = vec![
        words::LINKED,
        words::FORBIDDEN,
        words::NOT_PERMITTED,
        words::ABSOLUTE,
        words::FAIL_CLOSED,
        words::SEVERAL,
        words::FLAGS,
        words::ENDED,
        words::FACTS,
        words::CHAIN,
        words::ACTING,
    ];
    for layer in layers {
        for r in [RestrictionType::Universal, RestrictionType::Exclude] {
            sentences.push(words::combining_rule(layer, r));
        }
    }
    for s in sentences {
        assert!(
            doc.contains(s),
            "docs/semantics.md does not quote src/eval/words.rs verbatim:\n{s}"
        );
    }
}

/// A policy with `n` flags, each reviewed monthly; `None` when it does not check.
fn flagged_policy(n: usize) -> Option<compile::DecisionTable> {
    let mut text = String::from(
        "policy many_flags \"Many flags\" version 1\naction view\norganisation council \"Council\" internal\nunrestricted {\n  restriction exclude\n}\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "flag f{i} \"Flag {i}\" {{\n  warns \"Duty {i}\"\n  review every 1 month\n}}\n"
        ));
    }
    text.push_str("end\n");
    let mut sources = caselock::span::SourceMap::new();
    let id = sources.add("many.policy", text);
    let checked = caselock::check_files(&sources, &[id]).ok()?;
    Some(compile::compile(&checked, &sources))
}

/// The record's flags are a 64-bit set: 64 flags are allowed and the last of them works; a 65th
/// is refused by the checker, never dropped by the evaluator.
#[test]
fn sixty_four_flags_decide_and_a_sixty_fifth_is_refused() {
    assert!(flagged_policy(65).is_none(), "65 flags checked");
    let table = flagged_policy(64).unwrap();
    let decider = Decider::new(&table);
    let req = Request::from_json(
        r#"{"subject":{"id":"u-1","organisation":"council"},"action":"view",
            "record":{"id":"R1","flags":[{"flag":"f63","last_reviewed":"2026-01-01"},{"flag":"f0"},{"flag":"f63"}]},
            "at":"2026-11-22T10:00:00Z"}"#,
    )
    .unwrap();
    let d = decider.decide(&req);
    assert_eq!(d.outcome, Outcome::Allow);
    let resp = decider.response(&req, &d, None);
    // The policy's order, each flag once; the overdue review of the entry that gives its date.
    let ids: Vec<&str> = resp.obligations.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["f0", "f63"]);
    let codes: Vec<&str> = resp.warnings.iter().map(|w| w.code.word()).collect();
    assert_eq!(codes, ["flag_review_overdue"]);
    assert!(
        resp.warnings[0].message.starts_with("Flag 63: "),
        "{resp:?}"
    );
}

/// Issue #16 item 4: a linked record fails closed as the record itself would, and the auditor
/// is told the field at fault (`record.links[i]...`); anyone else only that it failed closed.
#[test]
fn a_linked_record_fails_closed_naming_the_field_to_the_auditor() {
    let loaded = support::load(Path::new("examples/policies/linked_records"));
    let decider = Decider::new(&loaded.table);
    let ask = |links: &str| {
        Request::from_json(&format!(
            r#"{{"subject": {{"id": "u-1", "roles": ["social_worker"], "organisation": "council"}},
                 "action": "view", "record": {{"id": "CR-1", "links": {links}}},
                 "at": "2026-11-22T10:00:00Z"}}"#
        ))
        .unwrap()
    };
    for (links, kind, said) in [
        (
            r#"[{"record": "SAR-1", "link": "adoption_recrod"}]"#,
            "unknown_link",
            "`adoption_recrod` at `record.links[0].link`",
        ),
        (
            r#"[{"record": "SAR-1", "link": "adoption_record", "restrictions": [{"category": "adoption"}]},
                {"record": "SAR-2", "link": "sibling_adoption_record", "restrictions": [{"category": "adoptoin"}]}]"#,
            "unknown_category",
            "The value is at `record.links[1].restrictions[0]`.",
        ),
        (
            r#"[{"record": "SAR-1", "link": "adoption_record", "restrictions": [{"category": "adoption"}, {"category": "adoption"}]}]"#,
            "repeated_category",
            "The value is at `record.links[0].restrictions[1]`.",
        ),
        (
            // A restriction whose category does not reach the link is checked all the same.
            r#"[{"record": "SAR-1", "link": "adoption_record", "restrictions": [{"category": "staff_conflict", "named_deny": [{"team": "nope"}]}]}]"#,
            "unknown_list_entry",
            "The value is at `record.links[0].restrictions[0].named_deny[0]`.",
        ),
    ] {
        let req = ask(links);
        let d = decider.decide(&req);
        let Basis::FailClosed(reason) = d.basis else {
            panic!("{links}: {d:?}");
        };
        assert_eq!(reason.word(), kind, "{links}");
        let r = decider.response(&req, &d, Some(Audience::Auditor));
        assert!(
            r.reasons.iter().any(|x| x.contains(said)),
            "{:?}",
            r.reasons
        );
        for audience in [None, Some(Audience::Caseworker)] {
            let told = decider.response(&req, &d, audience);
            assert_eq!(told.reasons, [words::FAIL_CLOSED], "{links}");
        }
    }
    // The record and a linked record may carry the same category: two restrictions, both
    // decided (neither is a repeat).
    let both = ask(
        r#"[{"record": "SAR-1", "link": "adoption_record", "restrictions": [{"category": "adoption", "named_allow": [{"person": "u-1"}]}]}]"#,
    );
    let mut req = both.clone();
    req.record.restriction = Some(caselock::eval::Restriction::new("adoption".to_string()));
    let d = decider.decide(&req);
    assert_eq!(d.outcome, Outcome::Deny);
    assert_eq!(decider.rule_id(&d), Some("adoption.default"));
    assert_eq!(d.via, None, "the record's own restriction refuses");
    assert_eq!(decider.decide(&both).outcome, Outcome::Allow);
}
