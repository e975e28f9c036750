//! Static analysis: one fixture per CL02xx code (human and JSON snapshots), the findings on the
//! bundled policies, and the SARIF log (snapshot plus the fields GitHub code scanning requires).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::Path;

use caselock::diag::{Diagnostic, Renderer, json_diagnostics, sarif};
use caselock::span::SourceMap;
use serde_json::Value;

fn expected_codes(text: &str) -> BTreeSet<String> {
    text.lines()
        .next()
        .and_then(|l| l.strip_prefix("# expect:"))
        .map(|codes| codes.split(',').map(|c| c.trim().to_string()).collect())
        .unwrap_or_default()
}

/// Checks and analyses every policy under `path`, with names relative to the crate.
fn analyse(path: &Path, sources: &mut SourceMap) -> Vec<Diagnostic> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut out = Vec::new();
    for p in caselock::loader::discover(rel, sources)
        .or_else(|_| caselock::loader::discover(path, sources))
        .unwrap()
    {
        match caselock::check_files(sources, &p.files) {
            Ok(c) => {
                out.extend(c.warnings.clone());
                out.extend(caselock::analyse::analyse(&c, sources).unwrap());
            }
            Err(d) => out.extend(d),
        }
    }
    caselock::diag::sort(&mut out);
    out
}

#[test]
fn every_analysis_fixture_produces_its_codes() {
    insta::glob!("fixtures/analysis/*.policy", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let mut sources = SourceMap::new();
        let diags = analyse(path, &mut sources);
        let got: BTreeSet<String> = diags.iter().map(|d| d.code.as_str().to_string()).collect();
        let expected = expected_codes(&text);
        assert!(
            !expected.is_empty(),
            "{} has no `# expect:` line",
            path.display()
        );
        assert_eq!(expected, got, "codes for {}", path.display());
        let human = Renderer::new(&sources, false, 100).render_all(&diags);
        let json = serde_json::to_string_pretty(&json_diagnostics(&sources, &diags)).unwrap();
        insta::assert_snapshot!(format!("{text}\n---\n{human}\n---\n{json}"));
    });
}

#[test]
fn bundled_policies_have_no_analysis_errors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = SourceMap::new();
    let diags = analyse(&root.join("policies"), &mut sources);
    let errors: Vec<&Diagnostic> = diags.iter().filter(|d| d.is_error()).collect();
    assert!(
        errors.is_empty(),
        "{}",
        Renderer::new(&sources, false, 100).render_all(&diags)
    );
    // The warnings that remain are real findings (see COVERAGE.md); the snapshot keeps them in
    // view, so a new one is noticed.
    let summary: Vec<String> = diags
        .iter()
        .map(|d| format!("{} {}: {}", d.code, sources.cite(d.primary.span), d.message))
        .collect();
    insta::assert_snapshot!(summary.join("\n"));
}

fn sarif_of(fixture: &str) -> Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = SourceMap::new();
    let diags = analyse(
        &root.join("tests/fixtures/analysis").join(fixture),
        &mut sources,
    );
    sarif(
        &sources,
        &diags,
        root,
        Some("https://example.org/caselock/docs/diagnostics.md"),
    )
}

#[test]
fn sarif_snapshot() {
    let log = sarif_of("CL0202_grant_barred_by_absolute_deny.policy");
    // The rules list is the whole registry; the snapshot keeps the result and one rule.
    let run = &log["runs"][0];
    let rule = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "CL0202")
        .unwrap();
    insta::assert_json_snapshot!(serde_json::json!({
        "version": log["version"],
        "$schema": log["$schema"],
        "driver": run["tool"]["driver"]["name"],
        "rule": rule,
        "results": run["results"],
    }));
}

