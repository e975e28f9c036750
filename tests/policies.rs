//! The test runner over the bundled policies (every test passes, every rule is reached), and
//! snapshots of its output on small fixtures, failing ones included.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use caselock::span::SourceMap;
use caselock::testing::{self, PolicyRun, render};

/// Loads and checks every policy under a path and runs its tests.
fn run_all(path: &str) -> (SourceMap, Vec<(String, PolicyRun)>) {
    let mut sources = SourceMap::new();
    let policies = caselock::loader::discover(Path::new(path), &mut sources).unwrap();
    let mut runs = Vec::new();
    for p in &policies {
        let root = caselock::loader::display_name(&p.root);
        let checked = match caselock::check_files(&sources, &p.files) {
            Ok(c) => c,
            Err(d) => panic!(
                "{root} does not check:\n{}",
                caselock::diag::Renderer::new(&sources, false, 100).render_all(&d)
            ),
        };
        assert!(
            checked.warnings.is_empty(),
            "{root} has warnings:\n{}",
            caselock::diag::Renderer::new(&sources, false, 100).render_all(&checked.warnings)
        );
        runs.push((root, testing::run(&checked, &sources, None)));
    }
    (sources, runs)
}

const STYLE: render::Style = render::Style {
    coverage: true,
    color: false,
    width: 80,
};

#[test]
fn every_bundled_policy_passes_its_tests_with_every_rule_covered() {
    let (sources, runs) = run_all("policies");
    let ids: Vec<&str> = runs.iter().map(|(_, r)| r.policy.as_str()).collect();
    assert!(
        ids.contains(&"nottingham_escr"),
        "bundled policies: {ids:?}"
    );
    for (root, run) in &runs {
        let text = render::human(run, root, &sources, STYLE);
        assert_eq!(run.failed(), 0, "{text}");
        assert!(run.passed() >= 15, "{root} has only {} tests", run.passed());
        assert_eq!(
            run.coverage.covered(),
            run.coverage.reachable(),
            "{root} has rules no test reaches:\n{text}"
        );
    }
}

