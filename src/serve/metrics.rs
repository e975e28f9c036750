//! Counters and a latency histogram, rendered as Prometheus text (format 0.0.4). Plain atomics:
//! a decision costs a few relaxed increments.

use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use crate::eval::Outcome;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
];

/// How a reload ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReloadResult {
    /// A new version is served.
    Reloaded,
    /// The sources had not changed.
    Unchanged,
    /// The new version was refused.
    Rejected,
}

/// What a timed request was, the `route` label of the latency histogram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timed {
    /// A decision request to the JSON API (a batch counts once).
    Api,
    /// The caseworker page for a logged decision.
    WhyPage,
    /// The what-if tool.
    WhatIf,
}

impl Timed {
    /// Every kind, in the order they are shown.
    const ALL: [Timed; 3] = [Timed::Api, Timed::WhyPage, Timed::WhatIf];

    /// The label's value.
    fn label(self) -> &'static str {
        match self {
            Timed::Api => "api",
            Timed::WhyPage => "why_page",
            Timed::WhatIf => "what_if",
        }
    }
}

/// One latency histogram.
#[derive(Debug, Default)]
struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_ns: AtomicU64,
}

/// What `/metrics` shows about the decision log.
#[derive(Debug, Clone, Copy)]
pub struct LogFigures {
    /// Entries in the log.
    pub entries: u64,
    /// `fdatasync` calls so far.
    pub syncs: u64,
    /// Seconds spent in them.
    pub sync_seconds: f64,
    /// Whether the log can store decisions.
    pub healthy: bool,
}

/// The service's metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Decisions by policy slot, in [`OUTCOMES`] order.
    decisions: Mutex<Vec<[u64; 3]>>,
    /// By [`Timed`], in its order.
    latency: [Histogram; 3],
    reloads: [AtomicU64; 3],
    /// Error responses by status code.
    errors: Mutex<Vec<(u16, u64)>>,
}

/// The outcomes counted, in the order the counters keep them.
const OUTCOMES: [Outcome; 3] = [Outcome::Allow, Outcome::Deny, Outcome::Pending];

impl Metrics {
    /// Counts decisions for the policy in slot `slot`.
    pub fn decided(&self, slot: usize, outcomes: impl Iterator<Item = Outcome>) {
        let mut counts = [0u64; 3];
        for o in outcomes {
            if let Some(i) = OUTCOMES.iter().position(|x| *x == o) {
                counts[i] += 1;
            }
        }
        let mut d = self
            .decisions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if d.len() <= slot {
            d.resize(slot + 1, [0; 3]);
        }
        if let Some(c) = d.get_mut(slot) {
            for (total, n) in c.iter_mut().zip(counts) {
                *total += n;
            }
        }
    }

