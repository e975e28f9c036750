//! Timing: the median over several runs of the mean time per call.
//!
//! The machine is shared, so a run can lose its core for a time slice; the median of many
//! short runs ignores those runs where the mean of one long run would not.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Calls `f` on `0..n` once to warm up, then times runs of `0..n` — at least `runs` of them,
/// and more (up to 101) while they total under `budget`; returns the median run's
/// nanoseconds per call.
pub fn median_ns(runs: usize, n: usize, budget: Duration, mut f: impl FnMut(usize) -> bool) -> f64 {
    for i in 0..n {
        black_box(f(black_box(i)));
    }
    let mut per_call: Vec<f64> = Vec::new();
    let began = Instant::now();
    while per_call.len() < runs.max(1) || (began.elapsed() < budget && per_call.len() < 101) {
        let start = Instant::now();
        for i in 0..n {
            black_box(f(black_box(i)));
        }
        per_call.push(start.elapsed().as_nanos() as f64 / n.max(1) as f64);
    }
    per_call.sort_by(f64::total_cmp);
    per_call[per_call.len() / 2]
}
