//! The `compile`, `eval` and `explain` commands as a user runs them: exit codes, output, and
//! bad input (0 ok; 1 a request that could not be read; 2 usage, I/O or a refused table).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const POLICY: &str = "tests/fixtures/policies/casework.policy";
const GRANT: &str = "tests/fixtures/requests/casework/allowed_via_grant.json";

fn caselock(args: &[&str], stdin: Option<&str>) -> Output {
    caselock_bytes(args, stdin.unwrap_or("").as_bytes())
}

/// [`caselock`] with any bytes on its standard input, UTF-8 or not.
fn caselock_bytes(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_caselock"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Written from a thread: an input and an output both larger than a pipe holds would
    // otherwise wait on each other for ever.
    let mut input = child.stdin.take().unwrap();
    let bytes = stdin.to_owned();
    let writer = std::thread::spawn(move || input.write_all(&bytes));
    let out = child.wait_with_output().unwrap();
    // A command that exits without reading all its input closes the pipe: not this test's
    // concern, which is what the command answered.
    drop(writer.join());
    out
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
        (
            "leap_second",
            "`at`: invalid time `2026-11-20T23:59:60Z`: a leap second",
        ),
        (
            "grant_leap_second",
            "`temporary_grants[0].granted_at`: invalid time `2026-11-20T23:59:60Z`: a leap second",
        ),
        (
            "year_before_1900",
            "`record.restriction.review_by`: invalid date `1800-01-01`: the year must be between 1900 and 2200",
        ),
        (
            "year_after_2200",
            "`at`: invalid time `9999-12-31T00:00:00Z`: the year must be between 1900 and 2200",
        ),
        (
            "unpadded_date",
            "`record.restriction.placed_on`: invalid date `2026-5-1`: write it as YYYY-MM-DD",
        ),
        (
            "array_request",
            "invalid type: sequence, expected a JSON object",
        ),
        (
            "array_subject",
            "`subject`: invalid type: sequence, expected a JSON object",
        ),
        (
            "array_restriction",
            "`record.restriction`: invalid type: sequence, expected a JSON object",
        ),
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
    // A line holding an array is not a request, even an array of one.
    let input = format!("{good}\n{{not json\n\n[{good}]\n{good}\n");
    let out = caselock(&["eval", "--policy", POLICY, "--jsonl"], Some(&input));
    assert_eq!(out.status.code(), Some(1), "two lines were not requests");
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "blank lines are skipped");
    assert_eq!(lines[0]["decision"], "allow");
    assert_eq!(lines[1]["line"], 2);
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .contains("invalid request")
    );
    assert_eq!(lines[2]["line"], 4);
    assert!(
        lines[2]["error"]
            .as_str()
            .unwrap()
            .contains("expected a JSON object"),
        "{}",
        lines[2]
    );
    assert_eq!(lines[3]["decision"], "allow");
}

/// Regression (lines answered where they lie in the read buffer): a line that runs past the end
/// of the 64 KiB buffer, one longer than the buffer itself, one ending `\r\n` and a last line
/// with no newline are each answered, in order, as the same request alone would be.
#[test]
fn jsonl_lines_across_the_read_buffer_and_without_a_newline_are_answered() {
    let good = std::fs::read_to_string(GRANT).unwrap();
    let good: serde_json::Value = serde_json::from_str(&good).unwrap();
    let line = good.to_string();
    let long = format!("{}{}}}", &line[..line.len() - 1], " ".repeat(70_000));
    let mut input = String::new();
    // Enough lines that several straddle a buffer boundary, wherever it falls.
    let copies = 3 * (1 << 16) / line.len();
    for _ in 0..copies {
        input.push_str(&line);
        input.push('\n');
    }
    input.push_str(&long);
    input.push_str("\r\n");
    input.push_str(&line);
    let out = caselock(&["eval", "--policy", POLICY, "--jsonl"], Some(&input));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), copies + 2);
    let alone = caselock(&["eval", "--policy", POLICY, GRANT], None);
    let alone: serde_json::Value = serde_json::from_slice(&alone.stdout).unwrap();
    for (i, answer) in lines.iter().enumerate() {
        assert_eq!(answer, &alone, "line {}", i + 1);
    }
}

/// Regression (the read buffer checked to be UTF-8 at once): a line that is not UTF-8 is
/// refused alone, with its number, and the lines around it in the same buffer, one with
/// characters of several bytes among them, are answered as before.
#[test]
fn jsonl_a_line_that_is_not_utf8_is_refused_alone() {
    let good = std::fs::read_to_string(GRANT).unwrap();
    let good = serde_json::from_str::<serde_json::Value>(&good)
        .unwrap()
        .to_string();
    let accented = good.replacen("\"view\"", "\"vi\u{e9}w \u{2014} \u{1f512}\"", 1);
    assert_ne!(accented, good, "the request names an action to change");
    let mut input = Vec::new();
    for line in [
        good.as_bytes(),
        b"{\"action\":\"vi\xe9w\"}",
        accented.as_bytes(),
        good.as_bytes(),
    ] {
        input.extend_from_slice(line);
        input.push(b'\n');
    }
    let out = caselock_bytes(&["eval", "--policy", POLICY, "--jsonl"], &input);
    assert_eq!(out.status.code(), Some(1), "one line was not a request");
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["decision"], "allow");
    assert_eq!(lines[1]["line"], 2);
    let error = lines[1]["error"].as_str().unwrap();
    assert!(
        error.contains("invalid unicode") || error.contains("UTF-8"),
        "{error}"
    );
    assert_eq!(
        lines[2]["decision"], "deny",
        "an action the policy does not name"
    );
    assert_eq!(lines[3]["decision"], "allow");
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
