//! Runs a policy's test cases against its compiled table and compares each decision with what
//! the test expects.

use std::time::{Duration, Instant};

use crate::check::Checked;
use crate::compile::{self, DecisionTable};
use crate::diag::{Code, Diagnostic, suggest};
use crate::eval::{Audience, Basis, ChainState, Decider, DenyKind, FailReason, Outcome, Request};
use crate::span::{SourceMap, Span};

use super::coverage::Coverage;
use super::request::request;
use crate::policy::{Expectation, TestCase};

/// The result of one test.
#[derive(Debug, Clone)]
pub struct TestResult {
    /// The test's name.
    pub name: String,
    /// The `test` block.
    pub span: Span,
    /// Passed, failed, or could not run.
    pub status: Status,
    /// How long building the request, deciding and comparing took (JUnit reports carry it).
    pub elapsed: Duration,
}

/// How a test ended.
#[derive(Debug, Clone)]
pub enum Status {
    /// The decision was as expected.
    Passed(Actual),
    /// The decision differed; each difference is listed.
    Failed {
        /// The request decided.
        request: Box<Request>,
        /// What the test expected, in its own words.
        expected: String,
        /// What was decided.
        actual: Actual,
        /// Every field that differed.
        mismatches: Vec<Mismatch>,
    },
    /// The test itself is malformed and did not run.
    Invalid(Vec<Diagnostic>),
}

impl Status {
    /// Whether the test passed.
    pub fn passed(&self) -> bool {
        matches!(self, Status::Passed(_))
    }
}

/// What the evaluator decided, in the words tests use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actual {
    /// Allow or deny.
    pub outcome: Outcome,
    /// `full`, `minimal`, `notice` or `none`.
    pub view: String,
    /// For a deny: forbidden or not permitted.
    pub kind: Option<DenyKind>,
    /// The deciding rule's id (none when the request was refused as invalid).
    pub rule: Option<String>,
    /// Why the request was refused without consulting any rule.
    pub fail: Option<FailReason>,
    /// Where the deciding rule is written: `file:line`.
    pub source: Option<String>,
    /// Obligation names.
    pub obligations: Vec<String>,
    /// Warning codes.
    pub warnings: Vec<String>,
    /// For a lifecycle action: its chain as the auditor sees it.
    pub chain: Option<ChainState>,
    /// The caseworker explanation.
    pub explanation: String,
    /// What the caseworker response shows the person: explanation, reasons and next steps.
    pub disclosed: String,
}

/// One field whose value differed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The field: `decision`, `view`, `rule`...
    pub field: &'static str,
    /// What the test expected.
    pub expected: String,
    /// What was decided.
    pub actual: String,
}

/// Every test of one policy, run.
#[derive(Debug, Clone)]
pub struct PolicyRun {
    /// The policy's identifier.
    pub policy: String,
    /// The results, in source order (only the tests the filter selected).
    pub results: Vec<TestResult>,
    /// Which rules the tests reached.
    pub coverage: Coverage,
    /// Warnings about the tests as a whole (CL0303).
    pub warnings: Vec<Diagnostic>,
}

impl PolicyRun {
    /// How many tests passed.
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.status.passed()).count()
    }

    /// How many tests failed or could not run.
    pub fn failed(&self) -> usize {
        self.results.len() - self.passed()
    }
}

/// Compiles a checked policy and runs the tests whose name contains `filter` (all without one).
pub fn run(checked: &Checked, sources: &SourceMap, filter: Option<&str>) -> PolicyRun {
    let table = compile::compile(checked, sources);
    let decider = Decider::new(&table);
    let mut coverage = Coverage::of(&table);
    let rule_ids = coverage.ids();
    let mut warnings = Vec::new();
    let tests = &checked.policy.tests;
    for (i, t) in tests.iter().enumerate() {
        if let Some(first) = tests[..i].iter().find(|u| u.name == t.name) {
            warnings.push(
                Diagnostic::warning(
                    Code::DuplicateTestName,
                    format!("two tests are named `{}`", t.name),
                    t.name_span,
                    "second",
                )
                .with_label(first.name_span, "first here")
                .with_help(
                    "give each test its own name, so a failure and `--filter` name one test",
                ),
            );
        }
    }
    let results = tests
        .iter()
        .filter(|t| filter.is_none_or(|f| t.name.contains(f)))
        .map(|t| {
            let started = Instant::now();
            let status = match unknown_names(t, &rule_ids, &table) {
                errors if !errors.is_empty() => Status::Invalid(errors),
                _ => decide(&decider, t, &mut coverage),
            };
            TestResult {
                name: t.name.clone(),
                span: t.span,
                status,
                elapsed: started.elapsed(),
            }
        })
        .collect();
    PolicyRun {
        policy: checked.policy.id.clone(),
        results,
        coverage,
        warnings,
    }
}

