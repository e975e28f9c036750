//! Which restrictions are overdue or due for review, from a register, grouped by reviewer.

use std::io::Read;

use chrono::NaiveDate;
use serde::Serialize;

use super::register::{Format, Reader, RowError};
use crate::check::model::{Policy, Schedule};
use crate::span::SourceMap;

/// The register columns the review report reads.
pub const COLUMNS: &[&str] = &[
    "record_id",
    "category",
    "placed_on",
    "last_reviewed",
    "review_by",
    "reviewer",
    "team",
];

/// Where a restriction stands on `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The due date has passed.
    Overdue,
    /// Due within the window.
    Due,
    /// Not due within the window.
    Fine,
    /// The category is deliberately never reviewed.
    Never,
    /// Kept until an event, such as a serious case review's outcome.
    Until,
}

/// One restriction in the report: IDs only.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewLine {
    /// The record's ID.
    pub record_id: String,
    /// The category.
    pub category: String,
    /// The reviewer's staff ID, or `unassigned`.
    pub reviewer: String,
    /// The team's ID, if the register gives it.
    pub team: Option<String>,
    /// Where it stands.
    pub status: Status,
    /// When the review is due, for periodic schedules.
    pub due: Option<NaiveDate>,
    /// Why that date: the schedule and the rule that sets it (`file:line`), or the event.
    pub basis: String,
    /// Where the category's review statement is written (`file:line`): the rule that sets the
    /// interval, even when an earlier `review_by` date wins.
    pub rule: String,
}

/// Counts by status, plus rows skipped.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    /// Overdue restrictions.
    pub overdue: u64,
    /// Due within the window.
    pub due: u64,
    /// Not yet due.
    pub fine: u64,
    /// Never reviewed, deliberately.
    pub never: u64,
    /// Kept until an event.
    pub until: u64,
    /// Rows that could not be used.
    pub invalid: u64,
}

/// The review report.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewReport {
    /// The policy's id.
    pub policy: String,
    /// The date the report is for.
    pub as_of: NaiveDate,
    /// The window for "due soon", in days.
    pub within_days: u32,
    /// Listed restrictions, grouped by reviewer then due date.
    pub lines: Vec<ReviewLine>,
    /// Counts by status.
    pub counts: Counts,
    /// Rows that could not be used, by line number (never their content).
    pub invalid: Vec<RowError>,
    /// Columns in the register that were ignored and never read.
    pub ignored_columns: Vec<String>,
}

/// What to list: overdue and due always; fine, never and until only with `list_all`, so memory
/// stays bounded by the number of restrictions needing attention.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The report date.
    pub as_of: NaiveDate,
    /// Days ahead that count as due.
    pub within_days: u32,
    /// List every restriction, not just those needing attention.
    pub list_all: bool,
}

/// Reads a register and reports on it against the policy.
pub fn reviews<R: Read>(
    policy: &Policy,
    sources: &SourceMap,
    input: R,
    format: Format,
    opts: Options,
) -> Result<ReviewReport, RowError> {
    let mut reader = Reader::new(input, format, COLUMNS)?;
    let mut report = ReviewReport {
        policy: policy.id.clone(),
        as_of: opts.as_of,
        within_days: opts.within_days,
        lines: Vec::new(),
        counts: Counts::default(),
        invalid: Vec::new(),
        ignored_columns: Vec::new(),
    };
    let horizon = opts
        .as_of
        .checked_add_days(chrono::Days::new(u64::from(opts.within_days)))
        .unwrap_or(opts.as_of);
    while let Some(row) = reader.next_row() {
        let line = row.and_then(|row| {
            classify(policy, sources, &row, opts.as_of, horizon).map_err(|message| RowError {
                line: row.line,
                message,
            })
        });
        match line {
            Ok(l) => {
                let c = &mut report.counts;
                match l.status {
                    Status::Overdue => c.overdue += 1,
                    Status::Due => c.due += 1,
                    Status::Fine => c.fine += 1,
                    Status::Never => c.never += 1,
                    Status::Until => c.until += 1,
                }
                if opts.list_all || matches!(l.status, Status::Overdue | Status::Due) {
                    report.lines.push(l);
                }
            }
            Err(e) => {
                report.counts.invalid += 1;
                report.invalid.push(e);
            }
        }
    }
    report.lines.sort_by(|a, b| {
        (&a.reviewer, a.status, a.due, &a.record_id).cmp(&(
            &b.reviewer,
            b.status,
            b.due,
            &b.record_id,
        ))
    });
    report.ignored_columns = reader.ignored.into_iter().collect();
    Ok(report)
}

fn classify(
    policy: &Policy,
    sources: &SourceMap,
    row: &super::register::Row,
    as_of: NaiveDate,
    horizon: NaiveDate,
) -> Result<ReviewLine, String> {
    let record_id = row.text("record_id").ok_or("no `record_id`")?.to_string();
    let category_name = row.text("category").ok_or("no `category`")?;
    let category = policy
        .category(category_name)
        .ok_or_else(|| format!("unknown category `{category_name}`"))?;
    let review = category
        .review
        .as_ref()
        .ok_or_else(|| format!("category `{category_name}` has no review schedule"))?;
    let placed_on = row.date("placed_on")?;
    let last_reviewed = row.date("last_reviewed")?;
    let review_by = row.date("review_by")?;
    let cite = sources.cite(review.span);
    let (status, due, basis) = match &review.schedule {
        Schedule::Never(why) => (
            Status::Never,
            None,
            format!(
                "never reviewed{} ({cite})",
                why.as_ref().map_or(String::new(), |w| format!(": {w}"))
            ),
        ),
        Schedule::Until(event) => (Status::Until, None, format!("kept until {event} ({cite})")),
        Schedule::Every(period) => {
            let (base, from) = match (last_reviewed, placed_on) {
                (Some(d), _) => (d, "last review"),
                (None, Some(d)) => (d, "placement"),
                (None, None) => return Err("no `placed_on` or `last_reviewed` date".to_string()),
            };
            let periodic = period
                .after(base)
                .ok_or("review date is beyond the calendar")?;
            let (due, basis) = match review_by {
                Some(early) if early < periodic => (
                    early,
                    format!(
                        "earlier date given on the request (`review_by`), before every {} from {from}",
                        period.describe()
                    ),
                ),
                _ => (
                    periodic,
                    format!("every {} from {from} ({cite})", period.describe()),
                ),
            };
            let status = if due < as_of {
                Status::Overdue
            } else if due <= horizon {
                Status::Due
            } else {
                Status::Fine
            };
            (status, Some(due), basis)
        }
    };
    Ok(ReviewLine {
        record_id,
        category: category.name.clone(),
        reviewer: row.text("reviewer").unwrap_or("unassigned").to_string(),
        team: row.text("team").map(str::to_string),
        status,
        due,
        basis,
        rule: cite,
    })
}
