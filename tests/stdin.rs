//! `caselock fmt -` and `caselock check -`: standard input, as an editor's format-on-save and
//! check-on-type use it, with `--stdin-filename` naming the file and placing it in its
//! directory's policy.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const MESSY: &str = "policy p \"P\"\naction   view,edit # keep me\ncategory c { restriction universal grant view to everyone }\nend\n";
const TIDY: &str = "policy p \"P\"\naction view, edit # keep me\n\ncategory c {\n  restriction universal\n  grant view to everyone\n}\n\nend\n";
const BROKEN: &str = "category c {\n  restriction universal\n";

fn caselock(args: &[&str], stdin: &str, dir: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_caselock"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // A usage error exits before reading its input; the pipe is then closed.
    match input.write_all(stdin.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("writing stdin: {e}"),
        _ => {}
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A directory policy of two files: the header and declarations, and a category using them.
fn two_file_policy(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("stdin")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("policy.policy"),
        "policy p \"P\"\naction view\nteam emergency_duty \"EDT\"\n\nend\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("categories.policy"),
        "category c {\n  restriction universal\n  grant view to team emergency_duty\n}\n\nend\n",
    )
    .unwrap();
    dir
}

#[test]
fn fmt_stdin_writes_the_formatted_text_to_stdout() {
    let dir = std::env::temp_dir();
    let out = caselock(&["fmt", "-"], MESSY, &dir);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(text(&out.stdout), TIDY);
    assert_eq!(text(&out.stderr), "", "nothing but the text is printed");
}

#[test]
fn fmt_stdin_check_shows_a_diff_under_the_stdin_filename() {
    let dir = std::env::temp_dir();
    let out = caselock(
        &[
            "fmt",
            "--check",
            "-",
            "--stdin-filename",
            "council/a.policy",
        ],
        MESSY,
        &dir,
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("council/a.policy is not formatted"),
        "{stdout}"
    );
    assert!(stdout.contains("+action view, edit # keep me"), "{stdout}");
    let tidy = caselock(&["fmt", "--check", "-"], TIDY, &dir);
    assert_eq!(tidy.status.code(), Some(0), "{tidy:?}");
}

#[test]
fn fmt_stdin_that_does_not_parse_prints_nothing_and_names_the_file() {
    let dir = std::env::temp_dir();
    let out = caselock(&["fmt", "-", "--stdin-filename", "b.policy"], BROKEN, &dir);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        text(&out.stdout),
        "",
        "no half-formatted text to paste over the buffer"
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("CL0001") && stderr.contains("b.policy"),
        "{stderr}"
    );
}

#[test]
fn check_stdin_alone_is_a_policy_of_its_own() {
    let dir = std::env::temp_dir();
    let out = caselock(&["check", "--no-analysis", "-"], TIDY, &dir);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = caselock(&["check", "--format", "json", "-"], BROKEN, &dir);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        text(&out.stdout).contains("\"file\": \"<stdin>\""),
        "{out:?}"
    );
}

#[test]
fn check_stdin_replaces_its_file_in_the_directory_policy() {
    let dir = two_file_policy("replace");
    // The category file on disk names the team; the text on stdin misspells it.
    let typo =
        "category c {\n  restriction universal\n  grant view to team emergancy_duty\n}\n\nend\n";
    let out = caselock(
        &[
            "check",
            "--format",
            "json",
            "-",
            "--stdin-filename",
            "categories.policy",
        ],
        typo,
        &dir,
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "CL0101");
    assert_eq!(d["file"], "categories.policy");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(3), Some(22))
    );
    assert_eq!(d["help"], "did you mean `emergency_duty`?");
    // The header and the team come from policy.policy on disk: without it the stdin text
    // alone would have no header.
    let fixed = std::fs::read_to_string(dir.join("categories.policy")).unwrap();
    let out = caselock(
        &[
            "check",
            "--no-analysis",
            "-",
            "--stdin-filename",
            "categories.policy",
        ],
        &fixed,
        &dir,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn check_stdin_as_a_new_file_joins_the_directory_policy() {
    let dir = two_file_policy("new-file");
    let out = caselock(
        &["check", "-", "--stdin-filename", "more.policy"],
        "team emergency_duty\n",
        &dir,
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("CL0102") && stderr.contains("more.policy"),
        "{stderr}"
    );
}

#[test]
fn stdin_misuse_is_a_usage_error() {
    let dir = std::env::temp_dir();
    for args in [
        &["check", "-", "-"][..],
        &["check", "--stdin-filename", "a.policy", "x.policy"][..],
        &["fmt", "-", "-"][..],
    ] {
        let out = caselock(args, TIDY, &dir);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
    }
}
