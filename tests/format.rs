//! The formatter on files: fixtures under `tests/fixtures/format/` with their formatted output as
//! snapshots, the laws on every fixture that parses, and every bundled policy already formatted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use caselock::span::FileId;
use caselock::syntax;

/// Formats `text` and checks the laws: idempotent, same syntax tree, every comment kept.
fn format_checked(name: &str, text: &str) -> String {
    let before = syntax::parse(FileId(0), text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let formatted = syntax::format(FileId(0), text).unwrap();
    let after = syntax::parse(FileId(0), &formatted)
        .unwrap_or_else(|e| panic!("{name}: formatted text does not parse: {e}\n{formatted}"));
    assert_eq!(before, after, "{name}: formatting changed the meaning");
    let comments = |f: &syntax::ast::File| f.comments.iter().map(|c| c.text.clone()).collect();
    let (was, now): (Vec<String>, Vec<String>) = (comments(&before), comments(&after));
    assert_eq!(was, now, "{name}: comments lost or reordered");
    let again = syntax::format(FileId(0), &formatted).unwrap();
    assert_eq!(formatted, again, "{name}: formatting is not idempotent");
    formatted
}

fn policy_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for e in entries {
        if e.is_dir() {
            policy_files(&e, out);
        } else if e.extension().is_some_and(|x| x == "policy") {
            out.push(e);
        }
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn fixtures_format_as_snapshotted() {
    insta::glob!("fixtures/format/*.policy", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let formatted = format_checked(&path.display().to_string(), &text);
        insta::assert_snapshot!(format!("{text}\n---\n{formatted}"));
    });
}

#[test]
fn bundled_policies_are_formatted() {
    let mut files = Vec::new();
    policy_files(&root().join("policies"), &mut files);
    assert!(!files.is_empty(), "no bundled policies found");
    let unformatted: Vec<String> = files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            format_checked(&f.display().to_string(), &text) != text
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        unformatted.is_empty(),
        "not formatted (run `caselock fmt policies/`): {unformatted:?}"
    );
}

#[test]
fn laws_hold_on_every_fixture_that_parses() {
    let mut files = Vec::new();
    policy_files(&root().join("tests/fixtures"), &mut files);
    let mut parsed = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        if syntax::parse(FileId(0), &text).is_ok() {
            format_checked(&f.display().to_string(), &text);
            parsed += 1;
        }
    }
    assert!(parsed >= 10, "only {parsed} fixtures parsed");
}

#[test]
fn a_file_that_does_not_parse_is_an_error() {
    let err = syntax::format(FileId(0), "category a {\n  restriction universal\n").unwrap_err();
    assert!(matches!(err, syntax::SyntaxError::Parse(_)), "{err:?}");
}

#[test]
fn long_lists_wrap_at_the_width() {
    let names: Vec<String> = (0..40).map(|i| format!("team_{i}")).collect();
    let text = format!("team {}\n", names.join(", "));
    let formatted = format_checked("long list", &text);
    assert!(formatted.lines().count() > 1, "{formatted}");
    for line in formatted.lines() {
        assert!(line.chars().count() <= syntax::WIDTH, "too long: {line}");
    }
    assert!(formatted.lines().skip(1).all(|l| l.starts_with("  team_")));
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(format_checked("empty", ""), "");
    assert_eq!(format_checked("blank", "\n\n  \n"), "");
    assert_eq!(
        format_checked("comments", "\n\n# one\n\n\n   # two   \n"),
        "# one\n\n# two\n"
    );
}

/// Regression: `flag` and `warns` are keywords, so neither is read as the value of a context
/// atom (`network ncc`) after a name that ends a subject list or an approval chain.
#[test]
fn flag_and_warns_after_a_name_are_not_read_as_a_context() {
    let text = "policy p \"P\"\naction view\n\ngroup g = allocated_worker\n\nflag hazard \"Hazard\" {\n  review every 6 months by owner\n  warns \"Read the note\"\n}\n\nend\n";
    let file = caselock::syntax::parse(caselock::span::FileId(0), text).unwrap();
    let flags = file
        .items
        .iter()
        .filter(|i| matches!(i, caselock::syntax::ast::Item::Flag(_)))
        .count();
    assert_eq!(flags, 1);
    assert_eq!(
        caselock::syntax::format(caselock::span::FileId(0), text).unwrap(),
        text
    );
}
