//! Several systems, one policy: mapping files checked against the policy (one fixture and
//! snapshot per code, CL0150-CL0153), and requests in a system's own names translated before
//! they are decided, an unmapped name refused with a reason naming the system and the value.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use caselock::compile::{self, DecisionTable};
use caselock::diag::Renderer;
use caselock::eval::{Decider, Outcome, Request};
use caselock::mapping::{self, Mapping, Vocabulary};
use caselock::span::SourceMap;

const POLICY: &str = "tests/fixtures/policies/casework.policy";

fn table() -> DecisionTable {
    let mut sources = SourceMap::new();
    let id = sources.add(POLICY, std::fs::read_to_string(POLICY).unwrap());
    let checked = caselock::check_files(&sources, &[id]).unwrap();
    compile::compile(&checked, &sources)
}

fn mapping(path: &str, table: &DecisionTable) -> Mapping {
    let mut sources = SourceMap::new();
    let text = std::fs::read_to_string(path).unwrap();
    let id = sources.add(path, text.clone());
    mapping::parse(id, &text)
        .unwrap()
        .mapping(&Vocabulary::of(table))
        .unwrap()
}

#[test]
fn every_mapping_fixture_produces_its_codes() {
    let table = table();
    insta::glob!("fixtures/mappings/*.toml", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let expected: BTreeSet<String> = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect:"))
            .map(|c| c.split(',').map(|c| c.trim().to_string()).collect())
            .unwrap_or_default();
        assert!(
            !expected.is_empty(),
            "{} has no `# expect:`",
            path.display()
        );
        let name = format!(
            "tests/fixtures/mappings/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        let mut sources = SourceMap::new();
        let id = sources.add(name, text.clone());
        let diags = match mapping::parse(id, &text) {
            Ok(f) => mapping::check(&f, &Vocabulary::of(&table)),
            Err(d) => vec![d],
        };
        let got: BTreeSet<String> = diags.iter().map(|d| d.code.as_str().to_string()).collect();
        assert_eq!(expected, got, "codes for {}", path.display());
        let rendered = Renderer::new(&sources, false, 80).render_all(&diags);
        insta::assert_snapshot!(format!("{text}\n---\n{rendered}"));
    });
}

/// A request in the policy's own names, and the same request in a system's names.
fn request(roles: &[&str], teams: &[&str], organisation: &str) -> Request {
    let text =
        std::fs::read_to_string("tests/fixtures/requests/casework/allowed_via_grant.json").unwrap();
    let mut req = Request::from_json(&text).unwrap();
    req.subject.roles = roles.iter().map(|s| s.to_string()).collect();
    req.subject.teams = teams.iter().map(|s| s.to_string()).collect();
    req.subject.organisation = organisation.to_string();
    req
}

#[test]
fn two_systems_names_decide_as_the_policys_own_names() {
    let table = table();
    let decider = Decider::new(&table);
    let liquid = mapping("tests/fixtures/systems/liquid_logic.toml", &table);
    let mosaic = mapping("tests/fixtures/systems/mosaic.toml", &table);
    let own = request(&["worker"], &["edt"], "council");
    let want = decider.response(&own, &decider.decide(&own), None);
    assert_eq!(want.decision, Outcome::Allow);
    for (m, req) in [
        (&liquid, request(&["Social Worker"], &["EDT"], "NCC")),
        // Looked up ignoring case.
        (&liquid, request(&["social worker"], &["edt"], "ncc")),
        (&mosaic, request(&["SWK"], &["ADULT-EDT"], "COUNCIL")),
    ] {
        let t = m.translate(req, &decider);
        assert!(t.unmapped.is_empty(), "{:?}", t.unmapped);
        assert_eq!(t.request, own);
        let got = decider.response(&t.request, &decider.decide(&t.request), None);
        assert_eq!(got, want);
    }
}

#[test]
fn an_unmapped_name_is_refused_with_the_system_and_the_value() {
    let table = table();
    let decider = Decider::new(&table);
    let liquid = mapping("tests/fixtures/systems/liquid_logic.toml", &table);
    for (req, field, value) in [
        (
            request(&["Social Worker", "Locum"], &[], "NCC"),
            "subject.roles[1]",
            "Locum",
        ),
        (
            request(&["Social Worker"], &["Fostering South"], "NCC"),
            "subject.teams[0]",
            "Fostering South",
        ),
        (
            request(&["Social Worker"], &[], "Health"),
            "subject.organisation",
            "Health",
        ),
    ] {
        let t = liquid.translate(req, &decider);
        assert_eq!(t.unmapped.len(), 1);
        assert_eq!(t.unmapped[0].field, field);
        assert_eq!(t.unmapped[0].value, value);
        let d = decider.decide(&t.request);
        let mut resp = decider.response(&t.request, &d, None);
        t.explain(&mut resp);
        assert_eq!(resp.decision, Outcome::Deny, "{resp:?}");
        assert_eq!(resp.rule, None, "refused before any rule: {resp:?}");
        assert!(
            resp.reasons[0].contains(&format!("`{value}`"))
                && resp.reasons[0].contains("system `liquid_logic`"),
            "{:?}",
            resp.reasons
        );
    }
}