/// The fields SARIF 2.1.0 requires, and the ones GitHub code scanning reads.
#[test]
fn sarif_has_the_required_fields() {
    for fixture in [
        "CL0201_grants_with_different_obligations.policy",
        "CL0208_escalation_cycle.policy",
        "CL0213_no_review.policy",
    ] {
        let log = sarif_of(fixture);
        assert_eq!(log["version"], "2.1.0");
        assert!(log["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
        let runs = log["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1);
        let driver = &runs[0]["tool"]["driver"];
        assert_eq!(driver["name"], "caselock");
        let rules = driver["rules"].as_array().unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        for r in rules {
            assert!(r["id"].as_str().unwrap().starts_with("CL"));
            assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty());
            assert!(!r["fullDescription"]["text"].as_str().unwrap().is_empty());
            assert!(r["helpUri"].as_str().unwrap().starts_with("https://"));
            let level = r["defaultConfiguration"]["level"].as_str().unwrap();
            assert!(["error", "warning", "note"].contains(&level));
        }
        let results = runs[0]["results"].as_array().unwrap();
        assert!(!results.is_empty(), "{fixture} has findings");
        for res in results {
            let id = res["ruleId"].as_str().unwrap();
            let index = res["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(ids[index], id, "ruleIndex points at ruleId");
            assert!(["error", "warning"].contains(&res["level"].as_str().unwrap()));
            assert!(!res["message"]["text"].as_str().unwrap().is_empty());
            let locations = res["locations"].as_array().unwrap();
            assert_eq!(locations.len(), 1);
            let related = res["relatedLocations"].as_array().unwrap();
            for loc in locations.iter().chain(related) {
                let phys = &loc["physicalLocation"];
                let uri = phys["artifactLocation"]["uri"].as_str().unwrap();
                assert!(
                    !uri.starts_with('/') && !uri.contains('\\'),
                    "relative uri {uri}"
                );
                let region = &phys["region"];
                let start = region["startLine"].as_u64().unwrap();
                assert!(start >= 1);
                assert!(region["startColumn"].as_u64().unwrap() >= 1);
                assert!(region["endLine"].as_u64().unwrap() >= start);
            }
            for (i, loc) in related.iter().enumerate() {
                assert_eq!(loc["id"].as_u64().unwrap() as usize, i + 1);
                assert!(loc["message"]["text"].is_string());
            }
        }
    }
}

/// `caselock check`: exit codes with and without `--deny-warnings`, and SARIF on stdout.
#[test]
fn check_command_exit_codes_and_sarif() {
    let bin = env!("CARGO_BIN_EXE_caselock");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = |args: &[&str]| {
        std::process::Command::new(bin)
            .current_dir(dir)
            .args(args)
            .output()
            .unwrap()
    };
    let error = "tests/fixtures/analysis/CL0202_grant_barred_by_absolute_deny.policy";
    let warning = "tests/fixtures/analysis/CL0213_no_review.policy";
    assert_eq!(run(&["check", error]).status.code(), Some(1));
    assert_eq!(run(&["check", warning]).status.code(), Some(0));
    assert_eq!(
        run(&["check", "--deny-warnings", warning]).status.code(),
        Some(1)
    );
    assert_eq!(
        run(&["check", "--no-analysis", error]).status.code(),
        Some(0)
    );
    assert_eq!(run(&["check", "no/such/path"]).status.code(), Some(2));
    let out = run(&["check", "--format", "sarif", error]);
    assert_eq!(out.status.code(), Some(1));
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "CL0202");
}

/// The law "a restriction only narrows" (docs/semantics.md), proved exactly with the condition
/// engine: for every category and action of every bundled policy, everyone allowed on a
/// restricted record is allowed on the same record unrestricted.
#[test]
fn no_restriction_widens_access_on_any_bundled_policy() {
    use caselock::analyse::{Partition, Space};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut sources = SourceMap::new();
    let mut proved = 0;
    for p in caselock::loader::discover(&dir, &mut sources).unwrap() {
        let checked = caselock::check_files(&sources, &p.files).unwrap();
        let table = caselock::compile::compile(&checked, &sources);
        let space = Space::new(&table).unwrap();
        let u = table.unrestricted.as_ref().unwrap();
        for (a, _) in u.decisions.iter().enumerate() {
            let a = a as u32;
            let open = Partition::new(&space, 0, &table, u, a).allowed(&space, u, a);
            for c in &table.categories {
                let restricted = Partition::new(&space, 0, &table, c, a).allowed(&space, c, a);
                let wider = restricted.minus(&open);
                assert!(
                    wider.is_empty(),
                    "{}: `{}` widens action {a} for {:?}",
                    table.policy.id,
                    c.name,
                    space.witness(&wider)
                );
                proved += 1;
            }
        }
    }
    assert!(proved > 50, "only {proved} category × action pairs");
}

/// Regression: CL0203 once called an absolute deny redundant because the default refuses the
/// same people, although removing it turns *forbidden* into *not permitted* and changes what the
/// caseworker is told. Every "changes nothing" law compares the whole response.
#[test]
fn an_absolute_deny_before_the_default_is_not_redundant() {
    let text = r#"policy t "Absolute deny" version 1
action view
role team_manager "Team Manager"
organisation council "Council" internal, police "Police" partner
approve place by role team_manager
category adoption "Adoption" {
  restriction universal
  grant view to internal organisations
  deny all to partner organisations absolute
  review every 3 months by role team_manager
}

end
"#;
    let mut sources = SourceMap::new();
    let id = sources.add("absolute.policy", text.to_string());
    let checked = caselock::check_files(&sources, &[id]).unwrap();
    let findings = caselock::analyse::analyse(&checked, &sources).unwrap();
    assert!(
        findings.iter().all(|d| d.code.as_str() != "CL0203"),
        "{:?}",
        findings.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
}

/// Checks and analyses one policy given as text.
fn diagnose_text(text: &str) -> (SourceMap, Result<caselock::check::Checked, Vec<Diagnostic>>) {
    let mut sources = SourceMap::new();
    let id = sources.add("shared.policy".to_string(), text.to_string());
    let checked = caselock::check_files(&sources, &[id]);
    (sources, checked)
}

const SHARED: &str = r#"policy shared "Shared rules" version 1
action view, edit
role helpdesk
team edt
team panel
team adopters
organisation council "Council" internal
approve place by team adopters
rules out_of_hours "Out of hours" {
  grant view to team edt
  deny all to role helpdesk absolute
}
rules panel_reading {
  grant view to team panel
}
use out_of_hours
unrestricted {
  restriction exclude
  use panel_reading
}
category adoption {
  restriction universal
  review every 3 months by team adopters
  grant all to team adopters
  use panel_reading
  deny edit to team panel
}
category other {
  restriction universal
  review every 3 months by team adopters
  grant all to team adopters
}
end
"#;

/// A shared rule becomes a rule of each category that uses it: a top-level `use` before the
/// category's own statements, a category's `use` in its place; ids `CATEGORY.BLOCK.KIND.N`;
/// spans on the `rules` block; the unrestricted block only by its own `use`.
#[test]
fn shared_rules_are_inlined_in_place_with_stable_ids_and_spans() {
    let (sources, checked) = diagnose_text(SHARED);
    let checked = checked.unwrap();
    let p = &checked.policy;
    let ids = |name: &str| -> Vec<String> {
        p.category(name)
            .unwrap()
            .rules
            .iter()
            .map(|r| r.id.clone())
            .collect()
    };
    assert_eq!(
        ids("adoption"),
        [
            "adoption.out_of_hours.grant.1",
            "adoption.out_of_hours.deny.1",
            "adoption.grant.1",
            "adoption.panel_reading.grant.1",
            "adoption.deny.1",
        ]
    );
    assert_eq!(
        ids("other"),
        [
            "other.out_of_hours.grant.1",
            "other.out_of_hours.deny.1",
            "other.grant.1"
        ]
    );
    let unrestricted: Vec<&str> = p
        .unrestricted
        .as_ref()
        .unwrap()
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(unrestricted, ["unrestricted.panel_reading.grant.1"]);
    let rule = &p.category("other").unwrap().rules[0];
    assert_eq!(sources.cite(rule.span), "shared.policy:10");
    // The compiled table and its explanation carry the shared rule's id and line.
    let table = caselock::compile::compile(&checked, &sources);
    let sheet = caselock::report::table::Sheet::new(&table);
    let other = sheet.categories.iter().find(|c| c.name == "other").unwrap();
    let line = other
        .rules
        .iter()
        .find(|r| r.rule == "other.out_of_hours.grant.1")
        .unwrap();
    assert!(line.source.ends_with("shared.policy:10"), "{}", line.source);
}

/// A diagnostic about a shared rule points at its line in the `rules` block: here the category
/// grants the panel `view` itself before `use`, so the shared grant that follows repeats it.
#[test]
fn a_finding_about_a_shared_rule_lands_on_the_rules_block() {
    let text = SHARED.replace(
        "  use panel_reading\n  deny edit to team panel\n",
        "  grant view to team panel\n  use panel_reading\n",
    );
    let (sources, checked) = diagnose_text(&text);
    let checked = checked.unwrap();
    let diags = caselock::analyse::analyse(&checked, &sources).unwrap();
    let on_block: Vec<String> = diags
        .iter()
        .map(|d| format!("{} {}", d.code, sources.cite(d.primary.span)))
        .collect();
    assert!(
        on_block.iter().any(|d| d.ends_with("shared.policy:14")),
        "{}",
        Renderer::new(&sources, false, 100).render_all(&diags)
    );
}

/// Errors: a block used twice in one category (the top-level `use` counts), an unknown block;
/// a warning for a block nothing uses.
#[test]
fn shared_rules_used_twice_unknown_or_unused_are_reported() {
    let twice = SHARED.replace(
        "  use panel_reading\n  deny",
        "  use panel_reading, out_of_hours\n  deny",
    );
    let (_, checked) = diagnose_text(&twice);
    let codes: Vec<&str> = checked
        .as_ref()
        .unwrap_err()
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(codes, ["CL0110"]);
    let unknown = SHARED.replace("  use panel_reading\n  deny", "  use panel_readin\n  deny");
    let (_, checked) = diagnose_text(&unknown);
    let errs = checked.unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].code.as_str(), "CL0101");
    assert!(
        errs[0]
            .help
            .as_deref()
            .unwrap_or("")
            .contains("panel_reading")
    );
    let unused = SHARED
        .replace("  use panel_reading\n  deny edit to team panel\n", "")
        .replace("  use panel_reading\n}", "}");
    let (_, checked) = diagnose_text(&unused);
    let warnings: Vec<String> = checked
        .unwrap()
        .warnings
        .iter()
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    assert_eq!(
        warnings,
        ["CL0115: rules block `panel_reading` is declared but never used"]
    );
}

/// `review unstated "why"`: no CL0213 (never reviewed) or CL0206 (no reviewer), so
/// `--deny-warnings` passes, and the table shows the known gap with its reason.
#[test]
fn review_unstated_is_a_known_gap_not_a_warning() {
    let text = SHARED.replace(
        "category other {\n  restriction universal\n  review every 3 months by team adopters",
        "category other {\n  restriction universal\n  review unstated \"the example gives no interval\"",
    );
    let (sources, checked) = diagnose_text(&text);
    let checked = checked.unwrap();
    let mut diags = checked.warnings.clone();
    diags.extend(caselock::analyse::analyse(&checked, &sources).unwrap());
    assert!(
        !diags
            .iter()
            .any(|d| ["CL0213", "CL0206"].contains(&d.code.as_str())),
        "{}",
        Renderer::new(&sources, false, 100).render_all(&diags)
    );
    let without = SHARED.replace(
        "category other {\n  restriction universal\n  review every 3 months by team adopters\n",
        "category other {\n  restriction universal\n",
    );
    let (sources2, checked2) = diagnose_text(&without);
    let codes: Vec<&str> = caselock::analyse::analyse(&checked2.unwrap(), &sources2)
        .unwrap()
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert!(codes.contains(&"CL0213"), "{codes:?}");
    let table = caselock::compile::compile(&checked, &sources);
    let sheet = caselock::report::table::Sheet::new(&table);
    let other = sheet.categories.iter().find(|c| c.name == "other").unwrap();
    assert_eq!(
        other.review.text,
        "not stated by the source document, a known gap (the example gives no interval)"
    );
}

/// `keep ... from A or B`: each anchor known and named once.
#[test]
fn retention_anchors_are_known_and_named_once() {
    let with = |keep: &str| {
        SHARED.replace(
            "end\n",
            &format!("retention carers {{\n  {keep}\n}}\nend\n"),
        )
    };
    let (_, ok) = diagnose_text(&with("keep 10 years from approval_end or date_of_death"));
    let p = ok.unwrap().policy;
    assert_eq!(
        format!("{:?}", p.retention[0].keep),
        "For(Period { amount: 10, unit: Years }, [ApprovalEnd, DateOfDeath])"
    );
    let (_, twice) = diagnose_text(&with("keep 10 years from closure or closure"));
    let errs = twice.unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].message, "retention anchor `closure` is named twice");
    let (_, unknown) = diagnose_text(&with("keep 10 years from closure or deth"));
    let errs = unknown.unwrap_err();
    assert_eq!(errs[0].message, "unknown retention anchor `deth`");
}

