//! `caselock who-can`: snapshots on bundled policies, and every example it gives really is
//! allowed by the rule it names when the evaluator decides it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;

use caselock::analyse::who_can;
use caselock::eval::{Basis, Decider, Outcome};

fn table(path: &str) -> caselock::compile::DecisionTable {
    // Relative to the package root (cargo runs tests there) so snapshots do not carry a checkout path.
    support::load(Path::new(path)).table
}

#[test]
fn nottingham_adoption_view_text() {
    let t = table("policies/nottingham-escr");
    insta::assert_snapshot!(who_can(&t, "adoption", "view").unwrap().text());
}

#[test]
fn casework_staff_view_markdown() {
    let t = table("tests/fixtures/policies/casework.policy");
    insta::assert_snapshot!(who_can(&t, "staff", "view").unwrap().markdown());
}

#[test]
fn casework_adoption_edit_json() {
    let t = table("tests/fixtures/policies/casework.policy");
    insta::assert_json_snapshot!(who_can(&t, "adoption", "edit").unwrap());
}

#[test]
fn unknown_names_are_errors() {
    let t = table("tests/fixtures/policies/casework.policy");
    assert!(who_can(&t, "nope", "view").is_err());
    assert!(who_can(&t, "adoption", "nope").is_err());
}

#[test]
fn every_example_is_allowed_by_its_rule() {
    for path in [
        "policies/nottingham-escr",
        "policies/devon",
        "policies/camden",
        "tests/fixtures/policies/casework.policy",
    ] {
        let t = table(path);
        let d = Decider::new(&t);
        for c in t.unrestricted.iter().chain(&t.categories) {
            for a in &t.vocabulary.actions {
                let answer = who_can(&t, &c.name, &a.name).unwrap();
                for access in &answer.allowed {
                    for class in &access.classes {
                        let decision = d.decide(&class.request);
                        assert_eq!(decision.outcome, Outcome::Allow, "{path} {class:?}");
                        let Basis::Row { row, .. } = decision.basis else {
                            panic!("failed closed: {class:?}")
                        };
                        let list = c.decisions.iter().find(|l| l.action == a.name).unwrap();
                        assert_eq!(list.rows[row as usize].id, access.rule);
                    }
                }
            }
        }
    }
}

#[test]
fn who_approves_lifting_a_gloucestershire_lock_text() {
    let t = table("policies/gloucestershire");
    let answer =
        caselock::analyse::who_approves(&t, "locked", caselock::policy::Change::Lift).unwrap();
    insta::assert_snapshot!(answer.text());
}

#[test]
fn who_approves_placing_a_lifecycle_example_markdown() {
    let t = table("examples/policies/lifecycle");
    let place =
        caselock::analyse::who_approves(&t, "sensitive", caselock::policy::Change::Place).unwrap();
    insta::assert_snapshot!(place.markdown());
    // A source that names no approver is said, not filled in.
    let legacy =
        caselock::analyse::who_approves(&t, "legacy", caselock::policy::Change::Lift).unwrap();
    assert!(legacy.steps.is_empty());
    assert!(
        legacy.text().contains("the source names no approver"),
        "{}",
        legacy.text()
    );
    assert!(caselock::analyse::who_approves(&t, "nope", caselock::policy::Change::Lift).is_err());
}