/// Decides one case and compares.
fn decide(decider: &Decider, case: &TestCase, coverage: &mut Coverage) -> Status {
    let request = request(case);
    let d = decider.decide(&request);
    let resp = decider.response(&request, &d, Some(Audience::Caseworker));
    // The decision's own facts (kind, warnings) as the auditor sees them; what the person who
    // asked is told, as they see it.
    let full = decider.response(&request, &d, Some(Audience::Auditor));
    // What a person is shown; `rule` and `source` are for the calling system and the audit log.
    let disclosed = format!(
        "{} {} {}",
        resp.explanation.as_deref().unwrap_or_default(),
        resp.reasons.join(" "),
        crate::json::to_string(&resp.next_steps)
    );
    let actual = Actual {
        outcome: resp.decision,
        view: resp.view.word().to_string(),
        kind: full.deny_kind,
        rule: decider.rule_id(&d).map(str::to_string),
        fail: match d.basis {
            Basis::FailClosed(reason) => Some(reason),
            Basis::Row { .. } | Basis::Change(_) => None,
        },
        chain: d.basis.chain(),
        source: decider.deciding_row(&d).map(|(_, r)| r.source.clone()),
        obligations: resp.obligations.into_iter().map(|o| o.id).collect(),
        warnings: full
            .warnings
            .into_iter()
            .map(|w| w.code.word().to_string())
            .collect(),
        explanation: resp.explanation.unwrap_or_default(),
        disclosed,
    };
    if let Some(rule) = &actual.rule {
        coverage.hit(rule);
    }
    let mismatches = compare(&case.expect, &actual);
    if mismatches.is_empty() {
        Status::Passed(actual)
    } else {
        Status::Failed {
            request: Box::new(request),
            expected: describe_expectation(&case.expect),
            actual,
            mismatches,
        }
    }
}

/// Every expected field that differs from the decision.
fn compare(e: &Expectation, a: &Actual) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let mut check = |field: &'static str, expected: String, actual: String| {
        if expected != actual {
            out.push(Mismatch {
                field,
                expected,
                actual,
            });
        }
    };
    check(
        "decision",
        e.outcome.word().to_string(),
        a.outcome.word().to_string(),
    );
    // A refusal for an unknown name is not the policy deciding: it passes only when expected.
    let fail = |f: Option<FailReason>| f.map_or("(decided by a rule)", FailReason::word);
    match e.fails_closed {
        Some(w) => check(
            "fails_closed",
            w.word().to_string(),
            fail(a.fail).to_string(),
        ),
        None if a.fail.is_some() => check(
            "fails_closed",
            "(decided by a rule)".to_string(),
            fail(a.fail).to_string(),
        ),
        None => {}
    }
    if let Some(r) = e.refused {
        check(
            "refused",
            r.word().to_string(),
            a.chain
                .and_then(|c| c.problem)
                .map_or("(not refused)", |p| p.refusal.word())
                .to_string(),
        );
    }
    if let Some(n) = e.approved_steps {
        check(
            "approved_steps",
            n.to_string(),
            a.chain.map_or_else(
                || "(not a lifecycle action)".to_string(),
                |c| c.satisfied.to_string(),
            ),
        );
    }
    if let Some(v) = e.view {
        check("view", v.word().to_string(), a.view.clone());
    }
    if let Some(r) = &e.rule {
        check(
            "rule",
            r.name.clone(),
            a.rule.clone().unwrap_or_else(|| "(none)".into()),
        );
    }
    if let Some(k) = e.kind {
        check(
            "kind",
            k.word().to_string(),
            a.kind.map_or("(none)", DenyKind::word).to_string(),
        );
    }
    if let Some(o) = &e.obligations {
        check(
            "obligations",
            set(o.iter().map(|i| i.name.as_str())),
            set(a.obligations.iter().map(String::as_str)),
        );
    }
    if let Some(w) = &e.warnings {
        check(
            "warnings",
            set(w.iter().map(|c| c.word())),
            set(a.warnings.iter().map(String::as_str)),
        );
    }
    for fragment in &e.explains {
        if !a.explanation.contains(fragment.as_str()) {
            out.push(Mismatch {
                field: "explains",
                expected: format!("an explanation containing \"{fragment}\""),
                actual: format!("\"{}\"", a.explanation),
            });
        }
    }
    for fragment in &e.conceals {
        if a.disclosed.contains(fragment.as_str()) {
            out.push(Mismatch {
                field: "conceals",
                expected: format!("a caseworker response without \"{fragment}\""),
                actual: a.disclosed.clone(),
            });
        }
    }
    out
}