/// Issue #14: the disclosure analysis finds the side channels of Camden's and Nottingham's
/// policies as they were before disclosure was closed by default (copies with every category
/// open unless it concealed its title), and none on the bundled policies now.
#[test]
fn disclosure_side_channels_of_the_policies_as_they_were_and_none_now() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let codes = |dir: &str| -> BTreeSet<String> {
        let mut sources = SourceMap::new();
        analyse(&root.join(dir), &mut sources)
            .iter()
            .filter(|d| d.code.as_str().starts_with("CL023"))
            .map(|d| format!("{} {}", d.code, d.message))
            .collect()
    };
    let camden = codes("tests/fixtures/disclosure/camden-before");
    assert!(
        camden
            .iter()
            .any(|m| m.starts_with("CL0230") && m.contains("`qau`")),
        "{camden:?}"
    );
    let nottingham = codes("tests/fixtures/disclosure/nottingham-escr-before");
    assert!(
        nottingham
            .iter()
            .any(|m| m.starts_with("CL0230") && m.contains("`high_profile`")),
        "{nottingham:?}"
    );
    assert_eq!(codes("policies"), BTreeSet::new());
}

/// `approve place unstated "why"`: no CL0207, the table lists the known gap; a category's own
/// approver still wins over a policy-wide `unstated`.
#[test]
fn approve_unstated_is_a_known_gap_not_a_warning() {
    let without = SHARED.replace("approve place by team adopters\n", "");
    let (sources, checked) = diagnose_text(&without);
    let codes: Vec<String> = caselock::analyse::analyse(&checked.unwrap(), &sources)
        .unwrap()
        .iter()
        .map(|d| d.code.as_str().to_string())
        .collect();
    assert_eq!(
        codes.iter().filter(|c| *c == "CL0207").count(),
        2,
        "{codes:?}"
    );
    let text = SHARED.replace(
        "approve place by team adopters\n",
        "approve place unstated \"the example names nobody\"\n",
    );
    let text = text.replace(
        "category other {\n  restriction universal\n",
        "category other {\n  restriction universal\n  approve place by team adopters\n",
    );
    let (sources, checked) = diagnose_text(&text);
    let checked = checked.unwrap();
    let codes: Vec<String> = caselock::analyse::analyse(&checked, &sources)
        .unwrap()
        .iter()
        .map(|d| d.code.as_str().to_string())
        .collect();
    assert!(!codes.contains(&"CL0207".to_string()), "{codes:?}");
    let table = caselock::compile::compile(&checked, &sources);
    let sheet = caselock::report::table::Sheet::new(&table);
    let chains = |name: &str| -> Vec<String> {
        let c = sheet.categories.iter().find(|c| c.name == name).unwrap();
        c.approvals
            .iter()
            .map(|a| format!("{}: {}", a.purpose, a.chain))
            .collect()
    };
    assert_eq!(
        chains("adoption"),
        [
            "placing the restriction: nobody: not stated by the source document, a known gap (the example names nobody)"
        ]
    );
    assert!(
        chains("other")[0].starts_with("placing the restriction: ")
            && !chains("other")[0].contains("known gap"),
        "{:?}",
        chains("other")
    );
    let (_, empty) = diagnose_text(&SHARED.replace(
        "approve place by team adopters\n",
        "approve place unstated \"\"\n",
    ));
    let errs = empty.unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].code.as_str(), "CL0119");
}
