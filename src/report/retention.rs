//! Disposal dates for case files, from the policy's retention schedule and a files register.

use std::io::Read;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::register::{Format, Reader, Row, RowError};
use crate::policy::{Anchor, Disposal, Keep, Policy};
use crate::span::SourceMap;

/// The register columns the retention report reads.
pub(crate) const COLUMNS: &[&str] = &[
    "file_id",
    "file_type",
    "date_of_birth",
    "date_of_death",
    "closure",
    "end_of_financial_year",
    "notification",
    "approval_end",
    "adoption_order",
    "flags",
];

/// What happens to one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileLine {
    /// The file's ID.
    pub file_id: String,
    /// Its file type (a `retention` name).
    pub file_type: String,
    /// `None` when the file is kept permanently.
    pub dispose_on: Option<NaiveDate>,
    /// What happens then: `destroy`, `review`, `transfer`, or `retain` (permanently).
    pub action: String,
    /// The schedule's words for it.
    pub note: Option<String>,
    /// Whether the date has been reached.
    pub due: bool,
    /// The rule that set it (`file:line`).
    pub rule: String,
}

/// The retention report.
#[derive(Debug, Clone, Serialize)]
pub struct RetentionReport {
    /// The policy's id.
    pub policy: String,
    /// The report date.
    pub as_of: NaiveDate,
    /// Files due for disposal (or review) on or before `as_of`, and, with `list_all`, the rest.
    pub files: Vec<FileLine>,
    /// Files due.
    pub due: u64,
    /// Files not yet due.
    pub not_due: u64,
    /// Files kept permanently.
    pub permanent: u64,
    /// Said once when the policy has no retention schedule (no `retention` block): then no
    /// file can be placed, and the rows are only counted.
    pub no_schedule: Option<String>,
    /// Rows read while there is no schedule to apply.
    pub unscheduled: u64,
    /// Rows that could not be used.
    pub invalid: Vec<RowError>,
    /// Columns ignored and never read.
    pub ignored_columns: Vec<String>,
}

/// Reads a files register and computes each file's disposal.
pub fn retention<R: Read>(
    policy: &Policy,
    sources: &SourceMap,
    input: R,
    format: Format,
    as_of: NaiveDate,
    list_all: bool,
) -> Result<RetentionReport, RowError> {
    let mut reader = Reader::new(input, format, COLUMNS)?;
    let mut report = RetentionReport {
        policy: policy.id.clone(),
        as_of,
        files: Vec::new(),
        due: 0,
        not_due: 0,
        permanent: 0,
        no_schedule: policy
            .retention
            .is_empty()
            .then(|| super::no_schedule(&policy.id, super::Schedule::Retention)),
        unscheduled: 0,
        invalid: Vec::new(),
        ignored_columns: Vec::new(),
    };
    while let Some(row) = reader.next_row() {
        if report.no_schedule.is_some() {
            match row {
                Ok(_) => report.unscheduled += 1,
                Err(e) => report.invalid.push(e),
            }
            continue;
        }
        match row.and_then(|r| {
            file_line(policy, sources, &r, as_of).map_err(|message| RowError {
                line: r.line,
                message,
            })
        }) {
            Ok(f) => {
                match (f.dispose_on, f.due) {
                    (None, _) => report.permanent += 1,
                    (Some(_), true) => report.due += 1,
                    (Some(_), false) => report.not_due += 1,
                }
                if list_all || f.due {
                    report.files.push(f);
                }
            }
            Err(e) => report.invalid.push(e),
        }
    }
    report
        .files
        .sort_by(|a, b| (a.dispose_on, &a.file_id).cmp(&(b.dispose_on, &b.file_id)));
    report.ignored_columns = reader.ignored.into_iter().collect();
    Ok(report)
}

fn file_line(
    policy: &Policy,
    sources: &SourceMap,
    row: &Row,
    as_of: NaiveDate,
) -> Result<FileLine, String> {
    let file_id = row.text("file_id").ok_or("no `file_id`")?.to_string();
    let file_type = row.text("file_type").ok_or("no `file_type`")?;
    let rule = policy
        .retention
        .iter()
        .find(|r| r.name == file_type)
        .ok_or_else(|| format!("unknown file type `{file_type}`"))?;
    let flags: Vec<&str> = row
        .text("flags")
        .map(|f| {
            f.split([';', ',', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let cite = sources.cite(rule.span);
    let Keep::For(period, anchors) = &rule.keep else {
        return Ok(FileLine {
            file_id,
            file_type: rule.name.clone(),
            dispose_on: None,
            action: "retain".to_string(),
            note: Some("retain permanently".to_string()),
            due: false,
            rule: cite,
        });
    };
    let start = start_date(row, anchors)?.ok_or_else(|| {
        let columns = anchors
            .iter()
            .map(|a| format!("`{}`", a.word()))
            .collect::<Vec<_>>()
            .join(" or ");
        format!("no {columns} date for file type `{}`", rule.name)
    })?;
    let dispose_on = period
        .after(start)
        .ok_or("disposal date is beyond the calendar")?;
    let exception = rule
        .unless
        .iter()
        .find(|(flag, _, _)| flags.contains(&flag.as_str()));
    let (action, note) = match (exception, &rule.then) {
        (Some((_, action, text)), _) => (*action, text.clone()),
        (None, Some((action, text))) => (*action, text.clone()),
        (None, None) => (Disposal::Review, None),
    };
    Ok(FileLine {
        file_id,
        file_type: rule.name.clone(),
        dispose_on: Some(dispose_on),
        action: action.word().to_string(),
        note,
        due: dispose_on <= as_of,
        rule: cite,
    })
}

/// When a file's clock starts: the latest of its anchors' dates that the row gives (an empty
/// cell is an event that has not happened), or `None` when it gives none. A malformed date is an
/// error, never skipped.
fn start_date(row: &Row, anchors: &[Anchor]) -> Result<Option<NaiveDate>, String> {
    let mut latest: Option<NaiveDate> = None;
    for anchor in anchors {
        let Some(date) = row.date(anchor.word())? else {
            continue;
        };
        let date = if *anchor == Anchor::EndOfFinancialYear {
            financial_year_end(date).ok_or("financial year end is beyond the calendar")?
        } else {
            date
        };
        latest = latest.max(Some(date));
    }
    Ok(latest)
}

/// The 31 March that ends the financial year `date` falls in.
fn financial_year_end(date: NaiveDate) -> Option<NaiveDate> {
    let year = if date.month() <= 3 {
        date.year()
    } else {
        date.year() + 1
    };
    NaiveDate::from_ymd_opt(year, 3, 31)
}
