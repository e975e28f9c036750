//! Review and retention reports: calendar-correct dates, IDs only, invalid rows kept apart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use caselock::report::{self, OutputFormat, register::Format};
use caselock::span::SourceMap;
use chrono::NaiveDate;

fn fixture() -> (SourceMap, caselock::check::Checked) {
    let text = std::fs::read_to_string("tests/fixtures/reports/schedule.policy").unwrap();
    let mut sources = SourceMap::new();
    let id = sources.add("tests/fixtures/reports/schedule.policy", text);
    let checked = caselock::check_files(&sources, &[id]).unwrap();
    (sources, checked)
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn reviews_are_calendar_correct_and_carry_ids_only() {
    let (sources, checked) = fixture();
    let input = std::fs::File::open("tests/fixtures/reports/register.csv").unwrap();
    let opts = report::reviews::Options {
        as_of: date("2028-03-01"),
        within_days: 30,
        list_all: true,
    };
    let r = report::reviews::reviews(&checked.policy, &sources, input, Format::Csv, opts).unwrap();
    // Placed 31 August 2027, reviewed six-monthly: due 29 February 2028 (a leap year).
    let r1 = r.lines.iter().find(|l| l.record_id == "R1").unwrap();
    assert_eq!(r1.due, Some(date("2028-02-29")));
    // One month after 31 January is 29 February; the earlier `review_by` wins for R6.
    let r5 = r.lines.iter().find(|l| l.record_id == "R5").unwrap();
    assert_eq!(r5.due, Some(date("2028-02-29")));
    let r6 = r.lines.iter().find(|l| l.record_id == "R6").unwrap();
    assert_eq!(r6.due, Some(date("2028-02-20")));
    assert_eq!(r.counts.invalid, 2);
    assert_eq!(
        r.invalid.iter().map(|e| e.line).collect::<Vec<_>>(),
        vec![8, 9]
    );
    for format in [
        OutputFormat::Text,
        OutputFormat::Markdown,
        OutputFormat::Csv,
        OutputFormat::Json,
    ] {
        let out = report::render_reviews(&r, format);
        assert!(
            !out.contains("NAME-") && !out.contains("ADDRESS-"),
            "personal data leaked:\n{out}"
        );
        insta::assert_snapshot!(format!("reviews_{format:?}"), out);
    }
}

#[test]
fn retention_follows_the_schedule() {
    let (sources, checked) = fixture();
    let input = std::fs::File::open("tests/fixtures/reports/files.csv").unwrap();
    let r = report::retention::retention(
        &checked.policy,
        &sources,
        input,
        Format::Csv,
        date("2026-11-23"),
        true,
    )
    .unwrap();
    let f = |id: &str| r.files.iter().find(|f| f.file_id == id).unwrap();
    // 75 years after 28 February 1950.
    assert_eq!(f("F1").dispose_on, Some(date("2025-02-28")));
    assert_eq!(f("F1").action, "destroy");
    assert!(f("F1").due);
    assert_eq!(f("F2").action, "transfer");
    assert!(!f("F3").due);
    // Six years from the end of the financial year containing 10 May 2021 (31 March 2022).
    assert_eq!(f("F4").dispose_on, Some(date("2028-03-31")));
    assert_eq!(f("F5").dispose_on, None);
    assert_eq!(r.invalid.len(), 1);
    for format in [OutputFormat::Text, OutputFormat::Csv] {
        let out = report::render_retention(&r, format);
        assert!(!out.contains("NAME-"), "personal data leaked:\n{out}");
        insta::assert_snapshot!(format!("retention_{format:?}"), out);
    }
}

#[test]
fn json_lines_registers_are_read_too() {
    let (sources, checked) = fixture();
    let input = "{\"record_id\":\"R1\",\"category\":\"monthly\",\"placed_on\":\"2028-01-31\",\"name\":\"X\"}\nnot json\n";
    let opts = report::reviews::Options {
        as_of: date("2028-03-01"),
        within_days: 0,
        list_all: false,
    };
    let r = report::reviews::reviews(
        &checked.policy,
        &sources,
        input.as_bytes(),
        Format::JsonLines,
        opts,
    )
    .unwrap();
    assert_eq!(r.counts.overdue, 1);
    assert_eq!(r.invalid.len(), 1);
    assert_eq!(r.invalid[0].line, 2);
    assert_eq!(r.ignored_columns, vec!["name".to_string()]);
}

#[test]
fn json_array_registers_are_read_with_line_numbers() {
    let (sources, checked) = fixture();
    let input = std::fs::File::open("tests/fixtures/reports/register.json").unwrap();
    let opts = report::reviews::Options {
        as_of: date("2028-03-01"),
        within_days: 30,
        list_all: true,
    };
    let r = report::reviews::reviews(&checked.policy, &sources, input, Format::JsonLines, opts)
        .unwrap();
    let ids: Vec<&str> = r.lines.iter().map(|l| l.record_id.as_str()).collect();
    assert_eq!(ids, vec!["R1", "R9", "R5"], "grouped by reviewer");
    assert_eq!(
        r.invalid.iter().map(|e| e.line).collect::<Vec<_>>(),
        vec![6, 7],
        "bad rows are reported by the line they start on"
    );
    assert_eq!(r.ignored_columns, vec!["child_name", "date_of_birth"]);
    let r1 = &r.lines[0];
    assert_eq!(r1.rule, "tests/fixtures/reports/schedule.policy:7");
    for format in [
        OutputFormat::Text,
        OutputFormat::Markdown,
        OutputFormat::Json,
    ] {
        let out = report::render_reviews(&r, format);
        assert!(!out.contains("NAME-") && !out.contains("DOB-"), "{out}");
        assert!(
            out.contains("child_name"),
            "ignored columns are named:\n{out}"
        );
    }
}

#[test]
fn a_broken_json_array_keeps_the_rows_before_the_break() {
    let (sources, checked) = fixture();
    let input = "[\n{\"record_id\":\"R1\",\"category\":\"monthly\",\"placed_on\":\"2028-01-31\"},\n{\"record_id\": oops}\n]";
    let opts = report::reviews::Options {
        as_of: date("2028-03-01"),
        within_days: 0,
        list_all: true,
    };
    let r = report::reviews::reviews(
        &checked.policy,
        &sources,
        input.as_bytes(),
        Format::JsonLines,
        opts,
    )
    .unwrap();
    assert_eq!(r.lines.len(), 1);
    assert_eq!(r.invalid.len(), 1);
    assert_eq!(r.invalid[0].line, 3);
    assert!(
        !r.invalid[0].message.contains("oops"),
        "row content is never echoed"
    );
}

/// The outputs in `examples/reviews/`, `examples/retention/` and `examples/triggers/`, each as the CLI prints it.
/// `CASELOCK_BLESS=1 cargo test --test reports` rewrites them.
#[test]
fn the_examples_are_current() {
    let reviews = [
        "reviews",
        "--policy",
        "policies/nottingham-escr",
        "--register",
        "examples/registers/nottingham-restrictions.csv",
        "--as-of",
        "2026-11-23",
    ];
    let retention = [
        "retention",
        "--policy",
        "policies/nottingham-recording",
        "--register",
        "examples/registers/nottingham-files.csv",
        "--as-of",
        "2026-11-23",
        "--all",
    ];
    let ending = [
        "reviews",
        "--policy",
        "examples/policies/time_limits",
        "--register",
        "examples/registers/time-limits-restrictions.csv",
        "--as-of",
        "2026-11-23",
        "--ending-within",
        "14d",
    ];
    let triggers = [
        "triggers",
        "--policy",
        "examples/policies/permanence",
        "--register",
        "examples/registers/permanence-records.csv",
    ];
    let bless = std::env::var_os("CASELOCK_BLESS").is_some();
    for (args, dir, name) in [
        (&reviews[..], "examples/reviews", "nottingham-restrictions"),
        (&ending[..], "examples/reviews", "time-limits-ending"),
        (&retention[..], "examples/retention", "nottingham-files"),
        (&triggers[..], "examples/triggers", "permanence-records"),
    ] {
        for (format, ext) in [
            ("text", "txt"),
            ("markdown", "md"),
            ("csv", "csv"),
            ("json", "json"),
        ] {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_caselock"))
                .args(args)
                .args(["--format", format])
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            assert!(
                out.status.code().is_some_and(|c| c <= 1),
                "{args:?} --format {format} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let printed = String::from_utf8(out.stdout).unwrap();
            assert!(
                !printed.contains("NAME-"),
                "personal data leaked:\n{printed}"
            );
            let path = format!("{dir}/{name}.{ext}");
            if bless {
                std::fs::create_dir_all(dir).unwrap();
                std::fs::write(&path, &printed).unwrap();
            }
            let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
            assert_eq!(
                on_disk, printed,
                "{path} is stale: run `CASELOCK_BLESS=1 cargo test --test reports`"
            );
        }
    }
}

/// One review rule, used by both: a decision warns "review overdue" exactly when
/// `caselock reviews` lists the restriction as overdue, with the same due date, for every kind
/// of schedule (every, never, until, none) and every placement of an explicit `review_by`.
#[test]
fn eval_and_reviews_agree_on_what_is_overdue() {
    use caselock::eval::{Decider, Request, Warning};
    use caselock::report::reviews::Status;
    let (sources, checked) = fixture();
    let decider = Decider::new(&caselock::compile::compile(&checked, &sources));
    let as_of = date("2028-03-01");
    let opts = report::reviews::Options {
        as_of,
        within_days: 30,
        list_all: true,
    };
    for category in ["six_monthly", "monthly", "adoption", "scr", "unscheduled"] {
        for placed in ["2027-01-01", "2028-02-15"] {
            for review_by in ["", "2028-02-01", "2028-03-01", "2028-06-01"] {
                let register = format!(
                    "record_id,category,placed_on,last_reviewed,review_by,reviewer,team\n\
                     R1,{category},{placed},,{review_by},s-1,t-1\n"
                );
                let r = report::reviews::reviews(
                    &checked.policy,
                    &sources,
                    register.as_bytes(),
                    Format::Csv,
                    opts,
                )
                .unwrap();
                let line = &r.lines[0];
                let review_by = if review_by.is_empty() {
                    serde_json::Value::Null
                } else {
                    review_by.into()
                };
                let request = serde_json::json!({
                    "subject": {"id": "u-1", "organisation": "council"},
                    "action": "view",
                    "record": {"id": "R1", "restriction": {
                        "category": category, "placed_on": placed, "review_by": review_by}},
                    "at": "2028-03-01T12:00:00Z"
                });
                let d = decider.decide(&Request::from_json(&request.to_string()).unwrap());
                let warned = d.warnings.iter().find_map(|w| match w {
                    Warning::ReviewOverdue(due) => Some(*due),
                    _ => None,
                });
                let listed = (line.status == Status::Overdue)
                    .then_some(line.due)
                    .flatten();
                assert_eq!(warned, listed, "{category}, placed {placed}, {review_by}");
            }
        }
    }
}

#[test]
fn a_policy_without_a_review_schedule_says_so_once() {
    let (sources, checked) = camden();
    let input = std::fs::File::open("tests/fixtures/reports/camden-register.csv").unwrap();
    let opts = report::reviews::Options {
        as_of: date("2026-06-01"),
        within_days: 30,
        list_all: true,
    };
    let r = report::reviews::reviews(&checked.policy, &sources, input, Format::Csv, opts).unwrap();
    assert!(r.invalid.is_empty(), "{:?}", r.invalid);
    assert_eq!(r.counts.unscheduled, 2);
    // The one date on the register still counts, as it does for a decision.
    assert_eq!(r.counts.overdue, 1);
    // Each unscheduled line says why: the source gives no interval (`review unstated`).
    let unstated = r
        .lines
        .iter()
        .filter(|l| {
            l.basis
                .contains("no review interval: the source document gives none (004")
        })
        .count();
    assert_eq!(unstated, 3, "{:?}", r.lines);
    for format in [
        OutputFormat::Text,
        OutputFormat::Markdown,
        OutputFormat::Json,
    ] {
        let out = report::render_reviews(&r, format);
        assert_eq!(out.matches("has no review schedule").count(), 1, "{out}");
    }
}

#[test]
fn a_policy_without_a_retention_schedule_says_so_once() {
    let (sources, checked) = camden();
    let input = std::fs::File::open("tests/fixtures/reports/camden-files.csv").unwrap();
    let r = report::retention::retention(
        &checked.policy,
        &sources,
        input,
        Format::Csv,
        date("2026-06-01"),
        true,
    )
    .unwrap();
    assert!(r.invalid.is_empty(), "{:?}", r.invalid);
    assert_eq!(r.unscheduled, 2);
    for format in [
        OutputFormat::Text,
        OutputFormat::Markdown,
        OutputFormat::Json,
    ] {
        let out = report::render_retention(&r, format);
        assert_eq!(out.matches("has no retention schedule").count(), 1, "{out}");
    }
}

/// Camden's policy: categories without a review interval (004 gives none: `review unstated`) and
/// no retention schedule.
fn camden() -> (SourceMap, caselock::check::Checked) {
    let mut sources = SourceMap::new();
    let mut ids = Vec::new();
    for file in ["policy", "categories", "tests"] {
        let path = format!("policies/camden/{file}.policy");
        ids.push(sources.add(path.clone(), std::fs::read_to_string(&path).unwrap()));
    }
    let checked = caselock::check_files(&sources, &ids).unwrap();
    assert!(
        checked.policy.categories.iter().all(|c| matches!(
            c.review.as_ref().map(|r| &r.schedule),
            None | Some(caselock::policy::Schedule::Unstated(_))
        )),
        "Camden has gained a review schedule: pick another policy for these tests"
    );
    (sources, checked)
}

/// A register row may name a flag instead of a category: a flag is reviewed on its own schedule
/// (or by the row's `review_by`), listed with IDs only, and an unknown flag, or a row naming both
/// a category and a flag, is an invalid row.
#[test]
fn flags_are_reviewed_from_the_register_like_restrictions() {
    let mut sources = SourceMap::new();
    let found = caselock::loader::discover(
        std::path::Path::new("examples/policies/home_visits"),
        &mut sources,
    )
    .unwrap();
    let checked = caselock::check_files(&sources, &found[0].files).unwrap();
    let input = std::fs::File::open("tests/fixtures/reports/home-visits-register.csv").unwrap();
    let opts = report::reviews::Options {
        as_of: date("2026-11-23"),
        within_days: 30,
        list_all: true,
    };
    let r = report::reviews::reviews(&checked.policy, &sources, input, Format::Csv, opts).unwrap();
    let line = |id: &str, flag: Option<&str>| {
        r.lines
            .iter()
            .find(|l| l.record_id == id && l.flag.as_deref() == flag)
            .unwrap_or_else(|| panic!("no line for {id} {flag:?}: {:#?}", r.lines))
    };
    // Six-monthly from the last review on 1 March: due 1 September, overdue.
    let h1 = line("H1", Some("hazard"));
    assert_eq!(h1.due, Some(date("2026-09-01")));
    assert_eq!(h1.status, report::reviews::Status::Overdue);
    assert_eq!(h1.category, None);
    // The same record's restriction is its own line.
    assert_eq!(line("H1", None).category.as_deref(), Some("domestic_abuse"));
    // Yearly from placement on 10 January 2026: not yet due.
    assert_eq!(
        line("H2", Some("alert")).status,
        report::reviews::Status::Fine
    );
    // Never reviewed, deliberately; unless the record sets its own date.
    assert_eq!(
        line("H3", Some("adoption_placement")).status,
        report::reviews::Status::Never
    );
    assert_eq!(
        line("H4", Some("adoption_placement")).status,
        report::reviews::Status::Overdue
    );
    assert_eq!(
        r.invalid.iter().map(|e| e.line).collect::<Vec<_>>(),
        vec![7, 8]
    );
    let text = report::render_reviews(&r, OutputFormat::Text);
    assert!(text.contains("flag hazard"), "{text}");
    let csv = report::render_reviews(&r, OutputFormat::Csv);
    assert!(csv.starts_with("record_id,category,flag,"), "{csv}");
    assert!(
        csv.contains("H1,,hazard,u-3001,,overdue,2026-09-01,"),
        "{csv}"
    );
}

/// `--ending-within` takes days or weeks; anything else is a usage error (exit 2), and a row the
/// ending report cannot use is skipped by line number, never echoed (exit 1).
#[test]
fn the_ending_report_refuses_a_bad_window_and_skips_bad_rows() {
    let run = |window: &str, register: &str| {
        let dir = std::env::temp_dir().join(format!("caselock-ending-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("register-{}.csv", window.len()));
        std::fs::write(&path, register).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_caselock"))
            .args([
                "reviews",
                "--policy",
                "examples/policies/time_limits",
                "--register",
            ])
            .arg(&path)
            .args(["--as-of", "2026-11-23", "--ending-within", window])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    let good = "record_id,category,placed_on,ends,renewals,child_name\nC1,staff_conflict,2026-06-01,,,SECRET-NAME\n";
    assert_eq!(run("2 fortnights", good).0, Some(2));
    let (code, out) = run("14d", good);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("ending   C1") && !out.contains("SECRET"),
        "{out}"
    );
    let bad = "record_id,category,flag,placed_on,ends,renewals\nC1,staff_conflict,,2026-06-01,,two\nC2,staff_conflit,,2026-06-01,,\nC3,,hazard,,,\n";
    let (code, out) = run("2w", bad);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("line 2: `renewals` is not a whole number"),
        "{out}"
    );
    assert!(
        out.contains("line 3: unknown category `staff_conflit`"),
        "{out}"
    );
    assert!(out.contains("line 4: unknown flag `hazard`"), "{out}");
}

/// One reading of the rules about restrictions: `caselock triggers` lists a register's record as
/// missing a restriction exactly when a decision on it warns `restriction_required` for that
/// category, and as carrying a forbidden restriction or combination exactly when a decision on it
/// fails closed for that reason.
#[test]
fn eval_and_triggers_agree() {
    use caselock::eval::{Basis, Decider, FailReason, Request, Warning};
    use caselock::report::triggers::{Finding, triggers};
    let mut sources = SourceMap::new();
    let files = caselock::loader::discover(
        std::path::Path::new("examples/policies/permanence"),
        &mut sources,
    )
    .unwrap()
    .remove(0)
    .files;
    let checked = caselock::check_files(&sources, &files).unwrap();
    let decider = Decider::new(&caselock::compile::compile(&checked, &sources));
    let text = std::fs::read_to_string("examples/registers/permanence-records.csv").unwrap();
    let report = triggers(
        &decider,
        text.as_bytes(),
        caselock::report::register::Format::Csv,
    )
    .unwrap();
    assert_eq!(report.invalid.len(), 1, "P8 states an undeclared fact");
    let mut lines = text.lines();
    lines.next();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let split = |s: &str| -> Vec<String> {
            s.split(';')
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect()
        };
        let (id, categories, facts) = (cells[0], split(cells[1]), split(cells[2]));
        let restrictions: Vec<serde_json::Value> = categories
            .iter()
            .map(|c| serde_json::json!({"category": c, "placed_on": "2026-06-01"}))
            .collect();
        let req: Request = serde_json::from_value(serde_json::json!({
            "subject": {"id": "u-1", "roles": ["social_worker"], "organisation": "council"},
            "action": "view",
            "record": {"id": id, "restrictions": restrictions, "facts": facts},
            "at": "2026-11-22T10:00:00Z"
        }))
        .unwrap();
        let d = decider.decide(&req);
        let listed: Vec<_> = report.lines.iter().filter(|l| l.record_id == id).collect();
        let warned: Vec<String> = d
            .warnings
            .iter()
            .filter_map(|w| match w {
                Warning::RestrictionRequired(t) => {
                    let t = &decider.table().restriction_rules.triggers[*t as usize];
                    Some(decider.table().categories[t.category as usize].name.clone())
                }
                _ => None,
            })
            .collect();
        let required: Vec<String> = listed
            .iter()
            .filter(|l| l.finding == Finding::Required)
            .map(|l| l.category.clone())
            .collect();
        assert_eq!(warned, required, "record {id}");
        let refused = match d.basis {
            Basis::FailClosed(FailReason::RestrictionNotAllowed(_)) => Some(Finding::NotAllowed),
            Basis::FailClosed(FailReason::ExclusiveRestrictions(_)) => Some(Finding::Exclusive),
            _ => None,
        };
        let forbidden = listed
            .iter()
            .map(|l| l.finding)
            .find(|f| *f != Finding::Required);
        assert_eq!(refused, forbidden, "record {id}");
    }
}

/// `caselock triggers --facts`: which restrictions one record's facts require, and whether it may
/// carry some; exit 1 when it may not or lacks a required one, 2 for an undeclared fact.
#[test]
fn one_record_is_told_what_it_must_carry_and_why() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_caselock"))
            .args(["triggers", "--policy", "examples/policies/permanence"])
            .args(args)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (code, out, _) = run(&["--facts", "adoption_plan"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("must carry:\n  adoption (Adoption): restricted when an adoption workflow is started (policy.policy:"),
        "{out}"
    );
    let (code, out, _) = run(&["--facts", "adoption_plan", "--categories", "adoption"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("It may carry adoption."), "{out}");
    let (code, out, _) = run(&[
        "--facts",
        "post_adoption_record",
        "--categories",
        "adoption",
    ]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("may not be restricted under `adoption`: This Post Adoption Record should not be restricted"),
        "{out}"
    );
    let (code, out, _) = run(&["--facts", "relative_of_staff", "--categories", "adoption"]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("It does not carry staff_relative, which it must."),
        "{out}"
    );
    let (code, out, _) = run(&[
        "--facts",
        "",
        "--categories",
        "adoption,staff_relative",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(1));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["may_carry"], false);
    assert!(
        v["refusal"]
            .as_str()
            .unwrap()
            .contains("may not be combined")
    );
    let (code, _, err) = run(&["--facts", "adoption_pln"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("`adoption_pln` (`--facts` entry 1) is not a fact the policy declares"));
    // A policy that says nothing is automatic says so.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_caselock"))
        .args(["triggers", "--policy", "policies/devon", "--facts", ""])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("The policy says nothing requires a restriction: 001:15"),
        "{text}"
    );
}
