//! A restriction's end (docs/semantics.md, "Time"): decisions and `caselock reviews
//! --ending-within` agree on what has ended or ends soon, in UK days; the end never changes a
//! decision; and a test's count before its next field is not read as a duration.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use caselock::eval::{Audience, Decider, Outcome, Request, Warning};
use caselock::report::ends::{self, Status};
use caselock::report::register::Format;
use caselock::span::SourceMap;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

const POLICY: &str = "examples/policies/time_limits";

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn request(
    placed: NaiveDate,
    ends: Option<NaiveDate>,
    renewals: u32,
    at: DateTime<Utc>,
) -> Request {
    let mut restriction = serde_json::json!({
        "category": "staff_conflict", "placed_on": placed.to_string(), "owner": "u-3",
        "renewals": renewals
    });
    if let Some(e) = ends {
        restriction["ends"] = e.to_string().into();
    }
    let json = serde_json::json!({
        "subject": {"id": "u-1", "roles": ["social_worker"], "organisation": "council"},
        "action": "view",
        "record": {"id": "C1", "restriction": restriction},
        "at": at.to_rfc3339()
    });
    Request::from_json(&json.to_string()).unwrap()
}

/// What a decision says of the restriction's end: ended, ends soon, or nothing, with the day.
fn said(d: &caselock::eval::Decision) -> Option<(Status, NaiveDate)> {
    d.warnings.iter().find_map(|w| match *w {
        Warning::RestrictionEnded(_, e) => Some((Status::Ended, e)),
        Warning::RestrictionEndsSoon(_, e) => Some((Status::Ending, e)),
        _ => None,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// One rule for both: a decision at any time of a UK day warns `restriction_ended` or
    /// `restriction_ends_soon` exactly when the report for that day, with a window as long as
    /// the category's notice (2 weeks), lists the restriction as ended or ending, with the same
    /// end; and the calendar never changes the decision itself.
    #[test]
    fn decisions_and_the_ending_report_agree(
        placed in 0i64..1500,
        stated in proptest::option::of(0i64..900),
        renewals in 0u32..4,
        day in 0i64..1200,
        minute in 0i64..(24 * 60),
    ) {
        let loaded = support::load(std::path::Path::new(POLICY));
        let decider = Decider::new(&loaded.table);
        let placed = date("2025-01-01") + Duration::days(placed);
        let stated = stated.map(|d| placed + Duration::days(d));
        let as_of = date("2025-06-01") + Duration::days(day);
        // Any minute of the UK day `as_of`.
        let start = chrono_tz::Europe::London
            .from_local_datetime(&as_of.and_hms_opt(0, 0, 0).unwrap())
            .earliest()
            .unwrap()
            .to_utc();
        let at = start + Duration::minutes(minute);
        prop_assume!(at.with_timezone(&chrono_tz::Europe::London).date_naive() == as_of);
        let req = request(placed, stated, renewals, at);
        let d = decider.decide(&req);
        let register = format!(
            "record_id,category,placed_on,ends,renewals,reviewer\nC1,staff_conflict,{placed},{},{renewals},u-3\n",
            stated.map_or(String::new(), |s| s.to_string())
        );
        let opts = ends::Options { as_of, within_days: 14, list_all: true };
        let r = ends::ends(&loaded.checked.policy, &loaded.sources, register.as_bytes(), Format::Csv, opts).unwrap();
        let line = &r.lines[0];
        let listed = matches!(line.status, Status::Ended | Status::Ending).then(|| (line.status, line.ends.unwrap()));
        prop_assert_eq!(said(&d), listed);
        let too_often = d.warnings.iter().any(|w| matches!(w, Warning::RestrictionRenewedTooOften(..)));
        prop_assert_eq!(too_often, line.renewed_too_often);
        let timeless = request(placed, None, 0, at);
        let t = decider.decide(&timeless);
        prop_assert_eq!((t.outcome, t.view, t.basis), (d.outcome, d.view, d.basis));
    }
}

/// The end is a UK day: in British Summer Time a restriction ending on 15 July has ended from
/// 23:00 GMT on 14 July, and the sentence a person reads says 00:00 on 15 July.
#[test]
fn the_end_is_the_start_of_the_uk_day_in_summer_and_winter() {
    let loaded = support::load(std::path::Path::new(POLICY));
    let decider = Decider::new(&loaded.table);
    let utc = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
    for (placed, before, after, words) in [
        (
            "2027-01-15",
            "2027-07-14T22:59:59Z",
            "2027-07-14T23:00:00Z",
            "00:00 on Thursday 15 July 2027 (UK time)",
        ),
        (
            "2027-06-01",
            "2027-11-30T23:59:59Z",
            "2027-12-01T00:00:00Z",
            "00:00 on Wednesday 1 December 2027 (UK time)",
        ),
    ] {
        let before = decider.decide(&request(date(placed), None, 0, utc(before)));
        assert!(
            matches!(said(&before), Some((Status::Ending, _))),
            "{placed}"
        );
        let req = request(date(placed), None, 0, utc(after));
        let d = decider.decide(&req);
        assert!(matches!(said(&d), Some((Status::Ended, _))), "{placed}");
        assert_eq!(d.outcome, Outcome::Allow);
        let r = decider.response(&req, &d, Some(Audience::Caseworker));
        let w = r
            .warnings
            .iter()
            .find(|w| w.message.contains("ended"))
            .unwrap();
        assert!(w.message.contains(words), "{}", w.message);
        assert!(r.explanation.unwrap().contains(words));
    }
}

/// Within the notice an allow carries the `restriction_ends_soon` obligation, worded in UK
/// time; a refused person is told nothing of the restriction's end, in any field.
#[test]
fn the_notice_is_an_obligation_and_a_refused_person_is_told_nothing() {
    let loaded = support::load(std::path::Path::new(POLICY));
    let decider = Decider::new(&loaded.table);
    let at = DateTime::parse_from_rfc3339("2026-11-20T10:00:00Z")
        .unwrap()
        .to_utc();
    let req = request(date("2026-06-01"), None, 0, at);
    let d = decider.decide(&req);
    let r = decider.response(&req, &d, None);
    let duty = r
        .obligations
        .iter()
        .find(|o| o.id == "restriction_ends_soon")
        .unwrap();
    assert_eq!(
        duty.text,
        "the Staff conflict of interest restriction ends at 00:00 on Tuesday 1 December 2026 (UK time): if it is still needed, ask for it to be renewed before then, or it is reported as ended"
    );
    // The excluded person, refused; past the end, with renewals over the limit.
    let mut refused = request(date("2025-06-01"), None, 3, at);
    refused.subject.id = caselock::eval::Id::new("u-9".to_string()).unwrap();
    if let Some(r) = refused.record.restriction.as_mut() {
        r.named_deny = vec![caselock::eval::ListEntry::Person(
            caselock::eval::Id::new("u-9".to_string()).unwrap(),
        )];
    }
    let d = decider.decide(&refused);
    assert_eq!(d.outcome, Outcome::Deny);
    assert!(
        d.warnings
            .iter()
            .any(|w| matches!(w, Warning::RestrictionEnded(..)))
    );
    let told = decider.response(&refused, &d, Some(Audience::Caseworker));
    let text = serde_json::to_string(&told).unwrap();
    assert!(told.warnings.is_empty(), "{text}");
    assert!(
        !text.contains("ended") && !text.contains("renewed"),
        "{text}"
    );
    let auditor = decider.response(&refused, &d, Some(Audience::Auditor));
    let codes: Vec<&str> = auditor.warnings.iter().map(|w| w.code.word()).collect();
    assert!(
        codes.contains(&"restriction_ended") && codes.contains(&"restriction_renewed_too_often"),
        "{codes:?}"
    );
}

/// Regression: in a test, `renewals 1 owner "u-3"` was read as the duration `1 owner`, so a
/// count could only end a line (and `caselock fmt`, filling lines, could join it with the next
/// field). A test duration's unit is a unit word.
#[test]
fn a_count_before_the_next_test_field_is_not_a_duration() {
    let text = std::fs::read_to_string(format!("{POLICY}/policy.policy")).unwrap()
        .replace(
            "\nend\n",
            "\ntest \"t\" {\n  subject \"u-1\" roles social_worker organisation council\n  record \"C1\" category staff_conflict renewals 1 owner \"u-3\" placed_on 2026-06-01\n  action view\n  at 2026-06-02T10:00:00Z\n  temporary_grant granted_at 2026-06-02T09:00:00Z for 2 working_days approved_by \"u-3\"\n  expect allow\n}\n\nend\n",
        );
    let mut sources = SourceMap::new();
    let id = sources.add("t.policy", text);
    let checked = caselock::check_files(&sources, &[id]).unwrap();
    let t = &checked.policy.tests[0];
    let r = &t.record.restrictions[0];
    assert_eq!(r.renewals, 1);
    assert_eq!(r.owner.as_deref(), Some("u-3"));
    assert_eq!(r.placed_on, Some(date("2026-06-01")));
    assert_eq!(t.temporary_grants.len(), 1);
    // Every unit word the language knows reads as a test duration.
    for (word, _) in caselock::policy::UNITS {
        let text = format!(
            "policy p \"P\"\naction view\norganisation council \"Council\" internal\nunrestricted {{\n  restriction exclude\n}}\ntest \"t\" {{\n  subject \"u-1\" organisation council\n  record \"R\"\n  action view\n  at 2026-06-02T10:00:00Z\n  temporary_grant granted_at 2026-06-02T09:00:00Z for 2 {word} approved_by \"u-3\"\n  expect allow\n}}\nend\n"
        );
        let mut sources = SourceMap::new();
        let id = sources.add("u.policy", text);
        let checked = caselock::check_files(&sources, &[id]);
        assert!(checked.is_ok(), "`2 {word}` in a test: {:?}", checked.err());
    }
}
