//! Which restrictions (and flags) are overdue or due for review, from a register, grouped by
//! reviewer. A register row names a restriction's `category` or a flag (`flag`), never both.

use std::io::Read;

use chrono::NaiveDate;
use serde::Serialize;

use super::register::{Format, Reader, RowError};
use crate::eval::time::{self, DueBasis};
use crate::policy::{Policy, Schedule};
use crate::span::SourceMap;

/// The register columns the review report reads.
pub(crate) const COLUMNS: &[&str] = &[
    "record_id",
    "category",
    "flag",
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
    /// The category has no review statement and the row gives no `review_by` date.
    Unscheduled,
}

/// One restriction in the report: IDs only.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewLine {
    /// The record's ID.
    pub record_id: String,
    /// The restriction's category, for a restriction's row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The flag, for a flag's row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
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
    /// Where the category's (or flag's) review statement is written (`file:line`): the rule
    /// that sets the interval, even when an earlier `review_by` date wins.
    pub rule: String,
}

impl ReviewLine {
    /// What the line is about, as reports print it: the category, or `flag NAME`.
    pub fn subject(&self) -> String {
        match (&self.category, &self.flag) {
            (Some(c), _) => c.clone(),
            (None, Some(f)) => format!("flag {f}"),
            (None, None) => String::new(),
        }
    }
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
    /// In a category with no review statement, without a `review_by` date.
    pub unscheduled: u64,
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
    /// Said once when no category of the policy has a review statement: then only the
    /// register's own `review_by` dates can fall due.
    pub no_schedule: Option<String>,
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
        // A category whose source gives no interval (`review unstated`) has none either.
        no_schedule: policy
            .categories
            .iter()
            .all(|c| {
                matches!(
                    c.review.as_ref().map(|r| &r.schedule),
                    None | Some(Schedule::Unstated(_))
                )
            })
            .then(|| super::no_schedule(&policy.id, super::Schedule::Review)),
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
                    Status::Unscheduled => c.unscheduled += 1,
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
    // A restriction's category or a flag: its review statement and where it is written.
    let (category, flag, review, span) = match (row.text("category"), row.text("flag")) {
        (Some(_), Some(_)) => {
            return Err("both `category` and `flag`: a row is one or the other".into());
        }
        (None, None) => return Err("no `category` (or `flag`)".into()),
        (Some(name), None) => {
            let c = policy
                .category(name)
                .ok_or_else(|| format!("unknown category `{name}`"))?;
            (Some(c.name.clone()), None, c.review.as_ref(), c.span)
        }
        (None, Some(name)) => {
            let f = policy
                .flags
                .iter()
                .find(|f| f.named.name == name)
                .ok_or_else(|| format!("unknown flag `{name}`"))?;
            (None, Some(f.named.name.clone()), f.review.as_ref(), f.span)
        }
    };
    let placed_on = row.date("placed_on")?;
    let last_reviewed = row.date("last_reviewed")?;
    let review_by = row.date("review_by")?;
    let cite = sources.cite(review.map_or(span, |r| r.span));
    let interval = match review.map(|r| &r.schedule) {
        Some(Schedule::Every(period)) => {
            if placed_on.is_none() && last_reviewed.is_none() {
                return Err("no `placed_on` or `last_reviewed` date".to_string());
            }
            Some(*period)
        }
        _ => None,
    };
    // The schedule, as the basis of a date says it.
    let schedule = match review.map(|r| &r.schedule) {
        Some(Schedule::Every(period)) => {
            let from = if last_reviewed.is_some() {
                "last review"
            } else {
                "placement"
            };
            format!("every {} from {from}", period.describe())
        }
        Some(Schedule::Never(why)) => format!(
            "never reviewed{}",
            why.as_ref().map_or(String::new(), |w| format!(": {w}"))
        ),
        Some(Schedule::Until(event)) => format!("kept until {event}"),
        Some(Schedule::Unstated(why)) => {
            format!("no review interval: the source document gives none ({why})")
        }
        None => "no review schedule".to_string(),
    };
    let (status, due, basis) = match time::review(interval, placed_on, last_reviewed, review_by) {
        Some(due) => {
            let status = if time::overdue_on(due.date, as_of) {
                Status::Overdue
            } else if due.date <= horizon {
                Status::Due
            } else {
                Status::Fine
            };
            let basis = match due.basis {
                DueBasis::ReviewBy if interval.is_some() => {
                    format!("earlier date given on the request (`review_by`), before {schedule}")
                }
                DueBasis::ReviewBy => format!(
                    "date given on the request (`review_by`); the {}: {schedule} ({cite})",
                    if flag.is_some() { "flag" } else { "category" }
                ),
                DueBasis::SinceLastReview | DueBasis::SincePlacement => {
                    format!("{schedule} ({cite})")
                }
            };
            (status, Some(due.date), basis)
        }
        None => {
            let status = match review.map(|r| &r.schedule) {
                Some(Schedule::Never(_)) => Status::Never,
                Some(Schedule::Until(_)) => Status::Until,
                Some(Schedule::Every(_)) => return Err("review date is beyond the calendar".into()),
                Some(Schedule::Unstated(_)) | None => Status::Unscheduled,
            };
            (status, None, format!("{schedule} ({cite})"))
        }
    };
    Ok(ReviewLine {
        record_id,
        category,
        flag,
        reviewer: row.text("reviewer").unwrap_or("unassigned").to_string(),
        team: row.text("team").map(str::to_string),
        status,
        due,
        basis,
        rule: cite,
    })
}
