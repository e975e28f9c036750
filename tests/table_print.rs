//! The HTML decision table of every bundled policy, printed to PDF by a real Chromium
//! (`--print-to-pdf`), fits A4 and loses nothing: every page's MediaBox is A4 portrait, no word
//! lies beyond the right margin, every page carries the policy id, hash and its page number, and
//! every Source cell's text is in the printed text as often as the table has it (text cut off at
//! the page edge is missing from `pdftotext`).
//!
//! Needs `chromium` and `pdftotext` (Debian's poppler-utils), which `.ci/run` installs. Without
//! them the test says it was skipped and passes, unless `CASELOCK_REQUIRE_BROWSER=1` or
//! `CASELOCK_REQUIRE_POPPLER=1` (set by `.ci/run`), when it fails.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

/// A4 in PostScript points, and how far Chromium's page size may round from it.
const A4: (f64, f64) = (595.28, 841.89);
const TOLERANCE: f64 = 1.5;
/// The right page margin the table's `@page` rule sets (10 mm), in points.
const RIGHT_MARGIN: f64 = 28.35;

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// The tool, or None (after saying so) when it is missing and not required.
fn tool(name: &str, require: &str) -> Option<PathBuf> {
    let found = on_path(name);
    if found.is_none() {
        assert!(
            std::env::var(require).as_deref() != Ok("1"),
            "`{name}` is required ({require}=1) but is not on the PATH"
        );
        eprintln!("skipped locally: no `{name}`; CI installs it (.ci/run) and runs this test");
    }
    found
}

fn print(chromium: &Path, html: &Path, pdf: &Path) {
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success() && pdf.is_file(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every `/MediaBox [x0 y0 x1 y1]` of the PDF, as (width, height).
fn media_boxes(pdf: &[u8]) -> Vec<(f64, f64)> {
    let text = String::from_utf8_lossy(pdf);
    regex::Regex::new(r"/MediaBox\s*\[\s*([-0-9.]+)\s+([-0-9.]+)\s+([-0-9.]+)\s+([-0-9.]+)\s*\]")
        .unwrap()
        .captures_iter(&text)
        .map(|c| {
            let n = |i: usize| c[i].parse::<f64>().unwrap();
            (n(3) - n(1), n(4) - n(2))
        })
        .collect()
}

fn pdftotext(pdftotext: &Path, args: &[&str], pdf: &Path) -> String {
    let out = Command::new(pdftotext)
        .args(args)
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn every_bundled_table_prints_on_a4_without_losing_a_source() {
    let (Some(chromium), Some(text_tool)) = (
        tool("chromium", "CASELOCK_REQUIRE_BROWSER"),
        tool("pdftotext", "CASELOCK_REQUIRE_POPPLER"),
    ) else {
        return;
    };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("table_print");
    std::fs::create_dir_all(&dir).unwrap();
    let cell = regex::Regex::new(r#"<td class="src"><code>(.*?)</code></td>"#).unwrap();
    let right = regex::Regex::new(r#"xMax="([0-9.]+)""#).unwrap();
    for policy in support::bundled() {
        let name = policy.file_name().unwrap().to_string_lossy().into_owned();
        let table = support::load(&policy).table;
        let html =
            caselock::report::table::render(&table, caselock::report::table::TableFormat::Html);
        let html_path = dir.join(format!("{name}.html"));
        let pdf_path = dir.join(format!("{name}.pdf"));
        std::fs::write(&html_path, &html).unwrap();
        let _ = std::fs::remove_file(&pdf_path);
        print(&chromium, &html_path, &pdf_path);

        let boxes = media_boxes(&std::fs::read(&pdf_path).unwrap());
        assert!(!boxes.is_empty(), "{name}: no pages");
        for (w, h) in &boxes {
            assert!(
                (w - A4.0).abs() <= TOLERANCE && (h - A4.1).abs() <= TOLERANCE,
                "{name}: a page is {w} x {h} pt, not A4 portrait"
            );
        }

        let bbox = pdftotext(&text_tool, &["-bbox"], &pdf_path);
        let widest = right
            .captures_iter(&bbox)
            .map(|c| c[1].parse::<f64>().unwrap())
            .fold(0.0, f64::max);
        assert!(
            widest <= A4.0 - RIGHT_MARGIN + TOLERANCE,
            "{name}: text reaches {widest} pt, beyond the right margin"
        );

        let printed = pdftotext(&text_tool, &["-raw"], &pdf_path);
        let pages = boxes.len();
        assert!(
            printed.contains(&format!("Page {pages} of {pages}")),
            "{name}: the last page is not numbered `Page {pages} of {pages}`"
        );
        let flat = squeeze(&printed);
        let hash = &table.source_hash[..12];
        assert!(
            flat.matches(&format!("hash{hash}")).count() >= pages,
            "{name}: not every page carries the policy hash"
        );
        let mut sources: Vec<String> = cell
            .captures_iter(&html)
            .map(|c| c[1].replace("<wbr>", ""))
            .collect();
        assert!(!sources.is_empty(), "{name}: no Source cells");
        sources.sort();
        sources.dedup();
        for s in sources {
            let expected = html
                .matches(&format!("<code>{}</code></td>", s.replace('/', "/<wbr>")))
                .count();
            let found = flat.matches(&squeeze(&s)).count();
            assert!(
                found >= expected,
                "{name}: `{s}` is in {expected} Source cells but printed {found} times"
            );
        }
    }
}