    /// Records how long one request of this kind took.
    pub fn observe(&self, what: Timed, took: Duration) {
        let Some(h) = self.latency.get(what as usize) else {
            return;
        };
        let secs = took.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            if let Some(b) = h.buckets.get(i) {
                b.fetch_add(1, Relaxed);
            }
        }
        h.count.fetch_add(1, Relaxed);
        h.sum_ns
            .fetch_add(u64::try_from(took.as_nanos()).unwrap_or(u64::MAX), Relaxed);
    }

    /// Counts a reload.
    pub fn reloaded(&self, r: ReloadResult) {
        if let Some(c) = self.reloads.get(r as usize) {
            c.fetch_add(1, Relaxed);
        }
    }

    /// Counts an error response.
    pub fn error(&self, status: u16) {
        let mut e = self
            .errors
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match e.iter_mut().find(|(s, _)| *s == status) {
            Some((_, n)) => *n += 1,
            None => e.push((status, 1)),
        }
    }

    /// The Prometheus text, with `policies` naming the slots and `info` lines about each.
    pub fn render(&self, policies: &[(String, String, String)], log: Option<LogFigures>) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# HELP caselock_decisions_total Decisions answered, by policy and outcome.\n# TYPE caselock_decisions_total counter"
        );
        let d = self
            .decisions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        for (i, (id, _, _)) in policies.iter().enumerate() {
            let counts = d.get(i).copied().unwrap_or([0; 3]);
            for (outcome, n) in OUTCOMES.iter().zip(counts) {
                let _ = writeln!(
                    s,
                    "caselock_decisions_total{{policy=\"{id}\",outcome=\"{}\"}} {n}",
                    outcome.word()
                );
            }
        }
        let _ = writeln!(
            s,
            "# HELP caselock_decision_request_seconds Time to answer a request that decides, by route: the JSON API (a batch counts once, from reading the body to the logged answer), the caseworker page, the what-if tool.\n# TYPE caselock_decision_request_seconds histogram"
        );
        for (what, h) in Timed::ALL.iter().zip(&self.latency) {
            let route = what.label();
            let mut cumulative = 0;
            for (b, n) in BUCKETS.iter().zip(&h.buckets) {
                cumulative += n.load(Relaxed);
                let _ = writeln!(
                    s,
                    "caselock_decision_request_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {cumulative}"
                );
            }
            let count = h.count.load(Relaxed);
            let _ = writeln!(
                s,
                "caselock_decision_request_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}"
            );
            let sum = h.sum_ns.load(Relaxed) as f64 / 1e9;
            let _ = writeln!(
                s,
                "caselock_decision_request_seconds_sum{{route=\"{route}\"}} {sum}"
            );
            let _ = writeln!(
                s,
                "caselock_decision_request_seconds_count{{route=\"{route}\"}} {count}"
            );
        }
        let _ = writeln!(
            s,
            "# HELP caselock_reloads_total Policy reloads, by result.\n# TYPE caselock_reloads_total counter"
        );
        for (name, c) in ["reloaded", "unchanged", "rejected"]
            .iter()
            .zip(&self.reloads)
        {
            let _ = writeln!(
                s,
                "caselock_reloads_total{{result=\"{name}\"}} {}",
                c.load(Relaxed)
            );
        }
        let _ = writeln!(
            s,
            "# HELP caselock_http_errors_total Error responses, by status.\n# TYPE caselock_http_errors_total counter"
        );
        let mut errors = self
            .errors
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        errors.sort_unstable();
        for (status, n) in errors {
            let _ = writeln!(s, "caselock_http_errors_total{{status=\"{status}\"}} {n}");
        }
        let _ = writeln!(
            s,
            "# HELP caselock_policy_info The policy versions served.\n# TYPE caselock_policy_info gauge"
        );
        for (id, version, hash) in policies {
            let _ = writeln!(
                s,
                "caselock_policy_info{{policy=\"{id}\",version=\"{version}\",hash=\"{hash}\"}} 1"
            );
        }
        if let Some(log) = log {
            let _ = writeln!(
                s,
                "# HELP caselock_log_entries Entries in the decision log.\n# TYPE caselock_log_entries gauge\ncaselock_log_entries {}",
                log.entries
            );
            let _ = writeln!(
                s,
                "# HELP caselock_log_syncs_total Times the decision log made entries durable: fdatasync calls, or database commits.\n# TYPE caselock_log_syncs_total counter\ncaselock_log_syncs_total {}",
                log.syncs
            );
            let _ = writeln!(
                s,
                "# HELP caselock_log_sync_seconds_total Time spent in the decision log's fdatasync calls.\n# TYPE caselock_log_sync_seconds_total counter\ncaselock_log_sync_seconds_total {}",
                log.sync_seconds
            );
            let _ = writeln!(
                s,
                "# HELP caselock_log_healthy 1 while the decision log can store decisions.\n# TYPE caselock_log_healthy gauge\ncaselock_log_healthy {}",
                u8::from(log.healthy)
            );
        }
        s
    }
}
