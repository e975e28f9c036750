//! Engine-only decision latency on every bundled policy (`policies/`) and every example policy
//! (`examples/policies/`): each policy's own test requests, built as `caselock test` builds them
//! and parsed before timing, decided by `Decider::decide`. One bench per policy decides all of its
//! test requests in turn; criterion's throughput line gives decisions per second, so the mean ns
//! per decision is 1e9 / that (or the time per iteration over the request count printed first).
//! Issue 15's target is under 1 µs per decision on every bundled policy.
//!
//! `cargo bench --bench policies` (add `-- --quick` for a fast run). For CPU time rather than
//! wall time, and the slowest single request of each policy, `cargo run --release -p peers --
//! --policies`.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use caselock::eval::{Decider, Request};
use caselock::span::SourceMap;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Every policy under `root`, with its decider and its test requests.
fn policies(root: &str) -> Vec<(String, Decider, Vec<Request>)> {
    let mut sources = SourceMap::new();
    let found = match caselock::loader::discover(Path::new(root), &mut sources) {
        Ok(found) => found,
        Err(e) => {
            eprintln!("{root}: {e} (run from the crate root)");
            std::process::exit(2);
        }
    };
    found
        .iter()
        .map(|p| {
            let name = p
                .root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let checked = match caselock::check_files(&sources, &p.files) {
                Ok(checked) => checked,
                Err(d) => {
                    eprintln!("{} does not check: {d:?}", p.root.display());
                    std::process::exit(2);
                }
            };
            let requests = checked
                .policy
                .tests
                .iter()
                .map(caselock::testing::request)
                .collect();
            let decider = Decider::new(&caselock::compile::compile(&checked, &sources));
            (name, decider, requests)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    for (group, root) in [
        ("policies", "policies"),
        ("example_policies", "examples/policies"),
    ] {
        let mut g = c.benchmark_group(group);
        for (name, decider, requests) in policies(root) {
            eprintln!("{group}/{name}: {} test requests", requests.len());
            g.throughput(Throughput::Elements(requests.len() as u64));
            g.bench_function(&name, |b| {
                b.iter(|| {
                    for req in &requests {
                        black_box(decider.decide(black_box(req)));
                    }
                })
            });
        }
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
