//! Test results as text for people and as JSON for machines (JUnit XML: [`super::junit`]).

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::coverage::Coverage;
use super::runner::{Actual, Mismatch, PolicyRun, Status};
use crate::diag::{Renderer, json_diagnostics};
use crate::eval::Request;
use crate::span::SourceMap;

/// How to render results.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// List every rule and whether a test reached it.
    pub coverage: bool,
    /// ANSI colour in diagnostics.
    pub color: bool,
    /// Wrap width for diagnostics.
    pub width: usize,
}

/// One policy's results: a line per test, each failure in full, the counts, and coverage.
pub fn human(run: &PolicyRun, root: &str, sources: &SourceMap, style: Style) -> String {
    let renderer = Renderer::new(sources, style.color, style.width);
    let mut out = String::new();
    let _ = writeln!(out, "policy `{}` ({root})", run.policy);
    for w in &run.warnings {
        out.push_str(&renderer.render(w));
    }
    for r in &run.results {
        let at = sources.cite(r.span);
        match &r.status {
            Status::Passed(_) => {
                let _ = writeln!(out, "  ok      {at}  {}", r.name);
            }
            Status::Failed {
                request,
                expected,
                actual,
                mismatches,
            } => {
                let _ = writeln!(out, "  FAILED  {at}  {}", r.name);
                for line in failure_detail(request, expected, actual, mismatches).lines() {
                    let _ = writeln!(out, "          {line}");
                }
            }
            Status::Invalid(diags) => {
                let _ = writeln!(out, "  FAILED  {at}  {} (the test is malformed)", r.name);
                for d in diags {
                    out.push_str(&renderer.render(d));
                }
            }
        }
    }
    let _ = writeln!(
        out,
        "  {}: {} passed, {} failed",
        run.policy,
        run.passed(),
        run.failed()
    );
    if style.coverage {
        out.push_str(&coverage(&run.coverage));
    }
    out
}

/// What a failed test expected and got: each differing field, then both in full and the request.
pub fn failure_detail(
    request: &Request,
    expected: &str,
    actual: &Actual,
    mismatches: &[Mismatch],
) -> String {
    let mut out = String::new();
    for m in mismatches {
        let _ = writeln!(
            out,
            "{}: expected {}, got {}",
            m.field, m.expected, m.actual
        );
    }
    let _ = writeln!(out, "expected: {expected}");
    let _ = writeln!(out, "actual:   {}", describe_actual(actual));
    let _ = writeln!(out, "request:  {}", crate::json::to_string(request));
    out
}

/// The coverage table of one policy.
pub fn coverage(c: &Coverage) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "  coverage: {} of {} rules decided by a test ({:.1}%){}",
        c.covered(),
        c.reachable(),
        c.percent(),
        unreachable_note(c.unreachable())
    );
    let width = c.rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for r in &c.rules {
        let hits = match r.hits {
            0 if !r.reachable => "unreachable".to_string(),
            0 => "NOT COVERED".to_string(),
            1 => "1 test".to_string(),
            n => format!("{n} tests"),
        };
        let _ = writeln!(
            out,
            "    {:<width$}  {:<16}  {:<11}  {}",
            r.id,
            r.layer.word(),
            hits,
            r.source
        );
    }
    out
}

/// The note on rules left out of the count because no request can reach them.
fn unreachable_note(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => "; 1 rule no request can reach is not counted".to_string(),
        n => format!("; {n} rules no request can reach are not counted"),
    }
}

/// The last lines over every policy: `N passed, N failed`, and total coverage when asked;
/// `broken` policies had errors, so their tests did not run.
pub fn summary(runs: &[(String, PolicyRun)], broken: usize, with_coverage: bool) -> String {
    let passed: usize = runs.iter().map(|(_, r)| r.passed()).sum();
    let failed: usize = runs.iter().map(|(_, r)| r.failed()).sum();
    let verdict = if failed == 0 && broken == 0 {
        "ok"
    } else {
        "FAILED"
    };
    let policies = if runs.len() == 1 {
        "policy"
    } else {
        "policies"
    };
    let mut out = format!(
        "test result: {verdict}. {passed} passed, {failed} failed ({} {policies})\n",
        runs.len()
    );
    if broken > 0 {
        let _ = writeln!(
            out,
            "{broken} {} did not check, so {} tests did not run",
            if broken == 1 { "policy" } else { "policies" },
            if broken == 1 { "its" } else { "their" }
        );
    }
    if with_coverage {
        let covered: usize = runs.iter().map(|(_, r)| r.coverage.covered()).sum();
        let total: usize = runs.iter().map(|(_, r)| r.coverage.reachable()).sum();
        let unreachable: usize = runs.iter().map(|(_, r)| r.coverage.unreachable()).sum();
        let _ = writeln!(
            out,
            "coverage: {covered} of {total} rules decided by a test ({:.1}%){}",
            super::coverage::percent(covered, total),
            unreachable_note(unreachable)
        );
    }
    out
}

