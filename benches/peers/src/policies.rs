//! Engine-only decision latency on every bundled and example policy, by CPU time: each policy's
//! own test requests (built as `caselock test` builds them, parsed before timing) decided by
//! `Decider::decide`. Prints the mean over a policy's requests and its slowest request, each
//! the median of at least seven passes. `benches/policies.rs` times the same in criterion (wall
//! clock).

use std::path::{Path, PathBuf};
use std::time::Duration;

use caselock::eval::{Decider, Request};
use caselock::span::SourceMap;

use crate::measure::{load_average, median_ns};

/// Times a request alone over this many calls per pass: one call is below the CPU clock's
/// resolution.
const REPEAT: usize = 2_000;

/// One policy's figures.
struct Row {
    name: String,
    requests: usize,
    mean_ns: f64,
    slowest_ns: f64,
    slowest_test: String,
}

/// A policy's name, decider and named test requests.
type Loaded = (String, Decider, Vec<(String, Request)>);

/// Every policy under `root`.
fn load(root: &Path) -> Result<Vec<Loaded>, String> {
    let mut sources = SourceMap::new();
    let found = caselock::loader::discover(root, &mut sources)
        .map_err(|e| format!("{}: {e}", root.display()))?;
    found
        .iter()
        .map(|p| {
            let checked = caselock::check_files(&sources, &p.files).map_err(|d| {
                format!(
                    "{}: {} error(s), first: {}",
                    p.root.display(),
                    d.len(),
                    d.first().map(|x| x.message.clone()).unwrap_or_default()
                )
            })?;
            let name = p
                .root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let requests = checked
                .policy
                .tests
                .iter()
                .map(|t| (t.name.clone(), caselock::testing::request(t)))
                .collect();
            let decider = Decider::new(&caselock::compile::compile(&checked, &sources));
            Ok((name, decider, requests))
        })
        .collect()
}

/// Measures every policy and prints a table per directory.
pub fn run() -> Result<(), String> {
    let crate_root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    for dir in ["policies", "examples/policies"] {
        let load_start = load_average();
        let mut rows = Vec::new();
        for (name, decider, requests) in load(&crate_root.join(dir))? {
            let budget = Duration::from_millis(500);
            let mean_ns = median_ns(7, requests.len(), budget, |i| {
                decider.decide(&requests[i].1).outcome == caselock::eval::Outcome::Allow
            });
            let mut slowest = (0.0, String::new());
            for (test, req) in &requests {
                let ns = median_ns(7, REPEAT, Duration::ZERO, |_| {
                    decider.decide(req).outcome == caselock::eval::Outcome::Allow
                });
                if ns > slowest.0 {
                    slowest = (ns, test.clone());
                }
            }
            rows.push(Row {
                name,
                requests: requests.len(),
                mean_ns,
                slowest_ns: slowest.0,
                slowest_test: slowest.1,
            });
        }
        println!("\n{dir}\n");
        println!(
            "| policy | test requests | mean CPU ns per decision | slowest request (CPU ns) |"
        );
        println!("|---|---:|---:|---|");
        for r in &rows {
            println!(
                "| {} | {} | {:.0} | {:.0} (`{}`) |",
                r.name, r.requests, r.mean_ns, r.slowest_ns, r.slowest_test
            );
        }
        println!(
            "\nload_average start={load_start} end={} (1, 5, 15 minutes)",
            load_average()
        );
    }
    Ok(())
}
