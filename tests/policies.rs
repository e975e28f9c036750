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
            run.coverage.rules.len(),
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
    let json = render::json(&runs, &sources);
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