/// The first line of a fixture: `# expect: CL0114` or `# expect: 2 passed, 1 failed`.
fn expectation(text: &str) -> String {
    text.lines()
        .next()
        .and_then(|l| l.strip_prefix("# expect:"))
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

#[test]
fn runner_output_on_fixtures() {
    insta::glob!("fixtures/testing/*.policy", |path| {
        let name = format!(
            "tests/fixtures/testing/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        let text = std::fs::read_to_string(path).unwrap();
        let (sources, runs) = run_all(&name);
        let [(root, run)] = runs.as_slice() else {
            panic!("{name} is not one policy");
        };
        let expect = expectation(&text);
        assert!(!expect.is_empty(), "{name} has no `# expect:` line");
        if expect.starts_with("CL") {
            let mut codes: Vec<String> = run
                .warnings
                .iter()
                .map(|d| d.code.to_string())
                .chain(run.results.iter().flat_map(|r| match &r.status {
                    testing::Status::Invalid(d) => d.iter().map(|d| d.code.to_string()).collect(),
                    _ => Vec::new(),
                }))
                .collect();
            codes.sort();
            codes.dedup();
            let wanted: Vec<String> = expect.split(',').map(|c| c.trim().to_string()).collect();
            assert_eq!(codes, wanted, "codes for {name}");
        } else {
            assert_eq!(
                format!("{} passed, {} failed", run.passed(), run.failed()),
                expect,
                "counts for {name}"
            );
        }
        let mut out = render::human(run, root, &sources, STYLE);
        out.push_str(&render::summary(&runs, 0, true));
        insta::assert_snapshot!(out);
    });
}

#[test]
fn json_output_of_a_failing_run() {
    let (sources, runs) = run_all("tests/fixtures/testing/failing.policy");
    let json = render::json(&runs, 0, &sources);
    assert_eq!(json["failed"], 2);
    assert_eq!(json["policies"][0]["tests"][1]["status"], "failed");
    assert_eq!(
        json["policies"][0]["tests"][1]["actual"]["rule"],
        "adoption.deny.1"
    );
    insta::assert_json_snapshot!(json);
}

#[test]
fn filter_selects_tests_by_name() {
    let mut sources = SourceMap::new();
    let p = caselock::loader::discover(
        Path::new("tests/fixtures/testing/passing.policy"),
        &mut sources,
    )
    .unwrap();
    let checked = caselock::check_files(&sources, &p[0].files).unwrap();
    let run = testing::run(&checked, &sources, Some("police"));
    assert_eq!(run.results.len(), 1);
    assert_eq!(run.results[0].name, "police never see adoption records");
    assert_eq!(run.coverage.covered(), 1);
}

/// 003:184-200: the bundled retention schedule gives each file type its disposal date.
/// The retention report of one policy over a register in tests/fixtures/testing/, on 22
/// November 2026.
fn retention_of(policy: &str, register: &str) -> caselock::report::retention::RetentionReport {
    let mut sources = SourceMap::new();
    let p = caselock::loader::discover(Path::new(policy), &mut sources).unwrap();
    let checked = caselock::check_files(&sources, &p[0].files).unwrap();
    let register = std::fs::read(Path::new("tests/fixtures/testing").join(register)).unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    caselock::report::retention::retention(
        &checked.policy,
        &sources,
        register.as_slice(),
        caselock::report::register::Format::Csv,
        as_of,
        true,
    )
    .unwrap()
}

#[test]
fn nottingham_retention_schedule_dates() {
    let r = retention_of("policies/nottingham-recording", "recording-files.csv");
    assert!(r.invalid.is_empty(), "{:?}", r.invalid);
    let got: Vec<(String, Option<String>, String, bool)> = {
        let mut v: Vec<_> = r
            .files
            .iter()
            .map(|f| {
                (
                    f.file_id.clone(),
                    f.dispose_on.map(|d| d.to_string()),
                    f.action.clone(),
                    f.due,
                )
            })
            .collect();
        v.sort();
        v
    };
    let want = |id: &str, date: Option<&str>, action: &str, due: bool| {
        (
            id.to_string(),
            date.map(str::to_string),
            action.to_string(),
            due,
        )
    };
    assert_eq!(
        got,
        vec![
            // 75 years after a 28 February birth
            want("J800001", Some("2025-02-28"), "destroy", true),
            // "unless known to Adult Services": included with their main file
            want("J800002", Some("2025-02-28"), "transfer", true),
            want("J800003", Some("2026-05-01"), "destroy", true),
            // 10 years after fostering approval ends
            want("J800004", Some("2026-11-30"), "destroy", false),
            // 6 years from the end of the financial year (31 March 2021)
            want("J800005", Some("2027-03-31"), "destroy", false),
            // 1 year from notification
            want("J800006", Some("2026-11-21"), "destroy", true),
            // "Permanently: Do not dispose"
            want("J800007", None, "retain", false),
            want("J800008", Some("2100-01-01"), "destroy", false),
            // 35 years from closure
            want("J800009", Some("2026-01-01"), "destroy", true),
        ]
    );
}

/// The example policies (examples/policies/) pass their tests with every rule reached, and
/// check without a warning.
#[test]
fn example_policies_pass_their_tests_with_every_rule_covered() {
    let (sources, runs) = run_all("examples/policies");
    assert!(!runs.is_empty(), "no example policy found");
    for (root, run) in &runs {
        let text = render::human(run, root, &sources, STYLE);
        assert_eq!(run.failed(), 0, "{text}");
        assert!(run.passed() >= 10, "{root} has only {} tests", run.passed());
        assert_eq!(
            run.coverage.covered(),
            run.coverage.reachable(),
            "{root} has rules no test reaches:\n{text}"
        );
    }
}

/// `keep 10 years from approval_end or date_of_death`: the period runs from the latest date the
/// row gives; an empty cell is an event that has not happened; a row with none of the dates, or
/// a malformed one, is refused with the columns named.
#[test]
fn retention_runs_from_the_latest_of_several_anchors() {
    let r = retention_of("examples/policies/fostering", "fostering-files.csv");
    let mut got: Vec<(String, String)> = r
        .files
        .iter()
        .map(|f| {
            let date = f.dispose_on.map_or("-".to_string(), |d| d.to_string());
            (f.file_id.clone(), date)
        })
        .collect();
    got.sort();
    let want: Vec<(String, String)> = [
        // approval ended, the carer is alive: from the end of approval
        ("F900001", "2025-06-30"),
        // died after approval ended: from the death, the later date
        ("F900002", "2030-02-28"),
        // only a death: from the death
        ("F900003", "2026-11-21"),
        // approval ended after the death: from the end of approval
        ("F900004", "2028-01-31"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);
    let errors: Vec<String> = r.invalid.iter().map(|e| e.message.clone()).collect();
    assert_eq!(
        errors,
        vec![
            "no `approval_end` or `date_of_death` date for file type `foster_carers`".to_string(),
            "`approval_end` is not a date (use YYYY-MM-DD or DD/MM/YYYY)".to_string(),
        ]
    );
}

/// examples/requests/README.md: each council's example request and its decision.
#[test]
fn example_requests_decide_as_documented() {
    let cases = [
        (
            "nottingham-escr",
            "nottingham-adoption-allocated",
            "allow",
            "adoption.grant.1",
        ),
        (
            "devon",
            "devon-adoption-virtual-school",
            "deny",
            "adoption.deny.1",
        ),
        (
            "gloucestershire",
            "gloucestershire-short-term-access",
            "allow",
            "locked.temporary",
        ),
        (
            "camden",
            "camden-qau-allocated-worker",
            "deny",
            "qau.default",
        ),
        (
            "nottingham-recording",
            "nottingham-recording-subject-access",
            "allow",
            "unrestricted.grant.4",
        ),
    ];
    let readme = std::fs::read_to_string("examples/requests/README.md").unwrap();
    for (policy, request, decision, rule) in cases {
        let mut sources = SourceMap::new();
        let dir = format!("policies/{policy}");
        let p = caselock::loader::discover(Path::new(&dir), &mut sources).unwrap();
        let checked = caselock::check_files(&sources, &p[0].files).unwrap();
        let decider = caselock::eval::Decider::new(&caselock::compile::compile(&checked, &sources));
        let text = std::fs::read_to_string(format!("examples/requests/{request}.json")).unwrap();
        let req = caselock::eval::Request::from_json(&text).unwrap();
        let d = decider.decide(&req);
        assert_eq!(d.outcome.word(), decision, "{request}");
        assert_eq!(decider.rule_id(&d), Some(rule), "{request}");
        assert!(
            readme.contains(&format!("`{request}.json` | `policies/{policy}`"))
                && readme.contains(&format!("`{rule}`")),
            "examples/requests/README.md does not list {request}"
        );
    }
}

/// `caselock test`: exit 0 when all pass, 1 on a failure, 2 on a missing path.
#[test]
fn exit_codes() {
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_caselock"))
            .args(args)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let ok = run(&["test", "tests/fixtures/testing/passing.policy"]);
    assert_eq!(ok.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("3 passed, 0 failed"));
    let failing = run(&[
        "test",
        "tests/fixtures/testing/failing.policy",
        "--coverage",
    ]);
    assert_eq!(failing.status.code(), Some(1));
    let out = String::from_utf8_lossy(&failing.stdout);
    assert!(out.contains("1 passed, 2 failed"), "{out}");
    assert!(out.contains("NOT COVERED"), "{out}");
    let filtered = run(&[
        "test",
        "tests/fixtures/testing/failing.policy",
        "--filter",
        "access list",
    ]);
    assert_eq!(filtered.status.code(), Some(0));
    let json = run(&[
        "test",
        "tests/fixtures/testing/failing.policy",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["failed"], 2);
    let missing = run(&["test", "tests/fixtures/testing/no-such.policy"]);
    assert_eq!(missing.status.code(), Some(2));
    let bad_flag = run(&["test", "policies", "--format", "xml"]);
    assert_eq!(bad_flag.status.code(), Some(2));
}

/// policies/COVERAGE.md stays true: every `FILE.policy:LINE` it cites is a line of rules (not
/// blank, not a comment), and every test it names exists.
#[test]
fn coverage_md_cites_real_lines_and_tests() {
    let cov = std::fs::read_to_string("policies/COVERAGE.md").unwrap();
    let dirs = [
        ("000", "nottingham-escr"),
        ("001", "devon"),
        ("002", "gloucestershire"),
        ("003", "nottingham-recording"),
        ("004", "camden"),
    ];
    let mut dir: Option<&str> = None;
    let mut checked = 0;
    for line in cov.lines() {
        if let Some(rest) = line.strip_prefix("## ") {
            dir = dirs
                .iter()
                .find(|(doc, _)| rest.starts_with(doc))
                .map(|(_, d)| *d);
            continue;
        }
        let Some(dir) = dir else { continue };
        let cols: Vec<&str> = line.split('|').collect();
        if cols.len() < 6 || cols[1].trim() == "line" || cols[1].starts_with(" ---") {
            continue;
        }
        // Construct column: `file.policy:N`, or `:N` for the last file named in the cell.
        let mut file = "categories".to_string();
        for word in cols[3].split_whitespace() {
            let word = word.trim_matches(|c: char| ";,()`".contains(c));
            let Some((name, number)) = word.rsplit_once(':') else {
                continue;
            };
            let Ok(n) = number.split('–').next().unwrap().parse::<usize>() else {
                continue;
            };
            if let Some(f) = name.strip_suffix(".policy") {
                file = f.to_string();
            } else if !name.is_empty() {
                continue;
            }
            let path = format!("policies/{dir}/{file}.policy");
            let text = std::fs::read_to_string(&path).unwrap();
            let cited = text.lines().nth(n - 1).unwrap_or("").trim();
            assert!(
                !cited.is_empty() && !cited.starts_with('#'),
                "COVERAGE.md cites {path}:{n}, which is `{cited}`"
            );
            checked += 1;
        }
        // Test column: names of tests of this policy (`prefix...` and `prefix:` match a start).
        let tests = std::fs::read_to_string(format!("policies/{dir}/tests.policy")).unwrap();
        let names: Vec<&str> = tests
            .lines()
            .filter_map(|l| l.strip_prefix("test \"")?.strip_suffix("\" {"))
            .collect();
        for (i, quoted) in cols[4].split('`').enumerate() {
            let q = quoted.trim();
            if i % 2 == 0
                || !q.contains(':')
                || ["explains", "conceals", "obligations"]
                    .iter()
                    .any(|w| q.starts_with(w))
            {
                continue;
            }
            let found = match q.split_once("...") {
                Some((prefix, _)) => names.iter().any(|n| n.starts_with(prefix.trim_end())),
                None if q.ends_with(':') => names.iter().any(|n| n.starts_with(q)),
                None => names.contains(&q),
            };
            assert!(
                found,
                "COVERAGE.md names a test `{q}` that {dir} does not have"
            );
        }
    }
    assert!(checked > 80, "only {checked} citations found");
}

/// Privacy: the bundled policies and examples carry placeholder people only, never an e-mail
/// address (the source documents name a mailbox; the policies name a team instead).
#[test]
fn policies_and_examples_carry_no_addresses() {
    for root in ["policies", "examples/requests"] {
        for entry in std::fs::read_dir(root).unwrap().flatten() {
            let paths: Vec<std::path::PathBuf> = if entry.path().is_dir() {
                std::fs::read_dir(entry.path())
                    .unwrap()
                    .flatten()
                    .map(|e| e.path())
                    .collect()
            } else {
                vec![entry.path()]
            };
            for p in paths {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                assert!(
                    !text.contains('@'),
                    "{} contains an e-mail address",
                    p.display()
                );
            }
        }
    }
}

/// `caselock check`, the CI gate, refuses a policy whose test block is malformed (a field the
/// statement does not take, a missing `at`), with the code and the place: the test runner no
/// longer meets such a test.
#[test]
fn check_refuses_a_malformed_test_block() {
    for (fixture, code, place) in [
        (
            "tests/fixtures/diagnostics/CL0114_unknown_test_field.policy",
            "CL0114",
            "CL0114_unknown_test_field.policy:21:17",
        ),
        (
            "tests/fixtures/diagnostics/CL0301_test_missing_at.policy",
            "CL0301",
            "CL0301_test_missing_at.policy:20:6",
        ),
    ] {
        for command in ["check", "test"] {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_caselock"))
                .args([command, fixture])
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(out.status.code(), Some(1), "{command} {fixture}: {text}");
            assert!(
                text.contains(&format!("error[{code}]")) && text.contains(place),
                "{command} {fixture}: {text}"
            );
        }
    }
}
