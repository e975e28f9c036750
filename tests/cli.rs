//! The `compile`, `eval` and `explain` commands as a user runs them: exit codes, output, and
//! bad input (0 ok; 1 a request that could not be read; 2 usage, I/O or a refused table).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const POLICY: &str = "tests/fixtures/policies/casework.policy";
const GRANT: &str = "tests/fixtures/requests/casework/allowed_via_grant.json";

fn caselock(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_caselock"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A scratch directory for this test under the target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn compile_to(dir: &Path) -> PathBuf {
    let table = dir.join("table.json");
    let out = caselock(&["compile", POLICY, "-o", table.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    table
}

#[test]
fn compile_writes_the_same_bytes_every_time() {
    let dir = scratch("compile");
    let a = std::fs::read(compile_to(&dir)).unwrap();
    let b = std::fs::read(compile_to(&dir)).unwrap();
    assert_eq!(a, b);
    let stdout = caselock(&["compile", POLICY], None);
    assert_eq!(stdout.stdout, a, "stdout and -o write the same table");
}

#[test]
fn eval_from_a_table_and_from_the_policy_agree() {
    let table = compile_to(&scratch("agree"));
    let from_table = caselock(&["eval", "--table", table.to_str().unwrap(), GRANT], None);
    let from_policy = caselock(&["eval", "--policy", POLICY, GRANT], None);
    assert_eq!(
        from_table.status.code(),
        Some(0),
        "{}",
        text(&from_table.stderr)
    );
    assert_eq!(from_table.stdout, from_policy.stdout);
    let v: serde_json::Value = serde_json::from_slice(&from_table.stdout).unwrap();
    assert_eq!(v["decision"], "allow");
    assert_eq!(v["rule"], "adoption.grant.1");
}

#[test]
fn a_tampered_table_is_refused() {
    let dir = scratch("tampered");
    let table = compile_to(&dir);
    let tampered = dir.join("tampered.json");
    let t = std::fs::read_to_string(&table).unwrap();
    std::fs::write(
        &tampered,
        t.replacen("\"effect\":\"deny\"", "\"effect\":\"allow\"", 1),
    )
    .unwrap();
    let out = caselock(
        &["eval", "--table", tampered.to_str().unwrap(), GRANT],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(err.contains("edited or corrupted"), "{err}");
    // The refusal never states a hash computed from the edited contents: that is what a forger
    // would paste back in.
    let hex64 = regex::Regex::new("[0-9a-f]{64}").unwrap();
    assert!(!hex64.is_match(&err), "{err}");
}

#[test]
fn malformed_requests_are_input_errors() {
    for (file, says) in [
        ("malformed_json", "invalid request"),
        ("malformed_time", "invalid time `2026-11-20 10:00`"),
        ("misspelt_field", "unknown field `allocated_worker`"),
        ("empty_subject_id", "`subject.id`: invalid id"),
        ("empty_owner", "`record.restriction.owner`: invalid id"),
        ("untyped_named_deny", "ambiguous entry"),
    ] {
        let path = format!("tests/fixtures/requests/invalid/{file}.json");
        let out = caselock(&["eval", "--policy", POLICY, &path], None);
        assert_eq!(out.status.code(), Some(1), "{file}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(v["error"].as_str().unwrap().contains(says), "{file}: {v}");
        assert!(text(&out.stderr).contains(says));
        let out = caselock(&["explain", "--policy", POLICY, &path], None);
        assert_eq!(out.status.code(), Some(1), "explain {file}");
        assert!(text(&out.stderr).contains(says));
    }
}

#[test]
fn usage_errors_exit_2() {
    let out = caselock(&["eval", "--policy", POLICY, "no/such/request.json"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = caselock(&["eval", GRANT], None);
    assert_eq!(out.status.code(), Some(2), "neither --policy nor --table");
    let out = caselock(&["eval", "--table", "no/such/table.json", GRANT], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn jsonl_answers_every_line_in_order() {
    let good = std::fs::read_to_string(GRANT).unwrap();
    let good: serde_json::Value = serde_json::from_str(&good).unwrap();
    let input = format!("{good}\n{{not json\n\n{good}\n");
    let out = caselock(&["eval", "--policy", POLICY, "--jsonl"], Some(&input));
    assert_eq!(out.status.code(), Some(1), "one line was not a request");
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "blank lines are skipped");
    assert_eq!(lines[0]["decision"], "allow");
    assert_eq!(lines[1]["line"], 2);
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .contains("invalid request")
    );
    assert_eq!(lines[2]["decision"], "allow");
}

#[test]
fn explain_for_both_audiences() {
    let req = "tests/fixtures/requests/casework/concealed_category.json";
    let out = caselock(&["explain", "--policy", POLICY, req], None);
    assert_eq!(out.status.code(), Some(0));
    let caseworker = text(&out.stdout);
    assert!(caseworker.starts_with("Not permitted"), "{caseworker}");
    assert!(!caseworker.contains("MAPPA"), "{caseworker}");
    let out = caselock(
        &["explain", "--policy", POLICY, req, "--audience", "auditor"],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let auditor = text(&out.stdout);
    assert!(auditor.contains("mappa.default"), "{auditor}");
    assert!(auditor.contains("Combining rule applied"), "{auditor}");
}

/// Regression (hashes an auditor can rely on): a policy's identity depends only on its content
/// and its files' paths relative to its root, so the same policy compiled from two directories,
/// one given absolutely, gives byte-identical tables that cite no directory.
#[test]
fn the_same_policy_copied_to_two_directories_compiles_to_identical_tables() {
    let root = scratch("identity");
    let mut tables = Vec::new();
    for (i, dir) in ["first/devon", "second/elsewhere/copy"].iter().enumerate() {
        let to = root.join(dir);
        std::fs::create_dir_all(&to).unwrap();
        for f in std::fs::read_dir("policies/devon").unwrap().flatten() {
            std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
        }
        let out_file = root.join(format!("table{i}.json"));
        let given = if i == 0 {
            to.display().to_string()
        } else {
            to.canonicalize().unwrap().display().to_string()
        };
        let out = caselock(
            &["compile", &given, "-o", &out_file.display().to_string()],
            None,
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        tables.push(std::fs::read_to_string(&out_file).unwrap());
    }
    assert_eq!(tables[0], tables[1]);
    assert!(!tables[0].contains("first/"), "the table cites a directory");
    assert!(tables[0].contains("\"source\":\"categories.policy:"));
}
