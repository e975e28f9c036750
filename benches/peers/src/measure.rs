//! Timing: the median over several runs of the mean time per call.

use std::hint::black_box;
use std::time::Instant;

/// Calls `f` on `0..n` once to warm up, then `runs` times timed; returns the median run's
/// nanoseconds per call.
pub fn median_ns(runs: usize, n: usize, mut f: impl FnMut(usize) -> bool) -> f64 {
    for i in 0..n {
        black_box(f(black_box(i)));
    }
    let mut per_call: Vec<f64> = (0..runs.max(1))
        .map(|_| {
            let start = Instant::now();
            for i in 0..n {
                black_box(f(black_box(i)));
            }
            start.elapsed().as_nanos() as f64 / n.max(1) as f64
        })
        .collect();
    per_call.sort_by(f64::total_cmp);
    per_call[per_call.len() / 2]
}
