//! Timing: CPU time per pass, the engines interleaved pass by pass, the spread beside the median.
//!
//! The machine is shared. Wall-clock time charges an engine for the time slices it lost to
//! other processes, and a long pass (a Cedar or Rego pass lasts hundreds of milliseconds) always
//! loses some where a short one (a caselock pass lasts a millisecond or two) often loses none:
//! wall-clock medians favour the fast engine more the busier the machine is. So each pass is
//! timed by this thread's CPU clock, which stops while the thread waits for a core, and the
//! engines take turns pass by pass, so that a busy minute slows all of them alike rather than
//! whichever was running. The load average is read at the start and end of every measurement.

use std::hint::black_box;
use std::time::{Duration, Instant};

use cpu_time::ThreadTime;

/// One thing to time: a name and a call over request `i`.
pub struct Case<'a> {
    /// What is timed (`caselock engine-only`, …).
    pub name: &'static str,
    call: Box<dyn FnMut(usize) -> bool + 'a>,
}

impl<'a> Case<'a> {
    /// A case timing `call` over every request index.
    pub fn new(name: &'static str, call: impl FnMut(usize) -> bool + 'a) -> Case<'a> {
        Case {
            name,
            call: Box::new(call),
        }
    }

    /// Decides request `i`.
    pub fn call(&mut self, i: usize) -> bool {
        (self.call)(i)
    }
}

/// The nanoseconds per call of a case's passes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Spread {
    /// How many passes were timed.
    pub passes: usize,
    /// CPU time: the median pass.
    pub median: f64,
    /// CPU time: the fastest pass.
    pub min: f64,
    /// CPU time: the slowest pass.
    pub max: f64,
    /// CPU time: the first quartile.
    pub q1: f64,
    /// CPU time: the third quartile.
    pub q3: f64,
    /// Wall-clock time: the median pass (shown beside the CPU time, never compared).
    pub wall_median: f64,
}

impl Spread {
    fn of(mut cpu: Vec<f64>, mut wall: Vec<f64>) -> Spread {
        cpu.sort_by(f64::total_cmp);
        wall.sort_by(f64::total_cmp);
        let at = |v: &[f64], q: f64| {
            let i = ((v.len().saturating_sub(1)) as f64 * q).round() as usize;
            v.get(i).copied().unwrap_or(f64::NAN)
        };
        Spread {
            passes: cpu.len(),
            median: at(&cpu, 0.5),
            min: at(&cpu, 0.0),
            max: at(&cpu, 1.0),
            q1: at(&cpu, 0.25),
            q3: at(&cpu, 0.75),
            wall_median: at(&wall, 0.5),
        }
    }
}

/// The 1-, 5- and 15-minute load averages (`/proc/loadavg`), or `unknown` where there is none.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".to_string())
}

/// Runs every case over `0..n` once to warm up, then in rounds — each case one timed pass per
/// round, in turn — at least `rounds` rounds and more (up to 101) while they total under
/// `budget`. Returns each case's spread, in the cases' order.
pub fn interleaved(
    cases: &mut [Case<'_>],
    n: usize,
    rounds: usize,
    budget: Duration,
) -> Vec<Spread> {
    for case in cases.iter_mut() {
        for i in 0..n {
            black_box((case.call)(black_box(i)));
        }
    }
    let mut cpu: Vec<Vec<f64>> = vec![Vec::new(); cases.len()];
    let mut wall: Vec<Vec<f64>> = vec![Vec::new(); cases.len()];
    let per = n.max(1) as f64;
    let began = Instant::now();
    let mut done = 0;
    while done < rounds.max(1) || (began.elapsed() < budget && done < 101) {
        for (k, case) in cases.iter_mut().enumerate() {
            let (wall_start, cpu_start) = (Instant::now(), ThreadTime::now());
            for i in 0..n {
                black_box((case.call)(black_box(i)));
            }
            cpu[k].push(cpu_start.elapsed().as_nanos() as f64 / per);
            wall[k].push(wall_start.elapsed().as_nanos() as f64 / per);
        }
        done += 1;
    }
    cpu.into_iter()
        .zip(wall)
        .map(|(c, w)| Spread::of(c, w))
        .collect()
}

/// One case alone: the median pass's CPU nanoseconds per call (at least `runs` passes).
pub fn median_ns(runs: usize, n: usize, budget: Duration, f: impl FnMut(usize) -> bool) -> f64 {
    let spread = interleaved(&mut [Case::new("", f)], n, runs, budget);
    spread.first().map_or(f64::NAN, |s| s.median)
}
