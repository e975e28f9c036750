//! The VS Code extension's TextMate grammar (`editors/vscode/syntaxes/`) kept in step with
//! `grammar/caselock.pest`: every keyword of the pest grammar is a TextMate keyword, and on
//! every bundled policy the TextMate grammar gives keywords, names, strings, durations, dates
//! and comments the scopes the pest parse says they should have.
//!
//! The second test runs `vscode-tmgrammar-test` (npm; `.ci/run` installs it into
//! `editors/vscode/node_modules`). Without it the test says so and passes, unless
//! `CASELOCK_REQUIRE_TMGRAMMAR=1` (set by `.ci/run`), when it fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use caselock::check::RESERVED;
use caselock::span::FileId;
use caselock::syntax::{TokenClass, tokens};
use regex::Regex;
use serde_json::Value;

const EXTENSION: &str = "editors/vscode";
const TM_GRAMMAR: &str = "editors/vscode/syntaxes/caselock.tmLanguage.json";

/// The word of every `kw_NAME = @{ "word" ~ !ident_char }` rule, and the kind words.
fn pest_keywords() -> Vec<String> {
    let pest = std::fs::read_to_string("grammar/caselock.pest").unwrap();
    let mut v: Vec<String> = pest
        .lines()
        .filter(|l| l.starts_with("kw_") || l.starts_with("name_kind"))
        .flat_map(|l| l.split('"').skip(1).step_by(2).map(str::to_string))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Every `match` regex of the TextMate grammar that gives its whole match a `keyword.` scope.
fn keyword_patterns(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            let keyword = o
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.starts_with("keyword."));
            if let (true, Some(m)) = (keyword, o.get("match").and_then(Value::as_str)) {
                out.push(m.to_string());
            }
            o.values().for_each(|x| keyword_patterns(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| keyword_patterns(x, out)),
        _ => {}
    }
}

#[test]
fn every_pest_keyword_is_a_textmate_keyword() {
    let grammar: Value =
        serde_json::from_str(&std::fs::read_to_string(TM_GRAMMAR).unwrap()).unwrap();
    let mut patterns = Vec::new();
    keyword_patterns(&grammar, &mut patterns);
    let patterns: Vec<Regex> = patterns.iter().map(|p| Regex::new(p).unwrap()).collect();
    let keywords = pest_keywords();
    assert!(keywords.len() > 50, "read the pest grammar: {keywords:?}");
    for kw in &keywords {
        let whole = patterns.iter().any(|r| {
            r.find(kw)
                .is_some_and(|m| m.start() == 0 && m.end() == kw.len())
        });
        assert!(
            whole,
            "`{kw}` is a keyword in the pest grammar, not in {TM_GRAMMAR}"
        );
        // Nor may a keyword pattern take part of a longer name.
        let longer = format!("{kw}_x");
        assert!(
            !patterns.iter().any(|r| r.is_match(&longer)),
            "a keyword pattern matches inside `{longer}`"
        );
    }
}

/// The scope a token of this class and text must have; `None` for what is not checked.
fn scope(class: TokenClass, text: &str) -> Option<&'static str> {
    Some(match class {
        TokenClass::Keyword => "keyword.control.caselock",
        TokenClass::Name if RESERVED.contains(&text) => "constant.language.caselock",
        TokenClass::Name => "variable.other.caselock",
        TokenClass::String => "string.quoted.double.caselock",
        TokenClass::Duration => "constant.numeric.duration.caselock",
        TokenClass::Number => "constant.numeric.integer.caselock",
        TokenClass::Date => "constant.numeric.date.caselock",
        TokenClass::Comment => "comment.line.number-sign.caselock",
        // A test field's key may be a keyword's word (`category`, `organisation`): TextMate
        // cannot tell without the grammar's context, and keys are not what this checks.
        TokenClass::FieldKey => return None,
    })
}

/// A `vscode-tmgrammar-test` case for a policy: each line of it, followed by one assertion
/// per token on the line (`# <~~~---- scope`: from the column of `~`s, for `-`s columns).
fn syntax_test(name: &str, text: &str) -> (String, usize) {
    let toks = tokens(FileId(0), text).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    let mut out = format!("# SYNTAX TEST \"source.caselock\" \"{name}\"\n");
    let mut asserted = 0;
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let line_end = line_start + line.len();
        out.push_str(line.trim_end_matches('\n'));
        out.push('\n');
        for t in toks
            .iter()
            .filter(|t| (line_start..line_end).contains(&(t.span.start as usize)))
        {
            let (s, e) = (t.span.start as usize, t.span.end as usize);
            let Some(scope) = scope(t.class, &text[s..e]) else {
                continue;
            };
            // Columns in UTF-16 units, as the tool (JavaScript) counts them.
            let col: usize = text[line_start..s].encode_utf16().count();
            let len: usize = text[s..e].encode_utf16().count();
            out.push_str(&format!(
                "# <{}{} {scope}\n",
                "~".repeat(col),
                "-".repeat(len)
            ));
            asserted += 1;
        }
        line_start = line_end;
    }
    (out, asserted)
}

fn tool() -> Option<PathBuf> {
    let local = Path::new(EXTENSION).join("node_modules/.bin/vscode-tmgrammar-test");
    if local.is_file() {
        return Some(local);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("vscode-tmgrammar-test"))
            .find(|p| p.is_file())
    })
}

fn bundled_policies() -> Vec<PathBuf> {
    let mut v = Vec::new();
    for dir in std::fs::read_dir("policies").unwrap() {
        let dir = dir.unwrap().path();
        if dir.is_dir() {
            for f in std::fs::read_dir(&dir).unwrap() {
                let f = f.unwrap().path();
                if f.extension().is_some_and(|e| e == "policy") {
                    v.push(f);
                }
            }
        }
    }
    v.sort();
    v
}

#[test]
fn the_textmate_grammar_scopes_every_bundled_policy() {
    let Some(tool) = tool() else {
        assert!(
            std::env::var_os("CASELOCK_REQUIRE_TMGRAMMAR").is_none(),
            "CASELOCK_REQUIRE_TMGRAMMAR is set but vscode-tmgrammar-test is not installed \
             (npm install in {EXTENSION})"
        );
        eprintln!(
            "skipped: vscode-tmgrammar-test is not installed (npm install in {EXTENSION}); \
             .ci/run installs it and requires this test"
        );
        return;
    };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tmgrammar");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let policies = bundled_policies();
    assert!(policies.len() >= 15, "{policies:?}");
    let mut asserted = 0;
    for p in &policies {
        let name = p.to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(p).unwrap();
        let (case, n) = syntax_test(&name, &text);
        asserted += n;
        let file = dir.join(name.replace('/', "__") + ".test");
        std::fs::write(file, case).unwrap();
    }
    assert!(asserted > 3_000, "only {asserted} tokens asserted");
    let out = Command::new(&tool)
        .arg("--compact")
        .arg("--config")
        .arg(Path::new(EXTENSION).join("package.json"))
        .arg(format!("{}/*.test", dir.display()))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "vscode-tmgrammar-test failed on {} assertions:\n{stdout}\n{stderr}",
        asserted
    );
}
