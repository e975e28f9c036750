//! `caselock triggers`: the records of a register whose facts require a restriction they do not
//! carry, and the records that carry a restriction their facts forbid or two that may not be
//! combined (docs/reports.md). The answers are the evaluator's own ([`Decider::required`],
//! [`Decider::may_carry`]), so a record is listed exactly when a decision on it would warn
//! `restriction_required` or fail closed.
//!
//! One register row per record: `record_id`, `categories` (the categories it carries,
//! `;`-separated; `category` is read the same) and `facts` (`;`-separated). Reports carry record
//! ids, category and fact names and the policy's own words only.

use std::fmt::Write as _;
use std::io::Read;

use serde::Serialize;

use super::OutputFormat;
use super::register::{Format, Reader, Row, RowError};
use crate::eval::{CarryRefusal, Decider};
use crate::markdown::cell;

const COLUMNS: &[&str] = &["record_id", "categories", "category", "facts"];

/// What is wrong with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// Its facts require a restriction it does not carry.
    Required,
    /// It carries a restriction its facts forbid.
    NotAllowed,
    /// It carries two restrictions that may not be combined.
    Exclusive,
}

impl Finding {
    /// The word in every format.
    pub fn word(self) -> &'static str {
        match self {
            Finding::Required => "required",
            Finding::NotAllowed => "not_allowed",
            Finding::Exclusive => "exclusive",
        }
    }
}

/// One finding on one record.
#[derive(Debug, Clone, Serialize)]
pub struct TriggerLine {
    /// The record's id.
    pub record_id: String,
    /// What is wrong.
    pub finding: Finding,
    /// The category required, forbidden, or the later of the two that may not be combined.
    pub category: String,
    /// For `exclusive`, the earlier category.
    pub with: Option<String>,
    /// The policy's reason, when it gives one.
    pub reason: Option<String>,
    /// Where the deciding statement is written: `file:line`.
    pub rule: String,
}

/// The triggers report.
#[derive(Debug, Clone, Serialize)]
pub struct TriggerReport {
    /// The policy's id.
    pub policy: String,
    /// Said once when the policy has no triggers: then no record can be required to carry a
    /// restriction (with the policy's own `trigger never` reason, when it gives one).
    pub no_triggers: Option<String>,
    /// The number of records read.
    pub records: u64,
    /// The findings, in register order.
    pub lines: Vec<TriggerLine>,
    /// Rows that could not be used, by line number (never their content).
    pub invalid: Vec<RowError>,
    /// Columns in the register that were ignored and never read.
    pub ignored_columns: Vec<String>,
}

/// Reads a register of records and reports on it against the policy.
pub fn triggers<R: Read>(
    decider: &Decider,
    input: R,
    format: Format,
) -> Result<TriggerReport, RowError> {
    let table = decider.table();
    let rules = &table.restriction_rules;
    let mut reader = Reader::new(input, format, COLUMNS)?;
    let mut report = TriggerReport {
        policy: table.policy.id.clone(),
        no_triggers: rules.triggers.is_empty().then(|| match &rules.no_triggers {
            Some(n) => format!(
                "policy `{}` has no triggers: {} ({})",
                table.policy.id, n.reason, n.source
            ),
            None => format!(
                "policy `{}` has no triggers: no record's facts require a restriction",
                table.policy.id
            ),
        }),
        records: 0,
        lines: Vec::new(),
        invalid: Vec::new(),
        ignored_columns: Vec::new(),
    };
    while let Some(row) = reader.next_row() {
        report.records += 1;
        match row.and_then(|row| record(decider, &row)) {
            Ok(lines) => report.lines.extend(lines),
            Err(e) => report.invalid.push(e),
        }
    }
    report.ignored_columns = reader.ignored.into_iter().collect();
    Ok(report)
}

