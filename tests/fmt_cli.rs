//! `caselock fmt` end to end: rewriting, `--check`, `--stdout`, and files that do not parse.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MESSY: &str = "policy p \"P\"\naction   view,edit # keep me\ncategory c { restriction universal grant view to everyone }\n";
const TIDY: &str = "policy p \"P\"\naction view, edit # keep me\n\ncategory c {\n  restriction universal\n  grant view to everyone\n}\n";
const BROKEN: &str = "category c {\n  restriction universal\n";

/// A fresh directory for one test, removed first if a previous run left it.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("caselock-fmt-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    dir
}

fn fmt(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_caselock"))
        .arg("fmt")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn read(p: PathBuf) -> String {
    std::fs::read_to_string(p).unwrap()
}

#[test]
fn rewrites_files_found_recursively() {
    let dir = scratch("rewrite");
    std::fs::write(dir.join("nested/a.policy"), MESSY).unwrap();
    std::fs::write(dir.join("b.policy"), TIDY).unwrap();
    std::fs::write(dir.join("notes.txt"), MESSY).unwrap();
    let out = fmt(&["."], &dir);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(read(dir.join("nested/a.policy")), TIDY);
    assert_eq!(read(dir.join("b.policy")), TIDY);
    assert_eq!(
        read(dir.join("notes.txt")),
        MESSY,
        "only .policy files are touched"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("reformatted 1 of 2"));
    let again = fmt(&["--check", "."], &dir);
    assert_eq!(again.status.code(), Some(0), "{again:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_changes_nothing_and_shows_a_diff() {
    let dir = scratch("check");
    std::fs::write(dir.join("a.policy"), MESSY).unwrap();
    let out = fmt(&["--check", "a.policy"], &dir);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(read(dir.join("a.policy")), MESSY);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("a.policy is not formatted"), "{stdout}");
    assert!(stdout.contains("-action   view,edit # keep me"), "{stdout}");
    assert!(stdout.contains("+action view, edit # keep me"), "{stdout}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn stdout_prints_and_changes_nothing() {
    let dir = scratch("stdout");
    std::fs::write(dir.join("a.policy"), MESSY).unwrap();
    let out = fmt(&["--stdout", "a.policy"], &dir);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), TIDY);
    assert_eq!(read(dir.join("a.policy")), MESSY);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_file_that_does_not_parse_is_reported_and_left_alone() {
    let dir = scratch("broken");
    std::fs::write(dir.join("a.policy"), BROKEN).unwrap();
    std::fs::write(dir.join("b.policy"), MESSY).unwrap();
    let out = fmt(&["."], &dir);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("CL0001"), "{stderr}");
    assert!(stderr.contains("a.policy"), "{stderr}");
    assert_eq!(
        read(dir.join("a.policy")),
        BROKEN,
        "a broken file is never rewritten"
    );
    assert_eq!(
        read(dir.join("b.policy")),
        TIDY,
        "the other files are still formatted"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let dir = scratch("missing");
    let out = fmt(&["no-such.policy"], &dir);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}