/// A list as a sorted, comma-separated set: `case_note, notify_owner`.
fn set<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let mut v: Vec<&str> = items.collect();
    v.sort_unstable();
    v.dedup();
    if v.is_empty() {
        "(none)".to_string()
    } else {
        v.join(", ")
    }
}

/// The expectation as the test wrote it: `deny view minimal rule adoption.deny.1`.
fn describe_expectation(e: &Expectation) -> String {
    let mut s = e.outcome.word().to_string();
    if let Some(f) = e.fails_closed {
        s.push_str(&format!(" fails_closed {}", f.word()));
    }
    if let Some(r) = e.refused {
        s.push_str(&format!(" refused {}", r.word()));
    }
    if let Some(n) = e.approved_steps {
        s.push_str(&format!(" approved_steps {n}"));
    }
    if let Some(v) = e.view {
        s.push_str(&format!(" view {}", v.word()));
    }
    if let Some(k) = e.kind {
        s.push_str(&format!(" kind {}", k.word()));
    }
    if let Some(r) = &e.rule {
        s.push_str(&format!(" rule {}", r.name));
    }
    if let Some(o) = &e.obligations {
        s.push_str(&format!(
            " obligations {}",
            set(o.iter().map(|i| i.name.as_str()))
        ));
    }
    if let Some(w) = &e.warnings {
        s.push_str(&format!(" warnings {}", set(w.iter().map(|c| c.word()))));
    }
    s
}

/// Expectations naming a rule or obligation the compiled policy does not have (CL0302).
fn unknown_names(case: &TestCase, rule_ids: &[String], table: &DecisionTable) -> Vec<Diagnostic> {
    let e = &case.expect;
    let mut out = Vec::new();
    if let Some(r) = &e.rule {
        if !rule_ids.contains(&r.name) {
            let mut d = Diagnostic::error(
                Code::UnknownExpectation,
                format!("the policy has no rule `{}`", r.name),
                r.span,
                "no such rule",
            );
            d = match suggest::closest(&r.name, rule_ids.iter().map(String::as_str)) {
                Some(c) => d.with_help(format!("did you mean `{c}`?")),
                None => d.with_help(
                    "rule ids are `CATEGORY.grant.N`, `CATEGORY.deny.N`, `CATEGORY.temporary`, `CATEGORY.named_exclusion` and `CATEGORY.default`",
                ),
            };
            out.push(d);
        }
    }
    let obligations: Vec<&str> = table
        .vocabulary
        .obligations
        .iter()
        .map(|o| o.name.as_str())
        // A flag's duty is an obligation named after the flag.
        .chain(table.vocabulary.flags.iter().map(|f| f.name.as_str()))
        .chain(["access_expires", "access_ends_soon"])
        .collect();
    for o in e.obligations.iter().flatten() {
        if !obligations.contains(&o.name.as_str()) {
            let d = Diagnostic::error(
                Code::UnknownExpectation,
                format!("the policy has no obligation `{}`", o.name),
                o.span,
                "no such obligation",
            );
            out.push(
                match suggest::closest(&o.name, obligations.iter().copied()) {
                    Some(c) => d.with_help(format!("did you mean `{c}`?")),
                    None => d.with_help(format!(
                        "the policy's obligations are {}",
                        obligations
                            .iter()
                            .map(|o| format!("`{o}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                },
            );
        }
    }
    out
}
