//! `caselock test --format junit` writes JUnit XML that validates against the Apache Ant JUnit
//! schema (tests/fixtures/junit/JUnit.xsd, the layout GitLab, Azure DevOps and Jenkins read):
//! passing, failing and malformed tests and a policy that does not check, with the counts right.
//!
//! The validator is `xmllint --schema` (Debian's `libxml2-utils`). Without it the validation says
//! it was skipped and passes, unless `CASELOCK_REQUIRE_XMLLINT=1` (set by `.ci/run`), when it
//! fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

const XSD: &str = "tests/fixtures/junit/JUnit.xsd";

/// The JUnit report and exit code of `caselock test --format junit ARGS...`.
fn junit(args: &[&str]) -> (String, Option<i32>) {
    let out = Command::new(env!("CARGO_BIN_EXE_caselock"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["test", "--format", "junit"])
        .args(args)
        .output()
        .unwrap();
    (String::from_utf8(out.stdout).unwrap(), out.status.code())
}

fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("junit");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `xmllint`'s verdict on a document, or None when xmllint is missing (and not required).
fn validate(name: &str, xml: &str) -> Option<Result<(), String>> {
    let path = scratch(name, xml);
    let run = Command::new("xmllint")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["--noout", "--schema", XSD])
        .arg(&path)
        .output();
    match run {
        Ok(out) if out.status.success() => Some(Ok(())),
        Ok(out) => Some(Err(String::from_utf8_lossy(&out.stderr).into_owned())),
        Err(e) => {
            assert!(
                std::env::var("CASELOCK_REQUIRE_XMLLINT").as_deref() != Ok("1"),
                "xmllint is required (CASELOCK_REQUIRE_XMLLINT=1) but could not run: {e}"
            );
            eprintln!("skipped locally: no xmllint ({e}); CI installs libxml2-utils and runs it");
            None
        }
    }
}

fn count(xml: &str, tag: &str) -> usize {
    xml.matches(&format!("<{tag} ")).count() + xml.matches(&format!("<{tag}>")).count()
}

/// The value of the first `name="..."` attribute on the first element `tag`.
fn attribute(xml: &str, tag: &str, name: &str) -> String {
    let start = xml.find(&format!("<{tag} ")).unwrap();
    let element = &xml[start..start + xml[start..].find('>').unwrap()];
    let key = format!(" {name}=\"");
    let at = element.find(&key).unwrap() + key.len();
    element[at..at + element[at..].find('"').unwrap()].to_string()
}

#[test]
fn passing_tests_are_testcases_without_failures_and_validate() {
    let (xml, code) = junit(&["policies/camden", "policies/nottingham-escr"]);
    assert_eq!(code, Some(0));
    assert_eq!(count(&xml, "testsuite"), 2);
    assert!(count(&xml, "testcase") > 10, "{xml}");
    assert_eq!(count(&xml, "failure") + count(&xml, "error"), 0);
    assert_eq!(attribute(&xml, "testsuite", "name"), "camden");
    assert_eq!(attribute(&xml, "testsuite", "failures"), "0");
    if let Some(v) = validate("passing.xml", &xml) {
        v.unwrap();
    }
}

#[test]
fn failing_and_malformed_tests_are_failures_and_errors_and_validate() {
    let (xml, code) = junit(&[
        "tests/fixtures/testing/failing.policy",
        "tests/fixtures/testing/CL0302_unknown_rule.policy",
    ]);
    assert_eq!(code, Some(1));
    // failing.policy: 1 passed, 2 failed; CL0302: one malformed test.
    assert_eq!(count(&xml, "failure"), 2, "{xml}");
    assert_eq!(count(&xml, "error"), 1, "{xml}");
    assert_eq!(attribute(&xml, "testsuite", "tests"), "3");
    assert_eq!(attribute(&xml, "testsuite", "failures"), "2");
    assert_eq!(attribute(&xml, "failure", "type"), "wrong_decision");
    assert!(
        attribute(&xml, "failure", "message").starts_with("decision: expected allow, got deny"),
        "{xml}"
    );
    assert_eq!(attribute(&xml, "error", "type"), "malformed_test");
    assert!(xml.contains("error[CL0302]"), "{xml}");
    assert!(!xml.contains('\u{1b}'), "no terminal colour in a report");
    if let Some(v) = validate("failing.xml", &xml) {
        v.unwrap();
    }
}

#[test]
fn a_policy_that_does_not_check_is_an_errored_suite_and_validates() {
    let broken = scratch(
        "broken.policy",
        "policy broken \"Broken\" version 1\naction view\ncategory x \"X\" {\n",
    );
    let (xml, code) = junit(&[broken.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    assert_eq!(count(&xml, "testsuite"), 1);
    assert_eq!(attribute(&xml, "error", "type"), "policy_errors");
    assert_eq!(attribute(&xml, "testsuite", "errors"), "1");
    if let Some(v) = validate("broken.xml", &xml) {
        v.unwrap();
    }
}

/// The schema really is enforced: a report with a testcase missing its `classname`, or a suite
/// missing its `timestamp`, does not validate.
#[test]
fn the_schema_rejects_a_broken_report() {
    let (xml, _) = junit(&["policies/camden"]);
    let no_classname = xml.replacen(" classname=\"camden\"", "", 1);
    let no_timestamp = regex::Regex::new(r#" timestamp="[^"]*""#)
        .unwrap()
        .replace(&xml, "")
        .into_owned();
    for (name, doc) in [
        ("no_classname.xml", no_classname),
        ("no_timestamp.xml", no_timestamp),
    ] {
        if let Some(v) = validate(name, &doc) {
            assert!(v.is_err(), "{name} should not validate");
        }
    }
}