/// A `;`-separated list, without empty entries.
fn list<'r>(row: &'r Row, column: &str) -> Vec<&'r str> {
    row.text(column)
        .map(|s| {
            s.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// The findings on one record, or why its row cannot be read.
fn record(decider: &Decider, row: &Row) -> Result<Vec<TriggerLine>, RowError> {
    let bad = |message: String| RowError {
        line: row.line,
        message,
    };
    let id = row
        .text("record_id")
        .ok_or_else(|| bad("`record_id` is empty".to_string()))?;
    if row.text("categories").is_some() && row.text("category").is_some() {
        return Err(bad("both `categories` and `category` are given".to_string()));
    }
    let mut categories = list(row, "categories");
    categories.extend(list(row, "category"));
    let facts = list(row, "facts");
    let rules = &decider.table().restriction_rules;
    let line =
        |finding, category: &str, with: Option<&str>, reason: Option<&String>, rule| TriggerLine {
            record_id: id.to_string(),
            finding,
            category: category.to_string(),
            with: with.map(str::to_string),
            reason: reason.cloned(),
            rule,
        };
    match decider.may_carry(&facts, &categories) {
        Ok(()) => {}
        // The values are the register's: only their place is told.
        Err(CarryRefusal::UnknownFact(i)) => {
            return Err(bad(format!(
                "`facts` entry {} is not a fact the policy declares",
                i + 1
            )));
        }
        Err(CarryRefusal::UnknownCategory(i)) => {
            return Err(bad(format!(
                "`categories` entry {} is not a category the policy has",
                i + 1
            )));
        }
        Err(CarryRefusal::RepeatedCategory(i)) => {
            return Err(bad(format!(
                "`categories` entry {} repeats an earlier one",
                i + 1
            )));
        }
        Err(CarryRefusal::NotAllowed { category, rule }) => {
            let n = rules.never.get(rule);
            return Ok(vec![line(
                Finding::NotAllowed,
                categories.get(category).copied().unwrap_or_default(),
                None,
                n.and_then(|n| n.reason.as_ref()),
                n.map(|n| n.source.clone()).unwrap_or_default(),
            )]);
        }
        Err(CarryRefusal::Exclusive {
            first,
            second,
            rule,
        }) => {
            let e = rules.exclusive.get(rule);
            return Ok(vec![line(
                Finding::Exclusive,
                categories.get(second).copied().unwrap_or_default(),
                categories.get(first).copied(),
                e.and_then(|e| e.reason.as_ref()),
                e.map(|e| e.source.clone()).unwrap_or_default(),
            )]);
        }
    }
    let required = decider.required(&facts).map_err(|i| {
        bad(format!(
            "`facts` entry {} is not a fact the policy declares",
            i + 1
        ))
    })?;
    Ok(required
        .into_iter()
        .filter(|r| !categories.contains(&r.category.name.as_str()))
        .map(|r| {
            line(
                Finding::Required,
                &r.category.name,
                None,
                r.trigger.reason.as_ref(),
                r.trigger.source.clone(),
            )
        })
        .collect())
}

/// Renders a triggers report.
pub fn render(r: &TriggerReport, format: OutputFormat) -> String {
    let mut out = String::new();
    let reason = |l: &TriggerLine| l.reason.clone().unwrap_or_default();
    let what = |l: &TriggerLine| match (&l.finding, &l.with) {
        (Finding::Exclusive, Some(w)) => format!("{} with {w}", l.category),
        _ => l.category.clone(),
    };
    match format {
        OutputFormat::Json => return crate::json::to_string_pretty(r) + "\n",
        OutputFormat::Csv => {
            return super::csv_out::write(
                &["record_id", "finding", "category", "with", "reason", "rule"],
                r.lines.iter().map(|l| {
                    vec![
                        l.record_id.clone(),
                        l.finding.word().to_string(),
                        l.category.clone(),
                        l.with.clone().unwrap_or_default(),
                        reason(l),
                        l.rule.clone(),
                    ]
                }),
            );
        }
        OutputFormat::Markdown => {
            let _ = writeln!(out, "## Triggers for `{}`\n\n{}\n", r.policy, summary(r));
            if !r.lines.is_empty() {
                out.push_str("| record | finding | category | reason | rule |\n| --- | --- | --- | --- | --- |\n");
            }
            for l in &r.lines {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | `{}` |",
                    cell(&l.record_id),
                    l.finding.word(),
                    cell(&what(l)),
                    cell(&reason(l)),
                    l.rule
                );
            }
        }
        OutputFormat::Text => {
            let _ = writeln!(out, "Triggers for policy {}\n{}", r.policy, summary(r));
            for l in &r.lines {
                let _ = writeln!(
                    out,
                    "  {:<12} {:<12} {:<28} {}",
                    l.finding.word(),
                    l.record_id,
                    what(l),
                    l.rule
                );
            }
        }
    }
    super::footer(&mut out, &r.invalid, &r.ignored_columns);
    out
}

fn summary(r: &TriggerReport) -> String {
    let count = |f: Finding| r.lines.iter().filter(|l| l.finding == f).count();
    let mut s = format!(
        "{} records: {} restrictions required and not carried, {} restrictions not allowed, {} combinations not allowed, {} invalid rows",
        r.records,
        count(Finding::Required),
        count(Finding::NotAllowed),
        count(Finding::Exclusive),
        r.invalid.len()
    );
    if let Some(note) = &r.no_triggers {
        s = format!("{note}\n{s}");
    }
    s
}