/// Every policy's results as one JSON document; `broken` policies did not check, so their
/// tests did not run.
pub fn json(runs: &[(String, PolicyRun)], broken: usize, sources: &SourceMap) -> Value {
    let policies: Vec<Value> = runs
        .iter()
        .map(|(root, run)| {
            let tests: Vec<Value> = run
                .results
                .iter()
                .map(|r| {
                    let mut t = json!({
                        "name": r.name,
                        "source": sources.cite(r.span),
                        "status": match r.status {
                            Status::Passed(_) => "passed",
                            Status::Failed { .. } => "failed",
                            Status::Invalid(_) => "invalid",
                        },
                    });
                    match &r.status {
                        Status::Passed(a) => t["actual"] = actual_json(a),
                        Status::Failed {
                            request,
                            expected,
                            actual,
                            mismatches,
                        } => {
                            t["expected"] = json!(expected);
                            t["actual"] = actual_json(actual);
                            t["mismatches"] = mismatches
                                .iter()
                                .map(|m| {
                                    json!({"field": m.field, "expected": m.expected, "actual": m.actual})
                                })
                                .collect();
                            t["request"] = crate::json::to_value(request);
                        }
                        Status::Invalid(d) => t["diagnostics"] = diagnostics(sources, d),
                    }
                    t
                })
                .collect();
            let rules: Vec<Value> = run
                .coverage
                .rules
                .iter()
                .map(|r| {
                    json!({"rule": r.id, "layer": r.layer.word(), "source": r.source, "tests": r.hits, "reachable": r.reachable})
                })
                .collect();
            json!({
                "policy": run.policy,
                "path": root,
                "passed": run.passed(),
                "failed": run.failed(),
                "tests": tests,
                "warnings": diagnostics(sources, &run.warnings),
                "coverage": {
                    "covered": run.coverage.covered(),
                    "rules": run.coverage.reachable(),
                    "unreachable": run.coverage.unreachable(),
                    "percent": (run.coverage.percent() * 10.0).round() / 10.0,
                    "by_rule": rules,
                },
            })
        })
        .collect();
    let passed: usize = runs.iter().map(|(_, r)| r.passed()).sum();
    let failed: usize = runs.iter().map(|(_, r)| r.failed()).sum();
    json!({"policies": policies, "passed": passed, "failed": failed, "did_not_check": broken})
}

fn diagnostics(sources: &SourceMap, d: &[crate::diag::Diagnostic]) -> Value {
    crate::json::to_value(json_diagnostics(sources, d))
}

fn describe_actual(a: &Actual) -> String {
    let mut s = format!("{} view {}", a.outcome.word(), a.view);
    if let Some(k) = a.kind {
        let _ = write!(s, " kind {}", k.word());
    }
    match (&a.rule, &a.source, a.chain) {
        (Some(r), Some(src), _) => {
            let _ = write!(s, " rule {r} ({src})");
        }
        (_, _, Some(c)) => {
            if let Some(p) = c.problem {
                let _ = write!(s, " refused {}", p.refusal.word());
            }
            let _ = write!(s, " approved_steps {} of {}", c.satisfied, c.steps);
        }
        _ => s.push_str(" (refused before any rule: the request is invalid for this policy)"),
    }
    if !a.obligations.is_empty() {
        let _ = write!(s, " obligations {}", a.obligations.join(", "));
    }
    if !a.warnings.is_empty() {
        let _ = write!(s, " warnings {}", a.warnings.join(", "));
    }
    s
}

fn actual_json(a: &Actual) -> Value {
    json!({
        "decision": a.outcome.word(),
        "view": a.view,
        "kind": a.kind.map(|k| k.word()),
        "rule": a.rule,
        "source": a.source,
        "obligations": a.obligations,
        "warnings": a.warnings,
    })
}