/// A system name that happens to be one of the policy's identifiers is still translated (or
/// refused), never passed through: Mosaic has no mapping for `worker`.
#[test]
fn a_policy_identifier_sent_by_a_system_without_a_mapping_for_it_is_refused() {
    let table = table();
    let decider = Decider::new(&table);
    let mosaic = mapping("tests/fixtures/systems/mosaic.toml", &table);
    let t = mosaic.translate(request(&["worker"], &["edt"], "council"), &decider);
    // `council` is Mosaic's `COUNCIL` (names match ignoring case); `worker` and `edt` are not listed.
    assert_eq!(t.unmapped.len(), 2, "{:?}", t.unmapped);
    let d = decider.decide(&t.request);
    assert_eq!(d.outcome, Outcome::Deny);
}

#[test]
fn access_and_exclusion_lists_and_record_teams_are_translated() {
    let table = table();
    let decider = Decider::new(&table);
    let liquid = mapping("tests/fixtures/systems/liquid_logic.toml", &table);
    let mut req = request(&["Social Worker"], &[], "NCC");
    req.record.teams = vec!["EDT".to_string()];
    let r = req.record.restriction.as_mut().unwrap();
    r.named_allow =
        serde_json::from_str(r#"[{"team": "Fostering (North)"}, {"person": "u-1"}]"#).unwrap();
    r.named_deny = serde_json::from_str(r#"[{"role": "IRO"}, {"role": "Volunteer"}]"#).unwrap();
    let t = liquid.translate(req, &decider);
    assert_eq!(t.request.record.teams, ["edt"]);
    let r = t.request.record.restriction.as_ref().unwrap();
    assert_eq!(r.named_allow[0].value(), "fostering_north");
    assert_eq!(r.named_allow[1].value(), "u-1");
    assert_eq!(r.named_deny[0].value(), "iro");
    assert_eq!(t.unmapped.len(), 1);
    assert_eq!(t.unmapped[0].field, "record.restriction.named_deny[1]");
}

/// A linked record's restriction carries lists too: they are translated, and an unmapped name
/// on one is named by its field in `record.links`.
#[test]
fn a_linked_records_lists_are_translated() {
    let table = table();
    let decider = Decider::new(&table);
    let liquid = mapping("tests/fixtures/systems/liquid_logic.toml", &table);
    let mut req = request(&["Social Worker"], &[], "NCC");
    req.record.links = serde_json::from_str(
        r#"[{"record": "J2", "link": "x", "restrictions": [
              {"category": "adoption"},
              {"category": "staff_conflict", "named_deny": [{"role": "IRO"}, {"role": "Volunteer"}]}]}]"#,
    )
    .unwrap();
    let t = liquid.translate(req, &decider);
    let linked = &t.request.record.links[0].restrictions[1];
    assert_eq!(linked.named_deny[0].value(), "iro");
    assert_eq!(t.unmapped.len(), 1);
    assert_eq!(
        t.unmapped[0].field,
        "record.links[0].restrictions[1].named_deny[1]"
    );
}

fn caselock(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_caselock"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn check_validates_mapping_files_against_the_policy() {
    let ok = caselock(&[
        "check",
        POLICY,
        "--no-analysis",
        "--mapping",
        "tests/fixtures/systems/liquid_logic.toml",
        "--mapping",
        "tests/fixtures/systems/mosaic.toml",
    ]);
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(stdout.contains("mapping of system `mosaic`"), "{stdout}");
    let bad = caselock(&[
        "check",
        POLICY,
        "--no-analysis",
        "--format",
        "json",
        "--mapping",
        "tests/fixtures/mappings/CL0151_unknown_target.toml",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&bad.stdout).unwrap();
    assert_eq!(report["errors"], 1, "{report}");
    assert_eq!(report["diagnostics"][0]["code"], "CL0151");
}

#[test]
fn eval_translates_with_a_mapping_and_refuses_a_broken_one() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mapping-eval");
    std::fs::create_dir_all(&dir).unwrap();
    let req = dir.join("request.json");
    std::fs::write(
        &req,
        serde_json::to_string(&request(&["Locum"], &[], "NCC")).unwrap(),
    )
    .unwrap();
    let o = caselock(&[
        "eval",
        "--policy",
        POLICY,
        "--mapping",
        "tests/fixtures/systems/liquid_logic.toml",
        req.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let resp: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(resp["decision"], "deny");
    let first = resp["reasons"][0].as_str().unwrap();
    assert!(
        first.contains("`Locum`") && first.contains("`liquid_logic`"),
        "{first}"
    );
    let o = caselock(&[
        "eval",
        "--policy",
        POLICY,
        "--mapping",
        "tests/fixtures/mappings/CL0152_ambiguous.toml",
        req.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("CL0152"));
}

/// The example set-up's mapping files check clean against the bundled Nottingham policy.
#[test]
fn the_operations_examples_mappings_check_clean() {
    let out = caselock(&[
        "check",
        "policies/nottingham-escr",
        "--no-analysis",
        "--deny-warnings",
        "--mapping",
        "examples/operations/systems/liquid_logic.toml",
        "--mapping",
        "examples/operations/systems/mosaic.toml",
    ]);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
