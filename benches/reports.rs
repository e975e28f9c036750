//! Issue 6's scale targets: `caselock diff` of two generated 10,000-rule policies that differ in
//! a few categories (under 2 s), and `caselock reviews` over a 1,000,000-row register streamed
//! from a CSV file (under 5 s, bounded memory). Figures are in BENCHMARKS.md.

use std::io::{BufWriter, Write};
use std::time::Duration;

use caselock::compile::compile;
use caselock::compile::table::DecisionTable;
use caselock::report::register::Format;
use caselock::report::reviews::{Options, reviews};
use caselock::span::SourceMap;
use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "policy_gen.rs"]
mod policy_gen;

#[path = "register_gen.rs"]
mod register_gen;

/// The generated policy with three categories changed: one restriction flipped from universal to
/// exclude, one grant added, one deny made absolute.
fn changed(text: &str) -> String {
    text.replacen(
        "category c1 \"Category 1\" {\n  restriction universal",
        "category c1 \"Category 1\" {\n  restriction exclude",
        1,
    )
    .replacen(
        "category c2 \"Category 2\" {\n",
        "category c2 \"Category 2\" {\n  grant view to role r3\n",
        1,
    )
    .replacen(
        "category c5 \"Category 5\" {\n  restriction universal\n",
        "category c5 \"Category 5\" {\n  restriction universal\n  deny edit to role r7 absolute\n",
        1,
    )
}

fn table(text: String) -> Option<(SourceMap, DecisionTable)> {
    let mut sources = SourceMap::new();
    let id = sources.add("generated.policy", text);
    let checked = caselock::check_files(&sources, &[id]).ok()?;
    let table = compile(&checked, &sources);
    Some((sources, table))
}

fn diff(c: &mut Criterion) {
    let text = policy_gen::policy(10_000);
    let (Some((_, old)), Some((_, new))) = (table(text.clone()), table(changed(&text))) else {
        eprintln!("the generated policies do not check");
        return;
    };
    let mut group = c.benchmark_group("reports");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("diff_10000_rules", |b| {
        b.iter(|| {
            caselock::diff::diff(&old, &new)
                .map(|d| d.decisions.len())
                .unwrap_or(0)
        })
    });
    group.finish();
}

fn review(c: &mut Criterion) {
    let text = policy_gen::policy(10_000);
    let mut sources = SourceMap::new();
    let id = sources.add("generated.policy", text);
    let Ok(checked) = caselock::check_files(&sources, &[id]) else {
        eprintln!("the generated policy does not check");
        return;
    };
    let path = std::env::temp_dir().join(format!("caselock-bench-{}.csv", std::process::id()));
    let written = std::fs::File::create(&path).and_then(|f| {
        let mut out = BufWriter::new(f);
        register_gen::write(&mut out, 1_000_000, 500)?;
        out.flush()
    });
    if let Err(e) = written {
        eprintln!("cannot write {}: {e}", path.display());
        return;
    }
    let opts = Options {
        as_of: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default(),
        within_days: 30,
        list_all: false,
    };
    let mut group = c.benchmark_group("reports");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("reviews_1000000_rows", |b| {
        b.iter(|| {
            std::fs::File::open(&path)
                .ok()
                .and_then(|f| reviews(&checked.policy, &sources, f, Format::Csv, opts).ok())
                .map(|r| r.counts.overdue)
        })
    });
    group.finish();
    let _ = std::fs::remove_file(&path);
}

criterion_group!(benches, diff, review);
criterion_main!(benches);
