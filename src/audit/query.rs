//! The auditor's questions — who opened, or was refused, this record; what did this person ask
//! for; what was decided between two times — answered from either sink, IDs only.

use std::io::BufRead;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Entry, Event};
use crate::eval::id;

/// Which decisions to list; every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// The record's id (compared as ids are: ignoring case).
    pub record: Option<String>,
    /// The subject's id.
    pub subject: Option<String>,
    /// From this time (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// To this time (exclusive).
    pub to: Option<DateTime<Utc>>,
}

impl Filter {
    /// Whether a logged decision matches.
    pub fn matches(&self, f: &Found) -> bool {
        self.record
            .as_deref()
            .is_none_or(|r| id::same_id(r, &f.record))
            && self
                .subject
                .as_deref()
                .is_none_or(|s| id::same_id(s, &f.subject))
            && self.from.is_none_or(|t| f.time >= t)
            && self.to.is_none_or(|t| f.time < t)
    }
}

/// One logged decision, as the query lists it: IDs and words only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    /// When it was decided.
    pub time: DateTime<Utc>,
    /// The instance that decided (the first part of its id).
    pub instance: String,
    /// The connected system that asked, if the service knew it.
    pub client: Option<String>,
    /// The decision's id.
    pub decision_id: String,
    /// Who asked.
    pub subject: String,
    /// The record.
    pub record: String,
    /// The action.
    pub action: String,
    /// `allow` or `deny`.
    pub decision: String,
    /// The deciding rule, if any.
    pub rule: Option<String>,
    /// The policy.
    pub policy_id: String,
}

impl Found {
    /// The decision a log line records (the line's hash is not checked here: `audit verify`
    /// does that); `None` for other events and lines that are not entries.
    pub fn from_line(line: &str) -> Option<Found> {
        let entry: Entry = serde_json::from_str(line).ok()?;
        let Event::Decision(d) = entry.event else {
            return None;
        };
        Some(Found {
            time: entry.time,
            instance: d
                .decision_id
                .rsplit_once(':')
                .map(|(i, _)| i.to_string())
                .unwrap_or_default(),
            client: d.client,
            decision_id: d.decision_id,
            subject: d.subject,
            record: d.record,
            action: d.action,
            decision: d.decision.word().to_string(),
            rule: d.rule,
            policy_id: d.policy_id,
        })
    }
}

/// The matching decisions of a log file, in file order.
pub fn scan(input: impl BufRead, filter: &Filter) -> std::io::Result<Vec<Found>> {
    let mut out = Vec::new();
    for line in input.lines() {
        if let Some(f) = Found::from_line(&line?) {
            if filter.matches(&f) {
                out.push(f);
            }
        }
    }
    Ok(out)
}

/// The columns, in the order every format writes them.
const COLUMNS: [&str; 10] = [
    "time",
    "instance",
    "client",
    "decision_id",
    "subject",
    "record",
    "action",
    "decision",
    "rule",
    "policy_id",
];

fn cells(f: &Found) -> [String; 10] {
    [
        f.time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        f.instance.clone(),
        f.client.clone().unwrap_or_default(),
        f.decision_id.clone(),
        f.subject.clone(),
        f.record.clone(),
        f.action.clone(),
        f.decision.clone(),
        f.rule.clone().unwrap_or_default(),
        f.policy_id.clone(),
    ]
}

/// Aligned text with a header line and a count.
pub fn text(found: &[Found]) -> String {
    let rows: Vec<[String; 10]> = found.iter().map(cells).collect();
    let mut widths = COLUMNS.map(str::len);
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:w$}"))
            .collect();
        out.push_str(padded.join("  ").trim_end());
        out.push('\n');
    };
    line(&COLUMNS.map(str::to_string));
    for r in &rows {
        line(r);
    }
    out.push_str(&format!("{} decisions\n", found.len()));
    out
}

/// CSV with a header row, through the one spreadsheet guard every CSV of caselock uses (an id
/// such as `=HYPERLINK(...)` is shown, never run).
pub fn csv(found: &[Found]) -> String {
    crate::report::csv_out::write(&COLUMNS, found.iter().map(|f| cells(f).to_vec()))
}
