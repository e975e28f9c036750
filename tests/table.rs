//! `caselock table`: the compiled decision table for humans, in each format.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use caselock::compile::{self, DecisionTable};
use caselock::report::table::{self, TableFormat};
use caselock::span::SourceMap;

fn compiled(path: &str) -> DecisionTable {
    let mut sources = SourceMap::new();
    let policies = caselock::loader::discover(std::path::Path::new(path), &mut sources).unwrap();
    let checked = caselock::check_files(&sources, &policies[0].files).unwrap();
    compile::compile(&checked, &sources)
}

const POLICIES: [(&str, &str); 4] = [
    ("nottingham", "policies/nottingham-escr"),
    ("casework", "tests/fixtures/policies/casework.policy"),
    // Flags: their own section (markdown, HTML) and one line each (CSV).
    ("home_visits", "examples/policies/home_visits"),
    // How long a restriction lasts: a setting line (markdown, HTML) and the `lasts` column.
    ("time_limits", "examples/policies/time_limits"),
];

#[test]
fn every_format_is_pinned() {
    for (name, path) in POLICIES {
        let t = compiled(path);
        for (ext, format) in [
            ("md", TableFormat::Markdown),
            ("html", TableFormat::Html),
            ("csv", TableFormat::Csv),
        ] {
            insta::assert_snapshot!(format!("table_{name}_{ext}"), table::render(&t, format));
        }
    }
}

#[test]
fn every_rule_of_every_action_appears_with_its_source() {
    for (_, path) in POLICIES {
        let t = compiled(path);
        let md = table::render(&t, TableFormat::Markdown);
        for c in t.unrestricted.iter().chain(&t.categories) {
            for list in &c.decisions {
                for row in &list.rows {
                    assert!(md.contains(&format!("`{}`", row.id)), "{} missing", row.id);
                    assert!(md.contains(&format!("`{}`", row.source)));
                }
            }
        }
    }
}

#[test]
fn html_is_self_contained_and_escaped() {
    let t = compiled("tests/fixtures/table/escaping.policy");
    let html = table::render(&t, TableFormat::Html);
    assert!(html.starts_with("<!DOCTYPE html>"));
    for external in ["<script", "<link", "src=", "http://", "https://", "@import"] {
        assert!(!html.contains(external), "external asset `{external}`");
    }
    assert!(!html.contains("<b>bold</b>"), "policy text was not escaped");
    assert!(html.contains("&lt;b&gt;bold&lt;/b&gt;"));
    assert!(html.contains("<caption id=\"cap-") && html.contains("scope=\"col\""));
    let md = table::render(&t, TableFormat::Markdown);
    assert!(md.contains("a \\| b"), "a pipe would split a markdown cell");
    let csv = table::render(&t, TableFormat::Csv);
    assert!(
        csv.contains(",'=HYPERLINK"),
        "a formula would run in a spreadsheet"
    );
}

/// Each table is a labelled, focusable scroll region; explanations are text, not tooltips; the
/// sheet's backtick code spans are `<code>`, never leaked backticks; the page prints on A4 with
/// the policy and page numbers (tests/table_print.rs prints it).
#[test]
fn html_reflows_prints_and_leaks_no_markdown() {
    for path in ["policies/devon", "policies/nottingham-escr"] {
        let t = compiled(path);
        let html = table::render(&t, TableFormat::Html);
        let regions = html
            .matches("role=\"region\" aria-labelledby=\"cap-")
            .count();
        assert_eq!(regions, html.matches("<table>").count(), "{path}");
        assert_eq!(regions, html.matches("tabindex=\"0\"").count(), "{path}");
        assert!(
            !html.contains(" title=\""),
            "{path}: hover-only explanation"
        );
        assert!(html.contains("<span class=\"why\">"), "{path}");
        assert!(!html.contains('`'), "{path}: a markdown backtick leaked");
        assert!(html.contains("@page{size:A4"), "{path}");
        assert!(html.contains("counter(page)"), "{path}");
        assert!(!html.contains("white-space:nowrap"), "{path}");
    }
    // Two people with one title are one phrase with a count, not the title twice.
    let devon = table::render(&compiled("policies/devon"), TableFormat::Html);
    assert!(!devon.contains("Virtual School officer, Virtual School officer"));
    assert!(!devon.contains("Virtual School officer or Virtual School officer"));
    assert!(devon.contains("Virtual School officer (2 of them)"));
}

#[test]
fn a_compiled_table_renders_like_its_policy() {
    let t = compiled("tests/fixtures/policies/casework.policy");
    let reloaded = compile::load_table(&compile::to_json(&t)).unwrap();
    assert_eq!(
        table::render(&t, TableFormat::Html),
        table::render(&reloaded, TableFormat::Html)
    );
}

#[test]
fn the_examples_are_current() {
    let t = compiled("policies/nottingham-escr");
    for (ext, name, format) in [
        ("md", "markdown", TableFormat::Markdown),
        ("html", "html", TableFormat::Html),
        ("csv", "csv", TableFormat::Csv),
    ] {
        let path = format!("examples/table/nottingham-escr.{ext}");
        let on_disk = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            on_disk,
            table::render(&t, format),
            "{path} is stale: run `caselock table policies/nottingham-escr --format {name} -o {path}`"
        );
    }
}
