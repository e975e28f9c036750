//! Bad input never panics: arbitrary text and random mutations of valid policies go through
//! parsing, error recovery, checking and formatting. Kept to a few seconds; the `fuzz/` targets
//! run the same pipeline for as long as one likes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod policy_gen;

use caselock::span::SourceMap;
use caselock::syntax;
use proptest::prelude::*;

/// Runs every stage that takes text and checks what must hold even for bad input.
fn every_stage(text: &str) -> Result<(), TestCaseError> {
    let mut sources = SourceMap::new();
    let id = sources.add("input.policy", text);
    let parsed = syntax::parse(id, text);
    let errors = syntax::syntax_errors(id, text);
    prop_assert_eq!(
        parsed.is_ok(),
        errors.is_empty(),
        "parse and syntax_errors disagree"
    );
    for e in &errors {
        let d = e.to_diagnostic();
        prop_assert!(
            d.primary.span.end as usize <= text.len(),
            "label past the end"
        );
    }
    let _ = caselock::check_files(&sources, &[id]);
    match syntax::format(id, text) {
        Ok(formatted) => {
            // Whatever parses obeys the formatter's laws, however odd its layout.
            let after = syntax::parse(id, &formatted);
            prop_assert!(
                after.is_ok(),
                "formatted text does not parse:\n{}",
                formatted
            );
            prop_assert_eq!(parsed.ok(), after.ok(), "meaning changed:\n{}", formatted);
            let again = syntax::format(id, &formatted).unwrap_or_default();
            prop_assert_eq!(&formatted, &again, "not idempotent");
        }
        Err(_) => prop_assert!(parsed.is_err()),
    }
    Ok(())
}

/// Pieces of the language, so mutations make near-misses rather than only noise.
const SNIPPETS: &[&str] = &[
    "{",
    "}",
    "\"",
    "#",
    "\\",
    ",",
    "=",
    "->",
    "\n",
    " ",
    "and",
    "or",
    "not",
    "to",
    "by",
    "90",
    "days",
    "team",
    "role",
    "category",
    "grant",
    "deny",
    "absolute",
    "review every",
    "é",
    "\t",
    "2026-02-30",
    "policy",
    "test \"t\" {",
    "}}",
];

/// One edit of a text: delete a range, insert a snippet, or duplicate a range.
#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, usize),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..12).prop_map(|(p, n)| Mutation::Delete(p, n)),
        (any::<usize>(), 0..SNIPPETS.len()).prop_map(|(p, s)| Mutation::Insert(p, s)),
        (any::<usize>(), 1usize..30).prop_map(|(p, n)| Mutation::Duplicate(p, n)),
    ]
}

fn boundary(text: &str, p: usize) -> usize {
    let mut p = p % (text.len() + 1);
    while !text.is_char_boundary(p) {
        p -= 1;
    }
    p
}

fn apply(text: &str, m: &Mutation) -> String {
    match *m {
        Mutation::Delete(p, n) => {
            let a = boundary(text, p);
            let b = boundary(text, (a + n).min(text.len()));
            format!("{}{}", &text[..a], &text[b.max(a)..])
        }
        Mutation::Insert(p, s) => {
            let a = boundary(text, p);
            format!("{}{}{}", &text[..a], SNIPPETS[s], &text[a..])
        }
        Mutation::Duplicate(p, n) => {
            let a = boundary(text, p);
            let b = boundary(text, (a + n).min(text.len())).max(a);
            format!("{}{}", &text[..b], &text[a..])
        }
    }
}

fn bundled() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/policies/casework.policy"
    );
    std::fs::read_to_string(path).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        every_stage(&text)?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        every_stage(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn mutated_policies_never_panic(
        text in policy_gen::policy_text(),
        edits in proptest::collection::vec(mutation(), 1..5),
    ) {
        let mutated = edits.iter().fold(text, |t, m| apply(&t, m));
        every_stage(&mutated)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn mutated_bundled_policy_never_panics(edits in proptest::collection::vec(mutation(), 1..4)) {
        let mutated = edits.iter().fold(bundled(), |t, m| apply(&t, m));
        every_stage(&mutated)?;
    }
}

/// Regression (a truncated policy is a valid policy): every proper prefix of every file of every
/// bundled policy, cut anywhere before its closing `end`, is refused by `check`, with the rest of
/// the policy's files whole. Every line boundary is cut, and every 29th byte between (mid-token
/// cuts); the fuzz targets cut everywhere.
#[test]
fn no_prefix_of_a_bundled_policy_file_checks() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut cuts = 0;
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        if !entry.path().is_dir() {
            continue;
        }
        let mut files: Vec<(String, String)> = std::fs::read_dir(entry.path())
            .unwrap()
            .flatten()
            .filter(|f| f.path().extension().is_some_and(|e| e == "policy"))
            .map(|f| {
                let text = std::fs::read_to_string(f.path()).unwrap();
                (f.file_name().to_string_lossy().into_owned(), text)
            })
            .collect();
        files.sort();
        for (i, (_, text)) in files.iter().enumerate() {
            let end = text.rfind("\nend").unwrap() + "\nend".len();
            let points = (0..end).filter(|&c| {
                text.is_char_boundary(c) && (c % 29 == 0 || text[..c].ends_with('\n'))
            });
            for cut in points {
                let mut sources = SourceMap::new();
                let ids: Vec<_> = files
                    .iter()
                    .enumerate()
                    .map(|(j, (name, t))| {
                        let t = if j == i { &t[..cut] } else { t.as_str() };
                        sources.add(name.clone(), t.to_string())
                    })
                    .collect();
                // A prefix that does not parse is refused (`check_files` reports its syntax
                // errors); skipping the error recovery keeps the test fast.
                let cut_id = ids[i];
                let refused = syntax::parse(cut_id, &text[..cut]).is_err()
                    || caselock::check_files(&sources, &ids).is_err();
                assert!(
                    refused,
                    "{}/{} cut at byte {cut} still checks",
                    entry.path().display(),
                    files[i].0
                );
                cuts += 1;
            }
        }
    }
    assert!(cuts > 1_500, "only {cut} cut points", cut = cuts);
}
