//! One fixture per diagnostic code: the fixture's first line names the codes it must produce
//! (`# expect: CL0101`), and the rendered output is an insta snapshot beside it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::Path;

use caselock::diag::{Code, Renderer};
use caselock::span::SourceMap;

fn expected_codes(text: &str) -> BTreeSet<String> {
    text.lines()
        .next()
        .and_then(|l| l.strip_prefix("# expect:"))
        .map(|codes| codes.split(',').map(|c| c.trim().to_string()).collect())
        .unwrap_or_default()
}

fn render(path: &Path) -> (BTreeSet<String>, BTreeSet<String>, String) {
    let text = std::fs::read_to_string(path).unwrap();
    let name = format!(
        "tests/fixtures/diagnostics/{}",
        path.file_name().unwrap().to_string_lossy()
    );
    let mut sources = SourceMap::new();
    let id = sources.add(name, text.clone());
    let diags = match caselock::check_files(&sources, &[id]) {
        Ok(c) => c.warnings,
        Err(d) => d,
    };
    let rendered = Renderer::new(&sources, false, 80).render_all(&diags);
    let got = diags.iter().map(|d| d.code.as_str().to_string()).collect();
    (
        expected_codes(&text),
        got,
        format!("{text}\n---\n{rendered}"),
    )
}

#[test]
fn every_fixture_produces_its_codes() {
    insta::glob!("fixtures/diagnostics/*.policy", |path| {
        let (expected, got, snapshot) = render(path);
        assert!(
            !expected.is_empty(),
            "{} has no `# expect:` line",
            path.display()
        );
        assert_eq!(expected, got, "codes for {}", path.display());
        insta::assert_snapshot!(snapshot);
    });
}

#[test]
fn every_code_has_a_fixture_and_a_doc_entry() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut fixtures = String::new();
    for sub in ["diagnostics", "analysis", "testing", "mappings"] {
        if let Ok(entries) = std::fs::read_dir(dir.join(sub)) {
            for e in entries.flatten() {
                fixtures.push_str(&e.file_name().to_string_lossy());
                fixtures.push('\n');
            }
        }
    }
    let docs_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md");
    let generated = caselock::diag::codes::markdown();
    if std::env::var_os("CASELOCK_BLESS").is_some() {
        std::fs::write(&docs_path, &generated).unwrap();
    }
    let docs = std::fs::read_to_string(&docs_path).unwrap_or_default();
    assert!(
        docs == generated,
        "docs/diagnostics.md is out of date: run `CASELOCK_BLESS=1 cargo test --test diagnostics`"
    );
    for code in Code::ALL {
        assert!(
            fixtures.contains(code.as_str()),
            "no fixture named after {code} under tests/fixtures/"
        );
        assert!(
            docs.contains(&format!("## {code}")),
            "docs/diagnostics.md has no section `## {code}`"
        );
    }
}
